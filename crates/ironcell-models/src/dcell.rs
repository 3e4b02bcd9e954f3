//! DCell (Ma et al., Nature Methods 2018): a "visible" neural network whose hidden layers are
//! the subsystems of the GO hierarchy.
//!
//! Each subsystem t takes the outputs of its children concatenated with the binary states of
//! the genes annotated directly to it (1 = perturbed), and applies Linear → BatchNorm → Tanh
//! with width max(20, ⌈0.3·genes(t)⌉). Every subsystem has an auxiliary linear head; the
//! root's head is the prediction. Loss = MSE(root) + α · mean over t ≠ root of MSE(aux_t).
//!
//! # Execution by stratum
//! Subsystems of one stratum do not feed each other, so they run together: subsystems of a
//! stratum are packed into a few groups of similar size, each group one batched matmul over
//! padded weights `[T, max_out, max_in]`. Padding is masked so it holds exact zeros and gets
//! zero gradients. Inputs are gathered with one `select` per stratum from a growing source
//! `[zero | gene states | outputs of earlier strata]`, kept feature-major (`[features,
//! batch]`) so that gathering and appending are row copies. This replaces thousands of tiny
//! layers (whose per-op overhead dominates on every backend) with a few dozen ops.
//! No bias precedes the batch norm: in training mode it cancels exactly.

use burn::{
    module::{Ignored, Module, Param},
    nn::{BatchNorm, BatchNormConfig},
    prelude::*,
};
use ironcell_data::ontology::{DcellOntology, WidthRule, ROOT_ID};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// DCell's hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DcellConfig {
    /// How subsystem widths are computed.
    pub width_rule: WidthRule,
    /// Weights start uniform in ±`init_scale`.
    pub init_scale: f64,
    /// Weight of the auxiliary losses.
    pub alpha: f64,
    /// Seed of the initial weights.
    pub seed: u64,
    /// Largest padded/real weight-area ratio tolerated when packing a group.
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
    /// Packed groups (batched matmuls per forward).
    pub groups: usize,
}

/// A group of subsystems of one stratum, executed as one batched matmul.
#[derive(Module, Debug)]
pub struct Group<B: Backend> {
    /// `[T, max_out, max_in]`.
    weight: Param<Tensor<B, 3>>,
    /// Batch norm over the `T · max_out` flattened neurons.
    norm: BatchNorm<B>,
    /// Auxiliary heads `[T, 1, max_out]`.
    aux_weight: Param<Tensor<B, 3>>,
    /// Auxiliary biases `[T]`.
    aux_bias: Param<Tensor<B, 1>>,
    /// 1 where a weight is real, 0 where it is padding: `[T, max_out, max_in]`.
    weight_mask: Tensor<B, 3>,
    /// 1 for real neurons: `[T, max_out]` flattened.
    out_mask: Tensor<B, 1>,
    shape: Ignored<GroupShape>,
}

#[derive(Debug, Clone, Copy)]
struct GroupShape {
    terms: usize,
    max_in: usize,
    max_out: usize,
    /// Offset of this group's inputs within its stratum's gathered inputs.
    input_offset: usize,
}

/// DCell over one ontology.
#[derive(Module, Debug)]
pub struct Dcell<B: Backend> {
    groups: Vec<Group<B>>,
    /// Per stratum: source indices of all its groups' inputs, concatenated.
    stratum_inputs: Vec<Tensor<B, 1, Int>>,
    /// Per stratum: the range of its groups.
    stratum_groups: Ignored<Vec<(usize, usize)>>,
    genes: usize,
    alpha: f64,
    size: Ignored<DcellSize>,
}

/// Forward outputs.
#[derive(Debug, Clone)]
pub struct DcellOutput<B: Backend> {
    /// The root's prediction, `[batch]`.
    pub prediction: Tensor<B, 1>,
    /// Auxiliary predictions of every non-root subsystem, `[subsystems - 1, batch]`.
    pub auxiliary: Tensor<B, 2>,
}

struct Plan {
    term: usize,
    inputs: Vec<usize>,
    width: usize,
}

