//! The gene encoder's input layer on the host, over sparse feature rows.
//!
//! Why by hand: the genome table's 1,277 columns are standardised, so every entry is dense in
//! memory, but a gene differs from its column's most common value in about 100 of them (GO
//! membership is binary; codon usage and the network statistics are the dense part). Writing
//! each row as that common row `base` plus a sparse remainder `r`, the input layer
//! `x·W + b = r·W + (base·W + b)` and its weight gradient `Σ xᵀ·g = Σ rᵀ·g + baseᵀ ⊗ Σ g`
//! cost a twelfth of the dense products — the same model and the same parameters, summed in
//! another order. burn 0.20 has no sparse-dense product on NdArray, and building one from
//! `select`/`select_assign` materialises a `[non-zeros, hidden]` tensor several times a step,
//! which costs more than the dense product it replaces; so the two products are written here
//! (plain loops over a hidden row of `d` floats, compiled for the CPU's widest vectors by
//! pulp's runtime dispatch, as the gemm crate the DCell kernel uses is) and joined to
//! the autodiff graph at the layer's output: the learner feeds the output in as a leaf and
//! turns its gradient into the weight's and bias's ([`SparseFeatures::gradient`]). On a GPU
//! the dense product stays on the device, where it is cheap and the host round trip is not.

use burn::tensor::backend::Backend;
use rayon::prelude::*;

/// Rows of the output one task computes.
const ROWS: usize = 32;

/// A table's feature rows as a common row plus sparse remainders (CSR).
#[derive(Debug, Clone)]
pub struct SparseFeatures {
    /// Each column's most common value (one per column).
    base: Vec<f32>,
    /// `cols[starts[g]..starts[g + 1]]` are the columns where row `g` differs from `base`.
    starts: Vec<usize>,
    cols: Vec<u32>,
    /// `x[g][col] − base[col]` at those columns.
    values: Vec<f32>,
}

impl SparseFeatures {
    /// The sparse form of row-major `features` of `dim` columns.
    pub fn new(features: &[f32], dim: usize) -> Self {
        let rows = features.len().checked_div(dim).unwrap_or(0);
        let base: Vec<f32> = (0..dim)
            .map(|c| {
                let mut column: Vec<u32> =
                    (0..rows).map(|g| features[g * dim + c].to_bits()).collect();
                column.sort_unstable();
                most_common(&column).map_or(0.0, f32::from_bits)
            })
            .collect();
        let mut starts = Vec::with_capacity(rows + 1);
        let (mut cols, mut values) = (Vec::new(), Vec::new());
        starts.push(0);
        for g in 0..rows {
            for (c, (&x, &b)) in features[g * dim..(g + 1) * dim]
                .iter()
                .zip(&base)
                .enumerate()
            {
                if x.to_bits() != b.to_bits() {
                    cols.push(c as u32);
                    values.push(x - b);
                }
            }
            starts.push(cols.len());
        }
        Self {
            base,
            starts,
            cols,
            values,
        }
    }

    /// `x[rows]·W + b`, row-major `[rows, d]`, for `weight` `[dim, d]` row-major and `bias`
    /// `[d]`.
    pub fn project(&self, rows: &[u32], weight: &[f32], bias: &[f32]) -> Vec<f32> {
        let d = bias.len();
        assert_eq!(weight.len(), self.base.len() * d, "weight is dim × d");
        let mut common = bias.to_vec();
        for (&b, w) in self.base.iter().zip(weight.chunks_exact(d)) {
            axpy(b, w, &mut common);
        }
        let mut out = vec![0f32; rows.len() * d];
        let arch = pulp::Arch::new();
        out.par_chunks_mut(d * ROWS)
            .zip(rows.par_chunks(ROWS))
            .for_each(|(out, rows)| {
                arch.dispatch(
                    #[inline(always)]
                    || {
                        for (o, &g) in out.chunks_exact_mut(d).zip(rows) {
                            o.copy_from_slice(&common);
                            accumulate(o, self.entries(g), weight);
                        }
                    },
                )
            });
        out
    }

