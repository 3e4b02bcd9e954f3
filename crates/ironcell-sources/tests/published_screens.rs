//! Every reader of a measured screen, on the real published file in the data directory's
//! `yeast-screens/` (`IRONCELL_DATA`; a relative path is taken from the workspace root): the
//! row counts the data's README gives, what was stored, and what was passed over or rejected.

use std::{
    collections::{BTreeSet, HashSet},
    path::{Path, PathBuf},
};

use ironcell_core::{PerturbationKind, Phenotype, SystematicName};
use ironcell_sources::{
    collins2007,
    data_dir::DataDir,
    dcell_epsilon, hoepfner2014, jonikas2009,
    names::GeneNames,
    networks, open_maybe_gzip,
    report::{collect, BadRows},
    tong2004, yeast_gem, yeastphenome,
};

fn data() -> DataDir {
    DataDir::resolve_in(
        None,
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")),
    )
}

fn screens() -> PathBuf {
    data().folder("yeast-screens").unwrap()
}

fn open(path: &Path) -> impl std::io::BufRead {
    open_maybe_gzip(path).unwrap()
}

#[test]
fn collins2007_emap_scores() {
    let path = screens().join("collins2007-emap/sscores.tsv.gz");
    let reader = collins2007::Reader::new(open(&path), "sscores.tsv.gz").unwrap();
    let (records, report) = collect(reader, BadRows::Fail).unwrap();
    assert_eq!(report.rows_read, 186_500);
    // REP1, the plasmid gene, in 328 rows.
    assert_eq!(report.passed_over, 328);
    assert_eq!(records.len(), 186_500 - 328);
    let kinds: BTreeSet<PerturbationKind> = records
        .iter()
        .flat_map(|r| r.genotype.perturbations().iter().map(|p| p.kind()))
        .collect();
    assert_eq!(
        kinds,
        [
            PerturbationKind::Deletion,
            PerturbationKind::Damp,
            PerturbationKind::Allele
        ]
        .into_iter()
        .collect()
    );
    let genes: HashSet<&SystematicName> = records
        .iter()
        .flat_map(|r| r.genotype.perturbations().iter().map(|p| p.gene()))
        .collect();
    // The README's 743 genes count REP1.
    assert_eq!(genes.len(), 743 - 1);
    let strong = records.iter().filter(|r| r.score.score() < -2.5).count();
    assert!(strong > 1_000, "{strong} aggravating pairs below -2.5");
}

#[test]
fn tong2004_tested_pairs_and_hits() {
    let path = screens().join("tong2004-sga/tested_pairs.tsv.gz");
    let reader = tong2004::PairReader::new(open(&path), "tested_pairs.tsv.gz").unwrap();
    let (pairs, report) = collect(reader, BadRows::Fail).unwrap();
    assert_eq!((report.rows_read, pairs.len()), (607_749, 607_749));
    let positives = pairs.iter().filter(|p| p.directions > 0).count();
    assert_eq!(positives, 3_265 + 277 + 495);
    assert_eq!(
        pairs.iter().filter(|p| p.reciprocal).count(),
        6_609 + 277 + 495
    );

    let path = screens().join("tong2004-sga/table_s1.tsv.gz");
    let reader = tong2004::HitReader::new(open(&path), "table_s1.tsv.gz").unwrap();
    let (hits, report) = collect(reader, BadRows::Fail).unwrap();
    assert_eq!((report.rows_read, hits.len()), (4_538, 4_538));
    let confirmed = hits
        .iter()
        .filter(|h| !h.call.confirmations.is_empty())
        .count();
    assert_eq!(confirmed, 4_538);
}

