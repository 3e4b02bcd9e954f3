//! Bins over a label's range, for the classification objectives: equal width, equal frequency,
//! or equal width on an asinh scale, which spreads the many interaction scores near 0 and
//! gathers the few far ones (ε, τ and E-MAP S are heavy-tailed).
//!
//! The outer bins are open: a value beyond the training range falls in the first or last bin,
//! and a Gaussian around any value puts its whole mass somewhere in the bins.

use serde::{Deserialize, Serialize};

/// How bin edges are placed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Binning {
    /// Equal widths between the lowest and highest training value.
    EqualWidth,
    /// Each bin holds about as many training values.
    EqualFrequency,
    /// Equal widths of asinh(value / scale): linear within ±scale, logarithmic beyond.
    Asinh {
        /// Where the scale turns from linear to logarithmic.
        scale: f64,
    },
}

/// Bins fitted on training values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bins {
    /// K + 1 increasing edges, the outer ones the training range (open beyond).
    edges: Vec<f64>,
    /// K centers, one inside each bin.
    centers: Vec<f64>,
}

impl Bins {
    /// `k` bins over the finite values of `values` placed by `binning`.
    ///
    /// ```
    /// use ironcell_models::loss::bins::{Binning, Bins};
    /// let bins = Bins::fit(&[0.0, 1.0, 2.0, 3.0, 4.0], 4, Binning::EqualWidth).unwrap();
    /// assert_eq!(bins.edges(), [0.0, 1.0, 2.0, 3.0, 4.0]);
    /// assert_eq!(bins.centers(), [0.5, 1.5, 2.5, 3.5]);
    /// assert_eq!((bins.index_of(-7.0), bins.index_of(2.2), bins.index_of(9.0)), (0, 2, 3));
    /// ```
    pub fn fit(values: &[f64], k: usize, binning: Binning) -> Result<Self, String> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if k < 2 {
            return Err(format!("{k} bins: at least 2 are needed"));
        }
        if v.len() < 2 {
            return Err("fewer than two values to place bins by".to_owned());
        }
        v.sort_by(f64::total_cmp);
        let (lo, hi) = (v[0], v[v.len() - 1]);
        if lo == hi {
            return Err(format!("every value is {lo}: nothing to bin"));
        }
        let linear = |a: f64, b: f64| -> Vec<f64> {
            (0..=k).map(|i| a + (b - a) * i as f64 / k as f64).collect()
        };
        let (edges, centers) = match binning {
            Binning::EqualWidth => {
                let edges = linear(lo, hi);
                let centers = edges.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
                (edges, centers)
            }
            Binning::EqualFrequency => {
                let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
                let mut edges: Vec<f64> = (0..=k).map(|i| at(i as f64 / k as f64)).collect();
                // Ties (many equal values) would make empty bins: keep edges strictly rising.
                edges.dedup();
                if edges.len() < 3 {
                    return Err(format!(
                        "the values are too concentrated for {k} equal-frequency bins"
                    ));
                }
                let centers = edges
                    .windows(2)
                    .map(|w| {
                        let inside: Vec<f64> = v
                            .iter()
                            .copied()
                            .filter(|&x| x >= w[0] && x <= w[1])
                            .collect();
                        inside[inside.len() / 2]
                    })
                    .collect();
                (edges, centers)
            }
            Binning::Asinh { scale } => {
                if scale.is_nan() || scale <= 0.0 {
                    return Err(format!("asinh scale {scale}: it must be positive"));
                }
                let u = linear((lo / scale).asinh(), (hi / scale).asinh());
                let edges = u.iter().map(|x| scale * x.sinh()).collect();
                let centers = u
                    .windows(2)
                    .map(|w| scale * ((w[0] + w[1]) / 2.0).sinh())
                    .collect();
                (edges, centers)
            }
        };
        Ok(Self { edges, centers })
    }

    /// The number of bins.
    pub fn len(&self) -> usize {
        self.centers.len()
    }

    /// Whether there are none (never, for fitted bins).
    pub fn is_empty(&self) -> bool {
        self.centers.is_empty()
    }

    /// The edges.
    pub fn edges(&self) -> &[f64] {
        &self.edges
    }

    /// The centers.
    pub fn centers(&self) -> &[f64] {
        &self.centers
    }

    /// The inner edges: the K − 1 thresholds of the ordinal objectives.
    pub fn thresholds(&self) -> &[f64] {
        &self.edges[1..self.edges.len() - 1]
    }

    /// The bin `value` falls in (the outer bins open).
    pub fn index_of(&self, value: f64) -> usize {
        self.thresholds().partition_point(|&t| t <= value)
    }

    /// The width of bin `k`.
    pub fn width(&self, k: usize) -> f64 {
        self.edges[k + 1] - self.edges[k]
    }

    /// The soft label of `value`: the mass of a Gaussian centred on it in each bin (the outer
    /// bins open), its standard deviation `sigma` times the width of the bin it falls in;
    /// all zeros for a missing (NaN) value. `[K]`, summing to 1.
    ///
    /// ```
    /// use ironcell_models::loss::bins::{Binning, Bins};
    /// let bins = Bins::fit(&[0.0, 4.0], 4, Binning::EqualWidth).unwrap();
    /// let q = bins.gaussian(1.5, 0.5);
    /// assert!((q.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    /// // 68 % within one σ; the mass beyond it the same on either side (the outer bins open).
    /// assert!((q[1] - 0.6827).abs() < 1e-4 && (q[0] - (q[2] + q[3])).abs() < 1e-12);
    /// ```
    pub fn gaussian(&self, value: f64, sigma: f64) -> Vec<f64> {
        if !value.is_finite() {
            return vec![0.0; self.len()];
        }
        let s = sigma * self.width(self.index_of(value));
        let cdf = |x: f64| 0.5 * (1.0 + libm::erf((x - value) / (s * std::f64::consts::SQRT_2)));
        let k = self.len();
        (0..k)
            .map(|i| {
                let upper = if i + 1 == k {
                    1.0
                } else {
                    cdf(self.edges[i + 1])
                };
                let lower = if i == 0 { 0.0 } else { cdf(self.edges[i]) };
                upper - lower
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_frequency_bins_hold_as_many_values() {
        let v: Vec<f64> = (0..100).map(|i| f64::from(i).powi(3)).collect();
        let bins = Bins::fit(&v, 4, Binning::EqualFrequency).unwrap();
        let mut counts = [0; 4];
        for &x in &v {
            counts[bins.index_of(x)] += 1;
        }
        assert!(counts.iter().all(|&c| (24..=26).contains(&c)), "{counts:?}");
        assert!(Bins::fit(&[1.0; 10], 4, Binning::EqualFrequency).is_err());
    }

    #[test]
    fn asinh_bins_are_narrow_near_zero_and_wide_in_the_tails() {
        let bins = Bins::fit(&[-10.0, 10.0], 8, Binning::Asinh { scale: 0.1 }).unwrap();
        let middle = bins.width(3);
        let outer = bins.width(0);
        assert!(outer > 10.0 * middle, "{:?}", bins.edges());
        assert!((bins.edges()[4]).abs() < 1e-12, "symmetric around 0");
    }
}
