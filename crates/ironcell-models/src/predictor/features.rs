//! The feature models: a baseline regressor (rf, gbt, enet, svr) on a genotype's pooled gene
//! features, with the recipe that turns any genotype into its input.
//!
//! At load the features of every gene of the training universe and of the reference are built
//! once, so a genotype of genes the model never saw is scored as one of seen genes is; the
//! pooling of "intact" (all genes minus the perturbed ones) keeps the training universe's
//! total, as in training. A gene outside both has no features: asking about it is an error,
//! not a row of zeros.

use std::{
    collections::{BTreeSet, HashMap},
    fs,
    path::Path,
};

use ironcell_core::SystematicName;
use ironcell_data::features::{
    neighbour_labels::Hidden,
    pooling::{Pooler, Pooling},
    GeneFeature, GeneFeatures,
};
use ironcell_sources::reference::Reference;
use serde::{Deserialize, Serialize};

use super::{Error, Genotypes, ModelCard, Predictions, Predictor, Spread, Summary};
use crate::baseline::{
    self,
    neighbours::{NeighbourColumns, NeighbourMemory},
    Matrix, Regressor, Standardizer,
};

const RECIPE: &str = "recipe.json";

/// Everything between a genotype and a saved regressor's input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// Gene features, in column order.
    pub features: Vec<GeneFeature>,
    /// How a genotype's gene vectors become one.
    pub pooling: Pooling,
    /// Genes per genotype a concatenation holds.
    pub slots: usize,
    /// Column standardisation fitted on the training rows, if used.
    pub standardizer: Option<Standardizer>,
    /// The training dataset's gene universe (one-hot columns; the intact pooling's total).
    pub universe: Vec<SystematicName>,
    /// Neighbour-label columns after the features (before standardisation), when the model
    /// reads them: their memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbours: Option<NeighbourMemory>,
}

impl Recipe {
    /// The recipe in words, for the card.
    pub fn describe(&self) -> String {
        let kinds: Vec<String> = self.features.iter().map(ToString::to_string).collect();
        format!(
            "gene features {} pooled by {}{}{}",
            kinds.join(", "),
            self.pooling,
            match &self.neighbours {
                Some(n) => format!(
                    ", with neighbour labels along {} network(s)",
                    n.networks.len()
                ),
                None => String::new(),
            },
            if self.standardizer.is_some() {
                ", standardised"
            } else {
                ""
            }
        )
    }
}

/// A regressor on pooled gene features.
#[derive(Debug, Clone)]
pub struct FeatureModel {
    card: ModelCard,
    recipe: Recipe,
    model: Regressor,
    features: GeneFeatures,
    pooler: Pooler,
    row: HashMap<SystematicName, u32>,
    neighbours: Option<std::sync::Arc<NeighbourColumns>>,
}

impl FeatureModel {
    /// Writes a fitted `model` with its `recipe` and `card` into `dir`.
    pub fn save(
        dir: &Path,
        card: &ModelCard,
        recipe: &Recipe,
        model: &Regressor,
    ) -> Result<(), Error> {
        baseline::save(dir, model).map_err(|e| Error::file(dir, e))?;
        let path = dir.join(RECIPE);
        let json = serde_json::to_vec_pretty(recipe).map_err(|e| Error::file(&path, e))?;
        fs::write(&path, json).map_err(|e| Error::file(&path, e))?;
        card.seal(dir)
    }

    /// Opens the model in `dir` with its `card`; its features come from `reference`.
    pub(crate) fn load(dir: &Path, card: ModelCard, reference: &Reference) -> Result<Self, Error> {
        let path = dir.join(RECIPE);
        let text = fs::read(&path).map_err(|e| Error::file(&path, e))?;
        let recipe: Recipe = serde_json::from_slice(&text).map_err(|e| Error::file(&path, e))?;
        let model = baseline::load(dir).map_err(|e| Error::file(dir, e))?;
        if card.labels.len() != 1 {
            return Err(Error::file(
                &dir.join(super::card::CARD),
                "a feature model predicts one label",
            ));
        }
        Self::new(card, recipe, model, reference)
    }

    /// A fitted model, ready to score any genotype of the reference's genes.
    pub fn new(
        card: ModelCard,
        recipe: Recipe,
        model: Regressor,
        reference: &Reference,
    ) -> Result<Self, Error> {
        let known: BTreeSet<&SystematicName> = recipe.universe.iter().collect();
        let mut genes = recipe.universe.clone();
        genes.extend(
            reference
                .genes
                .iter()
                .map(|g| &g.systematic_name)
                .filter(|g| !known.contains(g))
                .cloned(),
        );
        let (features, _) = GeneFeatures::build_with_identity(
            &recipe.features,
            &genes,
            &recipe.universe,
            reference,
        )?;
        // The pooler's total (the intact rule) is the training universe's, as in training.
        let d = features.columns.len();
        let trained = GeneFeatures {
            genes: recipe.universe.clone(),
            columns: features.columns.clone(),
            values: features.values[..recipe.universe.len() * d].to_vec(),
        };
        let pooler = Pooler::new(recipe.pooling, &trained, recipe.slots);
        let row = genes
            .into_iter()
            .enumerate()
            .map(|(i, g)| (g, i as u32))
            .collect();
        let neighbours = recipe
            .neighbours
            .clone()
            .map(|m| NeighbourColumns::fit(m, &recipe.universe, reference))
            .transpose()?
            .map(std::sync::Arc::new);
        Ok(Self {
            card,
            recipe,
            model,
            features,
            pooler,
            row,
            neighbours,
        })
    }

