//! `ironcell predict`: score a file of genotypes with any saved model (DCell, a feature model,
//! a null model), saying which genes the model never saw perturbed in training.

use std::{collections::BTreeSet, fmt::Write as _, fs};

use anyhow::{bail, Context, Result};
use ironcell_core::SystematicName;
use ironcell_models::predictor::Genotypes;
use ironcell_sources::names::{GeneNames, Unresolved};

use crate::args::PredictArgs;

/// One line of the genotype file.
struct Query {
    genes: Vec<SystematicName>,
    environment: Option<String>,
}

/// Reads `genes[+genes…][\tgene…][\tenvironment]` lines; names resolve through the reference.
fn read_queries(text: &str, names: &GeneNames, path: &str) -> Result<Vec<Query>> {
    let mut queries = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let fields: Vec<&str> = content.split('\t').map(str::trim).collect();
        let mut genes = Vec::new();
        let mut environment = None;
        for (k, field) in fields.iter().enumerate() {
            let parts: Vec<&str> = field
                .split('+')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let resolved: Vec<Result<SystematicName, Unresolved>> =
                parts.iter().map(|p| names.resolve(p)).collect();
            if resolved.iter().all(Result::is_ok) && !parts.is_empty() {
                genes.extend(resolved.into_iter().flatten());
            } else if k == fields.len() - 1 && k > 0 && parts.len() == 1 {
                environment = Some((*field).to_owned());
            } else {
                let (name, why) = parts
                    .iter()
                    .zip(resolved)
                    .find_map(|(p, r)| r.err().map(|e| (*p, e)))
                    .unwrap_or((field, Unresolved::Unknown));
                let why = match why {
                    Unresolved::Unknown => "no reference gene has this name".to_owned(),
                    Unresolved::Ambiguous(g) => format!("a synonym of several genes: {g:?}"),
                };
                bail!("{path}, line {line}: {name:?}: {why} (expected genes separated by + or tabs, then an optional environment)");
            }
        }
        if genes.is_empty() {
            bail!("{path}, line {line}: no genes");
        }
        genes.sort();
        genes.dedup();
        queries.push(Query { genes, environment });
    }
    Ok(queries)
}

pub fn run(args: &PredictArgs) -> Result<()> {
    let (model, reference) = args.model.open()?;
    let card = model.card();
    let names = GeneNames::new(&reference.genes);
    let path = args.genotypes.display().to_string();
    let text = fs::read_to_string(&args.genotypes).with_context(|| path.clone())?;
    let queries = read_queries(&text, &names, &path)?;

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
    let predictions = model.predict(&asked)?;

    let trained: BTreeSet<&SystematicName> = card.trained_genes.iter().collect();
    let mut out = format!(
        "genotype\tenvironment\t{}\tunseen_genes\n",
        card.labels.join("\t")
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
            .map(|p| format!("{p:.6}"))
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
