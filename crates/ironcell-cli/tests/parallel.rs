//! Data-parallel training over MPI (`--features mpi`, Open MPI's `mpirun` on the path, as
//! `.ci/run` installs it): two ranks train the model one process trains on the same global
//! batches, every rank ends with the same weights (the trainer checks it), a rank killed
//! mid-run fails the job, and the job resumes from the last checkpoint to the weights of a
//! run never interrupted.
#![cfg(feature = "mpi")]

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::Duration,
};

use common::{await_checkpoints, ironcell, two_label_dataset};

/// `mpirun -np RANKS ironcell ARGS…`: the local ranks inherit this environment (the data
/// directory among it). Root may run it (containers), ranks may outnumber cores, and shared
/// memory needs no ptrace (which containers forbid).
fn mpirun(ranks: usize) -> Command {
    let mut cmd = Command::new("mpirun");
    cmd.args(["-np", &ranks.to_string(), "--oversubscribe"])
        .arg(env!("CARGO_BIN_EXE_ironcell"))
        .env(ironcell_sources::data_dir::ENV, common::data_dir().root())
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    cmd
}

fn mpi_train(ranks: usize, args: &[&str]) -> Output {
    let out = mpirun(ranks).arg("train").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "mpirun -np {ranks} ironcell train {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn write_config(dir: &Path, name: &str, model: &str, data: &Path, training: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "{model}\n[data]\ndataset = \"{}\"\nsplits = [\"random\"]\n\n[training]\n{training}",
            data.display()
        ),
    )
    .unwrap();
    path
}

/// Each epoch's training loss and validation numbers.
fn history(run: &Path) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("random/metrics.json")).unwrap()).unwrap();
    json["history"].as_array().unwrap().clone()
}

fn close(a: &serde_json::Value, b: &serde_json::Value, what: &str) {
    let (Some(a), Some(b)) = (a.as_f64(), b.as_f64()) else {
        panic!("{what}: one rank {a}, two ranks {b}");
    };
    assert!(
        (a - b).abs() <= 1e-4 * (1.0 + a.abs()),
        "{what}: one rank {a}, two ranks {b}"
    );
}

#[test]
fn two_ranks_train_what_one_process_trains() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    // Layer norm only (no batch statistics), two labels with values missing: the gradient
    // the two ranks average is the single process's.
    let config = write_config(
        dir.path(),
        "gene_set.toml",
        "[model]\nkind = \"gene_set\"\nfeatures = [\"codon\", \"go:2\"]\nhidden = 16\n",
        &data,
        "epochs = 3\nbatch_size = 8\nseed = 5\nensemble = 1\n",
    );
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let c = config.to_str().unwrap();
    ironcell(&["train", "--config", c, "--out", one.to_str().unwrap()]);
    mpi_train(2, &["--config", c, "--out", two.to_str().unwrap()]);
    let (a, b) = (history(&one), history(&two));
    assert_eq!(a.len(), 3);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        close(&x["train_loss"], &y["train_loss"], "training loss");
    }
    // The same model: the same test predictions, row by row.
    let predicted = |run: &Path| -> Vec<(String, f64)> {
        let text = std::fs::read_to_string(run.join("test_rows.tsv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let (genes, prediction) = (
            header.iter().position(|c| *c == "genes").unwrap(),
            header.iter().position(|c| *c == "predicted").unwrap(),
        );
        lines
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .filter(|f| f[2] == "gene_set")
            .map(|f| (f[genes].to_owned(), f[prediction].parse().unwrap()))
            .collect()
    };
    let (p1, p2) = (predicted(&one), predicted(&two));
    assert!(p1.len() >= 5, "{} test predictions", p1.len());
    assert_eq!(p1.len(), p2.len());
    for ((g1, x), (g2, y)) in p1.iter().zip(&p2) {
        assert_eq!(g1, g2);
        close(&(*x).into(), &(*y).into(), g1);
    }
    // Rank 0 alone wrote the run: one model, scored once.
    assert!(two.join("random/card.json").is_file());
    assert!(two.join("test_rows.tsv").is_file());
}

/// A DCell run: batch norm per rank, its running statistics averaged.
fn dcell(dir: &Path, data: &Path, epochs: usize) -> PathBuf {
    write_config(
        dir,
        "dcell.toml",
        "[model]\nkind = \"dcell\"\nmin_genes = 4\n",
        data,
        &format!(
            "epochs = {epochs}\nbatch_size = 8\nseed = 3\nensemble = 1\ngradient_clip = 5.0\n\n\
             [training.optimizer]\nkind = \"adamw\"\nlearning_rate = 0.01\n"
        ),
    )
}

/// The process of `mpirun` (`parent`) that is rank `rank`, from its environment.
fn rank_process(parent: u32, rank: usize) -> Option<u32> {
    let wanted = format!("OMPI_COMM_WORLD_RANK={rank}");
    std::fs::read_dir("/proc").ok()?.find_map(|entry| {
        let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // pid (comm) state ppid …: comm may hold spaces, so read after its ')'.
        let ppid: u32 = stat
            .rsplit(')')
            .next()?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
        let has = environ
            .split(|&b| b == 0)
            .any(|var| var == wanted.as_bytes());
        (ppid == parent && has).then_some(pid)
    })
}

#[test]
fn a_killed_rank_fails_the_job_and_the_job_resumes_to_the_same_weights() {
    let dir = tempfile::tempdir().unwrap();
    let data = two_label_dataset(dir.path());
    let config = dcell(dir.path(), &data, 16);
    let c = config.to_str().unwrap();

    let whole = dir.path().join("whole");
    let out = mpi_train(2, &["--config", c, "--out", whole.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("| dcell |"), "{text}");

    let cut = dir.path().join("cut");
    let mut job = mpirun(2)
        .args(["train", "--config", c, "--out"])
        .arg(&cut)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let last = cut.join("random/checkpoints/last.ckpt");
    await_checkpoints(&mut job, &last, 2, Duration::from_secs(180));
    let victim = rank_process(job.id(), 1).expect("rank 1 among mpirun's children");
    Command::new("kill")
        .args(["-9", &victim.to_string()])
        .status()
        .unwrap();
    let failed = job.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        !failed.status.success(),
        "the job survived its rank: {stderr}"
    );
    assert!(stderr.contains("signal 9"), "{stderr}");
    assert!(!cut.join("random/dcell.params").exists(), "killed too late");

    // A world of another size cannot continue it.
    let out = common::command()
        .args(["train", "--resume", cut.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("world of 2"),
        "{stderr}"
    );

    mpi_train(2, &["--resume", cut.to_str().unwrap()]);
    let params = |run: &Path| std::fs::read(run.join("random/dcell.params")).unwrap();
    assert!(params(&cut) == params(&whole), "resumed weights differ");
    let (a, b) = (history(&whole), history(&cut));
    assert_eq!(a.len(), 16);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x["train_loss"], y["train_loss"]);
        assert_eq!(x["validation"], y["validation"]);
    }
}
