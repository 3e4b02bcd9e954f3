//! `ironcell baseline` (splits, cross-validation, the grid) and `ironcell predict` on a dataset
//! built from published-format fixtures.

mod common;

use std::path::Path;

use common::{
    chain_network, dataset_genes, ironcell, ironcell_fails, predict, predict_fails,
    two_label_dataset,
};

#[test]
fn baselines_train_test_save_and_predict() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let data = data.to_str().unwrap();
    let run = dir.path().join("run");
    let run = run.to_str().unwrap();

    let out = ironcell(&[
        "baseline",
        "--dataset",
        data,
        "--model",
        "rf",
        "--trees",
        "10",
        "--features",
        "codon,go:2",
        "--label",
        "fitness",
        "--fit-all",
        "--out",
        run,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("gene_disjoint_all") && text.contains("mean"),
        "{text}"
    );
    // The model to deploy: every labelled row, no split, no test metrics it never earned.
    let deployed: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(run).join("all/fitness/card.json")).unwrap(),
    )
    .unwrap();
    assert!(deployed.get("split").is_none(), "{deployed}");
    assert!(
        deployed["metrics"].as_object().is_none_or(|m| m.is_empty()),
        "{deployed}"
    );
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(run).join("metrics.json")).unwrap())
            .unwrap();
    let rows = metrics.as_array().unwrap();
    assert_eq!(rows.len(), 4, "rf and mean on two splits: {rows:?}");
    for r in rows {
        assert!(r["n_test"].as_u64().unwrap() > 0);
        assert!(r["mse"].as_f64().unwrap().is_finite());
    }

    // Three folds, each model beside the mean, then the mean ± std summary.
    let cv_run = dir.path().join("cv");
    let out = ironcell(&[
        "baseline",
        "--dataset",
        data,
        "--model",
        "enet",
        "--standardize",
        "--features",
        "onehot,codon",
        "--pooling",
        "concat",
        "--cv",
        "3",
        "--label",
        "fitness",
        "--out",
        cv_run.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().filter(|l| l.contains(" fold")).count(),
        6,
        "{text}"
    );
    assert!(text.contains("mean ± std"), "{text}");
    // Every saved model has a card: what it is, what it learned from, how it tested.
    let card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cv_run.join("cv/fitness/card.json")).unwrap())
            .unwrap();
    assert_eq!(card["kind"], "enet");
    assert!(card.get("split").is_none(), "fitted on every row: {card}");
    assert!(
        card["metrics"]["fitness"]["mse"].as_f64().is_some(),
        "{card}"
    );
    let card: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(run).join("random/fitness/card.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        (&card["kind"], &card["split"]),
        (&"rf".into(), &"random".into())
    );
    assert_eq!(card["labels"], serde_json::json!(["fitness"]));
    assert_eq!(
        card["dataset"]["instances_sha256"].as_str().unwrap().len(),
        64
    );
    assert!(!card["trained_genes"].as_array().unwrap().is_empty());

    // Scoring: a known pair, a gene by its standard name with an environment, and a gene the
    // split never trained on.
    let genotypes = dir.path().join("g.tsv");
    std::fs::write(&genotypes, "YAL001C+YBR002C\n# a comment\nACT1\tYPD\n").unwrap();
    let predictions = dir.path().join("p.tsv");
    let model = Path::new(run).join("random/fitness");
    // The same command scores the good file, then the bad one.
    let predict_args = [
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--genotypes",
        genotypes.to_str().unwrap(),
        "--out",
        predictions.to_str().unwrap(),
    ];
    let out = ironcell(&predict_args);
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 genotypes scored"));
    let table = std::fs::read_to_string(&predictions).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    // A forest's trees give each prediction a spread.
    assert_eq!(
        lines[0],
        "genotype\tenvironment\tfitness\tfitness_sd\tfitness_low_90\tfitness_high_90\tunseen_genes"
    );
    let act1: Vec<&str> = lines[2].split('\t').collect();
    assert_eq!(act1[0], "YFL039C");
    assert_eq!(act1[1], "YPD");
    let number = |k: usize| act1[k].parse::<f64>().unwrap();
    assert!(number(2).is_finite() && number(3) >= 0.0 && number(4) <= number(5));
    assert_eq!(act1[6], "YFL039C", "ACT1 is in no fixture genotype");

    // `explain` asks any model what each gene of a genotype adds.
    let out = ironcell(&[
        "explain",
        "--model",
        model.to_str().unwrap(),
        "--genotype",
        "YAL001C,YBR002C",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("fitness (rf model): wild type"), "{text}");
    assert_eq!(text.matches(" adds ").count(), 2, "{text}");

    // The cross-validated elastic net (one-hot, concatenated, standardised) scores the same
    // file through the same interface.
    let cv_model = cv_run.join("cv/fitness");
    let cv_predictions = dir.path().join("cv.tsv");
    let table = predict(&cv_model, &genotypes, &cv_predictions);
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(
        table.starts_with("genotype\tenvironment\tfitness\tunseen_genes\n"),
        "one model has no spread: {table}"
    );
    // A table into a folder that is not there is refused before any model is opened.
    let nowhere = dir.path().join("missing/p.tsv");
    let stderr = predict_fails(&cv_model, &genotypes, &nowhere);
    assert!(stderr.contains("does not exist"), "{stderr}");

    // `design` over two candidates asks for their one pair: the forest's answer is
    // `predict`'s, with its trees' spread; the elastic net is one model, without a spread.
    let candidates = dir.path().join("candidates.txt");
    std::fs::write(&candidates, "YBR002C\n# a comment\nYAL001C\n").unwrap();
    let designed = dir.path().join("design.tsv");
    let design = |model: &Path| {
        let out = ironcell(&[
            "design",
            "--model",
            model.to_str().unwrap(),
            "--objective",
            "max-fitness",
            "--candidates",
            candidates.to_str().unwrap(),
            "--out",
            designed.to_str().unwrap(),
        ]);
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 scored (every genotype)"));
        let table = std::fs::read_to_string(&designed).unwrap();
        table.lines().nth(1).unwrap().to_owned()
    };
    let row = design(&model);
    let fields: Vec<&str> = row.split('\t').collect();
    assert_eq!(fields[..2], ["1", "YAL001C+YBR002C"], "{row}");
    let predicted = std::fs::read_to_string(&predictions).unwrap();
    let first: Vec<&str> = predicted.lines().nth(1).unwrap().split('\t').collect();
    assert_eq!(fields[2], first[2], "design and predict disagree");
    let (low, high) = (
        fields[4].parse::<f64>().unwrap(),
        fields[5].parse::<f64>().unwrap(),
    );
    assert!(
        fields[3].parse::<f64>().unwrap() >= 0.0 && low <= high,
        "{row}"
    );
    let row = design(&cv_model);
    assert_eq!(row.split('\t').nth(3), Some(""), "{row}");
    // `evaluate` says how far the forest's spread can be trusted on the test part.
    ironcell(&["evaluate", "--run", run, "--resamples", "20"]);
    let outcomes: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(run).join("evaluation.json")).unwrap())
            .unwrap();
    let all = outcomes
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["model"] == "rf" && o["subset"] == "all")
        .unwrap();
    let coverage = all["metrics"]["coverage_90"]["value"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&coverage), "{all}");
    assert!(all["metrics"]["spread_error_spearman"].is_object(), "{all}");

    std::fs::write(&genotypes, "YAL001C+NOT_A_GENE\n").unwrap();
    let stderr = ironcell_fails(&predict_args);
    assert!(
        stderr.contains("g.tsv:1:") && stderr.contains("NOT_A_GENE"),
        "{stderr}"
    );
}

