//! Data File S1, `strain_ids_and_single_mutant_fitness.xlsx`: one row per strain with
//! single-mutant fitness (SMF) and its standard deviation at 26 °C and at 30 °C.
//!
//! Each row yields one record per temperature that has a value.

use std::{
    collections::VecDeque,
    io::{Read, Seek},
};

use ironcell_core::{Environment, Experiment, Fitness, Genotype, SystematicName};

use super::{provenance, SMF_DATASET};
use crate::{
    report::RecordReader,
    strain::Strain,
    table::{Column, Fields, Row},
    xlsx::Sheet,
    Error,
};

/// One single-mutant fitness measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct SmfRecord {
    /// The strain, e.g. `YAL002W_dma23`, with its gene and perturbation kind.
    pub strain: Strain,
    /// The allele or gene name column, e.g. `vps8` or `tfc3-g349e`.
    pub allele: String,
    /// 26 or 30.
    pub temperature_c: i32,
    /// Fitness and standard deviation.
    pub fitness: Fitness,
}

impl SmfRecord {
    /// The record as a fitness experiment of [`SMF_DATASET`].
    pub fn experiment(&self) -> Experiment {
        let genotype = Genotype::new([self.strain.perturbation(&self.allele)])
            .expect("one perturbation is a valid genotype");
        Experiment::fitness(
            genotype,
            Environment::sga_plate(self.temperature_c),
            self.fitness,
            provenance(SMF_DATASET),
        )
    }
}

struct Columns {
    strain: Column,
    gene: Column,
    allele: Column,
    /// (temperature, value, stddev) per temperature.
    temperatures: [(i32, Column, Column); 2],
}

/// Reads the workbook's first sheet.
pub struct Reader {
    sheet: Sheet,
    columns: Columns,
    pending: VecDeque<SmfRecord>,
    /// Rows with no fitness at either temperature (the suppressor strains, for one).
    unmeasured: u64,
}

impl Reader {
    /// Opens the workbook; fails when it is unreadable or lacks a column.
    pub fn new<RS: Read + Seek>(inner: RS, name: &str) -> Result<Self, Error> {
        let (sheet, header) = Sheet::open(inner, name, "Strain ID")?;
        let columns = Columns {
            strain: header.require("Strain ID")?,
            gene: header.require("Systematic gene name")?,
            allele: header.require("Allele/Gene name")?,
            temperatures: [
                (
                    26,
                    header.require("Single mutant fitness (26°)")?,
                    header.require("Single mutant fitness (26°) stddev")?,
                ),
                (
                    30,
                    header.require("Single mutant fitness (30°)")?,
                    header.require("Single mutant fitness (30°) stddev")?,
                ),
            ],
        };
        Ok(Self {
            sheet,
            columns,
            pending: VecDeque::new(),
            unmeasured: 0,
        })
    }
}

fn parse_row<F: Fields + ?Sized>(
    row: &Row<'_, F>,
    cols: &Columns,
    out: &mut VecDeque<SmfRecord>,
) -> Result<(), Error> {
    let strain_id = row.text(cols.strain)?;
    let allele = row.text(cols.allele)?;
    let strain = Strain::parse(strain_id).map_err(|m| row.error("bad strain id", m))?;
    let listed: SystematicName = row
        .text(cols.gene)?
        .parse()
        .map_err(|e| row.error("bad systematic name", format!("{e}")))?;
    if listed != strain.gene {
        return Err(row.error(
            "gene disagrees with strain",
            format!("{listed} disagrees with strain id {strain_id}"),
        ));
    }
    for &(temperature_c, value_col, std_col) in &cols.temperatures {
        let Some(value) = row.number(value_col)? else {
            continue;
        };
        let fitness = Fitness::new(value, row.number(std_col)?)
            .map_err(|e| row.error("bad fitness", format!("column {:?}: {e}", value_col.name)))?;
        out.push_back(SmfRecord {
            strain: strain.clone(),
            allele: allele.to_owned(),
            temperature_c,
            fitness,
        });
    }
    Ok(())
}

impl RecordReader for Reader {
    type Record = SmfRecord;

    fn next_record(&mut self) -> Result<Option<SmfRecord>, Error> {
        while self.pending.is_empty() {
            let Some(row) = self.sheet.next_row() else {
                return Ok(None);
            };
            parse_row(&row, &self.columns, &mut self.pending)?;
            self.unmeasured += u64::from(self.pending.is_empty());
        }
        Ok(self.pending.pop_front())
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
    use std::{collections::BTreeMap, fs::File, io::BufReader};

    use super::*;
    use crate::report::{collect, BadRows};
    use ironcell_core::{PerturbationKind, Phenotype};

    #[test]
    fn reads_every_strain_of_the_published_file() {
        // The published Data File S1, from the data directory.
        let path = crate::data_dir::for_tests()
            .file("yeast-screens/costanzo2016/strain_ids_and_single_mutant_fitness.xlsx")
            .unwrap();
        let file = BufReader::new(File::open(&path).unwrap());
        let name = path.display().to_string();
        let (records, report) = collect(Reader::new(file, &name).unwrap(), BadRows::Fail).unwrap();
        assert_eq!(report.rows_read, 10_859);
        assert_eq!(records.len(), 20_484);
        let mut kinds: BTreeMap<PerturbationKind, usize> = BTreeMap::new();
        for r in &records {
            *kinds.entry(r.strain.kind).or_default() += 1;
        }
        for kind in [
            PerturbationKind::DeletionKanMx,
            PerturbationKind::DeletionNatMx,
            PerturbationKind::Damp,
            PerturbationKind::TemperatureSensitive,
        ] {
            assert!(
                kinds.get(&kind).copied().unwrap_or(0) > 0,
                "{kind:?}: {kinds:?}"
            );
        }
        // The 117 suppressor strains (`_S`) have no fitness in the file, so no records.
        assert!(!kinds.contains_key(&PerturbationKind::Suppressor));
        assert!(report.passed_over >= 117);
        let e = records[0].experiment();
        assert_eq!(
            e.reference.phenotype,
            Phenotype::Fitness(Fitness::WILD_TYPE)
        );
        assert_eq!(e.reference.environment, e.environment);
        assert_eq!(
            e.provenance.publication().unwrap().pubmed_id(),
            Some(27708008)
        );
    }
}
