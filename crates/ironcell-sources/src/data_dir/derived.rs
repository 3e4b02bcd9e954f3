//! What is derived from the data directory, cached so that commands pay for it once.
//!
//! The reference bundle is assembled from `yeast-reference/` (the GenBank chromosomes, the GO
//! OBO and the deletion table) by the code `ironcell reference build` runs
//! ([`Inputs::build`]), into `reference-KEY/` under the cache, where KEY is the sha256 of the
//! derivation's version and of every input's name and sha256: a changed input (another GO
//! release, newer chromosomes) gives another key and a fresh build; unchanged inputs read the
//! cached copy. The cache is `.derived/` inside the data directory, or `derived/` in the user
//! cache when the data directory is read-only (a shared copy).
//!
//! Tests start many processes at once: a file lock makes one of them build while the others
//! wait, and a bundle appears under its final name by a rename, so none reads half of one.

use std::{
    fmt::Write as _,
    fs::{self, File},
    io,
    path::{Path, PathBuf},
    process,
};

use sha2::{Digest, Sha256};

use super::{user_cache, DataDir, Missing};
use crate::{
    reference::{BuildReport, Inputs, Reference},
    Error,
};

/// The GenBank chromosomes, inside the data directory.
pub const GENBANK: &str = "yeast-reference/sgd-genbank";
/// The Gene Ontology.
pub const OBO: &str = "yeast-reference/go-basic-2022-07-01.obo.gz";
/// The deletion project's table (essential genes).
pub const DELETION_TABLE: &str = "yeast-reference/Deletion_primers_PCR_sizes.txt.gz";

/// Bumped whenever the derivation writes something else from the same inputs, so caches
/// made by an older ironcell are not read as current.
const VERSION: u32 = 1;

/// The reference derived from a data directory.
#[derive(Debug)]
pub struct DerivedReference {
    /// The reference.
    pub reference: Reference,
    /// Where its bundle is cached (a directory `--reference` also takes).
    pub dir: PathBuf,
    /// What the build counted, when this call built it; `None` when it was read from the
    /// cache.
    pub built: Option<BuildReport>,
}

/// Why the reference could not be derived.
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    /// An input is not in the data directory.
    #[error(transparent)]
    Missing(#[from] Missing),
    /// An input could not be read.
    #[error(transparent)]
    Read(#[from] Error),
    /// The cache could not be written or read.
    #[error("{path}: {source}")]
    Cache {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// A cached bundle is unreadable.
    #[error(
        "the cached reference bundle {dir} is unreadable ({source}); delete it to derive it again"
    )]
    Corrupt {
        /// The bundle.
        dir: PathBuf,
        /// What reading it said.
        source: Error,
    },
}

fn cache_error(path: &Path) -> impl FnOnce(io::Error) -> DeriveError + '_ {
    move |source| DeriveError::Cache {
        path: path.to_owned(),
        source,
    }
}

fn sha256_of(path: &Path) -> Result<String, DeriveError> {
    crate::sha256_file(path).map_err(cache_error(path))
}

impl DataDir {
    /// Where derived files go: `.derived/` in the data directory, or `derived/` in the user
    /// cache when the data directory is read-only.
    pub fn cache_dir(&self) -> PathBuf {
        // The permission bits decide, not a trial write: a process running as root could
        // write into a copy its owner marked read-only.
        let writable = fs::metadata(self.root()).is_ok_and(|m| !m.permissions().readonly());
        let inside = self.root().join(".derived");
        if writable && fs::create_dir_all(&inside).is_ok() {
            inside
        } else {
            user_cache().join("derived")
        }
    }

    /// The reference bundle of this data directory: read from the cache, or derived into it
    /// on first use (then `built` holds the counts, for the caller to print once).
    pub fn reference(&self) -> Result<DerivedReference, DeriveError> {
        self.require([OBO, DELETION_TABLE])?;
        let inputs = Inputs::new(
            &self.folder(GENBANK)?,
            &self.root().join(OBO),
            &self.root().join(DELETION_TABLE),
            None,
        )?;
        let mut key = format!("ironcell reference bundle {VERSION}\n");
        for file in inputs.files() {
            let name = file.strip_prefix(self.root()).unwrap_or(file);
            writeln!(key, "{}\t{}", name.display(), sha256_of(file)?).expect("a String");
        }
        let key = hex::encode(Sha256::digest(key.as_bytes()));
        let (dir, built) = build_once(
            &self.cache_dir(),
            &format!("reference-{}", &key[..16]),
            |path, source| DeriveError::Cache {
                path: path.to_owned(),
                source,
            },
            |partial| Ok(inputs.build(partial)?),
        )?;
        match built {
            Some((reference, report)) => Ok(DerivedReference {
                reference,
                dir,
                built: Some(report),
            }),
            None => match Reference::read(&dir) {
                Ok(reference) => Ok(DerivedReference {
                    reference,
                    dir,
                    built: None,
                }),
                Err(source) => Err(DeriveError::Corrupt { dir, source }),
            },
        }
    }
}

