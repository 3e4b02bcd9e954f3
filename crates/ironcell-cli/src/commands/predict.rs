//! `ironcell predict`: score a file of genotypes with any saved model (DCell, a feature model,
//! a null model), saying which genes the model never saw perturbed in training.

use std::{collections::BTreeSet, fmt::Write as _, fs};

use anyhow::{Context, Result};
use ironcell_core::SystematicName;
use ironcell_models::predictor::Genotypes;
use ironcell_sources::{gene_lists::queries, names::GeneNames};

use crate::args::PredictArgs;

pub fn run(args: &PredictArgs) -> Result<()> {
    super::out_folder_exists(&args.out)?;
    let (model, reference) = args.model.open()?;
    let card = model.card();
    let names = GeneNames::new(&reference.genes);
    let path = args.genotypes.display().to_string();
    let text = fs::read_to_string(&args.genotypes).with_context(|| path.clone())?;
    let queries = queries(&text, &names, &path)?;

    // The queries' genes as one universe, each genotype indices into it.
    let universe: Vec<SystematicName> = queries
        .iter()
        .flat_map(|q| q.genes.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows: Vec<Vec<u32>> = queries
        .iter()
        .map(|q| {
            q.genes
                .iter()
                .map(|g| {
                    universe
                        .binary_search(g)
                        .expect("every query gene is in the universe") as u32
                })
                .collect()
        })
        .collect();
    // Environments by name (none given: the empty name, which no model was trained in), so a
    // model with an environment input reads them and the others ignore them.
    let names: Vec<String> = queries
        .iter()
        .map(|q| q.environment.clone().unwrap_or_default())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let environments: Vec<u16> = queries
        .iter()
        .map(|q| {
            let name = q.environment.as_deref().unwrap_or("");
            let i = names.binary_search_by(|n| n.as_str().cmp(name));
            u16::try_from(i.expect("every environment is named")).map_err(|_| {
                anyhow::anyhow!("more than {} distinct environments in one file", u16::MAX)
            })
        })
        .collect::<Result<_>>()?;
    let asked = Genotypes::new(&universe, rows.iter().map(Vec::as_slice))
        .in_environments(&names, environments);
    let (predictions, spread) = model.predict_with_spread(&asked)?;

    let trained: BTreeSet<&SystematicName> = card.trained_genes.iter().collect();
    // A model with a spread: each label's standard deviation and central 90 % interval
    // after its prediction.
    let columns: Vec<String> = card
        .labels
        .iter()
        .flat_map(|l| match spread {
            Some(_) => vec![
                l.clone(),
                format!("{l}_sd"),
                format!("{l}_low_90"),
                format!("{l}_high_90"),
            ],
            None => vec![l.clone()],
        })
        .collect();
    let mut out = format!(
        "genotype\tenvironment\t{}\tunseen_genes\n",
        columns.join("\t")
    );
    let mut with_unseen = 0;
    for (i, q) in queries.iter().enumerate() {
        let unseen: Vec<&str> = q
            .genes
            .iter()
            .filter(|g| !trained.contains(g))
            .map(SystematicName::as_str)
            .collect();
        with_unseen += usize::from(!unseen.is_empty());
        let genotype: Vec<&str> = q.genes.iter().map(SystematicName::as_str).collect();
        let values: Vec<String> = predictions
            .row(i)
            .iter()
            .enumerate()
            .flat_map(|(l, p)| {
                let mut cells = vec![format!("{p:.6}")];
                if let Some(s) = &spread {
                    cells.extend(
                        [&s.sd, &s.low, &s.high].map(|part| format!("{:.6}", part.row(i)[l])),
                    );
                }
                cells
            })
            .collect();
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            genotype.join("+"),
            q.environment.as_deref().unwrap_or(""),
            values.join("\t"),
            unseen.join("+")
        )?;
    }
    fs::write(&args.out, out).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{} genotypes scored with the {} model for {} ({}); {} hold a gene never perturbed in its training data; predictions in {}",
        queries.len(),
        card.kind,
        card.labels.join(", "),
        args.model.model.display(),
        with_unseen,
        args.out.display()
    );
    Ok(())
}
