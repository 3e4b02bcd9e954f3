//! Labels per genotype: measured experiments gathered into one row per genotype and
//! environment, with their spread and source kept.
//!
//! When one genotype is measured more than once in a dataset the label is the mean, and its
//! standard deviation is √(mean of the replicate variances), the `mean` policy of TorchCell.
//! Genotypes are compared by their alleles (gene, kind, allele name): the same double mutant
//! made from two query strains is one genotype measured twice.

use std::collections::{BTreeMap, BTreeSet};

use ironcell_core::{
    Environment, Experiment, Genotype, PerturbationKind, Phenotype, SystematicName,
};
use serde::{Deserialize, Serialize};

/// One training instance: a genotype's fitness in an environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Indices into [`LabelTable::genes`], sorted.
    pub genes: Vec<usize>,
    /// Mean fitness.
    pub fitness: f64,
    /// Aggregated standard deviation, when the source reports one.
    pub std: Option<f64>,
    /// Number of measurements aggregated.
    pub n: usize,
    /// The dataset the measurements come from.
    pub dataset: String,
    /// Growth temperature.
    pub temperature_c: i32,
}

/// Instances with their gene universe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelTable {
    /// Every gene perturbed in some instance, sorted.
    pub genes: Vec<SystematicName>,
    /// Instances in a stable order (dataset, then genotype).
    pub instances: Vec<Instance>,
}

/// What makes two genotypes the same for labelling: their alleles, not the strains carrying
/// them.
fn alleles(genotype: &Genotype) -> Vec<(&SystematicName, PerturbationKind, &str)> {
    genotype
        .perturbations()
        .iter()
        .map(|p| (p.gene(), p.kind(), p.name()))
        .collect()
}

impl LabelTable {
    /// Aggregates fitness experiments (others are skipped). Synthetic and measured records may not be mixed: the
    /// caller gets an error naming the first synthetic record among measured ones.
    pub fn from_experiments<'a>(
        experiments: impl IntoIterator<Item = &'a Experiment>,
    ) -> Result<Self, String> {
        type Alleles<'b> = Vec<(&'b SystematicName, PerturbationKind, &'b str)>;
        type Key<'b> = (&'b str, Alleles<'b>, &'b Environment);
        let mut groups: BTreeMap<Key<'a>, Vec<(f64, Option<f64>)>> = BTreeMap::new();
        let mut synthetic = None;
        let mut measured = None;
        for e in experiments {
            let Phenotype::Fitness(f) = &e.phenotype else {
                continue;
            };
            if e.provenance.is_synthetic() {
                synthetic.get_or_insert(e);
            } else {
                measured.get_or_insert(e);
            }
            groups
                .entry((e.provenance.dataset(), alleles(&e.genotype), &e.environment))
                .or_default()
                .push((f.value(), f.std()));
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
        let genes: Vec<SystematicName> = groups
            .keys()
            .flat_map(|(_, alleles, _)| alleles.iter().map(|a| a.0.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let index: BTreeMap<&SystematicName, usize> =
            genes.iter().enumerate().map(|(i, g)| (g, i)).collect();
        let instances = groups
            .iter()
            .map(|((dataset, alleles, env), values)| {
                let n = values.len();
                let fitness = values.iter().map(|v| v.0).sum::<f64>() / n as f64;
                let stds: Vec<f64> = values.iter().filter_map(|v| v.1).collect();
                let std = (!stds.is_empty())
                    .then(|| (stds.iter().map(|s| s * s).sum::<f64>() / stds.len() as f64).sqrt());
                Instance {
                    genes: alleles.iter().map(|a| index[a.0]).collect(),
                    fitness,
                    std,
                    n,
                    dataset: (*dataset).to_owned(),
                    temperature_c: env.temperature_c,
                }
            })
            .collect();
        Ok(Self { genes, instances })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironcell_core::{Fitness, Perturbation, PerturbationKind, Provenance};

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
        let t = LabelTable::from_experiments(&e).unwrap();
        assert_eq!(t.genes.len(), 2);
        assert_eq!(t.instances.len(), 2);
        let single = t.instances.iter().find(|i| i.genes.len() == 1).unwrap();
        assert!((single.fitness - 0.7).abs() < 1e-12);
        assert!((single.std.unwrap() - (0.05f64).sqrt()).abs() < 1e-12);
        assert_eq!(single.n, 2);
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
        let t =
            LabelTable::from_experiments(&[strain("YAL001C_sn1"), strain("YAL001C_sn2")]).unwrap();
        assert_eq!(t.instances.len(), 1);
        assert_eq!(t.instances[0].n, 2);
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
        assert!(LabelTable::from_experiments(&e)
            .unwrap_err()
            .contains("synthetic"));
    }
}
