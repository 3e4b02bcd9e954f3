//! `ironcell reference build`.

use anyhow::Result;
use ironcell_sources::{
    data_dir::derived::{DELETION_TABLE, GENBANK, OBO},
    reference::Inputs,
};

use crate::args::ReferenceBuildArgs;

pub fn build(args: &ReferenceBuildArgs) -> Result<()> {
    // Inputs not given come from the data directory, all checked before anything is written.
    let data = args.data.dir();
    let genbank = match &args.genbank {
        Some(dir) => dir.clone(),
        None => data.folder(GENBANK)?,
    };
    let (obo, deletion_table) = match (&args.obo, &args.deletion_table) {
        (Some(obo), Some(table)) => (obo.clone(), table.clone()),
        (obo, table) => {
            data.require(
                [(obo.is_none(), OBO), (table.is_none(), DELETION_TABLE)]
                    .into_iter()
                    .filter_map(|(wanted, file)| wanted.then_some(file)),
            )?;
            (
                obo.clone().unwrap_or_else(|| data.root().join(OBO)),
                table
                    .clone()
                    .unwrap_or_else(|| data.root().join(DELETION_TABLE)),
            )
        }
    };
    let inputs = Inputs::new(&genbank, &obo, &deletion_table, args.gaf.as_deref())?;
    let (_, report) = inputs.build(&args.out)?;
    println!("reference bundle written to {}", args.out.display());
    print!("{report}");
    Ok(())
}
