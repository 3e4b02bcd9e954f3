//! Where a gene sits in a network, as four numbers a tree or a linear model can use: how
//! many partners it has, how strongly it is tied to them, how connected those partners are,
//! and how tightly they are tied to each other.
//!
//! The measures are computed over the whole network, not only the dataset's genes: a gene's
//! place in the interactome does not change with the dataset it is scored in. Edges are read
//! undirected, each pair once (the first weight wins), self-loops left out.

use std::{collections::HashMap, path::Path};

use ironcell_core::SystematicName;
use ironcell_sources::{
    names::GeneNames,
    networks::{Edge, Reader},
    open_maybe_gzip,
    report::{collect, BadRows, ReadReport},
};

use crate::Error;

/// The measures, in column order.
pub const MEASURES: [&str; 4] = ["degree", "strength", "neighbour_degree", "clustering"];

/// Per-gene network measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Centrality {
    /// The network's genes, sorted.
    pub genes: Vec<SystematicName>,
    /// `ln(1 + partners)`.
    pub degree: Vec<f32>,
    /// `ln(1 + Σ weights)`; an edge without a weight counts 1.
    pub strength: Vec<f32>,
    /// Mean of the partners' `degree` (log scale as above).
    pub neighbour_degree: Vec<f32>,
    /// Local clustering coefficient: the share of pairs of partners that are partners
    /// themselves (0 with fewer than two partners).
    pub clustering: Vec<f32>,
}

impl Centrality {
    /// The measures of every gene of `edges`.
    ///
    /// ```
    /// use ironcell_data::features::network::Centrality;
    /// use ironcell_sources::networks::Edge;
    /// let edge = |a: &str, b: &str| Edge {
    ///     a: a.parse().unwrap(), b: b.parse().unwrap(), scores: Default::default(), kind: None,
    /// };
    /// // A triangle with a tail: YAL001C–YAL002W–YAL003W–YAL001C, YAL003W–YAL004W.
    /// let c = Centrality::of(&[
    ///     edge("YAL001C", "YAL002W"), edge("YAL002W", "YAL003W"),
    ///     edge("YAL003W", "YAL001C"), edge("YAL003W", "YAL004W"),
    /// ]);
    /// assert_eq!(c.genes[2].as_str(), "YAL003W");
    /// assert_eq!(c.degree[2], 3f32.ln_1p());
    /// assert!((c.clustering[2] - 1.0 / 3.0).abs() < 1e-6);
    /// assert_eq!(c.clustering[0], 1.0);
    /// ```
    pub fn of(edges: &[Edge]) -> Self {
        let mut genes: Vec<SystematicName> = edges
            .iter()
            .flat_map(|e| [e.a.clone(), e.b.clone()])
            .collect();
        genes.sort_unstable();
        genes.dedup();
        let index: HashMap<&SystematicName, usize> =
            genes.iter().enumerate().map(|(i, g)| (g, i)).collect();
        let mut partners: Vec<Vec<(usize, f64)>> = vec![vec![]; genes.len()];
        for e in edges {
            let (a, b) = (index[&e.a], index[&e.b]);
            if a == b {
                continue;
            }
            let w = weight(e);
            partners[a].push((b, w));
            partners[b].push((a, w));
        }
        for p in &mut partners {
            // Sorted by partner, first weight of a repeated pair kept.
            p.sort_by_key(|&(j, _)| j);
            p.dedup_by_key(|&mut (j, _)| j);
        }
        let degree: Vec<f32> = partners.iter().map(|p| (p.len() as f32).ln_1p()).collect();
        let strength = partners
            .iter()
            .map(|p| (p.iter().map(|&(_, w)| w).sum::<f64>() as f32).ln_1p())
            .collect();
        let neighbour_degree = partners
            .iter()
            .map(|p| match p.len() {
                0 => 0.0,
                n => p.iter().map(|&(j, _)| degree[j]).sum::<f32>() / n as f32,
            })
            .collect();
        let clustering = partners
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let k = p.len();
                if k < 2 {
                    return 0.0;
                }
                // Each triangle through i is seen once from each of its two other corners.
                let links: usize = p
                    .iter()
                    .map(|&(j, _)| shared(&partners[i], &partners[j], |p| p.0))
                    .sum();
                (links / 2) as f32 / (k * (k - 1) / 2) as f32
            })
            .collect();
        Self {
            genes,
            degree,
            strength,
            neighbour_degree,
            clustering,
        }
    }

    /// The four measures of gene row `i`, in [`MEASURES`] order.
    pub fn row(&self, i: usize) -> [f32; 4] {
        [
            self.degree[i],
            self.strength[i],
            self.neighbour_degree[i],
            self.clustering[i],
        ]
    }
}

