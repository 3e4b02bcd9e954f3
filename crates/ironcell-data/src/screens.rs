//! Published screens as experiments: which records become which measured experiments.
//!
//! The first models see full deletions only (DCell's gene state is binary), so DAmP,
//! temperature-sensitive and suppressor alleles are counted and left out here, not silently lost.

use ironcell_core::{Environment, Experiment, Genotype, Perturbation, Phenotype, Provenance};
use ironcell_sources::{costanzo2016::SmfRecord, kuzmin2018};

/// Dataset name of Costanzo 2016 single-mutant fitness.
pub const COSTANZO2016_SMF: &str = "costanzo2016_smf";
/// Dataset name of the Kuzmin 2018 combined-mutant subset.
pub const KUZMIN2018_SUBSET: &str = "kuzmin2018_subset";

/// What a conversion kept and left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selection {
    /// Records read.
    pub read: usize,
    /// Experiments made.
    pub kept: usize,
    /// Records at another temperature.
    pub other_temperature: usize,
    /// Records with a DAmP, temperature-sensitive or suppressor allele.
    pub not_deletion: usize,
}

/// Costanzo 2016 deletion strains at `temperature_c` as fitness experiments.
pub fn costanzo_smf(records: &[SmfRecord], temperature_c: i32) -> (Vec<Experiment>, Selection) {
    let mut s = Selection {
        read: records.len(),
        ..Selection::default()
    };
    let mut out = Vec::new();
    for r in records {
        if r.temperature_c != temperature_c {
            s.other_temperature += 1;
        } else if !r.kind.is_deletion() {
            s.not_deletion += 1;
        } else {
            let genotype = Genotype::new([Perturbation::new(r.gene.clone(), r.kind.clone())])
                .expect("one perturbation is a valid genotype");
            out.push(Experiment {
                genotype,
                environment: Environment::sga_plate(temperature_c),
                phenotype: Phenotype::Fitness(r.fitness),
                provenance: Provenance::Measured {
                    dataset: COSTANZO2016_SMF.to_owned(),
                },
            });
        }
    }
    s.kept = out.len();
    (out, s)
}

/// Kuzmin 2018 all-deletion genotypes as fitness experiments (SGA at 30 °C).
pub fn kuzmin(records: &[kuzmin2018::Record]) -> (Vec<Experiment>, Selection) {
    let mut s = Selection {
        read: records.len(),
        ..Selection::default()
    };
    let out: Vec<Experiment> = records
        .iter()
        .filter(|r| {
            let keep = r.genotype.is_all_deletions();
            s.not_deletion += usize::from(!keep);
            keep
        })
        .map(|r| Experiment {
            genotype: r.genotype.clone(),
            environment: Environment::sga_plate(30),
            phenotype: Phenotype::Fitness(r.fitness),
            provenance: Provenance::Measured {
                dataset: KUZMIN2018_SUBSET.to_owned(),
            },
        })
        .collect();
    s.kept = out.len();
    (out, s)
}
