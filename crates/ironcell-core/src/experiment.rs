use serde::{Deserialize, Serialize};

use crate::{ContentId, Environment, Genotype, Phenotype};

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Provenance {
    /// Measured in a published screen, named by its dataset (e.g. `costanzo2016_smf`).
    Measured {
        /// The dataset's name.
        dataset: String,
    },
    /// Produced by ironcell's simulator; never mixed with measured data.
    Synthetic {
        /// The simulator's seed.
        seed: u64,
    },
}

impl Provenance {
    /// The dataset name under which the record is stored (`synthetic` for simulated data).
    pub fn dataset(&self) -> &str {
        match self {
            Self::Measured { dataset } => dataset,
            Self::Synthetic { .. } => "synthetic",
        }
    }

    /// Whether the record was simulated.
    pub fn is_synthetic(&self) -> bool {
        matches!(self, Self::Synthetic { .. })
    }
}

/// One measurement: a phenotype of a genotype in an environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    /// What was perturbed.
    pub genotype: Genotype,
    /// Where it was grown.
    pub environment: Environment,
    /// What was measured.
    pub phenotype: Phenotype,
    /// Where the record came from.
    pub provenance: Provenance,
}

impl Experiment {
    /// The content address of the whole record.
    pub fn content_id(&self) -> ContentId {
        ContentId::of(self)
    }
}
