//! The six tasks of `bench accuracy`, read from the screens bundled in `data/screens` with the
//! readers `ingest` uses and the label aggregation `dataset build` uses (mean over repeated
//! measurements of one genotype in one environment). No store round trip: the benchmark is
//! about models, and it must run from a fresh clone in minutes.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    fs::File,
    io::BufReader,
    path::Path,
};

pub use crate::args::AccuracyTask;
use anyhow::{Context, Result};
use ironcell_core::{Experiment, PhenotypeKind, SystematicName};
use ironcell_data::{
    labels::{aggregate, LabelPolicy},
    screens,
};
use ironcell_sources::{
    collins2007, costanzo2016, jonikas2009, kuzmin2018,
    names::GeneNames,
    open_maybe_gzip,
    reference::Reference,
    report::{collect, BadRows, RecordReader},
    tong2004, yeastphenome,
};

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
        }
    }

    /// Whether the label is a 0/1 call scored by AUROC and AUPRC.
    pub fn is_classification(self) -> bool {
        self == Self::Ssl
    }
}

/// One instance: genes (task indices, sorted), environment (index), label.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub genes: Vec<usize>,
    pub environment: usize,
    pub y: f64,
}

/// A task's instances.
pub struct Task {
    pub name: AccuracyTask,
    /// Where the data came from, in words.
    pub source: String,
    pub genes: Vec<SystematicName>,
    /// Environments as `Environment`'s `Display` writes them.
    pub environments: Vec<String>,
    pub rows: Vec<Row>,
    /// Costanzo 2016's single-mutant fitness (30 °C deletions) of each task gene, where
    /// measured: the input of the additive and multiplicative models and the growth features.
    pub smf: Vec<Option<f64>>,
}

/// The bundled screens, and what every task shares.
pub struct Screens<'r> {
    data: &'r Path,
    names: GeneNames,
    essential: HashSet<SystematicName>,
    smf_experiments: Vec<Experiment>,
    smf_by_gene: HashMap<SystematicName, f64>,
}

fn open(data: &Path, file: &str) -> Result<Box<dyn std::io::BufRead>> {
    let path = data.join("screens").join(file);
    Ok(Box::new(open_maybe_gzip(&path).with_context(|| {
        format!("opening {} (bundled with the repository)", path.display())
    })?))
}

fn read<R: RecordReader>(reader: R, policy: BadRows) -> Result<Vec<R::Record>> {
    Ok(collect(reader, policy)?.0)
}

impl<'r> Screens<'r> {
    /// Reads Costanzo 2016's single mutants, which several tasks use.
    pub fn new(data: &'r Path, reference: &Reference) -> Result<Self> {
        let path = data.join("screens/costanzo2016/strain_ids_and_single_mutant_fitness.xlsx");
        let file = File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        let reader =
            costanzo2016::smf::Reader::new(BufReader::new(file), &path.display().to_string())?;
        let (smf_experiments, _) = screens::costanzo_smf(&read(reader, BadRows::Fail)?, 30);
        let mut sums: HashMap<SystematicName, (f64, usize)> = HashMap::new();
        for ((alleles, _), a) in
            aggregate(&smf_experiments, PhenotypeKind::Fitness, &LabelPolicy::Mean)
                .map_err(anyhow::Error::msg)?
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
                let reader = kuzmin2018::Reader::new(
                    open(data, "kuzmin2018-subset/unique_triples.tsv.gz")?,
                    "unique_triples.tsv.gz",
                )?;
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
                let reader = collins2007::Reader::new(
                    open(data, "collins2007-emap/sscores.tsv.gz")?,
                    "sscores.tsv.gz",
                )?;
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
                let reader = tong2004::PairReader::new(
                    open(data, "tong2004-sga/tested_pairs.tsv.gz")?,
                    "tested_pairs.tsv.gz",
                )?;
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
                for (pmid, file) in [
                    (23103169, "qian_zhang_2012_value.txt.gz"),
                    (33958448, "costanzo_andrews_2021_value.txt.gz"),
                ] {
                    let reader = yeastphenome::Reader::new(
                        open(data, &format!("yeastphenome/{pmid}/{file}"))?,
                        file,
                        pmid,
                    )?;
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
            AccuracyTask::Upr => {
                let doubles = jonikas2009::DoubleReader::new(
                    open(data, "jonikas2009-upr-emap/double_mutants.tsv.gz")?,
                    "double_mutants.tsv.gz",
                    &self.names,
                    &self.essential,
                )?;
                let singles = jonikas2009::SingleReader::new(
                    open(data, "jonikas2009-upr-emap/singles.tsv")?,
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

    fn label(
        &self,
        name: AccuracyTask,
        source: &str,
        experiments: &[Experiment],
        kind: PhenotypeKind,
    ) -> Result<Task> {
        let groups =
            aggregate(experiments, kind, &LabelPolicy::Mean).map_err(anyhow::Error::msg)?;
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
        })
    }
}
