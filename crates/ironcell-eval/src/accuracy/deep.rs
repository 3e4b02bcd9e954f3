//! The gene-set models in `bench accuracy`, trained on the task's [`TaskStore`] through the
//! trainer as `train --config` trains them; the test rows are predicted by the kept model.

use std::{collections::BTreeMap, path::PathBuf, sync::Arc, time::Instant};

use ironcell_models::{
    deep::{GeneSetConfig, GeneSetLearner, GeneTable, Head, Objective, Setup, Singles},
    CpuAutodiff,
};
use ironcell_sources::reference::Reference;

use super::{
    store::{early_stopping, TaskStore},
    tasks::Task,
    AccuracyTask, Result,
};
use crate::Error;

/// A task ready for the gene-set models.
pub struct Deep<'r> {
    reference: &'r Reference,
    table: Arc<GeneTable>,
    features: Vec<String>,
    singles: Singles,
    compose: Vec<String>,
    neighbour_labels: Vec<PathBuf>,
}

impl<'r> Deep<'r> {
    /// The genome table over `features` (each gene's single-mutant fitness appended where the
    /// task gives it as an input); the models read neighbour labels along `neighbour_labels`.
    pub fn new(
        task: &Task,
        reference: &'r Reference,
        features: Vec<String>,
        graphs: &[PathBuf],
        neighbour_labels: Vec<PathBuf>,
    ) -> Result<Self> {
        let label = task.label.as_str().to_owned();
        let mut table = GeneTable::build(reference, &task.genes, &features, graphs)
            .map_err(|e| Error::Input(format!("the gene-set models' gene table: {e}")))?;
        let smf: BTreeMap<_, _> = task
            .genes
            .iter()
            .zip(&task.smf)
            .filter_map(|(g, f)| Some((g.clone(), (*f)?)))
            .collect();
        let growth = matches!(
            task.name,
            AccuracyTask::Epsilon | AccuracyTask::Upr | AccuracyTask::Dmf
        );
        if growth {
            let values: Vec<Option<f64>> =
                table.genes.iter().map(|g| smf.get(g).copied()).collect();
            table = table.with_measurement(&values);
        }
        // Double-mutant fitness: Π of the measured single mutants plus the learned interaction,
        // the multiplicative null model's own inputs.
        let (singles, compose) = if task.name == AccuracyTask::Dmf {
            ([(label.clone(), smf)].into(), vec![label])
        } else {
            (Singles::new(), Vec::new())
        };
        Ok(Self {
            reference,
            table: Arc::new(table),
            features,
            singles,
            compose,
            neighbour_labels,
        })
    }

    /// Trains `head` with `objective` on `train` and predicts `test`: the predictions,
    /// seconds, and the epoch kept. Early stopping watches a tenth of the training rows, or
    /// with `by_genes` the rows of a tenth of the training genes, held out of training.
    #[allow(clippy::too_many_arguments)]
    pub fn fit_predict(
        &self,
        store: &TaskStore,
        task: &Task,
        head: Head,
        objective: Objective,
        (train, test): (&[usize], &[usize]),
        by_genes: bool,
        seed: u64,
        epochs: usize,
    ) -> Result<(Vec<f64>, f64, Option<usize>)> {
        let start = Instant::now();
        let split = store.validation_split(train, seed, by_genes);
        let config = GeneSetConfig {
            features: self.features.clone(),
            head,
            objective,
            compose: self.compose.clone(),
            neighbour_labels: self.neighbour_labels.clone(),
            ..GeneSetConfig::default()
        };
        let training = early_stopping(epochs, seed);
        let mut learner = GeneSetLearner::<CpuAutodiff>::new(
            Setup {
                config: &config,
                table: self.table.clone(),
                genes: &task.genes,
                instances: &store.instances,
                train: &split.train,
                environments: task.environments.len(),
                singles: &self.singles,
                optimizer: &training.optimizer,
                clip: None,
                seed,
                reference: Some(self.reference),
            },
            Default::default(),
        )
        .map_err(Error::Input)?;
        let (p, fitted) = store.fit_predict(&mut learner, "gene-set", (&split, test), &training)?;
        Ok((p, start.elapsed().as_secs_f64(), fitted.kept_epoch))
    }
}
