//! `dataset::build` on the published-format fixtures: labels and spreads survive the trip
//! through the knowledge graph and the Arrow files, and the splits are what they claim.

use std::{collections::BTreeSet, fs::File, io::Cursor, path::PathBuf};

use arrow_array::{cast::AsArray, types::UInt8Type};
use ironcell_core::{Phenotype, PhenotypeKind, SystematicName};
use ironcell_data::{
    dataset::{build, DatasetQuery, SplitConfig},
    instances::Instances,
    split::SplitName,
};
use ironcell_kg::{GraphStore, SqliteStore};
use ironcell_sources::{
    costanzo2016::pairs,
    kuzmin2018,
    report::{collect, BadRows},
};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../ironcell-sources/tests/fixtures")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn store() -> SqliteStore {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let input = Cursor::new(fixture("SGA_ExE.txt").into_bytes());
    let (records, _) = collect(
        pairs::Reader::new(input, "SGA_ExE.txt").unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    let experiments: Vec<_> = records
        .iter()
        .flat_map(pairs::PairRecord::experiments)
        .collect();
    store.put_experiments(&experiments).unwrap();
    let (kuzmin, _) = collect(
        kuzmin2018::Reader::new(Cursor::new(fixture("aao1729_data_s1.tsv")), "s1").unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    let p = kuzmin2018::publication();
    let experiments: Vec<_> = kuzmin
        .iter()
        .flat_map(|r| r.experiments("kuzmin2018", &p))
        .collect();
    store.put_experiments(&experiments).unwrap();
    store
}

fn split_column(dir: &std::path::Path, name: &str) -> Vec<u8> {
    let file = File::open(dir.join("splits.arrow")).unwrap();
    let reader = arrow_ipc::reader::FileReader::try_new(file, None).unwrap();
    reader
        .flat_map(|b| {
            let b = b.unwrap();
            b.column_by_name(name)
                .unwrap()
                .as_primitive::<UInt8Type>()
                .values()
                .to_vec()
        })
        .collect()
}

#[test]
fn builds_labels_splits_and_manifest() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    let query = DatasetQuery {
        datasets: vec![],
        labels: vec![PhenotypeKind::Fitness, PhenotypeKind::GeneInteraction],
        temperature_c: None,
        max_perturbations: Some(3),
        deletions_only: false,
        policy: "mean".into(),
        split: SplitConfig {
            seed: 3,
            validation: 0.2,
            test: 0.3,
        },
        test_genes: vec![],
    };
    let manifest = build(&store, &query, dir.path()).unwrap();
    let data = Instances::open(&dir.path().join("instances.arrow")).unwrap();
    assert_eq!(data.len() as u64, manifest.instances);
    assert_eq!(data.labels(), ["fitness", "gene_interaction"]);

    // Every fitness experiment's value is the fitness label of its row.
    let experiments = store.query(&Default::default()).unwrap();
    let mut checked = 0;
    for e in &experiments {
        let Phenotype::Fitness(f) = &e.phenotype else {
            continue;
        };
        let genes: Vec<u32> = e
            .genotype
            .genes()
            .map(|g| manifest.genes.iter().position(|x| x == g).unwrap() as u32)
            .collect();
        let env = manifest
            .environments
            .iter()
            .position(|x| *x == e.environment)
            .unwrap() as u16;
        let row = (0..data.len())
            .find(|&i| data.genes(i) == genes.as_slice() && data.source(i).1 == env)
            .unwrap();
        assert_eq!(data.label(0, row).value, f.value() as f32);
        assert_eq!(data.label(0, row).std, f.std().unwrap() as f32);
        checked += 1;
    }
    assert!(checked >= 8, "{checked}");
    // A row with a fitness but no ε keeps NaN there (the fixture has one).
    assert!((0..data.len())
        .any(|i| data.label(1, i).value.is_nan() && !data.label(0, i).value.is_nan()));
    assert!((0..data.len()).any(|i| !data.label(1, i).p_value.is_nan()));

    let random = split_column(dir.path(), "random");
    assert_eq!(random.len(), data.len());
    assert!(
        random.iter().all(|&c| c <= 2),
        "a random split keeps every instance"
    );
    let disjoint = split_column(dir.path(), "gene_disjoint_all");
    let genes_of = |code: u8| -> BTreeSet<u32> {
        (0..data.len())
            .filter(|&i| disjoint[i] == code)
            .flat_map(|i| data.genes(i).to_vec())
            .collect()
    };
    assert!(genes_of(0).is_disjoint(&genes_of(2)));
    assert!(genes_of(0).is_disjoint(&genes_of(1)));
    assert_eq!(
        manifest.splits["gene_disjoint_all"].test_genes_seen_in_training,
        0
    );
    // Under `_any` the same training part; a test genotype may pair a held-out gene with a
    // training one, but holds at least one gene no training genotype holds.
    let any = split_column(dir.path(), "gene_disjoint_any");
    let training_genes = genes_of(0);
    assert!((0..data.len()).all(|i| (any[i] == 0) == (disjoint[i] == 0)));
    assert!((0..data.len())
        .filter(|&i| any[i] == 2)
        .all(|i| data.genes(i).iter().any(|g| !training_genes.contains(g))));
    assert!(
        (0..data.len()).filter(|&i| any[i] == 2).count()
            >= (0..data.len()).filter(|&i| disjoint[i] == 2).count()
    );
    // Kuzmin's triples carry their double-mutant query strain: a query-disjoint split keeps
    // every triple of one query in one part.
    assert_eq!(
        manifest.splits["query_disjoint"].test_queries_seen_in_training,
        Some(0)
    );
    let by_query = split_column(dir.path(), "query_disjoint");
    let index = |g: &str| manifest.genes.iter().position(|x| x.as_str() == g).unwrap() as u32;
    let (ufd4, ubx4) = (index("YKL010C"), index("YMR067C"));
    let triples: Vec<usize> = (0..data.len())
        .filter(|&i| {
            let g = data.genes(i);
            g.len() == 3 && g.contains(&ufd4) && g.contains(&ubx4)
        })
        .collect();
    assert!(triples.len() >= 2, "{triples:?}");
    assert!(triples.iter().all(|&i| by_query[i] == by_query[triples[0]]));
    assert!(manifest.splits["gene_disjoint_all"]
        .test_queries_seen_in_training
        .is_none());
    // The reader gives back what the columns say.
    for name in [
        SplitName::Random,
        SplitName::GeneDisjointAny,
        SplitName::GeneDisjointAll,
    ] {
        let codes = split_column(dir.path(), name.as_str());
        let split =
            ironcell_data::dataset::read_split(&dir.path().join("splits.arrow"), name).unwrap();
        for (code, part) in [
            (0u8, &split.train),
            (1, &split.validation),
            (2, &split.test),
        ] {
            assert!(part.iter().all(|&i| codes[i] == code));
            assert_eq!(part.len(), codes.iter().filter(|&&c| c == code).count());
        }
    }
    assert_eq!(
        ironcell_data::dataset::read_manifest(dir.path())
            .unwrap()
            .instances,
        manifest.instances
    );
    let summary = &manifest.splits["random"];
    assert_eq!(
        summary.train + summary.validation + summary.test,
        data.len()
    );
    assert_eq!(manifest.sha256.len(), 2);
    let text = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
    assert!(text.contains("\"policy\": \"mean\""), "{text}");

    // A user's held-out genes: a third split in which no training genotype holds them and
    // every test genotype holds only them.
    let held: Vec<u32> = data.genes(0).to_vec();
    let mut test_genes: Vec<SystematicName> = held
        .iter()
        .map(|&g| manifest.genes[g as usize].clone())
        .collect();
    test_genes.push("YPR999W".parse().unwrap());
    let user = tempfile::tempdir().unwrap();
    let query = DatasetQuery {
        test_genes,
        ..query
    };
    let manifest = build(&store, &query, user.path()).unwrap();
    let names: Vec<&str> = manifest.splits.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "gene_disjoint_all",
            "gene_disjoint_any",
            "held_out_environment",
            "query_disjoint",
            "random",
            "test_genes_all",
            "test_genes_any"
        ]
    );
    let read =
        |name| ironcell_data::dataset::read_split(&user.path().join("splits.arrow"), name).unwrap();
    let split = read(SplitName::TestGenesAll);
    assert!(!split.test.is_empty());
    assert!(split.test.contains(&0));
    assert!(split
        .test
        .iter()
        .all(|&i| data.genes(i).iter().all(|g| held.contains(g))));
    assert!(split
        .train
        .iter()
        .all(|&i| data.genes(i).iter().all(|g| !held.contains(g))));
    assert_eq!(
        manifest.splits["test_genes_all"].test_genes_seen_in_training,
        0
    );
    let any = read(SplitName::TestGenesAny);
    assert_eq!(any.train, split.train);
    assert!(any
        .test
        .iter()
        .all(|&i| data.genes(i).iter().any(|g| held.contains(g))));
    assert!(split.test.iter().all(|i| any.test.contains(i)));
    // The SGA fixture screens at 26 and 30 °C: one of them is held out whole.
    let held_env = read(SplitName::HeldOutEnvironment);
    let environment = |i: usize| data.source(i).1;
    let held_out = environment(held_env.test[0]);
    assert!(held_env.test.iter().all(|&i| environment(i) == held_out));
    assert!(held_env
        .train
        .iter()
        .chain(&held_env.validation)
        .all(|&i| environment(i) != held_out));
    let named = manifest.splits["held_out_environment"]
        .held_out
        .clone()
        .unwrap();
    assert_eq!(named, manifest.environments[held_out as usize].to_string());
    // A split the dataset lacks is named with the ones it has.
    let err = ironcell_data::dataset::read_split(
        &dir.path().join("splits.arrow"),
        SplitName::TestGenesAny,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("no `test_genes_any` split (it has random,"),
        "{err}"
    );
}

