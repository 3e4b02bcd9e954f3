//! Turning chunks of an SGA table into validated rows: a fast path for well-formed lines
//! and the general path for everything else.

use ironcell_core::{Fitness, GeneInteraction, InteractionOrder, Perturbation};

use super::{
    strains::{IdStart, Key, StrainIndex, Words},
    ArrayType, Pair,
};
use crate::{
    chunks::Chunk,
    decimal::TwoColumns,
    masks::{masks, Masks, BLOCK},
    simd::Ssse3,
    strain::Strain,
    table::{is_missing, Header},
    Error,
};

/// The text columns a row needs, by header; [`Values::texts`] holds them in this order.
const TEXT_COLUMNS: [&str; 5] = [
    "Query Strain ID",
    "Query allele name",
    "Array Strain ID",
    "Array allele name",
    "Arraytype/Temp",
];

/// The numeric columns a row needs, by header; [`Values::numbers`] holds them in this order.
pub(super) const NUMBER_COLUMNS: [&str; 6] = [
    "Genetic interaction score (ε)",
    "P-value",
    "Query single mutant fitness (SMF)",
    "Array SMF",
    "Double mutant fitness",
    "Double mutant fitness standard deviation",
];
pub(super) const EPSILON: usize = 0;
pub(super) const P_VALUE: usize = 1;
pub(super) const QUERY_SMF: usize = 2;
pub(super) const ARRAY_SMF: usize = 3;
pub(super) const DMF: usize = 4;
pub(super) const DMF_STD: usize = 5;

/// Where the columns the reader uses are in a line, found by header.
pub(super) struct Plan {
    /// The field of each of [`TEXT_COLUMNS`] and of [`NUMBER_COLUMNS`].
    texts: [usize; TEXT_COLUMNS.len()],
    numbers: [usize; NUMBER_COLUMNS.len()],
    /// How many fields a line must have: one past the last used.
    len: usize,
    /// Whether the columns are in the published order, the only one the fast path reads.
    published: bool,
}

impl Plan {
    /// How many fields a line must have.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn new(header: &Header) -> Result<Self, Error> {
        let field = |column: &'static str| header.require(column).map(|c| c.index);
        let mut plan = Self {
            texts: [0; TEXT_COLUMNS.len()],
            numbers: [0; NUMBER_COLUMNS.len()],
            len: 0,
            published: false,
        };
        for (at, column) in plan.texts.iter_mut().zip(TEXT_COLUMNS) {
            *at = field(column)?;
        }
        for (at, column) in plan.numbers.iter_mut().zip(NUMBER_COLUMNS) {
            *at = field(column)?;
        }
        plan.len = 1 + plan
            .texts
            .iter()
            .chain(&plan.numbers)
            .max()
            .expect("columns");
        plan.published = plan
            .texts
            .iter()
            .chain(&plan.numbers)
            .copied()
            .eq(0..FIELDS);
        Ok(plan)
    }
}

/// Where a text field lies in the chunk: start and length.
type Span = (usize, usize);

/// Where a line's text fields lie. A row needs them only now and then (a new strain, a
/// long key, a suspected gene clash, a new "Arraytype/Temp" text), so the fast path keeps
/// the line's separators and leaves the spans to be worked out then.
#[derive(Default)]
struct Texts {
    /// Where the line starts, and its separators as [`well_formed`] found them: field `i`
    /// lies between separators `i` and `i + 1`. (The fast path writes them here as it
    /// finds them: copied from elsewhere, the ten one-byte stores would be read back as
    /// one 16-byte load, which waits for them all to reach the cache.)
    start: usize,
    separators: [u8; 16],
    /// The spans, on the general path, where the separators are not the line's.
    spans: Option<[Span; TEXT_COLUMNS.len()]>,
}

