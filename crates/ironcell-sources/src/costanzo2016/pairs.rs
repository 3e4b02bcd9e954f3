//! The pair-wise SGA tables `SGA_ExE.txt`, `SGA_NxN.txt`, `SGA_ExN_NxE.txt` and
//! `SGA_DAmP.txt`: tab-separated, one row per query × array double mutant with its
//! interaction score ε, P-value, both single-mutant fitnesses and the double-mutant fitness
//! with its standard deviation. "Arraytype/Temp" (`DMA26`, `DMA30`, `TSA26`, `TSA30`) names
//! the array and the temperature.
//!
//! Each row yields a double-mutant fitness experiment and an interaction experiment. The
//! full tables hold ~2e7 rows, so the reader streams, and strains are parsed once and shared
//! (a strain appears in thousands of rows).

use std::{collections::HashMap, io::Read, sync::Arc};

use ironcell_core::{
    Environment, Experiment, ExperimentReference, Fitness, GeneInteraction, Genotype,
    InteractionOrder, Perturbation, Phenotype,
};

use super::{provenance, DMF_DATASET, DMI_DATASET};
use crate::{
    report::RecordReader,
    strain::Strain,
    table::{Column, Delimited, Row},
    Error,
};

/// Colonies per double mutant in the Costanzo 2016 screens.
pub const REPLICATES: u32 = 4;

/// One double mutant.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRecord {
    /// The query strain's perturbation (strain id and allele name kept).
    pub query: Arc<Perturbation>,
    /// The array strain's perturbation.
    pub array: Arc<Perturbation>,
    /// `DMA` (deletion mutant array) or `TSA` (temperature-sensitive array).
    pub array_type: ArrayType,
    /// The screen's temperature, from "Arraytype/Temp".
    pub temperature_c: i32,
    /// ε with its P-value, when given.
    pub interaction: Option<GeneInteraction>,
    /// "Query single mutant fitness (SMF)".
    pub query_smf: Option<f64>,
    /// "Array SMF".
    pub array_smf: Option<f64>,
    /// Double-mutant fitness and its standard deviation, when given.
    pub fitness: Option<Fitness>,
}

/// The array collection a pair was screened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArrayType {
    /// Deletion mutant array (non-essential genes).
    Dma,
    /// Temperature-sensitive allele array (essential genes).
    Tsa,
}

impl PairRecord {
    /// The double mutant.
    pub fn genotype(&self) -> Genotype {
        Genotype::new([(*self.query).clone(), (*self.array).clone()])
            .expect("the reader rejects pairs of one gene")
    }

    /// The double-mutant fitness experiment ([`DMF_DATASET`]) and the ε experiment
    /// ([`DMI_DATASET`]), whichever the row has values for.
    pub fn experiments(&self) -> Vec<Experiment> {
        let genotype = self.genotype();
        let environment = Environment::sga_plate(self.temperature_c);
        let mut out = Vec::with_capacity(2);
        if let Some(fitness) = self.fitness {
            out.push(Experiment::fitness(
                genotype.clone(),
                environment.clone(),
                fitness,
                provenance(DMF_DATASET),
            ));
        }
        if let Some(interaction) = self.interaction {
            out.push(Experiment {
                genotype,
                reference: ExperimentReference::s288c(
                    &environment,
                    Phenotype::GeneInteraction(GeneInteraction::none(InteractionOrder::Digenic)),
                ),
                environment,
                phenotype: Phenotype::GeneInteraction(interaction),
                provenance: provenance(DMI_DATASET),
            });
        }
        out
    }
}

struct Columns {
    query: Column,
    query_allele: Column,
    array: Column,
    array_allele: Column,
    array_temp: Column,
    epsilon: Column,
    p_value: Column,
    query_smf: Column,
    array_smf: Column,
    dmf: Column,
    dmf_std: Column,
}

/// Streams [`PairRecord`]s from one SGA table.
pub struct Reader<R> {
    table: Delimited<R>,
    columns: Columns,
    /// Parsed strains by id, with the allele name they were parsed with.
    strains: HashMap<String, Arc<Perturbation>>,
}

impl<R: Read> Reader<R> {
    /// Reads the header; fails when a column is missing.
    pub fn new(inner: R, name: &str) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        let columns = Columns {
            query: h.require("Query Strain ID")?,
            query_allele: h.require("Query allele name")?,
            array: h.require("Array Strain ID")?,
            array_allele: h.require("Array allele name")?,
            array_temp: h.require("Arraytype/Temp")?,
            epsilon: h.require("Genetic interaction score (ε)")?,
            p_value: h.require("P-value")?,
            query_smf: h.require("Query single mutant fitness (SMF)")?,
            array_smf: h.require("Array SMF")?,
            dmf: h.require("Double mutant fitness")?,
            dmf_std: h.require("Double mutant fitness standard deviation")?,
        };
        Ok(Self {
            table,
            columns,
            strains: HashMap::new(),
        })
    }
}

/// The strain's perturbation, parsed on first sight.
fn strain(
    cache: &mut HashMap<String, Arc<Perturbation>>,
    row: &Row<'_, csv::StringRecord>,
    id: &str,
    allele: &str,
) -> Result<Arc<Perturbation>, Error> {
    if let Some(p) = cache.get(id).filter(|p| p.name() == allele) {
        return Ok(Arc::clone(p));
    }
    let parsed = Strain::parse(id).map_err(|m| row.error("bad strain id", m))?;
    let p = Arc::new(parsed.perturbation(allele));
    cache.insert(id.to_owned(), Arc::clone(&p));
    Ok(p)
}

