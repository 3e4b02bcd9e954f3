//! `ironcell bench models`: training throughput of a gene-set model over the real genome
//! (its genes, features and networks; synthetic pairs of genes as genotypes, random labels),
//! beside the same model written in PyTorch, in one run on one machine.
//!
//! The PyTorch reference is written the usual way: with networks it encodes the whole genome
//! and passes messages over every edge each step (as a PyTorch Geometric model over the genome
//! graph does); ironcell encodes only the batch's genes and their neighbourhoods, and its input
//! layer reads the features as sparse rows on the host (`deep::input`: the same product, a
//! tenth of the multiplications).

use std::{
    fs,
    path::{Path, PathBuf},
    time::Instant,
};

use anyhow::{Context, Result};
use ironcell_data::instances::{InstanceWriter, Instances, LabelValue, MiniBatch};
use ironcell_models::{
    deep::{GeneSetConfig, GeneSetLearner, GeneTable, Head, Setup, Singles},
    optim::OptimizerConfig,
    trainer::{world::Alone, Learner},
    CpuAutodiff,
};
use ironcell_sources::{data_dir::DataDir, reference::Reference};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::args::{BenchHead, BenchModelsArgs};

/// The instances of a full-data epoch the timings are scaled to (the seed's 2e7).
const EPOCH: f64 = 2e7;

/// The gene features of `bench accuracy`'s learned models.
pub(super) const NETWORK_FEATURES: [&str; 2] = [
    "yeast-screens/networks/Krogan-2006.txt.gz",
    "yeast-screens/networks/Hu-2007.txt.gz",
];

/// One engine's step times.
struct Timing {
    engine: String,
    steps: Vec<f64>,
}

/// `batches` random gene pairs of `size` over `genes` genes, and a label for each (benchmark
/// input, not data).
pub(super) fn genotypes(genes: usize, size: usize, batches: usize) -> (Vec<[u32; 2]>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let pairs: Vec<[u32; 2]> = (0..size * batches)
        .map(|_| {
            let a = rng.random_range(0..genes as u32);
            let b = (a + rng.random_range(1..genes as u32)) % genes as u32;
            [a, b]
        })
        .collect();
    let labels = pairs.iter().map(|_| rng.random_range(-1.0..1.0)).collect();
    (pairs, labels)
}

fn mini_batch(pairs: &[[u32; 2]], labels: &[f32], start: usize) -> MiniBatch {
    MiniBatch {
        indices: (start as u32..(start + pairs.len()) as u32).collect(),
        offsets: (0..=pairs.len() as u32).map(|k| 2 * k).collect(),
        genes: pairs.iter().flatten().copied().collect(),
        labels: labels.to_vec(),
        environments: vec![0; pairs.len()],
    }
}

