//! One conformance suite for every backend: ingest the published-format fixtures, query,
//! and compare. SQLite always runs; Neo4j runs against the server named by
//! `IRONCELL_NEO4J_URL` (started by `scripts/neo4j-test-server`, as `.ci/run` does) and
//! fails loudly in CI when there is none.

use std::{
    collections::{BTreeSet, HashSet},
    fs::File,
    io::{BufReader, Cursor},
    path::{Path, PathBuf},
};

use ironcell_core::{Experiment, PhenotypeKind};
use ironcell_kg::{
    schema::{DatasetInfo, Network},
    Credentials, GraphStore, Neo4jStore, Selection, SqliteStore,
};
use ironcell_sources::{
    collins2007,
    costanzo2016::pairs,
    data_dir::DataDir,
    dcell_epsilon, hoepfner2014, jonikas2009, kuzmin2018, kuzmin2020,
    names::GeneNames,
    networks::{self, Edge},
    ohya2005,
    reference::Reference,
    report::{collect, BadRows},
    synlethdb, tong2004, yeastphenome,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../ironcell-sources/tests/fixtures")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// Every fixture of every source, as experiments.
fn experiments() -> Vec<Experiment> {
    let mut out = Vec::new();
    let (pairs, _) = collect(
        pairs::Reader::new(Cursor::new(text("SGA_ExE.txt").into_bytes()), "SGA_ExE.txt").unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    out.extend(pairs.iter().flat_map(pairs::PairRecord::experiments));
    let (kuzmin, _) = collect(
        kuzmin2018::Reader::new(Cursor::new(text("aao1729_data_s1.tsv")), "s1.tsv").unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    let publication = kuzmin2018::publication();
    out.extend(
        kuzmin
            .iter()
            .flat_map(|r| r.experiments("kuzmin2018", &publication)),
    );
    let s5 = BufReader::new(File::open(fixture("aaz5667-Table-S5.xlsx")).unwrap());
    let (s5, _) = collect(
        kuzmin2020::FitnessReader::new(s5, "S5").unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    out.extend(s5.iter().map(kuzmin2020::FitnessRecord::experiment));
    let wt = ohya2005::wild_type(text("wt122data.tsv").as_bytes(), "wt").unwrap();
    let (morph, _) = collect(
        ohya2005::Reader::new(Cursor::new(text("mt4718data.tsv")), "mt").unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    out.extend(morph.iter().map(|r| r.experiment(&wt)));
    let reference = reference();
    let names = GeneNames::new(&reference.genes);
    let (sl, _) = collect(
        synlethdb::Reader::new(
            Cursor::new(text("Yeast_SL.csv")),
            "sl",
            synlethdb::Relation::SyntheticLethality,
            &names,
        )
        .unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    out.extend(sl.iter().map(synlethdb::Record::experiment));
    out.extend(screens_of_issue_12());
    out.extend(screens_of_issue_25());
    out
}

/// DCell's ε subsets and the HOP chemogenomic scores: a dataset named by its file and an
/// environment per compound.
fn screens_of_issue_25() -> Vec<Experiment> {
    let essential = HashSet::new();
    let file = "GO_0006281_training_data_2016_0";
    let (term, part) = dcell_epsilon::file_part(file).unwrap();
    let (pairs, _) = collect(
        dcell_epsilon::Reader::new(Cursor::new(text(file)), file, &essential),
        BadRows::Skip,
    )
    .unwrap();
    let dataset = dcell_epsilon::dataset(&term, part);
    let mut out: Vec<Experiment> = pairs.iter().map(|r| r.experiment(&dataset)).collect();
    let reader =
        hoepfner2014::Reader::new(Cursor::new(text("hoepfner_hop_known.txt")), "hop").unwrap();
    let compounds = reader.compounds().to_vec();
    let (strains, _) = collect(reader, BadRows::Skip).unwrap();
    out.extend(strains.iter().flat_map(|r| r.experiments(&compounds)));
    out
}

/// The E-MAP, SGA-call, multi-environment and reporter fixtures: the phenotype kinds and
/// environments with additives that only these sources produce.
fn screens_of_issue_12() -> Vec<Experiment> {
    let mut out = Vec::new();
    // Jonikas names genes by standard names from all over the genome: the whole bundle maps.
    let names = GeneNames::new(&full_reference().genes);
    let (emap, _) = collect(
        collins2007::Reader::new(Cursor::new(text("collins2007_sscores.tsv")), "s").unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    out.extend(emap.iter().map(collins2007::Record::experiment));
    let (pairs, _) = collect(
        tong2004::PairReader::new(Cursor::new(text("tong2004_tested_pairs.tsv")), "t").unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    out.extend(pairs.iter().map(tong2004::TestedPair::experiment));
    let (hits, _) = collect(
        tong2004::HitReader::new(Cursor::new(text("tong2004_table_s1.tsv")), "h").unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    out.extend(hits.iter().map(tong2004::Hit::experiment));
    let reader =
        yeastphenome::Reader::new(Cursor::new(text("yeastphenome_value.txt")), "v", 33958448)
            .unwrap();
    let conditions = reader.conditions().to_vec();
    let (values, _) = collect(reader, BadRows::Skip).unwrap();
    out.extend(values.iter().flat_map(|r| {
        yeastphenome::experiments(r, &conditions, 33958448, "yeastphenome_33958448")
    }));
    let essential = HashSet::new();
    let (upr, _) = collect(
        jonikas2009::DoubleReader::new(
            Cursor::new(text("jonikas2009_double_mutants.tsv")),
            "d",
            &names,
            &essential,
        )
        .unwrap(),
        BadRows::Skip,
    )
    .unwrap();
    out.extend(upr.iter().map(jonikas2009::Record::experiment));
    out
}

/// The data directory's reference (`IRONCELL_DATA`, a relative one taken from the workspace).
fn full_reference() -> Reference {
    DataDir::resolve_in(
        None,
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")),
    )
    .reference()
    .unwrap()
    .reference
}

/// The reference cut down to chromosome I's first genes and the GO terms above their
/// annotations, so a Neo4j round trip stays quick.
fn reference() -> Reference {
    let mut r = full_reference();
    r.genes.retain(|g| g.systematic_name.as_str() < "YAL010");
    let genes: HashSet<_> = r.genes.iter().map(|g| g.systematic_name.clone()).collect();
    r.annotations.retain(|a| genes.contains(&a.gene));
    let mut keep: BTreeSet<String> = r.annotations.iter().map(|a| a.term.clone()).collect();
    loop {
        let parents: Vec<String> = r
            .terms
            .iter()
            .filter(|t| keep.contains(&t.id))
            .flat_map(|t| t.is_a.iter().chain(&t.part_of).cloned())
            .filter(|p| !keep.contains(p))
            .collect();
        if parents.is_empty() {
            break;
        }
        keep.extend(parents);
    }
    r.terms.retain(|t| keep.contains(&t.id));
    r
}

fn selections() -> Vec<Selection> {
    vec![
        Selection::default(),
        Selection {
            phenotype: Some(PhenotypeKind::GeneInteraction),
            ..Selection::default()
        },
        Selection {
            datasets: vec!["costanzo2016_dmf".into(), "kuzmin2020_smf".into()],
            temperature_c: Some(30),
            ..Selection::default()
        },
        Selection {
            max_perturbations: Some(1),
            genes: Some(
                ["YAL002W", "YAL004W", "YAL005C", "YGR188C"]
                    .iter()
                    .map(|g| g.parse().unwrap())
                    .collect(),
            ),
            ..Selection::default()
        },
        Selection {
            deletions_only: true,
            ..Selection::default()
        },
    ]
}

/// A co-expression network with a repeated (reversed) pair and a self-loop, a directed
/// regulatory one that links the same genes both ways, and one of each layout the data
/// directory's networks come in: STRING's physical links (both directions listed), a
/// regulatory matrix and a metabolic model's reactions.
fn networks() -> Vec<(String, bool, Vec<Edge>)> {
    let names = GeneNames::new(&reference().genes);
    let read = |text: &str, name: &str| {
        let reader = networks::Reader::detect(text.as_bytes(), name, &names).unwrap();
        let directed = reader.is_directed();
        let edges = collect(reader, BadRows::Fail).unwrap().0;
        (name.to_owned(), directed, edges)
    };
    vec![
        read(
            "YAL001C YAL002W 0.8\nYAL002W YAL001C 0.1\nYAL002W YAL002W\nYAL003W YAL002W 0.25\n",
            "Hu-2007",
        ),
        read("YAL001C\tYAL002W\nYAL002W\tYAL001C\t2.5\n", "regulation"),
        read(
            "protein1 protein2 combined_score\n4932.YAL001C 4932.YAL003W 712\n4932.YAL003W 4932.YAL001C 712\n4932.YAL005C 4932.YAL001C 151\n",
            "string-v12-physical",
        ),
        read(
            "SystematicName\tYAL001C\tYAL005C\nYAL002W\t1\t0\nYAL003W\t1\t1\nYAL007C\t0\t0\n",
            "YEASTRACT_20190713_BOTH",
        ),
        read(
            "Rxn name\tFormula\tGene-reaction association\tLB\tUB\tObjective\nr_0001\ta => b\t(YAL001C and YAL002W) or YAL003W\t0\t1000\t0\nr_0002\tb => c\tYAL002W or YAL001C\t0\t1000\t0\n",
            "yeast-GEM",
        ),
    ]
}

/// Stores everything twice/// Stores everything twice (the second time adds nothing), and returns what the store
/// answers to each selection.
fn exercise(store: &mut dyn GraphStore) -> (ironcell_kg::Stats, Vec<Vec<Experiment>>) {
    let experiments = experiments();
    let unique: HashSet<_> = experiments.iter().map(Experiment::content_id).collect();
    // Half first, as if an ingest had been interrupted between batches, then all of it.
    let half = experiments.len() / 2;
    let first = store.put_experiments(&experiments[..half]).unwrap();
    let rest = store.put_experiments(&experiments).unwrap();
    assert_eq!((first + rest) as usize, unique.len());
    assert!(!store.has_label(ironcell_kg::schema::Label::GoTerm).unwrap());
    store.put_reference(&reference()).unwrap();
    assert!(store.has_label(ironcell_kg::schema::Label::GoTerm).unwrap());
    assert_eq!(store.put_experiments(&experiments).unwrap(), 0);
    for (name, directed, edges) in networks() {
        let network = Network {
            name: &name,
            directed,
            edges: &edges,
        };
        // The first edge of a repeated pair is the one kept, scores and all.
        let mut pairs = HashSet::new();
        let expected: Vec<Edge> = edges
            .iter()
            .filter(|e| {
                let (a, b) = (e.a.clone(), e.b.clone());
                pairs.insert(if directed || a <= b { (a, b) } else { (b, a) })
            })
            .cloned()
            .collect();
        assert_eq!(
            store.put_network(&network).unwrap(),
            expected.len() as u64,
            "{name}"
        );
        assert_eq!(store.put_network(&network).unwrap(), 0, "{name}");
        let (read_directed, read) = store.network(&name).unwrap().unwrap();
        assert_eq!(read_directed, directed);
        assert_eq!(read.len(), expected.len(), "{name}");
        for e in &expected {
            assert!(
                read.contains(e),
                "{name}: {e:?} not read back from {read:?}"
            );
        }
    }
    assert_eq!(store.network("no such network").unwrap(), None);
    let subset = DatasetInfo {
        absent: vec!["gene_interaction".into()],
        note: Some("ε and τ are not in this subset".into()),
        ..DatasetInfo::default()
    };
    store
        .describe_dataset("kuzmin2018_subset_tmf", &subset)
        .unwrap();
    assert_eq!(
        store.dataset_info("kuzmin2018_subset_tmf").unwrap(),
        Some(subset)
    );
    assert_eq!(
        store.dataset_info("costanzo2016_dmf").unwrap(),
        Some(DatasetInfo::default())
    );
    assert_eq!(store.dataset_info("no such dataset").unwrap(), None);
    let stats = store.stats().unwrap();
    assert_eq!(stats.networks["Hu-2007"], 3);
    // STRING lists each pair both ways; the reactions share YAL001C–YAL002W.
    assert_eq!(stats.networks["string-v12-physical"], 2);
    assert_eq!(stats.networks["YEASTRACT_20190713_BOTH"], 3);
    assert_eq!(stats.networks["yeast-GEM"], 3);
    assert_eq!(stats.nodes["Experiment"] as usize, unique.len());
    let answers = selections()
        .iter()
        .map(|s| store.query(s).unwrap())
        .collect();
    (stats, answers)
}

#[test]
fn sqlite_round_trips_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("kg.sqlite")).unwrap();
    let (stats, answers) = exercise(&mut store);
    let all = &answers[0];
    let mut expected = experiments();
    expected.sort_by_key(|e| (e.provenance.dataset().to_owned(), e.content_id()));
    expected.dedup();
    assert_eq!(all.len(), expected.len());
    for e in &expected {
        // Exactly, floats included: content ids must survive the round trip.
        assert!(all.contains(e), "{e:?} not read back");
    }
    assert!(answers[1]
        .iter()
        .all(|e| e.phenotype.kind() == PhenotypeKind::GeneInteraction));
    assert!(!answers[2].is_empty() && answers[2].iter().all(|e| e.environment.temperature_c == 30));
    assert!(answers[3].iter().all(|e| e.genotype.len() == 1));
    // Full deletions only: the DAmP and temperature-sensitive strains' experiments are gone.
    assert!(answers[4].iter().all(|e| e.genotype.is_all_deletions()));
    assert!(!answers[4].is_empty() && answers[4].len() < all.len());
    for kind in [
        "emap_score",
        "synthetic_lethality",
        "reporter",
        "chemogenomic_score",
    ] {
        assert!(
            stats.experiments.keys().any(|(_, p, _)| p == kind),
            "{kind}: {:?}",
            stats.experiments
        );
    }
    assert!(stats
        .experiments
        .keys()
        .any(|(d, _, env)| d == "yeastphenome_33958448" && env.contains("+ benomyl 30 ug/ml")));
    assert!(stats
        .experiments
        .keys()
        .any(|(d, p, env)| d == "hoepfner2014_hop"
            && p == "chemogenomic_score"
            && env.ends_with("+ MMS, methyl methanesulfonate")));
    assert!(stats
        .experiments
        .keys()
        .any(|(d, p, _)| d == "dcell2018_go0006281_train" && p == "gene_interaction"));
    for label in [
        "Gene",
        "GoTerm",
        "Media",
        "Temperature",
        "Publication",
        "ExperimentReference",
    ] {
        assert!(
            stats.nodes.get(label).copied().unwrap_or(0) > 0,
            "{label}: {stats:?}"
        );
    }
}

#[test]
fn neo4j_answers_as_sqlite_does() {
    let Ok(url) = std::env::var("IRONCELL_NEO4J_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Neo4j conformance tests: start scripts/neo4j-test-server/neo4j-test-server and set IRONCELL_NEO4J_URL"
        );
        eprintln!("IRONCELL_NEO4J_URL is not set: Neo4j conformance skipped (never in CI)");
        return;
    };
    let mut neo4j = Neo4jStore::connect(&url, Credentials::default()).unwrap();
    neo4j.cypher("MATCH (n) DETACH DELETE n").unwrap();
    let (neo_stats, neo_answers) = exercise(&mut neo4j);

    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = SqliteStore::open(&dir.path().join("kg.sqlite")).unwrap();
    let (sql_stats, sql_answers) = exercise(&mut sqlite);

    assert_eq!(neo_stats, sql_stats);
    assert_eq!(neo_answers, sql_answers);
}

#[test]
fn neo4j_admin_export_matches_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("kg.sqlite")).unwrap();
    let (stats, _) = exercise(&mut store);
    let out = dir.path().join("import");
    let export = store.export_neo4j_admin(&out).unwrap();
    let mut ids = HashSet::new();
    for (label, (path, n)) in &export.nodes {
        assert_eq!(*n, stats.nodes[label], "{label}");
        let mut reader = csv::Reader::from_path(path).unwrap();
        let header = reader.headers().unwrap().clone();
        assert_eq!(&header[0], "id:ID");
        assert_eq!(&header[header.len() - 1], ":LABEL");
        if label == "Gene" {
            assert!(header.iter().any(|h| h == "start:long"), "{header:?}");
        }
        for row in reader.records() {
            let row = row.unwrap();
            assert_eq!(&row[row.len() - 1], label);
            assert!(ids.insert(row[0].to_owned()), "id {} twice", &row[0]);
        }
    }
    for (rel, (path, n)) in &export.relationships {
        assert_eq!(*n, stats.edges[rel], "{rel}");
        let mut reader = csv::Reader::from_path(path).unwrap();
        for row in reader.records() {
            let row = row.unwrap();
            assert!(
                ids.contains(&row[0]) && ids.contains(&row[1]),
                "{rel}: {row:?}"
            );
        }
    }
    assert!(export
        .command
        .contains("--nodes=Experiment=nodes_Experiment.csv"));
    // The database before the options: after the last `--relationships=…`, which takes
    // several files, neo4j-admin would read it as one more file.
    assert!(
        export
            .command
            .starts_with("neo4j-admin database import full neo4j "),
        "{}",
        export.command
    );
    assert!(out.join("import.sh").exists());
}

/// A store crafted to hold a label or a relationship type that would run commands when
/// `import.sh` runs is refused, and no script is written.
#[test]
fn neo4j_admin_export_refuses_names_outside_the_schema() {
    for (table, crafted) in [
        (
            "INSERT INTO nodes (id, label, props) VALUES ('x', 'Gene --nodes=$(touch pwned)', '{}')",
            "node label",
        ),
        (
            "INSERT INTO edges (src, rel, dst, props) VALUES ('a', 'IS_A;touch pwned', 'b', '{}')",
            "relationship type",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute(table, [])
            .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        let out = dir.path().join("import");
        let e = store.export_neo4j_admin(&out).err().unwrap().to_string();
        assert!(e.contains(crafted) && e.contains("import.sh"), "{e}");
        assert!(!out.join("import.sh").exists());
    }
}
