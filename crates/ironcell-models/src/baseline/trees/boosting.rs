//! Gradient-boosted regression trees with squared loss (Friedman 2001), shaped like
//! scikit-learn's `HistGradientBoostingRegressor`: binned features, best-first trees with a
//! leaf budget, shrinkage, L2 on leaf values. With `bags` ≥ 2, bootstrap boosting: the
//! boosting is repeated on bootstrap resamples of the rows, the bags' mean is the prediction
//! and their disagreement its spread (one boosted model has none of its own).

use rand::{Rng, SeedableRng};
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
    /// Seed of the binning sample and of the bootstrap resamples.
    pub seed: u64,
    /// Boosted models, each on a bootstrap resample of the rows (1: one, on every row).
    pub bags: usize,
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
            bags: 1,
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
    /// Each bag's starting prediction (its training mean).
    pub bases: Vec<f64>,
    /// The trees, shrinkage included in their leaves, bag after bag (`params.rounds` each).
    pub trees: Vec<Tree>,
}

impl GradientBoosting {
    /// Fits `params.rounds` trees to rows `x` and targets `y` (per bag, on its bootstrap
    /// resample); large nodes fill their histograms on rayon's pool.
    ///
    /// # Panics
    /// When `y` and `x` differ in rows or there are none.
    pub fn fit(x: Matrix<'_>, y: &[f64], params: &BoostingParams) -> Self {
        let n = x.rows();
        assert!(n > 0 && y.len() == n, "{} targets for {n} rows", y.len());
        let binned = Binned::new(x, params.seed);
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let (mut bases, mut trees) = (Vec::new(), Vec::new());
        for _ in 0..params.bags.max(1) {
            let weight = (params.bags > 1).then(|| {
                let mut weight = vec![0.0f64; n];
                for _ in 0..n {
                    weight[rng.random_range(0..n)] += 1.0;
                }
                weight
            });
            let (base, bag) = boost(&binned, y, weight.as_deref(), params, &mut rng);
            bases.push(base);
            trees.extend(bag);
        }
        Self {
            params: params.clone(),
            features: x.cols(),
            bases,
            trees,
        }
    }

    /// Bags fitted.
    pub fn bags(&self) -> usize {
        self.bases.len()
    }

    /// `summarise` of each row's bag predictions (one per bag), rows in parallel.
    pub fn predict_bags<T: Send>(
        &self,
        x: Matrix<'_>,
        summarise: impl Fn(&mut [f64]) -> T + Sync,
    ) -> Vec<T> {
        use rayon::prelude::*;
        let rounds = self.trees.len() / self.bases.len().max(1);
        (0..x.rows())
            .into_par_iter()
            .map_init(
                || Vec::with_capacity(self.bases.len()),
                |each, i| {
                    let row = x.row(i);
                    each.clear();
                    each.extend(self.bases.iter().zip(self.trees.chunks(rounds.max(1))).map(
                        |(base, trees)| {
                            base + trees.iter().map(|t| f64::from(t.predict(row))).sum::<f64>()
                        },
                    ));
                    summarise(each)
                },
            )
            .collect()
    }

    /// The mean over bags of the base plus every tree's prediction, for each row of `x`.
    pub fn predict(&self, x: Matrix<'_>) -> Vec<f64> {
        self.predict_bags(x, |each| each.iter().sum::<f64>() / each.len() as f64)
    }
}

