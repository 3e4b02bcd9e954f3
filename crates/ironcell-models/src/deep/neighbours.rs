//! Neighbour labels as an input of a gene-set model's head: for each label, what the training
//! labels of the genotype's network relatives say ([`NeighbourLabels`]), beside the set
//! representation. The model keeps its training genotypes and labels (they are its neighbour
//! labels' memory, saved with it) and the networks' files are read again at load.
//!
//! A third of the training genotypes are shown with one gene, and a third with every gene,
//! treated as unseen ([`hidden_genes`]), as a gene-disjoint test genotype's genes are; the choice is
//! a function of the instance and the seed only, so an interrupted run resumes to the same
//! weights.

use std::collections::HashMap;

use ironcell_core::SystematicName;
use ironcell_data::{
    features::neighbour_labels::{self, Hidden, NeighbourLabels},
    graph::GeneGraph,
};
use ironcell_sources::reference::Reference;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::table::GeneTable;

/// The training genotypes and labels the neighbour labels are made of, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// The training dataset's genes (the index space of `rows`).
    pub genes: Vec<SystematicName>,
    /// Each training genotype's genes.
    pub rows: Vec<Vec<u32>>,
    /// Each one's environment.
    pub environments: Vec<u16>,
    /// Row-major `[rows, labels]`, NaN where a row lacks a label.
    pub labels: Vec<f32>,
}

/// Neighbour-label inputs over a model's gene table.
#[derive(Debug)]
pub struct NeighbourInputs {
    memory: Memory,
    per_label: Vec<NeighbourLabels>,
    /// Each label's training mean and standard deviation: the mean columns are standardised.
    scale: Vec<(f64, f64)>,
    /// Table row → index among the memory's genes.
    from_table: HashMap<u32, u32>,
}

impl NeighbourInputs {
    /// Fits on `memory` (of `labels` labels) over `networks` (files, read by
    /// [`GeneGraph::read_all`]), the genes named as `reference` and `table` name them.
    pub fn fit(
        memory: Memory,
        labels: usize,
        networks: &[std::path::PathBuf],
        reference: &Reference,
        table: &GeneTable,
    ) -> Result<Self, String> {
        let graphs =
            GeneGraph::read_all(networks, reference, &memory.genes).map_err(|e| e.to_string())?;
        let n = memory.rows.len();
        if memory.environments.len() != n || memory.labels.len() != n * labels {
            return Err(format!(
                "neighbour labels: {n} genotypes, {} environments, {} label values for {labels} labels",
                memory.environments.len(),
                memory.labels.len()
            ));
        }
        let mut per_label = Vec::with_capacity(labels);
        let mut scale = Vec::with_capacity(labels);
        for l in 0..labels {
            let known = (0..n).map(|i| {
                (
                    memory.rows[i].as_slice(),
                    usize::from(memory.environments[i]),
                    f64::from(memory.labels[i * labels + l]),
                )
            });
            per_label.push(NeighbourLabels::fit(&graphs, memory.genes.len(), known));
            let values: Vec<f64> = (0..n)
                .map(|i| f64::from(memory.labels[i * labels + l]))
                .filter(|v| v.is_finite())
                .collect();
            let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
            let var =
                values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len().max(1) as f64;
            scale.push((mean, var.sqrt().max(1e-12)));
        }
        let from_table = memory
            .genes
            .iter()
            .enumerate()
            .filter_map(|(i, g)| Some((table.row(g)?, i as u32)))
            .collect();
        Ok(Self {
            memory,
            per_label,
            scale,
            from_table,
        })
    }

    /// What is saved.
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// Inputs per genotype.
    pub fn width(&self) -> usize {
        self.per_label.iter().map(NeighbourLabels::width).sum()
    }

    /// The inputs of `rows` (table rows) in `environments`, each row's `hidden` genes treated as
    /// unseen, row-major `[rows, width]`. A gene outside the training dataset has no labelled
    /// relatives here (the memory covers the dataset's genes only).
    pub fn inputs(
        &self,
        rows: &[&[u32]],
        environments: Option<&[u16]>,
        hidden: Option<&[Hidden]>,
    ) -> Vec<f32> {
        let width = self.width();
        let mut out = vec![0f32; rows.len() * width];
        for (k, (row, out)) in rows.iter().zip(out.chunks_exact_mut(width)).enumerate() {
            // A gene outside the memory has no relatives to look up: nothing is, and every gene
            // of the genotype counts as unseen.
            let genes: Option<Vec<u32>> = row
                .iter()
                .map(|g| self.from_table.get(g).copied())
                .collect();
            let hide = hidden.map_or(Hidden::NONE, |h| h[k]);
            let env = environments.map_or(0, |e| usize::from(e[k]));
            let mut at = 0;
            for (labels, &(mean, sd)) in self.per_label.iter().zip(&self.scale) {
                let w = labels.width();
                let slot = &mut out[at..at + w];
                match &genes {
                    Some(genes) => labels.write(genes, env, hide, slot),
                    None => {
                        labels.write(&[], env, Hidden::NONE, slot);
                        slot[0] = row.len() as f32;
                    }
                }
                slot[1] = ((f64::from(slot[1]) - mean) / sd) as f32;
                for net in slot[neighbour_labels::NETWORKS_FROM..]
                    .chunks_exact_mut(neighbour_labels::COLUMNS.len())
                {
                    net[0] = ((f64::from(net[0]) - mean) / sd) as f32;
                    net[2] = ((f64::from(net[2]) - mean) / sd) as f32;
                }
                at += w;
            }
        }
        out
    }
}

/// Which genes of training instance `index` to treat as unseen under `seed`
/// ([`Hidden::draw`] from a generator of its own, so the draw does not depend on the batch
/// order or on how far an interrupted run got).
pub fn hidden_genes(index: u32, genes: usize, seed: u64) -> Hidden {
    let mut rng =
        ChaCha8Rng::seed_from_u64(seed ^ u64::from(index).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    Hidden::draw(&mut rng, genes)
}