fn array_type_and_temperature(
    row: &Row<'_, csv::StringRecord>,
    text: &str,
) -> Result<(ArrayType, i32), Error> {
    let digits = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let kind = match &text[..text.len() - digits.len()] {
        "DMA" => Some(ArrayType::Dma),
        "TSA" => Some(ArrayType::Tsa),
        _ => None,
    };
    match (kind, digits.parse()) {
        (Some(kind), Ok(t)) => Ok((kind, t)),
        _ => Err(row.error(
            "bad Arraytype/Temp",
            format!("column \"Arraytype/Temp\": expected DMA or TSA and a temperature (DMA30, TSA26), found {text:?}"),
        )),
    }
}

impl<R: Read> RecordReader for Reader<R> {
    type Record = PairRecord;

    fn next_record(&mut self) -> Result<Option<PairRecord>, Error> {
        let c = &self.columns;
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let query = strain(
            &mut self.strains,
            &row,
            row.text(c.query)?,
            row.text(c.query_allele)?,
        )?;
        let array = strain(
            &mut self.strains,
            &row,
            row.text(c.array)?,
            row.text(c.array_allele)?,
        )?;
        if query.gene() == array.gene() {
            return Err(row.error(
                "one gene twice",
                format!("query and array both perturb {}", query.gene()),
            ));
        }
        let (array_type, temperature_c) =
            array_type_and_temperature(&row, row.text(c.array_temp)?)?;
        let bad =
            |what: &str, e: ironcell_core::Error| row.error("bad value", format!("{what}: {e}"));
        let interaction = row
            .number(c.epsilon)?
            .map(|eps| {
                GeneInteraction::new(InteractionOrder::Digenic, eps, row.number(c.p_value)?)
                    .map_err(|e| bad("genetic interaction score", e))
            })
            .transpose()?;
        let fitness = row
            .number(c.dmf)?
            .map(|v| {
                Fitness::new(v, row.number(c.dmf_std)?)
                    .map(|f| f.with_replicates(REPLICATES))
                    .map_err(|e| bad("double mutant fitness", e))
            })
            .transpose()?;
        Ok(Some(PairRecord {
            query,
            array,
            array_type,
            temperature_c,
            interaction,
            query_smf: row.number(c.query_smf)?,
            array_smf: row.number(c.array_smf)?,
            fitness,
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
    use ironcell_core::PerturbationKind;

    /// Real header and rows in the published layout, plus the awkward cases.
    const FIXTURE: &str = include_str!("../../tests/fixtures/SGA_ExE.txt");

    fn read(text: &str, policy: BadRows) -> (Vec<PairRecord>, crate::report::ReadReport) {
        collect(Reader::new(text.as_bytes(), "SGA_ExE.txt").unwrap(), policy).unwrap()
    }

    #[test]
    fn parses_kinds_temperatures_and_values() {
        let (records, report) = read(FIXTURE, BadRows::Skip);
        assert_eq!(report.rows_read, 8);
        assert_eq!(report.records, 6);
        let first = &records[0];
        assert_eq!(first.query.kind(), PerturbationKind::DeletionNatMx);
        assert_eq!(first.query.name(), "ntc20");
        assert_eq!(first.array.kind(), PerturbationKind::TemperatureSensitive);
        assert_eq!(first.array.strain(), Some("YMR296C_tsa606"));
        assert_eq!(
            (first.array_type, first.temperature_c),
            (ArrayType::Tsa, 26)
        );
        let eps = first.interaction.unwrap();
        assert_eq!((eps.score(), eps.p_value()), (-0.1255, Some(0.1631)));
        assert_eq!(first.fitness.unwrap().std(), Some(0.2388));
        assert_eq!(first.fitness.unwrap().replicates(), Some(4));
        let experiments = first.experiments();
        assert_eq!(experiments.len(), 2);
        assert_eq!(experiments[0].provenance.dataset(), DMF_DATASET);
        assert_eq!(experiments[1].provenance.dataset(), DMI_DATASET);
        assert!(records
            .iter()
            .any(|r| r.query.kind() == PerturbationKind::Damp));
        // A row without ε still gives its fitness.
        assert!(records
            .iter()
            .any(|r| r.interaction.is_none() && r.fitness.is_some()));
        // Both strains of a row are shared with other rows, not re-parsed.
        assert!(Arc::ptr_eq(&records[0].query, &records[1].query));
    }

    #[test]
    fn rejected_rows_are_listed_by_reason() {
        let (_, report) = read(FIXTURE, BadRows::Skip);
        assert_eq!(report.rejected_rows(), 2);
        assert_eq!(report.rejected["bad Arraytype/Temp"][0].line, 8);
        assert_eq!(report.rejected["one gene twice"].len(), 1);
    }

    #[test]
    fn without_skipping_a_bad_row_is_an_error_naming_file_and_line() {
        let reader = Reader::new(FIXTURE.as_bytes(), "SGA_ExE.txt").unwrap();
        let err = collect(reader, BadRows::Fail).unwrap_err().to_string();
        assert!(err.starts_with("SGA_ExE.txt:8:"), "{err}");
        assert!(err.contains("Arraytype/Temp"), "{err}");
    }
}
