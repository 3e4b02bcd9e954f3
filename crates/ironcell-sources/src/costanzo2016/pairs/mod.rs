//! The pair-wise SGA tables `SGA_ExE.txt`, `SGA_NxN.txt`, `SGA_ExN_NxE.txt` and
//! `SGA_DAmP.txt`: tab-separated, one row per query × array double mutant with its
//! interaction score ε, P-value, both single-mutant fitnesses and the double-mutant fitness
//! with its standard deviation. "Arraytype/Temp" (`DMA26`, `DMA30`, `TSA26`, `TSA30`) names
//! the array and the temperature.
//!
//! Each row yields a double-mutant fitness experiment and an interaction experiment. The
//! full tables hold ~2e7 rows, so the reader streams, and strains are parsed once and shared
//! (a strain appears in thousands of rows).
//!
//! Two ways to read: [`RecordReader::next_record`] gives one typed [`PairRecord`] at a
//! time; [`Reader::next_batch`] gives a chunk of [`Pair`]s at once, their strains indices
//! into the reader's strain table, for bulk consumers that would rather not pay for two
//! reference counts per row.

mod parse;
mod strains;

use std::{
    fs::File,
    io::Read,
    path::Path,
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
use crate::{
    chunks::{Chunk, Chunks, LineChunks, MappedChunks},
    lines::{is_gzip, BOM},
    open_maybe_gzip,
    report::RecordReader,
    table::Header,
    Error,
};
use parse::{
    given, parse_chunk, NewStrains, Parsed, Plan, ARRAY_SMF, DMF, DMF_STD, EPSILON, LOCAL,
    MAX_FIELDS, NUMBER_COLUMNS, P_VALUE, QUERY_SMF,
};
use strains::StrainIndex;

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

/// One double mutant as the parser left it: its strains are indices into the strain table
/// ([`Batch::strains`]), its numbers checked. Numbers are kept in `NUMBER_COLUMNS` order,
/// NaN for a missing value, so a pair fits one cache line (the typed record takes two):
/// every row crosses from a parser thread to the consumer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    query: u32,
    array: u32,
    array_type: ArrayType,
    temperature_c: i32,
    numbers: [f64; NUMBER_COLUMNS.len()],
}

impl Pair {
    /// The query strain's position in the strain table.
    #[inline]
    pub fn query(&self) -> usize {
        self.query as usize
    }

    /// The array strain's position in the strain table.
    #[inline]
    pub fn array(&self) -> usize {
        self.array as usize
    }

    /// `DMA` or `TSA`.
    #[inline]
    pub fn array_type(&self) -> ArrayType {
        self.array_type
    }

    /// The screen's temperature.
    #[inline]
    pub fn temperature_c(&self) -> i32 {
        self.temperature_c
    }

    #[inline]
    fn number(&self, k: usize) -> Option<f64> {
        given(self.numbers[k])
    }

    /// ε with its P-value, when given.
    #[inline]
    pub fn interaction(&self) -> Option<GeneInteraction> {
        self.number(EPSILON).map(|eps| {
            GeneInteraction::new(InteractionOrder::Digenic, eps, self.number(P_VALUE))
                .expect("the parser checked the score")
        })
    }

    /// The double-mutant fitness with its standard deviation, when given.
    #[inline]
    pub fn fitness(&self) -> Option<Fitness> {
        self.number(DMF).map(|value| {
            Fitness::new(value, self.number(DMF_STD))
                .expect("the parser checked the fitness")
                .with_replicates(REPLICATES)
        })
    }

    /// "Query single mutant fitness (SMF)".
    #[inline]
    pub fn query_smf(&self) -> Option<f64> {
        self.number(QUERY_SMF)
    }

    /// "Array SMF".
    #[inline]
    pub fn array_smf(&self) -> Option<f64> {
        self.number(ARRAY_SMF)
    }

    /// The typed record, its strains taken from `strains`.
    #[inline]
    pub fn record(&self, strains: &[Arc<Perturbation>]) -> PairRecord {
        PairRecord {
            query: Arc::clone(&strains[self.query()]),
            array: Arc::clone(&strains[self.array()]),
            array_type: self.array_type,
            temperature_c: self.temperature_c,
            interaction: self.interaction(),
            query_smf: self.query_smf(),
            array_smf: self.array_smf(),
            fitness: self.fitness(),
        }
    }
}

