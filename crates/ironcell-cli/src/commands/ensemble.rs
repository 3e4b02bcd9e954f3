//! `ironcell ensemble`: saved models asked as one, their mean the answer and their
//! disagreement the spread (`ironcell_models::predictor::Ensemble`).

use anyhow::Result;
use ironcell_models::predictor::Ensemble;

use crate::args::EnsembleArgs;

pub fn run(args: &EnsembleArgs) -> Result<()> {
    let card = Ensemble::create(&args.out, &args.models)?;
    println!(
        "ensemble {}: {} for {} ({} genes seen perturbed)",
        args.out.display(),
        card.inputs,
        card.labels.join(", "),
        card.trained_genes.len()
    );
    Ok(())
}
