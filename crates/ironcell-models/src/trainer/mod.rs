//! The trainer, in the spirit of burn-train's learner: the model supplies a training step and
//! its predictions ([`Learner`]); the trainer owns the loop: seeded mini-batches from the
//! instance store, the learning-rate schedule, a validation pass each epoch, early stopping,
//! checkpoints of the last and the best epoch, and exact resume.
//!
//! Exact resume: an epoch's batches depend only on the seed and the epoch number, the learner's
//! step is deterministic, and a checkpoint (written each epoch, renamed into place) holds every
//! bit of state the next epoch reads: parameters, batch-norm statistics, optimiser moments,
//! the schedule and the early-stopping counters. So training resumed from the last checkpoint
//! after a `kill -9` ends with the same weights, bit for bit, as a run never interrupted.
//!
//! Data-parallel: with a [`world::Collective`] of several ranks (processes started by `mpirun`
//! or `srun`), every rank reads its shard of each global batch, the learner averages its
//! gradient with the other ranks' before its optimiser steps (so every rank holds the same
//! weights), and only rank 0 writes checkpoints and files. A world of one is the plain loop.

mod checkpoint;
pub mod dcell;
mod run;
pub mod schedule;
pub mod world;

pub use run::{run, DataConfig, DcellParams, FeatureModelConfig, ModelConfig, RunConfig, Trained};

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Instant,
};

use ironcell_data::{
    instances::{BatchPlan, Instances, MiniBatch},
    split::Split,
};
use serde::{Deserialize, Serialize};

use crate::{codec, metrics::Metrics, optim::OptimizerConfig};
use schedule::{Schedule, ScheduleConfig};
use world::Collective;

/// A model the trainer fits. It owns its parameters and its optimiser.
pub trait Learner {
    /// The labels it predicts, in column order (the dataset's label columns).
    fn labels(&self) -> &[String];

    /// One optimisation step on `batch` (genes as the dataset's gene indices, labels row-major,
    /// NaN where missing) at `learning_rate`; the batch's training loss. In a `world` of
    /// several ranks, `batch` is this rank's shard of the global batch and the step averages
    /// its gradient across the world ([`world::average_gradient`]) before the optimiser uses
    /// it (and clips the averaged gradient), so every rank takes the same step; every rank
    /// calls it for every global batch, even with nothing to learn from in its shard.
    fn train_step(&mut self, batch: &MiniBatch, learning_rate: f64, world: &dyn Collective) -> f64;

    /// Predictions `[genotypes, labels]` for genotypes of the dataset's gene indices.
    fn predict(&self, genotypes: &[&[u32]]) -> Vec<f64>;

    /// The same, each genotype in an environment (an index into the dataset's environments,
    /// as [`MiniBatch::environments`]); a learner without an environment input ignores them.
    fn predict_in(&self, genotypes: &[&[u32]], environments: &[u16]) -> Vec<f64> {
        let _ = environments;
        self.predict(genotypes)
    }

    /// Appends every bit of state a resumed run needs.
    fn save_state(&self, out: &mut Vec<u8>);

    /// Every learned number (parameters and running statistics) in a fixed order: what the
    /// ranks of a world must agree on. Unlike [`Self::save_state`], free of anything a
    /// process draws for itself (burn's parameter ids).
    fn weights(&self) -> Vec<f32>;

    /// Reads back what [`Self::save_state`] wrote.
    fn restore_state(&mut self, input: &mut &[u8]) -> Result<(), codec::Error>;
}

/// What the validation pass watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monitor {
    /// Mean squared error (lower is better).
    Mse,
    /// Pearson correlation (higher is better).
    Pearson,
}

/// Stop when the monitored validation metric has not improved for `patience` epochs; the
/// model kept is the best epoch's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlyStopping {
    /// The metric.
    #[serde(default = "mse")]
    pub metric: Monitor,
    /// Epochs without improvement before stopping.
    #[serde(default = "five")]
    pub patience: usize,
    /// The label watched (default: the first).
    #[serde(default)]
    pub label: Option<String>,
}

fn mse() -> Monitor {
    Monitor::Mse
}
fn five() -> usize {
    5
}

