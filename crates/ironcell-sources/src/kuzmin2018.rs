//! Kuzmin et al. 2018 (Science, PMID 29674565) combined-mutant fitness, in the layout of the
//! `unique_triples.tsv` export of Data S1: an unnamed index column, `Query strain ID`,
//! `Array strain ID`, `P-value`, `Combined mutant fitness`,
//! `Combined mutant fitness standard deviation`, `g1`, `g2`, `g3`.
//!
//! Query strains are double mutants named `ORF+ORF_tmNNNN`. One of the query genes is usually
//! YDL227C (HO), deleted only to carry a marker: hoΔ is not a perturbation, so it is dropped
//! and most records are double mutants.

use std::io::BufRead;

use ironcell_core::{Fitness, Genotype, Perturbation};

use crate::{lines::Lines, strain::parse_strain_id, Error};

/// The publication the data comes from.
pub const PMID: u32 = 29674565;

/// HO (YDL227C), the marker locus of Kuzmin's query strains.
pub const HO_MARKER: &str = "YDL227C";

/// One combined-mutant measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// `Query strain ID`, e.g. `YKL051W+YDL227C_tm3059`.
    pub query_strain: String,
    /// `Array strain ID`, e.g. `YDR108W_dma909`.
    pub array_strain: String,
    /// The perturbed genes without the hoΔ marker.
    pub genotype: Genotype,
    /// Combined-mutant fitness with its standard deviation.
    pub fitness: Fitness,
    /// The P-value of the interaction call.
    pub p_value: Option<f64>,
}

const COLUMNS: [&str; 5] = [
    "Query strain ID",
    "Array strain ID",
    "P-value",
    "Combined mutant fitness",
    "Combined mutant fitness standard deviation",
];

/// Streams records from a `unique_triples.tsv` stream.
pub struct Reader<R> {
    lines: Lines<R>,
    buf: String,
    columns: Option<[usize; 5]>,
}

impl<R: BufRead> Reader<R> {
    /// A reader over `inner`; `name` is used in error messages.
    pub fn new(inner: R, name: impl Into<String>) -> Self {
        Self {
            lines: Lines::new(inner, name),
            buf: String::new(),
            columns: None,
        }
    }

    fn read_header(&mut self) -> Result<[usize; 5], Error> {
        if !self.lines.next_into(&mut self.buf)? {
            return Err(Error::format(
                self.lines.name(),
                "empty file: expected a header",
            ));
        }
        let header: Vec<&str> = self.buf.split('\t').map(str::trim).collect();
        let mut cols = [0; 5];
        for (slot, wanted) in cols.iter_mut().zip(COLUMNS) {
            *slot = header.iter().position(|h| *h == wanted).ok_or_else(|| {
                self.lines
                    .error(format!("header lacks the column {wanted:?}"))
            })?;
        }
        Ok(cols)
    }

    /// Reads the next record, or `None` at end of input.
    pub fn read_record(&mut self) -> Result<Option<Record>, Error> {
        let cols = match self.columns {
            Some(c) => c,
            None => {
                let c = self.read_header()?;
                *self.columns.insert(c)
            }
        };
        loop {
            if !self.lines.next_into(&mut self.buf)? {
                return Ok(None);
            }
            if !self.buf.trim().is_empty() {
                break;
            }
        }
        let fields: Vec<&str> = self.buf.split('\t').map(str::trim).collect();
        let lines = &self.lines;
        let field = |i: usize| {
            fields.get(cols[i]).copied().ok_or_else(|| {
                lines.error(format!(
                    "missing column {:?}: only {} fields",
                    COLUMNS[i],
                    fields.len()
                ))
            })
        };
        let number = |i: usize| -> Result<Option<f64>, Error> {
            let text = field(i)?;
            if text.is_empty() || text.eq_ignore_ascii_case("nan") {
                return Ok(None);
            }
            text.parse().map(Some).map_err(|_| {
                lines.error(format!(
                    "column {:?}: expected a number, found {text:?}",
                    COLUMNS[i]
                ))
            })
        };
        let query_strain = field(0)?.to_owned();
        let array_strain = field(1)?.to_owned();
        let (query_genes, query_tag) = query_strain.rsplit_once('_').ok_or_else(|| {
            lines.error(format!(
                "query strain {query_strain:?}: expected ORF+ORF_tmNNNN"
            ))
        })?;
        let mut perturbations = Vec::with_capacity(3);
        for orf in query_genes.split('+') {
            let (gene, kind) =
                parse_strain_id(&format!("{orf}_{query_tag}"), "").map_err(|m| lines.error(m))?;
            perturbations.push(Perturbation::new(gene, kind));
        }
        let (gene, kind) =
            parse_strain_id(&array_strain, &array_strain).map_err(|m| lines.error(m))?;
        perturbations.push(Perturbation::new(gene, kind));
        perturbations.retain(|p| p.gene().as_str() != HO_MARKER);
        let genotype = Genotype::new(perturbations).map_err(|e| lines.error(e.to_string()))?;
        let value =
            number(3)?.ok_or_else(|| lines.error("column \"Combined mutant fitness\" is empty"))?;
        let fitness = Fitness::new(value, number(4)?).map_err(|e| lines.error(e.to_string()))?;
        Ok(Some(Record {
            query_strain,
            array_strain,
            genotype,
            fitness,
            p_value: number(2)?,
        }))
    }

    /// An iterator over the remaining records.
    pub fn records(&mut self) -> impl Iterator<Item = Result<Record, Error>> + '_ {
        std::iter::from_fn(move || self.read_record().transpose())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static DATA: &str = "\tQuery strain ID\tArray strain ID\tP-value\tCombined mutant fitness\tCombined mutant fitness standard deviation\tg1\tg2\tg3
381092\tYKL051W+YDL227C_tm3059\tYDR108W_dma909\t0.5\t0.835\t0.0464\tYDL227C\tYDR108W\tYKL051W
258723\tYDR216W+YDL227C_tm3210\tYBR087W_tsa887\t0.5\t0.9108\t0.0482\tYBR087W\tYDL227C\tYDR216W
1\tYAL001C+YBR001C_tm1\tYDR108W_dma909\t0.01\t-0.1\t\tYAL001C\tYBR001C\tYDR108W
";

    fn read_all(data: &str) -> Result<Vec<Record>, Error> {
        Reader::new(data.as_bytes(), "k.tsv").records().collect()
    }

    #[test]
    fn drops_the_ho_marker_and_keeps_std_and_p_value() {
        let records = read_all(DATA).unwrap();
        assert_eq!(records.len(), 3);
        let genes: Vec<_> = records[0].genotype.genes().map(|g| g.as_str()).collect();
        assert_eq!(genes, ["YDR108W", "YKL051W"]);
        assert_eq!(records[0].fitness.std(), Some(0.0464));
        assert_eq!(records[0].p_value, Some(0.5));
        assert!(!records[1].genotype.is_all_deletions());
        assert_eq!(records[2].genotype.len(), 3);
        assert_eq!(records[2].fitness.value(), 0.0);
    }

    #[test]
    fn bad_number_reports_line() {
        let bad = DATA.replace("0.9108", "n/a");
        let err = read_all(&bad).unwrap_err();
        assert_eq!(err.line(), Some(3));
        assert!(err.to_string().contains("Combined mutant fitness"), "{err}");
    }
}
