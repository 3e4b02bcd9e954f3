//! The accuracy benchmark: every model on the tasks of measured data, each under a random
//! split and gene-disjoint splits (for multi-gene instances both "at least one test gene" and
//! "every gene a test gene"), held-out environments and the splits the data's publishers made;
//! test-set metrics with bootstrap 95 % intervals, and scikit-learn's random forest on the
//! same features and rows beside ours. `ironcell bench accuracy` is this module behind
//! arguments.

mod dcell;
mod deep;
mod store;
mod tasks;

use std::{path::PathBuf, time::Instant};

use ironcell_data::{
    features::{
        neighbour_labels::{Hidden, NeighbourLabels},
        pooling::{Pooler, Pooling},
        GeneFeature, GeneFeatures,
    },
    graph::GeneGraph,
    ontology::{DcellOntology, OntologyConfig, WidthRule},
    split::{
        gene_disjoint_split, held_out_environment, random_split, sample, Overlap, SplitFractions,
        SplitName,
    },
};
use ironcell_models::{
    baseline::{design::DesignError, trees::ForestParams, Matrix, ModelKind, Params, Regressor},
    deep::Head,
};
use ironcell_sources::{data_dir::DataDir, reference::Reference};
use serde::Serialize;

use crate::{
    evaluate::Outcome,
    score::{ranking, score, Judged},
    sklearn, Error,
};
use store::TaskStore;
use tasks::Screens;
pub use tasks::{Row, Task, SMF};

type Result<T> = std::result::Result<T, Error>;

/// A task of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum AccuracyTask {
    /// Single-mutant fitness, Costanzo 2016, deletions at 30 °C.
    Smf,
    /// Double-mutant fitness, the Kuzmin 2018 subset (hoΔ dropped).
    Dmf,
    /// E-MAP S-scores, Collins 2007.
    Emap,
    /// Synthetic sick/lethal calls with tested negatives, Tong 2004 (classification).
    Ssl,
    /// Fitness across environments, Qian 2012 and Costanzo 2021: the environment is an input.
    Environments,
    /// UPR reporter level, Jonikas 2009 (single and double mutants).
    Upr,
    /// Costanzo 2016 ε of the gene pairs of two GO subtrees (DCell's example data), with
    /// each gene's single-mutant fitness as inputs; DCell's own split beside ours.
    Epsilon,
    /// Hoepfner 2014 HOP chemogenomic z-scores: deletion strains under 132 compounds, the
    /// compound an input.
    Chemogenomics,
}

/// A model of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum AccuracyModel {
    /// The training mean.
    Mean,
    /// Double mutants: f_a + f_b − 1 from the single mutants (Costanzo 2016).
    Additive,
    /// Double mutants: f_a · f_b, the null model of ε.
    Multiplicative,
    /// Interaction scores (ε, E-MAP S): 0, no interaction.
    Zero,
    /// Random forest on pooled gene features (100 trees, a third of the features per split).
    Rf,
    /// Gradient-boosted trees on the same features.
    Gbt,
    /// DCell on the GO hierarchy (gene states only: not for the environments task).
    Dcell,
    /// A gene-set model with a DeepSet head over the same gene features (once per
    /// `--objectives`; with a learned vector per environment where the task has several).
    GeneSet,
    /// A gene-set model with the DANGO-style self-attention head.
    Dango,
    /// A gene-set model with DeepSet + bi-interaction pooling (pairwise products).
    Pairwise,
    /// A gene-set model with the Set Transformer head (self-attention block + PMA).
    SetTransformer,
    /// Neighbour labels: the mean training label of the genotypes one network swap away (a
    /// gene replaced by a STRING v12 physical or Krogan 2006 partner), else two swaps, else
    /// the training mean. Genotypes of one or two genes.
    Neighbours,
    /// Gradient-boosted trees on the gene features plus the neighbour-label columns.
    GbtNeighbours,
    /// The mean of the other learned models' predictions on each split (every model of
    /// `--models` but the null models and the plain neighbour guess; each objective of a
    /// gene-set model counts as one): an ensemble of unlike models, named `blend(a, b, …)`.
    Blend,
}

/// What the gene-set models of `bench accuracy` validate on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum DeepValidation {
    /// A tenth of the training rows.
    Rows,
    /// On gene-disjoint splits, the rows of a tenth of the training genes.
    Genes,
}

/// The objective of the gene-set models in `bench accuracy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ObjectiveName {
    /// Squared error.
    Mse,
    /// Huber (δ = 1 standard deviation).
    Huber,
    /// Gaussian soft labels over 32 equal-frequency bins.
    Soft,
    /// CORAL over 32 equal-frequency bins.
    Coral,
    /// CORN over 32 equal-frequency bins.
    Corn,
    /// Binary cross-entropy of a logit, for calls (0/1 labels): the SGA task only.
    Logistic,
}

