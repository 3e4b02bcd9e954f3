//! Each label's way between its values and the network's outputs: standardised for the
//! regression losses, bins for the classification objectives. Fitted on the training labels,
//! saved with the model.

use burn::tensor::{activation::sigmoid, backend::Backend, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::Objective;
use crate::loss::{
    bins::Bins,
    logistic,
    ordinal::{self, coral_biases},
    soft, Regression,
};

/// How one label is learned and read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LabelCodec {
    /// One output z; the value is `mean + scale · z` (for a composed label, the interaction
    /// added to the single mutants' product is `scale · z`).
    Scaled {
        /// Centre.
        mean: f64,
        /// Spread (> 0).
        scale: f64,
        /// The loss on the standardised scale.
        loss: Regression,
    },
    /// K logits over bins against Gaussian soft labels.
    Soft {
        /// The bins.
        bins: Bins,
        /// σ in bin widths.
        sigma: f64,
    },
    /// One score plus K − 1 monotone biases (CORAL).
    Coral {
        /// The bins.
        bins: Bins,
    },
    /// K − 1 conditional logits (CORN).
    Corn {
        /// The bins.
        bins: Bins,
    },
    /// One logit of a 0/1 call, offset by `prior`, the log-odds of the training rate, so an
    /// untrained network predicts the base rate (0.7 % for synthetic lethality) instead of ½.
    Logistic {
        /// log(p / (1 − p)) of the training labels' rate of 1s.
        prior: f64,
    },
}

impl LabelCodec {
    /// The codec of a label whose training values are `values` (NaN allowed, skipped) under
    /// `objective`; a composed label's `residuals` (value − Π single mutants, where known)
    /// set its scale, and it is always a regression.
    pub fn fit(
        objective: Objective,
        values: &[f64],
        residuals: Option<&[f64]>,
    ) -> Result<Self, String> {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if finite.len() < 2 {
            return Err(format!(
                "{} training values: at least 2 are needed",
                finite.len()
            ));
        }
        let regression = |loss: Regression, on: &[f64]| {
            let on: Vec<f64> = on.iter().copied().filter(|v| v.is_finite()).collect();
            let on = if on.len() >= 2 { on } else { finite.clone() };
            let mean = on.iter().sum::<f64>() / on.len() as f64;
            let sd = (on.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / on.len() as f64).sqrt();
            let scale = if sd > 0.0 { sd } else { 1.0 };
            Self::Scaled {
                // The interaction of a composed label starts at 0, not at the mean residual.
                mean: if residuals.is_some() { 0.0 } else { mean },
                scale,
                loss,
            }
        };
        if let Some(r) = residuals {
            return Ok(regression(
                objective.regression().unwrap_or(Regression::Mse),
                r,
            ));
        }
        Ok(match objective {
            Objective::Mse | Objective::Huber { .. } | Objective::LogCosh => {
                regression(objective.regression().unwrap_or(Regression::Mse), &finite)
            }
            Objective::Soft {
                bins,
                binning,
                sigma,
            } => Self::Soft {
                bins: Bins::fit(&finite, bins, binning)?,
                sigma,
            },
            Objective::Coral { bins, binning } => Self::Coral {
                bins: Bins::fit(&finite, bins, binning)?,
            },
            Objective::Corn { bins, binning } => Self::Corn {
                bins: Bins::fit(&finite, bins, binning)?,
            },
            Objective::Logistic => {
                if let Some(v) = finite.iter().find(|&&v| v != 0.0 && v != 1.0) {
                    return Err(format!(
                        "the logistic objective needs calls, 0 or 1; found {v}"
                    ));
                }
                // Clamped: a label with no 1s (or no 0s) in training still gets a finite start.
                let rate =
                    (finite.iter().sum::<f64>() / finite.len() as f64).clamp(1e-4, 1.0 - 1e-4);
                Self::Logistic {
                    prior: (rate / (1.0 - rate)).ln(),
                }
            }
        })
    }

