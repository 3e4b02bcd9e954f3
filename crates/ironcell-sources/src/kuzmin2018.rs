//! Kuzmin et al. 2018 (Science, PMID 29674565), trigenic interactions: Data S1,
//! `aao1729_data_s1.tsv`, and the `unique_triples.tsv` export of a subset of it.
//!
//! Columns found by header: "Query strain ID" (`YKL010C+YMR067C_tm2424`: split on `+`, the
//! `_tm…` token names the query), "Query allele name" (`ufd4Δ+ubx4Δ`), "Array strain ID",
//! "Array allele name", "Combined mutant type" (digenic/trigenic), "Raw genetic interaction
//! score (epsilon)", "Adjusted genetic interaction score (epsilon or tau)", "P-value",
//! "Query single/double mutant fitness", "Array single mutant fitness", "Combined mutant
//! fitness" and its standard deviation. Only the strain ids and the combined fitness are
//! required: the subset export has no allele names and no scores. Kuzmin 2020's tables use
//! the same layout with "Double/triple mutant fitness", so [`crate::kuzmin2020`] reuses
//! [`Record`].
//!
//! Most query strains carry HO (YDL227C) deleted only as a marker: hoΔ is not a
//! perturbation, so it is dropped and "digenic" records are double mutants. `Δ` and `'` in
//! allele names are kept as written.

use std::io::Read;

use ironcell_core::{
    Environment, Experiment, ExperimentReference, Fitness, GeneInteraction, Genotype,
    InteractionOrder, Perturbation, PerturbationKind, Phenotype, Provenance, Publication,
};

use crate::{
    report::RecordReader,
    strain::Strain,
    table::{Column, Delimited, Fields, Header, Row},
    Error,
};

/// The publication.
pub const PMID: u32 = 29674565;
/// Its DOI.
pub const DOI: &str = "10.1126/science.aao1729";

/// HO (YDL227C), the marker locus of Kuzmin's query strains.
pub const HO_MARKER: &str = "YDL227C";

/// Kuzmin 2018 as a publication.
pub fn publication() -> Publication {
    crate::paper(PMID, DOI)
}

/// One combined mutant (query × array).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// `Query strain ID`, e.g. `YKL051W+YDL227C_tm3059`.
    pub query_strain: String,
    /// `Array strain ID`, e.g. `YDR108W_dma909`.
    pub array_strain: String,
    /// The perturbed genes without the hoΔ marker.
    pub genotype: Genotype,
    /// Digenic (ε) or trigenic (τ), from "Combined mutant type" or else the genotype's size.
    pub order: Option<InteractionOrder>,
    /// The raw interaction score, when given.
    pub raw_score: Option<f64>,
    /// The adjusted ε or τ with its P-value, when given.
    pub interaction: Option<GeneInteraction>,
    /// The P-value column (also present in the subset export, which has no scores).
    pub p_value: Option<f64>,
    /// "Query single/double mutant fitness".
    pub query_fitness: Option<f64>,
    /// "Array single mutant fitness".
    pub array_fitness: Option<f64>,
    /// Combined-mutant fitness with its standard deviation.
    pub fitness: Option<Fitness>,
}

/// Dataset suffix by genotype size: `smf`, `dmf`, `tmf`, … for fitness.
fn size_tag(n: usize) -> String {
    match n {
        1 => "s".to_owned(),
        2 => "d".to_owned(),
        3 => "t".to_owned(),
        n => n.to_string(),
    }
}

