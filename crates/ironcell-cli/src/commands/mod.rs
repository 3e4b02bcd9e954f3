//! One module per command.

mod ontology;
mod quickstart;
mod reference;

use anyhow::Result;

use crate::args::{Cli, Command, OntologyCommand, ReferenceCommand};

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Quickstart(args) => quickstart::run(&args),
        Command::Reference(ReferenceCommand::Build(args)) => reference::build(&args),
        Command::Ontology(OntologyCommand::Dcell(args)) => ontology::dcell(&args),
    }
}
