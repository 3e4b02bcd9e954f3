//! Every reader of a bundled screen, on the real published file in `data/screens/`: the row
//! counts the sources' README gives, what was stored, and what was passed over or rejected.

use std::{
    collections::{BTreeSet, HashSet},
    path::{Path, PathBuf},
};

use ironcell_core::{PerturbationKind, Phenotype, SystematicName};
use ironcell_sources::{
    collins2007, jonikas2009,
    names::GeneNames,
    open_maybe_gzip,
    reference::Reference,
    report::{collect, BadRows},
    tong2004, yeastphenome,
};

fn screens() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/screens")
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
    let reference =
        Reference::read(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/reference"))
            .unwrap();
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
