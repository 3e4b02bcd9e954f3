//! The tasks of `bench accuracy`: each a dataset of the data directory's `yeast-screens/`
//! built as a user would build it (`ingest` into an embedded SQLite knowledge graph, then
//! `dataset build` with the task's query), once, and kept in the data directory's cache under
//! the inputs' sha256 ([`ironcell_data::cached`]); then one instance per set of genes and
//! environment, as gene features cannot tell two alleles of one gene apart.

use std::{
    collections::{BTreeMap, HashMap},
    path::PathBuf,
};

use super::{AccuracyTask, Result};
use crate::Error;
use ironcell_core::{PhenotypeKind, SystematicName};
use ironcell_data::{
    cached::{self, Cached, Recipe},
    dataset::DatasetQuery,
    ingest::Source,
    ontology::{self, DcellOntology},
    screens::{COSTANZO2016_SMF, KUZMIN2018_SUBSET_DATASETS},
};
use ironcell_sources::{
    data_dir::DataDir, dcell_epsilon, open_maybe_gzip, reference::Reference, report::BadRows,
};

/// Costanzo 2016's single mutants, read by every task.
pub const SMF: &str = "yeast-screens/costanzo2016/strain_ids_and_single_mutant_fitness.xlsx";
const KUZMIN: &str = "yeast-screens/kuzmin2018-subset/unique_triples.tsv.gz";
const EMAP: &str = "yeast-screens/collins2007-emap/sscores.tsv.gz";
const SGA: &str = "yeast-screens/tong2004-sga/tested_pairs.tsv.gz";
const QIAN: &str = "yeast-screens/yeastphenome/23103169/qian_zhang_2012_value.txt.gz";
const COSTANZO2021: &str = "yeast-screens/yeastphenome/33958448/costanzo_andrews_2021_value.txt.gz";
const UPR_DOUBLES: &str = "yeast-screens/jonikas2009-upr-emap/double_mutants.tsv.gz";
const UPR_SINGLES: &str = "yeast-screens/jonikas2009-upr-emap/singles.tsv";
const HOP: &str = "yeast-screens/hoepfner2014-hop/hoepfner_movva_2014_hop_known.txt.gz";
/// DCell's subtrees: the training and test files, and the topology.
static SUBTREES: [[&str; 3]; 2] = [
    [
        "yeast-screens/dcell-costanzo2016-epsilon/GO_0006281_training_data_2016_0.gz",
        "yeast-screens/dcell-costanzo2016-epsilon/GO_0006281_testing_data_2016_0.gz",
        "yeast-screens/dcell-costanzo2016-epsilon/GO_0006281_topology",
    ],
    [
        "yeast-screens/dcell-costanzo2016-epsilon/GO_0000790_training_data_2016_0.gz",
        "yeast-screens/dcell-costanzo2016-epsilon/GO_0000790_testing_data_2016_0.gz",
        "yeast-screens/dcell-costanzo2016-epsilon/GO_0000790_topology",
    ],
];

impl AccuracyTask {
    /// The name as typed.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Smf => "smf",
            Self::Dmf => "dmf",
            Self::Emap => "emap",
            Self::Ssl => "ssl",
            Self::Environments => "environments",
            Self::Upr => "upr",
            Self::Epsilon => "epsilon",
            Self::Chemogenomics => "chemogenomics",
        }
    }

    /// The data directory's files the task reads (beside Costanzo 2016's single mutants,
    /// which every task reads).
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Self::Smf => &[],
            Self::Dmf => &[KUZMIN],
            Self::Emap => &[EMAP],
            Self::Ssl => &[SGA],
            Self::Environments => &[QIAN, COSTANZO2021],
            Self::Upr => &[UPR_DOUBLES, UPR_SINGLES],
            Self::Epsilon => SUBTREES.as_flattened(),
            Self::Chemogenomics => &[HOP],
        }
    }

    /// Whether the label is an interaction score, whose null model is 0.
    pub fn is_interaction(self) -> bool {
        matches!(self, Self::Emap | Self::Epsilon)
    }

    /// Whether the label is a 0/1 call scored by AUROC and AUPRC.
    pub fn is_classification(self) -> bool {
        self == Self::Ssl
    }
}

/// One instance: genes (task indices, sorted), environment (index), label.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Indices into the task's genes, sorted.
    pub genes: Vec<usize>,
    /// Index into the task's environments.
    pub environment: usize,
    /// The label's value.
    pub y: f64,
}

/// A task's instances.
pub struct Task {
    /// Which task.
    pub name: AccuracyTask,
    /// Where the data came from, in words.
    pub source: String,
    /// Its genes.
    pub genes: Vec<SystematicName>,
    /// Environments as `Environment`'s `Display` writes them.
    pub environments: Vec<String>,
    /// Its instances.
    pub rows: Vec<Row>,
    /// Costanzo 2016's single-mutant fitness (30 °C deletions) of each task gene, where
    /// measured: the input of the additive and multiplicative models and the growth features.
    pub smf: Vec<Option<f64>>,
    /// Splits the data's publishers made, used as they are beside ours.
    pub published: Vec<PublishedSplit>,
    /// What the label is.
    pub label: PhenotypeKind,
    /// The dataset directory the rows came from (`dataset build`'s files and the knowledge
    /// graph beside them), and whether this run built it or found it in the cache.
    pub dataset: Option<(PathBuf, bool)>,
}

