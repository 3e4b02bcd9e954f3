//! Tong et al. 2004 (Science, PMID 14764870), the first global SGA map of synthetic sick and
//! lethal (SSL) interactions, in two tables (Bioconductor SLGI's layouts, converted to text
//! without changing a value):
//!
//! - `tested_pairs.tsv`: every query × array pair the screen tested, with "query", "array",
//!   "interact" (0 = tested, no interaction; 1 = SSL; 2 = SSL found in both directions) and
//!   "recip" (`True`/`False`). The negatives are the point: without them a classifier's
//!   base rate is unknowable. → [`PairReader`], dataset [`PAIRS_DATASET`].
//! - `table_s1.tsv`: the hits with "Score" (0–3), confirmation by random spore analysis
//!   ("RSA") and by "Tetrad" dissection (each `SS` sick, `SL` lethal or empty), with both
//!   genes' standard and systematic names. → [`HitReader`], dataset [`HITS_DATASET`].
//!
//! Queries are NatMX deletions crossed to the KanMX deletion array, on SGA plates at 30 °C.

use std::io::Read;

use ironcell_core::{
    Assay, Call, Confirmation, Environment, Experiment, ExperimentReference, Genotype,
    Perturbation, PerturbationKind, Phenotype, Provenance, Publication, Severity, SystematicName,
};

use crate::{
    report::RecordReader,
    table::{Column, Delimited, Fields, Row},
    Error,
};

/// The publication.
pub const PMID: u32 = 14764870;
/// Its DOI.
pub const DOI: &str = "10.1126/science.1091317";
/// The dataset of tested pairs (positives and negatives).
pub const PAIRS_DATASET: &str = "tong2004_sga";
/// The dataset of Table S1's scored, confirmed hits.
pub const HITS_DATASET: &str = "tong2004_table_s1";

/// Tong 2004 as a publication.
pub fn publication() -> Publication {
    crate::paper(PMID, DOI)
}

/// A query (NatMX) × array (KanMX) double deletion.
fn pair(query: Perturbation, array: Perturbation) -> Result<Genotype, ironcell_core::Error> {
    Genotype::new([query, array])
}

/// The call as an experiment of `dataset`.
fn experiment(genotype: &Genotype, call: Call, dataset: &str) -> Experiment {
    let environment = Environment::sga_plate(30);
    Experiment {
        genotype: genotype.clone(),
        reference: ExperimentReference::s288c(
            &environment,
            Phenotype::SyntheticLethality(Call::new(false, None).expect("no score to check")),
        ),
        environment,
        phenotype: Phenotype::SyntheticLethality(call),
        provenance: Provenance::Measured {
            dataset: dataset.to_owned(),
            publication: Some(publication()),
        },
    }
}

/// A number read from a cell, as an error shows it: the value, or "nothing" for an empty cell.
fn shown(value: Option<f64>) -> String {
    value.map_or_else(|| "nothing".to_owned(), |v| v.to_string())
}

fn gene<F: Fields + ?Sized>(row: &Row<'_, F>, column: Column) -> Result<SystematicName, Error> {
    row.text(column)?.parse().map_err(|e| {
        row.error(
            "bad systematic name",
            format!("column {:?}: {e}", column.name),
        )
    })
}

/// One tested pair.
#[derive(Debug, Clone, PartialEq)]
pub struct TestedPair {
    /// Query × array.
    pub genotype: Genotype,
    /// In how many directions the SSL interaction was found: 0 (a tested negative), 1 or 2.
    pub directions: u8,
    /// The "recip" column.
    pub reciprocal: bool,
}

impl TestedPair {
    /// The pair as an experiment of [`PAIRS_DATASET`]: observed when found in at least one
    /// direction, scored by the number of directions.
    pub fn experiment(&self) -> Experiment {
        let call = Call::new(self.directions > 0, Some(f64::from(self.directions)))
            .expect("a small integer is finite");
        experiment(&self.genotype, call, PAIRS_DATASET)
    }
}

