//! `ironcell bench models`: training throughput of a gene-set model over the real genome
//! (synthetic pairs of genes as genotypes, random labels), beside the same model written in
//! PyTorch, in one run on one machine. The engines are `ironcell_eval::bench::models`'.

use std::fs;

use anyhow::{Context, Result};
use ironcell_eval::bench::{
    median,
    models::{genome_model, time_ours, time_torch, write_case},
    peak_rss, synthetic,
};
use ironcell_models::deep::Head;
use serde_json::{json, Value};

use super::{gb, write_results};
use crate::args::{BenchHead, BenchModelsArgs};

/// The instances of a full-data epoch the timings are scaled to (the seed's 2e7).
const EPOCH: f64 = 2e7;

pub fn run(args: &BenchModelsArgs) -> Result<()> {
    let data = args.data.dir.dir();
    let reference = args.data.load()?.reference;
    let head = match args.head {
        BenchHead::DeepSet => Head::DeepSet,
        BenchHead::Pairwise => Head::Pairwise,
        BenchHead::Dango => Head::Dango,
    };
    let (config, table) = genome_model(&data, &reference, &args.graphs, head)?;
    let edges: usize = table.graphs.iter().map(|g| g.len()).sum();
    let genes = table.len();
    println!(
        "{}: {genes} genes × {} feature columns, {edges} message edges",
        config.describe(),
        table.dim,
    );
    let (steps, batch) = (args.steps.max(1), args.batch.max(1));
    let (pairs, labels) = synthetic::gene_pairs(genes, batch, steps + 1);
    fs::create_dir_all(&args.dir).with_context(|| format!("creating {}", args.dir.display()))?;
    // Written first, so the PyTorch reference can be rerun alone on the same case.
    write_case(&args.dir, &table, &config, (&pairs, &labels), batch)?;

    let store = tempfile::tempdir()?;
    let ours = time_ours(&config, table, (&pairs, &labels), batch, store.path())?;
    let ours_peak = peak_rss();
    let mut timings = vec![ours];
    let mut torch_report = Value::Null;
    if let Some(python) = &args.python {
        let script =
            super::scripts::GENE_SET_TORCH.resolve(args.torch_script.as_deref(), &args.dir)?;
        let (timing, report) = time_torch(python, &script, &args.dir, steps)?;
        timings.push(timing);
        torch_report = report;
    }
    println!(
        "\n{:<62} {:>9} {:>12} {:>16}",
        "engine", "step (s)", "instances/s", "2e7 epoch (h)"
    );
    let mut rows = Vec::new();
    for t in &timings {
        let median = median(&t.steps);
        let rate = batch as f64 / median;
        let hours = EPOCH / rate / 3600.0;
        println!("{:<62} {median:>9.4} {rate:>12.0} {hours:>16.2}", t.engine);
        rows.push(json!({"engine": t.engine, "step_seconds": t.steps,
            "median_step_seconds": median, "instances_per_second": rate,
            "epoch_2e7_hours": hours}));
    }
    if let [ours, torch] = &timings[..] {
        println!("ironcell / PyTorch: {:.2}x", torch.median() / ours.median());
    }
    println!(
        "peak memory: ironcell {:.2} GB (process, table and case included){}",
        ours_peak.map_or(f64::NAN, gb),
        torch_report["peak_rss_bytes"]
            .as_u64()
            .map_or(String::new(), |b| format!(", PyTorch {:.2} GB", gb(b)))
    );
    let results = json!({
        "model": config.describe(), "batch": batch, "genes": genes, "edges": edges,
        "engines": rows, "ironcell_peak_rss_bytes": ours_peak, "pytorch": torch_report,
        "threads": rayon::current_num_threads(),
    });
    write_results(&args.dir, &results)
}
