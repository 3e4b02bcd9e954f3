//! `ironcell train`: DCell on a dataset directory, one model per split, test-set metrics
//! beside the training-mean baseline.

use std::{fs, sync::Arc};

use anyhow::{ensure, Context, Result};
use ironcell_data::{
    dataset::{read_manifest, read_split},
    instances::{perturbed_genes, Instances},
};
use ironcell_models::{
    dcell::{kernel::Model, saved::Description, AuxReduction, DcellConfig, Layout},
    metrics::Metrics,
    predictor::{DatasetRef, DcellModel, ModelCard},
    train::{predict, train, TrainConfig},
};
use serde_json::json;

use crate::{
    args::{Reduction, TrainArgs},
    commands, progress,
};

impl From<Reduction> for AuxReduction {
    fn from(r: Reduction) -> Self {
        match r {
            Reduction::Mean => AuxReduction::Mean,
            Reduction::Sum => AuxReduction::Sum,
        }
    }
}

/// Mean of the finite values.
fn finite_mean(values: impl Iterator<Item = f32>) -> f64 {
    let (sum, n) = values
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, n), v| (s + f64::from(v), n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

pub fn run(args: &TrainArgs) -> Result<()> {
    let manifest = read_manifest(&args.dataset)?;
    let instances = Instances::open(&args.dataset.join("instances.arrow"))?;
    let reference = args.data.load()?.reference;
    let mut filter = args.filter.config();
    if args.contain_disrupted {
        let mut disrupted = vec![false; manifest.genes.len()];
        for i in 0..instances.len() {
            for &g in instances.genes(i) {
                disrupted[g as usize] = true;
            }
        }
        filter.containment_genes = Some(
            manifest
                .genes
                .iter()
                .zip(&disrupted)
                .filter(|(_, &d)| d)
                .map(|(g, _)| g.clone())
                .collect(),
        );
    }
    let ontology = commands::ontology::build(&reference, &filter)?;
    if let Some(stage) = ontology
        .stages
        .iter()
        .find(|s| s.stage.contains("disrupted"))
    {
        println!("ontology: {} terms {}", stage.terms, stage.stage);
    }
    let labels = manifest.labels.clone();
    let n_labels = labels.len();
    ensure!(
        n_labels > 0,
        "{}: the dataset has no labels",
        args.dataset.display()
    );

    // Dataset gene universe → ontology inputs; genes outside GO are invisible to DCell.
    let to_ontology = ontology.indices_of(&manifest.genes);
    let mut unseen = 0;
    let rows: Vec<Vec<usize>> = (0..instances.len())
        .map(|i| {
            let genes = instances.genes(i);
            let mapped: Vec<usize> = genes
                .iter()
                .filter_map(|&g| to_ontology[g as usize])
                .collect();
            unseen += usize::from(mapped.len() < genes.len());
            mapped
        })
        .collect();
    let y: Vec<f32> = (0..instances.len())
        .flat_map(|i| (0..n_labels).map(move |l| (l, i)))
        .map(|(l, i)| instances.label(l, i).value)
        .collect();
    println!(
        "{}: {} instances, labels {:?}; {} have a gene outside the filtered GO (its state is not an input)",
        args.dataset.display(),
        instances.len(),
        labels,
        unseen
    );

    for &split_name in &args.splits {
        let split = read_split(&args.dataset.join("splits.arrow"), split_name)?;
        let name = split_name.as_str();
        ensure!(
            split.train.len() > 1 && !split.test.is_empty(),
            "split {name} is too small (train {}, test {})",
            split.train.len(),
            split.test.len()
        );
        let pick =
            |idx: &[usize]| -> Vec<Vec<usize>> { idx.iter().map(|&i| rows[i].clone()).collect() };
        let target = |idx: &[usize]| -> Vec<f32> {
            idx.iter()
                .flat_map(|&i| y[i * n_labels..(i + 1) * n_labels].iter().copied())
                .collect()
        };
        let train_y = target(&split.train);
        let means: Vec<f64> = (0..n_labels)
            .map(|l| finite_mean(train_y.iter().skip(l).step_by(n_labels).copied()))
            .collect();
        let config = DcellConfig {
            width_rule: args.width.into(),
            alpha: args.alpha,
            aux_reduction: args.aux_reduction.into(),
            seed: args.seed,
            initial_output: means[0],
            ..DcellConfig::default()
        };
        let layout = Arc::new(Layout::new(&ontology, &config, n_labels));
        let size = layout.size();
        println!(
            "split {name}: train {}, test {}; DCell {} subsystems, {} strata, {} neurons, {} parameters",
            split.train.len(),
            split.test.len(),
            size.subsystems,
            size.strata,
            size.neurons,
            size.parameters
        );
        let params = layout.init_parameters(&config);
        let model = Model::new(layout, params, config.alpha, config.aux_reduction);
        let train_config = TrainConfig {
            epochs: args.epochs,
            batch_size: args.batch_size,
            learning_rate: args.learning_rate,
            weight_decay: args.weight_decay,
            seed: args.seed,
        };
        let steps = split.train.len().div_ceil(args.batch_size) * args.epochs;
        let bar = progress::training(steps, format!("DCell {name}"));
        let (model, history) = train(
            model,
            &pick(&split.train),
            &train_y,
            &train_config,
            |_, loss| {
                bar.set_message(format!("{loss:.4}"));
                bar.inc(1);
            },
        );
        bar.finish();

        let predicted = predict(&model, &pick(&split.test), 1024);
        let test_y = target(&split.test);
        let mut metrics = Vec::new();
        let mut card = ModelCard::new(
            DcellModel::KIND,
            labels.clone(),
            format!(
                "gene states of DCell's ontology: {} subsystems, {} strata",
                size.subsystems, size.strata
            ),
        );
        println!(
            "{:<16} {:<10} {:>7} {:>8} {:>9} {:>8} {:>9}",
            "label", "model", "n", "Pearson", "Spearman", "R²", "MSE"
        );
        for (l, label) in labels.iter().enumerate() {
            let observed: Vec<usize> = (0..split.test.len())
                .filter(|&j| test_y[j * n_labels + l].is_finite())
                .collect();
            if observed.is_empty() {
                continue;
            }
            let truth: Vec<f64> = observed
                .iter()
                .map(|&j| f64::from(test_y[j * n_labels + l]))
                .collect();
            let dcell: Vec<f64> = observed
                .iter()
                .map(|&j| predicted[j * n_labels + l])
                .collect();
            for (model_name, m) in [
                ("DCell", Metrics::compute(&truth, &dcell)),
                (
                    "mean",
                    Metrics::compute(&truth, &vec![means[l]; truth.len()]),
                ),
            ] {
                println!(
                    "{:<16} {:<10} {:>7} {:>8.3} {:>9.3} {:>8.3} {:>9.4}",
                    label, model_name, m.n, m.pearson, m.spearman, m.r2, m.mse
                );
                metrics.push(json!({"label": label, "model": model_name, "metrics": m}));
            }
            let m = Metrics::compute(&truth, &dcell);
            card.set_metrics(
                label,
                [
                    ("pearson", m.pearson),
                    ("spearman", m.spearman),
                    ("r2", m.r2),
                    ("mse", m.mse),
                ],
            );
        }
        let dir = args.out.join(name);
        let description = Description {
            config: config.clone(),
            labels: labels.clone(),
            ontology: ontology.clone(),
        };
        card.dataset = Some(DatasetRef {
            dir: args.dataset.clone(),
            instances_sha256: manifest
                .sha256
                .get("instances.arrow")
                .cloned()
                .unwrap_or_default(),
        });
        card.split = Some(split_name);
        card.trained_rows = split.train.len();
        card.trained_genes = perturbed_genes(&manifest.genes, &split.train, |i| {
            instances.genes(i).iter().copied()
        });
        DcellModel::new(card, description, model).save(&dir)?;
        let report = json!({"dataset": args.dataset, "split": name, "train": split.train.len(),
            "test": split.test.len(), "size": size, "config": config, "train_config": train_config,
            "loss_by_epoch": history, "test_metrics": metrics});
        let path = dir.join("metrics.json");
        fs::write(&path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("model and metrics written to {}", dir.display());
    }
    Ok(())
}
