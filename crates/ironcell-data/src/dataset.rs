//! `dataset build`: a knowledge-graph query turned into a training set on disk.
//!
//! A dataset directory holds `instances.arrow` (see [`crate::instances`]), `splits.arrow`
//! (one `uint8` column per split: 0 train, 1 validation, 2 test, 255 left out) and
//! `manifest.json` (the query, the label policy, the gene universe, datasets, environments,
//! counts, split sizes with their leakage checks, and the sha256 of both files).

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    fs::File,
    io::{self, BufReader, BufWriter},
    path::{Path, PathBuf},
    sync::Arc,
};

use arrow_array::{RecordBatch, UInt8Array};
use arrow_ipc::writer::FileWriter;
use arrow_schema::{DataType, Field, Schema};
use ironcell_core::{Environment, PhenotypeKind, SystematicName};
use ironcell_kg::{GraphStore, Selection};
use serde::{Deserialize, Serialize};

use crate::{
    instances::{decoding, mapped_batches, InstanceWriter, Instances, LabelValue},
    labels::LabelPolicy,
    rows::Rows,
    split::{
        gene_disjoint_split, held_out_environment, held_out_environment_split,
        held_out_genes_split, query_disjoint_split, random_split, Overlap, Split, SplitFractions,
        SplitName,
    },
    Error,
};

/// What to build: the query, the labels and how repeated measurements combine (the
/// `--select` TOML file).
///
/// ```
/// let q: ironcell_data::dataset::DatasetQuery = toml::from_str(r#"
/// datasets = ["costanzo2016_smf", "kuzmin2018_dmf"]
/// labels = ["fitness", "gene_interaction"]
/// temperature_c = 30
/// max_perturbations = 3
/// policy = "mean"
/// [split]
/// seed = 7
/// "#)?;
/// assert_eq!(q.split.test, 0.2);
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetQuery {
    /// Datasets to read; empty means all.
    #[serde(default)]
    pub datasets: Vec<String>,
    /// Labels to build, one column group each.
    pub labels: Vec<PhenotypeKind>,
    /// Only this temperature.
    #[serde(default)]
    pub temperature_c: Option<i32>,
    /// Only genotypes with at most this many perturbations.
    #[serde(default)]
    pub max_perturbations: Option<usize>,
    /// Only genotypes of full deletions (DAmP, temperature-sensitive and other alleles left
    /// out).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deletions_only: bool,
    /// `mean`, `inverse_variance` or `precedence:A>B@30>…`.
    #[serde(default = "default_policy")]
    pub policy: String,
    /// How the splits are drawn.
    #[serde(default)]
    pub split: SplitConfig,
    /// Held-out genes of a user-defined gene-disjoint split, saved as split `test_genes`
    /// (`dataset build --test-genes FILE`); genes outside the dataset are ignored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test_genes: Vec<SystematicName>,
}

fn default_policy() -> String {
    "mean".to_owned()
}

impl DatasetQuery {
    /// `labels` of `datasets` with no filter, the default policy and split: what a query
    /// file naming only these two gives.
    pub fn new(datasets: Vec<String>, labels: Vec<PhenotypeKind>) -> Self {
        Self {
            datasets,
            labels,
            temperature_c: None,
            max_perturbations: None,
            deletions_only: false,
            policy: default_policy(),
            split: SplitConfig::default(),
            test_genes: vec![],
        }
    }
}

/// Split seed and fractions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SplitConfig {
    /// Seed of every split.
    pub seed: u64,
    /// Validation fraction.
    pub validation: f64,
    /// Test fraction.
    pub test: f64,
}

impl Default for SplitConfig {
    fn default() -> Self {
        let f = SplitFractions::default();
        Self {
            seed: 0,
            validation: f.validation,
            test: f.test,
        }
    }
}

