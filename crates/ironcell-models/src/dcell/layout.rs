//! Where each subsystem reads its inputs, writes its outputs and keeps its parameters.
//!
//! Both engines (the CPU stratum kernel and the grouped burn model) are built from one
//! [`Layout`] and one flat parameter vector, so a model trained by one can be run by the other
//! and the parity tests can hand the same numbers to an independent reference.
//!
//! Rows of the *source* (feature-major activations, one row per feature, `batch` columns):
//! `0..genes` are the gene states, then every subsystem's hidden outputs in execution order.
//! Per subsystem t with k inputs, width w and L labels, its parameters are, in this order:
//! weight `[w × k]` (row-major), batch-norm scale γ `[w]`, shift β `[w]`, auxiliary head
//! `[L × w]` and head bias `[L]`.

use std::ops::Range;

use ironcell_data::ontology::{DcellOntology, ROOT_ID};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{DcellConfig, DcellSize};

/// One subsystem's place in the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Source rows read, in order: the children's outputs, then the direct genes.
    pub inputs: Vec<u32>,
    /// How many of the inputs come from children (the rest are gene states).
    pub child_inputs: usize,
    /// Hidden width.
    pub width: usize,
    /// First source row of the outputs.
    pub output_row: usize,
    /// Offset of the parameters in the flat vector.
    pub params: usize,
}

impl Term {
    /// Parameter ranges relative to [`Term::params`]: weight, γ, β, head, head bias.
    pub fn parts(&self, labels: usize) -> [Range<usize>; 5] {
        let (w, k) = (self.width, self.inputs.len());
        let weight = 0..w * k;
        let gamma = weight.end..weight.end + w;
        let beta = gamma.end..gamma.end + w;
        let head = beta.end..beta.end + labels * w;
        let bias = head.end..head.end + labels;
        [weight, gamma, beta, head, bias]
    }

    /// Number of parameters.
    pub fn parameter_count(&self, labels: usize) -> usize {
        self.width * (self.inputs.len() + 2 + labels) + labels
    }

    /// Rows of the source it writes.
    pub fn output_rows(&self) -> Range<usize> {
        self.output_row..self.output_row + self.width
    }
}

/// The whole model's layout. Terms are in execution order (by stratum, the root last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Input genes (the ontology's gene universe).
    pub genes: usize,
    /// Predicted labels (outputs of every head).
    pub labels: usize,
    /// Subsystems.
    pub terms: Vec<Term>,
    /// Per stratum, its range of terms.
    pub strata: Vec<Range<usize>>,
    /// Source rows: genes plus all hidden neurons.
    pub rows: usize,
    /// Length of the flat parameter vector.
    pub parameters: usize,
}

impl Layout {
    /// Lays out DCell over `ontology` with `labels` outputs per head.
    ///
    /// # Panics
    /// If `labels` is 0 or the ontology does not end with its root.
    pub fn new(ontology: &DcellOntology, config: &DcellConfig, labels: usize) -> Self {
        assert!(labels > 0, "DCell predicts at least one label");
        assert_eq!(
            ontology.subsystems.last().map(|s| s.id.as_str()),
            Some(ROOT_ID),
            "the ontology's last subsystem is its root"
        );
        let genes = ontology.genes.len();
        let (mut rows, mut params) = (genes, 0);
        let mut terms: Vec<Term> = Vec::with_capacity(ontology.subsystems.len());
        let mut strata: Vec<Range<usize>> = Vec::new();
        for (t, s) in ontology.subsystems.iter().enumerate() {
            let mut inputs: Vec<u32> = s
                .children
                .iter()
                .flat_map(|&c| terms[c].output_rows().map(|r| r as u32))
                .collect();
            let child_inputs = inputs.len();
            inputs.extend(s.direct_genes.iter().map(|&g| g as u32));
            let term = Term {
                inputs,
                child_inputs,
                width: s.width(config.width_rule),
                output_row: rows,
                params,
            };
            rows += term.width;
            params += term.parameter_count(labels);
            terms.push(term);
            match strata.last_mut() {
                Some(r) if ontology.subsystems[r.start].stratum == s.stratum => r.end = t + 1,
                _ => strata.push(t..t + 1),
            }
        }
        Self {
            genes,
            labels,
            terms,
            strata,
            rows,
            parameters: params,
        }
    }

    /// Each subsystem's children (indices of terms), recovered from its input rows.
    pub fn children(&self) -> Vec<Vec<usize>> {
        let mut owner = vec![usize::MAX; self.rows];
        for (t, term) in self.terms.iter().enumerate() {
            owner[term.output_rows()].fill(t);
        }
        self.terms
            .iter()
            .map(|term| {
                let mut children: Vec<usize> = term.inputs[..term.child_inputs]
                    .iter()
                    .map(|&r| owner[r as usize])
                    .collect();
                children.dedup();
                children
            })
            .collect()
    }

    /// Hidden neurons over all subsystems.
    pub fn neurons(&self) -> usize {
        self.rows - self.genes
    }

    /// The model's size (`groups` is 0: only the grouped burn model packs groups).
    pub fn size(&self) -> DcellSize {
        DcellSize {
            subsystems: self.terms.len(),
            strata: self.strata.len(),
            neurons: self.neurons(),
            parameters: self.parameters,
            groups: 0,
        }
    }

    /// Floating-point operations of one training step (forward + backward) on `batch`
    /// genotypes, counting the matrix products only (2·m·n·k each; three per layer).
    pub fn training_flops(&self, batch: usize) -> f64 {
        self.terms
            .iter()
            .map(|t| 6.0 * (t.width * (t.inputs.len() + self.labels)) as f64 * batch as f64)
            .sum()
    }

    /// The subsystems as the reference implementations read them (the PyTorch benchmark
    /// script and the NumPy parity reference): per subsystem, in execution order, the indices
    /// of its children, its directly annotated genes and its width.
    pub fn reference_terms(&self, ontology: &DcellOntology) -> Vec<serde_json::Value> {
        ontology
            .subsystems
            .iter()
            .zip(&self.terms)
            .map(|(s, t)| {
                serde_json::json!({"children": s.children, "genes": s.direct_genes, "width": t.width})
            })
            .collect()
    }

    /// Fresh parameters: weights and heads uniform in ±`init_scale`, γ = 1, β = 0, head
    /// biases `initial_output`, drawn in term order from `seed`.
    pub fn init_parameters(&self, config: &DcellConfig) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let scale = config.init_scale;
        let mut p = vec![0f32; self.parameters];
        for term in &self.terms {
            let [weight, gamma, _beta, head, bias] = term.parts(self.labels);
            let at = term.params;
            for range in [weight, head] {
                for v in &mut p[at + range.start..at + range.end] {
                    *v = rng.random_range(-scale..=scale) as f32;
                }
            }
            p[at + gamma.start..at + gamma.end].fill(1.0);
            p[at + bias.start..at + bias.end].fill(config.initial_output as f32);
        }
        p
    }
}