impl Record {
    /// The fitness and interaction experiments of the record, in datasets named
    /// `{prefix}_dmf`, `{prefix}_tmf` (fitness) and `{prefix}_dmi`, `{prefix}_tmi` (ε, τ) by
    /// the genotype's size, all SGA plates at 30 °C.
    pub fn experiments(&self, prefix: &str, publication: &Publication) -> Vec<Experiment> {
        let environment = Environment::sga_plate(30);
        let tag = size_tag(self.genotype.len());
        let provenance = |kind: &str| Provenance::Measured {
            dataset: format!("{prefix}_{tag}{kind}"),
            publication: Some(publication.clone()),
        };
        let mut out = Vec::with_capacity(2);
        if let Some(f) = self.fitness {
            out.push(Experiment::fitness(
                self.genotype.clone(),
                environment.clone(),
                f,
                provenance("mf"),
            ));
        }
        if let Some(i) = self.interaction {
            out.push(Experiment {
                genotype: self.genotype.clone(),
                reference: ExperimentReference::s288c(
                    &environment,
                    Phenotype::GeneInteraction(GeneInteraction::none(i.order())),
                ),
                environment,
                phenotype: Phenotype::GeneInteraction(i),
                provenance: provenance("mi"),
            });
        }
        out
    }
}

/// The columns of the Kuzmin layout, shared with Kuzmin 2020.
pub(crate) struct Columns {
    query: Column,
    query_allele: Option<Column>,
    array: Column,
    array_allele: Option<Column>,
    mutant_type: Option<Column>,
    raw: Option<Column>,
    adjusted: Option<Column>,
    p_value: Option<Column>,
    query_fitness: Option<Column>,
    array_fitness: Option<Column>,
    fitness: Column,
    fitness_std: Option<Column>,
}

impl Columns {
    /// Finds the columns; the strain ids and a combined-fitness column are required.
    pub(crate) fn find(h: &Header) -> Result<Self, Error> {
        let (fitness, fitness_std) = match h.optional("Combined mutant fitness") {
            Some(c) => (c, h.optional("Combined mutant fitness standard deviation")),
            None => (
                h.require("Double/triple mutant fitness")?,
                h.optional("Double/triple mutant fitness standard deviation"),
            ),
        };
        Ok(Self {
            query: h.require("Query strain ID")?,
            query_allele: h.optional("Query allele name"),
            array: h.require("Array strain ID")?,
            array_allele: h.optional("Array allele name"),
            mutant_type: h.optional("Combined mutant type"),
            raw: h.optional("Raw genetic interaction score (epsilon)"),
            adjusted: h.optional("Adjusted genetic interaction score (epsilon or tau)"),
            p_value: h.optional("P-value"),
            query_fitness: h.optional("Query single/double mutant fitness"),
            array_fitness: h.optional("Array single mutant fitness"),
            fitness,
            fitness_std,
        })
    }

    /// Parses one row.
    pub(crate) fn parse<F: Fields + ?Sized>(&self, row: &Row<'_, F>) -> Result<Record, Error> {
        let optional_number = |c: Option<Column>| c.map_or(Ok(None), |c| row.number(c));
        let optional_text = |c: Option<Column>| c.map_or(Ok(""), |c| row.text(c));
        let query_strain = row.text(self.query)?;
        let array_strain = row.text(self.array)?;
        let mut perturbations =
            query_perturbations(row, query_strain, optional_text(self.query_allele)?)?;
        let array = Strain::parse(array_strain).map_err(|m| row.error("bad strain id", m))?;
        let array_allele = optional_text(self.array_allele)?;
        perturbations.push(array.perturbation(if array_allele.is_empty() {
            array.gene.as_str()
        } else {
            array_allele
        }));
        perturbations.retain(|p| p.gene().as_str() != HO_MARKER);
        let genotype = Genotype::new(perturbations)
            .map_err(|e| row.error("invalid genotype", e.to_string()))?;
        let order = match self.mutant_type.map(|c| row.text(c)).transpose()? {
            Some("digenic") => Some(InteractionOrder::Digenic),
            Some("trigenic") => Some(InteractionOrder::Trigenic),
            Some(other) if !other.is_empty() => {
                return Err(row.error(
                    "bad mutant type",
                    format!("column \"Combined mutant type\": expected digenic or trigenic, found {other:?}"),
                ))
            }
            _ => match genotype.len() {
                2 => Some(InteractionOrder::Digenic),
                3 => Some(InteractionOrder::Trigenic),
                _ => None,
            },
        };
        let p_value = optional_number(self.p_value)?;
        let interaction = match (optional_number(self.adjusted)?, order) {
            (Some(score), Some(order)) => Some(
                GeneInteraction::new(order, score, p_value)
                    .map_err(|e| row.error("bad value", format!("interaction score: {e}")))?,
            ),
            _ => None,
        };
        let fitness_std = optional_number(self.fitness_std)?;
        let fitness = row
            .number(self.fitness)?
            .map(|v| Fitness::new(v, fitness_std))
            .transpose()
            .map_err(|e| row.error("bad value", format!("column {:?}: {e}", self.fitness.name)))?;
        Ok(Record {
            query_strain: query_strain.to_owned(),
            array_strain: array_strain.to_owned(),
            genotype,
            order,
            raw_score: optional_number(self.raw)?,
            interaction,
            p_value,
            query_fitness: optional_number(self.query_fitness)?,
            array_fitness: optional_number(self.array_fitness)?,
            fitness,
        })
    }
}

