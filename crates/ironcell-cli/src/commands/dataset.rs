//! `ironcell dataset build`: a knowledge-graph query into a training set on disk.

use std::path::Path;

use anyhow::{Context, Result};
use ironcell_core::SystematicName;
use ironcell_data::{
    dataset::{self, read_manifest, DatasetQuery},
    graph::GeneGraph,
};
use ironcell_sources::{
    names::GeneNames,
    networks::Reader,
    open_maybe_gzip,
    reference::Reference,
    report::{collect, BadRows},
};

use crate::args::{DatasetBuildArgs, DatasetGraphArgs, NetworkFormat};

pub fn build(args: &DatasetBuildArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.select)
        .with_context(|| format!("reading {}", args.select.display()))?;
    let mut query: DatasetQuery = toml::from_str(&text)
        .with_context(|| format!("{}: not a dataset query", args.select.display()))?;
    if let Some(path) = &args.test_genes {
        query.test_genes = read_gene_list(path)?;
    }
    let store = args.store.open()?;
    let m = dataset::build(store.as_ref(), &query, &args.out)?;
    if !query.test_genes.is_empty() {
        let in_dataset = query
            .test_genes
            .iter()
            .filter(|g| m.genes.binary_search(g).is_ok())
            .count();
        println!(
            "test genes: {} listed, {in_dataset} perturbed in the dataset (the others are ignored)",
            query.test_genes.len()
        );
    }
    println!(
        "{} instances over {} genes, {} datasets, {} environments; labels {}",
        m.instances,
        m.genes.len(),
        m.datasets.len(),
        m.environments.len(),
        m.labels.join(", ")
    );
    for (size, n) in &m.by_size {
        println!("  {size} perturbed genes: {n}");
    }
    for (name, s) in &m.splits {
        println!(
            "split {name}: train {}, validation {}, test {}, left out {}; test genes seen in training: {}",
            s.train, s.validation, s.test, s.left_out, s.test_genes_seen_in_training
        );
    }
    println!("written to {}", args.out.display());
    Ok(())
}

/// Systematic names, one per line; blank lines and `#` comments skipped; duplicates merged.
fn read_gene_list(path: &Path) -> Result<Vec<SystematicName>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut genes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let name = line.split('#').next().unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        let gene: SystematicName = name.parse().map_err(|e| {
            anyhow::anyhow!(
                "{}, line {}: {e} (expected one systematic name per line)",
                path.display(),
                i + 1
            )
        })?;
        genes.push(gene);
    }
    genes.sort();
    genes.dedup();
    anyhow::ensure!(!genes.is_empty(), "{}: no genes", path.display());
    Ok(genes)
}

pub fn graph(args: &DatasetGraphArgs) -> Result<()> {
    let manifest = read_manifest(&args.dataset)?;
    let reference = Reference::read(&args.reference)?;
    let names = GeneNames::new(&reference.genes);
    let file = args.input.display().to_string();
    let input = open_maybe_gzip(&args.input)?;
    let reader = match args.format {
        NetworkFormat::Biogrid => Reader::biogrid(input, &file, &names)?,
        NetworkFormat::String => Reader::string(input, &file, &names)?,
        NetworkFormat::Edges => Reader::edge_list(input, &file, &names),
        NetworkFormat::Regulatory => Reader::regulatory(input, &file, &names),
    };
    let (mut edges, read) = collect(reader, BadRows::Skip)?;
    println!(
        "{file}: {} rows read, {} passed over, {} edges, {} rows rejected",
        read.rows_read,
        read.passed_over,
        read.records,
        read.rejected_rows()
    );
    for (reason, rows) in &read.rejected {
        let lines: Vec<String> = rows.iter().take(5).map(|r| r.line.to_string()).collect();
        println!(
            "  {reason}: {} (lines {}{})",
            rows.len(),
            lines.join(", "),
            if rows.len() > 5 { ", …" } else { "" }
        );
    }
    if let Some(kind) = &args.kind {
        edges.retain(|e| e.kind.as_deref() == Some(kind.as_str()));
    }
    let score = args
        .score
        .clone()
        .or_else(|| (args.format == NetworkFormat::String).then(|| "combined_score".to_owned()));
    let directed = args.format == NetworkFormat::Regulatory;
    let (graph, report) = GeneGraph::from_edges(edges, &manifest.genes, score.as_deref(), directed);
    let name = args.name.clone().unwrap_or_else(|| {
        let stem = args
            .input
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("graph");
        stem.split('.').next().unwrap_or(stem).to_owned()
    });
    let dir = args.dataset.join("graphs");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{name}.arrow"));
    graph.write(&path)?;
    println!(
        "graph {name}: {} of {} edges kept ({} with an end outside the dataset's {} genes, {} self-loops, {} repeats); {} genes covered{}; written to {}",
        report.edges_kept,
        report.edges_in,
        report.outside_universe,
        manifest.genes.len(),
        report.self_loops,
        report.duplicates,
        report.genes_covered,
        if directed { ", directed" } else { "" },
        path.display()
    );
    Ok(())
}
