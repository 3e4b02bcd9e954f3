//! Every reader behind `ingest`, fed edited copies of its own fixture (flipped and inserted
//! bytes, cut lines, doubled lines, numbers that are not numbers, stray separators and
//! BOMs, truncation, and each of those gzipped, the gzip stream itself cut short): a reader
//! returns records or a clear error, never panics, and what the store holds afterwards is
//! what the outcome (or the partial-failure error) says it stored.
//!
//! Proptest rather than `cargo fuzz`: it runs on stable inside `cargo test`. CI runs
//! `PROPTEST_CASES` cases (default 256) over all readers; RELIABILITY.md records a long run.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use ironcell_data::ingest::{self, Error, Options, Source};
use ironcell_kg::{GraphStore, SqliteStore};
use ironcell_sources::{
    genbank::Strand,
    reference::{Gene, Reference},
    report::BadRows,
};
use proptest::prelude::*;

mod common;
use common::{apply, edit};

/// A reader's fixture and the name `ingest` must see it under (the name selects tables,
/// PubMed ids and DCell parts).
struct Case {
    source: Source,
    fixture: &'static str,
    name: &'static str,
}

const CASES: &[Case] = &[
    Case {
        source: Source::Costanzo2016,
        fixture: "SGA_ExE.txt",
        name: "SGA_ExE.txt",
    },
    Case {
        source: Source::Kuzmin2018,
        fixture: "aao1729_data_s1.tsv",
        name: "aao1729_data_s1.tsv",
    },
    Case {
        source: Source::Kuzmin2020,
        fixture: "aaz5667-Table-S1.xlsx",
        name: "aaz5667-Table-S1.xlsx",
    },
    Case {
        source: Source::Kuzmin2020,
        fixture: "aaz5667-Table-S5.xlsx",
        name: "aaz5667-Table-S5.xlsx",
    },
    Case {
        source: Source::Ohya2005,
        fixture: "mt4718data.tsv",
        name: "mt4718data.tsv",
    },
    Case {
        source: Source::Synlethdb,
        fixture: "Yeast_SL.csv",
        name: "Yeast_SL.csv",
    },
    Case {
        source: Source::Essentiality,
        fixture: "phenotype_data.tab",
        name: "phenotype_data.tab",
    },
    Case {
        source: Source::Collins2007,
        fixture: "collins2007_sscores.tsv",
        name: "sscores.tsv",
    },
    Case {
        source: Source::Tong2004,
        fixture: "tong2004_tested_pairs.tsv",
        name: "tested_pairs.tsv",
    },
    Case {
        source: Source::Yeastphenome,
        fixture: "yeastphenome_value.txt",
        name: "33958448/values.txt",
    },
    Case {
        source: Source::Jonikas2009,
        fixture: "jonikas2009_double_mutants.tsv",
        name: "double_mutants.tsv",
    },
    Case {
        source: Source::DcellEpsilon,
        fixture: "GO_0006281_training_data_2016_0",
        name: "GO_0006281_training_data_2016_0",
    },
    Case {
        source: Source::Hoepfner2014,
        fixture: "hoepfner_hop_known.txt",
        name: "hop_known.txt",
    },
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ironcell-sources/tests/fixtures")
        .join(name)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("writing to memory");
    e.finish().expect("writing to memory")
}

/// The genes the fixtures name by standard name only (SynLethDB, Jonikas 2009).
fn reference() -> Reference {
    let gene = |systematic: &str, standard: &str, synonyms: &[&str]| Gene {
        systematic_name: systematic.parse().expect("a systematic name"),
        standard_name: Some(standard.to_owned()),
        synonyms: synonyms.iter().map(|s| s.to_string()).collect(),
        chromosome: "I".to_owned(),
        strand: Strand::Forward,
        start: 1,
        end: 2,
        essential: None,
        cds: None,
    };
    Reference {
        genes: vec![
            gene("YBR160W", "CDC28", &["CDK1"]),
            gene("YAL002W", "VPS8", &[]),
            gene("YAL068C", "PAU8", &[]),
            gene("YGR188C", "BUB1", &[]),
            gene("YHR079C", "IRE1", &[]),
            gene("YFR001W", "LOC1", &[]),
            gene("YLR048W", "RPS0B", &[]),
            gene("YOR047C", "STD1", &[]),
            gene("YLR378C", "SEC61", &[]),
        ],
        terms: Vec::new(),
        annotations: Vec::new(),
        go_version: String::new(),
    }
}

