//! `ironcell fetch` from a mirror of the data directory served on loopback: the files land in
//! the layout with the recorded checksums, a changed file is refused and nothing of it kept,
//! and without a dataset the catalogue is listed.

mod common;

use std::{
    io::{BufRead, BufReader, Write},
    net::TcpListener,
    path::{Path, PathBuf},
    thread,
};

use common::{command, data_dir};

/// Serves the files under `root` at their paths; 404 for anything else.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap_or(0);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = request
                .split(' ')
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/');
            let (status, body) = match std::fs::read(root.join(path)) {
                Ok(body) => ("200 OK", body),
                Err(_) => ("404 Not Found", Vec::new()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}")
}

/// Copies the data directory's `dir` into `mirror`.
fn copy(dir: &str, mirror: &Path) {
    let from = data_dir().folder(dir).unwrap();
    let to = mirror.join(dir);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn files_come_from_a_mirror_checked_into_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    for d in [
        "yeast-screens/dcell-costanzo2016-epsilon",
        "yeast-networks/yeast-gem-9.0.2",
    ] {
        copy(d, &mirror);
    }
    let url = serve(mirror.clone());
    let to = dir.path().join("data");
    let run = || {
        command()
            .args([
                "fetch",
                "dcell-costanzo2016-epsilon",
                "yeast-gem-9.0.2",
                "--mirror",
                &url,
            ])
            .arg("--to")
            .arg(&to)
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in [
        "yeast-screens/dcell-costanzo2016-epsilon/GO_0006281_training_data_2016_0.gz",
        "yeast-screens/dcell-costanzo2016-epsilon/GO_0000790_topology",
        "yeast-networks/yeast-gem-9.0.2/yeast-GEM.txt.gz",
    ] {
        assert_eq!(
            std::fs::read(to.join(file)).unwrap(),
            std::fs::read(mirror.join(file)).unwrap(),
            "{file}"
        );
    }
    assert_eq!(stdout.matches("verified").count(), 9, "{stdout}");
    // A second run finds every file and fetches nothing.
    let again = run();
    assert!(again.status.success());
    assert_eq!(
        String::from_utf8_lossy(&again.stdout)
            .matches("already present")
            .count(),
        9
    );
}

#[test]
fn a_changed_file_is_refused_and_nothing_of_it_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("mirror");
    copy("yeast-networks/yeast-gem-9.0.2", &mirror);
    let changed = mirror.join("yeast-networks/yeast-gem-9.0.2/yeast-GEM.yml.gz");
    let mut bytes = std::fs::read(&changed).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&changed, bytes).unwrap();
    let to = dir.path().join("data");
    let out = command()
        .args(["fetch", "yeast-gem-9.0.2", "--mirror", &serve(mirror)])
        .arg("--to")
        .arg(&to)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sha256 mismatch"), "{stderr}");
    let kept: Vec<_> = std::fs::read_dir(to.join("yeast-networks/yeast-gem-9.0.2"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(kept, ["yeast-GEM.txt.gz"], "{kept:?}");
}

#[test]
fn without_a_dataset_the_catalogue_is_listed() {
    let out = common::ironcell(&["fetch"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "yeast-reference",
        "hoepfner2014-hop",
        "yeast-networks/string-v12-physical/4932.protein.physical.links.v12.0.txt.gz ← https://stringdb-downloads.org/",
        "yeast-screens/tong2004-sga/tested_pairs.tsv.gz ← not downloadable as is",
        "costanzo2016-sga",
    ] {
        assert!(stdout.contains(expected), "{expected:?} not in\n{stdout}");
    }
}
