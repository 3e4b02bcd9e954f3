//! DCell's example data (Ma, Yu et al., Nature Methods 2018, PMID 29505029): Costanzo 2016
//! digenic ε for the gene pairs inside one GO subtree, in DCell's own training and test
//! files, and the subtree's topology, as the DCell repository ships them
//! (`GO_0006281_training_data_2016_0`, `…_testing_data_2016_0`, `GO_0006281_topology`).
//!
//! Data lines are space-separated: the number of deleted genes N, N systematic names, then ε
//! (`2 YLR035C YML060W 0.0447`). The `…_all_data_…` file lists the subtree's unmeasured pairs
//! as `ORF ORF -2.0`, a placeholder, not a measurement: its rows are passed over and counted.
//!
//! The files carry neither strains nor alleles nor the screen's temperature: a gene the
//! deletion collection calls essential was screened as some allele (DAmP or ts) the file does
//! not name, so it is stored as [`PerturbationKind::Allele`]; other genes as deletions whose
//! marker is not stated ([`PerturbationKind::Deletion`]); the environment is Costanzo's
//! standard SGA plate at 30 °C.
//!
//! Topology files are blocks of three lines per term: `ROOT: <GO id> <genes>`,
//! `GENES: <ORFs>`, `TERMS: <child GO ids>`.

use std::{
    collections::HashSet,
    io::{BufRead, Read},
};

use ironcell_core::{
    Environment, Experiment, ExperimentReference, GeneInteraction, Genotype, InteractionOrder,
    Perturbation, PerturbationKind, Phenotype, Provenance, SystematicName,
};

use crate::{
    costanzo2016,
    lines::Lines,
    report::RecordReader,
    table::{Column, Delimited, Row},
    Error,
};

/// Which of DCell's files a data file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// `…_training_data_…`.
    Training,
    /// `…_testing_data_…`.
    Testing,
    /// `…_all_data_…`: the unmeasured pairs, placeholders only.
    Unmeasured,
}

impl Part {
    /// The dataset suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Training => "train",
            Self::Testing => "test",
            Self::Unmeasured => "unmeasured",
        }
    }
}

/// The GO term and the part a DCell data file holds, from its name
/// (`GO_0006281_training_data_2016_0.gz` or the repository's `GO:0006281_training_data_2016_0`).
///
/// ```
/// use ironcell_sources::dcell_epsilon::{file_part, Part};
///
/// assert_eq!(
///     file_part("GO_0006281_testing_data_2016_0.gz"),
///     Some(("GO:0006281".to_owned(), Part::Testing))
/// );
/// assert_eq!(file_part("GO_0006281_topology"), None);
/// ```
pub fn file_part(file_name: &str) -> Option<(String, Part)> {
    let rest = file_name.strip_prefix("GO")?;
    let rest = rest.strip_prefix('_').or_else(|| rest.strip_prefix(':'))?;
    let (digits, rest) = rest.split_once('_')?;
    if digits.len() != 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let part = if rest.starts_with("training_data") {
        Part::Training
    } else if rest.starts_with("testing_data") {
        Part::Testing
    } else if rest.starts_with("all_data") {
        Part::Unmeasured
    } else {
        return None;
    };
    Some((format!("GO:{digits}"), part))
}

/// The dataset name of a term's part: `dcell2018_go0006281_train`.
pub fn dataset(term: &str, part: Part) -> String {
    let digits = term.trim_start_matches("GO:");
    format!("dcell2018_go{digits}_{}", part.as_str())
}

/// One measured pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The genes, perturbed as the module documentation says.
    pub genotype: Genotype,
    /// Costanzo 2016's ε.
    pub interaction: GeneInteraction,
}

