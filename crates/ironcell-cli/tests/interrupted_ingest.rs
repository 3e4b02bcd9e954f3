//! A killed ingest leaves the store consistent, and running it again completes it: the
//! store then holds exactly what one uninterrupted ingest stores.

mod common;

use std::{
    fmt::Write as _,
    fs,
    path::Path,
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

const HEADER: &str = "Query Strain ID\tQuery allele name\tArray Strain ID\tArray allele name\tArraytype/Temp\tGenetic interaction score (ε)\tP-value\tQuery single mutant fitness (SMF)\tArray SMF\tDouble mutant fitness\tDouble mutant fitness standard deviation";

/// Rows in the SGA_ExE layout over the first ORFs of chromosome I–IV (values arbitrary).
fn write_table(path: &Path, queries: usize, arrays: usize) {
    let orf = |i: usize| format!("Y{}L{:03}W", ['A', 'B', 'C', 'D'][i % 4], i / 4 + 1);
    let mut text = String::from(HEADER);
    text.push('\n');
    for q in 0..queries {
        for a in queries..queries + arrays {
            let eps = ((q * 31 + a * 17) % 100) as f64 / 250.0 - 0.2;
            writeln!(
                text,
                "{}_sn{q}\tq{q}\t{}_dma{a}\ta{a}\tDMA30\t{eps:.4}\t0.0500\t0.9000\t0.8000\t{:.4}\t0.0500",
                orf(q),
                orf(a),
                0.72 + eps
            )
            .unwrap();
        }
    }
    std::fs::write(path, text).unwrap();
}

fn ingest(db: &Path, input: &Path) -> Command {
    let mut cmd = common::command();
    cmd.args(["ingest", "costanzo2016", "--input"])
        .arg(input)
        .arg("--db")
        .arg(format!("sqlite://{}", db.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn stats(db: &Path) -> String {
    let out = common::command()
        .args(["kg", "stats", "--db"])
        .arg(format!("sqlite://{}", db.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_killed_ingest_is_completed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("SGA_ExE.txt");
    // Large enough that the ingest (~90,000 experiments/s) outlasts starting up.
    write_table(&input, 24, 3000);

    let whole = dir.path().join("whole.sqlite");
    assert!(ingest(&whole, &input).status().unwrap().success());

    // Kill a second ingest once its files hold half of what the whole store does: past the
    // reference (about a third of it) and some batches of experiments, before the end. (Watching the files rather
    // than waiting a share of the first run's time: on a loaded machine the two runs' times
    // differ by more than any share leaves room for.)
    let half = fs::metadata(&whole).unwrap().len() / 2;
    let killed = dir.path().join("killed.sqlite");
    let wal = dir.path().join("killed.sqlite-wal");
    let size = |path: &Path| fs::metadata(path).map_or(0, |m| m.len());
    let mut child = ingest(&killed, &input).spawn().unwrap();
    let finished_first = loop {
        if child.try_wait().unwrap().is_some() {
            break true;
        }
        if size(&killed) + size(&wal) >= half {
            break false;
        }
        thread::sleep(Duration::from_millis(1));
    };
    child.kill().ok();
    child.wait().unwrap();
    assert!(
        !finished_first,
        "the ingest finished before it could be killed; make the table larger"
    );

    assert!(ingest(&killed, &input).status().unwrap().success());
    assert_eq!(stats(&killed), stats(&whole));
}

fn build(db: &Path, select: &Path, out: &Path) -> Command {
    let mut cmd = common::command();
    cmd.args(["dataset", "build", "--db"])
        .arg(format!("sqlite://{}", db.display()))
        .arg("--select")
        .arg(select)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// A `dataset build` killed while it rebuilds an existing directory leaves one that a model
/// trains on (the old dataset or the new, whole) or that is refused with what to do — never
/// a mix read as data, and never a crash.
#[test]
fn a_dataset_build_killed_over_an_existing_one_leaves_a_dataset_that_trains_or_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("SGA_ExE.txt");
    write_table(&input, 24, 500);
    let db = dir.path().join("kg.sqlite");
    assert!(ingest(&db, &input).status().unwrap().success());
    let select = |name: &str, labels: &str, seed: u32| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "datasets = [\"costanzo2016_dmf\", \"costanzo2016_dmi\"]\nlabels = [{labels}]\n\
                 policy = \"mean\"\n[split]\nseed = {seed}\n"
            ),
        )
        .unwrap();
        path
    };
    let old = select("old.toml", "\"fitness\"", 1);
    let new = select("new.toml", "\"fitness\", \"gene_interaction\"", 2);
    let out = dir.path().join("dataset");
    let start = Instant::now();
    assert!(build(&db, &new, &out).status().unwrap().success());
    let duration = start.elapsed();
    for fraction in [0.2, 0.5, 0.8] {
        assert!(build(&db, &old, &out).status().unwrap().success());
        let mut child = build(&db, &new, &out).spawn().unwrap();
        thread::sleep(duration.mul_f64(fraction));
        child.kill().ok();
        child.wait().unwrap();
        let trained = common::command()
            .args(["baseline", "--dataset"])
            .arg(&out)
            .args(["--model", "rf", "--trees", "5", "--features", "codon"])
            .args(["--split", "random", "--label", "fitness", "--out"])
            .arg(dir.path().join("run"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&trained.stderr);
        match trained.status.code() {
            Some(0) => {}
            Some(2) => assert!(
                stderr.contains("dataset build") || stderr.contains("rebuild"),
                "killed at {fraction}: {stderr}"
            ),
            other => panic!("killed at {fraction}: exit {other:?}: {stderr}"),
        }
    }
}
