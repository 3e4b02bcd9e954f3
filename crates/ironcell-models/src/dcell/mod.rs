//! DCell (Ma et al., Nature Methods 2018): a "visible" neural network whose hidden layers are
//! the subsystems of the GO hierarchy.
//!
//! Each subsystem t takes the outputs of its children concatenated with the binary states of
//! the genes annotated directly to it (1 = perturbed), and applies Linear → BatchNorm → Tanh
//! with width max(20, ⌈0.3·genes(t)⌉). Every subsystem has an auxiliary linear head (one
//! output per label); the root's head is the prediction. Loss = MSE(root) + α · (mean or sum
//! over t ≠ root of MSE(head_t)). No bias precedes the batch norm: in training mode it
//! cancels exactly.
//!
//! Two engines run the same [`Layout`] and flat parameters:
//! - [`kernel`], the CPU engine: per stratum, all subsystems in parallel, each a few
//!   exact-size GEMMs with a hand-written backward (f32, or f64 for the parity tests);
//! - [`grouped`], a burn module for GPU backends: each stratum packed into a few padded
//!   batched matmuls, differentiated by burn's autodiff.
//!
//! ```
//! use std::sync::Arc;
//! use ironcell_data::fixtures::{annotation, reference, term};
//! use ironcell_data::ontology::{build, OntologyConfig};
//! use ironcell_models::dcell::{kernel::{Mode, Model}, DcellConfig, Layout};
//!
//! let go = reference(
//!     vec![term("GO:0000001", &[]), term("GO:0000002", &["GO:0000001"])],
//!     vec![annotation("YAL001C", "GO:0000002", "IMP"), annotation("YAL002W", "GO:0000001", "IMP")],
//! );
//! let filters = OntologyConfig { min_genes: 1, drop_evidence: vec![], ..Default::default() };
//! let ontology = build(&go, &filters);
//! let config = DcellConfig::default();
//! let layout = Arc::new(Layout::new(&ontology, &config, 1));
//! let params = layout.init_parameters(&config);
//! let model = Model::new(layout, params, config.alpha, config.aux_reduction);
//! let genotypes: Vec<Vec<usize>> = vec![vec![0], vec![1], vec![0, 1]];
//! let act = model.forward(&genotypes, Mode::Training);
//! let (loss, grads) = model.backward(&act, &[1.0, 0.5, 0.1]);
//! assert!(loss > 0.0 && grads.len() == model.params().len());
//! ```

pub mod gemm;
pub mod grouped;
pub mod kernel;
pub mod layout;
pub mod real;
pub mod rlipp;
pub mod saved;

pub use layout::Layout;

use ironcell_data::ontology::WidthRule;
use serde::{Deserialize, Serialize};

/// How the auxiliary losses of the non-root subsystems are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuxReduction {
    /// α · mean over subsystems (TorchCell).
    #[default]
    Mean,
    /// α · sum over subsystems (the paper's equation).
    Sum,
}

/// DCell's hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DcellConfig {
    /// How subsystem widths are computed.
    pub width_rule: WidthRule,
    /// Weights start uniform in ±`init_scale`.
    pub init_scale: f64,
    /// Weight of the auxiliary losses.
    pub alpha: f64,
    /// How the auxiliary losses are combined.
    pub aux_reduction: AuxReduction,
    /// Seed of the initial weights.
    pub seed: u64,
    /// Largest padded/real weight-area ratio tolerated when packing a group (grouped
    /// engine only).
    pub max_padding: f64,
    /// Initial bias of every head: the training labels' mean starts predictions where the
    /// data is instead of at 0, which saves epochs when fitness is near 1.
    pub initial_output: f64,
}

impl Default for DcellConfig {
    fn default() -> Self {
        Self {
            width_rule: WidthRule::Contained,
            init_scale: 0.001,
            alpha: 0.3,
            aux_reduction: AuxReduction::Mean,
            seed: 0,
            max_padding: 1.5,
            initial_output: 0.0,
        }
    }
}

/// Sizes of a built model, for comparison with the paper and TorchCell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcellSize {
    /// Subsystems, root included.
    pub subsystems: usize,
    /// Strata.
    pub strata: usize,
    /// Hidden neurons over all subsystems.
    pub neurons: usize,
    /// Trainable parameters (unpadded).
    pub parameters: usize,
    /// Packed groups (batched matmuls per forward; grouped engine only).
    pub groups: usize,
}

#[cfg(test)]
pub(crate) mod test_support {
    use ironcell_data::{
        fixtures::{annotation, reference, term},
        ontology::{build, DcellOntology, OntologyConfig},
    };

    /// Seven terms in three strata over eight genes, sizes chosen so groups need padding
    /// and a term (GO:0000005) has two parents.
    pub(crate) fn tiny_ontology() -> DcellOntology {
        let annotations = [
            ("YAL001C", "GO:0000004"),
            ("YAL002W", "GO:0000004"),
            ("YAL003W", "GO:0000005"),
            ("YAL004W", "GO:0000005"),
            ("YAL005C", "GO:0000005"),
            ("YAL007C", "GO:0000006"),
            ("YAL008W", "GO:0000002"),
            ("YAL009W", "GO:0000003"),
        ]
        .map(|(gene, t)| annotation(gene, t, "IMP"));
        let reference = reference(
            vec![
                term("GO:0000001", &[]),
                term("GO:0000002", &["GO:0000001"]),
                term("GO:0000003", &["GO:0000001"]),
                term("GO:0000004", &["GO:0000002"]),
                term("GO:0000005", &["GO:0000002", "GO:0000003"]),
                term("GO:0000006", &["GO:0000003"]),
            ],
            annotations.to_vec(),
        );
        build(
            &reference,
            &OntologyConfig {
                min_genes: 1,
                drop_evidence: vec![],
                ..OntologyConfig::default()
            },
        )
    }
}
