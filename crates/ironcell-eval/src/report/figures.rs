//! The report's figures, drawn by plotters as SVG strings to inline in the page (no files, no
//! network). Each takes plain numbers; what they mean is `html`'s business.

use plotters::{
    prelude::*,
    style::{register_font, FontStyle},
};

use crate::Error;

static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Figure size in pixels.
const SIZE: (u32, u32) = (760, 420);

/// Width given to each group of [`grouped`] beyond the first four, so that the group names
/// along x stay apart.
const GROUP_WIDTH: u32 = 170;

/// Colours of the learned models, in order (Tableau 10 without its grey, which the nulls
/// have to themselves).
const MODEL_COLOURS: [RGBColor; 9] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Greys of the null models, darkest first.
const NULL_COLOURS: [RGBColor; 4] = [
    RGBColor(90, 90, 90),
    RGBColor(130, 130, 130),
    RGBColor(170, 170, 170),
    RGBColor(200, 200, 200),
];

/// A series of a figure: its name and whether it is a null model (drawn grey).
#[derive(Debug, Clone)]
pub struct Series {
    /// Shown in the legend.
    pub name: String,
    /// Drawn in grey, as a reference to beat.
    pub null: bool,
}

/// The colour of each of `series`: learned models in colour, nulls in grey, in order.
fn colours(series: &[Series]) -> Vec<RGBColor> {
    let (mut learned, mut null) = (0, 0);
    series
        .iter()
        .map(|s| {
            if s.null {
                null += 1;
                NULL_COLOURS[(null - 1) % NULL_COLOURS.len()]
            } else {
                learned += 1;
                MODEL_COLOURS[(learned - 1) % MODEL_COLOURS.len()]
            }
        })
        .collect()
}

/// One value with its interval, of one series in one group.
#[derive(Debug, Clone, Copy)]
pub struct Ranged {
    /// The group (x position).
    pub group: usize,
    /// The series.
    pub series: usize,
    /// The value.
    pub value: f64,
    /// Lower end of its interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// How [`grouped`] marks a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A bar from zero (scores).
    Bar,
    /// A dot (summaries that may be either side of zero).
    Dot,
}

