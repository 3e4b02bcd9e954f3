//! `ironcell ingest`: read published screens in their own formats and store them in the
//! knowledge graph, accounting for every row.

use std::{
    fs::File,
    io::{BufReader, Read, Seek},
    path::Path,
};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use ironcell_core::Experiment;
use ironcell_kg::{schema::Label, GraphStore};
use ironcell_sources::{
    costanzo2016, deletion, essentiality, kuzmin2018, kuzmin2020,
    names::GeneNames,
    ohya2005, open_maybe_gzip,
    reference::Reference,
    report::{read_all, BadRows, ReadError, ReadReport, RecordReader},
    synlethdb,
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
    progress: ProgressBar,
}

impl Sink<'_> {
    fn push(&mut self, experiments: impl IntoIterator<Item = Experiment>) -> Result<()> {
        for e in experiments {
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

fn ingest_path(
    path: &Path,
    args: &IngestArgs,
    names: &GeneNames,
    sink: &mut Sink<'_>,
) -> Result<ReadReport> {
    let policy = if args.skip_bad_rows {
        BadRows::Skip
    } else {
        BadRows::Fail
    };
    let name = path.display().to_string();
    let file = file_name(path);
    if file.ends_with(".xlsx") {
        return ingest_xlsx(open_file(path)?, path, args.source, policy, sink);
    }
    let input = open_maybe_gzip(path)?;
    match args.source {
        Source::Costanzo2016 => ingest(
            costanzo2016::pairs::Reader::new(input, &name)?,
            policy,
            sink,
            |r| r.experiments(),
        ),
        Source::Kuzmin2018 => {
            let publication = kuzmin2018::publication();
            ingest(kuzmin2018::Reader::new(input, &name), policy, sink, |r| {
                r.experiments("kuzmin2018", &publication)
            })
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
            ingest(ohya2005::Reader::new(input, &name)?, policy, sink, |r| {
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
                synlethdb::Reader::new(input, &name, relation, names)?,
                policy,
                sink,
                |r| vec![r.experiment()],
            )
        }
        Source::Essentiality if file.starts_with("phenotype_data") => ingest(
            essentiality::SgdReader::new(input, &name),
            policy,
            sink,
            |r| vec![r.experiment()],
        ),
        Source::Essentiality => ingest(deletion::Reader::new(input, &name)?, policy, sink, |e| {
            vec![essentiality::Record::from_deletion(&e).experiment()]
        }),
        Source::Kuzmin2020 => bail!("{name}: Kuzmin 2020 tables are xlsx files"),
    }
}

pub fn run(args: &IngestArgs) -> Result<()> {
    let reference = Reference::read(&args.reference)?;
    let names = GeneNames::new(&reference.genes);
    let mut store = args.store.open()?;
    // The reference is stored once; on Neo4j storing it again costs seconds per run.
    if !store.has_label(Label::GoTerm)? {
        store.put_reference(&reference)?;
    }
    let progress = ProgressBar::new_spinner()
        .with_style(ProgressStyle::with_template("{spinner} {elapsed} {msg}")?);
    let mut sink = Sink {
        store: store.as_mut(),
        buffer: Vec::with_capacity(BATCH),
        produced: 0,
        added: 0,
        progress,
    };
    let mut reports = Vec::new();
    for path in &args.input {
        let report = ingest_path(path, args, &names, &mut sink)?;
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
    use super::table_number;

    #[test]
    fn kuzmin_2020_table_numbers_come_from_the_file_name() {
        assert_eq!(table_number("aaz5667-Table-S3.xlsx").as_deref(), Some("s3"));
        assert_eq!(table_number("aaz5667_table_s5.xlsx").as_deref(), Some("s5"));
        assert_eq!(table_number("data.xlsx"), None);
    }
}
