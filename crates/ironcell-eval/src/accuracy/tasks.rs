//! The tasks of `bench accuracy`, read from the data directory's `yeast-screens/` with the
//! readers `ingest` uses and the label aggregation `dataset build` uses (mean over repeated
//! measurements of one genotype in one environment). No store round trip: the benchmark is
//! about models, and it must run from a fresh clone in minutes.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    fs::File,
    io::BufReader,
};

use super::{AccuracyTask, Result};
use crate::Error;
use ironcell_core::{Experiment, PhenotypeKind, SystematicName};
use ironcell_data::{
    labels::{aggregate, LabelPolicy},
    ontology::{self, DcellOntology},
    screens,
};
use ironcell_sources::{
    collins2007, costanzo2016,
    data_dir::DataDir,
    dcell_epsilon, hoepfner2014, jonikas2009, kuzmin2018,
    names::GeneNames,
    open_maybe_gzip,
    reference::Reference,
    report::{collect, BadRows, RecordReader},
    tong2004, yeastphenome,
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

/// The data directory's screens, and what every task shares.
pub struct Screens<'r> {
    data: &'r DataDir,
    names: GeneNames,
    essential: HashSet<SystematicName>,
    smf_experiments: Vec<Experiment>,
    smf_by_gene: HashMap<SystematicName, f64>,
}

fn open(data: &DataDir, file: &str) -> Result<Box<dyn std::io::BufRead>> {
    Ok(Box::new(open_maybe_gzip(&data.file(file)?)?))
}

fn read<R: RecordReader>(reader: R, policy: BadRows) -> Result<Vec<R::Record>> {
    Ok(collect(reader, policy)?.0)
}

impl<'r> Screens<'r> {
    /// Reads Costanzo 2016's single mutants, which several tasks use.
    pub fn new(data: &'r DataDir, reference: &Reference) -> Result<Self> {
        let path = data.file(SMF)?;
        let file = File::open(&path)
            .map_err(|e| Error::Input(format!("opening {}: {e}", path.display())))?;
        let reader =
            costanzo2016::smf::Reader::new(BufReader::new(file), &path.display().to_string())?;
        let (smf_experiments, _) = screens::costanzo_smf(&read(reader, BadRows::Fail)?, 30);
        let mut sums: HashMap<SystematicName, (f64, usize)> = HashMap::new();
        for ((alleles, _), a) in
            aggregate(&smf_experiments, PhenotypeKind::Fitness, &LabelPolicy::Mean)
                .map_err(Error::Input)?
        {
            let e = sums.entry(alleles[0].0.clone()).or_default();
            e.0 += a.value;
            e.1 += 1;
        }
        Ok(Self {
            data,
            names: GeneNames::new(&reference.genes),
            essential: reference.essential_genes(),
            smf_by_gene: sums
                .into_iter()
                .map(|(g, (s, n))| (g, s / n as f64))
                .collect(),
            smf_experiments,
        })
    }

