//! The objectives deep models train on, as functions of predictions, targets and masks on burn
//! tensors (so autodiff differentiates them): regression (MSE, Huber, log-cosh), and the
//! regression-to-classification family TorchCell proposed for interactions, where plain MSE
//! does little: soft labels over bins ([`soft`]), ordinal thresholds ([`ordinal`]: CORAL and
//! CORN), and feature-space regularisers ([`contrastive`]: ordinal entropy, Rank-N-Contrast);
//! and for labels that are calls (synthetic lethal or not), the binary cross-entropy of a
//! logit ([`logistic`]).
//!
//! Missing labels are NaN in the targets: every loss averages over the observed entries of
//! each label and weighs labels by the caller's weights, so an instance contributes only the
//! labels it has.
//!
//! ```
//! use burn::tensor::Tensor;
//! use ironcell_models::{loss::Regression, Cpu};
//! let device = Default::default();
//! let pred = Tensor::<Cpu, 2>::from_floats([[1.0, 0.0], [2.0, 5.0]], &device);
//! let target = Tensor::<Cpu, 2>::from_floats([[0.0, f32::NAN], [2.0, 1.0]], &device);
//! // Label 0: (1² + 0²)/2 = 0.5; label 1: only the second row, 4² = 16; weights 1 and 0.5.
//! let loss = Regression::Mse.loss(pred, target, &[1.0, 0.5]);
//! assert_eq!(loss.into_scalar(), 0.5 + 8.0);
//! ```

pub mod bins;
pub mod contrastive;
pub mod ordinal;
pub mod soft;

use burn::tensor::{backend::Backend, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// The classification targets of `values` as tensors: `rows` (`width` per value, zeros where
/// a value is missing) as `[n, width]`, and the observed values (1, or 0 where NaN) as `[n]`.
fn class_targets<B: Backend>(
    rows: Vec<f64>,
    width: usize,
    values: &[f64],
    device: &B::Device,
) -> (Tensor<B, 2>, Tensor<B, 1>) {
    let mask: Vec<f64> = values
        .iter()
        .map(|v| f64::from(u8::from(v.is_finite())))
        .collect();
    (
        Tensor::from_data(
            TensorData::new(rows, [values.len(), width]).convert::<B::FloatElem>(),
            device,
        ),
        Tensor::from_data(
            TensorData::new(mask, [values.len()]).convert::<B::FloatElem>(),
            device,
        ),
    )
}

/// The observed entries of `target` (1 where it is a number, 0 where NaN), and `target` with
/// its NaNs set to 0, so arithmetic on it stays finite.
pub fn observed<B: Backend, const D: usize>(target: Tensor<B, D>) -> (Tensor<B, D>, Tensor<B, D>) {
    let missing = target.clone().is_nan();
    let mask = missing.clone().bool_not().float();
    (mask, target.mask_fill(missing, 0.0))
}

/// `per_entry` (`[n, labels]`, 0 where unobserved) averaged over each label's observed rows
/// (`mask`), then summed with `weights`: `[1]`.
pub fn weighted_label_mean<B: Backend>(
    per_entry: Tensor<B, 2>,
    mask: Tensor<B, 2>,
    weights: &[f64],
) -> Tensor<B, 1> {
    let [_, labels] = per_entry.dims();
    assert_eq!(weights.len(), labels, "one weight per label");
    let device = per_entry.device();
    let counts = mask.sum_dim(0).clamp_min(1.0);
    let means = per_entry.sum_dim(0) / counts;
    let w = Tensor::<B, 1>::from_floats(
        weights
            .iter()
            .map(|&w| w as f32)
            .collect::<Vec<_>>()
            .as_slice(),
        &device,
    )
    .reshape([1, labels]);
    (means * w).sum()
}

/// A regression loss on observed entries.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Regression {
    /// Squared error.
    Mse,
    /// Squared error within `delta` of the target, linear beyond (robust to outliers).
    Huber {
        /// Where the quadratic turns linear.
        delta: f64,
    },
    /// log(cosh(error)): quadratic near 0, linear far, smooth everywhere.
    LogCosh,
}

