//! Ensembles: saved models of one kind of question (the same labels, split and dataset),
//! typically one recipe trained with several seeds, asked together. The answer is the
//! members' mean and the spread is how far they disagree, which gives every model kind —
//! DCell, the deep models, gbt — the spread a forest has from its trees.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use ironcell_sources::reference::Reference;
use serde::{Deserialize, Serialize};

use super::{load_any, Error, Genotypes, ModelCard, Predictions, Predictor, Spread, Summary};

/// The members' directories, beside the card.
const MEMBERS: &str = "members.json";

#[derive(Debug, Serialize, Deserialize)]
struct Members {
    members: Vec<PathBuf>,
}

/// Several saved models asked as one.
pub struct Ensemble {
    card: ModelCard,
    members: Vec<Box<dyn Predictor>>,
}

impl Ensemble {
    /// The kind its card names.
    pub const KIND: &'static str = "ensemble";

    /// Writes into `dir` an ensemble of the models saved in `members` (kept where they are,
    /// named by absolute path, or relative to `dir` for members inside it, so a run directory
    /// that holds both can move): at least two, predicting the same labels, trained on the
    /// same split of the same dataset. Its card lists the genes any member saw perturbed.
    pub fn create(dir: &Path, members: &[PathBuf]) -> Result<ModelCard, Error> {
        if members.len() < 2 {
            return Err(Error::Input(format!(
                "an ensemble needs at least two models; {} given",
                members.len()
            )));
        }
        let mut paths = Vec::with_capacity(members.len());
        let mut cards = Vec::with_capacity(members.len());
        for member in members {
            let path = fs::canonicalize(member).map_err(|e| Error::file(member, e))?;
            let card = ModelCard::read(&path)?;
            if card.kind == Self::KIND {
                return Err(Error::file(
                    member,
                    "is itself an ensemble: list its members",
                ));
            }
            paths.push(path);
            cards.push(card);
        }
        let first = &cards[0];
        for (path, card) in paths.iter().zip(&cards).skip(1) {
            let same = |what: &str, a: String, b: String| match a == b {
                true => Ok(()),
                false => Err(Error::file(
                    path,
                    format!("{what} {b}, where {} has {a}", paths[0].display()),
                )),
            };
            same("labels", first.labels.join(","), card.labels.join(","))?;
            same(
                "split",
                format!("{:?}", first.split),
                format!("{:?}", card.split),
            )?;
            same(
                "dataset instances",
                format!("{:?}", first.dataset.as_ref().map(|d| &d.instances_sha256)),
                format!("{:?}", card.dataset.as_ref().map(|d| &d.instances_sha256)),
            )?;
        }
        let kinds: BTreeSet<&str> = cards.iter().map(|c| c.kind.as_str()).collect();
        let mut card = ModelCard::new(
            Self::KIND,
            first.labels.clone(),
            format!(
                "the mean of {} {} models; the spread is theirs",
                cards.len(),
                kinds.into_iter().collect::<Vec<_>>().join(" and ")
            ),
        );
        card.dataset = first.dataset.clone();
        card.split = first.split;
        card.reference = first.reference.clone();
        card.trained_genes = cards
            .iter()
            .flat_map(|c| c.trained_genes.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        card.trained_rows = cards.iter().map(|c| c.trained_rows).max().unwrap_or(0);
        fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
        let home = fs::canonicalize(dir).map_err(|e| Error::file(dir, e))?;
        let paths = paths
            .into_iter()
            .map(|p| p.strip_prefix(&home).map(Path::to_owned).unwrap_or(p))
            .collect();
        let path = dir.join(MEMBERS);
        let json = serde_json::to_vec_pretty(&Members { members: paths })
            .map_err(|e| Error::file(&path, e))?;
        fs::write(&path, json).map_err(|e| Error::file(&path, e))?;
        card.seal(dir)?;
        Ok(card)
    }

    /// Opens the ensemble in `dir` with its `card`, every member through [`load_any`].
    pub(crate) fn load(
        dir: &Path,
        card: ModelCard,
        reference: Option<&Reference>,
    ) -> Result<Self, Error> {
        let path = dir.join(MEMBERS);
        let text = fs::read(&path).map_err(|e| Error::file(&path, e))?;
        let listed: Members = serde_json::from_slice(&text).map_err(|e| Error::file(&path, e))?;
        let members = listed
            .members
            .iter()
            .map(|m| load_any(&dir.join(m), reference))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { card, members })
    }
}

