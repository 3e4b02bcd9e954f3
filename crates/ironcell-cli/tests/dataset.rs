//! `ironcell dataset build --test-genes` and `ironcell dataset graph` on a dataset built from
//! published-format fixtures.

mod common;

use common::{dataset_genes, ironcell, ironcell_fails, two_label_dataset};

#[test]
fn held_out_genes_and_graphs_join_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let genes = dataset_genes(&data);

    // Two of the dataset's genes and one it lacks, held out.
    let list = dir.path().join("held_out.txt");
    std::fs::write(
        &list,
        format!("# mine\n{}\n{}\nYPR999W\n", genes[0], genes[1]),
    )
    .unwrap();
    let db = format!("sqlite://{}", dir.path().join("kg.sqlite").display());
    let out = dir.path().join("held");
    // The same command reads the good list, then a bad one written over it.
    let query = dir.path().join("query.toml");
    let build = [
        "dataset",
        "build",
        "--db",
        &db,
        "--select",
        query.to_str().unwrap(),
        "--test-genes",
        list.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let text = ironcell(&build);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("test genes: 3 listed, 2 perturbed in the dataset"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("split test_genes_all:"))
        .expect("the held-out split is reported");
    assert!(line.ends_with("test genes seen in training: 0"), "{line}");

    std::fs::write(&list, "YAL001C\nnot a gene\n").unwrap();
    let stderr = ironcell_fails(&build);
    assert!(
        stderr.contains(&format!("{}:2:", list.display())),
        "{stderr}"
    );

    // A BIONIC-style edge list: one edge inside the dataset, one leaving it, one unmapped.
    let edges = dir.path().join("net.txt");
    std::fs::write(
        &edges,
        format!(
            "{} {} 0.5\n{} YPR999W 0.1\n{} NOTAGENE 1\n",
            genes[0], genes[1], genes[0], genes[2]
        ),
    )
    .unwrap();
    let out = ironcell(&[
        "dataset",
        "graph",
        "--dataset",
        data.to_str().unwrap(),
        "--input",
        edges.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unmapped gene name: 1"), "{text}");
    assert!(
        text.contains("1 of 2 edges kept (1 with an end outside"),
        "{text}"
    );
    let from_file = std::fs::read(data.join("graphs/net.arrow")).unwrap();
    // A graph's name is a file name inside graphs/, never a path out of the dataset.
    let escape = ironcell_fails(&[
        "dataset",
        "graph",
        "--dataset",
        data.to_str().unwrap(),
        "--input",
        edges.to_str().unwrap(),
        "--name",
        "../../escaped",
    ]);
    assert!(escape.contains("graph name \"../../escaped\""), "{escape}");
    assert!(!dir.path().join("escaped.arrow").exists());
    assert!(!data.join("escaped.arrow").exists());

    // Stored in the knowledge graph, the same network gives the same graph; its layout is
    // told from its first line when --format is left out. The unmapped row needs
    // --skip-bad-rows to be stored at all.
    let refused = ironcell_fails(&[
        "ingest",
        "networks",
        "--db",
        &db,
        "--input",
        edges.to_str().unwrap(),
    ]);
    assert!(refused.contains("net.txt:3"), "{refused}");
    let stored = ironcell(&[
        "ingest",
        "networks",
        "--skip-bad-rows",
        "--db",
        &db,
        "--input",
        edges.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&stored.stdout);
    assert!(
        text.contains("network net: 2 edges, 2 new interactions"),
        "{text}"
    );
    std::fs::remove_file(data.join("graphs/net.arrow")).unwrap();
    ironcell(&[
        "dataset",
        "graph",
        "--dataset",
        data.to_str().unwrap(),
        "--network",
        "net",
        "--db",
        &db,
    ]);
    assert_eq!(
        std::fs::read(data.join("graphs/net.arrow")).unwrap(),
        from_file
    );
    let missing = ironcell_fails(&[
        "dataset",
        "graph",
        "--dataset",
        data.to_str().unwrap(),
        "--network",
        "Krogan-2006",
        "--db",
        &db,
    ]);
    assert!(missing.contains("ingest networks"), "{missing}");
}

#[test]
fn the_data_directorys_networks_map_onto_a_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let networks = common::data_dir().folder("yeast-networks").unwrap();
    for (file, name, directed) in [
        (
            "string-v12-physical/4932.protein.physical.links.v12.0.txt.gz",
            "string-v12-physical",
            false,
        ),
        (
            "yeastract-2019/YEASTRACT_20190713_BOTH.tsv.gz",
            "YEASTRACT_20190713_BOTH",
            true,
        ),
        ("yeast-gem-9.0.2/yeast-GEM.txt.gz", "yeast-GEM", false),
    ] {
        let out = ironcell(&[
            "dataset",
            "graph",
            "--dataset",
            data.to_str().unwrap(),
            "--input",
            networks.join(file).to_str().unwrap(),
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("graph {name}: ")), "{text}");
        assert_eq!(text.contains(", directed;"), directed, "{text}");
        assert!(data.join(format!("graphs/{name}.arrow")).is_file());
    }
}

#[test]
fn a_query_that_cannot_be_built_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    two_label_dataset(dir.path());
    let db = format!("sqlite://{}", dir.path().join("kg.sqlite").display());
    let out = dir.path().join("refused");
    let query = dir.path().join("bad.toml");
    for (toml, expected) in [
        (
            "datasets = [\"costanzo2061\"]\nlabels = [\"fitness\"]\n",
            "no experiments of [\"costanzo2061\"]",
        ),
        (
            "labels = [\"fitness\"]\n[split]\nvalidation = 0.5\ntest = 0.6\n",
            "their sum below 1",
        ),
        (
            "labels = [\"fitness\"]\n[split]\nvalidation = -0.1\ntest = 0.2\n",
            "each must be in [0, 1)",
        ),
    ] {
        std::fs::write(&query, toml).unwrap();
        let stderr = ironcell_fails(&[
            "dataset",
            "build",
            "--db",
            &db,
            "--select",
            query.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(stderr.contains(expected), "{toml}: {stderr}");
        assert!(!out.exists(), "{toml}: {} was written", out.display());
    }
}
