//! The deep models: a gene encoder (gene features, an optional learnable vector per gene,
//! message passing over gene networks) and a head over a genotype's perturbed genes (DeepSet,
//! or a DANGO-style self-attention head), with many labels at once, each trained by a
//! regression loss or one of the regression-to-classification objectives of [`crate::loss`],
//! and fitness optionally composed from the single mutants' (the multiplicative null plus a
//! learned interaction).
//!
//! Why these shapes: on genes unseen in training a per-gene vector carries nothing, so what
//! transfers is what a gene *is* (features) and who its neighbours are (networks); an
//! interaction is a property of the set, which sum pooling (DeepSet) or attention between the
//! set's genes (DANGO: how much a gene's representation changes in the company of the others)
//! reads; and a fitness model that starts from f_a·f_b can only add to the null model it has
//! to beat.

mod gradients;
mod input;
mod labels;
mod learner;
mod neighbours;
mod net;
mod readout;
mod table;

pub use labels::LabelCodec;
pub(crate) use learner::{weights_from_bytes, weights_to_bytes};
pub use learner::{GeneSetLearner, Setup, Singles};
pub use neighbours::{hidden_genes, Memory, NeighbourInputs};
pub use net::Net;
pub use readout::Readout;
pub use table::{Adjacency, GeneTable, TableError};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::loss::{bins::Binning, Regression};

/// How a genotype's gene representations become its prediction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Head {
    /// ρ(Σ φ(h_g)): sum pooling of the genes' transformed representations.
    #[default]
    DeepSet,
    /// DeepSet beside bi-interaction pooling (Neural Factorization Machines):
    /// ρ(Σ φ(h_g) ‖ Σ_{g<g'} W h_g ⊙ W h_g'). For a pair the second half is the elementwise
    /// product of the two genes' projections, so ρ reads how alike they are — what a sum
    /// alone cannot say, and what a gene pair's interaction often rests on (two genes of one
    /// complex).
    Pairwise,
    /// Set Transformer: an induced set-attention block (ISAB, `inducing_points` learned
    /// queries; a plain self-attention block, SAB, with none) over the genes, then pooling by
    /// multi-head attention (PMA, one learned seed).
    SetTransformer,
    /// DANGO's hypergraph head: self-attention within the set; the interaction is read from
    /// how far each gene's in-context representation moves from its own, averaged.
    Dango,
}

/// The objective every label is trained by (fitness composed from single mutants always takes
/// the regression loss, MSE when a classification objective is chosen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Objective {
    /// Squared error on the standardised label.
    #[default]
    Mse,
    /// Huber loss on the standardised label.
    Huber {
        /// Where it turns linear, in standard deviations.
        #[serde(default = "one")]
        delta: f64,
    },
    /// log-cosh on the standardised label.
    LogCosh,
    /// Gaussian soft labels over bins, cross-entropy; the prediction is the expectation.
    Soft {
        /// Bins.
        #[serde(default = "bins")]
        bins: usize,
        /// Where their edges go.
        #[serde(default = "binning")]
        binning: Binning,
        /// The Gaussian's σ in widths of the bin the value falls in.
        #[serde(default = "one")]
        sigma: f64,
    },
    /// CORAL: K − 1 thresholds sharing one score, monotone biases.
    Coral {
        /// Bins.
        #[serde(default = "bins")]
        bins: usize,
        /// Where their edges go.
        #[serde(default = "binning")]
        binning: Binning,
    },
    /// A call (0 or 1: synthetic lethal or not): one logit, binary cross-entropy; the value
    /// predicted is the probability. Labels other than 0 and 1 are refused.
    Logistic,
    /// CORN: each threshold conditional on the one below.
    Corn {
        /// Bins.
        #[serde(default = "bins")]
        bins: usize,
        /// Where their edges go.
        #[serde(default = "binning")]
        binning: Binning,
    },
}

fn one() -> f64 {
    1.0
}
fn bins() -> usize {
    32
}
fn binning() -> Binning {
    Binning::EqualFrequency
}

impl Objective {
    /// The regression loss, for a regression objective.
    pub fn regression(self) -> Option<Regression> {
        match self {
            Self::Mse => Some(Regression::Mse),
            Self::Huber { delta } => Some(Regression::Huber { delta }),
            Self::LogCosh => Some(Regression::LogCosh),
            Self::Soft { .. } | Self::Coral { .. } | Self::Corn { .. } | Self::Logistic => None,
        }
    }

    /// The name in tables (`mse`, `soft`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Mse => "mse",
            Self::Huber { .. } => "huber",
            Self::LogCosh => "log_cosh",
            Self::Soft { .. } => "soft",
            Self::Coral { .. } => "coral",
            Self::Corn { .. } => "corn",
            Self::Logistic => "logistic",
        }
    }
}

/// A feature-space regulariser on the set representation, for the first label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Auxiliary {
    /// Ordinal entropy: λ_d · L_d (spread label groups apart) + λ_t · L_t (tighten each).
    /// The weights default to 0.01: on ε (BENCHMARKS.md) 1 collapsed the set representation
    /// to a constant, 0.1 still cost most of the correlation, 0.01 matched plain MSE.
    OrdinalEntropy {
        /// Weight of the diversity term.
        #[serde(default = "small")]
        lambda_d: f64,
        /// Weight of the tightness term.
        #[serde(default = "small")]
        lambda_t: f64,
        /// Label groups (equal-frequency bins of the training labels).
        #[serde(default = "groups")]
        groups: usize,
    },
    /// Rank-N-Contrast at temperature `tau`, weighted.
    RankNContrast {
        /// Its weight.
        #[serde(default = "one")]
        weight: f64,
        /// The temperature.
        #[serde(default = "tau")]
        tau: f64,
    },
}