impl DcellConfig {
    /// Builds DCell over `ontology`, whose gene universe indexes the model's input.
    pub fn init<B: Backend>(&self, ontology: &DcellOntology, device: &B::Device) -> Dcell<B> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let subsystems = &ontology.subsystems;
        let widths: Vec<usize> = subsystems
            .iter()
            .map(|s| s.width(self.width_rule))
            .collect();
        // Source layout: 0 = zero column, 1..=G gene states, then group outputs in order.
        let n_genes = ontology.genes.len();
        let mut neuron_of: Vec<Vec<usize>> = vec![Vec::new(); subsystems.len()];
        let mut source_len = 1 + n_genes;
        let mut groups = Vec::new();
        let mut stratum_inputs = Vec::new();
        let mut stratum_groups = Vec::new();
        let mut size = DcellSize {
            subsystems: subsystems.len(),
            strata: ontology.strata(),
            neurons: widths.iter().sum(),
            parameters: 0,
            groups: 0,
        };
        let mut start = 0;
        while start < subsystems.len() {
            let stratum = subsystems[start].stratum;
            let end = subsystems[start..]
                .iter()
                .position(|s| s.stratum != stratum)
                .map_or(subsystems.len(), |p| start + p);
            let mut plans: Vec<Plan> = (start..end)
                .map(|t| {
                    let s = &subsystems[t];
                    let mut inputs: Vec<usize> = s
                        .children
                        .iter()
                        .flat_map(|&c| neuron_of[c].iter().copied())
                        .collect();
                    inputs.extend(s.direct_genes.iter().map(|&g| 1 + g));
                    Plan {
                        term: t,
                        inputs,
                        width: widths[t],
                    }
                })
                .collect();
            plans.sort_by_key(|p| (p.inputs.len(), p.width));
            let first_group = groups.len();
            let mut indices: Vec<i64> = Vec::new();
            let mut i = 0;
            while i < plans.len() {
                let (mut max_in, mut max_out, mut real) = (0, 0, 0);
                let mut j = i;
                while j < plans.len() {
                    let p = &plans[j];
                    let (mi, mo) = (max_in.max(p.inputs.len().max(1)), max_out.max(p.width));
                    let r = real + p.inputs.len().max(1) * p.width;
                    if j > i && ((j - i + 1) * mi * mo) as f64 > self.max_padding * r as f64 {
                        break;
                    }
                    (max_in, max_out, real) = (mi, mo, r);
                    j += 1;
                }
                let members = &plans[i..j];
                let t_count = members.len();
                let input_offset = indices.len();
                let mut weight = vec![0f32; t_count * max_in * max_out];
                let mut mask = vec![0f32; weight.len()];
                let mut aux = vec![0f32; t_count * max_out];
                let mut out_mask = vec![0f32; t_count * max_out];
                for (k, p) in members.iter().enumerate() {
                    indices.extend(p.inputs.iter().map(|&x| x as i64));
                    indices.extend(std::iter::repeat_n(0, max_in - p.inputs.len()));
                    for a in 0..p.inputs.len() {
                        for b in 0..p.width {
                            let at = (k * max_out + b) * max_in + a;
                            mask[at] = 1.0;
                            weight[at] =
                                rng.random_range(-self.init_scale..=self.init_scale) as f32;
                        }
                    }
                    for b in 0..p.width {
                        out_mask[k * max_out + b] = 1.0;
                        aux[k * max_out + b] =
                            rng.random_range(-self.init_scale..=self.init_scale) as f32;
                    }
                    neuron_of[p.term] =
                        (0..p.width).map(|b| source_len + k * max_out + b).collect();
                    size.parameters += p.inputs.len() * p.width + 2 * p.width + p.width + 1;
                }
                source_len += t_count * max_out;
                let tensor3 = |v: Vec<f32>, shape: [usize; 3]| {
                    Tensor::<B, 3>::from_data(TensorData::new(v, shape), device)
                };
                let aux_mask = Tensor::<B, 1>::from_data(
                    TensorData::new(out_mask.clone(), [t_count * max_out]),
                    device,
                );
                groups.push(Group {
                    weight: Param::from_tensor(tensor3(weight, [t_count, max_out, max_in])),
                    norm: BatchNormConfig::new(t_count * max_out).init(device),
                    aux_weight: Param::from_tensor(tensor3(aux, [t_count, 1, max_out])),
                    aux_bias: Param::from_tensor(Tensor::full(
                        [t_count],
                        self.initial_output,
                        device,
                    )),
                    weight_mask: tensor3(mask, [t_count, max_out, max_in]),
                    out_mask: aux_mask,
                    shape: Ignored(GroupShape {
                        terms: t_count,
                        max_in,
                        max_out,
                        input_offset,
                    }),
                });
                i = j;
            }
            let n = indices.len();
            stratum_inputs.push(Tensor::<B, 1, Int>::from_data(
                TensorData::new(indices, [n]),
                device,
            ));
            stratum_groups.push((first_group, groups.len()));
            start = end;
        }
        debug_assert_eq!(subsystems.last().map(|s| s.id.as_str()), Some(ROOT_ID));
        size.groups = groups.len();
        Dcell {
            groups,
            stratum_inputs,
            stratum_groups: Ignored(stratum_groups),
            genes: n_genes,
            alpha: self.alpha,
            size: Ignored(size),
        }
    }
}

