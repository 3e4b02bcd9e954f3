//! A feature model tested beside the training mean: on a dataset's splits, by k-fold
//! cross-validation, or over TorchCell's grid of tree settings; and saved with the card and
//! recipe that `predict`, `explain` and `evaluate` open. `ironcell baseline` is this module
//! behind arguments.

use std::{
    borrow::Cow,
    path::{Path, PathBuf},
};

use ironcell_data::{
    dataset::Manifest,
    split::{kfold, sample, Split, SplitName},
};
use ironcell_models::{
    baseline::{
        design::{Design, Fitted},
        ModelKind, Params,
    },
    metrics::Metrics,
    predictor::{DatasetRef, FeatureModel, ModelCard, Recipe},
};
use ironcell_sources::reference::Reference;
use serde::Serialize;

use crate::Error;

/// Training rows SVR uses unless told otherwise: its kernel matrix is n × n.
pub const SVR_MAX_TRAIN: usize = 5_000;

/// One evaluation: a model (or the training mean) on one test part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The label.
    pub label: String,
    /// The split, or `foldK`.
    pub split: String,
    /// The model, or `mean`.
    pub model: String,
    /// Training rows.
    pub n_train: usize,
    /// Test rows.
    pub n_test: usize,
    /// Test Pearson correlation.
    pub pearson: f64,
    /// Test Spearman correlation.
    pub spearman: f64,
    /// Test R².
    pub r2: f64,
    /// Test mean squared error.
    pub mse: f64,
    /// Wall time of the fit.
    pub fit_seconds: f64,
}

/// A tree setting of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridPoint {
    /// Trees (rf) or boosting rounds (gbt).
    pub trees: usize,
    /// Depth limit.
    pub max_depth: Option<usize>,
    /// rf: samples to split a node; gbt: samples per leaf.
    pub min_samples: usize,
}

impl GridPoint {
    /// TorchCell's grid: trees 100/200/500 × depth 5/10/none × min-samples 2/5/10.
    pub fn torchcell() -> Vec<Self> {
        let mut points = Vec::new();
        for trees in [100, 200, 500] {
            for max_depth in [Some(5), Some(10), None] {
                for min_samples in [2, 5, 10] {
                    points.push(Self {
                        trees,
                        max_depth,
                        min_samples,
                    });
                }
            }
        }
        points
    }

    /// `params` at this point.
    fn apply(self, params: &Params) -> Params {
        let mut p = params.clone().with_trees(self.trees);
        p.rf.max_depth = self.max_depth;
        p.rf.min_samples_split = self.min_samples;
        p.gbt.max_depth = self.max_depth;
        p.gbt.min_samples_leaf = self.min_samples;
        p
    }
}

/// Neighbour labels beside the features: what a genotype's relatives along `networks`
/// measured, fitted per label on each fit's own training rows (a test row never lends its
/// label), as `train`'s `neighbour_labels` does.
#[derive(Debug, Clone, Copy)]
pub struct Neighbours<'a> {
    /// The gene networks (files the data directory's network reader knows).
    pub networks: &'a [PathBuf],
    /// The reference the networks' gene names are resolved against.
    pub reference: &'a Reference,
}

/// A fitted model and the recipe that turns a genotype into its inputs (with the neighbour
/// labels it was fitted beside, if any): what [`save`] writes.
#[derive(Debug)]
pub struct Trained {
    /// The model.
    pub fitted: Fitted,
    /// Its inputs' recipe.
    pub recipe: Recipe,
}

/// A feature model and how it is fitted.
#[derive(Debug, Clone)]
pub struct Baseline<'a> {
    /// The dataset's rows.
    pub design: &'a Design,
    /// The model.
    pub kind: ModelKind,
    /// Its hyper-parameters (seeded).
    pub params: Params,
    /// Standardise the columns on the training rows.
    pub standardize: bool,
    /// Fit on at most this many training rows, a seeded sample.
    pub max_train: Option<usize>,
    /// Seed of the sample and the folds.
    pub seed: u64,
    /// Neighbour labels beside the features, when asked for.
    pub neighbours: Option<Neighbours<'a>>,
}

