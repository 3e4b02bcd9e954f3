//! DCell behind the common interface: a genotype's genes become the ontology's gene states;
//! genes outside the ontology have no state to set, as in training.

use std::{collections::HashMap, path::Path};

use ironcell_core::SystematicName;

use super::{Error, Genotypes, ModelCard, Predictions, Predictor};
use crate::dcell::{
    kernel::Model,
    saved::{self, Description},
};

/// Genotypes per pass: the pass holds the changed subsystems' states of each.
const BATCH: usize = 2048;

/// A trained DCell.
#[derive(Debug, Clone)]
pub struct DcellModel {
    card: ModelCard,
    description: Description,
    model: Model<f32>,
    index: HashMap<SystematicName, usize>,
}

impl DcellModel {
    /// The kind its card names.
    pub const KIND: &'static str = "dcell";

    /// A trained `model` with its `description`; the card's labels are the description's.
    pub fn new(mut card: ModelCard, description: Description, model: Model<f32>) -> Self {
        card.kind = Self::KIND.to_owned();
        card.labels = description.labels.clone();
        let index = description
            .ontology
            .genes
            .iter()
            .enumerate()
            .map(|(i, g)| (g.clone(), i))
            .collect();
        Self {
            card,
            description,
            model,
            index,
        }
    }

    /// Writes the model (`dcell.json`, `dcell.params`) and its card into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        saved::save(dir, &self.description, &self.model).map_err(|e| Error::file(dir, e))?;
        self.card.seal(dir)
    }

    /// Opens the DCell saved in `dir`.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let card = ModelCard::read(dir)?;
        if card.kind != Self::KIND {
            return Err(Error::Input(format!(
                "{}: a {} model, not DCell",
                dir.display(),
                card.kind
            )));
        }
        Self::load(dir, card)
    }

    /// Opens the model saved in `dir` with its `card`.
    pub(crate) fn load(dir: &Path, card: ModelCard) -> Result<Self, Error> {
        let saved = saved::load(dir).map_err(|e| Error::file(dir, e))?;
        Ok(Self::new(card, saved.description, saved.model))
    }

    /// The hyper-parameters, labels and ontology.
    pub fn description(&self) -> &Description {
        &self.description
    }

    /// The network.
    pub fn model(&self) -> &Model<f32> {
        &self.model
    }
}

impl Predictor for DcellModel {
    fn card(&self) -> &ModelCard {
        &self.card
    }

    fn predict(&self, genotypes: &Genotypes<'_>) -> Result<Predictions, Error> {
        let to_ontology: Vec<Option<usize>> = genotypes
            .universe()
            .iter()
            .map(|g| self.index.get(g).copied())
            .collect();
        let rows: Vec<Vec<usize>> = genotypes
            .rows()
            .iter()
            .map(|r| r.iter().filter_map(|&g| to_ontology[g as usize]).collect())
            .collect();
        // Only the subsystems above each genotype's genes are computed: scoring many small
        // genotypes (evaluation, design) costs a fraction of whole-network passes.
        let values = rows
            .chunks(BATCH)
            .flat_map(|batch| self.model.predict_changed(batch))
            .map(f64::from)
            .collect();
        Ok(Predictions::new(self.card.labels.clone(), values))
    }
}
