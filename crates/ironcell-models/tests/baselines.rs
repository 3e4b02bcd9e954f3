//! Every baseline on data with a known answer, and each saved model predicting as before.

use ironcell_models::{
    baseline::{load, save, Matrix, ModelKind, Params, Regressor},
    metrics::Metrics,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` rows of `d` uniform features in [0, 1) and a target computed from each row.
fn data(n: usize, d: usize, seed: u64, f: impl Fn(&[f32]) -> f64) -> (Vec<f32>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f32> = (0..n * d).map(|_| rng.random::<f32>()).collect();
    let y = x.chunks(d).map(&f).collect();
    (x, y)
}

fn test_r2(kind: ModelKind, params: &Params, f: impl Fn(&[f32]) -> f64 + Copy) -> f64 {
    let (x, y) = data(2000, 5, 1, f);
    let (tx, ty) = data(500, 5, 2, f);
    let model = Regressor::fit(kind, Matrix::new(&x, 5).unwrap(), &y, params).unwrap();
    let p = model.predict(Matrix::new(&tx, 5).unwrap());
    Metrics::compute(&ty, &p).r2
}

fn step(r: &[f32]) -> f64 {
    if r[0] > 0.5 {
        1.0
    } else {
        0.0
    }
}

#[test]
fn forest_finds_a_step_among_noise_features() {
    let mut params = Params::default();
    params.rf.trees = 20;
    let r2 = test_r2(ModelKind::Rf, &params, step);
    // Only rows within a bin of the edge can be wrong.
    assert!(r2 > 0.98, "R² {r2}");
    params.rf.max_features = 0.4;
    params.rf.max_depth = Some(3);
    let r2 = test_r2(ModelKind::Rf, &params, step);
    assert!(
        r2 > 0.9,
        "R² {r2} with 2 of 5 features per node and depth 3"
    );
}

#[test]
fn boosting_fits_a_smooth_interaction() {
    let f = |r: &[f32]| f64::from(r[0] * r[1]) + f64::from(r[2]).sin();
    let r2 = test_r2(ModelKind::Gbt, &Params::default(), f);
    assert!(r2 > 0.95, "R² {r2}");
}

#[test]
fn elastic_net_recovers_a_linear_target_and_zeroes_the_rest() {
    let f = |r: &[f32]| 1.0 + 3.0 * f64::from(r[0]) - 2.0 * f64::from(r[1]);
    let (x, y) = data(1000, 5, 3, f);
    let x = Matrix::new(&x, 5).unwrap();
    let mut params = Params::default();
    params.enet.alpha = 1e-5;
    params.enet.tolerance = 1e-8;
    let Regressor::Enet(m) = Regressor::fit(ModelKind::Enet, x, &y, &params).unwrap() else {
        unreachable!()
    };
    assert!((m.weights[0] - 3.0).abs() < 1e-2, "{:?}", m.weights);
    assert!((m.weights[1] + 2.0).abs() < 1e-2, "{:?}", m.weights);
    assert!((m.intercept - 1.0).abs() < 1e-2, "{}", m.intercept);
    // A strong lasso keeps the larger effect and drops the noise features.
    params.enet.alpha = 0.05;
    params.enet.l1_ratio = 1.0;
    let Regressor::Enet(m) = Regressor::fit(ModelKind::Enet, x, &y, &params).unwrap() else {
        unreachable!()
    };
    assert!(m.weights[2..].iter().all(|&w| w == 0.0), "{:?}", m.weights);
    assert!(m.weights[0] > 1.0, "{:?}", m.weights);
}

#[test]
fn svr_fits_a_sine() {
    let f = |r: &[f32]| (6.0 * f64::from(r[0])).sin();
    let mut params = Params::default();
    params.svr.c = 10.0;
    params.svr.epsilon = 0.01;
    params.svr.gamma = Some(5.0);
    let (x, y) = data(300, 1, 4, f);
    let (tx, ty) = data(200, 1, 5, f);
    let model = Regressor::fit(ModelKind::Svr, Matrix::new(&x, 1).unwrap(), &y, &params).unwrap();
    let r2 = Metrics::compute(&ty, &model.predict(Matrix::new(&tx, 1).unwrap())).r2;
    assert!(r2 > 0.95, "R² {r2}");
}

#[test]
fn forests_are_seeded() {
    let (x, y) = data(500, 5, 6, step);
    let x = Matrix::new(&x, 5).unwrap();
    let mut params = Params::default();
    params.rf.trees = 5;
    let fit = |seed| Regressor::fit(ModelKind::Rf, x, &y, &params.clone().with_seed(seed)).unwrap();
    let (a, b, c) = (fit(7), fit(7), fit(8));
    assert_eq!(a.predict(x), b.predict(x));
    assert_ne!(a.predict(x), c.predict(x));
}

#[test]
fn saved_models_predict_the_same() {
    let f = |r: &[f32]| f64::from(r[0]) + step(r);
    let (x, y) = data(300, 5, 7, f);
    let x = Matrix::new(&x, 5).unwrap();
    let mut params = Params::default();
    params.rf.trees = 5;
    params.gbt.rounds = 10;
    params.enet.alpha = 0.01;
    let dir = tempfile::tempdir().unwrap();
    for kind in ModelKind::ALL {
        let model = Regressor::fit(kind, x, &y, &params).unwrap();
        let path = dir.path().join(kind.to_string());
        save(&path, &model).unwrap();
        let back = load(&path).unwrap();
        assert_eq!(back.kind(), kind);
        assert_eq!(back.predict(x), model.predict(x), "{kind}");
    }
    // A damaged tree file is refused, not followed.
    let trees = dir.path().join("rf/trees.bin");
    let mut bytes = std::fs::read(&trees).unwrap();
    // First tree's first node: its left child (bytes 8 + 8 + 8..12) points far away.
    bytes[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
    std::fs::write(&trees, bytes).unwrap();
    let e = load(&dir.path().join("rf")).unwrap_err().to_string();
    assert!(e.contains("points outside"), "{e}");
}

#[test]
fn bad_inputs_are_refused() {
    assert!(Matrix::new(&[1.0, f32::NAN], 1)
        .unwrap_err()
        .to_string()
        .contains("row 1"));
    assert!(Matrix::new(&[1.0, 2.0, 3.0], 2).is_err());
    let x = Matrix::new(&[1.0, 2.0], 1).unwrap();
    let e = Regressor::fit(ModelKind::Rf, x, &[1.0], &Params::default()).unwrap_err();
    assert!(e.to_string().contains("1 targets for 2 rows"), "{e}");
    let e = Regressor::fit(ModelKind::Gbt, x, &[1.0, f64::NAN], &Params::default()).unwrap_err();
    assert!(e.to_string().contains("target 1"), "{e}");
}
