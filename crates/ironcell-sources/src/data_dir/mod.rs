//! The data directory: where the public data ironcell reads lives, never in the repository.
//!
//! Resolved in this order: `--data DIR`, `$IRONCELL_DATA`, then the user cache
//! (`~/.cache/ironcell` on Linux) that `ironcell fetch` fills. Its layout is the one the
//! [`catalog`] lists: `yeast-reference/`, `yeast-screens/`, `yeast-networks/`. A file that is
//! not there is a [`Missing`] error naming the file, where it was looked for, and the exact
//! `ironcell fetch …` or `IRONCELL_DATA=…` that provides it.
//!
//! What is derived from the data (the reference bundle) is cached beside it, under
//! `.derived/`, or in the user cache when the data directory is read-only: see [`derived`].

pub mod catalog;
pub mod derived;

use std::{
    env, fmt,
    path::{Path, PathBuf},
};

use catalog::Origin;

/// The environment variable naming the data directory.
pub const ENV: &str = "IRONCELL_DATA";

/// How the data directory was chosen; errors say so, so a user knows what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// `--data DIR`.
    Flag,
    /// `$IRONCELL_DATA`.
    Environment,
    /// Neither was given: the user cache.
    UserCache,
}

/// A resolved data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
    choice: Choice,
}

/// The user cache of ironcell (`~/.cache/ironcell` on Linux), where `ironcell fetch` puts the
/// data directory and where derived files go when the data directory is read-only.
pub fn user_cache() -> PathBuf {
    dirs::cache_dir()
        .unwrap_or_else(env::temp_dir)
        .join("ironcell")
}

impl DataDir {
    /// `flag` (from `--data`), else `$IRONCELL_DATA`, else the user cache. A relative path is
    /// taken from the current directory.
    pub fn resolve(flag: Option<&Path>) -> Self {
        Self::resolve_from(flag, env::var_os(ENV).map(PathBuf::from), None)
    }

    /// As [`resolve`](Self::resolve), with relative paths taken from `base` instead of the
    /// current directory: tests run in their crate's folder but are given paths relative to
    /// the workspace, as the README's commands are.
    pub fn resolve_in(flag: Option<&Path>, base: &Path) -> Self {
        Self::resolve_from(flag, env::var_os(ENV).map(PathBuf::from), Some(base))
    }

    fn resolve_from(flag: Option<&Path>, env: Option<PathBuf>, base: Option<&Path>) -> Self {
        let (root, choice) = match (flag, env) {
            (Some(dir), _) => (dir.to_owned(), Choice::Flag),
            (None, Some(dir)) if !dir.as_os_str().is_empty() => (dir, Choice::Environment),
            _ => (user_cache(), Choice::UserCache),
        };
        let root = match base {
            Some(base) if root.is_relative() => base.join(root),
            _ => root,
        };
        Self { root, choice }
    }

    /// A data directory at `root`, as if given by `--data`.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            choice: Choice::Flag,
        }
    }

    /// Its root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// How it was chosen.
    pub fn choice(&self) -> Choice {
        self.choice
    }

    /// The path of `file` (a `/`-separated path inside the layout), which must exist.
    pub fn file(&self, file: &str) -> Result<PathBuf, Missing> {
        let path = self.root.join(file);
        if path.is_file() {
            Ok(path)
        } else {
            Err(self.missing(vec![file.to_owned()]))
        }
    }

    /// The path of folder `dir` inside the layout, which must exist.
    pub fn folder(&self, dir: &str) -> Result<PathBuf, Missing> {
        let path = self.root.join(dir);
        if path.is_dir() {
            Ok(path)
        } else {
            Err(self.missing(vec![format!("{dir}/")]))
        }
    }

    /// Checks that every one of `files` is there before a command starts writing, so a
    /// missing file stops it with nothing half-written; names all the missing ones at once.
    pub fn require<'a>(&self, files: impl IntoIterator<Item = &'a str>) -> Result<(), Missing> {
        let missing: Vec<String> = files
            .into_iter()
            .filter(|f| !self.root.join(f).is_file())
            .map(str::to_owned)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(self.missing(missing))
        }
    }

    fn missing(&self, files: Vec<String>) -> Missing {
        Missing {
            files,
            root: self.root.clone(),
            choice: self.choice,
        }
    }
}