impl Texts {
    /// The key of the strain whose id and allele are fields `id` and `allele`, its words
    /// already read. Out of line: only the rare rows that need the key's text call it, and
    /// inlined, its span arithmetic was hoisted into every row.
    #[cold]
    #[inline(never)]
    fn key<'t>(&self, words: Words, chunk: &'t [u8], id: usize, allele: usize) -> Key<'t> {
        Key::with_words(words, chunk, self.span(id), self.span(allele))
    }

    /// Where field `i` lies in the line, from its separators: its first byte and one past
    /// its last (the line's start is one past separator 0, which wraps).
    #[inline]
    fn field(&self, i: usize) -> (usize, usize) {
        let from = usize::from(self.separators[i].wrapping_add(1));
        (from, usize::from(self.separators[i + 1]))
    }

    /// Where text field `i` lies in the chunk.
    fn span(&self, i: usize) -> Span {
        match self.spans {
            Some(spans) => spans[i],
            None => {
                let (from, to) = self.field(i);
                (self.start + from, to - from)
            }
        }
    }
}

/// The text fields' indices in [`Texts`].
const QUERY_ID: usize = 0;
const QUERY_ALLELE: usize = 1;
const ARRAY_ID: usize = 2;
const ARRAY_ALLELE: usize = 3;
const ARRAY_TEMP: usize = 4;

/// The values of one line, before its strains are looked up.
struct Values {
    texts: Texts,
    /// The query's and the array's strain key words.
    keys: [Words; 2],
    /// The array strain's key hash.
    array_hash: u64,
    /// The "Arraytype/Temp" text's [`temp_word`], 0 where not read as one.
    temp: u64,
    /// NaN where the value is missing (a NaN in the text is an error, never a value).
    numbers: [f64; NUMBER_COLUMNS.len()],
    /// Whether the numbers are known to be finite where given, as the fast path's plain
    /// decimals are; the general path's are what `str::parse` reads, infinities too.
    finite: bool,
}

impl Default for Values {
    fn default() -> Self {
        Self {
            texts: Default::default(),
            keys: [Words::new(b"", (0, 0), (0, 0)); 2],
            array_hash: 0,
            temp: 0,
            numbers: Default::default(),
            finite: false,
        }
    }
}

/// A number as rows keep it: NaN is a missing value.
#[inline]
pub(super) fn given(number: f64) -> Option<f64> {
    (!number.is_nan()).then_some(number)
}

/// "Arraytype/Temp" texts a worker remembers.
const TEMPS: usize = 4;

/// Fields of a line in the published layout: the text columns, then the numbers.
const FIELDS: usize = TEXT_COLUMNS.len() + NUMBER_COLUMNS.len();

/// Fields the general path splits a line into (the published layout has 11).
pub(super) const MAX_FIELDS: usize = 16;
/// Marks a strain id local to one chunk until the consumer merges it.
pub(super) const LOCAL: u32 = 1 << 31;

/// Strains a chunk met that the shared index did not have yet.
#[derive(Default)]
pub(super) struct NewStrains {
    pub(super) index: StrainIndex,
    pub(super) perturbations: Vec<Perturbation>,
}

/// One chunk's rows, its bad rows (by position among the rows), the strains it added, its
/// lines, and its buffer to recycle. Lines are numbered from 1 within the chunk: the
/// consumer, which knows where the chunk starts, makes them the file's.
pub(super) struct Parsed {
    pub(super) rows: Vec<Pair>,
    pub(super) errors: Vec<(usize, Error)>,
    pub(super) new: NewStrains,
    pub(super) lines: u64,
    pub(super) chunk: Chunk,
}

/// Bytes of a line the fast path looks at (two mask blocks); longer lines, and lines that
/// end too close to the chunk's end, take the general path.
const WINDOW: usize = 2 * BLOCK;
/// Bytes past the masked ones that the fast path may read: every offset a separator (a
/// byte) can hold has 16 more after it, as reading a strain key's words needs, so no read
/// of a field checks bounds.
const SLACK: usize = 256 + 16 - WINDOW;

