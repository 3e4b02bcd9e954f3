//! Command-line flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ironcell_data::{ontology::WidthRule, split::SplitName};
use ironcell_models::predictor::{load_any, ModelCard, Predictor};
use ironcell_sources::{data_dir::DataDir, reference::Reference};

/// Where public data is read from.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// The data directory (yeast-reference/, yeast-screens/, yeast-networks/). Default:
    /// $IRONCELL_DATA, else the user cache that `ironcell fetch` fills (~/.cache/ironcell).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

/// The data directory, and the reference bundle derived from it unless one is given.
#[derive(Debug, Clone, Args)]
pub struct ReferenceArgs {
    #[command(flatten)]
    pub dir: DataArgs,
    /// A reference bundle written by `ironcell reference build`, instead of the one derived
    /// from the data directory's yeast-reference/ (and cached beside it) on first use.
    #[arg(long, value_name = "DIR")]
    pub reference: Option<PathBuf>,
}

impl DataArgs {
    /// The data directory: `--data`, else `$IRONCELL_DATA`, else the user cache.
    pub fn dir(&self) -> DataDir {
        DataDir::resolve(self.data.as_deref())
    }
}

/// A reference and the bundle directory it was read from (saved models record it).
pub struct LoadedReference {
    pub reference: Reference,
    pub dir: PathBuf,
}

impl ReferenceArgs {
    /// The bundle given by `--reference`, else the data directory's, derived on first use
    /// (its counts printed then, on standard error).
    pub fn load(&self) -> anyhow::Result<LoadedReference> {
        if let Some(dir) = &self.reference {
            let reference = Reference::read(dir)?;
            return Ok(LoadedReference {
                reference,
                dir: dir.clone(),
            });
        }
        LoadedReference::derive(&self.dir.dir())
    }
}

impl LoadedReference {
    /// The data directory's reference, derived on first use (its counts printed then, on
    /// standard error).
    pub fn derive(data: &DataDir) -> anyhow::Result<Self> {
        let derived = data.reference()?;
        if let Some(report) = &derived.built {
            eprint!(
                "reference bundle derived from {} into {}:\n{report}",
                data.root().join("yeast-reference").display(),
                derived.dir.display()
            );
        }
        Ok(Self {
            reference: derived.reference,
            dir: derived.dir,
        })
    }
}

/// ironcell: learn how yeast cells respond to multiplexed genetic perturbations.
#[derive(Debug, Parser)]
#[command(name = "ironcell", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole path on measured data from the data directory: reference → GO ontology →
    /// SQLite knowledge graph → splits → DCell and baselines → metrics, report.html.
    Quickstart(QuickstartArgs),
    /// Reference bundles.
    #[command(subcommand)]
    Reference(ReferenceCommand),
    /// Ontologies built from a reference.
    #[command(subcommand)]
    Ontology(OntologyCommand),
    /// Read published screen files, unchanged, into the knowledge graph. Re-running stores
    /// nothing twice; every row is accounted for (read, stored, or rejected with its reason).
    Ingest(IngestArgs),
    /// Fill a data directory from where each file was published (resumable, checked against
    /// the recorded sha256, zips unpacked). Without a dataset, list the catalogue.
    Fetch(FetchArgs),
    /// Training datasets built from the knowledge graph.
    #[command(subcommand)]
    Dataset(DatasetCommand),
    /// Train a run (`--config`, or DCell from flags) on a dataset built by `dataset build`,
    /// one model per split, and report test-set metrics beside the training-mean baseline.
    /// Built with `--features mpi`, `mpirun -np N ironcell train …` (or `srun`) trains one
    /// model data-parallel over N ranks; rank 0 writes the run.
    Train(TrainArgs),
    /// Which GO subsystems a trained DCell says a genotype disturbs most.
    Explain(ExplainArgs),
    /// Traditional baselines (random forest, gradient boosting, elastic net, SVR) on pooled
    /// gene features, with the dataset's splits or k-fold cross-validation; saves the models.
    Baseline(BaselineArgs),
    /// Score genotypes from a file with any saved model (DCell, a baseline, a null model).
    Predict(PredictArgs),
    /// Rank candidate multi-gene knockouts by a saved model's prediction: every genotype of
    /// `--order` candidate genes while the space is small, a beam search beyond it.
    Design(DesignArgs),
    /// Join saved models (one recipe trained with several seeds) into one whose answer is
    /// their mean and whose spread is their disagreement.
    Ensemble(EnsembleArgs),
    /// Score every model saved under a run directory on its dataset's test part, with 95 %
    /// bootstrap intervals, by genotype size and dataset.
    Evaluate(EvaluateArgs),
    /// Calibrate a saved model's 90 % intervals (split-conformal) on the validation part of
    /// the split it was trained on: `conformal.json` beside its card, used from then on by
    /// `predict`, `design`, `evaluate` and `report`.
    Calibrate(CalibrateArgs),
    /// One self-contained HTML page of runs' test results: scores per model and split with
    /// intervals (nulls grey), the best model's predictions against the measurements,
    /// learning curves, residuals by genotype size, calibration of the spreads.
    Report(ReportArgs),
    /// The knowledge graph: counts, queries, bulk export.
    #[command(subcommand)]
    Kg(KgCommand),
    /// Benchmarks (results belong in BENCHMARKS.md).
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// Which knowledge graph, and how to log in to it.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The store: `sqlite://PATH` (embedded), or `neo4j://HOST:PORT` / `bolt://HOST:PORT`.
    #[arg(long, default_value = "sqlite://ironcell.sqlite")]
    pub db: String,
    /// Neo4j user (default: $NEO4J_USER, else neo4j).
    #[arg(long)]
    pub neo4j_user: Option<String>,
    /// Neo4j password (default: $NEO4J_PASSWORD; prefer the variable, which stays out of
    /// process listings).
    #[arg(long)]
    pub neo4j_password: Option<String>,
}

