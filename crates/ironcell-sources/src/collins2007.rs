//! Collins et al. 2007 (Nature, PMID 17314980), the chromosome-biology E-MAP: genetic
//! interaction S-scores among 743 genes, as `sscores.tsv` with the columns "orf_a",
//! "allele_a", "orf_b", "allele_b" and "score" (the layout of Bioconductor SLGI's `gi2007`,
//! converted to text without changing a value).
//!
//! Alleles as the file writes them: `DELETION`, `DAMP` (the hypomorphs used for essential
//! genes), `delta yjl169w` (the gene perturbed by deleting an overlapping ORF), and point
//! alleles such as `POL30-79` or `rad53-11`. The matrix is symmetrised, so neither gene of a
//! pair is known to be the NatMX query: deletions are stored as [`PerturbationKind::Deletion`]
//! (marker not stated). `REP1` is a 2-micron plasmid gene, not a chromosomal ORF; its rows
//! are passed over and counted.
//!
//! S-scores are their own phenotype ([`EmapScore`]), not ε: the scales differ.

use std::io::Read;

use ironcell_core::{
    EmapScore, Environment, Experiment, ExperimentReference, Genotype, Perturbation,
    PerturbationKind, Phenotype, Provenance, Publication, SystematicName,
};

use crate::{
    report::RecordReader,
    table::{Column, Delimited, Fields, Row},
    Error,
};

/// The publication.
pub const PMID: u32 = 17314980;
/// Its DOI.
pub const DOI: &str = "10.1038/nature05649";
/// The dataset name.
pub const DATASET: &str = "collins2007_emap";
/// The plasmid gene whose rows are passed over.
pub const PLASMID_GENE: &str = "REP1";

/// Collins 2007 as a publication.
pub fn publication() -> Publication {
    crate::paper(PMID, DOI)
}

/// One gene pair's S-score.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The two strains.
    pub genotype: Genotype,
    /// The S-score.
    pub score: EmapScore,
}

impl Record {
    /// The pair as an experiment of [`DATASET`], on SGA plates at 30 °C.
    pub fn experiment(&self) -> Experiment {
        let environment = Environment::sga_plate(30);
        Experiment {
            genotype: self.genotype.clone(),
            reference: ExperimentReference::s288c(
                &environment,
                Phenotype::EmapScore(EmapScore::NONE),
            ),
            environment,
            phenotype: Phenotype::EmapScore(self.score),
            provenance: Provenance::Measured {
                dataset: DATASET.to_owned(),
                publication: Some(publication()),
            },
        }
    }
}

/// The perturbation an `allele` column names for `gene`.
fn perturbation(gene: SystematicName, allele: &str) -> Perturbation {
    match allele {
        "DELETION" => Perturbation::new(gene, PerturbationKind::Deletion),
        "DAMP" => {
            let name = format!("{}-DAmP", gene.as_str());
            Perturbation::new(gene, PerturbationKind::Damp).with_name(name)
        }
        other => Perturbation::new(gene, PerturbationKind::Allele).with_name(other),
    }
}

/// Streams S-scores from `sscores.tsv`.
pub struct Reader<R> {
    table: Delimited<R>,
    genes: [(Column, Column); 2],
    score: Column,
    plasmid_rows: u64,
}

impl<R: Read> Reader<R> {
    /// Reads the header.
    pub fn new(inner: R, name: &str) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        Ok(Self {
            genes: [
                (h.require("orf_a")?, h.require("allele_a")?),
                (h.require("orf_b")?, h.require("allele_b")?),
            ],
            score: h.require("score")?,
            table,
            plasmid_rows: 0,
        })
    }
}

fn read_row<F: Fields + ?Sized>(
    row: &Row<'_, F>,
    genes: [(Column, Column); 2],
    score: Column,
) -> Result<Option<Record>, Error> {
    let mut perturbations = Vec::with_capacity(2);
    for (orf, allele) in genes {
        let name = row.text(orf)?;
        if name == PLASMID_GENE {
            return Ok(None);
        }
        let gene: SystematicName = name
            .parse()
            .map_err(|e| row.error("bad systematic name", format!("column {:?}: {e}", orf.name)))?;
        let written = row.text(allele)?;
        if written.is_empty() {
            return Err(row.error(
                "missing allele",
                format!("column {:?} is empty", allele.name),
            ));
        }
        perturbations.push(perturbation(gene, written));
    }
    let genotype =
        Genotype::new(perturbations).map_err(|e| row.error("one gene twice", e.to_string()))?;
    let value = row
        .number(score)?
        .ok_or_else(|| row.error("missing score", format!("column {:?} is empty", score.name)))?;
    let score = EmapScore::new(value).map_err(|e| row.error("bad value", e.to_string()))?;
    Ok(Some(Record { genotype, score }))
}

impl<R: Read> RecordReader for Reader<R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            match read_row(&row, self.genes, self.score)? {
                Some(record) => return Ok(Some(record)),
                None => self.plasmid_rows += 1,
            }
        }
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn rows_passed_over(&self) -> u64 {
        self.plasmid_rows
    }

    fn name(&self) -> &str {
        self.table.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{collect, BadRows};

    #[test]
    fn reads_alleles_and_passes_over_the_plasmid() {
        let text = include_str!("../tests/fixtures/collins2007_sscores.tsv");
        let reader = Reader::new(text.as_bytes(), "sscores.tsv").unwrap();
        let (records, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!(report.rows_read, 9);
        assert_eq!(report.passed_over, 1);
        assert_eq!(records.len(), 4);
        let lines =
            |reason: &str| -> Vec<u64> { report.rejected[reason].iter().map(|r| r.line).collect() };
        assert_eq!(lines("bad systematic name"), [6]);
        assert_eq!(lines("not a number"), [7]);
        assert_eq!(lines("missing score"), [8]);
        assert_eq!(lines("one gene twice"), [9]);
        let kinds: Vec<_> = records[1]
            .genotype
            .perturbations()
            .iter()
            .map(|p| (p.kind(), p.name().to_owned()))
            .collect();
        assert_eq!(
            kinds,
            [
                (PerturbationKind::Deletion, "YAL002W".to_owned()),
                (PerturbationKind::Damp, "YBR088C-DAmP".to_owned())
            ]
        );
        assert_eq!(
            records[2].genotype.perturbations()[1].name(),
            "delta yjl169w"
        );
        let e = records[0].experiment();
        assert_eq!(
            e.phenotype,
            Phenotype::EmapScore(EmapScore::new(-3.25).unwrap())
        );
        assert_eq!(e.provenance.dataset(), DATASET);
    }

    #[test]
    fn a_missing_column_is_named() {
        let err = Reader::new(&b"orf_a\tallele_a\torf_b\tscore\n"[..], "s.tsv")
            .err()
            .unwrap();
        assert!(err.to_string().contains("allele_b"), "{err}");
    }
}
