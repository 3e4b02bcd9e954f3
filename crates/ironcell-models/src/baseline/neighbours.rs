//! Neighbour labels as columns of a feature model, after its pooled gene features: what the
//! training labels of a genotype's network relatives say
//! ([`ironcell_data::features::neighbour_labels`]). On interaction scores with unseen genes
//! they were the largest gain measured (gbt on E-MAP `gene_disjoint_any` 0.28 → 0.39,
//! BENCHMARKS.md); this makes that model one `train` saves and `predict` serves. The model
//! keeps its training genotypes and labels (the columns' memory, in its recipe) and reads the
//! networks' files again when opened.

use std::path::PathBuf;

use ironcell_core::SystematicName;
use ironcell_data::{
    features::neighbour_labels::{Hidden, NeighbourLabels},
    graph::GeneGraph,
};
use ironcell_sources::reference::Reference;
use serde::{Deserialize, Serialize};

/// What the columns are made of, as saved in the recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeighbourMemory {
    /// Network files the relatives are found along (any layout `dataset graph` reads).
    pub networks: Vec<PathBuf>,
    /// The training genotypes, as indices into the recipe's universe.
    pub rows: Vec<Vec<u32>>,
    /// Each one's environment, an index into `environments`.
    pub row_environments: Vec<u16>,
    /// The training dataset's environments, by name: relatives are looked up in the
    /// environment a genotype is asked about, and one never trained on has none.
    pub environments: Vec<String>,
    /// Their labels.
    pub values: Vec<f64>,
}

/// The columns, fitted on their memory.
#[derive(Debug)]
pub struct NeighbourColumns {
    memory: NeighbourMemory,
    labels: NeighbourLabels,
}

impl NeighbourColumns {
    /// Fits on `memory`, whose genotypes index `universe`, the networks' genes named as
    /// `reference` names them.
    pub fn fit(
        memory: NeighbourMemory,
        universe: &[SystematicName],
        reference: &Reference,
    ) -> Result<Self, ironcell_data::Error> {
        let graphs = GeneGraph::read_all(&memory.networks, reference, universe)?;
        let known = memory
            .rows
            .iter()
            .zip(&memory.row_environments)
            .zip(&memory.values)
            .map(|((row, &env), &y)| (row.as_slice(), usize::from(env), y));
        let labels = NeighbourLabels::fit(&graphs, universe.len(), known);
        Ok(Self { memory, labels })
    }

    /// Columns per genotype.
    pub fn width(&self) -> usize {
        self.labels.width()
    }

    /// What is saved.
    pub fn memory(&self) -> &NeighbourMemory {
        &self.memory
    }

    /// The index of environment `name` among the training dataset's, if it is one.
    pub fn environment(&self, name: &str) -> Option<usize> {
        self.memory.environments.iter().position(|e| e == name)
    }

    /// Writes the columns of a genotype of `size` genes grown in `environment` (an index
    /// into the training dataset's; `None` for another, where nothing is labelled) into
    /// `out`: `genes` as universe indices, with its `hidden` genes treated as unseen, or
    /// `None` when a gene is outside the universe (no relative of the genotype is labelled
    /// then, and every gene counts as unseen).
    pub fn write(
        &self,
        genes: Option<&[u32]>,
        size: usize,
        environment: Option<usize>,
        hidden: Hidden,
        out: &mut [f32],
    ) {
        // No environment index reaches `usize::MAX`: there, nothing is labelled.
        let env = environment.unwrap_or(usize::MAX);
        match genes {
            Some(genes) => self.labels.write(genes, env, hidden, out),
            None => {
                self.labels.write(&[], env, Hidden::NONE, out);
                out[0] = size as f32;
            }
        }
    }
}
