//! End-to-end: the quickstart on a reduced configuration of the measured data in the data
//! directory, and what it says when the data directory lacks it.

// These tests build no dataset, so `two_label_dataset` goes unused here.
#[allow(dead_code)]
mod common;

#[test]
fn quickstart_reduced_writes_store_metrics_and_plots() {
    let out = tempfile::tempdir().unwrap();
    let status = common::command()
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
        "scatter_gene_disjoint_all.png",
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
    let output = common::command()
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

#[test]
fn an_empty_data_directory_is_a_clear_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("data");
    std::fs::create_dir(&empty).unwrap();
    let out = dir.path().join("out");
    let output = common::command()
        .arg("quickstart")
        .arg("--data")
        .arg(&empty)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "missing data file yeast-screens/costanzo2016/strain_ids_and_single_mutant_fitness.xlsx",
        &format!("looked in {} (given by --data)", empty.display()),
        &format!(
            "ironcell fetch costanzo2016 kuzmin2018-subset yeast-reference --to {}",
            empty.display()
        ),
        "IRONCELL_DATA=/path/to/data",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in:\n{stderr}");
    }
    assert!(!out.exists(), "the output directory was created");
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "the data directory was written"
    );
}
