//! `ironcell evaluate`: every model saved under a run directory, scored on the test part of the
//! split it was trained on, through `ironcell-eval`.

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{ensure, Context, Result};
use ironcell_eval::{
    dataset::Dataset,
    evaluate::{Bootstrap, Scored},
    report::{evidence::write_scored, markdown},
};
use ironcell_models::predictor::ModelCard;

use crate::args::{EvaluateArgs, ModelArgs};

/// The directories under `root` (itself included) that hold a saved model, sorted. A model's
/// own sub-directories are its parts (an ensemble's members, in `train`'s `SPLIT/seed-S/`):
/// the model is scored, not each part.
fn model_dirs(root: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        if dir.join("card.json").is_file() {
            found.push(dir.clone());
            continue;
        }
        for entry in fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

pub fn run(args: &EvaluateArgs) -> Result<()> {
    let dirs = model_dirs(&args.run)?;
    ensure!(
        !dirs.is_empty(),
        "{}: no saved model under it (a directory with card.json, as `train` and `baseline` write)",
        args.run.display()
    );
    let mut scored = Scored::default();
    for dir in &dirs {
        let card = ModelCard::read(dir)?;
        let Some(split_name) = card.split else {
            println!(
                "{}: fitted on every row (no test part of its own), not scored",
                dir.display()
            );
            continue;
        };
        if args.split.is_some_and(|s| s != split_name) {
            continue;
        }
        let dataset = Dataset::of_model(&card, dir, args.dataset.as_deref())?;
        let (model, _) = ModelArgs {
            model: dir.clone(),
            reference: args.reference.clone(),
            data: args.data.clone(),
        }
        .open()?;
        let split = dataset.split(split_name)?;
        let bootstrap = Bootstrap {
            resamples: args.resamples,
            seed: 0,
        };
        scored.extend(dataset.score(
            model.as_ref(),
            (split_name, &split),
            card.trained_rows,
            bootstrap,
        )?);
    }
    println!("{}", markdown(&scored.outcomes));
    let out = args.out.as_ref().unwrap_or(&args.run);
    let [json, md, rows] = write_scored(out, &scored.outcomes, &scored.rows)?;
    println!(
        "written {}, {} and {} (the test predictions, for `ironcell report`)",
        json.display(),
        md.display(),
        rows.display()
    );
    Ok(())
}
