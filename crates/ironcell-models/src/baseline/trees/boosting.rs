//! Gradient-boosted regression trees with squared loss (Friedman 2001), shaped like
//! scikit-learn's `HistGradientBoostingRegressor`: binned features, best-first trees with a
//! leaf budget, shrinkage, L2 on leaf values.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{
    bins::Binned,
    grow::{grow, GrowParams, Targets},
    tree::Tree,
};
use crate::baseline::Matrix;

/// Boosting hyper-parameters; the defaults are scikit-learn's `HistGradientBoostingRegressor`
/// (without its early stopping: every round is fitted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BoostingParams {
    /// Boosting rounds (trees).
    pub rounds: usize,
    /// Shrinkage applied to each tree.
    pub learning_rate: f64,
    /// Leaves per tree, grown best-first.
    pub max_leaves: usize,
    /// Deepest level; `None`: only the leaf budget limits.
    pub max_depth: Option<usize>,
    /// Fewest rows per leaf.
    pub min_samples_leaf: usize,
    /// L2 penalty on leaf values.
    pub l2: f64,
    /// Seed of the binning sample.
    pub seed: u64,
}

impl Default for BoostingParams {
    fn default() -> Self {
        Self {
            rounds: 100,
            learning_rate: 0.1,
            max_leaves: 31,
            max_depth: None,
            min_samples_leaf: 20,
            l2: 0.0,
            seed: 0,
        }
    }
}

/// A fitted boosted ensemble.
///
/// ```
/// use ironcell_models::baseline::{Matrix, trees::{BoostingParams, GradientBoosting}};
/// let x: Vec<f32> = (0..400).map(|i| i as f32).collect();
/// let y: Vec<f64> = (0..400).map(|i| (i / 100) as f64).collect();
/// let model = GradientBoosting::fit(Matrix::new(&x, 1).unwrap(), &y, &BoostingParams::default());
/// let p = model.predict(Matrix::new(&[50.0, 350.0], 1).unwrap());
/// assert!((p[0] - 0.0).abs() < 0.01 && (p[1] - 3.0).abs() < 0.01);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GradientBoosting {
    /// How it was fitted.
    pub params: BoostingParams,
    /// Number of input features.
    pub features: usize,
    /// The starting prediction (the training mean).
    pub base: f64,
    /// The trees, shrinkage included in their leaves.
    pub trees: Vec<Tree>,
}

impl GradientBoosting {
    /// Fits `params.rounds` trees to rows `x` and targets `y`; large nodes fill their
    /// histograms on rayon's pool.
    ///
    /// # Panics
    /// When `y` and `x` differ in rows or there are none.
    pub fn fit(x: Matrix<'_>, y: &[f64], params: &BoostingParams) -> Self {
        let n = x.rows();
        assert!(n > 0 && y.len() == n, "{} targets for {n} rows", y.len());
        let binned = Binned::new(x, params.seed);
        let grow_params = GrowParams {
            max_depth: params.max_depth,
            max_leaves: Some(params.max_leaves.max(2)),
            min_samples_split: 2,
            min_samples_leaf: params.min_samples_leaf,
            max_features: x.cols(),
            l2: params.l2,
            parallel: true,
        };
        let base = y.iter().sum::<f64>() / n as f64;
        let mut prediction = vec![base; n];
        let mut residual = vec![0.0; n];
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        // Unused: every feature is a candidate; the grower's signature asks for an rng.
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let mut trees = Vec::with_capacity(params.rounds);
        for _ in 0..params.rounds {
            for ((r, y), p) in residual.iter_mut().zip(y).zip(&prediction) {
                *r = y - p;
            }
            rows.clear();
            rows.extend(0..n as u32);
            let targets = Targets {
                sum: &residual,
                weight: None,
            };
            let mut grown = grow(&binned, targets, &mut rows, &grow_params, &mut rng);
            for leaf in &grown.leaves {
                let step = params.learning_rate * leaf.value;
                grown.tree.set_value(leaf.node, step as f32);
                for &r in &rows[leaf.start..leaf.end] {
                    prediction[r as usize] += step;
                }
            }
            trees.push(grown.tree);
        }
        Self {
            params: params.clone(),
            features: x.cols(),
            base,
            trees,
        }
    }

    /// The base plus every tree's prediction for each row of `x`.
    pub fn predict(&self, x: Matrix<'_>) -> Vec<f64> {
        use rayon::prelude::*;
        (0..x.rows())
            .into_par_iter()
            .map(|i| {
                let row = x.row(i);
                self.base
                    + self
                        .trees
                        .iter()
                        .map(|t| f64::from(t.predict(row)))
                        .sum::<f64>()
            })
            .collect()
    }
}