/// How to train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    /// Passes over the training part at most.
    #[serde(default = "ten")]
    pub epochs: usize,
    /// Genotypes per step.
    #[serde(default = "batch_size")]
    pub batch_size: usize,
    /// Seed of the weights and the batch order.
    #[serde(default)]
    pub seed: u64,
    /// The optimiser.
    #[serde(default)]
    pub optimizer: OptimizerConfig,
    /// The learning-rate schedule.
    #[serde(default)]
    pub schedule: ScheduleConfig,
    /// Early stopping on the validation part, if any.
    #[serde(default)]
    pub early_stopping: Option<EarlyStopping>,
    /// Gradients scaled down to this L2 norm at most.
    #[serde(default)]
    pub gradient_clip: Option<f64>,
    /// Models per split for DCell and the gene-set models ([`DEFAULT_ENSEMBLE`] when unset):
    /// trained from seeds `seed`, `seed + 1`, … into `SPLIT/seed-S/` and joined in `SPLIT/`
    /// as one ensemble, whose mean predicts and whose members' disagreement is each
    /// prediction's spread. 1 trains a single model in `SPLIT/`. Feature models have their own
    /// spread (the forest's trees, gbt's `bags`) and take only 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<usize>,
    /// Worker threads of the run (rayon's pool, which the kernels and tree models share);
    /// every core when unset. Applied by the program before training starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
}

/// Members of a DCell or gene-set run's ensembles when the run does not say: enough seeds for
/// a spread that ranks errors, few enough that training costs five models, not fifty.
pub const DEFAULT_ENSEMBLE: usize = 5;

fn ten() -> usize {
    10
}
fn batch_size() -> usize {
    256
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            epochs: ten(),
            batch_size: batch_size(),
            seed: 0,
            optimizer: OptimizerConfig::default(),
            schedule: ScheduleConfig::default(),
            early_stopping: None,
            gradient_clip: None,
            ensemble: None,
            threads: None,
        }
    }
}

/// One label's validation numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// Mean squared error.
    #[serde(deserialize_with = "nan_from_null")]
    pub mse: f64,
    /// Pearson correlation (NaN for a constant prediction).
    #[serde(deserialize_with = "nan_from_null")]
    pub pearson: f64,
    /// Genotypes with a value.
    pub n: usize,
}

/// One epoch, as the run's metrics files record it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 0-based.
    pub epoch: usize,
    /// The rate the epoch started with.
    pub learning_rate: f64,
    /// Mean training loss over its steps.
    #[serde(deserialize_with = "nan_from_null")]
    pub train_loss: f64,
    /// Per label, on the validation part (empty without one).
    pub validation: BTreeMap<String, Validation>,
    /// The monitored value, higher is better (−MSE for MSE).
    pub monitored: Option<f64>,
    /// Whether it is the best epoch so far.
    pub best: bool,
    /// Wall time.
    pub seconds: f64,
}

/// JSON writes a NaN as `null`; it reads back as NaN.
fn nan_from_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Option::<f64>::deserialize(d).map(|v| v.unwrap_or(f64::NAN))
}

/// What the trainer keeps between epochs, in every checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct State {
    epochs_done: usize,
    schedule: Schedule,
    best: Option<(usize, f64)>,
    history: Vec<EpochRecord>,
    stopped_early: bool,
    /// The ranks that trained (a run resumes with as many: each epoch's shards depend on it).
    #[serde(default = "one")]
    world: usize,
}

fn one() -> usize {
    1
}

/// How training went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// Every epoch.
    pub history: Vec<EpochRecord>,
    /// The epoch whose weights were kept (early stopping), else the last.
    pub kept_epoch: Option<usize>,
    /// Whether early stopping ended it.
    pub stopped_early: bool,
}

/// Sees training as it goes (progress bars).
pub trait Observer {
    /// Training of `what` starts: at most `epochs` epochs of `steps` steps.
    fn start(&mut self, what: &str, epochs: usize, steps: usize) {
        let _ = (what, epochs, steps);
    }

    /// A step of `epoch` ended with `loss`.
    fn step(&mut self, epoch: usize, loss: f64);
    /// An epoch ended.
    fn epoch(&mut self, record: &EpochRecord);
}

/// An observer that ignores everything.
impl Observer for () {
    fn step(&mut self, _: usize, _: f64) {}
    fn epoch(&mut self, _: &EpochRecord) {}
}

