//! Seeded train / validation / test splits, and the one vocabulary that names them
//! ([`SplitName`]) in datasets, benchmarks, tables and JSON.
//!
//! The kinds: [`random_split`] over instances; [`gene_disjoint_split`], which assigns *genes*
//! to the three parts and an instance by its genes under an [`Overlap`] rule: with
//! [`Overlap::All`] no test genotype holds a gene seen in training (the honest test of
//! generalisation to unmeasured genes), with [`Overlap::Any`] a test genotype holds at least
//! one; [`held_out_genes_split`], the same around genes the user chose; and, for trigenic
//! screens, [`query_disjoint_split`], which assigns the double-mutant *query strains* to
//! parts, so no test triple's query pair was ever perturbed together in training.

use std::{fmt, str::FromStr};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The name of a split: the one vocabulary of `dataset build`, every benchmark, every table
/// and JSON. One name, one protocol.
///
/// ```
/// use ironcell_data::split::SplitName;
///
/// assert_eq!("gene_disjoint_all".parse::<SplitName>()?, SplitName::GeneDisjointAll);
/// // The old names are refused with the new one.
/// let err = "gene_disjoint_both".parse::<SplitName>().unwrap_err();
/// assert!(err.contains("gene_disjoint_all"), "{err}");
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitName {
    /// Instances at random, stratified by genotype size and dataset.
    Random,
    /// Genes held out; a test genotype holds at least one of them.
    GeneDisjointAny,
    /// Genes held out; every gene of a test genotype is one of them, so training saw none.
    GeneDisjointAll,
    /// One environment held out whole.
    HeldOutEnvironment,
    /// Whole multi-gene query strains held out (trigenic screens).
    QueryDisjoint,
    /// The user's genes held out; a test genotype holds at least one of them.
    TestGenesAny,
    /// The user's genes held out; every gene of a test genotype is one of them.
    TestGenesAll,
}

impl SplitName {
    /// Every name, in the order tables list them.
    pub const ALL: [Self; 7] = [
        Self::Random,
        Self::GeneDisjointAny,
        Self::GeneDisjointAll,
        Self::HeldOutEnvironment,
        Self::QueryDisjoint,
        Self::TestGenesAny,
        Self::TestGenesAll,
    ];

    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Random => "random",
            Self::GeneDisjointAny => "gene_disjoint_any",
            Self::GeneDisjointAll => "gene_disjoint_all",
            Self::HeldOutEnvironment => "held_out_environment",
            Self::QueryDisjoint => "query_disjoint",
            Self::TestGenesAny => "test_genes_any",
            Self::TestGenesAll => "test_genes_all",
        }
    }
}

impl fmt::Display for SplitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SplitName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(name) = Self::ALL.into_iter().find(|n| n.as_str() == s) {
            return Ok(name);
        }
        let known = Self::ALL.map(Self::as_str).join(", ");
        Err(match s {
            "gene_disjoint" => "split \"gene_disjoint\" is no longer a name: it meant \
                 gene_disjoint_all (every gene of a test genotype held out) in datasets and \
                 gene_disjoint_any (at least one) in benchmarks; say which"
                .to_owned(),
            "gene_disjoint_both" => {
                "split \"gene_disjoint_both\" is now called gene_disjoint_all".to_owned()
            }
            "test_genes" => "split \"test_genes\" is now called test_genes_all (every gene of a \
                 test genotype yours; test_genes_any: at least one)"
                .to_owned(),
            other => format!("unknown split {other:?}; the splits are {known}"),
        })
    }
}

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

