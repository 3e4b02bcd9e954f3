//! `ironcell ingest` on fixtures in the published formats: every source stores, re-running
//! stores nothing twice, and a bad row stops the run with file:line without losing what the
//! store already holds.

mod common;

use std::{path::Path, process::Output};

use common::{command, fixture, ironcell, ironcell_fails};

fn ingest(db: &Path, source: &str, inputs: &[&str], extra: &[&str]) -> Output {
    let mut cmd = command();
    cmd.args(["ingest", source, "--db"])
        .arg(format!("sqlite://{}", db.display()));
    for i in inputs {
        cmd.arg("--input").arg(fixture(i));
    }
    cmd.args(extra).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The "N new" count of the summary line.
fn new_count(o: &Output) -> u64 {
    let text = stdout(o);
    let line = text.lines().last().unwrap_or_default();
    let before = line.split(" new in ").next().unwrap_or_default();
    before
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {line:?}"))
}

#[test]
fn every_source_ingests_and_a_second_run_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kg.sqlite");
    let wt = fixture("wt122data.tsv");
    let wt = wt.to_str().unwrap();
    let runs: [(&str, &[&str], &[&str], u64); 11] = [
        ("costanzo2016", &["SGA_ExE.txt"], &["--skip-bad-rows"], 11),
        (
            "kuzmin2018",
            &["aao1729_data_s1.tsv"],
            &["--skip-bad-rows"],
            9,
        ),
        (
            "kuzmin2020",
            &["aaz5667-Table-S1.xlsx", "aaz5667-Table-S5.xlsx"],
            &["--skip-bad-rows"],
            8,
        ),
        (
            "ohya2005",
            &["mt4718data.tsv"],
            &["--skip-bad-rows", "--wild-type", wt],
            3,
        ),
        ("synlethdb", &["Yeast_SL.csv"], &["--skip-bad-rows"], 3),
        (
            "essentiality",
            &["phenotype_data.tab"],
            &["--skip-bad-rows"],
            2,
        ),
        (
            "collins2007-emap",
            &["collins2007_sscores.tsv"],
            &["--skip-bad-rows"],
            4,
        ),
        (
            "tong2004-sga",
            &["tong2004_tested_pairs.tsv", "tong2004_table_s1.tsv"],
            &["--skip-bad-rows"],
            5,
        ),
        (
            "jonikas2009-upr",
            &["jonikas2009_double_mutants.tsv"],
            &["--skip-bad-rows"],
            3,
        ),
        (
            "dcell-costanzo2016-epsilon",
            &["GO_0006281_training_data_2016_0"],
            &["--skip-bad-rows"],
            3,
        ),
        (
            "hoepfner2014-hop",
            &["hoepfner_hop_known.txt"],
            &["--skip-bad-rows"],
            4,
        ),
    ];
    for (source, inputs, extra, expected) in runs {
        let first = ingest(&db, source, inputs, extra);
        assert!(first.status.success(), "{source}: {first:?}");
        assert_eq!(new_count(&first), expected, "{source}: {}", stdout(&first));
        assert!(
            stdout(&first).contains("rows rejected"),
            "{}",
            stdout(&first)
        );
        let second = ingest(&db, source, inputs, extra);
        assert!(second.status.success());
        assert_eq!(new_count(&second), 0, "{source}: {}", stdout(&second));
    }
}

#[test]
fn a_bad_row_is_an_error_with_file_and_line_and_keeps_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kg.sqlite");
    let good = ingest(&db, "synlethdb", &["Yeast_SL.csv"], &["--skip-bad-rows"]);
    assert!(good.status.success());
    let bad = ingest(&db, "costanzo2016", &["SGA_ExE.txt"], &[]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("SGA_ExE.txt:8:"), "{err}");
    assert!(err.contains("Arraytype/Temp"), "{err}");
    let again = ingest(&db, "synlethdb", &["Yeast_SL.csv"], &["--skip-bad-rows"]);
    assert_eq!(new_count(&again), 0, "{}", stdout(&again));
}

#[test]
fn yeastphenome_environments_show_in_kg_stats() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("33958448");
    std::fs::create_dir(&folder).unwrap();
    let file = folder.join("costanzo_andrews_2021_value.txt");
    std::fs::copy(fixture("yeastphenome_value.txt"), &file).unwrap();
    let db = format!("sqlite://{}", dir.path().join("kg.sqlite").display());
    let run = ironcell(&[
        "ingest",
        "yeastphenome",
        "--skip-bad-rows",
        "--db",
        &db,
        "--input",
        file.to_str().unwrap(),
    ]);
    assert_eq!(new_count(&run), 3, "{}", stdout(&run));

    // Outside a PubMed-id folder the dataset cannot be named.
    let loose = dir.path().join("value.txt");
    std::fs::copy(fixture("yeastphenome_value.txt"), &loose).unwrap();
    let refused = ironcell_fails(&[
        "ingest",
        "yeastphenome",
        "--db",
        &db,
        "--input",
        loose.to_str().unwrap(),
    ]);
    assert!(refused.contains("PubMed id"), "{refused}");

    let stats = ironcell(&["kg", "stats", "--db", &db]);
    let text = stdout(&stats);
    assert!(
        text.contains("SGA final selection medium (solid) 30 °C + benomyl 30 ug/ml"),
        "{text}"
    );
}