/// Values with intervals in groups along x, one slot per series within a group.
pub fn grouped(
    title: &str,
    y_desc: &str,
    groups: &[String],
    series: &[Series],
    values: &[Ranged],
    mark: Mark,
) -> Result<String, Error> {
    let finite = values
        .iter()
        .flat_map(|v| [v.value, v.low, v.high])
        .filter(|v| v.is_finite());
    let (lo, hi) = headroom(padded(finite.chain([0.0])), series.len());
    let colours = colours(series);
    let slot = 0.8 / series.len().max(1) as f64;
    let x = |v: &Ranged| v.group as f64 - 0.4 + slot * (v.series as f64 + 0.5);
    let group_label = |x: &f64| {
        let nearest = x.round();
        match groups.get(nearest as usize) {
            Some(g) if (x - nearest).abs() < 1e-6 && nearest >= 0.0 => g.clone(),
            _ => String::new(),
        }
    };
    let width = SIZE.0.max(GROUP_WIDTH * groups.len() as u32 + 80);
    draw(title, (width, SIZE.1), |root| {
        let mut chart = axes(root, title, 34, -0.5..(groups.len() as f64 - 0.5), lo..hi)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(groups.len() * 2 + 1)
            .x_label_formatter(&group_label)
            .y_desc(y_desc)
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(-0.5, 0.0), (groups.len() as f64 - 0.5, 0.0)],
            BLACK.mix(0.5),
        ))?;
        for (s, (info, &colour)) in series.iter().zip(&colours).enumerate() {
            let mine: Vec<&Ranged> = values.iter().filter(|v| v.series == s).collect();
            let half = slot * 0.42;
            let drawn = match mark {
                Mark::Bar => {
                    chart.draw_series(mine.iter().filter(|v| v.value.is_finite()).map(|v| {
                        Rectangle::new(
                            [(x(v) - half, 0.0), (x(v) + half, v.value)],
                            colour.filled(),
                        )
                    }))?
                }
                Mark::Dot => chart.draw_series(
                    mine.iter()
                        .filter(|v| v.value.is_finite())
                        .map(|v| Circle::new((x(v), v.value), 4, colour.filled())),
                )?,
            };
            drawn.label(&info.name).legend(move |(px, py)| {
                Rectangle::new([(px, py - 5), (px + 12, py + 5)], colour.filled())
            });
            // The interval as a whisker with caps.
            for v in mine
                .iter()
                .filter(|v| v.low.is_finite() && v.high.is_finite())
            {
                let (cx, cap) = (x(v), half * 0.5);
                let ink = BLACK.mix(0.8).stroke_width(1);
                chart.draw_series([
                    PathElement::new(vec![(cx, v.low), (cx, v.high)], ink),
                    PathElement::new(vec![(cx - cap, v.low), (cx + cap, v.low)], ink),
                    PathElement::new(vec![(cx - cap, v.high), (cx + cap, v.high)], ink),
                ])?;
            }
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// Predicted against measured as a density: counts in a square grid of `bins` cells a side
/// (log-scaled colour), with the identity line, so 100,000 points stay a small file and
/// overplotting shows.
pub fn density(
    title: &str,
    (x_desc, y_desc): (&str, &str),
    points: &[(f64, f64)],
    bins: usize,
) -> Result<String, Error> {
    let finite: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    let (lo, hi) = padded(finite.iter().flat_map(|&(a, b)| [a, b]));
    let width = (hi - lo) / bins as f64;
    let cell = |v: f64| (((v - lo) / width) as usize).min(bins - 1);
    let mut counts = vec![0usize; bins * bins];
    for &(a, b) in &finite {
        counts[cell(a) * bins + cell(b)] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    draw(title, SIZE, |root| {
        let mut chart = axes(root, title, 40, lo..hi, lo..hi)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(
            counts
                .iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(k, &c)| {
                    let (i, j) = ((k / bins) as f64, (k % bins) as f64);
                    let shade = ((c as f64).ln_1p() / most.ln_1p()) as f32;
                    let colour = ViridisRGB::get_color(shade);
                    Rectangle::new(
                        [
                            (lo + i * width, lo + j * width),
                            (lo + (i + 1.0) * width, lo + (j + 1.0) * width),
                        ],
                        colour.filled(),
                    )
                }),
        )?;
        chart
            .draw_series(LineSeries::new([(lo, lo), (hi, hi)], RED.mix(0.7)))?
            .label("identity")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], RED.mix(0.7)));
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// Lines through points, one per series; `identity` adds a dashed identity line (for
/// calibration: nominal against observed). The legend goes in the corner `corner` (where
/// the lines are not: upper right for falling losses, upper left for rising coverage).
pub fn lines(
    title: &str,
    (x_desc, y_desc): (&str, &str),
    series: &[Series],
    points: &[Vec<(f64, f64)>],
    (identity, corner): (bool, SeriesLabelPosition),
) -> Result<String, Error> {
    let all = || {
        points
            .iter()
            .flatten()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
    };
    let (x_lo, x_hi) = padded(all().map(|p| p.0));
    let (mut y_lo, mut y_hi) = padded(all().map(|p| p.1));
    if identity {
        (y_lo, y_hi) = (y_lo.min(x_lo), y_hi.max(x_hi));
    }
    let colours = colours(series);
    draw(title, SIZE, |root| {
        let mut chart = axes(root, title, 40, x_lo..x_hi, y_lo..y_hi)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .light_line_style(WHITE)
            .draw()?;
        if identity {
            let dashes = (0..40).map(|k| {
                let a = x_lo + (x_hi - x_lo) * k as f64 / 40.0;
                let b = a + (x_hi - x_lo) / 80.0;
                PathElement::new(vec![(a, a), (b, b)], BLACK.mix(0.5))
            });
            chart
                .draw_series(dashes)?
                .label("ideal")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.mix(0.5)));
        }
        for ((info, line), &colour) in series.iter().zip(points).zip(&colours) {
            let line: Vec<(f64, f64)> = line
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            chart
                .draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))?
                .label(&info.name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2))
                });
            chart.draw_series(line.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
        legend(&mut chart, corner)
    })
}

