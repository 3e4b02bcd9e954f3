//! Labels per genotype: measured experiments gathered into one row per genotype, with their
//! spread and sources kept.
//!
//! Genotypes are compared by their alleles (gene, kind, allele name): the same double mutant
//! made from two query strains is one genotype measured twice. When a genotype is measured
//! more than once, a [`LabelPolicy`] decides its label ([`aggregate`]); `dataset build`
//! records the policy in the dataset's manifest.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    str::FromStr,
};

use ironcell_core::{
    Environment, Experiment, Genotype, PerturbationKind, Phenotype, PhenotypeKind, SystematicName,
};
use serde::{Deserialize, Serialize};

/// A source in a precedence list: a dataset, optionally at one temperature
/// (`costanzo2016_smf@30`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The dataset name.
    pub dataset: String,
    /// Only its measurements at this temperature.
    pub temperature_c: Option<i32>,
}

impl Source {
    fn matches(&self, dataset: &str, environment: &Environment) -> bool {
        self.dataset == dataset
            && self
                .temperature_c
                .is_none_or(|t| t == environment.temperature_c)
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once('@') {
            Some((dataset, t)) => Ok(Self {
                dataset: dataset.to_owned(),
                temperature_c: Some(t.trim_end_matches(['°', 'C']).parse().map_err(|_| {
                    format!("source {s:?}: expected DATASET or DATASET@TEMPERATURE")
                })?),
            }),
            None => Ok(Self {
                dataset: s.to_owned(),
                temperature_c: None,
            }),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.temperature_c {
            Some(t) => write!(f, "{}@{t}", self.dataset),
            None => f.write_str(&self.dataset),
        }
    }
}

/// How repeated measurements of one genotype become one label.
///
/// ```
/// use ironcell_data::labels::LabelPolicy;
///
/// let p: LabelPolicy = "precedence:kuzmin2018_dmf>costanzo2016_dmf@30>costanzo2016_dmf@26".parse()?;
/// assert_eq!(p.to_string(), "precedence:kuzmin2018_dmf>costanzo2016_dmf@30>costanzo2016_dmf@26");
/// assert_eq!("mean".parse::<LabelPolicy>()?, LabelPolicy::Mean);
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "policy", content = "sources", rename_all = "snake_case")]
pub enum LabelPolicy {
    /// Per genotype and environment: the mean, with std = √(mean of the variances)
    /// (TorchCell's `mean`).
    #[default]
    Mean,
    /// Per genotype and environment: weights 1/σ², std = √(1/Σ 1/σ²). A group where some
    /// measurement lacks a positive std falls back to the mean.
    InverseVariance,
    /// Per genotype: only the measurements of the first listed source that has any
    /// (unlisted sources rank last), then their mean.
    Precedence(Vec<Source>),
}

impl FromStr for LabelPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "mean" => Ok(Self::Mean),
            "inverse_variance" | "inverse-variance" => Ok(Self::InverseVariance),
            _ => match s.strip_prefix("precedence:") {
                Some(list) => list
                    .split('>')
                    .map(|x| x.trim().parse())
                    .collect::<Result<_, _>>()
                    .map(Self::Precedence),
                None => Err(format!(
                    "label policy {s:?}: expected mean, inverse_variance or precedence:A>B>…"
                )),
            },
        }
    }
}

impl fmt::Display for LabelPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mean => f.write_str("mean"),
            Self::InverseVariance => f.write_str("inverse_variance"),
            Self::Precedence(sources) => {
                let list: Vec<String> = sources.iter().map(Source::to_string).collect();
                write!(f, "precedence:{}", list.join(">"))
            }
        }
    }
}

/// A genotype's alleles (gene, kind, allele name): what makes two genotypes the same for
/// labelling, whichever strains carried them.
pub type Alleles<'a> = Vec<(&'a SystematicName, PerturbationKind, &'a str)>;

/// A genotype's alleles, in its perturbations' order.
pub fn alleles(genotype: &Genotype) -> Alleles<'_> {
    genotype
        .perturbations()
        .iter()
        .map(|p| (p.gene(), p.kind(), p.name()))
        .collect()
}

/// One measurement of a label.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement<'a> {
    /// The value.
    pub value: f64,
    /// Its standard deviation, when measured.
    pub std: Option<f64>,
    /// Its p-value, when measured.
    pub p_value: Option<f64>,
    /// The dataset it is from.
    pub dataset: &'a str,
    /// Where it was measured.
    pub environment: &'a Environment,
    /// The multi-gene query strain it was made from (trigenic screens).
    pub query: Option<Query<'a>>,
}