impl Split {
    /// The split over only the instances of `kept` (sorted), `dropped` counting the kept
    /// instances no part holds: a sample of a gene-disjoint split stays gene-disjoint.
    ///
    /// ```
    /// use ironcell_data::split::Split;
    /// let split = Split { train: vec![0, 1, 2], validation: vec![3], test: vec![4, 5], dropped: 1 };
    /// let kept = split.restricted_to(&[1, 4, 6]);
    /// assert_eq!((kept.train, kept.test, kept.dropped), (vec![1], vec![4], 1));
    /// ```
    pub fn restricted_to(self, kept: &[usize]) -> Split {
        let keep = |part: Vec<usize>| -> Vec<usize> {
            part.into_iter()
                .filter(|i| kept.binary_search(i).is_ok())
                .collect()
        };
        let (train, validation, test) = (keep(self.train), keep(self.validation), keep(self.test));
        Split {
            dropped: kept.len() - train.len() - validation.len() - test.len(),
            train,
            validation,
            test,
        }
    }
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
/// instance `i` of `n`, whose genes `genes_of(i)` yields, goes to a part by `overlap` (see
/// [`Overlap`]). Taking the genes through a function lets 2e7 instances stay in flat storage.
///
/// ```
/// use ironcell_data::split::{gene_disjoint_split, Overlap, SplitFractions};
/// let pairs = [vec![0, 1], vec![0, 2], vec![1, 2], vec![2, 3]];
/// let f = SplitFractions { validation: 0.0, test: 0.5 };
/// let any = gene_disjoint_split(4, |i| pairs[i].clone(), 4, f, Overlap::Any, 3);
/// let all = gene_disjoint_split(4, |i| pairs[i].clone(), 4, f, Overlap::All, 3);
/// assert_eq!(any.train, all.train);
/// assert!(all.test.iter().all(|t| any.test.contains(t)));
/// assert_eq!(any.train.len() + any.test.len(), 4);
/// ```
pub fn gene_disjoint_split<I: IntoIterator<Item = usize>>(
    n: usize,
    genes_of: impl Fn(usize) -> I,
    n_genes: usize,
    fractions: SplitFractions,
    overlap: Overlap,
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
    split_by_gene_parts(n, genes_of, &part, overlap)
}

/// A gene-disjoint split around test genes the user chose (indices below `n_genes`): the
/// other genes go to validation (a `validation` share of them, seeded) or training, and an
/// instance to a part by `overlap`, as in [`gene_disjoint_split`].
///
/// ```
/// use ironcell_data::split::{held_out_genes_split, Overlap};
/// let genotypes = [vec![0], vec![1], vec![0, 1], vec![2]];
/// let all = held_out_genes_split(4, |i| genotypes[i].clone(), 3, &[1], 0.0, Overlap::All, 7);
/// assert_eq!((all.train, all.test, all.dropped), (vec![0, 3], vec![1], 1));
/// let any = held_out_genes_split(4, |i| genotypes[i].clone(), 3, &[1], 0.0, Overlap::Any, 7);
/// assert_eq!((any.train, any.test, any.dropped), (vec![0, 3], vec![1, 2], 0));
/// ```
pub fn held_out_genes_split<I: IntoIterator<Item = usize>>(
    n: usize,
    genes_of: impl Fn(usize) -> I,
    n_genes: usize,
    test_genes: &[usize],
    validation: f64,
    overlap: Overlap,
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
    split_by_gene_parts(n, genes_of, &part, overlap)
}

/// Where a multi-gene instance goes when its genes fall in different parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overlap {
    /// To the most held-out part among its genes' (test, else validation, else training):
    /// a test pair may pair a test gene with a training gene. Nothing is dropped.
    Any,
    /// To the part holding every one of its genes; straddling instances are dropped, so the
    /// model has seen none of a test genotype's genes.
    All,
}

/// Which of `environments` (> 0) the `held_out_environment` split under `seed` holds out: one
/// rule for datasets and benchmarks, so a seed names the same environment in both.
pub fn held_out_environment(environments: usize, seed: u64) -> usize {
    (seed % environments.max(1) as u64) as usize
}

/// One environment held out whole: instances measured in environment `held` (of
/// `environment_of(i)`) test; the others train, but for a seeded `validation` share of them.
///
/// ```
/// use ironcell_data::split::held_out_environment_split;
/// let environments = [0, 1, 0, 2, 1];
/// let split = held_out_environment_split(5, |i| environments[i], 1, 0.0, 7);
/// assert_eq!((split.train, split.test), (vec![0, 2, 3], vec![1, 4]));
/// ```
pub fn held_out_environment_split(
    n: usize,
    environment_of: impl Fn(usize) -> usize,
    held: usize,
    validation: f64,
    seed: u64,
) -> Split {
    let (test, rest): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| environment_of(i) == held);
    let others = random_split(
        rest.len(),
        SplitFractions {
            validation,
            test: 0.0,
        },
        seed,
    );
    Split {
        train: others.train.iter().map(|&k| rest[k]).collect(),
        validation: others.validation.iter().map(|&k| rest[k]).collect(),
        test,
        dropped: 0,
    }
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

