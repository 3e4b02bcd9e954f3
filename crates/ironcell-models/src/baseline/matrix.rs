//! The dense feature matrix every baseline reads.

/// A row-major `rows × cols` matrix of `f32` features borrowed from the caller.
///
/// ```
/// use ironcell_models::baseline::Matrix;
/// let m = Matrix::new(&[1.0, 2.0, 3.0, 4.0], 2).unwrap();
/// assert_eq!(m.row(1), [3.0, 4.0]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'a> {
    values: &'a [f32],
    cols: usize,
}

/// A matrix that cannot be: its length is not a multiple of the columns, or it holds NaN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixError {
    /// The values do not fill whole rows.
    #[error("{len} values do not fill rows of {cols} columns")]
    Shape {
        /// How many values.
        len: usize,
        /// The columns.
        cols: usize,
    },
    /// A value is NaN or infinite.
    #[error("row {row}, column {col} is not finite")]
    NotFinite {
        /// Its row.
        row: usize,
        /// Its column.
        col: usize,
    },
}

impl<'a> Matrix<'a> {
    /// Wraps `values` as rows of `cols` columns, all finite.
    pub fn new(values: &'a [f32], cols: usize) -> Result<Self, MatrixError> {
        if cols == 0 || !values.len().is_multiple_of(cols) {
            return Err(MatrixError::Shape {
                len: values.len(),
                cols,
            });
        }
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return Err(MatrixError::NotFinite {
                row: k / cols,
                col: k % cols,
            });
        }
        Ok(Self { values, cols })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.values.len() / self.cols
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &'a [f32] {
        &self.values[i * self.cols..(i + 1) * self.cols]
    }

    /// Column `j`, copied.
    pub fn column(&self, j: usize) -> Vec<f32> {
        (0..self.rows())
            .map(|i| self.values[i * self.cols + j])
            .collect()
    }
}