impl<B: Backend> Dcell<B> {
    /// The model's size.
    pub fn size(&self) -> DcellSize {
        self.size.0
    }

    /// Number of input genes (the ontology's gene universe).
    pub fn genes(&self) -> usize {
        self.genes
    }

    /// Runs the network on gene states `[batch, genes]` (1 = perturbed).
    pub fn forward(&self, genes: Tensor<B, 2>) -> DcellOutput<B> {
        let [batch, _] = genes.dims();
        let device = genes.device();
        // Feature-major source: [1 + genes + outputs so far, batch].
        let mut source = Tensor::cat(
            vec![Tensor::zeros([1, batch], &device), genes.swap_dims(0, 1)],
            0,
        );
        let mut aux = Vec::with_capacity(self.groups.len());
        for (s, &(first, end)) in self.stratum_groups.0.iter().enumerate() {
            // [Σ T·max_in, batch]
            let inputs = source.clone().select(0, self.stratum_inputs[s].clone());
            let mut outputs = Vec::with_capacity(end - first + 1);
            outputs.push(source);
            for group in &self.groups[first..end] {
                let GroupShape {
                    terms,
                    max_in,
                    max_out,
                    input_offset,
                } = group.shape.0;
                // [T, max_in, batch]
                let x = inputs
                    .clone()
                    .narrow(0, input_offset, terms * max_in)
                    .reshape([terms, max_in, batch]);
                // [T, max_out, batch]
                let h = (group.weight.val() * group.weight_mask.clone()).matmul(x);
                // Batch norm wants [batch, channels].
                let h = h.reshape([terms * max_out, batch]).swap_dims(0, 1);
                let h = group.norm.forward(h).tanh().swap_dims(0, 1);
                // [T·max_out, batch], padding rows exactly zero.
                let h = h * group.out_mask.clone().unsqueeze_dim(1);
                let mask = group.out_mask.clone().reshape([terms, 1, max_out]);
                // [T, 1, max_out] · [T, max_out, batch] → [T, batch]
                let a = (group.aux_weight.val() * mask)
                    .matmul(h.clone().reshape([terms, max_out, batch]))
                    .reshape([terms, batch]);
                aux.push(a + group.aux_bias.val().unsqueeze_dim(1));
                outputs.push(h);
            }
            source = Tensor::cat(outputs, 0);
        }
        // The root is alone in the top stratum: its head is the prediction.
        let prediction = aux.pop().expect("an ontology has a root").reshape([batch]);
        let auxiliary = if aux.is_empty() {
            Tensor::zeros([0, batch], &device)
        } else {
            Tensor::cat(aux, 0)
        };
        DcellOutput {
            prediction,
            auxiliary,
        }
    }

