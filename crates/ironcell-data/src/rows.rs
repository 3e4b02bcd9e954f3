//! The middle of `dataset build`: experiments streamed from the knowledge graph are kept as a
//! few integers each, then grouped into one row per genotype (and environment, except under
//! precedence) with a value per label.
//!
//! An [`Experiment`] in memory takes ~1.8 KB, so holding 2e7 of them needs ~36 GB; a
//! [`Record`] takes 48 bytes and its alleles 4 bytes each in one arena. Grouping is a sort of
//! record indices, not a map of owned keys. The result is the one `labels::aggregate` gives
//! (the same groups, the same measurements in the same order: by dataset, then content id),
//! which the tests hold it to.

use std::{
    cmp::Ordering,
    collections::{BTreeSet, HashMap, HashSet},
    hash::Hash,
};

use ironcell_core::{Environment, Experiment, PerturbationKind, PhenotypeKind, SystematicName};

use crate::{
    instances::LabelValue,
    labels::{alleles, combine, measure, query, LabelPolicy, Measurement},
};

/// Values by dense id, and ids by value.
struct Interner<T> {
    ids: HashMap<T, u32>,
    values: Vec<T>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self {
            ids: HashMap::new(),
            values: Vec::new(),
        }
    }
}

impl<T: Hash + Eq + Clone> Interner<T> {
    fn id(&mut self, value: &T) -> u32 {
        if let Some(&id) = self.ids.get(value) {
            return id;
        }
        let id = self.values.len() as u32;
        self.ids.insert(value.clone(), id);
        self.values.push(value.clone());
        id
    }
}

/// `None` stored as NaN: measured numbers are finite (the domain types check them).
fn nan_none(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

fn none_nan(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

const NO_QUERY: u32 = u32::MAX;

/// One measurement of one label, as kept.
struct Record {
    /// The first 8 bytes of the experiment's content id: with the dataset, the order
    /// measurements are met in when the graph is read dataset by dataset, by id.
    order: u64,
    value: f64,
    std: f64,
    p_value: f64,
    /// The alleles: `arena[start..start + len]`, ids into `Rows::alleles`.
    start: u32,
    len: u16,
    label: u16,
    environment: u32,
    dataset: u32,
    query: u32,
}

/// One row of the dataset: a genotype (and environment) with its labels.
pub(crate) struct Row<'a> {
    /// Its alleles' genes, in the genotype's order.
    pub genes: Vec<&'a SystematicName>,
    /// The environment of the first label's measurements.
    pub environment: &'a Environment,
    /// The datasets of the first label's measurements, joined by `+`.
    pub datasets: String,
    /// One value per label, missing where not measured.
    pub values: Vec<LabelValue>,
    /// The multi-gene query strains the row was made from, sorted.
    pub queries: BTreeSet<Vec<&'a SystematicName>>,
}

/// Experiments as kept while the graph streams by.
pub(crate) struct Rows<'p> {
    kinds: Vec<PhenotypeKind>,
    policy: &'p LabelPolicy,
    alleles: Interner<(SystematicName, PerturbationKind, String)>,
    arena: Vec<u32>,
    datasets: Interner<String>,
    environments: Interner<Environment>,
    queries: Interner<Vec<SystematicName>>,
    records: Vec<Record>,
    /// Every dataset an experiment was met from, whether or not it measured a label.
    met: HashSet<String>,
    /// Per label: the genes of the first synthetic genotype met, and whether measured data
    /// was met, which must not mix.
    synthetic: Vec<Option<Vec<String>>>,
    measured: Vec<bool>,
}

impl<'p> Rows<'p> {
    pub(crate) fn new(kinds: &[PhenotypeKind], policy: &'p LabelPolicy) -> Self {
        Self {
            kinds: kinds.to_vec(),
            policy,
            alleles: Interner::default(),
            arena: Vec::new(),
            datasets: Interner::default(),
            environments: Interner::default(),
            queries: Interner::default(),
            records: Vec::new(),
            met: HashSet::new(),
            synthetic: vec![None; kinds.len()],
            measured: vec![false; kinds.len()],
        }
    }

