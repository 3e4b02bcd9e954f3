//! Ordinal classification over K bins: K − 1 binary tasks "is the value above threshold k",
//! trained by binary cross-entropy. CORAL (Cao et al. 2020) shares one score across the tasks
//! and gives each a bias, kept decreasing here ([`coral_biases`]) so the K − 1 probabilities
//! never cross; CORN (Shi et al. 2021) learns each task conditionally on the previous one
//! holding, and multiplies the conditionals back. Either way the prediction on the label's
//! scale is the expectation the threshold probabilities imply.

use burn::tensor::{activation, backend::Backend, Tensor, TensorData};

use super::bins::Bins;

/// The levels of `values`: `[n, K − 1]`, 1 where a value is above threshold k (rows of zeros
/// where it is missing), and the observed rows `[n]`.
pub fn levels<B: Backend>(
    values: &[f64],
    bins: &Bins,
    device: &B::Device,
) -> (Tensor<B, 2>, Tensor<B, 1>) {
    let t = bins.thresholds();
    let y: Vec<f64> = values
        .iter()
        .flat_map(|&v| {
            t.iter()
                .map(move |&t| f64::from(u8::from(v.is_finite() && v > t)))
        })
        .collect();
    super::class_targets(y, t.len(), values, device)
}

/// Decreasing biases from K − 1 free parameters: b₀ = raw₀, bₖ = bₖ₋₁ − softplus(rawₖ), so
/// P(y > tₖ) = σ(score + bₖ) falls with k, as ordinal probabilities must.
pub fn coral_biases<B: Backend>(raw: Tensor<B, 1>) -> Tensor<B, 1> {
    let [k] = raw.dims();
    if k < 2 {
        return raw;
    }
    let first = raw.clone().narrow(0, 0, 1);
    let steps = activation::softplus(raw.narrow(0, 1, k - 1), 1.0).cumsum(0);
    Tensor::cat(vec![first.clone(), first - steps], 0)
}

/// Binary cross-entropy of `logits` against 0/1 `y`, elementwise, computed from log σ.
fn bce<B: Backend>(logits: Tensor<B, 2>, y: Tensor<B, 2>) -> Tensor<B, 2> {
    let log_p = activation::log_sigmoid(logits.clone());
    let log_not_p = log_p.clone() - logits;
    -(y.clone() * log_p + (y.neg() + 1.0) * log_not_p)
}

/// CORAL's loss: `logits` `[n, K − 1]` (score + bias of each threshold) against `levels`,
/// summed over thresholds and averaged over the observed rows (`mask`): `[1]`.
pub fn coral_loss<B: Backend>(
    logits: Tensor<B, 2>,
    levels: Tensor<B, 2>,
    mask: Tensor<B, 1>,
) -> Tensor<B, 1> {
    let per_row = bce(logits, levels).sum_dim(1).squeeze_dim::<1>(1);
    let n = mask.clone().sum().clamp_min(1.0);
    (per_row * mask).sum() / n
}

/// CORN's loss: task k's conditional `logits[:, k]` trained on the observed rows above
/// threshold k − 1 (every observed row for k = 0), averaged over all (row, task) pairs used.
pub fn corn_loss<B: Backend>(
    logits: Tensor<B, 2>,
    levels: Tensor<B, 2>,
    mask: Tensor<B, 1>,
) -> Tensor<B, 1> {
    let [n, k] = levels.dims();
    let observed = mask.reshape([n, 1]);
    // Row i takes part in task k when it is observed and above threshold k − 1.
    let above_previous = if k > 1 {
        Tensor::cat(
            vec![
                observed.clone(),
                levels.clone().slice([0..n, 0..k - 1]) * observed.clone(),
            ],
            1,
        )
    } else {
        observed
    };
    let used = above_previous.clone().sum().clamp_min(1.0);
    (bce(logits, levels) * above_previous).sum() / used
}

