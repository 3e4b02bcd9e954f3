//! A gene-set model as a [`Learner`]: burn's autodiff for the gradients, burn's AdamW or SGD
//! for the step, the whole state (weights, optimiser moments) as bytes for exact resume.

use std::{collections::BTreeMap, sync::Arc};

use burn::{
    module::{AutodiffModule, Module},
    optim::{
        adaptor::OptimizerAdaptor, momentum::MomentumConfig, AdamW, AdamWConfig, GradientsParams,
        Optimizer, Sgd, SgdConfig,
    },
    record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder},
    tensor::{
        backend::{AutodiffBackend, Backend},
        ElementConversion, Int, Tensor, TensorData,
    },
};
use ironcell_core::SystematicName;
use ironcell_data::{
    features::neighbour_labels::Hidden,
    instances::{Instances, MiniBatch},
};
use ironcell_sources::reference::Reference;

use super::{
    gradients,
    neighbours::{self, Memory, NeighbourInputs},
    net::Net,
    readout::Readout,
    Auxiliary, GeneSetConfig, GeneTable, LabelCodec,
};
use crate::{
    codec,
    loss::{
        bins::{Binning, Bins},
        contrastive,
    },
    optim::OptimizerConfig,
    trainer::{world::Collective, Learner},
};

/// Measured single-mutant values of each composed label, by gene: the inputs of Π f.
pub type Singles = BTreeMap<String, BTreeMap<SystematicName, f64>>;

/// Rows of a batch Rank-N-Contrast compares (its cost grows with the cube).
const CONTRAST_ROWS: usize = 64;

enum Optim<B: AutodiffBackend> {
    Adamw(OptimizerAdaptor<AdamW, Net<B>, B>),
    Sgd(OptimizerAdaptor<Sgd<B::InnerBackend>, Net<B>, B>),
}

impl<B: AutodiffBackend> Optim<B> {
    fn new(config: &OptimizerConfig) -> Self {
        match *config {
            OptimizerConfig::Adamw { weight_decay, .. } => Self::Adamw(
                AdamWConfig::new()
                    .with_epsilon(1e-8)
                    .with_weight_decay(weight_decay as f32)
                    .init(),
            ),
            OptimizerConfig::Sgd {
                weight_decay,
                momentum,
                ..
            } => {
                Self::Sgd(
                    SgdConfig::new()
                        .with_weight_decay((weight_decay > 0.0).then(|| {
                            burn::optim::decay::WeightDecayConfig::new(weight_decay as f32)
                        }))
                        .with_momentum((momentum > 0.0).then(|| {
                            MomentumConfig::new()
                                .with_momentum(momentum)
                                .with_dampening(0.0)
                        }))
                        .init(),
                )
            }
        }
    }

    fn step(&mut self, rate: f64, net: Net<B>, grads: GradientsParams) -> Net<B> {
        match self {
            Self::Adamw(o) => o.step(rate, net, grads),
            Self::Sgd(o) => o.step(rate, net, grads),
        }
    }

    fn save(&self) -> Vec<u8> {
        let recorder = NamedMpkBytesRecorder::<FullPrecisionSettings>::default();
        let bytes = match self {
            Self::Adamw(o) => Recorder::<B>::record(&recorder, o.to_record(), ()),
            Self::Sgd(o) => Recorder::<B>::record(&recorder, o.to_record(), ()),
        };
        bytes.expect("optimiser state serialises")
    }

    fn restore(&mut self, bytes: Vec<u8>, device: &B::Device) -> Result<(), codec::Error> {
        let recorder = NamedMpkBytesRecorder::<FullPrecisionSettings>::default();
        let bad =
            |e: burn::record::RecorderError| codec::Error::new(format!("optimiser state: {e}"));
        match self {
            Self::Adamw(o) => {
                let record = Recorder::<B>::load(&recorder, bytes, device).map_err(bad)?;
                *o = o.clone().load_record(record);
            }
            Self::Sgd(o) => {
                let record = Recorder::<B>::load(&recorder, bytes, device).map_err(bad)?;
                *o = o.clone().load_record(record);
            }
        }
        Ok(())
    }
}

