//! `ironcell bench …`: benchmarks whose numbers go into BENCHMARKS.md.

pub mod accuracy;
pub mod baselines;
pub mod dcell;
pub mod design;
pub mod kg;
pub mod models;
pub mod parallel;
pub mod scripts;

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
    process::Command,
    time::Instant,
};

use anyhow::{bail, Context, Result};
use ironcell_core::PhenotypeKind;
use ironcell_data::{
    dataset::{write, DatasetQuery, Table},
    instances::{BatchPlan, Instances, LabelValue},
};
use ironcell_sources::{
    costanzo2016::pairs,
    reference::Reference,
    report::{read_all, BadRows},
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::args::{BenchDatasetArgs, BenchReadersArgs};

const SGA_HEADER: &str = "Query Strain ID\tQuery allele name\tArray Strain ID\tArray allele name\tArraytype/Temp\tGenetic interaction score (ε)\tP-value\tQuery single mutant fitness (SMF)\tArray SMF\tDouble mutant fitness\tDouble mutant fitness standard deviation";

/// Writes `rows` synthetic rows in the `SGA_ExE.txt` layout: real gene names and SGA strain
/// ids of the reference, random values (benchmark input only, never data).
fn write_sga(path: &Path, rows: u64, reference: &Reference, seed: u64) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let genes: Vec<(String, String)> = reference
        .genes
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let allele = g
                .standard_name
                .as_deref()
                .unwrap_or(g.systematic_name.as_str())
                .to_lowercase();
            (
                format!("{}_dma{}", g.systematic_name.as_str(), i + 1),
                allele,
            )
        })
        .collect();
    let queries: Vec<(String, String)> = genes
        .iter()
        .take(4000)
        .map(|(strain, allele)| (strain.replace("_dma", "_sn"), allele.clone()))
        .collect();
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    writeln!(w, "{SGA_HEADER}")?;
    for i in 0..rows {
        // Each query screened against a block of arrays, as in the real tables.
        let qi = (i / 4000) as usize % queries.len();
        let mut ai = rng.random_range(0..genes.len());
        if ai == qi {
            ai = (ai + 1) % genes.len();
        }
        let ((q, qa), (a, aa)) = (&queries[qi], &genes[ai]);
        let temp = if i % 2 == 0 { "DMA30" } else { "DMA26" };
        let (qs, as_): (f64, f64) = (rng.random_range(0.3..1.1), rng.random_range(0.3..1.1));
        let eps: f64 = rng.random_range(-0.4..0.2);
        writeln!(
            w,
            "{q}\t{qa}\t{a}\t{aa}\t{temp}\t{eps:.4}\t{:.4}\t{qs:.4}\t{as_:.4}\t{:.4}\t{:.4}",
            rng.random_range(0.0..1.0f64),
            (qs * as_ + eps).max(0.0),
            rng.random_range(0.0..0.1f64),
        )?;
    }
    w.flush()?;
    Ok(())
}

