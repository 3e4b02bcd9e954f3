//! Published files into the knowledge graph: every source's reader, what its records become,
//! and the store written in batches, every row accounted for. `ironcell ingest` is this behind
//! flags; the benchmarks build their stores with it too, so a task's data is what a user's
//! ingest would store.

use std::{
    collections::{BTreeSet, HashSet},
    fmt,
    fs::File,
    io::{BufReader, Read, Seek},
    path::{Path, PathBuf},
    str::FromStr,
};

use ironcell_core::{Experiment, PhenotypeKind, SystematicName};
use ironcell_kg::{
    schema::{DatasetInfo, Label, Network},
    GraphStore,
};
use ironcell_sources::{
    collins2007, costanzo2016, dcell_epsilon, deletion, essentiality, hoepfner2014, jonikas2009,
    kuzmin2018, kuzmin2020,
    names::GeneNames,
    networks, ohya2005, open_maybe_gzip,
    reference::Reference,
    report::{collect, read_all, BadRows, ReadError, ReadReport, RecordReader},
    synlethdb, tong2004, yeastphenome,
};

use crate::screens::KUZMIN2018_SUBSET;

/// Experiments stored per call to the store; bounds memory on 2e7-row files.
const BATCH: usize = 50_000;

/// A published dataset `ingest` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Costanzo 2016: the single-mutant xlsx and the SGA_ExE / NxN / ExN_NxE / DAmP tables.
    Costanzo2016,
    /// Kuzmin 2018: Data S1 (or its `unique_triples.tsv` subset).
    Kuzmin2018,
    /// Kuzmin 2020: Tables S1, S3 (ε/τ) and S5 (query-mutant fitness), xlsx.
    Kuzmin2020,
    /// Ohya 2005 CalMorph, with a wild-type file.
    Ohya2005,
    /// SynLethDB's yeast tables.
    Synlethdb,
    /// The deletion project table, or SGD's `phenotype_data.tab`.
    Essentiality,
    /// Collins 2007 E-MAP S-scores.
    Collins2007,
    /// Tong 2004 SGA: tested pairs and hits.
    Tong2004,
    /// YeastPhenome value matrices.
    Yeastphenome,
    /// Jonikas 2009 ER E-MAP (UPR reporter).
    Jonikas2009,
    /// DCell's Costanzo 2016 ε subsets.
    DcellEpsilon,
    /// Hoepfner 2014 HOP z-scores.
    Hoepfner2014,
    /// Gene networks of any layout `networks::Reader::detect` knows.
    Networks,
}

impl Source {
    /// Every source, with the names (and aliases) `ingest` takes.
    pub const NAMES: [(Self, &'static str, &'static [&'static str]); 13] = [
        (Self::Costanzo2016, "costanzo2016", &["costanzo2016-smf"]),
        (Self::Kuzmin2018, "kuzmin2018", &["kuzmin2018-subset"]),
        (Self::Kuzmin2020, "kuzmin2020", &[]),
        (Self::Ohya2005, "ohya2005", &[]),
        (Self::Synlethdb, "synlethdb", &[]),
        (Self::Essentiality, "essentiality", &[]),
        (Self::Collins2007, "collins2007-emap", &["collins2007"]),
        (Self::Tong2004, "tong2004-sga", &["tong2004"]),
        (Self::Yeastphenome, "yeastphenome", &[]),
        (Self::Jonikas2009, "jonikas2009-upr", &["jonikas2009"]),
        (
            Self::DcellEpsilon,
            "dcell-costanzo2016-epsilon",
            &["dcell-epsilon"],
        ),
        (Self::Hoepfner2014, "hoepfner2014-hop", &["hoepfner2014"]),
        (Self::Networks, "networks", &[]),
    ];

    /// The name as typed.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or("", |(_, n, _)| n)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::NAMES
            .iter()
            .find(|(_, name, aliases)| *name == s || aliases.contains(&s))
            .map(|(source, _, _)| *source)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::NAMES.iter().map(|(_, n, _)| *n).collect();
                format!("unknown source {s:?}; the sources are {}", names.join(", "))
            })
    }
}

