//! Published screens as experiments: which records become which measured experiments.
//!
//! The first models see full deletions only (DCell's gene state is binary), so DAmP,
//! temperature-sensitive and suppressor alleles are counted and left out here, not silently lost.

use ironcell_core::Experiment;
use ironcell_sources::{costanzo2016, costanzo2016::smf::SmfRecord, kuzmin2018};

/// Dataset name of Costanzo 2016 single-mutant fitness.
pub const COSTANZO2016_SMF: &str = costanzo2016::SMF_DATASET;
/// Dataset-name prefix of the Kuzmin 2018 combined-mutant subset.
pub const KUZMIN2018_SUBSET: &str = "kuzmin2018_subset";
/// Its datasets: double- and triple-mutant fitness (hoΔ dropped).
pub const KUZMIN2018_SUBSET_DATASETS: [&str; 2] =
    ["kuzmin2018_subset_dmf", "kuzmin2018_subset_tmf"];

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
        } else if !r.strain.kind.is_deletion() {
            s.not_deletion += 1;
        } else {
            out.push(r.experiment());
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
    let publication = kuzmin2018::publication();
    let out: Vec<Experiment> = records
        .iter()
        .filter(|r| {
            let keep = r.genotype.is_all_deletions();
            s.not_deletion += usize::from(!keep);
            keep
        })
        .flat_map(|r| r.experiments(KUZMIN2018_SUBSET, &publication))
        .collect();
    s.kept = out.len();
    (out, s)
}
