//! The logical property-graph schema, shared by every backend: which nodes and edges an
//! experiment or the reference becomes. Backends only write [`Subgraph`]s, so the SQLite and
//! Neo4j stores hold the same graph by construction.
//!
//! ```text
//! (Perturbation)-[:PERTURBATION_MEMBER_OF]->(Genotype)-[:GENOTYPE_MEMBER_OF]->(Experiment)
//! (Perturbation)-[:PERTURBS]->(Gene)-[:ANNOTATED_TO]->(GoTerm)-[:IS_A|PART_OF]->(GoTerm)
//! (Media)-[:MEDIA_MEMBER_OF]->(Environment)<-[:TEMPERATURE_MEMBER_OF]-(Temperature)
//! (Environment)-[:ENVIRONMENT_MEMBER_OF]->(Experiment)<-[:PHENOTYPE_MEMBER_OF]-(Phenotype)
//! (ExperimentReference)-[:REFERENCE_OF]->(Experiment)-[:EXPERIMENT_MEMBER_OF]->(Dataset)
//! (Publication)-[:MENTIONS]->(Experiment)
//! (Gene)-[:INTERACTS_IN]->(Interaction)-[:INTERACTION_MEMBER_OF]->(Network)
//! ```
//!
//! A network's edge is a node of its own (`Interaction`, one per network and gene pair)
//! rather than a gene–gene relationship, so two networks linking the same genes stay two
//! facts with their own weights on both backends (SQLite keys an edge by its endpoints and
//! type; Neo4j `MERGE` would fold them into one).
//!
//! Every node has an `id` (a content address, or the natural key of genes, GO terms,
//! datasets, media and temperatures) and scalar properties; objects that are not flat keep
//! their canonical JSON in a `json` property, which is what reads decode.

use ironcell_core::{
    ContentId, Environment, Experiment, ExperimentReference, Genotype, Perturbation, Phenotype,
    Provenance, Publication,
};
use ironcell_sources::{networks, reference::Reference};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Node labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    /// A gene, by systematic name.
    Gene,
    /// A GO term, by GO id.
    GoTerm,
    /// A dataset, by name.
    Dataset,
    /// A paper.
    Publication,
    /// One measurement.
    Experiment,
    /// The wild type an experiment is measured against.
    ExperimentReference,
    /// A canonical set of perturbations.
    Genotype,
    /// One perturbed gene.
    Perturbation,
    /// Medium and temperature.
    Environment,
    /// A growth medium.
    Media,
    /// A temperature.
    Temperature,
    /// A measured value of some kind.
    Phenotype,
    /// A gene network, by name.
    Network,
    /// One edge of a network.
    Interaction,
}

impl Label {
    /// Every label, in a stable order.
    pub const ALL: [Self; 14] = [
        Self::Gene,
        Self::GoTerm,
        Self::Dataset,
        Self::Publication,
        Self::Experiment,
        Self::ExperimentReference,
        Self::Genotype,
        Self::Perturbation,
        Self::Environment,
        Self::Media,
        Self::Temperature,
        Self::Phenotype,
        Self::Network,
        Self::Interaction,
    ];

    /// The label as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gene => "Gene",
            Self::GoTerm => "GoTerm",
            Self::Dataset => "Dataset",
            Self::Publication => "Publication",
            Self::Experiment => "Experiment",
            Self::ExperimentReference => "ExperimentReference",
            Self::Genotype => "Genotype",
            Self::Perturbation => "Perturbation",
            Self::Environment => "Environment",
            Self::Media => "Media",
            Self::Temperature => "Temperature",
            Self::Phenotype => "Phenotype",
            Self::Network => "Network",
            Self::Interaction => "Interaction",
        }
    }
}

/// A node to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its label.
    pub label: Label,
    /// Its identity.
    pub id: String,
    /// Scalar properties (and `json` for nested objects).
    pub props: Map<String, Value>,
}

/// An edge to write; endpoints carry their labels so stores can find them by index.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Source label.
    pub src_label: Label,
    /// Source id.
    pub src: String,
    /// Relationship type.
    pub rel: &'static str,
    /// Destination label.
    pub dst_label: Label,
    /// Destination id.
    pub dst: String,
    /// Properties.
    pub props: Map<String, Value>,
}

