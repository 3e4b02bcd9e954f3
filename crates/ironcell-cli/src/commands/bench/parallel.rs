//! `ironcell bench parallel`: data-parallel training over MPI on this machine. For each world
//! size it starts `mpirun -np N` of this program (`--worker`); every rank trains DCell on the
//! filtered GO and the gene-graph model (the gene-set model passing messages over Krogan's
//! and Hu's networks) on synthetic gene pairs of the real genome, through the trainer's own
//! step (shard of the global batch, gradient all-reduce, optimiser), and times the steps and
//! the sums inside them. From the measured step and gradient size it writes the ring
//! all-reduce estimate for 8 and 64 ranks over a 100 Gb/s interconnect.

use std::{fs, path::Path, process::Command, time::Instant};

use anyhow::{bail, Context, Result};
use ironcell_data::{
    instances::{BatchPlan, Instances, MiniBatch},
    ontology::WidthRule,
};
use ironcell_models::{
    dcell::DcellConfig,
    deep::Head,
    optim::OptimizerConfig,
    trainer::{
        dcell::DcellLearner,
        world::{self, Collective, Timed},
        Learner,
    },
};
use serde_json::{json, Value};

use super::models::{gene_set_learner, genome_model, genotypes, synthetic_store};
use crate::{args::BenchParallelArgs, commands};

/// The interconnect of the estimate: 100 Gb/s, and a latency per message typical of
/// InfiniBand or RoCE.
const BANDWIDTH_BYTES_PER_SECOND: f64 = 100e9 / 8.0;
const LATENCY_SECONDS: f64 = 5e-6;

/// Ring all-reduce of `bytes` over `ranks`: a reduce-scatter and an all-gather, each
/// `ranks − 1` messages of `bytes / ranks`.
fn ring_seconds(bytes: f64, ranks: f64) -> f64 {
    2.0 * (ranks - 1.0) * (bytes / ranks / BANDWIDTH_BYTES_PER_SECOND + LATENCY_SECONDS)
}

pub fn run(args: &BenchParallelArgs) -> Result<()> {
    if args.worker {
        return worker(args);
    }
    fs::create_dir_all(&args.dir).with_context(|| format!("creating {}", args.dir.display()))?;
    let exe = std::env::current_exe().context("this program's path")?;
    let mut worlds = Vec::new();
    for &ranks in &args.ranks {
        let out = args.dir.join(format!("ranks-{ranks}.json"));
        let status = Command::new(&args.mpirun)
            // Unbound, so one rank may use every core (Open MPI binds small worlds to one
            // core each); the ranks split the cores themselves.
            .args([
                "-np",
                &ranks.to_string(),
                "--oversubscribe",
                "--bind-to",
                "none",
            ])
            .arg(&exe)
            .args(["bench", "parallel", "--worker"])
            .args(["--batch", &args.batch.to_string()])
            .args(["--steps", &args.steps.to_string()])
            .arg("--dir")
            .arg(&args.dir)
            .env(ironcell_sources::data_dir::ENV, args.data.dir.dir().root())
            .status()
            .with_context(|| format!("starting {}", args.mpirun))?;
        if !status.success() {
            bail!(
                "{} -np {ranks} … bench parallel --worker: {status}",
                args.mpirun
            );
        }
        let text = fs::read(&out).with_context(|| format!("reading {}", out.display()))?;
        worlds.push(serde_json::from_slice::<Value>(&text)?);
    }
    let rows: Vec<&Value> = worlds
        .iter()
        .flat_map(|w| w.as_array().into_iter().flatten())
        .collect();
    println!(
        "\n{:<11} {:>5} {:>10} {:>9} {:>14} {:>13}",
        "model", "ranks", "step (s)", "steps/s", "all-reduce %", "gradient MB"
    );
    for r in &rows {
        println!(
            "{:<11} {:>5} {:>10.4} {:>9.2} {:>14.1} {:>13.1}",
            r["model"].as_str().unwrap_or("?"),
            r["ranks"],
            r["step_seconds"].as_f64().unwrap_or(f64::NAN),
            r["steps_per_second"].as_f64().unwrap_or(f64::NAN),
            100.0 * r["allreduce_share"].as_f64().unwrap_or(f64::NAN),
            r["reduced_bytes_per_step"].as_f64().unwrap_or(f64::NAN) / 1e6,
        );
    }
    let estimates = estimate(&rows);
    for e in &estimates {
        println!(
            "{}: ring all-reduce over {} ranks at 100 Gb/s {:.1} ms; fixed global batch: \
             speed-up {:.1}× (efficiency {:.0} %); batch per rank fixed: efficiency {:.0} %",
            e["model"].as_str().unwrap_or("?"),
            e["ranks"],
            1e3 * e["allreduce_seconds"].as_f64().unwrap_or(f64::NAN),
            e["strong_speedup"].as_f64().unwrap_or(f64::NAN),
            100.0 * e["strong_efficiency"].as_f64().unwrap_or(f64::NAN),
            100.0 * e["weak_efficiency"].as_f64().unwrap_or(f64::NAN),
        );
    }
    super::write_results(
        &args.dir,
        &json!({"batch": args.batch, "steps": args.steps, "measured": rows,
                "estimate": estimates}),
    )
}