/// How to read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// What to do with a row that cannot be read.
    pub bad_rows: BadRows,
    /// Ohya 2005's wild-type replicates.
    pub wild_type: Option<PathBuf>,
    /// Leave out (and count) experiments that name a gene the reference lacks, instead of
    /// storing them with a bare gene node.
    pub strict_genes: bool,
    /// Experiments per write to the store (50,000 when unset).
    pub batch: Option<usize>,
}

/// Well-formed gene names a file used that the reference does not hold (retired ORFs, other
/// strain backgrounds), and the experiments that name them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnknownGenes {
    /// The first few, in the order met.
    pub first: Vec<SystematicName>,
    /// How many distinct ones.
    pub genes: usize,
    /// Experiments naming at least one.
    pub experiments: u64,
    /// Whether those experiments were left out (`strict_genes`) rather than stored.
    pub left_out: bool,
    seen: HashSet<SystematicName>,
}

impl UnknownGenes {
    /// How many are kept in `first`.
    const SHOWN: usize = 5;

    fn record(&mut self, gene: &SystematicName) {
        if self.seen.insert(gene.clone()) {
            self.genes += 1;
            if self.first.len() < Self::SHOWN {
                self.first.push(gene.clone());
            }
        }
    }
}

impl std::fmt::Display for UnknownGenes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let first: Vec<&str> = self.first.iter().map(SystematicName::as_str).collect();
        write!(
            f,
            "unknown genes: {} (first: {}{}), named by {} experiments, {}",
            self.genes,
            first.join(", "),
            if self.genes > first.len() {
                ", …"
            } else {
                ""
            },
            self.experiments,
            if self.left_out {
                "left out (--strict-genes)"
            } else {
                "stored with bare gene nodes (--strict-genes leaves them out)"
            }
        )
    }
}

/// What an ingest did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// One report per file.
    pub reports: Vec<ReadReport>,
    /// Experiments (or network edges) the files gave.
    pub produced: u64,
    /// Of them, new to the store.
    pub added: u64,
    /// Networks stored, by name, with their new interactions.
    pub networks: Vec<(String, u64)>,
    /// Per file (as `reports`), the genes the reference lacks; empty for networks.
    pub unknown: Vec<UnknownGenes>,
}

/// Why an ingest failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error(transparent)]
    Read(#[from] ironcell_sources::Error),
    /// The store refused.
    #[error(transparent)]
    Store(#[from] ironcell_kg::Error),
    /// A file the source cannot read, or a missing companion file.
    #[error("{0}")]
    Input(String),
    /// A file failed part-way: what of it was stored before the failure stays stored (the
    /// store is content-addressed, so ingesting the mended file again resumes, storing
    /// nothing twice); the rows read since the last write to the store were not stored.
    #[error(
        "{error}\n{}: {stored} experiments read before this were stored ({new} of them new; \
         the store is written every {batch}), the rest of the file was not. Mend the file and \
         ingest it again: what is stored already is not stored twice",
        file.display()
    )]
    Partial {
        /// Why the file failed.
        error: Box<Error>,
        /// The file.
        file: PathBuf,
        /// Its experiments stored before the failure.
        stored: u64,
        /// Of them, new to the store.
        new: u64,
        /// Experiments per write to the store.
        batch: usize,
    },
}

/// Buffers experiments and writes them in batches, counting what was new.
struct Sink<'s> {
    store: &'s mut dyn GraphStore,
    /// The reference's genes, and whether experiments naming others are left out.
    known: &'s HashSet<SystematicName>,
    strict: bool,
    /// The current file's unknown genes.
    unknown: UnknownGenes,
    buffer: Vec<Experiment>,
    /// Experiments per write.
    batch: usize,
    produced: u64,
    /// Of `produced`, those written to the store.
    written: u64,
    added: u64,
    datasets: BTreeSet<String>,
    progress: &'s mut dyn FnMut(u64, u64),
}