/// Consecutive rows of the table: the pairs they gave and the bad rows among them.
pub struct Batch<'r> {
    /// The pairs, in file order.
    pub pairs: &'r [Pair],
    /// The strain table the pairs index; it only grows, so indices stay valid.
    pub strains: &'r [Arc<Perturbation>],
    /// Bad rows, each with the number of pairs before it.
    pub rejected: Vec<(usize, Error)>,
}

/// Bytes per chunk, and chunks parsed ahead of the consumer: enough to keep both cores
/// busy while bounding memory (about 10 MB per chunk in flight).
const CHUNK_BYTES: usize = 4 << 20;
const IN_FLIGHT: usize = 4;

/// Buffers handed back to the reading thread once a chunk is consumed.
type Recycled = (Chunk, Vec<Pair>);

/// Streams the rows of one SGA table, as [`PairRecord`]s or in [`Batch`]es.
///
/// The full tables hold ~2e7 rows, so this reader is hand-written for speed rather than
/// built on the generic delimited reader: a background thread cuts the input (a mapped
/// file with [`Reader::open`], a stream with [`Reader::new`]) into whole-line chunks, the
/// rayon pool parses them while the consumer takes rows from earlier chunks. A well-formed
/// line in the published column order is parsed from bit masks of its separators, numbers
/// read where they stand (two at a time with SSSE3, where the CPU has it) and each strain
/// parsed about once; any other line (blank, padded, short, not ASCII, `NaN`, bad values,
/// or columns in another order) takes the general path, which splits, trims and reports.
/// Rows and errors come out in file order, with their lines.
///
/// ```
/// use ironcell_sources::costanzo2016::pairs::Reader;
///
/// let table = "Query Strain ID\tQuery allele name\tArray Strain ID\tArray allele name\t\
///     Arraytype/Temp\tGenetic interaction score (ε)\tP-value\t\
///     Query single mutant fitness (SMF)\tArray SMF\tDouble mutant fitness\t\
///     Double mutant fitness standard deviation\n\
///     YAL002W_sn1\tvps8\tYBR023C_dma2\tchs3\tDMA30\t-0.2\t0.01\t0.9\t0.8\t0.52\t0.03\n";
/// let mut reader = Reader::new(table.as_bytes(), "SGA_ExE.txt")?;
/// let batch = reader.next_batch()?.expect("one row");
/// let pair = batch.pairs[0];
/// assert_eq!(batch.strains[pair.array()].name(), "chs3");
/// assert_eq!(pair.fitness().map(|f| f.value()), Some(0.52));
/// # Ok::<(), ironcell_sources::Error>(())
/// ```
pub struct Reader {
    name: String,
    /// Parsed chunks, in file order.
    ordered: Receiver<Receiver<Result<Parsed, Error>>>,
    /// Every strain seen, by id and allele, and the table the pairs index.
    index: StrainIndex,
    table: Vec<Arc<Perturbation>>,
    /// The index as the parsers see it, and its size when last published.
    published: Arc<RwLock<Arc<StrainIndex>>>,
    published_len: usize,
    /// The chunk being consumed: its pairs, the next position, its bad rows.
    current: Vec<Pair>,
    position: usize,
    errors: std::vec::IntoIter<(usize, Error)>,
    next_error: Option<(usize, Error)>,
    /// The chunk the current pairs came from, to hand back with them.
    chunk: Option<Chunk>,
    recycle: Sender<Recycled>,
    rows: u64,
    /// Lines before the next chunk (the header's, then every chunk's).
    lines_before: u64,
}

