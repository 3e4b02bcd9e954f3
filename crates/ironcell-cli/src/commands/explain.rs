//! `ironcell explain`: what any saved model says of a genotype against wild type and what each
//! of its genes adds; for DCell also the GO subsystems whose states the genotype changes most
//! (the "visible" part of the visible neural network).

use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use ironcell_core::SystematicName;
use ironcell_data::{
    dataset::{read_manifest, read_split},
    instances::Instances,
    ontology::DcellOntology,
};
use ironcell_models::{
    dcell::{
        kernel::{Mode, Model},
        rlipp::rlipp,
    },
    predictor::{DcellModel, Genotypes, ModelCard, Predictor},
};

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
        contributions(&dcell, &genotype)?;
        subsystems(&dcell, &genotype, args)
    } else {
        ensure!(
            args.dataset.is_none(),
            "--dataset asks for RLIPP scores of DCell's subsystems; {} is not DCell",
            dir.display()
        );
        let (model, _) = args.model.open()?;
        contributions(model.as_ref(), &genotype)
    }
}

/// Any model: its prediction for the genotype beside wild type's, and what each gene adds
/// (the genotype's prediction less the prediction without that gene).
fn contributions(model: &dyn Predictor, genotype: &[SystematicName]) -> Result<()> {
    let all: Vec<u32> = (0..genotype.len() as u32).collect();
    let mut rows = vec![Vec::new(), all.clone()];
    if genotype.len() > 1 {
        rows.extend(
            all.iter()
                .map(|&g| all.iter().copied().filter(|&h| h != g).collect()),
        );
    }
    let p = model.predict(&Genotypes::new(genotype, rows.iter().map(Vec::as_slice)))?;
    let card = model.card();
    for (l, label) in card.labels.iter().enumerate() {
        println!(
            "{label} ({} model): wild type {:.4}, genotype {:.4}",
            card.kind,
            p.row(0)[l],
            p.row(1)[l]
        );
        if genotype.len() > 1 {
            for (k, gene) in genotype.iter().enumerate() {
                let without = p.row(2 + k)[l];
                println!(
                    "  {:<10} without it {without:.4}, adds {:+.4}{}",
                    gene.as_str(),
                    p.row(1)[l] - without,
                    if card.trained_genes.contains(gene) {
                        ""
                    } else {
                        " (never perturbed in training)"
                    }
                );
            }
        }
    }
    Ok(())
}

/// DCell: the GO subsystems whose states the genotype changes most.
fn subsystems(dcell: &DcellModel, genotype: &[SystematicName], args: &ExplainArgs) -> Result<()> {
    let (description, model) = (dcell.description(), dcell.model());
    let ontology = &description.ontology;
    let index = ontology.gene_index();
    let mut genes = Vec::with_capacity(genotype.len());
    let mut unknown = Vec::new();
    for name in genotype {
        match index.get(name) {
            Some(&i) => genes.push(i),
            None => unknown.push(name.as_str()),
        }
    }
    if !unknown.is_empty() {
        bail!(
            "not in the model's gene universe (GO-annotated systematic names): {}",
            unknown.join(", ")
        );
    }
    let layout = model.layout();
    let labels = layout.labels;
    // Column 0: wild type; column 1: the genotype. Inference mode, so the two do not
    // influence each other through batch statistics.
    let act = model.forward(&[Vec::new(), genes.clone()], Mode::Inference);
    let contained = ontology.contained_gene_sets();
    let mut changes: Vec<(usize, f32, f32)> = layout
        .terms
        .iter()
        .enumerate()
        .map(|(t, term)| {
            let states = act.states(term);
            let sq: f32 = states
                .chunks(2)
                .map(|c| (c[1] - c[0]) * (c[1] - c[0]))
                .sum();
            let h = act.head(t, labels);
            (t, (sq / term.width as f32).sqrt(), h[1] - h[0])
        })
        .collect();
    changes.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!(
        "\n{:>4} {:<11} {:>7} {:>6} {:>9} {:>10} {:>4}  name",
        "rank", "subsystem", "stratum", "genes", "Δ state", "Δ head", "hit"
    );
    for (rank, &(t, delta, head_delta)) in changes.iter().take(args.top).enumerate() {
        let s = &ontology.subsystems[t];
        let hit = genes.iter().any(|g| contained[t].binary_search(g).is_ok());
        println!(
            "{:>4} {:<11} {:>7} {:>6} {:>9.4} {:>+10.4} {:>4}  {}",
            rank + 1,
            s.id,
            s.stratum,
            s.contained_genes,
            delta,
            head_delta,
            if hit { "yes" } else { "" },
            s.name
        );
    }
    if let Some(dataset) = &args.dataset {
        print_rlipp(model, ontology, dataset, args)?;
    }
    println!("\nΔ state: RMS change of the subsystem's neurons from wild type; Δ head: change of its auxiliary prediction ({}); hit: contains a perturbed gene.", description.labels.first().map_or("", String::as_str));
    Ok(())
}

/// RLIPP of every subsystem over the test part of `dataset`'s split (first label).
fn print_rlipp(
    model: &Model<f32>,
    ontology: &DcellOntology,
    dataset: &Path,
    args: &ExplainArgs,
) -> Result<()> {
    let manifest = read_manifest(dataset)?;
    let instances = Instances::open(&dataset.join("instances.arrow"))?;
    let split = read_split(&dataset.join("splits.arrow"), args.split)?;
    let to_model = ontology.indices_of(&manifest.genes);
    let (mut genotypes, mut y) = (Vec::new(), Vec::new());
    for &i in split.test.iter().take(args.max_instances) {
        let value = f64::from(instances.label(0, i).value);
        if value.is_finite() {
            genotypes.push(
                instances
                    .genes(i)
                    .iter()
                    .filter_map(|&g| to_model[g as usize])
                    .collect::<Vec<usize>>(),
            );
            y.push(value);
        }
    }
    ensure!(
        genotypes.len() >= 20,
        "{}: only {} test instances with a {} value; RLIPP needs at least 20",
        dataset.display(),
        genotypes.len(),
        manifest.labels.first().map_or("", String::as_str)
    );
    let scores = rlipp(model, &genotypes, &y, 1e-2);
    let mut ranked: Vec<(usize, f64)> = scores
        .iter()
        .enumerate()
        .filter_map(|(t, s)| s.map(|s| (t, s)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!(
        "\nRLIPP over {} test instances of split {} ({} subsystems scored), highest first:",
        genotypes.len(),
        args.split,
        ranked.len()
    );
    println!(
        "{:>4} {:<11} {:>7} {:>9}  name",
        "rank", "subsystem", "stratum", "RLIPP"
    );
    for (rank, &(t, score)) in ranked.iter().take(args.top).enumerate() {
        let s = &ontology.subsystems[t];
        println!(
            "{:>4} {:<11} {:>7} {:>+9.3}  {}",
            rank + 1,
            s.id,
            s.stratum,
            score,
            s.name
        );
    }
    Ok(())
}
