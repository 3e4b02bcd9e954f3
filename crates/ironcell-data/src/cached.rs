//! Datasets built once from data-directory files and kept, keyed by the files' sha256.
//!
//! A benchmark's task is what a user gets from `ingest` and `dataset build`: the files go into
//! an embedded SQLite knowledge graph, a [`DatasetQuery`] takes the task's experiments out of
//! it. Ingesting 600,000 SGA pairs takes a minute that the hundredth run of the benchmark
//! should not pay again, so the store and the dataset are kept in the data directory's cache
//! under a key of everything that decides their content: the files' sha256, the query, how bad
//! rows are treated, the reference's genes and this crate's version. A changed input is a new
//! key, never a stale answer.

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

use ironcell_kg::SqliteStore;
use ironcell_sources::{
    data_dir::{derived::build_once, DataDir},
    reference::Reference,
    report::BadRows,
};
use sha2::{Digest, Sha256};

use crate::{
    dataset::{self, DatasetQuery, Manifest},
    ingest::{self, Options, Source},
    instances::Instances,
    Error,
};

/// Bumped when what a recipe builds changes with the same inputs.
const FORMAT: u32 = 1;

/// What to ingest and how to query it.
#[derive(Debug, Clone)]
pub struct Recipe<'a> {
    /// Names the cache entry (`emap`).
    pub name: &'a str,
    /// The reader `ingest` uses.
    pub source: Source,
    /// The files, as data-directory paths.
    pub files: &'a [&'a str],
    /// The dataset to build from them.
    pub query: DatasetQuery,
    /// What a row that cannot be read does (`Skip` lists it in the ingest report).
    pub bad_rows: BadRows,
}

/// A recipe's dataset, opened from the cache.
pub struct Cached {
    /// Its directory (`instances.arrow`, `splits.arrow`, `manifest.json`, and `kg.sqlite`,
    /// the knowledge graph it was built from).
    pub dir: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
    /// The instances.
    pub instances: Instances,
    /// Whether this call built it (rather than finding it built).
    pub built: bool,
}

/// The store the dataset was built from, inside its directory.
pub const STORE: &str = "kg.sqlite";