impl StoreArgs {
    /// Opens the store, creating an embedded one that is missing (for writing).
    pub fn open(&self) -> anyhow::Result<Box<dyn ironcell_kg::GraphStore>> {
        Ok(ironcell_kg::open(&self.db, Some(self.credentials()))?)
    }

    /// Opens a store that must exist (for reading).
    pub fn open_existing(&self) -> anyhow::Result<Box<dyn ironcell_kg::GraphStore>> {
        Ok(ironcell_kg::open_existing(
            &self.db,
            Some(self.credentials()),
        )?)
    }

    /// The Neo4j credentials from flags, else the environment.
    pub fn credentials(&self) -> ironcell_kg::Credentials {
        let env = ironcell_kg::Credentials::default();
        ironcell_kg::Credentials {
            user: self.neo4j_user.clone().unwrap_or(env.user),
            password: self.neo4j_password.clone().unwrap_or(env.password),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KgCommand {
    /// Node and edge counts by label, and experiments by dataset, phenotype and environment.
    Stats(KgStatsArgs),
    /// Experiments (with their references) selected by dataset, phenotype, temperature,
    /// genes and genotype size, as JSON lines; or, on Neo4j, the rows of a Cypher file.
    Query(KgQueryArgs),
    /// Write the embedded store as `neo4j-admin database import full` files.
    Export(KgExportArgs),
}

#[derive(Debug, Args)]
pub struct KgStatsArgs {
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct KgQueryArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Datasets to read (repeatable; default all).
    #[arg(long)]
    pub dataset: Vec<String>,
    /// fitness, gene_interaction, essentiality, synthetic_lethality, synthetic_rescue,
    /// morphology or expression.
    #[arg(long)]
    pub phenotype: Option<String>,
    /// Only this temperature (°C).
    #[arg(long)]
    pub temperature: Option<i32>,
    /// A file of systematic names, one per line: only genotypes within them.
    #[arg(long)]
    pub genes: Option<PathBuf>,
    /// Only genotypes with at most this many perturbations.
    #[arg(long)]
    pub max_perturbations: Option<usize>,
    /// Neo4j only: run this Cypher file instead and print its rows as JSON lines.
    #[arg(long, conflicts_with_all = ["dataset", "phenotype", "temperature", "genes", "max_perturbations"])]
    pub cypher: Option<PathBuf>,
    /// Write the JSON lines here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// CSV files and the command line for `neo4j-admin database import full`.
    Neo4jAdmin,
}

#[derive(Debug, Args)]
pub struct KgExportArgs {
    /// The embedded store to export (`sqlite://PATH`).
    #[arg(long, default_value = "sqlite://ironcell.sqlite")]
    pub db: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Neo4jAdmin)]
    pub format: ExportFormat,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Query the graph into a dataset directory: instances.arrow (genes, labels with std and
    /// p-value), splits.arrow (random stratified, gene-disjoint) and manifest.json.
    Build(DatasetBuildArgs),
    /// Map a gene network onto a dataset's genes and save it beside the dataset as
    /// graphs/NAME.arrow (src, dst, weight), with counts of what was lost.
    Graph(DatasetGraphArgs),
}

/// A network file's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NetworkFormat {
    /// BioGRID tab3.
    Biogrid,
    /// STRING protein.links.detailed.
    String,
    /// `A B [weight]`, space-separated, no header (BIONIC inputs).
    Edges,
    /// `regulator<TAB>target[<TAB>weight]`, directed.
    Regulatory,
}

#[derive(Debug, Args)]
pub struct DatasetGraphArgs {
    /// Dataset directory (from `dataset build`).
    #[arg(long)]
    pub dataset: PathBuf,
    /// The network file (gzip read transparently).
    #[arg(long, required_unless_present = "network", conflicts_with = "network")]
    pub input: Option<PathBuf>,
    /// Its layout (default: told from its first line).
    #[arg(long, value_enum, requires = "input")]
    pub format: Option<NetworkFormat>,
    /// A network stored by `ingest networks`, read from `--db` instead of a file.
    #[arg(long)]
    pub network: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Name of the graph (default: the network's name, or the file name without extensions).
    #[arg(long)]
    pub name: Option<String>,
    /// Score used as the edge weight (STRING: combined_score by default).
    #[arg(long)]
    pub score: Option<String>,
    /// BioGRID: keep only this experimental system type (physical or genetic).
    #[arg(long)]
    pub kind: Option<String>,
    #[command(flatten)]
    pub data: ReferenceArgs,
}

#[derive(Debug, Args)]
pub struct DatasetBuildArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The query as TOML: datasets, labels, temperature_c, max_perturbations, policy,
    /// [split] seed / validation / test.
    #[arg(long)]
    pub select: PathBuf,
    /// Systematic names (one per line, `#` comments) held out as the test genes of an extra
    /// gene-disjoint split, `test_genes`.
    #[arg(long)]
    pub test_genes: Option<PathBuf>,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Datasets to fetch (without one, the list); `all` is every dataset of the standard
    /// data directory.
    pub datasets: Vec<String>,
    /// The data directory the files go into (default: $IRONCELL_DATA, else the user cache,
    /// ~/.cache/ironcell).
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// A copy of the data directory served over HTTP: every file is fetched as
    /// MIRROR/<its path in the data directory>, checked against the recorded sha256.
    #[arg(long)]
    pub mirror: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Reader throughput on a generated file in the SGA_ExE layout, one record at a time and
    /// in batches, beside pandas read_csv.
    Readers(BenchReadersArgs),
    /// Build a synthetic dataset of 2e7 double mutants and iterate it in shuffled batches,
    /// beside pyarrow + numpy.
    Dataset(BenchDatasetArgs),
    /// The baselines (rf, gbt, enet, svr) beside scikit-learn on the same features, targets
    /// and folds: accuracy per fold and fit time.
    Baselines(BenchBaselinesArgs),
    /// DCell training genotypes/s on the real filtered GO (forward + backward + AdamW),
    /// beside a PyTorch DCell written TorchCell's way (a loop over subsystems).
    Dcell(BenchDcellArgs),
    /// Every model on eight tasks of measured data (random and gene-disjoint splits),
    /// test-set metrics with bootstrap 95 % intervals, scikit-learn's random forest beside.
    ///
    /// Each task is a dataset built as `ingest` and `dataset build` build one (an embedded
    /// SQLite knowledge graph of its files, then the task's query), once: it is kept in the
    /// data directory's `.derived/` (the user cache's `derived/` when the data directory is
    /// read-only) under the sha256 of its files, query and reference, and read from there
    /// by later runs.
    Accuracy(BenchAccuracyArgs),
    /// Gene-set model training instances/s over the real genome (synthetic pairs), the epoch
    /// time of 2e7 instances and peak memory, beside the same model in PyTorch.
    Models(BenchModelsArgs),
    /// `design`'s scoring rate: genotypes scored per second by each saved model, every pair
    /// of the same candidate genes.
    Design(BenchDesignArgs),
    /// The knowledge graph at the mission's size: a generated SGA file of `--experiments`
    /// ingested into SQLite (experiments/s, bytes per experiment, peak RSS), `dataset build`
    /// on all of it, and with `--neo4j` a slice ingested through Bolt.
    Kg(BenchKgArgs),
    /// Data-parallel training over MPI (needs `--features mpi` and `mpirun`): steps/s and the
    /// all-reduce's share of a step for DCell and the gene-graph model at each `--ranks`, and
    /// the ring all-reduce estimate for 8 and 64 ranks over a 100 Gb/s interconnect.
    Parallel(BenchParallelArgs),
}

#[derive(Debug, Args)]
pub struct BenchParallelArgs {
    #[command(flatten)]
    pub data: ReferenceArgs,
    /// World sizes to time, each started as `mpirun -np N` of this program.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    pub ranks: Vec<usize>,
    /// Genotypes per global step (split over the ranks).
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// Timed steps per model (after one warm-up step).
    #[arg(long, default_value_t = 10)]
    pub steps: usize,
    /// The MPI launcher.
    #[arg(long, default_value = "mpirun")]
    pub mpirun: String,
    /// Where each world's results (JSON) and the summary go.
    #[arg(long, default_value = "out/bench-parallel")]
    pub dir: PathBuf,
    /// Run as one rank of a world `mpirun` started (what the benchmark launches).
    #[arg(long, hide = true)]
    pub worker: bool,
}

#[derive(Debug, Args)]
pub struct BenchKgArgs {
    /// Experiments to ingest (two per generated SGA row: fitness and ε).
    #[arg(long, default_value_t = 20_000_000)]
    pub experiments: u64,
    /// Where the generated file, the store and the dataset go.
    #[arg(long, default_value = "out/bench-kg")]
    pub dir: PathBuf,
    /// Measure the ingest only.
    #[arg(long)]
    pub skip_build: bool,
    /// Also time `kg export --format neo4j-admin` of the whole store (the files are
    /// removed after).
    #[arg(long)]
    pub export: bool,
    /// A Neo4j 5 server (`bolt://HOST:PORT`, credentials from $NEO4J_USER /
    /// $NEO4J_PASSWORD) to time `--neo4j-experiments` of them through Bolt; its database is
    /// emptied first.
    #[arg(long)]
    pub neo4j: Option<String>,
    /// How many experiments the Neo4j slice holds (the generated file's first rows).
    #[arg(long, default_value_t = 1_000_000)]
    pub neo4j_experiments: u64,
    /// Keep the generated SGA file.
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub data: ReferenceArgs,
}

#[derive(Debug, Args)]
pub struct BenchDesignArgs {
    /// Saved model directories (repeatable): DCell, a feature model, a gene-set model, a
    /// null model.
    #[arg(long = "model", required = true)]
    pub models: Vec<PathBuf>,
    /// Candidate genes, one per line; default: the first `--genes` genes every model was
    /// trained on.
    #[arg(long)]
    pub candidates: Option<PathBuf>,
    /// Candidates taken from the models' training genes when no file is given.
    #[arg(long, default_value_t = 500)]
    pub genes: usize,
    /// Genes per genotype.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub order: u8,
    #[command(flatten)]
    pub data: ReferenceArgs,
    /// Where the results (JSON) go.
    #[arg(long, default_value = "out/bench-design.json")]
    pub out: PathBuf,
}

/// The head `bench models` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchHead {
    /// DeepSet.
    DeepSet,
    /// DeepSet + bi-interaction pooling.
    Pairwise,
    /// DANGO-style self-attention.
    Dango,
}

