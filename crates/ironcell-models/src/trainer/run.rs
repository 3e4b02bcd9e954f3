//! A training run as a TOML file describes it (`ironcell train --config run.toml`): the model
//! and its hyper-parameters, the dataset and its splits, and how to train. One model per split
//! lands in `RUN/SPLIT/` (a feature model, single-label, in `RUN/SPLIT/LABEL/`) with its card,
//! the per-epoch metrics and the checkpoints; DCell and the gene-set models are by default an
//! ensemble of seeds there, each member in `RUN/SPLIT/seed-S/`.

use std::{fs, path::Path};

use ironcell_core::SystematicName;
use ironcell_data::{
    dataset::{read_split, Manifest},
    features::{pooling::Pooling, GeneFeature},
    instances::{perturbed_genes, Instances},
    ontology::{self, DcellOntology, OntologyConfig, WidthRule},
    split::{Split, SplitName},
};
use ironcell_sources::reference::Reference;
use serde::{Deserialize, Serialize};

use super::{
    dcell::DcellLearner, fit, world::Collective, Error, Fit, Learner, Observer, TrainingConfig,
    DEFAULT_ENSEMBLE,
};
use crate::{
    baseline::{design::Design, ModelKind, Params},
    dcell::{AuxReduction, DcellConfig},
    deep::{GeneSetConfig, GeneSetLearner, GeneTable, Setup, Singles},
    predictor::{DatasetRef, DcellModel, Ensemble, FeatureModel, GeneSetModel, ModelCard},
    CpuAutodiff,
};

/// A run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// The model.
    pub model: ModelConfig,
    /// The data.
    pub data: DataConfig,
    /// How to train.
    #[serde(default)]
    pub training: TrainingConfig,
}

/// The data a run trains on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// A dataset directory (from `dataset build`).
    pub dataset: std::path::PathBuf,
    /// Splits: one model each, trained on the training part, validated on the validation
    /// part, tested (by `evaluate`) on the test part.
    #[serde(default = "random")]
    pub splits: Vec<SplitName>,
    /// After the splits, also train the model to deploy on every row (in `RUN/all/`).
    #[serde(default)]
    pub fit_all: bool,
}

fn random() -> Vec<SplitName> {
    vec![SplitName::Random]
}

/// Which model, with its hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelConfig {
    /// DCell on the GO hierarchy (every label of the dataset at once).
    Dcell(DcellParams),
    /// A random forest on pooled gene features (one model per label).
    Rf(FeatureModelConfig),
    /// Gradient-boosted trees on pooled gene features (one model per label).
    Gbt(FeatureModelConfig),
    /// A gene-set model: gene features and networks, a set head, every label at once.
    GeneSet(GeneSetConfig),
}

/// DCell's hyper-parameters and its ontology's filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcellParams {
    /// Subsystem widths: `direct` (TorchCell) or `contained` (the paper).
    #[serde(default = "direct")]
    pub width: WidthRule,
    /// Weight of the auxiliary losses.
    #[serde(default = "alpha")]
    pub alpha: f64,
    /// How the auxiliary losses are combined.
    #[serde(default)]
    pub aux_reduction: AuxReduction,
    /// Weights start uniform in ±this.
    #[serde(default = "init_scale")]
    pub init_scale: f64,
    /// GO terms with fewer genes are removed.
    #[serde(default = "min_genes")]
    pub min_genes: usize,
    /// Evidence codes whose annotations are removed first.
    #[serde(default = "igi")]
    pub drop_evidence: Vec<String>,
    /// Count only genes perturbed in the dataset towards `min_genes` (the paper's rule).
    #[serde(default)]
    pub contain_disrupted: bool,
    /// Keep only annotations dated before this day (YYYYMMDD; a bundle built with a GAF).
    #[serde(default)]
    pub annotated_before: Option<u32>,
}

fn direct() -> WidthRule {
    WidthRule::Direct
}
fn alpha() -> f64 {
    0.3
}
fn init_scale() -> f64 {
    0.001
}
fn min_genes() -> usize {
    4
}
fn igi() -> Vec<String> {
    vec!["IGI".to_owned()]
}

