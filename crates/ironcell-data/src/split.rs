//! Seeded train / validation / test splits.
//!
//! Two kinds: [`random_split`] over instances, and [`gene_disjoint_split`], which assigns
//! *genes* to the three parts and keeps an instance only where all its genes fall in one part,
//! so no test genotype contains a gene seen in training: the honest test of generalisation to
//! unmeasured genes.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Fractions of validation and test; training gets the rest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SplitFractions {
    /// Validation fraction.
    pub validation: f64,
    /// Test fraction.
    pub test: f64,
}

impl Default for SplitFractions {
    fn default() -> Self {
        Self {
            validation: 0.1,
            test: 0.2,
        }
    }
}

/// Instance indices of each part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training instances.
    pub train: Vec<usize>,
    /// Validation instances.
    pub validation: Vec<usize>,
    /// Test instances.
    pub test: Vec<usize>,
    /// Instances whose genes straddle parts (gene-disjoint splits only).
    pub dropped: usize,
}

fn cut(n: usize, f: SplitFractions) -> (usize, usize) {
    let test = (n as f64 * f.test).round() as usize;
    let validation = (n as f64 * f.validation).round() as usize;
    (validation.min(n - test), test)
}

/// A random split of `n` instances.
pub fn random_split(n: usize, fractions: SplitFractions, seed: u64) -> Split {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let (n_val, n_test) = cut(n, fractions);
    let mut test = order[..n_test].to_vec();
    let mut validation = order[n_test..n_test + n_val].to_vec();
    let mut train = order[n_test + n_val..].to_vec();
    for part in [&mut train, &mut validation, &mut test] {
        part.sort_unstable();
    }
    Split {
        train,
        validation,
        test,
        dropped: 0,
    }
}

/// A gene-disjoint split: genes (indices below `n_genes`) are split by `fractions`, and
/// instance `i` of `n`, whose genes `genes_of(i)` yields, goes to the part holding all its
/// genes. Taking the genes through a function lets 2e7 instances stay in flat storage.
pub fn gene_disjoint_split<I: IntoIterator<Item = usize>>(
    n: usize,
    genes_of: impl Fn(usize) -> I,
    n_genes: usize,
    fractions: SplitFractions,
    seed: u64,
) -> Split {
    let genes = random_split(n_genes, fractions, seed);
    // 0 train, 1 validation, 2 test, per gene.
    let mut part = vec![0u8; n_genes];
    for &g in &genes.validation {
        part[g] = 1;
    }
    for &g in &genes.test {
        part[g] = 2;
    }
    split_by_gene_parts(n, genes_of, &part)
}

/// A gene-disjoint split around test genes the user chose (indices below `n_genes`): the
/// other genes go to validation (a `validation` share of them, seeded) or training, and an
/// instance to the part holding all its genes, as in [`gene_disjoint_split`].
///
/// ```
/// use ironcell_data::split::held_out_genes_split;
/// let genotypes = [vec![0], vec![1], vec![0, 1], vec![2]];
/// let split = held_out_genes_split(4, |i| genotypes[i].clone(), 3, &[1], 0.0, 7);
/// assert_eq!((split.train, split.test, split.dropped), (vec![0, 3], vec![1], 1));
/// ```
pub fn held_out_genes_split<I: IntoIterator<Item = usize>>(
    n: usize,
    genes_of: impl Fn(usize) -> I,
    n_genes: usize,
    test_genes: &[usize],
    validation: f64,
    seed: u64,
) -> Split {
    let mut part = vec![0u8; n_genes];
    for &g in test_genes {
        part[g] = 2;
    }
    let mut rest: Vec<usize> = (0..n_genes).filter(|&g| part[g] != 2).collect();
    rest.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let n_validation = (rest.len() as f64 * validation).round() as usize;
    for &g in &rest[..n_validation.min(rest.len())] {
        part[g] = 1;
    }
    split_by_gene_parts(n, genes_of, &part)
}

/// Which multi-gene instances count as held out when some of their genes are test genes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overlap {
    /// At least one test gene: a pair may pair a test gene with a training gene.
    Any,
    /// Every gene a test gene: the model has seen none of them.
    All,
}

