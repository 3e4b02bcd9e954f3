//! `ironcell bench baselines`: every baseline beside scikit-learn on the same pooled
//! features, targets and folds, in one run: test metrics per fold (mean ± std) and fit time.

use std::fs;

use anyhow::{bail, Context, Result};
use ironcell_data::{
    dataset::read_manifest,
    instances::Instances,
    split::{kfold, sample},
};
use ironcell_models::{
    baseline::{design::Design, Matrix, ModelKind, Params, Regressor, Standardizer},
    metrics::Metrics,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use ironcell_eval::sklearn::{self, FoldResult};

use crate::args::BenchBaselinesArgs;

/// Columns of the synthetic regression.
const SYNTHETIC_COLS: usize = 64;

/// A SYNTHETIC regression for timing: y = sin x₀ + x₁x₂ + ½·[x₃ > 0] + 0.3·x₄² + N(0, ½²),
/// the other columns noise.
fn synthetic(rows: usize, seed: u64) -> (Vec<f32>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Box–Muller: two uniforms to one standard normal.
    let mut normal = move || {
        let (u, v): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let x: Vec<f32> = (0..rows * SYNTHETIC_COLS)
        .map(|_| normal() as f32)
        .collect();
    let y = x
        .chunks_exact(SYNTHETIC_COLS)
        .map(|r| {
            let r: Vec<f64> = r[..5].iter().map(|&v| f64::from(v)).collect();
            let signal = r[0].sin() + r[1] * r[2] + 0.3 * r[4] * r[4];
            signal + 0.5 * f64::from(u8::from(r[3] > 0.0)) + 0.5 * normal()
        })
        .collect();
    (x, y)
}

pub fn run(args: &BenchBaselinesArgs) -> Result<()> {
    let (x, y, cols, what) = match &args.dataset {
        Some(dir) => {
            let manifest = read_manifest(dir)?;
            let instances = Instances::open(&dir.join("instances.arrow"))?;
            let (design, _) = Design::build(
                &manifest,
                &instances,
                &args.features,
                args.pooling,
                &args.data.load()?.reference,
            )?;
            let l = design.label(&args.label)?;
            let all: Vec<usize> = (0..design.len()).collect();
            let rows = design.labelled(l, &all);
            let what = format!(
                "{} ({} of {} instances with {}), features {} pooled by {}",
                dir.display(),
                rows.len(),
                design.len(),
                args.label,
                args.features
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                args.pooling
            );
            (
                design.rows(&rows),
                design.target(l, &rows),
                design.width(),
                what,
            )
        }
        None => {
            let (x, y) = synthetic(args.synthetic_rows, args.seed);
            let what = format!(
                "SYNTHETIC regression, {} rows × {SYNTHETIC_COLS} Gaussian features",
                args.synthetic_rows
            );
            (x, y, SYNTHETIC_COLS, what)
        }
    };
    let n = y.len();
    let all: Vec<usize> = (0..n).collect();
    let folds: Vec<Vec<usize>> = match args.folds {
        0 => bail!("--folds must be at least 1"),
        1 => vec![kfold(&all, 5, args.seed).swap_remove(0)],
        k => kfold(&all, k, args.seed),
    };
    let mut params = Params::default().with_seed(args.seed);
    params.rf.trees = args.trees;
    params.gbt.rounds = args.trees;
    params.enet.alpha = args.enet_alpha;
    // Training rows per model and fold: the complement of the fold; SVR a seeded sample.
    let mut train: Vec<(ModelKind, Vec<Vec<usize>>)> = Vec::new();
    for &kind in &args.models {
        let per_fold = folds
            .iter()
            .map(|test| {
                let mut in_test = vec![false; n];
                test.iter().for_each(|&i| in_test[i] = true);
                let rows: Vec<usize> = all.iter().copied().filter(|&i| !in_test[i]).collect();
                let max = (kind == ModelKind::Svr).then_some(args.svr_max_train);
                sample(&rows, max, args.seed)
            })
            .collect();
        train.push((kind, per_fold));
    }
    println!(
        "{what}; {} fold(s), {} threads",
        folds.len(),
        rayon::current_num_threads()
    );

    let mut ours = Vec::new();
    for (kind, per_fold) in &train {
        for (f, (rows, test)) in per_fold.iter().zip(&folds).enumerate() {
            let pick = |rows: &[usize]| -> Vec<f32> {
                rows.iter()
                    .flat_map(|&i| x[i * cols..(i + 1) * cols].iter().copied())
                    .collect()
            };
            let (mut xtr, mut xte) = (pick(rows), pick(test));
            if sklearn::is_standardized(*kind) {
                let s = Standardizer::fit(Matrix::new(&xtr, cols)?);
                s.apply_all(&mut xtr);
                s.apply_all(&mut xte);
            }
            let ytr: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
            let truth: Vec<f64> = test.iter().map(|&i| y[i]).collect();
            let start = std::time::Instant::now();
            let model = Regressor::fit(*kind, Matrix::new(&xtr, cols)?, &ytr, &params)?;
            let seconds = start.elapsed().as_secs_f64();
            let m = Metrics::compute(&truth, &model.predict(Matrix::new(&xte, cols)?));
            eprintln!("ironcell {kind} fold {}: {seconds:.2} s", f + 1);
            ours.push(FoldResult {
                model: kind.to_string(),
                fold: f,
                seconds,
                pearson: m.pearson,
                spearman: m.spearman,
                r2: m.r2,
                mse: m.mse,
                n_train: rows.len(),
                n_test: test.len(),
            });
        }
    }

    let (theirs, versions) = match &args.python {
        Some(python) => {
            let dir = tempfile::tempdir()?;
            let script = super::scripts::BASELINES_SKLEARN
                .resolve(args.sklearn_script.as_deref(), dir.path())?;
            sklearn::run(
                python,
                &script,
                dir.path(),
                Matrix::new(&x, cols)?,
                &y,
                &folds,
                &train,
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
            println!(
                "{:<6} {:<14} {:>17} {:>17} {:>17} {:>10.2} {:>8}",
                kind.to_string(),
                engine,
                pm(|r| r.pearson),
                pm(|r| r.spearman),
                pm(|r| r.r2),
                time,
                if engine == "ironcell" {
                    "1.00".to_owned()
                } else {
                    format!("{:.2}", time / ours_time)
                },
            );
        }
    }
    println!("(ratio: scikit-learn's mean fit time over ironcell's; above 1 ironcell is faster)");
    if let Some(out) = &args.out {
        let doc = json!({"data": what, "folds": folds.len(), "params": params,
            "ironcell": ours, "scikit_learn": theirs, "versions": versions});
        fs::write(out, serde_json::to_vec_pretty(&doc)?)
            .with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(())
}

/// Mean and standard deviation of `f` over the folds of `kind`.
fn summary(results: &[FoldResult], kind: ModelKind, f: fn(&FoldResult) -> f64) -> (f64, f64) {
    let v: Vec<f64> = results
        .iter()
        .filter(|r| r.model == kind.to_string())
        .map(f)
        .collect();
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64;
    (mean, var.sqrt())
}
