//! Hoepfner et al. 2014 (Microbiol. Res., PMID 24360837), homozygous deletion profiling
//! (HOP): each deletion strain's growth under a compound relative to the rest of the pooled
//! collection, as z-scores, for the 132 reference compounds of known mode of action
//! (`hoepfner_movva_2014_hop_known.txt`, as the SAFE authors prepared it).
//!
//! Tab-separated: a header `ORF` then the compound names (which hold commas and spaces), one
//! line per strain, `NaN` where not measured. A value becomes a [`ChemogenomicScore`]
//! experiment whose environment is the pool's medium (liquid YEPD, 30 °C) with the compound
//! as its additive; the dose, one per compound chosen upstream, is not in the file. Strains
//! are the deletion collection's (KanMX); the one allele row, `YBR160W_AS` (the
//! analogue-sensitive CDC28), is an [`PerturbationKind::Allele`]. Rows with no measured
//! compound (strains absent from the pool) are passed over and counted.

use std::io::Read;

use ironcell_core::{
    Additive, ChemogenomicScore, Environment, Experiment, ExperimentReference, Genotype, Media,
    Perturbation, PerturbationKind, Phenotype, Provenance, Publication, SystematicName,
};

use crate::{
    report::RecordReader,
    table::{Column, Delimited},
    Error,
};

/// The publication.
pub const PMID: u32 = 24360837;
/// Its DOI.
pub const DOI: &str = "10.1016/j.micres.2013.11.004";
/// The dataset name.
pub const DATASET: &str = "hoepfner2014_hop";

/// Hoepfner 2014 as a publication.
pub fn publication() -> Publication {
    crate::paper(PMID, DOI)
}

/// The pool's environment under `compound`.
pub fn environment(compound: &str) -> Environment {
    Environment::new(
        Media {
            name: "YEPD".to_owned(),
            solid: false,
        },
        30,
    )
    .with_additive(Additive {
        name: compound.to_owned(),
        dose: None,
    })
}

/// One strain's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The strain's perturbation.
    pub perturbation: Perturbation,
    /// (compound index into [`Reader::compounds`], score) for each measured compound.
    pub scores: Vec<(usize, ChemogenomicScore)>,
}

impl Record {
    /// One experiment per measured compound, of [`DATASET`].
    pub fn experiments(&self, compounds: &[String]) -> Vec<Experiment> {
        let genotype = Genotype::new(vec![self.perturbation.clone()])
            .expect("one perturbation is a valid genotype");
        self.scores
            .iter()
            .map(|&(c, score)| {
                let environment = environment(&compounds[c]);
                Experiment {
                    genotype: genotype.clone(),
                    reference: ExperimentReference::s288c(
                        &environment,
                        Phenotype::ChemogenomicScore(ChemogenomicScore::NONE),
                    ),
                    environment,
                    phenotype: Phenotype::ChemogenomicScore(score),
                    provenance: Provenance::Measured {
                        dataset: DATASET.to_owned(),
                        publication: Some(publication()),
                    },
                }
            })
            .collect()
    }
}

/// Streams the strains of the HOP matrix.
pub struct Reader<R> {
    table: Delimited<R>,
    compounds: Vec<String>,
    unmeasured: u64,
}

impl<R: Read> Reader<R> {
    /// Reads the header: `ORF` and the compounds.
    pub fn new(inner: R, name: &str) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        let orf = h.require("ORF")?;
        if orf.index != 0 {
            return Err(Error::format(name, "expected `ORF` as the first column"));
        }
        let compounds = h.names()[1..].to_vec();
        if compounds.is_empty() {
            return Err(Error::format(name, "no compound columns after `ORF`"));
        }
        Ok(Self {
            table,
            compounds,
            unmeasured: 0,
        })
    }

    /// The compounds, in column order.
    pub fn compounds(&self) -> &[String] {
        &self.compounds
    }
}

impl<R: Read> RecordReader for Reader<R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            if row.fields.len() != self.compounds.len() + 1 {
                return Err(row.error(
                    "wrong number of fields",
                    format!(
                        "{} fields, expected the ORF and {} compounds",
                        row.fields.len(),
                        self.compounds.len()
                    ),
                ));
            }
            let written = row.text(Column {
                index: 0,
                name: "ORF",
            })?;
            let perturbation = match written.strip_suffix("_AS") {
                Some(orf) => {
                    let gene: SystematicName = orf.parse().map_err(|e| {
                        row.error("bad systematic name", format!("{written:?}: {e}"))
                    })?;
                    Perturbation::new(gene, PerturbationKind::Allele).with_name(written)
                }
                None => {
                    let gene: SystematicName = written.parse().map_err(|e| {
                        row.error("bad systematic name", format!("{written:?}: {e}"))
                    })?;
                    Perturbation::new(gene, PerturbationKind::DeletionKanMx)
                }
            };
            let mut scores = Vec::new();
            for (c, name) in self.compounds.iter().enumerate() {
                let column = Column {
                    index: c + 1,
                    name: "compound",
                };
                if let Some(value) = row.number(column)? {
                    let score = ChemogenomicScore::new(value)
                        .map_err(|e| row.error("bad value", format!("column {name:?}: {e}")))?;
                    scores.push((c, score));
                }
            }
            if scores.is_empty() {
                self.unmeasured += 1;
                continue;
            }
            return Ok(Some(Record {
                perturbation,
                scores,
            }));
        }
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn rows_passed_over(&self) -> u64 {
        self.unmeasured
    }

    fn name(&self) -> &str {
        self.table.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{collect, BadRows};

    const TEXT: &str = "ORF\t1,10-Phenanthroline monohydrate\tTunicamycin B\n\
YFL031W\t4.839e-02\t-7.8e+00\n\
YBR160W_AS\tNaN\t-1.0e-01\n\
YAL004W\tNaN\tNaN\n\
YAL005C\t1.0\n\
YAL006C\tx\t1.0";

    #[test]
    fn one_experiment_per_measured_compound() {
        let reader = Reader::new(TEXT.as_bytes(), "hop.txt").unwrap();
        let compounds = reader.compounds().to_vec();
        assert_eq!(compounds[0], "1,10-Phenanthroline monohydrate");
        let (records, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!((report.rows_read, report.passed_over), (5, 1));
        assert_eq!(report.rejected["wrong number of fields"][0].line, 5);
        assert_eq!(report.rejected["not a number"][0].line, 6);
        let experiments: Vec<Experiment> = records
            .iter()
            .flat_map(|r| r.experiments(&compounds))
            .collect();
        assert_eq!(experiments.len(), 3);
        assert_eq!(
            experiments[1].environment.to_string(),
            "YEPD (liquid) 30 °C + Tunicamycin B"
        );
        assert_eq!(
            experiments[1].phenotype,
            Phenotype::ChemogenomicScore(ChemogenomicScore::new(-7.8).unwrap())
        );
        let allele = &records[1].perturbation;
        assert_eq!(
            (allele.gene().as_str(), allele.kind()),
            ("YBR160W", PerturbationKind::Allele)
        );
    }
}
