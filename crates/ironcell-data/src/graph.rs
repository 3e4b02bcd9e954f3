//! Gene networks as graphs over a dataset's gene universe: edges between gene indices (the
//! numbers the instance store uses), with a weight, saved beside the dataset as
//! `graphs/NAME.arrow` (columns `src: uint32`, `dst: uint32`, `weight: float32`, NaN when the
//! source gives none) so a model reads instances and graphs in the same index space.

use std::{
    collections::{BTreeSet, HashMap},
    fs::File,
    io::BufWriter,
    path::Path,
    sync::Arc,
};

use arrow_array::{
    cast::AsArray, types::Float32Type, types::UInt32Type, Float32Array, RecordBatch, UInt32Array,
};
use arrow_ipc::writer::FileWriter;
use arrow_schema::{DataType, Field, Schema};
use ironcell_core::SystematicName;
use ironcell_sources::networks::Edge;
use serde::{Deserialize, Serialize};

use crate::Error;

/// A graph over gene indices.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneGraph {
    /// Edge sources (regulators for a directed graph).
    pub src: Vec<u32>,
    /// Edge targets.
    pub dst: Vec<u32>,
    /// Edge weights, NaN where the source has none.
    pub weight: Vec<f32>,
}

/// What mapping a network onto a universe kept and lost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphReport {
    /// Edges offered.
    pub edges_in: usize,
    /// Edges kept.
    pub edges_kept: usize,
    /// Edges with an end outside the universe.
    pub outside_universe: usize,
    /// Edges from a gene to itself.
    pub self_loops: usize,
    /// Repeats of an edge already kept (the first one's weight stays).
    pub duplicates: usize,
    /// Universe genes with at least one edge.
    pub genes_covered: usize,
}

/// Where the graph named `name` of the dataset in `dataset` lives: `graphs/NAME.arrow`. A name
/// is a plain file name — letters, digits, `.`, `_`, `-`, not starting with `.`, at most 100
/// characters — so neither a flag nor a network name read from a store can write outside the
/// dataset's `graphs/` folder.
///
/// ```
/// use ironcell_data::graph::path_in;
/// let at = path_in("data/emap".as_ref(), "krogan-2006").unwrap();
/// assert!(at.ends_with("graphs/krogan-2006.arrow"));
/// assert!(path_in("data/emap".as_ref(), "../../etc/x").is_err());
/// ```
pub fn path_in(dataset: &Path, name: &str) -> Result<std::path::PathBuf, Error> {
    let plain = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !plain {
        return Err(Error::format(
            dataset,
            format!(
                "graph name {:?}: expected letters, digits, '.', '_' or '-' (not starting with \
                 '.', at most 100 characters); name it with --name",
                name.chars().take(100).collect::<String>()
            ),
        ));
    }
    Ok(dataset.join("graphs").join(format!("{name}.arrow")))
}

impl GeneGraph {
    /// Maps `edges` onto `universe` (sorted), weighting each by its `score` when named, else
    /// by its only score if it has exactly one. Undirected edges are stored once, `src < dst`.
    ///
    /// ```
    /// use ironcell_data::graph::GeneGraph;
    /// use ironcell_sources::networks::Edge;
    /// let universe = vec!["YAL001C".parse().unwrap(), "YAL002W".parse().unwrap()];
    /// let edge = |a: &str, b: &str| Edge {
    ///     a: a.parse().unwrap(), b: b.parse().unwrap(), scores: Default::default(), kind: None,
    /// };
    /// let (g, report) = GeneGraph::from_edges(
    ///     [edge("YAL002W", "YAL001C"), edge("YAL001C", "YBR160W")], &universe, None, false);
    /// assert_eq!((g.src, g.dst), (vec![0], vec![1]));
    /// assert_eq!(report.outside_universe, 1);
    /// ```
    pub fn from_edges(
        edges: impl IntoIterator<Item = Edge>,
        universe: &[SystematicName],
        score: Option<&str>,
        directed: bool,
    ) -> (Self, GraphReport) {
        let index: HashMap<&SystematicName, u32> = universe
            .iter()
            .enumerate()
            .map(|(i, g)| (g, i as u32))
            .collect();
        let mut report = GraphReport::default();
        let mut seen = BTreeSet::new();
        let mut graph = Self {
            src: vec![],
            dst: vec![],
            weight: vec![],
        };
        for edge in edges {
            report.edges_in += 1;
            let (Some(&a), Some(&b)) = (index.get(&edge.a), index.get(&edge.b)) else {
                report.outside_universe += 1;
                continue;
            };
            if a == b {
                report.self_loops += 1;
                continue;
            }
            let (a, b) = if directed {
                (a, b)
            } else {
                (a.min(b), a.max(b))
            };
            if !seen.insert((a, b)) {
                report.duplicates += 1;
                continue;
            }
            let weight = match score {
                Some(name) => edge.scores.get(name).copied(),
                None if edge.scores.len() == 1 => edge.scores.values().next().copied(),
                None => None,
            };
            graph.src.push(a);
            graph.dst.push(b);
            graph.weight.push(weight.map_or(f32::NAN, |w| w as f32));
        }
        report.edges_kept = graph.src.len();
        report.genes_covered = graph
            .src
            .iter()
            .chain(&graph.dst)
            .collect::<BTreeSet<_>>()
            .len();
        (graph, report)
    }

