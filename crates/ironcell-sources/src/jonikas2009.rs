//! Jonikas et al. 2009 (Science, PMID 19325107), the ER E-MAP: the level of an
//! unfolded-protein-response (UPR) reporter in single and double mutants of ~380 genes, a
//! phenotype other than growth. Two tables (biolab/red's `080930a_DM_data.mat`, converted
//! to text without changing a value), both naming genes by their standard names:
//!
//! - `double_mutants.tsv`: "query", "array", "dm_phenotype" (the double mutant's reporter
//!   level), "expected_dm" (what the single mutants predict), "n_measurements" and
//!   "dm_corr" (not kept). → [`DoubleReader`].
//! - `singles.tsv`: "query" and "q_single", the single mutants' levels (the array half of
//!   the file repeats them). → [`SingleReader`].
//!
//! Levels are the published log2 reporter signal, wild type at 0. Names are mapped to
//! systematic names through the reference; an allele suffix (`SEC61-2`) makes a point
//! allele of the gene; control strains (`WT_…`, `DIPLOID_…`, `NOTHING_SHOULD_BE_`) are passed
//! over and counted. The matrix is symmetrised (A × B repeats B × A value for value), so each
//! pair is stored once and a repeated mirror row is passed over; and since it is symmetrised
//! neither strain is known to be the NatMX query: deletions are stored as
//! [`PerturbationKind::Deletion`], and essential genes, which an E-MAP can only perturb
//! through hypomorphs, as DAmP alleles. The cells grew in rich medium; the environment is
//! YEPD, liquid, 30 °C.

use std::{
    collections::{HashMap, HashSet},
    io::Read,
};

use ironcell_core::{
    Environment, Experiment, ExperimentReference, Genotype, Media, Perturbation, PerturbationKind,
    Phenotype, Provenance, Publication, Reporter, SystematicName,
};

use crate::{
    names::GeneNames,
    report::RecordReader,
    table::{Column, Delimited, Fields, Row},
    Error,
};

/// The publication.
pub const PMID: u32 = 19325107;
/// Its DOI.
pub const DOI: &str = "10.1126/science.1167983";
/// The dataset name (singles and doubles alike).
pub const DATASET: &str = "jonikas2009_upr";
/// The reporter's name.
pub const REPORTER: &str = "UPR";

/// Jonikas 2009 as a publication.
pub fn publication() -> Publication {
    crate::paper(PMID, DOI)
}

/// Whether a strain name is one of the screen's controls rather than a gene.
pub fn is_control(name: &str) -> bool {
    ["WT", "DIPLOID", "NOTHING_SHOULD_BE"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// A strain's reporter level.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The mutant (one or two genes).
    pub genotype: Genotype,
    /// Its UPR level.
    pub level: Reporter,
}

impl Record {
    /// The record as an experiment of [`DATASET`].
    pub fn experiment(&self) -> Experiment {
        let environment = Environment::new(
            Media {
                name: "YEPD".to_owned(),
                solid: false,
            },
            30,
        );
        let wild_type = Reporter::new(REPORTER, 0.0, None).expect("0 is finite");
        Experiment {
            genotype: self.genotype.clone(),
            reference: ExperimentReference::s288c(&environment, Phenotype::Reporter(wild_type)),
            environment,
            phenotype: Phenotype::Reporter(self.level.clone()),
            provenance: Provenance::Measured {
                dataset: DATASET.to_owned(),
                publication: Some(publication()),
            },
        }
    }
}

/// Maps the file's strain names to perturbations.
struct Strains<'n> {
    names: &'n GeneNames,
    essential: &'n HashSet<SystematicName>,
}