/// The perturbations of a `ORF+ORF_tmNNNN` query, named by the `+`-joined allele names when
/// the file gives them. A named allele without `Δ` is not a deletion.
fn query_perturbations<F: Fields + ?Sized>(
    row: &Row<'_, F>,
    strain_id: &str,
    alleles: &str,
) -> Result<Vec<Perturbation>, Error> {
    let (orfs, tag) = strain_id.rsplit_once('_').ok_or_else(|| {
        row.error(
            "bad strain id",
            format!("query strain {strain_id:?}: expected ORF+ORF_tmNNNN"),
        )
    })?;
    let orfs: Vec<&str> = orfs.split('+').collect();
    let names: Vec<&str> = if alleles.is_empty() {
        orfs.clone()
    } else {
        alleles.split('+').collect()
    };
    if names.len() != orfs.len() {
        return Err(row.error(
            "bad allele name",
            format!(
                "query allele name {alleles:?} does not name one allele per gene of {strain_id}"
            ),
        ));
    }
    orfs.iter()
        .zip(names)
        .map(|(orf, name)| {
            let strain = Strain::parse(&format!("{orf}_{tag}"))
                .map_err(|m| row.error("bad strain id", m))?;
            let mut p = strain.perturbation(name).with_strain(strain_id);
            if !alleles.is_empty() && !name.contains('Δ') {
                p = Perturbation::new(strain.gene, PerturbationKind::Allele)
                    .with_name(name)
                    .with_strain(strain_id);
            }
            Ok(p)
        })
        .collect()
}

/// What the subset export lacks, for the metadata of the datasets made from it.
pub const SUBSET_NOTE: &str = "a subset of Kuzmin 2018 Data S1 (triples measured more than \
     once): combined-mutant fitness with its standard deviation and P-value; the published \
     raw and adjusted interaction scores (ε, τ) are absent";

/// Streams [`Record`]s from Data S1 or the subset export.
pub struct Reader<R> {
    table: Delimited<R>,
    columns: Columns,
}

impl<R: Read> Reader<R> {
    /// A reader over `inner`, its header read; `name` is used in error messages.
    pub fn new(inner: R, name: &str) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let columns = Columns::find(&table.header()?)?;
        Ok(Self { table, columns })
    }

    /// Whether the file has the interaction-score columns (Data S1 does; the subset
    /// export does not, see [`SUBSET_NOTE`]).
    pub fn has_interaction_scores(&self) -> bool {
        self.columns.raw.is_some() || self.columns.adjusted.is_some()
    }
}

impl<R: Read> RecordReader for Reader<R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        match self.table.next_row()? {
            Some(row) => self.columns.parse(&row).map(Some),
            None => Ok(None),
        }
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
    use crate::report::{collect, BadRows, ReadReport};

    static SUBSET: &str = "\tQuery strain ID\tArray strain ID\tP-value\tCombined mutant fitness\tCombined mutant fitness standard deviation\tg1\tg2\tg3
