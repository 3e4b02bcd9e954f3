//! `ironcell bench readers`: Costanzo 2016's pair reader (records, batches) beside pandas on
//! one generated SGA file, run after run.

use std::time::Instant;

use anyhow::Result;
use ironcell_eval::bench::{
    median,
    readers::{compare, results, Way},
    synthetic::write_sga,
};

use super::gb;
use crate::args::BenchReadersArgs;

pub fn run(args: &BenchReadersArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    std::fs::create_dir_all(&args.dir)?;
    let path = args.dir.join("SGA_ExE.bench.txt");
    if !(args.keep && path.exists()) {
        let t = Instant::now();
        write_sga(&path, args.rows, &reference, 7)?;
        println!(
            "generated {} rows in {:.1} s: {}",
            args.rows,
            t.elapsed().as_secs_f64(),
            path.display()
        );
    }
    let bytes = std::fs::metadata(&path)?.len();
    println!("input: {} ({:.2} GB)", path.display(), gb(bytes));
    let mut ways = vec![Way::Records, Way::Batches, Way::BatchesFitness];
    ways.extend(args.python.clone().map(Way::Pandas));
    let (rows, seconds) = compare(&path, &ways, args.repeat, |run, way, n, s| {
        println!(
            "run {run}: {}: {n} rows in {s:.2} s = {:.2} M rows/s",
            way.describe(),
            n as f64 / s / 1e6
        );
    })?;
    for (way, s) in ways.iter().zip(&seconds) {
        let m = median(s);
        println!(
            "{}: median {m:.2} s = {:.2} M rows/s over {} runs",
            way.key(),
            rows as f64 / m / 1e6,
            s.len()
        );
    }
    let result = results(bytes, rows, &ways, &seconds);
    for way in &ways {
        if let Some(speedup) = result[way.key()]["speedup_over_pandas"].as_f64() {
            println!("ironcell {} are {speedup:.1}x pandas (medians)", way.key());
        }
    }
    if !args.keep {
        std::fs::remove_file(&path)?;
    }
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}
