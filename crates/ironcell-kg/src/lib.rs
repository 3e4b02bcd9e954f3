//! The ironcell knowledge graph: experiments, genotypes, genes and GO as one property graph.
//!
//! [`GraphStore`] is the logical API with two backends: [`SqliteStore`], the embedded
//! default (one SQLite file: the shared objects as `nodes`/`edges` rows, each measurement
//! one typed `experiments` row, ~170 bytes), and [`Neo4jStore`], Neo4j 5 over Bolt.
//! What an experiment becomes in the graph is decided once, in [`schema`], so both hold the
//! same graph. Node ids are content addresses, so a genotype measured in three datasets is one
//! node; each batch of experiments is one transaction, and an experiment already stored is
//! skipped, so re-running an ingest adds nothing and an interrupted one resumes.
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
mod export;
mod neo4j;
pub mod schema;
mod sqlite;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use ironcell_core::{Experiment, PhenotypeKind, SystematicName};
use ironcell_sources::{networks::Edge, reference::Reference};
use schema::{DatasetInfo, Network};

pub use error::Error;
pub use export::Export;
pub use neo4j::{Credentials, Neo4jStore};
pub use sqlite::SqliteStore;

/// Node and edge counts by label / relationship type, and experiments by dataset, phenotype
/// and temperature.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// Nodes per label.
    pub nodes: BTreeMap<String, u64>,
    /// Edges per relationship type.
    pub edges: BTreeMap<String, u64>,
    /// Experiments per (dataset, phenotype kind, environment as
    /// [`Environment`](ironcell_core::Environment)'s `Display` writes it).
    pub experiments: BTreeMap<(String, String, String), u64>,
    /// Interactions per network.
    pub networks: BTreeMap<String, u64>,
}

/// Which experiments a query returns. Empty fields select everything.
///
/// ```
/// use ironcell_core::PhenotypeKind;
/// use ironcell_kg::Selection;
///
/// let s = Selection {
///     datasets: vec!["costanzo2016_dmf".into()],
///     phenotype: Some(PhenotypeKind::Fitness),
///     temperature_c: Some(30),
///     max_perturbations: Some(2),
///     ..Selection::default()
/// };
/// assert!(s.temperature_c.is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Datasets to read; empty means all.
    pub datasets: Vec<String>,
    /// Only this kind of phenotype.
    pub phenotype: Option<PhenotypeKind>,
    /// Only this temperature.
    pub temperature_c: Option<i32>,
    /// Only genotypes whose genes are all in this set.
    pub genes: Option<BTreeSet<SystematicName>>,
    /// Only genotypes with at most this many perturbations.
    pub max_perturbations: Option<usize>,
    /// Only genotypes of full deletions (no DAmP, temperature-sensitive or other alleles):
    /// what models that read a gene as present or absent can learn from.
    pub deletions_only: bool,
}

impl Selection {
    /// Whether `e` is selected (datasets aside).
    pub fn matches(&self, e: &Experiment) -> bool {
        self.phenotype.is_none_or(|k| e.phenotype.kind() == k)
            && self
                .temperature_c
                .is_none_or(|t| e.environment.temperature_c == t)
            && self.max_perturbations.is_none_or(|n| e.genotype.len() <= n)
            && (!self.deletions_only || e.genotype.is_all_deletions())
            && self
                .genes
                .as_ref()
                .is_none_or(|genes| e.genotype.genes().all(|g| genes.contains(g)))
    }
}

/// The knowledge graph's logical operations, the same on every backend.
pub trait GraphStore {
    /// Stores genes, GO terms with their IS_A / PART_OF edges, and ANNOTATED_TO edges
    /// (filling in genes that experiments created bare). Returns the nodes written.
    fn put_reference(&mut self, reference: &Reference) -> Result<u64, Error>;

    /// Stores experiments with their genotype, perturbations, environment, phenotype,
    /// reference, publication and dataset, in transactions of whole experiments. Returns
    /// how many experiments were new.
    fn put_experiments(&mut self, experiments: &[Experiment]) -> Result<u64, Error>;