/// Sizes of one split and its leakage check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitSummary {
    /// Training instances.
    pub train: usize,
    /// Validation instances.
    pub validation: usize,
    /// Test instances.
    pub test: usize,
    /// Instances in no part (gene-disjoint: genes straddling parts).
    pub left_out: usize,
    /// Genes of test instances also in training instances: 0 under `gene_disjoint_all` and
    /// `test_genes_all`; under the `_any` splits, the training partners of held-out genes.
    pub test_genes_seen_in_training: usize,
    /// Test instances' query strains whose genes a training instance holds all together
    /// (query-disjoint split only, where it must be 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_queries_seen_in_training: Option<usize>,
    /// The environment held out (`held_out_environment` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_out: Option<String>,
}

/// What was built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The query.
    pub query: DatasetQuery,
    /// Label column groups, in order.
    pub labels: Vec<String>,
    /// The gene universe: `genes` indices point here.
    pub genes: Vec<SystematicName>,
    /// Dataset ids (a `+`-joined name when one label combined several).
    pub datasets: Vec<String>,
    /// Environment ids.
    pub environments: Vec<Environment>,
    /// Instances.
    pub instances: u64,
    /// Instances by number of perturbed genes.
    pub by_size: BTreeMap<usize, u64>,
    /// Splits by name.
    pub splits: BTreeMap<String, SplitSummary>,
    /// sha256 of `instances.arrow` and `splits.arrow`.
    pub sha256: BTreeMap<String, String>,
}

impl Manifest {
    /// The environments as models know them: by name (`YEPD 30 °C`), in id order.
    pub fn environment_names(&self) -> Vec<String> {
        self.environments.iter().map(ToString::to_string).collect()
    }
}

fn sha256_file(path: &Path) -> Result<String, Error> {
    ironcell_sources::sha256_file(path).map_err(|e| Error::io(path, e))
}

/// Random split stratified by (genotype size, dataset): each stratum split alone, so every
/// part has the same mix.
fn stratified_split(strata: &[(usize, u16)], config: SplitConfig) -> Split {
    let fractions = SplitFractions {
        validation: config.validation,
        test: config.test,
    };
    let mut groups: BTreeMap<(usize, u16), Vec<usize>> = BTreeMap::new();
    for (i, s) in strata.iter().enumerate() {
        groups.entry(*s).or_default().push(i);
    }
    let mut split = Split::default();
    for (k, members) in groups.values().enumerate() {
        let s = random_split(members.len(), fractions, config.seed.wrapping_add(k as u64));
        split.train.extend(s.train.iter().map(|&i| members[i]));
        split
            .validation
            .extend(s.validation.iter().map(|&i| members[i]));
        split.test.extend(s.test.iter().map(|&i| members[i]));
    }
    for part in [&mut split.train, &mut split.validation, &mut split.test] {
        part.sort_unstable();
    }
    split
}

fn summary(split: &Split, table: &Table) -> SplitSummary {
    let of = |part: &[usize]| -> BTreeSet<u32> {
        part.iter()
            .flat_map(|&i| table.genes(i).iter().copied())
            .collect()
    };
    let train = of(&split.train);
    SplitSummary {
        train: split.train.len(),
        validation: split.validation.len(),
        test: split.test.len(),
        left_out: split.dropped,
        test_genes_seen_in_training: of(&split.test).intersection(&train).count(),
        test_queries_seen_in_training: None,
        held_out: None,
    }
}

/// Test queries (of `table`'s query list) whose genes some training instance holds.
fn queries_seen_in_training(split: &Split, table: &Table) -> usize {
    let test: BTreeSet<usize> = split.test.iter().copied().collect();
    let test_queries: BTreeSet<&Vec<usize>> = table
        .queries
        .iter()
        .filter(|(i, _)| test.contains(i))
        .map(|(_, q)| q)
        .collect();
    let mut by_gene: BTreeMap<u32, Vec<&Vec<usize>>> = BTreeMap::new();
    for q in &test_queries {
        by_gene.entry(q[0] as u32).or_default().push(q);
    }
    let mut seen = BTreeSet::new();
    for &i in &split.train {
        let genes = table.genes(i);
        for q in genes.iter().filter_map(|g| by_gene.get(g)).flatten() {
            if q.iter().all(|&g| genes.contains(&(g as u32))) {
                seen.insert(*q);
            }
        }
    }
    seen.len()
}