    /// Row `g`'s entries that differ from the common row: (column, difference).
    #[inline(always)]
    fn entries(&self, g: u32) -> impl Iterator<Item = (&u32, &f32)> + Clone {
        let at = self.starts[g as usize]..self.starts[g as usize + 1];
        self.cols[at.clone()].iter().zip(&self.values[at])
    }

    /// The weight's and bias's gradients, `([dim, d], [d])` row-major, from the gradient
    /// `grad` (`[rows, d]`) of [`Self::project`]'s output. Each thread owns a block of hidden
    /// columns and sums over the rows in order, so the result does not depend on the threads.
    /// (Regrouping the entries by column first, to sum each weight row in registers, was
    /// measured twice as slow: the counting sort and the scattered reads of `grad` cost more
    /// than the stores they save.)
    pub fn gradient(&self, rows: &[u32], grad: &[f32], d: usize) -> (Vec<f32>, Vec<f32>) {
        assert_eq!(grad.len(), rows.len() * d, "grad is rows × d");
        let mut bias = vec![0f32; d];
        for g in grad.chunks_exact(d) {
            axpy(1.0, g, &mut bias);
        }
        // Column blocks of the weight, each `[dim, width]`, one per thread (8 columns at
        // least: an AVX vector), filled in parallel.
        let width = d
            .div_ceil(rayon::current_num_threads())
            .next_multiple_of(8)
            .clamp(1, d.max(1));
        let dim = self.base.len();
        let arch = pulp::Arch::new();
        let blocks: Vec<(usize, Vec<f32>)> = (0..d)
            .step_by(width)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|from| {
                let width = width.min(d - from);
                let mut block = vec![0f32; dim * width];
                arch.dispatch(
                    #[inline(always)]
                    || {
                        for (&b, out) in self.base.iter().zip(block.chunks_exact_mut(width)) {
                            axpy(b, &bias[from..from + width], out);
                        }
                        for (&g, grad_row) in rows.iter().zip(grad.chunks_exact(d)) {
                            let grad_row = &grad_row[from..from + width];
                            for (&c, &v) in self.entries(g) {
                                let c = c as usize;
                                axpy(v, grad_row, &mut block[c * width..(c + 1) * width]);
                            }
                        }
                    },
                );
                (from, block)
            })
            .collect();
        let mut weight = vec![0f32; dim * d];
        for (from, block) in blocks {
            let width = width.min(d - from);
            for (row, part) in weight.chunks_exact_mut(d).zip(block.chunks_exact(width)) {
                row[from..from + width].copy_from_slice(part);
            }
        }
        (weight, bias)
    }
}

/// `y += a·x`.
#[inline(always)]
fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// Hidden columns summed in registers at once (four AVX vectors).
const BLOCK: usize = 32;

/// `out += Σ v · matrix[r]` over `entries` `(r, v)`, `matrix` row-major with rows as long as
/// `out` (the projection: a gene's entries over the weight's rows). Blocks of [`BLOCK`] columns are summed in a
/// fixed-size local array, which the compiler keeps in vector registers, so each entry costs
/// the loads of its matrix row and no load or store of `out`.
#[inline(always)]
fn accumulate<'a>(
    out: &mut [f32],
    entries: impl Iterator<Item = (&'a u32, &'a f32)> + Clone,
    matrix: &[f32],
) {
    let d = out.len();
    let mut from = 0;
    while from + BLOCK <= d {
        let mut sum = [0f32; BLOCK];
        sum.copy_from_slice(&out[from..from + BLOCK]);
        for (&r, &v) in entries.clone() {
            let row: &[f32; BLOCK] = matrix[r as usize * d + from..][..BLOCK]
                .try_into()
                .expect("a block");
            for (s, &m) in sum.iter_mut().zip(row) {
                *s += v * m;
            }
        }
        out[from..from + BLOCK].copy_from_slice(&sum);
        from += BLOCK;
    }
    if from < d {
        for (&r, &v) in entries {
            let row = &matrix[r as usize * d + from..(r as usize + 1) * d];
            for (o, &m) in out[from..].iter_mut().zip(row) {
                *o += v * m;
            }
        }
    }
}

/// Whether `B`'s tensors live in host memory (burn's NdArray, alone or under autodiff), where
/// the input layer is computed here; elsewhere it is the backend's dense product.
pub fn on_host<B: Backend>(device: &B::Device) -> bool {
    B::name(device).contains("ndarray")
}

