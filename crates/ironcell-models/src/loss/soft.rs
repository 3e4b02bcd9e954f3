//! Soft-label classification: a label's value becomes the Gaussian mass of each bin around it
//! ([`Bins::gaussian`]), the model's K logits are trained by cross-entropy against it, and the
//! prediction on the label's scale is the expectation over the bins' centers.

use burn::tensor::{activation, backend::Backend, Tensor, TensorData};

use super::bins::Bins;

/// The soft labels of `values` (`[n, K]`, rows of zeros where a value is missing) and the
/// observed rows (`[n]`, 1 or 0).
pub fn targets<B: Backend>(
    values: &[f64],
    bins: &Bins,
    sigma: f64,
    device: &B::Device,
) -> (Tensor<B, 2>, Tensor<B, 1>) {
    let k = bins.len();
    let q: Vec<f64> = values
        .iter()
        .flat_map(|&v| bins.gaussian(v, sigma))
        .collect();
    super::class_targets(q, k, values, device)
}

/// Cross-entropy of `logits` (`[n, K]`) against soft labels `targets` (`[n, K]`), averaged
/// over the observed rows (`mask`, `[n]`): `[1]`.
pub fn loss<B: Backend>(
    logits: Tensor<B, 2>,
    targets: Tensor<B, 2>,
    mask: Tensor<B, 1>,
) -> Tensor<B, 1> {
    let per_row = -(activation::log_softmax(logits, 1) * targets)
        .sum_dim(1)
        .squeeze_dim::<1>(1);
    let n = mask.clone().sum().clamp_min(1.0);
    (per_row * mask).sum() / n
}

/// The prediction on the label's scale: Σ softmax(logits)ₖ · centerₖ, `[n]`.
pub fn expectation<B: Backend>(logits: Tensor<B, 2>, bins: &Bins) -> Tensor<B, 1> {
    let k = bins.len();
    let centers = Tensor::<B, 1>::from_data(
        TensorData::new(bins.centers().to_vec(), [k]).convert::<B::FloatElem>(),
        &logits.device(),
    )
    .reshape([k, 1]);
    activation::softmax(logits, 1)
        .matmul(centers)
        .squeeze_dim::<1>(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{
        bins::Binning,
        tests::{scalar, tensor, B},
    };

    #[test]
    fn cross_entropy_and_expectation_by_hand() {
        let bins = Bins::fit(&[0.0, 3.0], 3, Binning::EqualWidth).unwrap();
        let device = Default::default();
        let (q, mask) = targets::<B>(&[1.5, f64::NAN], &bins, 0.5, &device);
        let logits = tensor::<B, 2>(vec![0.0, 1.0, 0.0, 5.0, 5.0, 5.0], [2, 3]);
        let q0 = bins.gaussian(1.5, 0.5);
        let z = 2.0 + 1f64.exp();
        let logp = [-(z.ln()), 1.0 - z.ln(), -(z.ln())];
        let expected = -(q0[0] * logp[0] + q0[1] * logp[1] + q0[2] * logp[2]);
        let got = scalar(loss(logits.clone(), q, mask));
        assert!((got - expected).abs() < 1e-12, "{got} {expected}");
        let e = expectation(logits, &bins)
            .into_data()
            .to_vec::<f64>()
            .unwrap();
        let p = [1.0 / z, 1f64.exp() / z, 1.0 / z];
        assert!((e[0] - (0.5 * p[0] + 1.5 * p[1] + 2.5 * p[2])).abs() < 1e-12);
        assert!((e[1] - 1.5).abs() < 1e-12, "uniform logits give the middle");
    }
}