type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;
type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Every figure's frame on `root`: its caption, margins and label areas (`x_label_area`
/// pixels under the plot), over `x` × `y`.
fn axes<'a, 'b: 'a>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    x_label_area: u32,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Result<Chart<'a, 'b>, Box<dyn std::error::Error>> {
    Ok(ChartBuilder::on(root)
        .caption(title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(x_label_area)
        .y_label_area_size(56)
        .build_cartesian_2d(x, y)?)
}

fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, corner: SeriesLabelPosition) -> DrawResult {
    chart
        .configure_series_labels()
        .position(corner)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()?;
    Ok(())
}

/// An SVG of `size` pixels drawn by `body`.
fn draw(
    title: &str,
    size: (u32, u32),
    body: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> DrawResult,
) -> Result<String, Error> {
    // Text is measured with the bundled font, so the layout does not depend on the machine's
    // fonts. Registering twice is harmless: the first registration is kept.
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| Error::Draw("the bundled font is invalid".to_owned()))?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .map_err(|e| e.into())
            .and_then(|()| body(&root))
            .and_then(|()| root.present().map_err(|e| e.into()));
        drawn.map_err(|e| Error::Draw(format!("{title}: {e}")))?;
    }
    Ok(svg)
}

/// `range` raised at the top so that the legend (upper left, a line per series) sits above
/// the data instead of on it.
fn headroom((lo, hi): (f64, f64), series: usize) -> (f64, f64) {
    let share = ((series + 1) as f64 * 17.0 / 340.0).min(0.6);
    (lo, hi + (hi - lo) * share / (1.0 - share))
}

/// The range of `values` with 5 % either side (a unit around a single value; `0..1` when
/// there is none).
fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = match hi - lo {
        d if d > 0.0 => d * 0.05,
        _ => 0.5,
    };
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(names: &[&str]) -> Vec<Series> {
        names
            .iter()
            .map(|n| Series {
                name: (*n).to_owned(),
                null: n.starts_with("null"),
            })
            .collect()
    }

    #[test]
    fn bars_draw_every_value_whisker_and_legend_entry() {
        let values = [
            Ranged {
                group: 0,
                series: 0,
                value: 0.5,
                low: 0.4,
                high: 0.6,
            },
            Ranged {
                group: 0,
                series: 1,
                value: 0.3,
                low: 0.2,
                high: 0.35,
            },
            Ranged {
                group: 1,
                series: 0,
                value: -0.1,
                low: -0.2,
                high: 0.0,
            },
        ];
        let svg = grouped(
            "accuracy",
            "pearson",
            &["random".into(), "gene_disjoint_all".into()],
            &series(&["gbt", "null mean"]),
            &values,
            Mark::Bar,
        )
        .unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        for text in ["random", "gene_disjoint_all", "gbt", "null mean", "pearson"] {
            assert!(svg.contains(text), "{text} missing");
        }
        // The null's grey is used, the learned model's blue too.
        assert!(
            svg.contains("#828282") || svg.contains("#5A5A5A"),
            "no grey"
        );
        assert!(svg.contains("#1F77B4"), "no blue");
    }

    #[test]
    fn density_counts_land_in_their_cells() {
        let points: Vec<(f64, f64)> = (0..1000)
            .map(|k| (k as f64 / 1000.0, k as f64 / 1000.0))
            .collect();
        let svg = density("t", ("measured", "predicted"), &points, 10).unwrap();
        // Every point on the diagonal: ten filled cells (plus legend and frame rectangles).
        let cells = svg.matches("<rect").count();
        assert!((10..=16).contains(&cells), "{cells} rectangles");
        assert!(svg.contains("identity"));
    }

    #[test]
    fn padded_ranges() {
        assert_eq!(padded([].into_iter()), (0.0, 1.0));
        assert_eq!(padded([2.0].into_iter()), (1.5, 2.5));
        let (lo, hi) = padded([0.0, 10.0, f64::NAN].into_iter());
        assert!((lo + 0.5).abs() < 1e-12 && (hi - 10.5).abs() < 1e-12);
    }
}
