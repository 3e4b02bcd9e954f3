//! ironcell's models: DCell, the gene-set deep models ([`deep`]) on burn, the baselines, the
//! objectives ([`loss`]), the trainer, and the metrics they are judged by.
//!
//! ```
//! use ironcell_models::metrics::pearson;
//! assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]) - 0.9986).abs() < 1e-3);
//! ```
#![deny(missing_docs)]

pub mod baseline;
pub mod codec;
pub mod dcell;
pub mod deep;
pub mod loss;
pub mod metrics;
pub mod optim;
pub mod predictor;
pub mod ridge;
pub mod train;
pub mod trainer;

/// The CPU backend: burn's ndarray backend in f32.
pub type Cpu = burn::backend::NdArray<f32>;
/// The CPU backend with automatic differentiation, for training.
pub type CpuAutodiff = burn::backend::Autodiff<Cpu>;
