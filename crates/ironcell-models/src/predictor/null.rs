//! The null models every learned model is set beside: the training mean of each label, and for
//! fitness the two models of no interaction, additive (f_a + f_b − 1) and multiplicative
//! (f_a · f_b), from the genes' measured single-mutant fitness. A genotype with a gene whose
//! single-mutant fitness is unknown gets NaN: no answer, never a guess.

use std::{collections::BTreeMap, fs, path::Path};

use ironcell_core::SystematicName;
use serde::{Deserialize, Serialize};

use super::{Error, Genotypes, ModelCard, Predictions, Predictor};

const PARAMS: &str = "null.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
enum Rule {
    /// One value per label.
    Mean { means: Vec<f64> },
    /// Σ (f − 1) + 1 over the genotype's genes.
    Additive { smf: BTreeMap<SystematicName, f64> },
    /// Π f over the genotype's genes.
    Multiplicative { smf: BTreeMap<SystematicName, f64> },
}

/// A null model.
#[derive(Debug, Clone, PartialEq)]
pub struct NullModel {
    card: ModelCard,
    rule: Rule,
}

impl NullModel {
    /// The training means of `labels`.
    pub fn mean(labels: Vec<String>, means: Vec<f64>) -> Self {
        assert_eq!(labels.len(), means.len(), "one mean per label");
        Self {
            card: ModelCard::new("mean", labels, "none: the training mean of each label"),
            rule: Rule::Mean { means },
        }
    }

    /// Fitness as f_a + f_b − 1 (summed over any number of genes) from `smf`.
    pub fn additive(smf: BTreeMap<SystematicName, f64>) -> Self {
        Self {
            card: ModelCard::new(
                "additive",
                vec!["fitness".to_owned()],
                "the genes' single-mutant fitness: Σ (f − 1) + 1",
            ),
            rule: Rule::Additive { smf },
        }
    }

    /// Fitness as f_a · f_b (over any number of genes) from `smf`.
    pub fn multiplicative(smf: BTreeMap<SystematicName, f64>) -> Self {
        Self {
            card: ModelCard::new(
                "multiplicative",
                vec!["fitness".to_owned()],
                "the genes' single-mutant fitness: Π f",
            ),
            rule: Rule::Multiplicative { smf },
        }
    }

    /// The card, to fill in what it was trained on.
    pub fn card_mut(&mut self) -> &mut ModelCard {
        &mut self.card
    }

    /// Writes the card and the parameters into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
        let path = dir.join(PARAMS);
        let json = serde_json::to_vec(&self.rule).map_err(|e| Error::file(&path, e))?;
        fs::write(&path, json).map_err(|e| Error::file(&path, e))?;
        self.card.seal(dir)
    }

    /// Reads the parameters saved beside `card` in `dir`.
    pub(crate) fn load(dir: &Path, card: ModelCard) -> Result<Self, Error> {
        let path = dir.join(PARAMS);
        let text = fs::read(&path).map_err(|e| Error::file(&path, e))?;
        let rule: Rule = serde_json::from_slice(&text).map_err(|e| Error::file(&path, e))?;
        if let Rule::Mean { means } = &rule {
            if means.len() != card.labels.len() {
                return Err(Error::file(
                    &path,
                    format!("{} means for {} labels", means.len(), card.labels.len()),
                ));
            }
        }
        Ok(Self { card, rule })
    }
}

impl Predictor for NullModel {
    fn card(&self) -> &ModelCard {
        &self.card
    }

    fn predict(&self, genotypes: &Genotypes<'_>) -> Result<Predictions, Error> {
        let universe = genotypes.universe();
        let of = |smf: &BTreeMap<SystematicName, f64>, row: &[u32]| -> Option<Vec<f64>> {
            row.iter()
                .map(|&g| smf.get(&universe[g as usize]).copied())
                .collect()
        };
        let values: Vec<f64> = match &self.rule {
            Rule::Mean { means } => genotypes
                .rows()
                .iter()
                .flat_map(|_| means.iter().copied())
                .collect(),
            Rule::Additive { smf } => genotypes
                .rows()
                .iter()
                .map(|row| {
                    of(smf, row).map_or(f64::NAN, |f| f.iter().map(|v| v - 1.0).sum::<f64>() + 1.0)
                })
                .collect(),
            Rule::Multiplicative { smf } => genotypes
                .rows()
                .iter()
                .map(|row| of(smf, row).map_or(f64::NAN, |f| f.iter().product()))
                .collect(),
        };
        Ok(Predictions::new(self.card.labels.clone(), values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genes() -> Vec<SystematicName> {
        ["YAL001C", "YAL002W", "YAL003W"]
            .iter()
            .map(|g| g.parse().unwrap())
            .collect()
    }

    #[test]
    fn no_interaction_from_single_mutants_and_nan_where_one_is_unknown() {
        let genes = genes();
        let smf: BTreeMap<SystematicName, f64> =
            [(genes[0].clone(), 0.8), (genes[1].clone(), 0.5)].into();
        let rows = [vec![0u32, 1], vec![1], vec![0, 2]];
        let asked = Genotypes::new(&genes, rows.iter().map(Vec::as_slice));
        let p = NullModel::additive(smf.clone()).predict(&asked).unwrap();
        let p: Vec<f64> = p.column(0).collect();
        assert!(
            (p[0] - 0.3).abs() < 1e-12 && p[1] == 0.5 && p[2].is_nan(),
            "{p:?}"
        );
        let m = NullModel::multiplicative(smf).predict(&asked).unwrap();
        assert_eq!(m.row(0), [0.8 * 0.5]);
        let mean = NullModel::mean(vec!["a".into(), "b".into()], vec![1.0, -2.0]);
        let p = mean.predict(&asked).unwrap();
        assert_eq!((p.len(), p.row(2)), (3, &[1.0, -2.0][..]));
    }

    #[test]
    fn a_saved_null_model_predicts_the_same() {
        let genes = genes();
        let mut model = NullModel::multiplicative([(genes[2].clone(), 0.9)].into());
        model.card_mut().trained_rows = 7;
        let dir = tempfile::tempdir().unwrap();
        model.save(dir.path()).unwrap();
        let loaded = super::super::load_any(dir.path(), None).unwrap();
        // The saved card is the model's, sealed with the sha256 of its parameters.
        let mut card = model.card().clone();
        assert_eq!(
            loaded.card().files.keys().collect::<Vec<_>>(),
            ["null.json"]
        );
        card.files = loaded.card().files.clone();
        assert_eq!(loaded.card(), &card);
        let rows = [vec![2u32]];
        let asked = Genotypes::new(&genes, rows.iter().map(Vec::as_slice));
        assert_eq!(loaded.predict(&asked).unwrap().row(0), [0.9]);
    }
}