/// A feature model's recipe and hyper-parameters. It has no epochs: it is fitted once, on the
/// training part and the validation part merged (it selects nothing on validation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureModelConfig {
    /// Gene features, as `baseline --features` names them (`codon`, `go:30`,
    /// `network:PATH`, …).
    #[serde(default = "features")]
    pub features: Vec<String>,
    /// How a genotype's gene vectors become one.
    #[serde(default = "sum")]
    pub pooling: Pooling,
    /// Hyper-parameters (the `[model.params.rf]` / `[model.params.gbt]` tables).
    #[serde(default)]
    pub params: Params,
    /// Networks (any layout `dataset graph` reads) along which the label's neighbour labels
    /// are columns after the features: the mean training label of the genotypes one gene
    /// swap away and two swaps away, with the weight found
    /// (`ironcell_data::features::neighbour_labels`), in the genotype's environment. The
    /// training genotypes and labels are kept in the recipe.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub neighbour_labels: Vec<std::path::PathBuf>,
}

fn features() -> Vec<String> {
    vec!["codon".to_owned(), "go:30".to_owned()]
}

fn sum() -> Pooling {
    Pooling::Sum
}

/// What one split's training made.
#[derive(Debug, Clone, PartialEq)]
pub struct Trained {
    /// The split, or `None` for the model trained on every row.
    pub split: Option<SplitName>,
    /// The model directories written (one, or one per label for a feature model).
    pub models: Vec<std::path::PathBuf>,
    /// The epochs of each model trained (each member of an ensemble), for models that have
    /// them.
    pub fits: Vec<Fit>,
}

/// Trains `config`'s model on every split into `out/SPLIT/`; with `resume`, continues each
/// split from its last checkpoint and skips the splits already finished. `reference` gives the
/// ontology and the gene features.
///
/// In a `world` of several ranks every rank runs it alike (see [`fit`]); rank 0 alone writes
/// into `out`. The feature models fit in one process and refuse a world of more.
pub fn run(
    config: &RunConfig,
    reference: &Reference,
    reference_dir: &Path,
    (out, resume): (&Path, bool),
    world: &dyn Collective,
    observer: &mut dyn Observer,
) -> Result<Vec<Trained>, Error> {
    if world.size() > 1 && config.model.is_feature_model() {
        return Err(Error::Config(format!(
            "a forest or gbt fits in one process, not across {} ranks: run it without mpirun \
             (its trees use every core of the machine)",
            world.size()
        )));
    }
    let dataset = &config.data.dataset;
    let data_error = |e: ironcell_data::Error| Error::Config(e.to_string());
    let (manifest, instances) = ironcell_data::dataset::open(dataset).map_err(data_error)?;
    let mut trained: Vec<Trained> = Vec::new();
    let parts = config
        .data
        .splits
        .iter()
        .map(Some)
        .chain(config.data.fit_all.then_some(None));
    for split_name in parts {
        let (split, training) = match split_name {
            Some(&name) => {
                let split = read_split(&dataset.join("splits.arrow"), name).map_err(data_error)?;
                if split.train.len() < 2 {
                    return Err(Error::Config(format!(
                        "split {name} has {} training genotypes",
                        split.train.len()
                    )));
                }
                (split, config.training.clone())
            }
            // The deployable model: every genotype, nothing held out. Its epochs are those
            // the first split's early stopping kept (the most any member of its ensemble
            // kept), where it kept one (there is no validation part left to stop on), else
            // the configured epochs.
            None => {
                let kept = trained
                    .iter()
                    .map(|t| t.fits.iter().filter_map(|f| f.kept_epoch).max())
                    .find(Option::is_some)
                    .flatten();
                let all = Split {
                    train: (0..instances.len()).collect(),
                    validation: Vec::new(),
                    test: Vec::new(),
                    dropped: 0,
                };
                let training = TrainingConfig {
                    epochs: kept.map_or(config.training.epochs, |e| e + 1),
                    early_stopping: None,
                    ..config.training.clone()
                };
                (all, training)
            }
        };
        let split_name = split_name.copied();
        let data = Data {
            dataset,
            manifest: &manifest,
            instances: &instances,
            split_name,
            split: &split,
        };
        let dir = out.join(split_name.map_or(ALL, SplitName::as_str));
        let (models, fits) = train_part(
            config,
            &training,
            (reference, reference_dir),
            &data,
            (&dir, resume),
            world,
            observer,
        )?;
        trained.push(Trained {
            split: split_name,
            models,
            fits,
        });
    }
    Ok(trained)
}

/// The directory of the model trained on every row (`--fit-all`).
pub const ALL: &str = "all";

