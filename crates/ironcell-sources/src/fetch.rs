//! Downloading the data directory's files from where they were published: resumable (HTTP
//! range requests on a `.part` file), verified against the sha256 the
//! [catalogue](crate::data_dir::catalog) records, gzip-compressed where the layout keeps a
//! file compressed that was published plain, and unpacked when the publisher ships a zip.
//!
//! A mirror (a copy of the data directory served over HTTP, same layout) can stand in for
//! every location; it serves the layout's own bytes, so even files no published download
//! reproduces come from it checked. It is also how the tests run without the internet.

use std::{
    fs::{self, File, OpenOptions},
    io::{self, BufReader, Read, Write},
    path::{Path, PathBuf},
};

use flate2::{write::GzEncoder, Compression};
use sha2::{Digest, Sha256};

use crate::{
    data_dir::catalog::{DataFile, Origin},
    Error,
};

/// What a download did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// Where the file is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Its sha256, hex.
    pub sha256: String,
    /// Bytes already on disk from an interrupted download, not fetched again.
    pub resumed_from: u64,
    /// True when a verified copy was already there and nothing was fetched.
    pub already_present: bool,
}

fn sha256_of(path: &Path) -> Result<String, Error> {
    crate::sha256_file(path).map_err(|e| Error::io(&path.display().to_string(), e))
}

fn verify(path: &Path, expected: Option<&str>) -> Result<String, Error> {
    let actual = sha256_of(path)?;
    match expected {
        Some(want) if !want.eq_ignore_ascii_case(&actual) => Err(Error::format(
            &path.display().to_string(),
            format!("sha256 mismatch: expected {want}, downloaded {actual}"),
        )),
        _ => Ok(actual),
    }
}

/// Downloads `url` to `dest`, resuming a `.part` file left by an interrupted run and
/// checking `expected_sha256` when given. `progress(done, total)` is called as bytes arrive.
/// A `dest` that already exists (and matches the checksum when one is known) is kept.
pub fn download(
    url: &str,
    dest: &Path,
    expected_sha256: Option<&str>,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Downloaded, Error> {
    if dest.exists() {
        if let Ok(sha256) = verify(dest, expected_sha256) {
            let bytes = fs::metadata(dest).map_err(|e| Error::io(url, e))?.len();
            return Ok(Downloaded {
                path: dest.to_owned(),
                bytes,
                sha256,
                resumed_from: 0,
                already_present: true,
            });
        }
    }
    let part = dest.with_extension(dest.extension().map_or("part".to_owned(), |e| {
        format!("{}.part", e.to_string_lossy())
    }));
    let part_name = part.display().to_string();
    let have = fs::metadata(&part).map_or(0, |m| m.len());
    let mut request = ureq::get(url);
    if have > 0 {
        request = request.header("Range", &format!("bytes={have}-"));
    }
    let mut response = request
        .call()
        .map_err(|e| Error::format(url, format!("download failed: {e}")))?;
    let resumed = response.status().as_u16() == 206;
    let resumed_from = if resumed { have } else { 0 };
    let remaining: Option<u64> = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let total = remaining.map(|r| r + resumed_from);
    let mut out = OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed)
        .truncate(!resumed)
        .open(&part)
        .map_err(|e| Error::io(&part_name, e))?;
    let mut body = response.body_mut().as_reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut done = resumed_from;
    progress(done, total);
    loop {
        let n = body
            .read(&mut buf)
            .map_err(|e| Error::format(url, format!("download interrupted: {e}")))?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])
            .map_err(|e| Error::io(&part_name, e))?;
        done += n as u64;
        progress(done, total);
    }
    out.flush().map_err(|e| Error::io(&part_name, e))?;
    drop(out);
    if let Some(total) = total {
        if done != total {
            return Err(Error::format(
                url,
                format!("download ended at {done} of {total} bytes; run again to resume"),
            ));
        }
    }
    let sha256 = match verify(&part, expected_sha256) {
        Ok(sha) => sha,
        Err(e) => {
            // A corrupt partial file would be resumed forever; start afresh next time.
            let _ = fs::remove_file(&part);
            return Err(e);
        }
    };
    fs::rename(&part, dest).map_err(|e| Error::io(&dest.display().to_string(), e))?;
    Ok(Downloaded {
        path: dest.to_owned(),
        bytes: done,
        sha256,
        resumed_from,
        already_present: false,
    })
}