impl Reader {
    /// Reads the header; fails when a column is missing. Parsing then runs ahead in the
    /// background.
    pub fn new<R: Read + Send + 'static>(inner: R, name: &str) -> Result<Self, Error> {
        Self::start(LineChunks::new(inner, name, CHUNK_BYTES), name)
    }

    /// Opens a table file: `.gz` is decompressed as it streams, any other file is
    /// memory-mapped and parsed in place, which spares copying every byte. The file must
    /// not change while it is read.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let name = path.display().to_string();
        if is_gzip(path) {
            return Self::new(open_maybe_gzip(path)?, &name);
        }
        let file = File::open(path).map_err(|e| Error::io(&name, e))?;
        match MappedChunks::new(&file, &name, CHUNK_BYTES)? {
            Some(chunks) => Self::start(chunks, &name),
            None => Self::new(file, &name),
        }
    }

    fn start(mut chunks: impl Chunks, name: &str) -> Result<Self, Error> {
        let first = chunks
            .next_chunk()?
            .ok_or_else(|| Error::format(name, "empty file: expected a header"))?;
        let header_end = memchr::memchr(b'\n', &first).map_or(first.len(), |i| i + 1);
        let header = &first[..header_end];
        let header = header.strip_prefix(BOM).unwrap_or(header);
        let header = header.strip_suffix(b"\n").unwrap_or(header);
        let header = std::str::from_utf8(header.strip_suffix(b"\r").unwrap_or(header))
            .map_err(|_| Error::parse(name, 1, "header is not UTF-8"))?;
        let plan = Plan::new(&Header::new(
            header.split('\t').map(|h| h.trim().to_owned()).collect(),
            name,
            1,
        ))?;
        if plan.len() > MAX_FIELDS {
            return Err(Error::parse(
                name,
                1,
                format!("the SGA columns must be among the first {MAX_FIELDS}"),
            ));
        }
        let rest = first.skip(header_end);
        let published = Arc::new(RwLock::new(Arc::new(StrainIndex::default())));
        let (ordered_tx, ordered) = sync_channel(IN_FLIGHT);
        let (recycle, recycled) = channel::<Recycled>();
        let context = Arc::new((plan, name.to_owned()));
        let shared = Arc::clone(&published);
        std::thread::spawn(move || {
            let mut next = Some(Ok(Some(rest)));
            let mut spare_rows = Vec::new();
            loop {
                for (chunk, rows) in recycled.try_iter() {
                    chunks.recycle(chunk);
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
                            let (plan, file) = &*context;
                            let _ = tx.send(Ok(parse_chunk(chunk, rows, plan, &index, file)));
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
            published_len: 0,
            current: Vec::new(),
            position: 0,
            errors: Vec::new().into_iter(),
            next_error: None,
            chunk: None,
            recycle,
            rows: 0,
            lines_before: 1,
        })
    }

    /// Adds a chunk's new strains to the table and returns their global indices.
    fn merge(&mut self, new: NewStrains) -> Vec<u32> {
        let mut remap = vec![0; new.perturbations.len()];
        let mut perturbations: Vec<Option<Perturbation>> =
            new.perturbations.into_iter().map(Some).collect();
        for (key, hash, local) in new.index.iter() {
            let k = (local & !LOCAL) as usize;
            remap[k] = match self.index.get_key(&key, hash) {
                Some(global) => global,
                None => {
                    let global = self.table.len() as u32;
                    let p = perturbations[k].take().expect("each local strain once");
                    self.table.push(Arc::new(p));
                    self.index.insert(&key, hash, global);
                    global
                }
            };
        }
        // Republishing copies the index, so it waits until the table has grown by an
        // eighth: a strain the parsers' copy lacks is only parsed again once per chunk.
        if self.table.len() - self.published_len > self.published_len / 8 {
            if let Ok(mut published) = self.published.write() {
                *published = Arc::new(self.index.clone());
                self.published_len = self.table.len();
            }
        }
        remap
    }

    /// Takes the next parsed chunk, handing the consumed one's buffers back for reuse;
    /// `false` at the end of the table.
    fn advance(&mut self) -> Result<bool, Error> {
        let Ok(next) = self.ordered.recv() else {
            return Ok(false);
        };
        let parsed = next
            .recv()
            .map_err(|_| Error::format(&self.name, "a parser thread stopped"))??;
        let remap = self.merge(parsed.new);
        let mut rows = parsed.rows;
        if !remap.is_empty() {
            for r in &mut rows {
                for id in [&mut r.query, &mut r.array] {
                    if *id & LOCAL != 0 {
                        *id = remap[(*id & !LOCAL) as usize];
                    }
                }
            }
        }
        self.rows += (rows.len() + parsed.errors.len()) as u64;
        if let Some(chunk) = self.chunk.replace(parsed.chunk) {
            let _ = self
                .recycle
                .send((chunk, std::mem::replace(&mut self.current, rows)));
        } else {
            self.current = rows;
        }
        self.position = 0;
        let mut errors = parsed.errors;
        for (_, e) in &mut errors {
            e.add_lines(self.lines_before);
        }
        self.lines_before += parsed.lines;
        self.errors = errors.into_iter();
        self.next_error = self.errors.next();
        Ok(true)
    }

    /// The rows not yet taken from the current chunk, or the next chunk's; `None` at the
    /// end of the table. Errors other than bad rows (reading, a stopped parser) are
    /// returned.
    pub fn next_batch(&mut self) -> Result<Option<Batch<'_>>, Error> {
        if self.position == self.current.len() && self.next_error.is_none() && !self.advance()? {
            return Ok(None);
        }
        let start = self.position;
        self.position = self.current.len();
        let rejected = self
            .next_error
            .take()
            .into_iter()
            .chain(&mut self.errors)
            .map(|(at, e)| (at - start, e))
            .collect();
        Ok(Some(Batch {
            pairs: &self.current[start..],
            strains: &self.table,
            rejected,
        }))
    }
}