/// The weights of `net` as bytes.
pub(crate) fn weights_to_bytes<B: Backend>(net: &Net<B>) -> Vec<u8> {
    let recorder = NamedMpkBytesRecorder::<FullPrecisionSettings>::default();
    Recorder::<B>::record(&recorder, net.clone().into_record(), ()).expect("weights serialise")
}

/// `net` with the weights `bytes` hold.
pub(crate) fn weights_from_bytes<B: Backend>(
    net: Net<B>,
    bytes: Vec<u8>,
    device: &B::Device,
) -> Result<Net<B>, codec::Error> {
    let recorder = NamedMpkBytesRecorder::<FullPrecisionSettings>::default();
    let record = Recorder::<B>::load(&recorder, bytes, device)
        .map_err(|e| codec::Error::new(format!("weights: {e}")))?;
    Ok(net.load_record(record))
}

/// The auxiliary loss with what it needs from the training labels.
enum Regulariser {
    OrdinalEntropy {
        lambda_d: f64,
        lambda_t: f64,
        groups: Bins,
    },
    RankNContrast {
        weight: f64,
        tau: f64,
    },
}

/// A gene-set model with its optimiser.
pub struct GeneSetLearner<B: AutodiffBackend> {
    config: GeneSetConfig,
    readout: Readout,
    weights: Vec<f64>,
    regulariser: Option<Regulariser>,
    /// Dataset gene index → table row.
    to_table: Vec<u32>,
    net: Option<Net<B>>,
    optimizer: Optim<B>,
    clip: Option<f64>,
    /// Seed of the weights and of the genes hidden from the neighbour labels.
    seed: u64,
    device: B::Device,
    inner_device: <B::InnerBackend as Backend>::Device,
}

/// What a gene-set learner is made from.
pub struct Setup<'a> {
    /// The model.
    pub config: &'a GeneSetConfig,
    /// The genome it sees.
    pub table: Arc<GeneTable>,
    /// The dataset's genes (the index space of its genotypes).
    pub genes: &'a [SystematicName],
    /// The dataset's instances.
    pub instances: &'a Instances,
    /// The training rows (codecs and scales are fitted on them).
    pub train: &'a [usize],
    /// How many environments the dataset has (each a learned input when more than one).
    pub environments: usize,
    /// Measured single-mutant values of the composed labels.
    pub singles: &'a Singles,
    /// The optimiser.
    pub optimizer: &'a OptimizerConfig,
    /// Gradients scaled down to this norm at most.
    pub clip: Option<f64>,
    /// Seed of the weights.
    pub seed: u64,
    /// The reference bundle the table was built from: the neighbour labels' networks name
    /// genes by it (needed only with `neighbour_labels`).
    pub reference: Option<&'a Reference>,
}

