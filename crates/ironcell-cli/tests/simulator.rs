//! DCell recovers a known, GO-structured truth from the simulator (synthetic data only).

use std::{path::Path, sync::Arc};

use ironcell_data::{
    ontology::{build, OntologyConfig, WidthRule},
    simulate::{simulate, SimulationConfig},
    split::{random_split, SplitFractions},
};
use ironcell_models::{
    dcell::{kernel::Model, DcellConfig, Layout},
    metrics::pearson,
    train::{predict, train, TrainConfig},
};
use ironcell_sources::data_dir::DataDir;

#[test]
fn dcell_recovers_simulated_ground_truth() {
    let data = DataDir::resolve_in(
        None,
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")),
    );
    let mut reference = data.reference().unwrap().reference;
    // Real genes and GO, restricted to chromosomes I and II to keep the test fast.
    reference
        .annotations
        .retain(|a| a.gene.as_str().starts_with("YA"));
    let ontology = build(&reference, &OntologyConfig::default());
    let config = SimulationConfig {
        seed: 11,
        modules: 8,
        min_module: 8,
        max_module: 40,
        doubles: 3_000,
        noise: 0.02,
    };
    let sim = simulate(&ontology, &config);
    assert!(sim.experiments.iter().all(|e| e.provenance.is_synthetic()));
    let index = ontology.gene_index();
    let rows: Vec<Vec<usize>> = sim
        .experiments
        .iter()
        .map(|e| e.genotype.genes().map(|g| index[g]).collect())
        .collect();
    let y: Vec<f64> = sim
        .experiments
        .iter()
        .map(|e| match &e.phenotype {
            ironcell_core::Phenotype::Fitness(f) => f.value(),
            _ => unreachable!("the simulator makes fitness"),
        })
        .collect();
    let split = random_split(rows.len(), SplitFractions::default(), 1);
    let pick =
        |idx: &[usize]| -> Vec<Vec<usize>> { idx.iter().map(|&i| rows[i].clone()).collect() };
    let train_y: Vec<f32> = split.train.iter().map(|&i| y[i] as f32).collect();
    let mean = train_y.iter().map(|&v| f64::from(v)).sum::<f64>() / train_y.len() as f64;
    let config = DcellConfig {
        width_rule: WidthRule::Direct,
        initial_output: mean,
        ..DcellConfig::default()
    };
    let layout = Arc::new(Layout::new(&ontology, &config, 1));
    let params = layout.init_parameters(&config);
    let model = Model::new(layout, params, config.alpha, config.aux_reduction);
    let train_config = TrainConfig {
        epochs: 6,
        batch_size: 64,
        learning_rate: 3e-3,
        ..TrainConfig::default()
    };
    let (model, history) = train(
        model,
        &pick(&split.train),
        &train_y,
        &train_config,
        |_, _| {},
    );
    assert!(
        history.last().unwrap() < &history[0],
        "loss fell: {history:?}"
    );
    let predicted = predict(&model, &pick(&split.test), 512);
    let truth: Vec<f64> = split.test.iter().map(|&i| sim.truth[i]).collect();
    let r = pearson(&truth, &predicted);
    assert!(r > 0.6, "Pearson with the noise-free truth {r}");
}
