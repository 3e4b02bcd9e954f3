//! The pair-wise SGA tables `SGA_ExE.txt`, `SGA_NxN.txt`, `SGA_ExN_NxE.txt` and
//! `SGA_DAmP.txt`: tab-separated, one row per query × array double mutant with its
//! interaction score ε, P-value, both single-mutant fitnesses and the double-mutant fitness
//! with its standard deviation. "Arraytype/Temp" (`DMA26`, `DMA30`, `TSA26`, `TSA30`) names
//! the array and the temperature.
//!
//! Each row yields a double-mutant fitness experiment and an interaction experiment. The
//! full tables hold ~2e7 rows, so the reader streams, and strains are parsed once and shared
//! (a strain appears in thousands of rows).

use std::{
    io::Read,
    sync::{
        mpsc::{channel, sync_channel, Receiver, Sender},
        Arc, RwLock,
    },
};

use ironcell_core::{
    Environment, Experiment, ExperimentReference, Fitness, GeneInteraction, Genotype,
    InteractionOrder, Perturbation, Phenotype,
};

use super::{provenance, DMF_DATASET, DMI_DATASET};
use rustc_hash::FxHashMap;

use crate::{
    chunks::{Chunk, LineChunks},
    report::RecordReader,
    strain::Strain,
    table::{is_missing, Header},
    Error,
};

/// Colonies per double mutant in the Costanzo 2016 screens.
pub const REPLICATES: u32 = 4;

/// One double mutant.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRecord {
    /// The query strain's perturbation (strain id and allele name kept).
    pub query: Arc<Perturbation>,
    /// The array strain's perturbation.
    pub array: Arc<Perturbation>,
    /// `DMA` (deletion mutant array) or `TSA` (temperature-sensitive array).
    pub array_type: ArrayType,
    /// The screen's temperature, from "Arraytype/Temp".
    pub temperature_c: i32,
    /// ε with its P-value, when given.
    pub interaction: Option<GeneInteraction>,
    /// "Query single mutant fitness (SMF)".
    pub query_smf: Option<f64>,
    /// "Array SMF".
    pub array_smf: Option<f64>,
    /// Double-mutant fitness and its standard deviation, when given.
    pub fitness: Option<Fitness>,
}

/// The array collection a pair was screened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArrayType {
    /// Deletion mutant array (non-essential genes).
    Dma,
    /// Temperature-sensitive allele array (essential genes).
    Tsa,
}

impl PairRecord {
    /// The double mutant.
    pub fn genotype(&self) -> Genotype {
        Genotype::new([(*self.query).clone(), (*self.array).clone()])
            .expect("the reader rejects pairs of one gene")
    }

    /// The double-mutant fitness experiment ([`DMF_DATASET`]) and the ε experiment
    /// ([`DMI_DATASET`]), whichever the row has values for.
    pub fn experiments(&self) -> Vec<Experiment> {
        let genotype = self.genotype();
        let environment = Environment::sga_plate(self.temperature_c);
        let mut out = Vec::with_capacity(2);
        if let Some(fitness) = self.fitness {
            out.push(Experiment::fitness(
                genotype.clone(),
                environment.clone(),
                fitness,
                provenance(DMF_DATASET),
            ));
        }
        if let Some(interaction) = self.interaction {
            out.push(Experiment {
                genotype,
                reference: ExperimentReference::s288c(
                    &environment,
                    Phenotype::GeneInteraction(GeneInteraction::none(InteractionOrder::Digenic)),
                ),
                environment,
                phenotype: Phenotype::GeneInteraction(interaction),
                provenance: provenance(DMI_DATASET),
            });
        }
        out
    }
}

/// Column positions, found by header.
struct Columns {
    query: usize,
    query_allele: usize,
    array: usize,
    array_allele: usize,
    array_temp: usize,
    epsilon: usize,
    p_value: usize,
    query_smf: usize,
    array_smf: usize,
    dmf: usize,
    dmf_std: usize,
}

/// Bytes per chunk, and chunks parsed ahead of the consumer: enough to keep both cores
/// busy while bounding memory (about 10 MB per chunk in flight).
const CHUNK_BYTES: usize = 4 << 20;
const IN_FLIGHT: usize = 4;
/// Fields read per line (the published layout has 11).
const MAX_FIELDS: usize = 16;
/// Marks a strain id local to one chunk until the consumer merges it.
const LOCAL: u32 = 1 << 31;