/// Streams `tested_pairs.tsv`.
pub struct PairReader<R> {
    table: Delimited<R>,
    query: Column,
    array: Column,
    interact: Column,
    recip: Column,
}

impl<R: Read> PairReader<R> {
    /// Reads the header.
    pub fn new(inner: R, name: &str) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        Ok(Self {
            query: h.require("query")?,
            array: h.require("array")?,
            interact: h.require("interact")?,
            recip: h.require("recip")?,
            table,
        })
    }
}

impl<R: Read> RecordReader for PairReader<R> {
    type Record = TestedPair;

    fn next_record(&mut self) -> Result<Option<TestedPair>, Error> {
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let query = Perturbation::new(gene(&row, self.query)?, PerturbationKind::DeletionNatMx);
        let array = Perturbation::new(gene(&row, self.array)?, PerturbationKind::DeletionKanMx);
        let genotype =
            pair(query, array).map_err(|e| row.error("one gene twice", e.to_string()))?;
        let directions = match row.number(self.interact)? {
            Some(0.0) => 0,
            Some(1.0) => 1,
            Some(2.0) => 2,
            other => {
                return Err(row.error(
                    "bad call",
                    format!(
                        "column \"interact\": expected 0, 1 or 2, found {}",
                        shown(other)
                    ),
                ))
            }
        };
        let reciprocal = match row.text(self.recip)? {
            "True" | "TRUE" | "true" => true,
            "False" | "FALSE" | "false" => false,
            other => {
                return Err(row.error(
                    "bad call",
                    format!("column \"recip\": expected True or False, found {other:?}"),
                ))
            }
        };
        Ok(Some(TestedPair {
            genotype,
            directions,
            reciprocal,
        }))
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn name(&self) -> &str {
        self.table.name()
    }
}

/// One hit of Table S1.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Query × array, named as the table names them.
    pub genotype: Genotype,
    /// Score 0–3 and the confirmations.
    pub call: Call,
    /// "Functional.Role", when given.
    pub role: Option<String>,
}

impl Hit {
    /// The hit as an experiment of [`HITS_DATASET`].
    pub fn experiment(&self) -> Experiment {
        experiment(&self.genotype, self.call.clone(), HITS_DATASET)
    }
}

/// Streams `table_s1.tsv`.
pub struct HitReader<R> {
    table: Delimited<R>,
    query: (Column, Column),
    array: (Column, Column),
    score: Column,
    assays: [(Column, Assay); 2],
    role: Option<Column>,
}

impl<R: Read> HitReader<R> {
    /// Reads the header.
    pub fn new(inner: R, name: &str) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        Ok(Self {
            query: (
                h.require("queryGene.sysName")?,
                h.require("queryGene.geneName")?,
            ),
            array: (h.require("Int.sysName")?, h.require("Int.geneName")?),
            score: h.require("Score")?,
            assays: [
                (h.require("RSA")?, Assay::RandomSpore),
                (h.require("Tetrad")?, Assay::Tetrad),
            ],
            role: h.optional("Functional.Role"),
            table,
        })
    }
}

fn named<F: Fields + ?Sized>(
    row: &Row<'_, F>,
    (systematic, standard): (Column, Column),
    kind: PerturbationKind,
) -> Result<Perturbation, Error> {
    let p = Perturbation::new(gene(row, systematic)?, kind);
    Ok(match row.text(standard)? {
        "" => p,
        name => p.with_name(name),
    })
}

impl<R: Read> RecordReader for HitReader<R> {
    type Record = Hit;

