//! `fetch::download` against a local HTTP server: a full download, an interrupted one that
//! resumes with a range request (`If-Range` with the server's ETag), a server answering
//! another range than asked, a file larger than recorded, plain http without a checksum, a
//! checksum mismatch, unpacking a zip, and a catalogue file published plain that the layout
//! keeps compressed.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{Arc, Mutex},
    thread,
};

use ironcell_sources::{
    data_dir::catalog::{DataFile, Origin},
    fetch::{download, fetch_file, unzip, Expected, Fetched},
};
use sha2::{Digest, Sha256};

/// What the server saw and how it should misbehave.
#[derive(Default)]
struct Log {
    ranges: Vec<Option<u64>>,
    /// The `If-Range` of each request.
    if_range: Vec<Option<String>>,
    /// Cut the next full (non-range) response after this many body bytes.
    cut_after: Option<usize>,
    /// An ETag to send with every response.
    etag: Option<String>,
    /// Added to the start a 206 answer's `Content-Range` states (a server answering another
    /// range than asked).
    shift: u64,
}

/// Serves `body` at every path, honouring `Range: bytes=N-`.
fn serve(body: Vec<u8>, log: Arc<Mutex<Log>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            respond(stream, &body, &log);
        }
    });
    format!("http://{addr}/data.bin")
}

fn respond(mut stream: TcpStream, body: &[u8], log: &Mutex<Log>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let (mut range, mut if_range) = (None, None);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("range: bytes=") {
            range = v.trim().trim_end_matches('-').parse::<u64>().ok();
        }
        if lower.starts_with("if-range:") {
            if_range = Some(line["if-range:".len()..].trim().to_owned());
        }
    }
    let (cut, etag, shift) = {
        let mut log = log.lock().unwrap();
        log.ranges.push(range);
        log.if_range.push(if_range);
        let cut = if range.is_none() {
            log.cut_after.take()
        } else {
            None
        };
        (cut, log.etag.clone(), log.shift)
    };
    let (status, start) = match range {
        Some(n) => ("206 Partial Content", n as usize),
        None => ("200 OK", 0),
    };
    let rest = &body[start..];
    let mut extra = String::new();
    if range.is_some() {
        extra.push_str(&format!(
            "Content-Range: bytes {}-{}/{}\r\n",
            start as u64 + shift,
            body.len() - 1,
            body.len()
        ));
    }
    if let Some(etag) = etag {
        extra.push_str(&format!("ETag: {etag}\r\n"));
    }
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        rest.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let sent = cut.unwrap_or(rest.len()).min(rest.len());
    let _ = stream.write_all(&rest[..sent]);
    let _ = stream.flush();
}

fn body() -> Vec<u8> {
    (0..300_000u32).map(|i| (i % 251) as u8).collect()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file known by its checksum only.
fn checked(sha256: &str) -> Expected<'_> {
    Expected {
        sha256: Some(sha256),
        bytes: None,
    }
}

#[test]
fn downloads_and_verifies() {
    let data = body();
    let url = serve(data.clone(), Arc::default());
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("data.bin");
    let mut last = (0, None);
    let d = download(&url, &dest, checked(&sha(&data)), &mut |done, total| {
        last = (done, total)
    })
    .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    assert_eq!((d.bytes, d.resumed_from), (data.len() as u64, 0));
    assert_eq!(last, (data.len() as u64, Some(data.len() as u64)));
    // A second run finds the verified file and fetches nothing.
    let again = download(&url, &dest, checked(&sha(&data)), &mut |_, _| {}).unwrap();
    assert!(again.already_present);
}

#[test]
fn an_interrupted_download_resumes_with_a_range_request() {
    let data = body();
    let log = Arc::new(Mutex::new(Log {
        cut_after: Some(100_000),
        etag: Some("\"v1\"".to_owned()),
        ..Log::default()
    }));
    let url = serve(data.clone(), Arc::clone(&log));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("data.bin");
    // From this machine (a mirror), a download without a checksum is allowed.
    let err = download(&url, &dest, Expected::default(), &mut |_, _| {}).unwrap_err();
    assert!(!dest.exists(), "{err}");
    let d = download(&url, &dest, checked(&sha(&data)), &mut |_, _| {}).unwrap();
    assert_eq!(d.resumed_from, 100_000);
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    let log = log.lock().unwrap();
    assert_eq!(log.ranges, [None, Some(100_000)]);
    // The rest was asked for only if the file is the one the part came from.
    assert_eq!(log.if_range, [None, Some("\"v1\"".to_owned())]);
    assert!(!dir.path().join("data.bin.part.validator").exists());
}

