//! `ironcell bench kg`: the knowledge graph at the mission's size — a generated SGA file
//! ingested into SQLite, `dataset build` on it, and (with `--export`, `--neo4j`) the
//! `neo4j-admin` export and a slice through Bolt. The stages are `ironcell_eval::bench::kg`'s.

use anyhow::Result;
use ironcell_eval::bench::kg;
use serde_json::json;

use super::{gb, write_results};
use crate::args::BenchKgArgs;

pub fn run(args: &BenchKgArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    std::fs::create_dir_all(&args.dir)?;
    // Each row is a double mutant's fitness and its interaction: two experiments.
    let rows = args.experiments.div_ceil(2);
    let input = args.dir.join("SGA_ExE.txt");
    let generated = kg::generate(&input, rows, &reference)?;
    println!(
        "generated {rows} SGA rows ({:.2} GB) in {:.1} s",
        gb(std::fs::metadata(&input)?.len()),
        generated.seconds
    );

    let (added, store_bytes, ingested) = kg::ingest_sqlite(&args.dir, &input, &reference)?;
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
        let (manifest, built) = kg::build_dataset(&args.dir)?;
        println!(
            "dataset build: {} instances from {added} experiments in {:.1} s; peak RSS {:.2} GB",
            manifest.instances,
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
        let ((rows, bytes), exported) = kg::export(&args.dir)?;
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
    }

    if let Some(url) = &args.neo4j {
        let slice_rows = args.neo4j_experiments.div_ceil(2);
        let (added, through_bolt) = kg::ingest_neo4j(&args.dir, url, slice_rows, &reference)?;
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
    }
    if !args.keep {
        std::fs::remove_file(&input).ok();
    }
    write_results(&args.dir, &results)
}
