//! The network of a gene-set model on burn: the gene encoder, the set head, the single-mutant
//! head of composed labels, and CORAL's biases.
//!
//! Weights are drawn from the run's seed on the host (ChaCha), not from the backend's global
//! generator, so two models built at once in one process (tests, several splits) are each
//! reproducible.
//!
//! Messages are summed with `select_assign(…, Add)`, the scatter-add burn has on every backend:
//! on NdArray it is one pass over the edges; on CUDA it runs serially along the indexed axis,
//! which with tens of thousands of edges and one round per batch stays small beside the
//! encoder's matrix products (a dense adjacency would cost genes² per round instead).

use burn::{
    module::{Module, Param},
    nn::{
        attention::{MultiHeadAttention, MultiHeadAttentionConfig},
        LayerNorm, LayerNormConfig, Linear, LinearConfig,
    },
    tensor::{
        activation::{relu, softmax},
        backend::Backend,
        Bool, Int, Tensor, TensorData,
    },
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{GeneSetConfig, Head};

/// A linear layer with PyTorch's default initialisation (uniform ±1/√fan-in) from `rng`.
fn linear<B: Backend>(
    rng: &mut ChaCha8Rng,
    d_in: usize,
    d_out: usize,
    device: &B::Device,
) -> Linear<B> {
    let mut layer = LinearConfig::new(d_in, d_out).init(device);
    let bound = 1.0 / (d_in.max(1) as f64).sqrt();
    let mut draw = |n: usize| -> Vec<f32> {
        (0..n)
            .map(|_| rng.random_range(-bound..bound) as f32)
            .collect()
    };
    let w = draw(d_in * d_out);
    let b = draw(d_out);
    layer.weight = Param::from_tensor(Tensor::from_data(
        TensorData::new(w, [d_in, d_out]).convert::<B::FloatElem>(),
        device,
    ));
    layer.bias = Some(Param::from_tensor(Tensor::from_data(
        TensorData::new(b, [d_out]).convert::<B::FloatElem>(),
        device,
    )));
    layer
}

/// Two linear layers with a ReLU between.
#[derive(Module, Debug)]
pub struct Mlp<B: Backend> {
    first: Linear<B>,
    second: Linear<B>,
}

impl<B: Backend> Mlp<B> {
    fn new(
        rng: &mut ChaCha8Rng,
        d_in: usize,
        hidden: usize,
        d_out: usize,
        device: &B::Device,
    ) -> Self {
        Self {
            first: linear(rng, d_in, hidden, device),
            second: linear(rng, hidden, d_out, device),
        }
    }

    /// Over the last axis of `x`. The leading axes are flattened first: burn multiplies a
    /// `[n, s, d]` input as `n` separate `[s, d]` products (and sums `n` weight gradients),
    /// which costs several times the one `[n·s, d]` product.
    fn forward<const D: usize>(&self, x: Tensor<B, D>) -> Tensor<B, D> {
        flat(x, |x| self.second.forward(relu(self.first.forward(x))))
    }
}

/// `f` over the rows of `x` seen as one matrix `[…, d]` → `[rows, d]`, its output given the
/// leading axes of `x` back.
fn flat<B: Backend, const D: usize>(
    x: Tensor<B, D>,
    f: impl FnOnce(Tensor<B, 2>) -> Tensor<B, 2>,
) -> Tensor<B, D> {
    let dims = x.dims();
    let d = dims[D - 1];
    let y = f(x.reshape([-1, d as i64]));
    let mut shape = dims;
    shape[D - 1] = y.dims()[1];
    y.reshape(shape)
}

/// A random `[rows, d]` parameter, uniform ±1/√d from `rng` (the Set Transformer's inducing
/// points and seed).
fn points<B: Backend>(
    rng: &mut ChaCha8Rng,
    rows: usize,
    d: usize,
    device: &B::Device,
) -> Param<Tensor<B, 2>> {
    let bound = 1.0 / (d.max(1) as f64).sqrt();
    let values: Vec<f32> = (0..rows * d)
        .map(|_| rng.random_range(-bound..bound) as f32)
        .collect();
    Param::from_tensor(Tensor::from_data(
        TensorData::new(values, [rows, d]).convert::<B::FloatElem>(),
        device,
    ))
}

/// Multi-head attention without dropout, its four projections drawn from `rng`.
fn attention<B: Backend>(
    rng: &mut ChaCha8Rng,
    d: usize,
    heads: usize,
    device: &B::Device,
) -> MultiHeadAttention<B> {
    let mut mha = MultiHeadAttentionConfig::new(d, heads)
        .with_dropout(0.0)
        .init(device);
    mha.query = linear(rng, d, d, device);
    mha.key = linear(rng, d, d, device);
    mha.value = linear(rng, d, d, device);
    mha.output = linear(rng, d, d, device);
    mha
}

/// `mha`'s attention of `x` `[n, s_x, d]` to `y` `[n, s_y, d]`, whose padding (`[n, s_y]`, true
/// to ignore) is masked: burn's `MultiHeadAttention::forward` (no dropout), its weights and
/// arithmetic, for many small sets at once. burn multiplies a `[n, s, d]` input by a weight,
/// and a `[n, heads, s, d_k]` query by its keys, as n (n · heads) separate small products; a
/// genotype's set holds two or three genes, so here each projection is one product over all
/// `n · s` rows ([`flat`]) and the scores and the weighted values are broadcast products summed
/// over an axis, a few vector passes instead of thousands of 2 × 16 matrix products.
fn attend<B: Backend>(
    mha: &MultiHeadAttention<B>,
    x: Tensor<B, 3>,
    y: Tensor<B, 3>,
    padding: Option<Tensor<B, 2, Bool>>,
) -> Tensor<B, 3> {
    let [n, sx, d] = x.dims();
    let sy = y.dims()[1];
    let (heads, dk) = (mha.n_heads, mha.d_k);
    let q = flat(x, |t| mha.query.forward(t)).reshape([n, sx, 1, heads, dk]);
    let k = flat(y.clone(), |t| mha.key.forward(t)).reshape([n, 1, sy, heads, dk]);
    let v = flat(y, |t| mha.value.forward(t)).reshape([n, 1, sy, heads, dk]);
    let mut scores = (q * k)
        .sum_dim(4)
        .reshape([n, sx, sy, heads])
        .div_scalar((dk as f32).sqrt());
    if let Some(padding) = padding {
        scores = scores.mask_fill(padding.reshape([n, 1, sy, 1]), mha.min_float);
    }
    let weights = softmax(scores, 2).reshape([n, sx, sy, heads, 1]);
    let context = (weights * v).sum_dim(2).reshape([n, sx, d]);
    flat(context, |t| mha.output.forward(t))
}

/// The Set Transformer's multi-head attention block: `H = LN(X + MHA(X, Y, Y))`, then
/// `LN(H + ReLU(W H))`.
#[derive(Module, Debug)]
pub struct Mab<B: Backend> {
    attention: MultiHeadAttention<B>,
    feed: Linear<B>,
    first: LayerNorm<B>,
    second: LayerNorm<B>,
}

impl<B: Backend> Mab<B> {
    fn new(rng: &mut ChaCha8Rng, d: usize, heads: usize, device: &B::Device) -> Self {
        Self {
            attention: attention(rng, d, heads, device),
            feed: linear(rng, d, d, device),
            first: LayerNormConfig::new(d).init(device),
            second: LayerNormConfig::new(d).init(device),
        }
    }

    /// `x` attends to `y`, whose padding (`[n, |y|]`, true to ignore) is masked.
    fn forward(
        &self,
        x: Tensor<B, 3>,
        y: Tensor<B, 3>,
        padding: Option<Tensor<B, 2, Bool>>,
    ) -> Tensor<B, 3> {
        let h = self
            .first
            .forward(x.clone() + attend(&self.attention, x, y, padding));
        self.second
            .forward(h.clone() + relu(flat(h, |h| self.feed.forward(h))))
    }
}

/// The Set Transformer head (Lee et al. 2019): ISAB(X) = MAB(X, MAB(I, X)) with learned
/// inducing points I (or SAB(X) = MAB(X, X) with none), then PMA = MAB(S, φ(Z)) with one
/// learned seed S.
#[derive(Module, Debug)]
pub struct SetAttention<B: Backend> {
    inducing: Option<Param<Tensor<B, 2>>>,
    induce: Option<Mab<B>>,
    attend: Mab<B>,
    seed: Param<Tensor<B, 2>>,
    pool: Mab<B>,
}

impl<B: Backend> SetAttention<B> {
    fn new(
        rng: &mut ChaCha8Rng,
        d: usize,
        heads: usize,
        inducing: usize,
        device: &B::Device,
    ) -> Self {
        Self {
            inducing: (inducing > 0).then(|| points(rng, inducing, d, device)),
            induce: (inducing > 0).then(|| Mab::new(rng, d, heads, device)),
            attend: Mab::new(rng, d, heads, device),
            seed: points(rng, 1, d, device),
            pool: Mab::new(rng, d, heads, device),
        }
    }

    /// The set representation `[n, d]` of `members` `[n, slots, d]`.
    fn forward(
        &self,
        members: Tensor<B, 3>,
        padding: Tensor<B, 2, Bool>,
        phi: &Mlp<B>,
    ) -> Tensor<B, 2> {
        let [n, _, d] = members.dims();
        let z = match (&self.inducing, &self.induce) {
            (Some(inducing), Some(induce)) => {
                let inducing = inducing.val().unsqueeze_dim::<3>(0).repeat_dim(0, n);
                let summary = induce.forward(inducing, members.clone(), Some(padding.clone()));
                self.attend.forward(members, summary, None)
            }
            _ => self
                .attend
                .forward(members.clone(), members, Some(padding.clone())),
        };
        let seed = self.seed.val().unsqueeze_dim::<3>(0).repeat_dim(0, n);
        self.pool
            .forward(seed, phi.forward(z), Some(padding))
            .reshape([n, d])
    }
}

/// One round of message passing: each gene mixes its representation with the mean of its
/// neighbours' in every network, residually, then a layer norm.
#[derive(Module, Debug)]
pub struct Round<B: Backend> {
    mix: Linear<B>,
    norm: LayerNorm<B>,
}

/// One network's message edges of one round on the device.
#[derive(Debug, Clone)]
pub struct Edges<B: Backend> {
    /// Senders `[E]`, positions among the previous round's genes.
    pub src: Tensor<B, 1, Int>,
    /// Receivers `[E]`, positions among this round's genes.
    pub dst: Tensor<B, 1, Int>,
    /// Weights `[E, 1]`.
    pub weight: Tensor<B, 2>,
}

/// What one round of message passing updates: its genes (positions among the previous
/// round's) and, per network, the edges into them (`None` where a network has none).
#[derive(Debug, Clone)]
pub struct RoundInputs<B: Backend> {
    /// Positions of this round's genes among the previous round's.
    pub keep: Tensor<B, 1, Int>,
    /// Genes this round updates.
    pub genes: usize,
    /// Per network.
    pub edges: Vec<Option<Edges<B>>>,
}

/// What the input layer reads for the encoded genes.
#[derive(Debug, Clone)]
pub enum GeneInput<B: Backend> {
    /// Their features `[U, F]`, multiplied by the input layer on the backend.
    Features(Tensor<B, 2>),
    /// The input layer's output `[U, hidden]`, computed on the host from sparse features
    /// ([`super::input`]); in training a leaf whose gradient becomes the layer's.
    Projected(Tensor<B, 2>),
    /// Nothing: a model without gene features.
    None,
}

/// What the encoder encodes: the input of the genes it needs (the batch's genes and, with
/// messages, their neighbourhoods as deep as the rounds), their table rows, and the rounds.
#[derive(Debug, Clone)]
pub struct Genes<B: Backend> {
    /// The input layer's input (or output).
    pub input: GeneInput<B>,
    /// Their table rows `[U]` (for the per-gene vectors).
    pub rows: Tensor<B, 1, Int>,
    /// One per round of message passing; the last round's genes are the batch's.
    pub rounds: Vec<RoundInputs<B>>,
}

/// A batch of genotypes as padded slots into the encoded genes.
#[derive(Debug, Clone)]
pub struct Sets<B: Backend> {
    /// Encoded-gene index of each slot, `[n · slots]` (padding points at 0).
    pub slots: Tensor<B, 1, Int>,
    /// 1 for a gene, 0 for padding, `[n, slots, 1]`.
    pub mask: Tensor<B, 3>,
    /// True for padding, `[n, slots]`.
    pub padding: Tensor<B, 2, Bool>,
    /// Each genotype's environment, `[n]` (the last row of the environment table for an
    /// environment not seen in training); `None` for a model without environments.
    pub environments: Option<Tensor<B, 1, Int>>,
    /// Per network, the share of each genotype's gene pairs linked and their neighbourhoods'
    /// overlap, `[n, 2 · networks]`, when the model reads them.
    pub links: Option<Tensor<B, 2>>,
    /// Each genotype's neighbour labels, `[n, inputs]`, when the model reads them.
    pub neighbours: Option<Tensor<B, 2>>,
    /// Genotypes.
    pub n: usize,
    /// Slots per genotype.
    pub width: usize,
}

/// What a forward pass gives.
pub struct Forward<B: Backend> {
    /// Every label's outputs, `[n, Σ widths]`.
    pub out: Tensor<B, 2>,
    /// The set representation, `[n, hidden]` (`[n, 2 · hidden]` with the pairwise head).
    pub set: Tensor<B, 2>,
    /// The single-mutant head's fitness of each slot's gene, `[n, slots, composed]`.
    pub singles: Option<Tensor<B, 3>>,
}

/// The gene-set network.
#[derive(Module, Debug)]
pub struct Net<B: Backend> {
    input: Option<Linear<B>>,
    embedding: Option<Param<Tensor<B, 2>>>,
    /// A learnable vector per environment (and a last, untrained one for an environment not
    /// seen in training), added to every gene of a genotype before the head.
    environment: Option<Param<Tensor<B, 2>>>,
    rounds: Vec<Round<B>>,
    phi: Mlp<B>,
    rho: Mlp<B>,
    /// The DANGO head's self-attention.
    attention: Option<MultiHeadAttention<B>>,
    /// The pairwise head's projection W.
    bilinear: Option<Linear<B>>,
    /// The Set Transformer head.
    set_attention: Option<SetAttention<B>>,
    single: Option<Mlp<B>>,
    /// CORAL's free bias parameters, one vector per CORAL label (in label order).
    coral: Vec<Param<Tensor<B, 1>>>,
}

impl<B: Backend> Net<B> {
    /// A fresh network for a table of `genes` genes with `features` columns and `networks`
    /// networks, a dataset of `environments` environments (a vector each when more than one),
    /// `extra` inputs of the head beside the set (neighbour labels), `outputs` outputs in all,
    /// `composed` composed labels, and CORAL biases starting at `coral`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: &GeneSetConfig,
        genes: usize,
        features: usize,
        networks: usize,
        environments: usize,
        extra: usize,
        outputs: usize,
        composed: usize,
        coral: &[Vec<f32>],
        seed: u64,
        device: &B::Device,
    ) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let d = config.hidden;
        let input = (features > 0).then(|| linear(&mut rng, features, d, device));
        let embedding = config
            .embedding
            .then(|| Param::from_tensor(Tensor::zeros([genes, d], device)));
        // Zero at the start, so a model starts environment-blind and an unseen environment
        // (the last row, never selected in training) stays the average case.
        let environment = (environments > 1)
            .then(|| Param::from_tensor(Tensor::zeros([environments + 1, d], device)));
        let rounds = if networks == 0 {
            Vec::new()
        } else {
            (0..config.rounds)
                .map(|_| Round {
                    mix: linear(&mut rng, d * (1 + networks), d, device),
                    norm: LayerNormConfig::new(d).init(device),
                })
                .collect()
        };
        let heads = config.attention_heads;
        let attention = (config.head == Head::Dango).then(|| attention(&mut rng, d, heads, device));
        let bilinear = (config.head == Head::Pairwise).then(|| linear(&mut rng, d, d, device));
        let set_attention = (config.head == Head::SetTransformer)
            .then(|| SetAttention::new(&mut rng, d, heads, config.inducing_points, device));
        let pooled = if bilinear.is_some() { 2 * d } else { d }
            + if config.set_edges { 2 * networks } else { 0 }
            + extra;
        Self {
            input,
            embedding,
            environment,
            rounds,
            phi: Mlp::new(&mut rng, d, d, d, device),
            rho: Mlp::new(&mut rng, pooled, d, outputs, device),
            attention,
            bilinear,
            set_attention,
            single: (composed > 0).then(|| Mlp::new(&mut rng, d, d, composed, device)),
            coral: coral
                .iter()
                .map(|raw| {
                    Param::from_tensor(Tensor::from_data(
                        TensorData::new(raw.clone(), [raw.len()]).convert::<B::FloatElem>(),
                        device,
                    ))
                })
                .collect(),
        }
    }

    /// The input layer (absent without gene features).
    pub fn input(&self) -> Option<&Linear<B>> {
        self.input.as_ref()
    }

    /// CORAL's free bias parameters of the `k`-th CORAL label.
    pub fn coral(&self, k: usize) -> Tensor<B, 1> {
        self.coral[k].val()
    }

    /// The representations of the batch's genes, `[genes of the last round, hidden]`.
    fn encode(&self, genes: &Genes<B>) -> Tensor<B, 2> {
        let projected = match (&genes.input, &self.input) {
            (GeneInput::Features(x), Some(input)) => Some(input.forward(x.clone())),
            (GeneInput::Projected(p), Some(_)) => Some(p.clone()),
            _ => None,
        };
        let own = self
            .embedding
            .as_ref()
            .map(|e| e.val().select(0, genes.rows.clone()));
        let h = match (projected, own) {
            (Some(p), Some(o)) => p + o,
            (Some(h), None) | (None, Some(h)) => h,
            (None, None) => unreachable!("the learner refuses a model without gene inputs"),
        };
        let mut h = relu(h);
        for (round, inputs) in self.rounds.iter().zip(&genes.rounds) {
            let kept = h.clone().select(0, inputs.keep.clone());
            let [_, d] = kept.dims();
            let device = kept.device();
            let mut parts = vec![kept.clone()];
            for edges in &inputs.edges {
                let into = Tensor::zeros([inputs.genes, d], &device);
                parts.push(match edges {
                    Some(e) => into.select_assign(
                        0,
                        e.dst.clone(),
                        h.clone().select(0, e.src.clone()) * e.weight.clone(),
                        burn::tensor::IndexingUpdateOp::Add,
                    ),
                    None => into,
                });
            }
            let mixed = relu(round.mix.forward(Tensor::cat(parts, 1)));
            h = round.norm.forward(kept + mixed);
        }
        h
    }

    /// The outputs for `sets` of `genes`.
    pub fn forward(&self, genes: &Genes<B>, sets: &Sets<B>) -> Forward<B> {
        let h = self.encode(genes);
        let [_, d] = h.dims();
        let mut members = h
            .select(0, sets.slots.clone())
            .reshape([sets.n, sets.width, d]);
        if let (Some(table), Some(environments)) = (&self.environment, &sets.environments) {
            let context = table
                .val()
                .select(0, environments.clone())
                .reshape([sets.n, 1, d]);
            members = members + context;
        }
        let set = if let Some(mha) = &self.attention {
            let context = attend(
                mha,
                members.clone(),
                members.clone(),
                Some(sets.padding.clone()),
            );
            let moved = (context - members.clone()).powi_scalar(2);
            let count = sets.mask.clone().sum_dim(1).clamp_min(1.0);
            ((self.phi.forward(moved) * sets.mask.clone()).sum_dim(1) / count).reshape([sets.n, d])
        } else if let Some(set_attention) = &self.set_attention {
            set_attention.forward(members.clone(), sets.padding.clone(), &self.phi)
        } else {
            let pooled = (self.phi.forward(members.clone()) * sets.mask.clone())
                .sum_dim(1)
                .reshape([sets.n, d]);
            match &self.bilinear {
                None => pooled,
                Some(w) => {
                    // Σ_{i<j} v_i ⊙ v_j = ((Σ v)² − Σ v²) / 2, linear in the set's size.
                    let v = flat(members.clone(), |m| w.forward(m)) * sets.mask.clone();
                    let sum = v.clone().sum_dim(1);
                    let pairs = (sum.powi_scalar(2) - v.powi_scalar(2).sum_dim(1)) / 2.0;
                    Tensor::cat(vec![pooled, pairs.reshape([sets.n, d])], 1)
                }
            }
        };
        let inputs: Vec<Tensor<B, 2>> = std::iter::once(set.clone())
            .chain(sets.links.clone())
            .chain(sets.neighbours.clone())
            .collect();
        let out = self.rho.forward(if inputs.len() == 1 {
            set.clone()
        } else {
            Tensor::cat(inputs, 1)
        });
        let singles = self
            .single
            .as_ref()
            .map(|single| single.forward(members) + 1.0);
        Forward { out, set, singles }
    }
}