/// The most frequent value of a sorted slice (the smallest among ties).
fn most_common(sorted: &[u32]) -> Option<u32> {
    let mut best: Option<(u32, usize)> = None;
    let mut k = 0;
    while k < sorted.len() {
        let run = sorted[k..].iter().take_while(|&&v| v == sorted[k]).count();
        if best.is_none_or(|(_, n)| run > n) {
            best = Some((sorted[k], run));
        }
        k += run;
    }
    best.map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Features with a dense column, binary-like columns and a constant one.
    fn table(rows: usize, dim: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
        (0..rows * dim)
            .map(|k| match k % dim {
                0 => rng.random_range(-1.0..1.0),
                c if c == dim - 1 => 0.25,
                _ if rng.random_bool(0.2) => 1.5,
                _ => -0.3,
            })
            .collect()
    }

    fn draw(n: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
        (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
    }

    #[test]
    fn rows_are_the_common_row_plus_few_entries() {
        let features = [1.0, 0.0, 5.0, 1.0, 2.0, 5.0, 3.0, 0.0, 5.0];
        let sparse = SparseFeatures::new(&features, 3);
        assert_eq!(sparse.base, [1.0, 0.0, 5.0]);
        assert_eq!(sparse.starts, [0, 0, 1, 2]);
        assert_eq!(sparse.cols, [1, 0]);
        assert_eq!(sparse.values, [2.0, 2.0]);
        assert_eq!(sparse.values.len(), 2);
    }

    #[test]
    fn the_products_are_the_dense_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (genes, dim, d) = (40, 9, 20);
        let features = table(genes, dim, &mut rng);
        let sparse = SparseFeatures::new(&features, dim);
        assert!(sparse.values.len() < genes * dim / 2);
        let weight = draw(dim * d, &mut rng);
        let bias = draw(d, &mut rng);
        let rows = [3u32, 0, 39, 3, 17];
        let out = sparse.project(&rows, &weight, &bias);
        let grad = draw(rows.len() * d, &mut rng);
        let (dw, db) = sparse.gradient(&rows, &grad, d);
        let mut want_dw = vec![0f64; dim * d];
        let mut want_db = vec![0f64; d];
        for (i, &g) in rows.iter().enumerate() {
            let x = &features[g as usize * dim..(g as usize + 1) * dim];
            for k in 0..d {
                let dense: f64 = bias[k] as f64
                    + (0..dim)
                        .map(|c| f64::from(x[c]) * f64::from(weight[c * d + k]))
                        .sum::<f64>();
                assert!((f64::from(out[i * d + k]) - dense).abs() < 1e-5, "{i} {k}");
                want_db[k] += f64::from(grad[i * d + k]);
                for c in 0..dim {
                    want_dw[c * d + k] += f64::from(x[c]) * f64::from(grad[i * d + k]);
                }
            }
        }
        for (got, want) in dw.iter().zip(&want_dw).chain(db.iter().zip(&want_db)) {
            assert!((f64::from(*got) - want).abs() < 1e-5, "{got} vs {want}");
        }
    }

    #[test]
    fn the_gradient_does_not_depend_on_the_threads() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let (genes, dim, d) = (300, 30, 64);
        let sparse = SparseFeatures::new(&table(genes, dim, &mut rng), dim);
        let rows: Vec<u32> = (0..200)
            .map(|_| rng.random_range(0..genes as u32))
            .collect();
        let grad = draw(rows.len() * d, &mut rng);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("pool");
        let a = one.install(|| sparse.gradient(&rows, &grad, d));
        let b = three.install(|| sparse.gradient(&rows, &grad, d));
        assert_eq!(a, b);
    }

    #[test]
    fn ndarray_is_on_the_host() {
        assert!(on_host::<crate::Cpu>(&Default::default()));
        assert!(on_host::<crate::CpuAutodiff>(&Default::default()));
    }

    #[test]
    fn no_columns_no_entries() {
        let sparse = SparseFeatures::new(&[], 0);
        assert!(sparse.base.is_empty());
        assert_eq!(sparse.values.len(), 0);
    }
}
