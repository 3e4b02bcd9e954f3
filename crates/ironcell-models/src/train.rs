//! Mini-batch training and batched prediction for DCell.

use burn::{
    optim::{AdamWConfig, GradientsParams, Optimizer},
    prelude::*,
    tensor::backend::AutodiffBackend,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::dcell::Dcell;

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
    pub weight_decay: f32,
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
/// `y`. `on_step` sees each step's loss; returns the model and each epoch's mean loss.
///
/// Batches of one instance are skipped: batch norm has no variance to use.
pub fn train<B: AutodiffBackend>(
    mut model: Dcell<B>,
    rows: &[Vec<usize>],
    y: &[f32],
    config: &TrainConfig,
    device: &B::Device,
    mut on_step: impl FnMut(usize, f64),
) -> (Dcell<B>, Vec<f64>) {
    let mut optimizer = AdamWConfig::new()
        .with_weight_decay(config.weight_decay)
        .init();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut history = Vec::with_capacity(config.epochs);
    for epoch in 0..config.epochs {
        order.shuffle(&mut rng);
        let (mut total, mut steps) = (0.0, 0);
        for batch in order.chunks(config.batch_size).filter(|b| b.len() > 1) {
            let states: Vec<&[usize]> = batch.iter().map(|&i| rows[i].as_slice()).collect();
            let x = gene_states::<B>(&states, model.genes(), device);
            let target: Vec<f32> = batch.iter().map(|&i| y[i]).collect();
            let target = Tensor::from_data(TensorData::new(target, [batch.len()]), device);
            let output = model.forward(x);
            let loss = model.loss(&output, target);
            let value: f64 = loss.clone().into_scalar().elem();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(config.learning_rate, model, grads);
            total += value;
            steps += 1;
            on_step(epoch, value);
        }
        history.push(total / steps.max(1) as f64);
    }
    (model, history)
}

/// Predicts every row, in batches (inference mode: batch norm uses running statistics).
pub fn predict<B: Backend>(
    model: &Dcell<B>,
    rows: &[Vec<usize>],
    batch_size: usize,
    device: &B::Device,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len());
    for batch in rows.chunks(batch_size.max(1)) {
        let states: Vec<&[usize]> = batch.iter().map(Vec::as_slice).collect();
        let x = gene_states::<B>(&states, model.genes(), device);
        let p = model.forward(x).prediction.into_data();
        out.extend(p.iter::<f64>());
    }
    out
}