#[test]
fn an_answer_to_another_range_than_asked_keeps_nothing() {
    let data = body();
    let log = Arc::new(Mutex::new(Log {
        cut_after: Some(100_000),
        shift: 1,
        ..Log::default()
    }));
    let url = serve(data.clone(), log);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("data.bin");
    download(&url, &dest, checked(&sha(&data)), &mut |_, _| {}).unwrap_err();
    let err = download(&url, &dest, checked(&sha(&data)), &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("bytes 100001-"), "{err}");
    assert!(!dir.path().join("data.bin.part").exists());
    // The next run starts afresh and succeeds.
    download(&url, &dest, checked(&sha(&data)), &mut |_, _| {}).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
}

#[test]
fn a_file_larger_than_recorded_keeps_nothing() {
    let data = body();
    let url = serve(data.clone(), Arc::default());
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("data.bin");
    let small = Expected {
        sha256: Some(&"0".repeat(64)),
        bytes: Some(1_000),
    };
    let err = download(&url, &dest, small, &mut |_, _| {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("more than the 1000 the catalogue records"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn plain_http_without_a_checksum_is_refused_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("data.bin");
    for url in ["http://example.org/data.bin", "ftp://example.org/data.bin"] {
        let err = download(url, &dest, Expected::default(), &mut |_, _| {}).unwrap_err();
        assert!(
            err.to_string().contains("refused") || err.to_string().contains("only https"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_checksum_mismatch_is_an_error_and_keeps_nothing() {
    let url = serve(body(), Arc::default());
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("data.bin");
    let err = download(&url, &dest, checked(&"0".repeat(64)), &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("sha256 mismatch"), "{err}");
    assert!(!dest.exists());
    assert!(!dir.path().join("data.bin.part").exists());
}

#[test]
fn unzip_writes_the_entries() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("SGA_ExE.txt", options).unwrap();
        zip.write_all(b"Query Strain ID\n").unwrap();
        zip.finish().unwrap();
    }
    let written = unzip(&archive, dir.path()).unwrap();
    assert_eq!(written.len(), 1);
    let mut text = String::new();
    std::fs::File::open(&written[0])
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "Query Strain ID\n");
}

#[test]
fn a_file_published_plain_is_checked_then_gzipped_into_the_layout() {
    let plain = body();
    let url: &'static str = Box::leak(serve(plain.clone(), Arc::default()).into_boxed_str());
    let root = tempfile::tempdir().unwrap();
    let file = DataFile {
        path: "yeast-networks/example/data.bin.gz",
        bytes: None,
        sha256: None,
        origin: Origin::Gzipped {
            url,
            content_sha256: Box::leak(sha(&plain).into_boxed_str()),
        },
    };
    let got = fetch_file(&file, root.path(), None, &mut |_, _| {}).unwrap();
    assert!(
        matches!(got, Fetched::File { verified: true, .. }),
        "{got:?}"
    );
    let dest = root.path().join(file.path);
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&dest).unwrap())
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, plain);
    // Nothing is left beside it, and a second run finds it complete.
    assert_eq!(
        std::fs::read_dir(dest.parent().unwrap()).unwrap().count(),
        1
    );
    let again = fetch_file(&file, root.path(), None, &mut |_, _| {}).unwrap();
    assert!(matches!(again, Fetched::File { download, .. } if download.already_present));

    // Other bytes at the URL than the ones recorded: an error, nothing kept.
    let other = tempfile::tempdir().unwrap();
    let wrong = DataFile {
        origin: Origin::Gzipped {
            url,
            content_sha256: Box::leak("0".repeat(64).into_boxed_str()),
        },
        ..file
    };
    let err = fetch_file(&wrong, other.path(), None, &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("sha256 mismatch"), "{err}");
    assert!(!other.path().join(file.path).exists());
}

#[test]
fn a_file_no_download_provides_says_how_it_was_made() {
    let file = DataFile {
        path: "yeast-screens/x/converted.tsv",
        bytes: None,
        sha256: None,
        origin: Origin::Made("converted from an R object"),
    };
    let root = tempfile::tempdir().unwrap();
    let got = fetch_file(&file, root.path(), None, &mut |_, _| {}).unwrap();
    assert_eq!(got, Fetched::NotDownloadable("converted from an R object"));
}