#[cfg(test)]
mod tests {
    use burn::{
        backend::{Autodiff, NdArray},
        nn::attention::MhaInput,
        tensor::Distribution,
    };

    use super::*;

    type B = Autodiff<NdArray<f32>>;

    /// The broadcast attention is burn's: same context and same gradients, padding masked.
    #[test]
    fn attend_is_burns_multi_head_attention() {
        let device = Default::default();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mha = attention::<B>(&mut rng, 8, 2, &device);
        let x = Tensor::<B, 3>::random([5, 3, 8], Distribution::Normal(0.0, 1.0), &device)
            .require_grad();
        let padding =
            Tensor::<B, 2, Bool>::from_data(TensorData::from([[false, false, true]; 5]), &device);
        let ours = attend(&mha, x.clone(), x.clone(), Some(padding.clone()));
        let burns = mha
            .forward(MhaInput::self_attn(x.clone()).mask_pad(padding))
            .context;
        let close = |a: TensorData, b: TensorData| {
            let (a, b) = (a.to_vec::<f32>().unwrap(), b.to_vec::<f32>().unwrap());
            assert_eq!(a.len(), b.len());
            for (a, b) in a.iter().zip(&b) {
                assert!((a - b).abs() < 1e-5, "{a} against {b}");
            }
        };
        close(ours.to_data(), burns.to_data());
        // Weighted so each output counts differently; the padded slot's output is kept too.
        let weight = Tensor::<B, 3>::random([5, 3, 8], Distribution::Normal(0.0, 1.0), &device);
        let (g_ours, g_burns) = (
            (ours * weight.clone()).sum().backward(),
            (burns * weight).sum().backward(),
        );
        close(
            x.grad(&g_ours).unwrap().to_data(),
            x.grad(&g_burns).unwrap().to_data(),
        );
        close(
            mha.query.weight.grad(&g_ours).unwrap().to_data(),
            mha.query.weight.grad(&g_burns).unwrap().to_data(),
        );
        close(
            mha.value.weight.grad(&g_ours).unwrap().to_data(),
            mha.value.weight.grad(&g_burns).unwrap().to_data(),
        );
    }
}