impl Strains<'_> {
    /// The perturbation a name stands for; `None` for a control.
    fn perturbation<F: Fields + ?Sized>(
        &self,
        row: &Row<'_, F>,
        column: Column,
    ) -> Result<Option<Perturbation>, Error> {
        let written = row.text(column)?;
        if is_control(written) {
            return Ok(None);
        }
        let perturbation = match self.names.resolve(written) {
            Ok(gene) if self.essential.contains(&gene) => {
                Perturbation::new(gene, PerturbationKind::Damp).with_name(format!("{written}-DAmP"))
            }
            Ok(gene) => Perturbation::new(gene, PerturbationKind::Deletion).with_name(written),
            Err(why) => {
                // `SEC61-2`: a point allele of the gene before the dash.
                let gene = written
                    .rsplit_once('-')
                    .filter(|(_, allele)| allele.chars().all(|c| c.is_ascii_digit()))
                    .and_then(|(gene, _)| self.names.resolve(gene).ok())
                    .ok_or_else(|| row.unresolved(column, written, why))?;
                Perturbation::new(gene, PerturbationKind::Allele).with_name(written)
            }
        };
        Ok(Some(perturbation))
    }
}

/// Streams `double_mutants.tsv`.
pub struct DoubleReader<'n, R> {
    table: Delimited<R>,
    strains: Strains<'n>,
    genes: [Column; 2],
    level: Column,
    expected: Column,
    n: Column,
    /// Pairs already read, with their values' bits, to recognise mirror rows.
    seen: HashMap<Genotype, [u64; 3]>,
    passed_over: u64,
}

impl<'n, R: Read> DoubleReader<'n, R> {
    /// Reads the header; names resolve through `names`, and genes in `essential` are DAmP
    /// alleles.
    pub fn new(
        inner: R,
        name: &str,
        names: &'n GeneNames,
        essential: &'n HashSet<SystematicName>,
    ) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        Ok(Self {
            genes: [h.require("query")?, h.require("array")?],
            level: h.require("dm_phenotype")?,
            expected: h.require("expected_dm")?,
            n: h.require("n_measurements")?,
            table,
            strains: Strains { names, essential },
            seen: HashMap::new(),
            passed_over: 0,
        })
    }
}

/// A required number cell.
fn required<F: Fields + ?Sized>(row: &Row<'_, F>, column: Column) -> Result<f64, Error> {
    row.number(column)?.ok_or_else(|| {
        row.error(
            "missing value",
            format!("column {:?} is empty", column.name),
        )
    })
}

impl<R: Read> RecordReader for DoubleReader<'_, R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            let (Some(a), Some(b)) = (
                self.strains.perturbation(&row, self.genes[0])?,
                self.strains.perturbation(&row, self.genes[1])?,
            ) else {
                self.passed_over += 1;
                continue;
            };
            let genotype =
                Genotype::new([a, b]).map_err(|e| row.error("one gene twice", e.to_string()))?;
            let value = required(&row, self.level)?;
            let expected = row.number(self.expected)?;
            let n = required(&row, self.n)?;
            if n < 0.0 || n.fract() != 0.0 {
                return Err(row.error(
                    "bad count",
                    format!("column \"n_measurements\": expected a whole number, found {n}"),
                ));
            }
            let level = Reporter::new(REPORTER, value, expected)
                .map_err(|e| row.error("bad value", e.to_string()))?
                .with_replicates(n as u32);
            let bits = [
                value.to_bits(),
                expected.unwrap_or(f64::NAN).to_bits(),
                n.to_bits(),
            ];
            if self.seen.get(&genotype) == Some(&bits) {
                self.passed_over += 1;
                continue;
            }
            self.seen.insert(genotype.clone(), bits);
            return Ok(Some(Record { genotype, level }));
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

/// Streams `singles.tsv`.
pub struct SingleReader<'n, R> {
    table: Delimited<R>,
    strains: Strains<'n>,
    gene: Column,
    level: Column,
    passed_over: u64,
}

