//! Regression metrics (Pearson, Spearman, R², MSE), classification metrics (AUROC, AUPRC,
//! base rate) and percentile bootstrap intervals.
//!
//! Written here because they are short formulas; Spearman ranks ties by their average rank,
//! as SciPy does, and AUROC and AUPRC treat tied scores as scikit-learn's `roc_auc_score` and
//! `average_precision_score` do, so numbers compare with TorchCell's and sklearn's.

use serde::{Deserialize, Serialize};

/// The four numbers every result is reported with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Pearson correlation (NaN when either side is constant).
    pub pearson: f64,
    /// Spearman rank correlation.
    pub spearman: f64,
    /// Coefficient of determination, 1 − SS_res / SS_tot.
    pub r2: f64,
    /// Mean squared error.
    pub mse: f64,
    /// Number of instances.
    pub n: usize,
}

impl Metrics {
    /// Computes all four.
    ///
    /// ```
    /// use ironcell_models::metrics::Metrics;
    /// let m = Metrics::compute(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]);
    /// assert_eq!((m.pearson, m.spearman, m.r2, m.mse), (1.0, 1.0, 1.0, 0.0));
    /// ```
    pub fn compute(truth: &[f64], prediction: &[f64]) -> Self {
        assert_eq!(truth.len(), prediction.len(), "one prediction per instance");
        let n = truth.len();
        let mse = truth
            .iter()
            .zip(prediction)
            .map(|(t, p)| (t - p).powi(2))
            .sum::<f64>()
            / n as f64;
        let mean = truth.iter().sum::<f64>() / n as f64;
        let ss_tot = truth.iter().map(|t| (t - mean).powi(2)).sum::<f64>();
        Self {
            pearson: pearson(truth, prediction),
            spearman: pearson(&ranks(truth), &ranks(prediction)),
            r2: 1.0 - mse * n as f64 / ss_tot,
            mse,
            n,
        }
    }
}

/// How well scores rank positives (truth 1) above negatives (truth 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// Area under the ROC curve (0.5 = chance), ties counted half.
    pub auroc: f64,
    /// Average precision: precision at each positive's threshold, averaged over positives.
    pub auprc: f64,
    /// The share of positives, which is the AUPRC of a score that knows nothing.
    pub base_rate: f64,
    /// Number of instances.
    pub n: usize,
}

impl Classification {
    /// Computes the three from labels (> 0.5 is positive) and scores.
    ///
    /// ```
    /// use ironcell_models::metrics::Classification;
    /// let c = Classification::compute(&[0.0, 0.0, 1.0, 1.0], &[0.1, 0.4, 0.35, 0.8]);
    /// assert_eq!((c.auroc, c.base_rate), (0.75, 0.5));
    /// assert!((c.auprc - 0.8333333333333333).abs() < 1e-12);
    /// ```
    pub fn compute(truth: &[f64], score: &[f64]) -> Self {
        assert_eq!(truth.len(), score.len(), "one score per instance");
        let n = truth.len();
        let positive: Vec<bool> = truth.iter().map(|&t| t > 0.5).collect();
        let n_pos = positive.iter().filter(|&&p| p).count();
        let n_neg = n - n_pos;
        // AUROC from the positives' average ranks (Mann–Whitney U).
        let r = ranks(score);
        let rank_sum: f64 = r
            .iter()
            .zip(&positive)
            .filter(|(_, &p)| p)
            .map(|(r, _)| r)
            .sum();
        let u = rank_sum - (n_pos * (n_pos + 1)) as f64 / 2.0;
        let auroc = u / (n_pos * n_neg) as f64;
        // Average precision over distinct thresholds, highest score first.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| score[j].total_cmp(&score[i]));
        let (mut tp, mut seen, mut ap, mut i) = (0usize, 0usize, 0.0, 0);
        while i < n {
            let mut j = i;
            let mut gained = 0;
            while j < n && score[order[j]] == score[order[i]] {
                gained += usize::from(positive[order[j]]);
                j += 1;
            }
            tp += gained;
            seen += j - i;
            ap += gained as f64 / n_pos as f64 * (tp as f64 / seen as f64);
            i = j;
        }
        Self {
            auroc,
            auprc: ap,
            base_rate: n_pos as f64 / n as f64,
            n,
        }
    }
}