/// From each model's one-rank step (all compute) and its reduced bytes, the step at 8 and 64
/// ranks: the global batch split over them (compute / p + ring), or each rank keeping the
/// whole batch (compute + ring).
fn estimate(rows: &[&Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for one in rows.iter().filter(|r| r["ranks"] == 1) {
        let compute = one["step_seconds"].as_f64().unwrap_or(f64::NAN);
        // The gradient a world of several reduces (a world of one sums nothing).
        let bytes = rows
            .iter()
            .filter(|r| r["model"] == one["model"] && r["ranks"].as_u64() > Some(1))
            .find_map(|r| r["reduced_bytes_per_step"].as_f64())
            .unwrap_or(4.0 * one["parameters"].as_f64().unwrap_or(f64::NAN));
        for ranks in [8.0, 64.0] {
            let ring = ring_seconds(bytes, ranks);
            let strong = compute / (compute / ranks + ring);
            out.push(json!({
                "model": one["model"], "ranks": ranks, "gradient_bytes": bytes,
                "allreduce_seconds": ring, "strong_speedup": strong,
                "strong_efficiency": strong / ranks, "weak_efficiency": compute / (compute + ring),
            }));
        }
    }
    out
}

/// One rank: both models, `--steps` timed steps each; rank 0 writes the world's results.
fn worker(args: &BenchParallelArgs) -> Result<()> {
    let world = world::launch()?;
    // Ranks on one machine share its cores; one rank keeps rayon's pool of every core.
    if let Some(threads) = world::threads_per_rank() {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("the rank's threads")?;
    }
    let reference = args.data.load()?.reference;
    let store = tempfile::tempdir()?;
    let steps = args.steps.max(1);
    let mut rows = Vec::new();

    let ontology = commands::ontology::build(&reference, &Default::default())?;
    let genes = ontology.genes.len();
    let (pairs, labels) = genotypes(genes, args.batch, steps + 1);
    let dcell_dir = store.path().join("dcell");
    fs::create_dir_all(&dcell_dir)?;
    let instances = synthetic_store(&dcell_dir, &pairs, &labels)?;
    let mut dcell = DcellLearner::new(
        ontology,
        // `train`'s default widths (TorchCell's).
        DcellConfig {
            width_rule: WidthRule::Direct,
            ..DcellConfig::default()
        },
        vec!["y".to_owned()],
        (0..genes).map(Some).collect(),
        &OptimizerConfig::default(),
        None,
    );
    rows.push(time("dcell", &mut dcell, &instances, args.batch, &*world)?);

    let data = args.data.dir.dir();
    let graphs = super::models::NETWORK_FEATURES.map(std::path::PathBuf::from);
    let (config, table) = genome_model(&data, &reference, &graphs, Head::DeepSet)?;
    let (pairs, labels) = genotypes(table.len(), args.batch, steps + 1);
    let graph_dir = store.path().join("gene-graph");
    fs::create_dir_all(&graph_dir)?;
    let instances = synthetic_store(&graph_dir, &pairs, &labels)?;
    let mut graph = gene_set_learner(&config, table, &instances)?;
    rows.push(time(
        "gene_graph",
        &mut graph,
        &instances,
        args.batch,
        &*world,
    )?);

    if world.is_root() {
        write_world(&args.dir, world.size(), &rows)?;
    }
    Ok(())
}

/// Every global batch but the first (a warm-up) of `instances` through `learner`'s step on
/// this rank's shard: the ranks' mean step time and all-reduce time.
fn time(
    model: &str,
    learner: &mut dyn Learner,
    instances: &Instances,
    batch: usize,
    world: &dyn Collective,
) -> Result<Value> {
    let all: Vec<u32> = (0..instances.len() as u32).collect();
    let plan = BatchPlan {
        batch_size: batch,
        shuffle: false,
        rank: world.rank(),
        world: world.size(),
        ..BatchPlan::default()
    };
    let batches: Vec<MiniBatch> = instances.batches(&all, plan).collect();
    let timed = Timed::new(world);
    learner.train_step(&batches[0], 1e-3, &timed);
    timed.take();
    let start = Instant::now();
    for b in &batches[1..] {
        learner.train_step(b, 1e-3, &timed);
    }
    let seconds = start.elapsed().as_secs_f64();
    let (reduce, bytes) = timed.take();
    let n = (batches.len() - 1).max(1) as f64;
    let mut sums = [seconds, reduce];
    world.sum_f64(&mut sums);
    let ranks = world.size() as f64;
    let (seconds, reduce) = (sums[0] / ranks, sums[1] / ranks);
    Ok(json!({
        "model": model, "ranks": world.size(), "batch": batch, "steps": n,
        "step_seconds": seconds / n, "steps_per_second": n / seconds,
        "instances_per_second": n * batch as f64 / seconds,
        "allreduce_seconds_per_step": reduce / n, "allreduce_share": reduce / seconds,
        "reduced_bytes_per_step": bytes as f64 / n, "parameters": learner.weights().len(),
        "threads_per_rank": rayon::current_num_threads(),
    }))
}

fn write_world(dir: &Path, ranks: usize, rows: &[Value]) -> Result<()> {
    let path = dir.join(format!("ranks-{ranks}.json"));
    fs::write(&path, serde_json::to_vec_pretty(rows)?)
        .with_context(|| format!("writing {}", path.display()))
}