impl<'n, R: Read> SingleReader<'n, R> {
    /// Reads the header, as [`DoubleReader::new`] does.
    pub fn new(
        inner: R,
        name: &str,
        names: &'n GeneNames,
        essential: &'n HashSet<SystematicName>,
    ) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        Ok(Self {
            gene: h.require("query")?,
            level: h.require("q_single")?,
            table,
            strains: Strains { names, essential },
            passed_over: 0,
        })
    }
}

impl<R: Read> RecordReader for SingleReader<'_, R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            let Some(p) = self.strains.perturbation(&row, self.gene)? else {
                self.passed_over += 1;
                continue;
            };
            // Strains the screen measured in no single-mutant well have no level.
            let Some(value) = row.number(self.level)? else {
                self.passed_over += 1;
                continue;
            };
            let level = Reporter::new(REPORTER, value, None)
                .map_err(|e| row.error("bad value", e.to_string()))?;
            let genotype = Genotype::new([p]).expect("one perturbation");
            return Ok(Some(Record { genotype, level }));
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

    fn names() -> (GeneNames, HashSet<SystematicName>) {
        let mut names = GeneNames::default();
        for (gene, name) in [
            ("YHR028W-A", "LOC1"),
            ("YHR079C", "IRE1"),
            ("YLR048W", "RPS0B"),
            ("YLR378C", "SEC61"),
            ("YOR047C", "STD1"),
        ] {
            names.insert(&gene.parse().unwrap(), Some(name), []);
        }
        let essential = ["YLR378C".parse().unwrap()].into_iter().collect();
        (names, essential)
    }

    #[test]
    fn doubles_map_names_drop_mirrors_and_controls() {
        let (names, essential) = names();
        let text = include_str!("../tests/fixtures/jonikas2009_double_mutants.tsv");
        let reader = DoubleReader::new(text.as_bytes(), "dm.tsv", &names, &essential).unwrap();
        let (records, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!(report.rows_read, 8);
        // The mirror of row 2 and the control row.
        assert_eq!(report.passed_over, 2);
        assert_eq!(records.len(), 3);
        assert_eq!(report.rejected["unmapped gene name"][0].line, 6);
        assert_eq!(report.rejected["missing value"][0].line, 7);
        assert_eq!(report.rejected["bad count"][0].line, 9);
        assert_eq!(records[0].level.expected(), Some(-2.5179386765553438));
        assert_eq!(records[0].level.replicates(), Some(1));
        let sec61 = records[2]
            .genotype
            .perturbations()
            .iter()
            .find(|p| p.gene().as_str() == "YLR378C")
            .unwrap();
        assert_eq!(
            (sec61.kind(), sec61.name()),
            (PerturbationKind::Allele, "SEC61-2")
        );
        let loc1 = &records[0].genotype.perturbations()[0];
        assert_eq!(
            (loc1.kind(), loc1.name()),
            (PerturbationKind::Deletion, "LOC1")
        );
        assert_eq!(records[0].experiment().provenance.dataset(), DATASET);
    }

    #[test]
    fn singles_use_damp_for_essential_genes() {
        let (names, essential) = names();
        let text = "query\tq_idx0\tq_single\tarray\ta_idx0\ta_single\n\
                    LOC1\t1.0\t-1.6\tLOC1\t1.0\t-1.6\n\
                    SEC61\t2.0\t0.5\tSEC61\t2.0\t0.5\n\
                    WT_DHIS3::KAN\t3.0\t0.01\tWT_DHIS3::KAN\t3.0\t0.01\n\
                    IRE1\t4.0\t\tIRE1\t4.0\t\n";
        let reader = SingleReader::new(text.as_bytes(), "s.tsv", &names, &essential).unwrap();
        let (records, report) = collect(reader, BadRows::Fail).unwrap();
        assert_eq!((records.len(), report.passed_over), (2, 2));
        let sec61 = &records[1].genotype.perturbations()[0];
        assert_eq!(
            (sec61.kind(), sec61.name()),
            (PerturbationKind::Damp, "SEC61-DAmP")
        );
        assert_eq!(records[0].level.value(), -1.6);
    }
}
