//! Training data for ironcell: the DCell ontology built from the reference, measured labels
//! gathered per genotype, seeded splits, and a simulator for tests that need a known truth.
//!
//! ```
//! use ironcell_data::split::{random_split, SplitFractions};
//! let split = random_split(10, SplitFractions::default(), 7);
//! assert_eq!(split.train.len() + split.validation.len() + split.test.len(), 10);
//! ```
#![deny(missing_docs)]

pub mod cached;
pub mod dataset;
mod error;
pub mod features;
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;
pub mod graph;
pub mod ingest;
pub mod instances;
pub mod labels;
pub mod ontology;
mod rows;
pub mod screens;
pub mod simulate;
pub mod split;

pub use error::Error;
