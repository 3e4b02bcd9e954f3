//! `ironcell ontology dcell`.

use std::fs;

use anyhow::{ensure, Context, Result};
use ironcell_data::ontology::{self, DcellOntology, OntologyConfig};
use ironcell_sources::reference::Reference;

use crate::args::{OntologyDcellArgs, OntologyFilterArgs};

impl OntologyFilterArgs {
    pub fn config(&self) -> OntologyConfig {
        OntologyConfig {
            min_genes: self.min_genes,
            drop_evidence: self.drop_evidence.clone(),
            containment_genes: None,
            annotated_before: self.annotated_before,
        }
    }
}

/// Builds the DCell ontology, refusing a date cut-off on a bundle without annotation dates
/// (which would silently keep nothing).
pub fn build(reference: &Reference, config: &OntologyConfig) -> Result<DcellOntology> {
    if let Some(day) = config.annotated_before {
        ensure!(
            reference.annotations.iter().any(|a| a.date.is_some()),
            "--annotated-before {day}: this reference bundle's GO annotations have no dates \
             (GenBank qualifiers carry none); rebuild it with `ironcell reference build --gaf \
             gene_association.sgd`"
        );
    }
    Ok(ontology::build(reference, config))
}

pub fn dcell(args: &OntologyDcellArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    let ontology = build(&reference, &args.filter.config())?;
    print_table(&ontology);
    let json = serde_json::to_vec(&ontology)?;
    fs::write(&args.out, json).with_context(|| format!("writing {}", args.out.display()))?;
    println!("ontology written to {}", args.out.display());
    Ok(())
}

/// Prints the counts after each filtering stage and the final shape.
pub fn print_table(o: &DcellOntology) {
    println!(
        "{:<32} {:>7} {:>11} {:>7}",
        "stage", "terms", "annotations", "edges"
    );
    for s in &o.stages {
        println!(
            "{:<32} {:>7} {:>11} {:>7}",
            s.stage, s.terms, s.annotations, s.edges
        );
    }
    println!(
        "final: {} subsystems, {} edges, {} strata, {} leaves, {} genes",
        o.subsystems.len(),
        o.edges(),
        o.strata(),
        o.leaves(),
        o.genes.len()
    );
}
