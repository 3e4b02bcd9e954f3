//! Traditional machine-learning baselines on gene features: random forest, gradient-boosted
//! trees, elastic net and support-vector regression, the models every DCell result is set
//! beside.
//!
//! ```
//! use ironcell_models::baseline::{Matrix, ModelKind, Params, Regressor};
//! // y = 2·x₀ − x₁ on a grid.
//! let x: Vec<f32> = (0..400).flat_map(|i| [(i % 20) as f32, (i / 20) as f32]).collect();
//! let y: Vec<f64> = x.chunks(2).map(|r| 2.0 * r[0] as f64 - r[1] as f64).collect();
//! let x = Matrix::new(&x, 2).unwrap();
//! let mut params = Params::default();
//! params.enet.alpha = 1e-4;
//! let model = Regressor::fit(ModelKind::Enet, x, &y, &params).unwrap();
//! let p = model.predict(Matrix::new(&[3.0, 4.0], 2).unwrap());
//! assert!((p[0] - 2.0).abs() < 0.01);
//! ```

pub mod design;
pub mod linear;
mod matrix;
pub mod neighbours;
mod saved;
mod standardize;
pub mod svr;
pub mod trees;

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

pub use matrix::{Matrix, MatrixError};
pub use saved::{load, save, SavedError};
pub use standardize::Standardizer;

use linear::{ElasticNetParams, LinearModel};
use svr::{SvrModel, SvrParams};
use trees::{BoostingParams, ForestParams, GradientBoosting, RandomForest};

/// Which baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Random forest.
    Rf,
    /// Gradient-boosted trees.
    Gbt,
    /// Elastic net.
    Enet,
    /// ε-SVR with an RBF kernel.
    Svr,
}

impl ModelKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [ModelKind; 4] = [Self::Rf, Self::Gbt, Self::Enet, Self::Svr];
}

impl FromStr for ModelKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "rf" => Ok(Self::Rf),
            "gbt" => Ok(Self::Gbt),
            "enet" => Ok(Self::Enet),
            "svr" => Ok(Self::Svr),
            _ => Err(format!(
                "unknown model {s:?}: expected rf, gbt, enet or svr"
            )),
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Rf => "rf",
            Self::Gbt => "gbt",
            Self::Enet => "enet",
            Self::Svr => "svr",
        })
    }
}

/// Hyper-parameters of every kind (each used only by its own), as a TOML/JSON table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Params {
    /// Random forest.
    pub rf: ForestParams,
    /// Gradient-boosted trees.
    pub gbt: BoostingParams,
    /// Elastic net.
    pub enet: ElasticNetParams,
    /// SVR.
    pub svr: SvrParams,
}

impl Params {
    /// Sets every kind's seed that has one.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.rf.seed = seed;
        self.gbt.seed = seed;
        self
    }

    /// Sets the forest's trees and the boosting's rounds: the one size knob of both.
    pub fn with_trees(mut self, trees: usize) -> Self {
        self.rf.trees = trees;
        self.gbt.rounds = trees;
        self
    }
}

/// A fitted baseline.
#[derive(Debug, Clone)]
pub enum Regressor {
    /// Random forest.
    Rf(RandomForest),
    /// Gradient-boosted trees.
    Gbt(GradientBoosting),
    /// Elastic net.
    Enet(LinearModel),
    /// SVR.
    Svr(SvrModel),
}

/// A baseline could not be fitted.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// No rows, or targets and rows disagree.
    #[error("{targets} targets for {rows} rows: need as many, and at least one")]
    Shape {
        /// Rows of the matrix.
        rows: usize,
        /// Targets.
        targets: usize,
    },
    /// A target is NaN or infinite.
    #[error("target {0} is not finite")]
    NotFinite(usize),
    /// The elastic net failed.
    #[error(transparent)]
    Enet(#[from] linear::FitError),
    /// The SVR failed.
    #[error(transparent)]
    Svr(#[from] svr::FitError),
}

impl Regressor {
    /// Fits `kind` to rows `x` and targets `y` with its part of `params`.
    pub fn fit(
        kind: ModelKind,
        x: Matrix<'_>,
        y: &[f64],
        params: &Params,
    ) -> Result<Self, FitError> {
        if x.rows() == 0 || y.len() != x.rows() {
            return Err(FitError::Shape {
                rows: x.rows(),
                targets: y.len(),
            });
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(FitError::NotFinite(i));
        }
        Ok(match kind {
            ModelKind::Rf => Self::Rf(RandomForest::fit(x, y, &params.rf)),
            ModelKind::Gbt => Self::Gbt(GradientBoosting::fit(x, y, &params.gbt)),
            ModelKind::Enet => Self::Enet(LinearModel::fit(x, y, &params.enet)?),
            ModelKind::Svr => Self::Svr(SvrModel::fit(x, y, &params.svr)?),
        })
    }

    /// Its kind.
    pub fn kind(&self) -> ModelKind {
        match self {
            Self::Rf(_) => ModelKind::Rf,
            Self::Gbt(_) => ModelKind::Gbt,
            Self::Enet(_) => ModelKind::Enet,
            Self::Svr(_) => ModelKind::Svr,
        }
    }

    /// Whether it is made of members whose disagreement is a spread: a forest's trees,
    /// bootstrap boosting's bags.
    pub fn has_members(&self) -> bool {
        match self {
            Self::Rf(_) => true,
            Self::Gbt(m) => m.bags() > 1,
            Self::Enet(_) | Self::Svr(_) => false,
        }
    }

    /// `summarise` of each row's member predictions, for a model that [has
    /// members](Self::has_members); `None` for one that has not.
    pub fn predict_members<T: Send>(
        &self,
        x: Matrix<'_>,
        summarise: impl Fn(&mut [f64]) -> T + Sync,
    ) -> Option<Vec<T>> {
        match self {
            Self::Rf(m) => Some(m.predict_trees(x, summarise)),
            Self::Gbt(m) if m.bags() > 1 => Some(m.predict_bags(x, summarise)),
            _ => None,
        }
    }

    /// The prediction for each row of `x`.
    pub fn predict(&self, x: Matrix<'_>) -> Vec<f64> {
        match self {
            Self::Rf(m) => m.predict(x),
            Self::Gbt(m) => m.predict(x),
            Self::Enet(m) => m.predict(x),
            Self::Svr(m) => m.predict(x),
        }
    }
}
