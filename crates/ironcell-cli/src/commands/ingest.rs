//! `ironcell ingest`: read published screens in their own formats and store them in the
//! knowledge graph, accounting for every row.

use std::{
    collections::{BTreeSet, HashSet},
    fs::File,
    io::{BufReader, Read, Seek},
    path::Path,
};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use ironcell_core::{Experiment, PhenotypeKind, SystematicName};
use ironcell_data::screens::KUZMIN2018_SUBSET;
use ironcell_kg::{
    schema::{DatasetInfo, Label, Network},
    GraphStore,
};
use ironcell_sources::{
    collins2007, costanzo2016, dcell_epsilon, deletion, essentiality, hoepfner2014, jonikas2009,
    kuzmin2018, kuzmin2020,
    names::GeneNames,
    networks, ohya2005, open_maybe_gzip,
    report::{collect, read_all, BadRows, ReadError, ReadReport, RecordReader},
    synlethdb, tong2004, yeastphenome,
};

use crate::args::{IngestArgs, Source};

/// Experiments stored per call to the store; bounds memory on 2e7-row files.
const BATCH: usize = 50_000;

/// Buffers experiments and writes them in batches, counting what was new.
struct Sink<'s> {
    store: &'s mut dyn GraphStore,
    buffer: Vec<Experiment>,
    produced: u64,
    added: u64,
    /// Datasets the experiments belong to.
    datasets: BTreeSet<String>,
    progress: ProgressBar,
}

impl Sink<'_> {
    fn push(&mut self, experiments: impl IntoIterator<Item = Experiment>) -> Result<()> {
        for e in experiments {
            if !self.datasets.contains(e.provenance.dataset()) {
                self.datasets.insert(e.provenance.dataset().to_owned());
            }
            self.buffer.push(e);
            self.produced += 1;
        }
        if self.buffer.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.added += self.store.put_experiments(&self.buffer)?;
        self.buffer.clear();
        self.progress
            .set_message(format!("{} experiments, {} new", self.produced, self.added));
        Ok(())
    }
}

/// Reads one file into the sink and reports it.
fn ingest<R: RecordReader>(
    reader: R,
    policy: BadRows,
    sink: &mut Sink<'_>,
    to_experiments: impl Fn(R::Record) -> Vec<Experiment>,
) -> Result<ReadReport> {
    let report = read_all(reader, policy, |record| sink.push(to_experiments(record))).map_err(
        |e| match e {
            ReadError::Source(e) => anyhow::Error::new(e),
            ReadError::Sink(e) => e,
        },
    )?;
    sink.flush()?;
    Ok(report)
}

fn open_file(path: &Path) -> Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
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
) -> Result<ReadReport> {
    let name = path.display().to_string();
    match source {
        Source::Costanzo2016 => ingest(
            costanzo2016::smf::Reader::new(inner, &name)?,
            policy,
            sink,
            |r| vec![r.experiment()],
        ),
        Source::Kuzmin2020 => {
            let table = table_number(&file_name(path)).with_context(|| {
                format!("{name}: expected a Kuzmin 2020 table name like aaz5667-Table-S1.xlsx")
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
        other => bail!("{name}: {other:?} has no xlsx files"),
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
}

fn ingest_path(
    path: &Path,
    args: &IngestArgs,
    genes: &Genes,
    sink: &mut Sink<'_>,
) -> Result<ReadReport> {
    let names = &genes.names;
    let policy = args.bad_rows();
    let name = path.display().to_string();
    let file = file_name(path);
    if file.ends_with(".xlsx") {
        return ingest_xlsx(open_file(path)?, path, args.source, policy, sink);
    }
    // Opened by each reader: the Costanzo pairs map a plain file instead of streaming it.
    let input = || open_maybe_gzip(path);
    match args.source {
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
            let wild_type = args
                .wild_type
                .as_deref()
                .context("ohya2005 needs --wild-type wt122data.tsv for its reference")?;
            let reference = ohya2005::wild_type(
                open_maybe_gzip(wild_type)?,
                &wild_type.display().to_string(),
            )?;
            ingest(ohya2005::Reader::new(input()?, &name)?, policy, sink, |r| {
                vec![r.experiment(&reference)]
            })
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
        Source::Kuzmin2020 => bail!("{name}: Kuzmin 2020 tables are xlsx files"),
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
            let pmid = pubmed_folder(path).with_context(|| {
                format!(
                    "{name}: expected the file in a folder named by its PubMed id, as \
                     YeastPhenome files it (Datasets/23103169/…)"
                )
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
            let (term, part) = dcell_epsilon::file_part(&file).with_context(|| {
                format!(
                    "{name}: expected one of DCell's data files, named like \
                     GO_0006281_training_data_2016_0 (topology files are not data)"
                )
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
        Source::Networks => bail!("networks are stored by ingest_network"),
    }
}

/// Stores one network file as the network named by the file; returns its read report and
/// how many interactions were new.
fn ingest_network(
    path: &Path,
    names: &GeneNames,
    policy: BadRows,
    store: &mut dyn GraphStore,
) -> Result<(ReadReport, u64)> {
    let file = path.display().to_string();
    let reader = networks::Reader::detect(open_maybe_gzip(path)?, &file, names)?;
    let directed = reader.is_directed();
    let (edges, report) = collect(reader, policy)?;
    let network = Network {
        name: networks::name_of(path),
        directed,
        edges: &edges,
    };
    let added = store.put_network(&network)?;
    Ok((report, added))
}

pub fn run(args: &IngestArgs) -> Result<()> {
    let reference = args.data.load()?.reference;
    let genes = Genes {
        names: GeneNames::new(&reference.genes),
        essential: reference.essential_genes(),
    };
    let mut store = args.store.open()?;
    // The reference is stored once; on Neo4j storing it again costs seconds per run.
    if !store.has_label(Label::GoTerm)? {
        store.put_reference(&reference)?;
    }
    if args.source == Source::Networks {
        for path in &args.input {
            let (report, added) =
                ingest_network(path, &genes.names, args.bad_rows(), store.as_mut())?;
            print!("{report}");
            println!(
                "network {}: {} edges, {added} new interactions in {}",
                networks::name_of(path),
                report.records,
                args.store.db
            );
        }
        return Ok(());
    }
    let progress = ProgressBar::new_spinner()
        .with_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}")?);
    let mut sink = Sink {
        store: store.as_mut(),
        buffer: Vec::with_capacity(BATCH),
        produced: 0,
        added: 0,
        datasets: BTreeSet::new(),
        progress,
    };
    let mut reports = Vec::new();
    for path in &args.input {
        let report = ingest_path(path, args, &genes, &mut sink)?;
        reports.push(report);
    }
    sink.progress.finish_and_clear();
    for report in &reports {
        print!("{report}");
    }
    println!(
        "{}: {} experiments from {} file(s), {} new in {} ({} already stored or repeated)",
        args.source.name(),
        sink.produced,
        reports.len(),
        sink.added,
        args.store.db,
        sink.produced - sink.added
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{pubmed_folder, table_number};

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
}
