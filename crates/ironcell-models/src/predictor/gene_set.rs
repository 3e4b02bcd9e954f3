//! A gene-set model behind the common interface. The directory holds the card, the
//! description (configuration, label codecs, measured single mutants), the weights and, for a
//! model that reads neighbour labels, its training genotypes and labels; the
//! gene table is built again from the reference bundle and the recipe, as for a feature
//! model, and checked against the shape the weights were trained with.

use std::{fs, path::Path, sync::Arc};

use ironcell_core::SystematicName;
use ironcell_sources::reference::Reference;
use serde::{Deserialize, Serialize};

use super::{Error, Genotypes, ModelCard, Predictions, Predictor};
use crate::{
    deep::{
        weights_from_bytes, weights_to_bytes, GeneSetConfig, GeneTable, LabelCodec, Memory,
        NeighbourInputs, Net, Readout, Singles,
    },
    Cpu,
};

const DESCRIPTION: &str = "gene_set.json";
const WEIGHTS: &str = "weights.mpk";
/// The training genotypes and labels of a model that reads neighbour labels.
const MEMORY: &str = "neighbour_labels.json";

/// What a saved gene-set model needs beside its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Description {
    config: GeneSetConfig,
    labels: Vec<String>,
    codecs: Vec<LabelCodec>,
    singles: Singles,
    /// Genes of the training dataset the reference lacks (appended to the table).
    extra_genes: Vec<SystematicName>,
    /// The table's shape when trained: genes and feature columns.
    table: (usize, usize),
    /// The training dataset's environments, by name (an input when more than one).
    #[serde(default)]
    environments: Vec<String>,
}

/// A trained gene-set model.
#[derive(Debug, Clone)]
pub struct GeneSetModel {
    card: ModelCard,
    config: GeneSetConfig,
    readout: Readout,
    net: Net<Cpu>,
    /// The training dataset's environments, by name, in the order the network knows them.
    environments: Vec<String>,
}

impl GeneSetModel {
    /// The kind its card names.
    pub const KIND: &'static str = "gene_set";

    /// A trained network with its configuration and readout, trained on a dataset of
    /// `environments` (by name); the card's labels are the readout's.
    ///
    /// # Panics
    /// When the readout was built for another number of environments.
    pub fn new(
        mut card: ModelCard,
        config: GeneSetConfig,
        readout: Readout,
        net: Net<Cpu>,
        environments: Vec<String>,
    ) -> Self {
        assert_eq!(
            readout.environments(),
            environments.len(),
            "the readout's environments"
        );
        card.kind = Self::KIND.to_owned();
        card.labels = readout.labels.clone();
        Self {
            card,
            config,
            readout,
            net,
            environments,
        }
    }

