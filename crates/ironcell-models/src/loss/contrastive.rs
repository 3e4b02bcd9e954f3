//! Regularisers on a model's features (the embedding a regression head reads), which order the
//! feature space by the label instead of leaving it to the squared error alone.
//!
//! - Ordinal entropy (Zhang et al., ICLR 2023): rows are grouped by label bin; the centers of
//!   the groups are pushed apart in proportion to their label distance (diversity, L_d) and each
//!   row is pulled to its group's center (tightness, L_t). The loss adds λ_d·L_d + λ_t·L_t to
//!   the regression loss.
//! - Rank-N-Contrast (Zha et al., NeurIPS 2023): for an anchor i and another row j, j should be
//!   more similar to i than every row k whose label is at least as far from i's; similarity is
//!   the negative L2 distance over a temperature τ.
//!
//! Both take the rows whose label is observed; the caller selects them. Both need the whole
//! batch (a sum over pairs), which data-parallel training has to gather across ranks.

use burn::tensor::{backend::Backend, Tensor, TensorData};

use super::bins::Bins;

/// Pairwise L2 distances between the rows of `a` (`[n, d]`): `[n, n]`, the diagonal 0. From
/// the differences themselves (`[n, n, d]`, small at batch sizes), not |a|² + |b|² − 2a·b,
/// which cancels digits. The squared distances are floored at 1e-12 before the square root,
/// whose gradient at 0 would be infinite; a floored pair passes no gradient.
fn distances<B: Backend>(a: Tensor<B, 2>) -> Tensor<B, 2> {
    let [n, d] = a.dims();
    let diff = a.clone().reshape([n, 1, d]) - a.reshape([1, n, d]);
    diff.powi_scalar(2)
        .sum_dim(2)
        .reshape([n, n])
        .clamp_min(1e-12)
        .sqrt()
}

fn host<B: Backend, const D: usize>(
    values: Vec<f64>,
    shape: [usize; D],
    device: &B::Device,
) -> Tensor<B, D> {
    Tensor::from_data(
        TensorData::new(values, shape).convert::<B::FloatElem>(),
        device,
    )
}

/// Ordinal entropy's two terms, `(L_d, L_t)`, of `features` (`[n, d]`) whose labels are
/// `labels` (every one observed), grouped by `bins`. L_d is the negative mean over pairs of
/// distinct groups of their centers' distance, weighted by their label distance (the groups'
/// mean labels, over the largest such distance); L_t the mean distance of a row to its group's
/// center.
pub fn ordinal_entropy<B: Backend>(
    features: Tensor<B, 2>,
    labels: &[f64],
    bins: &Bins,
) -> (Tensor<B, 1>, Tensor<B, 1>) {
    let [n, _] = features.dims();
    assert_eq!(labels.len(), n, "one label per row");
    let device = features.device();
    // The groups present, in bin order, and each row's one-hot membership.
    let mut present: Vec<usize> = labels.iter().map(|&y| bins.index_of(y)).collect();
    let rows_bins = present.clone();
    present.sort_unstable();
    present.dedup();
    let g = present.len();
    let mut onehot = vec![0.0; n * g];
    let mut sums = vec![0.0; g];
    let mut counts = vec![0.0; g];
    for (i, b) in rows_bins.iter().enumerate() {
        let k = present
            .binary_search(b)
            .expect("every row's bin is present");
        onehot[i * g + k] = 1.0;
        sums[k] += labels[i];
        counts[k] += 1.0;
    }
    let member = host::<B, 2>(onehot, [n, g], &device);
    let inverse_counts = host::<B, 2>(counts.iter().map(|c| 1.0 / c).collect(), [g, 1], &device);
    let centers = member.clone().transpose().matmul(features.clone()) * inverse_counts;
    let tightness = (features - member.matmul(centers.clone()))
        .powi_scalar(2)
        .sum_dim(1)
        .clamp_min(1e-12)
        .sqrt()
        .mean();
    if g < 2 {
        return (host::<B, 1>(vec![0.0], [1], &device), tightness);
    }
    let mean_label: Vec<f64> = sums.iter().zip(&counts).map(|(s, c)| s / c).collect();
    let mut weights = vec![0.0; g * g];
    for a in 0..g {
        for b in 0..g {
            weights[a * g + b] = (mean_label[a] - mean_label[b]).abs();
        }
    }
    let largest = weights
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    weights.iter_mut().for_each(|w| *w /= largest);
    let weights = host::<B, 2>(weights, [g, g], &device);
    let diversity = -(distances(centers) * weights).sum() / (g * (g - 1)) as f64;
    (diversity, tightness)
}

