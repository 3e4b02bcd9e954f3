//! The report: one self-contained HTML page (figures inlined as SVG, no script, no network)
//! in the layout of TorchCell's "reproduces DCell on fitness, not on interactions" figure —
//! test scores per model and split with their intervals and the null models in grey, the
//! best model's predictions against the measurements, learning curves, residuals by genotype
//! size and the calibration of the models' spreads — with the numbers in a table under each
//! figure.

use std::{collections::BTreeMap, fmt::Write as _};

use ironcell_models::metrics::{pearson, ranks, Metrics};
use plotters::chart::SeriesLabelPosition;

use super::{
    evidence::{Curve, Evidence, TestRow, TestRows},
    figures::{self, Mark, Ranged, Series},
    others_cell, primary_cell, summarise, Summary,
};
use crate::{score::Judged, Error};

/// Models that need no training, drawn grey as the references to beat.
pub const NULL_MODELS: [&str; 4] = ["mean", "additive", "multiplicative", "zero"];

/// Whether `model` (perhaps suffixed with its run, `mean · run`) is a null model.
fn is_null(model: &str) -> bool {
    let base = model.split(" · ").next().unwrap_or(model);
    NULL_MODELS.contains(&base)
}

/// Splits in the order a reader compares them: random first, then the gene-disjoint ones.
fn split_rank(split: &str) -> (usize, &str) {
    let rank = ["random", "gene_disjoint_any", "gene_disjoint_all"]
        .iter()
        .position(|s| split == *s || split.starts_with(&format!("{s} ")))
        .unwrap_or(3);
    (rank, split)
}

/// Parts of a test set drawn as bars: the whole, and named parts (the quickstart's
/// `multi-gene`); the breakdowns by size and dataset are in the tables of `evaluate`.
fn drawn_subset(subset: &str) -> bool {
    !(subset.ends_with(" gene") || subset.ends_with(" genes") || subset.starts_with("dataset "))
}

/// Genotype sizes as the residual figure groups them.
fn size_class(genes: usize) -> &'static str {
    match genes {
        0 | 1 => "1 gene",
        2 => "2 genes",
        _ => "3+ genes",
    }
}

/// Central intervals drawn from a predicted standard deviation under a normal error, with
/// their z: what a calibrated spread covers at each nominal level.
const LEVELS: [(f64, f64); 10] = [
    (0.1, 0.1257),
    (0.2, 0.2533),
    (0.3, 0.3853),
    (0.4, 0.5244),
    (0.5, 0.6745),
    (0.6, 0.8416),
    (0.7, 1.0364),
    (0.8, 1.2816),
    (0.9, 1.6449),
    (0.95, 1.9600),
];

/// The page under construction: sections, and a numbered list of its figures.
#[derive(Default)]
struct Page {
    body: String,
    figures: Vec<(String, String)>,
}

impl Page {
    fn section(&mut self, id: &str, heading: &str, intro: &str) {
        write!(
            self.body,
            "<section id=\"{id}\"><h2>{}</h2><p>{}</p>",
            escape(heading),
            escape(intro)
        )
        .expect("a String");
    }

    fn end_section(&mut self) {
        self.body.push_str("</section>\n");
    }

    fn note(&mut self, text: &str) {
        write!(self.body, "<p class=\"note\">{}</p>", escape(text)).expect("a String");
    }

    /// A figure with its caption, then its table.
    fn figure(&mut self, kind: &str, svg: &str, caption: &str, table: &Table) {
        let n = self.figures.len() + 1;
        let id = format!("figure-{n}");
        write!(
            self.body,
            "<figure id=\"{id}\" data-figure=\"{kind}\">{svg}<figcaption><b>Figure {n}.</b> {}</figcaption></figure>\n{}",
            escape(caption),
            table.html()
        )
        .expect("a String");
        self.figures.push((id, caption.to_owned()));
    }
}

/// A table under a figure.
struct Table {
    head: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(head: Vec<&'static str>) -> Self {
        Self {
            head,
            rows: Vec::new(),
        }
    }

