//! The genome a gene-set model sees: every reference gene (and any dataset gene the reference
//! lacks) with its standardised features and its neighbours in each network. Built from the
//! reference and the model's recipe, the same at training and at loading, so a saved model
//! needs only its weights.

use std::{collections::HashMap, path::PathBuf};

use ironcell_core::SystematicName;
use ironcell_data::{
    features::{network, GeneFeature, GeneFeatures},
    graph::GeneGraph,
};
use ironcell_sources::{names::GeneNames, reference::Reference};

/// A table that cannot be built.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TableError(String);

/// The neighbours of a network, as directed message edges `src → dst` (each undirected edge
/// both ways) weighted `1 / in-degree(dst)`: summing a gene's incoming messages is the mean of
/// its neighbours. Edges are sorted by receiver, so a gene's incoming edges are one range.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjacency {
    /// Senders.
    pub src: Vec<u32>,
    /// Receivers, ascending.
    pub dst: Vec<u32>,
    /// Weights.
    pub weight: Vec<f32>,
    /// `src[starts[g]..starts[g + 1]]` send to gene `g`.
    starts: Vec<usize>,
}

impl Adjacency {
    fn mean_of_neighbours(graph: &GeneGraph, genes: usize) -> Self {
        let mut pairs: Vec<(u32, u32)> = graph
            .src
            .iter()
            .zip(&graph.dst)
            .flat_map(|(&a, &b)| [(b, a), (a, b)])
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut starts = vec![0usize; genes + 1];
        for &(d, _) in &pairs {
            starts[d as usize + 1] += 1;
        }
        for g in 0..genes {
            starts[g + 1] += starts[g];
        }
        let weight = pairs
            .iter()
            .map(|&(d, _)| 1.0 / (starts[d as usize + 1] - starts[d as usize]) as f32)
            .collect();
        Self {
            src: pairs.iter().map(|&(_, s)| s).collect(),
            dst: pairs.iter().map(|&(d, _)| d).collect(),
            weight,
            starts,
        }
    }

    /// The edges into `gene`, as a range of the edge arrays.
    pub fn into_gene(&self, gene: u32) -> std::ops::Range<usize> {
        self.starts[gene as usize]..self.starts[gene as usize + 1]
    }

    /// Number of message edges.
    pub fn len(&self) -> usize {
        self.src.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.src.is_empty()
    }
}

/// Genes, features, networks.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneTable {
    /// Row order.
    pub genes: Vec<SystematicName>,
    /// Feature columns.
    pub dim: usize,
    /// Row-major `genes × dim`, each column standardised (0 where constant).
    pub features: Vec<f32>,
    /// One per network.
    pub graphs: Vec<Adjacency>,
    /// How many of the last genes are not the reference's (a dataset's own).
    pub extra: usize,
    row: HashMap<SystematicName, u32>,
}

