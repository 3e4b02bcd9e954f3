//! Domain types of ironcell: what a yeast experiment *is*, independent of any file or store.
//!
//! An [`Experiment`] measures a [`Phenotype`] of a [`Genotype`] (a canonical set of
//! [`Perturbation`]s, each naming a gene by its validated [`SystematicName`]) in an
//! [`Environment`]. Every record says where it came from through its [`Provenance`]: measured
//! data names its dataset, simulated data is [`Provenance::Synthetic`] and can never pass for
//! a measurement.
//!
//! ```
//! use ironcell_core::{Genotype, Perturbation, PerturbationKind, SystematicName};
//!
//! let a: SystematicName = "YAL001C".parse()?;
//! let b: SystematicName = "YBR087W".parse()?;
//! let ab = Genotype::new([
//!     Perturbation::new(b.clone(), PerturbationKind::DeletionKanMx),
//!     Perturbation::new(a.clone(), PerturbationKind::DeletionKanMx),
//! ])?;
//! let ba = Genotype::new([
//!     Perturbation::new(a, PerturbationKind::DeletionKanMx),
//!     Perturbation::new(b, PerturbationKind::DeletionKanMx),
//! ])?;
//! assert_eq!(ab, ba);
//! assert_eq!(ab.content_id(), ba.content_id());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod content_id;
mod environment;
mod error;
mod experiment;
mod gene;
mod genotype;
mod phenotype;

pub use content_id::ContentId;
pub use environment::{Additive, Environment, Media};
pub use error::{Error, ErrorKind};
pub use experiment::{Experiment, ExperimentReference, Provenance, Publication, ReferenceGenome};
pub use gene::SystematicName;
pub use genotype::{Genotype, Perturbation, PerturbationKind};
pub use phenotype::{
    Assay, Call, ChemogenomicScore, Confirmation, EmapScore, Expression, Fitness, GeneInteraction,
    InteractionOrder, Log2Ratio, Morphology, Phenotype, PhenotypeKind, Reporter, Severity,
};
