//! `ironcell evaluate`: every model saved under a run directory, scored on the test part of the
//! split it was trained on, through `ironcell-eval`.

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{bail, ensure, Context, Result};
use ironcell_data::{
    dataset::{read_manifest, read_split},
    instances::Instances,
};
use ironcell_eval::{
    evaluate::{evaluate, Bootstrap},
    report::markdown,
};
use ironcell_models::predictor::ModelCard;

use crate::args::{EvaluateArgs, ModelArgs};

/// The directories under `root` (itself included) that hold a saved model, sorted.
fn model_dirs(root: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        if dir.join("card.json").is_file() {
            found.push(dir.clone());
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
    let mut outcomes = Vec::new();
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
        let Some(dataset) = args
            .dataset
            .clone()
            .or(card.dataset.as_ref().map(|d| d.dir.clone()))
        else {
            bail!(
                "{}: the card names no dataset; give --dataset",
                dir.display()
            );
        };
        let manifest = read_manifest(&dataset)?;
        // The split's indices point into the instances the model was trained on.
        if let Some(recorded) = &card.dataset {
            let now = manifest.sha256.get("instances.arrow");
            ensure!(
                now == Some(&recorded.instances_sha256),
                "{}: its instances are not the ones {} was trained on (sha256 {} recorded, {} now)",
                dataset.display(),
                dir.display(),
                recorded.instances_sha256,
                now.map_or("none", String::as_str)
            );
        }
        let (model, _) = ModelArgs {
            model: dir.clone(),
            reference: args.reference.clone(),
            data: args.data.clone(),
        }
        .open()?;
        let instances = Instances::open(&dataset.join("instances.arrow"))?;
        let split = read_split(&dataset.join("splits.arrow"), split_name)?;
        let task = dataset.file_name().map_or_else(
            || dataset.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        outcomes.extend(evaluate(
            model.as_ref(),
            &instances,
            &manifest,
            (split_name.as_str(), &split),
            &task,
            card.trained_rows,
            Bootstrap {
                resamples: args.resamples,
                seed: 0,
            },
        )?);
    }
    let table = markdown(&outcomes);
    println!("{table}");
    let out = args.out.as_ref().unwrap_or(&args.run);
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let json = out.join("evaluation.json");
    fs::write(&json, serde_json::to_vec_pretty(&outcomes)?)
        .with_context(|| format!("writing {}", json.display()))?;
    let md = out.join("evaluation.md");
    fs::write(&md, &table).with_context(|| format!("writing {}", md.display()))?;
    println!("written {} and {}", json.display(), md.display());
    Ok(())
}