impl GeneTable {
    /// The reference's genes followed by those of `extra` it lacks, with `features` (the
    /// names `baseline --features` takes) and `graphs` (network files).
    pub fn build(
        reference: &Reference,
        extra: &[SystematicName],
        features: &[String],
        graphs: &[PathBuf],
    ) -> Result<Self, TableError> {
        let kinds = features
            .iter()
            .map(|f| f.parse::<GeneFeature>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(TableError)?;
        if kinds.contains(&GeneFeature::OneHot) {
            return Err(TableError(
                "onehot: a gene-set model has a learnable vector per gene instead \
                 (embedding = true)"
                    .to_owned(),
            ));
        }
        let mut genes: Vec<SystematicName> = reference
            .genes
            .iter()
            .map(|g| g.systematic_name.clone())
            .collect();
        let known: std::collections::HashSet<&SystematicName> = genes.iter().collect();
        let missing: Vec<SystematicName> = extra
            .iter()
            .filter(|g| !known.contains(g))
            .cloned()
            .collect();
        let extra = missing.len();
        genes.extend(missing);
        let (built, _) = GeneFeatures::build(&kinds, &genes, reference)
            .map_err(|e| TableError(e.to_string()))?;
        let mut values = built.values;
        let dim = built.columns.len();
        standardise(&mut values, dim);
        let names = GeneNames::new(&reference.genes);
        let mut adjacency = Vec::with_capacity(graphs.len());
        for path in graphs {
            let (edges, _) = network::read(path, &names).map_err(|e| TableError(e.to_string()))?;
            let (graph, report) = GeneGraph::from_edges(edges, &genes, None, false);
            if graph.is_empty() {
                return Err(TableError(format!(
                    "{}: no edge between genes of the reference ({} offered)",
                    path.display(),
                    report.edges_in
                )));
            }
            adjacency.push(Adjacency::mean_of_neighbours(&graph, genes.len()));
        }
        Ok(Self {
            extra,
            ..Self::new(genes, dim, values, adjacency)
        })
    }

    /// A table from its parts (tests, simulations).
    ///
    /// # Panics
    /// If `features` is not `genes × dim` or an edge names a row outside the table.
    pub fn new(
        genes: Vec<SystematicName>,
        dim: usize,
        features: Vec<f32>,
        graphs: Vec<Adjacency>,
    ) -> Self {
        assert_eq!(features.len(), genes.len() * dim, "genes × dim features");
        for g in &graphs {
            assert!(
                g.src
                    .iter()
                    .chain(&g.dst)
                    .all(|&i| (i as usize) < genes.len()),
                "edges within the table"
            );
        }
        let row = genes
            .iter()
            .enumerate()
            .map(|(i, g)| (g.clone(), i as u32))
            .collect();
        Self {
            genes,
            dim,
            features,
            graphs,
            extra: 0,
            row,
        }
    }

    /// A table of `genes` whose edges come from `graph` (over the same genes), mean of
    /// neighbours (tests, simulations).
    pub fn with_graph(mut self, graph: &GeneGraph) -> Self {
        self.graphs
            .push(Adjacency::mean_of_neighbours(graph, self.genes.len()));
        self
    }

    /// Two more feature columns from a per-gene measurement (`values[row]`, `None` where
    /// unmeasured): the value, standardised, 0 where unmeasured, and whether it is unmeasured
    /// (standardised too). A single-mutant fitness as an input, as DCell's authors gave ε.
    ///
    /// # Panics
    /// If `values` does not have one entry per gene.
    pub fn with_measurement(mut self, values: &[Option<f64>]) -> Self {
        assert_eq!(values.len(), self.len(), "one value per gene");
        let mut extra: Vec<f32> = Vec::with_capacity(values.len() * 2);
        let known: Vec<f64> = values.iter().flatten().copied().collect();
        let mean = known.iter().sum::<f64>() / known.len().max(1) as f64;
        for v in values {
            extra.push(v.unwrap_or(mean) as f32);
            extra.push(f32::from(u8::from(v.is_none())));
        }
        standardise(&mut extra, 2);
        let dim = self.dim + 2;
        let mut features = Vec::with_capacity(self.len() * dim);
        for i in 0..self.len() {
            features.extend_from_slice(&self.features[i * self.dim..(i + 1) * self.dim]);
            features.extend_from_slice(&extra[i * 2..i * 2 + 2]);
        }
        self.features = features;
        self.dim = dim;
        self
    }

    /// The genes not from the reference.
    pub fn extra_genes(&self) -> &[SystematicName] {
        &self.genes[self.genes.len() - self.extra..]
    }

    /// The row of `gene`.
    pub fn row(&self, gene: &SystematicName) -> Option<u32> {
        self.row.get(gene).copied()
    }

    /// Number of genes.
    pub fn len(&self) -> usize {
        self.genes.len()
    }

    /// Whether it has no gene.
    pub fn is_empty(&self) -> bool {
        self.genes.is_empty()
    }
}

/// Each column to mean 0 and standard deviation 1 (constant columns to 0).
fn standardise(values: &mut [f32], dim: usize) {
    if dim == 0 {
        return;
    }
    let n = values.len() / dim;
    for c in 0..dim {
        let column = || (0..n).map(|i| f64::from(values[i * dim + c]));
        let mean = column().sum::<f64>() / n.max(1) as f64;
        let var = column().map(|v| (v - mean).powi(2)).sum::<f64>() / n.max(1) as f64;
        let sd = var.sqrt();
        for i in 0..n {
            let v = &mut values[i * dim + c];
            *v = if sd > 0.0 {
                ((f64::from(*v) - mean) / sd) as f32
            } else {
                0.0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_average_the_neighbours() {
        let graph = GeneGraph {
            src: vec![0, 0],
            dst: vec![1, 2],
            weight: vec![f32::NAN; 2],
        };
        let a = Adjacency::mean_of_neighbours(&graph, 3);
        // Gene 0 hears from 1 and 2 (½ each); 1 and 2 hear from 0 alone.
        let into = |d: u32| -> Vec<(u32, f32)> {
            a.into_gene(d).map(|k| (a.src[k], a.weight[k])).collect()
        };
        assert_eq!(into(0), [(1, 0.5), (2, 0.5)]);
        assert_eq!(into(1), [(0, 1.0)]);
    }

    #[test]
    fn columns_are_standardised_and_constant_ones_vanish() {
        let mut v = vec![1.0, 5.0, 3.0, 5.0];
        standardise(&mut v, 2);
        assert_eq!(v, [-1.0, 0.0, 1.0, 0.0]);
    }
}