/// Parses one chunk, each line by the fast path or, when that declines, the general one.
pub(super) fn parse_chunk(
    chunk: Chunk,
    mut rows: Vec<Pair>,
    plan: &Plan,
    shared: &StrainIndex,
    file: &str,
) -> Parsed {
    let bytes = &chunk[..];
    rows.clear();
    rows.reserve(bytes.len() / 80);
    let mut worker = Worker {
        file,
        chunk: bytes,
        plan,
        shared,
        new: NewStrains::default(),
        last_query: None,
        temps: [ArrayTemp::NONE; TEMPS],
        temps_next: 0,
        rows,
        errors: Vec::new(),
    };
    // With SSSE3, the lines are read by code compiled for it (numbers two at a time).
    let lines = match Ssse3::detect() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the token exists only on a CPU with SSSE3.
        Some(simd) => unsafe { read_lines_ssse3(&mut worker, simd) },
        _ => read_lines(&mut worker, None),
    };
    let Worker {
        rows, errors, new, ..
    } = worker;
    Parsed {
        rows,
        errors,
        new,
        lines,
        chunk,
    }
}

/// [`read_lines`] compiled for SSSE3, so that the vector code it inlines is.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
fn read_lines_ssse3(worker: &mut Worker<'_>, simd: Ssse3) -> u64 {
    read_lines(worker, Some(simd))
}

/// Reads the worker's chunk, each line by the fast path or, when that declines, the
/// general one; returns the number of lines.
#[inline(always)]
fn read_lines(worker: &mut Worker<'_>, simd: Option<Ssse3>) -> u64 {
    let bytes = worker.chunk;
    let (mut start, mut line) = (0, 1);
    let mut values = Values::default();
    let mut columns = [TwoColumns::default(); NUMBER_COLUMNS.len() / 2];
    let published = worker.plan.published;
    while start < bytes.len() {
        let fast = if published {
            well_formed(bytes, start, simd, worker.shared, &mut columns, &mut values)
        } else {
            None
        };
        start = match fast {
            Some(end) => {
                worker.push(line, &values);
                end
            }
            None => {
                let end =
                    memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
                let whole = &bytes[start..end];
                let whole = whole.strip_suffix(b"\n").unwrap_or(whole);
                let whole = whole.strip_suffix(b"\r").unwrap_or(whole);
                match std::str::from_utf8(whole) {
                    Ok(text) => worker.line(line, text),
                    Err(_) => worker.errors.push((
                        worker.rows.len(),
                        Error::bad_row(
                            worker.file,
                            line,
                            "not UTF-8",
                            "the line is not valid UTF-8",
                        ),
                    )),
                }
                end
            }
        };
        line += 1;
    }
    line - 1
}