impl ObjectiveName {
    /// The objective with the benchmark's settings.
    pub fn objective(self) -> ironcell_models::deep::Objective {
        use ironcell_models::{deep::Objective, loss::bins::Binning};
        let (bins, binning) = (32, Binning::EqualFrequency);
        match self {
            Self::Mse => Objective::Mse,
            Self::Huber => Objective::Huber { delta: 1.0 },
            Self::Soft => Objective::Soft {
                bins,
                binning,
                sigma: 1.0,
            },
            Self::Coral => Objective::Coral { bins, binning },
            Self::Corn => Objective::Corn { bins, binning },
            Self::Logistic => Objective::Logistic,
        }
    }
}

/// How the benchmark runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The tasks.
    pub tasks: Vec<AccuracyTask>,
    /// The models.
    pub models: Vec<AccuracyModel>,
    /// Seeds of the splits and the models.
    pub seeds: Vec<u64>,
    /// Fit on at most this many training rows (a seeded sample); all when `None`.
    pub max_train: Option<usize>,
    /// Score at most this many test rows; all when `None`.
    pub max_test: Option<usize>,
    /// DCell's training rows at most (its CPU time).
    pub dcell_max_train: usize,
    /// Trees of the forest, rounds of the boosting.
    pub trees: usize,
    /// Rows each tree of the forest draws, at most; as many as the training rows when `None`.
    pub forest_samples: Option<usize>,
    /// DCell's epochs.
    pub dcell_epochs: usize,
    /// DCell's width rule.
    pub dcell_width: WidthRule,
    /// The gene-set models' objectives.
    pub objectives: Vec<ObjectiveName>,
    /// The gene-set models' most epochs.
    pub deep_epochs: usize,
    /// Gene networks the gene-set models pass messages over.
    pub deep_graphs: Vec<PathBuf>,
    /// What the gene-set models validate on.
    pub deep_validation: DeepValidation,
    /// Whether the gene-set models read neighbour labels (along the networks of the
    /// `neighbours` model) beside the set; their names then end in `+neighbours`.
    pub deep_neighbours: bool,
    /// Bootstrap resamples of each test set.
    pub resamples: usize,
    /// scikit-learn's forest beside ours: the Python and the script.
    pub sklearn: Option<(String, PathBuf)>,
}

/// What one task was.
#[derive(Debug, Clone, Serialize)]
pub struct TaskSummary {
    /// The task.
    pub task: AccuracyTask,
    /// Where its data came from.
    pub source: String,
    /// Its instances.
    pub instances: usize,
    /// Its genes.
    pub genes: usize,
    /// Its environments.
    pub environments: Vec<String>,
    /// Columns of the tree models' design.
    pub features: usize,
    /// The dataset directory its rows came from (cached under its inputs' sha256).
    pub dataset: Option<PathBuf>,
    /// Whether this run built that dataset (ingest and `dataset build`) rather than finding it.
    pub built: bool,
}

/// What the tree models' features are, in words.
pub const FEATURES: &str = "codon usage (64) + GO membership (terms with >= 30 genes) + degree, strength, neighbours' degree and clustering in the Krogan 2006 protein-interaction and Hu 2007 co-expression networks (8), summed over the instance's genes; environment one-hot where several";

/// The data directory's files the benchmark of `tasks` with `models` reads (beside the
/// reference's).
pub fn inputs(
    tasks: &[AccuracyTask],
    models: &[AccuracyModel],
    deep_neighbours: bool,
) -> Vec<&'static str> {
    let neighbours = deep_neighbours || models.iter().any(|m| m.neighbours());
    std::iter::once(SMF)
        .chain(NETWORKS)
        .chain(NEIGHBOUR_NETWORKS.into_iter().filter(|_| neighbours))
        .chain(tasks.iter().flat_map(|t| t.files().iter().copied()))
        .collect()
}

/// The networks neighbour labels swap genes along: physical interactions only, never a
/// network made of genetic interactions (Costanzo 2016's profile similarity would hand a
/// held-out gene's interactions, measured in another screen, back to it).
const NEIGHBOUR_NETWORKS: [&str; 2] = [
    "yeast-networks/string-v12-physical/4932.protein.physical.links.v12.0.txt.gz",
    "yeast-screens/networks/Krogan-2006.txt.gz",
];

/// [`NEIGHBOUR_NETWORKS`] in `data`.
fn neighbour_networks(data: &DataDir) -> Vec<PathBuf> {
    NEIGHBOUR_NETWORKS
        .iter()
        .map(|file| data.root().join(file))
        .collect()
}

/// The test share of instances (random split) and of genes (gene-disjoint splits).
const TEST_FRACTION: f64 = 0.2;

impl AccuracyModel {
    fn name(self) -> &'static str {
        match self {
            Self::Mean => "mean",
            Self::Additive => "additive",
            Self::Multiplicative => "multiplicative",
            Self::Zero => "zero",
            Self::Rf => "rf",
            Self::Gbt => "gbt",
            Self::Dcell => "dcell",
            Self::GeneSet => "gene_set",
            Self::Dango => "dango",
            Self::Pairwise => "pairwise",
            Self::SetTransformer => "set_transformer",
            Self::Neighbours => "neighbours",
            Self::GbtNeighbours => "gbt+neighbours",
            Self::Blend => "blend",
        }
    }

    /// Whether it reads neighbour labels.
    fn neighbours(self) -> bool {
        matches!(self, Self::Neighbours | Self::GbtNeighbours)
    }

    /// The head of a gene-set model.
    fn head(self) -> Option<Head> {
        match self {
            Self::GeneSet => Some(Head::DeepSet),
            Self::Dango => Some(Head::Dango),
            Self::Pairwise => Some(Head::Pairwise),
            Self::SetTransformer => Some(Head::SetTransformer),
            _ => None,
        }
    }
}

