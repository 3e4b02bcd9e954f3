//! `ironcell bench …`: benchmarks whose numbers go into BENCHMARKS.md.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
    process::Command,
    time::Instant,
};

use anyhow::{bail, Context, Result};
use ironcell_sources::{
    costanzo2016::pairs,
    open_maybe_gzip,
    reference::Reference,
    report::{read_all, BadRows},
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::args::BenchReadersArgs;

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

/// Reads the file with ironcell's streaming reader; returns (records, seconds).
fn time_ironcell(path: &Path) -> Result<(u64, f64)> {
    let start = Instant::now();
    let reader = pairs::Reader::new(open_maybe_gzip(path)?, &path.display().to_string())?;
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

/// Reads the file with pandas `read_csv` in a Python subprocess; returns (rows, seconds).
fn time_pandas(python: &str, path: &Path) -> Result<(u64, f64)> {
    let script = "import sys, time, json\nimport pandas as pd\nt = time.perf_counter()\ndf = pd.read_csv(sys.argv[1], sep='\\t')\nprint(json.dumps({'rows': len(df), 'seconds': time.perf_counter() - t, 'pandas': pd.__version__}))\n";
    let out = Command::new(python)
        .args(["-c", script])
        .arg(path)
        .output()
        .with_context(|| format!("running {python}"))?;
    if !out.status.success() {
        bail!(
            "{python} failed (is pandas installed?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    Ok((
        v["rows"].as_u64().unwrap_or(0),
        v["seconds"].as_f64().unwrap_or(f64::NAN),
    ))
}

pub fn readers(args: &BenchReadersArgs) -> Result<()> {
    let reference = Reference::read(&args.reference)?;
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
    let (rows, seconds) = time_ironcell(&path)?;
    println!(
        "ironcell costanzo2016::pairs::Reader: {rows} records in {seconds:.2} s = {:.2} M rows/s",
        rows as f64 / seconds / 1e6
    );
    let mut result = json!({"rows": rows, "bytes": bytes,
        "ironcell": {"seconds": seconds, "rows_per_second": rows as f64 / seconds}});
    if let Some(python) = &args.python {
        let (prows, pseconds) = time_pandas(python, &path)?;
        println!(
            "pandas read_csv: {prows} rows in {pseconds:.2} s = {:.2} M rows/s; ironcell is {:.1}x",
            prows as f64 / pseconds / 1e6,
            pseconds / seconds
        );
        result["pandas"] = json!({"seconds": pseconds, "rows_per_second": prows as f64 / pseconds});
        result["speedup"] = json!(pseconds / seconds);
    }
    if !args.keep {
        std::fs::remove_file(&path)?;
    }
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}
