//! `ironcell quickstart`: the walking skeleton on measured data from the data directory. The
//! models and their scoring are `ironcell_eval::quickstart`'s, the report
//! `ironcell_eval::report`'s; this file reads, stores, prints and writes.

use std::{collections::BTreeMap, fs, time::Instant};

use anyhow::{Context, Result};
use ironcell_data::{
    dataset::{self, read_split},
    instances::Instances,
    split::{sample, SplitName},
};
use ironcell_eval::{
    evaluate::Bootstrap,
    quickstart::{
        query, read_screens, Comparison, Prepared, Provenance, SplitModels, KUZMIN_TSV, SMF_XLSX,
    },
    report::{
        evidence::{write_scored, Curve, Evidence},
        html,
    },
};
use ironcell_kg::{GraphStore, SqliteStore};
use ironcell_models::{dcell::DcellConfig, train::TrainConfig};
use ironcell_sources::data_dir::derived::{DELETION_TABLE, GENBANK, OBO};
use serde_json::json;

use crate::{
    args::{LoadedReference, QuickstartArgs},
    commands::ontology::{build as build_ontology, print_table},
    progress,
};

pub fn run(args: &QuickstartArgs) -> Result<()> {
    let started = Instant::now();
    // Every input is checked before the output directory is touched.
    let data = args.data.dir();
    data.require([SMF_XLSX, KUZMIN_TSV, OBO, DELETION_TABLE])?;
    data.folder(GENBANK)?;
    let LoadedReference {
        reference,
        dir: reference_dir,
    } = LoadedReference::derive(&data)?;
    fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;

    println!(
        "reference: {} genes, {} GO annotations, {} GO terms ({})",
        reference.genes.len(),
        reference.annotations.len(),
        reference.terms.len(),
        reference.go_version
    );
    let ontology = build_ontology(&reference, &args.filter.config())?;
    print_table(&ontology);

    let screens = read_screens(&data)?;
    for (name, s) in &screens.selections {
        println!(
            "{name}: {} records read, {} kept (30 °C deletions), {} other temperature, {} DAmP/ts/suppressor alleles left out",
            s.read, s.kept, s.other_temperature, s.not_deletion
        );
    }
    let db = args.out.join("ironcell.sqlite");
    let mut store = SqliteStore::open(&db)?;
    store.put_reference(&reference)?;
    let added = store.put_experiments(&screens.experiments)?;
    println!(
        "knowledge graph {}: {} experiments stored ({} new)",
        db.display(),
        screens.experiments.len(),
        added,
    );

    // The training data leaves the graph the way a user's does, through `dataset build`:
    // labels aggregated per genotype, splits drawn and saved beside the instances.
    let dataset_dir = args.out.join("dataset");
    let manifest = dataset::build(&store, &query(args.seed), &dataset_dir)?;
    let instances = Instances::open(&dataset_dir.join("instances.arrow"))?;
    println!(
        "dataset {}: {} instances over {} genes",
        dataset_dir.display(),
        instances.len(),
        manifest.genes.len()
    );
    let data = Prepared::new(&instances, &manifest, &ontology, &reference)?;
    let all: Vec<usize> = (0..instances.len()).collect();
    let kept = sample(
        &all,
        (args.max_instances > 0).then_some(args.max_instances),
        args.seed,
    );
    let (singles, doubles) = (data.of_size(&kept, 1), data.of_size(&kept, 2));
    println!(
        "instances used: {} ({singles} singles, {doubles} doubles, {} triples+); {} of {} genes are in the ontology",
        kept.len(),
        kept.len() - singles - doubles,
        data.mapped_genes,
        manifest.genes.len()
    );

    let dcell_config = DcellConfig {
        width_rule: args.width.into(),
        seed: args.seed,
        ..DcellConfig::default()
    };
    let train_config = TrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.learning_rate,
        seed: args.seed,
        ..TrainConfig::default()
    };
    let comparison = Comparison {
        ontology: &ontology,
        dcell: &dcell_config,
        training: &train_config,
        seed: args.seed,
        bootstrap: Bootstrap {
            seed: args.seed,
            ..Bootstrap::default()
        },
        provenance: Provenance {
            dataset: &dataset_dir,
            reference: &reference_dir,
        },
    };
    let mut report = Vec::new();
    let mut outcomes = Vec::new();
    let (mut rows, mut curves) = (Vec::new(), Vec::new());
    let mut size = None;
    let splits = [SplitName::Random, SplitName::GeneDisjointAll];
    for split_name in splits {
        let name = split_name.as_str();
        let split = read_split(&dataset_dir.join("splits.arrow"), split_name)?.restricted_to(&kept);
        println!(
            "split {name}: train {}, validation {}, test {} (dropped {} straddling genes)",
            split.train.len(),
            split.validation.len(),
            split.test.len(),
            split.dropped
        );
        let steps = split.train.len().div_ceil(train_config.batch_size) * train_config.epochs;
        let bar = progress::training(steps, format!("DCell {name}"));
        let result = comparison.run(&data, (name, &split), |_, loss| {
            bar.set_message(format!("{loss:.4}"));
            bar.inc(1);
        })?;
        bar.finish();
        size = Some(result.size);
        // The models, saved as `train` and `baseline` save theirs, for `predict`, `explain`,
        // `evaluate` and `design`.
        let models = args.out.join("models").join(name);
        result.models.save(&models)?;
        curves.push(Curve {
            name: format!("DCell, {name} split"),
            train_loss: result.history.clone(),
            validation: BTreeMap::new(),
            kept_epoch: None,
        });
        rows.extend(result.rows);
        report.push(json!({
            "split": name,
            "sizes": {"train": split.train.len(), "validation": split.validation.len(),
                      "test": split.test.len(), "dropped": split.dropped},
            "train_loss_by_epoch": result.history,
            "results": result.outcomes,
            "models": SplitModels::DIRS.map(|d| format!("models/{name}/{d}")),
        }));
        outcomes.extend(result.outcomes);
    }

    let size = size.expect("two splits ran");
    let metrics_path = args.out.join("metrics.json");
    let data_doc: serde_json::Map<String, serde_json::Value> = screens
        .selections
        .iter()
        .map(|(name, s)| {
            let doc = json!({"read": s.read, "kept": s.kept,
                "other_temperature": s.other_temperature, "not_deletion": s.not_deletion});
            ((*name).to_owned(), doc)
        })
        .chain([
            ("dataset".to_owned(), json!("dataset")),
            ("instances".to_owned(), json!(instances.len())),
            ("instances_used".to_owned(), json!(kept.len())),
        ])
        .collect();
    let doc = json!({
        "note": "test-set metrics of measured data (no synthetic records), 95 % bootstrap intervals; baselines beside DCell",
        "data": data_doc,
        "ontology": {"stages": ontology.stages, "subsystems": ontology.subsystems.len(),
                     "strata": ontology.strata(), "edges": ontology.edges()},
        "dcell": {"subsystems": size.subsystems, "strata": size.strata, "neurons": size.neurons,
                  "parameters": size.parameters, "groups": size.groups, "config": dcell_config},
        "training": train_config,
        "splits": report,
        "elapsed_seconds": started.elapsed().as_secs_f64(),
    });
    fs::write(&metrics_path, serde_json::to_vec_pretty(&doc)?)
        .with_context(|| format!("writing {}", metrics_path.display()))?;

    println!(
        "\nDCell: {} subsystems, {} strata, {} neurons, {} parameters",
        size.subsystems, size.strata, size.neurons, size.parameters
    );
    println!(
        "\n{:<18} {:<14} {:<11} {:>6} {:>22} {:>8} {:>8} {:>8}",
        "split", "model", "test subset", "n", "pearson [95 % CI]", "spearman", "r2", "mse"
    );
    // A constant prediction (the mean) has no correlation: "—".
    let show = |v: f64, places: usize| match v.is_finite() {
        true => format!("{v:.places$}"),
        false => "—".to_owned(),
    };
    for o in &outcomes {
        let m = |k: &str, places| show(o.metrics.get(k).map_or(f64::NAN, |e| e.value), places);
        let pearson = o
            .metrics
            .get("pearson")
            .filter(|p| p.value.is_finite())
            .map_or("—".to_owned(), |p| {
                format!("{:.3} [{:.3}, {:.3}]", p.value, p.low, p.high)
            });
        println!(
            "{:<18} {:<14} {:<11} {:>6} {:>22} {:>8} {:>8} {:>8}",
            o.split,
            o.model,
            o.subset,
            o.n_test,
            pearson,
            m("spearman", 3),
            m("r2", 3),
            m("mse", 4)
        );
    }
    // The comparison as a page, and the files it is drawn from, so `ironcell report --runs`
    // redraws it.
    write_scored(&args.out, &outcomes, &rows)?;
    let evidence = Evidence {
        outcomes,
        rows,
        curves,
    };
    let report = args.out.join("report.html");
    let page = html(
        &evidence,
        "ironcell quickstart: DCell beside a forest, ridge and the null models",
        &[args.out.display().to_string()],
    )?;
    fs::write(&report, page).with_context(|| format!("writing {}", report.display()))?;

    println!("\noutputs in {}:", args.out.display());
    println!("  {}  (knowledge graph)", db.display());
    println!("  {}  (dataset)", dataset_dir.display());
    println!("  {}", metrics_path.display());
    println!("  {}  (open in a browser)", report.display());
    let models = args.out.join("models");
    println!(
        "  {}/SPLIT/{{{}}}  (saved models)",
        models.display(),
        SplitModels::DIRS.join(",")
    );
    println!(
        "next: ironcell design --model {} --objective min-fitness --order 2 --candidates GENES.txt --out design.tsv",
        models.join("random/rf").display()
    );
    println!("finished in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
