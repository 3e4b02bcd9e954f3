//! `ironcell bench accuracy`: arguments → `ironcell_eval::accuracy::run` → a line per scored
//! model, then the Markdown table, `accuracy.json` and `accuracy.md`.

use std::{fs, time::Instant};

use anyhow::{Context, Result};
use ironcell_eval::{
    accuracy::{inputs, run as run_benchmark, Event, Settings, FEATURES},
    evaluate::Outcome,
    report::markdown,
    score::Judged,
};
use ironcell_sources::data_dir::derived::{DELETION_TABLE, OBO};
use serde_json::json;

use crate::args::{BenchAccuracyArgs, LoadedReference};

pub fn run(args: &BenchAccuracyArgs) -> Result<()> {
    let started = Instant::now();
    // Every input is checked before anything is written.
    let data = args.data.dir();
    data.require([OBO, DELETION_TABLE].into_iter().chain(inputs(
        &args.tasks,
        &args.models,
        args.deep_neighbours,
    )))?;
    let reference = LoadedReference::derive(&data)?.reference;
    fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let settings = Settings {
        tasks: args.tasks.clone(),
        models: args.models.clone(),
        seeds: args.seeds.clone(),
        max_train: args.max_train,
        max_test: args.max_test,
        dcell_max_train: args.dcell_max_train,
        trees: args.trees,
        forest_samples: args.forest_samples,
        dcell_epochs: args.dcell_epochs,
        dcell_width: args.dcell_width.into(),
        objectives: args.objectives.clone(),
        deep_epochs: args.deep_epochs,
        deep_graphs: args
            .deep_graphs
            .iter()
            .map(|g| data.root().join(g))
            .collect(),
        deep_validation: args.deep_validation,
        deep_neighbours: args.deep_neighbours,
        resamples: args.resamples,
        sklearn: match &args.python {
            Some(python) => Some((
                python.clone(),
                super::scripts::BASELINES_SKLEARN
                    .resolve(args.sklearn_script.as_deref(), &args.out)?,
            )),
            None => None,
        },
    };
    let (outcomes, summaries) = run_benchmark(&settings, &data, &reference, |event| match event {
        Event::Task(t) => {
            println!(
                "{}: {} — {} instances, {} genes, {} environment(s), {} features",
                t.task.as_str(),
                t.source,
                t.instances,
                t.genes,
                t.environments.len(),
                t.features
            );
            if let Some(dir) = &t.dataset {
                let how = if t.built { "built" } else { "cached" };
                println!("  dataset ({how}): {}", dir.display());
            }
        }
        Event::Skipped {
            split,
            seed,
            train,
            test,
        } => println!("  {split} seed {seed}: too few rows (train {train}, test {test}), skipped"),
        Event::Outcome(o) => report_line(o),
        Event::EpochKept(kept) => eprintln!("    (epoch kept: {kept:?})"),
    })?;
    let table = markdown(&outcomes);
    if let Some(max) = args.max_train {
        println!("\nEvery fit saw at most {max} training rows (--max-train): a seeded sample.");
    }
    if let Some(max) = args.max_test {
        println!("At most {max} test rows were scored (--max-test): a seeded sample.");
    }
    if let Some(rows) = args.forest_samples {
        println!("Each tree of the forests drew at most {rows} rows (--forest-samples).");
    }
    println!("\n{table}");
    let json_path = args.out.join("accuracy.json");
    let doc = json!({
        "note": "test-set metrics on measured data; 95 % percentile bootstrap intervals",
        "tasks": summaries,
        "seeds": args.seeds,
        "max_train": args.max_train,
        "max_test": args.max_test,
        "dcell_max_train": args.dcell_max_train,
        "dcell_width": format!("{:?}", args.dcell_width),
        "trees": args.trees,
        "forest_samples": args.forest_samples,
        "dcell_epochs": args.dcell_epochs,
        "resamples": args.resamples,
        "features": FEATURES,
        "results": outcomes,
        "elapsed_seconds": started.elapsed().as_secs_f64(),
    });
    fs::write(&json_path, serde_json::to_vec_pretty(&doc)?)
        .with_context(|| format!("writing {}", json_path.display()))?;
    let md_path = args.out.join("accuracy.md");
    fs::write(&md_path, &table).with_context(|| format!("writing {}", md_path.display()))?;
    println!(
        "written {} and {}; {:.0} s",
        json_path.display(),
        md_path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn report_line(o: &Outcome) {
    let name = Judged::of(&o.label).primary();
    let Some(e) = o.metrics.get(name) else {
        return;
    };
    eprintln!(
        "  {:<13} {:<20} seed {} {:<15} {:<12} n {:>6}/{:<6} {name} {:.3} [{:.3}, {:.3}] {:.1} s",
        o.task,
        o.split,
        o.seed.unwrap_or_default(),
        o.model,
        o.engine,
        o.n_train,
        o.n_test,
        e.value,
        e.low,
        e.high,
        o.seconds.unwrap_or_default()
    );
}
