//! `ironcell bench kg`: the knowledge graph at the mission's size — a generated SGA file
//! ingested into SQLite, `dataset build` on it, and (with `--neo4j`) a slice through Bolt.

use std::{path::Path, time::Instant};

use anyhow::{Context, Result};
use ironcell_core::PhenotypeKind;
use ironcell_data::{
    dataset::{build, DatasetQuery},
    ingest::{self, Options, Source},
};
use ironcell_kg::{Credentials, GraphStore, Neo4jStore, SqliteStore};
use ironcell_sources::{
    costanzo2016::{DMF_DATASET, DMI_DATASET},
    reference::Reference,
};
use serde_json::json;

use super::{dir_size, peak_rss, write_results, write_sga};
use crate::args::BenchKgArgs;

/// Starts a stage's peak-RSS count afresh (Linux's `clear_refs`), so each stage reports its
/// own peak rather than the process's so far.
fn reset_peak_rss() {
    // Where the kernel refuses, the figure is the process's peak: larger, never smaller.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One stage's measurements.
struct Stage {
    seconds: f64,
    peak_rss: u64,
}

fn stage<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, Stage)> {
    reset_peak_rss();
    let start = Instant::now();
    let out = f()?;
    Ok((
        out,
        Stage {
            seconds: start.elapsed().as_secs_f64(),
            peak_rss: peak_rss().unwrap_or(0),
        },
    ))
}

fn gb(bytes: u64) -> f64 {
    bytes as f64 / 1e9
}

pub fn run(args: &BenchKgArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    // Each row is a double mutant's fitness and its interaction: two experiments.
    let rows = args.experiments.div_ceil(2);
    let input = args.dir.join("SGA_ExE.txt");
    let ((), generated) = stage(|| write_sga(&input, rows, &reference, 5))?;
    println!(
        "generated {rows} SGA rows ({:.2} GB) in {:.1} s",
        gb(std::fs::metadata(&input)?.len()),
        generated.seconds
    );

    let db = args.dir.join("kg.sqlite");
    for stale in ["kg.sqlite", "kg.sqlite-wal", "kg.sqlite-shm"] {
        let path = args.dir.join(stale);
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    let (added, ingested) = stage(|| ingest_sga(&input, &reference, &mut SqliteStore::open(&db)?))?;
    let store_bytes = sqlite_bytes(&args.dir)?;
    let sqlite_rate = added as f64 / ingested.seconds;
    let bytes_per_experiment = store_bytes as f64 / added.max(1) as f64;
    println!(
        "ingest into SQLite: {added} experiments in {:.1} s = {sqlite_rate:.0} experiments/s; store {:.2} GB = {bytes_per_experiment:.0} B/experiment; peak RSS {:.2} GB",
        ingested.seconds,
        gb(store_bytes),
        gb(ingested.peak_rss),
    );

    let mut results = json!({
        "experiments": added,
        "sga_rows": rows,
        "sqlite_ingest": {
            "seconds": ingested.seconds,
            "experiments_per_second": sqlite_rate,
            "store_bytes": store_bytes,
            "bytes_per_experiment": bytes_per_experiment,
            "peak_rss_bytes": ingested.peak_rss,
        },
    });

    if !args.skip_build {
        let out = args.dir.join("dataset");
        let (manifest, built) = stage(|| {
            let store = SqliteStore::open_existing(&db)?;
            let query = DatasetQuery::new(
                vec![DMF_DATASET.into(), DMI_DATASET.into()],
                vec![PhenotypeKind::Fitness, PhenotypeKind::GeneInteraction],
            );
            Ok(build(&store, &query, &out)?)
        })?;
        println!(
            "dataset build: {} instances from {} experiments in {:.1} s; peak RSS {:.2} GB",
            manifest.instances,
            added,
            built.seconds,
            gb(built.peak_rss),
        );
        results["dataset_build"] = json!({
            "instances": manifest.instances,
            "seconds": built.seconds,
            "peak_rss_bytes": built.peak_rss,
        });
    }

    if args.export {
        let out = args.dir.join("neo4j-import");
        let (export, exported) = stage(|| {
            let store = SqliteStore::open_existing(&db)?;
            Ok(store.export_neo4j_admin(&out)?)
        })?;
        let rows: u64 = export
            .nodes
            .values()
            .chain(export.relationships.values())
            .map(|(_, n)| n)
            .sum();
        let bytes = dir_size(&out)?;
        let rate = added as f64 / exported.seconds;
        println!(
            "kg export --format neo4j-admin: {rows} node and relationship rows ({:.2} GB) in {:.1} s = {rate:.0} experiments/s; peak RSS {:.2} GB",
            gb(bytes),
            exported.seconds,
            gb(exported.peak_rss),
        );
        results["neo4j_admin_export"] = json!({
            "rows": rows,
            "bytes": bytes,
            "seconds": exported.seconds,
            "experiments_per_second": rate,
            "peak_rss_bytes": exported.peak_rss,
        });
        std::fs::remove_dir_all(&out).ok();
    }

    if let Some(url) = &args.neo4j {
        // The same generator and seed: the slice is the big file's first rows.
        let slice_rows = args.neo4j_experiments.div_ceil(2);
        let slice = args.dir.join("slice").join("SGA_ExE.txt");
        std::fs::create_dir_all(args.dir.join("slice"))?;
        write_sga(&slice, slice_rows, &reference, 5)?;
        let mut store = Neo4jStore::connect(url, Credentials::default())?;
        // In batches: one transaction deleting a large graph runs out of heap.
        store.cypher("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")?;
        // The reference first, as a user's first ingest stores it: not part of the rate.
        store.put_reference(&reference)?;
        let (added, through_bolt) = stage(|| ingest_sga(&slice, &reference, &mut store))?;
        let rate = added as f64 / through_bolt.seconds;
        println!(
            "ingest into Neo4j through Bolt: {added} experiments in {:.1} s = {rate:.0} experiments/s (SQLite: {sqlite_rate:.0}/s)",
            through_bolt.seconds,
        );
        results["neo4j_bolt"] = json!({
            "experiments": added,
            "seconds": through_bolt.seconds,
            "experiments_per_second": rate,
        });
        std::fs::remove_dir_all(args.dir.join("slice")).ok();
    }
    if !args.keep {
        std::fs::remove_file(&input).ok();
    }
    write_results(&args.dir, &results)
}

/// Ingests a generated SGA file as `ingest costanzo2016` does; returns the experiments added.
fn ingest_sga(path: &Path, reference: &Reference, store: &mut dyn GraphStore) -> Result<u64> {
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

/// The store's bytes: the database file and what its write-ahead log still holds.
fn sqlite_bytes(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for name in ["kg.sqlite", "kg.sqlite-wal"] {
        if let Ok(m) = std::fs::metadata(dir.join(name)) {
            total += m.len();
        }
    }
    Ok(total)
}
