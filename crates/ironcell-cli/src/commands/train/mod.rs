//! `ironcell train`: a run described by a TOML file (or, for DCell, by flags) trained by the
//! library's trainer, one model per split, then each scored on its split's test part beside the
//! training mean through `ironcell-eval`.

mod flags;

use std::fs;

use anyhow::{Context, Result};
use ironcell_eval::{
    dataset::{score_run, Dataset},
    evaluate::Bootstrap,
    report::{evidence::write_scored, markdown},
};
use ironcell_models::trainer::{
    self,
    world::{self, Collective},
    Observer, RunConfig,
};

use crate::{args::TrainArgs, progress};

fn read_config(path: &std::path::Path) -> Result<RunConfig> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{}", path.display()))
}

/// Trains in this process's world (one process, or the ranks `mpirun`/`srun` started): a
/// rank that fails ends the whole job, since the others would wait for it forever.
pub fn run(args: &TrainArgs) -> Result<()> {
    let world = world::launch()?;
    let result = train(args, &*world);
    if let Err(e) = &result {
        if world.size() > 1 {
            eprintln!("error: rank {} of {}: {e:#}", world.rank(), world.size());
            world.abort(2);
        }
    }
    result
}

fn train(args: &TrainArgs, world: &dyn Collective) -> Result<()> {
    let (config, out, resume) = match (&args.resume, &args.config) {
        (Some(run), _) => (read_config(&run.join("config.toml"))?, run.clone(), true),
        (None, Some(file)) => {
            let mut config = read_config(file)?;
            config.data.fit_all |= args.fit_all;
            config.training.threads = args.threads.or(config.training.threads);
            config.training.ensemble = args.ensemble.or(config.training.ensemble);
            (config, args.out.clone(), false)
        }
        (None, None) => (flags::run_config(args)?, args.out.clone(), false),
    };
    if world.is_root() {
        fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        if !resume {
            let path = out.join("config.toml");
            fs::write(&path, toml::to_string(&config)?)
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    // Ranks on one machine share its cores.
    let threads = config.training.threads.or_else(world::threads_per_rank);
    if let Some(threads) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("setting the threads of the run")?;
    }
    let reference = args.data.load()?;
    let mut progress = progress::Training::default();
    let observer: &mut dyn Observer = if world.is_root() {
        &mut progress
    } else {
        &mut ()
    };
    let trained = trainer::run(
        &config,
        &reference.reference,
        &reference.dir,
        (&out, resume),
        world,
        observer,
    )?;
    drop(progress);
    if !world.is_root() {
        return Ok(());
    }

    // Each model on its split's test part, beside the training mean.
    let dataset = Dataset::open(&config.data.dataset)?;
    let bootstrap = Bootstrap {
        resamples: args.resamples,
        seed: config.training.seed,
    };
    let scored = score_run(&dataset, &trained, &reference.reference, bootstrap)?;
    for t in &trained {
        let part = t
            .split
            .map_or("every row".to_owned(), |s| format!("split {s}"));
        for (k, fit) in t.fits.iter().enumerate() {
            let member = if t.fits.len() > 1 {
                format!(", member {}", k + 1)
            } else {
                String::new()
            };
            println!(
                "{part}{member}: {} epochs{}, kept epoch {}",
                fit.history.len(),
                if fit.stopped_early {
                    " (stopped early)"
                } else {
                    ""
                },
                fit.kept_epoch.map_or("—".to_owned(), |e| e.to_string())
            );
        }
    }
    println!("{}", markdown(&scored.outcomes));
    write_scored(&out, &scored.outcomes, &scored.rows)?;
    println!(
        "models, cards and metrics in {}; next: ironcell report --runs {} --out report.html",
        out.display(),
        out.display()
    );
    Ok(())
}