#[test]
fn yeastphenome_matrices() {
    // (folder = PMID, file, genes, conditions)
    let files = [
        (18622397, "breslow_weissman_2008_value.txt.gz", 4_157, 1),
        (21076421, "baryshnikova_myers_2010_value.txt.gz", 4_573, 1),
        (23103169, "qian_zhang_2012_value.txt.gz", 4_403, 6),
        (33958448, "costanzo_andrews_2021_value.txt.gz", 3_614, 14),
    ];
    for (pmid, file, genes, conditions) in files {
        let path = screens().join(format!("yeastphenome/{pmid}/{file}"));
        let reader = yeastphenome::Reader::new(open(&path), file, pmid).unwrap();
        let environments: HashSet<_> = reader
            .conditions()
            .iter()
            .map(|c| c.environment.clone())
            .collect();
        assert_eq!(
            environments.len(),
            conditions,
            "{file}: distinct environments"
        );
        let (records, report) = collect(reader, BadRows::Fail).unwrap();
        assert_eq!(report.rows_read, genes, "{file}");
        assert_eq!(records.len() as u64 + report.passed_over, genes, "{file}");
    }
    let path = screens().join("yeastphenome/33958448/costanzo_andrews_2021_value.txt.gz");
    let reader = yeastphenome::Reader::new(open(&path), "c.txt", 33958448).unwrap();
    let drugs: BTreeSet<String> = reader
        .conditions()
        .iter()
        .flat_map(|c| c.environment.additives.iter().map(|a| a.name.clone()))
        .collect();
    assert!(
        drugs.contains("benomyl") && drugs.contains("rapamycin"),
        "{drugs:?}"
    );
}

#[test]
fn jonikas2009_upr_reporter() {
    let reference = data().reference().unwrap().reference;
    let names = GeneNames::new(&reference.genes);
    let essential = reference.essential_genes();
    let path = screens().join("jonikas2009-upr-emap/double_mutants.tsv.gz");
    let reader =
        jonikas2009::DoubleReader::new(open(&path), "double_mutants.tsv.gz", &names, &essential)
            .unwrap();
    let (doubles, report) = collect(reader, BadRows::Skip).unwrap();
    // Each unordered pair once (the mirror rows repeat it value for value, and are passed
    // over with the control strains' rows); names the reference does not know are listed.
    assert_eq!(report.rows_read, 84_480);
    assert_eq!(
        (doubles.len(), report.passed_over, report.rejected_rows()),
        (39_568, 39_862, 5_050)
    );
    assert!(doubles
        .iter()
        .all(|r| matches!(r.experiment().phenotype, Phenotype::Reporter(_))));

    let path = screens().join("jonikas2009-upr-emap/singles.tsv");
    let reader =
        jonikas2009::SingleReader::new(open(&path), "singles.tsv", &names, &essential).unwrap();
    let (singles, report) = collect(reader, BadRows::Skip).unwrap();
    assert_eq!(report.rows_read, 444);
    assert_eq!(
        (singles.len(), report.passed_over, report.rejected_rows()),
        (369, 43, 32)
    );
    let unmapped: Vec<&str> = report.rejected["unmapped gene name"]
        .iter()
        .map(|r| r.message.as_str())
        .collect();
    assert!(
        unmapped.iter().any(|m| m.contains("\"LEU2C\"")),
        "{unmapped:?}"
    );
}

#[test]
fn dcell_epsilon_splits_and_topologies() {
    let reference = data().reference().unwrap().reference;
    let essential = reference.essential_genes();
    let dir = screens().join("dcell-costanzo2016-epsilon");
    let mut counts = Vec::new();
    for file in [
        "GO_0006281_training_data_2016_0.gz",
        "GO_0006281_testing_data_2016_0.gz",
        "GO_0006281_all_data_2016_0.gz",
        "GO_0000790_training_data_2016_0.gz",
        "GO_0000790_testing_data_2016_0.gz",
    ] {
        let reader = dcell_epsilon::Reader::new(open(&dir.join(file)), file, &essential);
        let (records, report) = collect(reader, BadRows::Fail).unwrap();
        assert!(records.iter().all(|r| r.genotype.len() == 2));
        counts.push((records.len(), report.passed_over));
    }
    // The README's counts: measured pairs, and the 1,390 placeholders of `all_data`.
    assert_eq!(
        counts,
        [(8_783, 0), (2_868, 0), (0, 1_390), (5_092, 0), (1_724, 0)]
    );
    for (file, terms, genes) in [
        ("GO_0006281_topology", 21, 162),
        ("GO_0000790_topology", 11, 124),
    ] {
        let topology = dcell_epsilon::read_topology(open(&dir.join(file)), file).unwrap();
        assert_eq!((topology.len(), topology[0].size), (terms, genes));
    }
}

