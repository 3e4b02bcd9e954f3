//! `ironcell train` and `explain` on a dataset built by `ironcell dataset build` from
//! published-format fixtures: two labels (fitness and ε, many missing), the real filtered GO.

mod common;

use std::path::Path;

use common::{ironcell, ironcell_fails, two_label_dataset};

#[test]
fn trains_on_a_built_dataset_and_explains_a_genotype() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let data = data.to_str().unwrap();

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
        "--ensemble",
        "1",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("| dcell |") && text.contains("| mean |"),
        "{text}"
    );
    // The test set scored beside the training mean, as `evaluate` scores it, and the
    // predictions behind the scores for `report`.
    assert!(Path::new(run).join("test_rows.tsv").is_file());
    let tested: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(run).join("evaluation.json")).unwrap())
            .unwrap();
    let fitness = tested
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "fitness" && r["model"] == "dcell" && r["subset"] == "all")
        .expect("a DCell row for fitness");
    assert!(fitness["n_test"].as_u64().unwrap() > 0);
    assert!(fitness["metrics"]["mse"]["value"]
        .as_f64()
        .unwrap()
        .is_finite());
    // Each epoch's training loss, as JSON and CSV.
    let history: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(run).join("random/metrics.json")).unwrap())
            .unwrap();
    assert_eq!(history["history"].as_array().unwrap().len(), 2);
    let csv = std::fs::read_to_string(Path::new(run).join("random/metrics.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(Path::new(run).join("config.toml").is_file());

    let model = Path::new(run).join("random");
    let model = model.to_str().unwrap();

    // `evaluate` reproduces the test metrics `train` recorded, and says more: intervals, and
    // the test set by genotype size.
    ironcell(&["evaluate", "--run", run, "--resamples", "20"]);
    let outcomes: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(run).join("evaluation.json")).unwrap())
            .unwrap();
    let card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(run).join("random/card.json")).unwrap())
            .unwrap();
    let all = outcomes
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["label"] == "fitness" && o["subset"] == "all" && o["split"] == "random")
        .expect("DCell scored on fitness");
    assert_eq!(all["model"], "dcell");
    for metric in ["mse", "r2"] {
        assert_eq!(
            all["metrics"][metric]["value"].as_f64(),
            card["metrics"]["fitness"][metric].as_f64(),
            "{metric}"
        );
    }
    assert_eq!(all["n_test"], fitness["n_test"], "the same test genotypes");

    // DCell answers `predict` like any saved model: both labels, genes unseen in training
    // flagged.
    let genotypes = dir.path().join("g.tsv");
    std::fs::write(&genotypes, "YAL001C+YBR002C\nACT1\n").unwrap();
    let predictions = dir.path().join("p.tsv");
    ironcell(&[
        "predict",
        "--model",
        model,
        "--genotypes",
        genotypes.to_str().unwrap(),
        "--out",
        predictions.to_str().unwrap(),
    ]);
    let table = std::fs::read_to_string(&predictions).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "genotype\tenvironment\tfitness\tgene_interaction\tunseen_genes"
    );
    let act1: Vec<&str> = lines[2].split('\t').collect();
    assert!(act1[2].parse::<f64>().unwrap().is_finite(), "{table}");
    assert_eq!(act1[4], "YFL039C", "{table}");
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
    assert!(text.contains("fitness (dcell model): wild type"), "{text}");
    // What each gene adds: the genotype's prediction less the one without it.
    assert!(text.contains("  YBR002C    without it "), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.contains(" GO:")).count(),
        5,
        "{text}"
    );

    // RLIPP needs test instances to fit its ridge models on: too few is said, not guessed
    // (the quickstart's test scores a dataset large enough).
    let stderr = ironcell_fails(&[
        "explain",
        "--model",
        model,
        "--genotype",
        "YAL001C,YBR002C",
        "--dataset",
        data,
    ]);
    assert!(stderr.contains("RLIPP needs at least 20"), "{stderr}");

    let stderr = ironcell_fails(&[
        "explain",
        "--model",
        model,
        "--genotype",
        "YAL001C,NOT_A_GENE",
    ]);
    assert!(stderr.contains("NOT_A_GENE"), "{stderr}");

    // One split vocabulary: the old names are refused with the new one.
    for (old, new) in [
        ("gene_disjoint", "gene_disjoint_all"),
        ("gene_disjoint_both", "gene_disjoint_all"),
        ("test_genes", "test_genes_all"),
    ] {
        let stderr = ironcell_fails(&["train", "--dataset", data, "--split", old]);
        assert!(stderr.contains(new), "{old}: {stderr}");
    }
}
