//! `ironcell baseline`: a traditional model on pooled gene features, tested on the dataset's
//! splits (or k-fold cross-validation) beside the training mean, and saved with everything
//! `ironcell predict` needs to score new genotypes.

use std::{fs, path::Path, time::Instant};

use anyhow::{bail, ensure, Context, Result};
use ironcell_data::{
    dataset::{read_manifest, read_split, Manifest},
    features::{
        pooling::{Pooler, Pooling},
        GeneFeature, GeneFeatures,
    },
    instances::{perturbed_genes, Instances},
    split::kfold,
    split::SplitName,
};
use ironcell_models::{
    baseline::{Matrix, ModelKind, Params, Regressor, Standardizer},
    metrics::Metrics,
    predictor::{DatasetRef, FeatureModel, ModelCard, Recipe},
};
use ironcell_sources::reference::Reference;
use rand::{seq::index::sample, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::args::BaselineArgs;

/// Training rows SVR uses by default: its kernel matrix is n × n.
const SVR_MAX_TRAIN: usize = 5_000;

/// One evaluation: a model (or the training mean) on one test part.
#[derive(Debug, Clone, Serialize)]
struct Row {
    label: String,
    split: String,
    model: String,
    n_train: usize,
    n_test: usize,
    pearson: f64,
    spearman: f64,
    r2: f64,
    mse: f64,
    fit_seconds: f64,
}

/// The dataset as features and labels, ready for fitting.
pub(crate) struct Inputs {
    /// Pooled features, row-major `instances × width`.
    pub x: Vec<f32>,
    pub width: usize,
    pub labels: Vec<String>,
    /// Row-major `instances × labels`.
    pub y: Vec<f64>,
    genes: Vec<Vec<u32>>,
}

impl Inputs {
    pub(crate) fn target(&self, l: usize, rows: &[usize]) -> Vec<f64> {
        let n = self.labels.len();
        rows.iter().map(|&i| self.y[i * n + l]).collect()
    }

    pub(crate) fn rows(&self, rows: &[usize]) -> Vec<f32> {
        rows.iter()
            .flat_map(|&i| self.x[i * self.width..(i + 1) * self.width].iter().copied())
            .collect()
    }
}

/// A fitted model with what it needs at prediction time.
struct Fitted {
    model: Regressor,
    /// The rows it was fitted on.
    rows: Vec<usize>,
    standardizer: Option<Standardizer>,
    seconds: f64,
}

struct Job<'a> {
    args: &'a BaselineArgs,
    inputs: &'a Inputs,
    params: Params,
    max_train: Option<usize>,
}

