//! The embedded backend: the property graph in one SQLite file (WAL mode), in two layouts by
//! size.
//!
//! Everything there are few of (genes, GO terms, networks, datasets, publications, wild
//! types, environments, perturbations) is a row of `nodes(nid, id, label, props)` and
//! `edges(src, rel, dst, props)`, as the schema draws it. What there is one of per measurement
//! — the experiment, its genotype and its phenotype, and the six relationships that tie them
//! to the rest — is one typed row of `experiments`: the content address once (its first eight
//! bytes indexed as an integer for the duplicate check), integer keys of the shared nodes, the
//! genotype as its perturbations' keys and the phenotype as its canonical JSON. Genotype and
//! phenotype nodes are content-addressed, so they are the distinct values of those columns,
//! and every answer (`stats`, reads, the `neo4j-admin` export) is the graph the schema draws:
//! the conformance tests hold it to Neo4j's. A JSON row per node and edge cost ~4.5 KB per
//! experiment and ~2,000 experiments/s; this layout is measured in BENCHMARKS.md.
//!
//! The layout's version is SQLite's `user_version`; a store of another layout is refused with
//! what to do, never read wrongly.

use std::{
    collections::{hash_map::Entry, HashMap, HashSet},
    path::Path,
};

use ironcell_core::{
    ContentId, Environment, Experiment, ExperimentReference, Genotype, Perturbation, Phenotype,
    PhenotypeKind, Provenance,
};
use ironcell_sources::{networks::Edge, reference::Reference};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{
    export::{self, Export, Files},
    schema::{decode_interaction, to_json, DatasetInfo, Label, Network, Subgraph},
    Error, GraphStore, Stats,
};

