//! A killed ingest leaves the store consistent, and running it again completes it: the
//! store then holds exactly what one uninterrupted ingest stores.

mod common;

use std::{
    fmt::Write as _,
    path::Path,
    process::{Command, Stdio},
    thread,
    time::Instant,
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
    write_table(&input, 24, 500);

    let whole = dir.path().join("whole.sqlite");
    let start = Instant::now();
    assert!(ingest(&whole, &input).status().unwrap().success());
    let duration = start.elapsed();

    // Kill a second ingest at three quarters of that time: past the reference and some
    // batches of experiments, before the end.
    let killed = dir.path().join("killed.sqlite");
    let mut child = ingest(&killed, &input).spawn().unwrap();
    thread::sleep(duration.mul_f64(0.75));
    let finished_first = child.try_wait().unwrap().is_some();
    child.kill().ok();
    child.wait().unwrap();
    assert!(
        !finished_first,
        "the ingest finished before it could be killed; make the table larger"
    );

    assert!(ingest(&killed, &input).status().unwrap().success());
    assert_eq!(stats(&killed), stats(&whole));
}
