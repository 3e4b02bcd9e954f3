//! A task's rows as an instance store, so the benchmark's DCell and gene-set models train
//! through the trainer exactly as `train --config` trains them (seeded batches, early
//! stopping on a part of the training rows held out, the best epoch kept).

use std::path::PathBuf;

use ironcell_data::{
    instances::{InstanceWriter, Instances, LabelValue},
    split::Split,
};
use ironcell_models::trainer::{
    fit, world::Alone, EarlyStopping, Fit, Learner, Monitor, TrainingConfig,
};
use rand::{seq::SliceRandom, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{tasks::Task, Result};
use crate::Error;

/// The task's rows, written once into a temporary directory.
pub struct TaskStore {
    dir: tempfile::TempDir,
    /// The rows: gene indices and environments as the task numbers them, one label.
    pub instances: Instances,
}

impl TaskStore {
    /// Writes `task`'s rows.
    pub fn new(task: &Task) -> Result<Self> {
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
        Ok(Self {
            instances: Instances::open(&path)?,
            dir,
        })
    }

    fn checkpoints(&self, name: &str, seed: u64) -> PathBuf {
        self.dir.path().join(format!("{name}-{seed}"))
    }

    /// Trains `learner` (`name`, for its checkpoints) on `split` with `training`, then
    /// predicts the `test` rows, in their environments, with the model it kept.
    pub fn fit_predict(
        &self,
        learner: &mut dyn Learner,
        name: &str,
        (split, test): (&Split, &[usize]),
        training: &TrainingConfig,
    ) -> Result<(Vec<f64>, Fit)> {
        let checkpoints = self.checkpoints(name, training.seed);
        let fitted = fit(
            learner,
            &self.instances,
            split,
            training,
            &checkpoints,
            false,
            &Alone,
            &mut (),
        )?;
        let genotypes: Vec<&[u32]> = test.iter().map(|&i| self.instances.genes(i)).collect();
        let environments: Vec<u16> = test.iter().map(|&i| self.instances.source(i).1).collect();
        let predictions = learner.predict_in(&genotypes, &environments);
        std::fs::remove_dir_all(&checkpoints).ok();
        Ok((predictions, fitted))
    }

    /// `train` less what validates: a seeded tenth of its rows, or with `by_genes` the rows
    /// that touch a seeded tenth of its genes (early stopping then picks the epoch that does
    /// best on genes it has not trained on, as a gene-disjoint test asks).
    pub fn validation_split(&self, train: &[usize], seed: u64, by_genes: bool) -> Split {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        let (train, validation) = if by_genes {
            let mut genes: Vec<u32> = train
                .iter()
                .flat_map(|&i| self.instances.genes(i).iter().copied())
                .collect();
            genes.sort_unstable();
            genes.dedup();
            genes.shuffle(&mut rng);
            let held: std::collections::HashSet<u32> = genes
                .iter()
                .take(genes.len().div_ceil(10))
                .copied()
                .collect();
            let (validation, rows): (Vec<usize>, Vec<usize>) = train
                .iter()
                .partition(|&&i| self.instances.genes(i).iter().any(|g| held.contains(g)));
            (rows, validation)
        } else {
            let mut rows = train.to_vec();
            rows.shuffle(&mut rng);
            let validation =
                rows.split_off(rows.len() - rows.len().div_ceil(10).min(rows.len() - 1));
            (rows, validation)
        };
        Split {
            train,
            validation,
            test: Vec::new(),
            dropped: 0,
        }
    }
}

/// At most `epochs` epochs, stopping once validation Pearson has not improved for 5; the best
/// epoch's model is kept.
pub fn early_stopping(epochs: usize, seed: u64) -> TrainingConfig {
    TrainingConfig {
        epochs,
        seed,
        early_stopping: Some(EarlyStopping {
            metric: Monitor::Pearson,
            patience: 5,
            label: None,
        }),
        ..TrainingConfig::default()
    }
}
