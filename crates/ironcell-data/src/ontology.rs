//! The DCell ontology: GO filtered the way Ma et al. (2018) and TorchCell filter it, with a
//! single root and strata for layer-by-layer execution.
//!
//! Filters run in this order, each removing terms by reconnecting their children to all their
//! parents and handing their directly annotated genes to their parents, so no gene leaves the
//! hierarchy:
//! 1. evidence removal (IGI by default: genetic-interaction evidence would leak the labels);
//! 2. redundancy: a term whose contained gene set equals one of its children's;
//! 3. containment: a term with fewer than `min_genes` genes over itself and its descendants.
//!
//! Then every parentless term is put under one root, and terms get a stratum: leaves are 0, a
//! parent is one above its highest child, so executing strata in order sees every input ready.
//! Why written here rather than taken from a crate: these filters are DCell's own definition.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::Path,
};

use ironcell_core::SystematicName;
use ironcell_sources::{
    dcell_epsilon,
    reference::{Annotation, Reference},
};
use serde::{Deserialize, Serialize};

use crate::Error;

/// The id of the root added above BP, MF and CC.
pub const ROOT_ID: &str = "ROOT";

/// How wide a subsystem's hidden layer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WidthRule {
    /// max(20, ⌈0.3 · genes contained⌉), as in the DCell paper.
    #[default]
    Contained,
    /// max(20, ⌈0.3 · genes directly annotated⌉), as in TorchCell.
    Direct,
}

/// Options of the filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OntologyConfig {
    /// Containment threshold: terms with fewer genes are removed.
    pub min_genes: usize,
    /// Evidence codes whose annotations are dropped first.
    pub drop_evidence: Vec<String>,
    /// When set, the containment threshold counts only these genes: the paper's rule (6
    /// genes *disrupted in the available genotypes*). When unset, every annotated gene
    /// counts (TorchCell's rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containment_genes: Option<BTreeSet<SystematicName>>,
    /// When set, only annotations dated before this day (YYYYMMDD) are used, as the paper
    /// froze GO at a date; undated annotations are then dropped too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotated_before: Option<u32>,
}

impl Default for OntologyConfig {
    fn default() -> Self {
        Self {
            min_genes: 4,
            drop_evidence: vec!["IGI".to_owned()],
            containment_genes: None,
            annotated_before: None,
        }
    }
}

/// Counts after one filtering stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageCount {
    /// The stage's name.
    pub stage: String,
    /// Terms left.
    pub terms: usize,
    /// Direct gene–term annotations left.
    pub annotations: usize,
    /// Parent–child edges left.
    pub edges: usize,
}

/// One subsystem of the filtered ontology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subsystem {
    /// GO id, or [`ROOT_ID`].
    pub id: String,
    /// GO name.
    pub name: String,
    /// Indices of child subsystems (all in lower strata).
    pub children: Vec<usize>,
    /// Indices into [`DcellOntology::genes`] of the genes annotated directly.
    pub direct_genes: Vec<usize>,
    /// How many genes the subsystem contains, with its descendants.
    pub contained_genes: usize,
    /// 0 for leaves; a parent is one above its highest child.
    pub stratum: usize,
}

impl Subsystem {
    /// Hidden width under `rule`: max(20, ⌈0.3 · n⌉).
    pub fn width(&self, rule: WidthRule) -> usize {
        let n = match rule {
            WidthRule::Contained => self.contained_genes,
            WidthRule::Direct => self.direct_genes.len(),
        };
        20.max((0.3 * n as f64).ceil() as usize)
    }
}

/// The filtered ontology, subsystems ordered by stratum (the root last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcellOntology {
    /// The gene universe: every gene annotated somewhere, sorted.
    pub genes: Vec<SystematicName>,
    /// Subsystems by ascending stratum.
    pub subsystems: Vec<Subsystem>,
    /// Counts after each stage.
    pub stages: Vec<StageCount>,
    /// The options used.
    pub config: OntologyConfig,
}

impl DcellOntology {
    /// Number of strata.
    pub fn strata(&self) -> usize {
        self.subsystems.last().map_or(0, |s| s.stratum + 1)
    }

