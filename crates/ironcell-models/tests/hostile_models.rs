//! A saved baseline edited by a hostile user or a bad disk: `load` refuses it or loads a
//! model that predicts without panicking. `load` reads the model's files directly (the
//! card's checksums are checked a layer above, by `predictor::load_any`), so every edit
//! reaches the decoders of `trees.bin` and `model.json`.

use std::path::{Path, PathBuf};

use ironcell_models::baseline::{load, save, Matrix, ModelKind, Params, Regressor};
use proptest::prelude::*;

// The edits are the data crate's hostile-input tests' own.
#[path = "../../ironcell-data/tests/common/mod.rs"]
mod common;
use common::{apply, edit};

const COLUMNS: usize = 4;

fn rows() -> Vec<f32> {
    (0..200 * COLUMNS)
        .map(|i| ((i * 37) % 101) as f32 / 101.0)
        .collect()
}

/// Every baseline kind fitted on a small table and saved, once.
fn saved() -> &'static [(ModelKind, PathBuf)] {
    static SAVED: std::sync::OnceLock<(tempfile::TempDir, Vec<(ModelKind, PathBuf)>)> =
        std::sync::OnceLock::new();
    &SAVED
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let x = rows();
            let x = Matrix::new(&x, COLUMNS).expect("a finite table");
            let y: Vec<f64> = (0..200).map(|i| f64::from(i % 7) / 7.0).collect();
            let mut params = Params::default();
            params.rf.trees = 4;
            params.gbt.rounds = 6;
            let saved = ModelKind::ALL
                .into_iter()
                .map(|kind| {
                    let model = Regressor::fit(kind, x, &y, &params).expect("fitting");
                    let path = dir.path().join(kind.to_string());
                    save(&path, &model).expect("saving");
                    (kind, path)
                })
                .collect();
            (dir, saved)
        })
        .1
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("listing a saved model")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    files
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn an_edited_model_is_refused_or_predicts(
        which in 0..ModelKind::ALL.len(),
        file in any::<usize>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let (kind, original) = &saved()[which];
        let dir = tempfile::tempdir().expect("a temporary directory");
        for f in files(original) {
            std::fs::copy(&f, dir.path().join(f.file_name().expect("a file"))).expect("copying");
        }
        let edited = files(dir.path());
        let path = &edited[file % edited.len()];
        let mut bytes = std::fs::read(path).expect("reading the copy");
        for e in &edits {
            apply(&mut bytes, e);
        }
        std::fs::write(path, &bytes).expect("writing the edit");
        if let Ok(model) = load(dir.path()) {
            prop_assert_eq!(model.kind(), *kind);
            let x = rows();
            let p = model.predict(Matrix::new(&x, COLUMNS).expect("a finite table"));
            prop_assert_eq!(p.len(), 200);
        }
    }
}