    /// Outputs the network gives this label.
    pub fn width(&self) -> usize {
        match self {
            Self::Scaled { .. } | Self::Coral { .. } | Self::Logistic { .. } => 1,
            Self::Soft { bins, .. } => bins.len(),
            Self::Corn { bins } => bins.len() - 1,
        }
    }

    /// For CORAL, the free parameters of its biases that start it at the training
    /// distribution: P(y > tₖ) = σ(bₖ) with the score at 0.
    pub fn coral_start(&self, values: &[f64]) -> Option<Vec<f32>> {
        let Self::Coral { bins } = self else {
            return None;
        };
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let n = finite.len() as f64;
        let logit = |p: f64| {
            let p = p.clamp(1e-3, 1.0 - 1e-3);
            (p / (1.0 - p)).ln()
        };
        let b: Vec<f64> = bins
            .thresholds()
            .iter()
            .map(|&t| logit(finite.iter().filter(|&&v| v > t).count() as f64 / n))
            .collect();
        // b₀ = raw₀, bₖ = bₖ₋₁ − softplus(rawₖ): rawₖ = softplus⁻¹(bₖ₋₁ − bₖ).
        let inverse_softplus = |y: f64| {
            let y = y.max(1e-4);
            (y.exp() - 1.0).ln()
        };
        Some(
            std::iter::once(b[0])
                .chain(b.windows(2).map(|w| inverse_softplus(w[0] - w[1])))
                .map(|v| v as f32)
                .collect(),
        )
    }

    /// The loss of `out` (`[n, width]`, the label's outputs; for a scaled label the
    /// standardised prediction) against `values` (`[n]`, NaN where missing), with CORAL's
    /// free bias parameters `raw` where it has them: `[1]`.
    pub fn loss<B: Backend>(
        &self,
        out: Tensor<B, 2>,
        values: &[f64],
        raw: Option<Tensor<B, 1>>,
    ) -> Tensor<B, 1> {
        let device = out.device();
        match self {
            Self::Scaled { mean, scale, loss } => {
                let z = values.iter().map(|v| (v - mean) / scale).collect();
                loss.loss(out, column(z, &device), &[1.0])
            }
            Self::Soft { bins, sigma } => {
                let (targets, mask) = soft::targets::<B>(values, bins, *sigma, &device);
                soft::loss(out, targets, mask)
            }
            Self::Coral { bins } => {
                let (levels, mask) = ordinal::levels::<B>(values, bins, &device);
                let logits = coral_logits(out, raw.expect("CORAL has its biases"));
                ordinal::coral_loss(logits, levels, mask)
            }
            Self::Corn { bins } => {
                let (levels, mask) = ordinal::levels::<B>(values, bins, &device);
                ordinal::corn_loss(out, levels, mask)
            }
            Self::Logistic { prior } => {
                logistic(out + *prior, column(values.to_vec(), &device), &[1.0])
            }
        }
    }

    /// The values `out` predicts, `[n]` (a scaled label's `mean + scale · z`).
    pub fn decode<B: Backend>(&self, out: Tensor<B, 2>, raw: Option<Tensor<B, 1>>) -> Tensor<B, 1> {
        match self {
            Self::Scaled { mean, scale, .. } => out.squeeze_dim::<1>(1) * *scale + *mean,
            Self::Soft { bins, .. } => soft::expectation(out, bins),
            Self::Coral { bins } => ordinal::expectation(
                ordinal::coral_exceed(coral_logits(out, raw.expect("CORAL has its biases"))),
                bins,
            ),
            Self::Corn { bins } => ordinal::expectation(ordinal::corn_exceed(out), bins),
            Self::Logistic { prior } => sigmoid(out.squeeze_dim::<1>(1) + *prior),
        }
    }
}

