//! YeastPhenome (yeastphenome.org, CC BY 4.0) value matrices: `*_value.txt`, tab-separated,
//! first column "orf", then one column per dataset whose header describes it as
//! `strain | phenotype | condition | [medium |] authors, year`, for example
//! `hap a (post-SGA) | growth (colony size) | benomyl [30 ug/ml] | SGA final selection
//! medium | Costanzo M~Andrews B, 2021`.
//!
//! Each header becomes an [`Environment`] ([`Condition::parse`]): the condition is an
//! additive with its dose (`standard` means none), the medium is named as written (`YPE 2%`;
//! `standard` when the header has no medium field), colony-size screens are on solid medium
//! and pooled cultures liquid, and the temperature is taken from the header where it gives
//! one (`37C`, `[37 °C]`), else 30 °C, the standard growth temperature of these screens. One
//! dataset per paper: `yeastphenome_<PMID>`, the PubMed id naming the folder the file is in.
//!
//! Values are fitness relative to wild type ([`Scale::Relative`]) except in papers that
//! publish condition-specific scores centred on 0 ([`Scale::Deviation`], Costanzo 2021),
//! which are stored as fitness 1 + score so that every dataset shares fitness's scale (the
//! raw value stays in the [`Record`]). Empty or `NaN` cells are left out and counted.

use std::io::Read;

use ironcell_core::{
    Additive, Environment, Experiment, Fitness, Genotype, Media, Perturbation, PerturbationKind,
    Provenance, Publication, SystematicName,
};

use crate::{
    report::RecordReader,
    table::{is_missing, Column, Delimited},
    Error,
};

/// Temperature when a header gives none.
pub const DEFAULT_TEMPERATURE_C: i32 = 30;

/// How a paper's values relate to wild type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Fitness relative to wild type: 1 is wild type.
    Relative,
    /// A condition-specific score: 0 is no effect; stored as fitness 1 + score.
    Deviation,
}

impl Scale {
    /// The scale of the paper with this PubMed id: [`Scale::Deviation`] for Costanzo 2021
    /// (PMID 33958448), whose post-SGA scores are centred on 0, else [`Scale::Relative`].
    pub fn of_paper(pmid: u32) -> Self {
        match pmid {
            33958448 => Self::Deviation,
            _ => Self::Relative,
        }
    }

    /// A value on this scale as fitness relative to wild type.
    pub fn fitness(self, value: f64) -> f64 {
        match self {
            Self::Relative => value,
            Self::Deviation => 1.0 + value,
        }
    }
}

/// One column's condition, parsed from its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The header as written.
    pub header: String,
    /// The environment it describes.
    pub environment: Environment,
}

/// `name [dose]` → (name, dose).
fn name_and_dose(text: &str) -> (&str, Option<&str>) {
    match text.split_once('[') {
        Some((name, rest)) => {
            let dose = rest.trim_end().trim_end_matches(']').trim();
            (name.trim(), Some(dose).filter(|d| !d.is_empty()))
        }
        None => (text.trim(), None),
    }
}

/// A temperature written as `37C`, `37 C` or `37 °C`.
fn temperature(text: &str) -> Option<i32> {
    let t = text.trim().strip_suffix(['C', 'c'])?.trim_end();
    let t = t.strip_suffix('°').unwrap_or(t).trim_end();
    t.parse::<f64>().ok().map(|c| c.round() as i32)
}

