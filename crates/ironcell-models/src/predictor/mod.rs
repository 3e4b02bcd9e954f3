//! One interface for every model: the genotypes it is asked about, what it answers (one row per
//! genotype, one column per label), and a card saying what it is and what it was trained on.
//! [`load_any`] opens any saved model directory, so `predict`, `explain` and `evaluate` serve
//! DCell, the feature models (rf, gbt, enet, svr) and the null models alike.
//!
//! ```
//! use ironcell_models::predictor::{Genotypes, NullModel, Predictor};
//!
//! let genes = ["YAL001C".parse()?, "YAL002W".parse()?];
//! let smf = [("YAL001C".parse()?, 0.8), ("YAL002W".parse()?, 0.5)].into();
//! let model = NullModel::multiplicative(smf);
//! let pairs = [vec![0u32, 1], vec![0]];
//! let asked = Genotypes::new(&genes, pairs.iter().map(Vec::as_slice));
//! let p = model.predict(&asked)?;
//! assert_eq!(p.column(0).collect::<Vec<_>>(), [0.4, 0.8]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod card;
pub mod conformal;
mod dcell;
mod ensemble;
mod features;
mod gene_set;
mod null;
mod spread;

use std::path::{Path, PathBuf};

use ironcell_core::SystematicName;
use ironcell_sources::reference::Reference;

pub use card::{DatasetRef, ModelCard};
pub use dcell::DcellModel;
pub use ensemble::Ensemble;
pub use features::{FeatureModel, Recipe};
pub use gene_set::GeneSetModel;
pub use null::NullModel;
pub use spread::{Spread, Summary};

/// Genotypes to score: each a set of genes, as indices into a gene universe of systematic
/// names, so a dataset's memory-mapped rows are asked without copying names. A model maps the
/// universe onto its own genes once per call; genes it never saw keep their names, which is
/// how a feature model still scores them. Each genotype may carry its environment, by name
/// ([`Genotypes::in_environments`]); a model with an environment input maps the names onto
/// those it was trained in, the others ignore them.
#[derive(Debug, Clone)]
pub struct Genotypes<'a> {
    universe: &'a [SystematicName],
    rows: Vec<&'a [u32]>,
    environments: Option<(&'a [String], Vec<u16>)>,
}

impl<'a> Genotypes<'a> {
    /// `rows` over `universe`.
    ///
    /// # Panics
    /// When a row names a gene index outside the universe: callers build both together.
    pub fn new(universe: &'a [SystematicName], rows: impl IntoIterator<Item = &'a [u32]>) -> Self {
        let rows: Vec<&[u32]> = rows.into_iter().collect();
        assert!(
            rows.iter()
                .flat_map(|r| r.iter())
                .all(|&g| (g as usize) < universe.len()),
            "a genotype names a gene outside its universe"
        );
        Self {
            universe,
            rows,
            environments: None,
        }
    }

    /// The same genotypes, the `k`-th grown in `names[environments[k]]`.
    ///
    /// # Panics
    /// When there is not one environment per genotype, or one is outside `names`.
    pub fn in_environments(mut self, names: &'a [String], environments: Vec<u16>) -> Self {
        assert_eq!(
            environments.len(),
            self.rows.len(),
            "one environment per genotype"
        );
        assert!(
            environments.iter().all(|&e| usize::from(e) < names.len()),
            "an environment outside the names given"
        );
        self.environments = Some((names, environments));
        self
    }

    /// The environments' names and each genotype's, when given.
    pub fn environments(&self) -> Option<(&'a [String], &[u16])> {
        self.environments
            .as_ref()
            .map(|(names, rows)| (*names, rows.as_slice()))
    }

    /// The gene universe.
    pub fn universe(&self) -> &'a [SystematicName] {
        self.universe
    }

    /// The genotypes.
    pub fn rows(&self) -> &[&'a [u32]] {
        &self.rows
    }

    /// How many genotypes.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A model's answers: row-major, one row per genotype asked, one column per label of its card;
/// NaN where the model has no answer (a null model missing a gene's single-mutant fitness).
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    labels: Vec<String>,
    values: Vec<f64>,
}

