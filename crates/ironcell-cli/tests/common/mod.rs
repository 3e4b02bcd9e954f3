//! Shared by the CLI tests: running the binary, and a two-label dataset built by
//! `ironcell dataset build` from published-format fixtures.

// Each test file uses some of these.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Output},
    thread,
    time::{Duration, Instant},
};

use ironcell_sources::data_dir::{DataDir, ENV};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ironcell-sources/tests/fixtures")
        .join(name)
}

/// The data directory the tests read: `$IRONCELL_DATA`, a relative one taken from the
/// workspace root (where the README's commands run), else the user cache.
pub fn data_dir() -> DataDir {
    DataDir::resolve_in(
        None,
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")),
    )
}

/// The `ironcell` binary, given the tests' data directory as an absolute path (it runs in
/// this crate's folder).
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ironcell"));
    cmd.env(ENV, data_dir().root());
    cmd
}

/// Runs `ironcell args`, failing the test with its stderr unless it succeeds.
pub fn ironcell(args: &[&str]) -> Output {
    let out = command().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "ironcell {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `ironcell args`, expecting it to fail; returns its stderr.
pub fn ironcell_fails(args: &[&str]) -> String {
    let out = command().args(args).output().unwrap();
    assert!(!out.status.success(), "ironcell {args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `ironcell predict --model MODEL --genotypes GENOTYPES --out OUT`: the table written.
pub fn predict(model: &Path, genotypes: &Path, out: &Path) -> String {
    ironcell(&predict_args(model, genotypes, out));
    std::fs::read_to_string(out).unwrap()
}

/// The same when it must fail: its stderr.
pub fn predict_fails(model: &Path, genotypes: &Path, out: &Path) -> String {
    ironcell_fails(&predict_args(model, genotypes, out))
}

fn predict_args<'a>(model: &'a Path, genotypes: &'a Path, out: &'a Path) -> [&'a str; 7] {
    let text = |p: &'a Path| p.to_str().unwrap();
    [
        "predict",
        "--model",
        text(model),
        "--genotypes",
        text(genotypes),
        "--out",
        text(out),
    ]
}

/// The genes of the dataset built in `data`, in its manifest's order.
pub fn dataset_genes(data: &Path) -> Vec<String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("manifest.json")).unwrap()).unwrap();
    manifest["genes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_owned())
        .collect()
}

/// A network file in `dir` chaining `genes` in order, so every gene has relatives.
pub fn chain_network(dir: &Path, genes: &[String]) -> PathBuf {
    let network = dir.join("chain.txt");
    let edges: String = genes
        .windows(2)
        .map(|w| format!("{} {}\n", w[0], w[1]))
        .collect();
    std::fs::write(&network, edges).unwrap();
    network
}

/// Ingests the Costanzo and Kuzmin fixtures into a store in `dir` and builds a dataset with
/// labels fitness and gene_interaction (many missing) in `dir/data`, returned.
pub fn two_label_dataset(dir: &Path) -> PathBuf {
    let db = format!("sqlite://{}", dir.join("kg.sqlite").display());
    for (name, file) in [
        ("costanzo2016", "SGA_ExE.txt"),
        ("kuzmin2018", "aao1729_data_s1.tsv"),
    ] {
        let input = fixture(file);
        ironcell(&[
            "ingest",
            name,
            "--db",
            &db,
            "--skip-bad-rows",
            "--input",
            input.to_str().unwrap(),
        ]);
    }
    let query = dir.join("query.toml");
    std::fs::write(
        &query,
        "labels = [\"fitness\", \"gene_interaction\"]\nmax_perturbations = 3\n[split]\nseed = 1\nvalidation = 0.1\ntest = 0.3\n",
    )
    .unwrap();
    let data = dir.join("data");
    ironcell(&[
        "dataset",
        "build",
        "--db",
        &db,
        "--select",
        query.to_str().unwrap(),
        "--out",
        data.to_str().unwrap(),
    ]);
    data
}

/// Waits until the run `child` rewrote the checkpoint `last` `count` times (each epoch
/// renames a new one into place), failing the test if `limit` passes or the run ends first:
/// the moment a kill test kills it.
pub fn await_checkpoints(child: &mut Child, last: &Path, count: usize, limit: Duration) {
    let started = Instant::now();
    let (mut checkpoints, mut seen) = (0, None);
    while checkpoints < count {
        assert!(started.elapsed() < limit, "no checkpoint appeared");
        if let Ok(meta) = std::fs::metadata(last) {
            let modified = meta.modified().unwrap();
            if seen != Some(modified) {
                seen = Some(modified);
                checkpoints += 1;
            }
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        thread::sleep(Duration::from_millis(5));
    }
}