/// A train / test split around a seeded `test_fraction` of the genes: instances without a
/// test gene train, instances held out under `overlap` test, and (under [`Overlap::All`])
/// instances mixing test and training genes are dropped. No validation part: this is for
/// benchmarks whose models do not select epochs.
///
/// ```
/// use ironcell_data::split::{test_genes_split, Overlap};
/// let pairs = [vec![0, 1], vec![0, 2], vec![1, 2], vec![2, 3]];
/// let any = test_genes_split(4, |i| pairs[i].clone(), 4, 0.5, Overlap::Any, 3);
/// let all = test_genes_split(4, |i| pairs[i].clone(), 4, 0.5, Overlap::All, 3);
/// assert_eq!(any.train, all.train);
/// assert!(all.test.iter().all(|t| any.test.contains(t)));
/// assert_eq!(any.train.len() + any.test.len(), 4);
/// ```
pub fn test_genes_split<I: IntoIterator<Item = usize>>(
    n: usize,
    genes_of: impl Fn(usize) -> I,
    n_genes: usize,
    test_fraction: f64,
    overlap: Overlap,
    seed: u64,
) -> Split {
    let mut genes: Vec<usize> = (0..n_genes).collect();
    genes.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut is_test = vec![false; n_genes];
    let n_test = (n_genes as f64 * test_fraction).round() as usize;
    for &g in &genes[..n_test.min(n_genes)] {
        is_test[g] = true;
    }
    let mut split = Split::default();
    for i in 0..n {
        let (mut total, mut held) = (0, 0);
        for g in genes_of(i) {
            total += 1;
            held += usize::from(is_test[g]);
        }
        match (held, overlap) {
            (0, _) => split.train.push(i),
            (_, Overlap::Any) => split.test.push(i),
            (h, Overlap::All) if h == total => split.test.push(i),
            _ => split.dropped += 1,
        }
    }
    split
}

/// Assigns instance `i` to the part (0 train, 1 validation, 2 test) of all its genes, or drops
/// it when they straddle parts.
fn split_by_gene_parts<I: IntoIterator<Item = usize>>(
    n: usize,
    genes_of: impl Fn(usize) -> I,
    part: &[u8],
) -> Split {
    let mut split = Split::default();
    for i in 0..n {
        let mut parts = genes_of(i).into_iter().map(|g| part[g]);
        let first = parts.next().unwrap_or(0);
        if parts.all(|p| p == first) {
            match first {
                0 => split.train.push(i),
                1 => split.validation.push(i),
                _ => split.test.push(i),
            }
        } else {
            split.dropped += 1;
        }
    }
    split
}

/// `k` disjoint test folds covering `items` (instance indices), each sorted, sizes within
/// one of each other: fold `f` is the test part of round `f` of a k-fold cross-validation and
/// the other folds its training part.
///
/// ```
/// use ironcell_data::split::kfold;
/// let folds = kfold(&[0, 1, 2, 3, 4, 5, 6], 3, 1);
/// assert_eq!(folds.iter().map(Vec::len).sum::<usize>(), 7);
/// ```
pub fn kfold(items: &[usize], k: usize, seed: u64) -> Vec<Vec<usize>> {
    let k = k.clamp(1, items.len().max(1));
    let mut order = items.to_vec();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut folds = vec![Vec::new(); k];
    for (i, item) in order.into_iter().enumerate() {
        folds[i % k].push(item);
    }
    folds.iter_mut().for_each(|f| f.sort_unstable());
    folds
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn random_split_partitions_and_is_seeded() {
        let s = random_split(100, SplitFractions::default(), 1);
        assert_eq!(
            (s.train.len(), s.validation.len(), s.test.len()),
            (70, 10, 20)
        );
        let mut all: Vec<usize> = s
            .train
            .iter()
            .chain(&s.validation)
            .chain(&s.test)
            .copied()
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!(s, random_split(100, SplitFractions::default(), 1));
        assert_ne!(s, random_split(100, SplitFractions::default(), 2));
    }

    #[test]
    fn gene_disjoint_split_shares_no_gene() {
        let instances: Vec<Vec<usize>> = (0..50)
            .flat_map(|a| (0..50).map(move |b| vec![a, b]))
            .collect();
        let s = gene_disjoint_split(
            instances.len(),
            |i| instances[i].iter().copied(),
            50,
            SplitFractions::default(),
            3,
        );
        let genes = |part: &[usize]| -> BTreeSet<usize> {
            part.iter().flat_map(|&i| instances[i].clone()).collect()
        };
        let (train, val, test) = (genes(&s.train), genes(&s.validation), genes(&s.test));
        assert!(!test.is_empty() && !train.is_empty() && !val.is_empty());
        assert!(train.is_disjoint(&test) && train.is_disjoint(&val) && val.is_disjoint(&test));
        assert_eq!(
            s.train.len() + s.validation.len() + s.test.len() + s.dropped,
            instances.len()
        );
    }

    #[test]
    fn kfold_folds_are_disjoint_and_cover_everything() {
        let items: Vec<usize> = (0..103).map(|i| i * 2).collect();
        let folds = kfold(&items, 5, 9);
        assert_eq!(folds.len(), 5);
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, items, "every item in exactly one fold");
        assert!(folds.iter().all(|f| (20..=21).contains(&f.len())));
        assert_eq!(folds, kfold(&items, 5, 9), "seeded");
        assert_ne!(folds, kfold(&items, 5, 10));
    }
}