/// One boosted model on the rows of `binned` with targets `y`, each row counted `weight`
/// times (a bootstrap resample; every row once without): its base and its trees.
fn boost(
    binned: &Binned,
    y: &[f64],
    weight: Option<&[f64]>,
    params: &BoostingParams,
    rng: &mut ChaCha8Rng,
) -> (f64, Vec<Tree>) {
    let n = y.len();
    let grow_params = GrowParams {
        max_depth: params.max_depth,
        max_leaves: Some(params.max_leaves.max(2)),
        min_samples_split: 2,
        min_samples_leaf: params.min_samples_leaf,
        max_features: binned.features(),
        l2: params.l2,
        parallel: true,
    };
    let count = |r: usize| weight.map_or(1.0, |w| w[r]);
    let total: f64 = (0..n).map(count).sum();
    let base = (0..n).map(|r| count(r) * y[r]).sum::<f64>() / total;
    let in_bag: Vec<u32> = (0..n as u32).filter(|&r| count(r as usize) > 0.0).collect();
    let mut prediction = vec![base; n];
    let mut residual = vec![0.0; n];
    let mut rows: Vec<u32> = Vec::with_capacity(in_bag.len());
    let mut trees = Vec::with_capacity(params.rounds);
    for _ in 0..params.rounds {
        for (r, ((res, y), p)) in residual.iter_mut().zip(y).zip(&prediction).enumerate() {
            // Weighted targets as the grower takes them: weight × residual.
            *res = count(r) * (y - p);
        }
        rows.clear();
        rows.extend_from_slice(&in_bag);
        let targets = Targets {
            sum: &residual,
            weight,
        };
        // Every feature is a candidate: the rng only satisfies the grower's signature.
        let mut grown = grow(binned, targets, &mut rows, &grow_params, rng);
        for leaf in &grown.leaves {
            let step = params.learning_rate * leaf.value;
            grown.tree.set_value(leaf.node, step as f32);
            for &r in &rows[leaf.start..leaf.end] {
                prediction[r as usize] += step;
            }
        }
        trees.push(grown.tree);
    }
    (base, trees)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y = step(x) + noise: bags agree where rows are many and the signal plain.
    fn data() -> (Vec<f32>, Vec<f64>) {
        let x: Vec<f32> = (0..600).map(|i| i as f32).collect();
        let y: Vec<f64> = (0..600)
            .map(|i| (i / 200) as f64 + 0.3 * (((i * 37) % 17) as f64 / 17.0 - 0.5))
            .collect();
        (x, y)
    }

    #[test]
    fn one_bag_is_plain_boosting_on_every_row() {
        let (x, y) = data();
        let m = GradientBoosting::fit(Matrix::new(&x, 1).unwrap(), &y, &BoostingParams::default());
        assert_eq!((m.bags(), m.trees.len()), (1, 100));
        assert!((m.bases[0] - y.iter().sum::<f64>() / 600.0).abs() < 1e-12);
        let spread = m.predict_bags(Matrix::new(&[100.0], 1).unwrap(), |b| b.len());
        assert_eq!(spread, [1]);
    }

    #[test]
    fn bags_resample_and_their_mean_predicts() {
        let (x, y) = data();
        let params = BoostingParams {
            bags: 5,
            rounds: 30,
            ..BoostingParams::default()
        };
        let m = GradientBoosting::fit(Matrix::new(&x, 1).unwrap(), &y, &params);
        assert_eq!((m.bags(), m.trees.len()), (5, 150));
        // Each bag's base is its own resample's mean: they differ.
        assert!(m.bases.windows(2).any(|w| w[0] != w[1]), "{:?}", m.bases);
        let probe = Matrix::new(&[100.0, 350.0, 550.0], 1).unwrap();
        let each = m.predict_bags(probe, |b| b.to_vec());
        let mean = m.predict(probe);
        for (bags, mean) in each.iter().zip(&mean) {
            assert_eq!(bags.len(), 5);
            assert!((bags.iter().sum::<f64>() / 5.0 - mean).abs() < 1e-12);
            // The bags disagree, a little.
            let (lo, hi) = bags
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
            assert!(hi > lo && hi - lo < 0.5, "{bags:?}");
        }
        assert!(
            (mean[0] - 0.0).abs() < 0.2 && (mean[2] - 2.0).abs() < 0.2,
            "{mean:?}"
        );
        // Seeded: the same bags again.
        let again = GradientBoosting::fit(Matrix::new(&x, 1).unwrap(), &y, &params);
        assert_eq!(again.bases, m.bases);
    }
}