    fn next_record(&mut self) -> Result<Option<Hit>, Error> {
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let query = named(&row, self.query, PerturbationKind::DeletionNatMx)?;
        let array = named(&row, self.array, PerturbationKind::DeletionKanMx)?;
        let genotype =
            pair(query, array).map_err(|e| row.error("one gene twice", e.to_string()))?;
        let score = match row.number(self.score)? {
            Some(s) if (0.0..=3.0).contains(&s) => s,
            other => {
                return Err(row.error(
                    "bad score",
                    format!("column \"Score\": expected 0 to 3, found {}", shown(other)),
                ))
            }
        };
        let mut call = Call::new(true, Some(score)).expect("the score was checked");
        for (column, assay) in self.assays {
            let severity = match row.text(column)? {
                "" => continue,
                "SS" => Severity::Sick,
                "SL" => Severity::Lethal,
                other => {
                    return Err(row.error(
                        "bad call",
                        format!(
                            "column {:?}: expected SS, SL or nothing, found {other:?}",
                            column.name
                        ),
                    ))
                }
            };
            call = call.with_confirmation(Confirmation { assay, severity });
        }
        let role = match self.role {
            Some(c) => Some(row.text(c)?)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            None => None,
        };
        Ok(Some(Hit {
            genotype,
            call,
            role,
        }))
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn name(&self) -> &str {
        self.table.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{collect, BadRows};

    fn lines(report: &crate::report::ReadReport, reason: &str) -> Vec<u64> {
        report.rejected[reason].iter().map(|r| r.line).collect()
    }

    #[test]
    fn tested_pairs_keep_their_negatives() {
        let text = include_str!("../tests/fixtures/tong2004_tested_pairs.tsv");
        let (pairs, report) = collect(
            PairReader::new(text.as_bytes(), "tp.tsv").unwrap(),
            BadRows::Skip,
        )
        .unwrap();
        assert_eq!((report.rows_read, pairs.len()), (7, 3));
        assert_eq!(lines(&report, "bad call"), [5, 7]);
        let message = &report.rejected["bad call"][0].message;
        assert!(
            message.ends_with("expected 0, 1 or 2, found 3"),
            "{message}"
        );
        assert_eq!(shown(None), "nothing");
        assert_eq!(lines(&report, "bad systematic name"), [6]);
        assert_eq!(lines(&report, "one gene twice"), [8]);
        let negative = pairs[1].experiment();
        assert_eq!(
            negative.phenotype,
            Phenotype::SyntheticLethality(Call::new(false, Some(0.0)).unwrap())
        );
        assert_eq!(pairs[2].directions, 2);
        let kinds: Vec<_> = pairs[0]
            .genotype
            .perturbations()
            .iter()
            .map(|p| (p.gene().as_str().to_owned(), p.kind()))
            .collect();
        assert!(kinds.contains(&("YCR009C".to_owned(), PerturbationKind::DeletionNatMx)));
        assert!(kinds.contains(&("YAL013W".to_owned(), PerturbationKind::DeletionKanMx)));
    }

    #[test]
    fn table_s1_keeps_scores_and_confirmations() {
        let text = include_str!("../tests/fixtures/tong2004_table_s1.tsv");
        let (hits, report) = collect(
            HitReader::new(text.as_bytes(), "s1.tsv").unwrap(),
            BadRows::Skip,
        )
        .unwrap();
        assert_eq!((report.rows_read, hits.len()), (5, 2));
        assert_eq!(lines(&report, "bad score"), [4]);
        let message = &report.rejected["bad score"][0].message;
        assert!(message.ends_with("expected 0 to 3, found 5"), "{message}");
        assert_eq!(lines(&report, "bad call"), [5]);
        assert_eq!(lines(&report, "bad systematic name"), [6]);
        assert_eq!(hits[0].call.score, Some(3.0));
        assert_eq!(
            hits[0].call.confirmations,
            [Confirmation {
                assay: Assay::Tetrad,
                severity: Severity::Lethal
            }]
        );
        assert_eq!(hits[1].call.confirmations.len(), 2);
        assert_eq!(hits[0].role.as_deref(), Some("Cell cycle control"));
        let names: Vec<_> = hits[0]
            .genotype
            .perturbations()
            .iter()
            .map(|p| p.name().to_owned())
            .collect();
        assert!(names.contains(&"BNI1".to_owned()), "{names:?}");
        assert_eq!(hits[1].experiment().provenance.dataset(), HITS_DATASET);
    }
}
