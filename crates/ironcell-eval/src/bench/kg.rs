//! `bench kg`: the knowledge graph at the mission's size — a synthetic SGA file ingested into
//! SQLite, `dataset build` on it, the `neo4j-admin` export, and a slice through Bolt; each
//! stage timed with its own peak memory.

use std::{path::Path, time::Instant};

use ironcell_core::PhenotypeKind;
use ironcell_data::{
    dataset::{build, DatasetQuery, Manifest},
    ingest::{self, Options, Source},
};
use ironcell_kg::{Credentials, GraphStore, Neo4jStore, SqliteStore};
use ironcell_sources::{
    costanzo2016::{DMF_DATASET, DMI_DATASET},
    reference::Reference,
};

use super::{dir_size, peak_rss, reset_peak_rss, synthetic::write_sga};
use crate::Error;

/// The seed of the generated screens: the Bolt slice is the big file's first rows.
const SEED: u64 = 5;

/// One stage's measurements.
#[derive(Debug, Clone, Copy)]
pub struct Stage {
    /// Wall time.
    pub seconds: f64,
    /// Peak resident memory during the stage, bytes.
    pub peak_rss: u64,
}

/// Runs `f` as one stage.
pub fn stage<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<(T, Stage), Error> {
    reset_peak_rss();
    let start = Instant::now();
    let out = f()?;
    let stage = Stage {
        seconds: start.elapsed().as_secs_f64(),
        peak_rss: peak_rss().unwrap_or(0),
    };
    Ok((out, stage))
}

/// Writes the SGA file of `rows` rows (two experiments each) at `path`.
pub fn generate(path: &Path, rows: u64, reference: &Reference) -> Result<Stage, Error> {
    Ok(stage(|| write_sga(path, rows, reference, SEED))?.1)
}

/// Ingests the SGA file at `path` into a fresh SQLite store `dir/kg.sqlite`, as `ingest
/// costanzo2016` does; the experiments added, the store's bytes (the database and what its
/// write-ahead log still holds) and the stage.
pub fn ingest_sqlite(
    dir: &Path,
    path: &Path,
    reference: &Reference,
) -> Result<(u64, u64, Stage), Error> {
    for stale in ["kg.sqlite", "kg.sqlite-wal", "kg.sqlite-shm"] {
        let stale = dir.join(stale);
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(Error::file(&stale))?;
        }
    }
    let db = dir.join("kg.sqlite");
    let (added, stage) = stage(|| ingest_sga(path, reference, &mut SqliteStore::open(&db)?))?;
    let bytes = ["kg.sqlite", "kg.sqlite-wal"]
        .iter()
        .filter_map(|name| std::fs::metadata(dir.join(name)).ok())
        .map(|m| m.len())
        .sum();
    Ok((added, bytes, stage))
}

/// `dataset build` of the double mutants' fitness and interactions from `dir/kg.sqlite` into
/// `dir/dataset`.
pub fn build_dataset(dir: &Path) -> Result<(Manifest, Stage), Error> {
    stage(|| {
        let store = SqliteStore::open_existing(&dir.join("kg.sqlite"))?;
        let query = DatasetQuery::new(
            vec![DMF_DATASET.into(), DMI_DATASET.into()],
            vec![PhenotypeKind::Fitness, PhenotypeKind::GeneInteraction],
        );
        Ok(build(&store, &query, &dir.join("dataset"))?)
    })
}

/// `kg export --format neo4j-admin` of `dir/kg.sqlite`; the node and relationship rows and
/// the files' bytes (the files are removed after).
pub fn export(dir: &Path) -> Result<((u64, u64), Stage), Error> {
    let out = dir.join("neo4j-import");
    let (export, stage) = stage(|| {
        let store = SqliteStore::open_existing(&dir.join("kg.sqlite"))?;
        Ok(store.export_neo4j_admin(&out)?)
    })?;
    let rows = export
        .nodes
        .values()
        .chain(export.relationships.values())
        .map(|(_, n)| n)
        .sum();
    let bytes = dir_size(&out)?;
    std::fs::remove_dir_all(&out).ok();
    Ok(((rows, bytes), stage))
}

/// Ingests the first `rows` rows of the same generated screens into the Neo4j at `url`
/// through Bolt (the graph emptied first, the reference stored before the clock starts); the
/// experiments added and the stage.
pub fn ingest_neo4j(
    dir: &Path,
    url: &str,
    rows: u64,
    reference: &Reference,
) -> Result<(u64, Stage), Error> {
    let folder = dir.join("slice");
    std::fs::create_dir_all(&folder).map_err(Error::file(&folder))?;
    let slice = folder.join("SGA_ExE.txt");
    write_sga(&slice, rows, reference, SEED)?;
    let mut store = Neo4jStore::connect(url, Credentials::default())?;
    // In batches: one transaction deleting a large graph runs out of heap.
    store.cypher("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")?;
    store.put_reference(reference)?;
    let measured = stage(|| ingest_sga(&slice, reference, &mut store))?;
    std::fs::remove_dir_all(&folder).ok();
    Ok(measured)
}

/// Ingests a generated SGA file as `ingest costanzo2016` does; the experiments added.
fn ingest_sga(
    path: &Path,
    reference: &Reference,
    store: &mut dyn GraphStore,
) -> Result<u64, Error> {
    let outcome = ingest::run(
        Source::Costanzo2016,
        &[path.to_owned()],
        reference,
        store,
        &Options::default(),
        &mut |_, _| {},
    )?;
    Ok(outcome.added)
}
