//! `bench models`: training throughput of a gene-set model over the real genome (its genes,
//! features and networks; synthetic pairs of genes as genotypes, random labels), beside the
//! same model written in PyTorch.
//!
//! The PyTorch reference is written the usual way: with networks it encodes the whole genome
//! and passes messages over every edge each step (as a PyTorch Geometric model over the genome
//! graph does); ironcell encodes only the batch's genes and their neighbourhoods, and its input
//! layer reads the features as sparse rows on the host (`deep::input`: the same product, a
//! tenth of the multiplications).

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Instant,
};

use ironcell_data::instances::{Instances, MiniBatch};
use ironcell_models::{
    deep::{GeneSetConfig, GeneSetLearner, GeneTable, Head, Setup, Singles},
    optim::OptimizerConfig,
    trainer::{world::Alone, Learner},
    CpuAutodiff,
};
use ironcell_sources::{data_dir::DataDir, reference::Reference};
use serde_json::{json, Value};

use super::{synthetic, torch_reference, Timing};
use crate::Error;

/// The gene networks whose statistics are gene features of the benchmarks' models (paths in
/// the data directory); `bench parallel` also passes messages over them.
pub const NETWORK_FEATURES: [&str; 2] = [
    "yeast-screens/networks/Krogan-2006.txt.gz",
    "yeast-screens/networks/Hu-2007.txt.gz",
];

/// The benchmarks' gene-set model over the real genome: codon, GO and the Krogan/Hu network
/// statistics as gene features, messages passed over `graphs` (paths inside the data
/// directory), and its genome table.
pub fn genome_model(
    data: &DataDir,
    reference: &Reference,
    graphs: &[PathBuf],
    head: Head,
) -> Result<(GeneSetConfig, GeneTable), Error> {
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
        .map_err(|e| Error::Input(format!("the genome table: {e}")))?;
    Ok((config, table))
}

/// A fresh learner of `config` over `table`, trained on every instance with AdamW.
pub fn gene_set_learner(
    config: &GeneSetConfig,
    table: GeneTable,
    instances: &Instances,
) -> Result<GeneSetLearner<CpuAutodiff>, Error> {
    let train: Vec<usize> = (0..instances.len()).collect();
    let genes = table.genes.clone();
    let setup = Setup {
        config,
        table: Arc::new(table),
        genes: &genes,
        instances,
        train: &train,
        environments: 1,
        singles: &Singles::new(),
        optimizer: &OptimizerConfig::default(),
        clip: None,
        seed: 1,
        reference: None,
    };
    GeneSetLearner::<CpuAutodiff>::new(setup, Default::default()).map_err(Error::Input)
}

/// `steps` training steps of the model on batches of `batch` synthetic pairs after one
/// warm-up step; the instances are written into `store`.
pub fn time_ours(
    config: &GeneSetConfig,
    table: GeneTable,
    (pairs, labels): (&[[u32; 2]], &[f32]),
    batch: usize,
    store: &Path,
) -> Result<Timing, Error> {
    let instances = synthetic::store(store, pairs, labels)?;
    let mut learner = gene_set_learner(config, table, &instances)?;
    let batches: Vec<MiniBatch> = pairs
        .chunks(batch)
        .zip(labels.chunks(batch))
        .enumerate()
        .map(|(k, (p, y))| synthetic::mini_batch(p, y, k * batch))
        .collect();
    learner.train_step(&batches[0], 1e-3, &Alone);
    let steps = batches[1..]
        .iter()
        .map(|b| {
            let start = Instant::now();
            learner.train_step(b, 1e-3, &Alone);
            start.elapsed().as_secs_f64()
        })
        .collect();
    let engine = "ironcell (burn NdArray, f32; batch genes and neighbourhoods, sparse input)";
    Ok(Timing {
        engine: engine.to_owned(),
        steps,
    })
}

/// Writes the case the PyTorch reference reads into `dir`: the model, the table (features as
/// raw f32 beside), its message edges, the genotypes and labels.
pub fn write_case(
    dir: &Path,
    table: &GeneTable,
    config: &GeneSetConfig,
    (pairs, labels): (&[[u32; 2]], &[f32]),
    batch: usize,
) -> Result<(), Error> {
    let features: Vec<u8> = table
        .features
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let path = dir.join("features.f32");
    std::fs::write(&path, features).map_err(Error::file(&path))?;
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
    let bytes = serde_json::to_vec(&case).map_err(|e| Error::Input(e.to_string()))?;
    std::fs::write(&path, bytes).map_err(Error::file(&path))
}

/// Runs the PyTorch reference on the case in `dir`, on as many threads as ours; its timing
/// and report.
pub fn time_torch(
    python: &str,
    script: &Path,
    dir: &Path,
    steps: usize,
) -> Result<(Timing, Value), Error> {
    let args = [
        "--case".to_owned(),
        dir.display().to_string(),
        "--steps".to_owned(),
        steps.to_string(),
        "--threads".to_owned(),
        rayon::current_num_threads().to_string(),
    ];
    torch_reference(python, script, &args, |report| {
        format!(
            "PyTorch {} ({})",
            report["torch"].as_str().unwrap_or("?"),
            report["encoding"].as_str().unwrap_or("?")
        )
    })
}