impl ModelConfig {
    /// Whether it is a feature model (rf, gbt): one model per label, fitted once, with its
    /// own spread.
    fn is_feature_model(&self) -> bool {
        matches!(self, Self::Rf(_) | Self::Gbt(_))
    }
}

/// How many models of `model` a split gets when the training asks for `ensemble`: that, or
/// [`DEFAULT_ENSEMBLE`] for DCell and the gene-set models and 1 for the feature models.
fn members(model: &ModelConfig, ensemble: Option<usize>) -> Result<usize, Error> {
    let feature_model = model.is_feature_model();
    match ensemble {
        None if feature_model => Ok(1),
        None => Ok(DEFAULT_ENSEMBLE),
        Some(0) => Err(Error::Config(
            "ensemble = 0: at least one model per split".to_owned(),
        )),
        Some(k) if k > 1 && feature_model => Err(Error::Config(format!(
            "ensemble = {k}: a forest's spread is its trees', gbt's its bags (`bags` under \
             [model.params.gbt]); seed ensembles are for DCell and the gene-set models"
        ))),
        Some(k) => Ok(k),
    }
}

/// Trains `config`'s model with `training` on `data`'s part into `dir` (or, with `resume`,
/// finishes it): the model directories written, and the epochs of each model that has them.
/// An ensemble's members are trained one after the other, each resumable on its own, and the
/// ensemble written last, so its card marks the part finished.
fn train_part(
    config: &RunConfig,
    training: &TrainingConfig,
    (reference, reference_dir): (&Reference, &Path),
    data: &Data<'_>,
    (dir, resume): (&Path, bool),
    world: &dyn Collective,
    observer: &mut dyn Observer,
) -> Result<(Vec<std::path::PathBuf>, Vec<Fit>), Error> {
    // Each member of an ensemble trains with `ensemble = 1`: one model, in its own directory.
    let members = members(&config.model, training.ensemble)?;
    // A DCell or gene-set model is one directory, finished once its card is written; a
    // feature model (one per label) skips its finished labels itself.
    let single = !config.model.is_feature_model();
    if single && resume && dir.join("card.json").is_file() {
        // Finished before: its recorded histories, which `--fit-all` reads its epochs from.
        let fits = member_dirs(dir, training.seed, members)
            .iter()
            .filter_map(|d| read_history(d))
            .collect();
        return Ok((vec![dir.to_owned()], fits));
    }
    if members > 1 {
        let mut fits = Vec::with_capacity(members);
        let dirs = member_dirs(dir, training.seed, members);
        for (k, member_dir) in dirs.iter().enumerate() {
            let member = TrainingConfig {
                seed: training.seed + k as u64,
                ensemble: Some(1),
                ..training.clone()
            };
            let (_, fit) = train_part(
                config,
                &member,
                (reference, reference_dir),
                data,
                (member_dir, resume),
                world,
                observer,
            )?;
            fits.extend(fit);
        }
        if world.is_root() {
            Ensemble::create(dir, &dirs).map_err(|e| Error::file(dir, e))?;
        }
        return Ok((vec![dir.to_owned()], fits));
    }
    Ok(match &config.model {
        ModelConfig::Dcell(m) => {
            let fitted = fit_dcell(m, training, reference, data, (dir, resume), world, observer)?;
            (vec![dir.to_owned()], vec![fitted])
        }
        ModelConfig::GeneSet(m) => {
            let fitted = fit_gene_set(
                m,
                training,
                (reference, reference_dir),
                data,
                (dir, resume),
                world,
                observer,
            )?;
            (vec![dir.to_owned()], vec![fitted])
        }
        ModelConfig::Rf(m) | ModelConfig::Gbt(m) => {
            let kind = if matches!(config.model, ModelConfig::Rf(_)) {
                ModelKind::Rf
            } else {
                ModelKind::Gbt
            };
            let models = fit_features(
                kind,
                m,
                training.seed,
                (reference, reference_dir),
                data,
                dir,
                resume,
            )?;
            (models, Vec::new())
        }
    })
}

/// The directories of an ensemble's `members` in `dir`, trained from `seed` on: `seed-S/`;
/// `dir` itself for a single model.
fn member_dirs(dir: &Path, seed: u64, members: usize) -> Vec<std::path::PathBuf> {
    if members == 1 {
        return vec![dir.to_owned()];
    }
    (0..members as u64)
        .map(|k| dir.join(format!("seed-{}", seed + k)))
        .collect()
}

