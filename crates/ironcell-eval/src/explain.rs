//! What a saved model says of a genotype: any model's prediction against wild type and what
//! each gene adds; for DCell, the GO subsystems whose states the genotype changes most (the
//! "visible" part of the visible neural network) and RLIPP over a dataset's test part.
//! `ironcell explain` prints these.

use ironcell_core::SystematicName;
use ironcell_data::split::SplitName;
use ironcell_models::{
    dcell::{kernel::Mode, rlipp::rlipp},
    predictor::{DcellModel, Genotypes, Predictor},
};

use crate::{dataset::Dataset, Error};

/// One label's reading of a genotype.
#[derive(Debug, Clone, PartialEq)]
pub struct Contributions {
    /// The label.
    pub label: String,
    /// The prediction for wild type (no gene perturbed).
    pub wild_type: f64,
    /// The prediction for the genotype.
    pub genotype: f64,
    /// For a genotype of several genes, each gene: the prediction without it, and whether it
    /// was ever perturbed in training.
    pub genes: Vec<GeneContribution>,
}

/// What one gene of a genotype adds.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneContribution {
    /// The gene.
    pub gene: SystematicName,
    /// The genotype's prediction without it: it adds `genotype − without`.
    pub without: f64,
    /// Whether training perturbed it.
    pub seen: bool,
}

/// `model`'s predictions for wild type, `genotype`, and `genotype` less each of its genes.
pub fn contributions(
    model: &dyn Predictor,
    genotype: &[SystematicName],
) -> Result<Vec<Contributions>, Error> {
    let all: Vec<u32> = (0..genotype.len() as u32).collect();
    let mut rows = vec![Vec::new(), all.clone()];
    if genotype.len() > 1 {
        rows.extend(
            all.iter()
                .map(|&g| all.iter().copied().filter(|&h| h != g).collect()),
        );
    }
    let p = model.predict(&Genotypes::new(genotype, rows.iter().map(Vec::as_slice)))?;
    let card = model.card();
    Ok(card
        .labels
        .iter()
        .enumerate()
        .map(|(l, label)| Contributions {
            label: label.clone(),
            wild_type: p.row(0)[l],
            genotype: p.row(1)[l],
            genes: if genotype.len() > 1 {
                genotype
                    .iter()
                    .enumerate()
                    .map(|(k, gene)| GeneContribution {
                        gene: gene.clone(),
                        without: p.row(2 + k)[l],
                        seen: card.trained_genes.contains(gene),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect())
}

/// How a genotype moves one DCell subsystem from wild type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SubsystemChange {
    /// The subsystem (index into the model's ontology).
    pub subsystem: usize,
    /// RMS change of its neurons.
    pub state: f32,
    /// Change of its auxiliary prediction of the first label.
    pub head: f32,
    /// Whether it contains a perturbed gene.
    pub hit: bool,
}

/// Every subsystem of `dcell` by how much `genotype` changes its state, most first.
pub fn subsystem_changes(
    dcell: &DcellModel,
    genotype: &[SystematicName],
) -> Result<Vec<SubsystemChange>, Error> {
    let (description, model) = (dcell.description(), dcell.model());
    let ontology = &description.ontology;
    let index = ontology.gene_index();
    let mut genes = Vec::with_capacity(genotype.len());
    let mut unknown = Vec::new();
    for name in genotype {
        match index.get(name) {
            Some(&i) => genes.push(i),
            None => unknown.push(name.as_str()),
        }
    }
    if !unknown.is_empty() {
        return Err(Error::Input(format!(
            "not in the model's gene universe (GO-annotated systematic names): {}",
            unknown.join(", ")
        )));
    }
    let layout = model.layout();
    // Column 0: wild type; column 1: the genotype. Inference mode, so the two do not
    // influence each other through batch statistics.
    let act = model.forward(&[Vec::new(), genes.clone()], Mode::Inference);
    let contained = ontology.contained_gene_sets();
    let mut changes: Vec<SubsystemChange> = layout
        .terms
        .iter()
        .enumerate()
        .map(|(t, term)| {
            let sq: f32 = act
                .states(term)
                .chunks(2)
                .map(|c| (c[1] - c[0]) * (c[1] - c[0]))
                .sum();
            let h = act.head(t, layout.labels);
            SubsystemChange {
                subsystem: t,
                state: (sq / term.width as f32).sqrt(),
                head: h[1] - h[0],
                hit: genes.iter().any(|g| contained[t].binary_search(g).is_ok()),
            }
        })
        .collect();
    changes.sort_by(|a, b| b.state.total_cmp(&a.state));
    Ok(changes)
}

/// RLIPP of every subsystem of `dcell` over at most `max` test genotypes of `split` of
/// `dataset` with a first-label value, highest first: the genotypes used and the scores.
pub fn rlipp_on_test(
    dcell: &DcellModel,
    dataset: &Dataset,
    split: SplitName,
    max: usize,
) -> Result<(usize, Vec<(usize, f64)>), Error> {
    let ontology = &dcell.description().ontology;
    let to_model = ontology.indices_of(&dataset.manifest.genes);
    let (mut genotypes, mut y) = (Vec::new(), Vec::new());
    for &i in dataset.split(split)?.test.iter().take(max) {
        let value = f64::from(dataset.instances.label(0, i).value);
        if value.is_finite() {
            genotypes.push(
                dataset
                    .instances
                    .genes(i)
                    .iter()
                    .filter_map(|&g| to_model[g as usize])
                    .collect::<Vec<usize>>(),
            );
            y.push(value);
        }
    }
    if genotypes.len() < 20 {
        return Err(Error::Input(format!(
            "{}: only {} test instances with a {} value; RLIPP needs at least 20",
            dataset.name(),
            genotypes.len(),
            dataset.manifest.labels.first().map_or("", String::as_str)
        )));
    }
    let mut ranked: Vec<(usize, f64)> = rlipp(dcell.model(), &genotypes, &y, 1e-2)
        .into_iter()
        .enumerate()
        .filter_map(|(t, s)| s.map(|s| (t, s)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok((genotypes.len(), ranked))
}
