//! `bench baselines`: every baseline beside scikit-learn on the same pooled features, targets
//! and folds — test metrics per fold and fit times.

use std::{path::Path, time::Instant};

use ironcell_data::{
    dataset::read_manifest,
    features::{pooling::Pooling, GeneFeature},
    instances::Instances,
    split::{kfold, sample},
};
use ironcell_models::{
    baseline::{
        design::{Design, DesignError},
        Matrix, ModelKind, Params, Regressor, Standardizer,
    },
    metrics::Metrics,
};
use ironcell_sources::reference::Reference;

use super::synthetic;
use crate::{
    baseline::mean_sd,
    sklearn::{is_standardized, FoldResult},
    Error,
};

/// The rows every engine fits: a row-major feature matrix and a target per row.
pub struct Problem {
    /// Row-major features.
    pub x: Vec<f32>,
    /// One target per row.
    pub y: Vec<f64>,
    /// Columns of `x`.
    pub cols: usize,
    /// What the rows are, in words.
    pub what: String,
}

impl Problem {
    /// The SYNTHETIC regression of [`synthetic::regression`], `rows` rows.
    pub fn synthetic(rows: usize, seed: u64) -> Problem {
        let (x, y) = synthetic::regression(rows, seed);
        let cols = synthetic::REGRESSION_COLUMNS;
        let what = format!("SYNTHETIC regression, {rows} rows × {cols} Gaussian features");
        Problem { x, y, cols, what }
    }

    /// The instances of the dataset in `dir` labelled with `label`, as `features` pooled by
    /// `pooling`.
    pub fn dataset(
        dir: &Path,
        (features, pooling): (&[GeneFeature], Pooling),
        label: &str,
        reference: &Reference,
    ) -> Result<Problem, Error> {
        let manifest = read_manifest(dir)?;
        let instances = Instances::open(&dir.join("instances.arrow"))?;
        let (design, _) = Design::build(&manifest, &instances, features, pooling, reference)?;
        let l = design.label(label)?;
        let all: Vec<usize> = (0..design.len()).collect();
        let rows = design.labelled(l, &all);
        let names: Vec<String> = features.iter().map(ToString::to_string).collect();
        let what = format!(
            "{} ({} of {} instances with {label}), features {} pooled by {pooling}",
            dir.display(),
            rows.len(),
            design.len(),
            names.join(","),
        );
        Ok(Problem {
            x: design.rows(&rows),
            y: design.target(l, &rows),
            cols: design.width(),
            what,
        })
    }

    /// The features as a matrix.
    pub fn matrix(&self) -> Result<Matrix<'_>, Error> {
        matrix(&self.x, self.cols)
    }
}

fn matrix(x: &[f32], cols: usize) -> Result<Matrix<'_>, Error> {
    Ok(Matrix::new(x, cols).map_err(DesignError::from)?)
}

/// The test folds and each model's training rows per fold.
pub struct Folds {
    /// The test rows of each fold.
    pub test: Vec<Vec<usize>>,
    /// Per model, per fold, its training rows: the fold's complement (SVR a seeded sample of
    /// at most `svr_max_train`).
    pub train: Vec<(ModelKind, Vec<Vec<usize>>)>,
}

impl Folds {
    /// `k` folds of `n` rows (one fold: a fifth held out) for `models`.
    pub fn new(
        n: usize,
        k: usize,
        models: &[ModelKind],
        svr_max_train: usize,
        seed: u64,
    ) -> Result<Folds, Error> {
        let all: Vec<usize> = (0..n).collect();
        let test = match k {
            0 => return Err(Error::Input("--folds must be at least 1".into())),
            1 => vec![kfold(&all, 5, seed).swap_remove(0)],
            k => kfold(&all, k, seed),
        };
        // Each fold's complement, once; every model samples its training rows from it.
        let complements: Vec<Vec<usize>> = test
            .iter()
            .map(|fold| {
                let mut in_test = vec![false; n];
                fold.iter().for_each(|&i| in_test[i] = true);
                all.iter().copied().filter(|&i| !in_test[i]).collect()
            })
            .collect();
        let train = models
            .iter()
            .map(|&kind| {
                let max = (kind == ModelKind::Svr).then_some(svr_max_train);
                let per_fold = complements.iter().map(|rows| sample(rows, max, seed));
                (kind, per_fold.collect())
            })
            .collect();
        Ok(Folds { test, train })
    }
}