/// Unpacks a zip into `dir`, refusing entries that would escape it. Returns the files
/// written.
pub fn unzip(archive: &Path, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let name = archive.display().to_string();
    let file = File::open(archive).map_err(|e| Error::io(&name, e))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| Error::format(&name, format!("not a readable zip: {e}")))?;
    let mut written = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| Error::format(&name, format!("entry {i}: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let Some(relative) = entry.enclosed_name() else {
            return Err(Error::format(
                &name,
                format!("entry {:?} points outside the archive", entry.name()),
            ));
        };
        let target = dir.join(relative);
        let target_name = target.display().to_string();
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(&target_name, e))?;
        }
        let mut out = File::create(&target).map_err(|e| Error::io(&target_name, e))?;
        io::copy(&mut entry, &mut out).map_err(|e| Error::io(&target_name, e))?;
        written.push(target);
    }
    Ok(written)
}

/// What fetching one file of the catalogue did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// Downloaded (or found complete) and checked.
    File {
        /// The download: for a file the layout keeps compressed, of the published plain file,
        /// whose sha256 is the one checked.
        download: Downloaded,
        /// Whether its sha256 was checked against a known one.
        verified: bool,
        /// Files a zip held, unpacked beside it.
        unpacked: Vec<PathBuf>,
    },
    /// Not downloadable: made by a conversion no download repeats (how, in words).
    NotDownloadable(&'static str),
}

/// Fetches `file` into the data directory at `root`: from `mirror` (`MIRROR/<path>`, the
/// layout's own bytes) when given, else from where it was published.
pub fn fetch_file(
    file: &DataFile,
    root: &Path,
    mirror: Option<&str>,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Fetched, Error> {
    let dest = root.join(file.path);
    let dest_name = dest.display().to_string();
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(&dest_name, e))?;
    }
    let fetched = |download, verified, unpacked| {
        Ok(Fetched::File {
            download,
            verified,
            unpacked,
        })
    };
    if let Some(mirror) = mirror {
        let url = format!("{}/{}", mirror.trim_end_matches('/'), file.path);
        let download = download(&url, &dest, file.sha256, progress)?;
        let unpacked = match file.origin {
            Origin::Archive(_) => unzip(&dest, dest.parent().unwrap_or(root))?,
            _ => vec![],
        };
        return fetched(download, file.sha256.is_some(), unpacked);
    }
    match file.origin {
        Origin::Published(url) => fetched(
            download(url, &dest, file.sha256, progress)?,
            file.sha256.is_some(),
            vec![],
        ),
        Origin::Archive(url) => {
            let download = download(url, &dest, file.sha256, progress)?;
            let unpacked = unzip(&dest, dest.parent().unwrap_or(root))?;
            fetched(download, file.sha256.is_some(), unpacked)
        }
        Origin::Gzipped {
            url,
            content_sha256,
        } => {
            if dest.exists() && sha256_of_content(&dest)?.eq_ignore_ascii_case(content_sha256) {
                let download = Downloaded {
                    path: dest.clone(),
                    bytes: fs::metadata(&dest)
                        .map_err(|e| Error::io(&dest_name, e))?
                        .len(),
                    sha256: content_sha256.to_owned(),
                    resumed_from: 0,
                    already_present: true,
                };
                return fetched(download, true, vec![]);
            }
            // The plain file lands beside its final name, so an interrupted run resumes it.
            let plain = dest.with_extension("");
            let download = download(url, &plain, Some(content_sha256), progress)?;
            gzip(&plain, &dest)?;
            fs::remove_file(&plain).map_err(|e| Error::io(&plain.display().to_string(), e))?;
            fetched(download, true, vec![])
        }
        Origin::Made(how) => Ok(Fetched::NotDownloadable(how)),
    }
}

/// The sha256 of a gzip file's content.
fn sha256_of_content(path: &Path) -> Result<String, Error> {
    let mut reader = crate::open_maybe_gzip(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut reader, &mut hasher).map_err(|e| Error::io(&path.display().to_string(), e))?;
    Ok(hex::encode(hasher.finalize()))
}

/// Compresses `plain` into `dest` through a temporary name, so `dest` is whole or absent.
fn gzip(plain: &Path, dest: &Path) -> Result<(), Error> {
    let name = dest.display().to_string();
    let partial = dest.with_extension("gz.part");
    let mut input = BufReader::new(File::open(plain).map_err(|e| Error::io(&name, e))?);
    let mut out = GzEncoder::new(
        File::create(&partial).map_err(|e| Error::io(&name, e))?,
        Compression::best(),
    );
    io::copy(&mut input, &mut out).map_err(|e| Error::io(&name, e))?;
    out.finish()
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(&name, e))?;
    fs::rename(&partial, dest).map_err(|e| Error::io(&name, e))
}