/// A published train/test split and, where it comes with one, the ontology its authors'
/// model used.
pub struct PublishedSplit {
    /// The split's name in tables (`dcell_go0006281`).
    pub name: String,
    /// Training rows.
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
    /// The authors' ontology (DCell's subtree).
    pub ontology: Option<DcellOntology>,
}

/// DCell's ε files, without the topologies.
static EPSILON_DATA: [&str; 4] = [
    SUBTREES[0][0],
    SUBTREES[0][1],
    SUBTREES[1][0],
    SUBTREES[1][1],
];

impl AccuracyTask {
    /// How the task's dataset is built: the reader, its files, and the query.
    fn recipe(self) -> Recipe<'static> {
        let (source, files, label, bad_rows): (_, &'static [&'static str], _, _) = match self {
            Self::Smf => (
                Source::Costanzo2016,
                std::slice::from_ref(&SMF),
                PhenotypeKind::Fitness,
                BadRows::Fail,
            ),
            Self::Dmf => (
                Source::Kuzmin2018,
                self.files(),
                PhenotypeKind::Fitness,
                BadRows::Fail,
            ),
            Self::Emap => (
                Source::Collins2007,
                self.files(),
                PhenotypeKind::EmapScore,
                BadRows::Fail,
            ),
            Self::Ssl => (
                Source::Tong2004,
                self.files(),
                PhenotypeKind::SyntheticLethality,
                BadRows::Fail,
            ),
            Self::Environments => (
                Source::Yeastphenome,
                self.files(),
                PhenotypeKind::Fitness,
                BadRows::Fail,
            ),
            // Unmapped strain names (LEU2C, *BMA, …) are left out, as ingest --skip-bad-rows
            // lists them.
            Self::Upr => (
                Source::Jonikas2009,
                self.files(),
                PhenotypeKind::Reporter,
                BadRows::Skip,
            ),
            Self::Epsilon => (
                Source::DcellEpsilon,
                &EPSILON_DATA,
                PhenotypeKind::GeneInteraction,
                BadRows::Fail,
            ),
            Self::Chemogenomics => (
                Source::Hoepfner2014,
                self.files(),
                PhenotypeKind::ChemogenomicScore,
                BadRows::Fail,
            ),
        };
        let mut query = DatasetQuery::new(Vec::new(), vec![label]);
        match self {
            // Deletions at 30 °C, the strains DCell's gene states describe.
            Self::Smf => {
                query.datasets = vec![COSTANZO2016_SMF.to_owned()];
                query.temperature_c = Some(30);
                query.deletions_only = true;
            }
            // The doubles of the triple-mutant screen (hoΔ, its marker, dropped).
            Self::Dmf => {
                query.datasets = vec![KUZMIN2018_SUBSET_DATASETS[0].to_owned()];
                query.deletions_only = true;
            }
            _ => {}
        }
        Recipe {
            name: self.as_str(),
            source,
            files,
            query,
            bad_rows,
        }
    }

    /// Where the data came from, in words.
    fn source(self) -> &'static str {
        match self {
            Self::Smf => "Costanzo 2016 SMF, deletions at 30 °C",
            Self::Dmf => "Kuzmin 2018 subset, double mutants (hoΔ dropped)",
            Self::Emap => "Collins 2007 E-MAP S-scores",
            Self::Ssl => "Tong 2004 SGA tested pairs (negatives kept)",
            Self::Environments => {
                "Qian 2012 (6 media) and Costanzo 2021 (14 conditions), YeastPhenome"
            }
            Self::Upr => "Jonikas 2009 ER E-MAP UPR reporter, singles and doubles",
            Self::Epsilon => "Costanzo 2016 ε, DCell's GO:0006281 and GO:0000790 subtrees",
            Self::Chemogenomics => "Hoepfner 2014 HOP z-scores, 132 compounds",
        }
    }
}

/// The data directory's screens, and what every task shares.
pub struct Screens<'r> {
    data: &'r DataDir,
    reference: &'r Reference,
    smf_by_gene: HashMap<SystematicName, f64>,
}

impl<'r> Screens<'r> {
    /// Builds (or finds built) Costanzo 2016's single mutants, which several tasks use.
    pub fn new(data: &'r DataDir, reference: &'r Reference) -> Result<Self> {
        let mut screens = Self {
            data,
            reference,
            smf_by_gene: HashMap::new(),
        };
        let smf = screens.task(AccuracyTask::Smf)?;
        screens.smf_by_gene = smf
            .rows
            .iter()
            .map(|r| (smf.genes[r.genes[0]].clone(), r.y))
            .collect();
        Ok(screens)
    }

