//! End-to-end: the quickstart on a reduced configuration of the measured data in the data
//! directory, and what it says when the data directory lacks it.

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
        "report.html",
        "evaluation.json",
        "test_rows.tsv",
    ] {
        let meta = std::fs::metadata(out.path().join(file)).unwrap();
        assert!(meta.len() > 0, "{file} is empty");
    }
    // The report compares the models (not DCell alone): every one is drawn, the forest's
    // spread calibrated, DCell's loss curve per split.
    let report = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    for kind in [
        "accuracy",
        "scatter",
        "learning",
        "residuals",
        "calibration",
    ] {
        assert!(
            report.contains(&format!("data-figure=\"{kind}\"")),
            "no {kind} figure"
        );
    }
    for model in [
        "DCell",
        "random forest",
        "ridge one-hot",
        "mean",
        "multiplicative",
    ] {
        assert!(
            report.contains(&format!("<td>{model}</td>")),
            "{model} missing"
        );
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
    // Every split's models are saved for `predict`, `explain`, `evaluate` and `design`.
    for split in ["random", "gene_disjoint_all"] {
        for model in ["dcell", "rf"] {
            let card = out
                .path()
                .join("models")
                .join(split)
                .join(model)
                .join("card.json");
            assert!(card.is_file(), "{} missing", card.display());
        }
    }
    design_ranks_doubles_with_the_saved_models(out.path());
    explain_scores_dcell_subsystems_by_rlipp(out.path());
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

/// `explain --dataset` on the quickstart's DCell: every subsystem scored by RLIPP on the test
/// part of the split, highest first.
fn explain_scores_dcell_subsystems_by_rlipp(out: &std::path::Path) {
    let output = common::command()
        .args(["explain", "--model"])
        .arg(out.join("models/random/dcell"))
        .args(["--genotype", "YAL001C,YBR002C", "--top", "3", "--dataset"])
        .arg(out.join("dataset"))
        .args(["--split", "random"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rlipp = text
        .split("\nRLIPP over ")
        .nth(1)
        .unwrap_or_else(|| panic!("no RLIPP section: {text}"));
    let n: usize = rlipp.split(' ').next().unwrap().parse().unwrap();
    assert!(n >= 20, "{text}");
    let ranked: Vec<f64> = rlipp
        .lines()
        .skip(2)
        .take_while(|l| l.contains(" GO:"))
        .map(|l| l.split_whitespace().nth(3).unwrap().parse().unwrap())
        .collect();
    assert_eq!(ranked.len(), 3, "{text}");
    assert!(
        ranked.windows(2).all(|w| w[0] >= w[1]) && ranked.iter().all(|r| r.is_finite()),
        "highest first: {text}"
    );
}

/// `design` on the quickstart's forest: the 50 sickest doubles of 520 candidate genes, every
/// pair scored, with the trees' spread; on its DCell, the subsystems each double disturbs.
fn design_ranks_doubles_with_the_saved_models(out: &std::path::Path) {
    let genes = common::dataset_genes(&out.join("dataset"));
    let candidates = out.join("candidates.txt");
    std::fs::write(&candidates, genes[..520].join("\n")).unwrap();
    let table = out.join("design.tsv");
    let run = |model: &str, extra: &[&str]| {
        let output = common::command()
            .args(["design", "--model"])
            .arg(out.join("models/random").join(model))
            .args(["--objective", "min-fitness", "--order", "2"])
            .arg("--candidates")
            .arg(&candidates)
            .arg("--out")
            .arg(&table)
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        (stdout, std::fs::read_to_string(&table).unwrap())
    };
    let (stdout, text) = run("rf", &["--exclude", "essential"]);
    assert!(stdout.contains("(every genotype)"), "{stdout}");
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        lines[0],
        [
            "rank",
            "genotype",
            "fitness",
            "sd",
            "low_90",
            "high_90",
            "unseen_genes"
        ]
    );
    assert_eq!(lines.len(), 51, "{text}");
    let number = |row: &[&str], k: usize| row[k].parse::<f64>().unwrap();
    for pair in lines[1..].windows(2) {
        assert!(
            number(&pair[0], 2) <= number(&pair[1], 2),
            "not ranked: {pair:?}"
        );
    }
    for row in &lines[1..] {
        assert_eq!(row[1].split('+').count(), 2);
        let (p, low, high) = (number(row, 2), number(row, 4), number(row, 5));
        assert!(low <= high && number(row, 3) >= 0.0, "{row:?}");
        assert!(p.is_finite());
    }

    // DCell over the first 20 candidates: every pair, and the subsystems each one moves.
    std::fs::write(&candidates, genes[..20].join("\n")).unwrap();
    let (stdout, text) = run("dcell", &["--top", "5"]);
    assert!(stdout.contains("190 scored"), "{stdout}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[0].ends_with("unseen_genes\tsubsystems"), "{text}");
    let first: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(first[3], "", "DCell is one model: no spread");
    assert!(!first[7].is_empty(), "no subsystems named: {text}");
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
