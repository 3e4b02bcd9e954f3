//! scikit-learn beside ours: the exact matrix, targets and folds handed to
//! `scripts/bench/baselines_sklearn.py`, its fit times and metrics read back, its predictions
//! left as files. `bench baselines` and `bench accuracy` compare through here.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use ironcell_models::baseline::{Matrix, ModelKind, Params};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Error;

/// One fit on one fold by one engine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FoldResult {
    /// The model.
    pub model: String,
    /// The fold.
    pub fold: usize,
    /// Fit time.
    pub seconds: f64,
    /// Test Pearson.
    pub pearson: f64,
    /// Test Spearman.
    pub spearman: f64,
    /// Test R².
    pub r2: f64,
    /// Test MSE.
    pub mse: f64,
    /// Training rows.
    pub n_train: usize,
    /// Test rows.
    pub n_test: usize,
}

/// Whether `kind` is fitted on standardised columns (in both engines).
pub fn is_standardized(kind: ModelKind) -> bool {
    matches!(kind, ModelKind::Enet | ModelKind::Svr)
}

fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Input(format!("{}: {e}", path.display()))
}

/// Hands the matrix `x`, targets `y`, test `folds` and each
/// model's training rows per fold to the scikit-learn `script` run by `python`, in `dir`;
/// returns its per-fold results and the library versions. Its predictions are left in `dir`
/// (see [`predictions`]).
#[allow(clippy::too_many_arguments)]
pub fn run(
    python: &str,
    script: &Path,
    dir: &Path,
    x: Matrix<'_>,
    y: &[f64],
    folds: &[Vec<usize>],
    train: &[(ModelKind, Vec<Vec<usize>>)],
    params: &Params,
) -> Result<(Vec<FoldResult>, serde_json::Value), Error> {
    let write = |name: &str, bytes: Vec<u8>| -> Result<(), Error> {
        let path = dir.join(name);
        fs::write(&path, bytes).map_err(|e| io(&path, e))
    };
    write(
        "x.f32",
        (0..x.rows())
            .flat_map(|i| x.row(i))
            .flat_map(|v| v.to_le_bytes())
            .collect(),
    )?;
    write("y.f64", y.iter().flat_map(|v| v.to_le_bytes()).collect())?;
    let spec = json!({
        "cols": x.cols(),
        "folds": folds,
        "train": train.iter().map(|(k, f)| (k.to_string(), json!(f))).collect::<serde_json::Map<_, _>>(),
        "models": train.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>(),
        "standardized": train.iter().filter(|(k, _)| is_standardized(*k)).map(|(k, _)| k.to_string()).collect::<Vec<_>>(),
        "params": params,
    });
    write(
        "spec.json",
        serde_json::to_vec(&spec).map_err(|e| io(&dir.join("spec.json"), e))?,
    )?;
    let out = Command::new(python)
        .arg(script)
        .arg(dir)
        .env("OMP_NUM_THREADS", "2")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::Input(format!("running {python} {}: {e}", script.display())))?;
    if !out.status.success() {
        return Err(Error::Input(format!(
            "the scikit-learn script failed (are scikit-learn and scipy installed for {python}?)"
        )));
    }
    #[derive(Deserialize)]
    struct Report {
        results: Vec<FoldResult>,
        versions: serde_json::Value,
    }
    let report: Report = serde_json::from_slice(&out.stdout)
        .map_err(|e| io(script, format!("reading its report: {e}")))?;
    Ok((report.results, report.versions))
}

/// scikit-learn's predictions of `kind` on fold `fold`, left in `dir` by [`run`].
pub fn predictions(dir: &Path, kind: ModelKind, fold: usize) -> Result<Vec<f64>, Error> {
    let path: PathBuf = dir.join(format!("pred_{kind}_{fold}.f64"));
    let bytes = fs::read(&path).map_err(|e| io(&path, e))?;
    Ok(bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .collect())
}