impl Predictor for Ensemble {
    fn card(&self) -> &ModelCard {
        &self.card
    }

    /// `KIND×K` when every member is of one kind, `ensemble` otherwise.
    fn name(&self) -> String {
        let kinds: BTreeSet<&str> = self
            .members
            .iter()
            .map(|m| m.card().kind.as_str())
            .collect();
        match kinds.into_iter().collect::<Vec<_>>()[..] {
            [kind] => format!("{kind}×{}", self.members.len()),
            _ => Self::KIND.to_owned(),
        }
    }

    fn predict(&self, genotypes: &Genotypes<'_>) -> Result<Predictions, Error> {
        Ok(self.predict_with_spread(genotypes)?.0)
    }

    /// The members' mean of each prediction and their spread; a member without an answer
    /// (NaN) is left out of that prediction's summary.
    fn predict_with_spread(
        &self,
        genotypes: &Genotypes<'_>,
    ) -> Result<(Predictions, Option<Spread>), Error> {
        let answers = self
            .members
            .iter()
            .map(|m| m.predict(genotypes))
            .collect::<Result<Vec<_>, _>>()?;
        let cells = genotypes.len() * self.card.labels.len();
        let mut each = Vec::with_capacity(answers.len());
        let summaries: Vec<Summary> = (0..cells)
            .map(|c| {
                each.clear();
                let (row, label) = (c / self.card.labels.len(), c % self.card.labels.len());
                each.extend(
                    answers
                        .iter()
                        .map(|a| a.row(row)[label])
                        .filter(|v| v.is_finite()),
                );
                Summary::of(&mut each)
            })
            .collect();
        let (predictions, spread) = Spread::from_summaries(&self.card.labels, &summaries);
        Ok((predictions, Some(spread)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ironcell_core::SystematicName;

    use super::*;
    use crate::predictor::NullModel;

    fn smf(a: f64, b: f64) -> BTreeMap<SystematicName, f64> {
        [
            ("YAL001C".parse().unwrap(), a),
            ("YAL002W".parse().unwrap(), b),
        ]
        .into()
    }

    #[test]
    fn members_are_averaged_and_their_disagreement_is_the_spread() {
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (dir.path().join("one"), dir.path().join("two"));
        NullModel::multiplicative(smf(0.8, 0.5)).save(&one).unwrap();
        NullModel::multiplicative(smf(0.6, 0.5)).save(&two).unwrap();
        let ensemble = dir.path().join("ensemble");
        let card = Ensemble::create(&ensemble, &[one.clone(), two]).unwrap();
        assert_eq!(card.kind, "ensemble");
        assert!(
            card.inputs.contains("2 multiplicative models"),
            "{}",
            card.inputs
        );

        let model = load_any(&ensemble, None).unwrap();
        let genes: Vec<SystematicName> = smf(0.0, 0.0).into_keys().collect();
        let rows = [vec![0u32, 1], vec![1]];
        let asked = Genotypes::new(&genes, rows.iter().map(Vec::as_slice));
        let (p, spread) = model.predict_with_spread(&asked).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        // (0.4 + 0.3) / 2; both members agree on the second gene alone.
        assert!(close(p.row(0)[0], 0.35) && close(p.row(1)[0], 0.5));
        let spread = spread.unwrap();
        assert!(close(spread.sd.row(0)[0], 0.05) && close(spread.sd.row(1)[0], 0.0));
        assert!(spread.low.row(0)[0] > 0.3 && spread.high.row(0)[0] < 0.4);

        // One model is not an ensemble, nor is an ensemble a member.
        let err = Ensemble::create(&dir.path().join("x"), std::slice::from_ref(&one));
        assert!(err.unwrap_err().to_string().contains("at least two"));
        let err = Ensemble::create(&dir.path().join("y"), &[one, ensemble]).unwrap_err();
        assert!(err.to_string().contains("itself an ensemble"), "{err}");
    }

    #[test]
    fn members_must_answer_the_same_question() {
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (dir.path().join("one"), dir.path().join("two"));
        NullModel::multiplicative(smf(0.8, 0.5)).save(&one).unwrap();
        NullModel::mean(vec!["gene_interaction".into()], vec![0.0])
            .save(&two)
            .unwrap();
        let err = Ensemble::create(&dir.path().join("e"), &[one, two]).unwrap_err();
        assert!(err.to_string().contains("labels gene_interaction"), "{err}");
    }
}