impl Condition {
    /// Parses a dataset header; `None` when it lacks the strain, phenotype, condition and
    /// authors fields.
    ///
    /// ```
    /// use ironcell_sources::yeastphenome::Condition;
    ///
    /// let c = Condition::parse(
    ///     "hap a (post-SGA) | growth (colony size) | benomyl [30 ug/ml] | \
    ///      SGA final selection medium | Costanzo M~Andrews B, 2021",
    /// )
    /// .unwrap();
    /// assert_eq!(
    ///     c.environment.to_string(),
    ///     "SGA final selection medium (solid) 30 °C + benomyl 30 ug/ml"
    /// );
    /// let heat = Condition::parse("hom | growth (pooled culture) | heat [37C] | YPD | A, 2012");
    /// assert_eq!(heat.unwrap().environment.to_string(), "YPD (liquid) 37 °C");
    /// ```
    pub fn parse(header: &str) -> Option<Self> {
        let fields: Vec<&str> = header.split('|').map(str::trim).collect();
        let [_strain, phenotype, condition, medium @ .., _authors] = fields.as_slice() else {
            return None;
        };
        let solid = !phenotype.contains("pooled") && !phenotype.contains("liquid");
        let medium = match medium {
            [] => "standard".to_owned(),
            parts => {
                let written = parts.join(" ");
                let (name, dose) = name_and_dose(&written);
                match dose {
                    Some(dose) => format!("{name} {dose}"),
                    None => name.to_owned(),
                }
            }
        };
        let mut temperature_c = DEFAULT_TEMPERATURE_C;
        let mut additive = None;
        let (name, dose) = name_and_dose(condition);
        match (name, dose.and_then(temperature)) {
            ("standard", _) => {}
            (_, Some(t)) => temperature_c = t,
            (name, None) => match temperature(name) {
                Some(t) => temperature_c = t,
                None => {
                    additive = Some(Additive {
                        name: name.to_owned(),
                        dose: dose.map(str::to_owned),
                    })
                }
            },
        }
        let mut environment = Environment::new(
            Media {
                name: medium,
                solid,
            },
            temperature_c,
        );
        if let Some(a) = additive {
            environment = environment.with_additive(a);
        }
        Some(Self {
            header: header.to_owned(),
            environment,
        })
    }
}

/// One gene's values across the file's conditions.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The deleted gene.
    pub gene: SystematicName,
    /// (condition index into [`Reader::conditions`], value as published), present cells only.
    pub values: Vec<(usize, f64)>,
}

/// Streams a value matrix.
pub struct Reader<R> {
    table: Delimited<R>,
    orf: Column,
    columns: Vec<usize>,
    conditions: Vec<Condition>,
    pmid: u32,
    missing_cells: u64,
    empty_rows: u64,
}

impl<R: Read> Reader<R> {
    /// Reads and parses the header of the file of paper `pmid`.
    pub fn new(inner: R, name: &str, pmid: u32) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        let orf = h.require("orf")?;
        let mut columns = Vec::new();
        let mut conditions = Vec::new();
        for (i, header) in h.names().iter().enumerate() {
            if i == orf.index {
                continue;
            }
            let condition = Condition::parse(header).ok_or_else(|| {
                Error::format(
                    name,
                    format!(
                        "column {}: expected a header \"strain | phenotype | condition | \
                         [medium |] authors\", found {header:?}",
                        i + 1
                    ),
                )
            })?;
            columns.push(i);
            conditions.push(condition);
        }
        if conditions.is_empty() {
            return Err(Error::format(name, "no value columns beside \"orf\""));
        }
        Ok(Self {
            table,
            orf,
            columns,
            conditions,
            pmid,
            missing_cells: 0,
            empty_rows: 0,
        })
    }

    /// The conditions, one per value column.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// Cells left out because they were empty or `NaN`.
    pub fn missing_cells(&self) -> u64 {
        self.missing_cells
    }

    /// The dataset name, `yeastphenome_<PMID>`.
    pub fn dataset(&self) -> String {
        format!("yeastphenome_{}", self.pmid)
    }

    /// A record's values as fitness experiments; see [`experiments`].
    pub fn experiments(&self, record: &Record) -> Vec<Experiment> {
        experiments(record, &self.conditions, self.pmid, &self.dataset())
    }
}

