//! `ironcell baseline`: a feature model tested on the dataset's splits (or by k-fold
//! cross-validation, or over the tree grid) beside the training mean, and saved with what
//! `predict`, `explain` and `evaluate` need. The work is `ironcell_eval::baseline`'s.

use std::fs;

use anyhow::{Context, Result};
use ironcell_data::split::{Split, SplitName};
use ironcell_eval::{
    baseline::{
        grid_tsv, spread, Baseline, GridPoint, Neighbours, Provenance, SplitTest, SVR_MAX_TRAIN,
    },
    dataset::Dataset,
};
use ironcell_models::baseline::{design::Design, ModelKind, Params};

use crate::{args::BaselineArgs, table};

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
    let chosen = design.labels_named(&args.labels)?;
    let mut params = match &args.params {
        Some(path) => {
            let text = fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("{}", path.display()))?
        }
        None => Params::default(),
    }
    .with_seed(args.seed);
    if let Some(trees) = args.trees {
        params = params.with_trees(trees);
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
    table::baseline_header();
    for &l in &chosen {
        let label = &design.labels()[l];
        if let Some(k) = args.cv {
            let folds = baseline.cross_validate_into(l, k, &args.out, from)?;
            folds.iter().for_each(table::baseline_row);
            for model in [baseline.model_name(), "mean".to_owned()] {
                let [(p, ps), (s, ss), (r2, r2s), (m, ms)] = spread(&folds, &model);
                println!(
                    "{label:<16} {:<14} {model:<6} Pearson {p:.4} ± {ps:.4}, Spearman {s:.4} ± {ss:.4}, R² {r2:.4} ± {r2s:.4}, MSE {m:.5} ± {ms:.5}",
                    "mean ± std",
                );
            }
            rows.extend(folds);
            continue;
        }
        for (name, split) in &splits {
            match baseline.test_split_into(l, (*name, split), &args.out, from)? {
                SplitTest::Tested(pair) => {
                    pair.iter().for_each(table::baseline_row);
                    rows.extend(*pair);
                }
                SplitTest::TooSmall { train, test } => {
                    println!("{label:<16} {name:<14} skipped: train {train}, test {test}");
                }
            }
        }
        if args.fit_all {
            let (dir, seen) = baseline.fit_all_into(l, &args.out, from)?;
            let every = "every row";
            println!(
                "{label:<16} {every:<14} fitted on {seen} rows: {}",
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

/// TorchCell's grid on one split, one line per setting in grid.tsv.
fn grid(
    baseline: &Baseline<'_>,
    labels: &[usize],
    split: (SplitName, &Split),
    args: &BaselineArgs,
) -> Result<()> {
    table::baseline_header();
    let points = GridPoint::torchcell();
    let rows = baseline.grid(&points, labels, split, |_, r| table::baseline_row(r))?;
    let path = args.out.join("grid.tsv");
    fs::write(&path, grid_tsv(&rows)).with_context(|| format!("writing {}", path.display()))?;
    println!("grid in {}", path.display());
    Ok(())
}