impl Sink<'_> {
    fn push(&mut self, experiments: impl IntoIterator<Item = Experiment>) -> Result<(), Error> {
        for e in experiments {
            let mut named_unknown = false;
            for g in e.genotype.genes().filter(|g| !self.known.contains(*g)) {
                self.unknown.record(g);
                named_unknown = true;
            }
            if named_unknown {
                self.unknown.experiments += 1;
                if self.strict {
                    continue;
                }
            }
            if !self.datasets.contains(e.provenance.dataset()) {
                self.datasets.insert(e.provenance.dataset().to_owned());
            }
            self.buffer.push(e);
            self.produced += 1;
        }
        if self.buffer.len() >= self.batch {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        self.added += self.store.put_experiments(&self.buffer)?;
        self.written += self.buffer.len() as u64;
        self.buffer.clear();
        (self.progress)(self.produced, self.added);
        Ok(())
    }
}

/// Reads one file into the sink and reports it.
fn ingest<R: RecordReader>(
    reader: R,
    policy: BadRows,
    sink: &mut Sink<'_>,
    to_experiments: impl Fn(R::Record) -> Vec<Experiment>,
) -> Result<ReadReport, Error> {
    let report = read_all(reader, policy, |record| sink.push(to_experiments(record))).map_err(
        |e| match e {
            ReadError::Source(e) => Error::Read(e),
            ReadError::Sink(e) => e,
        },
    )?;
    sink.flush()?;
    Ok(report)
}

fn open_file(path: &Path) -> Result<BufReader<File>, Error> {
    let file =
        File::open(path).map_err(|e| Error::Input(format!("opening {}: {e}", path.display())))?;
    Ok(BufReader::new(file))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The `S<number>` token of a Kuzmin 2020 table name (`aaz5667-Table-S3.xlsx` → `s3`).
fn table_number(name: &str) -> Option<String> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|t| {
            t.len() > 1 && t.starts_with(['S', 's']) && t[1..].chars().all(|c| c.is_ascii_digit())
        })
        .map(str::to_lowercase)
}

fn ingest_xlsx<RS: Read + Seek>(
    inner: RS,
    path: &Path,
    source: Source,
    policy: BadRows,
    sink: &mut Sink<'_>,
) -> Result<ReadReport, Error> {
    let name = path.display().to_string();
    match source {
        Source::Costanzo2016 => ingest(
            costanzo2016::smf::Reader::new(inner, &name)?,
            policy,
            sink,
            |r| vec![r.experiment()],
        ),
        Source::Kuzmin2020 => {
            let table = table_number(&file_name(path)).ok_or_else(|| {
                Error::Input(format!(
                    "{name}: expected a Kuzmin 2020 table name like aaz5667-Table-S1.xlsx"
                ))
            })?;
            if table == "s5" {
                ingest(
                    kuzmin2020::FitnessReader::new(inner, &name)?,
                    policy,
                    sink,
                    |r| vec![r.experiment()],
                )
            } else {
                let prefix = format!("kuzmin2020_{table}");
                let publication = kuzmin2020::publication();
                ingest(
                    kuzmin2020::InteractionReader::new(inner, &name)?,
                    policy,
                    sink,
                    |r| r.experiments(&prefix, &publication),
                )
            }
        }
        other => Err(Error::Input(format!("{name}: {other} has no xlsx files"))),
    }
}

