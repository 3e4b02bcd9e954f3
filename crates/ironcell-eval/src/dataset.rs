//! A dataset directory opened for scoring, and the scoring of what a training run made: each
//! model on the test part of the split it was trained on, beside the training mean. `train`
//! scores its run here and `evaluate` a saved run, so both print the same numbers.

use std::path::{Path, PathBuf};

use ironcell_data::{
    dataset::{self, read_split, Manifest},
    instances::Instances,
    split::{Split, SplitName},
};
use ironcell_models::{
    predictor::{load_any, ModelCard, NullModel, Predictor},
    trainer::Trained,
};
use ironcell_sources::reference::Reference;

use crate::{
    evaluate::{evaluate, Bootstrap, Scored},
    Error,
};

/// A dataset (`dataset build`'s directory): its manifest and instances.
pub struct Dataset {
    dir: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
    /// The instances.
    pub instances: Instances,
}

impl Dataset {
    /// Opens the dataset in `dir`.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let (manifest, instances) = dataset::open(dir)?;
        Ok(Self {
            dir: dir.to_owned(),
            manifest,
            instances,
        })
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its name in tables: the directory's.
    pub fn name(&self) -> String {
        self.dir.file_name().map_or_else(
            || self.dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// Split `name`.
    pub fn split(&self, name: SplitName) -> Result<Split, Error> {
        Ok(read_split(&self.dir.join("splits.arrow"), name)?)
    }

    /// The dataset the model saved in `dir` (with `card`) is scored or calibrated on:
    /// `given`, else the one its card names; refused unless its instances are the ones the
    /// model was trained on.
    pub fn of_model(card: &ModelCard, dir: &Path, given: Option<&Path>) -> Result<Self, Error> {
        let path = given
            .map(Path::to_owned)
            .or(card.dataset.as_ref().map(|d| d.dir.clone()))
            .ok_or_else(|| {
                Error::Input(format!(
                    "{}: the card names no dataset; give --dataset",
                    dir.display()
                ))
            })?;
        let dataset = Self::open(&path)?;
        dataset.check_trained_on(card, dir)?;
        Ok(dataset)
    }

    /// Refuses a model whose card records other instances than these: a split's indices
    /// point into the instances the model was trained on.
    pub fn check_trained_on(&self, card: &ModelCard, model: &Path) -> Result<(), Error> {
        let Some(recorded) = &card.dataset else {
            return Ok(());
        };
        let now = self.manifest.sha256.get("instances.arrow");
        if now == Some(&recorded.instances_sha256) {
            return Ok(());
        }
        Err(Error::Input(format!(
            "{}: its instances are not the ones {} was trained on (sha256 {} recorded, {} now)",
            self.dir.display(),
            model.display(),
            recorded.instances_sha256,
            now.map_or("none", String::as_str)
        )))
    }

    /// The training part's mean of every label: the null model every model stands beside.
    pub fn training_mean(&self, split: &Split) -> NullModel {
        let means = (0..self.manifest.labels.len())
            .map(|l| {
                let v: Vec<f64> = split
                    .train
                    .iter()
                    .map(|&i| f64::from(self.instances.label(l, i).value))
                    .filter(|v| v.is_finite())
                    .collect();
                v.iter().sum::<f64>() / v.len().max(1) as f64
            })
            .collect();
        NullModel::mean(self.manifest.labels.clone(), means)
    }

    /// `model` (trained on `n_train` rows) on the test part of split `name`.
    pub fn score(
        &self,
        model: &dyn Predictor,
        (name, split): (SplitName, &Split),
        n_train: usize,
        bootstrap: Bootstrap,
    ) -> Result<Scored, Error> {
        evaluate(
            model,
            &self.instances,
            &self.manifest,
            (name.as_str(), split),
            &self.name(),
            n_train,
            bootstrap,
        )
    }
}

/// Every model of a training run on its split's test part, beside the training mean (the
/// model fitted on every row is not scored); each model's card keeps its test metrics (the
/// `all` subset), as `evaluate` finds them again.
pub fn score_run(
    dataset: &Dataset,
    trained: &[Trained],
    reference: &Reference,
    bootstrap: Bootstrap,
) -> Result<Scored, Error> {
    let mut scored_all = Scored::default();
    // The model fitted on every row has no test part of its own.
    for (name, t) in trained.iter().filter_map(|t| Some((t.split?, t))) {
        let split = dataset.split(name)?;
        let scored = (name, &split);
        let mean = dataset.training_mean(&split);
        scored_all.extend(dataset.score(&mean, scored, split.train.len(), bootstrap)?);
        for dir in &t.models {
            let model = load_any(dir, Some(reference))?;
            let found =
                dataset.score(model.as_ref(), scored, model.card().trained_rows, bootstrap)?;
            let mut card: ModelCard = model.card().clone();
            for o in found.outcomes.iter().filter(|o| o.subset == "all") {
                card.set_metrics(
                    &o.label,
                    o.metrics.iter().map(|(k, e)| (k.as_str(), e.value)),
                );
            }
            card.write(dir)?;
            scored_all.extend(found);
        }
    }
    Ok(scored_all)
}
