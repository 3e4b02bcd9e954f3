//! The model card: `card.json` in every saved model's directory, read before anything else so
//! a directory says what it holds.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use ironcell_core::SystematicName;
use ironcell_data::split::SplitName;
use serde::{Deserialize, Serialize};

use super::Error;

/// The card's file name.
pub(crate) const CARD: &str = "card.json";

/// The dataset a model was trained on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetRef {
    /// Its directory, as given to the command that trained the model.
    pub dir: PathBuf,
    /// The sha256 of its `instances.arrow`, from its manifest: the rows a split's indices
    /// point into.
    pub instances_sha256: String,
}

/// What a model is, what it predicts and what it was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// `dcell`, `gene_set`, `rf`, `gbt`, `enet`, `svr`, `mean`, `additive`, `multiplicative`
    /// or `ensemble`.
    pub kind: String,
    /// The labels it predicts, in column order.
    pub labels: Vec<String>,
    /// The dataset it was trained on, when it was trained on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<DatasetRef>,
    /// The split whose training part it was fitted on; `None`: every row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<SplitName>,
    /// How a genotype becomes its input, in words (the feature recipe, the ontology).
    pub inputs: String,
    /// The reference bundle its inputs come from, where they do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<PathBuf>,
    /// Genes perturbed in at least one training genotype: predictions for others are for
    /// genes the model never saw perturbed.
    pub trained_genes: Vec<SystematicName>,
    /// Training genotypes it saw.
    pub trained_rows: usize,
    /// Test-set metrics per label, as the command that trained it measured them; a metric
    /// that is not a number (the correlation of a constant prediction) is left out.
    #[serde(default)]
    pub metrics: BTreeMap<String, BTreeMap<String, f64>>,
    /// The ironcell version that wrote it.
    pub ironcell: String,
    /// sha256 of each file the model is made of, recorded when it was saved and checked
    /// whenever it is opened: a flipped byte in `trees.bin` or `dcell.params` is an error, not
    /// a silently different answer. (Cards written before this was kept have none.)
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
}

/// Every file a saved model of some kind is made of, and its calibration (the card,
/// histories and checkpoints are not the model).
const MODEL_FILES: [&str; 11] = [
    "dcell.json",
    "dcell.params",
    "model.json",
    "trees.bin",
    "recipe.json",
    "gene_set.json",
    "weights.mpk",
    "neighbour_labels.json",
    "null.json",
    "members.json",
    super::conformal::CALIBRATION,
];

fn sha256(path: &Path) -> Result<String, Error> {
    ironcell_sources::sha256_file(path).map_err(|e| Error::file(path, e))
}

impl ModelCard {
    /// A card for a `kind` model predicting `labels`, nothing else known yet.
    pub fn new(kind: &str, labels: Vec<String>, inputs: impl Into<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            labels,
            dataset: None,
            split: None,
            inputs: inputs.into(),
            reference: None,
            trained_genes: vec![],
            trained_rows: 0,
            metrics: BTreeMap::new(),
            ironcell: env!("CARGO_PKG_VERSION").to_owned(),
            files: BTreeMap::new(),
        }
    }

    /// Writes the card into `dir` with the sha256 of the model's files there, which the
    /// model's `save` has just written.
    pub(crate) fn seal(&self, dir: &Path) -> Result<(), Error> {
        let mut card = self.clone();
        card.files.clear();
        for name in MODEL_FILES {
            let path = dir.join(name);
            if path.is_file() {
                card.files.insert(name.to_owned(), sha256(&path)?);
            }
        }
        card.write(dir)
    }

    /// Checks each file the card recorded against its sha256.
    pub fn verify(&self, dir: &Path) -> Result<(), Error> {
        for (name, recorded) in &self.files {
            let path = dir.join(name);
            let found = sha256(&path)?;
            if &found != recorded {
                return Err(Error::file(
                    &path,
                    format!(
                        "sha256 {found} is not the {recorded} its card recorded: the file changed \
                         after the model was saved; save or train the model again"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Records `label`'s test metrics, leaving out those that are not finite numbers.
    pub fn set_metrics<'a>(
        &mut self,
        label: &str,
        metrics: impl IntoIterator<Item = (&'a str, f64)>,
    ) {
        self.metrics.insert(
            label.to_owned(),
            metrics
                .into_iter()
                .filter(|(_, v)| v.is_finite())
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        );
    }

    /// Reads `dir/card.json`.
    pub fn read(dir: &Path) -> Result<Self, Error> {
        let path = dir.join(CARD);
        let text = fs::read(&path).map_err(|e| {
            Error::file(
                &path,
                format!("{e}: not a model directory written by `ironcell train` or `baseline`"),
            )
        })?;
        serde_json::from_slice(&text).map_err(|e| Error::file(&path, e))
    }

    /// Writes `dir/card.json` (the directory created if missing).
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
        let path = dir.join(CARD);
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::file(&path, e))?;
        fs::write(&path, json).map_err(|e| Error::file(&path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_round_trips_and_a_directory_without_one_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let mut card = ModelCard::new("gbt", vec!["fitness".into()], "codon, go:30; sum");
        card.split = Some(SplitName::GeneDisjointAll);
        card.trained_genes = vec!["YAL001C".parse().unwrap()];
        card.set_metrics("fitness", [("pearson", 0.5), ("spearman", f64::NAN)]);
        card.write(dir.path()).unwrap();
        assert_eq!(ModelCard::read(dir.path()).unwrap(), card);
        assert_eq!(card.metrics["fitness"].len(), 1);
        let text = fs::read_to_string(dir.path().join(CARD)).unwrap();
        assert!(text.contains("\"split\": \"gene_disjoint_all\""), "{text}");
        let empty = tempfile::tempdir().unwrap();
        let err = ModelCard::read(empty.path()).unwrap_err().to_string();
        assert!(err.contains("not a model directory"), "{err}");
    }
}