#[derive(Debug, Args)]
pub struct BenchModelsArgs {
    #[command(flatten)]
    pub data: ReferenceArgs,
    /// The head.
    #[arg(long, value_enum, default_value_t = BenchHead::DeepSet)]
    pub head: BenchHead,
    /// Networks to pass messages over, paths inside the data directory (e.g.
    /// yeast-screens/networks/Krogan-2006.txt.gz); none by default.
    #[arg(long, value_delimiter = ',')]
    pub graphs: Vec<PathBuf>,
    /// Genotypes per training step.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// Timed steps per engine (after one warm-up step); the median is reported.
    #[arg(long, default_value_t = 20)]
    pub steps: usize,
    /// A Python with `torch`, to time the PyTorch reference (scripts/bench/gene_set_torch.py).
    #[arg(long)]
    pub python: Option<String>,
    /// The PyTorch reference script (default: the copy built into ironcell, written into
    /// --dir).
    #[arg(long)]
    pub torch_script: Option<PathBuf>,
    /// Where the case (features, edges, genotypes) and the results (JSON) go.
    #[arg(long, default_value = "out/bench-models")]
    pub dir: PathBuf,
}

/// Where `bench dcell` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchDevice {
    /// This machine's CPU: ironcell's stratum kernel (and optionally burn's NdArray
    /// backend); PyTorch on CPU.
    Cpu,
    /// An NVIDIA GPU: ironcell's grouped model on burn's CUDA backend (needs the `cuda`
    /// feature); PyTorch on CUDA.
    Cuda,
}

