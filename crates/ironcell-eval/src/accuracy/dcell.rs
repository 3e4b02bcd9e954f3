//! DCell in `bench accuracy`, trained on the task's [`TaskStore`] through the trainer as
//! `train --config` trains it: on a seeded sample of the training rows (its CPU time is the
//! slowest here; the outcome says how many it saw), early stopping on a tenth of them, the
//! best epoch's model predicting the test rows.

use std::time::Instant;

use ironcell_data::{ontology::DcellOntology, split::sample};
use ironcell_models::{dcell::DcellConfig, trainer::dcell::DcellLearner};

use super::{
    store::{early_stopping, TaskStore},
    tasks::Task,
    Result, Settings,
};

/// What one DCell fit gave.
pub struct Fitted {
    /// Predictions of the test rows.
    pub predictions: Vec<f64>,
    /// Wall time of training and prediction.
    pub seconds: f64,
    /// Rows trained on (the validation tenth excluded).
    pub trained_rows: usize,
    /// The epoch kept.
    pub kept_epoch: Option<usize>,
}

/// DCell over `ontology` trained on `train` of `task` and asked about `test`.
pub fn fit_predict(
    store: &TaskStore,
    task: &Task,
    ontology: &DcellOntology,
    (train, test): (&[usize], &[usize]),
    settings: &Settings,
    seed: u64,
) -> Result<Fitted> {
    let start = Instant::now();
    let sampled = sample(train, Some(settings.dcell_max_train), seed);
    let split = store.validation_split(&sampled, seed, false);
    let y: Vec<f64> = split.train.iter().map(|&i| task.rows[i].y).collect();
    let config = DcellConfig {
        seed,
        width_rule: settings.dcell_width,
        // An untrained DCell predicts the training mean.
        initial_output: y.iter().sum::<f64>() / y.len().max(1) as f64,
        ..DcellConfig::default()
    };
    let training = early_stopping(settings.dcell_epochs, seed);
    let mut learner = DcellLearner::new(
        ontology.clone(),
        config,
        vec![task.label.as_str().to_owned()],
        ontology.indices_of(&task.genes),
        &training.optimizer,
        None,
    );
    let (predictions, fitted) =
        store.fit_predict(&mut learner, "dcell", (&split, test), &training)?;
    Ok(Fitted {
        predictions,
        seconds: start.elapsed().as_secs_f64(),
        trained_rows: split.train.len(),
        kept_epoch: fitted.kept_epoch,
    })
}