    /// Whether any experiment of `dataset` was met (a label of it or not).
    pub(crate) fn has_dataset(&self, dataset: &str) -> bool {
        self.met.contains(dataset)
    }

    /// Keeps what the labels need of `e`.
    pub(crate) fn push(&mut self, e: &Experiment) -> Result<(), String> {
        let dataset = e.provenance.dataset();
        if !self.met.contains(dataset) {
            self.met.insert(dataset.to_owned());
        }
        let (mut alleles_at, mut order) = (None, None);
        for (label, &kind) in self.kinds.iter().enumerate() {
            let Some((value, std, p_value)) = measure(&e.phenotype, kind) else {
                continue;
            };
            if e.provenance.is_synthetic() {
                self.synthetic[label]
                    .get_or_insert_with(|| e.genotype.genes().map(|g| g.to_string()).collect());
            } else {
                self.measured[label] = true;
            }
            let (start, len) = match alleles_at {
                Some(at) => at,
                None => {
                    let start = u32::try_from(self.arena.len())
                        .map_err(|_| "more than 2^32 alleles in one dataset".to_owned())?;
                    for (gene, kind, name) in alleles(&e.genotype) {
                        let id = self.alleles.id(&(gene.clone(), kind, name.to_owned()));
                        self.arena.push(id);
                    }
                    let len = u16::try_from(e.genotype.len())
                        .map_err(|_| "a genotype of more than 65,535 perturbations".to_owned())?;
                    *alleles_at.insert((start, len))
                }
            };
            // The content id hashes the whole experiment: once, however many labels it has.
            let order = match order {
                Some(o) => o,
                None => {
                    let id = e.content_id();
                    let o = u64::from_str_radix(&id.as_str()[..16], 16)
                        .map_err(|_| format!("content id {id} is not hexadecimal"))?;
                    *order.insert(o)
                }
            };
            self.records.push(Record {
                order,
                value,
                std: nan_none(std),
                p_value: nan_none(p_value),
                start,
                len,
                label: label as u16,
                environment: self.environments.id(&e.environment),
                dataset: self.datasets.id(&e.provenance.dataset().to_owned()),
                query: query(&e.genotype).map_or(NO_QUERY, |q| {
                    self.queries.id(&q.into_iter().cloned().collect())
                }),
            });
        }
        Ok(())
    }

    /// Refuses synthetic and measured records under one label.
    pub(crate) fn check(&self) -> Result<(), String> {
        for (s, measured) in self.synthetic.iter().zip(&self.measured) {
            if let (Some(genes), true) = (s, measured) {
                return Err(format!(
                    "refusing to mix synthetic records (e.g. {genes:?}) with measured data"
                ));
            }
        }
        Ok(())
    }

    /// Every gene of the kept genotypes, sorted.
    pub(crate) fn genes(&self) -> Vec<SystematicName> {
        let genes: BTreeSet<&SystematicName> = self.alleles.values.iter().map(|a| &a.0).collect();
        genes.into_iter().cloned().collect()
    }