impl<'a> Baseline<'a> {
    /// Fits label `l` on `train` (sampled down to `max_train`), tests on `test`: the fitted
    /// model, its row and the training mean's.
    pub fn test(
        &self,
        l: usize,
        split: &str,
        train: &[usize],
        test: &[usize],
    ) -> Result<(Trained, [Row; 2]), Error> {
        self.test_with(&self.params, l, split, train, test)
    }

    /// Label `l` fitted on `train`: the design it was fitted on (this one, or this one with
    /// neighbour labels fitted on `train`) and the model.
    fn fit(
        &self,
        params: &Params,
        l: usize,
        train: &[usize],
    ) -> Result<(Cow<'a, Design>, Trained), Error> {
        let design = match self.neighbours {
            None => Cow::Borrowed(self.design),
            Some(n) => Cow::Owned(self.design.with_neighbours(
                l,
                train,
                n.networks,
                self.seed,
                n.reference,
            )?),
        };
        let fitted = design.fit(self.kind, params, self.standardize, l, train)?;
        let recipe = design.recipe(&fitted);
        Ok((design, Trained { fitted, recipe }))
    }

    fn test_with(
        &self,
        params: &Params,
        l: usize,
        split: &str,
        train: &[usize],
        test: &[usize],
    ) -> Result<(Trained, [Row; 2]), Error> {
        let train = sample(train, self.max_train, self.seed);
        let (design, trained) = self.fit(params, l, &train)?;
        let truth = design.target(l, test);
        let predicted = design.predict(&trained.fitted, test)?;
        let train_y = design.target(l, &train);
        let mean = train_y.iter().sum::<f64>() / train_y.len().max(1) as f64;
        let row = |model: String, m: Metrics, fit_seconds| Row {
            label: design.labels()[l].clone(),
            split: split.to_owned(),
            model,
            n_train: train.len(),
            n_test: test.len(),
            pearson: m.pearson,
            spearman: m.spearman,
            r2: m.r2,
            mse: m.mse,
            fit_seconds,
        };
        let rows = [
            row(
                self.model_name(),
                Metrics::compute(&truth, &predicted),
                trained.fitted.seconds,
            ),
            row(
                "mean".to_owned(),
                Metrics::compute(&truth, &vec![mean; truth.len()]),
                0.0,
            ),
        ];
        Ok((trained, rows))
    }

    /// The model's name in rows: its kind, `+neighbours` when it reads them.
    pub fn model_name(&self) -> String {
        match self.neighbours {
            None => self.kind.to_string(),
            Some(_) => format!("{}+neighbours", self.kind),
        }
    }

    /// The rows of label `l` with a value, at least two of them.
    pub fn labelled(&self, l: usize) -> Result<Vec<usize>, Error> {
        let all: Vec<usize> = (0..self.design.len()).collect();
        let labelled = self.design.labelled(l, &all);
        if labelled.len() < 2 {
            return Err(Error::Input(format!(
                "label {} has fewer than 2 values",
                self.design.labels()[l]
            )));
        }
        Ok(labelled)
    }

    /// k-fold cross-validation of label `l`: each fold's rows (model, then mean), and the
    /// model fitted on every labelled row, the one to deploy.
    pub fn cross_validate(&self, l: usize, k: usize) -> Result<(Vec<Row>, Trained), Error> {
        if k < 2 {
            return Err(Error::Input(
                "cross-validation needs at least 2 folds".into(),
            ));
        }
        let labelled = self.labelled(l)?;
        let folds = kfold(&labelled, k, self.seed);
        let mut rows = Vec::new();
        for (f, test) in folds.iter().enumerate() {
            let train: Vec<usize> = folds
                .iter()
                .enumerate()
                .filter(|&(g, _)| g != f)
                .flat_map(|(_, fold)| fold.iter().copied())
                .collect();
            let (_, pair) = self.test(l, &format!("fold{}", f + 1), &train, test)?;
            rows.extend(pair);
        }
        Ok((rows, self.fit_all(l)?))
    }

