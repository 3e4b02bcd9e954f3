//! `ironcell`: build the reference, the DCell ontology, and train and evaluate models on
//! measured yeast screens. Thin: it parses flags and wires the library crates together.

mod args;
mod commands;
mod progress;
mod table;

use std::process::ExitCode;

use clap::Parser;

// Training allocates and frees large buffers every step (burn's ndarray backend, the DCell
// kernel's per-subsystem scratch); mimalloc keeps them instead of returning them to the OS,
// which doubled burn's training throughput here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
