//! The quickstart's comparison: measured screens from the data directory, the dataset query
//! that takes them out of the knowledge graph as a user's would, and DCell beside a random
//! forest, one-hot ridge, the training mean and the multiplicative null on one split, every
//! number scored by [`score_rows`] as `evaluate` and `bench accuracy` score theirs.

mod outputs;

pub use outputs::{store_and_build, Built, Described, Gathered};

use std::{collections::BTreeMap, fs::File, io::BufReader, path::Path};

use ironcell_core::{Experiment, PhenotypeKind, SystematicName};
use ironcell_data::{
    dataset::{DatasetQuery, Manifest, SplitConfig},
    features::{pooling::Pooling, GeneFeature},
    instances::Instances,
    ontology::DcellOntology,
    screens::{self, Selection, COSTANZO2016_SMF, KUZMIN2018_SUBSET, KUZMIN2018_SUBSET_DATASETS},
    split::Split,
};
use ironcell_models::{
    baseline::{design::Design, trees::ForestParams, ModelKind, Params, Regressor},
    dcell::{saved::Description, DcellConfig, DcellSize},
    predictor::{
        DatasetRef, DcellModel, FeatureModel, Genotypes, ModelCard, NullModel, Predictor, Recipe,
        Summary,
    },
    ridge::OneHotRidge,
    train::{fit_single_label, predict, TrainConfig},
};
use ironcell_sources::{
    costanzo2016,
    data_dir::DataDir,
    kuzmin2018, open_maybe_gzip,
    reference::Reference,
    report::{collect, BadRows},
};

use crate::{
    evaluate::{score_rows, Bootstrap, Breakdown, Outcome, Scoring},
    report::evidence::{RowSpread, TestRow, TestRows},
    Error,
};

/// Costanzo 2016's single-mutant fitness table.
pub const SMF_XLSX: &str = "yeast-screens/costanzo2016/strain_ids_and_single_mutant_fitness.xlsx";
/// Kuzmin 2018's triple-mutant subset.
pub const KUZMIN_TSV: &str = "yeast-screens/kuzmin2018-subset/unique_triples.tsv.gz";

