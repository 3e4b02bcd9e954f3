//! Kuzmin et al. 2020 (Science, PMID 32586993), trigenic interactions across the network:
//! `aaz5667-Table-S1.xlsx` and `aaz5667-Table-S3.xlsx` (two screens, in Kuzmin 2018's layout
//! with "Double/triple mutant fitness"; see [`crate::kuzmin2018`]) and
//! `aaz5667-Table-S5.xlsx` (single and double query-mutant fitness: "Query Strain ID",
//! "Mutant type", "ORF1", "Allele1", optionally "ORF2", "Allele2", "Fitness", "St.dev.").
//! Each table has a title row above its header.

use std::io::{Read, Seek};

use ironcell_core::{
    Environment, Experiment, Fitness, Genotype, Perturbation, PerturbationKind, Provenance,
    Publication, SystematicName,
};

use crate::{
    kuzmin2018::{self, Columns, HO_MARKER},
    report::RecordReader,
    strain::Strain,
    table::{Column, Fields, Row},
    xlsx::Sheet,
    Error,
};

/// The publication.
pub const PMID: u32 = 32586993;
/// Its DOI.
pub const DOI: &str = "10.1126/science.aaz5667";

/// Kuzmin 2020 as a publication.
pub fn publication() -> Publication {
    crate::paper(PMID, DOI)
}

/// Reads Table S1 or S3: combined-mutant fitness with ε / τ.
///
/// Convert records with [`kuzmin2018::Record::experiments`] under a prefix that keeps the
/// screen, e.g. `kuzmin2020_s1`.
pub struct InteractionReader {
    sheet: Sheet,
    columns: Columns,
}

impl InteractionReader {
    /// Opens the workbook and finds the header below the title row.
    pub fn new<RS: Read + Seek>(inner: RS, name: &str) -> Result<Self, Error> {
        let (sheet, header) = Sheet::open(inner, name, "Query strain ID")?;
        let columns = Columns::find(&header)?;
        Ok(Self { sheet, columns })
    }
}

impl RecordReader for InteractionReader {
    type Record = kuzmin2018::Record;

    fn next_record(&mut self) -> Result<Option<kuzmin2018::Record>, Error> {
        match self.sheet.next_row() {
            Some(row) => self.columns.parse(&row).map(Some),
            None => Ok(None),
        }
    }

    fn rows_read(&self) -> u64 {
        self.sheet.rows()
    }

    fn name(&self) -> &str {
        self.sheet.name()
    }
}

/// One query mutant's fitness from Table S5.
#[derive(Debug, Clone, PartialEq)]
pub struct FitnessRecord {
    /// "Query Strain ID".
    pub query_strain: String,
    /// The query's perturbations (hoΔ dropped).
    pub genotype: Genotype,
    /// Fitness and standard deviation.
    pub fitness: Fitness,
}

impl FitnessRecord {
    /// The record as a fitness experiment of `kuzmin2020_smf` or `kuzmin2020_dmf`.
    pub fn experiment(&self) -> Experiment {
        let tag = if self.genotype.len() == 1 { "s" } else { "d" };
        Experiment::fitness(
            self.genotype.clone(),
            Environment::sga_plate(30),
            self.fitness,
            Provenance::Measured {
                dataset: format!("kuzmin2020_{tag}mf"),
                publication: Some(publication()),
            },
        )
    }
}

struct FitnessColumns {
    query: Column,
    mutant_type: Column,
    first: (Column, Column),
    second: Option<(Column, Column)>,
    fitness: Column,
    std: Column,
}

/// Reads Table S5.
pub struct FitnessReader {
    sheet: Sheet,
    columns: FitnessColumns,
    unmeasured: u64,
}

impl FitnessReader {
    /// Opens the workbook and finds the header below the title row.
    pub fn new<RS: Read + Seek>(inner: RS, name: &str) -> Result<Self, Error> {
        let (sheet, h) = Sheet::open(inner, name, "Query Strain ID")?;
        let columns = FitnessColumns {
            query: h.require("Query Strain ID")?,
            mutant_type: h.require("Mutant type")?,
            first: (h.require("ORF1")?, h.require("Allele1")?),
            second: h.optional("ORF2").zip(h.optional("Allele2")),
            fitness: h.require("Fitness")?,
            std: h.require("St.dev.")?,
        };
        Ok(Self {
            sheet,
            columns,
            unmeasured: 0,
        })
    }
}

/// A query gene's perturbation: `Δ` alleles are NatMX deletions (SGA query strains carry
/// NatMX), a temperature-sensitive query strain (`_tsq`) gives its kind, and any other named
/// allele is an [`PerturbationKind::Allele`].
fn query_perturbation<F: Fields + ?Sized>(
    row: &Row<'_, F>,
    strain_id: &str,
    orf: &str,
    allele: &str,
) -> Result<Perturbation, Error> {
    let gene: SystematicName = orf
        .parse()
        .map_err(|e| row.error("bad systematic name", format!("{e}")))?;
    let kind = if allele.contains('Δ') {
        PerturbationKind::DeletionNatMx
    } else {
        match Strain::parse(strain_id) {
            Ok(s) if s.gene == gene && s.kind == PerturbationKind::TemperatureSensitive => s.kind,
            _ => PerturbationKind::Allele,
        }
    };
    Ok(Perturbation::new(gene, kind)
        .with_name(allele)
        .with_strain(strain_id))
}