/// The case the PyTorch reference reads: the model, the table (features as raw f32 beside),
/// its message edges, the genotypes and labels.
fn write_case(
    dir: &Path,
    table: &GeneTable,
    config: &GeneSetConfig,
    (pairs, labels): (&[[u32; 2]], &[f32]),
    batch: usize,
) -> Result<()> {
    let features: Vec<u8> = table
        .features
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let path = dir.join("features.f32");
    fs::write(&path, features).with_context(|| format!("writing {}", path.display()))?;
    let edges: Vec<Value> = table
        .graphs
        .iter()
        .map(|g| json!({"src": g.src, "dst": g.dst, "weight": g.weight}))
        .collect();
    let head = match config.head {
        Head::DeepSet => "deep_set",
        Head::Pairwise => "pairwise",
        Head::Dango => "dango",
        Head::SetTransformer => "set_transformer",
    };
    let case = json!({
        "genes": table.len(), "dim": table.dim, "hidden": config.hidden, "head": head,
        "attention_heads": config.attention_heads, "rounds": config.rounds,
        "learning_rate": 1e-3, "weight_decay": 1e-4, "batch": batch,
        "edges": edges, "genotypes": pairs, "labels": labels,
    });
    let path = dir.join("case.json");
    fs::write(&path, serde_json::to_vec(&case)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Runs the PyTorch reference on the case in `dir`, on as many threads as ours; its timing
/// and JSON report.
fn time_torch(python: &str, script: &Path, dir: &Path, steps: usize) -> Result<(Timing, Value)> {
    let (report, steps) = super::torch_reference(
        python,
        script,
        &[
            "--case".to_owned(),
            dir.display().to_string(),
            "--steps".to_owned(),
            steps.to_string(),
            "--threads".to_owned(),
            rayon::current_num_threads().to_string(),
        ],
    )?;
    let engine = format!(
        "PyTorch {} ({})",
        report["torch"].as_str().unwrap_or("?"),
        report["encoding"].as_str().unwrap_or("?")
    );
    Ok((Timing { engine, steps }, report))
}

/// The benchmarks' gene-set model over the real genome: codon, GO and the Krogan/Hu network
/// statistics as gene features, messages passed over `graphs` (paths inside the data
/// directory), and its genome table.
pub(super) fn genome_model(
    data: &DataDir,
    reference: &Reference,
    graphs: &[PathBuf],
    head: Head,
) -> Result<(GeneSetConfig, GeneTable)> {
    data.require(
        NETWORK_FEATURES
            .iter()
            .copied()
            .chain(graphs.iter().filter_map(|g| g.to_str())),
    )?;
    let features: Vec<String> = ["codon".to_owned(), "go:30".to_owned()]
        .into_iter()
        .chain(
            NETWORK_FEATURES
                .iter()
                .map(|f| format!("network:{}", data.root().join(f).display())),
        )
        .collect();
    let config = GeneSetConfig {
        features,
        graphs: graphs.iter().map(|g| data.root().join(g)).collect(),
        head,
        ..GeneSetConfig::default()
    };
    let table = GeneTable::build(reference, &[], &config.features, &config.graphs)
        .context("the genome table")?;
    Ok((config, table))
}

/// An instance store in `dir` of `pairs` labelled `labels` (one label, `y`).
pub(super) fn synthetic_store(dir: &Path, pairs: &[[u32; 2]], labels: &[f32]) -> Result<Instances> {
    let path = dir.join("instances.arrow");
    let mut writer = InstanceWriter::create(&path, &["y".to_owned()])?;
    for (pair, &y) in pairs.iter().zip(labels) {
        let value = LabelValue {
            value: y,
            ..LabelValue::MISSING
        };
        writer.push(pair, 0, 0, &[value])?;
    }
    writer.finish()?;
    Ok(Instances::open(&path)?)
}

/// A fresh learner of `config` over `table`, trained on every instance with AdamW.
pub(super) fn gene_set_learner(
    config: &GeneSetConfig,
    table: GeneTable,
    instances: &Instances,
) -> Result<GeneSetLearner<CpuAutodiff>> {
    let train: Vec<usize> = (0..instances.len()).collect();
    let genes = table.genes.clone();
    GeneSetLearner::<CpuAutodiff>::new(
        Setup {
            config,
            table: std::sync::Arc::new(table),
            genes: &genes,
            instances,
            train: &train,
            environments: 1,
            singles: &Singles::new(),
            optimizer: &OptimizerConfig::default(),
            clip: None,
            seed: 1,
            reference: None,
        },
        Default::default(),
    )
    .map_err(anyhow::Error::msg)
}

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
    println!(
        "{}: {} genes × {} feature columns, {} message edges",
        config.describe(),
        table.len(),
        table.dim,
        edges
    );
    let steps = args.steps.max(1);
    let batch = args.batch.max(1);
    let (pairs, labels) = genotypes(table.len(), batch, steps + 1);
    fs::create_dir_all(&args.dir).with_context(|| format!("creating {}", args.dir.display()))?;
    // Written first, so the PyTorch reference can be rerun alone on the same case.
    write_case(&args.dir, &table, &config, (&pairs, &labels), batch)?;

    let store = tempfile::tempdir()?;
    let instances = synthetic_store(store.path(), &pairs, &labels)?;
    let genes = table.genes.len();
    let mut learner = gene_set_learner(&config, table, &instances)?;
    let batches: Vec<MiniBatch> = pairs
        .chunks(batch)
        .zip(labels.chunks(batch))
        .enumerate()
        .map(|(k, (p, y))| mini_batch(p, y, k * batch))
        .collect();
    learner.train_step(&batches[0], 1e-3, &Alone);
    let times: Vec<f64> = batches[1..]
        .iter()
        .map(|b| {
            let start = Instant::now();
            learner.train_step(b, 1e-3, &Alone);
            start.elapsed().as_secs_f64()
        })
        .collect();
    let ours_peak = super::peak_rss();
    let mut timings = vec![Timing {
        engine: "ironcell (burn NdArray, f32; batch genes and neighbourhoods, sparse input)"
            .to_owned(),
        steps: times,
    }];
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
        let median = super::median(&t.steps);
        let rate = batch as f64 / median;
        println!(
            "{:<62} {:>9.4} {:>12.0} {:>16.2}",
            t.engine,
            median,
            rate,
            EPOCH / rate / 3600.0
        );
        rows.push(json!({"engine": t.engine, "step_seconds": t.steps,
            "median_step_seconds": median, "instances_per_second": rate,
            "epoch_2e7_hours": EPOCH / rate / 3600.0}));
    }
    if let [ours, torch] = &timings[..] {
        println!(
            "ironcell / PyTorch: {:.2}x",
            super::median(&torch.steps) / super::median(&ours.steps)
        );
    }
    let peak = |bytes: Option<u64>| bytes.map_or(f64::NAN, |b| b as f64 / 1e9);
    println!(
        "peak memory: ironcell {:.2} GB (process, table and case included){}",
        peak(ours_peak),
        torch_report["peak_rss_bytes"]
            .as_u64()
            .map_or(String::new(), |b| format!(
                ", PyTorch {:.2} GB",
                b as f64 / 1e9
            ))
    );
    let results = json!({
        "model": config.describe(), "batch": batch, "genes": genes, "edges": edges,
        "engines": rows, "ironcell_peak_rss_bytes": ours_peak, "pytorch": torch_report,
        "threads": rayon::current_num_threads(),
    });
    super::write_results(&args.dir, &results)
}