type StrainIndex = FxHashMap<Box<str>, u32>;

/// Strains a chunk met that the shared index did not have yet.
#[derive(Default)]
struct NewStrains {
    index: StrainIndex,
    perturbations: Vec<Perturbation>,
}

/// A parsed row whose strains are indices into the reader's strain table (or, with
/// [`LOCAL`], into its chunk's [`NewStrains`]): parsing never touches a shared reference
/// count.
#[derive(Clone, Copy)]
struct RawRow {
    query: u32,
    array: u32,
    array_type: ArrayType,
    temperature_c: i32,
    interaction: Option<GeneInteraction>,
    query_smf: Option<f64>,
    array_smf: Option<f64>,
    fitness: Option<Fitness>,
}

/// One chunk's rows, its bad rows (by position among the rows), the strains it added, and
/// its buffer to recycle.
struct Parsed {
    rows: Vec<RawRow>,
    errors: Vec<(usize, Error)>,
    new: NewStrains,
    bytes: Vec<u8>,
}

/// Buffers handed back to the reading thread once a chunk is consumed.
type Recycled = (Vec<u8>, Vec<RawRow>);

/// Streams [`PairRecord`]s from one SGA table.
///
/// The full tables hold ~2e7 rows, so this reader is hand-written for speed rather than
/// built on the generic delimited reader: a background thread cuts the input into
/// whole-line chunks, the rayon pool parses them (one SIMD pass for the separators, no
/// allocation per row, each strain parsed about once) while the consumer takes records
/// from earlier chunks. Records and errors still come out in file order, with their lines.
pub struct Reader {
    name: String,
    /// Parsed chunks, in file order.
    ordered: Receiver<Receiver<Result<Parsed, Error>>>,
    /// Every strain seen, by `id\tallele`; republished to the parsers when it grows.
    index: StrainIndex,
    table: Vec<Arc<Perturbation>>,
    published: Arc<RwLock<Arc<StrainIndex>>>,
    /// The chunk being consumed: its rows, the next position, its bad rows.
    current: Vec<RawRow>,
    position: usize,
    errors: std::vec::IntoIter<(usize, Error)>,
    next_error: Option<(usize, Error)>,
    bytes: Vec<u8>,
    recycle: Sender<Recycled>,
    rows: u64,
}

