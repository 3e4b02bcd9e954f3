//! The gene-set models in `bench accuracy`: the task's rows written once as an instance store,
//! so the models train through the trainer exactly as `train --config` trains them (seeded
//! batches, early stopping on a tenth of the training rows, the best epoch kept); the test
//! rows are predicted by the kept model.

use std::{collections::BTreeMap, sync::Arc, time::Instant};

use ironcell_data::{
    instances::{InstanceWriter, Instances, LabelValue},
    split::Split,
};
use ironcell_models::{
    deep::{GeneSetConfig, GeneSetLearner, GeneTable, Head, Objective, Setup, Singles},
    trainer::{fit, EarlyStopping, Learner, Monitor, TrainingConfig},
    CpuAutodiff,
};
use ironcell_sources::reference::Reference;
use rand::{seq::SliceRandom, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{tasks::Task, AccuracyTask, Result};
use crate::Error;

/// A task ready for the gene-set models.
pub struct Deep {
    dir: tempfile::TempDir,
    instances: Instances,
    table: Arc<GeneTable>,
    features: Vec<String>,
    singles: Singles,
    compose: Vec<String>,
}

impl Deep {
    /// The task's rows as an instance store, and the genome table over `features` (each
    /// gene's single-mutant fitness appended where the task gives it as an input).
    pub fn new(
        task: &Task,
        reference: &Reference,
        features: Vec<String>,
        graphs: &[std::path::PathBuf],
    ) -> Result<Self> {
        let dir = tempfile::tempdir()
            .map_err(|e| Error::Input(format!("a temporary instance store: {e}")))?;
        let label = task.label.as_str().to_owned();
        let path = dir.path().join("instances.arrow");
        let mut writer = InstanceWriter::create(&path, std::slice::from_ref(&label))?;
        for row in &task.rows {
            let genes: Vec<u32> = row.genes.iter().map(|&g| g as u32).collect();
            let value = LabelValue {
                value: row.y as f32,
                ..LabelValue::MISSING
            };
            writer.push(&genes, 0, row.environment as u16, &[value])?;
        }
        writer.finish()?;
        let instances = Instances::open(&path)?;
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
            dir,
            instances,
            table: Arc::new(table),
            features,
            singles,
            compose,
        })
    }

    /// `train` less the rows that touch a seeded tenth of its genes, which validate: early
    /// stopping then picks the epoch that does best on genes it has not trained on, as a
    /// gene-disjoint test asks.
    fn validate_on_genes(&self, train: &[usize], seed: u64) -> Split {
        let mut genes: Vec<u32> = train
            .iter()
            .flat_map(|&i| self.instances.genes(i).iter().copied())
            .collect();
        genes.sort_unstable();
        genes.dedup();
        genes.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x5eed));
        let held: std::collections::HashSet<u32> = genes
            .iter()
            .take(genes.len().div_ceil(10))
            .copied()
            .collect();
        let (validation, rows): (Vec<usize>, Vec<usize>) = train
            .iter()
            .partition(|&&i| self.instances.genes(i).iter().any(|g| held.contains(g)));
        Split {
            train: rows,
            validation,
            test: Vec::new(),
            dropped: 0,
        }
    }

    /// Trains `head` with `objective` on `train` and predicts `test`: the predictions,
    /// seconds, and the epoch kept. Early stopping watches a tenth of the training rows, or
    /// with `by_genes` the rows of a tenth of the training genes, held out of training.
    #[allow(clippy::too_many_arguments)]
    pub fn fit_predict(
        &self,
        task: &Task,
        head: Head,
        objective: Objective,
        (train, test): (&[usize], &[usize]),
        by_genes: bool,
        seed: u64,
        epochs: usize,
    ) -> Result<(Vec<f64>, f64, Option<usize>)> {
        let start = Instant::now();
        let split = if by_genes {
            self.validate_on_genes(train, seed)
        } else {
            let mut rows = train.to_vec();
            rows.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x5eed));
            let validation =
                rows.split_off(rows.len() - rows.len().div_ceil(10).min(rows.len() - 1));
            Split {
                train: rows,
                validation,
                test: Vec::new(),
                dropped: 0,
            }
        };
        let config = GeneSetConfig {
            features: self.features.clone(),
            head,
            objective,
            compose: self.compose.clone(),
            ..GeneSetConfig::default()
        };
        let training = TrainingConfig {
            epochs,
            seed,
            early_stopping: Some(EarlyStopping {
                metric: Monitor::Pearson,
                patience: 5,
                label: None,
            }),
            ..TrainingConfig::default()
        };
        let mut learner = GeneSetLearner::<CpuAutodiff>::new(
            Setup {
                config: &config,
                table: self.table.clone(),
                genes: &task.genes,
                instances: &self.instances,
                train: &split.train,
                environments: task.environments.len(),
                singles: &self.singles,
                optimizer: &training.optimizer,
                clip: None,
                seed,
            },
            Default::default(),
        )
        .map_err(Error::Input)?;
        let checkpoints = self.dir.path().join(format!("run-{seed}"));
        let fitted = fit(
            &mut learner,
            &self.instances,
            &split,
            &training,
            &checkpoints,
            false,
            &mut (),
        )?;
        let genotypes: Vec<&[u32]> = test.iter().map(|&i| self.instances.genes(i)).collect();
        let environments: Vec<u16> = test.iter().map(|&i| self.instances.source(i).1).collect();
        let p = learner.predict_in(&genotypes, &environments);
        std::fs::remove_dir_all(&checkpoints).ok();
        Ok((p, start.elapsed().as_secs_f64(), fitted.kept_epoch))
    }
}
