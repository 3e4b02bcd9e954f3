//! Seeded train / validation / test splits.
//!
//! Three kinds: [`random_split`] over instances; [`gene_disjoint_split`], which assigns
//! *genes* to the three parts and keeps an instance only where all its genes fall in one part,
//! so no test genotype contains a gene seen in training: the honest test of generalisation to
//! unmeasured genes; and, for trigenic screens, [`query_disjoint_split`], which assigns the
//! double-mutant *query strains* to parts, so no test triple's query pair was ever perturbed
//! together in training.

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

/// A query-disjoint split for screens that cross multi-gene query strains with arrays (Kuzmin
/// 2018's double-mutant queries): the distinct queries are split by `fractions`, and an
/// instance goes to its query's part. `queries` lists `(instance, its query's genes, sorted)`,
/// only for instances made from a multi-gene query; an instance measured with two queries
/// that fall in different parts is dropped. Every other instance trains, unless its genes
/// hold a validation or test query's genes all together (a held-out pair seen co-perturbed
/// in training): then it is dropped too.
///
/// ```
/// use ironcell_data::split::{query_disjoint_split, SplitFractions};
/// // Triples 0–2 from queries {0,1} and {2,3}; instance 3 is the double {0,1} itself.
/// let genes = [vec![0, 1, 4], vec![0, 1, 5], vec![2, 3, 4], vec![0, 1]];
/// let queries = [(0, vec![0, 1]), (1, vec![0, 1]), (2, vec![2, 3])];
/// let f = SplitFractions { validation: 0.0, test: 0.5 };
/// let split = query_disjoint_split(4, |i| genes[i].clone(), &queries, f, 1);
/// assert_eq!(split.train.len() + split.test.len() + split.dropped, 4);
/// // Whichever query was held out, its triples test together and never train.
/// assert!(split.test == [0, 1] && split.dropped == 1 || split.test == [2]);
/// ```
pub fn query_disjoint_split<I: IntoIterator<Item = usize>>(
    n: usize,
    genes_of: impl Fn(usize) -> I,
    queries: &[(usize, Vec<usize>)],
    fractions: SplitFractions,
    seed: u64,
) -> Split {
    let distinct: Vec<&Vec<usize>> = queries
        .iter()
        .map(|(_, q)| q)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let chosen = random_split(distinct.len(), fractions, seed);
    let mut part_of_query = vec![0u8; distinct.len()];
    for (code, members) in [(1u8, &chosen.validation), (2, &chosen.test)] {
        for &q in members {
            part_of_query[q] = code;
        }
    }
    // Instances' parts: NONE without a query, MIXED when their queries disagree.
    const NONE: u8 = u8::MAX;
    const MIXED: u8 = u8::MAX - 1;
    let mut part = vec![NONE; n];
    for (i, q) in queries {
        let p = part_of_query[distinct.binary_search(&q).expect("listed above")];
        part[*i] = match part[*i] {
            NONE => p,
            same if same == p => p,
            _ => MIXED,
        };
    }
    // Held-out queries by gene, to find training instances that contain one.
    let mut held_out: std::collections::HashMap<usize, Vec<&Vec<usize>>> = Default::default();
    for (q, genes) in distinct.iter().enumerate() {
        if part_of_query[q] != 0 {
            for &g in genes.iter() {
                held_out.entry(g).or_default().push(genes);
            }
        }
    }
    let mut split = Split::default();
    for (i, &p) in part.iter().enumerate() {
        match p {
            1 => split.validation.push(i),
            2 => split.test.push(i),
            MIXED => split.dropped += 1,
            _ => {
                let genes: Vec<usize> = genes_of(i).into_iter().collect();
                let holds_held_out = genes.iter().any(|g| {
                    held_out
                        .get(g)
                        .is_some_and(|qs| qs.iter().any(|q| q.iter().all(|x| genes.contains(x))))
                });
                if holds_held_out {
                    split.dropped += 1;
                } else {
                    split.train.push(i);
                }
            }
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

    #[test]
    fn held_out_queries_are_never_perturbed_together_in_training() {
        // 40 double-mutant queries (genes 2q, 2q+1) × 10 arrays (genes 100..110), plus the
        // query doubles themselves and some array pairs.
        let mut genes: Vec<Vec<usize>> = Vec::new();
        let mut queries = Vec::new();
        for q in 0..40 {
            for a in 100..110 {
                queries.push((genes.len(), vec![2 * q, 2 * q + 1]));
                genes.push(vec![2 * q, 2 * q + 1, a]);
            }
            genes.push(vec![2 * q, 2 * q + 1]);
            genes.push(vec![2 * q, 100 + q % 10]);
        }
        let split = query_disjoint_split(
            genes.len(),
            |i| genes[i].clone(),
            &queries,
            SplitFractions::default(),
            5,
        );
        let query_of = |i: &usize| genes[*i][0] / 2;
        let test: BTreeSet<usize> = split.test.iter().map(query_of).collect();
        let validation: BTreeSet<usize> = split.validation.iter().map(query_of).collect();
        assert_eq!((test.len(), validation.len()), (8, 4));
        // Every triple of a held-out query is held out with it.
        assert_eq!(split.test.len(), 8 * 10);
        for i in &split.train {
            let q = query_of(i);
            let together = genes[*i].contains(&(2 * q)) && genes[*i].contains(&(2 * q + 1));
            assert!(!together || !(test.contains(&q) || validation.contains(&q)));
        }
        // The held-out queries' own doubles are dropped, not trained on.
        assert_eq!(split.dropped, 12);
        assert_eq!(
            split.train.len() + split.validation.len() + split.test.len() + split.dropped,
            genes.len()
        );
    }
}