/// The genes of a multi-gene query strain, sorted.
pub type Query<'a> = Vec<&'a SystematicName>;

/// The genes a genotype's multi-gene strain carries (perturbations sharing a strain id: the
/// double-mutant query of a trigenic screen), if it has one.
pub fn query(genotype: &Genotype) -> Option<Query<'_>> {
    let mut by_strain: BTreeMap<&str, Query<'_>> = BTreeMap::new();
    for p in genotype.perturbations() {
        if let Some(strain) = p.strain() {
            by_strain.entry(strain).or_default().push(p.gene());
        }
    }
    let mut genes = by_strain.into_values().find(|genes| genes.len() >= 2)?;
    genes.sort_unstable();
    Some(genes)
}

/// The value a phenotype gives a label of `kind`: fitness and its std, ε/τ and its p-value,
/// an E-MAP S-score, a reporter level, a chemogenomic score, or a synthetic-lethality call as 1 (observed) or 0 (a
/// tested negative). Morphology, expression and essentiality carry no scalar label yet.
pub fn measure(
    phenotype: &Phenotype,
    kind: PhenotypeKind,
) -> Option<(f64, Option<f64>, Option<f64>)> {
    match (phenotype, kind) {
        (Phenotype::Fitness(f), PhenotypeKind::Fitness) => Some((f.value(), f.std(), None)),
        (Phenotype::GeneInteraction(g), PhenotypeKind::GeneInteraction) => {
            Some((g.score(), None, g.p_value()))
        }
        (Phenotype::EmapScore(s), PhenotypeKind::EmapScore) => Some((s.score(), None, None)),
        (Phenotype::Reporter(r), PhenotypeKind::Reporter) => Some((r.value(), None, None)),
        (Phenotype::ChemogenomicScore(s), PhenotypeKind::ChemogenomicScore) => {
            Some((s.score(), None, None))
        }
        (Phenotype::SyntheticLethality(c), PhenotypeKind::SyntheticLethality) => {
            Some((if c.observed { 1.0 } else { 0.0 }, None, None))
        }
        _ => None,
    }
}

fn mean(ms: &[&Measurement<'_>]) -> (f64, Option<f64>) {
    let n = ms.len() as f64;
    let value = ms.iter().map(|m| m.value).sum::<f64>() / n;
    let stds: Vec<f64> = ms.iter().filter_map(|m| m.std).collect();
    let std = (!stds.is_empty())
        .then(|| (stds.iter().map(|s| s * s).sum::<f64>() / stds.len() as f64).sqrt());
    (value, std)
}

fn inverse_variance(ms: &[&Measurement<'_>]) -> (f64, Option<f64>) {
    let weights: Option<Vec<f64>> = ms
        .iter()
        .map(|m| m.std.filter(|s| *s > 0.0).map(|s| 1.0 / (s * s)))
        .collect();
    match weights {
        Some(w) => {
            let total: f64 = w.iter().sum();
            let value = ms.iter().zip(&w).map(|(m, w)| m.value * w).sum::<f64>() / total;
            (value, Some((1.0 / total).sqrt()))
        }
        None => mean(ms),
    }
}

/// A label made from one or more measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate<'a> {
    /// The label.
    pub value: f64,
    /// Its standard deviation under the policy.
    pub std: Option<f64>,
    /// The p-value, when a single measurement with one made the label.
    pub p_value: Option<f64>,
    /// Measurements combined.
    pub n: usize,
    /// Their datasets, sorted.
    pub datasets: BTreeSet<&'a str>,
    /// Their environment.
    pub environment: &'a Environment,
    /// The multi-gene query strains they were made from (trigenic screens), sorted.
    pub queries: BTreeSet<Query<'a>>,
}

/// Group keys: the alleles, and the environment except under a precedence policy (which
/// chooses among environments).
pub type GroupKey<'a> = (Alleles<'a>, Option<&'a Environment>);

/// Labels of `kind` per genotype under `policy`. Synthetic and measured records may not be
/// mixed: the error names the first synthetic genotype met among measured data.
pub fn aggregate<'a>(
    experiments: impl IntoIterator<Item = &'a Experiment>,
    kind: PhenotypeKind,
    policy: &LabelPolicy,
) -> Result<BTreeMap<GroupKey<'a>, Aggregate<'a>>, String> {
    let mut groups: BTreeMap<GroupKey<'a>, Vec<Measurement<'a>>> = BTreeMap::new();
    let by_environment = !matches!(policy, LabelPolicy::Precedence(_));
    let mut synthetic = None;
    let mut measured = None;
    for e in experiments {
        let Some((value, std, p_value)) = measure(&e.phenotype, kind) else {
            continue;
        };
        if e.provenance.is_synthetic() {
            synthetic.get_or_insert(e);
        } else {
            measured.get_or_insert(e);
        }
        let env = by_environment.then_some(&e.environment);
        groups
            .entry((alleles(&e.genotype), env))
            .or_default()
            .push(Measurement {
                value,
                std,
                p_value,
                dataset: e.provenance.dataset(),
                environment: &e.environment,
                query: query(&e.genotype),
            });
    }
    if let (Some(s), Some(_)) = (synthetic, measured) {
        return Err(format!(
            "refusing to mix synthetic records (e.g. {:?}) with measured data",
            s.genotype
                .genes()
                .map(SystematicName::as_str)
                .collect::<Vec<_>>()
        ));
    }
    Ok(groups
        .into_iter()
        .map(|(key, ms)| (key, combine(&ms, policy)))
        .collect())
}

