//! `ironcell explain`: what any saved model says of a genotype against wild type and what each
//! of its genes adds; for DCell also the GO subsystems whose states the genotype changes most
//! and, with `--dataset`, RLIPP. The readings are `ironcell_eval::explain`'s.

use anyhow::{ensure, Context, Result};
use ironcell_core::SystematicName;
use ironcell_eval::{
    dataset::Dataset,
    explain::{contributions, rlipp_on_test, subsystem_changes},
};
use ironcell_models::predictor::{DcellModel, ModelCard, Predictor};

use crate::args::ExplainArgs;

pub fn run(args: &ExplainArgs) -> Result<()> {
    let mut genotype = Vec::with_capacity(args.genotype.len());
    for name in &args.genotype {
        genotype.push(name.trim().parse::<SystematicName>().with_context(|| {
            format!("--genotype {name:?}: expected systematic names separated by commas")
        })?);
    }
    genotype.sort();
    genotype.dedup();
    let dir = &args.model.model;
    if ModelCard::read(dir)?.kind == DcellModel::KIND {
        let dcell = DcellModel::open(dir)?;
        print_contributions(&dcell, &genotype)?;
        print_subsystems(&dcell, &genotype, args)
    } else {
        ensure!(
            args.dataset.is_none(),
            "--dataset asks for RLIPP scores of DCell's subsystems; {} is not DCell",
            dir.display()
        );
        let (model, _) = args.model.open()?;
        print_contributions(model.as_ref(), &genotype)
    }
}

fn print_contributions(model: &dyn Predictor, genotype: &[SystematicName]) -> Result<()> {
    let kind = &model.card().kind;
    for c in contributions(model, genotype)? {
        println!(
            "{} ({kind} model): wild type {:.4}, genotype {:.4}",
            c.label, c.wild_type, c.genotype
        );
        for g in &c.genes {
            println!(
                "  {:<10} without it {:.4}, adds {:+.4}{}",
                g.gene.as_str(),
                g.without,
                c.genotype - g.without,
                if g.seen {
                    ""
                } else {
                    " (never perturbed in training)"
                }
            );
        }
    }
    Ok(())
}

fn print_subsystems(
    dcell: &DcellModel,
    genotype: &[SystematicName],
    args: &ExplainArgs,
) -> Result<()> {
    let description = dcell.description();
    let subsystems = &description.ontology.subsystems;
    println!(
        "\n{:>4} {:<11} {:>7} {:>6} {:>9} {:>10} {:>4}  name",
        "rank", "subsystem", "stratum", "genes", "Δ state", "Δ head", "hit"
    );
    let changes = subsystem_changes(dcell, genotype)?;
    for (rank, c) in changes.iter().take(args.top).enumerate() {
        let s = &subsystems[c.subsystem];
        println!(
            "{:>4} {:<11} {:>7} {:>6} {:>9.4} {:>+10.4} {:>4}  {}",
            rank + 1,
            s.id,
            s.stratum,
            s.contained_genes,
            c.state,
            c.head,
            if c.hit { "yes" } else { "" },
            s.name
        );
    }
    if let Some(dir) = &args.dataset {
        let dataset = Dataset::open(dir)?;
        let (n, ranked) = rlipp_on_test(dcell, &dataset, args.split, args.max_instances)?;
        println!(
            "\nRLIPP over {n} test instances of split {} ({} subsystems scored), highest first:",
            args.split,
            ranked.len()
        );
        println!(
            "{:>4} {:<11} {:>7} {:>9}  name",
            "rank", "subsystem", "stratum", "RLIPP"
        );
        for (rank, &(t, score)) in ranked.iter().take(args.top).enumerate() {
            let s = &subsystems[t];
            println!(
                "{:>4} {:<11} {:>7} {score:>+9.3}  {}",
                rank + 1,
                s.id,
                s.stratum,
                s.name
            );
        }
    }
    println!("\nΔ state: RMS change of the subsystem's neurons from wild type; Δ head: change of its auxiliary prediction ({}); hit: contains a perturbed gene.", description.labels.first().map_or("", String::as_str));
    Ok(())
}