/// The fast path: fills `values` from the line starting at `start` and returns where the
/// next line starts, when the line is well formed (the published layout's eleven fields,
/// visible ASCII and tabs only, so no field is padded; text fields not empty, numbers plain
/// decimals or empty). `None` hands the line to the general path, which gives the same
/// values or the error.
///
/// The separators come from bit masks over the line's first [`WINDOW`] bytes, so each
/// field's end is a count of trailing zeros, not a search, and with the layout fixed each
/// field is read from known separators, not looked up by column.
#[inline(always)]
fn well_formed(
    bytes: &[u8],
    start: usize,
    simd: Option<Ssse3>,
    shared: &StrainIndex,
    columns: &mut [TwoColumns; NUMBER_COLUMNS.len() / 2],
    values: &mut Values,
) -> Option<usize> {
    let window: &[u8; WINDOW + SLACK] =
        bytes.get(start..start + WINDOW + SLACK)?.try_into().ok()?;
    const HALF: usize = BLOCK / 2;
    let half = |at: usize| masks::<HALF>(window[at..][..HALF].try_into().expect("a half block"));
    // The line's content ends at its first byte that is neither visible ASCII nor a tab
    // (so it is UTF-8, and no field is padded), which must be its line end.
    let odd = |m: Masks| m.not_visible & !m.tabs;
    // The tabs before it, in the first block and the second.
    let below = |bits: u32| (1u64 << bits) - 1;
    let first = masks::<BLOCK>(window[..BLOCK].try_into().expect("a block"));
    let (content, tabs, tabs_high) = if odd(first) != 0 {
        let ends = odd(first).trailing_zeros();
        (ends as usize, first.tabs & below(ends), 0)
    } else {
        // The second block by halves: the SGA tables' lines (about 80 to 100 bytes) mostly
        // end in its first half, and the vectors past a line's end cost 3 % of a table's
        // read (BENCHMARKS.md).
        let mut second = half(BLOCK);
        if odd(second) == 0 {
            second = second.then(HALF as u32, half(BLOCK + HALF));
        }
        if odd(second) == 0 {
            return None; // longer than the window
        }
        let ends = odd(second).trailing_zeros();
        (BLOCK + ends as usize, first.tabs, second.tabs & below(ends))
    };
    let end = match window[content..] {
        [b'\n', ..] => content,
        [b'\r', b'\n', ..] => content + 1,
        _ => return None,
    };
    // Field `i` lies between separators `i` and `i + 1`: the line's start (one before
    // byte 0, wrapping), its tabs, its end. The separators are bytes, with [`SLACK`] after
    // any, and the mask `& 15` keeps their count in the array: the compiler checks no
    // bounds.
    let separators = &mut values.texts.separators;
    separators[0] = u8::MAX;
    let mut found = 0;
    for (word, mut tabs) in [(0, tabs), (BLOCK as u8, tabs_high)] {
        while tabs != 0 {
            found += 1;
            separators[found & 15] = word + tabs.trailing_zeros() as u8;
            tabs &= tabs - 1;
        }
    }
    if found != FIELDS - 1 {
        return None; // the general path names the missing column, or takes the extra ones
    }
    separators[FIELDS] = content as u8;
    values.texts.start = start;
    values.texts.spans = None;
    values.finite = true;
    let field = |i: usize| values.texts.field(i);
    for i in 0..TEXT_COLUMNS.len() {
        let (from, to) = field(i);
        if from >= to {
            return None; // empty
        }
    }
    values.keys = [
        Words::in_window(window, field(0), field(1)),
        Words::in_window(window, field(2), field(3)),
    ];
    // The array strain's slot, a random one in an index larger than the core's cache, is
    // fetched while the numbers are read.
    values.array_hash = values.keys[1].hash();
    shared.prefetch(values.array_hash);
    let (from, to) = field(4);
    values.temp = if to - from <= 8 {
        let bytes = window[from..from + 8].try_into().expect("eight bytes");
        temp_word(bytes, to - from)
    } else {
        0
    };
    let pairs = values.numbers.chunks_exact_mut(2);
    for (i, (columns, numbers)) in columns.iter_mut().zip(pairs).enumerate() {
        let first = TEXT_COLUMNS.len() + 2 * i;
        let numbers = numbers.try_into().expect("two numbers");
        let ((from, middle), (_, to)) = (field(first), field(first + 1));
        if !columns.read(simd, window, (from, middle, to), numbers) {
            return None;
        }
    }
    Some(start + end + 1)
}

/// Turns the lines of one chunk into rows.
struct Worker<'a> {
    file: &'a str,
    chunk: &'a [u8],
    plan: &'a Plan,
    shared: &'a StrainIndex,
    new: NewStrains,
    /// The previous row's query strain.
    last_query: Option<Query<'a>>,
    /// The "Arraytype/Temp" texts met last, the latest at `temps_next - 1`.
    temps: [ArrayTemp; TEMPS],
    temps_next: usize,
    rows: Vec<Pair>,
    /// Bad rows, by the number of good rows before them.
    errors: Vec<(usize, Error)>,
}