impl Reader {
    /// Reads the header; fails when a column is missing. Parsing then runs ahead in the
    /// background.
    pub fn new<R: Read + Send + 'static>(inner: R, name: &str) -> Result<Self, Error> {
        let mut chunks = LineChunks::new(inner, name, CHUNK_BYTES);
        let first = chunks
            .next_chunk()?
            .ok_or_else(|| Error::format(name, "empty file: expected a header"))?;
        let (line, header) = first.lines().next().expect("a chunk has a line");
        let header = std::str::from_utf8(header)
            .map_err(|_| Error::parse(name, line, "header is not UTF-8"))?;
        let h = Header::new(
            header.split('\t').map(|h| h.trim().to_owned()).collect(),
            name,
            line,
        );
        let columns = Columns {
            query: h.require("Query Strain ID")?.index,
            query_allele: h.require("Query allele name")?.index,
            array: h.require("Array Strain ID")?.index,
            array_allele: h.require("Array allele name")?.index,
            array_temp: h.require("Arraytype/Temp")?.index,
            epsilon: h.require("Genetic interaction score (ε)")?.index,
            p_value: h.require("P-value")?.index,
            query_smf: h.require("Query single mutant fitness (SMF)")?.index,
            array_smf: h.require("Array SMF")?.index,
            dmf: h.require("Double mutant fitness")?.index,
            dmf_std: h.require("Double mutant fitness standard deviation")?.index,
        };
        if columns.max() >= MAX_FIELDS {
            return Err(Error::parse(
                name,
                line,
                format!("the SGA columns must be among the first {MAX_FIELDS}"),
            ));
        }
        let header_end = memchr::memchr(b'\n', &first.bytes).map_or(first.bytes.len(), |i| i + 1);
        let rest = Chunk {
            first_line: line + 1,
            bytes: first.bytes[header_end..].to_vec(),
        };
        let published = Arc::new(RwLock::new(Arc::new(StrainIndex::default())));
        let (ordered_tx, ordered) = sync_channel(IN_FLIGHT);
        let (recycle, recycled) = channel::<Recycled>();
        let context = Arc::new((columns, name.to_owned()));
        let shared = Arc::clone(&published);
        std::thread::spawn(move || {
            let mut next = Some(Ok(Some(rest)));
            let mut spare_rows = Vec::new();
            loop {
                for (bytes, rows) in recycled.try_iter() {
                    chunks.recycle(bytes);
                    spare_rows.push(rows);
                }
                let chunk = next.take().unwrap_or_else(|| chunks.next_chunk());
                let (tx, rx) = sync_channel(1);
                match chunk {
                    Ok(Some(chunk)) => {
                        let index = shared.read().map(|i| Arc::clone(&i)).unwrap_or_default();
                        let context = Arc::clone(&context);
                        let rows = spare_rows.pop().unwrap_or_default();
                        rayon::spawn(move || {
                            let (columns, file) = &*context;
                            let _ = tx.send(Ok(parse_chunk(chunk, rows, columns, &index, file)));
                        });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        let _ = ordered_tx.send(rx);
                        break;
                    }
                }
                if ordered_tx.send(rx).is_err() {
                    break; // the reader was dropped
                }
            }
        });
        Ok(Self {
            name: name.to_owned(),
            ordered,
            index: StrainIndex::default(),
            table: Vec::new(),
            published,
            current: Vec::new(),
            position: 0,
            errors: Vec::new().into_iter(),
            next_error: None,
            bytes: Vec::new(),
            recycle,
            rows: 0,
        })
    }

    /// Adds a chunk's new strains to the table and returns their global indices.
    fn merge(&mut self, new: NewStrains) -> Vec<u32> {
        let mut remap = vec![0; new.perturbations.len()];
        let mut perturbations: Vec<Option<Perturbation>> =
            new.perturbations.into_iter().map(Some).collect();
        let grown = self.table.len();
        for (key, local) in new.index {
            let k = (local & !LOCAL) as usize;
            remap[k] = match self.index.get(&key) {
                Some(&global) => global,
                None => {
                    let global = self.table.len() as u32;
                    let p = perturbations[k].take().expect("each local strain once");
                    self.table.push(Arc::new(p));
                    self.index.insert(key, global);
                    global
                }
            };
        }
        if self.table.len() > grown {
            if let Ok(mut published) = self.published.write() {
                *published = Arc::new(self.index.clone());
            }
        }
        remap
    }
}