#[derive(Debug, Args)]
pub struct BenchDcellArgs {
    #[command(flatten)]
    pub data: ReferenceArgs,
    #[command(flatten)]
    pub filter: OntologyFilterArgs,
    /// Subsystem width rule.
    #[arg(long, value_enum, default_value_t = Width::Contained)]
    pub width: Width,
    /// Genotypes per training step.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// Timed steps per engine (after one warm-up step); the median is reported.
    #[arg(long, default_value_t = 5)]
    pub steps: usize,
    /// Where to run.
    #[arg(long, value_enum, default_value_t = BenchDevice::Cpu)]
    pub device: BenchDevice,
    /// Also time the grouped model on burn's NdArray backend (CPU; slow).
    #[arg(long)]
    pub with_burn_ndarray: bool,
    /// A Python with `torch`, to time the PyTorch reference (scripts/bench/dcell_torch.py).
    #[arg(long)]
    pub python: Option<String>,
    /// The PyTorch reference script (default: the copy built into ironcell, written into
    /// --dir).
    #[arg(long)]
    pub torch_script: Option<PathBuf>,
    /// Where the model spec and the results (JSON) go.
    #[arg(long, default_value = "out/bench-dcell")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchDatasetArgs {
    /// Instances to build.
    #[arg(long, default_value_t = 20_000_000)]
    pub instances: u64,
    /// Where the dataset goes.
    #[arg(long, default_value = "out/bench-dataset")]
    pub dir: PathBuf,
    /// A Python with numpy and pyarrow, to time the same iteration there.
    #[arg(long)]
    pub python: Option<String>,
    /// Keep the dataset.
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub data: ReferenceArgs,
}