/// `cache/stem`: found there, or built by `build` into a staging folder and renamed into place
/// whole. A lock file makes one of several processes build while the others wait (and then
/// find it), and a failed build leaves no staging folder behind. Returns the folder and, when
/// this call built it, what `build` returned; `io_error` says which file an I/O error is about.
pub fn build_once<T, E>(
    cache: &Path,
    stem: &str,
    io_error: impl Fn(&Path, io::Error) -> E,
    build: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<(PathBuf, Option<T>), E> {
    let dir = cache.join(stem);
    if dir.is_dir() {
        return Ok((dir, None));
    }
    fs::create_dir_all(cache).map_err(|e| io_error(cache, e))?;
    let lock_path = cache.join(format!("{stem}.lock"));
    let lock = File::create(&lock_path).map_err(|e| io_error(&lock_path, e))?;
    lock.lock().map_err(|e| io_error(&lock_path, e))?;
    if dir.is_dir() {
        // Another process built it while this one waited.
        return Ok((dir, None));
    }
    let partial = cache.join(format!("{stem}.partial-{}", process::id()));
    if partial.exists() {
        fs::remove_dir_all(&partial).map_err(|e| io_error(&partial, e))?;
    }
    let built = build(&partial).inspect_err(|_| {
        fs::remove_dir_all(&partial).ok();
    })?;
    fs::rename(&partial, &dir).map_err(|e| io_error(&dir, e))?;
    Ok((dir, Some(built)))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{write::GzEncoder, Compression};

    use super::*;

    fn gz(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut out = GzEncoder::new(File::create(path).unwrap(), Compression::fast());
        out.write_all(text.as_bytes()).unwrap();
        out.finish().unwrap();
    }

    const GENBANK_TEXT: &str =
        "LOCUS       BK006935    230218 bp    DNA     linear   PLN 18-JAN-2017
FEATURES             Location/Qualifiers
     source          1..230218
                     /chromosome=\"I\"
     gene            1..9
                     /gene=\"PAU8\"
                     /locus_tag=\"YAL068C\"
     CDS             1..9
                     /gene=\"PAU8\"
                     /locus_tag=\"YAL068C\"
                     /GO_process=\"GO:0000002 - a process [Evidence IEA]\"
ORIGIN
        1 atgaaataa
//
";

    /// A data directory with one tiny chromosome, a two-term GO and a deletion table.
    fn data(root: &Path) -> DataDir {
        gz(&root.join(GENBANK).join("chr01.gb.gz"), GENBANK_TEXT);
        gz(
            &root.join(OBO),
            "format-version: 1.2\ndata-version: releases/2022-07-01\n\n[Term]\nid: GO:0000001\nname: root\nnamespace: biological_process\n\n[Term]\nid: GO:0000002\nname: a process\nnamespace: biological_process\nis_a: GO:0000001 ! root\n",
        );
        gz(
            &root.join(DELETION_TABLE),
            "ORF_name\tdeletion_alias\tessential\n=====\t=====\t=====\nYAL068C\tPAU8\t\n",
        );
        DataDir::at(root)
    }

    #[test]
    fn the_reference_is_built_once_then_read_and_rebuilt_when_an_input_changes() {
        let root = tempfile::tempdir().unwrap();
        let data = data(root.path());
        let first = data.reference().unwrap();
        assert!(first.built.is_some());
        assert_eq!(first.reference.genes.len(), 1);
        assert!(first.dir.starts_with(root.path().join(".derived")));
        assert!(first.dir.join("PROVENANCE.md").is_file());
        let again = data.reference().unwrap();
        assert!(again.built.is_none());
        assert_eq!(
            (again.dir.clone(), again.reference),
            (first.dir.clone(), first.reference)
        );
        gz(
            &root.path().join(DELETION_TABLE),
            "ORF_name\tdeletion_alias\tessential\n=====\t=====\t=====\nYAL068C\tPAU8\tessential\n",
        );
        let changed = data.reference().unwrap();
        assert!(changed.built.is_some());
        assert_ne!(changed.dir, first.dir);
        assert_eq!(changed.reference.genes[0].essential, Some(true));
    }

    #[test]
    fn a_missing_input_is_named() {
        let root = tempfile::tempdir().unwrap();
        let err = DataDir::at(root.path())
            .reference()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("missing data file yeast-reference/go-basic-2022-07-01.obo.gz"),
            "{err}"
        );
    }
}