    /// Number of parent–child edges.
    pub fn edges(&self) -> usize {
        self.subsystems.iter().map(|s| s.children.len()).sum()
    }

    /// Number of subsystems without children.
    pub fn leaves(&self) -> usize {
        self.subsystems
            .iter()
            .filter(|s| s.children.is_empty())
            .count()
    }

    /// Each subsystem's contained genes (its own and its descendants'), sorted.
    pub fn contained_gene_sets(&self) -> Vec<Vec<usize>> {
        let mut sets: Vec<Vec<usize>> = Vec::with_capacity(self.subsystems.len());
        // Children precede parents, so one pass in order sees every child done.
        for s in &self.subsystems {
            let mut set: BTreeSet<usize> = s.direct_genes.iter().copied().collect();
            for &c in &s.children {
                set.extend(&sets[c]);
            }
            sets.push(set.into_iter().collect());
        }
        sets
    }

    /// Index of each gene in [`Self::genes`].
    pub fn gene_index(&self) -> HashMap<&SystematicName, usize> {
        self.genes.iter().enumerate().map(|(i, g)| (g, i)).collect()
    }

    /// For each of `genes` (another gene universe, e.g. a dataset's), its index in
    /// [`Self::genes`], or `None` for a gene outside the filtered GO.
    pub fn indices_of(&self, genes: &[SystematicName]) -> Vec<Option<usize>> {
        let index = self.gene_index();
        genes.iter().map(|g| index.get(g).copied()).collect()
    }
}

#[derive(Default, Clone)]
struct Node {
    name: String,
    parents: BTreeSet<String>,
    children: BTreeSet<String>,
    direct: BTreeSet<usize>,
}

struct Graph {
    nodes: BTreeMap<String, Node>,
    words: usize,
}

impl Graph {
    fn annotations(&self) -> usize {
        self.nodes.values().map(|n| n.direct.len()).sum()
    }

    fn edges(&self) -> usize {
        self.nodes.values().map(|n| n.children.len()).sum()
    }

    fn count(&self, stage: &str) -> StageCount {
        StageCount {
            stage: stage.to_owned(),
            terms: self.nodes.len(),
            annotations: self.annotations(),
            edges: self.edges(),
        }
    }

    /// Contained gene sets as bitsets, by post-order over the DAG.
    fn contained(&self) -> HashMap<String, Vec<u64>> {
        fn visit(g: &Graph, id: &str, memo: &mut HashMap<String, Vec<u64>>) {
            if memo.contains_key(id) {
                return;
            }
            let node = &g.nodes[id];
            let mut bits = vec![0u64; g.words];
            for &gene in &node.direct {
                bits[gene / 64] |= 1 << (gene % 64);
            }
            for child in &node.children {
                visit(g, child, memo);
                for (b, c) in bits.iter_mut().zip(&memo[child.as_str()]) {
                    *b |= c;
                }
            }
            memo.insert(id.to_owned(), bits);
        }
        let mut memo = HashMap::new();
        for id in self.nodes.keys() {
            visit(self, id, &mut memo);
        }
        memo
    }

    /// Removes `id`: children go to all its parents, direct genes too.
    fn remove(&mut self, id: &str) {
        let node = self.nodes.remove(id).expect("removed term exists");
        for p in &node.parents {
            let parent = self.nodes.get_mut(p).expect("parent exists");
            parent.children.remove(id);
            parent.children.extend(node.children.iter().cloned());
            parent.direct.extend(node.direct.iter().copied());
        }
        for c in &node.children {
            let child = self.nodes.get_mut(c).expect("child exists");
            child.parents.remove(id);
            child.parents.extend(node.parents.iter().cloned());
        }
    }

    /// Drops terms with no genes at all, which have nothing to model.
    fn prune_empty(&mut self) {
        let contained = self.contained();
        let empty: Vec<String> = contained
            .iter()
            .filter(|(_, bits)| bits.iter().all(|&w| w == 0))
            .map(|(id, _)| id.clone())
            .collect();
        for id in empty {
            self.remove(&id);
        }
    }
}

fn popcount(bits: &[u64]) -> usize {
    bits.iter().map(|w| w.count_ones() as usize).sum()
}

