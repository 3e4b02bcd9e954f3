//! `ironcell train --config`: DCell and a tree model from the same kind of file, and exact
//! resume: a run killed with SIGKILL and resumed ends with the weights of a run never
//! interrupted, bit for bit.

mod common;

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use common::{
    await_checkpoints, chain_network, command, dataset_genes, ironcell, predict, predict_fails,
    two_label_dataset,
};

/// A DCell run over `data` with a warm-restarting schedule and gradient clipping; the
/// optimiser's moments and the batch-norm statistics are state a checkpoint must hold.
fn dcell_config(dir: &Path, data: &Path, epochs: usize) -> PathBuf {
    let path = dir.join("dcell.toml");
    std::fs::write(
        &path,
        format!(
            r#"[model]
kind = "dcell"
min_genes = 4

[data]
dataset = "{}"
splits = ["random"]

[training]
epochs = {epochs}
batch_size = 4
seed = 3
gradient_clip = 5.0
ensemble = 1

[training.optimizer]
kind = "adamw"
learning_rate = 0.01

[training.schedule]
kind = "cosine"
period = 3
multiplier = 2
"#,
            data.display()
        ),
    )
    .unwrap();
    path
}

/// Runs `ironcell train --config CONFIG --out RUN`; its standard output.
fn train(config: &Path, run: &Path) -> String {
    let out = ironcell(&[
        "train",
        "--config",
        config.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
    ]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn params(run: &Path) -> Vec<u8> {
    std::fs::read(run.join("random/dcell.params")).unwrap()
}

#[test]
fn a_killed_run_resumes_to_the_same_weights() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let config = dcell_config(dir.path(), &data, 24);

    let whole = dir.path().join("whole");
    train(&config, &whole);

    // The same run, killed once a few epochs are checkpointed.
    let cut = dir.path().join("cut");
    let mut child = command()
        .args(["train", "--config", config.to_str().unwrap(), "--out"])
        .arg(&cut)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let last = cut.join("random/checkpoints/last.ckpt");
    await_checkpoints(&mut child, &last, 3, Duration::from_secs(120));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        !cut.join("random/dcell.params").exists(),
        "killed before the end"
    );

    ironcell(&["train", "--resume", cut.to_str().unwrap()]);
    assert_eq!(params(&cut), params(&whole), "resumed weights differ");
    let history = |run: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(run.join("random/metrics.json")).unwrap()).unwrap()
    };
    let (a, b) = (history(&whole), history(&cut));
    assert_eq!(a["history"].as_array().unwrap().len(), 24);
    for (x, y) in a["history"]
        .as_array()
        .unwrap()
        .iter()
        .zip(b["history"].as_array().unwrap())
    {
        assert_eq!(x["train_loss"], y["train_loss"]);
        assert_eq!(x["validation"], y["validation"]);
        assert_eq!(x["learning_rate"], y["learning_rate"]);
    }
    // The schedule restarted within the run.
    let rates: Vec<f64> = a["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["learning_rate"].as_f64().unwrap())
        .collect();
    assert!(rates[2] < 0.01 && rates[3] == 0.01, "{rates:?}");
}

#[test]
fn a_tree_model_trains_from_the_same_kind_of_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let config = dir.path().join("gbt.toml");
    std::fs::write(
        &config,
        format!(
            r#"[model]
kind = "gbt"
features = ["codon", "go:2"]

[model.params.gbt]
rounds = 20

[data]
dataset = "{}"
splits = ["random", "gene_disjoint_all"]
fit_all = true

[training]
threads = 1
"#,
            data.display()
        ),
    )
    .unwrap();
    let run = dir.path().join("run");
    let text = train(&config, &run);
    assert!(
        text.contains("| gbt |") && text.contains("| mean |"),
        "{text}"
    );
    let card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("random/fitness/card.json")).unwrap())
            .unwrap();
    assert_eq!(
        (&card["kind"], &card["split"]),
        (&"gbt".into(), &"random".into())
    );
    // The validation part is merged into training, never dropped.
    assert!(card["trained_rows"].as_u64().unwrap() > 0);
    assert!(run.join("gene_disjoint_all/fitness/card.json").is_file());
    let saved = std::fs::read_to_string(run.join("config.toml")).unwrap();
    assert!(saved.contains("threads = 1"), "{saved}");
    // The model to deploy saw every labelled row and no split.
    let deployed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("all/fitness/card.json")).unwrap()).unwrap();
    assert!(deployed.get("split").is_none(), "{deployed}");
    assert!(
        deployed["trained_rows"].as_u64().unwrap() > card["trained_rows"].as_u64().unwrap(),
        "{deployed}"
    );
    let out = ironcell(&[
        "evaluate",
        "--run",
        run.to_str().unwrap(),
        "--resamples",
        "10",
    ]);
    assert!(run.join("evaluation.md").is_file());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("fitted on every row"),
        "the deployable model has no test part to be scored on"
    );
}