/// An edge's weight: its only score, else 1. Negative or missing weights count 1 as well:
/// strength measures how many ties, weighted by confidence, and a sign has no place there.
fn weight(e: &Edge) -> f64 {
    match e.scores.values().next() {
        Some(&w) if e.scores.len() == 1 && w.is_finite() && w > 0.0 => w,
        _ => 1.0,
    }
}

/// How many keys two lists sorted by `key` have in common (neighbours two genes share).
///
/// ```
/// use ironcell_data::features::network::shared;
/// assert_eq!(shared(&[1u32, 3, 4, 9], &[3, 4, 5], |&g| g), 2);
/// ```
pub fn shared<T, K: Ord>(a: &[T], b: &[T], key: impl Fn(&T) -> K) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match key(&a[i]).cmp(&key(&b[j])) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Reads a network file in any layout [`Reader::detect`] knows, skipping (and reporting)
/// rows whose names are not reference genes: a network from another release names a few
/// genes the reference no longer has, and they should not stop the features of the rest.
pub fn read(path: &Path, names: &GeneNames) -> Result<(Vec<Edge>, ReadReport), Error> {
    let name = path.display().to_string();
    let sources = |e: ironcell_sources::Error| Error::format(path, e.to_string());
    let reader =
        Reader::detect(open_maybe_gzip(path).map_err(sources)?, &name, names).map_err(sources)?;
    let (edges, report) = collect(reader, BadRows::Skip).map_err(sources)?;
    if edges.is_empty() {
        return Err(Error::format(
            path,
            format!(
                "no edge between reference genes in {} rows ({} rejected)",
                report.rows_read,
                report.rejected_rows()
            ),
        ));
    }
    Ok((edges, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: &str, b: &str, w: Option<f64>) -> Edge {
        Edge {
            a: a.parse().unwrap(),
            b: b.parse().unwrap(),
            scores: w.map(|w| ("weight".to_owned(), w)).into_iter().collect(),
            kind: None,
        }
    }

    #[test]
    fn repeats_and_self_loops_count_once_or_not_at_all() {
        let c = Centrality::of(&[
            edge("YAL001C", "YAL002W", Some(0.5)),
            edge("YAL002W", "YAL001C", Some(0.9)),
            edge("YAL001C", "YAL001C", None),
            edge("YAL001C", "YAL003W", Some(-0.4)),
        ]);
        assert_eq!(c.genes.len(), 3);
        assert_eq!(c.degree[0], 2f32.ln_1p());
        // 0.5 (the first weight of the repeated pair) + 1 (a negative weight counts 1).
        assert_eq!(c.strength[0], 1.5f32.ln_1p());
        assert_eq!(c.neighbour_degree[1], 2f32.ln_1p());
        assert_eq!(c.clustering, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn a_clique_is_fully_clustered() {
        let g = ["YAL001C", "YAL002W", "YAL003W", "YAL004W"];
        let mut edges = vec![];
        for i in 0..4 {
            for j in i + 1..4 {
                edges.push(edge(g[i], g[j], None));
            }
        }
        let c = Centrality::of(&edges);
        assert_eq!(c.clustering, [1.0; 4]);
        let three = 3f32.ln_1p();
        assert_eq!(c.row(0), [three, three, three, 1.0]);
    }
}