fn write_splits(path: &Path, n: usize, splits: &[(&str, &Split)]) -> Result<(), Error> {
    let fields: Vec<Field> = splits
        .iter()
        .map(|(name, _)| Field::new(*name, DataType::UInt8, false))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let columns = splits
        .iter()
        .map(|(_, s)| {
            let mut part = vec![255u8; n];
            for (code, members) in [(0u8, &s.train), (1, &s.validation), (2, &s.test)] {
                for &i in members {
                    part[i] = code;
                }
            }
            Arc::new(UInt8Array::from(part)) as _
        })
        .collect();
    let batch =
        RecordBatch::try_new(Arc::clone(&schema), columns).map_err(|e| Error::arrow(path, e))?;
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w =
        FileWriter::try_new(BufWriter::new(file), &schema).map_err(|e| Error::arrow(path, e))?;
    w.write(&batch).map_err(|e| Error::arrow(path, e))?;
    w.finish().map_err(|e| Error::arrow(path, e))
}

/// Reads split `name` of `splits.arrow` back into index lists.
pub fn read_split(path: &Path, name: SplitName) -> Result<Split, Error> {
    decoding(path, || decode_split(path, name))
}

fn decode_split(path: &Path, name: SplitName) -> Result<Split, Error> {
    let name = name.as_str();
    let (_, batches) = mapped_batches(path)?;
    let mut split = Split::default();
    let mut offset = 0;
    for batch in batches {
        let column = batch
            .column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<UInt8Array>())
            .ok_or_else(|| {
                let has: Vec<&str> = batch
                    .schema_ref()
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect();
                Error::format(
                    path,
                    format!(
                        "this dataset has no `{name}` split (it has {})",
                        has.join(", ")
                    ),
                )
            })?;
        for (i, code) in column.values().iter().enumerate() {
            match code {
                0 => split.train.push(offset + i),
                1 => split.validation.push(offset + i),
                2 => split.test.push(offset + i),
                _ => split.dropped += 1,
            }
        }
        offset += batch.num_rows();
    }
    Ok(split)
}

/// Reads a dataset directory's `manifest.json`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
    let path = dir.join(MANIFEST);
    let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
    let manifest: Manifest = serde_json::from_reader(BufReader::new(file))
        .map_err(|e| Error::format(&path, e.to_string()))?;
    // Every file the manifest describes is the one it was built with: a byte flipped, a file
    // replaced, or a rebuild killed midway is caught here, not as wrong numbers later.
    for file in [INSTANCES, SPLITS] {
        let Some(recorded) = manifest.sha256.get(file) else {
            return Err(Error::format(
                &path,
                format!("no sha256 of {file}: rebuild the dataset with `ironcell dataset build`"),
            ));
        };
        let found = sha256_file(&dir.join(file))?;
        if &found != recorded {
            return Err(Error::format(
                &dir.join(file),
                format!(
                    "sha256 {found} is not the {recorded} its manifest recorded: the file changed \
                     after the dataset was built; rebuild it with `ironcell dataset build`"
                ),
            ));
        }
    }
    Ok(manifest)
}

