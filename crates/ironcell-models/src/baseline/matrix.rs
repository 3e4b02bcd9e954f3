//! The dense feature matrix every baseline reads.

/// A row-major `rows × cols` matrix of `f32` features borrowed from the caller, or a view of
/// some of its rows: a model fitted on a split's training part reads them in place, so the
/// only copy of the features a tree model makes is its 1-byte bins.
///
/// ```
/// use ironcell_models::baseline::Matrix;
/// let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let m = Matrix::new(&values, 2).unwrap();
/// assert_eq!(m.row(1), [3.0, 4.0]);
/// let view = Matrix::selected(&values, 2, &[2, 0]).unwrap();
/// assert_eq!((view.rows(), view.row(0), view.column(1)), (2, &[5.0, 6.0][..], vec![6.0, 2.0]));
/// assert_eq!(view.leading(1).row(0), [5.0]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'a> {
    values: &'a [f32],
    cols: usize,
    /// Values from one row to the next: `cols` unless this is [`Matrix::leading`] columns.
    stride: usize,
    /// The rows of `values` this matrix is, in order; all of them when `None`.
    selection: Option<&'a [usize]>,
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
    /// A selected row is not in the matrix.
    #[error("row {row} selected from a matrix of {rows} rows")]
    Row {
        /// The row asked for.
        row: usize,
        /// Rows there are.
        rows: usize,
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
        let all = Self::shaped(values, cols)?;
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return Err(MatrixError::NotFinite {
                row: k / cols,
                col: k % cols,
            });
        }
        Ok(all)
    }

    /// Rows `rows` of the row-major `values` of `cols` columns, in that order, without a copy;
    /// those rows must be finite.
    pub fn selected(
        values: &'a [f32],
        cols: usize,
        rows: &'a [usize],
    ) -> Result<Self, MatrixError> {
        let all = Self::shaped(values, cols)?;
        for (k, &i) in rows.iter().enumerate() {
            if i >= all.rows() {
                return Err(MatrixError::Row {
                    row: i,
                    rows: all.rows(),
                });
            }
            if let Some(col) = all.row(i).iter().position(|v| !v.is_finite()) {
                return Err(MatrixError::NotFinite { row: k, col });
            }
        }
        Ok(Self {
            selection: Some(rows),
            ..all
        })
    }

    fn shaped(values: &'a [f32], cols: usize) -> Result<Self, MatrixError> {
        if cols == 0 || !values.len().is_multiple_of(cols) {
            return Err(MatrixError::Shape {
                len: values.len(),
                cols,
            });
        }
        Ok(Self {
            values,
            cols,
            stride: cols,
            selection: None,
        })
    }

    /// The first `cols` columns of each row, without a copy: a design that carries extra
    /// columns for some models serves the others too.
    ///
    /// # Panics
    /// When `cols` is zero or more than the matrix has.
    pub fn leading(self, cols: usize) -> Self {
        assert!(
            cols > 0 && cols <= self.cols,
            "leading columns within the matrix"
        );
        Self { cols, ..self }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.selection
            .map_or(self.values.len() / self.stride, <[usize]>::len)
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &'a [f32] {
        let i = self.selection.map_or(i, |s| s[i]);
        &self.values[i * self.stride..i * self.stride + self.cols]
    }

    /// Column `j`, copied.
    pub fn column(&self, j: usize) -> Vec<f32> {
        (0..self.rows()).map(|i| self.row(i)[j]).collect()
    }
}