/// Rank-N-Contrast of `features` (`[n, d]`, n ≥ 2) with labels `labels` (every one observed)
/// at temperature `tau`: the mean over anchors i and rows j ≠ i of
/// −log( exp(s_ij/τ) / Σ_{k ≠ i, |y_i − y_k| ≥ |y_i − y_j|} exp(s_ik/τ) ), s = −L2 distance.
pub fn rank_n_contrast<B: Backend>(
    features: Tensor<B, 2>,
    labels: &[f64],
    tau: f64,
) -> Tensor<B, 1> {
    let [n, _] = features.dims();
    assert_eq!(labels.len(), n, "one label per row");
    assert!(n >= 2, "Rank-N-Contrast needs two rows");
    let device = features.device();
    let logits = distances(features) * (-1.0 / tau);
    // mask[i, j, k]: k counts in the denominator of (i, j).
    let mut mask = vec![0.0; n * n * n];
    let mut pairs = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            pairs[i * n + j] = 1.0;
            let dij = (labels[i] - labels[j]).abs();
            for k in 0..n {
                if k != i && (labels[i] - labels[k]).abs() >= dij {
                    mask[(i * n + j) * n + k] = 1.0;
                }
            }
        }
    }
    let mask = host::<B, 3>(mask, [n, n, n], &device);
    let pairs = host::<B, 2>(pairs, [n, n], &device);
    // A log-sum-exp over k, shifted by each anchor's largest logit off the diagonal (the
    // diagonal, distance 0, is the largest of all and never in a denominator).
    let off_diagonal = logits.clone() - (pairs.clone().neg() + 1.0) * 1e9;
    let shift = off_diagonal.clone().max_dim(1); // [n, 1]
                                                 // Exponentiating the diagonal itself could overflow, and ∞·0 is NaN: it is −1e9 here.
    let shifted = (off_diagonal - shift.clone()).exp().reshape([n, 1, n]);
    let denominator = (shifted * mask)
        .sum_dim(2)
        .reshape([n, n])
        .clamp_min(1e-30)
        .log()
        + shift;
    let per_pair = (denominator - logits) * pairs;
    per_pair.sum() / (n * (n - 1)) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{
        bins::Binning,
        tests::{scalar, tensor, B},
    };

    #[test]
    fn rank_n_contrast_by_hand() {
        // Three rows on a line at 0, 1, 3 with labels 0, 1, 3: the ranking is already right.
        let z = tensor::<B, 2>(vec![0.0, 1.0, 3.0], [3, 1]);
        let y = [0.0f64, 1.0, 3.0];
        let s = |a: f64, b: f64| -(a - b).abs();
        let mut expected = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                if i == j {
                    continue;
                }
                let dij = (y[i] - y[j]).abs();
                let denominator: f64 = (0..3)
                    .filter(|&k| k != i && (y[i] - y[k]).abs() >= dij)
                    .map(|k| s(y[i], y[k]).exp())
                    .sum();
                expected += -(s(y[i], y[j]).exp() / denominator).ln();
            }
        }
        expected /= 6.0;
        assert!((scalar(rank_n_contrast(z, &y, 1.0)) - expected).abs() < 1e-9);
    }

    #[test]
    fn ordinal_entropy_by_hand() {
        let bins = Bins::fit(&[0.0, 2.0], 2, Binning::EqualWidth).unwrap();
        // Rows 0, 1 in bin 0 (labels 0, 0.5), row 2 in bin 1 (label 2).
        let z = tensor::<B, 2>(vec![0.0, 0.0, 2.0, 0.0, 4.0, 3.0], [3, 2]);
        let (diversity, tightness) = ordinal_entropy(z, &[0.0, 0.5, 2.0], &bins);
        // Centers (1, 0) and (4, 3): distance √18, weight 1 (the only pair), two ordered pairs.
        assert!((scalar(diversity) + 18f64.sqrt()).abs() < 1e-9);
        // Rows 0 and 1 are 1 from their center, row 2 is on its own.
        assert!((scalar(tightness) - 2.0 / 3.0).abs() < 1e-6);
    }
}