#[derive(Debug, Args)]
pub struct BenchReadersArgs {
    /// Rows to generate (the full Costanzo 2016 tables hold ~2e7).
    #[arg(long, default_value_t = 20_000_000)]
    pub rows: u64,
    /// Where the generated file goes.
    #[arg(long, default_value = "out/bench")]
    pub dir: PathBuf,
    /// A Python with pandas, to time `pandas.read_csv` on the same file.
    #[arg(long)]
    pub python: Option<String>,
    /// Keep the generated file, and reuse one kept by an earlier run (same --dir) instead
    /// of generating again.
    #[arg(long)]
    pub keep: bool,
    /// Times to read the file each way (records; batches, counted as pandas' rows are;
    /// batches with each pair's fitness built; pandas), interleaved; the medians are
    /// reported beside every run, as a shared machine's speed drifts.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
    #[command(flatten)]
    pub data: ReferenceArgs,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Which dataset the files belong to: costanzo2016 (the SMF xlsx and the SGA_ExE / NxN /
    /// ExN_NxE / DAmP tables), kuzmin2018 (Data S1 or its unique_triples subset), kuzmin2020
    /// (Tables S1, S3, S5), ohya2005 (with --wild-type), synlethdb, essentiality (the deletion
    /// table or SGD phenotype_data.tab), collins2007-emap, tong2004-sga (tested pairs, Table
    /// S1), yeastphenome (*_value.txt in a folder named by PubMed id), jonikas2009-upr,
    /// dcell-costanzo2016-epsilon (DCell's training/testing files), hoepfner2014-hop, networks
    /// (BioGRID, STRING, edge lists, regulatory lists and matrices, Yeast9's reactions; one
    /// network per file, named by it).
    pub source: ironcell_data::ingest::Source,
    /// The published files (repeatable; `.gz` is read transparently).
    #[arg(long, required = true)]
    pub input: Vec<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Ohya 2005's wild-type replicates, whose column means are the reference.
    #[arg(long)]
    pub wild_type: Option<PathBuf>,
    /// Skip rows that cannot be read, and list them, instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Leave out experiments that name a gene the reference lacks (a retired ORF, another
    /// strain background). By default they are stored, with a bare gene node, and counted per
    /// file as `unknown genes: N (first: …)`.
    #[arg(long)]
    pub strict_genes: bool,
    #[command(flatten)]
    pub data: ReferenceArgs,
}

impl IngestArgs {
    /// What to do with a row that cannot be read.
    pub fn bad_rows(&self) -> ironcell_sources::report::BadRows {
        if self.skip_bad_rows {
            ironcell_sources::report::BadRows::Skip
        } else {
            ironcell_sources::report::BadRows::Fail
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ReferenceCommand {
    /// Assemble a reference bundle from SGD GenBank files, the GO OBO and the deletion table.
    Build(ReferenceBuildArgs),
}

#[derive(Debug, Args)]
pub struct ReferenceBuildArgs {
    /// Directory of SGD GenBank chromosome files (`*.gb`, `*.gb.gz`, `*.gbk`, `*.gbff`);
    /// default: the data directory's yeast-reference/sgd-genbank.
    #[arg(long)]
    pub genbank: Option<PathBuf>,
    /// Gene Ontology in OBO 1.2 (optionally gzip); default: the data directory's.
    #[arg(long)]
    pub obo: Option<PathBuf>,
    /// Yeast Deletion Project table (`Deletion_primers_PCR_sizes.txt`, optionally gzip);
    /// default: the data directory's.
    #[arg(long)]
    pub deletion_table: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Take GO annotations from this GAF 2.x file (SGD's `gene_association.sgd`, optionally
    /// gzip) instead of GenBank's qualifiers: GAF lines carry dates, which the ontology's
    /// `--annotated-before` cut-off needs.
    #[arg(long)]
    pub gaf: Option<PathBuf>,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum OntologyCommand {
    /// Filter GO into DCell's ontology and write it as JSON.
    Dcell(OntologyDcellArgs),
}

#[derive(Debug, Args)]
pub struct OntologyFilterArgs {
    /// Containment threshold: terms with fewer genes (over themselves and descendants) go.
    #[arg(long, default_value_t = 4)]
    pub min_genes: usize,
    /// Evidence codes whose annotations are removed first (repeatable).
    #[arg(long = "drop-evidence", default_values_t = vec!["IGI".to_owned()])]
    pub drop_evidence: Vec<String>,
    /// Keep only annotations made before this date (YYYYMMDD); needs a bundle built with
    /// `--gaf` (undated annotations are dropped under a cut-off).
    #[arg(long, value_name = "YYYYMMDD")]
    pub annotated_before: Option<u32>,
}

#[derive(Debug, Args)]
pub struct OntologyDcellArgs {
    #[command(flatten)]
    pub data: ReferenceArgs,
    #[command(flatten)]
    pub filter: OntologyFilterArgs,
    /// Output JSON file.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Width {
    /// max(20, ⌈0.3 · genes contained⌉), the DCell paper's rule.
    Contained,
    /// max(20, ⌈0.3 · genes directly annotated⌉), TorchCell's rule.
    Direct,
}

impl From<Width> for WidthRule {
    fn from(w: Width) -> Self {
        match w {
            Width::Contained => WidthRule::Contained,
            Width::Direct => WidthRule::Direct,
        }
    }
}

#[derive(Debug, Args)]
pub struct QuickstartArgs {
    /// Where the store, metrics and plots go.
    #[arg(long, default_value = "out/quickstart")]
    pub out: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub filter: OntologyFilterArgs,
    /// Subsystem width rule.
    #[arg(long, value_enum, default_value_t = Width::Direct)]
    pub width: Width,
    /// Training epochs for each split.
    #[arg(long, default_value_t = 5)]
    pub epochs: usize,
    /// Mini-batch size.
    #[arg(long, default_value_t = 128)]
    pub batch_size: usize,
    /// AdamW learning rate.
    #[arg(long, default_value_t = 1e-3)]
    pub learning_rate: f64,
    /// Use at most this many instances (a seeded sample). The default keeps the run at a
    /// few minutes on 2 cores. `--max-instances 0` uses all of them.
    #[arg(long, default_value_t = 10_000)]
    pub max_instances: usize,
    /// Seed of splits, sampling, weights and batch order.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

/// DCell's auxiliary-loss reduction.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Reduction {
    /// α · mean over subsystems (TorchCell).
    Mean,
    /// α · sum over subsystems (the paper).
    Sum,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The run as TOML: [model] (kind = "dcell", "gene_set", "rf" or "gbt", and its
    /// hyper-parameters),
    /// [data] (dataset, splits, fit_all), [training] (epochs, batch_size, seed, optimizer, schedule,
    /// early_stopping, gradient_clip, threads); see the README. Without it, the flags below describe a
    /// DCell run.
    #[arg(long, conflicts_with_all = ["resume", "dataset"])]
    pub config: Option<PathBuf>,
    /// Continue the run in this directory from its last checkpoint, with its config.toml:
    /// the weights end as an uninterrupted run's would, bit for bit.
    #[arg(long, value_name = "RUN", conflicts_with = "dataset")]
    pub resume: Option<PathBuf>,
    /// Dataset directory (from `ironcell dataset build`).
    #[arg(long, required_unless_present_any = ["config", "resume"])]
    pub dataset: Option<PathBuf>,
    /// Run directory: config.toml, then one sub-directory per split with the model, its card,
    /// the metrics per epoch and the checkpoints.
    #[arg(long, default_value = "out/train")]
    pub out: PathBuf,
    /// Splits to train and test on (repeatable): random, gene_disjoint_any, gene_disjoint_all,
    /// held_out_environment, query_disjoint, test_genes_any, test_genes_all, as the dataset
    /// has them.
    #[arg(long = "split", default_values_t = vec![SplitName::Random, SplitName::GeneDisjointAll])]
    pub splits: Vec<SplitName>,
    /// After the splits, also train the model to deploy on every row, in RUN/all/ (not
    /// scored: nothing is held out); with early stopping, for the epochs the first split
    /// kept. Also `fit_all = true` under [data] of a config.
    #[arg(long, conflicts_with = "resume")]
    pub fit_all: bool,
    /// Worker threads (default: every core); also `threads` under [training] of a config.
    #[arg(long, conflicts_with = "resume")]
    pub threads: Option<usize>,
    /// Passes over the training part.
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Genotypes per step.
    #[arg(long, default_value_t = 256)]
    pub batch_size: usize,
    /// AdamW learning rate.
    #[arg(long, default_value_t = 1e-3)]
    pub learning_rate: f64,
    /// AdamW decoupled weight decay.
    #[arg(long, default_value_t = 1e-4)]
    pub weight_decay: f64,
    /// Seed of the weights and the batch order (an ensemble's members: this seed and the next).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Models per split for DCell and the gene-set models (default 5): trained from seeds
    /// --seed, --seed + 1, … into RUN/SPLIT/seed-S/ and joined in RUN/SPLIT/ as one ensemble
    /// whose mean predicts and whose disagreement is each prediction's spread; 1 trains one
    /// model. Also `ensemble` under [training] of a config (this flag wins).
    #[arg(long, conflicts_with = "resume")]
    pub ensemble: Option<usize>,
    /// Subsystem width rule (TorchCell's `direct` is ~8x smaller than the paper's).
    #[arg(long, value_enum, default_value_t = Width::Direct)]
    pub width: Width,
    /// Weight of the auxiliary losses.
    #[arg(long, default_value_t = 0.3)]
    pub alpha: f64,
    /// How the auxiliary losses are combined.
    #[arg(long, value_enum, default_value_t = Reduction::Mean)]
    pub aux_reduction: Reduction,
    /// Count only genes perturbed somewhere in the dataset towards the containment threshold
    /// (the paper's rule, with `--min-genes 6`); by default every annotated gene counts.
    #[arg(long)]
    pub contain_disrupted: bool,
    #[command(flatten)]
    pub data: ReferenceArgs,
    #[command(flatten)]
    pub filter: OntologyFilterArgs,
    /// Bootstrap resamples of the test sets scored at the end.
    #[arg(long, default_value_t = 200)]
    pub resamples: usize,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Dataset directory (from `ironcell dataset build`).
    #[arg(long)]
    pub dataset: PathBuf,
    /// The model: rf, gbt, enet or svr.
    #[arg(long, default_value = "rf")]
    pub model: ironcell_models::baseline::ModelKind,
    /// Gene features, comma-separated: onehot, codon, kmer[:K], go[:MIN_GENES],
    /// network:PATH (degree, strength, neighbours' degree and clustering in a gene network
    /// file), embedding:PATH (CSV/TSV/NPY keyed by systematic name).
    #[arg(long, value_delimiter = ',', default_values_t = vec![
        "codon".parse::<ironcell_data::features::GeneFeature>().expect("a valid default"),
        "go".parse().expect("a valid default"),
    ])]
    pub features: Vec<ironcell_data::features::GeneFeature>,
    /// How a genotype's gene vectors become one: sum, mean, concat (sorted by gene) or intact
    /// (all genes minus the perturbed ones).
    #[arg(long, default_value = "sum")]
    pub pooling: ironcell_data::features::pooling::Pooling,
    /// Standardise each feature column (fitted on the training rows).
    #[arg(long)]
    pub standardize: bool,
    /// k-fold cross-validation over every labelled instance instead of the dataset's splits.
    #[arg(long)]
    pub cv: Option<usize>,
    /// Splits to train and test on (repeatable; ignored with --cv): random,
    /// gene_disjoint_any, gene_disjoint_all, held_out_environment, query_disjoint,
    /// test_genes_any, test_genes_all, as the dataset has them.
    #[arg(long = "split", default_values_t = vec![SplitName::Random, SplitName::GeneDisjointAll])]
    pub splits: Vec<SplitName>,
    /// Labels to model (default: every label of the dataset).
    #[arg(long = "label")]
    pub labels: Vec<String>,
    /// Train on at most this many rows (a seeded sample); SVR defaults to 5,000, since its
    /// kernel matrix grows with the square.
    #[arg(long)]
    pub max_train: Option<usize>,
    /// Hyper-parameters as TOML: tables [rf], [gbt], [enet], [svr] with the fields of
    /// ForestParams, BoostingParams, ElasticNetParams, SvrParams.
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Trees (rf) or boosting rounds (gbt), overriding --params.
    #[arg(long)]
    pub trees: Option<usize>,
    /// Bootstrap boosting (gbt): this many boosted models, each on a bootstrap resample of
    /// the training rows; their mean predicts and their disagreement is each prediction's
    /// spread (sd and 90 % interval in `predict`, `design`, `evaluate`). Overrides
    /// `bags` under [gbt] in --params.
    #[arg(long)]
    pub bags: Option<usize>,
    /// Gene networks (comma-separated files, e.g. the data directory's STRING v12 physical
    /// and Krogan 2006) whose neighbour labels join the features: for each genotype, what
    /// its relatives one or two network swaps away measured in training (and, for a pair,
    /// its partners' and the kept gene's records), fitted per label on each fit's own
    /// training rows, a seeded third of them shown with one gene and a third with every
    /// gene unseen, as test genotypes of gene-disjoint splits are. Saved with the model, so
    /// `predict`, `evaluate` and `calibrate` compute the same columns.
    #[arg(long, value_delimiter = ',')]
    pub neighbour_labels: Vec<PathBuf>,
    /// After the splits, also fit the model to deploy on every labelled row, saved in
    /// all/LABEL/ (not scored: nothing is held out).
    #[arg(long, conflicts_with_all = ["cv", "grid"])]
    pub fit_all: bool,
    /// Run the TorchCell grid (rf or gbt): trees 100/200/500 × depth 5/10/none ×
    /// min-samples-split 2/5/10 (gbt: rounds, depth, min-samples-leaf), results to grid.tsv.
    #[arg(long)]
    pub grid: bool,
    /// Seed of the models, the folds and the training sample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub data: ReferenceArgs,
    /// Run directory: models in SPLIT/LABEL/ (or cv/LABEL/, fitted on every row), metrics.json.
    #[arg(long, default_value = "out/baseline")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchBaselinesArgs {
    /// A dataset directory (from `dataset build`); without one, synthetic rows.
    #[arg(long)]
    pub dataset: Option<PathBuf>,
    /// Gene features of the dataset's genes (see `baseline --features`).
    #[arg(long, value_delimiter = ',', default_value = "codon")]
    pub features: Vec<ironcell_data::features::GeneFeature>,
    /// Pooling of a genotype's gene vectors.
    #[arg(long, default_value = "sum")]
    pub pooling: ironcell_data::features::pooling::Pooling,
    /// The dataset's label to predict.
    #[arg(long, default_value = "fitness")]
    pub label: String,
    /// Without --dataset: rows of a SYNTHETIC regression (64 Gaussian features, a nonlinear
    /// target plus noise), for timing at a chosen size only.
    #[arg(long, default_value_t = 100_000)]
    pub synthetic_rows: usize,
    /// Cross-validation folds; 1: a single 80/20 hold-out.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Models to compare.
    #[arg(long, value_delimiter = ',', default_value = "rf,gbt,enet,svr")]
    pub models: Vec<ironcell_models::baseline::ModelKind>,
    /// Trees (rf) and rounds (gbt).
    #[arg(long, default_value_t = 100)]
    pub trees: usize,
    /// Elastic-net α (on standardised features).
    #[arg(long, default_value_t = 1e-3)]
    pub enet_alpha: f64,
    /// Training rows SVR sees per fold (the first of a seeded shuffle, the same for both).
    #[arg(long, default_value_t = 5_000)]
    pub svr_max_train: usize,
    /// A Python with scikit-learn and scipy; without it, only ironcell runs.
    #[arg(long)]
    pub python: Option<String>,
    /// The scikit-learn script (default: the copy built into ironcell).
    #[arg(long)]
    pub sklearn_script: Option<PathBuf>,
    /// Seed of the folds, the models and the synthetic rows.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub data: ReferenceArgs,
    /// Also write every fold's numbers here as JSON.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub use ironcell_eval::accuracy::{AccuracyModel, AccuracyTask, DeepValidation, ObjectiveName};

#[derive(Debug, Args)]
pub struct BenchAccuracyArgs {
    /// Tasks to run: smf (Costanzo 2016), dmf (Kuzmin 2018 doubles), emap (Collins 2007),
    /// ssl (Tong 2004 calls), environments (Qian 2012 + Costanzo 2021), upr (Jonikas 2009),
    /// epsilon (Costanzo 2016 ε, DCell's subtrees), chemogenomics (Hoepfner 2014 HOP).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "smf,dmf,emap,ssl,environments,upr,epsilon,chemogenomics"
    )]
    pub tasks: Vec<AccuracyTask>,
    /// Models: mean, additive and multiplicative (double mutants), zero (interaction scores),
    /// rf, gbt, dcell, and the deep models gene-set (DeepSet), dango, pairwise and
    /// set-transformer.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "mean,additive,multiplicative,zero,rf,gbt,dcell"
    )]
    pub models: Vec<AccuracyModel>,
    /// Seeds of the splits and models (e.g. 1,2,3,4,5); the table shows means over seeds.
    #[arg(long, value_delimiter = ',', default_value = "1")]
    pub seeds: Vec<u64>,
    /// Training rows per fit at most (a seeded sample; the same rows for scikit-learn).
    /// Default: every training row, as a cap can change a conclusion (5,000 halved most
    /// published numbers); a run with a cap says so above its table.
    #[arg(long)]
    pub max_train: Option<usize>,
    /// Test rows scored at most (a seeded sample; all of them when fewer). Default: all.
    #[arg(long)]
    pub max_test: Option<usize>,
    /// Training rows DCell sees at most (a seeded sample, a tenth of which validates for
    /// early stopping): its CPU training is the slowest fit here.
    #[arg(long, default_value_t = 3_000)]
    pub dcell_max_train: usize,
    /// Trees (rf) and rounds (gbt).
    #[arg(long, default_value_t = 100)]
    pub trees: usize,
    /// Rows each tree of the forests (ours and scikit-learn's) draws for its bootstrap
    /// sample, at most (scikit-learn's `max_samples`): the forest still sees every training
    /// row, each tree a different sample of them. Default: as many as there are training
    /// rows (a tree on each of 480,000 rows takes minutes on 2 cores).
    #[arg(long, value_name = "ROWS")]
    pub forest_samples: Option<usize>,
    /// DCell's most epochs: it stops when validation Pearson (a tenth of its training rows)
    /// has not improved for 5, and keeps the best epoch.
    #[arg(long, default_value_t = 30)]
    pub dcell_epochs: usize,
    /// DCell subsystem width rule (direct, TorchCell's, is the quicker).
    #[arg(long, value_enum, default_value_t = Width::Direct)]
    pub dcell_width: Width,
    /// Objectives the gene-set models are trained with, one fit each.
    #[arg(long, value_delimiter = ',', value_enum, default_value = "mse")]
    pub objectives: Vec<ObjectiveName>,
    /// Epochs of the gene-set models at most (early stopping on a tenth of the training
    /// rows, patience 5, keeps the best).
    #[arg(long, default_value_t = 40)]
    pub deep_epochs: usize,
    /// Networks the gene-set models pass messages over (data-directory paths, e.g.
    /// yeast-screens/networks/Krogan-2006.txt.gz); none by default.
    #[arg(long, value_delimiter = ',')]
    pub deep_graphs: Vec<String>,
    /// What the gene-set models stop early on: `rows`, a tenth of the training rows; `genes`,
    /// on the gene-disjoint splits the training rows that touch a tenth of the training genes
    /// (held out of training, as the test's genes are), rows elsewhere.
    #[arg(long, value_enum, default_value_t = DeepValidation::Rows)]
    pub deep_validation: DeepValidation,
    /// The gene-set models also read neighbour labels beside the set (each label's training
    /// labels of the genotypes one or two gene swaps away along STRING v12 physical and Krogan
    /// 2006); their names end in `+neighbours`.
    #[arg(long)]
    pub deep_neighbours: bool,
    /// Bootstrap resamples of each test set.
    #[arg(long, default_value_t = 200)]
    pub resamples: usize,
    /// A Python with scikit-learn and scipy: its random forest on the same features and rows.
    #[arg(long)]
    pub python: Option<String>,
    /// The scikit-learn script (default: the copy built into ironcell).
    #[arg(long)]
    pub sklearn_script: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Where accuracy.json and accuracy.md go.
    #[arg(long, default_value = "bench-accuracy")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Genotypes, one per line: systematic names separated by `+` or tabs; an optional
    /// second tab-separated column (the environment) is copied to the output. `#` comments.
    #[arg(long)]
    pub genotypes: PathBuf,
    /// Where to write the predictions (TSV: genotype, environment, one column per label —
    /// with its standard deviation and central 90 % interval for a model with a spread, a
    /// forest — and the genes never perturbed in training).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct DesignArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// What a good strain is: max-fitness, min-fitness, max-interaction, min-interaction, or
    /// target:V (the prediction closest to V).
    #[arg(long)]
    pub objective: ironcell_eval::design::Objective,
    /// The label ranked (default: fitness for the fitness objectives, gene_interaction or
    /// emap_score for the interaction ones; a target needs it when the model predicts several).
    #[arg(long)]
    pub label: Option<String>,
    /// Genes per genotype.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub order: u8,
    /// Candidate genes, one per line (systematic or standard names; `#` comments).
    #[arg(long)]
    pub candidates: PathBuf,
    /// Candidates to leave out: `essential` (the reference's inviable deletions, which no
    /// knockout strain can carry).
    #[arg(long, value_enum)]
    pub exclude: Vec<Exclude>,
    /// Genotypes written, best first.
    #[arg(long, default_value_t = 50)]
    pub top: usize,
    /// Genotypes kept at each size of a beam search.
    #[arg(long, default_value_t = 500)]
    pub beam: usize,
    /// The largest space scored exhaustively; larger spaces are beam-searched.
    #[arg(long, default_value_t = 2_000_000)]
    pub exhaustive_limit: u64,
    /// Where the ranked table goes (TSV: rank, genotype, prediction, spread, unseen genes;
    /// for DCell the subsystems the genotype changes most).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct EnsembleArgs {
    /// Saved model directories (repeatable, at least two): the same labels, split and dataset.
    #[arg(long = "model", required = true)]
    pub models: Vec<PathBuf>,
    /// The ensemble's directory (its card and the members' paths; the members stay where
    /// they are).
    #[arg(long)]
    pub out: PathBuf,
}

/// Candidates `design` can leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Exclude {
    /// Genes whose deletion is inviable.
    Essential,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// A run directory: every model saved under it (a directory with `card.json`) is scored
    /// on the test part of the split it was trained on.
    #[arg(long)]
    pub run: PathBuf,
    /// Only the models trained on this split.
    #[arg(long)]
    pub split: Option<SplitName>,
    /// The dataset directory (default: the one each model's card names; its instances must
    /// have the sha256 the card recorded).
    #[arg(long)]
    pub dataset: Option<PathBuf>,
    /// Reference bundle (default: the one each model was trained with, else the data
    /// directory's).
    #[arg(long, value_name = "DIR")]
    pub reference: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Bootstrap resamples of each test set.
    #[arg(long, default_value_t = 200)]
    pub resamples: usize,
    /// Where evaluation.json and evaluation.md go (default: the run directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// The dataset directory (default: the one the model's card names; its instances must
    /// have the sha256 the card recorded).
    #[arg(long)]
    pub dataset: Option<PathBuf>,
    /// The coverage the intervals are calibrated to.
    #[arg(long, default_value_t = 0.9)]
    pub level: f64,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run directories (repeatable, or several after one flag): every `evaluation.json` and
    /// `test_rows.tsv` under each (as `train` and `evaluate` write them) and every saved
    /// model's `metrics.json` (its learning curve).
    #[arg(long, num_args = 1.., required_unless_present = "bench")]
    pub runs: Vec<PathBuf>,
    /// A `bench accuracy` result (accuracy.json): its scores join the bars and tables.
    #[arg(long)]
    pub bench: Option<PathBuf>,
    /// The page's title.
    #[arg(long, default_value = "ironcell report")]
    pub title: String,
    /// The HTML file to write.
    #[arg(long, default_value = "report.html")]
    pub out: PathBuf,
}

