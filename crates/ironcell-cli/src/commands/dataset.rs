//! `ironcell dataset build`: a knowledge-graph query into a training set on disk.

use std::path::Path;

use anyhow::{bail, Context, Result};
use ironcell_data::{
    dataset::{self, read_manifest, DatasetQuery},
    graph::GeneGraph,
};
use ironcell_sources::{
    gene_lists,
    names::GeneNames,
    networks::{name_of, Edge, Reader},
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
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        query.test_genes = gene_lists::genes(&text, &path.display().to_string())?;
    }
    let store = args.store.open_existing()?;
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
            "split {name}: train {}, validation {}, test {}, left out {}; test genes seen in training: {}{}",
            s.train,
            s.validation,
            s.test,
            s.left_out,
            s.test_genes_seen_in_training,
            s.test_queries_seen_in_training
                .map(|n| format!("; test query strains seen in training: {n}"))
                .unwrap_or_default()
        );
    }
    println!("written to {}", args.out.display());
    Ok(())
}

pub fn graph(args: &DatasetGraphArgs) -> Result<()> {
    let manifest = read_manifest(&args.dataset)?;
    let (name, directed, mut edges) = match (&args.input, &args.network) {
        (Some(path), _) => {
            let (directed, edges) = read_network(path, args.format, &args.data.load()?.reference)?;
            (name_of(path).to_owned(), directed, edges)
        }
        (None, Some(network)) => {
            let (directed, edges) =
                args.store
                    .open_existing()?
                    .network(network)?
                    .with_context(|| {
                        format!(
                    "{} has no network named {network:?}: store it with `ironcell ingest networks`",
                    args.store.db
                )
                    })?;
            println!("{network}: {} edges from {}", edges.len(), args.store.db);
            (network.clone(), directed, edges)
        }
        (None, None) => bail!("say which network: --input FILE or --network NAME"),
    };
    let name = args.name.clone().unwrap_or(name);
    let path = ironcell_data::graph::path_in(&args.dataset, &name)?;
    if let Some(kind) = &args.kind {
        edges.retain(|e| e.kind.as_deref() == Some(kind.as_str()));
    }
    // STRING's channels: weigh by the combined score unless told otherwise.
    let score = args.score.clone().or_else(|| {
        edges
            .first()
            .filter(|e| e.scores.contains_key("combined_score"))
            .map(|_| "combined_score".to_owned())
    });
    let (graph, report) = GeneGraph::from_edges(edges, &manifest.genes, score.as_deref(), directed);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
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

/// Reads a network file in the layout given, else the one its first line shows, and prints
/// what was read and rejected; returns whether it is directed, and its edges.
fn read_network(
    path: &Path,
    format: Option<NetworkFormat>,
    reference: &Reference,
) -> Result<(bool, Vec<Edge>)> {
    let names = GeneNames::new(&reference.genes);
    let file = path.display().to_string();
    let input = open_maybe_gzip(path)?;
    let reader = match format {
        Some(NetworkFormat::Biogrid) => Reader::biogrid(input, &file, &names)?,
        Some(NetworkFormat::String) => Reader::string(input, &file, &names)?,
        Some(NetworkFormat::Edges) => Reader::edge_list(input, &file, &names),
        Some(NetworkFormat::Regulatory) => Reader::regulatory(input, &file, &names),
        None => Reader::detect(input, &file, &names)?,
    };
    let directed = reader.is_directed();
    let (edges, read) = collect(reader, BadRows::Skip)?;
    print!("{read}");
    Ok((directed, edges))
}
