//! `ironcell train` without `--config`: the DCell run its flags describe, as the run file
//! would.

use anyhow::{Context, Result};
use ironcell_models::{
    dcell::AuxReduction,
    optim::OptimizerConfig,
    trainer::{DataConfig, DcellParams, ModelConfig, RunConfig, TrainingConfig},
};

use crate::args::{Reduction, TrainArgs};

impl From<Reduction> for AuxReduction {
    fn from(r: Reduction) -> Self {
        match r {
            Reduction::Mean => AuxReduction::Mean,
            Reduction::Sum => AuxReduction::Sum,
        }
    }
}

/// The DCell run the flags describe.
pub(super) fn run_config(args: &TrainArgs) -> Result<RunConfig> {
    let dataset = args
        .dataset
        .clone()
        .context("--dataset (or --config, or --resume)")?;
    Ok(RunConfig {
        model: ModelConfig::Dcell(DcellParams {
            width: args.width.into(),
            alpha: args.alpha,
            aux_reduction: args.aux_reduction.into(),
            init_scale: 0.001,
            min_genes: args.filter.min_genes,
            drop_evidence: args.filter.drop_evidence.clone(),
            contain_disrupted: args.contain_disrupted,
            annotated_before: args.filter.annotated_before,
        }),
        data: DataConfig {
            dataset,
            splits: args.splits.clone(),
            fit_all: args.fit_all,
        },
        training: TrainingConfig {
            epochs: args.epochs,
            batch_size: args.batch_size,
            seed: args.seed,
            optimizer: OptimizerConfig::Adamw {
                learning_rate: args.learning_rate,
                weight_decay: args.weight_decay,
            },
            threads: args.threads,
            ensemble: args.ensemble,
            ..TrainingConfig::default()
        },
    })
}
