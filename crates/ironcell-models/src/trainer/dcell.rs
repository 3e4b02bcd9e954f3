//! DCell (the CPU stratum kernel) as a [`Learner`]: dataset genes become the ontology's gene
//! states (genes outside the ontology have none), the loss is the kernel's (root plus α times
//! the auxiliary heads, NaN targets masked), gradients optionally clipped before the step.

use std::sync::Arc;

use ironcell_data::{instances::MiniBatch, ontology::DcellOntology};

use super::{
    world::{self, Collective},
    Learner,
};
use crate::{
    codec,
    dcell::{
        kernel::{Mode, Model},
        saved::Description,
        DcellConfig, Layout,
    },
    optim::{Optimizer, OptimizerConfig},
};

/// Genotypes per forward pass when predicting.
const PREDICT_BATCH: usize = 1024;

/// DCell with its optimiser.
pub struct DcellLearner {
    labels: Vec<String>,
    config: DcellConfig,
    ontology: DcellOntology,
    model: Model<f32>,
    optimizer: Optimizer,
    /// Dataset gene index → ontology gene index.
    to_ontology: Vec<Option<usize>>,
    clip: Option<f64>,
}

impl DcellLearner {
    /// A fresh DCell over `ontology` predicting `labels`, whose inputs are the dataset genes
    /// `to_ontology` maps.
    pub fn new(
        ontology: DcellOntology,
        config: DcellConfig,
        labels: Vec<String>,
        to_ontology: Vec<Option<usize>>,
        optimizer: &OptimizerConfig,
        clip: Option<f64>,
    ) -> Self {
        let layout = Arc::new(Layout::new(&ontology, &config, labels.len()));
        let params = layout.init_parameters(&config);
        let n = params.len();
        let model = Model::new(layout, params, config.alpha, config.aux_reduction);
        Self {
            labels,
            config,
            ontology,
            model,
            optimizer: optimizer.build(n),
            to_ontology,
            clip,
        }
    }

    fn genotypes<'a>(&self, genes: impl Iterator<Item = &'a [u32]>) -> Vec<Vec<usize>> {
        genes
            .map(|g| {
                g.iter()
                    .filter_map(|&i| self.to_ontology[i as usize])
                    .collect()
            })
            .collect()
    }

    /// The trained model, with what a saved model's description holds.
    pub fn into_parts(self) -> (Description, Model<f32>) {
        (
            Description {
                config: self.config,
                labels: self.labels,
                ontology: self.ontology,
            },
            self.model,
        )
    }

    /// The network.
    pub fn model(&self) -> &Model<f32> {
        &self.model
    }
}

impl Learner for DcellLearner {
    fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Across ranks, batch norm is per rank (each normalises its shard, as PyTorch's
    /// DistributedDataParallel does without SyncBatchNorm: synchronising it would cost an
    /// all-reduce per stratum, forward and backward); the gradients are averaged, weighted by
    /// each shard's observed labels (the loss's denominator), and the running statistics
    /// averaged after every step, so every rank keeps the same model.
    fn train_step(&mut self, batch: &MiniBatch, learning_rate: f64, world: &dyn Collective) -> f64 {
        let genotypes = self.genotypes(batch.genotypes());
        let act = self.model.forward(&genotypes, Mode::Training);
        let (loss, mut grads) = self.model.backward(&act, &batch.labels);
        let observed = batch.labels.iter().filter(|y| y.is_finite()).count();
        world::average_gradient(world, &mut grads, observed as f64);
        if let Some(max) = self.clip {
            let norm = grads
                .iter()
                .map(|g| f64::from(*g).powi(2))
                .sum::<f64>()
                .sqrt();
            if norm > max {
                let scale = (max / norm) as f32;
                grads.iter_mut().for_each(|g| *g *= scale);
            }
        }
        self.model.update_running_stats(&act);
        if world.size() > 1 {
            let (mean, var) = self.model.running_stats();
            let (mut mean, mut var) = (mean.to_vec(), var.to_vec());
            world::average(world, &mut mean);
            world::average(world, &mut var);
            self.model.set_running_stats(mean, var);
        }
        self.optimizer.set_learning_rate(learning_rate);
        self.optimizer.step(self.model.params_mut(), &grads);
        f64::from(loss)
    }

    fn predict(&self, genotypes: &[&[u32]]) -> Vec<f64> {
        let rows = self.genotypes(genotypes.iter().copied());
        rows.chunks(PREDICT_BATCH)
            .flat_map(|chunk| self.model.predict(chunk))
            .map(f64::from)
            .collect()
    }

    fn save_state(&self, out: &mut Vec<u8>) {
        codec::put_f32s(out, self.model.params());
        let (mean, var) = self.model.running_stats();
        codec::put_f32s(out, mean);
        codec::put_f32s(out, var);
        self.optimizer.save(out);
    }

    fn weights(&self) -> Vec<f32> {
        let (mean, var) = self.model.running_stats();
        [self.model.params(), mean, var].concat()
    }

    fn restore_state(&mut self, input: &mut &[u8]) -> Result<(), codec::Error> {
        codec::get_f32s_into(input, self.model.params_mut())?;
        let (mean, var) = self.model.running_stats();
        let (mut mean, mut var) = (mean.to_vec(), var.to_vec());
        codec::get_f32s_into(input, &mut mean)?;
        codec::get_f32s_into(input, &mut var)?;
        self.optimizer.restore(input)?;
        self.model.set_running_stats(mean, var);
        Ok(())
    }
}