/// Percentile bootstrap intervals: the `statistics` (several numbers at once, so one resample
/// serves them all) over `resamples` resamples with replacement (seeded) of the indices
/// `0..n`, and each one's 2.5th and 97.5th percentiles. Resamples where a statistic is not
/// finite (a constant prediction's correlation) are left out of its interval.
///
/// ```
/// use ironcell_models::metrics::{bootstrap_intervals, Metrics};
/// let truth: Vec<f64> = (0..200).map(f64::from).collect();
/// let pred: Vec<f64> = truth.iter().map(|t| t + (t * 7.0).sin() * 20.0).collect();
/// let ci = bootstrap_intervals(truth.len(), 200, 1, |rows| {
///     let t: Vec<f64> = rows.iter().map(|&i| truth[i]).collect();
///     let p: Vec<f64> = rows.iter().map(|&i| pred[i]).collect();
///     let m = Metrics::compute(&t, &p);
///     vec![m.pearson, m.mse]
/// });
/// let all = Metrics::compute(&truth, &pred);
/// assert!(ci[0].0 < all.pearson && all.pearson < ci[0].1 && ci[0].1 - ci[0].0 < 0.1);
/// assert!(ci[1].0 < all.mse && all.mse < ci[1].1);
/// ```
pub fn bootstrap_intervals(
    n: usize,
    resamples: usize,
    seed: u64,
    statistics: impl Fn(&[usize]) -> Vec<f64> + Sync,
) -> Vec<(f64, f64)> {
    use rand::{Rng, SeedableRng};
    use rayon::prelude::*;
    let draws: Vec<Vec<f64>> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            let stream = seed ^ (b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(stream);
            let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            statistics(&rows)
        })
        .collect();
    let k = draws.first().map_or(0, Vec::len);
    (0..k)
        .map(|s| {
            let mut v: Vec<f64> = draws
                .iter()
                .map(|d| d[s])
                .filter(|x| x.is_finite())
                .collect();
            if v.is_empty() {
                return (f64::NAN, f64::NAN);
            }
            v.sort_by(f64::total_cmp);
            let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
            (at(0.025), at(0.975))
        })
        .collect()
}

/// Pearson correlation; NaN when either side is constant (a mean model's prediction), where
/// rounding would otherwise leave a meaningless ±0.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let constant = |v: &[f64]| v.iter().all(|&x| x == v[0]);
    if a.is_empty() || constant(a) || constant(b) {
        return f64::NAN;
    }
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    sab / (saa * sbb).sqrt()
}

/// Ranks from 1, ties given their average rank.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // SciPy: pearsonr([1,2,3,4],[2,1,4,3]) = 0.6, spearmanr = 0.6.
        let m = Metrics::compute(&[1.0, 2.0, 3.0, 4.0], &[2.0, 1.0, 4.0, 3.0]);
        assert!((m.pearson - 0.6).abs() < 1e-12);
        assert!((m.spearman - 0.6).abs() < 1e-12);
        assert!((m.mse - 1.0).abs() < 1e-12);
        assert!((m.r2 - 0.2).abs() < 1e-12);
    }

    #[test]
    fn classification_matches_scikit_learn() {
        // sklearn: roc_auc_score([0,1,1,0,1,0],[0.2,0.9,0.5,0.5,0.3,0.1]) = 0.8333…,
        // average_precision_score(same) = 0.8055…
        let c = Classification::compute(
            &[0.0, 1.0, 1.0, 0.0, 1.0, 0.0],
            &[0.2, 0.9, 0.5, 0.5, 0.3, 0.1],
        );
        assert!((c.auroc - 5.0 / 6.0).abs() < 1e-12, "{c:?}");
        assert!(
            (c.auprc - (1.0 + 2.0 / 3.0 + 0.75) / 3.0).abs() < 1e-12,
            "{c:?}"
        );
        assert_eq!(c.base_rate, 0.5);
        assert!(Metrics::compute(&[1.0, 2.0, 3.0], &[0.7; 3])
            .pearson
            .is_nan());
        let constant = Classification::compute(&[0.0, 1.0, 0.0, 1.0], &[0.3; 4]);
        assert_eq!((constant.auroc, constant.auprc), (0.5, 0.5));
    }

    #[test]
    fn ties_get_average_ranks() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
    }
}
