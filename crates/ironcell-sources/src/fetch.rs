//! Downloading the data directory's files from where they were published: resumable (HTTP
//! range requests on a `.part` file, `If-Range` with the validator the first response gave,
//! the answer's `Content-Range` checked), verified against the sha256 the
//! [catalogue](crate::data_dir::catalog) records, capped at the size it records (or
//! [`SIZE_CAP`]), gzip-compressed where the layout keeps a file compressed that was published
//! plain, and unpacked when the publisher ships a zip. Plain `http://` is taken only where the
//! sha256 is pinned (a file altered on the way is then refused) or from this machine (a local
//! mirror).
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

/// The most bytes a download may bring when the catalogue does not record its size: above
/// the largest published file the data directory holds (Costanzo 2016's tables, ~1 GB).
pub const SIZE_CAP: u64 = 8 << 30;

/// What a download must be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expected<'a> {
    /// Its sha256 (hex), where known.
    pub sha256: Option<&'a str>,
    /// Its size, where known: more bytes than this are refused ([`SIZE_CAP`] otherwise).
    pub bytes: Option<u64>,
}

/// Whether `url` may be fetched for a file expected as `expected`: https always; plain http
/// only with a pinned sha256 or from this machine.
fn allowed(url: &str, expected: Expected<'_>) -> Result<(), Error> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return Err(Error::format(
            url,
            "only https:// (or http:// to a mirror) is fetched",
        ));
    };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    match (local, expected.sha256) {
        (true, _) | (_, Some(_)) => Ok(()),
        (false, None) => Err(Error::format(
            url,
            "plain http and no sha256 to check the file against: refused (use https, or a \
             mirror on this machine)",
        )),
    }
}

/// The first byte a `206` answer's `Content-Range: bytes START-END/TOTAL` says it carries.
fn range_start(response: &ureq::http::Response<ureq::Body>) -> Option<u64> {
    let value = response.headers().get("content-range")?.to_str().ok()?;
    let spec = value.trim().strip_prefix("bytes")?.trim();
    spec.split('-').next()?.trim().parse().ok()
}

/// A response's validator for `If-Range`: its `ETag` (a strong one), else `Last-Modified`.
fn validator(response: &ureq::http::Response<ureq::Body>) -> Option<String> {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    header("etag")
        .filter(|e| !e.starts_with("W/"))
        .or_else(|| header("last-modified"))
}

/// Downloads `url` to `dest`, resuming a `.part` file left by an interrupted run (asking for
/// the rest only if the file is unchanged, `If-Range`, and checking that the answer starts
/// where the part ends) and checking what `expected` says. `progress(done, total)` is called
/// as bytes arrive. A `dest` that already exists (and matches the checksum when one is known)
/// is kept. A failed check keeps nothing.
pub fn download(
    url: &str,
    dest: &Path,
    expected: Expected<'_>,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Downloaded, Error> {
    allowed(url, expected)?;
    if dest.exists() {
        if let Ok(sha256) = verify(dest, expected.sha256) {
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
    // The validator of the response the part came from, beside it.
    let validator_path = part.with_extension("part.validator");
    let discard = || {
        let _ = fs::remove_file(&part);
        let _ = fs::remove_file(&validator_path);
    };
    let cap = expected.bytes.unwrap_or(SIZE_CAP);
    let have = fs::metadata(&part).map_or(0, |m| m.len());
    let mut request = ureq::get(url);
    if have > 0 {
        request = request.header("Range", &format!("bytes={have}-"));
        if let Ok(v) = fs::read_to_string(&validator_path) {
            request = request.header("If-Range", v.trim());
        }
    }
    let mut response = request
        .call()
        .map_err(|e| Error::format(url, format!("download failed: {e}")))?;
    let resumed = response.status().as_u16() == 206;
    if resumed && range_start(&response) != Some(have) {
        discard();
        return Err(Error::format(
            url,
            format!(
                "asked for the bytes from {have} on, the server answered {:?}: nothing kept; \
                 run again to download the whole file",
                response.headers().get("content-range")
            ),
        ));
    }
    if !resumed {
        // A fresh start (or a changed file): its validator, for resuming this one.
        match validator(&response) {
            Some(v) => fs::write(&validator_path, v).map_err(|e| Error::io(&part_name, e))?,
            None => {
                let _ = fs::remove_file(&validator_path);
            }
        }
    }
    let resumed_from = if resumed { have } else { 0 };
    let remaining: Option<u64> = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let total = remaining.map(|r| r + resumed_from);
    let too_big = |bytes: u64| {
        Error::format(
            url,
            format!(
                "{bytes} bytes, more than the {cap} {}: nothing kept",
                if expected.bytes.is_some() {
                    "the catalogue records"
                } else {
                    "any file of the data directory has"
                }
            ),
        )
    };
    if let Some(total) = total.filter(|&t| t > cap) {
        discard();
        return Err(too_big(total));
    }
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
        if done + n as u64 > cap {
            drop(out);
            discard();
            return Err(too_big(done + n as u64));
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
    let sha256 = match verify(&part, expected.sha256) {
        Ok(sha) => sha,
        Err(e) => {
            // A corrupt partial file would be resumed forever; start afresh next time.
            discard();
            return Err(e);
        }
    };
    fs::rename(&part, dest).map_err(|e| Error::io(&dest.display().to_string(), e))?;
    let _ = fs::remove_file(&validator_path);
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
    // The file as the layout holds it; a download of it (not of a plain file the layout
    // compresses) has its recorded size.
    let laid_out = Expected {
        sha256: file.sha256,
        bytes: file.bytes,
    };
    let fetched = |download, verified, unpacked| {
        Ok(Fetched::File {
            download,
            verified,
            unpacked,
        })
    };
    if let Some(mirror) = mirror {
        let url = format!("{}/{}", mirror.trim_end_matches('/'), file.path);
        let download = download(&url, &dest, laid_out, progress)?;
        let unpacked = match file.origin {
            Origin::Archive(_) => unzip(&dest, dest.parent().unwrap_or(root))?,
            _ => vec![],
        };
        return fetched(download, file.sha256.is_some(), unpacked);
    }
    match file.origin {
        Origin::Published(url) => fetched(
            download(url, &dest, laid_out, progress)?,
            file.sha256.is_some(),
            vec![],
        ),
        Origin::Archive(url) => {
            let download = download(url, &dest, laid_out, progress)?;
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
            let plain_file = Expected {
                sha256: Some(content_sha256),
                bytes: None,
            };
            let download = download(url, &plain, plain_file, progress)?;
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