/// Nodes and edges to write together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subgraph {
    /// Nodes, possibly repeated (stores merge them by id).
    pub nodes: Vec<Node>,
    /// Edges, possibly repeated.
    pub edges: Vec<Edge>,
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Subgraph {
    fn node(&mut self, label: Label, id: &str, props: Value) {
        self.nodes.push(Node {
            label,
            id: id.to_owned(),
            props: object(props),
        });
    }

    fn edge(&mut self, src: (Label, &str), rel: &'static str, dst: (Label, &str), props: Value) {
        self.edges.push(Edge {
            src_label: src.0,
            src: src.1.to_owned(),
            rel,
            dst_label: dst.0,
            dst: dst.1.to_owned(),
            props: object(props),
        });
    }

    /// The genes, GO terms, their hierarchy and the annotations of a reference.
    pub fn of_reference(reference: &Reference) -> Self {
        let mut g = Self::default();
        for gene in &reference.genes {
            g.node(
                Label::Gene,
                gene.systematic_name.as_str(),
                json!({
                    "standard_name": gene.standard_name,
                    "chromosome": gene.chromosome,
                    "start": gene.start,
                    "end": gene.end,
                    "essential": gene.essential,
                }),
            );
        }
        for t in &reference.terms {
            g.node(
                Label::GoTerm,
                &t.id,
                json!({"name": t.name, "namespace": t.namespace.as_str()}),
            );
            for (rel, parents) in [("IS_A", &t.is_a), ("PART_OF", &t.part_of)] {
                for p in parents {
                    g.edge((Label::GoTerm, &t.id), rel, (Label::GoTerm, p), json!({}));
                }
            }
        }
        for a in &reference.annotations {
            // One edge per gene–term pair; the bundle keeps every evidence code.
            g.edge(
                (Label::Gene, a.gene.as_str()),
                "ANNOTATED_TO",
                (Label::GoTerm, &a.term),
                json!({"evidence": a.evidence, "pmid": a.pmid}),
            );
        }
        g
    }

    /// A dataset's node saying what [`DatasetInfo`] says.
    pub fn of_dataset(name: &str, info: &DatasetInfo) -> Self {
        let mut g = Self::default();
        g.node(
            Label::Dataset,
            name,
            serde_json::to_value(info).expect("dataset info serializes to JSON"),
        );
        g
    }

    /// A network's node and, for each edge, its `Interaction` node linked to both genes
    /// (created bare when the reference is not stored yet). An undirected edge's id orders
    /// its genes, so `A B` and `B A` are one interaction; the first one written keeps its
    /// scores.
    pub fn add_network(&mut self, network: &Network<'_>) {
        self.node(
            Label::Network,
            network.name,
            json!({"directed": network.directed}),
        );
        for e in network.edges {
            let id = interaction_id(network, e);
            let props = json!({
                "network": network.name,
                "a": e.a.as_str(),
                "b": e.b.as_str(),
                "scores": (!e.scores.is_empty()).then(|| to_json(&e.scores)),
                "kind": e.kind,
            });
            self.node(Label::Interaction, &id, props);
            for gene in [&e.a, &e.b] {
                self.node(Label::Gene, gene.as_str(), json!({}));
                self.edge(
                    (Label::Gene, gene.as_str()),
                    "INTERACTS_IN",
                    (Label::Interaction, &id),
                    json!({}),
                );
            }
            self.edge(
                (Label::Interaction, &id),
                "INTERACTION_MEMBER_OF",
                (Label::Network, network.name),
                json!({}),
            );
        }
    }

    /// An experiment and its members; returns the experiment's id.
    pub fn add_experiment(&mut self, e: &Experiment) -> ContentId {
        let id = e.content_id();
        let eid = (Label::Experiment, id.as_str());
        self.node(Label::Experiment, id.as_str(), experiment_props(e));
        let dataset = self.add_dataset(&e.provenance);
        self.edge(
            eid,
            "EXPERIMENT_MEMBER_OF",
            (Label::Dataset, &dataset),
            json!({}),
        );
        let reference = self.add_reference(&e.reference);
        self.edge(
            (Label::ExperimentReference, reference.as_str()),
            "REFERENCE_OF",
            eid,
            json!({}),
        );
        if let Some(p) = e.provenance.publication() {
            let pid = self.add_publication(p);
            self.edge(
                (Label::Publication, pid.as_str()),
                "MENTIONS",
                eid,
                json!({}),
            );
        }
        let genotype = self.add_genotype(&e.genotype);
        self.edge(
            (Label::Genotype, genotype.as_str()),
            "GENOTYPE_MEMBER_OF",
            eid,
            json!({}),
        );
        let environment = self.add_environment(&e.environment);
        self.edge(
            (Label::Environment, environment.as_str()),
            "ENVIRONMENT_MEMBER_OF",
            eid,
            json!({}),
        );
        let phenotype = self.add_phenotype(&e.phenotype);
        self.edge(
            (Label::Phenotype, phenotype.as_str()),
            "PHENOTYPE_MEMBER_OF",
            eid,
            json!({}),
        );
        id
    }

    /// The dataset node of a record's provenance; returns its id (the dataset's name).
    pub(crate) fn add_dataset(&mut self, provenance: &Provenance) -> String {
        let dataset = provenance.dataset();
        self.node(
            Label::Dataset,
            dataset,
            json!({"synthetic": provenance.is_synthetic()}),
        );
        dataset.to_owned()
    }

    /// The wild type's node; returns its id.
    pub(crate) fn add_reference(&mut self, reference: &ExperimentReference) -> ContentId {
        let id = reference.content_id();
        self.node(
            Label::ExperimentReference,
            id.as_str(),
            json!({"json": to_json(reference), "strain": reference.genome.strain}),
        );
        id
    }

    /// A paper's node; returns its id.
    pub(crate) fn add_publication(&mut self, p: &Publication) -> ContentId {
        let id = p.content_id();
        self.node(
            Label::Publication,
            id.as_str(),
            json!({"pubmed_id": p.pubmed_id(), "doi": p.doi_name()}),
        );
        id
    }

    /// A genotype's node with its perturbations; returns its id.
    pub(crate) fn add_genotype(&mut self, genotype: &Genotype) -> ContentId {
        let id = genotype.content_id();
        self.node(
            Label::Genotype,
            id.as_str(),
            json!({"size": genotype.len()}),
        );
        for p in genotype.perturbations() {
            let pid = self.add_perturbation(p);
            self.edge(
                (Label::Perturbation, pid.as_str()),
                "PERTURBATION_MEMBER_OF",
                (Label::Genotype, id.as_str()),
                json!({}),
            );
        }
        id
    }

    /// A perturbation's node and the gene it perturbs; returns its id.
    pub(crate) fn add_perturbation(&mut self, p: &Perturbation) -> ContentId {
        let pid = ContentId::of(p);
        self.node(
            Label::Perturbation,
            pid.as_str(),
            json!({
                "json": to_json(p),
                "gene": p.gene().as_str(),
                "kind": to_json(&p.kind()).trim_matches('"'),
                "name": p.name(),
                "strain": p.strain(),
            }),
        );
        // The gene may not be in the reference yet: the store creates it bare, and the
        // reference fills it in whenever it is stored.
        self.node(Label::Gene, p.gene().as_str(), json!({}));
        self.edge(
            (Label::Perturbation, pid.as_str()),
            "PERTURBS",
            (Label::Gene, p.gene().as_str()),
            json!({}),
        );
        pid
    }

    /// An environment's node with its medium and temperature; returns its id.
    pub(crate) fn add_environment(&mut self, environment: &Environment) -> ContentId {
        let id = ContentId::of(environment);
        let env = (Label::Environment, id.as_str());
        self.node(
            Label::Environment,
            id.as_str(),
            json!({"json": to_json(environment)}),
        );
        let media = &environment.media;
        let media_id = format!(
            "{}|{}",
            media.name,
            if media.solid { "solid" } else { "liquid" }
        );
        self.node(
            Label::Media,
            &media_id,
            json!({"name": media.name, "solid": media.solid}),
        );
        self.edge((Label::Media, &media_id), "MEDIA_MEMBER_OF", env, json!({}));
        let t = environment.temperature_c.to_string();
        self.node(
            Label::Temperature,
            &t,
            json!({"celsius": environment.temperature_c}),
        );
        self.edge(
            (Label::Temperature, &t),
            "TEMPERATURE_MEMBER_OF",
            env,
            json!({}),
        );
        id
    }

    /// A measured value's node (content-addressed, so equal values are one node); returns
    /// its id.
    pub(crate) fn add_phenotype(&mut self, phenotype: &Phenotype) -> ContentId {
        let id = ContentId::of(phenotype);
        self.node(
            Label::Phenotype,
            id.as_str(),
            json!({"json": to_json(phenotype), "type": phenotype.kind().as_str()}),
        );
        id
    }
}