/// One split of one task under one seed.
struct SplitRows<'t> {
    name: String,
    /// What was held out, for the held-out environment.
    detail: Option<String>,
    train: Vec<usize>,
    test: Vec<usize>,
    /// The ontology DCell uses on this split, when not the whole GO (a published subtree).
    ontology: Option<&'t DcellOntology>,
}

/// The splits of a task under `seed`: `random`; `gene_disjoint_any` (≥ 1 test gene); for
/// multi-gene instances also `gene_disjoint_all` (every gene a test gene); for several
/// environments `held_out_environment`. Where each gene is one instance (single mutants in
/// one environment) a random split is already gene-disjoint, and only `gene_disjoint_any`
/// is made. Splits the data's
/// publishers made come last, the same under every seed.
fn splits(task: &Task, seed: u64) -> Vec<SplitRows<'_>> {
    let n = task.rows.len();
    let one_per_gene = task.rows.len() == task.genes.len();
    let fractions = SplitFractions {
        validation: 0.0,
        test: TEST_FRACTION,
    };
    let random = random_split(n, fractions, seed);
    let genes = |overlap| {
        gene_disjoint_split(
            n,
            |i| task.rows[i].genes.iter().copied(),
            task.genes.len(),
            fractions,
            overlap,
            seed,
        )
    };
    let any = genes(Overlap::Any);
    let mut out = Vec::new();
    let ours = |name: SplitName, train, test| SplitRows {
        name: name.as_str().to_owned(),
        detail: None,
        train,
        test,
        ontology: None,
    };
    if !one_per_gene {
        out.push(ours(SplitName::Random, random.train, random.test));
    }
    out.push(ours(SplitName::GeneDisjointAny, any.train, any.test));
    if task.rows.iter().any(|r| r.genes.len() > 1) {
        let all = genes(Overlap::All);
        out.push(ours(SplitName::GeneDisjointAll, all.train, all.test));
    }
    if task.environments.len() > 1 {
        let held = held_out_environment(task.environments.len(), seed);
        let (test, train) = (0..n).partition(|&i| task.rows[i].environment == held);
        out.push(SplitRows {
            detail: Some(task.environments[held].clone()),
            ..ours(SplitName::HeldOutEnvironment, train, test)
        });
    }
    out.extend(task.published.iter().map(|p| SplitRows {
        name: p.name.clone(),
        detail: None,
        train: p.train.clone(),
        test: p.test.clone(),
        ontology: p.ontology.as_ref(),
    }));
    out
}

/// The trees' design matrix: pooled gene features (sum over the instance's genes), then the
/// environment one-hot when the task has several, then `extra` columns a split fills in
/// (neighbour labels), row-major; only the models that want the extra columns see them.
struct Design {
    x: Vec<f32>,
    /// Columns before the extra ones.
    width: usize,
    /// Columns per row.
    stride: usize,
}

impl Design {
    fn new(task: &Task, features: &GeneFeatures, extra: usize) -> Result<Self> {
        let pooler = Pooler::new(Pooling::Sum, features, 1);
        let envs = if task.environments.len() > 1 {
            task.environments.len()
        } else {
            0
        };
        let width = pooler.width() + envs;
        let stride = width + extra;
        let mut x = vec![0f32; task.rows.len() * stride];
        for (out, row) in x.chunks_exact_mut(stride).zip(&task.rows) {
            pooler
                .pool(&genes32(row), features, &mut out[..pooler.width()])
                .map_err(DesignError::from)?;
            if envs > 0 {
                out[pooler.width() + row.environment] = 1.0;
            }
        }
        Ok(Self { x, width, stride })
    }

    /// The same design with each instance's single-mutant growth appended (lowest and highest
    /// fitness of its genes, 1 where unmeasured, and how many were unmeasured): the UPR task's
    /// "jointly with growth".
    fn with_growth(&self, task: &Task) -> Self {
        let (width, extra) = (self.width + 3, self.stride - self.width);
        let mut x = Vec::with_capacity(task.rows.len() * (width + extra));
        for (row, features) in task.rows.iter().zip(self.x.chunks_exact(self.stride)) {
            x.extend_from_slice(&features[..self.width]);
            let f: Vec<Option<f64>> = row.genes.iter().map(|&g| task.smf[g]).collect();
            let known = || f.iter().map(|v| v.unwrap_or(1.0));
            x.push(known().fold(f64::INFINITY, f64::min) as f32);
            x.push(known().fold(f64::NEG_INFINITY, f64::max) as f32);
            x.push(f.iter().filter(|v| v.is_none()).count() as f32);
            x.extend(std::iter::repeat_n(0.0, extra));
        }
        Self {
            x,
            width,
            stride: width + extra,
        }
    }

