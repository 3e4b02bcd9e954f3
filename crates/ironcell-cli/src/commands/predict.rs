//! `ironcell predict`: score a file of genotypes with a saved baseline, saying which genes the
//! model never saw perturbed in training (their features still come from the reference).

use std::{
    collections::{BTreeSet, HashMap},
    fmt::Write as _,
    fs,
};

use anyhow::{bail, Context, Result};
use ironcell_core::SystematicName;
use ironcell_data::features::{pooling::Pooler, GeneFeatures};
use ironcell_models::baseline::Matrix;
use ironcell_sources::{
    names::{GeneNames, Unresolved},
    reference::Reference,
};

use crate::{
    args::{LoadedReference, PredictArgs},
    commands::baseline::Recipe,
};

/// One line of the genotype file.
struct Query {
    line: usize,
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
        queries.push(Query {
            line,
            genes,
            environment,
        });
    }
    Ok(queries)
}

pub fn run(args: &PredictArgs) -> Result<()> {
    let (recipe, model) = Recipe::load(&args.model)?;
    // The bundle given, else the one the model recorded, else (a cache since removed) the
    // data directory's, derived again from the same inputs.
    let given = args
        .reference
        .as_ref()
        .or(Some(&recipe.reference).filter(|d| d.is_dir()));
    let reference = match given {
        Some(dir) => Reference::read(dir)
            .with_context(|| format!("the reference bundle {}", dir.display()))?,
        None => LoadedReference::derive(&args.data.dir())?.reference,
    };
    let names = GeneNames::new(&reference.genes);
    let path = args.genotypes.display().to_string();
    let text = fs::read_to_string(&args.genotypes).with_context(|| path.clone())?;
    let queries = read_queries(&text, &names, &path)?;

    // Feature rows: the training universe, then any other gene the queries name.
    let mut universe = recipe.universe.clone();
    let known: BTreeSet<&SystematicName> = recipe.universe.iter().collect();
    let extra: BTreeSet<SystematicName> = queries
        .iter()
        .flat_map(|q| q.genes.iter())
        .filter(|g| !known.contains(g))
        .cloned()
        .collect();
    universe.extend(extra);
    let (features, _) = GeneFeatures::build_with_identity(
        &recipe.features,
        &universe,
        &recipe.universe,
        &reference,
    )?;
    let row: HashMap<&SystematicName, u32> = universe
        .iter()
        .enumerate()
        .map(|(i, g)| (g, i as u32))
        .collect();
    let pooler = Pooler::new(recipe.pooling, &features, recipe.slots);
    let width = pooler.width();
    let mut x = vec![0.0f32; queries.len() * width];
    for (q, out) in queries.iter().zip(x.chunks_exact_mut(width.max(1))) {
        let mut rows: Vec<u32> = q.genes.iter().map(|g| row[g]).collect();
        rows.sort_unstable();
        pooler
            .pool(&rows, &features, out)
            .with_context(|| format!("{path}, line {}", q.line))?;
        if let Some(s) = &recipe.standardizer {
            s.apply(out);
        }
    }
    let predictions = model.predict(Matrix::new(&x, width)?);

    let trained: BTreeSet<&SystematicName> = recipe.trained_genes.iter().collect();
    let mut out = format!("genotype\tenvironment\t{}\tunseen_genes\n", recipe.label);
    let mut with_unseen = 0;
    for (q, p) in queries.iter().zip(&predictions) {
        let unseen: Vec<&str> = q
            .genes
            .iter()
            .filter(|g| !trained.contains(g))
            .map(SystematicName::as_str)
            .collect();
        with_unseen += usize::from(!unseen.is_empty());
        let genotype: Vec<&str> = q.genes.iter().map(SystematicName::as_str).collect();
        writeln!(
            out,
            "{}\t{}\t{p:.6}\t{}",
            genotype.join("+"),
            q.environment.as_deref().unwrap_or(""),
            unseen.join("+")
        )?;
    }
    fs::write(&args.out, out).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{} genotypes scored with the {} model for {} ({}); {} hold a gene never perturbed in its training data; predictions in {}",
        queries.len(),
        model.kind(),
        recipe.label,
        args.model.display(),
        with_unseen,
        args.out.display()
    );
    Ok(())
}