/// A split of the dataset being trained on, and what every card made on it records.
struct Data<'a> {
    dataset: &'a Path,
    manifest: &'a Manifest,
    instances: &'a Instances,
    /// The split, or `None` for every row (`--fit-all`).
    split_name: Option<SplitName>,
    split: &'a Split,
}

impl Data<'_> {
    /// The card of a model trained on `rows` of this split.
    fn card(&self, kind: &str, labels: Vec<String>, inputs: String, rows: &[usize]) -> ModelCard {
        let mut card = ModelCard::new(kind, labels, inputs);
        card.dataset = Some(DatasetRef {
            dir: self.dataset.to_owned(),
            instances_sha256: self
                .manifest
                .sha256
                .get("instances.arrow")
                .cloned()
                .unwrap_or_default(),
        });
        card.split = self.split_name;
        card.trained_rows = rows.len();
        card.trained_genes = perturbed_genes(&self.manifest.genes, rows, |i| {
            self.instances.genes(i).iter().copied()
        });
        card
    }
}

/// The first label's mean over `rows` with a value: where an untrained DCell's output starts.
fn first_label_mean(instances: &Instances, rows: &[usize]) -> f64 {
    let values: Vec<f64> = rows
        .iter()
        .map(|&i| f64::from(instances.label(0, i).value))
        .filter(|v| v.is_finite())
        .collect();
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

fn dcell_ontology(
    m: &DcellParams,
    reference: &Reference,
    manifest: &Manifest,
    instances: &Instances,
) -> Result<DcellOntology, Error> {
    let mut filter = OntologyConfig {
        min_genes: m.min_genes,
        drop_evidence: m.drop_evidence.clone(),
        annotated_before: m.annotated_before,
        ..OntologyConfig::default()
    };
    if let Some(day) = m.annotated_before {
        if !reference.annotations.iter().any(|a| a.date.is_some()) {
            return Err(Error::Config(format!(
                "annotated_before {day}: this reference bundle's GO annotations have no dates; \
                 build one with `ironcell reference build --gaf gene_association.sgd`"
            )));
        }
    }
    if m.contain_disrupted {
        let all: Vec<usize> = (0..instances.len()).collect();
        let disrupted: Vec<SystematicName> = perturbed_genes(&manifest.genes, &all, |i| {
            instances.genes(i).iter().copied()
        });
        filter.containment_genes = Some(disrupted.into_iter().collect());
    }
    let o = ontology::build(reference, &filter);
    if o.subsystems.len() < 2 {
        return Err(Error::Config(format!(
            "the filtered ontology has {} subsystems: lower min_genes",
            o.subsystems.len()
        )));
    }
    Ok(o)
}

/// Each composed label's measured single mutants: the mean of its single-gene genotypes in
/// the training part (genes of the other parts are not looked at).
pub fn training_singles(
    instances: &Instances,
    genes: &[SystematicName],
    train: &[usize],
    labels: &[String],
) -> Singles {
    let mut singles = Singles::new();
    for label in labels {
        let Some(l) = instances.labels().iter().position(|x| x == label) else {
            continue;
        };
        let mut sums: std::collections::BTreeMap<SystematicName, (f64, usize)> =
            std::collections::BTreeMap::new();
        for &i in train {
            let (g, v) = (instances.genes(i), f64::from(instances.label(l, i).value));
            if g.len() == 1 && v.is_finite() {
                let e = sums.entry(genes[g[0] as usize].clone()).or_default();
                e.0 += v;
                e.1 += 1;
            }
        }
        singles.insert(
            label.clone(),
            sums.into_iter()
                .map(|(g, (s, n))| (g, s / n as f64))
                .collect(),
        );
    }
    singles
}

/// Fits `learner` on `data`'s split into `dir` (resumed from its checkpoint with `resume`),
/// announced to `observer` as `name` and the split, and writes its history beside (rank 0).
fn fit_and_record(
    learner: &mut dyn Learner,
    name: &str,
    training: &TrainingConfig,
    data: &Data<'_>,
    (dir, resume): (&Path, bool),
    world: &dyn Collective,
    observer: &mut dyn Observer,
) -> Result<Fit, Error> {
    let split = data.split;
    observer.start(
        &format!("{name} {}", data.split_name.map_or(ALL, SplitName::as_str)),
        training.epochs,
        split.train.len().div_ceil(training.batch_size.max(1)),
    );
    let fitted = fit(
        learner,
        data.instances,
        split,
        training,
        dir,
        resume,
        world,
        observer,
    )?;
    if world.is_root() {
        write_history(dir, &fitted)?;
    }
    Ok(fitted)
}

/// DCell on one split, saved with its card into `dir` (by rank 0).
fn fit_dcell(
    m: &DcellParams,
    training: &TrainingConfig,
    reference: &Reference,
    data: &Data<'_>,
    (dir, resume): (&Path, bool),
    world: &dyn Collective,
    observer: &mut dyn Observer,
) -> Result<Fit, Error> {
    let (manifest, instances, split) = (data.manifest, data.instances, data.split);
    let ontology = dcell_ontology(m, reference, manifest, instances)?;
    let to_ontology = ontology.indices_of(&manifest.genes);
    let config_dcell = DcellConfig {
        width_rule: m.width,
        init_scale: m.init_scale,
        alpha: m.alpha,
        aux_reduction: m.aux_reduction,
        seed: training.seed,
        initial_output: first_label_mean(instances, &split.train),
        ..DcellConfig::default()
    };
    let mut learner = DcellLearner::new(
        ontology,
        config_dcell,
        manifest.labels.clone(),
        to_ontology,
        &training.optimizer,
        training.gradient_clip,
    );
    let fitted = fit_and_record(
        &mut learner,
        "DCell",
        training,
        data,
        (dir, resume),
        world,
        observer,
    )?;
    if !world.is_root() {
        return Ok(fitted);
    }
    let size = learner.model().layout().size();
    let inputs = format!(
        "gene states of DCell's ontology: {} subsystems, {} strata",
        size.subsystems, size.strata
    );
    let card = data.card(
        DcellModel::KIND,
        learner.labels().to_vec(),
        inputs,
        &split.train,
    );
    let (description, model) = learner.into_parts();
    DcellModel::new(card, description, model)
        .save(dir)
        .map_err(|e| Error::file(dir, e))?;
    Ok(fitted)
}

/// A gene-set model on one split, saved with its card into `dir` (by rank 0).
fn fit_gene_set(
    m: &GeneSetConfig,
    training: &TrainingConfig,
    (reference, reference_dir): (&Reference, &Path),
    data: &Data<'_>,
    (dir, resume): (&Path, bool),
    world: &dyn Collective,
    observer: &mut dyn Observer,
) -> Result<Fit, Error> {
    let (manifest, instances, split) = (data.manifest, data.instances, data.split);
    let table = GeneTable::build(reference, &manifest.genes, &m.features, &m.graphs)
        .map_err(|e| Error::Config(e.to_string()))?;
    let singles = training_singles(instances, &manifest.genes, &split.train, &m.compose);
    let environments = manifest.environment_names();
    let mut learner = GeneSetLearner::<CpuAutodiff>::new(
        Setup {
            config: m,
            table: std::sync::Arc::new(table),
            genes: &manifest.genes,
            instances,
            train: &split.train,
            environments: environments.len(),
            singles: &singles,
            optimizer: &training.optimizer,
            clip: training.gradient_clip,
            seed: training.seed,
            reference: Some(reference),
        },
        Default::default(),
    )
    .map_err(Error::Config)?;
    let fitted = fit_and_record(
        &mut learner,
        "gene set",
        training,
        data,
        (dir, resume),
        world,
        observer,
    )?;
    if !world.is_root() {
        return Ok(fitted);
    }
    let mut card = data.card(
        GeneSetModel::KIND,
        learner.labels().to_vec(),
        m.describe(),
        &split.train,
    );
    card.reference = Some(reference_dir.to_owned());
    let (config, readout, net) = learner.into_parts();
    GeneSetModel::new(card, config, readout, net, environments)
        .save(dir)
        .map_err(|e| Error::file(dir, e))?;
    Ok(fitted)
}

/// `metrics.json` and `metrics.csv`: one row per epoch.
/// The history [`write_history`] left in `dir`, if it is there and readable.
fn read_history(dir: &Path) -> Option<Fit> {
    let bytes = fs::read(dir.join("metrics.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_history(dir: &Path, fitted: &Fit) -> Result<(), Error> {
    let path = dir.join("metrics.json");
    let json = serde_json::to_vec_pretty(fitted).map_err(|e| Error::file(&path, e))?;
    fs::write(&path, json).map_err(|e| Error::file(&path, e))?;
    let labels: Vec<&String> = fitted
        .history
        .first()
        .map(|r| r.validation.keys().collect())
        .unwrap_or_default();
    let mut csv = String::from("epoch,learning_rate,train_loss");
    for l in &labels {
        csv.push_str(&format!(",{l}_validation_mse,{l}_validation_pearson"));
    }
    csv.push_str(",best,seconds\n");
    for r in &fitted.history {
        csv.push_str(&format!("{},{},{}", r.epoch, r.learning_rate, r.train_loss));
        for l in &labels {
            let v = r.validation.get(*l);
            csv.push_str(&format!(
                ",{},{}",
                v.map_or(f64::NAN, |v| v.mse),
                v.map_or(f64::NAN, |v| v.pearson)
            ));
        }
        csv.push_str(&format!(",{},{:.3}\n", r.best, r.seconds));
    }
    let path = dir.join("metrics.csv");
    fs::write(&path, csv).map_err(|e| Error::file(&path, e))
}

/// A feature model per label, fitted on the training and validation parts merged.
fn fit_features(
    kind: ModelKind,
    m: &FeatureModelConfig,
    seed: u64,
    (reference, reference_dir): (&Reference, &Path),
    data: &Data<'_>,
    dir: &Path,
    resume: bool,
) -> Result<Vec<std::path::PathBuf>, Error> {
    let (manifest, instances, split) = (data.manifest, data.instances, data.split);
    let config_error = |e: &dyn std::fmt::Display| Error::Config(e.to_string());
    let kinds = m
        .features
        .iter()
        .map(|f| f.parse::<GeneFeature>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| config_error(&e))?;
    let (design, _) = Design::build(manifest, instances, &kinds, m.pooling, reference)
        .map_err(|e| config_error(&e))?;
    let rows: Vec<usize> = split
        .train
        .iter()
        .chain(&split.validation)
        .copied()
        .collect();
    let params = m.params.clone().with_seed(seed);
    let mut dirs = Vec::new();
    for (l, label) in manifest.labels.iter().enumerate() {
        let model_dir = dir.join(label);
        if resume && model_dir.join("card.json").is_file() {
            dirs.push(model_dir);
            continue;
        }
        let keep = design.labelled(l, &rows);
        if keep.len() < 2 {
            continue;
        }
        let with_neighbours;
        let design = if m.neighbour_labels.is_empty() {
            &design
        } else {
            with_neighbours = design
                .with_neighbours(l, &keep, &m.neighbour_labels, seed, reference)
                .map_err(|e| config_error(&e))?;
            &with_neighbours
        };
        let fitted = design
            .fit(kind, &params, false, l, &keep)
            .map_err(|e| config_error(&e))?;
        let recipe = design.recipe(&fitted);
        let mut card = data.card(
            &kind.to_string(),
            vec![label.clone()],
            recipe.describe(),
            &keep,
        );
        card.reference = Some(reference_dir.to_owned());
        FeatureModel::save(&model_dir, &card, &recipe, &fitted.model)
            .map_err(|e| Error::file(&model_dir, e))?;
        dirs.push(model_dir);
    }
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(kind: &str) -> ModelConfig {
        serde_json::from_value(serde_json::json!({ "kind": kind })).unwrap()
    }

    #[test]
    fn seed_ensembles_are_for_dcell_and_the_gene_set_models() {
        assert_eq!(members(&model("dcell"), None).unwrap(), DEFAULT_ENSEMBLE);
        assert_eq!(members(&model("gene_set"), Some(3)).unwrap(), 3);
        assert_eq!(members(&model("gbt"), None).unwrap(), 1);
        assert_eq!(members(&model("rf"), Some(1)).unwrap(), 1);
        let err = members(&model("gbt"), Some(3)).unwrap_err().to_string();
        assert!(err.contains("bags"), "{err}");
        let err = members(&model("dcell"), Some(0)).unwrap_err().to_string();
        assert!(err.contains("at least one"), "{err}");
        assert_eq!(
            member_dirs(Path::new("run/random"), 7, 2),
            [
                Path::new("run/random/seed-7"),
                Path::new("run/random/seed-8")
            ]
        );
        assert_eq!(
            member_dirs(Path::new("run/random"), 7, 1),
            [Path::new("run/random")]
        );
    }
}
