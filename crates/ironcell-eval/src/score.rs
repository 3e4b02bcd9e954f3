//! Test-set metrics with 95 % percentile bootstrap intervals: Pearson, Spearman, R² and MSE for
//! values; AUROC, AUPRC and the base rate for 0/1 calls, wherever such a label is scored.

use std::collections::BTreeMap;

use ironcell_models::metrics::{bootstrap_intervals, pearson, ranks, Classification, Metrics};
use serde::{Deserialize, Serialize};

/// A metric with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// On the whole test set.
    #[serde(deserialize_with = "nan_from_null")]
    pub value: f64,
    /// 2.5th percentile of the bootstrap.
    #[serde(deserialize_with = "nan_from_null")]
    pub low: f64,
    /// 97.5th percentile.
    #[serde(deserialize_with = "nan_from_null")]
    pub high: f64,
}

/// JSON writes a NaN (a constant prediction's correlation) as `null`; it reads back as NaN.
///
/// ```
/// use ironcell_eval::score::Estimate;
/// let e: Estimate = serde_json::from_str(r#"{"value": null, "low": 0.1, "high": null}"#).unwrap();
/// assert!(e.value.is_nan() && e.low == 0.1 && e.high.is_nan());
/// ```
fn nan_from_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Option::<f64>::deserialize(d).map(|v| v.unwrap_or(f64::NAN))
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
    let names = judged.metrics().iter().map(|&n| n.to_owned());
    estimates(names, truth.len(), resamples, seed, |rows| {
        let t: Vec<f64> = rows.iter().map(|&i| truth[i]).collect();
        let p: Vec<f64> = rows.iter().map(|&i| prediction[i]).collect();
        judged.compute(&t, &p)
    })
}

/// `statistics` of all `n` rows with percentile bootstrap intervals from `resamples` draws
/// (seeded), named in order by `names`.
fn estimates(
    names: impl IntoIterator<Item = String>,
    n: usize,
    resamples: usize,
    seed: u64,
    statistics: impl Fn(&[usize]) -> Vec<f64> + Sync,
) -> BTreeMap<String, Estimate> {
    let all: Vec<usize> = (0..n).collect();
    let point = statistics(&all);
    let bands = bootstrap_intervals(n, resamples, seed, statistics);
    names
        .into_iter()
        .zip(point.into_iter().zip(bands))
        .map(|(name, (value, (low, high)))| (name, Estimate { value, low, high }))
        .collect()
}

/// How far a model's spread can be trusted, with bootstrap intervals: `coverage_90`, the
/// share of the truths inside the predictions' central 90 % intervals (0.90 when the spread
/// is calibrated, less when it is too narrow), and `spread_error_spearman`, the Spearman
/// correlation between the spread (standard deviation) and the absolute error (above 0 when
/// a wider spread does flag a worse prediction). `intervals[i]` is `(sd, low, high)`.
///
/// ```
/// use ironcell_eval::score::calibration;
/// let truth = [0.0, 1.0, 2.0, 3.0];
/// let prediction = [0.1, 1.5, 2.0, 5.0];
/// // Errors 0.1, 0.5, 0, 2: the spread ranks them but for the third; 3 of 4 are covered.
/// let intervals = [(0.1, -0.1, 0.3), (0.4, 0.8, 2.2), (0.2, 1.5, 2.5), (1.0, 4.0, 6.0)];
/// let c = calibration(&truth, &prediction, &intervals, 20, 1);
/// assert_eq!(c["coverage_90"].value, 0.75);
/// assert!((c["spread_error_spearman"].value - 0.8).abs() < 1e-12);
/// ```
pub fn calibration(
    truth: &[f64],
    prediction: &[f64],
    intervals: &[(f64, f64, f64)],
    resamples: usize,
    seed: u64,
) -> BTreeMap<String, Estimate> {
    let names = ["coverage_90", "spread_error_spearman"].map(str::to_owned);
    estimates(names, truth.len(), resamples, seed, |rows| {
        let covered = rows
            .iter()
            .filter(|&&i| (intervals[i].1..=intervals[i].2).contains(&truth[i]))
            .count();
        let sd: Vec<f64> = rows.iter().map(|&i| intervals[i].0).collect();
        let error: Vec<f64> = rows
            .iter()
            .map(|&i| (truth[i] - prediction[i]).abs())
            .collect();
        let spearman = pearson(&ranks(&sd), &ranks(&error));
        vec![covered as f64 / rows.len().max(1) as f64, spearman]
    })
}

