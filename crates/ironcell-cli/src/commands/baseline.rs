//! `ironcell baseline`: a feature model tested on the dataset's splits (or by k-fold
//! cross-validation, or over the tree grid) beside the training mean, and saved with what
//! `predict`, `explain` and `evaluate` need. The work is `ironcell_eval::baseline`'s.

use std::fs;

use anyhow::{Context, Result};
use ironcell_data::split::{Split, SplitName};
use ironcell_eval::{
    baseline::{
        grid_tsv, save, spread, Baseline, GridPoint, Neighbours, Provenance, Row, SVR_MAX_TRAIN,
    },
    dataset::Dataset,
};
use ironcell_models::baseline::{design::Design, ModelKind, Params};

use crate::args::BaselineArgs;

pub fn run(args: &BaselineArgs) -> Result<()> {
    let reference = args.data.load()?;
    let dataset = Dataset::open(&args.dataset)?;
    let (manifest, instances) = (&dataset.manifest, &dataset.instances);
    let (design, reports) = Design::build(
        manifest,
        instances,
        &args.features,
        args.pooling,
        &reference.reference,
    )?;
    for r in &reports {
        println!(
            "features {}: {} columns, {} of {} genes without data (zeros)",
            r.feature,
            r.columns,
            r.genes_without_data,
            manifest.genes.len()
        );
    }
    let chosen: Vec<usize> = if args.labels.is_empty() {
        (0..design.labels().len()).collect()
    } else {
        let labels = args.labels.iter().map(|name| design.label(name));
        labels.collect::<Result<_, _>>()?
    };
    let mut params = match &args.params {
        Some(path) => {
            let text = fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("{}", path.display()))?
        }
        None => Params::default(),
    }
    .with_seed(args.seed);
    if let Some(t) = args.trees {
        params.rf.trees = t;
        params.gbt.rounds = t;
    }
    if let Some(bags) = args.bags {
        anyhow::ensure!(
            args.model == ModelKind::Gbt && bags >= 1,
            "--bags {bags}: bootstrap boosting is for --model gbt, with at least one bag"
        );
        params.gbt.bags = bags;
    }
    let baseline = Baseline {
        design: &design,
        kind: args.model,
        params,
        standardize: args.standardize,
        max_train: args
            .max_train
            .or((args.model == ModelKind::Svr).then_some(SVR_MAX_TRAIN)),
        seed: args.seed,
        neighbours: (!args.neighbour_labels.is_empty()).then(|| Neighbours {
            networks: &args.neighbour_labels,
            reference: &reference.reference,
        }),
    };
    println!(
        "{}: {} instances × {} features ({} pooling); model {}{}",
        args.dataset.display(),
        design.len(),
        design.width(),
        args.pooling,
        baseline.model_name(),
        baseline
            .max_train
            .map_or(String::new(), |m| format!(", at most {m} training rows"))
    );
    fs::create_dir_all(&args.out).with_context(|| format!("{}", args.out.display()))?;
    let from = Provenance {
        dataset: &args.dataset,
        manifest,
        reference: &reference.dir,
    };
    if args.grid {
        let name = args.splits.first().copied().unwrap_or(SplitName::Random);
        let split = dataset.split(name)?;
        return grid(&baseline, &chosen, (name, &split), args);
    }
    let splits = match args.cv {
        Some(_) => Vec::new(),
        None => args
            .splits
            .iter()
            .map(|&name| Ok((name, dataset.split(name)?)))
            .collect::<Result<Vec<_>>>()?,
    };
    let mut rows = Vec::new();
    print_header();
    for &l in &chosen {
        let label = &design.labels()[l];
        if let Some(k) = args.cv {
            let (folds, fitted) = baseline.cross_validate(l, k)?;
            folds.iter().for_each(print_row);
            for model in [baseline.model_name(), "mean".to_owned()] {
                let [(p, ps), (s, ss), (r2, r2s), (m, ms)] = spread(&folds, &model);
                println!(
                    "{label:<16} {:<14} {model:<6} Pearson {p:.4} ± {ps:.4}, Spearman {s:.4} ± {ss:.4}, R² {r2:.4} ± {r2s:.4}, MSE {m:.5} ± {ms:.5}",
                    "mean ± std",
                );
            }
            save(
                &args.out.join("cv").join(label),
                &baseline,
                (l, None),
                &fitted,
                &folds,
                from,
            )?;
            rows.extend(folds);
            continue;
        }
        for (name, split) in &splits {
            let (train, test) = (
                design.labelled(l, &split.train),
                design.labelled(l, &split.test),
            );
            if train.len() < 2 || test.is_empty() {
                println!(
                    "{label:<16} {name:<14} skipped: train {}, test {}",
                    train.len(),
                    test.len()
                );
                continue;
            }
            let (fitted, pair) = baseline.test(l, name.as_str(), &train, &test)?;
            pair.iter().for_each(print_row);
            let dir = args.out.join(name.as_str()).join(label);
            save(&dir, &baseline, (l, Some(*name)), &fitted, &pair, from)
                .with_context(|| format!("saving the model in {}", dir.display()))?;
            rows.extend(pair);
        }
        if args.fit_all {
            let fitted = baseline.fit_all(l)?;
            let dir = args.out.join("all").join(label);
            save(&dir, &baseline, (l, None), &fitted, &[], from)?;
            println!(
                "{label:<16} {:<14} fitted on {} rows: {}",
                "every row",
                fitted.fitted.rows.len(),
                dir.display()
            );
        }
    }
    let path = args.out.join("metrics.json");
    fs::write(&path, serde_json::to_vec_pretty(&rows)?)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("models and metrics in {}", args.out.display());
    Ok(())
}

fn print_header() {
    println!(
        "{:<16} {:<14} {:<6} {:>7} {:>7} {:>8} {:>9} {:>8} {:>9} {:>8}",
        "label", "split", "model", "train", "test", "Pearson", "Spearman", "R²", "MSE", "fit s"
    );
}

fn print_row(r: &Row) {
    println!(
        "{:<16} {:<14} {:<6} {:>7} {:>7} {:>8.4} {:>9.4} {:>8.4} {:>9.5} {:>8.2}",
        r.label,
        r.split,
        r.model,
        r.n_train,
        r.n_test,
        r.pearson,
        r.spearman,
        r.r2,
        r.mse,
        r.fit_seconds
    );
}

/// TorchCell's grid on one split, one line per setting in grid.tsv.
fn grid(
    baseline: &Baseline<'_>,
    labels: &[usize],
    (name, split): (SplitName, &Split),
    args: &BaselineArgs,
) -> Result<()> {
    print_header();
    let mut rows = Vec::new();
    for &l in labels {
        let design = baseline.design;
        let train = design.labelled(l, &split.train);
        let test = design.labelled(l, &split.test);
        let points = GridPoint::torchcell();
        let found = baseline.grid(&points, l, name.as_str(), (&train, &test), |_, r| {
            print_row(r)
        })?;
        rows.extend(found);
    }
    let path = args.out.join("grid.tsv");
    fs::write(&path, grid_tsv(&rows)).with_context(|| format!("writing {}", path.display()))?;
    println!("grid in {}", path.display());
    Ok(())
}