/// The screens read, as experiments, and what each reader kept.
#[derive(Debug, Clone)]
pub struct Screens {
    /// 30 °C deletion experiments of both screens.
    pub experiments: Vec<Experiment>,
    /// Per screen: its dataset name and what was kept of it.
    pub selections: [(&'static str, Selection); 2],
}

/// Reads Costanzo 2016's single mutants (30 °C) and Kuzmin 2018's subset from `data`.
pub fn read_screens(data: &DataDir) -> Result<Screens, Error> {
    let path = data.file(SMF_XLSX)?;
    let file = File::open(&path).map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let reader = costanzo2016::smf::Reader::new(BufReader::new(file), &path.display().to_string())?;
    let (smf, _) = collect(reader, BadRows::Fail)?;
    let (mut experiments, smf_selection) = screens::costanzo_smf(&smf, 30);
    let path = data.file(KUZMIN_TSV)?;
    let reader = kuzmin2018::Reader::new(open_maybe_gzip(&path)?, &path.display().to_string())?;
    let (records, _) = collect(reader, BadRows::Fail)?;
    let (kuzmin, kuzmin_selection) = screens::kuzmin(&records);
    experiments.extend(kuzmin);
    Ok(Screens {
        experiments,
        selections: [
            (COSTANZO2016_SMF, smf_selection),
            (KUZMIN2018_SUBSET, kuzmin_selection),
        ],
    })
}

/// Fitness of both screens, one mean per genotype, splits drawn with `seed`.
pub fn query(seed: u64) -> DatasetQuery {
    DatasetQuery {
        datasets: std::iter::once(COSTANZO2016_SMF)
            .chain(KUZMIN2018_SUBSET_DATASETS)
            .map(str::to_owned)
            .collect(),
        labels: vec![PhenotypeKind::Fitness],
        temperature_c: None,
        max_perturbations: None,
        deletions_only: false,
        policy: "mean".to_owned(),
        split: SplitConfig {
            seed,
            ..SplitConfig::default()
        },
        test_genes: vec![],
    }
}

/// The random forest's gene features: codon usage and GO membership (terms of ≥ 30 genes).
const FOREST_FEATURES: [GeneFeature; 2] = [GeneFeature::Codon, GeneFeature::Go { min_genes: 30 }];

/// The dataset as the compared models take it.
pub struct Prepared<'d> {
    instances: &'d Instances,
    manifest: &'d Manifest,
    /// Genes of each instance, as dataset indices and as ontology indices.
    table_genes: Vec<Vec<usize>>,
    ontology_genes: Vec<Vec<usize>>,
    /// The dataset's genes the ontology annotates.
    pub mapped_genes: usize,
    /// Single-mutant fitness of Costanzo 2016 by gene, for the multiplicative null.
    smf: BTreeMap<SystematicName, f64>,
    design: Design,
}

impl<'d> Prepared<'d> {
    /// The dataset (`instances`, `manifest`, fitness first) mapped onto `ontology` and the
    /// forest's features from `reference`.
    pub fn new(
        instances: &'d Instances,
        manifest: &'d Manifest,
        ontology: &DcellOntology,
        reference: &Reference,
    ) -> Result<Self, Error> {
        let to_ontology = ontology.indices_of(&manifest.genes);
        let table_genes: Vec<Vec<usize>> = (0..instances.len())
            .map(|i| instances.genes(i).iter().map(|&g| g as usize).collect())
            .collect();
        let smf = (0..instances.len())
            .filter(|&i| {
                table_genes[i].len() == 1
                    && manifest.datasets[usize::from(instances.source(i).0)] == COSTANZO2016_SMF
            })
            .map(|i| {
                let g = manifest.genes[table_genes[i][0]].clone();
                (g, f64::from(instances.label(0, i).value))
            })
            .collect();
        let (design, _) = Design::build(
            manifest,
            instances,
            &FOREST_FEATURES,
            Pooling::Sum,
            reference,
        )?;
        Ok(Self {
            instances,
            manifest,
            ontology_genes: table_genes
                .iter()
                .map(|genes| genes.iter().filter_map(|&g| to_ontology[g]).collect())
                .collect(),
            table_genes,
            mapped_genes: to_ontology.iter().flatten().count(),
            smf,
            design,
        })
    }

    /// Genotypes of `rows` with exactly `size` genes.
    pub fn of_size(&self, rows: &[usize], size: usize) -> usize {
        rows.iter()
            .filter(|&&i| self.table_genes[i].len() == size)
            .count()
    }

    fn fitness(&self, rows: &[usize]) -> Vec<f64> {
        rows.iter()
            .map(|&i| f64::from(self.instances.label(0, i).value))
            .collect()
    }

    fn pick(rows: &[usize], of: &[Vec<usize>]) -> Vec<Vec<usize>> {
        rows.iter().map(|&i| of[i].clone()).collect()
    }
}

/// The models and how they are trained.
#[derive(Debug, Clone)]
pub struct Comparison<'a> {
    /// DCell's ontology.
    pub ontology: &'a DcellOntology,
    /// DCell.
    pub dcell: &'a DcellConfig,
    /// DCell's optimisation.
    pub training: &'a TrainConfig,
    /// Seed of the forest.
    pub seed: u64,
    /// The intervals' bootstrap.
    pub bootstrap: Bootstrap,
    /// Where the models' cards say their data came from.
    pub provenance: Provenance<'a>,
}

/// The dataset and reference bundle directories the compared models are trained from, for
/// their cards.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    /// The dataset directory.
    pub dataset: &'a Path,
    /// The reference bundle directory.
    pub reference: &'a Path,
}

/// One split's trained models, as `predict`, `explain`, `evaluate` and `design` open them.
/// The multiplicative null is not among them: it reads every measured single mutant, test
/// ones included, so scored by `evaluate` on a test single it would return the measurement.
#[derive(Debug)]
pub struct SplitModels {
    dcell: DcellModel,
    forest: (ModelCard, Recipe, Regressor),
}