    /// Columns of the regressor's input: the pooled features, then the neighbour labels.
    fn width(&self) -> usize {
        self.pooler.width() + self.neighbours.as_ref().map_or(0, |n| n.width())
    }

    /// The recipe.
    pub fn recipe(&self) -> &Recipe {
        &self.recipe
    }
}

impl FeatureModel {
    /// The regressor's input for `genotypes`: one pooled (and standardised) row each.
    fn inputs(&self, genotypes: &Genotypes<'_>) -> Result<Vec<f32>, Error> {
        let universe = genotypes.universe();
        // The asked universe onto this model's feature rows, once.
        let mut rows_of = Vec::with_capacity(universe.len());
        for g in universe {
            rows_of.push(self.row.get(g).copied());
        }
        let (pooled, width) = (self.pooler.width(), self.width());
        let mut x = vec![0f32; genotypes.len() * width];
        let mut rows = Vec::new();
        // The training universe comes first among the feature rows: a row below its size is
        // the gene's universe index.
        let trained = self.recipe.universe.len() as u32;
        // Each asked environment among the training dataset's, once; without environments
        // given, a genotype is asked about the first (a dataset of one).
        let environments: Option<(Vec<Option<usize>>, &[u16])> =
            match (&self.neighbours, genotypes.environments()) {
                (Some(n), Some((names, rows))) => {
                    Some((names.iter().map(|name| n.environment(name)).collect(), rows))
                }
                _ => None,
            };
        for (k, (genotype, out)) in genotypes
            .rows()
            .iter()
            .zip(x.chunks_exact_mut(width.max(1)))
            .enumerate()
        {
            rows.clear();
            for &g in genotype.iter() {
                rows.push(rows_of[g as usize].ok_or_else(|| {
                    Error::Input(format!(
                        "{} is in neither the model's training genes nor its reference: it has \
                         no features",
                        universe[g as usize]
                    ))
                })?);
            }
            if let Some(n) = &self.neighbours {
                let genes = rows.iter().all(|&r| r < trained).then_some(rows.as_slice());
                let env = match &environments {
                    Some((known, rows)) => known[usize::from(rows[k])],
                    None => Some(0),
                };
                n.write(genes, rows.len(), env, Hidden::NONE, &mut out[pooled..]);
            }
            rows.sort_unstable();
            self.pooler
                .pool(&rows, &self.features, &mut out[..pooled])
                .map_err(|e| Error::Input(e.to_string()))?;
            if let Some(s) = &self.recipe.standardizer {
                s.apply(out);
            }
        }
        Ok(x)
    }
}

impl Predictor for FeatureModel {
    fn card(&self) -> &ModelCard {
        &self.card
    }

    /// Its kind, `+neighbours` when it reads neighbour labels: the name `baseline` and
    /// `bench accuracy` print for it.
    fn name(&self) -> String {
        match self.neighbours {
            Some(_) => format!("{}+neighbours", self.card.kind),
            None => self.card.kind.clone(),
        }
    }

    fn predict(&self, genotypes: &Genotypes<'_>) -> Result<Predictions, Error> {
        let x = self.inputs(genotypes)?;
        let matrix = Matrix::new(&x, self.width()).map_err(|e| Error::Input(e.to_string()))?;
        Ok(Predictions::new(
            self.card.labels.clone(),
            self.model.predict(matrix),
        ))
    }

    /// A forest's trees disagree, and so do bootstrap boosting's bags; the other regressors
    /// are one model and have no spread.
    fn predict_with_spread(
        &self,
        genotypes: &Genotypes<'_>,
    ) -> Result<(Predictions, Option<Spread>), Error> {
        if !self.model.has_members() {
            return Ok((self.predict(genotypes)?, None));
        }
        let x = self.inputs(genotypes)?;
        let matrix = Matrix::new(&x, self.width()).map_err(|e| Error::Input(e.to_string()))?;
        let summaries = self
            .model
            .predict_members(matrix, Summary::of)
            .expect("a model with members");
        let (predictions, spread) = Spread::from_summaries(&self.card.labels, &summaries);
        Ok((predictions, Some(spread)))
    }
}