impl<B: AutodiffBackend> GeneSetLearner<B> {
    /// A fresh model predicting every label of `setup.instances` on `device`.
    pub fn new(setup: Setup<'_>, device: B::Device) -> Result<Self, String> {
        let config = setup.config;
        if setup.table.dim == 0 && !config.embedding {
            return Err("a gene-set model needs gene features or embedding = true".to_owned());
        }
        if config.hidden == 0 || !config.hidden.is_multiple_of(config.attention_heads.max(1)) {
            return Err(format!(
                "hidden = {} must be a positive multiple of attention_heads = {}",
                config.hidden, config.attention_heads
            ));
        }
        if config.set_edges && setup.table.graphs.is_empty() {
            return Err(
                "set_edges reads the set's links in the model's graphs: name some".to_owned(),
            );
        }
        let instances = setup.instances;
        let labels = instances.labels().to_vec();
        for name in config.compose.iter().chain(config.label_weights.keys()) {
            if !labels.contains(name) {
                return Err(format!(
                    "{name:?} is not a label of the dataset ({labels:?})"
                ));
            }
        }
        let to_table: Vec<u32> = setup
            .genes
            .iter()
            .map(|g| {
                setup
                    .table
                    .row(g)
                    .ok_or_else(|| format!("gene {g} is not in the model's table"))
            })
            .collect::<Result<_, _>>()?;
        let mut codecs = Vec::with_capacity(labels.len());
        let mut coral = Vec::new();
        let mut first_values = Vec::new();
        for (l, label) in labels.iter().enumerate() {
            let values: Vec<f64> = setup
                .train
                .iter()
                .map(|&i| f64::from(instances.label(l, i).value))
                .collect();
            let residuals = config.compose.contains(label).then(|| {
                let by_gene = setup.singles.get(label);
                setup
                    .train
                    .iter()
                    .zip(&values)
                    .filter_map(|(&i, &y)| {
                        let genes = instances.genes(i);
                        let product = genes
                            .iter()
                            .map(|&g| by_gene?.get(&setup.genes[g as usize]).copied())
                            .product::<Option<f64>>()?;
                        (genes.len() > 1 && y.is_finite()).then_some(y - product)
                    })
                    .collect::<Vec<f64>>()
            });
            let codec = LabelCodec::fit(config.objective, &values, residuals.as_deref())
                .map_err(|e| format!("label {label}: {e}"))?;
            coral.extend(codec.coral_start(&values));
            codecs.push(codec);
            if l == 0 {
                first_values = values;
            }
        }
        let singles: Singles = config
            .compose
            .iter()
            .map(|l| (l.clone(), setup.singles.get(l).cloned().unwrap_or_default()))
            .collect();
        let readout = Readout::new(
            labels.clone(),
            codecs,
            setup.table.clone(),
            config,
            setup.environments,
            &singles,
        );
        let readout = if config.neighbour_labels.is_empty() {
            readout
        } else {
            let reference = setup.reference.ok_or(
                "neighbour_labels reads networks that name genes by a reference bundle: give one",
            )?;
            let memory = Memory {
                genes: setup.genes.to_vec(),
                rows: setup
                    .train
                    .iter()
                    .map(|&i| instances.genes(i).to_vec())
                    .collect(),
                environments: setup.train.iter().map(|&i| instances.source(i).1).collect(),
                labels: setup
                    .train
                    .iter()
                    .flat_map(|&i| (0..labels.len()).map(move |l| instances.label(l, i).value))
                    .collect(),
            };
            readout.with_neighbours(NeighbourInputs::fit(
                memory,
                labels.len(),
                &config.neighbour_labels,
                reference,
                &setup.table,
            )?)
        };
        let weights = labels
            .iter()
            .map(|l| config.label_weights.get(l).copied().unwrap_or(1.0))
            .collect();
        let regulariser = match config.auxiliary {
            None => None,
            Some(Auxiliary::OrdinalEntropy {
                lambda_d,
                lambda_t,
                groups,
            }) => Some(Regulariser::OrdinalEntropy {
                lambda_d,
                lambda_t,
                groups: Bins::fit(&first_values, groups, Binning::EqualFrequency)
                    .map_err(|e| format!("ordinal entropy's groups: {e}"))?,
            }),
            Some(Auxiliary::RankNContrast { weight, tau }) => {
                Some(Regulariser::RankNContrast { weight, tau })
            }
        };
        let table = &setup.table;
        let net = Net::new(
            config,
            table.len(),
            table.dim,
            table.graphs.len(),
            setup.environments,
            readout.extra_inputs(),
            readout.outputs(),
            readout.composed(),
            &coral,
            setup.seed,
            &device,
        );
        Ok(Self {
            config: config.clone(),
            weights,
            regulariser,
            to_table,
            net: Some(net),
            optimizer: Optim::new(setup.optimizer),
            clip: setup.clip,
            seed: setup.seed,
            readout,
            inner_device: Tensor::<B, 1>::zeros([1], &device).inner().device(),
            device,
        })
    }