fn experiments(store: &SqliteStore) -> u64 {
    store
        .stats()
        .expect("counting")
        .nodes
        .get("Experiment")
        .copied()
        .unwrap_or(0)
}

/// Writes `bytes` under the case's name in `dir` (gzipped as `NAME.gz` when asked) and
/// ingests it into a new store, in batches of 7 so a failure can come after a write.
fn ingest(
    case: &Case,
    dir: &Path,
    bytes: &[u8],
    gz: Option<usize>,
    bad_rows: BadRows,
) -> (Result<ingest::Outcome, Error>, SqliteStore) {
    let mut path = dir.join(case.name);
    std::fs::create_dir_all(path.parent().expect("a file in dir")).expect("creating a folder");
    let mut written = bytes.to_vec();
    if let Some(cut) = gz {
        written = gzip(bytes);
        // Cut the compressed stream short, as an interrupted download leaves it.
        if cut > 0 {
            written.truncate(written.len().saturating_sub(cut % written.len().max(1)));
        }
        path.set_file_name(format!(
            "{}.gz",
            path.file_name()
                .and_then(|n| n.to_str())
                .expect("a UTF-8 name")
        ));
    }
    std::fs::write(&path, &written).expect("writing the edited file");
    let options = Options {
        wild_type: (case.source == Source::Ohya2005).then(|| fixture("wt122data.tsv")),
        batch: Some(7),
        bad_rows,
        ..Options::default()
    };
    let mut store = SqliteStore::open_in_memory().expect("an in-memory store");
    let result = ingest::run(
        case.source,
        &[path],
        &reference(),
        &mut store,
        &options,
        &mut |_, _| {},
    );
    (result, store)
}

/// The fixtures hold rows that must be rejected (the readers' own tests use them), so as
/// they are they ingest with `--skip-bad-rows`: what the edits start from is readable.
#[test]
fn every_fixture_ingests_as_it_is() {
    for case in CASES {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let bytes = std::fs::read(fixture(case.fixture)).expect("reading the fixture");
        let (result, store) = ingest(case, dir.path(), &bytes, None, BadRows::Skip);
        let outcome = result.unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert!(outcome.added > 0, "{}: nothing stored", case.name);
        assert_eq!(outcome.added, experiments(&store), "{}", case.name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Each case writes a file and a store: the default 256 over all readers keeps the
        // test to seconds; `PROPTEST_CASES` runs more.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_reader_refuses_or_reads_edited_files(
        which in 0..CASES.len(),
        edits in prop::collection::vec(edit(), 1..6),
        gz in prop::option::of(0usize..64),
        skip in any::<bool>(),
    ) {
        let case = &CASES[which];
        let mut bytes = std::fs::read(fixture(case.fixture)).expect("reading the fixture");
        for e in &edits {
            apply(&mut bytes, e);
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let bad_rows = if skip { BadRows::Skip } else { BadRows::Fail };
        let (result, store) = ingest(case, dir.path(), &bytes, gz, bad_rows);
        let stored = experiments(&store);
        match result {
            Ok(outcome) => prop_assert_eq!(outcome.added, stored, "{}", case.name),
            Err(Error::Partial { new, error, .. }) => {
                prop_assert_eq!(new, stored, "{}: {}", case.name, error);
            }
            Err(e) => {
                // Nothing of the file was written, and the error says something.
                prop_assert_eq!(stored, 0, "{}: {}", case.name, e);
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
}
