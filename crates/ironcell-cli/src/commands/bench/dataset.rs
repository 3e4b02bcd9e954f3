//! `ironcell bench dataset`: synthetic double mutants over the real genome written as a
//! dataset, then one shuffled epoch read in batches, beside pyarrow + numpy.

use anyhow::Result;
use ironcell_eval::bench::{dir_size, peak_rss, store};

use super::gb;
use crate::args::BenchDatasetArgs;

/// The batch of the epoch, both engines.
const BATCH: usize = 256;

pub fn run(args: &BenchDatasetArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    let built = store::build(&args.dir, &reference, args.instances)?;
    println!(
        "built {} synthetic double-mutant instances (2 labels) in {:.1} s (+{:.1} s generating); {:.2} GB on disk; peak RSS {:.2} GB",
        built.manifest.instances,
        built.written,
        built.generated,
        gb(dir_size(&args.dir)?),
        gb(peak_rss().unwrap_or(0))
    );
    let path = args.dir.join("instances.arrow");
    let (seen, seconds, checksum) = store::epoch(&path, BATCH)?;
    println!(
        "ironcell: one shuffled epoch in batches of {BATCH}: {seen} instances in {seconds:.2} s = {:.2} M instances/s (checksum {checksum})",
        seen as f64 / seconds / 1e6
    );
    if let Some(python) = &args.python {
        let (n, theirs) = store::epoch_numpy(python, &path, BATCH)?;
        println!(
            "pyarrow + numpy, same batches: {n} instances in {theirs:.2} s = {:.2} M instances/s; ironcell is {:.1}x",
            n as f64 / theirs / 1e6,
            theirs / seconds
        );
    }
    if !args.keep {
        std::fs::remove_dir_all(&args.dir)?;
    }
    Ok(())
}
