//! Parity of the CPU DCell kernel with an independent NumPy + autograd reference of the same
//! equations (`tests/parity/dcell_reference.py`): forward output, loss and every parameter
//! gradient must agree to 1e-5 relative, on a random ~50-term ontology and on the real
//! filtered GO with a batch of genotypes. Both sides run in f64.
//!
//! Needs a Python with `numpy` and `autograd` (`IRONCELL_PYTHON`, default `python3`); `.ci/run`
//! provides one. Without it the test is skipped, except under CI, where it fails.

mod common;

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    sync::Arc,
};

use ironcell_data::{
    fixtures::{annotation, reference, term},
    ontology::{build, DcellOntology, OntologyConfig, WidthRule},
};
use ironcell_models::dcell::{
    kernel::{Mode, Model},
    AuxReduction, DcellConfig, Layout,
};
use ironcell_sources::data_dir::DataDir;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use common::python;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A random GO-like DAG: term i > 0 has one or two parents among earlier terms; genes are
/// annotated to one to three random terms.
fn random_ontology(terms: usize, genes: usize, seed: u64) -> DcellOntology {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ids: Vec<String> = (1..=terms).map(|i| format!("GO:{i:07}")).collect();
    let go: Vec<_> = (0..terms)
        .map(|i| {
            let parents: Vec<&str> = if i == 0 {
                vec![]
            } else {
                let n = rng.random_range(1..=2usize.min(i));
                (0..n)
                    .map(|_| ids[rng.random_range(0..i)].as_str())
                    .collect()
            };
            term(&ids[i], &parents)
        })
        .collect();
    let mut annotations = Vec::new();
    for g in 0..genes {
        for _ in 0..rng.random_range(1..=3) {
            let t = rng.random_range(0..terms);
            annotations.push(annotation(&format!("YAL{:03}W", g + 1), &ids[t], "IMP"));
        }
    }
    build(
        &reference(go, annotations),
        &OntologyConfig {
            min_genes: 2,
            drop_evidence: vec![],
            ..OntologyConfig::default()
        },
    )
}

/// The case as the reference reads it.
fn spec(
    ontology: &DcellOntology,
    layout: &Layout,
    config: &DcellConfig,
    genotypes: &[Vec<usize>],
    targets: &[f64],
) -> Value {
    let terms = layout.reference_terms(ontology);
    let reduction = match config.aux_reduction {
        AuxReduction::Mean => "mean",
        AuxReduction::Sum => "sum",
    };
    let targets: Vec<Value> = targets
        .iter()
        .map(|&v| if v.is_nan() { Value::Null } else { json!(v) })
        .collect();
    json!({"genes": layout.genes, "labels": layout.labels, "alpha": config.alpha,
        "reduction": reduction, "terms": terms, "genotypes": genotypes, "targets": targets})
}