fn small() -> f64 {
    0.01
}
fn groups() -> usize {
    10
}
fn tau() -> f64 {
    2.0
}

/// A gene-set model: inputs, architecture, objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneSetConfig {
    /// Gene features, as `baseline --features` names them (`codon`, `go:30`,
    /// `network:PATH`, `embedding:PATH`, …); columns are standardised over the genome.
    #[serde(default = "features")]
    pub features: Vec<String>,
    /// Gene networks to pass messages over (any layout `dataset graph` reads).
    #[serde(default)]
    pub graphs: Vec<std::path::PathBuf>,
    /// Rounds of message passing (with graphs; 0 for none).
    #[serde(default = "rounds")]
    pub rounds: usize,
    /// Per network, how linked the set's genes are: the share of its gene pairs that are
    /// neighbours and the mean Jaccard overlap of their neighbourhoods, read by ρ beside the
    /// pooled set (needs `graphs`). Two genes of one complex interact; these say so directly,
    /// where pooled representations can only hint at it.
    #[serde(default)]
    pub set_edges: bool,
    /// Networks (any layout `dataset graph` reads) along which each label's neighbour labels
    /// are read beside the set: the mean training label of the genotypes one gene swap away,
    /// and two swaps away, with the weight found (`ironcell_data::features::neighbour_labels`).
    /// The training genotypes and labels are kept with the model. A third of the training
    /// instances are shown with one gene, a third with every gene, treated as unseen, as a
    /// gene-disjoint test genotype's are.
    #[serde(default)]
    pub neighbour_labels: Vec<std::path::PathBuf>,
    /// A learnable vector per gene, added to the features' projection (starts at 0, so an
    /// unseen gene is its features).
    #[serde(default)]
    pub embedding: bool,
    /// Width of every hidden layer.
    #[serde(default = "hidden")]
    pub hidden: usize,
    /// The head.
    #[serde(default)]
    pub head: Head,
    /// Attention heads (the DANGO and Set Transformer heads).
    #[serde(default = "attention_heads")]
    pub attention_heads: usize,
    /// Learned inducing points of the Set Transformer's ISAB (0: SAB, every gene attends to
    /// every other; perturbed sets are small, so ISAB's saving matters only for large ones).
    #[serde(default = "inducing_points")]
    pub inducing_points: usize,
    /// The objective.
    #[serde(default)]
    pub objective: Objective,
    /// Labels predicted as Π f(single mutants) + the learned interaction (fitness).
    #[serde(default)]
    pub compose: Vec<String>,
    /// Loss weight per label (1 where not named).
    #[serde(default)]
    pub label_weights: BTreeMap<String, f64>,
    /// An auxiliary loss on the set representation.
    #[serde(default)]
    pub auxiliary: Option<Auxiliary>,
}

fn features() -> Vec<String> {
    vec!["codon".to_owned(), "go:30".to_owned()]
}
fn rounds() -> usize {
    1
}
fn hidden() -> usize {
    64
}
fn attention_heads() -> usize {
    4
}
fn inducing_points() -> usize {
    0
}

impl Default for GeneSetConfig {
    fn default() -> Self {
        Self {
            features: features(),
            graphs: Vec::new(),
            rounds: rounds(),
            set_edges: false,
            neighbour_labels: Vec::new(),
            embedding: false,
            hidden: hidden(),
            head: Head::default(),
            attention_heads: attention_heads(),
            inducing_points: inducing_points(),
            objective: Objective::default(),
            compose: Vec::new(),
            label_weights: BTreeMap::new(),
            auxiliary: None,
        }
    }
}

impl GeneSetConfig {
    /// The model in words, for cards and tables.
    pub fn describe(&self) -> String {
        let head = match self.head {
            Head::DeepSet => "DeepSet",
            Head::Pairwise => "DeepSet + bi-interaction pooling",
            Head::SetTransformer => "Set Transformer (ISAB + PMA)",
            Head::Dango => "DANGO head",
        };
        let mut s = format!(
            "{head} over gene features {}",
            if self.features.is_empty() {
                "(none)".to_owned()
            } else {
                self.features.join(", ")
            }
        );
        if self.embedding {
            s.push_str(" + a learnable vector per gene");
        }
        if !self.graphs.is_empty() {
            s.push_str(&format!(
                ", {} round(s) of message passing over {} network(s)",
                self.rounds,
                self.graphs.len()
            ));
        }
        if self.set_edges {
            s.push_str(", with the set's links and shared neighbours in each network");
        }
        if !self.neighbour_labels.is_empty() {
            s.push_str(&format!(
                ", with neighbour labels along {} network(s)",
                self.neighbour_labels.len()
            ));
        }
        s.push_str(&format!(
            ", width {}, objective {}",
            self.hidden,
            self.objective.name()
        ));
        if !self.compose.is_empty() {
            s.push_str(&format!(
                ", {} as Π single-mutant fitness + interaction",
                self.compose.join(", ")
            ));
        }
        s
    }
}
