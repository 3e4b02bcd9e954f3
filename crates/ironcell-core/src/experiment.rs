use serde::{Deserialize, Serialize};

use crate::{ContentId, Environment, Error, ErrorKind, Fitness, Genotype, Phenotype};

/// A paper, by PubMed id and/or DOI; at least one of them.
///
/// ```
/// use ironcell_core::Publication;
///
/// let p = Publication::pubmed(27708008).with_doi("10.1126/science.aaf1420")?;
/// assert_eq!(p.pubmed_id(), Some(27708008));
/// assert!(Publication::doi("science.aaf1420").is_err()); // a DOI starts with "10."
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Publication {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pubmed_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    doi: Option<String>,
}

fn checked_doi(doi: &str) -> Result<String, Error> {
    let doi = doi.trim();
    if doi.starts_with("10.") && doi.contains('/') {
        Ok(doi.to_owned())
    } else {
        Err(Error::new(
            ErrorKind::InvalidPublication,
            format!("DOI {doi:?} (expected 10.NNNN/suffix)"),
        ))
    }
}

impl Publication {
    /// A paper known by its PubMed id.
    pub fn pubmed(id: u32) -> Self {
        Self {
            pubmed_id: Some(id),
            doi: None,
        }
    }

    /// A paper known by its DOI.
    pub fn doi(doi: &str) -> Result<Self, Error> {
        Ok(Self {
            pubmed_id: None,
            doi: Some(checked_doi(doi)?),
        })
    }

    /// Adds the DOI.
    pub fn with_doi(mut self, doi: &str) -> Result<Self, Error> {
        self.doi = Some(checked_doi(doi)?);
        Ok(self)
    }

    /// The PubMed id.
    pub fn pubmed_id(&self) -> Option<u32> {
        self.pubmed_id
    }

    /// The DOI.
    pub fn doi_name(&self) -> Option<&str> {
        self.doi.as_deref()
    }

    /// The content address.
    pub fn content_id(&self) -> ContentId {
        ContentId::of(self)
    }
}

/// The genome a perturbation is made in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReferenceGenome {
    /// The species, e.g. `Saccharomyces cerevisiae`.
    pub species: String,
    /// The strain background, e.g. `S288C` or `BY4741`.
    pub strain: String,
}

impl ReferenceGenome {
    /// S. cerevisiae in the background named `strain`.
    pub fn yeast(strain: &str) -> Self {
        Self {
            species: "Saccharomyces cerevisiae".to_owned(),
            strain: strain.to_owned(),
        }
    }
}

/// The wild type an experiment is measured against: its genome, environment, and phenotype.
///
/// Fitness 1.0 means "as fit as this reference", an interaction score of 0 "as expected from
/// this reference's singles"; a value is only meaningful with its reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentReference {
    /// The reference genome.
    pub genome: ReferenceGenome,
    /// The reference's environment.
    pub environment: Environment,
    /// The reference's own phenotype.
    pub phenotype: Phenotype,
}

impl ExperimentReference {
    /// The S288C wild type in `environment`, showing `phenotype`: the reference of SGA
    /// screens, whose strains derive from S288C.
    pub fn s288c(environment: &Environment, phenotype: Phenotype) -> Self {
        Self {
            genome: ReferenceGenome::yeast("S288C"),
            environment: environment.clone(),
            phenotype,
        }
    }

    /// The content address.
    pub fn content_id(&self) -> ContentId {
        ContentId::of(self)
    }
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Provenance {
    /// Measured in a published screen, named by its dataset (e.g. `costanzo2016_smf`).
    Measured {
        /// The dataset's name.
        dataset: String,
        /// The paper that published it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        publication: Option<Publication>,
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
            Self::Measured { dataset, .. } => dataset,
            Self::Synthetic { .. } => "synthetic",
        }
    }

    /// The publication of measured data.
    pub fn publication(&self) -> Option<&Publication> {
        match self {
            Self::Measured { publication, .. } => publication.as_ref(),
            Self::Synthetic { .. } => None,
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
    /// The wild type it was measured against.
    pub reference: ExperimentReference,
    /// Where the record came from.
    pub provenance: Provenance,
}

impl Experiment {
    /// A fitness measurement against the S288C wild type (fitness 1) in the same
    /// environment.
    ///
    /// ```
    /// use ironcell_core::{Environment, Experiment, Fitness, Genotype, Perturbation,
    ///     PerturbationKind, Provenance};
    ///
    /// let genotype = Genotype::new([Perturbation::new("YAL002W".parse()?, PerturbationKind::DeletionKanMx)])?;
    /// let e = Experiment::fitness(
    ///     genotype,
    ///     Environment::sga_plate(30),
    ///     Fitness::new(0.91, Some(0.03))?,
    ///     Provenance::Synthetic { seed: 7 },
    /// );
    /// assert_eq!(e.reference.genome.strain, "S288C");
    /// # Ok::<(), ironcell_core::Error>(())
    /// ```
    pub fn fitness(
        genotype: Genotype,
        environment: Environment,
        fitness: Fitness,
        provenance: Provenance,
    ) -> Self {
        Self {
            genotype,
            reference: ExperimentReference::s288c(
                &environment,
                Phenotype::Fitness(Fitness::WILD_TYPE),
            ),
            environment,
            phenotype: Phenotype::Fitness(fitness),
            provenance,
        }
    }

    /// The content address of the whole record.
    pub fn content_id(&self) -> ContentId {
        ContentId::of(self)
    }
}