impl Predictions {
    /// Answers for `labels`, row-major.
    ///
    /// # Panics
    /// When `values` is not a whole number of rows.
    pub fn new(labels: Vec<String>, values: Vec<f64>) -> Self {
        assert!(
            labels.is_empty() && values.is_empty()
                || !labels.is_empty() && values.len().is_multiple_of(labels.len()),
            "predictions must fill whole rows"
        );
        Self { labels, values }
    }

    /// The labels, in column order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// How many genotypes were answered.
    pub fn len(&self) -> usize {
        self.values.len() / self.labels.len().max(1)
    }

    /// Whether none were.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Label `l` of every genotype.
    pub fn column(&self, l: usize) -> impl Iterator<Item = f64> + '_ {
        self.values
            .iter()
            .skip(l)
            .step_by(self.labels.len().max(1))
            .copied()
    }

    /// The answers of genotype `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        let n = self.labels.len();
        &self.values[i * n..(i + 1) * n]
    }
}

/// A model that scores genotypes.
pub trait Predictor {
    /// What it is and what it was trained on.
    fn card(&self) -> &ModelCard;

    /// Its name in tables: the card's kind, unless the model says more (an ensemble names
    /// its members: `dcell×5`).
    fn name(&self) -> String {
        self.card().kind.clone()
    }

    /// One row per genotype of `genotypes`, one column per label of the card.
    fn predict(&self, genotypes: &Genotypes<'_>) -> Result<Predictions, Error>;

    /// The predictions and, for a model made of members that can disagree (a forest's
    /// trees), how far they do: [`Spread`]. A model without members answers `None` for the
    /// spread rather than invent one.
    fn predict_with_spread(
        &self,
        genotypes: &Genotypes<'_>,
    ) -> Result<(Predictions, Option<Spread>), Error> {
        Ok((self.predict(genotypes)?, None))
    }
}

/// Why a model could not be saved, opened or asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file of the model directory.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Building the features of the genes asked about.
    #[error(transparent)]
    Features(#[from] ironcell_data::Error),
    /// The model's own input does not fit (a shape the saved model refuses).
    #[error("{0}")]
    Input(String),
}

impl Error {
    pub(crate) fn file(path: &Path, message: impl std::fmt::Display) -> Self {
        Self::File {
            path: path.to_owned(),
            message: message.to_string(),
        }
    }
}

/// Opens the model saved in `dir`, whatever its kind, as its card says; `reference` gives the
/// genes' features to the models that take them (the card names the bundle it was trained
/// with, [`ModelCard::reference`]). Directories written before cards existed (`dcell.json`,
/// `baseline.json`) open too.
///
/// A model calibrated by `ironcell calibrate` (`conformal.json` beside its card) answers with
/// its [conformal](conformal::Conformal) intervals.
pub fn load_any(dir: &Path, reference: Option<&Reference>) -> Result<Box<dyn Predictor>, Error> {
    let model = load_uncalibrated(dir, reference)?;
    Ok(match conformal::Calibration::read(dir)? {
        Some(calibration) => Box::new(conformal::Conformal::new(model, calibration)?),
        None => model,
    })
}

/// The model saved in `dir` as [`load_any`] opens it, without its conformal calibration: the
/// spread of its own members, which `calibrate` rescales.
pub fn load_uncalibrated(
    dir: &Path,
    reference: Option<&Reference>,
) -> Result<Box<dyn Predictor>, Error> {
    let card = ModelCard::read(dir)?;
    card.verify(dir)?;
    Ok(match card.kind.as_str() {
        DcellModel::KIND => Box::new(DcellModel::load(dir, card)?),
        Ensemble::KIND => Box::new(Ensemble::load(dir, card, reference)?),
        "mean" | "additive" | "multiplicative" => Box::new(NullModel::load(dir, card)?),
        "rf" | "gbt" | "enet" | "svr" | GeneSetModel::KIND => {
            let reference = reference.ok_or_else(|| {
                Error::Input(format!(
                    "{}: a {} model builds its inputs from a reference bundle; give one",
                    dir.display(),
                    card.kind
                ))
            })?;
            if card.kind == GeneSetModel::KIND {
                Box::new(GeneSetModel::load(dir, card, reference)?)
            } else {
                Box::new(FeatureModel::load(dir, card, reference)?)
            }
        }
        other => {
            return Err(Error::file(
                &dir.join(card::CARD),
                format!("unknown model kind {other:?}"),
            ))
        }
    })
}