/// Builds the DCell ontology from a reference.
///
/// ```no_run
/// use ironcell_data::ontology::{build, OntologyConfig};
/// use ironcell_sources::data_dir::DataDir;
///
/// // The data directory's reference (`--data`, `$IRONCELL_DATA` or the user cache).
/// let reference = DataDir::resolve(None).reference()?.reference;
/// let ontology = build(&reference, &OntologyConfig::default());
/// println!("{} subsystems in {} strata", ontology.subsystems.len(), ontology.strata());
/// assert_eq!(ontology.subsystems.last().unwrap().id, "ROOT");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build(reference: &Reference, config: &OntologyConfig) -> DcellOntology {
    // The date cut-off comes first: a gene annotated only later is not in the universe.
    let annotations: Vec<&Annotation> = reference
        .annotations
        .iter()
        .filter(|a| match config.annotated_before {
            None => true,
            Some(day) => a.date.is_some_and(|d| d < day),
        })
        .collect();
    let gene_set: BTreeSet<&SystematicName> = annotations.iter().map(|a| &a.gene).collect();
    let genes: Vec<SystematicName> = gene_set.into_iter().cloned().collect();
    let gene_index: HashMap<&SystematicName, usize> =
        genes.iter().enumerate().map(|(i, g)| (g, i)).collect();

    let mut nodes: BTreeMap<String, Node> = reference
        .terms
        .iter()
        .filter(|t| !t.obsolete)
        .map(|t| {
            let node = Node {
                name: t.name.clone(),
                ..Node::default()
            };
            (t.id.clone(), node)
        })
        .collect();
    for t in reference.terms.iter().filter(|t| !t.obsolete) {
        for p in t.is_a.iter().chain(&t.part_of) {
            if nodes.contains_key(p) && p != &t.id {
                nodes
                    .get_mut(&t.id)
                    .expect("term exists")
                    .parents
                    .insert(p.clone());
                nodes
                    .get_mut(p)
                    .expect("parent exists")
                    .children
                    .insert(t.id.clone());
            }
        }
    }
    let mut graph = Graph {
        nodes,
        words: genes.len().div_ceil(64).max(1),
    };
    for a in &annotations {
        if let Some(node) = graph.nodes.get_mut(&a.term) {
            node.direct.insert(gene_index[&a.gene]);
        }
    }
    graph.prune_empty();
    let mut stages = vec![graph.count(&match config.annotated_before {
        None => "GO with annotated genes".to_owned(),
        Some(day) => format!("GO with genes annotated before {day}"),
    })];

    // 1. Evidence removal: a gene–term pair survives if any other evidence supports it.
    let mut kept: BTreeSet<(&str, usize)> = BTreeSet::new();
    for a in &annotations {
        if !config.drop_evidence.contains(&a.evidence) {
            kept.insert((a.term.as_str(), gene_index[&a.gene]));
        }
    }
    for (id, node) in graph.nodes.iter_mut() {
        node.direct.retain(|&g| kept.contains(&(id.as_str(), g)));
    }
    graph.prune_empty();
    stages.push(graph.count(&format!(
        "without {} evidence",
        config.drop_evidence.join("/")
    )));

    // 2. Redundancy.
    let contained = graph.contained();
    let ids: Vec<String> = graph.nodes.keys().cloned().collect();
    for id in ids {
        let redundant = graph.nodes[&id]
            .children
            .iter()
            .any(|c| contained[c.as_str()] == contained[id.as_str()]);
        if redundant {
            graph.remove(&id);
        }
    }
    stages.push(graph.count("without redundant terms"));

    // 3. Containment, smallest terms first: their genes move up before their parents are judged.
    // Counted over every gene, or over the genes the genotypes disrupt.
    let counted: Vec<u64> = match &config.containment_genes {
        None => vec![u64::MAX; graph.words],
        Some(set) => {
            let mut bits = vec![0u64; graph.words];
            for g in set.iter().filter_map(|g| gene_index.get(g)) {
                bits[g / 64] |= 1 << (g % 64);
            }
            bits
        }
    };
    let contained = graph.contained();
    let mut small: Vec<(usize, String)> = graph
        .nodes
        .keys()
        .map(|id| {
            let bits = &contained[id.as_str()];
            let n = bits
                .iter()
                .zip(&counted)
                .map(|(b, c)| (b & c).count_ones() as usize)
                .sum();
            (n, id.clone())
        })
        .filter(|(n, _)| *n < config.min_genes)
        .collect();
    small.sort();
    for (_, id) in small {
        graph.remove(&id);
    }
    stages.push(graph.count(&match &config.containment_genes {
        None => format!("with at least {} genes", config.min_genes),
        Some(_) => format!("with at least {} disrupted genes", config.min_genes),
    }));

    // Root above every parentless term.
    let tops: Vec<String> = graph
        .nodes
        .iter()
        .filter(|(_, n)| n.parents.is_empty())
        .map(|(id, _)| id.clone())
        .collect();
    let mut root = Node {
        name: "root".to_owned(),
        ..Node::default()
    };
    for t in &tops {
        graph
            .nodes
            .get_mut(t)
            .expect("top exists")
            .parents
            .insert(ROOT_ID.to_owned());
        root.children.insert(t.clone());
    }
    graph.nodes.insert(ROOT_ID.to_owned(), root);
    stages.push(graph.count("with the root"));

    // Strata by height, then order.
    let contained = graph.contained();
    let mut stratum: HashMap<String, usize> = HashMap::new();
    fn height(g: &Graph, id: &str, memo: &mut HashMap<String, usize>) -> usize {
        if let Some(&h) = memo.get(id) {
            return h;
        }
        let h = g.nodes[id]
            .children
            .iter()
            .map(|c| height(g, c, memo) + 1)
            .max()
            .unwrap_or(0);
        memo.insert(id.to_owned(), h);
        h
    }
    let mut order: Vec<(usize, String)> = graph
        .nodes
        .keys()
        .map(|id| (height(&graph, id, &mut stratum), id.clone()))
        .collect();
    order.sort();
    let position: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, (_, id))| (id.as_str(), i))
        .collect();
    let subsystems = order
        .iter()
        .map(|(s, id)| {
            let node = &graph.nodes[id];
            Subsystem {
                id: id.clone(),
                name: node.name.clone(),
                children: node.children.iter().map(|c| position[c.as_str()]).collect(),
                direct_genes: node.direct.iter().copied().collect(),
                contained_genes: popcount(&contained[id.as_str()]),
                stratum: *s,
            }
        })
        .collect();
    DcellOntology {
        genes,
        subsystems,
        stages,
        config: config.clone(),
    }
}