/// Assigns instance `i` to a part (0 train, 1 validation, 2 test) from its genes' parts under
/// `overlap`.
fn split_by_gene_parts<I: IntoIterator<Item = usize>>(
    n: usize,
    genes_of: impl Fn(usize) -> I,
    part: &[u8],
    overlap: Overlap,
) -> Split {
    let mut split = Split::default();
    for i in 0..n {
        let mut parts = genes_of(i).into_iter().map(|g| part[g]);
        let first = parts.next().unwrap_or(0);
        let (mut highest, mut mixed) = (first, false);
        for p in parts {
            highest = highest.max(p);
            mixed |= p != first;
        }
        let to = match overlap {
            Overlap::All if mixed => None,
            _ => Some(highest),
        };
        match to {
            Some(0) => split.train.push(i),
            Some(1) => split.validation.push(i),
            Some(_) => split.test.push(i),
            None => split.dropped += 1,
        }
    }
    split
}

/// At most `max` of `rows`, a seeded sample in ascending order; all of them when `max` is
/// `None` or at least their number. The one sampler of the project: every command that trains
/// on part of a split draws the same rows for the same seed.
///
/// ```
/// use ironcell_data::split::sample;
/// let rows: Vec<usize> = (0..10).collect();
/// let picked = sample(&rows, Some(4), 7);
/// assert_eq!(picked.len(), 4);
/// assert!(picked.windows(2).all(|w| w[0] < w[1]));
/// assert_eq!(picked, sample(&rows, Some(4), 7));
/// assert_eq!(sample(&rows, None, 7), rows);
/// ```
pub fn sample(rows: &[usize], max: Option<usize>, seed: u64) -> Vec<usize> {
    let mut picked = rows.to_vec();
    if let Some(max) = max.filter(|&max| picked.len() > max) {
        picked.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        picked.truncate(max);
        picked.sort_unstable();
    }
    picked
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
        let split = |overlap| {
            gene_disjoint_split(
                instances.len(),
                |i| instances[i].iter().copied(),
                50,
                SplitFractions::default(),
                overlap,
                3,
            )
        };
        let s = split(Overlap::All);
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
        // Under Any the same training part, nothing dropped, and every test instance holds a
        // test gene, every validation instance a validation gene and no test gene.
        let any = split(Overlap::Any);
        assert_eq!(any.train, s.train);
        assert_eq!(any.dropped, 0);
        assert!(s.test.iter().all(|i| any.test.contains(i)));
        assert!(any
            .test
            .iter()
            .all(|&i| instances[i].iter().any(|g| test.contains(g))));
        assert!(any
            .validation
            .iter()
            .all(|&i| instances[i].iter().all(|g| !test.contains(g))
                && instances[i].iter().any(|g| val.contains(g))));
        assert_eq!(
            any.train.len() + any.validation.len() + any.test.len(),
            instances.len()
        );
    }

    #[test]
    fn every_name_round_trips_and_old_names_say_the_new_one() {
        for name in SplitName::ALL {
            assert_eq!(name.as_str().parse::<SplitName>(), Ok(name));
            let json = serde_json::to_string(&name).unwrap();
            assert_eq!(json, format!("\"{name}\""));
        }
        for (old, new) in [
            ("gene_disjoint", "gene_disjoint_all"),
            ("gene_disjoint_both", "gene_disjoint_all"),
            ("test_genes", "test_genes_all"),
        ] {
            let err = old.parse::<SplitName>().unwrap_err();
            assert!(err.contains(new), "{old}: {err}");
        }
        assert!("randomly"
            .parse::<SplitName>()
            .unwrap_err()
            .contains("gene_disjoint_any"));
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