/// The data directory of this crate's unit tests: `$IRONCELL_DATA`, a relative one taken from
/// the workspace root, else the user cache.
#[cfg(test)]
pub(crate) fn for_tests() -> DataDir {
    DataDir::resolve_in(
        None,
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")),
    )
}

/// Files the data directory lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// Paths inside the layout.
    pub files: Vec<String>,
    /// Where they were looked for.
    pub root: PathBuf,
    /// How that place was chosen.
    pub choice: Choice,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, rest) = self
            .files
            .split_first()
            .map_or(("", &[][..]), |(a, b)| (a, b));
        write!(f, "missing data file {first}")?;
        if !rest.is_empty() {
            write!(f, " (and {} more: {})", rest.len(), rest.join(", "))?;
        }
        let how = match self.choice {
            Choice::Flag => "given by --data".to_owned(),
            Choice::Environment => format!("from ${ENV}"),
            Choice::UserCache => {
                format!("the user cache: no --data was given and ${ENV} is not set")
            }
        };
        write!(f, "\n  looked in {} ({how})", self.root.display())?;
        let mut fetch = Vec::new();
        let mut made = Vec::new();
        for file in &self.files {
            match catalog::entry(file) {
                Some((d, f)) if f.downloadable() && !fetch.contains(&d.name) => {
                    fetch.push(d.name);
                }
                Some((_, f)) => {
                    if let Origin::Made(how) = f.origin {
                        made.push((f.path, how));
                    }
                }
                None => {}
            }
        }
        let to = match self.choice {
            Choice::UserCache => String::new(),
            _ => format!(" --to {}", self.root.display()),
        };
        if !fetch.is_empty() {
            write!(
                f,
                "\n  download with: ironcell fetch {}{to}",
                fetch.join(" ")
            )?;
        }
        for (path, how) in made {
            write!(f, "\n  {path} cannot be downloaded as is ({how})")?;
        }
        write!(
            f,
            "\n  or use a copy of the data directory: {ENV}=/path/to/data (or --data /path/to/data)"
        )
    }
}

impl std::error::Error for Missing {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_the_variable_then_the_user_cache() {
        let flag = Path::new("/a");
        let env = Some(PathBuf::from("/b"));
        let at = |d: DataDir| (d.root, d.choice);
        assert_eq!(
            at(DataDir::resolve_from(Some(flag), env.clone(), None)),
            (PathBuf::from("/a"), Choice::Flag)
        );
        assert_eq!(
            at(DataDir::resolve_from(None, env, None)),
            (PathBuf::from("/b"), Choice::Environment)
        );
        assert_eq!(
            at(DataDir::resolve_from(None, Some(PathBuf::new()), None)),
            (user_cache(), Choice::UserCache)
        );
        assert_eq!(
            DataDir::resolve_from(None, Some("../shared/data".into()), Some(Path::new("/w"))).root,
            PathBuf::from("/w/../shared/data")
        );
    }

    #[test]
    fn a_missing_file_says_where_it_looked_and_what_provides_it() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir {
            root: dir.path().to_owned(),
            choice: Choice::Environment,
        };
        let err = data
            .require([
                "yeast-screens/networks/Hu-2007.txt.gz",
                "yeast-screens/tong2004-sga/tested_pairs.tsv.gz",
            ])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("missing data file yeast-screens/networks/Hu-2007.txt.gz (and 1 more"),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "looked in {} (from $IRONCELL_DATA)",
                dir.path().display()
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "ironcell fetch networks --to {}",
                dir.path().display()
            )),
            "{err}"
        );
        assert!(
            err.contains("tested_pairs.tsv.gz cannot be downloaded as is (converted"),
            "{err}"
        );
        assert!(err.contains("IRONCELL_DATA=/path/to/data"), "{err}");
        std::fs::create_dir_all(dir.path().join("yeast-screens/networks")).unwrap();
        std::fs::write(
            dir.path().join("yeast-screens/networks/Hu-2007.txt.gz"),
            b"",
        )
        .unwrap();
        assert!(data.file("yeast-screens/networks/Hu-2007.txt.gz").is_ok());
    }
}