impl Record {
    /// The pair as an experiment of `dataset`, with Costanzo 2016 as its publication.
    pub fn experiment(&self, dataset: &str) -> Experiment {
        let environment = Environment::sga_plate(30);
        Experiment {
            genotype: self.genotype.clone(),
            reference: ExperimentReference::s288c(
                &environment,
                Phenotype::GeneInteraction(GeneInteraction::none(InteractionOrder::Digenic)),
            ),
            environment,
            phenotype: Phenotype::GeneInteraction(self.interaction),
            provenance: Provenance::Measured {
                dataset: dataset.to_owned(),
                publication: Some(costanzo2016::publication()),
            },
        }
    }
}

/// Streams the pairs of a training or test file; passes over a file of unmeasured pairs.
pub struct Reader<'e, R> {
    table: Delimited<R>,
    essential: &'e HashSet<SystematicName>,
    placeholders: u64,
}

impl<'e, R: Read> Reader<'e, R> {
    /// A reader of `inner`, named `name` in errors; `essential` decides which genes were
    /// screened as alleles rather than deletions.
    pub fn new(inner: R, name: &str, essential: &'e HashSet<SystematicName>) -> Self {
        Self {
            table: Delimited::space_separated(inner, name),
            essential,
            placeholders: 0,
        }
    }
}

fn record(
    row: &Row<'_, csv::StringRecord>,
    essential: &HashSet<SystematicName>,
) -> Result<Record, Error> {
    let column = |index, name| Column { index, name };
    let count = row.text(column(0, "number of genes"))?;
    let n: usize = count.parse().map_err(|_| {
        row.error(
            "not a number",
            format!("expected the number of genes first, found {count:?}"),
        )
    })?;
    if n == 0 || row.fields.len() != n + 2 {
        return Err(row.error(
            "wrong number of fields",
            format!(
                "{} fields, expected {n} genes after the count and ε last",
                row.fields.len()
            ),
        ));
    }
    let mut perturbations = Vec::with_capacity(n);
    for i in 1..=n {
        let name = row.text(column(i, "gene"))?;
        let gene: SystematicName = name
            .parse()
            .map_err(|e| row.error("bad systematic name", format!("field {}: {e}", i + 1)))?;
        let kind = if essential.contains(&gene) {
            PerturbationKind::Allele
        } else {
            PerturbationKind::Deletion
        };
        perturbations.push(Perturbation::new(gene, kind));
    }
    let order = match n {
        2 => InteractionOrder::Digenic,
        3 => InteractionOrder::Trigenic,
        _ => {
            return Err(row.error(
                "unsupported genotype",
                format!("{n} genes: ε is digenic or trigenic"),
            ))
        }
    };
    let genotype =
        Genotype::new(perturbations).map_err(|e| row.error("one gene twice", e.to_string()))?;
    let value = row
        .number(column(n + 1, "ε"))?
        .ok_or_else(|| row.error("missing score", "the last field, ε, is empty"))?;
    let interaction = GeneInteraction::new(order, value, None)
        .map_err(|e| row.error("bad value", e.to_string()))?;
    Ok(Record {
        genotype,
        interaction,
    })
}

impl<R: Read> RecordReader for Reader<'_, R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            // `ORF ORF -2.0`: an unmeasured pair of the `all_data` file.
            let first = row.text(Column {
                index: 0,
                name: "number of genes",
            })?;
            if row.fields.len() == 3 && first.parse::<SystematicName>().is_ok() {
                self.placeholders += 1;
                continue;
            }
            return record(&row, self.essential).map(Some);
        }
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn rows_passed_over(&self) -> u64 {
        self.placeholders
    }

    fn name(&self) -> &str {
        self.table.name()
    }
}

/// A term of a DCell topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Its GO id.
    pub id: String,
    /// The genes annotated to it, its descendants' included, as the file counts them.
    pub size: usize,
    /// The genes annotated to it directly.
    pub genes: Vec<SystematicName>,
    /// Its children's GO ids.
    pub children: Vec<String>,
}