/// The dataset in `dir`: its manifest (files verified against their sha256) and its
/// instances, every gene, dataset and environment index checked against the manifest.
pub fn open(dir: &Path) -> Result<(Manifest, Instances), Error> {
    let manifest = read_manifest(dir)?;
    let path = dir.join(INSTANCES);
    let instances = Instances::open(&path)?;
    if instances.len() as u64 != manifest.instances {
        return Err(Error::format(
            &path,
            format!(
                "{} instances where the manifest counts {}",
                instances.len(),
                manifest.instances
            ),
        ));
    }
    let (genes, datasets) = (manifest.genes.len(), manifest.datasets.len());
    let environments = manifest.environments.len().max(1);
    for i in 0..instances.len() {
        let (dataset, environment) = instances.source(i);
        let bad_gene = instances.genes(i).iter().find(|&&g| g as usize >= genes);
        if bad_gene.is_some()
            || usize::from(dataset) >= datasets
            || usize::from(environment) >= environments
        {
            return Err(Error::format(
                &path,
                format!(
                    "instance {i} refers to gene {bad_gene:?}, dataset {dataset}, environment {environment}, \
                     beyond the manifest's {genes} genes, {datasets} datasets and {environments} environments"
                ),
            ));
        }
    }
    Ok((manifest, instances))
}

/// A dataset directory's files.
const INSTANCES: &str = "instances.arrow";
const SPLITS: &str = "splits.arrow";
const MANIFEST: &str = "manifest.json";

/// Where a file is written before it is renamed into place, so that no reader ever opens a
/// half-written one.
fn staged(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    path.with_file_name(name)
}

/// Moves a staged file into place.
fn commit(path: &Path) -> Result<(), Error> {
    std::fs::rename(staged(path), path).map_err(|e| Error::io(path, e))
}

