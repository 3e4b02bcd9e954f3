//! `ironcell bench baselines`: every baseline beside scikit-learn on the same pooled
//! features, targets and folds, in one run: test metrics per fold (mean ± std) and fit time.
//! The fits are `ironcell_eval::bench::baselines`'.

use std::fs;

use anyhow::{Context, Result};
use ironcell_eval::{
    bench::baselines::{fit_ours, summary, Folds, Problem},
    sklearn::{self, FoldResult},
};
use ironcell_models::baseline::Params;
use serde_json::json;

use crate::args::BenchBaselinesArgs;

pub fn run(args: &BenchBaselinesArgs) -> Result<()> {
    let problem = match &args.dataset {
        Some(dir) => {
            let reference = args.data.load()?.reference;
            let features = (args.features.as_slice(), args.pooling);
            Problem::dataset(dir, features, &args.label, &reference)?
        }
        None => Problem::synthetic(args.synthetic_rows, args.seed),
    };
    let folds = Folds::new(
        problem.y.len(),
        args.folds,
        &args.models,
        args.svr_max_train,
        args.seed,
    )?;
    let mut params = Params::default()
        .with_seed(args.seed)
        .with_trees(args.trees);
    params.enet.alpha = args.enet_alpha;
    println!(
        "{}; {} fold(s), {} threads",
        problem.what,
        folds.test.len(),
        rayon::current_num_threads()
    );
    let ours = fit_ours(&problem, &folds, &params, |kind, fold, seconds| {
        eprintln!("ironcell {kind} fold {}: {seconds:.2} s", fold + 1);
    })?;
    let (theirs, versions) = match &args.python {
        Some(python) => {
            let dir = tempfile::tempdir()?;
            let script = super::scripts::BASELINES_SKLEARN
                .resolve(args.sklearn_script.as_deref(), dir.path())?;
            let (x, y) = (problem.matrix()?, &problem.y);
            sklearn::run(
                python,
                &script,
                dir.path(),
                x,
                y,
                &folds.test,
                &folds.train,
                &params,
            )?
        }
        None => (Vec::new(), serde_json::Value::Null),
    };

    println!(
        "\n{:<6} {:<14} {:>17} {:>17} {:>17} {:>10} {:>8}",
        "model", "engine", "Pearson", "Spearman", "R²", "fit s", "ratio"
    );
    for &kind in &args.models {
        let ours_time = summary(&ours, kind, |r| r.seconds).0;
        for (engine, results) in [("ironcell", &ours), ("scikit-learn", &theirs)] {
            if !results.iter().any(|r| r.model == kind.to_string()) {
                continue;
            }
            let pm = |f: fn(&FoldResult) -> f64| {
                let (m, s) = summary(results, kind, f);
                format!("{m:.4} ± {s:.4}")
            };
            let time = summary(results, kind, |r| r.seconds).0;
            let ratio = match engine {
                "ironcell" => "1.00".to_owned(),
                _ => format!("{:.2}", time / ours_time),
            };
            println!(
                "{:<6} {engine:<14} {:>17} {:>17} {:>17} {time:>10.2} {ratio:>8}",
                kind.to_string(),
                pm(|r| r.pearson),
                pm(|r| r.spearman),
                pm(|r| r.r2),
            );
        }
    }
    println!("(ratio: scikit-learn's mean fit time over ironcell's; above 1 ironcell is faster)");
    if let Some(out) = &args.out {
        let doc = json!({"data": problem.what, "folds": folds.test.len(), "params": params,
            "ironcell": ours, "scikit_learn": theirs, "versions": versions});
        fs::write(out, serde_json::to_vec_pretty(&doc)?)
            .with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(())
}
