//! Downloading the published files from their official locations: resumable (HTTP range
//! requests on a `.part` file), verified against a sha256 where one is known, and unpacked
//! when the publisher ships a zip.
//!
//! The table below is the single place that says where each dataset lives. A mirror (a
//! directory served over HTTP with the same file names) can stand in for every location,
//! which is also how the tests run without the internet.

use std::{
    fs::{self, File, OpenOptions},
    io::{self, BufReader, Read, Write},
    path::{Path, PathBuf},
};

use sha2::{Digest, Sha256};

use crate::Error;

/// One file of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteFile {
    /// The file name it is saved under.
    pub name: &'static str,
    /// Its official URL.
    pub url: &'static str,
    /// Its sha256, where known.
    pub sha256: Option<&'static str>,
    /// Whether it is a zip to unpack next to it.
    pub unpack: bool,
}

/// A dataset's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteDataset {
    /// The name `ironcell fetch` and `ironcell ingest` know it by.
    pub name: &'static str,
    /// Its files.
    pub files: &'static [RemoteFile],
    /// What the user should know (licence, what the archive holds).
    pub note: &'static str,
}

const fn file(name: &'static str, url: &'static str, unpack: bool) -> RemoteFile {
    RemoteFile {
        name,
        url,
        sha256: None,
        unpack,
    }
}

/// Every dataset `ironcell fetch` knows.
pub const DATASETS: &[RemoteDataset] = &[
    RemoteDataset {
        name: "costanzo2016",
        files: &[file(
            "costanzo2016_pairwise.zip",
            "https://thecellmap.org/costanzo2016/data_files/Raw%20genetic%20interaction%20datasets:%20Pair-wise%20interaction%20format.zip",
            true,
        )],
        note: "TheCellMap release of Costanzo et al. 2016: SGA_ExE/NxN/ExN_NxE/DAmP.txt and strain_ids_and_single_mutant_fitness.xlsx (~1 GB unpacked)",
    },
    RemoteDataset {
        name: "kuzmin2018",
        files: &[file(
            "aao1729_data_s1.tsv",
            "https://www.science.org/doi/suppl/10.1126/science.aao1729/suppl_file/aao1729_data_s1.tsv",
            false,
        )],
        note: "Science supplementary Data S1 of Kuzmin et al. 2018",
    },
    RemoteDataset {
        name: "kuzmin2020",
        files: &[file(
            "aaz5667-tables_s1_to_s13.zip",
            "https://www.science.org/doi/suppl/10.1126/science.aaz5667/suppl_file/aaz5667-tables_s1_to_s13.zip",
            true,
        )],
        note: "Science supplementary Tables S1–S13 of Kuzmin et al. 2020 (S1, S3, S5 are read)",
    },
    RemoteDataset {
        name: "ohya2005",
        files: &[
            file(
                "mt4718data.tsv",
                "http://www.yeast.ib.k.u-tokyo.ac.jp/SCMD/download.php?path=mt4718data.tsv",
                false,
            ),
            file(
                "wt122data.tsv",
                "http://www.yeast.ib.k.u-tokyo.ac.jp/SCMD/download.php?path=wt122data.tsv",
                false,
            ),
        ],
        note: "SCMD (Saccharomyces Cerevisiae Morphological Database) CalMorph matrices",
    },
    RemoteDataset {
        name: "synlethdb",
        files: &[
            file(
                "Yeast_SL.csv",
                "https://synlethdb.sist.shanghaitech.edu.cn/v2/static/download/SL/Yeast_SL.csv",
                false,
            ),
            file(
                "Yeast_SR.csv",
                "https://synlethdb.sist.shanghaitech.edu.cn/v2/static/download/SR/Yeast_SR.csv",
                false,
            ),
        ],
        note: "SynLethDB 2.0 yeast tables; if the site moved its downloads, fetch them from its download page and use --mirror",
    },
    RemoteDataset {
        name: "essentiality",
        files: &[
            file(
                "Deletion_primers_PCR_sizes.txt",
                "http://www-sequence.stanford.edu/group/yeast_deletion_project/Deletion_primers_PCR_sizes.txt",
                false,
            ),
            file(
                "phenotype_data.tab",
                "https://downloads.yeastgenome.org/curation/literature/phenotype_data.tab",
                false,
            ),
        ],
        note: "Yeast Deletion Project strain table and SGD phenotype annotations (SGD data are CC BY 4.0)",
    },
];

/// The dataset called `name`.
pub fn dataset(name: &str) -> Option<&'static RemoteDataset> {
    DATASETS.iter().find(|d| d.name == name)
}

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
    let name = path.display().to_string();
    let mut reader = BufReader::new(File::open(path).map_err(|e| Error::io(&name, e))?);
    let mut hasher = Sha256::new();
    io::copy(&mut reader, &mut hasher).map_err(|e| Error::io(&name, e))?;
    Ok(hex::encode(hasher.finalize()))
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
