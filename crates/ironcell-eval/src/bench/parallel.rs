//! `bench parallel`: data-parallel training over MPI. Each rank trains DCell on the filtered
//! GO and the gene-graph model (the gene-set model passing messages over Krogan's and Hu's
//! networks) on synthetic gene pairs of the real genome, through the trainer's own step
//! (shard of the global batch, gradient all-reduce, optimiser), and times the steps and the
//! sums inside them. From the measured step and gradient size, the ring all-reduce estimate
//! for 8 and 64 ranks over a 100 Gb/s interconnect.

use std::{path::PathBuf, time::Instant};

use ironcell_data::{
    instances::{BatchPlan, Instances, MiniBatch},
    ontology::{DcellOntology, WidthRule},
};
use ironcell_models::{
    dcell::DcellConfig,
    deep::Head,
    optim::OptimizerConfig,
    trainer::{
        dcell::DcellLearner,
        world::{Collective, Timed},
        Learner,
    },
};
use ironcell_sources::{data_dir::DataDir, reference::Reference};
use serde_json::{json, Value};

use super::{
    models::{gene_set_learner, genome_model, NETWORK_FEATURES},
    synthetic,
};
use crate::Error;

/// The interconnect of the estimate: 100 Gb/s, and a latency per message typical of
/// InfiniBand or RoCE.
const BANDWIDTH_BYTES_PER_SECOND: f64 = 100e9 / 8.0;
const LATENCY_SECONDS: f64 = 5e-6;

/// Ring all-reduce of `bytes` over `ranks`: a reduce-scatter and an all-gather, each
/// `ranks − 1` messages of `bytes / ranks`.
pub fn ring_seconds(bytes: f64, ranks: f64) -> f64 {
    2.0 * (ranks - 1.0) * (bytes / ranks / BANDWIDTH_BYTES_PER_SECOND + LATENCY_SECONDS)
}

/// This rank's part of the measurement: both models, `steps` timed global batches of `batch`
/// each; one row per model (the ranks' means, the same on every rank).
pub fn measure(
    world: &dyn Collective,
    (data, reference): (&DataDir, &Reference),
    ontology: DcellOntology,
    batch: usize,
    steps: usize,
) -> Result<Vec<Value>, Error> {
    let store = tempfile::tempdir().map_err(Error::file(&std::env::temp_dir()))?;
    let steps = steps.max(1);
    let genes = ontology.genes.len();
    let (pairs, labels) = synthetic::gene_pairs(genes, batch, steps + 1);
    let instances = synthetic_store(store.path(), "dcell", &pairs, &labels)?;
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
    let mut rows = vec![time("dcell", &mut dcell, &instances, batch, world)?];

    let graphs = NETWORK_FEATURES.map(PathBuf::from);
    let (config, table) = genome_model(data, reference, &graphs, Head::DeepSet)?;
    let (pairs, labels) = synthetic::gene_pairs(table.len(), batch, steps + 1);
    let instances = synthetic_store(store.path(), "gene-graph", &pairs, &labels)?;
    let mut graph = gene_set_learner(&config, table, &instances)?;
    rows.push(time("gene_graph", &mut graph, &instances, batch, world)?);
    Ok(rows)
}

fn synthetic_store(
    root: &std::path::Path,
    name: &str,
    pairs: &[[u32; 2]],
    labels: &[f32],
) -> Result<Instances, Error> {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).map_err(Error::file(&dir))?;
    synthetic::store(&dir, pairs, labels)
}

/// Every global batch but the first (a warm-up) of `instances` through `learner`'s step on
/// this rank's shard: the ranks' mean step time and all-reduce time.
fn time(
    model: &str,
    learner: &mut dyn Learner,
    instances: &Instances,
    batch: usize,
    world: &dyn Collective,
) -> Result<Value, Error> {
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

/// From each model's one-rank step (all compute) and its reduced bytes, the step at 8 and 64
/// ranks: the global batch split over them (compute / p + ring), or each rank keeping the
/// whole batch (compute + ring).
pub fn estimate(rows: &[&Value]) -> Vec<Value> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_of_one_costs_nothing_and_larger_rings_approach_twice_the_bytes() {
        assert_eq!(ring_seconds(1e9, 1.0), 0.0);
        // 1 GB over 64 ranks: 2 · 63/64 GB at 12.5 GB/s plus 126 latencies.
        let expected = 2.0 * 63.0 / 64.0 * 1e9 / 12.5e9 + 126.0 * 5e-6;
        assert!((ring_seconds(1e9, 64.0) - expected).abs() < 1e-12);
    }

    #[test]
    fn the_estimate_scales_one_rank_compute_by_the_ring() {
        let one = json!({"model": "m", "ranks": 1, "step_seconds": 0.1, "parameters": 1e6});
        let e = estimate(&[&one]);
        assert_eq!(e.len(), 2);
        let ring = ring_seconds(4e6, 8.0);
        let strong = 0.1 / (0.1 / 8.0 + ring);
        assert!((e[0]["strong_speedup"].as_f64().unwrap() - strong).abs() < 1e-9);
        assert!((e[0]["weak_efficiency"].as_f64().unwrap() - 0.1 / (0.1 + ring)).abs() < 1e-12);
    }
}