impl Columns {
    fn max(&self) -> usize {
        [
            self.query,
            self.query_allele,
            self.array,
            self.array_allele,
            self.array_temp,
            self.epsilon,
            self.p_value,
            self.query_smf,
            self.array_smf,
            self.dmf,
            self.dmf_std,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }
}

/// Parses one chunk: the whole chunk is checked as UTF-8 once (line by line only when that
/// fails), and one `memchr2` pass finds every tab and line end.
fn parse_chunk(
    chunk: Chunk,
    mut rows: Vec<RawRow>,
    columns: &Columns,
    shared: &StrainIndex,
    file: &str,
) -> Parsed {
    rows.clear();
    rows.reserve(chunk.bytes.len() / 80);
    let mut worker = Worker {
        file,
        columns,
        shared,
        new: NewStrains::default(),
        key: String::new(),
        last_query: None,
        rows,
        errors: Vec::new(),
    };
    match std::str::from_utf8(&chunk.bytes) {
        Ok(text) => {
            let mut fields = [""; MAX_FIELDS];
            let (mut count, mut start, mut line) = (0, 0, chunk.first_line);
            let bytes = text.as_bytes();
            for at in memchr::memchr2_iter(b'\t', b'\n', bytes) {
                if count < MAX_FIELDS {
                    fields[count] = &text[start..at];
                }
                count += 1;
                start = at + 1;
                if bytes[at] == b'\n' {
                    worker.line(line, &mut fields, count);
                    line += 1;
                    count = 0;
                }
            }
            if start < bytes.len() {
                if count < MAX_FIELDS {
                    fields[count] = &text[start..];
                }
                worker.line(line, &mut fields, count + 1);
            }
        }
        Err(_) => {
            for (line, bytes) in chunk.lines() {
                match std::str::from_utf8(bytes) {
                    Ok(text) => {
                        let mut fields = [""; MAX_FIELDS];
                        let mut count = 0;
                        for f in text.split('\t') {
                            if count < MAX_FIELDS {
                                fields[count] = f;
                            }
                            count += 1;
                        }
                        worker.line(line, &mut fields, count);
                    }
                    Err(_) => worker.errors.push((
                        worker.rows.len(),
                        Error::bad_row(file, line, "not UTF-8", "the line is not valid UTF-8"),
                    )),
                }
            }
        }
    }
    Parsed {
        rows: worker.rows,
        errors: worker.errors,
        new: worker.new,
        bytes: chunk.bytes,
    }
}

/// Parses the lines of one chunk.
struct Worker<'a> {
    file: &'a str,
    columns: &'a Columns,
    shared: &'a StrainIndex,
    new: NewStrains,
    /// Reused buffer for `id\tallele` keys.
    key: String,
    /// The previous row's query strain, allele and index.
    last_query: Option<(&'a str, &'a str, u32)>,
    rows: Vec<RawRow>,
    /// Bad rows, by the number of good rows before them.
    errors: Vec<(usize, Error)>,
}

/// A data line's first [`MAX_FIELDS`] fields, trimmed.
struct Line<'a, 'f> {
    file: &'a str,
    line: u64,
    fields: &'f [&'a str],
    count: usize,
}

impl<'a> Line<'a, '_> {
    fn error(&self, reason: &'static str, message: impl Into<String>) -> Error {
        Error::bad_row(self.file, self.line, reason, message)
    }

    fn text(&self, i: usize, column: &str) -> Result<&'a str, Error> {
        if i < self.count {
            Ok(self.fields[i])
        } else {
            Err(self.error(
                "short row",
                format!("missing column {column:?}: only {} fields", self.count),
            ))
        }
    }

    fn number(&self, i: usize, column: &str) -> Result<Option<f64>, Error> {
        let text = self.text(i, column)?;
        if is_missing(text) {
            return Ok(None);
        }
        text.parse().map(Some).map_err(|_| {
            self.error(
                "not a number",
                format!("column {column:?}: expected a number, found {text:?}"),
            )
        })
    }
}