impl Job<'_> {
    /// `train`, or a seeded sample of `max_train` of it.
    fn sampled(&self, train: &[usize]) -> Vec<usize> {
        match self.max_train {
            Some(m) if train.len() > m => {
                let mut rng = ChaCha8Rng::seed_from_u64(self.args.seed);
                let mut pick: Vec<usize> = sample(&mut rng, train.len(), m)
                    .into_iter()
                    .map(|k| train[k])
                    .collect();
                pick.sort_unstable();
                pick
            }
            _ => train.to_vec(),
        }
    }

    /// Fits on rows `train` (already sampled).
    fn fit(&self, kind: ModelKind, params: &Params, l: usize, train: &[usize]) -> Result<Fitted> {
        let mut x = self.inputs.rows(train);
        let y = self.inputs.target(l, train);
        let width = self.inputs.width;
        let standardizer = self.args.standardize.then(|| {
            let s = Standardizer::fit(Matrix::new(&x, width).expect("pooled features are finite"));
            s.apply_all(&mut x);
            s
        });
        let start = Instant::now();
        let model = Regressor::fit(kind, Matrix::new(&x, width)?, &y, params)?;
        Ok(Fitted {
            model,
            rows: train.to_vec(),
            standardizer,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    fn predict(&self, fitted: &Fitted, rows: &[usize]) -> Result<Vec<f64>> {
        let mut x = self.inputs.rows(rows);
        if let Some(s) = &fitted.standardizer {
            s.apply_all(&mut x);
        }
        Ok(fitted.model.predict(Matrix::new(&x, self.inputs.width)?))
    }

    /// Fits on `train`, tests on `test`; the rows of the model and of the training mean.
    fn evaluate(
        &self,
        kind: ModelKind,
        params: &Params,
        l: usize,
        split: &str,
        train: &[usize],
        test: &[usize],
    ) -> Result<(Fitted, [Row; 2])> {
        let train = &self.sampled(train);
        let fitted = self.fit(kind, params, l, train)?;
        let truth = self.inputs.target(l, test);
        let predicted = self.predict(&fitted, test)?;
        let train_y = self.inputs.target(l, train);
        let mean = train_y.iter().sum::<f64>() / train_y.len() as f64;
        let row = |model: String, m: Metrics, seconds| Row {
            label: self.inputs.labels[l].clone(),
            split: split.to_owned(),
            model,
            n_train: train.len(),
            n_test: test.len(),
            pearson: m.pearson,
            spearman: m.spearman,
            r2: m.r2,
            mse: m.mse,
            fit_seconds: seconds,
        };
        let rows = [
            row(
                kind.to_string(),
                Metrics::compute(&truth, &predicted),
                fitted.seconds,
            ),
            row(
                "mean".to_owned(),
                Metrics::compute(&truth, &vec![mean; truth.len()]),
                0.0,
            ),
        ];
        Ok((fitted, rows))
    }
}

impl Inputs {
    /// Pools `features` of every instance of the dataset in `dir`; prints what the features
    /// cover. Returns the inputs, the manifest and the concatenation's slots.
    pub(crate) fn load(
        dir: &Path,
        kinds: &[GeneFeature],
        pooling: Pooling,
        reference: &Reference,
    ) -> Result<(Self, Manifest, usize)> {
        let manifest = read_manifest(dir)?;
        let instances = Instances::open(&dir.join("instances.arrow"))?;
        let (features, reports) = GeneFeatures::build(kinds, &manifest.genes, reference)?;
        for r in &reports {
            println!(
                "features {}: {} columns, {} of {} genes without data (zeros)",
                r.feature,
                r.columns,
                r.genes_without_data,
                manifest.genes.len()
            );
        }
        let slots = manifest.by_size.keys().copied().max().unwrap_or(1);
        let pooler = Pooler::new(pooling, &features, slots);
        let all: Vec<usize> = (0..instances.len()).collect();
        let x = pooler.pool_instances(&instances, &all, &features)?;
        let labels = manifest.labels.clone();
        let y: Vec<f64> = (0..instances.len())
            .flat_map(|i| (0..labels.len()).map(move |l| (l, i)))
            .map(|(l, i)| f64::from(instances.label(l, i).value))
            .collect();
        let inputs = Self {
            x,
            width: pooler.width(),
            genes: all.iter().map(|&i| instances.genes(i).to_vec()).collect(),
            labels,
            y,
        };
        Ok((inputs, manifest, slots))
    }

    /// Number of instances.
    pub(crate) fn len(&self) -> usize {
        self.genes.len()
    }

    /// Index of label `name`.
    pub(crate) fn label_index(&self, name: &str) -> Result<usize> {
        self.labels.iter().position(|l| l == name).with_context(|| {
            format!(
                "label {name:?} is not in the dataset (it has {:?})",
                self.labels
            )
        })
    }
}

pub fn run(args: &BaselineArgs) -> Result<()> {
    let reference = args.data.load()?;
    let (inputs, manifest, slots) = Inputs::load(
        &args.dataset,
        &args.features,
        args.pooling,
        &reference.reference,
    )?;
    let chosen: Vec<usize> = if args.labels.is_empty() {
        (0..inputs.labels.len()).collect()
    } else {
        args.labels
            .iter()
            .map(|name| inputs.label_index(name))
            .collect::<Result<_>>()?
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
    let job = Job {
        args,
        inputs: &inputs,
        params,
        max_train: args
            .max_train
            .or((args.model == ModelKind::Svr).then_some(SVR_MAX_TRAIN)),
    };
    println!(
        "{}: {} instances × {} features ({} pooling); model {}{}",
        args.dataset.display(),
        inputs.len(),
        inputs.width,
        args.pooling,
        args.model,
        job.max_train
            .map_or(String::new(), |m| format!(", at most {m} training rows"))
    );
    fs::create_dir_all(&args.out).with_context(|| format!("{}", args.out.display()))?;
    if args.grid {
        return grid(&job, &chosen);
    }
    // A fitted model saved with its recipe and card: what `predict` and `evaluate` open.
    let save = |dir: &Path, l: usize, split: Option<SplitName>, fitted: &Fitted, tested: &[Row]| {
        let recipe = Recipe {
            features: args.features.clone(),
            pooling: args.pooling,
            slots,
            standardizer: fitted.standardizer.clone(),
            universe: manifest.genes.clone(),
        };
        let mut card = ModelCard::new(
            &args.model.to_string(),
            vec![inputs.labels[l].clone()],
            recipe.describe(),
        );
        card.dataset = Some(DatasetRef {
            dir: args.dataset.clone(),
            instances_sha256: manifest
                .sha256
                .get("instances.arrow")
                .cloned()
                .unwrap_or_default(),
        });
        card.split = split;
        card.reference = Some(reference.dir.clone());
        card.trained_genes = perturbed_genes(&manifest.genes, &fitted.rows, |i| {
            inputs.genes[i].iter().copied()
        });
        card.trained_rows = fitted.rows.len();
        card.set_metrics(
            &inputs.labels[l],
            mean_metrics(tested, &args.model.to_string()),
        );
        FeatureModel::save(dir, &card, &recipe, &fitted.model)
            .with_context(|| format!("saving the model in {}", dir.display()))
    };
    let mut rows = Vec::new();
    print_header();
    for &l in &chosen {
        let labelled: Vec<usize> = (0..inputs.len())
            .filter(|&i| inputs.y[i * inputs.labels.len() + l].is_finite())
            .collect();
        ensure!(
            labelled.len() >= 2,
            "label {} has fewer than 2 values",
            inputs.labels[l]
        );
        if let Some(k) = args.cv {
            ensure!(k >= 2, "--cv needs at least 2 folds");
            let folds = kfold(&labelled, k, args.seed);
            let mut fold_rows = Vec::new();
            for (f, test) in folds.iter().enumerate() {
                let train: Vec<usize> = folds
                    .iter()
                    .enumerate()
                    .filter(|&(g, _)| g != f)
                    .flat_map(|(_, fold)| fold.iter().copied())
                    .collect();
                let (_, pair) = job.evaluate(
                    args.model,
                    &job.params,
                    l,
                    &format!("fold{}", f + 1),
                    &train,
                    test,
                )?;
                pair.iter().for_each(print_row);
                fold_rows.extend(pair);
            }
            for model in [args.model.to_string(), "mean".to_owned()] {
                summarise(&fold_rows, &model);
            }
            let fitted = job.fit(args.model, &job.params, l, &job.sampled(&labelled))?;
            let dir = args.out.join("cv").join(&inputs.labels[l]);
            save(&dir, l, None, &fitted, &fold_rows)?;
            rows.extend(fold_rows);
        } else {
            for &split_name in &args.splits {
                let split = read_split(&args.dataset.join("splits.arrow"), split_name)?;
                let name = split_name.as_str();
                let keep = |part: &[usize]| -> Vec<usize> {
                    part.iter()
                        .copied()
                        .filter(|&i| inputs.y[i * inputs.labels.len() + l].is_finite())
                        .collect()
                };
                let (train, test) = (keep(&split.train), keep(&split.test));
                if train.len() < 2 || test.is_empty() {
                    println!(
                        "{:<16} {name:<14} skipped: train {}, test {}",
                        inputs.labels[l],
                        train.len(),
                        test.len()
                    );
                    continue;
                }
                let (fitted, pair) =
                    job.evaluate(args.model, &job.params, l, name, &train, &test)?;
                pair.iter().for_each(print_row);
                let dir = args.out.join(name).join(&inputs.labels[l]);
                save(&dir, l, Some(split_name), &fitted, &pair)?;
                rows.extend(pair);
            }
        }
    }
    let path = args.out.join("metrics.json");
    fs::write(&path, serde_json::to_vec_pretty(&rows)?)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("models and metrics in {}", args.out.display());
    Ok(())
}

/// The mean over `rows` of `model`'s test metrics (one split's row, or every fold's).
fn mean_metrics(rows: &[Row], model: &str) -> [(&'static str, f64); 4] {
    let of: Vec<&Row> = rows.iter().filter(|r| r.model == model).collect();
    let mean = |f: fn(&Row) -> f64| of.iter().map(|r| f(r)).sum::<f64>() / of.len().max(1) as f64;
    [
        ("pearson", mean(|r| r.pearson)),
        ("spearman", mean(|r| r.spearman)),
        ("r2", mean(|r| r.r2)),
        ("mse", mean(|r| r.mse)),
    ]
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

/// Mean ± standard deviation over folds.
fn summarise(rows: &[Row], model: &str) {
    let of = |f: fn(&Row) -> f64| -> (f64, f64) {
        let v: Vec<f64> = rows.iter().filter(|r| r.model == model).map(f).collect();
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64;
        (mean, var.sqrt())
    };
    let (p, ps) = of(|r| r.pearson);
    let (s, ss) = of(|r| r.spearman);
    let (r2, r2s) = of(|r| r.r2);
    let (m, ms) = of(|r| r.mse);
    println!(
        "{:<16} {:<14} {:<6} Pearson {p:.4} ± {ps:.4}, Spearman {s:.4} ± {ss:.4}, R² {r2:.4} ± {r2s:.4}, MSE {m:.5} ± {ms:.5}",
        rows.first().map_or("", |r| r.label.as_str()),
        "mean ± std",
        model,
    );
}

/// The TorchCell grid on the first split (or the folds), one line per setting in grid.tsv.
fn grid(job: &Job<'_>, labels: &[usize]) -> Result<()> {
    let args = job.args;
    let kind = args.model;
    if !matches!(kind, ModelKind::Rf | ModelKind::Gbt) {
        bail!("--grid is for rf and gbt (trees × depth × min-samples)");
    }
    let path = args.out.join("grid.tsv");
    let mut table = String::from(
        "label\tsplit\ttrees\tmax_depth\tmin_samples\tn_train\tn_test\tpearson\tspearman\tr2\tmse\tfit_seconds\n",
    );
    let split_name = args.splits.first().copied().unwrap_or(SplitName::Random);
    let split = read_split(&args.dataset.join("splits.arrow"), split_name)?;
    print_header();
    for &l in labels {
        let n = job.inputs.labels.len();
        let keep = |part: &[usize]| -> Vec<usize> {
            part.iter()
                .copied()
                .filter(|&i| job.inputs.y[i * n + l].is_finite())
                .collect()
        };
        let (train, test) = (keep(&split.train), keep(&split.test));
        for trees in [100, 200, 500] {
            for depth in [Some(5), Some(10), None] {
                for min_samples in [2, 5, 10] {
                    let mut p = job.params.clone();
                    p.rf.trees = trees;
                    p.rf.max_depth = depth;
                    p.rf.min_samples_split = min_samples;
                    p.gbt.rounds = trees;
                    p.gbt.max_depth = depth;
                    p.gbt.min_samples_leaf = min_samples;
                    let (_, [row, _]) =
                        job.evaluate(kind, &p, l, split_name.as_str(), &train, &test)?;
                    print_row(&row);
                    let depth = depth.map_or("none".to_owned(), |d| d.to_string());
                    table.push_str(&format!(
                        "{}\t{}\t{trees}\t{depth}\t{min_samples}\t{}\t{}\t{:.6}\t{:.6}\t{:.6}\t{:.6}\t{:.3}\n",
                        row.label, row.split, row.n_train, row.n_test, row.pearson, row.spearman, row.r2, row.mse, row.fit_seconds
                    ));
                }
            }
        }
    }
    fs::write(&path, table).with_context(|| format!("writing {}", path.display()))?;
    println!("grid in {}", path.display());
    Ok(())
}