/// A record's values as fitness experiments of `dataset`, one per condition, on the scale of
/// paper `pmid`. A free function so that records can be turned into experiments while their
/// reader is still being read.
pub fn experiments(
    record: &Record,
    conditions: &[Condition],
    pmid: u32,
    dataset: &str,
) -> Vec<Experiment> {
    let genotype = Genotype::new([Perturbation::new(
        record.gene.clone(),
        PerturbationKind::DeletionKanMx,
    )])
    .expect("one perturbation");
    let scale = Scale::of_paper(pmid);
    record
        .values
        .iter()
        .map(|&(c, value)| {
            let fitness = Fitness::new(scale.fitness(value), None)
                .expect("the reader keeps finite values only");
            Experiment::fitness(
                genotype.clone(),
                conditions[c].environment.clone(),
                fitness,
                Provenance::Measured {
                    dataset: dataset.to_owned(),
                    publication: Some(Publication::pubmed(pmid)),
                },
            )
        })
        .collect()
}

impl<R: Read> RecordReader for Reader<R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            let gene: SystematicName = row
                .text(self.orf)?
                .parse()
                .map_err(|e| row.error("bad systematic name", format!("column \"orf\": {e}")))?;
            let mut values = Vec::with_capacity(self.columns.len());
            for (c, &i) in self.columns.iter().enumerate() {
                let column = Column {
                    index: i,
                    name: "value",
                };
                let text = row.text(column)?;
                if is_missing(text) {
                    self.missing_cells += 1;
                    continue;
                }
                let value: f64 = text
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite())
                    .ok_or_else(|| {
                        row.error(
                            "not a number",
                            format!(
                                "column {} ({}): expected a number, found {text:?}",
                                i + 1,
                                self.conditions[c].header
                            ),
                        )
                    })?;
                values.push((c, value));
            }
            if values.is_empty() {
                self.empty_rows += 1;
                continue;
            }
            return Ok(Some(Record { gene, values }));
        }
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn rows_passed_over(&self) -> u64 {
        self.empty_rows
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
    fn headers_become_environments() {
        let qian = Condition::parse(
            "hom | growth (pooled culture, barseq) | standard | YPE [2%] | Qian W~Zhang J, 2012",
        )
        .unwrap();
        assert_eq!(qian.environment.to_string(), "YPE 2% (liquid) 30 °C");
        let breslow = Condition::parse(
            "hap a | growth (relative abundance in pooled culture) | standard [standard] | \
             Breslow DK~Weissman JS, 2008",
        )
        .unwrap();
        assert_eq!(breslow.environment.to_string(), "standard (liquid) 30 °C");
        assert!(Condition::parse("growth").is_none());
        assert!(Condition::parse("a | b | c").is_none());
    }

    #[test]
    fn reads_a_matrix_and_counts_gaps() {
        let text = include_str!("../tests/fixtures/yeastphenome_value.txt");
        let reader = Reader::new(text.as_bytes(), "v.txt", 33958448).unwrap();
        assert_eq!(reader.conditions().len(), 2);
        let (records, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!((report.rows_read, records.len()), (5, 2));
        assert_eq!(report.passed_over, 1);
        assert_eq!(report.rejected["bad systematic name"][0].line, 5);
        assert_eq!(report.rejected["not a number"][0].line, 6);
        assert_eq!(records[1].values, [(1, -0.0525)]);
    }

    #[test]
    fn deviation_scores_become_fitness() {
        let text = include_str!("../tests/fixtures/yeastphenome_value.txt");
        let mut reader = Reader::new(text.as_bytes(), "v.txt", 33958448).unwrap();
        let record = reader.next_record().unwrap().unwrap();
        let experiments = reader.experiments(&record);
        assert_eq!(experiments.len(), 2);
        let ironcell_core::Phenotype::Fitness(f) = &experiments[0].phenotype else {
            panic!("fitness expected");
        };
        assert!((f.value() - (1.0 - 0.489)).abs() < 1e-12);
        assert_eq!(experiments[0].provenance.dataset(), "yeastphenome_33958448");
        assert_eq!(
            experiments[1].environment.additives[0].name, "benomyl",
            "{:?}",
            experiments[1].environment
        );
    }

    #[test]
    fn a_header_without_fields_is_an_error_naming_the_column() {
        let err = Reader::new(&b"orf\tgrowth\nYAL002W\t1\n"[..], "v.txt", 1)
            .err()
            .unwrap();
        assert!(err.to_string().contains("column 2"), "{err}");
    }
}