/// Reads the file one typed record at a time (as `ingest` does); returns (records, seconds).
fn time_records(path: &Path) -> Result<(u64, f64)> {
    let start = Instant::now();
    let reader = pairs::Reader::open(path)?;
    let mut with_fitness = 0u64;
    let report = read_all(reader, BadRows::Fail, |r| {
        with_fitness += u64::from(r.fitness.is_some());
        Ok::<_, std::convert::Infallible>(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let seconds = start.elapsed().as_secs_f64();
    if with_fitness != report.records {
        bail!("expected every generated row to carry a fitness");
    }
    Ok((report.records, seconds))
}

/// Reads the file in batches of pairs (strains as table indices); returns (pairs, seconds).
/// The reader's own work only, as pandas' timing is `read_csv` and `len`: the pairs are
/// counted. With `fitness`, each pair's [`Fitness`](ironcell_core::Fitness) is also built
/// and every generated row checked to carry one (a consumer's work, timed as well).
fn time_batches(path: &Path, fitness: bool) -> Result<(u64, f64)> {
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
    if fitness && with_fitness != count {
        bail!("expected every generated row to carry a fitness");
    }
    Ok((count, seconds))
}

/// Runs a Python timing script that prints `{"count": N, "seconds": S}`; returns both.
fn time_python(python: &str, script: &str, args: &[&str], needs: &str) -> Result<(u64, f64)> {
    let out = Command::new(python)
        .args(["-c", script])
        .args(args)
        .output()
        .with_context(|| format!("running {python}"))?;
    if !out.status.success() {
        bail!(
            "{python} failed (are {needs} installed?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    Ok((
        v["count"].as_u64().unwrap_or(0),
        v["seconds"].as_f64().unwrap_or(f64::NAN),
    ))
}

/// Reads the file with pandas `read_csv`; returns (rows, seconds).
fn time_pandas(python: &str, path: &Path) -> Result<(u64, f64)> {
    let script = "import sys, time, json\nimport pandas as pd\nt = time.perf_counter()\ndf = pd.read_csv(sys.argv[1], sep='\\t')\nprint(json.dumps({'count': len(df), 'seconds': time.perf_counter() - t}))\n";
    time_python(python, script, &[&path.display().to_string()], "pandas")
}

pub fn readers(args: &BenchReadersArgs) -> Result<()> {
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
    println!("input: {} ({:.2} GB)", path.display(), bytes as f64 / 1e9);
    // Each way (its name, what it reads with, how to time it) and its seconds, run by run;
    // the ways interleave, so a drift in the machine's speed falls on all of them.
    type Timer<'a> = Box<dyn Fn(&Path) -> Result<(u64, f64)> + 'a>;
    let mut ways: Vec<(&str, &str, Timer, Vec<f64>)> = vec![
        (
            "records",
            "ironcell costanzo2016::pairs::Reader, records",
            Box::new(time_records),
            vec![],
        ),
        (
            "batches",
            "ironcell costanzo2016::pairs::Reader, batches",
            Box::new(|path| time_batches(path, false)),
            vec![],
        ),
        (
            "batches_fitness",
            "ironcell costanzo2016::pairs::Reader, batches, each pair's fitness built",
            Box::new(|path| time_batches(path, true)),
            vec![],
        ),
    ];
    if let Some(python) = &args.python {
        let pandas: Timer = Box::new(move |path| time_pandas(python, path));
        ways.push(("pandas", "pandas read_csv", pandas, vec![]));
    }
    let mut rows = None;
    for run in 1..=args.repeat {
        for (_, reader, time, seconds) in &mut ways {
            let (n, s) = time(&path)?;
            println!(
                "run {run}: {reader}: {n} rows in {s:.2} s = {:.2} M rows/s",
                n as f64 / s / 1e6
            );
            if *rows.get_or_insert(n) != n {
                bail!("{reader} read {n} rows, another way {rows:?}");
            }
            seconds.push(s);
        }
    }
    let rows = rows.unwrap_or(0);
    let mut result = json!({"bytes": bytes, "rows": rows, "runs": args.repeat});
    for (way, _, _, seconds) in &ways {
        let median = median(seconds);
        println!(
            "{way}: median {median:.2} s = {:.2} M rows/s over {} runs",
            rows as f64 / median / 1e6,
            seconds.len()
        );
        result[*way] = json!({
            "seconds": median,
            "rows_per_second": rows as f64 / median,
            "runs_seconds": seconds,
        });
    }
    if let Some(pandas) = result["pandas"]["seconds"].as_f64() {
        for api in ["records", "batches", "batches_fitness"] {
            let speedup = pandas / result[api]["seconds"].as_f64().unwrap_or(f64::NAN);
            println!("ironcell {api} are {speedup:.1}x pandas (medians)");
            result[api]["speedup_over_pandas"] = json!(speedup);
        }
    }
    if !args.keep {
        std::fs::remove_file(&path)?;
    }
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// Runs a PyTorch reference script with `args`; its JSON report (one object on standard
/// output) and the step times it lists under `step_seconds`.
fn torch_reference(
    python: &str,
    script: &Path,
    args: &[String],
) -> Result<(serde_json::Value, Vec<f64>)> {
    let out = std::process::Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .with_context(|| format!("running {python} {}", script.display()))?;
    if !out.status.success() {
        anyhow::bail!(
            "the PyTorch reference failed (is torch installed for {python}?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("reading the report of {}", script.display()))?;
    let steps = report["step_seconds"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(serde_json::Value::as_f64)
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .context("the PyTorch report has no step times")?;
    Ok((report, steps))
}

/// Writes a benchmark's `results` to `dir/results.json` and says where.
fn write_results(dir: &Path, results: &serde_json::Value) -> Result<()> {
    let path = dir.join("results.json");
    std::fs::write(&path, serde_json::to_vec_pretty(results)?)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("results written to {}", path.display());
    Ok(())
}

/// Peak resident memory of this process so far, from `/proc/self/status` (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        total += entry?.metadata()?.len();
    }
    Ok(total)
}

/// Iterates the dataset with pyarrow + numpy in shuffled batches (vectorised gathers);
/// returns (instances, seconds).
fn time_numpy(python: &str, path: &Path, batch: usize) -> Result<(u64, f64)> {
    let script = r#"
import sys, time, json
import numpy as np, pyarrow as pa, pyarrow.ipc as ipc
path, batch = sys.argv[1], int(sys.argv[2])
t = time.perf_counter()
table = ipc.open_file(pa.memory_map(path)).read_all()
genes = table.column("genes").combine_chunks()
offsets = genes.offsets.to_numpy()
values = genes.values.to_numpy()
labels = np.stack([table.column("fitness").to_numpy(), table.column("gene_interaction").to_numpy()], 1)
n = len(offsets) - 1
order = np.random.default_rng(0).permutation(n)
seen = 0
for k in range(0, n, batch):
    idx = order[k:k + batch]
    starts, ends = offsets[idx], offsets[idx + 1]
    lengths = ends - starts
    take = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(lengths.sum())
    g = values[take]
    y = labels[idx]
    seen += len(idx)
print(json.dumps({"count": seen, "seconds": time.perf_counter() - t}))
"#;
    time_python(
        python,
        script,
        &[&path.display().to_string(), &batch.to_string()],
        "numpy and pyarrow",
    )
}

pub fn dataset(args: &BenchDatasetArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    let genes: Vec<_> = reference
        .genes
        .iter()
        .map(|g| g.systematic_name.clone())
        .collect();
    let n_genes = genes.len();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let t = Instant::now();
    let mut table = Table::new(2);
    for _ in 0..args.instances {
        let a = rng.random_range(0..n_genes as u32);
        let mut b = rng.random_range(0..n_genes as u32 - 1);
        if b >= a {
            b += 1;
        }
        let fitness = LabelValue {
            value: rng.random_range(0.0..1.1),
            std: rng.random_range(0.0..0.1),
            p_value: f32::NAN,
        };
        let eps = LabelValue {
            value: rng.random_range(-0.4..0.2),
            std: f32::NAN,
            p_value: rng.random_range(0.0..1.0),
        };
        table.push([a.min(b), a.max(b)], 0, 0, &[fitness, eps]);
    }
    let generated = t.elapsed().as_secs_f64();
    let query = DatasetQuery::new(
        vec!["synthetic_benchmark".into()],
        vec![PhenotypeKind::Fitness, PhenotypeKind::GeneInteraction],
    );
    let t = Instant::now();
    let manifest = write(
        &args.dir,
        query,
        vec!["fitness".into(), "gene_interaction".into()],
        genes,
        vec!["synthetic_benchmark".into()],
        vec![ironcell_core::Environment::sga_plate(30)],
        &table,
    )?;
    let built = t.elapsed().as_secs_f64();
    drop(table);
    let size = dir_size(&args.dir)?;
    println!(
        "built {} synthetic double-mutant instances (2 labels) in {built:.1} s (+{generated:.1} s generating); {:.2} GB on disk; peak RSS {:.2} GB",
        manifest.instances,
        size as f64 / 1e9,
        peak_rss().unwrap_or(0) as f64 / 1e9
    );
    let path = args.dir.join("instances.arrow");
    let data = Instances::open(&path)?;
    let all: Vec<u32> = (0..data.len() as u32).collect();
    let t = Instant::now();
    let mut seen = 0usize;
    let mut checksum = 0u64;
    for b in data.batches(
        &all,
        BatchPlan {
            batch_size: 256,
            ..BatchPlan::default()
        },
    ) {
        seen += b.indices.len();
        checksum = checksum.wrapping_add(u64::from(b.genes[0]));
    }
    let iterate = t.elapsed().as_secs_f64();
    println!(
        "ironcell: one shuffled epoch in batches of 256: {seen} instances in {iterate:.2} s = {:.2} M instances/s (checksum {checksum})",
        seen as f64 / iterate / 1e6
    );
    if let Some(python) = &args.python {
        let (n, seconds) = time_numpy(python, &path, 256)?;
        println!(
            "pyarrow + numpy, same batches: {n} instances in {seconds:.2} s = {:.2} M instances/s; ironcell is {:.1}x",
            n as f64 / seconds / 1e6,
            seconds / iterate
        );
    }
    if !args.keep {
        std::fs::remove_dir_all(&args.dir)?;
    }
    Ok(())
}