/// Reads a topology file; the first term is the subtree's root.
pub fn read_topology(inner: impl BufRead, name: &str) -> Result<Vec<Term>, Error> {
    let mut lines = Lines::new(inner, name);
    let mut buf = String::new();
    let mut terms: Vec<Term> = Vec::new();
    let mut expect = "ROOT";
    while lines.next_into(&mut buf)? {
        if buf.trim().is_empty() {
            continue;
        }
        let (key, rest) = buf.split_once(':').unwrap_or((buf.as_str(), ""));
        if key != expect {
            return Err(lines.error(format!("expected a {expect}: line, found {buf:?}")));
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        match key {
            "ROOT" => {
                let [id, size] = words[..] else {
                    return Err(lines.error("expected `ROOT: <GO id> <number of genes>`"));
                };
                let size = size
                    .parse()
                    .map_err(|_| lines.error(format!("expected a gene count, found {size:?}")))?;
                terms.push(Term {
                    id: format!("GO:{}", id.trim_start_matches("GO:")),
                    size,
                    genes: vec![],
                    children: vec![],
                });
                expect = "GENES";
            }
            "GENES" => {
                let term = terms.last_mut().expect("a ROOT line came first");
                for word in words {
                    term.genes.push(word.parse().map_err(|e| {
                        lines.error(format!("GENES: {word:?} is not a systematic name: {e}"))
                    })?);
                }
                expect = "TERMS";
            }
            _ => {
                let term = terms.last_mut().expect("a ROOT line came first");
                term.children = words.iter().map(|w| (*w).to_owned()).collect();
                expect = "ROOT";
            }
        }
    }
    if expect != "ROOT" {
        return Err(Error::format(
            name,
            format!("the last term ends before its {expect}: line"),
        ));
    }
    if terms.is_empty() {
        return Err(Error::format(name, "no terms"));
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{collect, BadRows};

    #[test]
    fn pairs_with_their_scores_and_placeholders_passed_over() {
        let text = "2 YLR035C YML060W 0.0447\n2 YER142C YHL006C -0.0094\nYLL002W YLR032W -2.0\n2 YER142C 0.1\n2 YER142C YER142C 0.1\n";
        let essential: HashSet<SystematicName> = ["YML060W".parse().unwrap()].into();
        let reader = Reader::new(
            text.as_bytes(),
            "GO_0006281_training_data_2016_0",
            &essential,
        );
        let (records, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!((report.rows_read, report.passed_over), (5, 1));
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].interaction.score(), 0.0447);
        let kinds: Vec<_> = records[0]
            .genotype
            .perturbations()
            .iter()
            .map(|p| (p.gene().as_str().to_owned(), p.kind()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("YLR035C".to_owned(), PerturbationKind::Deletion),
                ("YML060W".to_owned(), PerturbationKind::Allele)
            ]
        );
        assert_eq!(report.rejected["wrong number of fields"][0].line, 4);
        assert_eq!(report.rejected["one gene twice"][0].line, 5);
        let e = records[1].experiment(&dataset("GO:0006281", Part::Training));
        assert_eq!(e.provenance.dataset(), "dcell2018_go0006281_train");
        assert_eq!(
            e.provenance.publication().unwrap().pubmed_id(),
            Some(27708008)
        );
    }

    #[test]
    fn topologies_are_blocks_of_three_lines() {
        let text = "ROOT: GO:0006281 3\nGENES: YKL067W YEL018W \nTERMS: GO:0006298 \nROOT: GO:0006298 1\nGENES: YMR137C\nTERMS: \n";
        let terms = read_topology(text.as_bytes(), "topology").unwrap();
        assert_eq!(terms.len(), 2);
        assert_eq!((terms[0].id.as_str(), terms[0].size), ("GO:0006281", 3));
        assert_eq!(terms[0].genes.len(), 2);
        assert_eq!(terms[0].children, ["GO:0006298"]);
        assert!(terms[1].children.is_empty());
        let err = read_topology("ROOT: GO:1 2\nTERMS: GO:2\n".as_bytes(), "t").unwrap_err();
        assert_eq!(err.line(), Some(2));
        assert!(read_topology("ROOT: GO:1 2\n".as_bytes(), "t").is_err());
    }
}
