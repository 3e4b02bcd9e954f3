//! End-to-end: the quickstart on a reduced configuration of the bundled real data.

use std::process::Command;

#[test]
fn quickstart_reduced_writes_store_metrics_and_plots() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_ironcell"))
        .args([
            "quickstart",
            "--max-instances",
            "400",
            "--epochs",
            "1",
            "--batch-size",
            "64",
        ])
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    for file in [
        "ironcell.sqlite",
        "metrics.json",
        "scatter_random.png",
        "scatter_gene_disjoint.png",
    ] {
        let meta = std::fs::metadata(out.path().join(file)).unwrap();
        assert!(meta.len() > 0, "{file} is empty");
    }
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("metrics.json")).unwrap()).unwrap();
    let splits = metrics["splits"].as_array().unwrap();
    assert_eq!(splits.len(), 2);
    for split in splits {
        let models: Vec<&str> = split["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["model"].as_str().unwrap())
            .collect();
        for m in ["DCell", "random forest", "ridge one-hot", "mean"] {
            assert!(models.contains(&m), "{m} missing in {models:?}");
        }
        assert!(split["sizes"]["test"].as_u64().unwrap() > 0);
    }
    // 10,859 strains, one record per temperature with a value.
    assert_eq!(metrics["data"]["costanzo2016_smf"]["read"], 20484);
    // Deletion strains at 30°: the published count of 7,964 less those without a 30° value.
    assert!(
        metrics["data"]["costanzo2016_smf"]["kept"]
            .as_u64()
            .unwrap()
            > 7_000
    );
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let genbank = dir.path().join("gb");
    std::fs::create_dir(&genbank).unwrap();
    std::fs::write(genbank.join("chr01.gb"), "LOCUS       X\nFEATURES             Location/Qualifiers\n     gene            1..x\n                     /locus_tag=\"YAL001C\"\n//\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ironcell"))
        .args([
            "reference",
            "build",
            "--obo",
            "none.obo",
            "--deletion-table",
            "none.txt",
        ])
        .arg("--genbank")
        .arg(&genbank)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("chr01.gb:3: malformed location"),
        "{stderr}"
    );
}