/// One group's label under `policy`, from its measurements (at least one) in the order they
/// were met.
pub fn combine<'a>(ms: &[Measurement<'a>], policy: &LabelPolicy) -> Aggregate<'a> {
    let chosen: Vec<&Measurement<'a>> = match policy {
        LabelPolicy::Precedence(sources) => {
            let rank = |m: &Measurement<'_>| {
                sources
                    .iter()
                    .position(|s| s.matches(m.dataset, m.environment))
                    .unwrap_or(sources.len())
            };
            let best = ms.iter().map(rank).min().unwrap_or(0);
            // Within the best source, one environment: the first one met.
            let env = ms.iter().find(|m| rank(m) == best).map(|m| m.environment);
            ms.iter()
                .filter(|m| rank(m) == best && Some(m.environment) == env)
                .collect()
        }
        _ => ms.iter().collect(),
    };
    let (value, std) = match policy {
        LabelPolicy::InverseVariance => inverse_variance(&chosen),
        _ => mean(&chosen),
    };
    Aggregate {
        value,
        std,
        p_value: if chosen.len() == 1 {
            chosen[0].p_value
        } else {
            None
        },
        n: chosen.len(),
        datasets: chosen.iter().map(|m| m.dataset).collect(),
        environment: chosen[0].environment,
        queries: chosen.iter().filter_map(|m| m.query.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironcell_core::{Fitness, Perturbation, PerturbationKind, Provenance};

    /// Fitness labels in key order.
    fn fitness(
        e: &[Experiment],
        policy: LabelPolicy,
    ) -> Result<Vec<(GroupKey<'_>, Aggregate<'_>)>, String> {
        Ok(aggregate(e, PhenotypeKind::Fitness, &policy)?
            .into_iter()
            .collect())
    }

    fn exp(genes: &[&str], value: f64, std: f64, provenance: Provenance) -> Experiment {
        let g = Genotype::new(
            genes
                .iter()
                .map(|n| Perturbation::new(n.parse().unwrap(), PerturbationKind::DeletionKanMx)),
        )
        .unwrap();
        Experiment::fitness(
            g,
            Environment::sga_plate(30),
            Fitness::new(value, Some(std)).unwrap(),
            provenance,
        )
    }

    #[test]
    fn replicates_are_averaged_with_pooled_std() {
        let d = || Provenance::Measured {
            dataset: "d".into(),
            publication: None,
        };
        let e = [
            exp(&["YAL001C"], 0.8, 0.1, d()),
            exp(&["YAL001C"], 0.6, 0.3, d()),
            exp(&["YAL002W", "YAL001C"], 0.5, 0.0, d()),
        ];
        let t = fitness(&e, LabelPolicy::Mean).unwrap();
        assert_eq!(t.len(), 2);
        let single = &t.iter().find(|(k, _)| k.0.len() == 1).unwrap().1;
        assert!((single.value - 0.7).abs() < 1e-12);
        assert!((single.std.unwrap() - (0.05f64).sqrt()).abs() < 1e-12);
        assert_eq!(single.n, 2);
    }

    #[test]
    fn calls_scores_and_reporters_are_labels_of_their_own_kind() {
        use ironcell_core::{Call, EmapScore, Reporter};
        let d = Provenance::Measured {
            dataset: "d".into(),
            publication: None,
        };
        let with = |phenotype: Phenotype| Experiment {
            phenotype,
            ..exp(&["YAL001C", "YAL002W"], 1.0, 0.0, d.clone())
        };
        let e = [
            with(Phenotype::SyntheticLethality(
                Call::new(true, None).unwrap(),
            )),
            with(Phenotype::SyntheticLethality(
                Call::new(false, None).unwrap(),
            )),
            with(Phenotype::EmapScore(EmapScore::new(-3.0).unwrap())),
            with(Phenotype::Reporter(
                Reporter::new("UPR", 0.5, None).unwrap(),
            )),
        ];
        let label = |kind| {
            let groups = aggregate(&e, kind, &LabelPolicy::Mean).unwrap();
            let a = groups.values().next().unwrap();
            (a.value, a.n)
        };
        // One positive and one tested negative of the same pair: a rate of 0.5.
        assert_eq!(label(PhenotypeKind::SyntheticLethality), (0.5, 2));
        assert_eq!(label(PhenotypeKind::EmapScore), (-3.0, 1));
        assert_eq!(label(PhenotypeKind::Reporter), (0.5, 1));
        assert!(aggregate(&e, PhenotypeKind::Fitness, &LabelPolicy::Mean)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn one_allele_from_two_strains_is_one_genotype() {
        let strain = |id: &str| {
            let p = Perturbation::new("YAL001C".parse().unwrap(), PerturbationKind::DeletionNatMx)
                .with_name("tfc3Δ")
                .with_strain(id);
            Experiment::fitness(
                Genotype::new([p]).unwrap(),
                Environment::sga_plate(30),
                Fitness::new(0.5, None).unwrap(),
                Provenance::Measured {
                    dataset: "d".into(),
                    publication: None,
                },
            )
        };
        let e = [strain("YAL001C_sn1"), strain("YAL001C_sn2")];
        let t = fitness(&e, LabelPolicy::Mean).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].1.n, 2);
    }

    fn at(genes: &[&str], value: f64, std: f64, dataset: &str, t: i32) -> Experiment {
        let mut e = exp(
            genes,
            value,
            std,
            Provenance::Measured {
                dataset: dataset.into(),
                publication: None,
            },
        );
        e.environment.temperature_c = t;
        e
    }

    #[test]
    fn inverse_variance_weights_by_precision() {
        let e = [
            at(&["YAL001C"], 0.8, 0.1, "a", 30),
            at(&["YAL001C"], 0.5, 0.2, "b", 30),
        ];
        let t = fitness(&e, LabelPolicy::InverseVariance).unwrap();
        let i = &t[0].1;
        // weights 100 and 25
        assert!((i.value - (0.8 * 100.0 + 0.5 * 25.0) / 125.0).abs() < 1e-12);
        assert!((i.std.unwrap() - (1.0f64 / 125.0).sqrt()).abs() < 1e-12);
        assert_eq!(i.n, 2);
        assert_eq!(i.datasets.iter().copied().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn precedence_takes_the_best_ranked_source() {
        let e = [
            at(&["YAL001C", "YAL002W"], 0.5, 0.1, "costanzo2016_dmf", 26),
            at(&["YAL001C", "YAL002W"], 0.6, 0.1, "costanzo2016_dmf", 30),
            at(&["YAL001C", "YAL002W"], 0.7, 0.1, "kuzmin2020_dmf", 30),
            at(&["YAL001C", "YAL003W"], 0.9, 0.1, "unlisted", 30),
        ];
        let policy: LabelPolicy =
            "precedence:kuzmin2018_dmf>costanzo2016_dmf@30>costanzo2016_dmf@26"
                .parse()
                .unwrap();
        let t = fitness(&e, policy).unwrap();
        assert_eq!(t.len(), 2);
        let pair = &t[0].1;
        assert_eq!((pair.value, pair.environment.temperature_c), (0.6, 30));
        assert_eq!(
            pair.datasets.iter().copied().collect::<Vec<_>>(),
            ["costanzo2016_dmf"]
        );
        // A genotype only unlisted sources measured keeps its own value.
        assert_eq!(t[1].1.value, 0.9);
        assert!("precedence:a@hot".parse::<LabelPolicy>().is_err());
    }

    #[test]
    fn synthetic_and_measured_never_mix() {
        let e = [
            exp(
                &["YAL001C"],
                0.8,
                0.1,
                Provenance::Measured {
                    dataset: "d".into(),
                    publication: None,
                },
            ),
            exp(&["YAL002W"], 0.8, 0.1, Provenance::Synthetic { seed: 1 }),
        ];
        assert!(fitness(&e, LabelPolicy::Mean)
            .unwrap_err()
            .contains("synthetic"));
    }
}
