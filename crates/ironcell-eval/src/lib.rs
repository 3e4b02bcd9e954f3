//! ironcell's evaluation: any [`Predictor`](ironcell_models::predictor::Predictor) scored on a
//! dataset's test part, with 95 % bootstrap intervals, broken down by genotype size and dataset,
//! written as the Markdown tables BENCHMARKS.md holds and as JSON. `ironcell evaluate`,
//! `bench accuracy` and the training commands all score through here, so a number means the
//! same wherever it is printed.
//!
//! ```
//! use ironcell_eval::score::{score, Judged};
//! // Calls are judged by AUROC wherever they are scored.
//! let truth = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
//! let scores = [0.2, 0.9, 0.5, 0.5, 0.3, 0.1];
//! let s = score(Judged::of("synthetic_lethality"), &truth, &scores, 20, 1);
//! assert!((s["auroc"].value - 5.0 / 6.0).abs() < 1e-12);
//! ```
#![deny(missing_docs)]

pub mod accuracy;
pub mod baseline;
pub mod bench;
pub mod calibrate;
pub mod dataset;
pub mod design;
pub mod evaluate;
pub mod explain;
pub mod quickstart;
pub mod report;
pub mod score;
pub mod sklearn;

/// Why an evaluation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model could not answer.
    #[error(transparent)]
    Predict(#[from] ironcell_models::predictor::Error),
    /// A feature model could not be built or fitted.
    #[error(transparent)]
    Design(#[from] ironcell_models::baseline::design::DesignError),
    /// A data file could not be read.
    #[error(transparent)]
    Source(#[from] ironcell_sources::Error),
    /// A data file is missing from the data directory.
    #[error(transparent)]
    Missing(#[from] ironcell_sources::data_dir::Missing),
    /// Building or reading a dataset, features or an instance store.
    #[error(transparent)]
    Data(#[from] ironcell_data::Error),
    /// Training a model.
    #[error(transparent)]
    Train(#[from] ironcell_models::trainer::Error),
    /// A figure could not be drawn.
    #[error("drawing {0}")]
    Draw(String),
    /// What was asked for cannot be done.
    #[error("{0}")]
    Input(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A reference engine (a Python script) failed or answered what could not be read.
    #[error("{0}")]
    Reference(String),
    /// Ingesting a screen into the knowledge graph failed.
    #[error(transparent)]
    Ingest(#[from] ironcell_data::ingest::Error),
    /// The knowledge graph failed.
    #[error(transparent)]
    Graph(#[from] ironcell_kg::Error),
}

impl Error {
    /// The error of an I/O failure on `path`, for `map_err`.
    pub fn file(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::File {
            path: path.to_owned(),
            source,
        }
    }
}
