//! A dataset as a feature model sees it: each genotype's gene features pooled into one row,
//! beside its labels. `baseline`, `train` (rf, gbt) and `bench baselines` fit on this one
//! design, so a recipe gives the same rows, and the saved [`Recipe`] the same inputs, wherever
//! a feature model is fitted.

use std::time::Instant;

use ironcell_core::SystematicName;
use ironcell_data::{
    dataset::Manifest,
    features::{
        neighbour_labels::Hidden,
        pooling::{Pooler, Pooling, TooManyGenes},
        FeatureReport, GeneFeature, GeneFeatures,
    },
    instances::{perturbed_genes, Instances},
};
use ironcell_sources::reference::Reference;

use super::{
    neighbours::{NeighbourColumns, NeighbourMemory},
    FitError, Matrix, MatrixError, ModelKind, Params, Regressor, Standardizer,
};
use crate::predictor::{Recipe, Summary};

/// Why a design could not be built or fitted.
#[derive(Debug, thiserror::Error)]
pub enum DesignError {
    /// Building the gene features.
    #[error(transparent)]
    Features(#[from] ironcell_data::Error),
    /// A genotype larger than the concatenation's slots.
    #[error(transparent)]
    Pool(#[from] TooManyGenes),
    /// The pooled rows are not a matrix (a non-finite feature).
    #[error(transparent)]
    Matrix(#[from] MatrixError),
    /// The regressor refused the rows.
    #[error(transparent)]
    Fit(#[from] FitError),
    /// A label the dataset does not have.
    #[error("label {name:?} is not in the dataset (it has {labels:?})")]
    Label {
        /// The label asked for.
        name: String,
        /// The dataset's.
        labels: Vec<String>,
    },
}

/// Every instance of a dataset as pooled gene features and labels.
#[derive(Debug, Clone)]
pub struct Design {
    /// Row-major `instances × width`.
    x: Vec<f32>,
    width: usize,
    labels: Vec<String>,
    /// Row-major `instances × labels`; NaN where a genotype has no value.
    y: Vec<f64>,
    genes: Vec<Vec<u32>>,
    /// Each instance's environment, and their names.
    environments: (Vec<u16>, Vec<String>),
    features: Vec<GeneFeature>,
    pooling: Pooling,
    slots: usize,
    universe: Vec<SystematicName>,
    /// The neighbour-label columns' memory, when the rows end with them.
    neighbours: Option<NeighbourMemory>,
}

/// A regressor fitted on some rows of a [`Design`].
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The model.
    pub model: Regressor,
    /// The rows it was fitted on.
    pub rows: Vec<usize>,
    /// Column standardisation fitted on those rows, if asked for.
    pub standardizer: Option<Standardizer>,
    /// Wall time of the fit.
    pub seconds: f64,
}

impl Design {
    /// Pools `kinds` of every instance of the dataset (`manifest`, `instances`) by `pooling`;
    /// the reports say what each feature covers.
    pub fn build(
        manifest: &Manifest,
        instances: &Instances,
        kinds: &[GeneFeature],
        pooling: Pooling,
        reference: &Reference,
    ) -> Result<(Self, Vec<FeatureReport>), DesignError> {
        let (features, reports) = GeneFeatures::build(kinds, &manifest.genes, reference)?;
        let slots = manifest.by_size.keys().copied().max().unwrap_or(1);
        let pooler = Pooler::new(pooling, &features, slots);
        let all: Vec<usize> = (0..instances.len()).collect();
        let x = pooler.pool_instances(instances, &all, &features)?;
        let labels = manifest.labels.clone();
        let y = all
            .iter()
            .flat_map(|&i| (0..labels.len()).map(move |l| f64::from(instances.label(l, i).value)))
            .collect();
        let design = Self {
            x,
            width: pooler.width(),
            genes: all.iter().map(|&i| instances.genes(i).to_vec()).collect(),
            environments: (
                all.iter().map(|&i| instances.source(i).1).collect(),
                manifest.environment_names(),
            ),
            labels,
            y,
            features: kinds.to_vec(),
            pooling,
            slots,
            universe: manifest.genes.clone(),
            neighbours: None,
        };
        Ok((design, reports))
    }

    /// Instances.
    pub fn len(&self) -> usize {
        self.genes.len()
    }

    /// Whether the dataset is empty.
    pub fn is_empty(&self) -> bool {
        self.genes.is_empty()
    }

    /// Columns of a row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The labels, in column order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The column of label `name`.
    pub fn label(&self, name: &str) -> Result<usize, DesignError> {
        self.labels
            .iter()
            .position(|l| l == name)
            .ok_or_else(|| DesignError::Label {
                name: name.to_owned(),
                labels: self.labels.clone(),
            })
    }

    /// The columns of the labels `names`; every label when none is named.
    pub fn labels_named(&self, names: &[String]) -> Result<Vec<usize>, DesignError> {
        match names {
            [] => Ok((0..self.labels.len()).collect()),
            names => names.iter().map(|name| self.label(name)).collect(),
        }
    }

    /// The rows of `part` where label `l` has a value.
    pub fn labelled(&self, l: usize, part: &[usize]) -> Vec<usize> {
        let n = self.labels.len();
        part.iter()
            .copied()
            .filter(|&i| self.y[i * n + l].is_finite())
            .collect()
    }

    /// Label `l` of `rows`.
    pub fn target(&self, l: usize, rows: &[usize]) -> Vec<f64> {
        let n = self.labels.len();
        rows.iter().map(|&i| self.y[i * n + l]).collect()
    }

    /// The pooled features of `rows`, row-major.
    pub fn rows(&self, rows: &[usize]) -> Vec<f32> {
        rows.iter()
            .flat_map(|&i| self.x[i * self.width..(i + 1) * self.width].iter().copied())
            .collect()
    }

    /// Fits `kind` with `params` to label `l` of `rows`, standardising the columns first when
    /// `standardize` is set.
    pub fn fit(
        &self,
        kind: ModelKind,
        params: &Params,
        standardize: bool,
        l: usize,
        rows: &[usize],
    ) -> Result<Fitted, DesignError> {
        let y = self.target(l, rows);
        let start = Instant::now();
        let (model, standardizer) = if standardize {
            let mut x = self.rows(rows);
            let s = Standardizer::fit(Matrix::new(&x, self.width)?);
            s.apply_all(&mut x);
            let model = Regressor::fit(kind, Matrix::new(&x, self.width)?, &y, params)?;
            (model, Some(s))
        } else {
            // The training rows are read in place.
            let x = Matrix::selected(&self.x, self.width, rows)?;
            (Regressor::fit(kind, x, &y, params)?, None)
        };
        Ok(Fitted {
            model,
            rows: rows.to_vec(),
            standardizer,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// `fitted`'s predictions for `rows`.
    pub fn predict(&self, fitted: &Fitted, rows: &[usize]) -> Result<Vec<f64>, DesignError> {
        match &fitted.standardizer {
            Some(s) => {
                let mut x = self.rows(rows);
                s.apply_all(&mut x);
                Ok(fitted.model.predict(Matrix::new(&x, self.width)?))
            }
            None => Ok(fitted
                .model
                .predict(Matrix::selected(&self.x, self.width, rows)?)),
        }
    }

    /// `fitted`'s predictions for `rows`, each summarised over its members (a forest's
    /// trees, bootstrap boosting's bags; the mean is the prediction); `None` for a regressor
    /// that is one model and has no spread.
    pub fn predict_spread(
        &self,
        fitted: &Fitted,
        rows: &[usize],
    ) -> Result<Option<Vec<Summary>>, DesignError> {
        Ok(match &fitted.standardizer {
            Some(s) => {
                let mut x = self.rows(rows);
                s.apply_all(&mut x);
                fitted
                    .model
                    .predict_members(Matrix::new(&x, self.width)?, Summary::of)
            }
            None => fitted
                .model
                .predict_members(Matrix::selected(&self.x, self.width, rows)?, Summary::of),
        })
    }

    /// What turns any genotype into `fitted`'s input: saved beside the model.
    pub fn recipe(&self, fitted: &Fitted) -> Recipe {
        Recipe {
            features: self.features.clone(),
            pooling: self.pooling,
            slots: self.slots,
            standardizer: fitted.standardizer.clone(),
            universe: self.universe.clone(),
            neighbours: self.neighbours.clone(),
        }
    }

    /// The same rows with label `l`'s neighbour labels along `networks` after the features,
    /// fitted on `train` (their own labels; the other rows' never enter). Each training
    /// genotype is shown with none, one or all of its genes treated as unseen, a seeded third
    /// each ([`crate::deep::hidden_genes`]), as a test genotype of the random and gene-disjoint
    /// splits is; the other rows as they are.
    pub fn with_neighbours(
        &self,
        l: usize,
        train: &[usize],
        networks: &[std::path::PathBuf],
        seed: u64,
        reference: &Reference,
    ) -> Result<Self, DesignError> {
        let train = self.labelled(l, train);
        let (envs, names) = &self.environments;
        let memory = NeighbourMemory {
            networks: networks.to_vec(),
            rows: train.iter().map(|&i| self.genes[i].clone()).collect(),
            row_environments: train.iter().map(|&i| envs[i]).collect(),
            environments: names.clone(),
            values: self.target(l, &train),
        };
        let columns = NeighbourColumns::fit(memory, &self.universe, reference)?;
        let extra = columns.width();
        let width = self.width + extra;
        let is_train: std::collections::HashSet<usize> = train.iter().copied().collect();
        let mut x = vec![0f32; self.len() * width];
        for (i, out) in x.chunks_exact_mut(width).enumerate() {
            out[..self.width].copy_from_slice(&self.x[i * self.width..(i + 1) * self.width]);
            let genes = &self.genes[i];
            let hidden = if is_train.contains(&i) {
                crate::deep::hidden_genes(i as u32, genes.len(), seed)
            } else {
                Hidden::NONE
            };
            let env = Some(usize::from(envs[i]));
            columns.write(
                Some(genes),
                genes.len(),
                env,
                hidden,
                &mut out[self.width..],
            );
        }
        // Field by field: `..self.clone()` would copy the pooled rows only to drop them.
        Ok(Self {
            x,
            width,
            labels: self.labels.clone(),
            y: self.y.clone(),
            genes: self.genes.clone(),
            environments: self.environments.clone(),
            features: self.features.clone(),
            pooling: self.pooling,
            slots: self.slots,
            universe: self.universe.clone(),
            neighbours: Some(columns.memory().clone()),
        })
    }

    /// The genes perturbed in `rows`, for a model card.
    pub fn genes_of(&self, rows: &[usize]) -> Vec<SystematicName> {
        perturbed_genes(&self.universe, rows, |i| self.genes[i].iter().copied())
    }
}