#[test]
fn bootstrap_boosting_gives_gbt_a_spread() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let run = dir.path().join("bagged");
    let args = |model: &'static str| {
        vec![
            "baseline".to_owned(),
            "--dataset".to_owned(),
            data.display().to_string(),
            "--model".to_owned(),
            model.to_owned(),
            "--trees".to_owned(),
            "20".to_owned(),
            "--bags".to_owned(),
            "4".to_owned(),
            "--features".to_owned(),
            "codon,go:2".to_owned(),
            "--label".to_owned(),
            "fitness".to_owned(),
            "--split".to_owned(),
            "random".to_owned(),
            "--out".to_owned(),
            run.display().to_string(),
        ]
    };
    let refused = ironcell_fails(&args("rf").iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        refused.contains("--bags") && refused.contains("gbt"),
        "{refused}"
    );
    ironcell(&args("gbt").iter().map(String::as_str).collect::<Vec<_>>());
    let genotypes = dir.path().join("g.tsv");
    std::fs::write(&genotypes, "YAL001C+YBR002C\nYAL002W\n").unwrap();
    let predictions = dir.path().join("p.tsv");
    let table = predict(&run.join("random/fitness"), &genotypes, &predictions);
    let header: Vec<&str> = table.lines().next().unwrap().split('\t').collect();
    assert_eq!(
        header[2..6],
        ["fitness", "fitness_sd", "fitness_low_90", "fitness_high_90"],
        "{table}"
    );
    for line in table.lines().skip(1) {
        let v: Vec<f64> = line.split('\t').collect::<Vec<_>>()[2..6]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        // Four bags on resampled rows disagree; the interval holds their mean.
        assert!(v[1] > 0.0 && v[2] <= v[0] && v[0] <= v[3], "{table}");
    }

    // Calibrated on the validation part, the interval is q standard deviations either side.
    let model = run.join("random/fitness");
    let out = ironcell(&[
        "calibrate",
        "--model",
        model.to_str().unwrap(),
        "--level",
        "0.5",
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("random validation") && said.contains("× its sd"),
        "{said}"
    );
    let calibration: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model.join("conformal.json")).unwrap()).unwrap();
    let q = calibration["scales"][0]["q"].as_f64().unwrap();
    let table = predict(&model, &genotypes, &predictions);
    for line in table.lines().skip(1) {
        let v: Vec<f64> = line.split('\t').collect::<Vec<_>>()[2..6]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        let half = q * v[1].max(calibration["scales"][0]["sd_floor"].as_f64().unwrap());
        assert!(
            (v[3] - v[0] - half).abs() < 1e-6 && (v[0] - v[2] - half).abs() < 1e-6,
            "{table}"
        );
    }

    // An edited calibration is refused too: the card seals it.
    let conformal = model.join("conformal.json");
    let text = std::fs::read_to_string(&conformal).unwrap();
    std::fs::write(&conformal, text.replacen("\"q\": ", "\"q\": 1", 1)).unwrap();
    let e = predict_fails(&model, &genotypes, &predictions);
    assert!(e.contains("conformal.json") && e.contains("sha256"), "{e}");
    std::fs::write(&conformal, text).unwrap();

    // One flipped byte in the saved trees: refused on opening, not a different answer.
    let trees = model.join("trees.bin");
    let mut bytes = std::fs::read(&trees).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(&trees, bytes).unwrap();
    let e = predict_fails(&model, &genotypes, &predictions);
    assert!(e.contains("trees.bin") && e.contains("sha256"), "{e}");
}

