//! Conformal calibration of a saved model's intervals on the validation part of the split it
//! was trained on (the model's own test part stays untouched for `evaluate`).

use ironcell_data::split::SplitName;
use ironcell_models::predictor::{
    conformal::{Calibration, Scale},
    Genotypes, Predictor,
};

use crate::{dataset::Dataset, Error};

/// A calibration and how the model's own intervals did on the same genotypes.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibrated {
    /// What `conformal.json` holds.
    pub calibration: Calibration,
    /// Per label: the share of calibration genotypes inside the model's own 90 % interval
    /// (`None` for a model without a spread).
    pub raw_coverage: Vec<Option<f64>>,
}

/// Calibrates `model` (uncalibrated: its members' spread, or none) to coverage `level` on
/// the validation part of `split` of `dataset`. Refuses a model fitted on that part too
/// (`train` fits feature models on training and validation merged): its errors there would
/// be training errors, and its intervals too narrow.
pub fn calibrate(
    model: &dyn Predictor,
    dataset: &Dataset,
    split: SplitName,
    level: f64,
) -> Result<Calibrated, Error> {
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::Input(format!(
            "coverage level {level}: expected a share between 0 and 1"
        )));
    }
    let card = model.card();
    let part = dataset.split(split)?;
    if card.trained_rows > part.train.len() {
        return Err(Error::Input(format!(
            "the {} model was fitted on {} genotypes, more than the {} of {split}'s training part: \
             its validation part was fitted on too, so it cannot calibrate it (`train` fits feature \
             models on training and validation merged; `baseline` fits on the training part)",
            card.kind,
            card.trained_rows,
            part.train.len()
        )));
    }
    let rows = &part.validation;
    let (manifest, instances) = (&dataset.manifest, &dataset.instances);
    let environments = manifest.environment_names();
    let genotypes = Genotypes::new(&manifest.genes, rows.iter().map(|&i| instances.genes(i)))
        .in_environments(
            &environments,
            rows.iter().map(|&i| instances.source(i).1).collect(),
        );
    let (predictions, spread) = model.predict_with_spread(&genotypes)?;
    let (mut scales, mut n, mut raw_coverage) = (Vec::new(), Vec::new(), Vec::new());
    for (column, label) in card.labels.iter().enumerate() {
        let l = manifest
            .labels
            .iter()
            .position(|m| m == label)
            .ok_or_else(|| {
                Error::Input(format!("the dataset has no label {label:?} to calibrate"))
            })?;
        let truth: Vec<f64> = rows
            .iter()
            .map(|&i| f64::from(instances.label(l, i).value))
            .collect();
        let predicted: Vec<f64> = predictions.column(column).collect();
        let sd: Option<Vec<f64>> = spread.as_ref().map(|s| s.sd.column(column).collect());
        let scale = Calibration::scale(&truth, &predicted, sd.as_deref(), level).ok_or_else(|| {
            Error::Input(format!(
                "{split}'s validation part has too few genotypes with {label} to calibrate at {level}"
            ))
        })?;
        let measured =
            (0..rows.len()).filter(|&k| truth[k].is_finite() && predicted[k].is_finite());
        n.push(measured.clone().count());
        raw_coverage.push(spread.as_ref().map(|s| {
            let inside = measured
                .clone()
                .filter(|&k| {
                    let (lo, hi) = (s.low.row(k)[column], s.high.row(k)[column]);
                    lo <= truth[k] && truth[k] <= hi
                })
                .count();
            inside as f64 / measured.clone().count().max(1) as f64
        }));
        scales.push(scale);
    }
    Ok(Calibrated {
        calibration: Calibration {
            level,
            on: format!("{split} validation"),
            n,
            scales,
        },
        raw_coverage,
    })
}

/// A scale in words, for the command's table.
pub fn describe(scale: &Scale) -> String {
    match scale {
        Scale::Normalised { q, .. } => format!("prediction ± {q:.3} × its sd"),
        Scale::Absolute { q } => format!("prediction ± {q:.4}"),
    }
}
