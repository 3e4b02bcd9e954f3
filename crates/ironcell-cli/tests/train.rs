//! `ironcell train` and `explain` on a dataset built by `ironcell dataset build` from
//! published-format fixtures: two labels (fitness and ε, many missing), the real filtered GO.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ironcell-sources/tests/fixtures")
        .join(name)
}

fn ironcell(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_ironcell"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ironcell {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn trains_on_a_built_dataset_and_explains_a_genotype() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("kg.sqlite").display());
    let sga = fixture("SGA_ExE.txt");
    let kuzmin = fixture("aao1729_data_s1.tsv");
    ironcell(&[
        "ingest",
        "costanzo2016",
        "--db",
        &db,
        "--skip-bad-rows",
        "--input",
        sga.to_str().unwrap(),
    ]);
    ironcell(&[
        "ingest",
        "kuzmin2018",
        "--db",
        &db,
        "--skip-bad-rows",
        "--input",
        kuzmin.to_str().unwrap(),
    ]);
    let query = dir.path().join("query.toml");
    std::fs::write(
        &query,
        "labels = [\"fitness\", \"gene_interaction\"]\nmax_perturbations = 3\n[split]\nseed = 1\nvalidation = 0.1\ntest = 0.3\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    ironcell(&[
        "dataset",
        "build",
        "--db",
        &db,
        "--select",
        query.to_str().unwrap(),
        "--out",
        data,
    ]);

    let run = dir.path().join("run");
    let run = run.to_str().unwrap();
    let out = ironcell(&[
        "train",
        "--dataset",
        data,
        "--out",
        run,
        "--split",
        "random",
        "--epochs",
        "2",
        "--batch-size",
        "4",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DCell") && text.contains("mean"), "{text}");
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(run).join("random/metrics.json")).unwrap())
            .unwrap();
    let rows = metrics["test_metrics"].as_array().unwrap();
    let fitness = rows
        .iter()
        .find(|r| r["label"] == "fitness" && r["model"] == "DCell")
        .expect("a DCell row for fitness");
    assert!(fitness["metrics"]["n"].as_u64().unwrap() > 0);
    assert!(fitness["metrics"]["mse"].as_f64().unwrap().is_finite());
    assert_eq!(metrics["loss_by_epoch"].as_array().unwrap().len(), 2);

    let model = Path::new(run).join("random");
    let model = model.to_str().unwrap();
    let out = ironcell(&[
        "explain",
        "--model",
        model,
        "--genotype",
        "YAL001C,YBR002C",
        "--top",
        "5",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("wild type"), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.contains(" GO:")).count(),
        5,
        "{text}"
    );

    let bad = Command::new(env!("CARGO_BIN_EXE_ironcell"))
        .args([
            "explain",
            "--model",
            model,
            "--genotype",
            "YAL001C,NOT_A_GENE",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("NOT_A_GENE"));
}
