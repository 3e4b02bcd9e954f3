//! Test-set metrics with 95 % percentile bootstrap intervals: Pearson, Spearman, R² and MSE for
//! values; AUROC, AUPRC and the base rate for 0/1 calls, wherever such a label is scored.

use std::collections::BTreeMap;

use ironcell_models::metrics::{bootstrap_intervals, Classification, Metrics};
use serde::{Deserialize, Serialize};

/// A metric with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// On the whole test set.
    pub value: f64,
    /// 2.5th percentile of the bootstrap.
    pub low: f64,
    /// 97.5th percentile.
    pub high: f64,
}

/// How a label is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// A value: Pearson, Spearman, R², MSE.
    Value,
    /// A 0/1 call (synthetic lethality, rescue): AUROC, AUPRC, the base rate.
    Call,
}

impl Judged {
    /// How the label called `label` is judged: calls by AUROC wherever they are scored.
    ///
    /// ```
    /// use ironcell_eval::score::Judged;
    /// assert_eq!(Judged::of("synthetic_lethality"), Judged::Call);
    /// assert_eq!(Judged::of("fitness").primary(), "pearson");
    /// ```
    pub fn of(label: &str) -> Self {
        match label {
            "synthetic_lethality" | "synthetic_rescue" => Self::Call,
            _ => Self::Value,
        }
    }

    /// The metrics, the first the one tables lead with.
    pub fn metrics(self) -> &'static [&'static str] {
        match self {
            Self::Value => &["pearson", "spearman", "r2", "mse"],
            Self::Call => &["auroc", "auprc", "base_rate"],
        }
    }

    /// The metric tables lead with.
    pub fn primary(self) -> &'static str {
        self.metrics()[0]
    }

    fn compute(self, truth: &[f64], prediction: &[f64]) -> Vec<f64> {
        match self {
            Self::Value => {
                let m = Metrics::compute(truth, prediction);
                vec![m.pearson, m.spearman, m.r2, m.mse]
            }
            Self::Call => {
                let c = Classification::compute(truth, prediction);
                vec![c.auroc, c.auprc, c.base_rate]
            }
        }
    }
}

/// Scores `prediction` against `truth` with intervals from `resamples` bootstrap draws
/// (seeded): a metric that is not a number on the whole set (the correlation of a constant
/// prediction) is NaN, its interval too.
///
/// ```
/// use ironcell_eval::score::{score, Judged};
/// let truth: Vec<f64> = (0..100).map(f64::from).collect();
/// let s = score(Judged::Value, &truth, &truth, 50, 1);
/// assert_eq!((s["pearson"].value, s["mse"].value), (1.0, 0.0));
/// assert!(s["pearson"].low <= 1.0 && s["pearson"].high >= s["pearson"].low);
/// ```
pub fn score(
    judged: Judged,
    truth: &[f64],
    prediction: &[f64],
    resamples: usize,
    seed: u64,
) -> BTreeMap<String, Estimate> {
    let point = judged.compute(truth, prediction);
    let intervals = bootstrap_intervals(truth.len(), resamples, seed, |rows| {
        let t: Vec<f64> = rows.iter().map(|&i| truth[i]).collect();
        let p: Vec<f64> = rows.iter().map(|&i| prediction[i]).collect();
        judged.compute(&t, &p)
    });
    judged
        .metrics()
        .iter()
        .zip(point.iter().zip(intervals))
        .map(|(&name, (&value, (low, high)))| (name.to_owned(), Estimate { value, low, high }))
        .collect()
}