/// Our fit of every model on every fold, scored on the fold; `on_fit(kind, fold, seconds)`
/// hears each fit.
pub fn fit_ours(
    problem: &Problem,
    folds: &Folds,
    params: &Params,
    mut on_fit: impl FnMut(ModelKind, usize, f64),
) -> Result<Vec<FoldResult>, Error> {
    let (x, y, cols) = (&problem.x, &problem.y, problem.cols);
    let pick = |rows: &[usize]| -> Vec<f32> {
        rows.iter()
            .flat_map(|&i| x[i * cols..(i + 1) * cols].iter().copied())
            .collect()
    };
    let mut results = Vec::new();
    for (kind, per_fold) in &folds.train {
        for (f, (rows, test)) in per_fold.iter().zip(&folds.test).enumerate() {
            let (mut xtr, mut xte) = (pick(rows), pick(test));
            if is_standardized(*kind) {
                let s = Standardizer::fit(matrix(&xtr, cols)?);
                s.apply_all(&mut xtr);
                s.apply_all(&mut xte);
            }
            let ytr: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
            let truth: Vec<f64> = test.iter().map(|&i| y[i]).collect();
            let start = Instant::now();
            let model = Regressor::fit(*kind, matrix(&xtr, cols)?, &ytr, params)
                .map_err(DesignError::from)?;
            let seconds = start.elapsed().as_secs_f64();
            let m = Metrics::compute(&truth, &model.predict(matrix(&xte, cols)?));
            on_fit(*kind, f, seconds);
            results.push(FoldResult {
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
    Ok(results)
}

/// Mean and standard deviation of `f` over the folds of `kind`.
pub fn summary(results: &[FoldResult], kind: ModelKind, f: fn(&FoldResult) -> f64) -> (f64, f64) {
    let v: Vec<f64> = results
        .iter()
        .filter(|r| r.model == kind.to_string())
        .map(f)
        .collect();
    mean_sd(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_partition_the_rows_and_svr_trains_on_a_sample() {
        let folds = Folds::new(100, 4, &[ModelKind::Rf, ModelKind::Svr], 30, 1).unwrap();
        let mut seen: Vec<usize> = folds.test.concat();
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
        let (rf, svr) = (&folds.train[0].1, &folds.train[1].1);
        for ((rf, svr), test) in rf.iter().zip(svr).zip(&folds.test) {
            assert_eq!(rf.len() + test.len(), 100);
            assert!(rf.iter().all(|i| !test.contains(i)));
            assert_eq!(svr.len(), 30);
            assert!(svr.iter().all(|i| rf.contains(i)));
        }
        assert!(Folds::new(100, 0, &[ModelKind::Rf], 30, 1).is_err());
    }

    #[test]
    fn summary_is_the_mean_and_sample_deviation_of_a_models_folds() {
        let row = |model: &str, pearson| FoldResult {
            model: model.into(),
            fold: 0,
            seconds: 0.0,
            pearson,
            spearman: 0.0,
            r2: 0.0,
            mse: 0.0,
            n_train: 0,
            n_test: 0,
        };
        let rows = [row("rf", 0.5), row("rf", 0.7), row("gbt", 0.0)];
        let (mean, sd) = summary(&rows, ModelKind::Rf, |r| r.pearson);
        assert!((mean - 0.6).abs() < 1e-12 && (sd - 0.02f64.sqrt()).abs() < 1e-12);
    }
}
