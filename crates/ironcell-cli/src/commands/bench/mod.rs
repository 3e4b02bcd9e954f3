//! `ironcell bench …`: benchmarks whose numbers go into BENCHMARKS.md. Each measures through
//! `ironcell_eval::bench` and prints; the Python references' scripts are compiled in
//! (`scripts`).

pub mod accuracy;
pub mod baselines;
pub mod dataset;
pub mod dcell;
pub mod design;
pub mod kg;
pub mod models;
pub mod parallel;
pub mod readers;
pub mod scripts;

use std::path::Path;

use anyhow::Result;

/// Writes a benchmark's `results` to `dir/results.json` and says where.
fn write_results(dir: &Path, results: &serde_json::Value) -> Result<()> {
    let path = ironcell_eval::bench::write_results(dir, results)?;
    println!("results written to {}", path.display());
    Ok(())
}

/// Bytes as gigabytes, for printing.
fn gb(bytes: u64) -> f64 {
    bytes as f64 / 1e9
}