    /// Label `l` fitted on every row with a value (sampled down to `max_train`): the model
    /// to deploy, with no test part of its own.
    pub fn fit_all(&self, l: usize) -> Result<Trained, Error> {
        let train = sample(&self.labelled(l)?, self.max_train, self.seed);
        Ok(self.fit(&self.params, l, &train)?.1)
    }

    /// The model's row for each label of `labels` at each of `points` (rf and gbt only),
    /// trained on the label's training rows of `split` and tested on its test rows; `each`
    /// hears every row.
    pub fn grid(
        &self,
        points: &[GridPoint],
        labels: &[usize],
        (name, split): (SplitName, &Split),
        mut each: impl FnMut(GridPoint, &Row),
    ) -> Result<Vec<(GridPoint, Row)>, Error> {
        if !matches!(self.kind, ModelKind::Rf | ModelKind::Gbt) {
            return Err(Error::Input(
                "the grid is for rf and gbt (trees × depth × min-samples)".into(),
            ));
        }
        let mut out = Vec::new();
        for &l in labels {
            let train = self.design.labelled(l, &split.train);
            let test = self.design.labelled(l, &split.test);
            for &point in points {
                let params = point.apply(&self.params);
                let (_, [row, _]) = self.test_with(&params, l, name.as_str(), &train, &test)?;
                each(point, &row);
                out.push((point, row));
            }
        }
        Ok(out)
    }

    /// k-fold cross-validation of label `l` (each fold's rows, model then mean), the model
    /// fitted on every labelled row saved in `out/cv/LABEL`.
    pub fn cross_validate_into(
        &self,
        l: usize,
        k: usize,
        out: &Path,
        from: Provenance<'_>,
    ) -> Result<Vec<Row>, Error> {
        let (folds, trained) = self.cross_validate(l, k)?;
        let dir = out.join("cv").join(&self.design.labels()[l]);
        save(&dir, self, (l, None), &trained, &folds, from)?;
        Ok(folds)
    }

    /// Label `l` trained on `split`'s training part and tested on its test part, the model
    /// saved in `out/SPLIT/LABEL`; or, where the split leaves fewer than 2 labelled training
    /// rows or no test row, what it leaves.
    pub fn test_split_into(
        &self,
        l: usize,
        (name, split): (SplitName, &Split),
        out: &Path,
        from: Provenance<'_>,
    ) -> Result<SplitTest, Error> {
        let train = self.design.labelled(l, &split.train);
        let test = self.design.labelled(l, &split.test);
        if train.len() < 2 || test.is_empty() {
            return Ok(SplitTest::TooSmall {
                train: train.len(),
                test: test.len(),
            });
        }
        let (trained, rows) = self.test(l, name.as_str(), &train, &test)?;
        let dir = out.join(name.as_str()).join(&self.design.labels()[l]);
        save(&dir, self, (l, Some(name)), &trained, &rows, from)?;
        Ok(SplitTest::Tested(Box::new(rows)))
    }

    /// Label `l` fitted on every labelled row and saved in `out/all/LABEL`: the folder and
    /// the rows it saw.
    pub fn fit_all_into(
        &self,
        l: usize,
        out: &Path,
        from: Provenance<'_>,
    ) -> Result<(PathBuf, usize), Error> {
        let trained = self.fit_all(l)?;
        let dir = out.join("all").join(&self.design.labels()[l]);
        save(&dir, self, (l, None), &trained, &[], from)?;
        Ok((dir, trained.fitted.rows.len()))
    }
}

/// What testing a label on a split gave.
#[derive(Debug)]
pub enum SplitTest {
    /// The model's row and the training mean's.
    Tested(Box<[Row; 2]>),
    /// Too few rows to train and test: the labelled training and test rows.
    TooSmall {
        /// Labelled training rows.
        train: usize,
        /// Labelled test rows.
        test: usize,
    },
}

