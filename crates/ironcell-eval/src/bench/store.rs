//! `bench dataset`: the instance store at the mission's size — synthetic double mutants over
//! the real genome written as a dataset, then one shuffled epoch read in batches, beside
//! pyarrow + numpy doing the same gathers.

use std::{path::Path, time::Instant};

use ironcell_core::{Environment, PhenotypeKind};
use ironcell_data::{
    dataset::{write, DatasetQuery, Manifest},
    instances::{BatchPlan, Instances},
};
use ironcell_sources::reference::Reference;

use super::{python_json, readers::count_and_seconds, synthetic, Program};
use crate::Error;

/// A built synthetic dataset.
#[derive(Debug)]
pub struct Built {
    /// Its manifest.
    pub manifest: Manifest,
    /// Seconds generating the instances.
    pub generated: f64,
    /// Seconds writing the dataset.
    pub written: f64,
}

/// Writes `count` synthetic double mutants (fitness and interaction) over `reference`'s genes
/// as a dataset in `dir`.
pub fn build(dir: &Path, reference: &Reference, count: u64) -> Result<Built, Error> {
    let genes: Vec<_> = reference
        .genes
        .iter()
        .map(|g| g.systematic_name.clone())
        .collect();
    let t = Instant::now();
    let table = synthetic::double_mutants(genes.len(), count, 11);
    let generated = t.elapsed().as_secs_f64();
    let query = DatasetQuery::new(
        vec!["synthetic_benchmark".into()],
        vec![PhenotypeKind::Fitness, PhenotypeKind::GeneInteraction],
    );
    let t = Instant::now();
    let manifest = write(
        dir,
        query,
        vec!["fitness".into(), "gene_interaction".into()],
        genes,
        vec!["synthetic_benchmark".into()],
        vec![Environment::sga_plate(30)],
        &table,
    )?;
    Ok(Built {
        manifest,
        generated,
        written: t.elapsed().as_secs_f64(),
    })
}

/// One shuffled epoch of the store at `path` in batches of `batch`; (instances, seconds, a
/// checksum of the first gene of each batch, so the reads cannot be skipped).
pub fn epoch(path: &Path, batch: usize) -> Result<(usize, f64, u64), Error> {
    let data = Instances::open(path)?;
    let all: Vec<u32> = (0..data.len() as u32).collect();
    let t = Instant::now();
    let (mut seen, mut checksum) = (0usize, 0u64);
    let plan = BatchPlan {
        batch_size: batch,
        ..BatchPlan::default()
    };
    for b in data.batches(&all, plan) {
        seen += b.indices.len();
        checksum = checksum.wrapping_add(u64::from(b.genes[0]));
    }
    Ok((seen, t.elapsed().as_secs_f64(), checksum))
}

/// The same epoch with pyarrow + numpy (vectorised gathers); (instances, seconds).
pub fn epoch_numpy(python: &str, path: &Path, batch: usize) -> Result<(u64, f64), Error> {
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
    let args = [path.display().to_string(), batch.to_string()];
    let report = python_json(python, Program::Code(script), &args, "numpy and pyarrow")?;
    count_and_seconds(&report)
}
