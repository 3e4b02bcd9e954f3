//! The embedded backend: a property graph in one SQLite file (WAL mode).

use std::path::Path;

use ironcell_core::{
    ContentId, Environment, Experiment, ExperimentReference, Genotype, Phenotype, Provenance,
};
use ironcell_sources::reference::Reference;
use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Error, GraphStore, Stats};

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

    fn err(&self, what: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
        let context = format!("{what} in {}", self.location);
        move |e| Error::new(context.clone(), e)
    }
}

fn node(
    tx: &Transaction<'_>,
    id: &str,
    label: &str,
    props: &serde_json::Value,
) -> rusqlite::Result<usize> {
    tx.prepare_cached("INSERT OR IGNORE INTO nodes (id, label, props) VALUES (?1, ?2, ?3)")?
        .execute(params![id, label, props.to_string()])
}

fn edge(
    tx: &Transaction<'_>,
    src: &str,
    rel: &str,
    dst: &str,
    props: &serde_json::Value,
) -> rusqlite::Result<usize> {
    tx.prepare_cached("INSERT OR IGNORE INTO edges (src, rel, dst, props) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![src, rel, dst, props.to_string()])
}

type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// Inserts `value` as a node keyed by its content address and links it to `owner` by `rel`.
fn member<T: Serialize>(
    tx: &Transaction<'_>,
    value: &T,
    label: &str,
    rel: &str,
    owner: &str,
) -> Result<ContentId, StoreError> {
    let id = ContentId::of(value);
    node(tx, id.as_str(), label, &serde_json::to_value(value)?)?;
    edge(tx, id.as_str(), rel, owner, &json!({}))?;
    Ok(id)
}

/// An experiment's own properties. Its reference is a node of its own, shared by every
/// experiment measured against it, so that 2e7 experiments do not repeat it 2e7 times.
#[derive(Serialize)]
struct ExperimentProps<'a> {
    genotype: &'a Genotype,
    environment: &'a Environment,
    phenotype: &'a Phenotype,
    provenance: &'a Provenance,
}

/// [`ExperimentProps`] as read back.
#[derive(Deserialize)]
struct StoredExperiment {
    genotype: Genotype,
    environment: Environment,
    phenotype: Phenotype,
    provenance: Provenance,
}

impl StoredExperiment {
    fn with_reference(self, reference: ExperimentReference) -> Experiment {
        Experiment {
            genotype: self.genotype,
            environment: self.environment,
            phenotype: self.phenotype,
            reference,
            provenance: self.provenance,
        }
    }
}

/// Stores one experiment and its sub-objects; false when it was already stored.
fn store_experiment(tx: &Transaction<'_>, e: &Experiment) -> Result<bool, StoreError> {
    let id = e.content_id();
    let props = ExperimentProps {
        genotype: &e.genotype,
        environment: &e.environment,
        phenotype: &e.phenotype,
        provenance: &e.provenance,
    };
    if node(tx, id.as_str(), "Experiment", &serde_json::to_value(props)?)? == 0 {
        return Ok(false);
    }
    member(
        tx,
        &e.reference,
        "ExperimentReference",
        "REFERENCE_OF",
        id.as_str(),
    )?;
    if let Some(publication) = e.provenance.publication() {
        member(tx, publication, "Publication", "MENTIONS", id.as_str())?;
    }
    let dataset = e.provenance.dataset();
    let props = json!({"synthetic": e.provenance.is_synthetic()});
    node(tx, dataset, "Dataset", &props)?;
    edge(tx, id.as_str(), "EXPERIMENT_MEMBER_OF", dataset, &json!({}))?;

    let genotype = e.genotype.content_id();
    node(
        tx,
        genotype.as_str(),
        "Genotype",
        &json!({"size": e.genotype.len()}),
    )?;
    edge(
        tx,
        genotype.as_str(),
        "GENOTYPE_MEMBER_OF",
        id.as_str(),
        &json!({}),
    )?;
    for p in e.genotype.perturbations() {
        let pid = member(
            tx,
            p,
            "Perturbation",
            "PERTURBATION_MEMBER_OF",
            genotype.as_str(),
        )?;
        edge(tx, pid.as_str(), "PERTURBS", p.gene().as_str(), &json!({}))?;
    }
    member(
        tx,
        &e.environment,
        "Environment",
        "ENVIRONMENT_MEMBER_OF",
        id.as_str(),
    )?;
    member(
        tx,
        &e.phenotype,
        "Phenotype",
        "PHENOTYPE_MEMBER_OF",
        id.as_str(),
    )?;
    Ok(true)
}

impl GraphStore for SqliteStore {
    fn put_reference(&mut self, reference: &Reference) -> Result<u64, Error> {
        let context = format!("storing the reference in {}", self.location);
        let wrap = |e: rusqlite::Error| Error::new(context.clone(), e);
        let tx = self.conn.transaction().map_err(wrap)?;
        let mut added = 0u64;
        let empty = json!({});
        for g in &reference.genes {
            let props = json!({
                "standard_name": g.standard_name,
                "chromosome": g.chromosome,
                "start": g.start,
                "end": g.end,
                "essential": g.essential,
            });
            added += node(&tx, g.systematic_name.as_str(), "Gene", &props).map_err(wrap)? as u64;
        }
        for t in &reference.terms {
            let props = json!({"name": t.name, "namespace": t.namespace.as_str()});
            added += node(&tx, &t.id, "GoTerm", &props).map_err(wrap)? as u64;
            for p in &t.is_a {
                edge(&tx, &t.id, "IS_A", p, &empty).map_err(wrap)?;
            }
            for p in &t.part_of {
                edge(&tx, &t.id, "PART_OF", p, &empty).map_err(wrap)?;
            }
        }
        for a in &reference.annotations {
            let props = json!({"evidence": a.evidence, "pmid": a.pmid});
            // One edge per gene–term pair; evidence codes of repeated pairs are kept by the
            // reference bundle itself.
            edge(&tx, a.gene.as_str(), "ANNOTATED_TO", &a.term, &props).map_err(wrap)?;
        }
        tx.commit().map_err(wrap)?;
        Ok(added)
    }

    fn put_experiments(&mut self, experiments: &[Experiment]) -> Result<u64, Error> {
        let context = format!("storing experiments in {}", self.location);
        let mut added = 0u64;
        for chunk in experiments.chunks(BATCH) {
            let tx = self
                .conn
                .transaction()
                .map_err(|e| Error::new(context.clone(), e))?;
            for e in chunk {
                let new =
                    store_experiment(&tx, e).map_err(|err| Error::new(context.clone(), err))?;
                added += u64::from(new);
            }
            tx.commit().map_err(|e| Error::new(context.clone(), e))?;
        }
        Ok(added)
    }

    fn experiments(&self, dataset: &str) -> Result<Vec<Experiment>, Error> {
        let err = self.err("querying experiments");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT n.props, r.props FROM edges e
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
        let decode = |e: serde_json::Error| {
            Error::new(
                format!("decoding an experiment of {dataset} in {}", self.location),
                e,
            )
        };
        let mut out = Vec::new();
        for row in rows {
            let (experiment, reference) = row.map_err(&err)?;
            let experiment: StoredExperiment = serde_json::from_str(&experiment).map_err(decode)?;
            let reference = serde_json::from_str(&reference).map_err(decode)?;
            out.push(experiment.with_reference(reference));
        }
        Ok(out)
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
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironcell_core::{Fitness, Perturbation, PerturbationKind, Publication};

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
        assert_eq!(store.experiments("one").unwrap(), vec![a]);
    }
}