#[test]
fn an_ensemble_of_seeds_answers_with_their_spread() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let mut members = Vec::new();
    for seed in ["1", "2"] {
        let run = dir.path().join(format!("gbt{seed}"));
        ironcell(&[
            "baseline",
            "--dataset",
            data.to_str().unwrap(),
            "--model",
            "gbt",
            "--trees",
            "20",
            "--features",
            "codon,go:2",
            "--label",
            "fitness",
            "--split",
            "random",
            "--seed",
            seed,
            "--out",
            run.to_str().unwrap(),
        ]);
        members.push(run.join("random/fitness"));
    }
    let ensemble = dir.path().join("ensemble/random");
    let out = ironcell(&[
        "ensemble",
        "--model",
        members[0].to_str().unwrap(),
        "--model",
        members[1].to_str().unwrap(),
        "--out",
        ensemble.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the mean of 2 gbt models"), "{text}");

    let genotypes = dir.path().join("g.tsv");
    std::fs::write(&genotypes, "YAL001C+YBR002C\n").unwrap();
    let predictions = dir.path().join("p.tsv");
    let table = predict(&ensemble, &genotypes, &predictions);
    let row: Vec<f64> = table
        .lines()
        .nth(1)
        .unwrap()
        .split('\t')
        .collect::<Vec<_>>()[2..6]
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    // Two members: the interval lies between their answers, around their mean.
    assert!(
        row[1] >= 0.0 && row[2] <= row[0] && row[0] <= row[3],
        "{table}"
    );

    // Evaluated as any saved model, with the calibration of its spread.
    ironcell(&[
        "evaluate",
        "--run",
        dir.path().join("ensemble").to_str().unwrap(),
        "--resamples",
        "20",
    ]);
    let outcomes: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("ensemble/evaluation.json")).unwrap(),
    )
    .unwrap();
    let all = outcomes
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["model"] == "gbt×2" && o["subset"] == "all")
        .unwrap();
    assert!(
        all["metrics"]["coverage_90"]["value"].as_f64().is_some(),
        "{all}"
    );
}

