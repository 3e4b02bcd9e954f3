//! SYNTHETIC benchmark inputs: real gene names and ids where a format needs them, random
//! values everywhere else. They time code; they are never data, and nothing here is mixed
//! with a measured screen.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
};

use ironcell_data::{
    dataset::Table,
    instances::{InstanceWriter, Instances, LabelValue, MiniBatch},
};
use ironcell_sources::reference::Reference;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::Error;

const SGA_HEADER: &str = "Query Strain ID\tQuery allele name\tArray Strain ID\tArray allele name\tArraytype/Temp\tGenetic interaction score (ε)\tP-value\tQuery single mutant fitness (SMF)\tArray SMF\tDouble mutant fitness\tDouble mutant fitness standard deviation";

/// Writes `rows` rows in Costanzo 2016's `SGA_ExE.txt` layout: the reference's gene names
/// and SGA-style strain ids, random values.
pub fn write_sga(path: &Path, rows: u64, reference: &Reference, seed: u64) -> Result<(), Error> {
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
    let file = File::create(path).map_err(Error::file(path))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut write = || -> std::io::Result<()> {
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
        w.flush()
    };
    write().map_err(Error::file(path))
}

/// `count` double mutants over `genes` genes with a fitness and an interaction each, as a
/// dataset table of the two labels.
pub fn double_mutants(genes: usize, count: u64, seed: u64) -> Table {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut table = Table::new(2);
    for _ in 0..count {
        let a = rng.random_range(0..genes as u32);
        let mut b = rng.random_range(0..genes as u32 - 1);
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
    table
}

/// `size · batches` pairs of distinct genes over `genes` genes and a label in [−1, 1) for each.
pub fn gene_pairs(genes: usize, size: usize, batches: usize) -> (Vec<[u32; 2]>, Vec<f32>) {
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

/// `count` genotypes of one to three genes over `genes` genes and a fitness-like target in
/// [0.5, 1.1) for each.
pub fn genotypes(genes: usize, count: usize) -> (Vec<Vec<usize>>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let genotypes: Vec<Vec<usize>> = (0..count)
        .map(|_| {
            let n = rng.random_range(1..=3);
            (0..n).map(|_| rng.random_range(0..genes)).collect()
        })
        .collect();
    let targets = (0..count).map(|_| rng.random_range(0.5..1.1)).collect();
    (genotypes, targets)
}

/// The pairs and labels from instance `start` on as one mini-batch.
pub fn mini_batch(pairs: &[[u32; 2]], labels: &[f32], start: usize) -> MiniBatch {
    MiniBatch {
        indices: (start as u32..(start + pairs.len()) as u32).collect(),
        offsets: (0..=pairs.len() as u32).map(|k| 2 * k).collect(),
        genes: pairs.iter().flatten().copied().collect(),
        labels: labels.to_vec(),
        environments: vec![0; pairs.len()],
    }
}

/// An instance store in `dir` of `pairs` labelled `labels` (one label, `y`).
pub fn store(dir: &Path, pairs: &[[u32; 2]], labels: &[f32]) -> Result<Instances, Error> {
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

/// Columns of [`regression`].
pub const REGRESSION_COLUMNS: usize = 64;

/// A regression for timing, `rows` × [`REGRESSION_COLUMNS`] standard normal features:
/// y = sin x₀ + x₁x₂ + ½·[x₃ > 0] + 0.3·x₄² + N(0, ½²), the other columns noise.
pub fn regression(rows: usize, seed: u64) -> (Vec<f32>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Box–Muller: two uniforms to one standard normal.
    let mut normal = move || {
        let (u, v): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let x: Vec<f32> = (0..rows * REGRESSION_COLUMNS)
        .map(|_| normal() as f32)
        .collect();
    let y = x
        .chunks_exact(REGRESSION_COLUMNS)
        .map(|r| {
            let r: Vec<f64> = r[..5].iter().map(|&v| f64::from(v)).collect();
            let signal = r[0].sin() + r[1] * r[2] + 0.3 * r[4] * r[4];
            signal + 0.5 * f64::from(u8::from(r[3] > 0.0)) + 0.5 * normal()
        })
        .collect();
    (x, y)
}
