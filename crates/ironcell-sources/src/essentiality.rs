//! Gene essentiality: the Yeast Deletion Project table ([`crate::deletion`], Giaever et al.
//! 2002, PMID 12140549) and SGD's `phenotype_data.tab`, whose null-mutant "inviable" and
//! "viable" annotations are essentiality calls, each with its own paper and strain
//! background.
//!
//! `phenotype_data.tab` is SGD's tab-separated download without a header; its fourteen
//! columns are Feature Name (systematic), Feature Type, Gene Name, SGDID, Reference
//! (`PMID: N|SGD_REF: S…`), Experiment Type, Mutant Type, Allele, Strain Background,
//! Phenotype, Chemical, Condition, Details, Reporter. Rows about other mutant types or
//! phenotypes are read and passed over (counted in `rows_read`, not records).

use std::io::Read;

use ironcell_core::{
    Environment, Experiment, ExperimentReference, Genotype, Perturbation, PerturbationKind,
    Phenotype, Provenance, Publication, ReferenceGenome, SystematicName,
};

use crate::{
    deletion::Entry,
    report::RecordReader,
    table::{Column, Delimited},
    Error,
};

/// The deletion project's publication (Giaever et al., Nature 2002).
pub const DELETION_PROJECT_PMID: u32 = 12140549;
/// Dataset of the deletion-project calls.
pub const DELETION_DATASET: &str = "deletion_project_essentiality";
/// Dataset of SGD's null-mutant viability annotations.
pub const SGD_DATASET: &str = "sgd_essentiality";

/// One essentiality call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The gene.
    pub gene: SystematicName,
    /// True when its null mutant is inviable.
    pub essential: bool,
    /// The strain background it was observed in.
    pub background: String,
    /// The paper.
    pub publication: Option<Publication>,
    /// The dataset it belongs to.
    pub dataset: &'static str,
}

impl Record {
    /// A deletion-project call (S288C background).
    pub fn from_deletion(entry: &Entry) -> Self {
        Self {
            gene: entry.orf.clone(),
            essential: entry.essential,
            background: "S288C".to_owned(),
            publication: Some(Publication::pubmed(DELETION_PROJECT_PMID)),
            dataset: DELETION_DATASET,
        }
    }

    /// The call as an experiment: a null (KanMX deletion) mutant on rich medium at 30 °C,
    /// against the viable wild type.
    pub fn experiment(&self) -> Experiment {
        let genotype = Genotype::new([Perturbation::new(
            self.gene.clone(),
            PerturbationKind::DeletionKanMx,
        )])
        .expect("one perturbation is a valid genotype");
        let environment = Environment::sga_plate(30);
        Experiment {
            genotype,
            reference: ExperimentReference {
                genome: ReferenceGenome::yeast(&self.background),
                environment: environment.clone(),
                phenotype: Phenotype::Essentiality { essential: false },
            },
            environment,
            phenotype: Phenotype::Essentiality {
                essential: self.essential,
            },
            provenance: Provenance::Measured {
                dataset: self.dataset.to_owned(),
                publication: self.publication.clone(),
            },
        }
    }
}

const COLUMN_NAMES: [&str; 14] = [
    "Feature Name",
    "Feature Type",
    "Gene Name",
    "SGDID",
    "Reference",
    "Experiment Type",
    "Mutant Type",
    "Allele",
    "Strain Background",
    "Phenotype",
    "Chemical",
    "Condition",
    "Details",
    "Reporter",
];

fn column(index: usize) -> Column {
    Column {
        index,
        name: COLUMN_NAMES[index],
    }
}

/// Streams essentiality calls from SGD's `phenotype_data.tab`.
pub struct SgdReader<R> {
    table: Delimited<R>,
    passed_over: u64,
}

impl<R: Read> SgdReader<R> {
    /// A reader; the file has no header.
    pub fn new(inner: R, name: &str) -> Self {
        Self {
            table: Delimited::tsv(inner, name),
            passed_over: 0,
        }
    }
}

impl<R: Read> RecordReader for SgdReader<R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            if row.fields.len() < COLUMN_NAMES.len() {
                return Err(row.error(
                    "short row",
                    format!(
                        "expected {} tab-separated columns, found {}",
                        COLUMN_NAMES.len(),
                        row.fields.len()
                    ),
                ));
            }
            let essential = match (row.text(column(6))?, row.text(column(9))?) {
                ("null", "inviable") => true,
                ("null", "viable") => false,
                _ => {
                    self.passed_over += 1;
                    continue;
                }
            };
            let gene = row.text(column(0))?.parse().map_err(|e| {
                row.error(
                    "bad systematic name",
                    format!("column \"Feature Name\": {e}"),
                )
            })?;
            let reference = row.text(column(4))?;
            let publication = reference
                .split('|')
                .find_map(|part| part.trim().strip_prefix("PMID:"))
                .map(|id| {
                    id.trim().parse().map(Publication::pubmed).map_err(|_| {
                        row.error(
                            "bad reference",
                            format!("column \"Reference\": expected PMID: N, found {reference:?}"),
                        )
                    })
                })
                .transpose()?;
            let background = match row.text(column(8))? {
                "" => "unknown",
                b => b,
            };
            return Ok(Some(Record {
                gene,
                essential,
                background: background.to_owned(),
                publication,
                dataset: SGD_DATASET,
            }));
        }
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn rows_passed_over(&self) -> u64 {
        self.passed_over
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
    fn null_mutant_viability_rows_become_calls_with_their_paper() {
        let text = include_str!("../tests/fixtures/phenotype_data.tab");
        let reader = SgdReader::new(text.as_bytes(), "phenotype_data.tab");
        let (records, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!(report.rows_read, 5);
        assert_eq!(report.passed_over, 2);
        assert_eq!(records.len(), 2);
        assert_eq!(report.rejected["bad systematic name"][0].line, 5);
        assert!(records[0].essential);
        assert_eq!(records[0].publication, Some(Publication::pubmed(12140549)));
        assert!(!records[1].essential);
        assert_eq!(records[1].background, "W303");
        let e = records[1].experiment();
        assert_eq!(e.phenotype, Phenotype::Essentiality { essential: false });
        assert_eq!(e.reference.genome.strain, "W303");
    }
}