fn read_f64(path: &Path) -> Vec<f64> {
    fs::read(path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

/// How the case's genotypes are drawn.
#[derive(Clone, Copy)]
enum Genotypes {
    /// One to four perturbed genes each, as in real screens.
    Few,
    /// Every gene perturbed with this probability. Sparse genotypes leave most subsystems of
    /// a large ontology with inputs identical across the batch, so batch norm divides
    /// rounding noise by √ε; in both implementations gradients then carry ~1e-10 of noise,
    /// and 1e-5 relative agreement is not a meaningful test there.
    Dense(f64),
}

/// Runs ironcell and the reference on one case and compares everything.
fn check(
    name: &str,
    ontology: &DcellOntology,
    config: &DcellConfig,
    labels: usize,
    batch: usize,
    draw: Genotypes,
) {
    let Some(python) = python() else { return };
    let layout = Arc::new(Layout::new(ontology, config, labels));
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    // Move γ, β and the biases off their defaults so every gradient is exercised.
    let params: Vec<f64> = layout
        .init_parameters(config)
        .into_iter()
        .map(|p| f64::from(p) + rng.random_range(-0.1..0.1))
        .collect();
    let genotypes: Vec<Vec<usize>> = (0..batch)
        .map(|_| match draw {
            Genotypes::Few => {
                let n = rng.random_range(1..=4);
                (0..n).map(|_| rng.random_range(0..layout.genes)).collect()
            }
            Genotypes::Dense(p) => (0..layout.genes).filter(|_| rng.random_bool(p)).collect(),
        })
        .collect();
    let mut targets: Vec<f64> = (0..batch * labels)
        .map(|_| rng.random_range(0.0..1.2))
        .collect();
    if labels > 1 {
        targets[1] = f64::NAN; // a missing label
    }
    let model = Model::new(
        layout.clone(),
        params.clone(),
        config.alpha,
        config.aux_reduction,
    );
    let act = model.forward(&genotypes, Mode::Training);
    let (loss, grads) = model.backward(&act, &targets);
    let root = act.head(layout.terms.len() - 1, labels);

    let dir = tempfile::tempdir().expect("temporary directory");
    let case = spec(ontology, &layout, config, &genotypes, &targets);
    fs::write(dir.path().join("spec.json"), case.to_string()).expect("writing the spec");
    let bytes: Vec<u8> = params.iter().flat_map(|p| p.to_le_bytes()).collect();
    fs::write(dir.path().join("params.f64"), bytes).expect("writing the parameters");
    let status = Command::new(&python)
        .arg(repo().join("tests/parity/dcell_reference.py"))
        .arg(dir.path())
        .status()
        .expect("running the reference");
    assert!(status.success(), "{name}: the reference failed");

    let reference: Value = serde_json::from_slice(
        &fs::read(dir.path().join("reference.json")).expect("the reference's output"),
    )
    .expect("JSON");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-5 * a.abs().max(b.abs()) + 1e-12;
    let ref_loss = reference["loss"].as_f64().expect("a loss");
    assert!(close(loss, ref_loss), "{name}: loss {loss} vs {ref_loss}");
    let ref_prediction: Vec<f64> = reference["prediction"]
        .as_array()
        .expect("predictions")
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect();
    for j in 0..batch {
        for l in 0..labels {
            let (a, b) = (root[l * batch + j], ref_prediction[j * labels + l]);
            assert!(close(a, b), "{name}: prediction [{j}, {l}] {a} vs {b}");
        }
    }
    let ref_grads = read_f64(&dir.path().join("grads.f64"));
    assert_eq!(ref_grads.len(), grads.len(), "{name}: gradient length");
    let differing = grads
        .iter()
        .zip(&ref_grads)
        .enumerate()
        .find(|(_, (a, b))| !close(**a, **b));
    assert!(
        differing.is_none(),
        "{name}: gradient differs at {differing:?}"
    );
    eprintln!(
        "{name}: {} subsystems, {} parameters, loss {loss:.6}: parity holds",
        layout.terms.len(),
        layout.parameters
    );
}

#[test]
fn random_ontology_matches_the_reference() {
    let ontology = random_ontology(70, 40, 1);
    assert!(
        (35..=70).contains(&ontology.subsystems.len()),
        "{} subsystems",
        ontology.subsystems.len()
    );
    for (labels, reduction) in [(1, AuxReduction::Mean), (2, AuxReduction::Sum)] {
        let config = DcellConfig {
            init_scale: 0.3,
            aux_reduction: reduction,
            ..DcellConfig::default()
        };
        check(
            "random ontology",
            &ontology,
            &config,
            labels,
            12,
            Genotypes::Few,
        );
    }
}

#[test]
fn real_filtered_go_matches_the_reference() {
    let reference = DataDir::resolve_in(None, &repo())
        .reference()
        .expect("the data directory's reference")
        .reference;
    let ontology = build(&reference, &OntologyConfig::default());
    let config = DcellConfig {
        width_rule: WidthRule::Direct,
        init_scale: 0.05,
        ..DcellConfig::default()
    };
    check("real GO", &ontology, &config, 1, 16, Genotypes::Dense(0.3));
}