/// A saved model, and the reference its genes are named (and featured) by.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// A model directory: any model `ironcell train` or `baseline` saved (RUN/SPLIT for
    /// DCell, RUN/SPLIT/LABEL for a baseline), as its `card.json` says.
    #[arg(long)]
    pub model: PathBuf,
    /// Reference bundle (default: the one the model was trained with, else the data
    /// directory's).
    #[arg(long, value_name = "DIR")]
    pub reference: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
}

impl ModelArgs {
    /// The model, whatever its kind, and the reference: the one given, else the one the
    /// model recorded, else (a cache since removed, or a model that records none) the data
    /// directory's, derived again from the same inputs.
    pub fn open(&self) -> anyhow::Result<(Box<dyn Predictor>, Reference)> {
        let card = ModelCard::read(&self.model)?;
        let reference = self.reference_of(&card)?;
        Ok((load_any(&self.model, Some(&reference))?, reference))
    }

    /// The reference the model of `card` is opened with: the one given, else the one the
    /// card recorded, else the data directory's.
    pub fn reference_of(&self, card: &ModelCard) -> anyhow::Result<Reference> {
        use anyhow::Context;
        let given = self
            .reference
            .as_ref()
            .or(card.reference.as_ref().filter(|d| d.is_dir()));
        let reference = match given {
            Some(dir) => Reference::read(dir)
                .with_context(|| format!("the reference bundle {}", dir.display()))?,
            None => LoadedReference::derive(&self.data.dir())?.reference,
        };
        Ok(reference)
    }
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Perturbed genes, systematic names separated by commas.
    #[arg(long, value_delimiter = ',', required = true)]
    pub genotype: Vec<String>,
    /// Subsystems to list (DCell).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// DCell: also score every subsystem by RLIPP over this dataset's test part (first label).
    #[arg(long)]
    pub dataset: Option<PathBuf>,
    /// The split whose test part the RLIPP scores use.
    #[arg(long, default_value_t = SplitName::Random)]
    pub split: SplitName,
    /// At most this many test instances for RLIPP (half fit the ridge models, half score).
    #[arg(long, default_value_t = 1000)]
    pub max_instances: usize,
}