/// The grid's rows as `grid.tsv`: a header, then one line per setting.
pub fn grid_tsv(rows: &[(GridPoint, Row)]) -> String {
    let mut table = String::from(
        "label\tsplit\ttrees\tmax_depth\tmin_samples\tn_train\tn_test\tpearson\tspearman\tr2\tmse\tfit_seconds\n",
    );
    for (p, r) in rows {
        let depth = p.max_depth.map_or("none".to_owned(), |d| d.to_string());
        table.push_str(&format!(
            "{}\t{}\t{}\t{depth}\t{}\t{}\t{}\t{:.6}\t{:.6}\t{:.6}\t{:.6}\t{:.3}\n",
            r.label,
            r.split,
            p.trees,
            p.min_samples,
            r.n_train,
            r.n_test,
            r.pearson,
            r.spearman,
            r.r2,
            r.mse,
            r.fit_seconds
        ));
    }
    table
}

/// Where a saved feature model came from.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    /// The dataset directory.
    pub dataset: &'a Path,
    /// Its manifest.
    pub manifest: &'a Manifest,
    /// The reference bundle the features were built from.
    pub reference: &'a Path,
}

/// Saves `fitted` (label `l` of `baseline`'s design, trained on `split` or, with none, on
/// every row) into `dir` with its recipe and a card carrying the mean of `tested`'s rows of
/// the model, where there are any.
pub fn save(
    dir: &Path,
    baseline: &Baseline<'_>,
    (l, split): (usize, Option<SplitName>),
    trained: &Trained,
    tested: &[Row],
    from: Provenance<'_>,
) -> Result<(), Error> {
    let (design, fitted, recipe) = (baseline.design, &trained.fitted, &trained.recipe);
    let label = &design.labels()[l];
    let kind = baseline.kind.to_string();
    let named = baseline.model_name();
    let mut card = ModelCard::new(&kind, vec![label.clone()], recipe.describe());
    card.dataset = Some(DatasetRef {
        dir: from.dataset.to_owned(),
        instances_sha256: from
            .manifest
            .sha256
            .get("instances.arrow")
            .cloned()
            .unwrap_or_default(),
    });
    card.split = split;
    card.reference = Some(PathBuf::from(from.reference));
    card.trained_genes = design.genes_of(&fitted.rows);
    card.trained_rows = fitted.rows.len();
    // A model fitted on every row was not tested: its card says nothing of test metrics.
    if tested.iter().any(|r| r.model == named) {
        card.set_metrics(label, mean_metrics(tested, &named));
    }
    FeatureModel::save(dir, &card, recipe, &fitted.model)?;
    Ok(())
}

/// The mean over `rows` of `model`'s test metrics (one split's row, or every fold's).
pub fn mean_metrics(rows: &[Row], model: &str) -> [(&'static str, f64); 4] {
    let [p, s, r2, mse] = spread(rows, model).map(|(mean, _)| mean);
    [("pearson", p), ("spearman", s), ("r2", r2), ("mse", mse)]
}

/// Mean and sample standard deviation over `rows` of `model` of Pearson, Spearman, R² and
/// MSE: the summary of a cross-validation.
pub fn spread(rows: &[Row], model: &str) -> [(f64, f64); 4] {
    let of = |f: fn(&Row) -> f64| -> (f64, f64) {
        let v: Vec<f64> = rows.iter().filter(|r| r.model == model).map(f).collect();
        mean_sd(&v)
    };
    [
        of(|r| r.pearson),
        of(|r| r.spearman),
        of(|r| r.r2),
        of(|r| r.mse),
    ]
}

/// The mean and the sample standard deviation of `values` (0 for fewer than two).
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let squares = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
    (mean, (squares / (values.len().max(2) - 1) as f64).sqrt())
}
