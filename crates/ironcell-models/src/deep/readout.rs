//! From genotypes to a network's inputs, and from its outputs to each label's loss and values:
//! what training and a saved model share.
//!
//! A composed label (fitness) is read as Π f(g) over the genotype's genes plus, for two genes
//! or more, the learned interaction, where f(g) is the gene's measured single-mutant value when
//! known and the network's single-mutant head otherwise. Its loss is taken on that value, so
//! a network that learns no interaction is the multiplicative null model, never worse.

use std::sync::Arc;

use burn::tensor::{backend::Backend, Bool, Int, Tensor, TensorData};

use ironcell_data::features::{neighbour_labels::Hidden, network};

use super::{
    input::{self, SparseFeatures},
    neighbours::NeighbourInputs,
    net::{Edges, Forward, GeneInput, Genes, Net, RoundInputs, Sets},
    GeneSetConfig, GeneTable, LabelCodec, Singles,
};

/// Genotypes per forward pass when predicting.
pub const PREDICT_BATCH: usize = 1024;

fn floats<B: Backend, const D: usize>(
    v: Vec<f32>,
    shape: [usize; D],
    device: &B::Device,
) -> Tensor<B, D> {
    Tensor::from_data(TensorData::new(v, shape).convert::<B::FloatElem>(), device)
}

fn ints<B: Backend>(v: Vec<i64>, device: &B::Device) -> Tensor<B, 1, Int> {
    let n = v.len();
    Tensor::from_data(TensorData::new(v, [n]).convert::<B::IntElem>(), device)
}

/// A composed label's inputs for a batch.
struct Composition<B: Backend> {
    /// 1 where the slot's single-mutant value is given (measured, or padding), `[n, s, 1]`.
    known: Tensor<B, 3>,
    /// The measured value (1 for padding, 0 where unknown), `[n, s, 1]`.
    value: Tensor<B, 3>,
    /// 1 where a gene's value is measured (not padding), `[n, s, 1]`.
    measured: Tensor<B, 3>,
    /// How many slots are measured.
    measured_count: usize,
    /// 1 for genotypes of two genes or more, `[n, 1]`.
    multi: Tensor<B, 2>,
}

/// A batch on a device.
pub struct Batch<B: Backend> {
    genes: Genes<B>,
    /// The table rows of the genes the input layer reads.
    encoded: Vec<u32>,
    sets: Sets<B>,
    compositions: Vec<Composition<B>>,
}

impl<B: Backend> Batch<B> {
    /// Genotypes in the batch.
    pub fn len(&self) -> usize {
        self.sets.n
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.sets.n == 0
    }

    /// The input layer's output when the host computed it (a leaf of the graph), and the
    /// table rows it is of.
    pub fn projected(&self) -> Option<(&Tensor<B, 2>, &[u32])> {
        match &self.genes.input {
            GeneInput::Projected(p) => Some((p, &self.encoded)),
            _ => None,
        }
    }
}

/// The labels' codecs and composition over a table.
#[derive(Debug, Clone)]
pub struct Readout {
    /// The labels.
    pub labels: Vec<String>,
    /// Their codecs.
    pub codecs: Vec<LabelCodec>,
    /// The table.
    pub table: Arc<GeneTable>,
    /// Its features as the host's input layer reads them.
    sparse: Arc<SparseFeatures>,
    /// Rounds of message passing (with networks in the table).
    rounds: usize,
    /// Whether the set's links in each network are an input.
    set_edges: bool,
    /// The training dataset's environments (an input when more than one).
    environments: usize,
    offsets: Vec<usize>,
    /// Per label, its index among the composed labels.
    composed: Vec<Option<usize>>,
    /// Per label, its index among the CORAL labels.
    coral: Vec<Option<usize>>,
    /// Per composed label, the measured single-mutant value of each table row.
    singles: Vec<Vec<Option<f32>>>,
    /// The same, by gene, as given.
    singles_by_gene: Singles,
    /// Neighbour labels, an input of the head when the model reads them.
    neighbours: Option<Arc<NeighbourInputs>>,
}