impl<'a> Worker<'a> {
    fn line(&mut self, line: u64, fields: &mut [&'a str; MAX_FIELDS], count: usize) {
        let used = count.min(MAX_FIELDS);
        for f in &mut fields[..used] {
            let b = f.as_bytes();
            if b.first().is_some_and(u8::is_ascii_whitespace)
                || b.last().is_some_and(u8::is_ascii_whitespace)
            {
                *f = f.trim();
            }
        }
        if fields[..used].iter().all(|f| f.is_empty()) {
            return;
        }
        let row = Line {
            file: self.file,
            line,
            fields: &fields[..],
            count,
        };
        match self.parse(&row) {
            Ok(r) => self.rows.push(r),
            Err(e) => self.errors.push((self.rows.len(), e)),
        }
    }

    /// The strain's index: shared, new in this chunk, or parsed now.
    fn strain(&mut self, row: &Line<'a, '_>, id: &'a str, allele: &'a str) -> Result<u32, Error> {
        // The tables list each query's rows together: most queries are the last one.
        if let Some((last_id, last_allele, i)) = self.last_query {
            if last_id == id && last_allele == allele {
                return Ok(i);
            }
        }
        let i = self.lookup(row, id, allele)?;
        self.last_query = Some((id, allele, i));
        Ok(i)
    }

    fn lookup(&mut self, row: &Line<'_, '_>, id: &str, allele: &str) -> Result<u32, Error> {
        self.key.clear();
        self.key.push_str(id);
        self.key.push('\t');
        self.key.push_str(allele);
        if let Some(&i) = self.shared.get(self.key.as_str()) {
            return Ok(i);
        }
        if let Some(&i) = self.new.index.get(self.key.as_str()) {
            return Ok(i);
        }
        let strain = Strain::parse(id).map_err(|m| row.error("bad strain id", m))?;
        let i = LOCAL | self.new.perturbations.len() as u32;
        self.new.perturbations.push(strain.perturbation(allele));
        self.new.index.insert(self.key.as_str().into(), i);
        Ok(i)
    }

    fn parse(&mut self, row: &Line<'a, '_>) -> Result<RawRow, Error> {
        let c = self.columns;
        let query_id = row.text(c.query, "Query Strain ID")?;
        let array_id = row.text(c.array, "Array Strain ID")?;
        let query = self.strain(
            row,
            query_id,
            row.text(c.query_allele, "Query allele name")?,
        )?;
        let array = self.strain(
            row,
            array_id,
            row.text(c.array_allele, "Array allele name")?,
        )?;
        if orf(query_id).eq_ignore_ascii_case(orf(array_id)) {
            return Err(row.error(
                "one gene twice",
                format!("query and array both perturb {}", orf(query_id)),
            ));
        }
        let (array_type, temperature_c) =
            array_type_and_temperature(row, row.text(c.array_temp, "Arraytype/Temp")?)?;
        let bad =
            |what: &str, e: ironcell_core::Error| row.error("bad value", format!("{what}: {e}"));
        let interaction = row
            .number(c.epsilon, "Genetic interaction score (ε)")?
            .map(|eps| {
                let p = row.number(c.p_value, "P-value")?;
                GeneInteraction::new(InteractionOrder::Digenic, eps, p)
                    .map_err(|e| bad("genetic interaction score", e))
            })
            .transpose()?;
        let fitness = row
            .number(c.dmf, "Double mutant fitness")?
            .map(|v| {
                let std = row.number(c.dmf_std, "Double mutant fitness standard deviation")?;
                Fitness::new(v, std)
                    .map(|f| f.with_replicates(REPLICATES))
                    .map_err(|e| bad("double mutant fitness", e))
            })
            .transpose()?;
        Ok(RawRow {
            query,
            array,
            array_type,
            temperature_c,
            interaction,
            query_smf: row.number(c.query_smf, "Query single mutant fitness (SMF)")?,
            array_smf: row.number(c.array_smf, "Array SMF")?,
            fitness,
        })
    }
}

/// The ORF part of a strain id.
fn orf(strain_id: &str) -> &str {
    strain_id.split('_').next().unwrap_or_default()
}

fn array_type_and_temperature(row: &Line<'_, '_>, text: &str) -> Result<(ArrayType, i32), Error> {
    let digits = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let kind = match &text[..text.len() - digits.len()] {
        "DMA" => Some(ArrayType::Dma),
        "TSA" => Some(ArrayType::Tsa),
        _ => None,
    };
    match (kind, digits.parse()) {
        (Some(kind), Ok(t)) => Ok((kind, t)),
        _ => Err(row.error(
            "bad Arraytype/Temp",
            format!("column \"Arraytype/Temp\": expected DMA or TSA and a temperature (DMA30, TSA26), found {text:?}"),
        )),
    }
}

impl RecordReader for Reader {
    type Record = PairRecord;

    fn next_record(&mut self) -> Result<Option<PairRecord>, Error> {
        let r = loop {
            if self
                .next_error
                .as_ref()
                .is_some_and(|(at, _)| *at == self.position)
            {
                let (_, e) = self.next_error.take().expect("checked above");
                self.next_error = self.errors.next();
                return Err(e);
            }
            if let Some(row) = self.current.get(self.position) {
                self.position += 1;
                break *row;
            }
            let Ok(next) = self.ordered.recv() else {
                return Ok(None);
            };
            let parsed = next
                .recv()
                .map_err(|_| Error::format(&self.name, "a parser thread stopped"))??;
            let remap = self.merge(parsed.new);
            let mut rows = parsed.rows;
            for r in &mut rows {
                for id in [&mut r.query, &mut r.array] {
                    if *id & LOCAL != 0 {
                        *id = remap[(*id & !LOCAL) as usize];
                    }
                }
            }
            self.rows += (rows.len() + parsed.errors.len()) as u64;
            let done = (
                std::mem::replace(&mut self.bytes, parsed.bytes),
                std::mem::replace(&mut self.current, rows),
            );
            let _ = self.recycle.send(done);
            self.position = 0;
            self.errors = parsed.errors.into_iter();
            self.next_error = self.errors.next();
        };
        Ok(Some(PairRecord {
            query: Arc::clone(&self.table[r.query as usize]),
            array: Arc::clone(&self.table[r.array as usize]),
            array_type: r.array_type,
            temperature_c: r.temperature_c,
            interaction: r.interaction,
            query_smf: r.query_smf,
            array_smf: r.array_smf,
            fitness: r.fitness,
        }))
    }

