//! `ironcell quickstart`: the walking skeleton on measured data from the data directory.

use std::{
    collections::HashMap,
    fs::{self, File},
    io::BufReader,
    time::Instant,
};

use anyhow::{Context, Result};
use ironcell_core::{Experiment, PhenotypeKind};
use ironcell_data::{
    dataset::{self, read_split, DatasetQuery, Manifest, SplitConfig},
    features::{
        pooling::{Pooler, Pooling},
        GeneFeature, GeneFeatures,
    },
    instances::Instances,
    ontology::DcellOntology,
    screens::{self, Selection, COSTANZO2016_SMF, KUZMIN2018_SUBSET, KUZMIN2018_SUBSET_DATASETS},
    split::{Split, SplitName},
};
use ironcell_kg::{GraphStore, SqliteStore};
use ironcell_models::{
    baseline::{trees::ForestParams, Matrix, ModelKind, Params, Regressor},
    dcell::DcellConfig,
    metrics::Metrics,
    ridge::OneHotRidge,
    train::{fit_single_label, predict, TrainConfig},
};
use ironcell_sources::{
    costanzo2016,
    data_dir::{
        derived::{DELETION_TABLE, GENBANK, OBO},
        DataDir,
    },
    kuzmin2018, open_maybe_gzip,
    report::{collect, BadRows},
};
use rand::{seq::SliceRandom, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::{
    args::{LoadedReference, QuickstartArgs},
    commands::ontology::{build as build_ontology, print_table},
    plot, progress,
};

const SMF_XLSX: &str = "yeast-screens/costanzo2016/strain_ids_and_single_mutant_fitness.xlsx";
const KUZMIN_TSV: &str = "yeast-screens/kuzmin2018-subset/unique_triples.tsv.gz";

pub fn run(args: &QuickstartArgs) -> Result<()> {
    let started = Instant::now();
    // Every input is checked before the output directory is touched.
    let data = args.data.dir();
    data.require([SMF_XLSX, KUZMIN_TSV, OBO, DELETION_TABLE])?;
    data.folder(GENBANK)?;
    let reference = LoadedReference::derive(&data)?.reference;
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

    let (experiments, selections) = read_screens(&data)?;
    let db = args.out.join("ironcell.sqlite");
    let mut store = SqliteStore::open(&db)?;
    store.put_reference(&reference)?;
    let added = store.put_experiments(&experiments)?;
    println!(
        "knowledge graph {}: {} experiments stored ({} new)",
        db.display(),
        experiments.len(),
        added,
    );

    // The training data leaves the graph the way a user's does, through `dataset build`:
    // labels aggregated per genotype, splits drawn and saved beside the instances.
    let query = DatasetQuery {
        datasets: std::iter::once(COSTANZO2016_SMF)
            .chain(KUZMIN2018_SUBSET_DATASETS)
            .map(str::to_owned)
            .collect(),
        labels: vec![PhenotypeKind::Fitness],
        temperature_c: None,
        max_perturbations: None,
        policy: "mean".to_owned(),
        split: SplitConfig {
            seed: args.seed,
            ..SplitConfig::default()
        },
        test_genes: vec![],
    };
    let dataset_dir = args.out.join("dataset");
    let manifest = dataset::build(&store, &query, &dataset_dir)?;
    let instances = Instances::open(&dataset_dir.join("instances.arrow"))?;
    println!(
        "dataset {}: {} instances over {} genes",
        dataset_dir.display(),
        instances.len(),
        manifest.genes.len()
    );
    let (features, _) = GeneFeatures::build(&forest_features(), &manifest.genes, &reference)?;
    let data = Prepared::new(&instances, &manifest, &ontology, &features)?;
    let kept = sample(instances.len(), args.max_instances, args.seed);
    let sizes = |n: usize| {
        kept.iter()
            .filter(|&&i| data.table_genes[i].len() == n)
            .count()
    };
    println!(
        "instances used: {} ({} singles, {} doubles, {} triples+); {} of {} genes are in the ontology",
        kept.len(),
        sizes(1),
        sizes(2),
        kept.len() - sizes(1) - sizes(2),
        data.mapped_genes,
        manifest.genes.len()
    );
    let splits = [SplitName::Random, SplitName::GeneDisjointAll]
        .map(|name| -> Result<(SplitName, Split)> {
            let split = read_split(&dataset_dir.join("splits.arrow"), name)?;
            Ok((name, restrict(split, &kept)))
        })
        .into_iter()
        .collect::<Result<Vec<_>>>()?;

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
    let mut report = Vec::new();
    let mut rows = Vec::new();
    let mut size = None;
    for (split_name, split) in &splits {
        let name = split_name.as_str();
        println!(
            "split {name}: train {}, validation {}, test {} (dropped {} straddling genes)",
            split.train.len(),
            split.validation.len(),
            split.test.len(),
            split.dropped
        );
        let result = evaluate_split(
            name,
            split,
            &data,
            &ontology,
            &dcell_config,
            &train_config,
            args.seed,
        )?;
        size = Some(result.size);
        let png = args.out.join(format!("scatter_{name}.png"));
        plot::scatter(
            &png,
            &format!("DCell, {name} split, test set (n = {})", result.truth.len()),
            &result.truth,
            &result.dcell,
        )?;
        for (model, subset, m) in &result.metrics {
            rows.push((name.to_string(), model.clone(), subset.clone(), *m));
        }
        report.push(json!({
            "split": name,
            "sizes": {"train": split.train.len(), "validation": split.validation.len(),
                      "test": split.test.len(), "dropped": split.dropped},
            "train_loss_by_epoch": result.history,
            "results": result.metrics.iter().map(|(model, subset, m)| json!({
                "model": model, "subset": subset, "metrics": m})).collect::<Vec<_>>(),
            "scatter": png.file_name().map(|n| n.to_string_lossy().into_owned()),
        }));
    }

    let size = size.expect("two splits ran");
    let metrics_path = args.out.join("metrics.json");
    let selection = |s: &Selection| {
        json!({"read": s.read, "kept": s.kept,
        "other_temperature": s.other_temperature, "not_deletion": s.not_deletion})
    };
    let doc = json!({
        "note": "test-set metrics of measured data (no synthetic records); baselines beside DCell",
        "data": {
            COSTANZO2016_SMF: selection(&selections[0]),
            KUZMIN2018_SUBSET: selection(&selections[1]),
            "dataset": dataset_dir.file_name().map(|n| n.to_string_lossy().into_owned()),
            "instances": instances.len(),
            "instances_used": kept.len(),
        },
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
        "\n{:<14} {:<16} {:<16} {:>6} {:>8} {:>8} {:>8} {:>8}",
        "split", "model", "test subset", "n", "pearson", "spearman", "r2", "mse"
    );
    for (split, model, subset, m) in &rows {
        println!(
            "{:<14} {:<16} {:<16} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.4}",
            split, model, subset, m.n, m.pearson, m.spearman, m.r2, m.mse
        );
    }
    println!("\noutputs in {}:", args.out.display());
    println!("  {}  (knowledge graph)", db.display());
    println!("  {}  (dataset)", dataset_dir.display());
    println!("  {}", metrics_path.display());
    for (name, _) in &splits {
        println!(
            "  {}",
            args.out.join(format!("scatter_{name}.png")).display()
        );
    }
    println!("finished in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn read_screens(data: &DataDir) -> Result<(Vec<Experiment>, [Selection; 2])> {
    let path = data.file(SMF_XLSX)?;
    let file = File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let reader = costanzo2016::smf::Reader::new(BufReader::new(file), &path.display().to_string())?;
    let (smf, _) = collect(reader, BadRows::Fail)?;
    let (mut experiments, smf_selection) = screens::costanzo_smf(&smf, 30);
    let path = data.file(KUZMIN_TSV)?;
    let reader = kuzmin2018::Reader::new(open_maybe_gzip(&path)?, &path.display().to_string())?;
    let (records, _) = collect(reader, BadRows::Fail)?;
    let (kuzmin, kuzmin_selection) = screens::kuzmin(&records);
    for (name, s) in [
        (COSTANZO2016_SMF, smf_selection),
        (KUZMIN2018_SUBSET, kuzmin_selection),
    ] {
        println!(
            "{name}: {} records read, {} kept (30 °C deletions), {} other temperature, {} DAmP/ts/suppressor alleles left out",
            s.read, s.kept, s.other_temperature, s.not_deletion
        );
    }
    experiments.extend(kuzmin);
    Ok((experiments, [smf_selection, kuzmin_selection]))
}

/// A seeded sample of `max` of `n` instances, in index order; all of them when `max` is 0
/// or at least `n`.
fn sample(n: usize, max: usize, seed: u64) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    if (1..n).contains(&max) {
        all.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        all.truncate(max);
        all.sort_unstable();
    }
    all
}

/// `split` with only the instances of `kept` (sorted), `dropped` counting the sample's left-out
/// instances: a gene-disjoint split stays so.
fn restrict(split: Split, kept: &[usize]) -> Split {
    let keep = |part: Vec<usize>| -> Vec<usize> {
        part.into_iter()
            .filter(|i| kept.binary_search(i).is_ok())
            .collect()
    };
    let (train, validation, test) = (keep(split.train), keep(split.validation), keep(split.test));
    Split {
        dropped: kept.len() - train.len() - validation.len() - test.len(),
        train,
        validation,
        test,
    }
}

/// Instances as model inputs: gene indices of the dataset and of the ontology.
struct Prepared {
    table_genes: Vec<Vec<usize>>,
    ontology_genes: Vec<Vec<usize>>,
    y: Vec<f64>,
    n_genes: usize,
    mapped_genes: usize,
    /// Single-mutant fitness by label-table gene, for the multiplicative model.
    smf: HashMap<usize, f64>,
    /// Summed gene features per instance, row-major, for the random forest.
    features: Vec<f32>,
    width: usize,
}

/// The random forest's gene features: codon usage and GO membership (terms of ≥ 30 genes).
fn forest_features() -> [GeneFeature; 2] {
    [GeneFeature::Codon, GeneFeature::Go { min_genes: 30 }]
}

/// The quickstart's forest: 100 trees, a third of the features per split (all of them, as
/// scikit-learn's default, takes minutes on 1,269 columns).
fn forest_params(seed: u64) -> Params {
    Params {
        rf: ForestParams {
            trees: 100,
            max_features: 1.0 / 3.0,
            ..ForestParams::default()
        },
        ..Params::default()
    }
    .with_seed(seed)
}

impl Prepared {
    fn new(
        instances: &Instances,
        manifest: &Manifest,
        ontology: &DcellOntology,
        features: &GeneFeatures,
    ) -> Result<Self> {
        let index = ontology.gene_index();
        let to_ontology: Vec<Option<usize>> = manifest
            .genes
            .iter()
            .map(|g| index.get(g).copied())
            .collect();
        let n = instances.len();
        let table_genes: Vec<Vec<usize>> = (0..n)
            .map(|i| instances.genes(i).iter().map(|&g| g as usize).collect())
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| f64::from(instances.label(0, i).value))
            .collect();
        // Single mutants of Costanzo 2016, for the multiplicative model (labels are already
        // one per genotype).
        let smf = (0..n)
            .filter(|&i| {
                table_genes[i].len() == 1
                    && manifest.datasets[usize::from(instances.source(i).0)] == COSTANZO2016_SMF
            })
            .map(|i| (table_genes[i][0], y[i]))
            .collect();
        let pooler = Pooler::new(Pooling::Sum, features, 1);
        let width = pooler.width();
        let mut pooled = vec![0.0f32; n * width];
        for (i, row) in pooled.chunks_exact_mut(width).enumerate() {
            pooler.pool(instances.genes(i), features, row)?;
        }
        Ok(Self {
            features: pooled,
            width,
            ontology_genes: table_genes
                .iter()
                .map(|genes| genes.iter().filter_map(|&g| to_ontology[g]).collect())
                .collect(),
            table_genes,
            y,
            n_genes: manifest.genes.len(),
            mapped_genes: to_ontology.iter().flatten().count(),
            smf,
        })
    }

    fn pooled(&self, rows: &[usize]) -> Vec<f32> {
        rows.iter()
            .flat_map(|&i| {
                self.features[i * self.width..(i + 1) * self.width]
                    .iter()
                    .copied()
            })
            .collect()
    }

    fn multiplicative(&self, i: usize) -> Option<f64> {
        let genes = &self.table_genes[i];
        (genes.len() >= 2)
            .then(|| {
                genes
                    .iter()
                    .map(|g| self.smf.get(g).copied())
                    .product::<Option<f64>>()
            })
            .flatten()
    }
}

struct SplitResult {
    metrics: Vec<(String, String, Metrics)>,
    truth: Vec<f64>,
    dcell: Vec<f64>,
    history: Vec<f64>,
    size: ironcell_models::dcell::DcellSize,
}

fn evaluate_split(
    name: &str,
    split: &Split,
    data: &Prepared,
    ontology: &DcellOntology,
    dcell_config: &DcellConfig,
    train_config: &TrainConfig,
    seed: u64,
) -> Result<SplitResult> {
    let pick = |idx: &[usize], v: &[Vec<usize>]| -> Vec<Vec<usize>> {
        idx.iter().map(|&i| v[i].clone()).collect()
    };
    let train_rows = pick(&split.train, &data.ontology_genes);
    let train_y: Vec<f32> = split.train.iter().map(|&i| data.y[i] as f32).collect();
    let test_rows = pick(&split.test, &data.ontology_genes);
    let truth: Vec<f64> = split.test.iter().map(|&i| data.y[i]).collect();
    anyhow::ensure!(
        train_rows.len() > 1 && !test_rows.is_empty(),
        "split {name} is too small to train and test (train {}, test {})",
        train_rows.len(),
        test_rows.len()
    );

    let train_mean = train_y.iter().map(|&v| f64::from(v)).sum::<f64>() / train_y.len() as f64;
    let steps = train_rows.len().div_ceil(train_config.batch_size) * train_config.epochs;
    let bar = progress::training(steps, format!("DCell {name}"));
    let (model, history, size) = fit_single_label(
        ontology,
        dcell_config,
        train_config,
        &train_rows,
        &train_y,
        |_, loss| {
            bar.set_message(format!("{loss:.4}"));
            bar.inc(1);
        },
    );
    bar.finish();
    let dcell = predict(&model, &test_rows, 1024);

    let ridge = OneHotRidge::fit(
        &pick(&split.train, &data.table_genes),
        &split.train.iter().map(|&i| data.y[i]).collect::<Vec<_>>(),
        data.n_genes,
        1.0,
    );
    let ridge_pred: Vec<f64> = split
        .test
        .iter()
        .map(|&i| ridge.predict(&data.table_genes[i]))
        .collect();
    let mean_pred = vec![train_mean; truth.len()];
    let train_x = data.pooled(&split.train);
    let train_target: Vec<f64> = split.train.iter().map(|&i| data.y[i]).collect();
    let forest = Regressor::fit(
        ModelKind::Rf,
        Matrix::new(&train_x, data.width)?,
        &train_target,
        &forest_params(seed),
    )?;
    let test_x = data.pooled(&split.test);
    let forest_pred = forest.predict(Matrix::new(&test_x, data.width)?);

    let mut metrics = vec![
        (
            "DCell".to_owned(),
            "all".to_owned(),
            Metrics::compute(&truth, &dcell),
        ),
        (
            "random forest".to_owned(),
            "all".to_owned(),
            Metrics::compute(&truth, &forest_pred),
        ),
        (
            "ridge one-hot".to_owned(),
            "all".to_owned(),
            Metrics::compute(&truth, &ridge_pred),
        ),
        (
            "mean".to_owned(),
            "all".to_owned(),
            Metrics::compute(&truth, &mean_pred),
        ),
    ];
    // Doubles and triples whose single-mutant fitnesses are all measured: every model,
    // and the multiplicative model, on the same instances.
    let subset: Vec<(usize, f64)> = split
        .test
        .iter()
        .enumerate()
        .filter_map(|(k, &i)| data.multiplicative(i).map(|m| (k, m)))
        .collect();
    if subset.len() >= 3 {
        let sub = |v: &[f64]| -> Vec<f64> { subset.iter().map(|&(k, _)| v[k]).collect() };
        let t = sub(&truth);
        let label = "multi-gene".to_owned();
        metrics.push((
            "DCell".to_owned(),
            label.clone(),
            Metrics::compute(&t, &sub(&dcell)),
        ));
        metrics.push((
            "random forest".to_owned(),
            label.clone(),
            Metrics::compute(&t, &sub(&forest_pred)),
        ));
        metrics.push((
            "ridge one-hot".to_owned(),
            label.clone(),
            Metrics::compute(&t, &sub(&ridge_pred)),
        ));
        metrics.push((
            "mean".to_owned(),
            label.clone(),
            Metrics::compute(&t, &sub(&mean_pred)),
        ));
        let mult: Vec<f64> = subset.iter().map(|&(_, m)| m).collect();
        metrics.push((
            "multiplicative".to_owned(),
            label,
            Metrics::compute(&t, &mult),
        ));
    }
    Ok(SplitResult {
        metrics,
        truth,
        dcell,
        history,
        size,
    })
}