    /// Rows `rows`, with the extra columns or without.
    fn matrix<'a>(&'a self, rows: &'a [usize], extra: bool) -> Result<Matrix<'a>> {
        let m = Matrix::selected(&self.x, self.stride, rows).map_err(DesignError::from)?;
        Ok(if extra { m } else { m.leading(self.width) })
    }

    /// Every row without the extra columns.
    fn all(&self) -> Result<Matrix<'_>> {
        Ok(Matrix::new(&self.x, self.stride)
            .map_err(DesignError::from)?
            .leading(self.width))
    }

    /// Fills each row's extra columns with `fill(row, columns)`.
    fn fill_extra(&mut self, mut fill: impl FnMut(usize, &mut [f32])) {
        let width = self.width;
        for (i, row) in self.x.chunks_exact_mut(self.stride).enumerate() {
            fill(i, &mut row[width..]);
        }
    }
}

/// Neighbour labels fitted on a split's training rows.
fn neighbour_labels(task: &Task, graphs: &[GeneGraph], train: &[usize]) -> NeighbourLabels {
    let rows: Vec<(Vec<u32>, usize, f64)> = train
        .iter()
        .map(|&i| {
            let r = &task.rows[i];
            (genes32(r), r.environment, r.y)
        })
        .collect();
    NeighbourLabels::fit(
        graphs,
        task.genes.len(),
        rows.iter().map(|(g, e, y)| (g.as_slice(), *e, *y)),
    )
}

/// Which genes of each row the neighbour-label columns treat as unseen: for training rows a
/// [`Hidden::draw`], in training-row order under `seed`; none for the others.
fn hidden_in_training(task: &Task, train: &[usize], seed: u64) -> Vec<Hidden> {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x6e65_6967_6862_6f75);
    let mut hidden = vec![Hidden::NONE; task.rows.len()];
    for &i in train {
        hidden[i] = Hidden::draw(&mut rng, task.rows[i].genes.len());
    }
    hidden
}

fn genes32(row: &Row) -> Vec<u32> {
    row.genes.iter().map(|&g| g as u32).collect()
}

/// The random forest of the benchmark (and of scikit-learn beside it).
fn params(settings: &Settings, seed: u64) -> Params {
    let mut p = Params {
        rf: ForestParams {
            trees: settings.trees,
            max_features: 1.0 / 3.0,
            max_samples: settings.forest_samples,
            ..ForestParams::default()
        },
        ..Params::default()
    }
    .with_seed(seed);
    p.gbt.rounds = settings.trees;
    p
}

/// Everything one (task, seed, split) needs to score a model.
struct Fit<'a> {
    task: &'a Task,
    split: &'a SplitRows<'a>,
    train: &'a [usize],
    seed: u64,
    resamples: usize,
}

impl Fit<'_> {
    fn outcome(
        &self,
        model: String,
        engine: &'static str,
        rows: &[usize],
        prediction: &[f64],
        seconds: f64,
    ) -> Outcome {
        let truth: Vec<f64> = rows.iter().map(|&i| self.task.rows[i].y).collect();
        let label = self.task.label.as_str();
        let judged = Judged::of(label);
        let mut metrics = score(judged, &truth, prediction, self.resamples, self.seed);
        metrics.extend(ranking(
            judged,
            &truth,
            prediction,
            self.resamples,
            self.seed,
        ));
        Outcome {
            task: self.task.name.as_str().to_owned(),
            split: self.split.name.clone(),
            held_out: self.split.detail.clone(),
            seed: Some(self.seed),
            model,
            engine: engine.to_owned(),
            label: label.to_owned(),
            subset: "all".to_owned(),
            n_train: self.train.len(),
            n_test: rows.len(),
            seconds: Some(seconds),
            metrics,
        }
    }

    /// A model's outcome on `rows` and, for double mutants, on the null models' rows too.
    fn scored(
        &self,
        model: String,
        rows: &[usize],
        prediction: &[f64],
        seconds: f64,
    ) -> impl Iterator<Item = Outcome> {
        let same = self.on_null_rows(model.clone(), rows, prediction, seconds);
        std::iter::once(self.outcome(model, "ironcell", rows, prediction, seconds)).chain(same)
    }

    /// For double mutants, a learned model's outcome on only the rows the null models score
    /// (every single mutant measured), so that it and f_a·f_b are judged on the same genotypes.
    fn on_null_rows(
        &self,
        model: String,
        rows: &[usize],
        prediction: &[f64],
        seconds: f64,
    ) -> Option<Outcome> {
        if self.task.name != AccuracyTask::Dmf {
            return None;
        }
        let (scored, _) = null_model(self.task, rows, false);
        let scored: std::collections::HashSet<usize> = scored.into_iter().collect();
        let (rows, prediction): (Vec<usize>, Vec<f64>) = rows
            .iter()
            .zip(prediction)
            .filter(|(i, _)| scored.contains(i))
            .map(|(&i, &p)| (i, p))
            .unzip();
        let mut o = self.outcome(model, "ironcell", &rows, &prediction, seconds);
        o.subset = "singles_measured".to_owned();
        Some(o)
    }
}

