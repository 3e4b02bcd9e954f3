//! Regression metrics: Pearson, Spearman, R² and MSE.
//!
//! Written here because they are four short formulas; Spearman ranks ties by their average
//! rank, as SciPy does, so numbers compare with TorchCell's.

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

/// Pearson correlation.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
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
    fn ties_get_average_ranks() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
    }
}
