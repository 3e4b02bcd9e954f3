//! Costanzo et al. 2016 (Science, PMID 27708008), the global genetic interaction network:
//! single-mutant fitness ([`smf`], Data File S1) and the four pair-wise SGA tables
//! ([`pairs`]: `SGA_ExE.txt`, `SGA_NxN.txt`, `SGA_ExN_NxE.txt`, `SGA_DAmP.txt`).
//!
//! Every record says how it becomes [`Experiment`](ironcell_core::Experiment)s: SGA colonies on
//! rich-medium plates at the screen's temperature, measured against the wild type of the
//! same plate (fitness 1, no interaction).

pub mod pairs;
pub mod smf;

use ironcell_core::{Provenance, Publication};

/// The publication.
pub const PMID: u32 = 27708008;
/// Its DOI.
pub const DOI: &str = "10.1126/science.aaf1420";

/// Dataset of single-mutant fitness.
pub const SMF_DATASET: &str = "costanzo2016_smf";
/// Dataset of double-mutant fitness.
pub const DMF_DATASET: &str = "costanzo2016_dmf";
/// Dataset of digenic interactions (ε).
pub const DMI_DATASET: &str = "costanzo2016_dmi";

/// Costanzo 2016 as a publication.
pub fn publication() -> Publication {
    crate::paper(PMID, DOI)
}

fn provenance(dataset: &str) -> Provenance {
    Provenance::Measured {
        dataset: dataset.to_owned(),
        publication: Some(publication()),
    }
}