impl Readout {
    /// The readout of `labels` with `codecs` over `table` for the model `config`, on a
    /// dataset of `environments` environments; `singles` gives each composed label's
    /// measured single-mutant values by gene.
    pub fn new(
        labels: Vec<String>,
        codecs: Vec<LabelCodec>,
        table: Arc<GeneTable>,
        config: &GeneSetConfig,
        environments: usize,
        singles: &Singles,
    ) -> Self {
        assert_eq!(labels.len(), codecs.len(), "a codec per label");
        let mut offsets = Vec::with_capacity(labels.len() + 1);
        let mut total = 0;
        for c in &codecs {
            offsets.push(total);
            total += c.width();
        }
        offsets.push(total);
        let singles_by_gene: Singles = singles
            .iter()
            .filter(|(l, _)| labels.contains(l))
            .map(|(l, m)| (l.clone(), m.clone()))
            .collect();
        let mut composed = Vec::new();
        let mut tables = Vec::new();
        for label in &labels {
            composed.push(singles.get(label).map(|by_gene| {
                tables.push(
                    table
                        .genes
                        .iter()
                        .map(|g| by_gene.get(g).map(|&v| v as f32))
                        .collect(),
                );
                tables.len() - 1
            }));
        }
        let mut k = 0;
        let coral = codecs
            .iter()
            .map(|c| {
                matches!(c, LabelCodec::Coral { .. }).then(|| {
                    k += 1;
                    k - 1
                })
            })
            .collect();
        Self {
            labels,
            codecs,
            sparse: Arc::new(SparseFeatures::new(&table.features, table.dim)),
            table,
            rounds: config.rounds,
            set_edges: config.set_edges,
            environments,
            offsets,
            composed,
            coral,
            singles: tables,
            singles_by_gene,
            neighbours: None,
        }
    }

    /// The same readout with neighbour labels as an input of the head.
    pub fn with_neighbours(mut self, neighbours: NeighbourInputs) -> Self {
        self.neighbours = Some(Arc::new(neighbours));
        self
    }

    /// The neighbour labels it reads, if any.
    pub fn neighbours(&self) -> Option<&NeighbourInputs> {
        self.neighbours.as_deref()
    }

    /// Inputs of the head beside the set representation: the neighbour labels' width.
    pub fn extra_inputs(&self) -> usize {
        self.neighbours.as_ref().map_or(0, |n| n.width())
    }

    /// The measured single-mutant values of the composed labels, by gene.
    pub fn singles(&self) -> &Singles {
        &self.singles_by_gene
    }

    /// Outputs of the network's last layer.
    pub fn outputs(&self) -> usize {
        self.offsets[self.labels.len()]
    }

    /// Composed labels.
    pub fn composed(&self) -> usize {
        self.singles.len()
    }

    /// The training dataset's environments.
    pub fn environments(&self) -> usize {
        self.environments
    }

    /// The inputs of `rows` (genotypes as table rows, each non-empty) in `environments` (one
    /// per row, indices into the training dataset's; `None`, or an index past them, for an
    /// environment the model has not seen) for `net` on `device`; with neighbour labels,
    /// `hidden` gives the genes of each row to treat as unseen (training rows), none when
    /// `None`.
    pub fn batch<B: Backend>(
        &self,
        net: &Net<B>,
        rows: &[&[u32]],
        environments: Option<&[u16]>,
        hidden: Option<&[Hidden]>,
        device: &B::Device,
    ) -> Batch<B> {
        let n = rows.len();
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(1).max(1);
        let (genes, encoded, batch_genes) = self.genes(net, rows, device);
        let position = |g: u32| -> i64 {
            batch_genes
                .binary_search(&g)
                .expect("every gene of the batch is encoded") as i64
        };
        let mut slots = vec![0i64; n * width];
        let mut mask = vec![0f32; n * width];
        let mut padding = vec![true; n * width];
        for (i, r) in rows.iter().enumerate() {
            for (j, &g) in r.iter().enumerate() {
                slots[i * width + j] = position(g);
                mask[i * width + j] = 1.0;
                padding[i * width + j] = false;
            }
        }
        let compositions = self
            .singles
            .iter()
            .map(|table| {
                let mut known = vec![1f32; n * width];
                let mut value = vec![1f32; n * width];
                let mut measured = vec![0f32; n * width];
                for (i, r) in rows.iter().enumerate() {
                    for (j, &g) in r.iter().enumerate() {
                        match table[g as usize] {
                            Some(v) => {
                                value[i * width + j] = v;
                                measured[i * width + j] = 1.0;
                            }
                            None => {
                                known[i * width + j] = 0.0;
                                value[i * width + j] = 0.0;
                            }
                        }
                    }
                }
                let multi = rows
                    .iter()
                    .map(|r| f32::from(u8::from(r.len() > 1)))
                    .collect();
                let measured_count = measured.iter().filter(|&&m| m > 0.0).count();
                Composition {
                    known: floats::<B, 3>(known, [n, width, 1], device),
                    value: floats::<B, 3>(value, [n, width, 1], device),
                    measured: floats::<B, 3>(measured, [n, width, 1], device),
                    measured_count,
                    multi: floats::<B, 2>(multi, [n, 1], device),
                }
            })
            .collect();
        // Neighbour labels are looked up in the environments as the dataset numbers them.
        let neighbours = self.neighbours.as_ref().map(|nb| {
            let values = nb.inputs(rows, environments, hidden);
            floats::<B, 2>(values, [n, nb.width()], device)
        });
        let unseen = self.environments as i64;
        let environments = (self.environments > 1).then(|| {
            let ids = match environments {
                Some(e) => {
                    assert_eq!(e.len(), n, "one environment per genotype");
                    e.iter().map(|&e| i64::from(e).min(unseen)).collect()
                }
                None => vec![unseen; n],
            };
            ints::<B>(ids, device)
        });
        let links = (self.set_edges && !self.table.graphs.is_empty()).then(|| {
            let graphs = self.table.graphs.len();
            let values = rows
                .iter()
                .flat_map(|r| self.links(r))
                .collect::<Vec<f32>>();
            floats::<B, 2>(values, [n, 2 * graphs], device)
        });
        let sets = Sets {
            slots: ints::<B>(slots, device),
            environments,
            links,
            neighbours,
            mask: floats::<B, 3>(mask, [n, width, 1], device),
            padding: Tensor::<B, 2, Bool>::from_data(TensorData::new(padding, [n, width]), device),
            n,
            width,
        };
        Batch {
            genes,
            encoded,
            sets,
            compositions,
        }
    }