/// `recipe`'s dataset from `data`'s files: opened from the cache, or ingested and built into it
/// first ([`build_once`]: concurrent callers build once, a failed build leaves nothing).
pub fn dataset(
    data: &DataDir,
    reference: &Reference,
    recipe: &Recipe<'_>,
) -> Result<Cached, Error> {
    let files = recipe
        .files
        .iter()
        .map(|f| {
            data.file(f)
                .map_err(|e| Error::format(&data.root().join(f), e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let key = key(recipe, &files, reference)?;
    let (dir, built) = build_once(
        &data.cache_dir(),
        &format!("dataset-{}-{}", recipe.name, &key[..16]),
        Error::io,
        |partial| build(recipe, &files, reference, partial),
    )?;
    let (manifest, instances) = dataset::open(&dir)?;
    Ok(Cached {
        dir,
        manifest,
        instances,
        built: built.is_some(),
    })
}

/// Ingests `files` into a new store in `out` and builds the dataset beside it.
fn build(
    recipe: &Recipe<'_>,
    files: &[PathBuf],
    reference: &Reference,
    out: &Path,
) -> Result<(), Error> {
    fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let path = out.join(STORE);
    let mut store = SqliteStore::open(&path).map_err(|e| Error::format(&path, e.to_string()))?;
    let options = Options {
        bad_rows: recipe.bad_rows,
        ..Options::default()
    };
    ingest::run(
        recipe.source,
        files,
        reference,
        &mut store,
        &options,
        &mut |_, _| {},
    )
    .map_err(|e| Error::format(&path, format!("ingesting {}: {e}", recipe.source)))?;
    dataset::build(&store, &recipe.query, out)?;
    Ok(())
}

/// The sha256 of everything that decides the dataset's content.
fn key(recipe: &Recipe<'_>, files: &[PathBuf], reference: &Reference) -> Result<String, Error> {
    let query = serde_json::to_string(&recipe.query)
        .map_err(|e| Error::format(Path::new(recipe.name), e.to_string()))?;
    let mut text = format!(
        "ironcell cached dataset {FORMAT} {}\nsource {}\nbad rows {:?}\nquery {query}\n",
        env!("CARGO_PKG_VERSION"),
        recipe.source,
        recipe.bad_rows,
    );
    for (name, path) in recipe.files.iter().zip(files) {
        let sha = ironcell_sources::sha256_file(path).map_err(|e| Error::io(path, e))?;
        writeln!(text, "{name}\t{sha}").expect("a String");
    }
    // Names map to genes through the reference, and the store holds it.
    let genes = format!("{:?}", reference.genes);
    writeln!(
        text,
        "reference {}",
        hex::encode(Sha256::digest(genes.as_bytes()))
    )
    .expect("a String");
    Ok(hex::encode(Sha256::digest(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    use ironcell_core::PhenotypeKind;

    use super::*;
    use crate::fixtures;

    /// E-MAP scores in Collins 2007's layout (illustrative values).
    const EMAP: &str = "orf_a\tallele_a\torf_b\tallele_b\tscore
YAL011W\tDELETION\tYAL013W\tDELETION\t-3.25
YAL002W\tDELETION\tYBR088C\tDELETION\t1.5
YAL002W\tDELETION\tYAL013W\tDELETION\t0.5
YBR088C\tDELETION\tYAL011W\tDELETION\t-0.75
";

    fn recipe(files: &[&'static str]) -> Recipe<'static> {
        Recipe {
            name: "emap",
            source: Source::Collins2007,
            files: files.to_vec().leak(),
            query: DatasetQuery::new(vec![], vec![PhenotypeKind::EmapScore]),
            bad_rows: BadRows::Fail,
        }
    }

    #[test]
    fn builds_once_and_again_when_an_input_changes() {
        let root = tempfile::tempdir().unwrap();
        let file = "emap/sscores.tsv";
        fs::create_dir_all(root.path().join("emap")).unwrap();
        fs::write(root.path().join(file), EMAP).unwrap();
        let data = DataDir::at(root.path());
        let reference = fixtures::reference(vec![], vec![]);
        let recipe = recipe(&[file]);

        let first = dataset(&data, &reference, &recipe).unwrap();
        assert!(first.built);
        assert_eq!(first.instances.len(), 4);
        assert!(first.dir.join(STORE).is_file());
        let again = dataset(&data, &reference, &recipe).unwrap();
        assert!(!again.built, "the second call must read the cache");
        assert_eq!(
            (again.dir.clone(), again.manifest),
            (first.dir.clone(), first.manifest)
        );

        // One more row: a new key, a new dataset; the old one stays where it was.
        fs::write(
            root.path().join(file),
            format!("{EMAP}YAL011W\tDELETION\tYAL002W\tDELETION\t0.25\n"),
        )
        .unwrap();
        let changed = dataset(&data, &reference, &recipe).unwrap();
        assert!(changed.built);
        assert_ne!(changed.dir, first.dir);
        assert_eq!(changed.instances.len(), 5);
        assert!(first.dir.is_dir());
    }

    #[test]
    fn a_bad_row_fails_with_its_line_and_leaves_nothing_behind() {
        let root = tempfile::tempdir().unwrap();
        let file = "sscores.tsv";
        fs::write(
            root.path().join(file),
            format!("{EMAP}YAL011W\tDELETION\tYAL002W\tDELETION\thigh\n"),
        )
        .unwrap();
        let data = DataDir::at(root.path());
        let reference = fixtures::reference(vec![], vec![]);
        let e = dataset(&data, &reference, &recipe(&[file]))
            .err()
            .expect("a score that is not a number");
        let said = e.to_string();
        assert!(
            said.contains("sscores.tsv") && said.contains(":6"),
            "{said}"
        );
        let left: Vec<_> = fs::read_dir(data.cache_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