/// Builds the dataset `query` selects from `store` into `out`.
pub fn build(store: &dyn GraphStore, query: &DatasetQuery, out: &Path) -> Result<Manifest, Error> {
    let (validation, test) = (query.split.validation, query.split.test);
    let fraction = |f: f64| f.is_finite() && (0.0..1.0).contains(&f);
    if !fraction(validation) || !fraction(test) || validation + test >= 1.0 {
        return Err(Error::format(
            out,
            format!(
                "split fractions validation {validation} and test {test}: each must be in [0, 1) \
                 and their sum below 1, leaving rows to train on"
            ),
        ));
    }
    let policy: LabelPolicy = query
        .policy
        .parse()
        .map_err(|m: String| Error::format(out, m))?;
    if query.labels.is_empty() {
        return Err(Error::format(out, "the query names no labels"));
    }
    let selection = Selection {
        datasets: query.datasets.clone(),
        temperature_c: query.temperature_c,
        max_perturbations: query.max_perturbations,
        deletions_only: query.deletions_only,
        ..Selection::default()
    };
    // Streamed: each experiment is reduced to what the labels need as it comes.
    let mut kept = Rows::new(&query.labels, &policy);
    let mut refused = None;
    store
        .scan_selection(&selection, &mut |e| {
            if refused.is_none() {
                refused = kept.push(&e).err();
            }
        })
        .map_err(|e| Error::format(out, format!("querying the knowledge graph: {e}")))?;
    if let Some(m) = refused.or_else(|| kept.check().err()) {
        return Err(Error::format(out, m));
    }
    // A dataset the store does not hold is a typo, not an empty selection.
    let missing: Vec<&String> = query
        .datasets
        .iter()
        .filter(|d| !kept.has_dataset(d))
        .collect();
    if !missing.is_empty() {
        let held: BTreeSet<String> = store
            .stats()
            .map(|s| s.experiments.into_keys().map(|(d, _, _)| d).collect())
            .unwrap_or_default();
        return Err(Error::format(
            out,
            format!(
                "no experiments of {missing:?} in the knowledge graph (under the query's filters); it holds {held:?}"
            ),
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;

    // One row per genotype (and environment, except under precedence), labels side by side.
    let genes = kept.genes();
    let gene_index: HashMap<&SystematicName, u32> = genes
        .iter()
        .enumerate()
        .map(|(i, g)| (g, i as u32))
        .collect();
    let mut table = Table::new(query.labels.len());
    let mut datasets: Vec<String> = Vec::new();
    let mut environments: Vec<Environment> = Vec::new();
    kept.finish(&mut |row| -> Result<(), Error> {
        let d = id_of(&mut datasets, row.datasets, "datasets", out)?;
        let e = id_of(
            &mut environments,
            row.environment.clone(),
            "environments",
            out,
        )?;
        for q in &row.queries {
            table.push_query(table.len(), q.iter().map(|g| gene_index[g]));
        }
        table.push(row.genes.iter().map(|g| gene_index[g]), d, e, &row.values);
        Ok(())
    })?;
    let labels = query.labels.iter().map(|k| k.as_str().to_owned()).collect();
    write(
        out,
        query.clone(),
        labels,
        genes,
        datasets,
        environments,
        &table,
    )
}

fn id_of<T: PartialEq>(list: &mut Vec<T>, item: T, what: &str, out: &Path) -> Result<u16, Error> {
    let i = match list.iter().position(|x| *x == item) {
        Some(i) => i,
        None => {
            list.push(item);
            list.len() - 1
        }
    };
    u16::try_from(i).map_err(|_| Error::format(out, format!("more than 65,536 {what}")))
}

/// Instances held flat before writing (12 bytes per label and instance, genes in one
/// array), so 2e7 of them fit in a few GB.
#[derive(Debug, Clone, Default)]
pub struct Table {
    offsets: Vec<u64>,
    genes: Vec<u32>,
    dataset: Vec<u16>,
    environment: Vec<u16>,
    labels: Vec<LabelValue>,
    n_labels: usize,
    /// `(instance, its query's genes)`, only for instances from multi-gene query strains.
    queries: Vec<(usize, Vec<usize>)>,
}

impl Table {
    /// An empty table with `n_labels` labels per instance.
    pub fn new(n_labels: usize) -> Self {
        Self {
            offsets: vec![0],
            n_labels,
            ..Self::default()
        }
    }

    /// Appends an instance.
    pub fn push(
        &mut self,
        genes: impl IntoIterator<Item = u32>,
        dataset: u16,
        environment: u16,
        labels: &[LabelValue],
    ) {
        assert_eq!(labels.len(), self.n_labels, "one value per label");
        self.genes.extend(genes);
        self.offsets.push(self.genes.len() as u64);
        self.dataset.push(dataset);
        self.environment.push(environment);
        self.labels.extend_from_slice(labels);
    }

    /// Records that instance `i` was made from a multi-gene query strain with `genes`, for
    /// the query-disjoint split.
    pub fn push_query(&mut self, i: usize, genes: impl IntoIterator<Item = u32>) {
        let mut genes: Vec<usize> = genes.into_iter().map(|g| g as usize).collect();
        genes.sort_unstable();
        self.queries.push((i, genes));
    }

    /// Number of instances.
    pub fn len(&self) -> usize {
        self.dataset.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.dataset.is_empty()
    }

    fn genes(&self, i: usize) -> &[u32] {
        &self.genes[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// Writes a dataset directory from a table: instances, splits and manifest.
pub fn write(
    out: &Path,
    query: DatasetQuery,
    labels: Vec<String>,
    genes: Vec<SystematicName>,
    datasets: Vec<String>,
    environments: Vec<Environment>,
    table: &Table,
) -> Result<Manifest, Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    // Rebuilding in place: the old manifest goes first and the new one comes last, each file
    // written under a staged name and renamed, so a build killed at any point leaves either
    // no manifest (not a dataset) or files that match theirs.
    match std::fs::remove_file(out.join(MANIFEST)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(Error::io(out, e)),
        _ => {}
    }
    let instances_path = out.join(INSTANCES);
    let mut writer = InstanceWriter::create(&staged(&instances_path), &labels)?;
    let mut by_size: BTreeMap<usize, u64> = BTreeMap::new();
    let mut strata = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let g = table.genes(i);
        let row = &table.labels[i * table.n_labels..(i + 1) * table.n_labels];
        writer.push(g, table.dataset[i], table.environment[i], row)?;
        *by_size.entry(g.len()).or_default() += 1;
        strata.push((g.len(), table.dataset[i]));
    }
    let n = writer.finish()?;
    commit(&instances_path)?;

    let random = stratified_split(&strata, query.split);
    drop(strata);
    let fractions = SplitFractions {
        validation: query.split.validation,
        test: query.split.test,
    };
    let genes_of = |i: usize| table.genes(i).iter().map(|&g| g as usize);
    let disjoint = |overlap| {
        gene_disjoint_split(
            table.len(),
            genes_of,
            genes.len(),
            fractions,
            overlap,
            query.split.seed,
        )
    };
    let mut splits = vec![
        (SplitName::Random, random),
        (SplitName::GeneDisjointAny, disjoint(Overlap::Any)),
        (SplitName::GeneDisjointAll, disjoint(Overlap::All)),
    ];
    let held_environment = held_out_environment(environments.len(), query.split.seed);
    let held_name = environments.get(held_environment).map(ToString::to_string);
    if environments.len() > 1 {
        splits.push((
            SplitName::HeldOutEnvironment,
            held_out_environment_split(
                table.len(),
                |i| usize::from(table.environment[i]),
                held_environment,
                query.split.validation,
                query.split.seed,
            ),
        ));
    }
    if !table.queries.is_empty() {
        splits.push((
            SplitName::QueryDisjoint,
            query_disjoint_split(
                table.len(),
                |i| table.genes(i).iter().map(|&g| g as usize),
                &table.queries,
                fractions,
                query.split.seed,
            ),
        ));
    }
    if !query.test_genes.is_empty() {
        let held_out: Vec<usize> = query
            .test_genes
            .iter()
            .filter_map(|g| genes.binary_search(g).ok())
            .collect();
        for (name, overlap) in [
            (SplitName::TestGenesAny, Overlap::Any),
            (SplitName::TestGenesAll, Overlap::All),
        ] {
            splits.push((
                name,
                held_out_genes_split(
                    table.len(),
                    genes_of,
                    genes.len(),
                    &held_out,
                    query.split.validation,
                    overlap,
                    query.split.seed,
                ),
            ));
        }
    }
    let splits_path = out.join(SPLITS);
    let named: Vec<(&str, &Split)> = splits.iter().map(|(n, s)| (n.as_str(), s)).collect();
    write_splits(&staged(&splits_path), table.len(), &named)?;
    commit(&splits_path)?;
    let manifest = Manifest {
        query,
        labels,
        genes,
        datasets,
        environments,
        instances: n,
        by_size,
        splits: splits
            .iter()
            .map(|(name, split)| {
                let mut s = summary(split, table);
                match name {
                    SplitName::QueryDisjoint => {
                        s.test_queries_seen_in_training =
                            Some(queries_seen_in_training(split, table));
                    }
                    SplitName::HeldOutEnvironment => {
                        s.held_out = held_name.clone();
                    }
                    _ => {}
                }
                (name.as_str().to_owned(), s)
            })
            .collect(),
        sha256: [
            (INSTANCES.to_owned(), sha256_file(&instances_path)?),
            (SPLITS.to_owned(), sha256_file(&splits_path)?),
        ]
        .into(),
    };
    let manifest_path = out.join(MANIFEST);
    let file = File::create(staged(&manifest_path)).map_err(|e| Error::io(&manifest_path, e))?;
    let mut writer = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut writer, &manifest)
        .map_err(|e| Error::format(&manifest_path, e.to_string()))?;
    writer
        .into_inner()
        .map_err(|e| Error::io(&manifest_path, e.into_error()))?
        .sync_all()
        .map_err(|e| Error::io(&manifest_path, e))?;
    commit(&manifest_path)?;
    Ok(manifest)
}