/// P(y > tₖ) from CORAL's logits: σ(logitsₖ).
pub fn coral_exceed<B: Backend>(logits: Tensor<B, 2>) -> Tensor<B, 2> {
    activation::sigmoid(logits)
}

/// P(y > tₖ) from CORN's conditional logits: Π_{j ≤ k} σ(logitsⱼ).
pub fn corn_exceed<B: Backend>(logits: Tensor<B, 2>) -> Tensor<B, 2> {
    activation::log_sigmoid(logits).cumsum(1).exp()
}

/// The expectation the threshold probabilities `exceed` (`[n, K − 1]`) imply over the bins'
/// centers: c₀ + Σₖ P(y > tₖ)(cₖ₊₁ − cₖ), `[n]`.
pub fn expectation<B: Backend>(exceed: Tensor<B, 2>, bins: &Bins) -> Tensor<B, 1> {
    let c = bins.centers();
    let steps: Vec<f64> = c.windows(2).map(|w| w[1] - w[0]).collect();
    let k = steps.len();
    let steps = Tensor::<B, 1>::from_data(
        TensorData::new(steps, [k]).convert::<B::FloatElem>(),
        &exceed.device(),
    )
    .reshape([k, 1]);
    exceed.matmul(steps).squeeze_dim::<1>(1) + c[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{
        bins::Binning,
        tests::{scalar, tensor, B},
    };

    fn bins() -> Bins {
        Bins::fit(&[0.0, 3.0], 3, Binning::EqualWidth).unwrap()
    }

    #[test]
    fn coral_loss_by_hand() {
        let device = Default::default();
        let (y, mask) = levels::<B>(&[2.5, f64::NAN], &bins(), &device);
        assert_eq!(
            y.clone().into_data().to_vec::<f64>().unwrap(),
            [1.0, 1.0, 0.0, 0.0]
        );
        let logits = tensor::<B, 2>(vec![0.0, 1.0, 9.0, 9.0], [2, 2]);
        let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
        let expected = -(0.5f64.ln() + sig(1.0).ln());
        assert!((scalar(coral_loss(logits, y, mask)) - expected).abs() < 1e-12);
    }

    #[test]
    fn corn_trains_a_task_only_on_rows_above_the_previous_threshold() {
        let device = Default::default();
        // 0.5 is below both thresholds: it trains task 0 only; 2.5 trains both.
        let (y, mask) = levels::<B>(&[0.5, 2.5], &bins(), &device);
        let logits = tensor::<B, 2>(vec![0.0, 7.0, 0.0, 0.0], [2, 2]);
        let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
        let expected = -((1.0 - sig(0.0)).ln() + sig(0.0).ln() + sig(0.0).ln()) / 3.0;
        let got = corn_loss(logits, y, mask)
            .into_data()
            .to_vec::<f64>()
            .unwrap()[0];
        assert!((got - expected).abs() < 1e-12, "{got} {expected}");
    }

    #[test]
    fn biases_fall_and_expectations_follow_the_probabilities() {
        let b = coral_biases(tensor::<B, 1>(vec![0.3, -2.0, 4.0], [3]))
            .into_data()
            .to_vec::<f64>()
            .unwrap();
        assert!(b[0] > b[1] && b[1] > b[2], "{b:?}");
        // Certainly above both thresholds: the last center; below both: the first.
        let exceed = tensor::<B, 2>(vec![1.0, 1.0, 0.0, 0.0, 1.0, 0.5], [3, 2]);
        let e = expectation(exceed, &bins())
            .into_data()
            .to_vec::<f64>()
            .unwrap();
        assert_eq!(e, [2.5, 0.5, 2.0]);
        let corn = corn_exceed(tensor::<B, 2>(vec![0.0, 0.0], [1, 2]))
            .into_data()
            .to_vec::<f64>()
            .unwrap();
        assert!((corn[0] - 0.5).abs() < 1e-12 && (corn[1] - 0.25).abs() < 1e-12);
    }
}
