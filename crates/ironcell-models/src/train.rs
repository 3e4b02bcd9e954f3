//! Mini-batch training and batched prediction for DCell's CPU engine, and dense gene states
//! for the burn engine.

use burn::prelude::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use ironcell_data::ontology::DcellOntology;

use crate::{
    dcell::{kernel::Model, DcellConfig, DcellSize, Layout},
    optim::AdamW,
};

/// Optimisation settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Passes over the training set.
    pub epochs: usize,
    /// Instances per step.
    pub batch_size: usize,
    /// AdamW learning rate.
    pub learning_rate: f64,
    /// AdamW decoupled weight decay.
    pub weight_decay: f64,
    /// Seed of the batch order.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 256,
            learning_rate: 1e-3,
            weight_decay: 1e-4,
            seed: 0,
        }
    }
}

/// Dense gene states `[rows, genes]`: 1 where a gene is perturbed.
pub fn gene_states<B: Backend>(
    rows: &[&[usize]],
    genes: usize,
    device: &B::Device,
) -> Tensor<B, 2> {
    let mut data = vec![0f32; rows.len() * genes];
    for (i, row) in rows.iter().enumerate() {
        for &g in *row {
            data[i * genes + g] = 1.0;
        }
    }
    Tensor::from_data(TensorData::new(data, [rows.len(), genes]), device)
}

/// Trains `model` on genotypes `rows` (gene indices of the model's universe) with targets
/// `y` (`[rows, labels]`, NaN = missing). `on_step` sees each step's loss; returns the model
/// and each epoch's mean loss.
///
/// Batches of one instance are skipped: batch norm has no variance to use.
pub fn train(
    mut model: Model<f32>,
    rows: &[Vec<usize>],
    y: &[f32],
    config: &TrainConfig,
    mut on_step: impl FnMut(usize, f64),
) -> (Model<f32>, Vec<f64>) {
    let labels = model.layout().labels;
    let mut optimizer = AdamW::new(
        model.params().len(),
        config.learning_rate,
        config.weight_decay,
    );
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut history = Vec::with_capacity(config.epochs);
    for epoch in 0..config.epochs {
        order.shuffle(&mut rng);
        let (mut total, mut steps) = (0.0, 0);
        for batch in order.chunks(config.batch_size).filter(|b| b.len() > 1) {
            let genotypes: Vec<&[usize]> = batch.iter().map(|&i| rows[i].as_slice()).collect();
            let target: Vec<f32> = batch
                .iter()
                .flat_map(|&i| &y[i * labels..(i + 1) * labels])
                .copied()
                .collect();
            let loss = f64::from(model.train_step(&genotypes, &target, &mut optimizer));
            total += loss;
            steps += 1;
            on_step(epoch, loss);
        }
        history.push(total / steps.max(1) as f64);
    }
    (model, history)
}

/// A fresh single-label DCell over `ontology`, its output started at the mean of `y` (so an
/// untrained model predicts the training mean), trained on `rows` as [`train`] does. Returns
/// the model, each epoch's mean loss, and the model's size.
pub fn fit_single_label(
    ontology: &DcellOntology,
    config: &DcellConfig,
    train_config: &TrainConfig,
    rows: &[Vec<usize>],
    y: &[f32],
    on_step: impl FnMut(usize, f64),
) -> (Model<f32>, Vec<f64>, DcellSize) {
    let mean = y.iter().map(|&v| f64::from(v)).sum::<f64>() / y.len().max(1) as f64;
    let config = DcellConfig {
        initial_output: mean,
        ..config.clone()
    };
    let layout = std::sync::Arc::new(Layout::new(ontology, &config, 1));
    let size = layout.size();
    let params = layout.init_parameters(&config);
    let model = Model::new(layout, params, config.alpha, config.aux_reduction);
    let (model, history) = train(model, rows, y, train_config, on_step);
    (model, history, size)
}

/// Predicts every row (`[rows, labels]`), in batches, with batch norm's running statistics.
pub fn predict(model: &Model<f32>, rows: &[Vec<usize>], batch_size: usize) -> Vec<f64> {
    rows.chunks(batch_size.max(1))
        .flat_map(|batch| model.predict(batch))
        .map(f64::from)
        .collect()
}