/// This build's layout (`PRAGMA user_version`). Version 0 with tables is the first layout:
/// every node and edge a JSON row.
const LAYOUT: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS nodes (
    nid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    props TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS nodes_label ON nodes(label);
CREATE TABLE IF NOT EXISTS edges (
    src TEXT NOT NULL,
    rel TEXT NOT NULL,
    dst TEXT NOT NULL,
    props TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (src, rel, dst)
);
CREATE INDEX IF NOT EXISTS edges_dst ON edges(dst, rel);
CREATE TABLE IF NOT EXISTS provenances (
    id INTEGER PRIMARY KEY,
    json TEXT NOT NULL UNIQUE,
    dataset INTEGER NOT NULL,
    publication INTEGER
);
CREATE TABLE IF NOT EXISTS experiments (
    id INTEGER PRIMARY KEY,
    key INTEGER NOT NULL,
    cid BLOB NOT NULL,
    provenance INTEGER NOT NULL,
    reference INTEGER NOT NULL,
    environment INTEGER NOT NULL,
    genotype BLOB NOT NULL,
    kind INTEGER NOT NULL,
    phenotype TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS experiments_key ON experiments(key);
CREATE INDEX IF NOT EXISTS experiments_provenance ON experiments(provenance);
";

/// Experiments per transaction: big enough to amortise commits, small enough to bound lost
/// work.
const BATCH: usize = 10_000;

/// SQLite's page cache, in KiB (a negative `cache_size`): the duplicate-check index of 2e7
/// experiments (~300 MB) mostly stays in it, and ingest stays under 1 GB resident.
const CACHE_KIB: i64 = 256 * 1024;

/// Phenotype kinds as the `kind` column stores them: part of the layout, so spelled out here
/// rather than taken from [`PhenotypeKind::ALL`]'s order. Append only.
fn kind_code(kind: PhenotypeKind) -> i64 {
    match kind {
        PhenotypeKind::Fitness => 0,
        PhenotypeKind::GeneInteraction => 1,
        PhenotypeKind::Essentiality => 2,
        PhenotypeKind::SyntheticLethality => 3,
        PhenotypeKind::SyntheticRescue => 4,
        PhenotypeKind::Morphology => 5,
        PhenotypeKind::Expression => 6,
        PhenotypeKind::EmapScore => 7,
        PhenotypeKind::Reporter => 8,
        PhenotypeKind::ChemogenomicScore => 9,
    }
}

fn kind_of(code: i64) -> Option<PhenotypeKind> {
    PhenotypeKind::ALL
        .into_iter()
        .find(|&k| kind_code(k) == code)
}

/// A content address as its 32 bytes.
fn address(id: &ContentId) -> [u8; 32] {
    let mut bytes = [0; 32];
    hex::decode_to_slice(id.as_str(), &mut bytes)
        .expect("content ids are 64 hexadecimal digits (SHA-256)");
    bytes
}

/// The indexed part of an address.
fn key(address: &[u8; 32]) -> i64 {
    let mut first = [0; 8];
    first.copy_from_slice(&address[..8]);
    i64::from_be_bytes(first)
}

/// A genotype's column: its perturbations' node keys, in the genotype's canonical order.
fn genotype_column(nids: &[u32]) -> Vec<u8> {
    nids.iter().flat_map(|n| n.to_le_bytes()).collect()
}

/// The SQLite backend.
pub struct SqliteStore {
    conn: Connection,
    location: String,
    /// Keys of the shared nodes written so far, so an experiment costs one insert.
    keys: Keys,
}

/// The integer keys of shared nodes, by value. Cleared when a write fails: a rolled-back
/// transaction's keys may be handed out again.
#[derive(Default)]
struct Keys {
    provenances: HashMap<Provenance, i64>,
    /// By canonical JSON (a wild type holds numbers, so is not `Hash`), and the last one
    /// asked for, which most records share with the one before.
    references: HashMap<String, i64>,
    last_reference: Option<(ExperimentReference, i64)>,
    environments: HashMap<Environment, i64>,
    perturbations: HashMap<Perturbation, u32>,
}

/// Writes a shared object's subgraph unless its first node is there; returns that node's key.
fn shared(tx: &Transaction<'_>, g: &Subgraph) -> rusqlite::Result<i64> {
    write(tx, g, Merge::Keep)?;
    tx.prepare_cached("SELECT nid FROM nodes WHERE id = ?1")?
        .query_row([&g.nodes[0].id], |r| r.get(0))
}

impl Keys {
    fn provenance(&mut self, tx: &Transaction<'_>, p: &Provenance) -> rusqlite::Result<i64> {
        if let Some(&k) = self.provenances.get(p) {
            return Ok(k);
        }
        let mut g = Subgraph::default();
        g.add_dataset(p);
        let dataset = shared(tx, &g)?;
        let publication = match p.publication() {
            Some(publication) => {
                let mut g = Subgraph::default();
                g.add_publication(publication);
                Some(shared(tx, &g)?)
            }
            None => None,
        };
        let json = to_json(p);
        tx.prepare_cached(
            "INSERT OR IGNORE INTO provenances (json, dataset, publication) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![json, dataset, publication])?;
        let k = tx
            .prepare_cached("SELECT id FROM provenances WHERE json = ?1")?
            .query_row([&json], |r| r.get(0))?;
        self.provenances.insert(p.clone(), k);
        Ok(k)
    }

    fn reference(
        &mut self,
        tx: &Transaction<'_>,
        r: &ExperimentReference,
    ) -> rusqlite::Result<i64> {
        if let Some((last, k)) = &self.last_reference {
            if last == r {
                return Ok(*k);
            }
        }
        let k = match self.references.entry(to_json(r)) {
            Entry::Occupied(o) => *o.get(),
            Entry::Vacant(v) => {
                let mut g = Subgraph::default();
                g.add_reference(r);
                *v.insert(shared(tx, &g)?)
            }
        };
        self.last_reference = Some((r.clone(), k));
        Ok(k)
    }

    fn environment(&mut self, tx: &Transaction<'_>, e: &Environment) -> rusqlite::Result<i64> {
        if let Some(&k) = self.environments.get(e) {
            return Ok(k);
        }
        let mut g = Subgraph::default();
        g.add_environment(e);
        let k = shared(tx, &g)?;
        self.environments.insert(e.clone(), k);
        Ok(k)
    }

    fn genotype(&mut self, tx: &Transaction<'_>, genotype: &Genotype) -> rusqlite::Result<Vec<u8>> {
        let mut nids = Vec::with_capacity(genotype.len());
        for p in genotype.perturbations() {
            let nid = match self.perturbations.entry(p.clone()) {
                Entry::Occupied(o) => *o.get(),
                Entry::Vacant(v) => {
                    let mut g = Subgraph::default();
                    g.add_perturbation(p);
                    let nid = shared(tx, &g)?;
                    *v.insert(
                        u32::try_from(nid)
                            .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, nid))?,
                    )
                }
            };
            nids.push(nid);
        }
        Ok(genotype_column(&nids))
    }
}

impl SqliteStore {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let location = path.display().to_string();
        let conn =
            Connection::open(path).map_err(|e| Error::new(format!("opening {location}"), e))?;
        Self::init(conn, location)
    }

    /// Opens the store at `path`, which must exist: a command that only reads must not turn
    /// a mistyped path into a new, empty store.
    pub fn open_existing(path: &Path) -> Result<Self, Error> {
        if !path.is_file() {
            return Err(Error::new(
                format!("opening {}", path.display()),
                "no knowledge graph there (`ironcell ingest --db sqlite://PATH` creates one)",
            ));
        }
        Self::open(path)
    }

    /// An in-memory store, for tests and examples.
    pub fn open_in_memory() -> Result<Self, Error> {
        let conn =
            Connection::open_in_memory().map_err(|e| Error::new("opening in-memory store", e))?;
        Self::init(conn, ":memory:".to_owned())
    }

    fn init(conn: Connection, location: String) -> Result<Self, Error> {
        let context = format!("opening the knowledge graph {location}");
        let layout: i64 = conn
            .pragma_update(None, "journal_mode", "WAL")
            .and_then(|_| conn.pragma_update(None, "synchronous", "NORMAL"))
            .and_then(|_| conn.pragma_update(None, "cache_size", -CACHE_KIB))
            .and_then(|_| conn.query_row("PRAGMA user_version", [], |r| r.get(0)))
            .map_err(|e| Error::new(&context, e))?;
        let has_tables: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| Error::new(&context, e))?;
        match (layout, has_tables) {
            (LAYOUT, _) | (0, false) => {}
            (0, true) => {
                return Err(Error::new(
                    context,
                    "this store was written by an ironcell before 0.39, one JSON row per node \
                     (~4.5 KB an experiment); this version reads the compact layout only. \
                     Ingest the sources again into a new store (`ironcell ingest --db \
                     sqlite://NEW.sqlite …`, minutes where the old layout took hours)",
                ))
            }
            (other, _) => {
                return Err(Error::new(
                    context,
                    format!(
                        "this store has layout {other}, this ironcell reads layout {LAYOUT}: \
                         open it with the ironcell that wrote it"
                    ),
                ))
            }
        }
        conn.execute_batch(SCHEMA)
            .and_then(|_| conn.pragma_update(None, "user_version", LAYOUT))
            .map_err(|e| Error::new(format!("creating the schema in {location}"), e))?;
        Ok(Self {
            conn,
            location,
            keys: Keys::default(),
        })
    }

    /// Writes the graph as `neo4j-admin database import full` files (one CSV per label and
    /// per relationship type, plus `import.sh`) into `dir`.
    pub fn export_neo4j_admin(&self, dir: &Path) -> Result<Export, Error> {
        let mut files = Files::create(dir)?;
        export::shared(&self.conn, &mut files)?;
        let err = self.err("exporting experiments");
        let mut rows = Rows::new(&self.conn);
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM experiments ORDER BY id"))
            .map_err(&err)?;
        let mut cursor = stmt.query([]).map_err(&err)?;
        while let Some(row) = cursor.next().map_err(&err)? {
            let e = rows.experiment(row).map_err(|e| self.decoding(e))?;
            let mut g = Subgraph::default();
            g.add_experiment(&e);
            // The experiment's node and its six relationships; the shared nodes are in
            // `nodes`, genotypes and phenotypes below, once each.
            for n in g.nodes.iter().filter(|n| n.label == Label::Experiment) {
                files.node(n.label.as_str(), &n.id, &n.props)?;
            }
            for r in g
                .edges
                .iter()
                .filter(|r| r.src_label == Label::Experiment || r.dst_label == Label::Experiment)
            {
                files.relationship(r.rel, &r.src, &r.dst, &r.props)?;
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT genotype FROM experiments")
            .map_err(&err)?;
        let mut cursor = stmt.query([]).map_err(&err)?;
        while let Some(row) = cursor.next().map_err(&err)? {
            let genotype = row
                .get_ref(0)
                .map_err(&err)?
                .as_blob()
                .map_err(|e| self.decoding(e.into()))?;
            let genotype = rows.genotype(genotype).map_err(|e| self.decoding(e))?;
            let mut g = Subgraph::default();
            g.add_genotype(&genotype);
            for n in g.nodes.iter().filter(|n| n.label == Label::Genotype) {
                files.node(n.label.as_str(), &n.id, &n.props)?;
            }
            for r in g.edges.iter().filter(|r| r.dst_label == Label::Genotype) {
                files.relationship(r.rel, &r.src, &r.dst, &r.props)?;
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT phenotype FROM experiments")
            .map_err(&err)?;
        let mut cursor = stmt.query([]).map_err(&err)?;
        while let Some(row) = cursor.next().map_err(&err)? {
            let json: String = row.get(0).map_err(&err)?;
            let phenotype: Phenotype =
                serde_json::from_str(&json).map_err(|e| self.decoding(e.into()))?;
            let mut g = Subgraph::default();
            g.add_phenotype(&phenotype);
            let n = &g.nodes[0];
            files.node(n.label.as_str(), &n.id, &n.props)?;
        }
        files.finish()
    }

    fn err(&self, what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
        let context = format!("{what} in {}", self.location);
        move |e| Error::new(context.clone(), e)
    }

    fn decoding(&self, e: Box<dyn std::error::Error + Send + Sync>) -> Error {
        Error::new(format!("decoding an experiment in {}", self.location), e)
    }

    fn put_batch(&mut self, chunk: &[Experiment]) -> rusqlite::Result<u64> {
        let tx = self.conn.transaction()?;
        let mut added = 0;
        {
            let mut stored = tx.prepare_cached("SELECT cid FROM experiments WHERE key = ?1")?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO experiments
                 (key, cid, provenance, reference, environment, genotype, kind, phenotype)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut seen = HashSet::new();
            for e in chunk {
                let cid = address(&e.content_id());
                let key = key(&cid);
                if !seen.insert(cid) {
                    continue;
                }
                let mut same = stored.query([key])?;
                let mut known = false;
                while let Some(row) = same.next()? {
                    known |= row.get_ref(0)?.as_blob()? == cid;
                }
                if known {
                    continue;
                }
                insert.execute(params![
                    key,
                    &cid[..],
                    self.keys.provenance(&tx, &e.provenance)?,
                    self.keys.reference(&tx, &e.reference)?,
                    self.keys.environment(&tx, &e.environment)?,
                    self.keys.genotype(&tx, &e.genotype)?,
                    kind_code(e.phenotype.kind()),
                    to_json(&e.phenotype),
                ])?;
                added += 1;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// Decodes the experiments of `dataset`, in the order `order` (an `ORDER BY` clause, or
    /// none) gives, one at a time.
    fn visit(
        &self,
        dataset: &str,
        order: &str,
        visit: &mut dyn FnMut(Experiment),
    ) -> Result<(), Error> {
        let err = self.err("querying experiments");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM experiments
                 WHERE provenance IN (SELECT p.id FROM provenances p
                                      JOIN nodes d ON d.nid = p.dataset WHERE d.id = ?1)
                 {order}"
            ))
            .map_err(&err)?;
        let mut rows = Rows::new(&self.conn);
        let mut cursor = stmt.query([dataset]).map_err(&err)?;
        while let Some(row) = cursor.next().map_err(&err)? {
            visit(rows.experiment(row).map_err(|e| {
                Error::new(
                    format!("decoding an experiment of {dataset} in {}", self.location),
                    e,
                )
            })?);
        }
        Ok(())
    }

    /// Counts of the nodes and relationships the `experiments` rows stand for.
    fn experiment_counts(&self, stats: &mut Stats) -> rusqlite::Result<()> {
        let (experiments, mentions): (u64, u64) = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(p.publication IS NOT NULL), 0)
             FROM experiments e JOIN provenances p ON p.id = e.provenance",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if experiments == 0 {
            return Ok(());
        }
        let (genotypes, members): (u64, u64) = self.conn.query_row(
            "SELECT COUNT(*), SUM(length(genotype)) / 4
             FROM (SELECT DISTINCT genotype FROM experiments)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let phenotypes: u64 = self.conn.query_row(
            "SELECT COUNT(DISTINCT phenotype) FROM experiments",
            [],
            |r| r.get(0),
        )?;
        for (label, n) in [
            (Label::Experiment, experiments),
            (Label::Genotype, genotypes),
            (Label::Phenotype, phenotypes),
        ] {
            stats.nodes.insert(label.as_str().to_owned(), n);
        }
        for (rel, n) in [
            ("EXPERIMENT_MEMBER_OF", experiments),
            ("REFERENCE_OF", experiments),
            ("GENOTYPE_MEMBER_OF", experiments),
            ("ENVIRONMENT_MEMBER_OF", experiments),
            ("PHENOTYPE_MEMBER_OF", experiments),
            ("MENTIONS", mentions),
            ("PERTURBATION_MEMBER_OF", members),
        ] {
            if n > 0 {
                stats.edges.insert(rel.to_owned(), n);
            }
        }
        Ok(())
    }
}

/// The columns [`Rows::experiment`] decodes, in its order.
const COLUMNS: &str = "cid, provenance, reference, environment, genotype, phenotype";

/// Decodes `experiments` rows, reading each shared node once.
struct Rows<'c> {
    conn: &'c Connection,
    provenances: HashMap<i64, Provenance>,
    references: HashMap<i64, ExperimentReference>,
    environments: HashMap<i64, Environment>,
    perturbations: HashMap<i64, Perturbation>,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

impl<'c> Rows<'c> {
    fn new(conn: &'c Connection) -> Self {
        Self {
            conn,
            provenances: HashMap::new(),
            references: HashMap::new(),
            environments: HashMap::new(),
            perturbations: HashMap::new(),
        }
    }

    /// The `json` property of node `nid`.
    fn node<T: DeserializeOwned>(conn: &Connection, nid: i64) -> Result<T, Failure> {
        let json: String = conn
            .prepare_cached("SELECT json_extract(props, '$.json') FROM nodes WHERE nid = ?1")?
            .query_row([nid], |r| r.get(0))
            .optional()?
            .ok_or_else(|| format!("node {nid}, which an experiment refers to, is missing"))?;
        Ok(serde_json::from_str(&json)?)
    }

    fn cached<T: DeserializeOwned + Clone>(
        conn: &Connection,
        cache: &mut HashMap<i64, T>,
        nid: i64,
    ) -> Result<T, Failure> {
        if let Some(v) = cache.get(&nid) {
            return Ok(v.clone());
        }
        let v: T = Self::node(conn, nid)?;
        cache.insert(nid, v.clone());
        Ok(v)
    }

    fn provenance(&mut self, id: i64) -> Result<Provenance, Failure> {
        if let Some(p) = self.provenances.get(&id) {
            return Ok(p.clone());
        }
        let json: String = self
            .conn
            .prepare_cached("SELECT json FROM provenances WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        let p: Provenance = serde_json::from_str(&json)?;
        self.provenances.insert(id, p.clone());
        Ok(p)
    }

    fn environment(&mut self, nid: i64) -> Result<Environment, Failure> {
        Self::cached(self.conn, &mut self.environments, nid)
    }

    fn genotype(&mut self, column: &[u8]) -> Result<Genotype, Failure> {
        if !column.len().is_multiple_of(4) {
            return Err(format!("a genotype column of {} bytes", column.len()).into());
        }
        let mut perturbations = Vec::with_capacity(column.len() / 4);
        for nid in column.chunks_exact(4) {
            let nid = u32::from_le_bytes([nid[0], nid[1], nid[2], nid[3]]);
            perturbations.push(Self::cached(
                self.conn,
                &mut self.perturbations,
                i64::from(nid),
            )?);
        }
        Ok(Genotype::new(perturbations)?)
    }

    /// The experiment of a row selected as [`COLUMNS`].
    fn experiment(&mut self, row: &rusqlite::Row<'_>) -> Result<Experiment, Failure> {
        let provenance = self.provenance(row.get(1)?)?;
        let reference = Self::cached(self.conn, &mut self.references, row.get(2)?)?;
        let environment = self.environment(row.get(3)?)?;
        let genotype = self.genotype(row.get_ref(4)?.as_blob()?)?;
        let phenotype: Phenotype = serde_json::from_str(row.get_ref(5)?.as_str()?)?;
        let e = Experiment {
            genotype,
            environment,
            phenotype,
            reference,
            provenance,
        };
        // The address was the record's when stored; a row edited since is not that record.
        if address(&e.content_id())[..] != *row.get_ref(0)?.as_blob()? {
            return Err("the row no longer matches its content address".into());
        }
        Ok(e)
    }
}

/// How a write treats a node or edge that is already there.
#[derive(Clone, Copy)]
enum Merge {
    /// Keep it as it is (content-addressed objects never change).
    Keep,
    /// Add the new properties to it (the reference filling in a bare gene).
    Update,
}

fn write(tx: &Transaction<'_>, g: &Subgraph, merge: Merge) -> rusqlite::Result<()> {
    let (node_sql, edge_sql) = match merge {
        Merge::Keep => (
            "INSERT OR IGNORE INTO nodes (id, label, props) VALUES (?1, ?2, ?3)",
            "INSERT OR IGNORE INTO edges (src, rel, dst, props) VALUES (?1, ?2, ?3, ?4)",
        ),
        Merge::Update => (
            "INSERT INTO nodes (id, label, props) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET props = json_patch(nodes.props, excluded.props)",
            "INSERT INTO edges (src, rel, dst, props) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(src, rel, dst) DO UPDATE SET props = json_patch(edges.props, excluded.props)",
        ),
    };
    let mut nodes = tx.prepare_cached(node_sql)?;
    for n in &g.nodes {
        nodes.execute(params![
            n.id,
            n.label.as_str(),
            Value::Object(n.props.clone()).to_string()
        ])?;
    }
    let mut edges = tx.prepare_cached(edge_sql)?;
    for e in &g.edges {
        edges.execute(params![
            e.src,
            e.rel,
            e.dst,
            Value::Object(e.props.clone()).to_string()
        ])?;
    }
    Ok(())
}

impl GraphStore for SqliteStore {
    fn put_reference(&mut self, reference: &Reference) -> Result<u64, Error> {
        let context = format!("storing the reference in {}", self.location);
        let wrap = |e: rusqlite::Error| Error::new(context.clone(), e);
        let g = Subgraph::of_reference(reference);
        let tx = self.conn.transaction().map_err(wrap)?;
        write(&tx, &g, Merge::Update).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(g.nodes.len() as u64)
    }

    fn put_experiments(&mut self, experiments: &[Experiment]) -> Result<u64, Error> {
        let mut added = 0u64;
        for chunk in experiments.chunks(BATCH) {
            match self.put_batch(chunk) {
                Ok(n) => added += n,
                Err(e) => {
                    self.keys = Keys::default();
                    return Err(Error::new(
                        format!("storing experiments in {}", self.location),
                        e,
                    ));
                }
            }
        }
        Ok(added)
    }

    fn put_network(&mut self, network: &Network<'_>) -> Result<u64, Error> {
        let context = format!("storing network {} in {}", network.name, self.location);
        let wrap = |e: rusqlite::Error| Error::new(context.clone(), e);
        let mut added = 0u64;
        for chunk in network.unique_edges().chunks(BATCH) {
            let tx = self.conn.transaction().map_err(wrap)?;
            let mut new = Vec::new();
            {
                let mut exists = tx
                    .prepare_cached("SELECT 1 FROM nodes WHERE id = ?1")
                    .map_err(wrap)?;
                for (id, e) in chunk {
                    if !exists.exists([id]).map_err(wrap)? {
                        new.push((*e).clone());
                    }
                }
            }
            let mut g = Subgraph::default();
            g.add_network(&Network {
                edges: &new,
                ..*network
            });
            write(&tx, &g, Merge::Keep).map_err(wrap)?;
            tx.commit().map_err(wrap)?;
            added += new.len() as u64;
        }
        Ok(added)
    }

    fn network(&self, name: &str) -> Result<Option<(bool, Vec<Edge>)>, Error> {
        let err = self.err("reading a network");
        let directed: Option<bool> = self
            .conn
            .query_row(
                "SELECT json_extract(props, '$.directed') FROM nodes
                 WHERE label = 'Network' AND id = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(&err)?;
        let Some(directed) = directed else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT json_extract(n.props, '$.a'), json_extract(n.props, '$.b'),
                        json_extract(n.props, '$.scores'), json_extract(n.props, '$.kind')
                 FROM edges e JOIN nodes n ON n.id = e.src
                 WHERE e.rel = 'INTERACTION_MEMBER_OF' AND e.dst = ?1 ORDER BY n.id",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map([name], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(&err)?;
        let mut edges = Vec::new();
        for row in rows {
            let (a, b, scores, kind) = row.map_err(&err)?;
            edges.push(
                decode_interaction(&a, &b, scores.as_deref(), kind).map_err(|e| {
                    Error::new(format!("decoding network {name} in {}", self.location), e)
                })?,
            );
        }
        Ok(Some((directed, edges)))
    }

    fn describe_dataset(&mut self, name: &str, info: &DatasetInfo) -> Result<(), Error> {
        let context = format!("describing dataset {name} in {}", self.location);
        let wrap = |e: rusqlite::Error| Error::new(context.clone(), e);
        let tx = self.conn.transaction().map_err(wrap)?;
        write(&tx, &Subgraph::of_dataset(name, info), Merge::Update).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    fn dataset_info(&self, name: &str) -> Result<Option<DatasetInfo>, Error> {
        let props: Option<String> = self
            .conn
            .query_row(
                "SELECT props FROM nodes WHERE label = 'Dataset' AND id = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err("reading a dataset"))?;
        props
            .map(|p| serde_json::from_str(&p))
            .transpose()
            .map_err(|e| Error::new(format!("decoding dataset {name} in {}", self.location), e))
    }

    fn experiments(&self, dataset: &str) -> Result<Vec<Experiment>, Error> {
        let mut out = Vec::new();
        self.visit(dataset, "ORDER BY cid", &mut |e| out.push(e))?;
        Ok(out)
    }

    fn scan(&self, dataset: &str, visit: &mut dyn FnMut(Experiment)) -> Result<(), Error> {
        // As stored: sorting 2e7 rows by address would cost a pass through temporary files.
        self.visit(dataset, "", visit)
    }

    fn datasets(&self) -> Result<Vec<String>, Error> {
        let err = self.err("listing datasets");
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM nodes WHERE label = 'Dataset' ORDER BY id")
            .map_err(&err)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(&err)?;
        rows.collect::<rusqlite::Result<_>>().map_err(&err)
    }

    fn has_label(&self, label: Label) -> Result<bool, Error> {
        let sql = match label {
            Label::Experiment | Label::Genotype | Label::Phenotype => {
                "SELECT EXISTS (SELECT 1 FROM experiments WHERE ?1 IS NOT NULL)"
            }
            _ => "SELECT EXISTS (SELECT 1 FROM nodes WHERE label = ?1)",
        };
        self.conn
            .query_row(sql, [label.as_str()], |r| r.get(0))
            .map_err(self.err("looking for a label"))
    }

    fn stats(&self) -> Result<Stats, Error> {
        let err = self.err("counting");
        let mut stats = Stats::default();
        for (sql, map) in [
            (
                "SELECT label, COUNT(*) FROM nodes GROUP BY label",
                &mut stats.nodes,
            ),
            (
                "SELECT rel, COUNT(*) FROM edges GROUP BY rel",
                &mut stats.edges,
            ),
        ] {
            let mut stmt = self.conn.prepare(sql).map_err(&err)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .map_err(&err)?;
            for row in rows {
                let (k, v) = row.map_err(&err)?;
                map.insert(k, v as u64);
            }
        }
        self.experiment_counts(&mut stats).map_err(&err)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.id, e.kind, e.environment, COUNT(*)
                 FROM experiments e
                 JOIN provenances p ON p.id = e.provenance
                 JOIN nodes d ON d.nid = p.dataset
                 GROUP BY 1, 2, 3",
            )
            .map_err(&err)?;
        let mut rows = Rows::new(&self.conn);
        let mut cursor = stmt.query([]).map_err(&err)?;
        while let Some(row) = cursor.next().map_err(&err)? {
            let (dataset, code, environment, n): (String, i64, i64, u64) = (
                row.get(0).map_err(&err)?,
                row.get(1).map_err(&err)?,
                row.get(2).map_err(&err)?,
                row.get(3).map_err(&err)?,
            );
            let kind = kind_of(code)
                .ok_or_else(|| self.decoding(format!("phenotype kind code {code}").into()))?;
            let environment = rows
                .environment(environment)
                .map_err(|e| self.decoding(e))?;
            *stats
                .experiments
                .entry((dataset, kind.as_str().to_owned(), environment.to_string()))
                .or_default() += n;
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT json_extract(props, '$.network'), COUNT(*)
                 FROM nodes WHERE label = 'Interaction' GROUP BY 1",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(&err)?;
        for row in rows {
            let (k, v) = row.map_err(&err)?;
            stats.networks.insert(k, v as u64);
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironcell_core::{
        Environment, Fitness, Genotype, Perturbation, PerturbationKind, Provenance, Publication,
    };

    fn experiment(genes: &[&str], value: f64, dataset: &str) -> Experiment {
        let genotype = Genotype::new(
            genes
                .iter()
                .map(|g| Perturbation::new(g.parse().unwrap(), PerturbationKind::DeletionKanMx)),
        )
        .unwrap();
        Experiment::fitness(
            genotype,
            Environment::sga_plate(30),
            Fitness::new(value, Some(0.01)).unwrap(),
            Provenance::Measured {
                dataset: dataset.into(),
                publication: Some(Publication::pubmed(27708008)),
            },
        )
    }

    #[test]
    fn shared_sub_objects_are_stored_once_and_reingest_adds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg.sqlite");
        let a = experiment(&["YAL001C", "YBR001C"], 0.5, "one");
        let b = experiment(&["YBR001C", "YAL001C"], 0.7, "two");
        {
            let mut store = SqliteStore::open(&path).unwrap();
            assert_eq!(store.put_experiments(&[a.clone(), b.clone()]).unwrap(), 2);
        }
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.put_experiments(&[a.clone(), b]).unwrap(), 0);
        let stats = store.stats().unwrap();
        assert_eq!(stats.nodes["Genotype"], 1);
        assert_eq!(stats.nodes["Perturbation"], 2);
        assert_eq!(stats.nodes["Experiment"], 2);
        assert_eq!(stats.nodes["Dataset"], 2);
        assert_eq!(stats.nodes["ExperimentReference"], 1);
        assert_eq!(stats.nodes["Publication"], 1);
        assert_eq!(stats.edges["MENTIONS"], 2);
        assert_eq!(stats.edges["PERTURBATION_MEMBER_OF"], 2);
        assert!(store.has_label(Label::Genotype).unwrap());
        assert!(!store.has_label(Label::GoTerm).unwrap());
        assert_eq!(store.experiments("one").unwrap(), vec![a]);
    }

    #[test]
    fn experiments_sharing_an_address_prefix_are_told_apart() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let a = experiment(&["YAL001C"], 0.5, "one");
        let b = experiment(&["YAL001C"], 0.6, "one");
        assert_eq!(store.put_experiments(std::slice::from_ref(&a)).unwrap(), 1);
        // Give the stored row b's key, as a collision of the first eight bytes would.
        let b_key = key(&address(&b.content_id()));
        store
            .conn
            .execute("UPDATE experiments SET key = ?1", [b_key])
            .unwrap();
        assert_eq!(store.put_experiments(std::slice::from_ref(&b)).unwrap(), 1);
        assert_eq!(store.put_experiments(std::slice::from_ref(&b)).unwrap(), 0);
        let mut both = vec![a, b];
        both.sort_by_key(|e| e.content_id());
        assert_eq!(store.experiments("one").unwrap(), both);
    }

    #[test]
    fn a_store_of_the_first_layout_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE nodes (id TEXT PRIMARY KEY, label TEXT NOT NULL, props TEXT NOT NULL);",
            )
            .unwrap();
        let e = SqliteStore::open(&path).err().unwrap().to_string();
        assert!(e.contains("Ingest the sources again"), "{e}");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 9)
            .unwrap();
        let e = SqliteStore::open(&path).err().unwrap().to_string();
        assert!(e.contains("layout 9"), "{e}");
    }

    #[test]
    fn an_edited_row_is_an_error_not_another_record() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        store
            .put_experiments(&[experiment(&["YAL001C"], 0.5, "one")])
            .unwrap();
        store
            .conn
            .execute(
                "UPDATE experiments SET phenotype = replace(phenotype, '0.5', '0.25')",
                [],
            )
            .unwrap();
        let e = store.experiments("one").err().unwrap().to_string();
        assert!(e.contains("content address"), "{e}");
    }
}
