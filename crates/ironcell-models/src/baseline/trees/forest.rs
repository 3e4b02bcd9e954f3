//! Random forest regression (Breiman 2001) as scikit-learn's `RandomForestRegressor` does it:
//! bootstrap samples, full-depth trees by default, mean of the trees.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{
    bins::Binned,
    grow::{grow, GrowParams, Targets},
    tree::Tree,
};
use crate::baseline::Matrix;

/// Forest hyper-parameters; the defaults are scikit-learn's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForestParams {
    /// Number of trees.
    pub trees: usize,
    /// Deepest level; `None` grows until leaves are pure or too small.
    pub max_depth: Option<usize>,
    /// Fewest rows a node needs to be split.
    pub min_samples_split: usize,
    /// Fewest rows a leaf keeps.
    pub min_samples_leaf: usize,
    /// Fraction of the features tried at each node.
    pub max_features: f64,
    /// Train each tree on a bootstrap sample (else on all rows).
    pub bootstrap: bool,
    /// Rows drawn for each tree's bootstrap sample, at most (scikit-learn's `max_samples`);
    /// `None` draws as many as there are rows. On hundreds of thousands of rows a tree grown
    /// on every row costs minutes; trees grown on different samples of 50,000 still see every
    /// row between them. Only with `bootstrap`.
    pub max_samples: Option<usize>,
    /// Seed of the bootstrap samples and feature draws.
    pub seed: u64,
}

impl Default for ForestParams {
    fn default() -> Self {
        Self {
            trees: 100,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: 1.0,
            bootstrap: true,
            max_samples: None,
            seed: 0,
        }
    }
}

/// A fitted random forest.
///
/// ```
/// use ironcell_models::baseline::{Matrix, trees::{ForestParams, RandomForest}};
/// let x: Vec<f32> = (0..200).map(|i| i as f32).collect();
/// let y: Vec<f64> = (0..200).map(|i| if i < 100 { 0.0 } else { 1.0 }).collect();
/// let params = ForestParams { trees: 10, ..ForestParams::default() };
/// let forest = RandomForest::fit(Matrix::new(&x, 1).unwrap(), &y, &params);
/// let p = forest.predict(Matrix::new(&[10.0, 150.0], 1).unwrap());
/// assert!(p[0] < 0.1 && p[1] > 0.9);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RandomForest {
    /// How it was fitted.
    pub params: ForestParams,
    /// Number of input features.
    pub features: usize,
    /// The trees.
    pub trees: Vec<Tree>,
}

impl RandomForest {
    /// Fits a forest to rows `x` and targets `y`, trees in parallel on rayon's pool.
    ///
    /// # Panics
    /// When `y` and `x` differ in rows or there are none.
    pub fn fit(x: Matrix<'_>, y: &[f64], params: &ForestParams) -> Self {
        let n = x.rows();
        assert!(n > 0 && y.len() == n, "{} targets for {n} rows", y.len());
        let binned = Binned::new(x, params.seed);
        let max_features =
            ((params.max_features * x.cols() as f64).ceil() as usize).clamp(1, x.cols());
        let grow_params = GrowParams {
            max_depth: params.max_depth,
            max_leaves: None,
            min_samples_split: params.min_samples_split,
            min_samples_leaf: params.min_samples_leaf,
            max_features,
            l2: 0.0,
            parallel: false,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let seeds: Vec<u64> = (0..params.trees).map(|_| rng.random()).collect();
        let trees = seeds
            .into_par_iter()
            .map(|seed| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let mut weight = vec![0.0f64; n];
                if params.bootstrap {
                    let draws = params.max_samples.map_or(n, |m| m.clamp(1, n));
                    for _ in 0..draws {
                        weight[rng.random_range(0..n)] += 1.0;
                    }
                } else {
                    weight.fill(1.0);
                }
                let sum: Vec<f64> = weight.iter().zip(y).map(|(w, y)| w * y).collect();
                let mut rows: Vec<u32> = (0..n as u32)
                    .filter(|&r| weight[r as usize] > 0.0)
                    .collect();
                let targets = Targets {
                    sum: &sum,
                    weight: Some(&weight),
                };
                grow(&binned, targets, &mut rows, &grow_params, &mut rng).tree
            })
            .collect();
        Self {
            params: params.clone(),
            features: x.cols(),
            trees,
        }
    }

    /// The mean of the trees' predictions for each row of `x`.
    pub fn predict(&self, x: Matrix<'_>) -> Vec<f64> {
        (0..x.rows())
            .into_par_iter()
            .map(|i| {
                let row = x.row(i);
                let total: f64 = self.trees.iter().map(|t| f64::from(t.predict(row))).sum();
                total / self.trees.len().max(1) as f64
            })
            .collect()
    }

    /// `summarise` of each row's tree predictions (one per tree, in tree order), rows in
    /// parallel: how far the trees disagree is the forest's own measure of its uncertainty.
    pub fn predict_trees<T: Send>(
        &self,
        x: Matrix<'_>,
        summarise: impl Fn(&mut [f64]) -> T + Sync,
    ) -> Vec<T> {
        (0..x.rows())
            .into_par_iter()
            .map_init(
                || Vec::with_capacity(self.trees.len()),
                |each, i| {
                    let row = x.row(i);
                    each.clear();
                    each.extend(self.trees.iter().map(|t| f64::from(t.predict(row))));
                    summarise(each)
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_samples_bounds_what_each_tree_draws() {
        // 200 distinct values: one bin each.
        let x: Vec<f32> = (0..200).map(|i| i as f32).collect();
        let y: Vec<f64> = (0..200).map(f64::from).collect();
        let x = Matrix::new(&x, 1).unwrap();
        let fit = |max_samples| {
            let params = ForestParams {
                trees: 8,
                max_samples,
                seed: 3,
                ..ForestParams::default()
            };
            RandomForest::fit(x, &y, &params)
        };
        // Full-depth trees end in one leaf per distinct row drawn: at most 20 of them.
        let capped = fit(Some(20));
        assert!(capped.trees.iter().all(|t| t.leaves() <= 20));
        // A bootstrap of every row draws ~63 % of them distinct.
        let full = fit(None);
        assert!(full.trees.iter().all(|t| t.leaves() > 100));
        // A cap above the rows draws as many as there are rows.
        assert_eq!(fit(Some(5000)).trees, full.trees);
    }
}