/// The ranks a retrospective design check reads (`precision_at_K`).
pub const TOP_K: [usize; 3] = [10, 50, 100];

/// The share of the measured values a value label's extremes are: its lowest 5 % (the
/// sickest strains, the most negative interactions).
const EXTREME: f64 = 0.05;

/// A retrospective design check, with bootstrap intervals: the test genotypes ranked by the
/// model — lowest prediction first for a value label, highest score first for calls — and
/// `precision_at_K`, the share of the first K that are measured extremes: the positives of a
/// call, the lowest 5 % of the measured values otherwise. `hit_rate`, the extremes' share of
/// all genotypes, is what a random ranking's precision is on average. A K above the
/// genotypes scored is left out.
///
/// ```
/// use ironcell_eval::score::{ranking, Judged};
/// // 200 genotypes; the model ranks the 10 lowest measured values first.
/// let truth: Vec<f64> = (0..200).map(f64::from).collect();
/// let r = ranking(Judged::Value, &truth, &truth, 20, 1);
/// assert_eq!((r["precision_at_10"].value, r["hit_rate"].value), (1.0, 0.05));
/// assert_eq!(r["precision_at_50"].value, 0.2);
/// assert!(!r.contains_key("precision_at_1000"));
/// ```
pub fn ranking(
    judged: Judged,
    truth: &[f64],
    prediction: &[f64],
    resamples: usize,
    seed: u64,
) -> BTreeMap<String, Estimate> {
    if truth.is_empty() {
        return BTreeMap::new();
    }
    let ks: Vec<usize> = TOP_K.into_iter().filter(|&k| k <= truth.len()).collect();
    let compute = |rows: &[usize]| -> Vec<f64> {
        let hit: Vec<bool> = match judged {
            Judged::Call => rows.iter().map(|&i| truth[i] >= 0.5).collect(),
            Judged::Value => {
                let mut sorted: Vec<f64> = rows.iter().map(|&i| truth[i]).collect();
                sorted.sort_unstable_by(f64::total_cmp);
                let cut = ((EXTREME * sorted.len() as f64).ceil() as usize).max(1);
                let threshold = sorted[cut - 1];
                rows.iter().map(|&i| truth[i] <= threshold).collect()
            }
        };
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let key = |k: usize| match judged {
            Judged::Call => -prediction[rows[k]],
            Judged::Value => prediction[rows[k]],
        };
        // Ties (a constant model; trees' shared leaves) are broken by a seeded hash of the
        // genotype, not by the order the rows came in, which may hold the extremes first: a
        // model that cannot tell genotypes apart then ranks them as a random ranking would.
        let shuffle = |k: usize| splitmix(seed ^ rows[k] as u64);
        order.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(shuffle(a).cmp(&shuffle(b))));
        let mut values: Vec<f64> = ks
            .iter()
            .map(|&k| order[..k].iter().filter(|&&o| hit[o]).count() as f64 / k as f64)
            .collect();
        values.push(hit.iter().filter(|&&h| h).count() as f64 / rows.len().max(1) as f64);
        values
    };
    let names = ks
        .iter()
        .map(|k| format!("precision_at_{k}"))
        .chain(["hit_rate".to_owned()]);
    estimates(names, truth.len(), resamples, seed, compute)
}

/// SplitMix64's output function: a well-mixed 64-bit hash of `x`.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_ranking_finds_extremes_at_the_hit_rate_wherever_they_sit() {
        // The 500 lowest of 10,000 values first in the data: a constant model must not
        // rank them first.
        let truth: Vec<f64> = (0..10_000).map(f64::from).collect();
        let constant = vec![0.5; truth.len()];
        let r = ranking(Judged::Value, &truth, &constant, 50, 3);
        assert_eq!(r["hit_rate"].value, 0.05);
        let p = r["precision_at_100"].value;
        assert!(p < 0.15, "{p}");
        assert!(r["precision_at_100"].low <= p && p <= r["precision_at_100"].high);
    }
}
