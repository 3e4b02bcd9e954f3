//! The ironcell knowledge graph: experiments, genotypes, genes and GO as one property graph.
//!
//! [`GraphStore`] is the logical API; [`SqliteStore`] the embedded default backend, a property
//! graph in two tables (`nodes(id, label, props)`, `edges(src, rel, dst, props)`) in one SQLite
//! file. Node ids are content addresses, so a genotype measured in three datasets is one node,
//! and writes are `INSERT OR IGNORE` in transactions: re-running an ingest adds nothing and an
//! interrupted one leaves every committed batch whole.
//!
//! ```
//! use ironcell_core::{Environment, Experiment, Fitness, Genotype, Perturbation,
//!     PerturbationKind, Provenance};
//! use ironcell_kg::{GraphStore, SqliteStore};
//!
//! let mut store = SqliteStore::open_in_memory()?;
//! let genotype = Genotype::new([Perturbation::new("YAL001C".parse()?, PerturbationKind::DeletionKanMx)])?;
//! let e = Experiment::fitness(
//!     genotype,
//!     Environment::sga_plate(30),
//!     Fitness::new(0.9, Some(0.02))?,
//!     Provenance::Measured { dataset: "demo".into(), publication: None },
//! );
//! assert_eq!(store.put_experiments(std::slice::from_ref(&e))?, 1);
//! assert_eq!(store.put_experiments(std::slice::from_ref(&e))?, 0); // idempotent
//! assert_eq!(store.experiments("demo")?, vec![e]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod error;
mod sqlite;

use std::{collections::BTreeMap, path::Path};

use ironcell_core::Experiment;
use ironcell_sources::reference::Reference;

pub use error::Error;
pub use sqlite::SqliteStore;

/// Node and edge counts by label / relationship type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// Nodes per label.
    pub nodes: BTreeMap<String, u64>,
    /// Edges per relationship type.
    pub edges: BTreeMap<String, u64>,
}

/// The knowledge graph's logical operations, the same on every backend.
pub trait GraphStore {
    /// Stores genes, GO terms with their IS_A / PART_OF edges, and ANNOTATED_TO edges.
    /// Returns the number of nodes added.
    fn put_reference(&mut self, reference: &Reference) -> Result<u64, Error>;

    /// Stores experiments with their genotype, perturbations, environment, phenotype and
    /// dataset. Returns how many experiments were new.
    fn put_experiments(&mut self, experiments: &[Experiment]) -> Result<u64, Error>;

    /// All experiments of a dataset, in a stable order.
    fn experiments(&self, dataset: &str) -> Result<Vec<Experiment>, Error>;

    /// Counts by label.
    fn stats(&self) -> Result<Stats, Error>;
}

/// Opens the store a URL names: `sqlite://PATH` (the file is created when missing).
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let url = format!("sqlite://{}", dir.path().join("kg.sqlite").display());
/// let store = ironcell_kg::open(&url)?;
/// assert!(store.stats()?.nodes.is_empty());
/// assert!(ironcell_kg::open("postgres://localhost/kg").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open(url: &str) -> Result<Box<dyn GraphStore>, Error> {
    match url.split_once("://") {
        Some(("sqlite", path)) if !path.is_empty() => {
            Ok(Box::new(SqliteStore::open(Path::new(path))?))
        }
        _ => Err(Error::new(
            format!("opening {url:?}"),
            "unsupported store URL: expected sqlite://PATH",
        )),
    }
}