/// A query strain as the rows name it, with its index and gene.
#[derive(Clone, Copy)]
struct Query<'a> {
    key: Key<'a>,
    index: u32,
    orf: &'a [u8],
    /// The gene's start, to tell an array strain of another gene at a glance.
    gene: IdStart,
}

/// An "Arraytype/Temp" text as a [`temp_word`] and what it says. A table holds only a few
/// (`DMA26`, `DMA30`, `TSA26`, `TSA30`), so the last [`TEMPS`] met are kept, and a row's is
/// nearly always among them.
#[derive(Clone, Copy)]
struct ArrayTemp {
    word: u64,
    array_type: ArrayType,
    temperature_c: i32,
}

impl ArrayTemp {
    /// No text's: every word of a text is non-zero.
    const NONE: Self = Self {
        word: 0,
        array_type: ArrayType::Dma,
        temperature_c: 0,
    };
}

/// An "Arraytype/Temp" text of one to eight bytes, none of them 0, as its little-endian
/// word (zero-padded): one word per text, and never 0. (The fast path's fields are visible
/// ASCII; other texts are not taken as words.)
fn temp_word(bytes: [u8; 8], len: usize) -> u64 {
    debug_assert!((1..=8).contains(&len) && !bytes[..len].contains(&0));
    u64::from_le_bytes(bytes) & (u64::MAX >> (64 - 8 * len))
}

/// A data line's first [`MAX_FIELDS`] fields, trimmed.
struct Line<'a, 'f> {
    file: &'a str,
    chunk: &'a [u8],
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

    /// The column's number, NaN when missing.
    fn number(&self, i: usize, column: &str) -> Result<f64, Error> {
        let text = self.text(i, column)?;
        if is_missing(text) {
            return Ok(f64::NAN);
        }
        // A NaN the parser accepts but `is_missing` does not (`-nan`) is not a value either.
        text.parse()
            .ok()
            .filter(|x: &f64| !x.is_nan())
            .ok_or_else(|| {
                self.error(
                    "not a number",
                    format!("column {column:?}: expected a number, found {text:?}"),
                )
            })
    }

    /// The values the plan names, or the first column's error.
    fn values(&self, plan: &Plan) -> Result<Values, Error> {
        let mut values = Values::default();
        let mut spans = [(0, 0); TEXT_COLUMNS.len()];
        for ((span, &i), column) in spans.iter_mut().zip(&plan.texts).zip(TEXT_COLUMNS) {
            let text = self.text(i, column)?;
            // Fields are slices of the chunk: where, is their distance from its start.
            *span = (
                text.as_ptr().addr() - self.chunk.as_ptr().addr(),
                text.len(),
            );
        }
        values.texts.spans = Some(spans);
        let [query_id, query_allele, array_id, array_allele, _] = spans;
        values.keys = [
            Words::new(self.chunk, query_id, query_allele),
            Words::new(self.chunk, array_id, array_allele),
        ];
        values.array_hash = values.keys[1].hash();
        for ((number, &i), column) in values
            .numbers
            .iter_mut()
            .zip(&plan.numbers)
            .zip(NUMBER_COLUMNS)
        {
            *number = self.number(i, column)?;
        }
        Ok(values)
    }
}

impl<'a> Worker<'a> {
    /// The general path: splits and trims the line (a slice of the chunk, without its line
    /// end), skips it when blank, and reports what is wrong with it.
    fn line(&mut self, line: u64, text: &'a str) {
        let mut fields = [""; MAX_FIELDS];
        let mut count = 0;
        for field in text.split('\t') {
            if count < MAX_FIELDS {
                fields[count] = field.trim();
            }
            count += 1;
        }
        if fields[..count.min(MAX_FIELDS)].iter().all(|f| f.is_empty()) {
            return;
        }
        let row = Line {
            file: self.file,
            chunk: self.chunk,
            line,
            fields: &fields[..],
            count,
        };
        match row.values(self.plan) {
            Ok(values) => self.push(line, &values),
            Err(e) => self.errors.push((self.rows.len(), e)),
        }
    }