    /// Per network, the share of the genotype's gene pairs that are neighbours and their
    /// neighbourhoods' mean Jaccard overlap (0 for a single gene).
    fn links(&self, genes: &[u32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(2 * self.table.graphs.len());
        for graph in &self.table.graphs {
            let around = |g: u32| &graph.src[graph.into_gene(g)];
            let (mut linked, mut overlap, mut pairs) = (0.0f32, 0.0f32, 0.0f32);
            for (i, &a) in genes.iter().enumerate() {
                for &b in &genes[i + 1..] {
                    let (na, nb) = (around(a), around(b));
                    linked += f32::from(u8::from(na.binary_search(&b).is_ok()));
                    let shared = network::shared(na, nb, |&g| g) as f32;
                    let union = (na.len() + nb.len()) as f32 - shared;
                    overlap += if union > 0.0 { shared / union } else { 0.0 };
                    pairs += 1.0;
                }
            }
            let pairs = pairs.max(1.0);
            out.extend([linked / pairs, overlap / pairs]);
        }
        out
    }

    /// The input layer's weight and bias gradients from the gradient `grad` (`[rows, d]`) of
    /// its output over table rows `rows` (see [`Batch::projected`]).
    pub fn input_gradient(&self, rows: &[u32], grad: &[f32], d: usize) -> (Vec<f32>, Vec<f32>) {
        self.sparse.gradient(rows, grad, d)
    }

    /// The network's forward pass on `batch`.
    pub fn forward<B: Backend>(&self, net: &Net<B>, batch: &Batch<B>) -> Forward<B> {
        net.forward(&batch.genes, &batch.sets)
    }

    /// What the encoder needs for the genes of `rows`: their neighbourhoods, one hop per
    /// round (S₀ ⊇ S₁ ⊇ … ⊇ S_r = the batch's genes, Sₖ = Sₖ₊₁ and its neighbours), the
    /// input of S₀ (its table rows beside), and per round the edges into Sₖ; with the batch's
    /// genes, sorted.
    fn genes<B: Backend>(
        &self,
        net: &Net<B>,
        rows: &[&[u32]],
        device: &B::Device,
    ) -> (Genes<B>, Vec<u32>, Vec<u32>) {
        let table = &self.table;
        let mut batch: Vec<u32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        batch.sort_unstable();
        batch.dedup();
        let rounds = if table.graphs.is_empty() {
            0
        } else {
            self.rounds
        };
        let mut layers = vec![batch.clone()];
        for _ in 0..rounds {
            let inner = layers.last().expect("one layer at least");
            let mut outer = inner.clone();
            for graph in &table.graphs {
                for &g in inner {
                    outer.extend(graph.into_gene(g).map(|k| graph.src[k]));
                }
            }
            outer.sort_unstable();
            outer.dedup();
            layers.push(outer);
        }
        layers.reverse();
        let first = &layers[0];
        let dim = table.dim;
        let input = match net.input() {
            None => GeneInput::None,
            Some(layer) if input::on_host::<B>(device) => {
                let host = |t: Tensor<B, 1>| -> Vec<f32> {
                    t.into_data().convert::<f32>().to_vec().expect("floats")
                };
                let weight = host(layer.weight.val().reshape([-1]));
                let bias = layer
                    .bias
                    .as_ref()
                    .map_or_else(|| vec![0.0; weight.len() / dim.max(1)], |b| host(b.val()));
                let d = bias.len();
                let projected = self.sparse.project(first, &weight, &bias);
                GeneInput::Projected(
                    floats::<B, 2>(projected, [first.len(), d], device).require_grad(),
                )
            }
            Some(_) => {
                let features: Vec<f32> = first
                    .iter()
                    .flat_map(|&r| {
                        table.features[r as usize * dim..(r as usize + 1) * dim]
                            .iter()
                            .copied()
                    })
                    .collect();
                GeneInput::Features(floats::<B, 2>(features, [first.len(), dim], device))
            }
        };
        let at = |layer: &[u32], g: u32| -> i64 {
            layer.binary_search(&g).expect("neighbourhoods nest") as i64
        };
        let round_inputs = layers
            .windows(2)
            .map(|w| {
                let (outer, inner) = (&w[0], &w[1]);
                let edges = table
                    .graphs
                    .iter()
                    .map(|graph| {
                        let (mut src, mut dst, mut weight) = (Vec::new(), Vec::new(), Vec::new());
                        for (i, &g) in inner.iter().enumerate() {
                            for k in graph.into_gene(g) {
                                src.push(at(outer, graph.src[k]));
                                dst.push(i as i64);
                                weight.push(graph.weight[k]);
                            }
                        }
                        (!src.is_empty()).then(|| Edges {
                            weight: floats::<B, 2>(weight, [dst.len(), 1], device),
                            src: ints::<B>(src, device),
                            dst: ints::<B>(dst, device),
                        })
                    })
                    .collect();
                RoundInputs {
                    keep: ints::<B>(inner.iter().map(|&g| at(outer, g)).collect(), device),
                    genes: inner.len(),
                    edges,
                }
            })
            .collect();
        let genes = Genes {
            input,
            rows: ints::<B>(first.iter().map(|&r| i64::from(r)).collect(), device),
            rounds: round_inputs,
        };
        (genes, layers.swap_remove(0), batch)
    }

    /// Label `l`'s outputs as its codec reads them (a composed label's made standardised
    /// value), with its CORAL biases where it has them.
    pub fn label_outputs<B: Backend>(
        &self,
        net: &Net<B>,
        forward: &Forward<B>,
        batch: &Batch<B>,
        l: usize,
    ) -> (Tensor<B, 2>, Option<Tensor<B, 1>>) {
        let (from, to) = (self.offsets[l], self.offsets[l + 1]);
        let out = forward.out.clone().narrow(1, from, to - from);
        let raw = self.coral[l].map(|k| net.coral(k));
        let Some(c) = self.composed[l] else {
            return (out, raw);
        };
        let LabelCodec::Scaled { scale, .. } = self.codecs[l] else {
            unreachable!("a composed label is a regression");
        };
        let composition = &batch.compositions[c];
        let own = forward
            .singles
            .clone()
            .expect("composed labels have the single-mutant head")
            .narrow(2, c, 1);
        let f = composition.value.clone() + (composition.known.clone().neg() + 1.0) * own;
        let [n, width, _] = f.dims();
        let mut product = f.clone().narrow(1, 0, 1).reshape([n, 1]);
        for j in 1..width {
            product = product * f.clone().narrow(1, j, 1).reshape([n, 1]);
        }
        (product / scale + composition.multi.clone() * out, raw)
    }

    /// For composed label `l`, the single-mutant head's squared error on the batch's genes
    /// whose single mutant is measured, in the label's scale: what teaches the head that
    /// stands in for unmeasured genes (the composition itself uses the measured values).
    pub fn single_loss<B: Backend>(
        &self,
        forward: &Forward<B>,
        batch: &Batch<B>,
        l: usize,
    ) -> Option<Tensor<B, 1>> {
        let c = self.composed[l]?;
        let composition = &batch.compositions[c];
        if composition.measured_count == 0 {
            return None;
        }
        let LabelCodec::Scaled { scale, .. } = self.codecs[l] else {
            unreachable!("a composed label is a regression");
        };
        let own = forward.singles.clone()?.narrow(2, c, 1);
        let error = (own - composition.value.clone()) * composition.measured.clone() / scale;
        Some(error.powi_scalar(2).sum() / composition.measured_count as f64)
    }

    /// Every label's values for `rows` (table rows) in `environments` (as [`Self::batch`]),
    /// row-major `[genotypes, labels]`.
    pub fn predict<B: Backend>(
        &self,
        net: &Net<B>,
        rows: &[&[u32]],
        environments: Option<&[u16]>,
        device: &B::Device,
    ) -> Vec<f64> {
        let labels = self.labels.len();
        let mut values = vec![f64::NAN; rows.len() * labels];
        for (c, chunk) in rows.chunks(PREDICT_BATCH).enumerate() {
            let at = c * PREDICT_BATCH;
            let environments = environments.map(|e| &e[at..at + chunk.len()]);
            let batch = self.batch(net, chunk, environments, None, device);
            let forward = self.forward(net, &batch);
            for l in 0..labels {
                let (out, raw) = self.label_outputs(net, &forward, &batch, l);
                let v: Vec<f64> = self.codecs[l]
                    .decode(out, raw)
                    .into_data()
                    .convert::<f64>()
                    .to_vec()
                    .expect("floats");
                for (k, v) in v.into_iter().enumerate() {
                    values[(c * PREDICT_BATCH + k) * labels + l] = v;
                }
            }
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Distribution;
    use ironcell_core::SystematicName;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::{deep::Objective, CpuAutodiff};

    /// The host's sparse input layer gives what burn's dense product of the same weights
    /// gives, and the gradients the learner registers are burn's autodiff of that product.
    #[test]
    fn the_host_input_layer_is_the_dense_one() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let (n, dim) = (30, 12);
        let genes: Vec<SystematicName> = (0..n)
            .map(|i| format!("YBR{:03}W", i + 1).parse().expect("a name"))
            .collect();
        // Binary-like columns beside a dense one, as GO membership beside codon usage.
        let features = (0..n * dim)
            .map(|k| match k % dim {
                0 => rng.random_range(-1.0..1.0),
                _ if rng.random_bool(0.2) => 1.7,
                _ => -0.4,
            })
            .collect();
        let table = Arc::new(GeneTable::new(genes, dim, features, Vec::new()));
        let config = GeneSetConfig::default();
        let codec = LabelCodec::fit(Objective::Mse, &[0.0, 1.0, 2.0], None).expect("a codec");
        let readout = Readout::new(
            vec!["y".to_owned()],
            vec![codec],
            table.clone(),
            &config,
            1,
            &Singles::new(),
        );
        let device = Default::default();
        let net = Net::<CpuAutodiff>::new(&config, n, dim, 0, 1, 0, 1, 0, &[], 9, &device);
        let rows: [&[u32]; 3] = [&[4, 17], &[2], &[17, 29, 0]];
        let batch = readout.batch(&net, &rows, None, None, &device);
        let (projected, encoded) = batch.projected().expect("NdArray projects on the host");
        assert_eq!(encoded, [0, 2, 4, 17, 29]);

        let x: Vec<f32> = encoded
            .iter()
            .flat_map(|&g| table.features[g as usize * dim..(g as usize + 1) * dim].to_vec())
            .collect();
        let layer = net.input().expect("an input layer");
        let dense = layer.forward(floats::<CpuAutodiff, 2>(x, [encoded.len(), dim], &device));
        let d = config.hidden;
        let weights =
            Tensor::<CpuAutodiff, 2>::random([encoded.len(), d], Distribution::Default, &device);
        let host = |t: Tensor<CpuAutodiff, 2>| -> Vec<f32> {
            t.into_data().convert::<f32>().to_vec().expect("floats")
        };
        let close = |a: &[f32], b: &[f32]| {
            assert_eq!(a.len(), b.len());
            for (a, b) in a.iter().zip(b) {
                assert!((a - b).abs() < 1e-4, "{a} vs {b}");
            }
        };
        close(&host(projected.clone()), &host(dense.clone()));

        let grads = (dense * weights.clone()).sum().backward();
        let want_weight = layer.weight.val().grad(&grads).expect("a weight gradient");
        let want_bias = layer
            .bias
            .as_ref()
            .expect("a bias")
            .val()
            .grad(&grads)
            .expect("a bias gradient");
        let (weight, bias) = readout.input_gradient(encoded, &host(weights), d);
        let inner = |t: Tensor<crate::Cpu, 2>| -> Vec<f32> {
            t.into_data().convert::<f32>().to_vec().expect("floats")
        };
        close(&weight, &inner(want_weight));
        close(&bias, &inner(want_bias.reshape([1, d])));
    }
}
