//! Ohya et al. 2005 (PNAS, PMID 16365294), CalMorph morphology of the deletion collection:
//! `mt4718data.tsv` (one row per mutant, column "ORF", then one column per CalMorph
//! parameter) and `wt122data.tsv` (122 wild-type replicates, first column their name). The
//! wild-type reference is the column means of the replicates. Parameter ids starting
//! `CCV`/`ACV`/`DCV`/`TCV` are coefficients of variation.
//!
//! Cells of the haploid deletion collection (BY4741, KanMX) grown in liquid YPD at 25 °C,
//! fixed and stained before imaging.

use std::io::Read;

use ironcell_core::{
    Environment, Experiment, ExperimentReference, Genotype, Media, Morphology, Perturbation,
    PerturbationKind, Phenotype, Provenance, Publication, ReferenceGenome, SystematicName,
};

use crate::{
    report::RecordReader,
    table::{is_missing, Column, Delimited, Fields, Row},
    Error,
};

/// The publication.
pub const PMID: u32 = 16365294;
/// Its DOI.
pub const DOI: &str = "10.1073/pnas.0509436102";
/// The dataset name.
pub const DATASET: &str = "ohya2005_calmorph";

/// Ohya 2005 as a publication.
pub fn publication() -> Publication {
    crate::paper(PMID, DOI)
}

/// The culture condition.
pub fn environment() -> Environment {
    Environment::new(
        Media {
            name: "YPD".to_owned(),
            solid: false,
        },
        25,
    )
}

/// The parameter columns of a header: every column but the identifier's.
fn parameter_columns(names: &[String], id: usize) -> Vec<(usize, String)> {
    names
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != id)
        .map(|(i, n)| (i, n.clone()))
        .collect()
}

/// The values of one row as (position in `columns`, value); missing cells are left out.
fn values<F: Fields + ?Sized>(
    row: &Row<'_, F>,
    columns: &[(usize, String)],
) -> Result<Vec<(usize, f64)>, Error> {
    let mut out = Vec::with_capacity(columns.len());
    for (k, (index, name)) in columns.iter().enumerate() {
        let text = row.fields.field(*index).unwrap_or("").trim();
        if is_missing(text) {
            continue;
        }
        // `f64::from_str` reads `inf` and `NaN`, which would poison the wild type's means.
        let value = text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                row.error(
                    "not a number",
                    format!("parameter {name}: expected a finite number, found {text:?}"),
                )
            })?;
        out.push((k, value));
    }
    Ok(out)
}

/// The wild-type reference: each parameter's mean over the replicates of `wt122data.tsv`
/// that measured it. Any unreadable row is an error: the reference must be whole.
pub fn wild_type<R: Read>(inner: R, name: &str) -> Result<ExperimentReference, Error> {
    let mut table = Delimited::tsv(inner, name);
    let header = table.header()?;
    let columns = parameter_columns(header.names(), 0);
    let mut sums = vec![(0.0f64, 0u32); columns.len()];
    let mut replicates = 0u32;
    while let Some(row) = table.next_row()? {
        replicates += 1;
        for (k, v) in values(&row, &columns)? {
            sums[k].0 += v;
            sums[k].1 += 1;
        }
    }
    if replicates == 0 || sums.iter().all(|&(_, n)| n == 0) {
        return Err(Error::format(
            name,
            format!(
                "{replicates} wild-type replicate rows and no parameter measured: expected \
                 wt122data.tsv (a name column, then one column per CalMorph parameter)"
            ),
        ));
    }
    let means = columns
        .iter()
        .zip(&sums)
        .filter(|(_, (_, n))| *n > 0)
        .map(|((_, name), (sum, n))| (name.clone(), sum / f64::from(*n)));
    let morphology = Morphology::new(means).map_err(|e| Error::format(name, e.to_string()))?;
    Ok(ExperimentReference {
        genome: ReferenceGenome::yeast("BY4741"),
        environment: environment(),
        phenotype: Phenotype::Morphology(morphology),
    })
}

/// One mutant's morphology.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The deleted gene.
    pub gene: SystematicName,
    /// Its CalMorph parameters.
    pub morphology: Morphology,
}

impl Record {
    /// The record as a morphology experiment measured against `reference` (from
    /// [`wild_type`]).
    pub fn experiment(&self, reference: &ExperimentReference) -> Experiment {
        let genotype = Genotype::new([Perturbation::new(
            self.gene.clone(),
            PerturbationKind::DeletionKanMx,
        )])
        .expect("one perturbation is a valid genotype");
        Experiment {
            genotype,
            environment: environment(),
            phenotype: Phenotype::Morphology(self.morphology.clone()),
            reference: reference.clone(),
            provenance: Provenance::Measured {
                dataset: DATASET.to_owned(),
                publication: Some(publication()),
            },
        }
    }
}

/// Streams mutants from `mt4718data.tsv`.
pub struct Reader<R> {
    table: Delimited<R>,
    orf: Column,
    columns: Vec<(usize, String)>,
}

