//! `ironcell design`: rank candidate multi-gene knockouts by a saved model. The search is
//! `ironcell_eval::design`'s; this file reads the candidates, prints and writes the table.

use std::{collections::BTreeSet, fmt::Write as _, fs, time::Instant};

use anyhow::{Context, Result};
use ironcell_core::SystematicName;
use ironcell_eval::{
    design::{design, DesignConfig, Search},
    explain::subsystem_changes,
};
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
        true => {
            let dcell = DcellModel::open(&args.model.model)?;
            let genes: BTreeSet<SystematicName> =
                dcell.description().ontology.genes.iter().cloned().collect();
            Some((dcell, genes))
        }
        false => None,
    };
    let trained: BTreeSet<&SystematicName> = card.trained_genes.iter().collect();
    let mut out = format!(
        "rank\tgenotype\t{}\tsd\tlow_90\thigh_90\tunseen_genes{}\n",
        design.label,
        if dcell.is_some() { "\tsubsystems" } else { "" }
    );
    let mut console = Vec::new();
    for (rank, d) in design.ranked.iter().enumerate() {
        let genes: Vec<SystematicName> = d
            .genes
            .iter()
            .map(|&g| candidates[g as usize].clone())
            .collect();
        let names: Vec<&str> = genes.iter().map(SystematicName::as_str).collect();
        let unseen: Vec<&str> = genes
            .iter()
            .filter(|g| !trained.contains(g))
            .map(SystematicName::as_str)
            .collect();
        let spread = match d.spread {
            Some(s) => format!("{:.6}\t{:.6}\t{:.6}", s.sd, s.low, s.high),
            None => "\t\t".to_owned(),
        };
        write!(
            out,
            "{}\t{}\t{:.6}\t{spread}\t{}",
            rank + 1,
            names.join("+"),
            d.prediction,
            unseen.join("+")
        )?;
        if let Some((dcell, in_ontology)) = &dcell {
            // A gene outside DCell's ontology enters none of its subsystems.
            let mapped: Vec<SystematicName> = genes
                .iter()
                .filter(|g| in_ontology.contains(*g))
                .cloned()
                .collect();
            let subsystems = &dcell.description().ontology.subsystems;
            let changed: Vec<&str> = match mapped.is_empty() {
                true => vec![],
                false => subsystem_changes(dcell, &mapped)?
                    .iter()
                    .take(SUBSYSTEMS)
                    .map(|c| subsystems[c.subsystem].name.as_str())
                    .collect(),
            };
            write!(out, "\t{}", changed.join("; "))?;
        }
        out.push('\n');
        if rank < 10 {
            console.push(format!(
                "{:>4}  {:<32} {:>9.4}{}{}",
                rank + 1,
                names.join("+"),
                d.prediction,
                d.spread
                    .map(|s| format!("  90 % [{:.4}, {:.4}]", s.low, s.high))
                    .unwrap_or_default(),
                if unseen.is_empty() {
                    String::new()
                } else {
                    format!("  never perturbed in training: {}", unseen.join(", "))
                }
            ));
        }
    }
    fs::write(&args.out, out).with_context(|| format!("writing {}", args.out.display()))?;
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
    for line in console {
        println!("{line}");
    }
    println!(
        "{} genotypes ranked in {}",
        design.ranked.len(),
        args.out.display()
    );
    Ok(())
}
