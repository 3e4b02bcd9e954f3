//! Elastic net by coordinate descent, from `linfa-elasticnet` (the objective of
//! scikit-learn's `ElasticNet`: ½n⁻¹‖y − Xw − b‖² + α·ρ‖w‖₁ + ½α(1 − ρ)‖w‖²). The fitted model
//! is kept as its weights, so saving and predicting need nothing from linfa.
//!
//! linfa fits the intercept as the mean of `y` without centring the features, which is right
//! only for centred features; the columns are centred here first and the intercept moved back,
//! as scikit-learn does.

use linfa::{traits::Fit, Dataset};
use linfa_elasticnet::ElasticNet;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::Matrix;

/// Elastic-net hyper-parameters; the defaults are scikit-learn's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ElasticNetParams {
    /// Overall penalty α.
    pub alpha: f64,
    /// Share ρ of the penalty on the L1 norm (1: lasso, 0: ridge).
    pub l1_ratio: f64,
    /// Most coordinate-descent sweeps.
    pub max_iterations: u32,
    /// Convergence tolerance.
    pub tolerance: f64,
}

impl Default for ElasticNetParams {
    fn default() -> Self {
        Self {
            alpha: 1.0,
            l1_ratio: 0.5,
            max_iterations: 1000,
            tolerance: 1e-4,
        }
    }
}

/// A fitted linear model `x · weights + intercept`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    /// How it was fitted.
    pub params: ElasticNetParams,
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
}

/// Fitting failed inside linfa (invalid parameters, no convergence to a finite model).
#[derive(Debug, thiserror::Error)]
#[error("elastic net: {0}")]
pub struct FitError(String);

impl LinearModel {
    /// Fits an elastic net to rows `x` and targets `y`.
    pub fn fit(x: Matrix<'_>, y: &[f64], params: &ElasticNetParams) -> Result<Self, FitError> {
        let mut records = to_array(x);
        let means = records
            .mean_axis(ndarray::Axis(0))
            .unwrap_or_else(|| Array1::zeros(x.cols()));
        records -= &means;
        let dataset = Dataset::new(records, Array1::from(y.to_vec()));
        let model = ElasticNet::params()
            .penalty(params.alpha)
            .l1_ratio(params.l1_ratio)
            .max_iterations(params.max_iterations)
            .tolerance(params.tolerance)
            .fit(&dataset)
            .map_err(|e| FitError(e.to_string()))?;
        let weights = model.hyperplane().to_vec();
        let shift: f64 = weights.iter().zip(&means).map(|(w, m)| w * m).sum();
        Ok(Self {
            params: params.clone(),
            weights,
            intercept: model.intercept() - shift,
        })
    }

    /// The prediction for each row of `x`.
    pub fn predict(&self, x: Matrix<'_>) -> Vec<f64> {
        (0..x.rows())
            .map(|i| {
                let dot: f64 = x
                    .row(i)
                    .iter()
                    .zip(&self.weights)
                    .map(|(&v, w)| f64::from(v) * w)
                    .sum();
                dot + self.intercept
            })
            .collect()
    }
}

/// Copies a matrix into linfa's `f64` array.
pub(crate) fn to_array(x: Matrix<'_>) -> Array2<f64> {
    Array2::from_shape_fn((x.rows(), x.cols()), |(i, j)| f64::from(x.row(i)[j]))
}