/// Why training failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file of the run.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The configuration cannot be trained.
    #[error("{0}")]
    Config(String),
}

impl Error {
    pub(crate) fn file(path: &Path, message: impl std::fmt::Display) -> Self {
        Self::File {
            path: path.to_owned(),
            message: message.to_string(),
        }
    }
}

/// The checkpoint of the last epoch in `dir`.
pub fn last_checkpoint(dir: &Path) -> PathBuf {
    dir.join("checkpoints").join("last.ckpt")
}

fn best_checkpoint(dir: &Path) -> PathBuf {
    dir.join("checkpoints").join("best.ckpt")
}

/// Trains `learner` on the training part of `split` of `instances`, validating on its
/// validation part, checkpointing into `dir/checkpoints/`; with `resume`, continues from the
/// last checkpoint there. With early stopping the learner ends with the best epoch's state.
///
/// In a `world` of several ranks every rank calls it with the same arguments (`dir` on a file
/// system they share): each trains on its shard of every batch, all validate the same weights
/// (so they stop together), and rank 0 alone writes the checkpoints.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    learner: &mut dyn Learner,
    instances: &Instances,
    split: &Split,
    config: &TrainingConfig,
    dir: &Path,
    resume: bool,
    world: &dyn Collective,
    observer: &mut dyn Observer,
) -> Result<Fit, Error> {
    let checkpoints = dir.join("checkpoints");
    if world.is_root() {
        std::fs::create_dir_all(&checkpoints).map_err(|e| Error::file(&checkpoints, e))?;
    }
    let last = last_checkpoint(dir);
    let mut state = if resume && last.is_file() {
        let (state, bytes): (State, Vec<u8>) = checkpoint::read(&last)?;
        if state.world != world.size() {
            return Err(Error::Config(format!(
                "{}: written by a world of {} ranks, resumed with {}: resume with as many \
                 (each epoch's shards depend on it)",
                last.display(),
                state.world,
                world.size()
            )));
        }
        learner
            .restore_state(&mut bytes.as_slice())
            .map_err(|e| Error::file(&last, e))?;
        state
    } else {
        State {
            epochs_done: 0,
            schedule: Schedule::new(config.schedule, config.optimizer.learning_rate()),
            best: None,
            history: Vec::new(),
            stopped_early: false,
            world: world.size(),
        }
    };
    // The best epoch's state when this process trained it: the ranks other than 0 never wait
    // for rank 0's file.
    let mut best_state: Option<Vec<u8>> = None;
    let watched = match &config.early_stopping {
        Some(EarlyStopping {
            label: Some(label), ..
        }) => learner
            .labels()
            .iter()
            .position(|l| l == label)
            .ok_or_else(|| {
                Error::Config(format!(
                    "early stopping watches {label:?}, which the model does not predict ({:?})",
                    learner.labels()
                ))
            })?,
        _ => 0,
    };
    if config.early_stopping.is_some() && split.validation.is_empty() {
        return Err(Error::Config(
            "early stopping needs a validation part; the split has none".to_owned(),
        ));
    }
    let train: Vec<u32> = split.train.iter().map(|&i| i as u32).collect();
    let batch_size = config.batch_size.max(1);
    let steps = train.len().div_ceil(batch_size).max(1) as f64;
    while state.epochs_done < config.epochs && !state.stopped_early {
        let epoch = state.epochs_done;
        let started = Instant::now();
        let plan = BatchPlan {
            batch_size: config.batch_size,
            shuffle: true,
            seed: config.seed,
            epoch,
            rank: world.rank(),
            world: world.size(),
        };
        let learning_rate = state.schedule.learning_rate(epoch as f64);
        let (mut total, mut n) = (0.0, 0usize);
        for (k, batch) in instances.batches(&train, plan).enumerate() {
            // Batch norm has no variance in a batch of one: a global batch is skipped when
            // its smallest shard would hold fewer than two (every rank decides alike).
            let global = (train.len() - k * batch_size).min(batch_size);
            if global / world.size() < 2 {
                continue;
            }
            let rate = state
                .schedule
                .learning_rate(epoch as f64 + k as f64 / steps);
            let loss = learner.train_step(&batch, rate, world);
            observer.step(epoch, loss);
            total += loss;
            n += 1;
        }
        // The epoch's loss over every rank's steps.
        let mut sums = [total, n as f64];
        world.sum_f64(&mut sums);
        let train_loss = sums[0] / sums[1].max(1.0);
        let validation = validate(learner, instances, &split.validation);
        let monitored = config.early_stopping.as_ref().and_then(|e| {
            let label = learner.labels().get(watched)?;
            let v = validation.get(label)?;
            let value = match e.metric {
                Monitor::Mse => -v.mse,
                Monitor::Pearson => v.pearson,
            };
            value.is_finite().then_some(value)
        });
        state.schedule.end_epoch(monitored);
        let improved = monitored.is_some_and(|m| state.best.is_none_or(|(_, b)| m > b));
        let mut bytes = Vec::new();
        learner.save_state(&mut bytes);
        if improved {
            state.best = monitored.map(|m| (epoch, m));
            best_state = Some(bytes.clone());
        }
        if let (Some(e), Some((best, _))) = (&config.early_stopping, state.best) {
            state.stopped_early = epoch - best >= e.patience;
        }
        let record = EpochRecord {
            epoch,
            learning_rate,
            train_loss,
            validation,
            monitored,
            best: improved,
            seconds: started.elapsed().as_secs_f64(),
        };
        observer.epoch(&record);
        state.history.push(record);
        state.epochs_done = epoch + 1;
        if world.is_root() {
            if improved {
                checkpoint::write(&best_checkpoint(dir), &state, &bytes)?;
            }
            checkpoint::write(&last, &state, &bytes)?;
        }
    }
    if world.size() > 1 {
        let bytes: Vec<u8> = learner
            .weights()
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        if !world::agree(world, &bytes) {
            return Err(Error::Config(format!(
                "rank {} of {} ended training with weights that differ from another rank's",
                world.rank(),
                world.size()
            )));
        }
    }
    let kept_epoch = match (&config.early_stopping, state.best) {
        (Some(_), Some((epoch, _))) => {
            let best = best_checkpoint(dir);
            let bytes = match best_state {
                Some(bytes) => bytes,
                // Trained before a resume: rank 0 wrote it then.
                None => checkpoint::read::<State>(&best)?.1,
            };
            learner
                .restore_state(&mut bytes.as_slice())
                .map_err(|e| Error::file(&best, e))?;
            Some(epoch)
        }
        _ => state.epochs_done.checked_sub(1),
    };
    Ok(Fit {
        history: state.history,
        kept_epoch,
        stopped_early: state.stopped_early,
    })
}