/// The learned models' predictions of one split's test rows, averaged into the `blend` model.
#[derive(Default)]
struct Blend {
    names: Vec<String>,
    sum: Vec<f64>,
    seconds: f64,
}

impl Blend {
    fn add(&mut self, name: &str, prediction: &[f64], seconds: f64) {
        if self.sum.is_empty() {
            self.sum = vec![0.0; prediction.len()];
        }
        for (s, p) in self.sum.iter_mut().zip(prediction) {
            *s += p;
        }
        self.names.push(name.to_owned());
        self.seconds += seconds;
    }

    /// The blend's name, its mean prediction and the models' fit seconds together; `None`
    /// with fewer than two models.
    fn mean(self) -> Option<(String, Vec<f64>, f64)> {
        let n = self.names.len();
        (n >= 2).then(|| {
            let mean = self.sum.iter().map(|s| s / n as f64).collect();
            (
                format!("blend({})", self.names.join(", ")),
                mean,
                self.seconds,
            )
        })
    }
}

/// Fits `kind` on the context's training rows of `design` (with its extra columns or without)
/// and predicts its test rows.
fn trees(
    ctx: &Fit<'_>,
    kind: ModelKind,
    design: &Design,
    extra: bool,
    params: &Params,
) -> Result<(Vec<f64>, f64)> {
    let y: Vec<f64> = ctx.train.iter().map(|&i| ctx.task.rows[i].y).collect();
    let start = Instant::now();
    // Train and test rows are read in place: the model's bins are the only copy.
    let train = design.matrix(ctx.train, extra)?;
    let model = Regressor::fit(kind, train, &y, params).map_err(DesignError::from)?;
    let p = model.predict(design.matrix(&ctx.split.test, extra)?);
    Ok((p, start.elapsed().as_secs_f64()))
}

/// Single-mutant predictions of multi-gene instances where every gene's fitness is measured:
/// (test positions, predictions).
fn null_model(task: &Task, test: &[usize], additive: bool) -> (Vec<usize>, Vec<f64>) {
    test.iter()
        .filter_map(|&i| {
            let genes = &task.rows[i].genes;
            let f: Option<Vec<f64>> = genes.iter().map(|&g| task.smf[g]).collect();
            let f = f.filter(|_| genes.len() > 1)?;
            let p = if additive {
                f.iter().map(|v| v - 1.0).sum::<f64>() + 1.0
            } else {
                f.iter().product()
            };
            Some((i, p))
        })
        .unzip()
}

/// The gene features of the learned models. The Costanzo 2016 profile-similarity network is
/// left out: it is computed from the same SGA screens the interaction and fitness labels
/// come from, so on held-out genes it would carry their labels in.
/// The networks whose node statistics are gene features: neither is derived from the labels of
/// a task (Costanzo 2016's profile-similarity network, made of genetic interactions, is not
/// used).
const NETWORKS: [&str; 2] = [
    "yeast-screens/networks/Krogan-2006.txt.gz",
    "yeast-screens/networks/Hu-2007.txt.gz",
];

fn gene_features(data: &DataDir) -> Vec<GeneFeature> {
    let networks = NETWORKS.map(|file| GeneFeature::Network {
        path: data.root().join(file),
    });
    [GeneFeature::Codon, GeneFeature::Go { min_genes: 30 }]
        .into_iter()
        .chain(networks)
        .collect()
}

