//! A model scored on a dataset's test part: one outcome per label over every test genotype,
//! then broken down by genotype size and, where the dataset combines several, by dataset.

use std::collections::BTreeMap;

use ironcell_data::{dataset::Manifest, instances::Instances, split::Split};
use ironcell_models::predictor::{Genotypes, Predictions, Predictor};
use serde::{Deserialize, Serialize};

use crate::{
    report::evidence::{RowSpread, TestRow, TestRows},
    score::{calibration, ranking, score, Estimate, Judged},
    Error,
};

/// One model's test-set numbers for one label on one part of one split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The task or dataset scored.
    pub task: String,
    /// The split.
    pub split: String,
    /// What the split held out, where it held out one thing (an environment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_out: Option<String>,
    /// The seed of the split and the model, where there were several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The model.
    pub model: String,
    /// Whose implementation: `ironcell`, `scikit-learn`.
    pub engine: String,
    /// The label.
    pub label: String,
    /// `all`, or the part of the test set: `1 gene`, `2 genes`, `3+ genes`, `dataset NAME`.
    pub subset: String,
    /// Training genotypes the model saw.
    pub n_train: usize,
    /// Test genotypes scored.
    pub n_test: usize,
    /// Fit time, where measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// The metrics with their intervals.
    pub metrics: BTreeMap<String, Estimate>,
}

/// Test-set numbers and the predictions behind them, as a report draws them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scored {
    /// Per label and part of the test set.
    pub outcomes: Vec<Outcome>,
    /// Per label, the scored test genotypes.
    pub rows: Vec<TestRows>,
}

impl Scored {
    /// Adds `other`'s outcomes and rows after these.
    pub fn extend(&mut self, other: Self) {
        self.outcomes.extend(other.outcomes);
        self.rows.extend(other.rows);
    }
}

/// Bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bootstrap {
    /// Resamples of each test set.
    pub resamples: usize,
    /// Their seed.
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Self {
            resamples: 200,
            seed: 0,
        }
    }
}

/// Subsets of fewer test genotypes than this are not scored on their own.
const MIN_SUBSET: usize = 3;

/// Scores `predictor` on the test part of `split` of the dataset (`instances`, `manifest`)
/// named `task`: every label the model predicts that the dataset has, over the test genotypes
/// with a value; then by genotype size and by dataset. `n_train` is what the caller knows of
/// the model's training rows. The scored predictions come back beside the outcomes.
pub fn evaluate(
    predictor: &dyn Predictor,
    instances: &Instances,
    manifest: &Manifest,
    split: (&str, &Split),
    task: &str,
    n_train: usize,
    bootstrap: Bootstrap,
) -> Result<Scored, Error> {
    let (split_name, split) = split;
    let card = predictor.card();
    let name = predictor.name();
    let environments = manifest.environment_names();
    let genotypes = Genotypes::new(
        &manifest.genes,
        split.test.iter().map(|&i| instances.genes(i)),
    )
    .in_environments(
        &environments,
        split.test.iter().map(|&i| instances.source(i).1).collect(),
    );
    let (predictions, spread) = predictor.predict_with_spread(&genotypes)?;
    let mut out = Scored::default();
    for (column, label) in card.labels.iter().enumerate() {
        let predicted: Vec<f64> = predictions.column(column).collect();
        let scoring = Scoring {
            task,
            split: split_name,
            model: &name,
            label,
            n_train,
            bootstrap,
        };
        if let Some(l) = manifest.labels.iter().position(|m| m == label) {
            let at = |p: &Predictions, k: usize| p.row(k)[column];
            out.rows.push(TestRows::scored(
                [task, split_name, &name, label],
                split.test.iter().enumerate().map(|(k, &i)| TestRow {
                    genes: instances.genes(i).len(),
                    measured: f64::from(instances.label(l, i).value),
                    predicted: predicted[k],
                    spread: spread.as_ref().map(|s| RowSpread {
                        sd: at(&s.sd, k),
                        low: at(&s.low, k),
                        high: at(&s.high, k),
                    }),
                }),
            ));
        }
        let mut outcomes = score_rows(
            instances,
            manifest,
            &split.test,
            &predicted,
            &scoring,
            Breakdown::Full,
        );
        // A model with a spread: how far to trust it, on the whole test part.
        if let (Some(spread), Some(l)) = (&spread, manifest.labels.iter().position(|m| m == label))
        {
            let (mut truth, mut kept, mut intervals) = (Vec::new(), Vec::new(), Vec::new());
            for (k, &i) in split.test.iter().enumerate() {
                let t = f64::from(instances.label(l, i).value);
                let row = |p: &Predictions| p.row(k)[column];
                if t.is_finite() && predicted[k].is_finite() {
                    truth.push(t);
                    kept.push(predicted[k]);
                    intervals.push((row(&spread.sd), row(&spread.low), row(&spread.high)));
                }
            }
            if let Some(all) = outcomes.iter_mut().find(|o| o.subset == "all") {
                all.metrics.extend(calibration(
                    &truth,
                    &kept,
                    &intervals,
                    bootstrap.resamples,
                    bootstrap.seed,
                ));
            }
        }
        out.outcomes.extend(outcomes);
    }
    Ok(out)
}