/// Genotypes per prediction call of a validation pass.
const PREDICT_BATCH: usize = 4096;

/// Each label's MSE and Pearson over the `rows` with a value.
fn validate(
    learner: &dyn Learner,
    instances: &Instances,
    rows: &[usize],
) -> BTreeMap<String, Validation> {
    let labels = learner.labels();
    let mut predicted = Vec::with_capacity(rows.len() * labels.len());
    for chunk in rows.chunks(PREDICT_BATCH) {
        let genotypes: Vec<&[u32]> = chunk.iter().map(|&i| instances.genes(i)).collect();
        let environments: Vec<u16> = chunk.iter().map(|&i| instances.source(i).1).collect();
        predicted.extend(learner.predict_in(&genotypes, &environments));
    }
    let mut out = BTreeMap::new();
    if rows.is_empty() {
        return out;
    }
    for (l, label) in labels.iter().enumerate() {
        let (truth, prediction): (Vec<f64>, Vec<f64>) = rows
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                (
                    f64::from(instances.label(l, i).value),
                    predicted[k * labels.len() + l],
                )
            })
            .filter(|(t, p)| t.is_finite() && p.is_finite())
            .unzip();
        if truth.len() < 2 {
            continue;
        }
        let m = Metrics::compute(&truth, &prediction);
        out.insert(
            label.clone(),
            Validation {
                mse: m.mse,
                pearson: m.pearson,
                n: m.n,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use ironcell_data::instances::{InstanceWriter, LabelValue};

    use super::*;

    /// A model that predicts one number θ, moved by gradient descent on the squared error.
    struct Constant {
        labels: Vec<String>,
        theta: f32,
    }

    impl Learner for Constant {
        fn labels(&self) -> &[String] {
            &self.labels
        }

        fn train_step(
            &mut self,
            batch: &MiniBatch,
            learning_rate: f64,
            world: &dyn Collective,
        ) -> f64 {
            let n = batch.labels.len() as f32;
            let mut grad = [batch
                .labels
                .iter()
                .map(|y| 2.0 * (self.theta - y))
                .sum::<f32>()
                / n];
            world::average_gradient(world, &mut grad, f64::from(n));
            let grad = grad[0];
            let loss = batch
                .labels
                .iter()
                .map(|y| (self.theta - y).powi(2))
                .sum::<f32>()
                / n;
            self.theta -= learning_rate as f32 * grad;
            f64::from(loss)
        }

        fn predict(&self, genotypes: &[&[u32]]) -> Vec<f64> {
            vec![f64::from(self.theta); genotypes.len()]
        }

        fn save_state(&self, out: &mut Vec<u8>) {
            codec::put_f32s(out, &[self.theta]);
        }

        fn weights(&self) -> Vec<f32> {
            vec![self.theta]
        }

        fn restore_state(&mut self, input: &mut &[u8]) -> Result<(), codec::Error> {
            let mut theta = [0f32];
            codec::get_f32s_into(input, &mut theta)?;
            self.theta = theta[0];
            Ok(())
        }
    }

    /// 20 training genotypes labelled 2, 10 validation genotypes labelled 1.
    fn data(dir: &Path) -> (Instances, Split) {
        let path = dir.join("instances.arrow");
        let mut w = InstanceWriter::create(&path, &["y".to_owned()]).unwrap();
        for i in 0..30u32 {
            let value = if i < 20 { 2.0 } else { 1.0 };
            let label = LabelValue {
                value,
                std: f32::NAN,
                p_value: f32::NAN,
            };
            w.push(&[i], 0, 0, &[label]).unwrap();
        }
        w.finish().unwrap();
        let split = Split {
            train: (0..20).collect(),
            validation: (20..30).collect(),
            test: vec![],
            dropped: 0,
        };
        (Instances::open(&path).unwrap(), split)
    }

    fn learner() -> Constant {
        Constant {
            labels: vec!["y".to_owned()],
            theta: 0.0,
        }
    }

    fn config(epochs: usize, early_stopping: Option<EarlyStopping>) -> TrainingConfig {
        TrainingConfig {
            epochs,
            batch_size: 5,
            optimizer: OptimizerConfig::Sgd {
                learning_rate: 0.05,
                weight_decay: 0.0,
                momentum: 0.0,
            },
            early_stopping,
            ..TrainingConfig::default()
        }
    }

    #[test]
    fn early_stopping_keeps_the_best_validation_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let (instances, split) = data(dir.path());
        let stop = EarlyStopping {
            metric: Monitor::Mse,
            patience: 2,
            label: None,
        };
        let mut model = learner();
        let fitted = fit(
            &mut model,
            &instances,
            &split,
            &config(100, Some(stop)),
            dir.path(),
            false,
            &world::Alone,
            &mut (),
        )
        .unwrap();
        assert!(fitted.stopped_early, "{:?}", fitted.history.len());
        let best = fitted.kept_epoch.unwrap();
        assert_eq!(
            fitted.history.len(),
            best + 3,
            "two epochs past the best, then stop"
        );
        // θ passes 1 (the validation labels) on its way to 2 (the training labels); the
        // model kept is the one nearest the validation labels, not the last one.
        assert!((model.theta - 1.0).abs() < 0.2, "{}", model.theta);
        let last = fitted.history.last().unwrap();
        assert!(last.validation["y"].mse > fitted.history[best].validation["y"].mse);
    }

    #[test]
    fn a_resumed_fit_ends_where_an_uninterrupted_one_does() {
        let dir = tempfile::tempdir().unwrap();
        let (instances, split) = data(dir.path());
        let whole_dir = dir.path().join("whole");
        let mut whole = learner();
        let all = fit(
            &mut whole,
            &instances,
            &split,
            &config(7, None),
            &whole_dir,
            false,
            &world::Alone,
            &mut (),
        )
        .unwrap();
        let cut_dir = dir.path().join("cut");
        let mut first = learner();
        fit(
            &mut first,
            &instances,
            &split,
            &config(3, None),
            &cut_dir,
            false,
            &world::Alone,
            &mut (),
        )
        .unwrap();
        // A fresh process: a new learner, the last checkpoint.
        let mut resumed = learner();
        let rest = fit(
            &mut resumed,
            &instances,
            &split,
            &config(7, None),
            &cut_dir,
            true,
            &world::Alone,
            &mut (),
        )
        .unwrap();
        assert_eq!(resumed.theta.to_bits(), whole.theta.to_bits());
        // The same epochs, wall time aside (as JSON, where NaN equals NaN).
        let timeless = |f: &Fit| {
            let epochs: Vec<EpochRecord> = f
                .history
                .iter()
                .map(|r| EpochRecord {
                    seconds: 0.0,
                    ..r.clone()
                })
                .collect();
            serde_json::to_value(epochs).unwrap()
        };
        assert_eq!(timeless(&rest), timeless(&all));
    }

    /// Ranks as threads of one process (the test's stand-in for MPI): each sum gathers every
    /// rank's buffer, then each rank adds them in rank order, so all get the same bits.
    struct Threads {
        rank: usize,
        slots: std::sync::Arc<(std::sync::Mutex<Vec<Vec<f64>>>, std::sync::Barrier)>,
    }

    impl Threads {
        fn world(size: usize) -> Vec<Self> {
            let slots = std::sync::Arc::new((
                std::sync::Mutex::new(vec![Vec::new(); size]),
                std::sync::Barrier::new(size),
            ));
            (0..size)
                .map(|rank| Self {
                    rank,
                    slots: slots.clone(),
                })
                .collect()
        }

        fn sum(&self, values: &[f64]) -> Vec<f64> {
            let (slots, barrier) = &*self.slots;
            slots.lock().unwrap()[self.rank] = values.to_vec();
            barrier.wait();
            let sum = slots
                .lock()
                .unwrap()
                .iter()
                .fold(vec![0.0; values.len()], |acc, v| {
                    acc.iter().zip(v).map(|(a, b)| a + b).collect()
                });
            barrier.wait();
            sum
        }
    }

    impl Collective for Threads {
        fn rank(&self) -> usize {
            self.rank
        }
        fn size(&self) -> usize {
            self.slots.0.lock().unwrap().len()
        }
        fn sum_f32(&self, values: &mut [f32]) {
            let wide: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
            for (v, s) in values.iter_mut().zip(self.sum(&wide)) {
                *v = s as f32;
            }
        }
        fn sum_f64(&self, values: &mut [f64]) {
            let sum = self.sum(values);
            values.copy_from_slice(&sum);
        }
    }

    #[test]
    fn two_ranks_take_the_single_process_steps_and_resume_only_as_two() {
        let dir = tempfile::tempdir().unwrap();
        let (instances, split) = data(dir.path());
        let mut alone = learner();
        let one = fit(
            &mut alone,
            &instances,
            &split,
            &config(6, None),
            &dir.path().join("one"),
            false,
            &world::Alone,
            &mut (),
        )
        .unwrap();
        let two_dir = dir.path().join("two");
        let ranks: Vec<(f32, Fit)> = std::thread::scope(|scope| {
            let handles: Vec<_> = Threads::world(2)
                .into_iter()
                .map(|world| {
                    let (instances, split, two_dir) = (&instances, &split, &two_dir);
                    scope.spawn(move || {
                        let mut model = learner();
                        let fitted = fit(
                            &mut model,
                            instances,
                            split,
                            &config(6, None),
                            two_dir,
                            false,
                            &world,
                            &mut (),
                        )
                        .unwrap();
                        (model.theta, fitted)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        // The ranks agree bit for bit, and with the single process to rounding: each global
        // batch's gradient is the mean over its rows, whichever rank held them.
        assert_eq!(ranks[0].0.to_bits(), ranks[1].0.to_bits());
        assert!((ranks[0].0 - alone.theta).abs() < 1e-5, "{ranks:?}");
        for (a, b) in one.history.iter().zip(&ranks[0].1.history) {
            assert!((a.train_loss - b.train_loss).abs() < 1e-5, "{a:?} {b:?}");
        }
        // Rank 0 wrote the checkpoint, marked as a world of two: one process cannot go on.
        let err = fit(
            &mut learner(),
            &instances,
            &split,
            &config(8, None),
            &two_dir,
            true,
            &world::Alone,
            &mut (),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("world of 2 ranks"), "{err}");
    }
}