    /// Hands `emit` the rows one at a time (none held), in the order of their alleles (then
    /// environment), as `labels::aggregate`'s groups are ordered.
    pub(crate) fn finish<E>(
        &self,
        emit: &mut dyn FnMut(Row<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        // Ranks make id comparisons agree with the values' order.
        let rank = |n: usize, cmp: &dyn Fn(usize, usize) -> Ordering| {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| cmp(a, b));
            let mut rank = vec![0u32; n];
            for (r, i) in order.into_iter().enumerate() {
                rank[i] = r as u32;
            }
            rank
        };
        let allele_rank = rank(self.alleles.values.len(), &|a, b| {
            self.alleles.values[a].cmp(&self.alleles.values[b])
        });
        let environment_rank = rank(self.environments.values.len(), &|a, b| {
            self.environments.values[a].cmp(&self.environments.values[b])
        });
        let by_environment = !matches!(self.policy, LabelPolicy::Precedence(_));
        let alleles_of =
            |r: &Record| &self.arena[r.start as usize..r.start as usize + r.len as usize];
        // The group key: alleles (by rank), then the environment unless under precedence.
        let key = |a: &Record, b: &Record| {
            alleles_of(a)
                .iter()
                .map(|&i| allele_rank[i as usize])
                .cmp(alleles_of(b).iter().map(|&i| allele_rank[i as usize]))
                .then_with(|| {
                    if by_environment {
                        environment_rank[a.environment as usize]
                            .cmp(&environment_rank[b.environment as usize])
                    } else {
                        Ordering::Equal
                    }
                })
        };
        let mut order: Vec<u32> = (0..self.records.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (ra, rb) = (&self.records[a as usize], &self.records[b as usize]);
            key(ra, rb)
                .then(ra.label.cmp(&rb.label))
                // Datasets are interned as the scan meets them, one after another.
                .then(ra.dataset.cmp(&rb.dataset))
                .then(ra.order.cmp(&rb.order))
                .then(a.cmp(&b))
        });
        let mut row: Option<Row<'_>> = None;
        let mut previous: Option<&Record> = None;
        let mut at = 0;
        while at < order.len() {
            let first = &self.records[order[at] as usize];
            let mut end = at + 1;
            while end < order.len() {
                let r = &self.records[order[end] as usize];
                if r.label != first.label || key(first, r) != Ordering::Equal {
                    break;
                }
                end += 1;
            }
            let measurements: Vec<Measurement<'_>> = order[at..end]
                .iter()
                .map(|&i| {
                    let r = &self.records[i as usize];
                    Measurement {
                        value: r.value,
                        std: none_nan(r.std),
                        p_value: none_nan(r.p_value),
                        dataset: &self.datasets.values[r.dataset as usize],
                        environment: &self.environments.values[r.environment as usize],
                        query: (r.query != NO_QUERY)
                            .then(|| self.queries.values[r.query as usize].iter().collect()),
                    }
                })
                .collect();
            let a = combine(&measurements, self.policy);
            let same_row = previous.is_some_and(|p| key(p, first) == Ordering::Equal);
            if !same_row {
                if let Some(done) = row.take() {
                    emit(done)?;
                }
                row = Some(Row {
                    genes: alleles_of(first)
                        .iter()
                        .map(|&i| &self.alleles.values[i as usize].0)
                        .collect(),
                    environment: a.environment,
                    datasets: a.datasets.iter().copied().collect::<Vec<_>>().join("+"),
                    values: vec![LabelValue::MISSING; self.kinds.len()],
                    queries: BTreeSet::new(),
                });
            }
            let row = row.as_mut().expect("started above");
            row.queries.extend(a.queries);
            row.values[first.label as usize] = LabelValue {
                value: a.value as f32,
                std: a.std.map_or(f32::NAN, |s| s as f32),
                p_value: a.p_value.map_or(f32::NAN, |p| p as f32),
            };
            previous = Some(first);
            at = end;
        }
        match row {
            Some(last) => emit(last),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::aggregate;
    use ironcell_core::{
        Fitness, GeneInteraction, Genotype, InteractionOrder, Perturbation, Phenotype, Provenance,
    };

    fn experiment(genes: &[&str], phenotype: Phenotype, dataset: &str, t: i32) -> Experiment {
        let genotype = Genotype::new(
            genes
                .iter()
                .map(|g| Perturbation::new(g.parse().unwrap(), PerturbationKind::DeletionKanMx)),
        )
        .unwrap();
        let mut environment = Environment::sga_plate(30);
        environment.temperature_c = t;
        let mut e = Experiment::fitness(
            genotype,
            environment,
            Fitness::new(0.5, None).unwrap(),
            Provenance::Measured {
                dataset: dataset.into(),
                publication: None,
            },
        );
        e.phenotype = phenotype;
        e
    }

    /// Replicates across datasets and temperatures, two labels, pairs and singles, in the
    /// order a scan by dataset meets them.
    fn experiments() -> Vec<Experiment> {
        let fitness = |v: f64, s: f64| Phenotype::Fitness(Fitness::new(v, Some(s)).unwrap());
        let epsilon = |v: f64, p: f64| {
            Phenotype::GeneInteraction(
                GeneInteraction::new(InteractionOrder::Digenic, v, Some(p)).unwrap(),
            )
        };
        let mut e = Vec::new();
        for (dataset, shift) in [("b", 0.01), ("a", 0.0)] {
            for (i, genes) in [
                &["YAL001C", "YBR001C"][..],
                &["YBR001C"],
                &["YAL001C"],
                &["YBR001C", "YCL001W"],
            ]
            .iter()
            .enumerate()
            {
                for t in [26, 30] {
                    let v = 0.3 + 0.1 * i as f64 + shift + f64::from(t) / 1000.0;
                    e.push(experiment(genes, fitness(v, 0.05 + shift), dataset, t));
                    e.push(experiment(genes, fitness(v + 0.02, 0.1), dataset, t));
                    if genes.len() == 2 {
                        e.push(experiment(genes, epsilon(v - 0.5, 0.01), dataset, t));
                    }
                }
            }
        }
        e
    }

    #[test]
    fn rows_are_the_groups_aggregate_makes_under_every_policy() {
        let e = experiments();
        // `aggregate` reads in the order `query` returns: by dataset, then content id.
        let mut by_id = e.clone();
        by_id.sort_by_key(|x| (x.provenance.dataset() != "b", x.content_id()));
        let kinds = [PhenotypeKind::Fitness, PhenotypeKind::GeneInteraction];
        for policy in ["mean", "inverse_variance", "precedence:a@26>b"] {
            let policy: LabelPolicy = policy.parse().unwrap();
            let mut kept = Rows::new(&kinds, &policy);
            // Dataset by dataset as `aggregate` reads them; within one, any order (the
            // scan's is the store's).
            for dataset in ["b", "a"] {
                for x in e.iter().rev().filter(|x| x.provenance.dataset() == dataset) {
                    kept.push(x).unwrap();
                }
            }
            let mut rows = Vec::new();
            kept.finish(&mut |r| -> Result<(), ()> {
                rows.push((
                    r.genes.iter().map(|g| g.to_string()).collect::<Vec<_>>(),
                    r.environment.clone(),
                    r.datasets,
                    r.values,
                ));
                Ok(())
            })
            .unwrap();
            let fitness = aggregate(&by_id, kinds[0], &policy).unwrap();
            let epsilon = aggregate(&by_id, kinds[1], &policy).unwrap();
            assert_eq!(rows.len(), fitness.len(), "{policy}");
            for ((key, a), row) in fitness.iter().zip(&rows) {
                let genes: Vec<String> = key.0.iter().map(|x| x.0.to_string()).collect();
                assert_eq!(row.0, genes, "{policy}");
                assert_eq!(&row.1, a.environment, "{policy}");
                let datasets: Vec<&str> = a.datasets.iter().copied().collect();
                assert_eq!(row.2, datasets.join("+"), "{policy}");
                assert_eq!(row.3[0].value, a.value as f32, "{policy}");
                assert_eq!(
                    row.3[0].std,
                    a.std.map_or(f32::NAN, |s| s as f32),
                    "{policy}"
                );
                match epsilon.get(key) {
                    Some(i) => assert_eq!(row.3[1].value, i.value as f32, "{policy}"),
                    None => assert!(row.3[1].value.is_nan(), "{policy}"),
                }
            }
        }
    }

    #[test]
    fn a_dataset_is_met_even_when_it_measures_none_of_the_labels() {
        let kinds = [PhenotypeKind::GeneInteraction];
        let policy = LabelPolicy::Mean;
        let mut kept = Rows::new(&kinds, &policy);
        // A fitness record only: no interaction label, but its dataset was selected.
        kept.push(&experiments()[0]).unwrap();
        assert!(kept.has_dataset("b"));
        assert!(!kept.has_dataset("a"));
    }

    #[test]
    fn synthetic_and_measured_data_are_refused_together() {
        let kinds = [PhenotypeKind::Fitness];
        let policy = LabelPolicy::Mean;
        let mut kept = Rows::new(&kinds, &policy);
        let mut synthetic = experiments().remove(0);
        synthetic.provenance = Provenance::Synthetic { seed: 1 };
        kept.push(&synthetic).unwrap();
        assert!(kept.check().is_ok());
        kept.push(&experiments()[1]).unwrap();
        assert!(kept.check().unwrap_err().contains("synthetic"));
    }
}