    /// Writes the card, the description and the weights into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
        let table = &self.readout.table;
        let description = Description {
            config: self.config.clone(),
            labels: self.readout.labels.clone(),
            codecs: self.readout.codecs.clone(),
            singles: self.readout.singles().clone(),
            extra_genes: table.extra_genes().to_vec(),
            table: (table.len(), table.dim),
            environments: self.environments.clone(),
        };
        let path = dir.join(DESCRIPTION);
        let json = serde_json::to_vec_pretty(&description).map_err(|e| Error::file(&path, e))?;
        fs::write(&path, json).map_err(|e| Error::file(&path, e))?;
        if let Some(neighbours) = self.readout.neighbours() {
            let path = dir.join(MEMORY);
            let json =
                serde_json::to_vec(neighbours.memory()).map_err(|e| Error::file(&path, e))?;
            fs::write(&path, json).map_err(|e| Error::file(&path, e))?;
        }
        let path = dir.join(WEIGHTS);
        fs::write(&path, weights_to_bytes(&self.net)).map_err(|e| Error::file(&path, e))?;
        self.card.seal(dir)
    }

    /// Opens the model saved in `dir` with its `card`, its genes' features from `reference`.
    pub(crate) fn load(dir: &Path, card: ModelCard, reference: &Reference) -> Result<Self, Error> {
        let path = dir.join(DESCRIPTION);
        let text = fs::read(&path).map_err(|e| Error::file(&path, e))?;
        let d: Description = serde_json::from_slice(&text).map_err(|e| Error::file(&path, e))?;
        let table = GeneTable::build(
            reference,
            &d.extra_genes,
            &d.config.features,
            &d.config.graphs,
        )
        .map_err(|e| Error::file(&path, e))?;
        if (table.len(), table.dim) != d.table {
            return Err(Error::file(
                &path,
                format!(
                    "trained on {} genes × {} feature columns; this reference gives {} × {}: \
                     use the reference bundle the card names",
                    d.table.0,
                    d.table.1,
                    table.len(),
                    table.dim
                ),
            ));
        }
        let table = Arc::new(table);
        let labels = d.labels.len();
        let mut readout = Readout::new(
            d.labels,
            d.codecs,
            table.clone(),
            &d.config,
            d.environments.len(),
            &d.singles,
        );
        if !d.config.neighbour_labels.is_empty() {
            let path = dir.join(MEMORY);
            let text = fs::read(&path).map_err(|e| Error::file(&path, e))?;
            let memory: Memory =
                serde_json::from_slice(&text).map_err(|e| Error::file(&path, e))?;
            let inputs = NeighbourInputs::fit(
                memory,
                labels,
                &d.config.neighbour_labels,
                reference,
                &table,
            )
            .map_err(|e| Error::file(&path, e))?;
            readout = readout.with_neighbours(inputs);
        }
        let coral: Vec<Vec<f32>> = readout
            .codecs
            .iter()
            .filter_map(|c| match c {
                LabelCodec::Coral { bins } => Some(vec![0.0; bins.len() - 1]),
                _ => None,
            })
            .collect();
        let device = Default::default();
        let net = Net::<Cpu>::new(
            &d.config,
            readout.table.len(),
            readout.table.dim,
            readout.table.graphs.len(),
            d.environments.len(),
            readout.extra_inputs(),
            readout.outputs(),
            readout.composed(),
            &coral,
            0,
            &device,
        );
        let path = dir.join(WEIGHTS);
        let bytes = fs::read(&path).map_err(|e| Error::file(&path, e))?;
        let net = weights_from_bytes(net, bytes, &device).map_err(|e| Error::file(&path, e))?;
        Ok(Self::new(card, d.config, readout, net, d.environments))
    }
}

impl Predictor for GeneSetModel {
    fn card(&self) -> &ModelCard {
        &self.card
    }

    fn predict(&self, genotypes: &Genotypes<'_>) -> Result<Predictions, Error> {
        let table = &self.readout.table;
        let to_table: Vec<Option<u32>> =
            genotypes.universe().iter().map(|g| table.row(g)).collect();
        let rows = genotypes
            .rows()
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&g| {
                        to_table[g as usize].ok_or_else(|| {
                            Error::Input(format!(
                                "gene {} is neither in the reference nor in the training data",
                                genotypes.universe()[g as usize]
                            ))
                        })
                    })
                    .collect::<Result<Vec<u32>, Error>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        if rows.iter().any(Vec::is_empty) {
            return Err(Error::Input("a genotype without genes".to_owned()));
        }
        let rows: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
        // Environments by name onto the training dataset's; one it never saw gets the index
        // past them, the untrained (average) environment.
        let environments = genotypes.environments().map(|(names, asked)| {
            let unseen = self.environments.len() as u16;
            let ours: Vec<u16> = names
                .iter()
                .map(|n| {
                    self.environments
                        .iter()
                        .position(|e| e == n)
                        .map_or(unseen, |i| i as u16)
                })
                .collect();
            asked
                .iter()
                .map(|&e| ours[usize::from(e)])
                .collect::<Vec<u16>>()
        });
        Ok(Predictions::new(
            self.card.labels.clone(),
            self.readout.predict(
                &self.net,
                &rows,
                environments.as_deref(),
                &Default::default(),
            ),
        ))
    }
}
