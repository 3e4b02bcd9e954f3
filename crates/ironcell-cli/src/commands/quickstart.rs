//! `ironcell quickstart`: the walking skeleton on measured data from the data directory. The
//! knowledge graph, the dataset, the models, their scoring and the files are
//! `ironcell_eval::quickstart`'s, the report `ironcell_eval::report`'s; this file configures
//! and prints.

use std::{fs, time::Instant};

use anyhow::{Context, Result};
use ironcell_data::split::{sample, SplitName};
use ironcell_eval::{
    evaluate::Bootstrap,
    quickstart::{
        read_screens, store_and_build, Comparison, Described, Gathered, Prepared, Provenance,
        SplitModels, KUZMIN_TSV, SMF_XLSX,
    },
};
use ironcell_models::{dcell::DcellConfig, train::TrainConfig};
use ironcell_sources::data_dir::derived::{DELETION_TABLE, GENBANK, OBO};

use crate::{
    args::{LoadedReference, QuickstartArgs},
    commands::ontology::{build as build_ontology, print_table},
    progress, table,
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
    let built = store_and_build(&args.out, &reference, &screens, args.seed)?;
    println!(
        "knowledge graph {}: {} experiments stored ({} new)",
        built.db.display(),
        screens.experiments.len(),
        built.added,
    );
    let (manifest, instances) = (&built.dataset.manifest, &built.dataset.instances);
    println!(
        "dataset {}: {} instances over {} genes",
        built.dataset.dir().display(),
        instances.len(),
        manifest.genes.len()
    );
    let data = Prepared::new(instances, manifest, &ontology, &reference)?;
    let all: Vec<usize> = (0..instances.len()).collect();
    let max = (args.max_instances > 0).then_some(args.max_instances);
    let kept = sample(&all, max, args.seed);
    let (singles, doubles) = (data.of_size(&kept, 1), data.of_size(&kept, 2));
    println!(
        "instances used: {} ({singles} singles, {doubles} doubles, {} triples+); {} of {} genes are in the ontology",
        kept.len(),
        kept.len() - singles - doubles,
        data.mapped_genes,
        manifest.genes.len()
    );

    let dcell = DcellConfig {
        width_rule: args.width.into(),
        seed: args.seed,
        ..DcellConfig::default()
    };
    let training = TrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.learning_rate,
        seed: args.seed,
        ..TrainConfig::default()
    };
    let comparison = Comparison {
        ontology: &ontology,
        dcell: &dcell,
        training: &training,
        seed: args.seed,
        bootstrap: Bootstrap {
            seed: args.seed,
            ..Bootstrap::default()
        },
        provenance: Provenance {
            dataset: built.dataset.dir(),
            reference: &reference_dir,
        },
    };
    let mut gathered = Gathered::default();
    let mut size = None;
    for split_name in [SplitName::Random, SplitName::GeneDisjointAll] {
        let name = split_name.as_str();
        let split = built.dataset.split(split_name)?.restricted_to(&kept);
        println!(
            "split {name}: train {}, validation {}, test {} (dropped {} straddling genes)",
            split.train.len(),
            split.validation.len(),
            split.test.len(),
            split.dropped
        );
        let steps = split.train.len().div_ceil(training.batch_size) * training.epochs;
        let bar = progress::training(steps, format!("DCell {name}"));
        let result = comparison.run(&data, (name, &split), |_, loss| {
            bar.set_message(format!("{loss:.4}"));
            bar.inc(1);
        })?;
        bar.finish();
        size = Some(result.size);
        gathered.add(&args.out, (name, &split), result)?;
    }
    let size = size.expect("two splits ran");
    println!(
        "\nDCell: {} subsystems, {} strata, {} neurons, {} parameters",
        size.subsystems, size.strata, size.neurons, size.parameters
    );
    table::outcomes(gathered.outcomes());
    let run = Described {
        screens: &screens,
        instances: (instances.len(), kept.len()),
        ontology: &ontology,
        dcell: &dcell,
        training: &training,
        elapsed: started.elapsed().as_secs_f64(),
    };
    let [metrics, report] = gathered.write(&args.out, &run, &size)?;

    println!("\noutputs in {}:", args.out.display());
    println!("  {}  (knowledge graph)", built.db.display());
    println!("  {}  (dataset)", built.dataset.dir().display());
    println!("  {}", metrics.display());
    println!("  {}  (open in a browser)", report.display());
    let models = args.out.join("models");
    let dirs = SplitModels::DIRS.join(",");
    println!("  {}/SPLIT/{{{dirs}}}  (saved models)", models.display());
    println!(
        "next: ironcell design --model {} --objective min-fitness --order 2 --candidates GENES.txt --out design.tsv",
        models.join("random/rf").display()
    );
    println!("finished in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