impl SplitModels {
    /// Directory names of the saved models, under the split's directory.
    pub const DIRS: [&'static str; 2] = ["dcell", "rf"];

    /// Writes each model into its directory (`DIRS`) under `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        let [dcell, rf] = Self::DIRS.map(|d| dir.join(d));
        self.dcell.save(&dcell)?;
        let (card, recipe, model) = &self.forest;
        FeatureModel::save(&rf, card, recipe, model)?;
        Ok(())
    }
}

/// One split's comparison.
#[derive(Debug)]
pub struct SplitResult {
    /// Every model on the whole test part, then on its multi-gene genotypes whose single
    /// mutants are measured (`multi-gene`), where the multiplicative null joins them.
    pub outcomes: Vec<Outcome>,
    /// Every model's test predictions, for the report's figures (the forest's with the
    /// spread of its trees).
    pub rows: Vec<TestRows>,
    /// DCell's mean training loss per epoch.
    pub history: Vec<f64>,
    /// DCell's size.
    pub size: DcellSize,
    /// DCell and the forest as saved models, their cards carrying the test metrics above.
    pub models: SplitModels,
}

/// The quickstart's forest: 100 trees, a third of the features per split (all of them, as
/// scikit-learn's default, takes minutes on 1,269 columns).
fn forest_params(seed: u64) -> Params {
    Params {
        rf: ForestParams {
            trees: 100,
            max_features: 1.0 / 3.0,
            ..ForestParams::default()
        },
        ..Params::default()
    }
    .with_seed(seed)
}

