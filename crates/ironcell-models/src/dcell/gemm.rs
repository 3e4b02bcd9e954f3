//! One safe entry to the `gemm` crate's matrix product, which takes raw pointers and strides.
//!
//! Why `gemm`: it is a maintained, runtime-dispatched (AVX2/AVX-512/NEON) GEMM for f32 and
//! f64 with strided operands, so transposed views cost nothing; on this project's CPU it is
//! what makes one call per subsystem cheaper than burn's per-op overhead.

use super::real::Real;

/// A read-only strided matrix view over a slice.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a, T> {
    data: &'a [T],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a, T> View<'a, T> {
    /// A row-major `rows × cols` matrix whose rows are `stride` apart.
    pub(crate) fn rows(data: &'a [T], rows: usize, cols: usize, stride: usize) -> Self {
        Self::checked(data, rows, cols, stride, 1)
    }

    /// The transpose of the row-major `cols × rows` matrix with rows `stride` apart.
    pub(crate) fn transposed(data: &'a [T], rows: usize, cols: usize, stride: usize) -> Self {
        Self::checked(data, rows, cols, 1, stride)
    }

    fn checked(
        data: &'a [T],
        rows: usize,
        cols: usize,
        row_stride: usize,
        col_stride: usize,
    ) -> Self {
        if rows > 0 && cols > 0 {
            let last = (rows - 1) * row_stride + (cols - 1) * col_stride;
            assert!(last < data.len(), "matrix view runs past its slice");
        }
        Self {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        }
    }
}

/// `dst = a · b` (or `dst += a · b` when `accumulate`), `dst` row-major and contiguous.
/// `threads` lets the product itself use rayon; small products should not.
pub(crate) fn matmul<T: Real>(
    dst: &mut [T],
    a: View<'_, T>,
    b: View<'_, T>,
    accumulate: bool,
    threads: bool,
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(b.rows, k, "inner dimensions differ");
    assert_eq!(dst.len(), m * n, "destination has the wrong size");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst.fill(T::zero());
        }
        return;
    }
    let parallelism = if threads {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: the views were bounds-checked against their slices for every (row, col) they
    // describe, `dst` holds exactly m·n elements laid out row-major, and `dst` is a unique
    // borrow, so it aliases neither operand. `T` is f32 or f64 (sealed trait), which gemm
    // supports.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            T::one(),
            T::one(),
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// This machine's GEMM speed in GFLOP/s: the best of `repeats` f32 products of two `n × n`
/// matrices on all threads (the roof the DCell kernel's throughput is compared with).
pub fn peak_gflops(n: usize, repeats: usize) -> f64 {
    let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.1).collect();
    let mut c = vec![0f32; n * n];
    let mut best = f64::INFINITY;
    for _ in 0..repeats.max(1) {
        let start = std::time::Instant::now();
        matmul(
            &mut c,
            View::rows(&a, n, n, n),
            View::rows(&a, n, n, n),
            false,
            true,
        );
        best = best.min(start.elapsed().as_secs_f64());
    }
    2.0 * (n as f64).powi(3) / best / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_and_transposes_match_the_definition() {
        // a: 2×3, b: 3×2 stored transposed (as 2×3 row-major).
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let bt = [7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
        let mut c = [0.0f64; 4];
        matmul(
            &mut c,
            View::rows(&a, 2, 3, 3),
            View::transposed(&bt, 3, 2, 3),
            false,
            false,
        );
        assert_eq!(c, [50.0, 68.0, 122.0, 167.0]);
        matmul(
            &mut c,
            View::rows(&a, 2, 3, 3),
            View::transposed(&bt, 3, 2, 3),
            true,
            false,
        );
        assert_eq!(c, [100.0, 136.0, 244.0, 334.0]);
        // An empty inner dimension is a zero product.
        matmul(
            &mut c,
            View::rows(&[], 2, 0, 0),
            View::rows(&[], 0, 2, 2),
            false,
            false,
        );
        assert_eq!(c, [0.0; 4]);
    }
}
