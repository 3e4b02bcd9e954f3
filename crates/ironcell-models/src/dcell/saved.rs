//! A trained CPU DCell on disk, so `predict` and `explain` can use what `train` made.
//!
//! A run directory holds `dcell.json` (the hyper-parameters, the label names and the
//! filtered ontology the layout is rebuilt from) and `dcell.params` (little-endian f32: the
//! flat parameters, then the batch-norm running means and variances).

use std::{
    fs,
    path::{Path, PathBuf},
    sync::Arc,
};

use ironcell_data::ontology::DcellOntology;
use serde::{Deserialize, Serialize};

use super::{kernel::Model, DcellConfig, Layout};

/// Why a saved model could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    /// The file system.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The description file.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// The parameter file does not fit the description.
    #[error("{path}: expected {expected} f32 values for this model, found {found} bytes")]
    Size {
        /// The file.
        path: PathBuf,
        /// Values expected.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
}

/// What `dcell.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Description {
    /// Hyper-parameters.
    pub config: DcellConfig,
    /// Predicted labels, in head order.
    pub labels: Vec<String>,
    /// The filtered ontology (its gene universe indexes the input).
    pub ontology: DcellOntology,
}

/// A loaded model with its description.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The description.
    pub description: Description,
    /// The model.
    pub model: Model<f32>,
}

const DESCRIPTION: &str = "dcell.json";
const PARAMS: &str = "dcell.params";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SavedError + '_ {
    move |source| SavedError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `model` and its description into `dir` (created if missing).
pub fn save(dir: &Path, description: &Description, model: &Model<f32>) -> Result<(), SavedError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(DESCRIPTION);
    let json = serde_json::to_vec(description).map_err(|source| SavedError::Json {
        path: path.clone(),
        source,
    })?;
    fs::write(&path, json).map_err(io(&path))?;
    let (mean, var) = model.running_stats();
    let bytes: Vec<u8> = model
        .params()
        .iter()
        .chain(mean)
        .chain(var)
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let path = dir.join(PARAMS);
    fs::write(&path, bytes).map_err(io(&path))
}

/// Reads a model saved by [`save`].
pub fn load(dir: &Path) -> Result<Saved, SavedError> {
    let path = dir.join(DESCRIPTION);
    let text = fs::read(&path).map_err(io(&path))?;
    let description: Description =
        serde_json::from_slice(&text).map_err(|source| SavedError::Json {
            path: path.clone(),
            source,
        })?;
    let layout = Arc::new(Layout::new(
        &description.ontology,
        &description.config,
        description.labels.len(),
    ));
    let path = dir.join(PARAMS);
    let bytes = fs::read(&path).map_err(io(&path))?;
    let (p, n) = (layout.parameters, layout.neurons());
    if bytes.len() != 4 * (p + 2 * n) {
        return Err(SavedError::Size {
            path,
            expected: p + 2 * n,
            found: bytes.len(),
        });
    }
    let mut values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let var = values.split_off(p + n);
    let mean = values.split_off(p);
    let config = &description.config;
    let mut model = Model::new(layout, values, config.alpha, config.aux_reduction);
    model.set_running_stats(mean, var);
    Ok(Saved { description, model })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dcell::test_support::tiny_ontology;

    #[test]
    fn a_saved_model_predicts_the_same() {
        let ontology = tiny_ontology();
        let config = DcellConfig {
            init_scale: 0.3,
            ..DcellConfig::default()
        };
        let layout = Arc::new(Layout::new(&ontology, &config, 2));
        let mut model = Model::new(
            layout.clone(),
            layout.init_parameters(&config),
            config.alpha,
            config.aux_reduction,
        );
        let genotypes = vec![vec![0, 3], vec![1], vec![2, 5, 7]];
        let act = model.forward(&genotypes, crate::dcell::kernel::Mode::Training);
        model.update_running_stats(&act);
        let dir = tempfile::tempdir().unwrap();
        let description = Description {
            config,
            labels: vec!["fitness".into(), "interaction".into()],
            ontology,
        };
        save(dir.path(), &description, &model).unwrap();
        let loaded = load(dir.path()).unwrap();
        assert_eq!(loaded.description.labels, description.labels);
        assert_eq!(loaded.model.predict(&genotypes), model.predict(&genotypes));

        // A truncated parameter file is refused, naming the file.
        let params = dir.path().join(PARAMS);
        let bytes = fs::read(&params).unwrap();
        fs::write(&params, &bytes[..bytes.len() - 4]).unwrap();
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("dcell.params") && err.contains("expected"),
            "{err}"
        );
    }
}