impl Comparison<'_> {
    /// Trains every model on `split`'s training part of `data` and scores them on its test
    /// part; `on_step` hears DCell's loss after each step.
    pub fn run(
        &self,
        data: &Prepared<'_>,
        (name, split): (&str, &Split),
        on_step: impl FnMut(usize, f64),
    ) -> Result<SplitResult, Error> {
        if split.train.len() < 2 || split.test.is_empty() {
            return Err(Error::Input(format!(
                "split {name} is too small to train and test (train {}, test {})",
                split.train.len(),
                split.test.len()
            )));
        }
        let (train, test) = (&split.train, &split.test);
        let train_y = data.fitness(train);
        let train_f32: Vec<f32> = train_y.iter().map(|&v| v as f32).collect();
        let (dcell_model, history, size) = fit_single_label(
            self.ontology,
            self.dcell,
            self.training,
            &Prepared::pick(train, &data.ontology_genes),
            &train_f32,
            on_step,
        );
        let dcell = predict(
            &dcell_model,
            &Prepared::pick(test, &data.ontology_genes),
            1024,
        );
        let ridge = OneHotRidge::fit(
            &Prepared::pick(train, &data.table_genes),
            &train_y,
            data.manifest.genes.len(),
            1.0,
        );
        let ridge: Vec<f64> = test
            .iter()
            .map(|&i| ridge.predict(&data.table_genes[i]))
            .collect();
        let fitted_forest =
            data.design
                .fit(ModelKind::Rf, &forest_params(self.seed), false, 0, train)?;
        let forest = data.design.predict(&fitted_forest, test)?;
        let forest_spread = data.design.predict_spread(&fitted_forest, test)?;
        let mean = train_y.iter().sum::<f64>() / train_y.len() as f64;
        let genotypes = Genotypes::new(
            &data.manifest.genes,
            test.iter().map(|&i| data.instances.genes(i)),
        );
        let multiplicative: Vec<f64> = NullModel::multiplicative(data.smf.clone())
            .predict(&genotypes)?
            .column(0)
            .collect();

        let scoring = |model: &'static str| Scoring {
            task: "quickstart",
            split: name,
            model,
            label: "fitness",
            n_train: train.len(),
            bootstrap: self.bootstrap,
        };
        let models: [(&str, Vec<f64>); 4] = [
            ("DCell", dcell.clone()),
            ("random forest", forest),
            ("ridge one-hot", ridge),
            ("mean", vec![mean; test.len()]),
        ];
        let (instances, manifest) = (data.instances, data.manifest);
        let mut outcomes = Vec::new();
        let mut rows = Vec::new();
        let test_rows =
            |model: &str, on: &[usize], predicted: &[f64], spread: Option<&[Summary]>| {
                TestRows::scored(
                    ["quickstart", name, model, "fitness"],
                    on.iter()
                        .zip(predicted)
                        .enumerate()
                        .map(|(k, (&i, &p))| TestRow {
                            genes: data.table_genes[i].len(),
                            measured: f64::from(data.instances.label(0, i).value),
                            predicted: p,
                            spread: spread.map(|s| RowSpread {
                                sd: s[k].sd,
                                low: s[k].low,
                                high: s[k].high,
                            }),
                        }),
                )
            };
        for (model, predicted) in &models {
            let spread = (*model == "random forest")
                .then_some(forest_spread.as_deref())
                .flatten();
            rows.push(test_rows(model, test, predicted, spread));
            outcomes.extend(score_rows(
                instances,
                manifest,
                test,
                predicted,
                &scoring(model),
                Breakdown::Only("all"),
            ));
        }
        // Doubles and triples whose single mutants are all measured: every model and the
        // multiplicative null on the same genotypes.
        let multi: Vec<usize> = (0..test.len())
            .filter(|&k| data.table_genes[test[k]].len() >= 2 && multiplicative[k].is_finite())
            .collect();
        let multi_rows: Vec<usize> = multi.iter().map(|&k| test[k]).collect();
        let on_multi = |v: &[f64]| -> Vec<f64> { multi.iter().map(|&k| v[k]).collect() };
        for (model, predicted) in models
            .iter()
            .map(|(m, p)| (*m, p.as_slice()))
            .chain([("multiplicative", multiplicative.as_slice())])
        {
            if model == "multiplicative" {
                rows.push(test_rows(model, &multi_rows, &on_multi(predicted), None));
            }
            outcomes.extend(score_rows(
                instances,
                manifest,
                &multi_rows,
                &on_multi(predicted),
                &scoring(model),
                Breakdown::Only("multi-gene"),
            ));
        }
        let card = |kind: &str, inputs: String, model: &str| {
            let mut card = ModelCard::new(kind, vec!["fitness".to_owned()], inputs);
            card.dataset = Some(DatasetRef {
                dir: self.provenance.dataset.to_owned(),
                instances_sha256: data
                    .manifest
                    .sha256
                    .get("instances.arrow")
                    .cloned()
                    .unwrap_or_default(),
            });
            card.split = name.parse().ok();
            card.reference = Some(self.provenance.reference.to_owned());
            card.trained_genes = data.design.genes_of(train);
            card.trained_rows = train.len();
            if let Some(o) = outcomes
                .iter()
                .find(|o| o.model == model && o.subset == "all")
            {
                card.set_metrics(
                    "fitness",
                    o.metrics.iter().map(|(k, e)| (k.as_str(), e.value)),
                );
            }
            card
        };
        let description = Description {
            // As fitted: the heads' biases started at the training mean.
            config: DcellConfig {
                initial_output: mean,
                ..self.dcell.clone()
            },
            labels: vec!["fitness".to_owned()],
            ontology: self.ontology.clone(),
        };
        let dcell_card = card(
            DcellModel::KIND,
            format!(
                "gene states of DCell's ontology: {} subsystems, {} strata",
                size.subsystems, size.strata
            ),
            "DCell",
        );
        let recipe = data.design.recipe(&fitted_forest);
        let forest_card = card("rf", recipe.describe(), "random forest");
        Ok(SplitResult {
            outcomes,
            rows,
            history,
            size,
            models: SplitModels {
                dcell: DcellModel::new(dcell_card, description, dcell_model),
                forest: (forest_card, recipe, fitted_forest.model),
            },
        })
    }
}