/// An experiment node's properties: the record's own JSON (its reference is a node of its
/// own) and the scalars queries filter on.
pub(crate) fn experiment_props(e: &Experiment) -> Value {
    let stored = StoredExperiment {
        genotype: e.genotype.clone(),
        environment: e.environment.clone(),
        phenotype: e.phenotype.clone(),
        provenance: e.provenance.clone(),
    };
    json!({
        "json": to_json(&stored),
        "dataset": e.provenance.dataset(),
        "phenotype": e.phenotype.kind().as_str(),
        "temperature_c": e.environment.temperature_c,
        "environment": e.environment.to_string(),
        "size": e.genotype.len(),
    })
}

/// A gene network to store: the edges of one file, named.
#[derive(Debug, Clone, Copy)]
pub struct Network<'a> {
    /// Its name (e.g. the file's stem, `Krogan-2006`).
    pub name: &'a str,
    /// Whether an edge runs from `a` to `b` (regulatory networks) or both ways.
    pub directed: bool,
    /// Its edges.
    pub edges: &'a [networks::Edge],
}

impl Network<'_> {
    /// Its edges with their interaction ids, each interaction once (the first edge of a
    /// repeated pair kept).
    pub(crate) fn unique_edges(&self) -> Vec<(String, &networks::Edge)> {
        let mut seen = std::collections::HashSet::new();
        self.edges
            .iter()
            .map(|e| (interaction_id(self, e), e))
            .filter(|(id, _)| seen.insert(id.clone()))
            .collect()
    }
}