/// What the benchmark says while it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// A task is read and about to run.
    Task(&'a TaskSummary),
    /// A split too small to fit and score.
    Skipped {
        /// The split.
        split: &'a str,
        /// Its seed.
        seed: u64,
        /// Training rows.
        train: usize,
        /// Test rows.
        test: usize,
    },
    /// A model scored.
    Outcome(&'a Outcome),
    /// A gene-set model kept this epoch (early stopping).
    EpochKept(Option<usize>),
}

/// Runs every task of `settings` on `data` (the reference `reference`); `on` hears each
/// task, skipped split and outcome as it comes. Returns the outcomes and what each task was.
pub fn run(
    settings: &Settings,
    data: &DataDir,
    reference: &Reference,
    mut on: impl FnMut(Event<'_>),
) -> Result<(Vec<Outcome>, Vec<TaskSummary>)> {
    let ontology = ironcell_data::ontology::build(reference, &OntologyConfig::default());
    let screens = Screens::new(data, reference)?;
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut summaries = Vec::new();
    for &name in &settings.tasks {
        let task = screens.task(name)?;
        let (features, _) = GeneFeatures::build(&gene_features(data), &task.genes, reference)?;
        let graphs = if settings.models.iter().any(|m| m.neighbours()) {
            GeneGraph::read_all(&neighbour_networks(data), reference, &task.genes)?
        } else {
            Vec::new()
        };
        let extra = if settings.models.contains(&AccuracyModel::GbtNeighbours) {
            ironcell_data::features::neighbour_labels::NETWORKS_FROM
                + ironcell_data::features::neighbour_labels::COLUMNS.len() * graphs.len()
        } else {
            0
        };
        let mut design = Design::new(&task, &features, extra)?;
        // The forest beside the UPR reporter's growth, TorchCell's comparison: with `rf` only.
        let growth = (name == AccuracyTask::Upr && settings.models.contains(&AccuracyModel::Rf))
            .then(|| design.with_growth(&task));
        if name == AccuracyTask::Epsilon {
            // The single mutants' fitness is an input of ε, as DCell's authors had it.
            design = design.with_growth(&task);
        }
        let wants_deep = settings.models.iter().any(|m| m.head().is_some());
        // The models the trainer fits read the task's rows from an instance store.
        let store = if wants_deep || settings.models.contains(&AccuracyModel::Dcell) {
            Some(TaskStore::new(&task)?)
        } else {
            None
        };
        let deep = if wants_deep {
            let features = gene_features(data)
                .iter()
                .map(ToString::to_string)
                .collect();
            let neighbours = if settings.deep_neighbours {
                neighbour_networks(data)
            } else {
                Vec::new()
            };
            Some(deep::Deep::new(
                &task,
                reference,
                features,
                &settings.deep_graphs,
                neighbours,
            )?)
        } else {
            None
        };
        let summary = TaskSummary {
            task: name,
            source: task.source.clone(),
            instances: task.rows.len(),
            genes: task.genes.len(),
            environments: task.environments.clone(),
            features: design.width,
            dataset: task.dataset.as_ref().map(|(dir, _)| dir.clone()),
            built: task.dataset.as_ref().is_some_and(|&(_, built)| built),
        };
        on(Event::Task(&summary));
        summaries.push(summary);
        // scikit-learn gets every (seed, split, training rows) as one fold of one call.
        let mut folds: Vec<(u64, SplitRows, Vec<usize>)> = Vec::new();
        for &seed in &settings.seeds {
            for mut split in splits(&task, seed) {
                let train = sample(&split.train, settings.max_train, seed);
                split.test = sample(&split.test, settings.max_test, seed);
                if train.len() < 2 || split.test.len() < 3 {
                    on(Event::Skipped {
                        split: &split.name,
                        seed,
                        train: train.len(),
                        test: split.test.len(),
                    });
                    continue;
                }
                let ctx = Fit {
                    task: &task,
                    split: &split,
                    train: &train,
                    seed,
                    resamples: settings.resamples,
                };
                let params = params(settings, seed);
                let mut dcell_train = None;
                let neighbours =
                    (!graphs.is_empty()).then(|| neighbour_labels(&task, &graphs, &train));
                // The learned models' predictions of the split's test rows, for the blend.
                let mut blended = Blend::default();
                for &model in &settings.models {
                    let (rows, prediction, seconds) = match model {
                        AccuracyModel::Mean => {
                            let mean = train.iter().map(|&i| task.rows[i].y).sum::<f64>()
                                / train.len() as f64;
                            (split.test.clone(), vec![mean; split.test.len()], 0.0)
                        }
                        AccuracyModel::Additive | AccuracyModel::Multiplicative
                            if name == AccuracyTask::Dmf =>
                        {
                            let (rows, p) =
                                null_model(&task, &split.test, model == AccuracyModel::Additive);
                            (rows, p, 0.0)
                        }
                        AccuracyModel::Additive | AccuracyModel::Multiplicative => continue,
                        AccuracyModel::Zero if name.is_interaction() => {
                            (split.test.clone(), vec![0.0; split.test.len()], 0.0)
                        }
                        AccuracyModel::Zero | AccuracyModel::Blend => continue,
                        AccuracyModel::Rf | AccuracyModel::Gbt => {
                            let kind = if model == AccuracyModel::Rf {
                                ModelKind::Rf
                            } else {
                                ModelKind::Gbt
                            };
                            let (p, s) = trees(&ctx, kind, &design, false, &params)?;
                            (split.test.clone(), p, s)
                        }
                        AccuracyModel::Neighbours | AccuracyModel::GbtNeighbours => {
                            let Some(neighbours) = &neighbours else {
                                continue;
                            };
                            let start = Instant::now();
                            if model == AccuracyModel::Neighbours {
                                let p = split
                                    .test
                                    .iter()
                                    .map(|&i| {
                                        let row = &task.rows[i];
                                        neighbours.predict(&genes32(row), row.environment)
                                    })
                                    .collect();
                                (split.test.clone(), p, start.elapsed().as_secs_f64())
                            } else {
                                let hidden = hidden_in_training(&task, &train, seed);
                                design.fill_extra(|i, out| {
                                    let row = &task.rows[i];
                                    neighbours.write(
                                        &genes32(row),
                                        row.environment,
                                        hidden[i],
                                        out,
                                    );
                                });
                                let (p, s) = trees(&ctx, ModelKind::Gbt, &design, true, &params)?;
                                (split.test.clone(), p, s + start.elapsed().as_secs_f64())
                            }
                        }
                        AccuracyModel::GeneSet
                        | AccuracyModel::Dango
                        | AccuracyModel::Pairwise
                        | AccuracyModel::SetTransformer => {
                            let (Some(deep), Some(store), Some(head)) =
                                (&deep, &store, model.head())
                            else {
                                continue;
                            };
                            for objective in &settings.objectives {
                                // The logistic objective takes calls only: on the other tasks
                                // it is not a model to compare, so it is left out, not an error.
                                if *objective == ObjectiveName::Logistic
                                    && task.label
                                        != ironcell_core::PhenotypeKind::SyntheticLethality
                                {
                                    continue;
                                }
                                let by_genes = settings.deep_validation == DeepValidation::Genes
                                    && [SplitName::GeneDisjointAny, SplitName::GeneDisjointAll]
                                        .iter()
                                        .any(|n| n.as_str() == split.name);
                                let (p, s, kept) = deep.fit_predict(
                                    store,
                                    &task,
                                    head,
                                    objective.objective(),
                                    (&train, &split.test),
                                    by_genes,
                                    seed,
                                    settings.deep_epochs,
                                )?;
                                let mut name = match objective {
                                    ObjectiveName::Mse => model.name().to_owned(),
                                    other => {
                                        format!("{}/{}", model.name(), other.objective().name())
                                    }
                                };
                                if settings.deep_neighbours {
                                    name.push_str("+neighbours");
                                }
                                on(Event::EpochKept(kept));
                                blended.add(&name, &p, s);
                                for o in ctx.scored(name, &split.test, &p, s) {
                                    on(Event::Outcome(&o));
                                    outcomes.push(o);
                                }
                            }
                            continue;
                        }
                        AccuracyModel::Dcell if task.environments.len() > 1 => continue,
                        AccuracyModel::Dcell => {
                            let Some(store) = &store else { continue };
                            let fitted = dcell::fit_predict(
                                store,
                                &task,
                                split.ontology.unwrap_or(&ontology),
                                (&train, &split.test),
                                settings,
                                seed,
                            )?;
                            on(Event::EpochKept(fitted.kept_epoch));
                            dcell_train = Some(fitted.trained_rows);
                            (split.test.clone(), fitted.predictions, fitted.seconds)
                        }
                    };
                    if rows.len() < 3 {
                        continue;
                    }
                    let mut o = ctx.outcome(
                        model.name().to_owned(),
                        "ironcell",
                        &rows,
                        &prediction,
                        seconds,
                    );
                    let learned = !matches!(
                        model,
                        AccuracyModel::Mean
                            | AccuracyModel::Additive
                            | AccuracyModel::Multiplicative
                            | AccuracyModel::Zero
                    );
                    if learned && model != AccuracyModel::Neighbours && rows == split.test {
                        blended.add(model.name(), &prediction, seconds);
                    }
                    let mut same = learned
                        .then(|| ctx.on_null_rows(o.model.clone(), &rows, &prediction, seconds))
                        .flatten();
                    if let Some(n) = dcell_train.take() {
                        o.n_train = n;
                        if let Some(same) = &mut same {
                            same.n_train = n;
                        }
                    }
                    for o in std::iter::once(o).chain(same) {
                        on(Event::Outcome(&o));
                        outcomes.push(o);
                    }
                }
                if settings.models.contains(&AccuracyModel::Blend) {
                    if let Some((name, p, s)) = blended.mean() {
                        for o in ctx.scored(name, &split.test, &p, s) {
                            on(Event::Outcome(&o));
                            outcomes.push(o);
                        }
                    }
                }
                if let Some(growth) = &growth {
                    let (p, s) = trees(&ctx, ModelKind::Rf, growth, false, &params)?;
                    let o = ctx.outcome("rf+growth".to_owned(), "ironcell", &split.test, &p, s);
                    on(Event::Outcome(&o));
                    outcomes.push(o);
                }
                if settings.sklearn.is_some() {
                    folds.push((seed, split, train));
                }
            }
        }
        if let Some((python, script)) = &settings.sklearn {
            let dir = tempfile::tempdir()
                .map_err(|e| Error::Input(format!("a temporary folder for scikit-learn: {e}")))?;
            let y: Vec<f64> = task.rows.iter().map(|r| r.y).collect();
            let tests: Vec<Vec<usize>> = folds.iter().map(|f| f.1.test.clone()).collect();
            let train = vec![(
                ModelKind::Rf,
                folds.iter().map(|f| f.2.clone()).collect::<Vec<_>>(),
            )];
            let (results, _) = sklearn::run(
                python,
                script,
                dir.path(),
                design.all()?,
                &y,
                &tests,
                &train,
                &params(settings, settings.seeds[0]),
            )?;
            for (f, (seed, split, train)) in folds.iter().enumerate() {
                let p = sklearn::predictions(dir.path(), ModelKind::Rf, f)?;
                let ctx = Fit {
                    task: &task,
                    split,
                    train,
                    seed: *seed,
                    resamples: settings.resamples,
                };
                let seconds = results.get(f).map_or(f64::NAN, |r| r.seconds);
                let o = ctx.outcome("rf".to_owned(), "scikit-learn", &split.test, &p, seconds);
                on(Event::Outcome(&o));
                outcomes.push(o);
            }
        }
    }
    Ok((outcomes, summaries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tasks::Row;

    #[test]
    fn a_blend_is_the_mean_of_two_models_or_more() {
        let mut blend = Blend::default();
        blend.add("gbt+neighbours", &[1.0, 2.0, 3.0], 4.0);
        let mut one = Blend::default();
        one.add("gbt+neighbours", &[1.0, 2.0, 3.0], 4.0);
        assert!(one.mean().is_none());
        blend.add("dango+neighbours", &[3.0, 0.0, -1.0], 6.0);
        let (name, mean, seconds) = blend.mean().expect("two models");
        assert_eq!(name, "blend(gbt+neighbours, dango+neighbours)");
        assert_eq!(mean, [2.0, 1.0, 1.0]);
        assert_eq!(seconds, 10.0);
    }

    fn task(rows: &[(&[usize], usize, f64)], genes: usize, environments: usize) -> Task {
        Task {
            name: AccuracyTask::Dmf,
            source: "test".to_owned(),
            genes: (0..genes)
                .map(|g| format!("YAL{:03}W", g + 1).parse().unwrap())
                .collect(),
            environments: (0..environments).map(|e| format!("env {e}")).collect(),
            rows: rows
                .iter()
                .map(|&(g, environment, y)| Row {
                    genes: g.to_vec(),
                    environment,
                    y,
                })
                .collect(),
            smf: (0..genes).map(|g| (g != 3).then_some(0.5)).collect(),
            published: vec![],
            label: ironcell_core::PhenotypeKind::Fitness,
            dataset: None,
        }
    }

    #[test]
    fn pairs_get_both_gene_disjoint_readings_and_environments_one_held_out() {
        let pairs: Vec<(Vec<usize>, usize, f64)> = (0..10)
            .flat_map(|a| ((a + 1)..10).map(move |b| (vec![a, b], (a + b) % 2, 1.0)))
            .collect();
        let rows: Vec<(&[usize], usize, f64)> = pairs
            .iter()
            .map(|(g, e, y)| (g.as_slice(), *e, *y))
            .collect();
        let t = task(&rows, 10, 2);
        let s = splits(&t, 1);
        let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "random",
                "gene_disjoint_any",
                "gene_disjoint_all",
                "held_out_environment"
            ]
        );
        let (any, both) = (&s[1], &s[2]);
        assert_eq!(any.train, both.train);
        assert!(both.test.len() < any.test.len());
        // No training pair shares a gene with a "both" test pair.
        let test_genes: Vec<usize> = both
            .test
            .iter()
            .flat_map(|&i| t.rows[i].genes.clone())
            .collect();
        assert!(any
            .train
            .iter()
            .all(|&i| t.rows[i].genes.iter().all(|g| !test_genes.contains(g))));
        let held = &s[3];
        let env = t.rows[held.test[0]].environment;
        assert!(held.test.iter().all(|&i| t.rows[i].environment == env));
        assert!(held.train.iter().all(|&i| t.rows[i].environment != env));

        let singles = task(&[(&[0], 0, 1.0), (&[1], 0, 2.0), (&[2], 0, 3.0)], 3, 1);
        let names: Vec<String> = splits(&singles, 1).into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["gene_disjoint_any"]);
    }

    #[test]
    fn null_models_need_every_single_mutant() {
        let t = task(
            &[(&[0, 1], 0, 0.2), (&[0, 3], 0, 0.1), (&[2], 0, 0.5)],
            4,
            1,
        );
        let (rows, p) = null_model(&t, &[0, 1, 2], false);
        assert_eq!((rows, p), (vec![0], vec![0.25]));
        let (_, p) = null_model(&t, &[0], true);
        assert_eq!(p, [0.0]);
    }

    #[test]
    fn training_rows_see_none_one_or_every_gene_hidden_the_same_under_a_seed() {
        let rows: Vec<(&[usize], usize, f64)> = (0..300).map(|_| (&[0, 1][..], 0, 0.0)).collect();
        let t = task(&rows, 2, 1);
        let train: Vec<usize> = (0..300).collect();
        let hidden = hidden_in_training(&t, &train, 7);
        assert_eq!(hidden, hidden_in_training(&t, &train, 7));
        let count = |h: Hidden| hidden.iter().filter(|&&v| v == h).count();
        let (none, first, second, both) = (
            count(Hidden::NONE),
            count(Hidden(0b01)),
            count(Hidden(0b10)),
            count(Hidden::all(2)),
        );
        assert_eq!(none + first + second + both, 300);
        for n in [none, first + second, both] {
            assert!((70..130).contains(&n), "{none} {first} {second} {both}");
        }
    }

    #[test]
    fn growth_features_take_the_extremes_and_count_the_unmeasured() {
        let t = task(&[(&[0, 3], 0, 0.1)], 4, 1);
        let design = Design {
            x: vec![7.0, -1.0],
            width: 1,
            stride: 2,
        };
        let grown = design.with_growth(&t);
        assert_eq!(
            (grown.x, grown.width, grown.stride),
            (vec![7.0, 0.5, 1.0, 1.0, 0.0], 4, 5)
        );
    }
}