impl RecordReader for Reader {
    type Record = PairRecord;

    fn next_record(&mut self) -> Result<Option<PairRecord>, Error> {
        loop {
            if self
                .next_error
                .as_ref()
                .is_some_and(|(at, _)| *at == self.position)
            {
                let (_, e) = self.next_error.take().expect("checked above");
                self.next_error = self.errors.next();
                return Err(e);
            }
            if let Some(pair) = self.current.get(self.position) {
                self.position += 1;
                return Ok(Some(pair.record(&self.table)));
            }
            if !self.advance()? {
                return Ok(None);
            }
        }
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
    use crate::report::{collect, BadRows, ReadReport};
    use ironcell_core::PerturbationKind;

    /// Real header and rows in the published layout, plus the awkward cases.
    const FIXTURE: &str = include_str!("../../../tests/fixtures/SGA_ExE.txt");

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
    fn every_row_gets_its_own_array_type_and_temperature() {
        // More texts than a worker remembers, in turn, and one past eight bytes.
        let temps = [
            ("DMA26", ArrayType::Dma, 26),
            ("TSA30", ArrayType::Tsa, 30),
            ("DMA30", ArrayType::Dma, 30),
            ("TSA26", ArrayType::Tsa, 26),
            ("DMA37", ArrayType::Dma, 37),
            ("TSA123456", ArrayType::Tsa, 123456),
        ];
        let (header, _) = FIXTURE.split_once('\n').unwrap();
        let mut text = format!("{header}\n");
        let mut expected = Vec::new();
        for i in 0..40 {
            let (temp, kind, c) = temps[(i * 7 + i / 5) % temps.len()];
            text += &format!(
                "YAL002W_sn1\tvps8\tYBR023C_dma2\tchs3\t{temp}\t0.1\t0.5\t0.9\t0.8\t0.7\t0.1\n"
            );
            expected.push((kind, c));
        }
        let (records, _) = read(&text, BadRows::Fail);
        let found: Vec<_> = records
            .iter()
            .map(|r| (r.array_type, r.temperature_c))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_table_with_its_columns_in_another_order_reads_the_same() {
        // Columns reversed and one more at the end: every line takes the general path.
        let reordered: String = FIXTURE
            .lines()
            .enumerate()
            .map(|(i, line)| {
                let mut fields: Vec<&str> = line.split('\t').collect();
                fields.reverse();
                fields.push(if i == 0 { "Note" } else { "x" });
                format!("{}\n", fields.join("\t"))
            })
            .collect();
        assert_eq!(
            read(&reordered, BadRows::Skip),
            read(FIXTURE, BadRows::Skip)
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_header_is_not_part_of_its_first_name() {
        let marked = format!("\u{feff}{FIXTURE}");
        assert_eq!(read(&marked, BadRows::Skip), read(FIXTURE, BadRows::Skip));
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

    /// The fixture's lines rewritten so that none is well formed: every line takes the
    /// general path.
    fn awkward(text: &str) -> String {
        text.lines()
            .enumerate()
            .map(|(i, line)| match i {
                0 => format!("{line}\n"),
                _ => {
                    let padded: Vec<String> = line.split('\t').map(|f| format!(" {f} ")).collect();
                    format!("{}\r\n", padded.join("\t"))
                }
            })
            .collect()
    }

    #[test]
    fn both_paths_read_the_same_records_and_errors() {
        let (fast, fast_report) = read(FIXTURE, BadRows::Skip);
        let (general, general_report) = read(&awkward(FIXTURE), BadRows::Skip);
        assert_eq!(fast, general);
        assert_eq!(fast_report, general_report);
        // Numbers the fast path declines (an exponent, NaN) read as the general path says.
        let odd = FIXTURE
            .replace("\t0.1631\t", "\t1.631e-1\t")
            .replace("\t0.4521\t", "\tNaN\t");
        let (odd, _) = read(&odd, BadRows::Skip);
        assert_eq!(odd[0], fast[0]);
        assert_eq!(odd[1].interaction.unwrap().p_value(), None);
    }

    #[test]
    fn lines_are_numbered_across_chunks_and_a_mapped_file_reads_as_streamed() {
        // The fixture's eight rows (two bad, at lines 8 and 9) fifty times over.
        let (header, rows) = FIXTURE.split_once('\n').unwrap();
        let text = format!("{header}\n{}", rows.repeat(50));
        fn small(chunks: impl Chunks) -> (Vec<PairRecord>, ReadReport) {
            collect(Reader::start(chunks, "SGA_ExE.txt").unwrap(), BadRows::Skip).unwrap()
        }
        let (records, report) = small(LineChunks::new(
            std::io::Cursor::new(text.clone()),
            "t",
            300,
        ));
        assert_eq!(records.len(), 6 * 50);
        let lines: Vec<u64> = report.rejected["bad Arraytype/Temp"]
            .iter()
            .map(|r| r.line)
            .collect();
        assert_eq!(lines, (0..50).map(|k| 8 + 8 * k).collect::<Vec<_>>());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("SGA_ExE.txt");
        std::fs::write(&path, &text).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let mapped = small(MappedChunks::new(&file, "t", 300).unwrap().unwrap());
        assert!(mapped == (records.clone(), report.clone()));
        let (opened, opened_report) = collect(Reader::open(&path).unwrap(), BadRows::Skip).unwrap();
        assert!(opened == records && opened_report.rejected == report.rejected);
    }

    /// Lines of every shape the fast path must read exactly as the general path does, or
    /// hand over to it: odd numbers, missing and extra fields, blank lines, CRLF, inner
    /// spaces, non-ASCII alleles, lines longer than the masks' window.
    #[test]
    fn the_fast_path_agrees_with_the_general_path_on_random_lines() {
        let strains = [
            ("YBR188C_sn1898", "ntc20"),
            ("YMR296C_tsa606", "lcb1-10"),
            ("YAL002W_dma23", "vps8"),
            ("YOR001W_damp1291", "rrp6-damp"),
            ("YAL001C_tsq508", "tfc3-g349e"),
        ];
        let long = "x".repeat(70);
        let odd_alleles = ["", "vps8Δ", "a b", long.as_str()];
        let good = [
            "0.5", "0.1234", "1", "0", ".5", "0.00001", "0.9999", "1.", "0.5000",
        ];
        let odd = [
            "-0.1234",
            "-0",
            "5.",
            "1e-3",
            "",
            "NaN",
            "12345678.9",
            "-",
            "1.2.3",
            "1,5",
            "+0.5",
        ];
        let temps = ["DMA30", "TSA26", "DMA26", "TSA30", "DMA", "XYZ30"];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        let (header, _) = FIXTURE.split_once('\n').unwrap();
        let mut text = format!("{header}\n");
        for _ in 0..2000 {
            let (query, query_allele) = strains[next(strains.len())];
            let (array, mut array_allele) = strains[next(strains.len())];
            if next(10) == 0 {
                array_allele = odd_alleles[next(odd_alleles.len())];
            }
            let mut fields = vec![query, query_allele, array, array_allele, temps[next(6)]];
            for _ in 0..6 {
                fields.push(match next(6) {
                    0 => odd[next(odd.len())],
                    _ => good[next(good.len())],
                });
            }
            match next(40) {
                0 => fields.truncate(next(11)),
                1 => fields.push("extra"),
                _ => {}
            }
            let end = if next(5) == 0 { "\r\n" } else { "\n" };
            text += &format!("{}{end}", fields.join("\t"));
        }
        let (fast, fast_report) = read(&text, BadRows::Skip);
        let (general, general_report) = read(&awkward(&text), BadRows::Skip);
        assert!(fast.len() > 300, "only {} good rows", fast.len());
        assert!(fast == general, "the paths read different records");
        assert_eq!(fast_report, general_report);
    }

    #[test]
    fn batches_hold_the_rows_and_their_bad_rows_in_order() {
        let mut reader = Reader::new(FIXTURE.as_bytes(), "SGA_ExE.txt").unwrap();
        let (mut pairs, mut rejected) = (Vec::new(), Vec::new());
        while let Some(batch) = reader.next_batch().unwrap() {
            for (at, e) in batch.rejected {
                rejected.push((pairs.len() + at, e.line()));
            }
            pairs.extend(batch.pairs.iter().map(|p| p.record(batch.strains)));
        }
        let (records, _) = read(FIXTURE, BadRows::Skip);
        assert_eq!(pairs, records);
        // Lines 8 (bad temperature) and 9 (one gene twice) both come after the six good rows.
        assert_eq!(rejected, [(6, Some(8)), (6, Some(9))]);
        assert_eq!(reader.rows_read(), 8);
    }
}