    fn table_rows<'a>(&self, genotypes: impl Iterator<Item = &'a [u32]>) -> Vec<Vec<u32>> {
        genotypes
            .map(|g| g.iter().map(|&i| self.to_table[i as usize]).collect())
            .collect()
    }

    fn predict_environments(&self, genotypes: &[&[u32]], environments: Option<&[u16]>) -> Vec<f64> {
        let rows = self.table_rows(genotypes.iter().copied());
        let rows: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
        let net = self.net().valid();
        self.readout
            .predict(&net, &rows, environments, &self.inner_device)
    }

    /// Registers the input layer's weight and bias gradients, computed on the host from the
    /// gradient of its output (`grad`, of table rows `rows`), in `grads`.
    fn input_gradient(
        &self,
        net: &Net<B>,
        grads: &mut GradientsParams,
        grad: Tensor<B::InnerBackend, 2>,
        rows: &[u32],
    ) {
        let layer = net.input().expect("a projected input has an input layer");
        let [_, d] = grad.dims();
        let grad: Vec<f32> = grad.into_data().convert::<f32>().to_vec().expect("floats");
        let (weight, bias) = self.readout.input_gradient(rows, &grad, d);
        let dim = weight.len() / d;
        let tensor = |values: Vec<f32>, shape: Vec<usize>| {
            TensorData::new(values, shape).convert::<<B::InnerBackend as Backend>::FloatElem>()
        };
        grads.register(
            layer.weight.id,
            Tensor::<B::InnerBackend, 2>::from_data(
                tensor(weight, vec![dim, d]),
                &self.inner_device,
            ),
        );
        if let Some(b) = &layer.bias {
            grads.register(
                b.id,
                Tensor::<B::InnerBackend, 1>::from_data(tensor(bias, vec![d]), &self.inner_device),
            );
        }
    }

    fn net(&self) -> &Net<B> {
        self.net
            .as_ref()
            .expect("the network is back after every step")
    }

    /// The trained model: its configuration, readout and network.
    pub fn into_parts(self) -> (GeneSetConfig, Readout, Net<B::InnerBackend>) {
        let net = self.net().valid();
        (self.config, self.readout, net)
    }
}

impl<B: AutodiffBackend> Learner for GeneSetLearner<B> {
    fn labels(&self) -> &[String] {
        &self.readout.labels
    }

    /// Across ranks each label's term, a mean over the shard's rows with a value, is scaled
    /// by those rows' share of the global batch's (the counts are summed first), so the
    /// ranks' averaged gradient is the single-process one; the composed singles' term and a
    /// regulariser over the batch (ordinal entropy, Rank-N-Contrast) see their rank's shard
    /// and are averaged, as PyTorch's DistributedDataParallel does without gathering
    /// features.
    fn train_step(&mut self, batch: &MiniBatch, learning_rate: f64, world: &dyn Collective) -> f64 {
        let rows = self.table_rows(batch.genotypes());
        let rows: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
        let n = rows.len();
        let labels = self.readout.labels.len();
        let net = self
            .net
            .take()
            .expect("the network is back after every step");
        let hidden: Option<Vec<Hidden>> = self.readout.neighbours().map(|_| {
            batch
                .indices
                .iter()
                .zip(&rows)
                .map(|(&i, r)| neighbours::hidden_genes(i, r.len(), self.seed))
                .collect()
        });
        let inputs = self.readout.batch(
            &net,
            &rows,
            Some(&batch.environments),
            hidden.as_deref(),
            &self.device,
        );
        let forward = self.readout.forward(&net, &inputs);
        let mut loss: Option<Tensor<B, 1>> = None;
        let mut add = |term: Tensor<B, 1>| {
            loss = Some(match loss.take() {
                Some(l) => l + term,
                None => term,
            });
        };
        let shares = label_shares(batch, labels, world);
        for (l, share) in shares.iter().enumerate() {
            let values: Vec<f64> = (0..n)
                .map(|k| f64::from(batch.labels[k * labels + l]))
                .collect();
            if values.iter().all(|v| !v.is_finite()) {
                continue;
            }
            let (out, raw) = self.readout.label_outputs(&net, &forward, &inputs, l);
            add(self.readout.codecs[l].loss(out, &values, raw) * (self.weights[l] * share));
        }
        for l in 0..labels {
            if let Some(single) = self.readout.single_loss(&forward, &inputs, l) {
                add(single * self.weights[l]);
            }
        }
        if let Some(reg) = &self.regulariser {
            let observed: Vec<(usize, f64)> = (0..n)
                .map(|k| (k, f64::from(batch.labels[k * labels])))
                .filter(|(_, y)| y.is_finite())
                .collect();
            let take = match reg {
                Regulariser::RankNContrast { .. } => CONTRAST_ROWS.min(observed.len()),
                Regulariser::OrdinalEntropy { .. } => observed.len(),
            };
            if take >= 2 {
                let index: Vec<i64> = observed[..take].iter().map(|&(k, _)| k as i64).collect();
                let y: Vec<f64> = observed[..take].iter().map(|&(_, y)| y).collect();
                let index = Tensor::<B, 1, Int>::from_data(
                    TensorData::new(index, [take]).convert::<B::IntElem>(),
                    &self.device,
                );
                let features = forward.set.clone().select(0, index);
                add(match reg {
                    Regulariser::OrdinalEntropy {
                        lambda_d,
                        lambda_t,
                        groups,
                    } => {
                        let (d, t) = contrastive::ordinal_entropy(features, &y, groups);
                        d * *lambda_d + t * *lambda_t
                    }
                    Regulariser::RankNContrast { weight, tau } => {
                        contrastive::rank_n_contrast(features, &y, *tau) * *weight
                    }
                });
            }
        }
        let (value, mut grads) = match loss {
            Some(loss) => {
                let value: f64 = loss.clone().into_scalar().elem();
                let mut raw = loss.backward();
                let projected = inputs
                    .projected()
                    .and_then(|(p, rows)| Some((p.grad_remove(&mut raw)?, rows)));
                let mut grads = GradientsParams::from_grads(raw, &net);
                if let Some((grad, rows)) = projected {
                    self.input_gradient(&net, &mut grads, grad, rows);
                }
                (value, grads)
            }
            None if world.size() == 1 => {
                self.net = Some(net);
                return f64::NAN;
            }
            // Nothing to learn from in this shard; the other ranks' average still applies.
            None => (f64::NAN, GradientsParams::new()),
        };
        if world.size() > 1 {
            grads = gradients::average(&net, grads, world, 1.0);
        }
        if let Some(max) = self.clip {
            gradients::clip(&net, &mut grads, max);
        }
        self.net = Some(self.optimizer.step(learning_rate, net, grads));
        value
    }