    /// The task's instances.
    pub fn task(&self, name: AccuracyTask) -> Result<Task> {
        let cached = cached::dataset(self.data, self.reference, &name.recipe())?;
        let (mut task, members) = self.rows(name, &cached);
        if name == AccuracyTask::Epsilon {
            task.published = self.published(&cached, &members)?;
        }
        Ok(task)
    }

    /// DCell's own split of each subtree (its training and testing files, which the rows'
    /// datasets name) with the subtree's topology; `members` are each row's instances.
    fn published(&self, cached: &Cached, members: &[Vec<usize>]) -> Result<Vec<PublishedSplit>> {
        let dataset_of = |file: &str| {
            let name = file.rsplit('/').next().unwrap_or(file);
            dcell_epsilon::file_part(name)
                .map(|(term, part)| dcell_epsilon::dataset(&term, part))
                .ok_or_else(|| Error::Input(format!("{file}: not a DCell data file name")))
        };
        // A pair in several files is one instance whose dataset joins their names with `+`.
        let in_dataset = |row: &[usize], dataset: &str| {
            row.iter().any(|&i| {
                let d = usize::from(cached.instances.source(i).0);
                cached.manifest.datasets[d].split('+').any(|n| n == dataset)
            })
        };
        let mut published = Vec::new();
        for [training, testing, topology] in SUBTREES {
            let (training, testing) = (dataset_of(training)?, dataset_of(testing)?);
            let path = self.data.file(topology)?;
            let terms = dcell_epsilon::read_topology(open_maybe_gzip(&path)?, topology)?;
            let ontology = ontology::from_topology(&terms, &path)?;
            let name = format!(
                "dcell_{}",
                ontology.subsystems.last().map_or("", |s| s.name.as_str())
            )
            .replace("GO:", "go");
            let rows = |dataset: &str| -> Vec<usize> {
                (0..members.len())
                    .filter(|&r| in_dataset(&members[r], dataset))
                    .collect()
            };
            published.push(PublishedSplit {
                name,
                train: rows(&training),
                test: rows(&testing),
                ontology: Some(ontology),
            });
        }
        Ok(published)
    }

    /// One row per set of genes and environment: the mean of their genotypes' labels, and for
    /// calls, positive when any genotype was called. Genes and environments are numbered in
    /// name order. Beside the task, each row's instances.
    fn rows(&self, name: AccuracyTask, cached: &Cached) -> (Task, Vec<Vec<usize>>) {
        let (manifest, instances) = (&cached.manifest, &cached.instances);
        let environments = manifest.environment_names();
        let environment_name = |i: usize| {
            let e = usize::from(instances.source(i).1);
            environments.get(e).cloned().unwrap_or_default()
        };
        let mut genes: BTreeMap<&SystematicName, usize> = (0..instances.len())
            .flat_map(|i| instances.genes(i).iter())
            .map(|&g| (&manifest.genes[g as usize], 0))
            .collect();
        for (i, v) in genes.values_mut().enumerate() {
            *v = i;
        }
        let mut environment_index: BTreeMap<String, usize> = (0..instances.len())
            .map(|i| (environment_name(i), 0))
            .collect();
        for (i, v) in environment_index.values_mut().enumerate() {
            *v = i;
        }
        let mut merged: BTreeMap<(Vec<usize>, usize), (f64, Vec<usize>)> = BTreeMap::new();
        for i in 0..instances.len() {
            let value = f64::from(instances.label(0, i).value);
            if value.is_nan() {
                continue;
            }
            let mut g: Vec<usize> = instances
                .genes(i)
                .iter()
                .map(|&g| genes[&manifest.genes[g as usize]])
                .collect();
            g.sort_unstable();
            let e = merged
                .entry((g, environment_index[&environment_name(i)]))
                .or_default();
            if name.is_classification() {
                e.0 = e.0.max(f64::from(u8::from(value > 0.0)));
            } else {
                e.0 += value;
            }
            e.1.push(i);
        }
        let (rows, members) = merged
            .into_iter()
            .map(|((genes, environment), (sum, members))| {
                let y = if name.is_classification() {
                    sum
                } else {
                    sum / members.len() as f64
                };
                (
                    Row {
                        genes,
                        environment,
                        y,
                    },
                    members,
                )
            })
            .unzip();
        let genes: Vec<SystematicName> = genes.into_keys().cloned().collect();
        let task = Task {
            name,
            source: name.source().to_owned(),
            smf: genes
                .iter()
                .map(|g| self.smf_by_gene.get(g).copied())
                .collect(),
            genes,
            environments: environment_index.into_keys().collect(),
            rows,
            published: vec![],
            label: manifest.query.labels[0],
            dataset: Some((cached.dir.clone(), cached.built)),
        };
        (task, members)
    }
}