#[test]
fn a_tree_model_reads_neighbour_labels_and_keeps_them_for_predict() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let genes = dataset_genes(&data);
    let network = chain_network(dir.path(), &genes);
    let config = dir.path().join("gbt.toml");
    std::fs::write(
        &config,
        format!(
            r#"[model]
kind = "gbt"
features = ["codon"]
neighbour_labels = ["{}"]

[model.params.gbt]
rounds = 20

[data]
dataset = "{}"
splits = ["gene_disjoint_any"]
"#,
            network.display(),
            data.display()
        ),
    )
    .unwrap();
    let run = dir.path().join("run");
    let text = train(&config, &run);
    // Named as `baseline` names it.
    assert!(text.contains("| gbt+neighbours |"), "{text}");
    let model = run.join("gene_disjoint_any/gene_interaction");
    let card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model.join("card.json")).unwrap()).unwrap();
    assert!(
        card["inputs"]
            .as_str()
            .unwrap()
            .contains("with neighbour labels along 1 network"),
        "{card}"
    );
    // The recipe remembers the training genotypes and labels the columns are made of.
    let recipe: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model.join("recipe.json")).unwrap()).unwrap();
    let memory = &recipe["neighbours"];
    assert_eq!(
        memory["rows"].as_array().unwrap().len(),
        memory["values"].as_array().unwrap().len()
    );
    assert_eq!(
        memory["rows"].as_array().unwrap().len() as u64,
        card["trained_rows"].as_u64().unwrap()
    );
    // Any genotype is answered, of training genes or of genes the dataset never had.
    let genotypes = dir.path().join("g.tsv");
    std::fs::write(
        &genotypes,
        format!("{}+{}\nYGR098C+YHR023W\n", genes[0], genes[1]),
    )
    .unwrap();
    let predictions = dir.path().join("p.tsv");
    let table = predict(&model, &genotypes, &predictions);
    for line in table.lines().skip(1) {
        let value: f64 = line.split('\t').nth(2).unwrap().parse().unwrap();
        assert!(value.is_finite(), "{table}");
    }
    // A network file that is not there is named when the model is opened.
    std::fs::remove_file(&network).unwrap();
    let e = predict_fails(&model, &genotypes, &predictions);
    assert!(e.contains("chain.txt"), "{e}");
}

#[test]
fn fit_all_trains_dcell_for_the_epochs_early_stopping_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let config = dcell_config(dir.path(), &data, 6);
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[training.early_stopping]\npatience = 2\n"),
    )
    .unwrap();
    let run = dir.path().join("run");
    let out = ironcell(&[
        "train",
        "--config",
        config.to_str().unwrap(),
        "--fit-all",
        "--out",
        run.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let history = |dir: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(run.join(dir).join("metrics.json")).unwrap()).unwrap()
    };
    let kept = history("random")["kept_epoch"].as_u64().unwrap();
    let all = history("all");
    assert_eq!(
        all["history"].as_array().unwrap().len() as u64,
        kept + 1,
        "{text}"
    );
    assert!(text.contains("every row:"), "{text}");
}