    /// MSE(root) + α · mean over non-root subsystems of MSE(aux), for targets `[batch]`.
    pub fn loss(&self, output: &DcellOutput<B>, target: Tensor<B, 1>) -> Tensor<B, 1> {
        let root = (output.prediction.clone() - target.clone()).square().mean();
        let [n_aux, _] = output.auxiliary.dims();
        if n_aux == 0 {
            return root;
        }
        let aux = (output.auxiliary.clone() - target.unsqueeze_dim(0))
            .square()
            .mean();
        root + aux * self.alpha
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::{Autodiff, NdArray};
    use ironcell_data::{
        fixtures::{annotation, reference, term},
        ontology::{build, OntologyConfig},
    };

    type Exact = Autodiff<NdArray<f64>>;

    /// Seven terms in three strata over eight genes, sizes chosen so groups need padding.
    fn tiny_ontology() -> DcellOntology {
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
            },
        )
    }

    fn loss_of(
        model: &Dcell<Exact>,
        x: &Tensor<Exact, 2>,
        y: &Tensor<Exact, 1>,
    ) -> Tensor<Exact, 1> {
        model.loss(&model.forward(x.clone()), y.clone())
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let ontology = tiny_ontology();
        let device = Default::default();
        let config = DcellConfig {
            init_scale: 0.5,
            seed: 3,
            ..DcellConfig::default()
        };
        let mut model = config.init::<Exact>(&ontology, &device);
        assert!(model.size().groups >= 3);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let batch = 6;
        let x: Vec<f64> = (0..batch * model.genes())
            .map(|_| f64::from(rng.random_range(0..2u8)))
            .collect();
        let x = Tensor::<Exact, 2>::from_data(TensorData::new(x, [batch, model.genes()]), &device);
        let y: Vec<f64> = (0..batch).map(|_| rng.random_range(0.0..1.0)).collect();
        let y = Tensor::<Exact, 1>::from_data(TensorData::new(y, [batch]), &device);

        let grads = loss_of(&model, &x, &y).backward();
        for g in 0..model.groups.len() {
            let analytic: Vec<f64> = model.groups[g]
                .weight
                .grad(&grads)
                .unwrap()
                .into_data()
                .to_vec()
                .unwrap();
            let mask: Vec<f64> = model.groups[g].weight_mask.to_data().to_vec().unwrap();
            let weights = model.groups[g].weight.val().into_data();
            let shape = weights.shape.clone();
            let base: Vec<f64> = weights.to_vec().unwrap();
            let mut checked = 0;
            for (i, _) in mask
                .iter()
                .enumerate()
                .filter(|(_, &m)| m == 1.0)
                .step_by(3)
            {
                let h = 1e-6;
                let mut at = |delta: f64| {
                    let mut w = base.clone();
                    w[i] += delta;
                    model.groups[g].weight = Param::from_tensor(Tensor::from_data(
                        TensorData::new(w, shape.clone()),
                        &device,
                    ));
                    loss_of(&model, &x, &y).into_scalar()
                };
                let numeric = (at(h) - at(-h)) / (2.0 * h);
                let scale = numeric.abs().max(analytic[i].abs()).max(1e-7);
                assert!(
                    (numeric - analytic[i]).abs() / scale < 1e-4,
                    "group {g} weight {i}: numeric {numeric} vs analytic {}",
                    analytic[i]
                );
                checked += 1;
            }
            model.groups[g].weight =
                Param::from_tensor(Tensor::from_data(TensorData::new(base, shape), &device));
            assert!(checked > 0);
            // Padding carries no gradient.
            for (a, m) in analytic.iter().zip(&mask) {
                if *m == 0.0 {
                    assert_eq!(*a, 0.0);
                }
            }
        }
    }

    #[test]
    fn size_counts_real_parameters() {
        let ontology = tiny_ontology();
        let model = DcellConfig::default().init::<Exact>(&ontology, &Default::default());
        let size = model.size();
        assert_eq!(size.subsystems, ontology.subsystems.len());
        assert_eq!(size.neurons, 20 * ontology.subsystems.len());
        let expected: usize = ontology
            .subsystems
            .iter()
            .map(|s| (s.children.len() * 20 + s.direct_genes.len()) * 20 + 3 * 20 + 1)
            .sum();
        assert_eq!(size.parameters, expected);
    }
}