/// DCell's ontology as a published topology gives it ([`dcell_epsilon::read_topology`]): its
/// terms, genes and children as they are, no filtering (the authors' subtrees come
/// filtered). The first term is the root; it takes [`ROOT_ID`] as its id, so the model lays it
/// out as the root it is, and keeps its GO id as its name.
pub fn from_topology(terms: &[dcell_epsilon::Term], source: &Path) -> Result<DcellOntology, Error> {
    let root = terms
        .first()
        .ok_or_else(|| Error::format(source, "a topology without terms"))?;
    let index: HashMap<&str, usize> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    if index.len() != terms.len() {
        return Err(Error::format(source, "a term is listed twice"));
    }
    let mut children = Vec::with_capacity(terms.len());
    for t in terms {
        let mut of = Vec::with_capacity(t.children.len());
        for c in &t.children {
            of.push(*index.get(c.as_str()).ok_or_else(|| {
                Error::format(
                    source,
                    format!("{} names a child {c} that has no block", t.id),
                )
            })?);
        }
        children.push(of);
    }
    // Heights by repeated relaxation: a term is one above its highest child. A cycle would
    // keep raising them, so more rounds than terms is an error.
    let mut height = vec![0usize; terms.len()];
    for round in 0..=terms.len() {
        let mut changed = false;
        for t in 0..terms.len() {
            let h = children[t]
                .iter()
                .map(|&c| height[c] + 1)
                .max()
                .unwrap_or(0);
            if h != height[t] {
                height[t] = h;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        if round == terms.len() {
            return Err(Error::format(source, "the topology has a cycle"));
        }
    }
    if (1..terms.len()).any(|t| height[t] >= height[0]) {
        return Err(Error::format(
            source,
            format!("the first term, {}, is not above every other", root.id),
        ));
    }
    let gene_set: BTreeSet<&SystematicName> = terms.iter().flat_map(|t| &t.genes).collect();
    let genes: Vec<SystematicName> = gene_set.into_iter().cloned().collect();
    let gene_index: HashMap<&SystematicName, usize> =
        genes.iter().enumerate().map(|(i, g)| (g, i)).collect();
    let mut order: Vec<usize> = (0..terms.len()).collect();
    order.sort_by_key(|&t| (height[t], t != 0, terms[t].id.clone()));
    let position: Vec<usize> = {
        let mut p = vec![0; terms.len()];
        for (i, &t) in order.iter().enumerate() {
            p[t] = i;
        }
        p
    };
    let mut contained: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); terms.len()];
    for &t in &order {
        let mut set: BTreeSet<usize> = terms[t].genes.iter().map(|g| gene_index[g]).collect();
        for &c in &children[t] {
            set.extend(contained[c].iter().copied());
        }
        contained[t] = set;
    }
    let subsystems = order
        .iter()
        .map(|&t| Subsystem {
            id: if t == 0 {
                ROOT_ID.to_owned()
            } else {
                terms[t].id.clone()
            },
            name: terms[t].id.clone(),
            children: children[t].iter().map(|&c| position[c]).collect(),
            direct_genes: terms[t]
                .genes
                .iter()
                .map(|g| gene_index[g])
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            contained_genes: contained[t].len(),
            stratum: height[t],
        })
        .collect();
    Ok(DcellOntology {
        genes,
        subsystems,
        stages: vec![],
        config: OntologyConfig::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{annotation as ann, reference as fixture, term};

    /// A hand-built ontology with known answers (letters are genes):
    ///
    /// ```text
    /// T1
    /// ├── T2            E, and via T3: A B C D
    /// │   └── T3        D, and via T4: A B C
    /// │       └── T4    A B C            -> 3 < 4 genes: removed, A B C move to T3
    /// ├── T5            G                -> 1 < 4 genes: removed, G moves to T1
    /// └── T6            H, by IGI only   -> empty after IGI: removed
    /// ```
    fn reference() -> Reference {
        let terms = vec![
            term("GO:0000001", &[]),
            term("GO:0000002", &["GO:0000001"]),
            term("GO:0000003", &["GO:0000002"]),
            term("GO:0000004", &["GO:0000003"]),
            term("GO:0000005", &["GO:0000001"]),
            term("GO:0000006", &["GO:0000001"]),
        ];
        let mut annotations = vec![];
        for g in ["YAL001C", "YAL002W", "YAL003W"] {
            annotations.push(ann(g, "GO:0000004", "IMP"));
        }
        annotations.push(ann("YAL004W", "GO:0000003", "IDA"));
        annotations.push(ann("YAL005C", "GO:0000002", "IDA"));
        annotations.push(ann("YAL007C", "GO:0000005", "IMP"));
        annotations.push(ann("YAL008W", "GO:0000006", "IGI"));
        fixture(terms, annotations)
    }

    #[test]
    fn filters_give_the_known_answer() {
        let o = build(&reference(), &OntologyConfig::default());
        let counts: Vec<(usize, usize)> =
            o.stages.iter().map(|s| (s.terms, s.annotations)).collect();
        // 6 terms / 7 annotations; IGI empties T6; T3 (A..D) is not redundant with T4 (A..C)
        // nor T2 (A..E); T4 has 3 < 4 genes and T5 has 1: both removed, genes moved up.
        assert_eq!(counts, [(6, 7), (5, 6), (5, 6), (3, 6), (4, 6)]);
        let ids: Vec<&str> = o.subsystems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["GO:0000003", "GO:0000002", "GO:0000001", ROOT_ID]);
        assert_eq!(o.strata(), 4);
        // T3 received T4's three genes; T1 received T5's gene.
        assert_eq!(o.subsystems[0].direct_genes.len(), 4);
        assert_eq!(o.subsystems[2].direct_genes.len(), 1);
        assert_eq!(o.subsystems[2].contained_genes, 6);
        assert_eq!(o.subsystems[3].children, [2]);
    }

    #[test]
    fn redundant_parent_is_removed_and_children_rewired() {
        let mut r = reference();
        // Give T2 no gene of its own: its set then equals T3's.
        r.annotations.retain(|a| a.term != "GO:0000002");
        let o = build(&r, &OntologyConfig::default());
        assert!(o.subsystems.iter().all(|s| s.id != "GO:0000002"));
        let t1 = o.subsystems.iter().find(|s| s.id == "GO:0000001").unwrap();
        let t3 = o
            .subsystems
            .iter()
            .position(|s| s.id == "GO:0000003")
            .unwrap();
        assert_eq!(t1.children, [t3]);
    }

    #[test]
    fn containment_can_count_only_disrupted_genes() {
        // Only A, B, D and E are disrupted: T4 counts 2 and T3 3 (C does not count), both
        // under 4; T2 and T1 count 4.
        let disrupted = ["YAL001C", "YAL002W", "YAL004W", "YAL005C"]
            .map(|g| g.parse::<SystematicName>().unwrap())
            .into_iter()
            .collect();
        let config = OntologyConfig {
            min_genes: 4,
            containment_genes: Some(disrupted),
            ..OntologyConfig::default()
        };
        let o = build(&reference(), &config);
        let ids: Vec<&str> = o.subsystems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["GO:0000002", "GO:0000001", ROOT_ID]);
        assert_eq!(o.stages[3].stage, "with at least 4 disrupted genes");
        // Every gene stays in the hierarchy, disrupted or not.
        assert_eq!(o.subsystems[0].contained_genes, 5);
    }

    #[test]
    fn a_date_cut_off_keeps_earlier_annotations_only() {
        let mut r = reference();
        // A B C annotated in 2010, everything else in 2020 or undated.
        for a in &mut r.annotations {
            a.date = match a.gene.as_str() {
                "YAL001C" | "YAL002W" | "YAL003W" => Some(20100101),
                "YAL004W" => None,
                _ => Some(20200101),
            };
        }
        let config = OntologyConfig {
            min_genes: 3,
            annotated_before: Some(20150101),
            ..OntologyConfig::default()
        };
        let o = build(&r, &config);
        assert_eq!(o.genes.len(), 3);
        assert_eq!(o.stages[0].stage, "GO with genes annotated before 20150101");
        // T4 (A B C) is the only annotated term; its ancestors hold nothing of their own.
        let ids: Vec<&str> = o.subsystems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["GO:0000004", ROOT_ID]);
    }

    #[test]
    fn width_rules() {
        let s = Subsystem {
            id: "x".into(),
            name: "x".into(),
            children: vec![],
            direct_genes: (0..10).collect(),
            contained_genes: 100,
            stratum: 0,
        };
        assert_eq!(s.width(WidthRule::Contained), 30);
        assert_eq!(s.width(WidthRule::Direct), 20);
    }

    #[test]
    fn a_published_topology_is_taken_as_it_is() {
        let text = "ROOT: GO:0000001 4\nGENES: YAL001C\nTERMS: GO:0000002 GO:0000003\n\
ROOT: GO:0000002 2\nGENES: YAL002W\nTERMS: GO:0000003\n\
ROOT: GO:0000003 2\nGENES: YAL003W YAL004W\nTERMS:\n";
        let terms = dcell_epsilon::read_topology(text.as_bytes(), "t").unwrap();
        let o = from_topology(&terms, Path::new("t")).unwrap();
        let ids: Vec<&str> = o.subsystems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["GO:0000003", "GO:0000002", ROOT_ID]);
        assert_eq!(o.subsystems[2].name, "GO:0000001");
        assert_eq!(o.strata(), 3);
        assert_eq!(o.subsystems[2].children, [1, 0]);
        assert_eq!(o.subsystems[2].contained_genes, 4);
        assert_eq!(o.genes.len(), 4);
        let cycle =
            "ROOT: GO:1 1\nGENES: YAL001C\nTERMS: GO:2\nROOT: GO:2 1\nGENES:\nTERMS: GO:1\n";
        let terms = dcell_epsilon::read_topology(cycle.as_bytes(), "t").unwrap();
        assert!(from_topology(&terms, Path::new("t")).is_err());
    }
}
