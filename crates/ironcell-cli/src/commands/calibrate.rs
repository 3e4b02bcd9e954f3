//! `ironcell calibrate`: a saved model's conformal calibration, by
//! `ironcell_eval::calibrate`, written beside its card.

use anyhow::{bail, Context, Result};
use ironcell_eval::{
    calibrate::{calibrate, describe},
    dataset::Dataset,
};
use ironcell_models::predictor::{conformal::CALIBRATION, load_uncalibrated, ModelCard};

use crate::args::CalibrateArgs;

pub fn run(args: &CalibrateArgs) -> Result<()> {
    let dir = &args.model.model;
    let card = ModelCard::read(dir)?;
    let Some(split) = card.split else {
        bail!(
            "{}: fitted on every row, it has no held-out part to calibrate on; calibrate the \
             model of a split",
            dir.display()
        );
    };
    let dataset = Dataset::of_model(&card, dir, args.dataset.as_deref())?;
    // The reference the model was trained with, as every command opens a model; the model
    // without its calibration, whose own spread is what gets rescaled.
    let reference = args.model.reference_of(&card)?;
    let model = load_uncalibrated(dir, Some(&reference))?;
    let calibrated = calibrate(model.as_ref(), &dataset, split, args.level)?;
    calibrated
        .calibration
        .write(dir)
        .with_context(|| format!("writing {}", dir.join(CALIBRATION).display()))?;
    println!(
        "{} calibrated to {:.0} % coverage on {}:",
        card.kind,
        args.level * 100.0,
        calibrated.calibration.on
    );
    for (((label, scale), n), raw) in card
        .labels
        .iter()
        .zip(&calibrated.calibration.scales)
        .zip(&calibrated.calibration.n)
        .zip(&calibrated.raw_coverage)
    {
        let raw = raw.map_or("no interval of its own".to_owned(), |c| {
            format!("its own 90 % interval covered {:.1} %", c * 100.0)
        });
        println!("  {label}: {} (n = {n}; {raw})", describe(scale));
    }
    println!(
        "written {}: predict, design, evaluate and report now use these intervals",
        dir.join(CALIBRATION).display()
    );
    Ok(())
}
