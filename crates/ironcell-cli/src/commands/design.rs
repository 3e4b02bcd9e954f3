//! `ironcell design`: rank candidate multi-gene knockouts by a saved model. The search is
//! `ironcell_eval::design`'s; this file reads the candidates, prints and writes the table.

use std::{fs, time::Instant};

use anyhow::{Context, Result};
use ironcell_eval::design::{design, joined, ranked, tsv, DesignConfig, Search};
use ironcell_models::predictor::DcellModel;
use ironcell_sources::{gene_lists::named_genes, names::GeneNames};

use crate::{
    args::{DesignArgs, Exclude},
    progress,
};

/// Subsystems named per designed genotype of a DCell model.
const SUBSYSTEMS: usize = 3;

pub fn run(args: &DesignArgs) -> Result<()> {
    super::out_folder_exists(&args.out)?;
    let (model, reference) = args.model.open()?;
    let card = model.card();
    let path = args.candidates.display().to_string();
    let text = fs::read_to_string(&args.candidates).with_context(|| path.clone())?;
    let mut candidates = named_genes(&text, &GeneNames::new(&reference.genes), &path)?;
    // A gene no model can score (no features, say) fails on the first batch, named by the
    // model's own error.
    let listed = candidates.len();
    if args.exclude.contains(&Exclude::Essential) {
        let essential = reference.essential_genes();
        candidates.retain(|g| !essential.contains(g));
    }
    let config = DesignConfig {
        objective: args.objective,
        label: args.label.clone(),
        order: usize::from(args.order),
        top: args.top,
        beam: args.beam,
        exhaustive_limit: args.exhaustive_limit,
        ..DesignConfig::default()
    };
    println!(
        "{} candidate genes ({listed} listed{}); {} model {} for {}",
        candidates.len(),
        if listed > candidates.len() {
            format!(", {} essential left out", listed - candidates.len())
        } else {
            String::new()
        },
        card.kind,
        args.model.model.display(),
        config.objective
    );
    let started = Instant::now();
    let bar = progress::scoring(0, "design".into());
    let design = design(model.as_ref(), &candidates, &config, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();

    // DCell says which subsystems each designed genotype disturbs most.
    let dcell = match card.kind == DcellModel::KIND {
        true => Some(DcellModel::open(&args.model.model)?),
        false => None,
    };
    let rows = ranked(
        &design,
        &candidates,
        &card.trained_genes,
        dcell.as_ref().map(|d| (d, SUBSYSTEMS)),
    )?;
    fs::write(&args.out, tsv(&design.label, &rows))
        .with_context(|| format!("writing {}", args.out.display()))?;
    let search = match design.search {
        Search::Exhaustive => "every genotype".to_owned(),
        Search::Beam { from, width } => {
            format!("every genotype of {from} genes, then a beam of {width}")
        }
    };
    println!(
        "{} genotypes of {} genes possible; {} scored ({search}) in {seconds:.1} s, {:.0} per second{}",
        design.space,
        config.order,
        design.scored,
        design.scored as f64 / seconds.max(1e-9),
        if design.unanswered > 0 {
            format!("; {} had no prediction", design.unanswered)
        } else {
            String::new()
        }
    );
    println!("{} by {}:", design.label, config.objective);
    for (rank, r) in rows.iter().take(10).enumerate() {
        let spread = r
            .spread
            .map(|s| format!("  90 % [{:.4}, {:.4}]", s.low, s.high));
        let unseen = match r.unseen.is_empty() {
            true => String::new(),
            false => format!("  never perturbed in training: {}", joined(&r.unseen, ", ")),
        };
        println!(
            "{:>4}  {:<32} {:>9.4}{}{unseen}",
            rank + 1,
            joined(&r.genes, "+"),
            r.prediction,
            spread.unwrap_or_default(),
        );
    }
    println!(
        "{} genotypes ranked in {}",
        design.ranked.len(),
        args.out.display()
    );
    Ok(())
}