impl RecordReader for FitnessReader {
    type Record = FitnessRecord;

    fn next_record(&mut self) -> Result<Option<FitnessRecord>, Error> {
        let c = &self.columns;
        loop {
            let Some(row) = self.sheet.next_row() else {
                return Ok(None);
            };
            let Some(value) = row.number(c.fitness)? else {
                // S5 lists strains whose fitness was not measured; they carry no record.
                self.unmeasured += 1;
                continue;
            };
            let genes = match row.text(c.mutant_type)? {
                "Single mutant" => vec![c.first],
                "Double mutant" => match c.second {
                    Some(second) => vec![c.first, second],
                    None => {
                        return Err(row.error(
                            "short row",
                            "a double mutant needs the columns ORF2 and Allele2",
                        ))
                    }
                },
                other => {
                    return Err(row.error(
                        "bad mutant type",
                        format!("column \"Mutant type\": expected Single mutant or Double mutant, found {other:?}"),
                    ))
                }
            };
            let query_strain = row.text(c.query)?;
            let mut perturbations = Vec::with_capacity(2);
            for (orf, allele) in genes {
                perturbations.push(query_perturbation(
                    &row,
                    query_strain,
                    row.text(orf)?,
                    row.text(allele)?,
                )?);
            }
            perturbations.retain(|p| p.gene().as_str() != HO_MARKER);
            let genotype = Genotype::new(perturbations)
                .map_err(|e| row.error("invalid genotype", e.to_string()))?;
            let fitness = Fitness::new(value, row.number(c.std)?)
                .map_err(|e| row.error("bad value", format!("column \"Fitness\": {e}")))?;
            return Ok(Some(FitnessRecord {
                query_strain: query_strain.to_owned(),
                genotype,
                fitness,
            }));
        }
    }

    fn rows_read(&self) -> u64 {
        self.sheet.rows()
    }

    fn rows_passed_over(&self) -> u64 {
        self.unmeasured
    }

    fn name(&self) -> &str {
        self.sheet.name()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::report::{collect, BadRows, ReadReport};
    use ironcell_core::InteractionOrder;

    fn skipping<R: RecordReader>(reader: R) -> (Vec<R::Record>, ReadReport) {
        collect(reader, BadRows::Skip).unwrap()
    }

    #[test]
    fn interaction_table_skips_the_title_row_and_keeps_the_screen() {
        let bytes = include_bytes!("../tests/fixtures/aaz5667-Table-S1.xlsx");
        let reader = InteractionReader::new(Cursor::new(&bytes[..]), "S1.xlsx").unwrap();
        let (records, report) = skipping(reader);
        assert_eq!((report.rows_read, records.len()), (4, 3));
        assert_eq!(report.rejected["bad mutant type"][0].line, 6);
        let eps = records[0].interaction.unwrap();
        assert_eq!(
            (eps.order(), eps.score()),
            (InteractionOrder::Digenic, -0.1987)
        );
        assert_eq!(records[0].fitness.unwrap().value(), 0.3004);
        assert_eq!(records[1].genotype.len(), 3);
        assert!(records[2].interaction.is_none());
        let datasets: Vec<_> = records[1]
            .experiments("kuzmin2020_s1", &publication())
            .into_iter()
            .map(|e| e.provenance.dataset().to_owned())
            .collect();
        assert_eq!(datasets, ["kuzmin2020_s1_tmf", "kuzmin2020_s1_tmi"]);
    }

    #[test]
    fn fitness_table_gives_single_and_double_query_mutants() {
        let bytes = include_bytes!("../tests/fixtures/aaz5667-Table-S5.xlsx");
        let reader = FitnessReader::new(Cursor::new(&bytes[..]), "S5.xlsx").unwrap();
        let (records, report) = skipping(reader);
        assert_eq!(report.rows_read, 5);
        assert_eq!(report.passed_over, 1);
        assert_eq!(records.len(), 3);
        assert_eq!(report.rejected["bad mutant type"].len(), 1);
        assert_eq!(records[0].genotype.len(), 1);
        assert_eq!(
            records[0].experiment().provenance.dataset(),
            "kuzmin2020_smf"
        );
        assert_eq!(records[1].genotype.len(), 2);
        assert!(records[1].genotype.is_all_deletions());
        let ts = &records[2].genotype.perturbations()[0];
        assert_eq!(ts.kind(), PerturbationKind::TemperatureSensitive);
        assert_eq!(ts.name(), "tfc3-g349e");
    }
}