/// `values` as one column, `[n, 1]`: a regression or logistic target (NaN where missing).
fn column<B: Backend>(values: Vec<f64>, device: &B::Device) -> Tensor<B, 2> {
    let n = values.len();
    Tensor::from_data(
        TensorData::new(values, [n, 1]).convert::<B::FloatElem>(),
        device,
    )
}

/// CORAL's threshold logits: the shared score `[n, 1]` plus each threshold's bias.
fn coral_logits<B: Backend>(score: Tensor<B, 2>, raw: Tensor<B, 1>) -> Tensor<B, 2> {
    let [k] = raw.dims();
    score + coral_biases(raw).reshape([1, k])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::bins::Binning;

    type B = burn::backend::NdArray<f64>;

    #[test]
    fn a_scaled_label_reads_back_its_training_scale() {
        let codec = LabelCodec::fit(Objective::Mse, &[1.0, 3.0, f64::NAN], None).unwrap();
        assert_eq!(
            codec,
            LabelCodec::Scaled {
                mean: 2.0,
                scale: 1.0,
                loss: Regression::Mse
            }
        );
        let out = Tensor::<B, 2>::from_floats([[1.5], [-1.0]], &Default::default());
        let v = codec.decode(out, None).into_data().to_vec::<f64>().unwrap();
        assert_eq!(v, [3.5, 1.0]);
        // A composed label's interaction is centred on 0 and scaled by the residuals.
        let composed = LabelCodec::fit(
            Objective::Soft {
                bins: 4,
                binning: Binning::EqualWidth,
                sigma: 1.0,
            },
            &[0.5, 0.9],
            Some(&[-0.2, 0.2]),
        )
        .unwrap();
        assert!(
            matches!(composed, LabelCodec::Scaled { mean, scale, .. } if mean == 0.0 && (scale - 0.2).abs() < 1e-12)
        );
    }

    #[test]
    fn a_call_starts_at_its_base_rate_and_refuses_other_values() {
        let codec =
            LabelCodec::fit(Objective::Logistic, &[0.0, 0.0, 0.0, 1.0, f64::NAN], None).unwrap();
        let out = Tensor::<B, 2>::zeros([1, 1], &Default::default());
        let p = codec.decode(out, None).into_data().to_vec::<f64>().unwrap()[0];
        assert!((p - 0.25).abs() < 1e-12, "{p}");
        let err = LabelCodec::fit(Objective::Logistic, &[0.0, 0.5, 1.0], None).unwrap_err();
        assert!(err.contains("0 or 1; found 0.5"), "{err}");
    }

    #[test]
    fn coral_starts_at_the_training_distribution() {
        let values: Vec<f64> = (0..100).map(f64::from).collect();
        let codec = LabelCodec::fit(
            Objective::Coral {
                bins: 4,
                binning: Binning::EqualFrequency,
            },
            &values,
            None,
        )
        .unwrap();
        let raw = codec.coral_start(&values).unwrap();
        let raw = Tensor::<B, 1>::from_floats(raw.as_slice(), &Default::default());
        let score = Tensor::<B, 2>::zeros([1, 1], &Default::default());
        let p: Vec<f64> = ordinal::coral_exceed(coral_logits(score, raw))
            .into_data()
            .to_vec()
            .unwrap();
        // Thresholds at the quartiles: about ¾, ½ and ¼ of the values lie above.
        for (p, expected) in p.iter().zip([0.75, 0.5, 0.25]) {
            assert!((p - expected).abs() < 0.02, "{p} vs {expected}");
        }
        // Its prediction at the start is near the training mean.
        let score = Tensor::<B, 2>::zeros([1, 1], &Default::default());
        let raw = Tensor::<B, 1>::from_floats(
            codec.coral_start(&values).unwrap().as_slice(),
            &Default::default(),
        );
        let m = codec
            .decode(score, Some(raw))
            .into_data()
            .to_vec::<f64>()
            .unwrap()[0];
        assert!((m - 49.5).abs() < 6.0, "{m}");
    }
}