/// What predictions are scored as.
#[derive(Debug, Clone, Copy)]
pub struct Scoring<'a> {
    /// The task or dataset.
    pub task: &'a str,
    /// The split.
    pub split: &'a str,
    /// The model.
    pub model: &'a str,
    /// The dataset's label the predictions are of.
    pub label: &'a str,
    /// The model's training rows.
    pub n_train: usize,
    /// The intervals' bootstrap.
    pub bootstrap: Bootstrap,
}

/// Which parts of the scored rows get an outcome of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown<'a> {
    /// `all`, then each genotype size and each dataset (where there are several).
    Full,
    /// The rows as one subset of this name.
    Only(&'a str),
}

/// Scores `predicted` (one value per row of `rows`) against the dataset's values of
/// `scoring.label`, over the rows where both are numbers, as `breakdown` asks. A label the
/// dataset lacks scores nothing.
pub fn score_rows(
    instances: &Instances,
    manifest: &Manifest,
    rows: &[usize],
    predicted: &[f64],
    scoring: &Scoring<'_>,
    breakdown: Breakdown<'_>,
) -> Vec<Outcome> {
    let label = scoring.label;
    let Some(l) = manifest.labels.iter().position(|m| m == label) else {
        return Vec::new();
    };
    // (row, truth, prediction) where both are numbers.
    let scored: Vec<(usize, f64, f64)> = rows
        .iter()
        .zip(predicted)
        .filter_map(|(&i, &p)| {
            let t = f64::from(instances.label(l, i).value);
            (t.is_finite() && p.is_finite()).then_some((i, t, p))
        })
        .collect();
    let pairs = |part: &[(usize, f64, f64)]| part.iter().map(|&(_, t, p)| (t, p)).collect();
    let subsets: Vec<(String, Vec<(f64, f64)>)> = match breakdown {
        Breakdown::Only(name) => vec![(name.to_owned(), pairs(&scored))],
        Breakdown::Full => {
            let mut sizes: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
            let mut datasets: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
            for &(i, t, p) in &scored {
                let size = match instances.genes(i).len() {
                    1 => "1 gene",
                    2 => "2 genes",
                    _ => "3+ genes",
                };
                sizes.entry(size).or_default().push((t, p));
                let (dataset, _) = instances.source(i);
                let name = manifest
                    .datasets
                    .get(usize::from(dataset))
                    .map_or("?", String::as_str);
                datasets.entry(name).or_default().push((t, p));
            }
            // A breakdown into one part would only repeat "all".
            let mut subsets = vec![("all".to_owned(), pairs(&scored))];
            if sizes.len() > 1 {
                subsets.extend(sizes.into_iter().map(|(k, v)| (k.to_owned(), v)));
            }
            if datasets.len() > 1 {
                subsets.extend(
                    datasets
                        .into_iter()
                        .map(|(k, v)| (format!("dataset {k}"), v)),
                );
            }
            subsets
        }
    };
    let judged = Judged::of(label);
    let mut out = Vec::new();
    for (subset, pairs) in subsets {
        if pairs.len() < MIN_SUBSET {
            continue;
        }
        let (truth, prediction): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let (resamples, seed) = (scoring.bootstrap.resamples, scoring.bootstrap.seed);
        let mut metrics = score(judged, &truth, &prediction, resamples, seed);
        // The retrospective design check, on the whole of what is scored.
        if subset == "all" {
            metrics.extend(ranking(judged, &truth, &prediction, resamples, seed));
        }
        out.push(Outcome {
            task: scoring.task.to_owned(),
            split: scoring.split.to_owned(),
            held_out: None,
            seed: None,
            model: scoring.model.to_owned(),
            engine: "ironcell".to_owned(),
            label: label.to_owned(),
            subset,
            n_train: scoring.n_train,
            n_test: truth.len(),
            seconds: None,
            metrics,
        });
    }
    out
}