381092\tYKL051W+YDL227C_tm3059\tYDR108W_dma909\t0.5\t0.835\t0.0464\tYDL227C\tYDR108W\tYKL051W
258723\tYDR216W+YDL227C_tm3210\tYBR087W_tsa887\t0.5\t0.9108\t0.0482\tYBR087W\tYDL227C\tYDR216W
1\tYAL001C+YBR001C_tm1\tYDR108W_dma909\t0.01\t-0.1\t\tYAL001C\tYBR001C\tYDR108W
";

    const DATA_S1: &str = include_str!("../tests/fixtures/aao1729_data_s1.tsv");

    fn read(data: &str, policy: BadRows) -> Result<(Vec<Record>, ReadReport), String> {
        collect(
            Reader::new(data.as_bytes(), "k.tsv").map_err(|e| e.to_string())?,
            policy,
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn subset_drops_the_ho_marker_and_keeps_std_and_p_value() {
        assert!(!Reader::new(SUBSET.as_bytes(), "k")
            .unwrap()
            .has_interaction_scores());
        assert!(Reader::new(DATA_S1.as_bytes(), "k")
            .unwrap()
            .has_interaction_scores());
        let (records, _) = read(SUBSET, BadRows::Fail).unwrap();
        assert_eq!(records.len(), 3);
        let genes: Vec<_> = records[0].genotype.genes().map(|g| g.as_str()).collect();
        assert_eq!(genes, ["YDR108W", "YKL051W"]);
        assert_eq!(records[0].fitness.unwrap().std(), Some(0.0464));
        assert_eq!(records[0].p_value, Some(0.5));
        assert!(records[0].interaction.is_none());
        assert!(!records[1].genotype.is_all_deletions());
        assert_eq!(records[2].genotype.len(), 3);
        assert_eq!(records[2].fitness.unwrap().value(), 0.0);
        let datasets: Vec<_> = records[2]
            .experiments("kuzmin2018_subset", &publication())
            .iter()
            .map(|e| e.provenance.dataset().to_owned())
            .collect();
        assert_eq!(datasets, ["kuzmin2018_subset_tmf"]);
    }

    #[test]
    fn data_s1_gives_epsilon_tau_alleles_and_a_rejection_report() {
        let (records, report) = read(DATA_S1, BadRows::Skip).unwrap();
        assert_eq!(report.rows_read, 6);
        assert_eq!(records.len(), 5);
        assert_eq!(report.rejected["bad strain id"][0].line, 7);

        let digenic = &records[0];
        assert_eq!(digenic.genotype.len(), 2);
        let eps = digenic.interaction.unwrap();
        assert_eq!(eps.order(), InteractionOrder::Digenic);
        assert_eq!((eps.score(), eps.p_value()), (-0.1503, Some(0.0021)));
        assert_eq!(digenic.raw_score, Some(-0.1687));
        let names: Vec<_> = digenic
            .genotype
            .perturbations()
            .iter()
            .map(|p| p.name())
            .collect();
        assert!(names.contains(&"ufd4Δ"), "{names:?}");

        let trigenic = &records[1];
        assert_eq!(trigenic.genotype.len(), 3);
        assert_eq!(
            trigenic.interaction.unwrap().order(),
            InteractionOrder::Trigenic
        );
        let kinds: Vec<_> = trigenic.experiments("kuzmin2018", &publication());
        assert_eq!(kinds[1].provenance.dataset(), "kuzmin2018_tmi");

        // A primed allele name is kept as written, and marks a non-deletion.
        let primed = records
            .iter()
            .flat_map(|r| r.genotype.perturbations())
            .find(|p| p.name().contains('\''))
            .unwrap();
        assert_eq!(primed.kind(), PerturbationKind::Allele);
    }

    #[test]
    fn bad_number_reports_line_and_column() {
        let bad = SUBSET.replace("0.9108", "n/a");
        let err = read(&bad, BadRows::Fail).unwrap_err();
        assert!(err.starts_with("k.tsv:3:"), "{err}");
        assert!(err.contains("Combined mutant fitness"), "{err}");
    }
}