#[test]
fn the_kuzmin_subset_says_its_scores_are_absent() {
    let dir = tempfile::tempdir().unwrap();
    let subset = dir.path().join("unique_triples.tsv");
    // The subset export's layout: an unnamed index, no allele names, no scores.
    std::fs::write(
        &subset,
        "\tQuery strain ID\tArray strain ID\tP-value\tCombined mutant fitness\t\
         Combined mutant fitness standard deviation\tg1\tg2\tg3\n\
         381092\tYKL051W+YDL227C_tm3059\tYDR108W_dma909\t0.5\t0.835\t0.0464\tYDL227C\tYDR108W\tYKL051W\n",
    )
    .unwrap();
    let db = format!("sqlite://{}", dir.path().join("kg.sqlite").display());
    for (source, input) in [
        ("kuzmin2018-subset", subset.clone()),
        ("kuzmin2018", fixture("aao1729_data_s1.tsv")),
    ] {
        ironcell(&[
            "ingest",
            source,
            "--skip-bad-rows",
            "--db",
            &db,
            "--input",
            input.to_str().unwrap(),
        ]);
    }
    let stats = ironcell(&["kg", "stats", "--db", &db]);
    let text = stdout(&stats);
    assert!(
        text.contains("kuzmin2018_subset_dmf: absent: gene_interaction"),
        "{text}"
    );
    assert!(text.contains("(ε, τ) are absent"), "{text}");
    // Data S1 has its scores: its datasets carry no such note.
    assert!(text.contains("kuzmin2018_dmi"), "{text}");
    assert!(!text.contains("kuzmin2018_dmf: absent"), "{text}");
}

#[test]
fn bench_readers_reads_every_generated_row_as_records_and_in_batches() {
    let dir = tempfile::tempdir().unwrap();
    let out = ironcell(&[
        "bench",
        "readers",
        "--rows",
        "20000",
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    let text = stdout(&out);
    let result: serde_json::Value =
        serde_json::from_str(text.lines().last().unwrap_or_default()).unwrap();
    assert_eq!(result["rows"], 20000, "{text}");
    for api in ["records", "batches", "batches_fitness"] {
        assert!(
            result[api]["rows_per_second"].as_f64().unwrap() > 0.0,
            "{text}"
        );
        // Three runs by default, and the median of them reported.
        let runs: Vec<f64> = result[api]["runs_seconds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_f64().unwrap())
            .collect();
        assert_eq!(runs.len(), 3, "{text}");
        let mut sorted = runs.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(result[api]["seconds"].as_f64(), Some(sorted[1]), "{text}");
    }
    // Without --keep the generated file is removed.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_password_in_the_store_url_is_refused_and_never_printed() {
    for args in [
        &["kg", "stats", "--db", "neo4j://neo4j:s3cret@127.0.0.1:1"][..],
        &[
            "kg",
            "stats",
            "--db",
            "postgres://neo4j:s3cret@127.0.0.1:1/kg",
        ][..],
    ] {
        let out = command().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(printed.contains("***@127.0.0.1:1"), "{printed}");
    }
}

#[test]
fn reading_a_mistyped_store_path_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.sqlite");
    let db = format!("sqlite://{}", typo.display());
    for args in [
        &["kg", "stats", "--db", &db][..],
        &["kg", "export", "--db", &db, "--out", "x"][..],
    ] {
        let stderr = ironcell_fails(args);
        assert!(stderr.contains("no knowledge graph"), "{stderr}");
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
    }
}

/// A well-formed systematic name the reference lacks is counted per file; `--strict-genes`
/// leaves its experiments out.
#[test]
fn genes_the_reference_lacks_are_reported_and_left_out_when_strict() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("SGA_ExE.txt")).unwrap();
    let lines: Vec<&str> = text.lines().take(3).collect();
    let file = dir.path().join("sga.txt");
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n{}\n",
            lines[0],
            lines[1],
            lines[2].replace("YAL002W_dma23", "YAL999W_dma23")
        ),
    )
    .unwrap();
    let run = |db: &str, strict: bool| {
        let mut cmd = command();
        cmd.args(["ingest", "costanzo2016", "--db"])
            .arg(format!("sqlite://{}", dir.path().join(db).display()))
            .arg("--input")
            .arg(&file);
        if strict {
            cmd.arg("--strict-genes");
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out)
    };
    let lenient = run("a.sqlite", false);
    assert!(
        lenient.contains("unknown genes: 1 (first: YAL999W), named by 2 experiments, stored"),
        "{lenient}"
    );
    let strict = run("b.sqlite", true);
    assert!(strict.contains("left out (--strict-genes)"), "{strict}");
    // Only the experiments with known genes were stored.
    let stored = |db: &str| {
        let out = ironcell(&[
            "kg",
            "stats",
            "--db",
            &format!("sqlite://{}", dir.path().join(db).display()),
        ]);
        stdout(&out)
    };
    assert_ne!(stored("a.sqlite"), stored("b.sqlite"));
}