impl<R: Read> Reader<R> {
    /// Checks that `reference` (from [`wild_type`]) measured every parameter this file's
    /// mutants have: a mutant's morphology means something only beside the same screen's
    /// wild type, and an unrelated or truncated wild-type file would otherwise be stored as
    /// the reference of every experiment.
    pub fn check_reference(&self, reference: &ExperimentReference) -> Result<(), Error> {
        let Phenotype::Morphology(wild) = &reference.phenotype else {
            return Err(Error::format(
                self.table.name(),
                "the wild-type reference is not a morphology",
            ));
        };
        let missing: Vec<&str> = self
            .columns
            .iter()
            .map(|(_, p)| p.as_str())
            .filter(|p| !wild.parameters().contains_key(*p))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::format(
            self.table.name(),
            format!(
                "the wild-type file lacks {} of the {} parameters of the mutants (first: {}): \
                 give the wild-type replicates of this screen (wt122data.tsv)",
                missing.len(),
                self.columns.len(),
                missing[..missing.len().min(5)].join(", ")
            ),
        ))
    }

    /// Reads the header; it must have an "ORF" column.
    pub fn new(inner: R, name: &str) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let header = table.header()?;
        let orf = header.require("ORF")?;
        let columns = parameter_columns(header.names(), orf.index);
        Ok(Self {
            table,
            orf,
            columns,
        })
    }
}

impl<R: Read> RecordReader for Reader<R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let gene: SystematicName = row
            .text(self.orf)?
            .parse()
            .map_err(|e| row.error("bad systematic name", format!("column \"ORF\": {e}")))?;
        let parameters = values(&row, &self.columns)?
            .into_iter()
            .map(|(k, v)| (self.columns[k].1.clone(), v));
        let morphology =
            Morphology::new(parameters).map_err(|e| row.error("bad value", e.to_string()))?;
        Ok(Some(Record { gene, morphology }))
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

    #[test]
    fn an_empty_or_unrelated_wild_type_file_is_refused() {
        let empty = wild_type("name\tC101\n".as_bytes(), "wt.tsv").unwrap_err();
        assert!(
            empty.to_string().contains("0 wild-type replicate rows"),
            "{empty}"
        );
        let wt = "name\tC101\nwt1\t1.0\n";
        let reference = wild_type(wt.as_bytes(), "wt.tsv").unwrap();
        let mutants = "ORF\tC101\tC102\tA101\nYAL001C\t1\t2\t3\n";
        let reader = Reader::new(mutants.as_bytes(), "mt.tsv").unwrap();
        let err = reader.check_reference(&reference).unwrap_err().to_string();
        assert!(
            err.contains("lacks 2 of the 3 parameters") && err.contains("C102, A101"),
            "{err}"
        );
        let same = "ORF\tC101\nYAL001C\t1\n";
        let reader = Reader::new(same.as_bytes(), "mt.tsv").unwrap();
        reader.check_reference(&reference).unwrap();
        for bad in ["inf", "-inf", "infinity", "1e309"] {
            let wt = format!("name\tC101\nwt1\t1.0\nwt2\t{bad}\n");
            let err = wild_type(wt.as_bytes(), "wt.tsv").unwrap_err().to_string();
            assert!(err.contains("expected a finite number"), "{bad}: {err}");
        }
    }

    #[test]
    fn wild_type_reference_is_the_mean_of_measured_replicates() {
        let wt = include_str!("../tests/fixtures/wt122data.tsv");
        let reference = wild_type(wt.as_bytes(), "wt122data.tsv").unwrap();
        let Phenotype::Morphology(m) = &reference.phenotype else {
            panic!("a morphology reference");
        };
        assert!((m.parameters()["C11-1_A"] - 505.0).abs() < 1e-9);
        // wt3 did not measure A101_A: the mean is over the two that did.
        assert!((m.parameters()["A101_A"] - 30.5).abs() < 1e-9);
        assert_eq!(m.coefficients_of_variation().count(), 3);
        assert_eq!(reference.genome.strain, "BY4741");
    }

    #[test]
    fn mutants_parse_with_missing_cells_left_out_and_bad_rows_reported() {
        let text = include_str!("../tests/fixtures/mt4718data.tsv");
        let reader = Reader::new(text.as_bytes(), "mt4718data.tsv").unwrap();
        let (records, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!((report.rows_read, records.len()), (5, 3));
        assert_eq!(report.rejected["bad systematic name"][0].line, 5);
        assert_eq!(report.rejected["not a number"][0].line, 6);
        assert_eq!(records[1].gene.as_str(), "YAL004W");
        assert_eq!(records[0].morphology.parameters().len(), 8);
        assert_eq!(records[2].morphology.parameters().len(), 6);
        let wt = include_str!("../tests/fixtures/wt122data.tsv");
        let reference = wild_type(wt.as_bytes(), "wt122data.tsv").unwrap();
        let e = records[0].experiment(&reference);
        assert_eq!(e.provenance.dataset(), DATASET);
        assert_eq!(e.environment.temperature_c, 25);
    }
}
