//! A design as people read it: each ranked genotype by gene name, the genes the model never
//! saw perturbed in training (where its prediction is a guess about unseen genes), and for a
//! DCell model the subsystems the genotype disturbs most; written as `design.tsv`.

use std::{collections::BTreeSet, fmt::Write as _};

use ironcell_core::SystematicName;
use ironcell_models::predictor::DcellModel;

use super::{Design, Interval};
use crate::{explain::subsystem_changes, Error};

/// One ranked genotype.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Its genes.
    pub genes: Vec<SystematicName>,
    /// Those never perturbed in the model's training rows.
    pub unseen: Vec<SystematicName>,
    /// The prediction of the ranked label.
    pub prediction: f64,
    /// Its spread, from a model with members.
    pub spread: Option<Interval>,
    /// With a DCell model, the names of the subsystems it changes most, most first.
    pub subsystems: Option<Vec<String>>,
}

/// `design`'s genotypes, best first, over `candidates` (the genes its indices name), with
/// the genes outside `trained`; with `dcell`, the `subsystems` subsystems each disturbs most.
pub fn ranked(
    design: &Design,
    candidates: &[SystematicName],
    trained: &[SystematicName],
    dcell: Option<(&DcellModel, usize)>,
) -> Result<Vec<Ranked>, Error> {
    let trained: BTreeSet<&SystematicName> = trained.iter().collect();
    let in_ontology: BTreeSet<&SystematicName> = dcell
        .map(|(d, _)| d.description().ontology.genes.iter().collect())
        .unwrap_or_default();
    design
        .ranked
        .iter()
        .map(|d| {
            let genes: Vec<SystematicName> = d
                .genes
                .iter()
                .map(|&g| candidates[g as usize].clone())
                .collect();
            let unseen = genes
                .iter()
                .filter(|g| !trained.contains(g))
                .cloned()
                .collect();
            let subsystems = match dcell {
                Some((model, count)) => {
                    // A gene outside DCell's ontology enters none of its subsystems.
                    let mapped: Vec<SystematicName> = genes
                        .iter()
                        .filter(|g| in_ontology.contains(g))
                        .cloned()
                        .collect();
                    Some(match mapped.is_empty() {
                        true => vec![],
                        false => {
                            let names = &model.description().ontology.subsystems;
                            let changes = subsystem_changes(model, &mapped)?;
                            let top = changes.iter().take(count);
                            top.map(|c| names[c.subsystem].name.clone()).collect()
                        }
                    })
                }
                None => None,
            };
            Ok(Ranked {
                genes,
                unseen,
                prediction: d.prediction,
                spread: d.spread,
                subsystems,
            })
        })
        .collect()
}

/// The genes joined by `+`, as genotypes are written.
pub fn joined(genes: &[SystematicName], separator: &str) -> String {
    let names: Vec<&str> = genes.iter().map(SystematicName::as_str).collect();
    names.join(separator)
}

/// `design.tsv`: a header (the label's name as the prediction's column), then one line per
/// rank; the `subsystems` column only for a DCell model.
pub fn tsv(label: &str, ranked: &[Ranked]) -> String {
    let dcell = ranked.iter().any(|r| r.subsystems.is_some());
    let mut out = format!(
        "rank\tgenotype\t{label}\tsd\tlow_90\thigh_90\tunseen_genes{}\n",
        if dcell { "\tsubsystems" } else { "" }
    );
    for (rank, r) in ranked.iter().enumerate() {
        let spread = match r.spread {
            Some(s) => format!("{:.6}\t{:.6}\t{:.6}", s.sd, s.low, s.high),
            None => "\t\t".to_owned(),
        };
        write!(
            out,
            "{}\t{}\t{:.6}\t{spread}\t{}",
            rank + 1,
            joined(&r.genes, "+"),
            r.prediction,
            joined(&r.unseen, "+")
        )
        .expect("a String");
        if let Some(subsystems) = &r.subsystems {
            write!(out, "\t{}", subsystems.join("; ")).expect("a String");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Designed, Search};

    #[test]
    fn the_table_names_genes_marks_unseen_ones_and_leaves_a_missing_spread_blank() {
        let genes: Vec<SystematicName> = ["YAL001C", "YAL002W", "YAL003W"]
            .iter()
            .map(|g| g.parse().unwrap())
            .collect();
        let design = Design {
            label: "fitness".into(),
            ranked: vec![
                Designed {
                    genes: vec![0, 2],
                    prediction: 0.25,
                    spread: Some(Interval {
                        sd: 0.1,
                        low: 0.1,
                        high: 0.4,
                    }),
                },
                Designed {
                    genes: vec![0, 1],
                    prediction: 0.5,
                    spread: None,
                },
            ],
            search: Search::Exhaustive,
            space: 3.0,
            scored: 3,
            unanswered: 0,
        };
        let rows = ranked(&design, &genes, &genes[..2], None).unwrap();
        assert_eq!(rows[0].unseen, vec![genes[2].clone()]);
        assert!(rows[1].unseen.is_empty() && rows[1].subsystems.is_none());
        let table = tsv("fitness", &rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines,
            [
                "rank\tgenotype\tfitness\tsd\tlow_90\thigh_90\tunseen_genes",
                "1\tYAL001C+YAL003W\t0.250000\t0.100000\t0.100000\t0.400000\tYAL003W",
                "2\tYAL001C+YAL002W\t0.500000\t\t\t\t",
            ]
        );
    }
}
