//! Tree ensembles on binned features: a random forest and gradient-boosted trees sharing one
//! histogram tree grower.
//!
//! Written here rather than taken from a crate: `biosphere` (the fastest Rust forest measured,
//! see `../shared/notes`) keeps its fitted trees private, so a model cannot be saved for
//! `ironcell predict`; `smartcore`'s forest is single-threaded; `forust-ml` boosted 1.4×
//! slower than scikit-learn; `lightgbm3` needs a 10-minute C++ build with CMake ≥ 3.28. One
//! grower serving both ensembles is small, and BENCHMARKS.md times it against scikit-learn.

mod bins;
mod boosting;
mod forest;
mod grow;
mod tree;

pub use bins::MAX_BINS;
pub use boosting::{BoostingParams, GradientBoosting};
pub use forest::{ForestParams, RandomForest};
pub use tree::Tree;

use std::io::{self, Read, Write};

/// Writes trees one after another ([`Tree::write`]) behind their count.
pub(crate) fn write_trees(trees: &[Tree], out: &mut impl Write) -> io::Result<()> {
    out.write_all(&(trees.len() as u64).to_le_bytes())?;
    trees.iter().try_for_each(|t| t.write(out))
}

/// Reads what [`write_trees`] wrote.
pub(crate) fn read_trees(input: &mut impl Read, features: usize) -> io::Result<Vec<Tree>> {
    let mut count = [0u8; 8];
    input.read_exact(&mut count)?;
    let count = u64::from_le_bytes(count);
    (0..count).map(|_| Tree::read(input, features)).collect()
}
