//! SynLethDB yeast pairs: `Yeast_SL.csv` (synthetic lethality) and `Yeast_SR.csv` (synthetic
//! rescue), comma-separated with the columns "n1.name", "n2.name", "r.statistic_score" and
//! "r.pubmed_id" (others ignored). Genes are standard names, mapped to systematic names
//! through the reference; a name that does not map is a rejected row, listed by the report.
//!
//! SynLethDB collects pairs from many papers and does not record alleles or conditions, so
//! both genes are recorded as deletions on an SGA plate at 30 °C, the condition of most of
//! its yeast sources; the per-row PubMed id keeps each pair's origin.

use std::io::Read;

use ironcell_core::{
    Call, Environment, Experiment, ExperimentReference, Genotype, Perturbation, PerturbationKind,
    Phenotype, Provenance, Publication, SystematicName,
};

use crate::{
    names::GeneNames,
    report::RecordReader,
    table::{Column, Delimited, Fields as _},
    Error,
};

/// Which SynLethDB table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// `Yeast_SL.csv`.
    SyntheticLethality,
    /// `Yeast_SR.csv`.
    SyntheticRescue,
}

impl Relation {
    /// The dataset name.
    pub fn dataset(self) -> &'static str {
        match self {
            Self::SyntheticLethality => "synlethdb_sl",
            Self::SyntheticRescue => "synlethdb_sr",
        }
    }

    fn phenotype(self, call: Call) -> Phenotype {
        match self {
            Self::SyntheticLethality => Phenotype::SyntheticLethality(call),
            Self::SyntheticRescue => Phenotype::SyntheticRescue(call),
        }
    }
}

/// One pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The two genes as (systematic name, name as written).
    pub genes: [(SystematicName, String); 2],
    /// Observed, with SynLethDB's statistic score.
    pub call: Call,
    /// The source paper, when the row gives a PubMed id.
    pub pubmed_id: Option<u32>,
    /// Which table it came from.
    pub relation: Relation,
}

impl Record {
    /// The pair as an experiment of `synlethdb_sl` / `synlethdb_sr`.
    pub fn experiment(&self) -> Experiment {
        let genotype = Genotype::new(self.genes.iter().map(|(gene, name)| {
            Perturbation::new(gene.clone(), PerturbationKind::DeletionKanMx).with_name(name)
        }))
        .expect("the reader rejects pairs of one gene");
        let environment = Environment::sga_plate(30);
        Experiment {
            genotype,
            reference: ExperimentReference::s288c(
                &environment,
                self.relation
                    .phenotype(Call::new(false, None).expect("no score to check")),
            ),
            environment,
            phenotype: self.relation.phenotype(self.call.clone()),
            provenance: Provenance::Measured {
                dataset: self.relation.dataset().to_owned(),
                publication: self.pubmed_id.map(Publication::pubmed),
            },
        }
    }
}

/// Streams pairs from one SynLethDB table.
pub struct Reader<'n, R> {
    table: Delimited<R>,
    names: &'n GeneNames,
    relation: Relation,
    genes: [Column; 2],
    score: Column,
    pubmed: Column,
    /// Fields of the header: every row has as many.
    width: usize,
}

impl<'n, R: Read> Reader<'n, R> {
    /// Reads the header; names are resolved through `names`.
    pub fn new(
        inner: R,
        name: &str,
        relation: Relation,
        names: &'n GeneNames,
    ) -> Result<Self, Error> {
        let mut table = Delimited::csv(inner, name);
        let h = table.header()?;
        Ok(Self {
            genes: [h.require("n1.name")?, h.require("n2.name")?],
            score: h.require("r.statistic_score")?,
            pubmed: h.require("r.pubmed_id")?,
            width: h.names().len(),
            table,
            names,
            relation,
        })
    }
}

impl<R: Read> RecordReader for Reader<'_, R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        // An unquoted comma (a decimal comma, `0,83`) would shift every column after it.
        if row.fields.count() != self.width {
            return Err(row.error(
                "wrong number of fields",
                format!(
                    "{} fields, the header has {} (an unquoted comma inside a field, such as a \
                     decimal comma?)",
                    row.fields.count(),
                    self.width
                ),
            ));
        }
        let mut genes = Vec::with_capacity(2);
        for column in self.genes {
            let written = row.text(column)?;
            let gene = self
                .names
                .resolve(written)
                .map_err(|why| row.unresolved(column, written, why))?;
            genes.push((gene, written.to_owned()));
        }
        if genes[0].0 == genes[1].0 {
            return Err(row.error(
                "one gene twice",
                format!("both names map to {}", genes[0].0),
            ));
        }
        let call = Call::new(true, row.number(self.score)?)
            .map_err(|e| row.error("bad value", e.to_string()))?;
        let pubmed_text = row.text(self.pubmed)?;
        let pubmed_id = pubmed_text
            .split(|c: char| !c.is_ascii_digit())
            .find(|t| !t.is_empty())
            .and_then(|t| t.parse().ok());
        let [a, b]: [(SystematicName, String); 2] =
            genes.try_into().expect("two gene columns were read");
        Ok(Some(Record {
            genes: [a, b],
            call,
            pubmed_id,
            relation: self.relation,
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

    #[test]
    fn a_decimal_comma_is_a_bad_row_not_shifted_columns() {
        let mut names = GeneNames::default();
        names.insert(&"YBR160W".parse().unwrap(), Some("CDC28"), ["CDK1"]);
        names.insert(&"YAL002W".parse().unwrap(), Some("VPS8"), []);
        let text =
            "n1.name,n1.identifier,n2.name,n2.identifier,r.statistic_score,r.pubmed_id,r.source\n\
                    CDC28,852457,VPS8,851263,0,83,14764870,Text Mining\n";
        let reader = Reader::new(
            text.as_bytes(),
            "SL.csv",
            Relation::SyntheticLethality,
            &names,
        )
        .unwrap();
        let err = collect(reader, BadRows::Fail).unwrap_err().to_string();
        assert!(
            err.contains("SL.csv:2:") && err.contains("8 fields, the header has 7"),
            "{err}"
        );
    }

    #[test]
    fn maps_standard_names_and_lists_unmapped_ones() {
        let mut names = GeneNames::default();
        names.insert(&"YBR160W".parse().unwrap(), Some("CDC28"), ["CDK1"]);
        names.insert(&"YAL002W".parse().unwrap(), Some("VPS8"), ["VPL8"]);
        names.insert(&"YGR188C".parse().unwrap(), Some("BUB1"), []);
        let text = include_str!("../tests/fixtures/Yeast_SL.csv");
        let reader = Reader::new(
            text.as_bytes(),
            "Yeast_SL.csv",
            Relation::SyntheticLethality,
            &names,
        )
        .unwrap();
        let (records, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!((report.rows_read, records.len()), (4, 2));
        assert_eq!(report.rejected["unmapped gene name"][0].line, 4);
        assert_eq!(report.rejected["one gene twice"][0].line, 5);
        assert_eq!(records[0].genes[0].0.as_str(), "YBR160W");
        assert_eq!(records[0].call.score, Some(0.83));
        assert_eq!(records[0].pubmed_id, Some(14764870));
        let e = records[1].experiment();
        assert_eq!(e.provenance.dataset(), "synlethdb_sl");
        assert_eq!(records[1].pubmed_id, None);
    }
}
