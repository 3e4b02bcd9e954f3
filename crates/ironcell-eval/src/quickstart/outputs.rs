//! What the quickstart leaves in its output folder: the knowledge graph and the dataset it
//! builds from the screens (as a user's `ingest` and `dataset build` would), each split's
//! saved models, `metrics.json`, and the report page with the files it is drawn from.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use ironcell_data::{dataset, ontology::DcellOntology, split::Split};
use ironcell_kg::{GraphStore, SqliteStore};
use ironcell_models::{dcell::DcellConfig, train::TrainConfig};
use ironcell_sources::reference::Reference;
use serde_json::{json, Value};

use super::{query, Screens, SplitModels, SplitResult};
use crate::{
    dataset::Dataset,
    evaluate::Outcome,
    report::{
        evidence::{write_scored, Curve, Evidence, TestRows},
        html,
    },
    Error,
};

/// The knowledge graph and the dataset built from it.
pub struct Built {
    /// The SQLite store.
    pub db: PathBuf,
    /// Experiments the store did not hold before.
    pub added: u64,
    /// The dataset.
    pub dataset: Dataset,
}

/// Stores `reference` and the screens in `out/ironcell.sqlite`, then builds the quickstart's
/// dataset ([`query`]: labels aggregated per genotype, splits drawn with `seed` and saved
/// beside the instances) into `out/dataset`.
pub fn store_and_build(
    out: &Path,
    reference: &Reference,
    screens: &Screens,
    seed: u64,
) -> Result<Built, Error> {
    let db = out.join("ironcell.sqlite");
    let mut store = SqliteStore::open(&db)?;
    store.put_reference(reference)?;
    let added = store.put_experiments(&screens.experiments)?;
    let dir = out.join("dataset");
    dataset::build(&store, &query(seed), &dir)?;
    Ok(Built {
        db,
        added,
        dataset: Dataset::open(&dir)?,
    })
}

/// The splits' results, gathered as they come.
#[derive(Default)]
pub struct Gathered {
    splits: Vec<Value>,
    outcomes: Vec<Outcome>,
    rows: Vec<TestRows>,
    curves: Vec<Curve>,
}

/// What the metrics document says of the run besides the splits.
pub struct Described<'a> {
    /// The screens read.
    pub screens: &'a Screens,
    /// The dataset's instances and those the run used.
    pub instances: (usize, usize),
    /// The ontology DCell was built on.
    pub ontology: &'a DcellOntology,
    /// DCell's configuration.
    pub dcell: &'a DcellConfig,
    /// Its training.
    pub training: &'a TrainConfig,
    /// Seconds since the run began.
    pub elapsed: f64,
}

impl Gathered {
    /// Saves `result`'s models under `out/models/NAME` (as `train` and `baseline` save
    /// theirs, for `predict`, `explain`, `evaluate` and `design`) and keeps its numbers.
    pub fn add(
        &mut self,
        out: &Path,
        (name, split): (&str, &Split),
        result: SplitResult,
    ) -> Result<(), Error> {
        result.models.save(&out.join("models").join(name))?;
        self.curves.push(Curve {
            name: format!("DCell, {name} split"),
            train_loss: result.history.clone(),
            validation: BTreeMap::new(),
            kept_epoch: None,
        });
        self.splits.push(json!({
            "split": name,
            "sizes": {"train": split.train.len(), "validation": split.validation.len(),
                      "test": split.test.len(), "dropped": split.dropped},
            "train_loss_by_epoch": result.history,
            "results": result.outcomes,
            "models": SplitModels::DIRS.map(|d| format!("models/{name}/{d}")),
        }));
        self.rows.extend(result.rows);
        self.outcomes.extend(result.outcomes);
        Ok(())
    }

    /// Every split's test outcomes so far.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// Writes `out/metrics.json` (the run described, and every split) and the report page
    /// `out/report.html` with the files `ironcell report --runs` redraws it from; the paths
    /// of the two.
    pub fn write(
        self,
        out: &Path,
        run: &Described<'_>,
        size: &ironcell_models::dcell::DcellSize,
    ) -> Result<[PathBuf; 2], Error> {
        let mut data: serde_json::Map<String, Value> = run
            .screens
            .selections
            .iter()
            .map(|(name, s)| {
                let doc = json!({"read": s.read, "kept": s.kept,
                    "other_temperature": s.other_temperature, "not_deletion": s.not_deletion});
                ((*name).to_owned(), doc)
            })
            .collect();
        data.insert("dataset".to_owned(), json!("dataset"));
        data.insert("instances".to_owned(), json!(run.instances.0));
        data.insert("instances_used".to_owned(), json!(run.instances.1));
        let o = run.ontology;
        let doc = json!({
            "note": "test-set metrics of measured data (no synthetic records), 95 % bootstrap intervals; baselines beside DCell",
            "data": data,
            "ontology": {"stages": o.stages, "subsystems": o.subsystems.len(),
                         "strata": o.strata(), "edges": o.edges()},
            "dcell": {"subsystems": size.subsystems, "strata": size.strata, "neurons": size.neurons,
                      "parameters": size.parameters, "groups": size.groups, "config": run.dcell},
            "training": run.training,
            "splits": self.splits,
            "elapsed_seconds": run.elapsed,
        });
        let metrics = out.join("metrics.json");
        let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| Error::Input(e.to_string()))?;
        fs::write(&metrics, bytes).map_err(Error::file(&metrics))?;

        write_scored(out, &self.outcomes, &self.rows)?;
        let evidence = Evidence {
            outcomes: self.outcomes,
            rows: self.rows,
            curves: self.curves,
        };
        let title = "ironcell quickstart: DCell beside a forest, ridge and the null models";
        let page = html(&evidence, title, &[out.display().to_string()])?;
        let report = out.join("report.html");
        fs::write(&report, page).map_err(Error::file(&report))?;
        Ok([metrics, report])
    }
}