#[test]
fn a_gene_set_model_trains_predicts_and_is_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let config = dir.path().join("gene_set.toml");
    std::fs::write(
        &config,
        format!(
            r#"[model]
kind = "gene_set"
features = ["codon", "go:2"]
head = "dango"
hidden = 16
attention_heads = 2
compose = ["fitness"]
objective = {{ kind = "soft", bins = 4, binning = {{ kind = "equal_width" }} }}

[data]
dataset = "{}"
splits = ["random", "gene_disjoint_any"]

[training]
epochs = 3
batch_size = 4
ensemble = 3
"#,
            data.display()
        ),
    )
    .unwrap();
    let run = dir.path().join("run");
    let text = train(&config, &run);
    // Three seeds per split, joined: the ensemble is scored, each member trained and recorded.
    assert!(text.contains("| gene_set×3 |"), "{text}");
    assert!(text.contains("split random, member 3: 3 epochs"), "{text}");
    let card = |dir: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join("card.json")).unwrap()).unwrap()
    };
    assert_eq!(card(&run.join("random"))["kind"], "ensemble");
    for seed in 0..3 {
        let member = card(&run.join(format!("random/seed-{seed}")));
        assert_eq!(member["kind"], "gene_set");
        assert_eq!(
            member["labels"],
            serde_json::json!(["fitness", "gene_interaction"])
        );
    }
    assert!(run.join("gene_disjoint_any/seed-2/metrics.csv").is_file());
    // The members are named relative to the ensemble: the run directory can move.
    let moved = dir.path().join("moved");
    std::fs::rename(&run, &moved).unwrap();
    let run = moved;

    // A run killed between members resumes: the finished members are kept as they were, the
    // missing one is trained, the ensemble written last.
    let weights = run.join("random/seed-0/weights.mpk");
    let before = std::fs::metadata(&weights).unwrap().modified().unwrap();
    std::fs::remove_dir_all(run.join("random/seed-2")).unwrap();
    std::fs::remove_file(run.join("random/card.json")).unwrap();
    ironcell(&["train", "--resume", run.to_str().unwrap()]);
    assert_eq!(
        std::fs::metadata(&weights).unwrap().modified().unwrap(),
        before
    );
    assert_eq!(card(&run.join("random/seed-2"))["kind"], "gene_set");
    assert_eq!(card(&run.join("random"))["kind"], "ensemble");

    // `evaluate` scores the ensemble, not its members one by one, with the calibration of
    // the members' spread.
    ironcell(&[
        "evaluate",
        "--run",
        run.to_str().unwrap(),
        "--resamples",
        "10",
    ]);
    let scored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("evaluation.json")).unwrap()).unwrap();
    let scored = scored.as_array().unwrap();
    assert!(scored.iter().all(|o| o["model"] == "gene_set×3"));
    assert!(scored.iter().any(|o| o["split"] == "random"
        && o["subset"] == "all"
        && o["metrics"]["coverage_90"]["value"].is_number()
        && o["metrics"]["spread_error_spearman"]["value"].is_number()));
    // Any saved model answers `predict`: both labels, for genes never seen in training too.
    let genotypes = dir.path().join("g.tsv");
    std::fs::write(&genotypes, "YAL001C+YBR002C\nACT1\n").unwrap();
    let predictions = dir.path().join("p.tsv");
    let table = predict(&run.join("random"), &genotypes, &predictions);
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 3, "{table}");
    // Each label's prediction and the members' spread around it.
    let column = |name: &str| rows[0].iter().position(|c| *c == name).expect(name);
    for name in [
        "fitness",
        "fitness_sd",
        "gene_interaction",
        "gene_interaction_sd",
    ] {
        for row in &rows[1..] {
            assert!(
                row[column(name)].parse::<f64>().unwrap().is_finite(),
                "{table}"
            );
        }
    }
}

#[test]
fn bench_models_times_a_gene_set_model_over_the_genome() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bench");
    ironcell(&[
        "bench",
        "models",
        "--head",
        "pairwise",
        "--graphs",
        "yeast-screens/networks/Krogan-2006.txt.gz",
        "--batch",
        "16",
        "--steps",
        "2",
        "--dir",
        out.to_str().unwrap(),
    ]);
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let ours = &results["engines"][0];
    assert_eq!(ours["step_seconds"].as_array().unwrap().len(), 2);
    assert!(ours["instances_per_second"].as_f64().unwrap() > 0.0);
    assert!(results["edges"].as_u64().unwrap() > 1000, "{results}");
    // The case the PyTorch reference reads: three batches of 16 pairs, the message edges.
    let case: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("case.json")).unwrap()).unwrap();
    assert_eq!(case["genotypes"].as_array().unwrap().len(), 48);
    assert_eq!(case["head"], "pairwise");
    let genes = case["genes"].as_u64().unwrap() as usize;
    let dim = case["dim"].as_u64().unwrap() as usize;
    let features = std::fs::metadata(out.join("features.f32")).unwrap().len() as usize;
    assert_eq!(features, genes * dim * 4);
}
