//! `ironcell bench design`: how fast each saved model scores the genotypes `design` asks
//! about — every pair (or triple) of the same candidate genes, through the same search.

use std::{collections::BTreeSet, fs, time::Instant};

use anyhow::{ensure, Context, Result};
use ironcell_core::SystematicName;
use ironcell_eval::design::{design, DesignConfig, Objective};
use ironcell_models::predictor::{load_any, ModelCard};
use ironcell_sources::{gene_lists::named_genes, names::GeneNames};
use serde_json::json;

use crate::args::BenchDesignArgs;

pub fn run(args: &BenchDesignArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    let cards: Vec<ModelCard> = args
        .models
        .iter()
        .map(|dir| ModelCard::read(dir))
        .collect::<Result<_, _>>()?;
    let candidates: Vec<SystematicName> = match &args.candidates {
        Some(path) => {
            let file = path.display().to_string();
            let text = fs::read_to_string(path).with_context(|| file.clone())?;
            named_genes(&text, &GeneNames::new(&reference.genes), &file)?
        }
        // Genes every model was trained on, so no model is timed on genes it cannot score.
        None => {
            let mut common: BTreeSet<&SystematicName> = cards[0].trained_genes.iter().collect();
            for card in &cards[1..] {
                let genes: BTreeSet<&SystematicName> = card.trained_genes.iter().collect();
                common.retain(|g| genes.contains(g));
            }
            common.into_iter().take(args.genes).cloned().collect()
        }
    };
    ensure!(
        candidates.len() >= usize::from(args.order),
        "{} candidate genes for genotypes of {}",
        candidates.len(),
        args.order
    );
    println!(
        "{} candidate genes, genotypes of {}: every one scored by each model",
        candidates.len(),
        args.order
    );
    println!(
        "{:<40} {:<14} {:>12} {:>9} {:>14}",
        "model", "kind", "genotypes", "seconds", "genotypes/s"
    );
    let mut rows = Vec::new();
    for (dir, card) in args.models.iter().zip(&cards) {
        let model = load_any(dir, Some(&reference))?;
        let config = DesignConfig {
            objective: Objective::MinFitness,
            label: Some(card.labels[0].clone()),
            order: usize::from(args.order),
            exhaustive_limit: u64::MAX,
            ..DesignConfig::default()
        };
        let started = Instant::now();
        let designed = design(model.as_ref(), &candidates, &config, |_, _| ())?;
        let seconds = started.elapsed().as_secs_f64();
        let rate = designed.scored as f64 / seconds.max(1e-9);
        println!(
            "{:<40} {:<14} {:>12} {:>9.2} {:>14.0}",
            dir.display(),
            card.kind,
            designed.scored,
            seconds,
            rate
        );
        rows.push(json!({
            "model": dir, "kind": card.kind, "label": designed.label,
            "genotypes": designed.scored, "seconds": seconds, "genotypes_per_second": rate,
        }));
    }
    if let Some(folder) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    }
    let doc = json!({
        "candidates": candidates.len(), "order": args.order,
        "threads": rayon::current_num_threads(), "results": rows,
    });
    fs::write(&args.out, serde_json::to_vec_pretty(&doc)?)
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("results in {}", args.out.display());
    Ok(())
}