    /// Adds the row the values make, or its error.
    fn push(&mut self, line: u64, values: &Values) {
        if let Err(e) = self.row(line, values) {
            self.errors.push((self.rows.len(), *e));
        }
    }

    /// A bad row's error, boxed: the row functions below run for every row, and a
    /// `Result` holding a whole `Error` would be copied through memory at each return.
    #[cold]
    fn error(&self, line: u64, reason: &'static str, message: impl Into<String>) -> Box<Error> {
        Box::new(Error::bad_row(self.file, line, reason, message))
    }

    /// Makes the row's query strain, which is not the previous row's and whose index is
    /// `index`, the last query.
    #[inline(never)]
    fn new_query(&mut self, key: Key<'a>, index: u32) {
        let orf = orf(key.id());
        self.last_query = Some(Query {
            key,
            index,
            orf,
            gene: key.id_start(orf.len()),
        });
    }

    /// The array type and temperature that `text` names; `word` is its [`temp_word`], or
    /// 0 where the line did not read it as one.
    fn array_temp(
        &mut self,
        line: u64,
        word: u64,
        span: impl FnOnce() -> Span,
    ) -> Result<ArrayTemp, Box<Error>> {
        if word != 0 {
            for t in &self.temps {
                if t.word == word {
                    return Ok(*t);
                }
            }
        }
        let (start, len) = span();
        let text = &self.chunk[start..start + len];
        let (array_type, temperature_c) = array_type_and_temperature(text).ok_or_else(|| {
            self.error(
                line,
                "bad Arraytype/Temp",
                format!(
                    "column \"Arraytype/Temp\": expected DMA or TSA and a temperature (DMA30, TSA26), found {:?}",
                    String::from_utf8_lossy(text)
                ),
            )
        })?;
        let temp = ArrayTemp {
            word,
            array_type,
            temperature_c,
        };
        if word != 0 {
            self.temps[self.temps_next % TEMPS] = temp;
            self.temps_next += 1;
        }
        Ok(temp)
    }