    /// The task's instances.
    pub fn task(&self, name: AccuracyTask) -> Result<Task> {
        let data = self.data;
        let (experiments, kind, source) = match name {
            AccuracyTask::Smf => (
                self.smf_experiments.clone(),
                PhenotypeKind::Fitness,
                "Costanzo 2016 SMF, deletions at 30 °C",
            ),
            AccuracyTask::Dmf => {
                let reader = kuzmin2018::Reader::new(open(data, KUZMIN)?, "unique_triples.tsv.gz")?;
                let (experiments, _) = screens::kuzmin(&read(reader, BadRows::Fail)?);
                let doubles = experiments
                    .into_iter()
                    .filter(|e| e.genotype.len() == 2)
                    .collect();
                (
                    doubles,
                    PhenotypeKind::Fitness,
                    "Kuzmin 2018 subset, double mutants (hoΔ dropped)",
                )
            }
            AccuracyTask::Emap => {
                let reader = collins2007::Reader::new(open(data, EMAP)?, "sscores.tsv.gz")?;
                (
                    read(reader, BadRows::Fail)?
                        .iter()
                        .map(collins2007::Record::experiment)
                        .collect(),
                    PhenotypeKind::EmapScore,
                    "Collins 2007 E-MAP S-scores",
                )
            }
            AccuracyTask::Ssl => {
                let reader = tong2004::PairReader::new(open(data, SGA)?, "tested_pairs.tsv.gz")?;
                (
                    read(reader, BadRows::Fail)?
                        .iter()
                        .map(tong2004::TestedPair::experiment)
                        .collect(),
                    PhenotypeKind::SyntheticLethality,
                    "Tong 2004 SGA tested pairs (negatives kept)",
                )
            }
            AccuracyTask::Environments => {
                let mut experiments = Vec::new();
                for (pmid, file) in [(23103169, QIAN), (33958448, COSTANZO2021)] {
                    let reader = yeastphenome::Reader::new(open(data, file)?, file, pmid)?;
                    let conditions = reader.conditions().to_vec();
                    let dataset = reader.dataset();
                    for r in read(reader, BadRows::Fail)? {
                        experiments.extend(yeastphenome::experiments(
                            &r,
                            &conditions,
                            pmid,
                            &dataset,
                        ));
                    }
                }
                (
                    experiments,
                    PhenotypeKind::Fitness,
                    "Qian 2012 (6 media) and Costanzo 2021 (14 conditions), YeastPhenome",
                )
            }
            AccuracyTask::Epsilon => return self.epsilon(),
            AccuracyTask::Chemogenomics => {
                let reader = hoepfner2014::Reader::new(open(data, HOP)?, HOP)?;
                let compounds = reader.compounds().to_vec();
                (
                    read(reader, BadRows::Fail)?
                        .iter()
                        .flat_map(|r| r.experiments(&compounds))
                        .collect(),
                    PhenotypeKind::ChemogenomicScore,
                    "Hoepfner 2014 HOP z-scores, 132 compounds",
                )
            }
            AccuracyTask::Upr => {
                let doubles = jonikas2009::DoubleReader::new(
                    open(data, UPR_DOUBLES)?,
                    "double_mutants.tsv.gz",
                    &self.names,
                    &self.essential,
                )?;
                let singles = jonikas2009::SingleReader::new(
                    open(data, UPR_SINGLES)?,
                    "singles.tsv",
                    &self.names,
                    &self.essential,
                )?;
                // Unmapped strain names (LEU2C, *BMA, …) are left out, as ingest
                // --skip-bad-rows lists them.
                let mut records = read(doubles, BadRows::Skip)?;
                records.extend(read(singles, BadRows::Skip)?);
                (
                    records
                        .iter()
                        .map(jonikas2009::Record::experiment)
                        .collect(),
                    PhenotypeKind::Reporter,
                    "Jonikas 2009 ER E-MAP UPR reporter, singles and doubles",
                )
            }
        };
        self.label(name, source, &experiments, kind)
    }