/// An interaction's id: the network and the two genes, ordered unless the network is
/// directed.
pub(crate) fn interaction_id(network: &Network<'_>, e: &networks::Edge) -> String {
    let (a, b) = if network.directed || e.a <= e.b {
        (&e.a, &e.b)
    } else {
        (&e.b, &e.a)
    };
    format!("{}|{a}|{b}", network.name)
}

/// Rebuilds an edge from an `Interaction` node's properties.
pub(crate) fn decode_interaction(
    a: &str,
    b: &str,
    scores: Option<&str>,
    kind: Option<String>,
) -> Result<networks::Edge, String> {
    let gene = |g: &str| {
        g.parse()
            .map_err(|e| format!("interaction gene {g:?}: {e}"))
    };
    Ok(networks::Edge {
        a: gene(a)?,
        b: gene(b)?,
        scores: match scores {
            Some(s) => serde_json::from_str(s).map_err(|e| format!("interaction scores: {e}"))?,
            None => Default::default(),
        },
        kind,
    })
}

/// What a dataset's node says beyond its experiments: whether it is synthetic, and what the
/// published source has that this copy lacks (so a user does not go looking for it).
///
/// ```
/// use ironcell_kg::schema::DatasetInfo;
/// let info = DatasetInfo {
///     absent: vec!["gene_interaction".into()],
///     note: Some("ε and τ are not in this subset".into()),
///     ..DatasetInfo::default()
/// };
/// assert!(!info.synthetic);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// Simulated, not measured.
    pub synthetic: bool,
    /// Phenotype kinds the publication reports but this dataset does not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<String>,
    /// A sentence for users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("domain types serialize to JSON")
}

/// An experiment's own properties as stored in its `json`; its reference is its own node.
#[derive(Serialize, Deserialize)]
struct StoredExperiment {
    genotype: Genotype,
    environment: Environment,
    phenotype: Phenotype,
    provenance: Provenance,
}

/// Rebuilds an experiment from the `json` of its node and of its reference's node.
pub(crate) fn decode_experiment(
    experiment: &str,
    reference: &str,
) -> Result<Experiment, serde_json::Error> {
    let s: StoredExperiment = serde_json::from_str(experiment)?;
    let reference: ExperimentReference = serde_json::from_str(reference)?;
    Ok(Experiment {
        genotype: s.genotype,
        environment: s.environment,
        phenotype: s.phenotype,
        reference,
        provenance: s.provenance,
    })
}