#[test]
fn hoepfner2014_hop_scores() {
    let path = screens().join("hoepfner2014-hop/hoepfner_movva_2014_hop_known.txt.gz");
    let reader = hoepfner2014::Reader::new(open(&path), "hop_known.txt.gz").unwrap();
    let compounds = reader.compounds().to_vec();
    assert_eq!(compounds.len(), 132);
    let (records, report) = collect(reader, BadRows::Fail).unwrap();
    // 6,649 strains, 1,707 of them with no compound measured; 877,668 − 280,658 NaN cells.
    assert_eq!((report.rows_read, report.passed_over), (6_649, 1_707));
    let experiments: usize = records.iter().map(|r| r.scores.len()).sum();
    assert_eq!(experiments, 597_010);
    let (tunicamycin, _) = compounds
        .iter()
        .enumerate()
        .find(|(_, c)| c.starts_with("Tunicamycin"))
        .unwrap();
    let hac1 = records
        .iter()
        .find(|r| r.perturbation.gene().as_str() == "YFL031W")
        .unwrap();
    let score = hac1
        .scores
        .iter()
        .find(|(c, _)| *c == tunicamycin)
        .unwrap()
        .1;
    assert!(
        score.score() < -7.0,
        "HAC1 under tunicamycin: {}",
        score.score()
    );
}

#[test]
fn molecular_networks() {
    let reference = data().reference().unwrap().reference;
    let names = GeneNames::new(&reference.genes);
    let networks = data().folder("yeast-networks").unwrap();
    let read = |file: &str| {
        let path = networks.join(file);
        let reader = networks::Reader::detect(open(&path), file, &names).unwrap();
        let directed = reader.is_directed();
        let (edges, report) = collect(reader, BadRows::Skip).unwrap();
        (directed, edges, report)
    };
    let (directed, edges, report) =
        read("string-v12-physical/4932.protein.physical.links.v12.0.txt.gz");
    assert!(!directed);
    assert_eq!(report.rows_read, 352_606);
    assert_eq!(edges.len() as u64 + report.rejected_rows() as u64, 352_606);
    assert!(edges.iter().all(|e| e.scores["combined_score"] >= 150.0));
    // YEASTRACT: 11,486 documented edges, less those of six targets the S288C reference
    // lacks (SNR190, STA1, MAL61, …); 2,973 targets have no documented regulator.
    let (directed, edges, report) = read("yeastract-2019/YEASTRACT_20190713_BOTH.tsv.gz");
    assert!(directed);
    assert_eq!(
        (
            report.rows_read,
            report.passed_over,
            edges.len(),
            report.rejected_rows()
        ),
        (6_885, 2_973, 11_476, 6)
    );
    // The gold standard: 1,403 signed edges, one to DEX2 (not in S288C).
    let (_, edges, report) = read("yeastract-2019/gold_standard.tsv.gz");
    assert_eq!((report.rows_read, edges.len()), (993, 1_402));
    assert_eq!(report.rejected["unmapped gene name"].len(), 1);
    assert!(edges.iter().any(|e| e.scores["weight"] == -1.0));
    // Yeast9: 2,709 of 4,131 reactions have a rule, over 1,161 genes (the README's counts).
    let path = networks.join("yeast-gem-9.0.2/yeast-GEM.txt.gz");
    let (reactions, report) = collect(
        yeast_gem::Reader::new(open(&path), "gem", &names).unwrap(),
        BadRows::Fail,
    )
    .unwrap();
    let genes: BTreeSet<&SystematicName> = reactions.iter().flat_map(|r| &r.genes).collect();
    assert_eq!(
        (report.rows_read, reactions.len(), genes.len()),
        (4_131, 2_709, 1_161)
    );
    let (directed, edges, _) = read("yeast-gem-9.0.2/yeast-GEM.txt.gz");
    assert!(!directed);
    let pairs = reactions
        .iter()
        .map(|r| r.genes.len() * (r.genes.len() - 1) / 2)
        .sum::<usize>();
    assert_eq!(edges.len(), pairs);
}
