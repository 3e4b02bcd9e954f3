//! `bench readers`: Costanzo 2016's pair reader, one typed record at a time and in batches,
//! beside pandas' `read_csv` on the same file, run after run.

use std::{path::Path, time::Instant};

use ironcell_sources::{
    costanzo2016::pairs,
    report::{read_all, BadRows},
};
use serde_json::json;

use super::{median, python_json, Program};
use crate::Error;

/// One way of reading the file.
#[derive(Debug, Clone)]
pub enum Way {
    /// One typed record at a time, as `ingest` reads.
    Records,
    /// Batches of pairs (strains as table indices), counted.
    Batches,
    /// Batches, and each pair's fitness built (a consumer's work).
    BatchesFitness,
    /// pandas `read_csv` with this Python.
    Pandas(String),
}

impl Way {
    /// The key of the way in the results.
    pub fn key(&self) -> &'static str {
        match self {
            Way::Records => "records",
            Way::Batches => "batches",
            Way::BatchesFitness => "batches_fitness",
            Way::Pandas(_) => "pandas",
        }
    }

    /// What reads, in words.
    pub fn describe(&self) -> &'static str {
        match self {
            Way::Records => "ironcell costanzo2016::pairs::Reader, records",
            Way::Batches => "ironcell costanzo2016::pairs::Reader, batches",
            Way::BatchesFitness => {
                "ironcell costanzo2016::pairs::Reader, batches, each pair's fitness built"
            }
            Way::Pandas(_) => "pandas read_csv",
        }
    }

    /// Reads `path` once; (rows, seconds).
    pub fn time(&self, path: &Path) -> Result<(u64, f64), Error> {
        match self {
            Way::Records => time_records(path),
            Way::Batches => time_batches(path, false),
            Way::BatchesFitness => time_batches(path, true),
            Way::Pandas(python) => time_pandas(python, path),
        }
    }
}

/// Every way's seconds, run by run: the ways interleave, so a drift in the machine's speed
/// falls on all of them. `on_run(run, way, rows, seconds)` hears each read. Fails when two
/// ways read different row counts.
pub fn compare(
    path: &Path,
    ways: &[Way],
    repeat: u32,
    mut on_run: impl FnMut(u32, &Way, u64, f64),
) -> Result<(u64, Vec<Vec<f64>>), Error> {
    let mut seconds = vec![Vec::new(); ways.len()];
    let mut rows = None;
    for run in 1..=repeat {
        for (way, s) in ways.iter().zip(&mut seconds) {
            let (n, t) = way.time(path)?;
            on_run(run, way, n, t);
            if *rows.get_or_insert(n) != n {
                return Err(Error::Input(format!(
                    "{} read {n} rows, another way {rows:?}",
                    way.describe()
                )));
            }
            s.push(t);
        }
    }
    Ok((rows.unwrap_or(0), seconds))
}

/// The results document: each way's median, rate and runs, and ironcell's speed-ups over
/// pandas where it ran.
pub fn results(bytes: u64, rows: u64, ways: &[Way], seconds: &[Vec<f64>]) -> serde_json::Value {
    let mut result =
        json!({"bytes": bytes, "rows": rows, "runs": seconds.first().map_or(0, Vec::len)});
    for (way, s) in ways.iter().zip(seconds) {
        let m = median(s);
        result[way.key()] = json!({
            "seconds": m, "rows_per_second": rows as f64 / m, "runs_seconds": s,
        });
    }
    if let Some(pandas) = result["pandas"]["seconds"].as_f64() {
        for way in ways.iter().filter(|w| !matches!(w, Way::Pandas(_))) {
            let ours = result[way.key()]["seconds"].as_f64().unwrap_or(f64::NAN);
            result[way.key()]["speedup_over_pandas"] = json!(pandas / ours);
        }
    }
    result
}

fn time_records(path: &Path) -> Result<(u64, f64), Error> {
    let start = Instant::now();
    let reader = pairs::Reader::open(path)?;
    let mut with_fitness = 0u64;
    let report = read_all(reader, BadRows::Fail, |r| {
        with_fitness += u64::from(r.fitness.is_some());
        Ok::<_, std::convert::Infallible>(())
    })
    .map_err(|e| Error::Input(e.to_string()))?;
    let seconds = start.elapsed().as_secs_f64();
    every_row_has_fitness(with_fitness, report.records)?;
    Ok((report.records, seconds))
}

/// The reader's own work only, as pandas' timing is `read_csv` and `len`: the pairs are
/// counted, and with `fitness` each pair's fitness built.
fn time_batches(path: &Path, fitness: bool) -> Result<(u64, f64), Error> {
    let start = Instant::now();
    let mut reader = pairs::Reader::open(path)?;
    let (mut count, mut with_fitness) = (0u64, 0u64);
    while let Some(batch) = reader.next_batch()? {
        if let Some((_, e)) = batch.rejected.into_iter().next() {
            return Err(e.into());
        }
        count += batch.pairs.len() as u64;
        if fitness {
            with_fitness += batch.pairs.iter().filter(|p| p.fitness().is_some()).count() as u64;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    if fitness {
        every_row_has_fitness(with_fitness, count)?;
    }
    Ok((count, seconds))
}

fn every_row_has_fitness(with_fitness: u64, rows: u64) -> Result<(), Error> {
    match with_fitness == rows {
        true => Ok(()),
        false => Err(Error::Input(format!(
            "{with_fitness} of {rows} generated rows carry a fitness; every one should"
        ))),
    }
}

fn time_pandas(python: &str, path: &Path) -> Result<(u64, f64), Error> {
    let script = "import sys, time, json\nimport pandas as pd\nt = time.perf_counter()\ndf = pd.read_csv(sys.argv[1], sep='\\t')\nprint(json.dumps({'count': len(df), 'seconds': time.perf_counter() - t}))\n";
    let report = python_json(
        python,
        Program::Code(script),
        &[path.display().to_string()],
        "pandas",
    )?;
    count_and_seconds(&report)
}

/// A Python timing's `{"count": N, "seconds": S}`.
pub(super) fn count_and_seconds(report: &serde_json::Value) -> Result<(u64, f64), Error> {
    match (report["count"].as_u64(), report["seconds"].as_f64()) {
        (Some(n), Some(s)) => Ok((n, s)),
        _ => Err(Error::Reference(format!(
            "expected {{\"count\": N, \"seconds\": S}}, got {report}"
        ))),
    }
}