/// The PubMed id a YeastPhenome file is filed under: the nearest folder named by digits
/// (`Datasets/23103169/qian_zhang_2012_value.txt`).
fn pubmed_folder(path: &Path) -> Option<u32> {
    path.parent()?
        .ancestors()
        .filter_map(|p| p.file_name()?.to_str())
        .find(|n| n.len() >= 6 && n.chars().all(|c| c.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
}

/// What name mapping needs from the reference.
struct Genes {
    names: GeneNames,
    essential: HashSet<SystematicName>,
    known: HashSet<SystematicName>,
}

fn ingest_path(
    path: &Path,
    source: Source,
    options: &Options,
    genes: &Genes,
    sink: &mut Sink<'_>,
) -> Result<ReadReport, Error> {
    let names = &genes.names;
    let policy = options.bad_rows;
    let name = path.display().to_string();
    let file = file_name(path);
    if file.ends_with(".xlsx") {
        return ingest_xlsx(open_file(path)?, path, source, policy, sink);
    }
    // Opened by each reader: the Costanzo pairs map a plain file instead of streaming it.
    let input = || open_maybe_gzip(path);
    match source {
        Source::Costanzo2016 => ingest(
            costanzo2016::pairs::Reader::open(path)?,
            policy,
            sink,
            |r| r.experiments(),
        ),
        Source::Kuzmin2018 => {
            let publication = kuzmin2018::publication();
            let reader = kuzmin2018::Reader::new(input()?, &name)?;
            let subset = !reader.has_interaction_scores();
            let prefix = if subset {
                KUZMIN2018_SUBSET
            } else {
                "kuzmin2018"
            };
            let report = ingest(reader, policy, sink, |r| {
                r.experiments(prefix, &publication)
            })?;
            if subset {
                // Say so where the data is, so no one looks for the scores there.
                let info = DatasetInfo {
                    absent: vec![PhenotypeKind::GeneInteraction.as_str().to_owned()],
                    note: Some(kuzmin2018::SUBSET_NOTE.to_owned()),
                    ..DatasetInfo::default()
                };
                for dataset in sink.datasets.iter().filter(|d| d.starts_with(prefix)) {
                    sink.store.describe_dataset(dataset, &info)?;
                }
            }
            Ok(report)
        }
        Source::Ohya2005 => {
            let wild_type = options.wild_type.as_deref().ok_or_else(|| {
                Error::Input(
                    "ohya2005 needs --wild-type wt122data.tsv for its reference".to_owned(),
                )
            })?;
            let reference = ohya2005::wild_type(
                open_maybe_gzip(wild_type)?,
                &wild_type.display().to_string(),
            )?;
            let reader = ohya2005::Reader::new(input()?, &name)?;
            reader.check_reference(&reference)?;
            ingest(reader, policy, sink, |r| vec![r.experiment(&reference)])
        }
        Source::Synlethdb => {
            let relation = if file.contains("_SR") {
                synlethdb::Relation::SyntheticRescue
            } else {
                synlethdb::Relation::SyntheticLethality
            };
            ingest(
                synlethdb::Reader::new(input()?, &name, relation, names)?,
                policy,
                sink,
                |r| vec![r.experiment()],
            )
        }
        Source::Essentiality if file.starts_with("phenotype_data") => ingest(
            essentiality::SgdReader::new(input()?, &name),
            policy,
            sink,
            |r| vec![r.experiment()],
        ),
        Source::Essentiality => {
            ingest(deletion::Reader::new(input()?, &name)?, policy, sink, |e| {
                vec![essentiality::Record::from_deletion(&e).experiment()]
            })
        }
        Source::Kuzmin2020 => Err(Error::Input(format!(
            "{name}: Kuzmin 2020 tables are xlsx files"
        ))),
        Source::Collins2007 => ingest(
            collins2007::Reader::new(input()?, &name)?,
            policy,
            sink,
            |r| vec![r.experiment()],
        ),
        Source::Tong2004 if file.contains("table_s1") => ingest(
            tong2004::HitReader::new(input()?, &name)?,
            policy,
            sink,
            |r| vec![r.experiment()],
        ),
        Source::Tong2004 => ingest(
            tong2004::PairReader::new(input()?, &name)?,
            policy,
            sink,
            |r| vec![r.experiment()],
        ),
        Source::Yeastphenome => {
            let pmid = pubmed_folder(path).ok_or_else(|| {
                Error::Input(format!(
                    "{name}: expected the file in a folder named by its PubMed id, as \
                     YeastPhenome files it (Datasets/23103169/…)"
                ))
            })?;
            let reader = yeastphenome::Reader::new(input()?, &name, pmid)?;
            // The experiments need the reader's conditions while it is being read.
            let conditions = reader.conditions().to_vec();
            let dataset = reader.dataset();
            ingest(reader, policy, sink, |r| {
                yeastphenome::experiments(&r, &conditions, pmid, &dataset)
            })
        }
        Source::Jonikas2009 if file.contains("singles") => ingest(
            jonikas2009::SingleReader::new(input()?, &name, names, &genes.essential)?,
            policy,
            sink,
            |r| vec![r.experiment()],
        ),
        Source::Jonikas2009 => ingest(
            jonikas2009::DoubleReader::new(input()?, &name, names, &genes.essential)?,
            policy,
            sink,
            |r| vec![r.experiment()],
        ),
        Source::DcellEpsilon => {
            let (term, part) = dcell_epsilon::file_part(&file).ok_or_else(|| {
                Error::Input(format!(
                    "{name}: expected one of DCell's data files, named like \
                     GO_0006281_training_data_2016_0 (topology files are not data)"
                ))
            })?;
            let dataset = dcell_epsilon::dataset(&term, part);
            ingest(
                dcell_epsilon::Reader::new(input()?, &name, &genes.essential),
                policy,
                sink,
                |r| vec![r.experiment(&dataset)],
            )
        }
        Source::Hoepfner2014 => {
            let reader = hoepfner2014::Reader::new(input()?, &name)?;
            let compounds = reader.compounds().to_vec();
            ingest(reader, policy, sink, |r| r.experiments(&compounds))
        }
        Source::Networks => unreachable!("networks are stored by ingest_network"),
    }
}

/// Stores one network file as the network named by the file; returns its read report and
/// how many interactions were new.
fn ingest_network(
    path: &Path,
    names: &GeneNames,
    policy: BadRows,
    store: &mut dyn GraphStore,
) -> Result<(ReadReport, String, u64), Error> {
    let file = path.display().to_string();
    let reader = networks::Reader::detect(open_maybe_gzip(path)?, &file, names)?;
    let directed = reader.is_directed();
    let (edges, report) = collect(reader, policy)?;
    let name = networks::name_of(path).to_owned();
    let network = Network {
        name: &name,
        directed,
        edges: &edges,
    };
    let added = store.put_network(&network)?;
    Ok((report, name, added))
}

/// Reads `inputs` of `source` into `store`, with `reference` for gene names (stored too, once).
/// `progress(produced, added)` is called after each batch written.
pub fn run(
    source: Source,
    inputs: &[PathBuf],
    reference: &Reference,
    store: &mut dyn GraphStore,
    options: &Options,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Outcome, Error> {
    let genes = Genes {
        names: GeneNames::new(&reference.genes),
        essential: reference.essential_genes(),
        known: reference
            .genes
            .iter()
            .map(|g| g.systematic_name.clone())
            .collect(),
    };
    // The reference is stored once; on Neo4j storing it again costs seconds per run.
    if !store.has_label(Label::GoTerm)? {
        store.put_reference(reference)?;
    }
    let mut outcome = Outcome::default();
    if source == Source::Networks {
        for path in inputs {
            let (report, name, added) =
                ingest_network(path, &genes.names, options.bad_rows, store)?;
            outcome.produced += report.records;
            outcome.added += added;
            outcome.networks.push((name, added));
            outcome.reports.push(report);
        }
        return Ok(outcome);
    }
    let mut sink = Sink {
        store,
        known: &genes.known,
        strict: options.strict_genes,
        unknown: UnknownGenes::default(),
        buffer: Vec::new(),
        batch: options.batch.unwrap_or(BATCH).max(1),
        produced: 0,
        written: 0,
        added: 0,
        datasets: BTreeSet::new(),
        progress,
    };
    for path in inputs {
        let (written, added) = (sink.written, sink.added);
        let report = ingest_path(path, source, options, &genes, &mut sink).map_err(|e| {
            let stored = sink.written - written;
            if stored == 0 {
                return e;
            }
            Error::Partial {
                error: Box::new(e),
                file: path.clone(),
                stored,
                new: sink.added - added,
                batch: sink.batch,
            }
        })?;
        outcome.reports.push(report);
        let mut unknown = std::mem::take(&mut sink.unknown);
        unknown.left_out = options.strict_genes && unknown.experiments > 0;
        outcome.unknown.push(unknown);
    }
    outcome.produced = sink.produced;
    outcome.added = sink.added;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An E-MAP file of `rows` distinct pairs, the score of row `bad` (1-based) unreadable.
    fn emap(rows: usize, bad: Option<usize>) -> String {
        let mut text = String::from("orf_a\tallele_a\torf_b\tallele_b\tscore\n");
        for i in 1..=rows {
            let score = match bad == Some(i) {
                true => "x".to_owned(),
                false => format!("{:.2}", i as f64 / 10.0),
            };
            text.push_str(&format!(
                "YAL{i:03}W\tDELETION\tYBR{i:03}C\tDELETION\t{score}\n"
            ));
        }
        text
    }

    fn ingest(path: &Path, store: &mut ironcell_kg::SqliteStore) -> Result<Outcome, Error> {
        let reference = Reference {
            genes: Vec::new(),
            terms: Vec::new(),
            annotations: Vec::new(),
            go_version: String::new(),
        };
        let options = Options {
            batch: Some(10),
            ..Options::default()
        };
        run(
            Source::Collins2007,
            &[path.to_owned()],
            &reference,
            store,
            &options,
            &mut |_, _| {},
        )
    }

    fn stored(store: &ironcell_kg::SqliteStore) -> u64 {
        store
            .stats()
            .unwrap()
            .nodes
            .get("Experiment")
            .copied()
            .unwrap_or(0)
    }

    #[test]
    fn a_file_failing_past_its_first_write_says_what_was_stored_and_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = ironcell_kg::SqliteStore::open(&dir.path().join("kg.sqlite")).unwrap();
        let path = dir.path().join("sscores.tsv");
        std::fs::write(&path, emap(30, Some(26))).unwrap();
        let err = ingest(&path, &mut store).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Partial {
                    stored: 20,
                    new: 20,
                    batch: 10,
                    ..
                }
            ),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("sscores.tsv:27:"), "{message}");
        assert!(
            message.contains("20 experiments read before this were stored"),
            "{message}"
        );
        assert_eq!(stored(&store), 20);
        // The mended file resumes: the 20 are not stored twice.
        std::fs::write(&path, emap(30, None)).unwrap();
        let outcome = ingest(&path, &mut store).unwrap();
        assert_eq!((outcome.produced, outcome.added), (30, 10));
        assert_eq!(stored(&store), 30);
        // A failure before the first write is the plain error: nothing of the file is stored.
        let other = dir.path().join("other.tsv");
        std::fs::write(&other, emap(5, Some(3)).replace("YAL", "YCL")).unwrap();
        let err = ingest(&other, &mut store).unwrap_err();
        assert!(matches!(err, Error::Read(_)), "{err:?}");
        assert_eq!(stored(&store), 30);
    }

    #[test]
    fn a_truncated_gzip_names_the_line_it_broke_at() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let mut store = ironcell_kg::SqliteStore::open(&dir.path().join("kg.sqlite")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        gz.write_all(emap(200, None).as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        // Uncompressed blocks: the cut falls about halfway through the rows.
        let path = dir.path().join("sscores.tsv.gz");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let err = ingest(&path, &mut store).unwrap_err();
        let Error::Partial { stored, .. } = &err else {
            panic!("{err:?}");
        };
        // Every complete line before the cut was read; those in full writes were stored.
        let complete = emap(200, None).as_bytes()[..bytes.len() / 2 - 20]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let message = err.to_string();
        let line = message
            .split("sscores.tsv.gz:")
            .nth(1)
            .and_then(|s| s.split(':').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no line in {message}"));
        assert!(
            line > 1 && line.abs_diff(complete) <= 2,
            "line {line}, {complete} complete: {message}"
        );
        assert_eq!(*stored, ((line - 2) / 10 * 10) as u64, "{message}");
        assert_eq!(self::stored(&store), *stored);
    }

    #[test]
    fn yeastphenome_files_are_filed_under_their_pubmed_id() {
        let path = Path::new("yeast-screens/yeastphenome/23103169/qian_zhang_2012_value.txt.gz");
        assert_eq!(pubmed_folder(path), Some(23103169));
        assert_eq!(pubmed_folder(Path::new("qian_zhang_2012_value.txt")), None);
    }

    #[test]
    fn kuzmin_2020_table_numbers_come_from_the_file_name() {
        assert_eq!(table_number("aaz5667-Table-S3.xlsx").as_deref(), Some("s3"));
        assert_eq!(table_number("aaz5667_table_s5.xlsx").as_deref(), Some("s5"));
        assert_eq!(table_number("data.xlsx"), None);
    }

    #[test]
    fn sources_parse_by_name_and_alias() {
        for (source, name, aliases) in Source::NAMES {
            assert_eq!(name.parse::<Source>(), Ok(source));
            for alias in aliases {
                assert_eq!(alias.parse::<Source>(), Ok(source));
            }
        }
        assert!("nope"
            .parse::<Source>()
            .unwrap_err()
            .contains("hoepfner2014-hop"));
    }
}