    /// Stores a gene network: its node and one `Interaction` node per gene pair, linked to
    /// both genes, in transactions of whole batches. Returns how many interactions were new.
    fn put_network(&mut self, network: &Network<'_>) -> Result<u64, Error>;

    /// A stored network's edges (ordered by interaction id) and whether it is directed;
    /// `None` when no network has that name.
    fn network(&self, name: &str) -> Result<Option<(bool, Vec<Edge>)>, Error>;

    /// Says on a dataset's node what the dataset is beyond its experiments (creating the
    /// node when it has none yet).
    fn describe_dataset(&mut self, name: &str, info: &DatasetInfo) -> Result<(), Error>;

    /// What a dataset's node says; `None` when there is no such dataset.
    fn dataset_info(&self, name: &str) -> Result<Option<DatasetInfo>, Error>;

    /// All experiments of a dataset, ordered by id.
    fn experiments(&self, dataset: &str) -> Result<Vec<Experiment>, Error>;

    /// Visits a dataset's experiments one at a time without holding them all, in the order
    /// the backend keeps them (SQLite: as stored; the default: by id), so a build over 2e7
    /// experiments needs memory for what it keeps of each, not for the records.
    fn scan(&self, dataset: &str, visit: &mut dyn FnMut(Experiment)) -> Result<(), Error> {
        self.experiments(dataset)?.into_iter().for_each(visit);
        Ok(())
    }

    /// Every dataset name, sorted.
    fn datasets(&self) -> Result<Vec<String>, Error>;

    /// Whether any node has this label (cheap, unlike [`stats`](Self::stats)): e.g. whether
    /// a reference is stored already.
    fn has_label(&self, label: schema::Label) -> Result<bool, Error>;

    /// Counts by label.
    fn stats(&self) -> Result<Stats, Error>;

    /// The selected experiments, visited by dataset as [`scan`](Self::scan) visits them.
    fn scan_selection(
        &self,
        selection: &Selection,
        visit: &mut dyn FnMut(Experiment),
    ) -> Result<(), Error> {
        let datasets = if selection.datasets.is_empty() {
            self.datasets()?
        } else {
            selection.datasets.clone()
        };
        for d in datasets {
            self.scan(&d, &mut |e| {
                if selection.matches(&e) {
                    visit(e)
                }
            })?;
        }
        Ok(())
    }

    /// The selected experiments with their references, by dataset then id. The selection is
    /// applied here, above the backends, so every backend returns the same records.
    fn query(&self, selection: &Selection) -> Result<Vec<Experiment>, Error> {
        let datasets = if selection.datasets.is_empty() {
            self.datasets()?
        } else {
            selection.datasets.clone()
        };
        let mut out = Vec::new();
        for d in datasets {
            out.extend(
                self.experiments(&d)?
                    .into_iter()
                    .filter(|e| selection.matches(e)),
            );
        }
        Ok(out)
    }
}

/// Opens, as [`open`] does, a store that must already exist: a command that only reads must
/// not turn a mistyped SQLite path into a new, empty store.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let url = format!("sqlite://{}", dir.path().join("typo.sqlite").display());
/// let message = ironcell_kg::open_existing(&url, None).err().map(|e| e.to_string());
/// assert!(message.unwrap_or_default().contains("no knowledge graph"));
/// assert!(!dir.path().join("typo.sqlite").exists());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_existing(
    url: &str,
    credentials: Option<Credentials>,
) -> Result<Box<dyn GraphStore>, Error> {
    match url.strip_prefix("sqlite://") {
        Some(path) => Ok(Box::new(SqliteStore::open_existing(Path::new(path))?)),
        None => open(url, credentials),
    }
}

/// `url` with any user information (`user:password@`) of its authority replaced by `***@`,
/// the form every message shows.
///
/// ```
/// assert_eq!(ironcell_kg::redacted("neo4j://neo4j:s3cret@db:7687"), "neo4j://***@db:7687");
/// assert_eq!(ironcell_kg::redacted("sqlite://a@b/kg.sqlite"), "sqlite://a@b/kg.sqlite");
/// assert_eq!(ironcell_kg::redacted("bolt://db:7687"), "bolt://db:7687");
/// ```
pub fn redacted(url: &str) -> String {
    match url.split_once("://") {
        // A SQLite URL is a path, where `@` is just a character.
        Some((scheme, rest)) if scheme != "sqlite" => {
            let authority = rest.split('/').next().unwrap_or(rest);
            match authority.rfind('@') {
                Some(at) => format!("{scheme}://***{}", &rest[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Opens the store a URL names: `sqlite://PATH` (created when missing), or
/// `neo4j://HOST:PORT` / `bolt://HOST:PORT` with `credentials`.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let url = format!("sqlite://{}", dir.path().join("kg.sqlite").display());
/// let store = ironcell_kg::open(&url, None)?;
/// assert!(store.stats()?.nodes.is_empty());
/// assert!(ironcell_kg::open("postgres://localhost/kg", None).is_err());
/// // A password in the URL is refused, and never shown.
/// let refused = ironcell_kg::open("neo4j://neo4j:s3cret@localhost:7687", None);
/// let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
/// assert!(message.contains("$NEO4J_PASSWORD") && !message.contains("s3cret"), "{message}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open(url: &str, credentials: Option<Credentials>) -> Result<Box<dyn GraphStore>, Error> {
    let shown = redacted(url);
    if shown != url {
        // A password in a URL ends up in shell history, process listings and logs.
        return Err(Error::new(
            format!("opening {shown:?}"),
            "credentials in the store URL are refused: give the user with --neo4j-user or \
             $NEO4J_USER and the password with $NEO4J_PASSWORD",
        ));
    }
    match url.split_once("://") {
        Some(("sqlite", path)) if !path.is_empty() => {
            Ok(Box::new(SqliteStore::open(Path::new(path))?))
        }
        Some(("neo4j" | "bolt", rest)) if !rest.is_empty() => Ok(Box::new(Neo4jStore::connect(
            url,
            credentials.unwrap_or_default(),
        )?)),
        _ => Err(Error::new(
            format!("opening {shown:?}"),
            "unsupported store URL: expected sqlite://PATH, neo4j://HOST:PORT or bolt://HOST:PORT",
        )),
    }
}
