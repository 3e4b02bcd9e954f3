//! One module per command.

mod baseline;
mod bench;
mod calibrate;
mod dataset;
mod design;
mod ensemble;
mod evaluate;
mod explain;
mod fetch;
mod ingest;
mod kg;
mod ontology;
mod predict;
mod quickstart;
mod reference;
mod report;
mod train;

use anyhow::Result;

use crate::args::{
    BenchCommand, Cli, Command, DatasetCommand, KgCommand, OntologyCommand, ReferenceCommand,
};

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Quickstart(args) => quickstart::run(&args),
        Command::Reference(ReferenceCommand::Build(args)) => reference::build(&args),
        Command::Ontology(OntologyCommand::Dcell(args)) => ontology::dcell(&args),
        Command::Ingest(args) => ingest::run(&args),
        Command::Fetch(args) => fetch::run(&args),
        Command::Dataset(DatasetCommand::Build(args)) => dataset::build(&args),
        Command::Dataset(DatasetCommand::Graph(args)) => dataset::graph(&args),
        Command::Train(args) => train::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Baseline(args) => baseline::run(&args),
        Command::Predict(args) => predict::run(&args),
        Command::Design(args) => design::run(&args),
        Command::Ensemble(args) => ensemble::run(&args),
        Command::Evaluate(args) => evaluate::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Kg(KgCommand::Stats(args)) => kg::stats(&args),
        Command::Kg(KgCommand::Query(args)) => kg::query(&args),
        Command::Kg(KgCommand::Export(args)) => kg::export(&args),
        Command::Bench(BenchCommand::Readers(args)) => bench::readers::run(&args),
        Command::Bench(BenchCommand::Dataset(args)) => bench::dataset::run(&args),
        Command::Bench(BenchCommand::Dcell(args)) => bench::dcell::run(&args),
        Command::Bench(BenchCommand::Baselines(args)) => bench::baselines::run(&args),
        Command::Bench(BenchCommand::Accuracy(args)) => bench::accuracy::run(&args),
        Command::Bench(BenchCommand::Models(args)) => bench::models::run(&args),
        Command::Bench(BenchCommand::Design(args)) => bench::design::run(&args),
        Command::Bench(BenchCommand::Kg(args)) => bench::kg::run(&args),
        Command::Bench(BenchCommand::Parallel(args)) => bench::parallel::run(&args),
    }
}

/// Refuses an output file whose folder is missing, before any work: a long scoring run
/// should not end in "no such folder".
fn out_folder_exists(out: &std::path::Path) -> Result<()> {
    if let Some(folder) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        anyhow::ensure!(
            folder.is_dir(),
            "--out {}: the folder {} does not exist",
            out.display(),
            folder.display()
        );
    }
    Ok(())
}