    /// The strain's index: shared, new in this chunk, or parsed now. `words` and `hash`
    /// are its key's, and `key` makes the key, which only a long key or a new strain needs.
    #[inline(always)]
    fn lookup<'k>(
        &mut self,
        line: u64,
        words: &Words,
        hash: u64,
        key: impl Fn() -> Key<'k>,
    ) -> Result<u32, Box<Error>> {
        match self.shared.get(words, hash, &key) {
            Some(i) => Ok(i),
            None => self.lookup_new(line, &key(), hash),
        }
    }

    /// A strain the shared index lacks: new in this chunk, or parsed now.
    #[inline(never)]
    fn lookup_new(&mut self, line: u64, key: &Key<'_>, hash: u64) -> Result<u32, Box<Error>> {
        if let Some(i) = self.new.index.get_key(key, hash) {
            return Ok(i);
        }
        // Both paths checked that the line is UTF-8, and fields end at ASCII separators.
        let text = |bytes| {
            std::str::from_utf8(bytes)
                .map_err(|_| self.error(line, "not UTF-8", "the line is not valid UTF-8"))
        };
        let strain =
            Strain::parse(text(key.id())?).map_err(|m| self.error(line, "bad strain id", m))?;
        let i = LOCAL | self.new.perturbations.len() as u32;
        self.new
            .perturbations
            .push(strain.perturbation(text(key.allele())?));
        self.new.index.insert(key, hash, i);
        Ok(i)
    }

    /// Adds the row the values make, built in place.
    fn row(&mut self, line: u64, values: &Values) -> Result<(), Box<Error>> {
        let texts = &values.texts;
        let chunk = self.chunk;
        let [query_words, array_words] = &values.keys;
        let query_key = || texts.key(*query_words, chunk, QUERY_ID, QUERY_ALLELE);
        let array_key = || texts.key(*array_words, chunk, ARRAY_ID, ARRAY_ALLELE);
        // The tables list each query's rows together: most rows have the previous row's.
        if !matches!(&self.last_query, Some(q) if q.key.is(query_words, query_key)) {
            let index = self.lookup(line, query_words, query_words.hash(), query_key)?;
            self.new_query(query_key(), index);
        }
        let last = self.last_query.as_ref().expect("the row's query");
        if array_words.id_may_start(&last.gene) && names_gene(array_key().id(), last.orf) {
            return Err(self.error(
                line,
                "one gene twice",
                format!(
                    "query and array both perturb {}",
                    String::from_utf8_lossy(last.orf)
                ),
            ));
        }
        let query = last.index;
        let array = self.lookup(line, array_words, values.array_hash, array_key)?;
        let temp = self.array_temp(line, values.temp, || texts.span(ARRAY_TEMP))?;
        let checked = if values.finite {
            debug_assert!(values.numbers.iter().all(|x| !x.is_infinite()));
            in_range(&values.numbers)
        } else {
            plausible(&values.numbers)
        };
        if !checked {
            self.check(line, &values.numbers)?;
        }
        self.rows.push(Pair {
            query,
            array,
            array_type: temp.array_type,
            temperature_c: temp.temperature_c,
            numbers: values.numbers,
        });
        Ok(())
    }

    /// The error `GeneInteraction::new` or `Fitness::new` gives for the values, if any.
    /// (The fitness is kept as read: [`Pair::fitness`] builds it, and so clamps it at 0.)
    #[cold]
    fn check(&self, line: u64, numbers: &[f64; NUMBER_COLUMNS.len()]) -> Result<(), Box<Error>> {
        let bad = |what: &str, e: ironcell_core::Error| {
            self.error(line, "bad value", format!("{what}: {e}"))
        };
        if let Some(eps) = given(numbers[EPSILON]) {
            GeneInteraction::new(InteractionOrder::Digenic, eps, given(numbers[P_VALUE]))
                .map_err(|e| bad("genetic interaction score", e))?;
        }
        if let Some(value) = given(numbers[DMF]) {
            Fitness::new(value, given(numbers[DMF_STD]))
                .map_err(|e| bad("double mutant fitness", e))?;
        }
        Ok(())
    }
}

/// Whether the values pass the checks of `GeneInteraction::new` and `Fitness::new` (a
/// finite score, a p-value in [0, 1], a finite fitness, a spread ≥ 0, each where given):
/// a few comparisons per row instead of building both phenotypes. A test holds it to them.
fn plausible(numbers: &[f64; NUMBER_COLUMNS.len()]) -> bool {
    let [eps, p, _, _, dmf, std] = *numbers;
    (eps.is_nan() || (eps.is_finite() && (p.is_nan() || (0.0..=1.0).contains(&p))))
        && (dmf.is_nan()
            || (dmf.is_finite() && (std.is_nan() || (0.0..f64::INFINITY).contains(&std))))
}

/// For numbers finite where given (the fast path's): whether the p-value is in [0, 1] and
/// the spread ≥ 0, each where given. `true` implies [`plausible`], and where a p-value or a
/// spread is out of range without the value it qualifies, the full check accepts the row.
/// Four comparisons instead of [`plausible`]'s dozen: 3 % of a table's read (BENCHMARKS.md).
// Not `!(0.0..=1.0).contains(&p)`, which a missing p-value (NaN) would fail.
#[allow(clippy::manual_range_contains)]
fn in_range(numbers: &[f64; NUMBER_COLUMNS.len()]) -> bool {
    let [_, p, _, _, _, std] = *numbers;
    // NaN fails every comparison: a missing value passes.
    !(p < 0.0 || p > 1.0 || std < 0.0)
}

