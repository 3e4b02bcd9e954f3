//! Per-column standardisation fitted on training rows and applied unchanged to any other.

use serde::{Deserialize, Serialize};

use super::Matrix;

/// Column means and standard deviations (constant columns keep a divisor of 1).
///
/// ```
/// use ironcell_models::baseline::{Matrix, Standardizer};
/// let train = [1.0, 10.0, 3.0, 10.0];
/// let s = Standardizer::fit(Matrix::new(&train, 2).unwrap());
/// let mut row = [2.0, 10.0];
/// s.apply(&mut row);
/// assert_eq!(row, [0.0, 0.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Column means.
    pub mean: Vec<f64>,
    /// Column standard deviations (population), 1 where a column is constant.
    pub std: Vec<f64>,
}

impl Standardizer {
    /// Fits to the rows of `x`.
    pub fn fit(x: Matrix<'_>) -> Self {
        let (n, d) = (x.rows().max(1) as f64, x.cols());
        let mut mean = vec![0.0; d];
        for i in 0..x.rows() {
            for (m, &v) in mean.iter_mut().zip(x.row(i)) {
                *m += f64::from(v);
            }
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let mut var = vec![0.0; d];
        for i in 0..x.rows() {
            for ((s, &v), m) in var.iter_mut().zip(x.row(i)).zip(&mean) {
                *s += (f64::from(v) - m).powi(2);
            }
        }
        let std = var
            .into_iter()
            .map(|s| {
                let sd = (s / n).sqrt();
                if sd > 1e-12 {
                    sd
                } else {
                    1.0
                }
            })
            .collect();
        Self { mean, std }
    }

    /// Standardises one row in place.
    pub fn apply(&self, row: &mut [f32]) {
        for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
            *v = ((f64::from(*v) - m) / s) as f32;
        }
    }

    /// Standardises every row of a row-major buffer of `mean.len()` columns.
    pub fn apply_all(&self, values: &mut [f32]) {
        values
            .chunks_exact_mut(self.mean.len().max(1))
            .for_each(|row| self.apply(row));
    }
}