    /// Predictions in an environment not seen in training (with environments as an input).
    fn predict(&self, genotypes: &[&[u32]]) -> Vec<f64> {
        self.predict_environments(genotypes, None)
    }

    fn predict_in(&self, genotypes: &[&[u32]], environments: &[u16]) -> Vec<f64> {
        self.predict_environments(genotypes, Some(environments))
    }

    fn save_state(&self, out: &mut Vec<u8>) {
        put_bytes(out, &weights_to_bytes(self.net()));
        put_bytes(out, &self.optimizer.save());
    }

    fn weights(&self) -> Vec<f32> {
        gradients::values(self.net())
    }

    fn restore_state(&mut self, input: &mut &[u8]) -> Result<(), codec::Error> {
        let weights = get_bytes(input)?;
        let optimizer = get_bytes(input)?;
        let net = self
            .net
            .take()
            .expect("the network is back after every step");
        let restored = weights_from_bytes(net.clone(), weights, &self.device);
        match restored {
            Ok(net) => self.net = Some(net),
            Err(e) => {
                self.net = Some(net);
                return Err(e);
            }
        }
        self.optimizer.restore(optimizer, &self.device)
    }
}

/// Per label, the factor that turns the mean over this shard's rows with a value into its
/// part of the mean over the global batch's, times the ranks (whose gradients are then
/// averaged): `n_label · ranks / N_label`. 1 in a world of one.
fn label_shares(batch: &MiniBatch, labels: usize, world: &dyn Collective) -> Vec<f64> {
    if world.size() == 1 {
        return vec![1.0; labels];
    }
    let mut counts = vec![0.0; labels];
    for row in batch.labels.chunks(labels.max(1)) {
        for (c, y) in counts.iter_mut().zip(row) {
            *c += f64::from(u8::from(y.is_finite()));
        }
    }
    let mut totals = counts.clone();
    world.sum_f64(&mut totals);
    let ranks = world.size() as f64;
    counts
        .iter()
        .zip(&totals)
        .map(|(n, total)| if *total > 0.0 { n * ranks / total } else { 0.0 })
        .collect()
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    codec::put_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn get_bytes(input: &mut &[u8]) -> Result<Vec<u8>, codec::Error> {
    let n = usize::try_from(codec::get_u64(input)?)
        .map_err(|_| codec::Error::new("length out of range"))?;
    if input.len() < n {
        return Err(codec::Error::new("the state ends early"));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head.to_vec())
}
