//! DCell as a burn module for GPU backends: each stratum packed into a few padded batched
//! matmuls, differentiated by burn's autodiff.
//!
//! Subsystems of one stratum are packed into groups of similar size, each group one batched
//! matmul over padded weights `[T, max_out, max_in]`. Padding is masked so it holds exact
//! zeros and gets zero gradients. Inputs are gathered with one `select` per stratum from a
//! growing source `[zero | gene states | outputs of earlier strata]`, kept feature-major
//! (`[features, batch]`) so that gathering and appending are row copies. This replaces
//! thousands of tiny layers (whose per-op overhead dominates on every backend) with a few
//! dozen ops. It is built from the same [`Layout`] and flat parameters as the CPU kernel.

use burn::{
    module::{Ignored, Module, Param},
    nn::{BatchNorm, BatchNormConfig},
    prelude::*,
};

use super::{AuxReduction, DcellSize, Layout};

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
    /// α, times the number of auxiliary heads when they are summed: the loss takes their mean.
    aux_weight: f64,
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
    /// Indices into the grouped source.
    inputs: Vec<usize>,
    width: usize,
}

impl<B: Backend> Dcell<B> {
    /// Builds the grouped model from `layout` and its flat `params` (see [`Layout`]).
    /// `max_padding` bounds the padded/real weight area of a group.
    ///
    /// # Panics
    /// If the layout predicts more than one label (the grouped engine has one head output)
    /// or `params` does not fit the layout.
    pub fn new(
        layout: &Layout,
        params: &[f32],
        alpha: f64,
        reduction: AuxReduction,
        max_padding: f64,
        device: &B::Device,
    ) -> Self {
        assert_eq!(layout.labels, 1, "the grouped engine predicts one label");
        assert_eq!(params.len(), layout.parameters, "parameter count");
        let n_genes = layout.genes;
        // Grouped source: 0 = zero row, 1..=G gene states, then group outputs in order.
        let mut index_of: Vec<usize> = (0..layout.rows)
            .map(|r| if r < n_genes { 1 + r } else { 0 })
            .collect();
        let mut source_len = 1 + n_genes;
        let mut groups = Vec::new();
        let mut stratum_inputs = Vec::new();
        let mut stratum_groups = Vec::new();
        let mut size = layout.size();
        for stratum in &layout.strata {
            let mut plans: Vec<Plan> = stratum
                .clone()
                .map(|t| {
                    let term = &layout.terms[t];
                    Plan {
                        term: t,
                        inputs: term.inputs.iter().map(|&r| index_of[r as usize]).collect(),
                        width: term.width,
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
                    if j > i && ((j - i + 1) * mi * mo) as f64 > max_padding * r as f64 {
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
                let mut gamma = vec![1f32; t_count * max_out];
                let mut beta = vec![0f32; t_count * max_out];
                let mut aux = vec![0f32; t_count * max_out];
                let mut aux_bias = vec![0f32; t_count];
                let mut out_mask = vec![0f32; t_count * max_out];
                for (k, p) in members.iter().enumerate() {
                    let term = &layout.terms[p.term];
                    let [w_range, g_range, b_range, h_range, bias_range] = term.parts(1);
                    let tp = &params[term.params..term.params + term.parameter_count(1)];
                    let n_in = p.inputs.len();
                    indices.extend(p.inputs.iter().map(|&x| x as i64));
                    indices.extend(std::iter::repeat_n(0, max_in - n_in));
                    for o in 0..p.width {
                        let row = k * max_out + o;
                        for a in 0..n_in {
                            mask[row * max_in + a] = 1.0;
                            weight[row * max_in + a] = tp[w_range.start + o * n_in + a];
                        }
                        out_mask[row] = 1.0;
                        gamma[row] = tp[g_range.start + o];
                        beta[row] = tp[b_range.start + o];
                        aux[row] = tp[h_range.start + o];
                    }
                    aux_bias[k] = tp[bias_range.start];
                    for (o, r) in term.output_rows().enumerate() {
                        index_of[r] = source_len + k * max_out + o;
                    }
                }
                source_len += t_count * max_out;
                let tensor1 = |v: Vec<f32>| {
                    let n = v.len();
                    Tensor::<B, 1>::from_data(TensorData::new(v, [n]), device)
                };
                let tensor3 = |v: Vec<f32>, shape: [usize; 3]| {
                    Tensor::<B, 3>::from_data(TensorData::new(v, shape), device)
                };
                let mut norm = BatchNormConfig::new(t_count * max_out).init(device);
                norm.gamma = Param::from_tensor(tensor1(gamma));
                norm.beta = Param::from_tensor(tensor1(beta));
                groups.push(Group {
                    weight: Param::from_tensor(tensor3(weight, [t_count, max_out, max_in])),
                    norm,
                    aux_weight: Param::from_tensor(tensor3(aux, [t_count, 1, max_out])),
                    aux_bias: Param::from_tensor(tensor1(aux_bias)),
                    weight_mask: tensor3(mask, [t_count, max_out, max_in]),
                    out_mask: tensor1(out_mask),
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
        }
        size.groups = groups.len();
        let aux_weight = match reduction {
            AuxReduction::Mean => alpha,
            AuxReduction::Sum => alpha * (layout.terms.len() - 1) as f64,
        };
        Self {
            groups,
            stratum_inputs,
            stratum_groups: Ignored(stratum_groups),
            genes: n_genes,
            aux_weight,
            size: Ignored(size),
        }
    }
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

    /// MSE(root) + α · (mean or sum) over non-root subsystems of MSE(aux), for targets `[batch]`.
    pub fn loss(&self, output: &DcellOutput<B>, target: Tensor<B, 1>) -> Tensor<B, 1> {
        let root = (output.prediction.clone() - target.clone()).square().mean();
        let [n_aux, _] = output.auxiliary.dims();
        if n_aux == 0 {
            return root;
        }
        let aux = (output.auxiliary.clone() - target.unsqueeze_dim(0))
            .square()
            .mean();
        root + aux * self.aux_weight
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::dcell::{kernel, test_support::tiny_ontology, DcellConfig};
    use burn::backend::{Autodiff, NdArray};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    type Exact = Autodiff<NdArray<f64>>;

    #[test]
    fn agrees_with_the_cpu_kernel_and_pads_with_zero_gradients() {
        let ontology = tiny_ontology();
        let config = DcellConfig {
            init_scale: 0.5,
            seed: 3,
            ..DcellConfig::default()
        };
        let layout = Layout::new(&ontology, &config, 1);
        let params = layout.init_parameters(&config);
        let device = Default::default();
        let model = Dcell::<Exact>::new(
            &layout,
            &params,
            config.alpha,
            config.aux_reduction,
            config.max_padding,
            &device,
        );
        assert!(model.size().groups >= 3);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let genotypes: Vec<Vec<usize>> = (0..6)
            .map(|_| (0..layout.genes).filter(|_| rng.random_bool(0.4)).collect())
            .collect();
        let y: Vec<f64> = (0..6).map(|_| rng.random_range(0.0..1.0)).collect();

        let rows: Vec<&[usize]> = genotypes.iter().map(Vec::as_slice).collect();
        let x = crate::train::gene_states::<Exact>(&rows, layout.genes, &device);
        let target = Tensor::<Exact, 1>::from_data(TensorData::new(y.clone(), [6]), &device);
        let output = model.forward(x);
        let loss = model.loss(&output, target);
        let prediction: Vec<f64> = output.prediction.to_data().to_vec().unwrap();

        let cpu = kernel::Model::<f64>::new(
            Arc::new(layout.clone()),
            params.iter().map(|&p| f64::from(p)).collect(),
            config.alpha,
            config.aux_reduction,
        );
        let act = cpu.forward(&genotypes, kernel::Mode::Training);
        let (cpu_loss, _) = cpu.backward(&act, &y);
        let cpu_prediction = act.head(layout.terms.len() - 1, 1);
        for (a, b) in prediction.iter().zip(cpu_prediction) {
            assert!((a - b).abs() < 1e-9, "prediction {a} vs {b}");
        }
        let loss = loss.clone().into_scalar();
        assert!(
            (loss - cpu_loss).abs() < 1e-9 * cpu_loss,
            "{loss} vs {cpu_loss}"
        );

        let grads = model
            .loss(
                &model.forward(crate::train::gene_states::<Exact>(
                    &rows,
                    layout.genes,
                    &device,
                )),
                Tensor::from_data(TensorData::new(y, [6]), &device),
            )
            .backward();
        for group in &model.groups {
            let grad: Vec<f64> = group
                .weight
                .grad(&grads)
                .unwrap()
                .into_data()
                .to_vec()
                .unwrap();
            let mask: Vec<f64> = group.weight_mask.to_data().to_vec().unwrap();
            assert!(grad.iter().zip(&mask).any(|(g, &m)| m == 1.0 && *g != 0.0));
            for (g, m) in grad.iter().zip(&mask) {
                if *m == 0.0 {
                    assert_eq!(*g, 0.0, "padding got a gradient");
                }
            }
        }
    }
}
