//! `ironcell bench parallel`: data-parallel training over MPI on this machine. For each world
//! size it starts `mpirun -np N` of this program (`--worker`); each rank measures through
//! `ironcell_eval::bench::parallel`, rank 0 writes the world's rows, and this process prints
//! them with the ring all-reduce estimate for 8 and 64 ranks.

use std::{fs, process::Command};

use anyhow::{bail, Context, Result};
use ironcell_eval::bench::parallel::{estimate, measure};
use ironcell_models::trainer::world;
use serde_json::{json, Value};

use super::write_results;
use crate::{args::BenchParallelArgs, commands};

pub fn run(args: &BenchParallelArgs) -> Result<()> {
    if args.worker {
        return worker(args);
    }
    fs::create_dir_all(&args.dir).with_context(|| format!("creating {}", args.dir.display()))?;
    let exe = std::env::current_exe().context("this program's path")?;
    let mut worlds = Vec::new();
    for &ranks in &args.ranks {
        let status = Command::new(&args.mpirun)
            // Unbound, so one rank may use every core (Open MPI binds small worlds to one
            // core each); the ranks split the cores themselves.
            .args(["-np", &ranks.to_string(), "--oversubscribe"])
            .args(["--bind-to", "none"])
            .arg(&exe)
            .args(["bench", "parallel", "--worker"])
            .args(["--batch", &args.batch.to_string()])
            .args(["--steps", &args.steps.to_string()])
            .arg("--dir")
            .arg(&args.dir)
            .env(ironcell_sources::data_dir::ENV, args.data.dir.dir().root())
            .status()
            .with_context(|| format!("starting {}", args.mpirun))?;
        if !status.success() {
            bail!(
                "{} -np {ranks} … bench parallel --worker: {status}",
                args.mpirun
            );
        }
        let out = args.dir.join(format!("ranks-{ranks}.json"));
        let text = fs::read(&out).with_context(|| format!("reading {}", out.display()))?;
        worlds.push(serde_json::from_slice::<Value>(&text)?);
    }
    let rows: Vec<&Value> = worlds
        .iter()
        .flat_map(|w| w.as_array().into_iter().flatten())
        .collect();
    let number = |v: &Value, key: &str| v[key].as_f64().unwrap_or(f64::NAN);
    println!(
        "\n{:<11} {:>5} {:>10} {:>9} {:>14} {:>13}",
        "model", "ranks", "step (s)", "steps/s", "all-reduce %", "gradient MB"
    );
    for r in &rows {
        println!(
            "{:<11} {:>5} {:>10.4} {:>9.2} {:>14.1} {:>13.1}",
            r["model"].as_str().unwrap_or("?"),
            r["ranks"],
            number(r, "step_seconds"),
            number(r, "steps_per_second"),
            100.0 * number(r, "allreduce_share"),
            number(r, "reduced_bytes_per_step") / 1e6,
        );
    }
    let estimates = estimate(&rows);
    for e in &estimates {
        println!(
            "{}: ring all-reduce over {} ranks at 100 Gb/s {:.1} ms; fixed global batch: \
             speed-up {:.1}× (efficiency {:.0} %); batch per rank fixed: efficiency {:.0} %",
            e["model"].as_str().unwrap_or("?"),
            e["ranks"],
            1e3 * number(e, "allreduce_seconds"),
            number(e, "strong_speedup"),
            100.0 * number(e, "strong_efficiency"),
            100.0 * number(e, "weak_efficiency"),
        );
    }
    let results = json!({"batch": args.batch, "steps": args.steps, "measured": rows,
                         "estimate": estimates});
    write_results(&args.dir, &results)
}

/// One rank: both models, `--steps` timed steps each; rank 0 writes the world's results.
fn worker(args: &BenchParallelArgs) -> Result<()> {
    let world = world::launch()?;
    // Ranks on one machine share its cores; one rank keeps rayon's pool of every core.
    if let Some(threads) = world::threads_per_rank() {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("the rank's threads")?;
    }
    let reference = args.data.load()?.reference;
    let ontology = commands::ontology::build(&reference, &Default::default())?;
    let data = args.data.dir.dir();
    let rows = measure(
        &*world,
        (&data, &reference),
        ontology,
        args.batch,
        args.steps,
    )?;
    if world.is_root() {
        let path = args.dir.join(format!("ranks-{}.json", world.size()));
        fs::write(&path, serde_json::to_vec_pretty(&rows)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
