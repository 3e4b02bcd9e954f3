//! Figures.

use std::path::Path;

use anyhow::{anyhow, Result};
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Predicted-against-true scatter with the identity line.
pub fn scatter(path: &Path, title: &str, truth: &[f64], prediction: &[f64]) -> Result<()> {
    // Registering twice is harmless: the first registration is kept.
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow!("bundled font is invalid"))?;
    let lo = truth
        .iter()
        .chain(prediction)
        .copied()
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let hi = truth
        .iter()
        .chain(prediction)
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .max(1.2);
    let root = BitMapBackend::new(path, (720, 720)).into_drawing_area();
    let draw = || -> Result<(), Box<dyn std::error::Error + '_>> {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(lo..hi, lo..hi)?;
        chart
            .configure_mesh()
            .x_desc("measured fitness")
            .y_desc("predicted fitness")
            .draw()?;
        chart.draw_series(
            truth
                .iter()
                .zip(prediction)
                .map(|(&t, &p)| Circle::new((t, p), 2, BLUE.mix(0.35).filled())),
        )?;
        chart.draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.6)))?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| anyhow!("drawing {}: {e}", path.display()))
}
