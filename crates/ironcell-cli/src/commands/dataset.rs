//! `ironcell dataset build`: a knowledge-graph query into a training set on disk.

use anyhow::{Context, Result};
use ironcell_data::dataset::{self, DatasetQuery};

use crate::args::DatasetBuildArgs;

pub fn build(args: &DatasetBuildArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.select)
        .with_context(|| format!("reading {}", args.select.display()))?;
    let query: DatasetQuery = toml::from_str(&text)
        .with_context(|| format!("{}: not a dataset query", args.select.display()))?;
    let store = args.store.open()?;
    let m = dataset::build(store.as_ref(), &query, &args.out)?;
    println!(
        "{} instances over {} genes, {} datasets, {} environments; labels {}",
        m.instances,
        m.genes.len(),
        m.datasets.len(),
        m.environments.len(),
        m.labels.join(", ")
    );
    for (size, n) in &m.by_size {
        println!("  {size} perturbed genes: {n}");
    }
    for (name, s) in &m.splits {
        println!(
            "split {name}: train {}, validation {}, test {}, left out {}; test genes seen in training: {}",
            s.train, s.validation, s.test, s.left_out, s.test_genes_seen_in_training
        );
    }
    println!("written to {}", args.out.display());
    Ok(())
}