/// The ORF part of a strain id.
fn orf(strain_id: &[u8]) -> &[u8] {
    strain_id.split(|&b| b == b'_').next().unwrap_or(strain_id)
}

/// Whether the strain id's ORF part is `orf`, compared without searching for its end (this
/// runs on every row).
fn names_gene(strain_id: &[u8], orf: &[u8]) -> bool {
    strain_id
        .get(..orf.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(orf))
        && matches!(strain_id.get(orf.len()), None | Some(b'_'))
}

/// `DMA30` → deletion array at 30 °C.
fn array_type_and_temperature(text: &[u8]) -> Option<(ArrayType, i32)> {
    let (kind, digits) = if let Some(digits) = text.strip_prefix(b"DMA") {
        (ArrayType::Dma, digits)
    } else {
        (ArrayType::Tsa, text.strip_prefix(b"TSA")?)
    };
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((
        kind,
        digits.iter().fold(0, |t, d| t * 10 + i32::from(d - b'0')),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_values_are_those_the_core_constructors_accept() {
        let values = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1.0,
            -0.0,
            0.0,
            0.5,
            1.0,
            1.5,
        ];
        for eps in values {
            for p in values {
                for dmf in values {
                    for std in values {
                        let core = given(eps).is_none_or(|eps| {
                            GeneInteraction::new(InteractionOrder::Digenic, eps, given(p)).is_ok()
                        }) && given(dmf)
                            .is_none_or(|v| Fitness::new(v, given(std)).is_ok());
                        let numbers = [eps, p, 0.9, 0.8, dmf, std];
                        assert_eq!(plausible(&numbers), core, "{numbers:?}");
                        if numbers.iter().all(|x| !x.is_infinite()) {
                            assert!(!in_range(&numbers) || core, "{numbers:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_gene_clash_is_found_whatever_the_case_and_only_at_the_gene_end() {
        for (query, array, clash) in [
            ("YAL001C_sn1", "YAL001C_tsa508", true),
            ("YAL001C_sn1", "yal001c_tsa508", true),
            ("YAL001C_sn1", "YAL001C", true),
            ("YAL001C_sn1", "YAL001CX_dma2", false),
            ("YAL001C_sn1", "YAL001A_dma2", false),
            ("YAL001C-A_sn1", "YAL001C_dma2", false),
            ("Q0010_sn1", "q0010_dma9", true),
        ] {
            let line = format!("{query}\tq\t{array}\ta\t");
            let spans = |from: usize, len: usize| ((from, len), (from + len + 1, 1));
            let key = |from, len| {
                let (id, allele) = spans(from, len);
                Key::within(line.as_bytes(), id, allele)
            };
            let (query_key, array_key) = (key(0, query.len()), key(query.len() + 3, array.len()));
            let (id, allele) = spans(query.len() + 3, array.len());
            let array_words = Words::new(line.as_bytes(), id, allele);
            let orf = orf(query_key.id());
            let found = array_words.id_may_start(&query_key.id_start(orf.len()))
                && names_gene(array_key.id(), orf);
            assert_eq!(found, clash, "{query} {array}");
        }
    }

    #[test]
    fn array_type_and_temperature_read_every_form() {
        assert_eq!(
            array_type_and_temperature(b"DMA30"),
            Some((ArrayType::Dma, 30))
        );
        assert_eq!(
            array_type_and_temperature(b"TSA26"),
            Some((ArrayType::Tsa, 26))
        );
        assert_eq!(
            array_type_and_temperature(b"TSA123456789"),
            Some((ArrayType::Tsa, 123456789))
        );
        for bad in ["DMA", "DMA3x", "XMA30", "dma30", "TSA1234567890", ""] {
            assert_eq!(array_type_and_temperature(bad.as_bytes()), None, "{bad}");
        }
    }
}
