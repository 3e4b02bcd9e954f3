//! ε-support-vector regression with an RBF kernel, from `linfa-svm` (an SMO solver as in
//! libsvm, which scikit-learn's `SVR` wraps). Kernel methods hold an n × n kernel, so SVR is
//! for up to some thousands of rows; the caller subsamples larger training sets.

use linfa::{
    traits::{Fit, Predict},
    Dataset,
};
use linfa_svm::Svm;
use ndarray::Array1;
use serde::{Deserialize, Serialize};

use super::{linear::to_array, Matrix};

/// SVR hyper-parameters; the defaults are scikit-learn's (`gamma="scale"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SvrParams {
    /// Penalty C on errors beyond ε.
    pub c: f64,
    /// Half-width of the insensitive tube.
    pub epsilon: f64,
    /// RBF γ in exp(−γ‖x − x′‖²); `None`: 1 / (features × variance of all features).
    pub gamma: Option<f64>,
}

impl Default for SvrParams {
    fn default() -> Self {
        Self {
            c: 1.0,
            epsilon: 0.1,
            gamma: None,
        }
    }
}

/// A fitted SVR.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SvrModel {
    /// How it was fitted.
    pub params: SvrParams,
    /// The γ used.
    pub gamma: f64,
    svm: Svm<f64, f64>,
}

/// Fitting failed inside linfa.
#[derive(Debug, thiserror::Error)]
#[error("SVR: {0}")]
pub struct FitError(String);

impl SvrModel {
    /// Fits ε-SVR to rows `x` and targets `y`.
    pub fn fit(x: Matrix<'_>, y: &[f64], params: &SvrParams) -> Result<Self, FitError> {
        let records = to_array(x);
        let gamma = params.gamma.unwrap_or_else(|| {
            let var = records.var(0.0);
            if var > 0.0 {
                1.0 / (x.cols() as f64 * var)
            } else {
                1.0
            }
        });
        let dataset = Dataset::new(records, Array1::from(y.to_vec()));
        // linfa's Gaussian kernel is exp(−‖x − x′‖² / eps).
        let svm = Svm::<f64, f64>::params()
            .c_svr(params.c, Some(params.epsilon))
            .gaussian_kernel(1.0 / gamma)
            .fit(&dataset)
            .map_err(|e| FitError(e.to_string()))?;
        Ok(Self {
            params: params.clone(),
            gamma,
            svm,
        })
    }

    /// The prediction for each row of `x`.
    pub fn predict(&self, x: Matrix<'_>) -> Vec<f64> {
        let records = to_array(x);
        let p: Array1<f64> = self.svm.predict(&records);
        p.to_vec()
    }
}