impl Regression {
    /// The loss of `prediction` against `target` (`[n, labels]`, NaN = missing), labels
    /// weighted by `weights`: `[1]`.
    pub fn loss<B: Backend>(
        self,
        prediction: Tensor<B, 2>,
        target: Tensor<B, 2>,
        weights: &[f64],
    ) -> Tensor<B, 1> {
        let (mask, target) = observed(target);
        let error = (prediction - target) * mask.clone();
        let per_entry = match self {
            Self::Mse => error.powi_scalar(2),
            Self::Huber { delta } => {
                let a = error.abs();
                let quadratic = a.clone().lower_equal_elem(delta);
                let linear = (a.clone() - 0.5 * delta) * delta;
                (a.powi_scalar(2) * 0.5).mask_where(quadratic.bool_not(), linear)
            }
            // log cosh x = |x| + log(1 + e^(−2|x|)) − log 2, which never overflows.
            Self::LogCosh => {
                let a = error.abs();
                a.clone() + (a * -2.0).exp().log1p() - std::f64::consts::LN_2
            }
        };
        weighted_label_mean(per_entry * mask.clone(), mask, weights)
    }
}

/// Binary cross-entropy of `logits` against 0/1 `target` (`[n, labels]`, NaN = missing),
/// averaged over each label's observed rows and weighted by `weights`: `[1]`.
///
/// Why not MSE on the 0/1 call: with 0.7 % positives (Tong 2004) squared error is nearly
/// satisfied by predicting 0 everywhere, and its gradient on a confident wrong answer is
/// bounded where the log-loss's is not; what a call's consumer reads is the ranking (AUROC,
/// precision at K), which the log-odds order. Computed as
/// max(z, 0) − z·y + log(1 + e^(−|z|)), which never overflows.
pub fn logistic<B: Backend>(
    logits: Tensor<B, 2>,
    target: Tensor<B, 2>,
    weights: &[f64],
) -> Tensor<B, 1> {
    let (mask, y) = observed(target);
    let per_entry =
        logits.clone().clamp_min(0.0) - logits.clone() * y + logits.abs().neg().exp().log1p();
    weighted_label_mean(per_entry * mask.clone(), mask, weights)
}

#[cfg(test)]
pub(crate) mod tests {
    use burn::tensor::{Tensor, TensorData};

    use super::*;

    pub(crate) type B = burn::backend::NdArray<f64>;
    pub(crate) type Ad = burn::backend::Autodiff<B>;

    pub(crate) fn tensor<Bk: Backend, const D: usize>(
        values: Vec<f64>,
        shape: [usize; D],
    ) -> Tensor<Bk, D> {
        Tensor::from_data(TensorData::new(values, shape), &Default::default())
    }

    pub(crate) fn scalar<Bk: Backend>(t: Tensor<Bk, 1>) -> f64 {
        t.into_data().to_vec::<f64>().unwrap()[0]
    }

    #[test]
    fn huber_and_log_cosh_by_hand() {
        let pred = || tensor::<B, 2>(vec![0.5, 3.0, 1.0], [3, 1]);
        let target = || tensor::<B, 2>(vec![0.0, 0.0, f64::NAN], [3, 1]);
        // Huber δ = 1: 0.5·0.25 = 0.125 and 1·(3 − 0.5) = 2.5, mean 1.3125.
        let h = Regression::Huber { delta: 1.0 }.loss(pred(), target(), &[1.0]);
        assert!((scalar(h) - 1.3125).abs() < 1e-12);
        let lc = Regression::LogCosh.loss(pred(), target(), &[1.0]);
        let expected = (0.5f64.cosh().ln() + 3.0f64.cosh().ln()) / 2.0;
        assert!((scalar(lc) - expected).abs() < 1e-12);
    }

    #[test]
    fn logistic_by_hand() {
        let logits = tensor::<B, 2>(vec![0.0, 2.0, -3.0, 800.0], [4, 1]);
        let target = tensor::<B, 2>(vec![1.0, 0.0, f64::NAN, 1.0], [4, 1]);
        // ln 2; −ln(1 − σ(2)) = 2 + ln(1 + e^−2); the missing row is skipped; a huge right
        // logit costs 0, not NaN.
        let expected = (2f64.ln() + 2.0 + (-2f64).exp().ln_1p()) / 3.0;
        assert!((scalar(logistic(logits, target, &[1.0])) - expected).abs() < 1e-12);
    }

    #[test]
    fn missing_targets_give_no_gradient() {
        let pred = tensor::<Ad, 2>(vec![1.0, 2.0], [2, 1]).require_grad();
        let target = tensor::<Ad, 2>(vec![0.0, f64::NAN], [2, 1]);
        let loss = Regression::Mse.loss(pred.clone(), target, &[1.0]);
        let grads = loss.backward();
        let g = pred
            .grad(&grads)
            .unwrap()
            .into_data()
            .to_vec::<f64>()
            .unwrap();
        assert_eq!(g, [2.0, 0.0]);
    }
}
