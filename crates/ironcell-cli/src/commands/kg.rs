//! `ironcell kg`: counts, queries and bulk export of the knowledge graph.

use std::{
    collections::BTreeSet,
    fs::File,
    io::{self, BufWriter, Write},
    path::Path,
};

use anyhow::{bail, Context, Result};
use ironcell_core::SystematicName;
use ironcell_kg::{Neo4jStore, Selection, SqliteStore};
use serde_json::json;

use crate::args::{ExportFormat, KgExportArgs, KgQueryArgs, KgStatsArgs};

pub fn stats(args: &KgStatsArgs) -> Result<()> {
    let store = args.store.open_existing()?;
    let stats = store.stats()?;
    println!("nodes");
    for (label, n) in &stats.nodes {
        println!("  {label:<22} {n:>12}");
    }
    println!("edges");
    for (rel, n) in &stats.edges {
        println!("  {rel:<22} {n:>12}");
    }
    println!("experiments by dataset, phenotype, environment");
    for ((dataset, phenotype, environment), n) in &stats.experiments {
        println!("  {dataset:<26} {phenotype:<19} {n:>9}  {environment}");
    }
    if !stats.networks.is_empty() {
        println!("interactions by network");
        for (network, n) in &stats.networks {
            println!("  {network:<22} {n:>12}");
        }
    }
    for dataset in store.datasets()? {
        let Some(info) = store.dataset_info(&dataset)? else {
            continue;
        };
        if info.synthetic {
            println!("{dataset}: synthetic (simulated, not measured)");
        }
        if !info.absent.is_empty() {
            println!("{dataset}: absent: {}", info.absent.join(", "));
        }
        if let Some(note) = &info.note {
            println!("{dataset}: {note}");
        }
    }
    Ok(())
}

fn read_genes(path: &Path) -> Result<BTreeSet<SystematicName>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut genes = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let name = line.trim();
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        let gene = name
            .parse()
            .with_context(|| format!("{}:{}: expected a systematic name", path.display(), i + 1))?;
        genes.insert(gene);
    }
    Ok(genes)
}

pub fn query(args: &KgQueryArgs) -> Result<()> {
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    if let Some(cypher) = &args.cypher {
        if !(args.store.db.starts_with("neo4j://") || args.store.db.starts_with("bolt://")) {
            bail!(
                "--cypher needs a Neo4j store (neo4j:// or bolt://), not {}",
                args.store.db
            );
        }
        let text = std::fs::read_to_string(cypher)
            .with_context(|| format!("reading {}", cypher.display()))?;
        let store = Neo4jStore::connect(&args.store.db, args.store.credentials())?;
        for row in store.cypher(&text)? {
            writeln!(out, "{row}")?;
        }
        return Ok(out.flush()?);
    }
    let selection = Selection {
        datasets: args.dataset.clone(),
        phenotype: args.phenotype.as_deref().map(str::parse).transpose()?,
        temperature_c: args.temperature,
        genes: args.genes.as_deref().map(read_genes).transpose()?,
        max_perturbations: args.max_perturbations,
        ..Selection::default()
    };
    let experiments = args.store.open_existing()?.query(&selection)?;
    for e in &experiments {
        writeln!(
            out,
            "{}",
            json!({"id": e.content_id().as_str(), "experiment": e})
        )?;
    }
    out.flush()?;
    eprintln!("{} experiments", experiments.len());
    Ok(())
}

pub fn export(args: &KgExportArgs) -> Result<()> {
    let Some(path) = args.db.strip_prefix("sqlite://") else {
        bail!(
            "export reads the embedded store: expected sqlite://PATH, not {}",
            args.db
        );
    };
    let store = SqliteStore::open_existing(Path::new(path))?;
    match args.format {
        ExportFormat::Neo4jAdmin => {
            let export = store.export_neo4j_admin(&args.out)?;
            for (label, (file, n)) in &export.nodes {
                println!("{label:<22} {n:>12} nodes  {}", file.display());
            }
            for (rel, (file, n)) in &export.relationships {
                println!("{rel:<22} {n:>12} edges  {}", file.display());
            }
            println!(
                "\nimport with (in {}, the database stopped):\n{}",
                args.out.display(),
                export.command
            );
        }
    }
    Ok(())
}
