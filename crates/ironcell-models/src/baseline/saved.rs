//! A fitted baseline on disk: `model.json` (kind, hyper-parameters, and a linear or SVR model
//! whole) plus, for tree ensembles, `trees.bin` (flat nodes, [`trees::Tree::write`]), since
//! a full-depth forest as JSON would run to gigabytes.

use std::{
    fs::File,
    io::{BufReader, BufWriter, Write},
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

use super::{
    linear::LinearModel,
    svr::SvrModel,
    trees::{self, BoostingParams, ForestParams, GradientBoosting, RandomForest},
    Regressor,
};

const MODEL: &str = "model.json";
const TREES: &str = "trees.bin";

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Header {
    Rf {
        params: ForestParams,
        features: usize,
    },
    Gbt {
        params: BoostingParams,
        features: usize,
        /// Each bag's base (models saved before bagging have one `base`).
        #[serde(default)]
        bases: Vec<f64>,
        #[serde(default, skip_serializing)]
        base: Option<f64>,
    },
    Enet(LinearModel),
    Svr(SvrModel),
}

/// Saving or loading failed: the file and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct SavedError {
    path: PathBuf,
    message: String,
}

impl SavedError {
    fn new(path: &Path, e: impl std::fmt::Display) -> Self {
        Self {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }
}

/// Writes `model` into directory `dir` (created if missing).
pub fn save(dir: &Path, model: &Regressor) -> Result<(), SavedError> {
    std::fs::create_dir_all(dir).map_err(|e| SavedError::new(dir, e))?;
    let (header, forest) = match model {
        Regressor::Rf(m) => (
            Header::Rf {
                params: m.params.clone(),
                features: m.features,
            },
            Some(&m.trees),
        ),
        Regressor::Gbt(m) => (
            Header::Gbt {
                params: m.params.clone(),
                features: m.features,
                bases: m.bases.clone(),
                base: None,
            },
            Some(&m.trees),
        ),
        Regressor::Enet(m) => (Header::Enet(m.clone()), None),
        Regressor::Svr(m) => (Header::Svr(m.clone()), None),
    };
    let path = dir.join(MODEL);
    let json = serde_json::to_vec_pretty(&header).map_err(|e| SavedError::new(&path, e))?;
    std::fs::write(&path, json).map_err(|e| SavedError::new(&path, e))?;
    if let Some(forest) = forest {
        let path = dir.join(TREES);
        let file = File::create(&path).map_err(|e| SavedError::new(&path, e))?;
        let mut out = BufWriter::new(file);
        trees::write_trees(forest, &mut out)
            .and_then(|()| out.flush())
            .map_err(|e| SavedError::new(&path, e))?;
    }
    Ok(())
}

/// Reads what [`save`] wrote in `dir`.
pub fn load(dir: &Path) -> Result<Regressor, SavedError> {
    let path = dir.join(MODEL);
    let json = std::fs::read(&path).map_err(|e| SavedError::new(&path, e))?;
    let header: Header = serde_json::from_slice(&json).map_err(|e| SavedError::new(&path, e))?;
    let read_trees = |features: usize| {
        let path = dir.join(TREES);
        let file = File::open(&path).map_err(|e| SavedError::new(&path, e))?;
        trees::read_trees(&mut BufReader::new(file), features)
            .map_err(|e| SavedError::new(&path, e))
    };
    Ok(match header {
        Header::Rf { params, features } => Regressor::Rf(RandomForest {
            params,
            features,
            trees: read_trees(features)?,
        }),
        Header::Gbt {
            params,
            features,
            bases,
            base,
        } => {
            let bases = match (bases.is_empty(), base) {
                (false, _) => bases,
                (true, Some(base)) => vec![base],
                (true, None) => return Err(SavedError::new(&path, "a gbt without `bases`")),
            };
            let trees = read_trees(features)?;
            if trees.len() != bases.len() * params.rounds {
                return Err(SavedError::new(
                    &dir.join(TREES),
                    format!(
                        "{} trees for {} bags of {} rounds",
                        trees.len(),
                        bases.len(),
                        params.rounds
                    ),
                ));
            }
            Regressor::Gbt(GradientBoosting {
                params,
                features,
                bases,
                trees,
            })
        }
        Header::Enet(m) => Regressor::Enet(m),
        Header::Svr(m) => Regressor::Svr(m),
    })
}