    /// DCell's ε pairs of both subtrees as one task, and each subtree's own split with its
    /// topology.
    fn epsilon(&self) -> Result<Task> {
        let mut experiments = Vec::new();
        // Per subtree: the (genes, training?) of every pair its files hold.
        let mut parts = Vec::new();
        for [training, testing, topology] in SUBTREES {
            let mut pairs = Vec::new();
            for (file, train) in [(training, true), (testing, false)] {
                let (term, part) = dcell_epsilon::file_part(
                    file.rsplit('/').next().unwrap_or(file),
                )
                .ok_or_else(|| Error::Input(format!("{file}: not a DCell data file name")))?;
                let dataset = dcell_epsilon::dataset(&term, part);
                let reader =
                    dcell_epsilon::Reader::new(open(self.data, file)?, file, &self.essential);
                for r in read(reader, BadRows::Fail)? {
                    pairs.push((r.genotype.genes().cloned().collect::<Vec<_>>(), train));
                    experiments.push(r.experiment(&dataset));
                }
            }
            let path = self.data.file(topology)?;
            let terms = dcell_epsilon::read_topology(open_maybe_gzip(&path)?, topology)?;
            let ontology = ontology::from_topology(&terms, &path)?;
            let name = format!(
                "dcell_{}",
                ontology.subsystems.last().map_or("", |s| s.name.as_str())
            )
            .replace("GO:", "go");
            parts.push((name, pairs, ontology));
        }
        let mut task = self.label(
            AccuracyTask::Epsilon,
            "Costanzo 2016 ε, DCell's GO:0006281 and GO:0000790 subtrees",
            &experiments,
            PhenotypeKind::GeneInteraction,
        )?;
        let index: HashMap<&SystematicName, usize> =
            task.genes.iter().enumerate().map(|(i, g)| (g, i)).collect();
        let rows: HashMap<Vec<usize>, usize> = task
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.genes.clone(), i))
            .collect();
        let mut published = Vec::new();
        for (name, pairs, ontology) in parts {
            let (mut train, mut test) = (Vec::new(), Vec::new());
            for (genes, is_train) in pairs {
                let mut key: Vec<usize> = genes.iter().map(|g| index[g]).collect();
                key.sort_unstable();
                let row = rows[&key];
                if is_train { &mut train } else { &mut test }.push(row);
            }
            for part in [&mut train, &mut test] {
                part.sort_unstable();
                part.dedup();
            }
            published.push(PublishedSplit {
                name,
                train,
                test,
                ontology: Some(ontology),
            });
        }
        task.published = published;
        Ok(task)
    }

    fn label(
        &self,
        name: AccuracyTask,
        source: &str,
        experiments: &[Experiment],
        kind: PhenotypeKind,
    ) -> Result<Task> {
        let groups = aggregate(experiments, kind, &LabelPolicy::Mean).map_err(Error::Input)?;
        let mut genes: BTreeMap<&SystematicName, usize> = groups
            .keys()
            .flat_map(|(alleles, _)| alleles.iter().map(|a| (a.0, 0)))
            .collect();
        for (i, v) in genes.values_mut().enumerate() {
            *v = i;
        }
        let mut environments: BTreeMap<String, usize> = groups
            .values()
            .map(|a| (a.environment.to_string(), 0))
            .collect();
        for (i, v) in environments.values_mut().enumerate() {
            *v = i;
        }
        // Gene features cannot tell two alleles (or two strains: a NatMX query and its KanMX
        // array twin) of one gene apart, so instances are per genes and environment: the mean
        // of their genotypes' labels, and for calls, positive when any genotype was called.
        let mut merged: BTreeMap<(Vec<usize>, usize), (f64, usize)> = BTreeMap::new();
        for ((alleles, _), a) in &groups {
            let mut g: Vec<usize> = alleles.iter().map(|x| genes[x.0]).collect();
            g.sort_unstable();
            let e = merged
                .entry((g, environments[&a.environment.to_string()]))
                .or_default();
            if name.is_classification() {
                e.0 = e.0.max(f64::from(u8::from(a.value > 0.0)));
            } else {
                e.0 += a.value;
            }
            e.1 += 1;
        }
        let rows = merged
            .into_iter()
            .map(|((genes, environment), (sum, n))| Row {
                genes,
                environment,
                y: if name.is_classification() {
                    sum
                } else {
                    sum / n as f64
                },
            })
            .collect();
        let genes: Vec<SystematicName> = genes.into_keys().cloned().collect();
        Ok(Task {
            name,
            source: source.to_owned(),
            smf: genes
                .iter()
                .map(|g| self.smf_by_gene.get(g).copied())
                .collect(),
            genes,
            environments: environments.into_keys().collect(),
            rows,
            published: vec![],
            label: kind,
        })
    }
}