    fn html(&self) -> String {
        let cells = |cells: &[String], tag: &str| {
            cells
                .iter()
                .map(|c| format!("<{tag}>{}</{tag}>", escape(c)))
                .collect::<String>()
        };
        let head: Vec<String> = self.head.iter().map(|h| (*h).to_owned()).collect();
        let mut out = format!(
            "<table><thead><tr>{}</tr></thead><tbody>",
            cells(&head, "th")
        );
        for row in &self.rows {
            write!(out, "<tr>{}</tr>", cells(row, "td")).expect("a String");
        }
        out.push_str("</tbody></table>\n");
        out
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn fixed(v: f64, places: usize) -> String {
    if v.is_finite() {
        format!("{v:.places$}")
    } else {
        "—".to_owned()
    }
}

/// The report of `evidence`, titled `title`, naming the files it was drawn from (`sources`).
pub fn html(evidence: &Evidence, title: &str, sources: &[String]) -> Result<String, Error> {
    let (summaries, seeds) = summarise(&evidence.outcomes);
    let mut page = Page::default();
    accuracy(&mut page, &summaries)?;
    let best = best_models(&summaries, &evidence.rows);
    predictions(&mut page, &evidence.rows, &summaries, &best)?;
    curves(&mut page, &evidence.curves)?;
    residuals(&mut page, &evidence.rows)?;
    calibration(&mut page, &evidence.rows)?;

    let mut out = String::new();
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>{STYLE}</style></head><body><h1>{t}</h1>",
        t = escape(title)
    )
    .expect("a String");
    let seeds_note = match seeds.len() {
        0 | 1 => String::new(),
        n => format!(" Outcomes of {n} seeds are averaged, their intervals too."),
    };
    write!(
        out,
        "<p>Test-set numbers only (never the best validation epoch), with 95 % percentile \
         bootstrap intervals; the null models ({}) are drawn grey.{}</p>",
        NULL_MODELS.join(", "),
        escape(&seeds_note)
    )
    .expect("a String");
    if !sources.is_empty() {
        out.push_str("<p>Drawn from:</p><ul class=\"sources\">");
        for s in sources {
            write!(out, "<li><code>{}</code></li>", escape(s)).expect("a String");
        }
        out.push_str("</ul>");
    }
    out.push_str("<nav><h2>Figures</h2><ol>");
    for (id, caption) in &page.figures {
        write!(out, "<li><a href=\"#{id}\">{}</a></li>", escape(caption)).expect("a String");
    }
    out.push_str("</ol></nav>\n");
    out.push_str(&page.body);
    out.push_str("</body></html>\n");
    Ok(out)
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;\
color:#222}h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:1px solid #ccc;padding-bottom:.2em}\
figure{margin:1.5em 0 .5em 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.9em;\
color:#444;margin-top:.3em}table{border-collapse:collapse;font-size:.82em;margin-bottom:1.5em}\
th,td{border:1px solid #ddd;padding:.2em .5em;text-align:left}th{background:#f4f4f4}\
p.note{color:#666;font-style:italic}nav ol{font-size:.9em}";

/// The model name a bar is labelled with: its engine where it is not ironcell's.
fn shown_model(s: &Summary<'_>) -> String {
    match s.engine {
        "ironcell" | "" => s.model.to_owned(),
        engine => format!("{} ({engine})", s.model),
    }
}

/// Learned models first, then the nulls, each in name order.
fn series_of(names: impl IntoIterator<Item = String>) -> Vec<Series> {
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort_by_key(|n| (is_null(n), n.clone()));
    names.dedup();
    names
        .into_iter()
        .map(|name| Series {
            null: is_null(&name),
            name,
        })
        .collect()
}

fn accuracy(page: &mut Page, summaries: &[Summary<'_>]) -> Result<(), Error> {
    page.section(
        "accuracy",
        "Accuracy on the test sets",
        "Each model's leading test metric (Pearson for values, AUROC for calls) per split, with \
         its 95 % interval; gene-disjoint splits test genes never perturbed in training.",
    );
    let mut tasks: BTreeMap<(&str, &str), Vec<&Summary<'_>>> = BTreeMap::new();
    for s in summaries
        .iter()
        .filter(|s| drawn_subset(s.subset) && s.primary.is_some())
    {
        tasks.entry((s.task, s.label)).or_default().push(s);
    }
    if tasks.is_empty() {
        page.note("No scored outcomes: run `ironcell evaluate` (or `train`) on the run first.");
    }
    for ((task, label), rows) in tasks {
        let group_of = |s: &Summary<'_>| match s.subset {
            "all" => s.split.clone(),
            subset => format!("{} · {subset}", s.split),
        };
        let mut groups: Vec<String> = rows.iter().map(|s| group_of(s)).collect();
        groups.sort_by(|a, b| split_rank(a).cmp(&split_rank(b)));
        groups.dedup();
        let series = series_of(rows.iter().map(|s| shown_model(s)));
        let metric = rows[0].primary.map_or("", |(n, _)| n);
        let mut values = Vec::new();
        let mut table = Table::new(vec![
            "split",
            "model",
            "n train",
            "n test",
            "metric [95 % CI]",
            "others",
        ]);
        let mut ordered = rows.clone();
        ordered.sort_by(|a, b| {
            (
                split_rank(&group_of(a)),
                is_null(a.model),
                -primary_value(a),
            )
                .partial_cmp(&(
                    split_rank(&group_of(b)),
                    is_null(b.model),
                    -primary_value(b),
                ))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for s in ordered {
            let (group, name) = (group_of(s), shown_model(s));
            let (Some(g), Some(k)) = (
                groups.iter().position(|x| *x == group),
                series.iter().position(|x| x.name == name),
            ) else {
                continue;
            };
            if let Some((_, e)) = s.primary {
                values.push(Ranged {
                    group: g,
                    series: k,
                    value: e.value,
                    low: e.low,
                    high: e.high,
                });
            }
            table.rows.push(vec![
                group,
                name,
                format!("{:.0}", s.n_train),
                format!("{:.0}", s.n_test),
                primary_cell(s.primary),
                others_cell(&s.others),
            ]);
        }
        let title = format!("{task}: {label}");
        let svg = figures::grouped(&title, metric, &groups, &series, &values, Mark::Bar)?;
        page.figure(
            "accuracy",
            &svg,
            &format!("Test {metric} of every model on {task} ({label}), by split; whiskers are 95 % intervals, null models grey."),
            &table,
        );
    }
    page.end_section();
    Ok(())
}

fn primary_value(s: &Summary<'_>) -> f64 {
    s.primary
        .map(|(_, e)| e.value)
        .filter(|v| v.is_finite())
        .unwrap_or(f64::NEG_INFINITY)
}

type PartKey<'a> = (&'a str, &'a str, &'a str);

/// Per (task, label, split) with test predictions: the model with the best leading metric on
/// the whole test part. Models scored on the whole part (their outcomes) come before those
/// whose predictions cover only some of it (the multiplicative null predicts no single
/// mutant), which are compared by their rows' Pearson only when no model was scored.
fn best_models<'a>(
    summaries: &[Summary<'_>],
    rows: &'a [TestRows],
) -> BTreeMap<PartKey<'a>, &'a str> {
    let mut best: BTreeMap<PartKey<'a>, (&'a str, (bool, f64))> = BTreeMap::new();
    for r in rows {
        let outcome = summaries.iter().find(|s| {
            (s.task, s.split.as_str(), s.label, s.model, s.subset)
                == (&r.task, &r.split, &r.label, &r.model, "all")
        });
        let value = match outcome {
            Some(s) => primary_value(s),
            None => {
                let (t, p) = measured_predicted(&r.rows);
                Some(pearson(&t, &p))
                    .filter(|v| v.is_finite())
                    .unwrap_or(f64::NEG_INFINITY)
            }
        };
        let rank = (outcome.is_some(), value);
        let entry = best
            .entry((&r.task, &r.label, &r.split))
            .or_insert((&r.model, rank));
        if rank > entry.1 {
            *entry = (&r.model, rank);
        }
    }
    best.into_iter().map(|(k, (m, _))| (k, m)).collect()
}

fn measured_predicted(rows: &[TestRow]) -> (Vec<f64>, Vec<f64>) {
    rows.iter().map(|r| (r.measured, r.predicted)).unzip()
}

/// Test predictions grouped by (task, label, split), values only (a call's 0/1 truth has no
/// scatter or residual to draw).
fn parts(rows: &[TestRows]) -> BTreeMap<PartKey<'_>, Vec<&TestRows>> {
    let mut parts: BTreeMap<PartKey<'_>, Vec<&TestRows>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| Judged::of(&r.label) == Judged::Value)
    {
        parts
            .entry((&r.task, &r.label, &r.split))
            .or_default()
            .push(r);
    }
    parts
}

fn predictions(
    page: &mut Page,
    rows: &[TestRows],
    summaries: &[Summary<'_>],
    best: &BTreeMap<PartKey<'_>, &str>,
) -> Result<(), Error> {
    page.section(
        "predictions",
        "Predicted against measured",
        "The best model of each task and split (by its leading test metric) against the \
         measurements, as a density; the table compares every model with test predictions.",
    );
    let parts = parts(rows);
    if parts.is_empty() {
        page.note("No test predictions (test_rows.tsv) in these runs.");
    }
    for ((task, label, split), models) in parts {
        let Some(&chosen) = best.get(&(task, label, split)) else {
            continue;
        };
        let Some(shown) = models.iter().find(|m| m.model == chosen) else {
            continue;
        };
        let mut table = Table::new(vec![
            "model",
            "n",
            "pearson [95 % CI]",
            "spearman",
            "mse",
            "drawn",
        ]);
        let mut ordered = models.clone();
        ordered.sort_by_key(|m| (is_null(&m.model), m.model.clone()));
        for m in ordered {
            let (t, p) = measured_predicted(&m.rows);
            let metrics = Metrics::compute(&t, &p);
            let interval = summaries
                .iter()
                .find(|s| {
                    (s.task, s.label, s.split.as_str(), s.model, s.subset)
                        == (task, label, split, &m.model, "all")
                })
                .and_then(|s| s.primary)
                .map_or_else(|| fixed(metrics.pearson, 3), |p| primary_cell(Some(p)));
            table.rows.push(vec![
                m.model.clone(),
                m.rows.len().to_string(),
                interval,
                fixed(metrics.spearman, 3),
                fixed(metrics.mse, 4),
                if m.model == chosen { "yes" } else { "" }.to_owned(),
            ]);
        }
        let points: Vec<(f64, f64)> = shown
            .rows
            .iter()
            .map(|r| (r.measured, r.predicted))
            .collect();
        let svg = figures::density(
            &format!("{task}, {split}: {chosen} (n = {})", points.len()),
            (&format!("measured {label}"), &format!("predicted {label}")),
            &points,
            48,
        )?;
        page.figure(
            "scatter",
            &svg,
            &format!("{chosen}, the best model on {task} ({label}) under {split}: predicted against measured test values (colour: log count per cell)."),
            &table,
        );
    }
    page.end_section();
    Ok(())
}

fn curves(page: &mut Page, curves: &[Curve]) -> Result<(), Error> {
    page.section(
        "learning",
        "Learning curves",
        "Training loss per epoch and, where the run kept a validation part, each label's \
         validation Pearson; the kept epoch is the one the test numbers come from.",
    );
    if curves.is_empty() {
        page.note("No training histories (metrics.json beside a model's card) in these runs.");
    }
    for curve in curves {
        let epoch = |e: usize| (e + 1) as f64;
        let mut series = vec![Series {
            name: "train loss".to_owned(),
            null: false,
        }];
        let mut points = vec![curve
            .train_loss
            .iter()
            .enumerate()
            .map(|(e, &l)| (epoch(e), l))
            .collect::<Vec<_>>()];
        for (label, v) in &curve.validation {
            series.push(Series {
                name: format!("{label} validation MSE"),
                null: false,
            });
            points.push(v.iter().map(|v| (epoch(v.epoch), v.mse)).collect());
        }
        let mut table = Table::new(vec![
            "epochs",
            "kept epoch",
            "last train loss",
            "label",
            "best validation pearson (epoch)",
        ]);
        let first_cells = || {
            vec![
                curve.train_loss.len().to_string(),
                curve
                    .kept_epoch
                    .map_or("last".to_owned(), |e| (e + 1).to_string()),
                fixed(curve.train_loss.last().copied().unwrap_or(f64::NAN), 4),
            ]
        };
        if curve.validation.is_empty() {
            let mut row = first_cells();
            row.extend(["—".to_owned(), "no validation part".to_owned()]);
            table.rows.push(row);
        }
        for (label, v) in &curve.validation {
            let best = v
                .iter()
                .filter(|v| v.pearson.is_finite())
                .max_by(|a, b| a.pearson.total_cmp(&b.pearson));
            let mut row = first_cells();
            row.push(label.clone());
            row.push(best.map_or("—".to_owned(), |v| {
                format!("{:.3} ({})", v.pearson, v.epoch + 1)
            }));
            table.rows.push(row);
        }
        let svg = figures::lines(
            &format!("{}: loss", curve.name),
            ("epoch", "loss / MSE"),
            &series,
            &points,
            (false, SeriesLabelPosition::UpperRight),
        )?;
        page.figure(
            "learning",
            &svg,
            &format!(
                "Training loss and validation MSE per epoch of {}.",
                curve.name
            ),
            &table,
        );
    }
    page.end_section();
    Ok(())
}

/// The `q`-quantile of sorted `v` (nearest rank).
fn quantile(v: &[f64], q: f64) -> f64 {
    match v.len() {
        0 => f64::NAN,
        n => v[((n - 1) as f64 * q).round() as usize],
    }
}

fn residuals(page: &mut Page, rows: &[TestRows]) -> Result<(), Error> {
    page.section(
        "residuals",
        "Residuals by genotype size",
        "Prediction minus measurement on the test part, by the number of genes perturbed: the \
         median as a dot, the interquartile range as the whisker.",
    );
    let parts = parts(rows);
    if parts.is_empty() {
        page.note("No test predictions (test_rows.tsv) in these runs.");
    }
    for ((task, label, split), models) in parts {
        let series = series_of(models.iter().map(|m| m.model.clone()));
        let mut by: BTreeMap<(&str, usize), Vec<f64>> = BTreeMap::new();
        for m in &models {
            let k = series
                .iter()
                .position(|s| s.name == m.model)
                .expect("every model is a series");
            for r in &m.rows {
                by.entry((size_class(r.genes), k))
                    .or_default()
                    .push(r.predicted - r.measured);
            }
        }
        let mut groups: Vec<&str> = by.keys().map(|(g, _)| *g).collect();
        groups.dedup();
        let mut values = Vec::new();
        let mut table = Table::new(vec![
            "size",
            "model",
            "n",
            "mean residual",
            "median [IQR]",
            "mean |residual|",
        ]);
        for ((group, k), mut residuals) in by {
            residuals.sort_by(f64::total_cmp);
            let n = residuals.len() as f64;
            let (q1, median, q3) = (
                quantile(&residuals, 0.25),
                quantile(&residuals, 0.5),
                quantile(&residuals, 0.75),
            );
            values.push(Ranged {
                group: groups.iter().position(|g| *g == group).unwrap_or(0),
                series: k,
                value: median,
                low: q1,
                high: q3,
            });
            table.rows.push(vec![
                group.to_owned(),
                series[k].name.clone(),
                residuals.len().to_string(),
                fixed(residuals.iter().sum::<f64>() / n, 4),
                format!("{} [{}, {}]", fixed(median, 4), fixed(q1, 4), fixed(q3, 4)),
                fixed(residuals.iter().map(|r| r.abs()).sum::<f64>() / n, 4),
            ]);
        }
        let groups: Vec<String> = groups.into_iter().map(str::to_owned).collect();
        let svg = figures::grouped(
            &format!("{task}, {split}: residuals"),
            &format!("predicted − measured {label}"),
            &groups,
            &series,
            &values,
            Mark::Dot,
        )?;
        page.figure(
            "residuals",
            &svg,
            &format!(
                "Residuals of every model on {task} ({label}) under {split}, by genotype size."
            ),
            &table,
        );
    }
    page.end_section();
    Ok(())
}

fn calibration(page: &mut Page, rows: &[TestRows]) -> Result<(), Error> {
    page.section(
        "calibration",
        "Calibration of the uncertainty",
        "For models with a spread (a forest's trees, an ensemble's seeds): the share of test \
         values inside the interval of ± z standard deviations against the share a normal \
         error would put there, and the coverage of the model's own central 90 % interval. \
         A calibrated spread lies on the diagonal.",
    );
    let mut parts: BTreeMap<PartKey<'_>, Vec<(&str, Vec<&TestRow>)>> = BTreeMap::new();
    for r in rows {
        let spread: Vec<&TestRow> = r.rows.iter().filter(|x| x.spread.is_some()).collect();
        if !spread.is_empty() {
            parts
                .entry((&r.task, &r.label, &r.split))
                .or_default()
                .push((&r.model, spread));
        }
    }
    if parts.is_empty() {
        page.note(
            "No model here gives a spread: forests and `ironcell ensemble` models do; a single \
             network or boosted model does not.",
        );
    }
    for ((task, label, split), models) in parts {
        let series = series_of(models.iter().map(|(m, _)| (*m).to_owned()));
        let mut points = vec![Vec::new(); series.len()];
        let mut table = Table::new(vec![
            "model",
            "n",
            "coverage of its 90 % interval",
            "mean 90 % width",
            "coverage at ±1.645 sd",
            "spread–error spearman",
        ]);
        for (model, spread) in &models {
            let k = series
                .iter()
                .position(|s| s.name == *model)
                .expect("every model is a series");
            let n = spread.len() as f64;
            let error = |r: &TestRow| (r.measured - r.predicted).abs();
            let inside = |z: f64| {
                spread
                    .iter()
                    .filter(|r| r.spread.is_some_and(|s| error(r) <= z * s.sd))
                    .count() as f64
                    / n
            };
            points[k] = LEVELS.iter().map(|&(p, z)| (p, inside(z))).collect();
            let own = spread
                .iter()
                .filter(|r| {
                    r.spread
                        .is_some_and(|s| s.low <= r.measured && r.measured <= s.high)
                })
                .count() as f64
                / n;
            let width = spread
                .iter()
                .filter_map(|r| r.spread.map(|s| s.high - s.low))
                .sum::<f64>()
                / n;
            let errors: Vec<f64> = spread.iter().map(|r| error(r)).collect();
            let sds: Vec<f64> = spread
                .iter()
                .filter_map(|r| r.spread.map(|s| s.sd))
                .collect();
            let rho = pearson(&ranks(&errors), &ranks(&sds));
            table.rows.push(vec![
                (*model).to_owned(),
                spread.len().to_string(),
                fixed(own, 3),
                fixed(width, 4),
                fixed(inside(1.6449), 3),
                fixed(rho, 3),
            ]);
        }
        let svg = figures::lines(
            &format!("{task}, {split}: calibration ({label})"),
            ("nominal coverage", "observed coverage"),
            &series,
            &points,
            (true, SeriesLabelPosition::UpperLeft),
        )?;
        page.figure(
            "calibration",
            &svg,
            &format!("Observed against nominal coverage of the spreads on {task} ({label}) under {split}."),
            &table,
        );
    }
    page.end_section();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        evaluate::Outcome,
        report::evidence::{RowSpread, Validated},
        score::Estimate,
    };

    fn outcome(split: &str, model: &str, pearson: f64) -> Outcome {
        Outcome {
            task: "dmf".into(),
            split: split.into(),
            held_out: None,
            seed: None,
            model: model.into(),
            engine: "ironcell".into(),
            label: "fitness".into(),
            subset: "all".into(),
            n_train: 100,
            n_test: 20,
            seconds: None,
            metrics: [(
                "pearson".to_owned(),
                Estimate {
                    value: pearson,
                    low: pearson - 0.1,
                    high: pearson + 0.1,
                },
            )]
            .into(),
        }
    }

    fn rows(split: &str, model: &str, noise: f64, spread: bool) -> TestRows {
        TestRows {
            task: "dmf".into(),
            split: split.into(),
            model: model.into(),
            label: "fitness".into(),
            rows: (0..40)
                .map(|k| {
                    let measured = k as f64 / 40.0;
                    let predicted = measured + noise * ((k * 7 % 11) as f64 - 5.0) / 5.0;
                    TestRow {
                        genes: 1 + k % 3,
                        measured,
                        predicted,
                        spread: spread.then_some(RowSpread {
                            sd: noise,
                            low: predicted - 1.6 * noise,
                            high: predicted + 1.6 * noise,
                        }),
                    }
                })
                .collect(),
        }
    }

    fn evidence() -> Evidence {
        let validated = |epoch: usize, mse: f64| Validated {
            epoch,
            mse,
            pearson: 0.5 + epoch as f64 * 0.1,
        };
        Evidence {
            outcomes: vec![
                outcome("random", "gbt", 0.7),
                outcome("random", "mean", f64::NAN),
                outcome("gene_disjoint_all", "gbt", 0.3),
                outcome("gene_disjoint_all", "multiplicative", 0.6),
            ],
            rows: vec![
                rows("random", "gbt", 0.05, true),
                rows("random", "mean", 0.3, false),
                rows("gene_disjoint_all", "gbt", 0.2, true),
                rows("gene_disjoint_all", "multiplicative", 0.1, false),
            ],
            curves: vec![Curve {
                name: "run/random".into(),
                train_loss: vec![0.05, 0.03],
                validation: [(
                    "fitness".to_owned(),
                    vec![validated(0, 0.055), validated(1, 0.033)],
                )]
                .into(),
                kept_epoch: Some(1),
            }],
        }
    }

    #[test]
    fn every_section_gets_its_figures_and_tables() {
        let page = html(&evidence(), "a <test> report", &["run".to_owned()]).unwrap();
        let count = |kind: &str| page.matches(&format!("data-figure=\"{kind}\"")).count();
        // One accuracy figure (one task and label), a scatter, residuals and calibration per
        // split, one learning curve.
        assert_eq!(
            [
                count("accuracy"),
                count("scatter"),
                count("learning"),
                count("residuals"),
                count("calibration")
            ],
            [1, 2, 1, 2, 2]
        );
        assert_eq!(
            page.matches("<figure").count(),
            page.matches("<svg").count()
        );
        assert_eq!(
            page.matches("<figure").count(),
            page.matches("<table>").count()
        );
        // The contents list links every figure; the title is escaped.
        for n in 1..=8 {
            assert!(page.contains(&format!("href=\"#figure-{n}\"")));
        }
        assert!(page.contains("a &lt;test&gt; report"));
        // The multiplicative null beats gbt with both genes unseen: its scatter is drawn.
        assert!(page
            .contains("multiplicative, the best model on dmf (fitness) under gene_disjoint_all"));
        assert!(page.contains("gbt, the best model on dmf (fitness) under random"));
        assert!(!page.contains("<script"), "the report runs no script");
    }

    #[test]
    fn calibration_table_counts_coverage() {
        let page = html(&evidence(), "t", &[]).unwrap();
        // Errors are at most one `noise` (= sd) away, so ±1.6 sd covers every test value.
        assert!(
            page.contains("<td>gbt</td><td>40</td><td>1.000</td>"),
            "{page}"
        );
    }

    #[test]
    fn an_empty_report_says_what_is_missing() {
        let page = html(&Evidence::default(), "t", &[]).unwrap();
        assert!(page.contains("No scored outcomes"));
        assert!(page.contains("No model here gives a spread"));
        assert!(!page.contains("<figure"));
    }

    #[test]
    fn nulls_are_recognised_with_a_run_suffix() {
        assert!(is_null("mean") && is_null("multiplicative · run-a"));
        assert!(!is_null("gbt") && !is_null("mean_field"));
    }
}
