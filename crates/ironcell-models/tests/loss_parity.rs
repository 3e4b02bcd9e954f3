//! Parity of the objectives with an independent NumPy + autograd reference of the same
//! equations (`tests/parity/losses_reference.py`): every loss's value and its gradient with
//! respect to the predictions, logits or features agree to 1e-6 relative, in f64, on random
//! inputs with missing labels. (Values agree to 1e-12; burn's autodiff of the ordinal-entropy
//! centers differs from the exact gradient by a few parts in 1e8, which the finite differences
//! of our own forward pass do not: a tolerance tighter than 1e-6 would test burn.)
//!
//! Needs a Python with `numpy` and `autograd` (`IRONCELL_PYTHON`, default `python3`); `.ci/run`
//! provides one. Without it the test is skipped, except under CI, where it fails.

mod common;

use std::{path::Path, process::Command};

use burn::tensor::{backend::AutodiffBackend, Tensor, TensorData};
use ironcell_models::loss::{
    bins::{Binning, Bins},
    contrastive, logistic, ordinal, soft, Regression,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use common::python;

type Ad = burn::backend::Autodiff<burn::backend::NdArray<f64>>;

fn tensor<const D: usize>(values: &[f64], shape: [usize; D]) -> Tensor<Ad, D> {
    Tensor::from_data(TensorData::new(values.to_vec(), shape), &Default::default())
}

fn vec<const D: usize>(t: Tensor<<Ad as AutodiffBackend>::InnerBackend, D>) -> Vec<f64> {
    t.into_data().to_vec::<f64>().unwrap()
}

/// A loss's value and its gradient with respect to `input`.
fn value_and_grad<const D: usize>(
    input: &[f64],
    shape: [usize; D],
    loss: impl FnOnce(Tensor<Ad, D>) -> Tensor<Ad, 1>,
) -> (f64, Vec<f64>) {
    let x = tensor(input, shape).require_grad();
    let l = loss(x.clone());
    let value = l.clone().into_data().to_vec::<f64>().unwrap()[0];
    let grads = l.backward();
    (value, vec(x.grad(&grads).unwrap()))
}

fn close(name: &str, ours: f64, theirs: f64) {
    let scale = ours.abs().max(theirs.abs()).max(1e-6);
    assert!(
        (ours - theirs).abs() / scale < 1e-12,
        "{name}: ironcell {ours}, reference {theirs}"
    );
}

fn check(name: &str, (value, grad): (f64, Vec<f64>), reference: &Value) {
    close(name, value, reference["value"].as_f64().unwrap());
    let theirs: Vec<f64> = serde_json::from_value(reference["grad"].clone()).unwrap();
    assert_eq!(grad.len(), theirs.len(), "{name}");
    for (i, (a, b)) in grad.iter().zip(&theirs).enumerate() {
        // Gradients of entries near 0 compare absolutely.
        assert!(
            (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-3),
            "{name} gradient {i}: ironcell {a}, reference {b}"
        );
    }
}

#[test]
fn objectives_match_numpy_and_autograd() {
    let Some(python) = python() else { return };
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let mut normal = |s: f64| -> f64 { (rng.random::<f64>() - 0.5) * 2.0 * s };
    let (n, labels) = (12, 3);
    let prediction: Vec<f64> = (0..n * labels).map(|_| normal(2.0)).collect();
    let target: Vec<f64> = (0..n * labels)
        .map(|i| if i % 5 == 2 { f64::NAN } else { normal(2.0) })
        .collect();
    let calls: Vec<f64> = (0..n * labels)
        .map(|i| match i % 7 {
            3 => f64::NAN,
            0 | 5 => 1.0,
            _ => 0.0,
        })
        .collect();
    let weights = [1.0, 0.5, 2.0];
    let delta = 0.7;
    let values: Vec<f64> = (0..10)
        .map(|i| {
            if i == 3 || i == 8 {
                f64::NAN
            } else {
                normal(1.0)
            }
        })
        .collect();
    let bins = Bins::fit(&values, 5, Binning::EqualWidth).unwrap();
    let k = bins.len();
    let logits: Vec<f64> = (0..values.len() * k).map(|_| normal(2.0)).collect();
    let ordinal_logits: Vec<f64> = (0..values.len() * (k - 1)).map(|_| normal(2.0)).collect();
    let sigma = 0.6;
    let dim = 3;
    let feature_labels: Vec<f64> = (0..8).map(|_| normal(1.0)).collect();
    let features: Vec<f64> = (0..8 * dim).map(|_| normal(1.0)).collect();
    let tau = 0.5;
    let finite = |v: &[f64]| -> Vec<Value> {
        v.iter()
            .map(|x| if x.is_finite() { json!(x) } else { Value::Null })
            .collect()
    };
    let case = json!({
        "rows": n, "labels": labels, "prediction": prediction, "target": finite(&target),
        "calls": finite(&calls),
        "weights": weights, "delta": delta, "values": finite(&values), "edges": bins.edges(),
        "logits": logits, "ordinal_logits": ordinal_logits, "sigma": sigma,
        "feature_labels": feature_labels, "features": features, "dim": dim, "tau": tau,
    });
    let dir = tempfile::tempdir().unwrap();
    let (case_path, out_path) = (dir.path().join("case.json"), dir.path().join("out.json"));
    std::fs::write(&case_path, case.to_string()).unwrap();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/parity/losses_reference.py");
    let status = Command::new(&python)
        .arg(&script)
        .arg(&case_path)
        .arg(&out_path)
        .status()
        .unwrap();
    assert!(status.success(), "the reference failed");
    let reference: Value = serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();

    for (name, kind) in [
        ("mse", Regression::Mse),
        ("huber", Regression::Huber { delta }),
        ("log_cosh", Regression::LogCosh),
    ] {
        let t = target.clone();
        let result = value_and_grad(&prediction, [n, labels], |p| {
            kind.loss(p, tensor(&t, [n, labels]), &weights)
        });
        check(name, result, &reference[name]);
    }

    let result = value_and_grad(&prediction, [n, labels], |z| {
        logistic(z, tensor(&calls, [n, labels]), &weights)
    });
    check("logistic", result, &reference["logistic"]);

    let device = Default::default();
    let (q, mask) = soft::targets::<Ad>(&values, &bins, sigma, &device);
    let ours_q = q.clone().into_data().to_vec::<f64>().unwrap();
    let theirs_q: Vec<f64> = serde_json::from_value(reference["soft"]["targets"].clone()).unwrap();
    for (a, b) in ours_q.iter().zip(&theirs_q) {
        assert!((a - b).abs() < 1e-12, "soft targets: {a} vs {b}");
    }
    let result = value_and_grad(&logits, [values.len(), k], |z| soft::loss(z, q, mask));
    check("soft", result, &reference["soft"]);

    let (levels, mask) = ordinal::levels::<Ad>(&values, &bins, &device);
    let result = value_and_grad(&ordinal_logits, [values.len(), k - 1], |z| {
        ordinal::coral_loss(z, levels.clone(), mask.clone())
    });
    check("coral", result, &reference["coral"]);
    let result = value_and_grad(&ordinal_logits, [values.len(), k - 1], |z| {
        ordinal::corn_loss(z, levels, mask)
    });
    check("corn", result, &reference["corn"]);

    let shape = [feature_labels.len(), dim];
    let result = value_and_grad(&features, shape, |z| {
        contrastive::ordinal_entropy(z, &feature_labels, &bins).0
    });
    check("diversity", result, &reference["diversity"]);
    let result = value_and_grad(&features, shape, |z| {
        contrastive::ordinal_entropy(z, &feature_labels, &bins).1
    });
    check("tightness", result, &reference["tightness"]);
    let result = value_and_grad(&features, shape, |z| {
        contrastive::rank_n_contrast(z, &feature_labels, tau)
    });
    check("rnc", result, &reference["rnc"]);
}
