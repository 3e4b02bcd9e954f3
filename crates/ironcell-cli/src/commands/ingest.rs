//! `ironcell ingest`: published files into the knowledge graph through
//! `ironcell_data::ingest`, every row accounted for.

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use ironcell_data::ingest::{self, Options, Source};

use crate::args::IngestArgs;

pub fn run(args: &IngestArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    let mut store = args.store.open()?;
    let progress = ProgressBar::new_spinner()
        .with_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}")?);
    let options = Options {
        bad_rows: args.bad_rows(),
        wild_type: args.wild_type.clone(),
        strict_genes: args.strict_genes,
        batch: None,
    };
    let outcome = ingest::run(
        args.source,
        &args.input,
        &reference,
        store.as_mut(),
        &options,
        &mut |produced, added| progress.set_message(format!("{produced} experiments, {added} new")),
    )?;
    progress.finish_and_clear();
    for (k, report) in outcome.reports.iter().enumerate() {
        print!("{report}");
        if let Some(unknown) = outcome.unknown.get(k).filter(|u| u.genes > 0) {
            println!("  {unknown}");
        }
    }
    if args.source == Source::Networks {
        for ((name, added), report) in outcome.networks.iter().zip(&outcome.reports) {
            println!(
                "network {name}: {} edges, {added} new interactions in {}",
                report.records, args.store.db
            );
        }
        return Ok(());
    }
    println!(
        "{}: {} experiments from {} file(s), {} new in {} ({} already stored or repeated)",
        args.source,
        outcome.produced,
        outcome.reports.len(),
        outcome.added,
        args.store.db,
        outcome.produced - outcome.added
    );
    Ok(())
}
