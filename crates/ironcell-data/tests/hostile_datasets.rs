//! A dataset directory edited by a hostile user or a bad disk: `dataset::open` and
//! `read_split` refuse it or read it, never panic, and what they read is in range. With
//! `reseal`, the manifest's sha256 is rewritten to match the edited file (a user who edits
//! both), so the Arrow readers and the index checks behind the checksum are reached too.

use std::path::{Path, PathBuf};

use ironcell_core::{Environment, PhenotypeKind, SystematicName};
use ironcell_data::{
    dataset::{self, read_split, DatasetQuery, Table},
    instances::LabelValue,
    split::SplitName,
};
use proptest::prelude::*;

mod common;
use common::{apply, edit};

const FILES: [&str; 3] = ["instances.arrow", "splits.arrow", "manifest.json"];

/// A small dataset: pairs and singles over 30 genes, two labels, two environments.
fn write_dataset(dir: &Path) {
    let genes: Vec<SystematicName> = (1..=30)
        .map(|i| format!("YAL{i:03}W").parse().expect("a systematic name"))
        .collect();
    let mut table = Table::new(2);
    for i in 0..240u32 {
        let a = i % 30;
        let b = (i * 7 + 3) % 30;
        let value = |v: f32| LabelValue {
            value: v,
            std: 0.01,
            p_value: f32::NAN,
        };
        let labels = [value(i as f32 / 240.0), value(-(i as f32) / 480.0)];
        if a == b || i % 5 == 0 {
            table.push([a], 0, (i % 2) as u16, &labels);
        } else {
            table.push([a.min(b), a.max(b)], 0, (i % 2) as u16, &labels);
        }
    }
    let query = DatasetQuery::new(
        vec!["fixture".into()],
        vec![PhenotypeKind::Fitness, PhenotypeKind::GeneInteraction],
    );
    let mut cold = Environment::sga_plate(26);
    cold.temperature_c = 26;
    dataset::write(
        dir,
        query,
        vec!["fitness".into(), "gene_interaction".into()],
        genes,
        vec!["fixture".into()],
        vec![Environment::sga_plate(30), cold],
        &table,
    )
    .expect("writing the fixture dataset");
}

fn fixture() -> &'static Path {
    static DIR: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("dataset");
        write_dataset(&path);
        (dir, path)
    })
    .1
}

/// Rewrites the manifest's sha256 of `file` to the file's own.
fn reseal(dir: &Path, file: &str) {
    let path = dir.join("manifest.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let Ok(mut manifest) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    let sha = ironcell_sources::sha256_file(&dir.join(file)).expect("hashing the edited file");
    manifest["sha256"][file] = serde_json::Value::String(sha);
    std::fs::write(&path, manifest.to_string()).expect("rewriting the manifest");
}

/// Everything a model would read, with every index checked against what it indexes.
fn read_everything(dir: &Path) -> Result<(), String> {
    let (manifest, instances) = dataset::open(dir).map_err(|e| e.to_string())?;
    for i in 0..instances.len() {
        for &g in instances.genes(i) {
            assert!((g as usize) < manifest.genes.len(), "gene {g} out of range");
        }
        for l in 0..instances.labels().len() {
            let _ = instances.label(l, i);
        }
        let (d, e) = instances.source(i);
        assert!((d as usize) < manifest.datasets.len().max(1));
        assert!((e as usize) < manifest.environments.len().max(1));
    }
    for name in SplitName::ALL {
        if manifest.splits.contains_key(name.as_str()) {
            let split = read_split(&dir.join("splits.arrow"), name).map_err(|e| e.to_string())?;
            for &i in split
                .train
                .iter()
                .chain(&split.validation)
                .chain(&split.test)
            {
                assert!(i < instances.len(), "split index {i} out of range");
            }
        }
    }
    Ok(())
}

#[test]
fn the_fixture_reads_whole() {
    read_everything(fixture()).expect("the fixture reads");
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn an_edited_dataset_is_refused_or_read_in_range(
        file in 0..FILES.len(),
        edits in prop::collection::vec(edit(), 1..6),
        resealed in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for f in FILES {
            std::fs::copy(fixture().join(f), dir.path().join(f)).expect("copying the fixture");
        }
        let path = dir.path().join(FILES[file]);
        let mut bytes = std::fs::read(&path).expect("reading the copy");
        let before = bytes.clone();
        for e in &edits {
            apply(&mut bytes, e);
        }
        std::fs::write(&path, &bytes).expect("writing the edit");
        if resealed && file < 2 {
            reseal(dir.path(), FILES[file]);
        }
        let read = read_everything(dir.path());
        // Without a resealed manifest, a changed data file never reads.
        if !resealed && file < 2 && bytes != before {
            prop_assert!(read.is_err(), "an edited {} was read", FILES[file]);
        }
    }
}