#[test]
fn the_grid_writes_one_line_per_setting() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let run = dir.path().join("grid");
    ironcell(&[
        "baseline",
        "--dataset",
        data.to_str().unwrap(),
        "--model",
        "gbt",
        "--grid",
        "--features",
        "codon",
        "--label",
        "fitness",
        "--split",
        "random",
        "--out",
        run.to_str().unwrap(),
    ]);
    let table = std::fs::read_to_string(run.join("grid.tsv")).unwrap();
    assert_eq!(table.lines().count(), 1 + 27, "{table}");
}

#[test]
fn bench_accuracy_scores_the_multiplicative_model_on_held_out_double_mutants() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("acc");
    ironcell(&[
        "bench",
        "accuracy",
        "--tasks",
        "dmf",
        "--models",
        "mean,multiplicative,gbt",
        "--trees",
        "5",
        "--resamples",
        "20",
        "--out",
        out.to_str().unwrap(),
    ]);
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("accuracy.json")).unwrap()).unwrap();
    let results = doc["results"].as_array().unwrap();
    let find = |split: &str, model: &str| {
        results
            .iter()
            .find(|r| r["split"] == split && r["model"] == model)
            .unwrap_or_else(|| panic!("{split} {model} missing"))
    };
    for split in ["random", "gene_disjoint_any", "gene_disjoint_all"] {
        let mean = &find(split, "mean")["metrics"];
        assert!(mean["mse"]["value"].as_f64().unwrap() > 0.0);
        let m = &find(split, "multiplicative")["metrics"]["pearson"];
        let (value, low, high) = (
            m["value"].as_f64().unwrap(),
            m["low"].as_f64().unwrap(),
            m["high"].as_f64().unwrap(),
        );
        // The product of single-mutant fitnesses predicts measured double mutants well,
        // whatever genes are held out; the interval brackets the estimate.
        assert!(value > 0.5, "{split}: {value}");
        assert!(
            low <= value && value <= high,
            "{split}: {low} {value} {high}"
        );
    }
    // A learned model is also scored on exactly the genotypes the null models score.
    for split in ["random", "gene_disjoint_any", "gene_disjoint_all"] {
        let same = results
            .iter()
            .find(|r| {
                r["split"] == split && r["model"] == "gbt" && r["subset"] == "singles_measured"
            })
            .unwrap_or_else(|| panic!("{split}: gbt on the null models' rows missing"));
        assert_eq!(
            same["n_test"],
            find(split, "multiplicative")["n_test"],
            "{split}"
        );
    }
    let table = std::fs::read_to_string(out.join("accuracy.md")).unwrap();
    assert!(
        table.contains("| dmf | gene_disjoint_all | multiplicative |"),
        "{table}"
    );
}

/// `baseline --neighbour-labels`: the columns are fitted on each split's training rows,
/// kept with the saved model, and `calibrate` then scores the model on its validation part
/// (which `train`'s feature models, fitted on training and validation rows, cannot offer).
#[test]
fn neighbour_labels_join_a_baseline_and_its_calibration() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let genes = dataset_genes(&data);
    let network = chain_network(dir.path(), &genes);
    let run = dir.path().join("run");
    let out = ironcell(&[
        "baseline",
        "--dataset",
        data.to_str().unwrap(),
        "--model",
        "gbt",
        "--trees",
        "20",
        "--bags",
        "3",
        "--features",
        "codon",
        "--neighbour-labels",
        network.to_str().unwrap(),
        "--label",
        "fitness",
        "--split",
        "random",
        "--out",
        run.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("gbt+neighbours"), "{text}");
    let model = run.join("random/fitness");
    let card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model.join("card.json")).unwrap()).unwrap();
    assert!(
        card["inputs"]
            .as_str()
            .unwrap()
            .contains("with neighbour labels along 1 network"),
        "{card}"
    );
    assert!(
        card["metrics"]["fitness"]["mse"].is_number(),
        "the card keeps the test metrics of the model it saved: {card}"
    );
    let out = ironcell(&[
        "calibrate",
        "--model",
        model.to_str().unwrap(),
        "--level",
        "0.5",
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("random validation"), "{said}");
    let genotypes = dir.path().join("g.tsv");
    std::fs::write(
        &genotypes,
        format!("{}+{}\nYGR098C+YHR023W\n", genes[0], genes[1]),
    )
    .unwrap();
    let table = predict(&model, &genotypes, &dir.path().join("p.tsv"));
    for line in table.lines().skip(1) {
        let v: Vec<f64> = line.split('\t').collect::<Vec<_>>()[2..6]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        assert!(
            v.iter().all(|x| x.is_finite()) && v[2] <= v[0] && v[0] <= v[3],
            "{table}"
        );
    }
}