    /// The undirected networks in `paths` (any layout [`network::read`] knows, genes named as
    /// `reference` names them) over `universe`, each weighted by its only score.
    ///
    /// [`network::read`]: crate::features::network::read
    pub fn read_all(
        paths: &[std::path::PathBuf],
        reference: &ironcell_sources::reference::Reference,
        universe: &[SystematicName],
    ) -> Result<Vec<Self>, Error> {
        let names = ironcell_sources::names::GeneNames::new(&reference.genes);
        paths
            .iter()
            .map(|path| {
                let (edges, _) = crate::features::network::read(path, &names)?;
                Ok(Self::from_edges(edges, universe, None, false).0)
            })
            .collect()
    }

    /// Number of edges.
    pub fn len(&self) -> usize {
        self.src.len()
    }

    /// Whether there are no edges.
    pub fn is_empty(&self) -> bool {
        self.src.is_empty()
    }

    fn schema() -> Arc<Schema> {
        Arc::new(Schema::new(vec![
            Field::new("src", DataType::UInt32, false),
            Field::new("dst", DataType::UInt32, false),
            Field::new("weight", DataType::Float32, false),
        ]))
    }

    /// Writes the graph as Arrow IPC.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let schema = Self::schema();
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(UInt32Array::from(self.src.clone())),
                Arc::new(UInt32Array::from(self.dst.clone())),
                Arc::new(Float32Array::from(self.weight.clone())),
            ],
        )
        .map_err(|e| Error::arrow(path, e))?;
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut w = FileWriter::try_new(BufWriter::new(file), &schema)
            .map_err(|e| Error::arrow(path, e))?;
        w.write(&batch).map_err(|e| Error::arrow(path, e))?;
        w.finish().map_err(|e| Error::arrow(path, e))
    }

    /// Reads what [`Self::write`] wrote, checking every index against `genes` (the universe
    /// size).
    pub fn read(path: &Path, genes: usize) -> Result<Self, Error> {
        crate::instances::decoding(path, || Self::decode(path, genes))
    }

    fn decode(path: &Path, genes: usize) -> Result<Self, Error> {
        let (_, batches) = crate::instances::mapped_batches(path)?;
        let mut graph = Self {
            src: vec![],
            dst: vec![],
            weight: vec![],
        };
        for batch in batches {
            let column = |name: &str| {
                batch
                    .column_by_name(name)
                    .ok_or_else(|| Error::format(path, format!("no column {name:?}")))
            };
            let src = column("src")?
                .as_primitive_opt::<UInt32Type>()
                .ok_or_else(|| Error::format(path, "src is not uint32"))?;
            let dst = column("dst")?
                .as_primitive_opt::<UInt32Type>()
                .ok_or_else(|| Error::format(path, "dst is not uint32"))?;
            let weight = column("weight")?
                .as_primitive_opt::<Float32Type>()
                .ok_or_else(|| Error::format(path, "weight is not float32"))?;
            graph.src.extend(src.values().iter());
            graph.dst.extend(dst.values().iter());
            graph.weight.extend(weight.values().iter());
        }
        if let Some(&g) = graph
            .src
            .iter()
            .chain(&graph.dst)
            .find(|&&g| g as usize >= genes)
        {
            return Err(Error::format(
                path,
                format!("gene index {g} outside the dataset's {genes} genes"),
            ));
        }
        Ok(graph)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn edge(a: &str, b: &str, scores: &[(&str, f64)]) -> Edge {
        Edge {
            a: a.parse().unwrap(),
            b: b.parse().unwrap(),
            scores: scores
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect::<BTreeMap<_, _>>(),
            kind: None,
        }
    }

    #[test]
    fn maps_counts_and_round_trips() {
        let universe: Vec<SystematicName> = ["YAL001C", "YAL002W", "YAL003W"]
            .iter()
            .map(|g| g.parse().unwrap())
            .collect();
        let edges = [
            edge(
                "YAL003W",
                "YAL001C",
                &[("combined_score", 900.0), ("fusion", 0.0)],
            ),
            edge("YAL001C", "YAL003W", &[("combined_score", 100.0)]),
            edge("YAL002W", "YAL002W", &[]),
            edge("YAL002W", "YBR160W", &[]),
            edge("YAL001C", "YAL002W", &[]),
        ];
        let (g, report) =
            GeneGraph::from_edges(edges.clone(), &universe, Some("combined_score"), false);
        assert_eq!((g.src.clone(), g.dst.clone()), (vec![0, 0], vec![2, 1]));
        assert_eq!(g.weight[0], 900.0);
        assert!(g.weight[1].is_nan());
        assert_eq!(
            report,
            GraphReport {
                edges_in: 5,
                edges_kept: 2,
                outside_universe: 1,
                self_loops: 1,
                duplicates: 1,
                genes_covered: 3,
            }
        );
        // Directed: both directions of the first pair are kept.
        let (d, _) = GeneGraph::from_edges(edges, &universe, Some("combined_score"), true);
        assert_eq!(d.len(), 3);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.arrow");
        g.write(&path).unwrap();
        let back = GeneGraph::read(&path, 3).unwrap();
        assert_eq!((back.src, back.dst), (g.src, g.dst));
        let e = GeneGraph::read(&path, 2).unwrap_err().to_string();
        assert!(e.contains("outside the dataset's 2 genes"), "{e}");
    }
}