    fn rows_read(&self) -> u64 {
        let errors_left = self.errors.len() + usize::from(self.next_error.is_some());
        self.rows - (self.current.len() - self.position + errors_left) as u64
    }

    fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{collect, BadRows};
    use ironcell_core::PerturbationKind;

    /// Real header and rows in the published layout, plus the awkward cases.
    const FIXTURE: &str = include_str!("../../tests/fixtures/SGA_ExE.txt");

    fn read(text: &str, policy: BadRows) -> (Vec<PairRecord>, crate::report::ReadReport) {
        let input = std::io::Cursor::new(text.as_bytes().to_vec());
        collect(Reader::new(input, "SGA_ExE.txt").unwrap(), policy).unwrap()
    }

    #[test]
    fn parses_kinds_temperatures_and_values() {
        let (records, report) = read(FIXTURE, BadRows::Skip);
        assert_eq!(report.rows_read, 8);
        assert_eq!(report.records, 6);
        let first = &records[0];
        assert_eq!(first.query.kind(), PerturbationKind::DeletionNatMx);
        assert_eq!(first.query.name(), "ntc20");
        assert_eq!(first.array.kind(), PerturbationKind::TemperatureSensitive);
        assert_eq!(first.array.strain(), Some("YMR296C_tsa606"));
        assert_eq!(
            (first.array_type, first.temperature_c),
            (ArrayType::Tsa, 26)
        );
        let eps = first.interaction.unwrap();
        assert_eq!((eps.score(), eps.p_value()), (-0.1255, Some(0.1631)));
        assert_eq!(first.fitness.unwrap().std(), Some(0.2388));
        assert_eq!(first.fitness.unwrap().replicates(), Some(4));
        let experiments = first.experiments();
        assert_eq!(experiments.len(), 2);
        assert_eq!(experiments[0].provenance.dataset(), DMF_DATASET);
        assert_eq!(experiments[1].provenance.dataset(), DMI_DATASET);
        assert_eq!(experiments[1].environment.temperature_c, 26);
        assert_eq!(
            experiments[1].reference.phenotype,
            Phenotype::GeneInteraction(GeneInteraction::none(InteractionOrder::Digenic))
        );
        assert_eq!(experiments[0].genotype.len(), 2);
        assert!(records
            .iter()
            .any(|r| r.query.kind() == PerturbationKind::Damp));
        // A row without ε still gives its fitness.
        assert!(records
            .iter()
            .any(|r| r.interaction.is_none() && r.fitness.is_some()));
        // Both strains of a row are shared with other rows, not re-parsed.
        assert!(Arc::ptr_eq(&records[0].query, &records[1].query));
    }

    #[test]
    fn rejected_rows_are_listed_by_reason() {
        let (_, report) = read(FIXTURE, BadRows::Skip);
        assert_eq!(report.rejected_rows(), 2);
        assert_eq!(report.rejected["bad Arraytype/Temp"][0].line, 8);
        assert_eq!(report.rejected["one gene twice"].len(), 1);
    }

    #[test]
    fn without_skipping_a_bad_row_is_an_error_naming_file_and_line() {
        let reader = Reader::new(FIXTURE.as_bytes(), "SGA_ExE.txt").unwrap();
        let err = collect(reader, BadRows::Fail).unwrap_err().to_string();
        assert!(err.starts_with("SGA_ExE.txt:8:"), "{err}");
        assert!(err.contains("Arraytype/Temp"), "{err}");
    }
}