/// What a `kill -9` during a rebuild into an existing directory leaves, and flipped bytes:
/// opening the dataset refuses it, naming the file; a finished rebuild opens again.
#[test]
fn a_dataset_whose_files_changed_after_the_build_is_refused() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    let query = |seed, max| DatasetQuery {
        datasets: vec![],
        labels: vec![PhenotypeKind::Fitness],
        temperature_c: None,
        max_perturbations: Some(max),
        deletions_only: false,
        policy: "mean".into(),
        split: SplitConfig {
            seed,
            validation: 0.1,
            test: 0.3,
        },
        test_genes: vec![],
    };
    build(&store, &query(1, 3), dir.path()).unwrap();
    assert!(ironcell_data::dataset::open(dir.path()).is_ok());
    // No staged file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "{names:?}");

    // Another build's instances beside this manifest: a rebuild killed after its instances.
    let other = tempfile::tempdir().unwrap();
    build(&store, &query(2, 2), other.path()).unwrap();
    let instances = dir.path().join("instances.arrow");
    let kept = std::fs::read(&instances).unwrap();
    std::fs::copy(other.path().join("instances.arrow"), &instances).unwrap();
    let e = ironcell_data::dataset::open(dir.path())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("instances.arrow") && e.contains("sha256"), "{e}");

    // One flipped byte in the splits.
    std::fs::write(&instances, &kept).unwrap();
    let splits = dir.path().join("splits.arrow");
    let mut bytes = std::fs::read(&splits).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&splits, &bytes).unwrap();
    let e = ironcell_data::dataset::read_manifest(dir.path())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("splits.arrow") && e.contains("dataset build"),
        "{e}"
    );

    // Rebuilt in place, it opens again.
    build(&store, &query(2, 2), dir.path()).unwrap();
    let (manifest, data) = ironcell_data::dataset::open(dir.path()).unwrap();
    assert_eq!(data.len() as u64, manifest.instances);
}
