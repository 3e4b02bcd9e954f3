//! The embedded backend: a property graph in one SQLite file (WAL mode).

use std::path::Path;

use ironcell_core::Experiment;
use ironcell_sources::{networks::Edge, reference::Reference};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::Value;

use crate::{
    export::{self, Export},
    schema::{decode_experiment, decode_interaction, DatasetInfo, Label, Network, Subgraph},
    Error, GraphStore, Stats,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
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
";

/// Rows per transaction: big enough to amortise commits, small enough to bound lost work.
const BATCH: usize = 10_000;

/// The SQLite backend.
pub struct SqliteStore {
    conn: Connection,
    location: String,
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
        conn.pragma_update(None, "journal_mode", "WAL")
            .and_then(|_| conn.pragma_update(None, "synchronous", "NORMAL"))
            .and_then(|_| conn.execute_batch(SCHEMA))
            .map_err(|e| Error::new(format!("creating the schema in {location}"), e))?;
        Ok(Self { conn, location })
    }

    /// Writes the graph as `neo4j-admin database import full` files (one CSV per label and
    /// per relationship type, plus `import.sh`) into `dir`.
    pub fn export_neo4j_admin(&self, dir: &Path) -> Result<Export, Error> {
        export::neo4j_admin(&self.conn, dir)
    }

    fn err(&self, what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
        let context = format!("{what} in {}", self.location);
        move |e| Error::new(context.clone(), e)
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
        let context = format!("storing experiments in {}", self.location);
        let wrap = |e: rusqlite::Error| Error::new(context.clone(), e);
        let mut added = 0u64;
        for chunk in experiments.chunks(BATCH) {
            let tx = self.conn.transaction().map_err(wrap)?;
            let mut g = Subgraph::default();
            {
                let mut exists = tx
                    .prepare_cached("SELECT 1 FROM nodes WHERE id = ?1")
                    .map_err(wrap)?;
                let mut seen = std::collections::HashSet::new();
                for e in chunk {
                    let id = e.content_id();
                    if exists.exists([id.as_str()]).map_err(wrap)? || !seen.insert(id) {
                        continue;
                    }
                    g.add_experiment(e);
                    added += 1;
                }
            }
            write(&tx, &g, Merge::Keep).map_err(wrap)?;
            tx.commit().map_err(wrap)?;
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
        let err = self.err("querying experiments");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT json_extract(n.props, '$.json'), json_extract(r.props, '$.json')
                 FROM edges e
                 JOIN nodes n ON n.id = e.src
                 JOIN edges re ON re.dst = n.id AND re.rel = 'REFERENCE_OF'
                 JOIN nodes r ON r.id = re.src
                 WHERE e.rel = 'EXPERIMENT_MEMBER_OF' AND e.dst = ?1 ORDER BY n.id",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map([dataset], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(&err)?;
        let mut out = Vec::new();
        for row in rows {
            let (experiment, reference) = row.map_err(&err)?;
            out.push(decode_experiment(&experiment, &reference).map_err(|e| {
                Error::new(
                    format!("decoding an experiment of {dataset} in {}", self.location),
                    e,
                )
            })?);
        }
        Ok(out)
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
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM nodes WHERE label = ?1)",
                [label.as_str()],
                |r| r.get(0),
            )
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
        let mut stmt = self
            .conn
            .prepare(
                "SELECT json_extract(props, '$.dataset'), json_extract(props, '$.phenotype'),
                        json_extract(props, '$.environment'), COUNT(*)
                 FROM nodes WHERE label = 'Experiment' GROUP BY 1, 2, 3",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    (
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ),
                    r.get::<_, i64>(3)?,
                ))
            })
            .map_err(&err)?;
        for row in rows {
            let (k, v) = row.map_err(&err)?;
            stats.experiments.insert(k, v as u64);
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
        assert!(store.has_label(Label::Genotype).unwrap());
        assert!(!store.has_label(Label::GoTerm).unwrap());
        assert_eq!(store.experiments("one").unwrap(), vec![a]);
    }
}
