//! Feature binning: each column becomes at most 256 ordered codes so that split search runs
//! over histograms instead of sorted values (the approach of LightGBM and scikit-learn's
//! HistGradientBoosting).

use rand::{seq::index::sample, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::baseline::Matrix;

/// Most codes per feature (scikit-learn's default `max_bins`; a `u8` could hold 256).
pub const MAX_BINS: usize = 255;

/// Rows sampled per feature to place the thresholds (as scikit-learn's 2e5).
const SAMPLE: usize = 200_000;

/// Binned features, column-major, with the threshold behind each code boundary.
#[derive(Debug, Clone)]
pub struct Binned {
    rows: usize,
    codes: Vec<u8>,
    /// Per feature, ascending: code `b` holds values `v` with `thresholds[b-1] < v ≤ thresholds[b]`.
    thresholds: Vec<Vec<f32>>,
    /// Start of each feature's bins in a histogram, and the total at the end.
    offsets: Vec<usize>,
}

impl Binned {
    /// Bins every column of `x`; thresholds come from up to 200,000 rows sampled with `seed`.
    pub fn new(x: Matrix<'_>, seed: u64) -> Self {
        let rows = x.rows();
        let sampled: Option<Vec<usize>> = (rows > SAMPLE).then(|| {
            let mut s = sample(&mut ChaCha8Rng::seed_from_u64(seed), rows, SAMPLE).into_vec();
            s.sort_unstable();
            s
        });
        // Each column's codes are written in place: the bins are the only copy of the
        // features, never twice over.
        let mut codes = vec![0u8; rows * x.cols()];
        let all_thresholds: Vec<Vec<f32>> = codes
            .par_chunks_mut(rows.max(1))
            .take(x.cols())
            .enumerate()
            .map(|(j, out)| {
                let column = x.column(j);
                let mut values = match &sampled {
                    Some(s) => s.iter().map(|&i| column[i]).collect(),
                    None => column.clone(),
                };
                let thresholds = thresholds(&mut values);
                for (o, &v) in out.iter_mut().zip(&column) {
                    *o = code(&thresholds, v);
                }
                thresholds
            })
            .collect();
        let mut offsets = vec![0];
        for t in &all_thresholds {
            offsets.push(offsets.last().copied().unwrap_or(0) + t.len() + 1);
        }
        Self {
            rows,
            codes,
            thresholds: all_thresholds,
            offsets,
        }
    }

    /// Number of features.
    pub fn features(&self) -> usize {
        self.thresholds.len()
    }

    /// The codes of feature `f`, one per row.
    pub fn column(&self, f: usize) -> &[u8] {
        &self.codes[f * self.rows..(f + 1) * self.rows]
    }

    /// Number of codes of feature `f`.
    pub fn bins(&self, f: usize) -> usize {
        self.offsets[f + 1] - self.offsets[f]
    }

    /// Where feature `f`'s bins start in a histogram.
    pub fn offset(&self, f: usize) -> usize {
        self.offsets[f]
    }

    /// Histogram length over all features.
    pub fn total_bins(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// The value a split "code ≤ `bin`" of feature `f` compares raw values with.
    pub fn threshold(&self, f: usize, bin: usize) -> f32 {
        self.thresholds[f][bin]
    }
}

/// Thresholds for one column, as scikit-learn places them: midpoints between distinct values
/// when there are at most [`MAX_BINS`], else midpoint percentiles at 1/255 … 254/255. Sorts
/// `values`.
fn thresholds(values: &mut [f32]) -> Vec<f32> {
    values.sort_unstable_by(f32::total_cmp);
    let mut distinct: Vec<f32> = Vec::new();
    for &v in values.iter() {
        if distinct.last() != Some(&v) {
            distinct.push(v);
        }
    }
    // Two adjacent floats have no midpoint: the lower one splits them as well.
    let between = |a: f32, b: f32| {
        let mid = (f64::from(a) + f64::from(b)) / 2.0;
        let mid = mid as f32;
        if mid < b {
            mid
        } else {
            a
        }
    };
    if distinct.len() <= MAX_BINS {
        return distinct.windows(2).map(|w| between(w[0], w[1])).collect();
    }
    let last = (values.len() - 1) as f64;
    let mut cuts: Vec<f32> = (1..MAX_BINS)
        .map(|q| {
            // NumPy's percentile, method="midpoint".
            let h = last * q as f64 / MAX_BINS as f64;
            let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
            if values[lo] == values[hi] {
                values[lo]
            } else {
                between(values[lo], values[hi])
            }
        })
        .collect();
    cuts.dedup();
    // A cut at the largest value would leave an empty last bin.
    if cuts.last() == distinct.last() {
        cuts.pop();
    }
    cuts
}

/// The code of `v`: the first bin whose threshold is ≥ `v`.
fn code(thresholds: &[f32], v: f32) -> u8 {
    thresholds.partition_point(|&t| t < v) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_values_get_one_code_each_and_splits_agree_with_thresholds() {
        let values = [3.0, 1.0, 2.0, 1.0, 3.0, 0.5];
        let x = Matrix::new(&values, 1).unwrap();
        let b = Binned::new(x, 0);
        assert_eq!(b.bins(0), 4);
        assert_eq!(b.column(0), [3, 1, 2, 1, 3, 0]);
        for bin in 0..3 {
            let t = b.threshold(0, bin);
            for (i, &v) in values.iter().enumerate() {
                assert_eq!(b.column(0)[i] as usize <= bin, v <= t);
            }
        }
    }

    #[test]
    fn many_values_are_cut_at_quantiles() {
        let values: Vec<f32> = (0..10_000).map(|i| (i as f32).sqrt()).collect();
        let x = Matrix::new(&values, 1).unwrap();
        let b = Binned::new(x, 0);
        assert_eq!(b.bins(0), MAX_BINS);
        let counts = b.column(0).iter().fold(vec![0; MAX_BINS], |mut c, &k| {
            c[k as usize] += 1;
            c
        });
        assert!(counts.iter().all(|&c| (38..=41).contains(&c)), "{counts:?}");
    }
}
