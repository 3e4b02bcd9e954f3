//! Turning chunks of an SGA table into validated rows: a fast path for well-formed lines
//! and the general path for everything else.

use ironcell_core::{Fitness, GeneInteraction, InteractionOrder, Perturbation};

use super::{
    strains::{Key, StrainIndex},
    ArrayType, Pair,
};
use crate::{
    chunks::Chunk,
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

/// What a line's field at one position holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    /// A column the reader does not use.
    Other,
    /// `TEXT_COLUMNS[k]`.
    Text(usize),
    /// `NUMBER_COLUMNS[k]`.
    Number(usize),
}

/// The fields of a line up to the last one the reader uses, found by header.
pub(super) struct Plan(Vec<Field>);

impl Plan {
    /// How many fields a line must have.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn new(header: &Header) -> Result<Self, Error> {
        let texts = TEXT_COLUMNS
            .iter()
            .enumerate()
            .map(|(k, c)| (c, Field::Text(k)));
        let numbers = NUMBER_COLUMNS
            .iter()
            .enumerate()
            .map(|(k, c)| (c, Field::Number(k)));
        let mut plan = Vec::new();
        for (column, field) in texts.chain(numbers) {
            let at = header.require(column)?.index;
            if at >= plan.len() {
                plan.resize(at + 1, Field::Other);
            }
            plan[at] = field;
        }
        Ok(Self(plan))
    }
}

/// The values of one line, before its strains are looked up.
#[derive(Default)]
struct Values<'t> {
    texts: [&'t str; TEXT_COLUMNS.len()],
    numbers: [Option<f64>; NUMBER_COLUMNS.len()],
}

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

/// One chunk's rows, its bad rows (by position among the rows), the strains it added, and
/// its buffer to recycle.
pub(super) struct Parsed {
    pub(super) rows: Vec<Pair>,
    pub(super) errors: Vec<(usize, Error)>,
    pub(super) new: NewStrains,
    pub(super) bytes: Vec<u8>,
}

/// Parses one chunk. The whole chunk is checked as UTF-8 once (line by line only when that
/// fails); each line then takes the fast path, or the general one when that declines.
pub(super) fn parse_chunk(
    chunk: Chunk,
    mut rows: Vec<Pair>,
    plan: &Plan,
    shared: &StrainIndex,
    file: &str,
) -> Parsed {
    rows.clear();
    rows.reserve(chunk.bytes.len() / 80);
    let mut worker = Worker {
        file,
        plan,
        shared,
        new: NewStrains::default(),
        last_query: None,
        rows,
        errors: Vec::new(),
    };
    match std::str::from_utf8(&chunk.bytes) {
        Ok(text) => {
            let (mut start, mut line) = (0, chunk.first_line);
            let mut values = Values::default();
            while start < text.len() {
                start = match well_formed(&plan.0, text, start, &mut values) {
                    Some(end) => {
                        worker.push(line, &values);
                        end
                    }
                    None => {
                        let end = memchr::memchr(b'\n', &text.as_bytes()[start..])
                            .map_or(text.len(), |i| start + i + 1);
                        let whole = &text[start..end];
                        let whole = whole.strip_suffix('\n').unwrap_or(whole);
                        worker.line(line, whole.strip_suffix('\r').unwrap_or(whole));
                        end
                    }
                };
                line += 1;
            }
        }
        Err(_) => {
            for (line, bytes) in chunk.lines() {
                match std::str::from_utf8(bytes) {
                    Ok(text) => worker.line(line, text),
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

/// The fast path: fills `values` from the line starting at `start` and returns where the
/// next line starts, when the line is well formed (every used field present, text fields
/// not empty nor padded, numbers plain decimals or empty). `None` hands the line to the
/// general path, which gives the same values or the error.
fn well_formed<'t>(
    plan: &[Field],
    text: &'t str,
    start: usize,
    values: &mut Values<'t>,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = start;
    for (i, field) in plan.iter().enumerate() {
        if i > 0 {
            if bytes.get(at) != Some(&b'\t') {
                return None;
            }
            at += 1;
        }
        let rest = &bytes[at..];
        match *field {
            Field::Number(k) => {
                if rest
                    .first()
                    .is_none_or(|b| matches!(b, b'\t' | b'\n' | b'\r'))
                {
                    values.numbers[k] = None; // empty: missing
                    continue;
                }
                let (value, used) = crate::decimal::plain(rest)?;
                values.numbers[k] = Some(value);
                at += used;
            }
            Field::Text(k) => {
                let len = field_len(rest);
                let value = &text[at..at + len];
                let padded = |b: Option<&u8>| b.is_some_and(u8::is_ascii_whitespace);
                if value.is_empty()
                    || padded(value.as_bytes().first())
                    || padded(value.as_bytes().last())
                {
                    return None;
                }
                values.texts[k] = value;
                at += len;
            }
            Field::Other => at += field_len(rest),
        }
    }
    let end = match bytes.get(at) {
        None => at,
        Some(b'\n') => at + 1,
        Some(b'\r') if bytes.get(at + 1) == Some(&b'\n') => at + 2,
        Some(b'\t') => memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1),
        Some(_) => return None,
    };
    Some(end)
}

/// Bytes up to the next field or line end.
///
/// Looks at eight bytes at a time (a field is a dozen bytes; `memchr`'s setup costs more
/// than that): a lane of `word ^ byte` is zero where the byte is, and `(x - 1) & !x` sets
/// the high bit of the lowest zero lane exactly (lanes above it may be wrong, and are
/// not looked at).
fn field_len(bytes: &[u8]) -> usize {
    const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero_lanes = |x: u64| x.wrapping_sub(LOW) & !x & HIGH;
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let found = zero_lanes(word ^ (LOW * u64::from(b'\t')))
            | zero_lanes(word ^ (LOW * u64::from(b'\n')))
            | zero_lanes(word ^ (LOW * u64::from(b'\r')));
        if found != 0 {
            return at + found.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|b| matches!(b, b'\t' | b'\n' | b'\r'))
        .unwrap_or(bytes.len() - at)
}

/// Turns the lines of one chunk into rows.
struct Worker<'a> {
    file: &'a str,
    plan: &'a Plan,
    shared: &'a StrainIndex,
    new: NewStrains,
    /// The previous row's query strain.
    last_query: Option<Query<'a>>,
    rows: Vec<Pair>,
    /// Bad rows, by the number of good rows before them.
    errors: Vec<(usize, Error)>,
}

/// A query strain as the rows name it, with its index and gene.
#[derive(Clone, Copy)]
struct Query<'a> {
    id: &'a str,
    allele: &'a str,
    index: u32,
    orf: &'a str,
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

    /// The values the plan names, or the first column's error.
    fn values(&self, plan: &Plan) -> Result<Values<'a>, Error> {
        let mut values = Values::default();
        for (i, field) in plan.0.iter().enumerate() {
            match *field {
                Field::Other => {}
                Field::Text(k) => values.texts[k] = self.text(i, TEXT_COLUMNS[k])?,
                Field::Number(k) => values.numbers[k] = self.number(i, NUMBER_COLUMNS[k])?,
            }
        }
        Ok(values)
    }
}

impl<'a> Worker<'a> {
    /// The general path: splits and trims the line (without its line end), skips it when
    /// blank, and reports what is wrong with it.
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
    fn push(&mut self, line: u64, values: &Values<'a>) {
        match self.row(line, values) {
            Ok(r) => self.rows.push(r),
            Err(e) => self.errors.push((self.rows.len(), e)),
        }
    }

    fn error(&self, line: u64, reason: &'static str, message: impl Into<String>) -> Error {
        Error::bad_row(self.file, line, reason, message)
    }

    /// The query strain's index. The tables list each query's rows together: most queries
    /// are the previous row's.
    fn query(&mut self, line: u64, id: &'a str, allele: &'a str) -> Result<Query<'a>, Error> {
        match self.last_query {
            Some(last) if last.id == id && last.allele == allele => Ok(last),
            _ => {
                let query = Query {
                    id,
                    allele,
                    index: self.lookup(line, id, allele)?,
                    orf: orf(id),
                };
                self.last_query = Some(query);
                Ok(query)
            }
        }
    }

    /// The strain's index: shared, new in this chunk, or parsed now.
    fn lookup(&mut self, line: u64, id: &str, allele: &str) -> Result<u32, Error> {
        let key = Key::new(id, allele);
        if let Some(i) = self.shared.get(&key) {
            return Ok(i);
        }
        if let Some(i) = self.new.index.get(&key) {
            return Ok(i);
        }
        let strain = Strain::parse(id).map_err(|m| self.error(line, "bad strain id", m))?;
        let i = LOCAL | self.new.perturbations.len() as u32;
        self.new.perturbations.push(strain.perturbation(allele));
        self.new.index.insert(&key, i);
        Ok(i)
    }

    fn row(&mut self, line: u64, values: &Values<'a>) -> Result<Pair, Error> {
        let [query_id, query_allele, array_id, array_allele, array_temp] = values.texts;
        let query = self.query(line, query_id, query_allele)?;
        let array = self.lookup(line, array_id, array_allele)?;
        if names_gene(array_id, query.orf) {
            return Err(self.error(
                line,
                "one gene twice",
                format!("query and array both perturb {}", query.orf),
            ));
        }
        let (array_type, temperature_c) = array_type_and_temperature(array_temp)
            .ok_or_else(|| self.error(
                line,
                "bad Arraytype/Temp",
                format!("column \"Arraytype/Temp\": expected DMA or TSA and a temperature (DMA30, TSA26), found {array_temp:?}"),
            ))?;
        let bad = |what: &str, e: ironcell_core::Error| {
            self.error(line, "bad value", format!("{what}: {e}"))
        };
        let n = values.numbers;
        if let Some(eps) = n[EPSILON] {
            GeneInteraction::new(InteractionOrder::Digenic, eps, n[P_VALUE])
                .map_err(|e| bad("genetic interaction score", e))?;
        }
        let mut numbers = n.map(|x| x.unwrap_or(f64::NAN));
        if let Some(value) = n[DMF] {
            let fitness =
                Fitness::new(value, n[DMF_STD]).map_err(|e| bad("double mutant fitness", e))?;
            numbers[DMF] = fitness.value();
        }
        Ok(Pair {
            query: query.index,
            array,
            array_type,
            temperature_c,
            numbers,
        })
    }
}

/// The ORF part of a strain id.
fn orf(strain_id: &str) -> &str {
    strain_id.split_once('_').map_or(strain_id, |(orf, _)| orf)
}

/// Whether the strain id's ORF part is `orf`, compared without searching for its end (this
/// runs on every row).
fn names_gene(strain_id: &str, orf: &str) -> bool {
    let id = strain_id.as_bytes();
    id.get(..orf.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(orf.as_bytes()))
        && matches!(id.get(orf.len()), None | Some(b'_'))
}

/// `DMA30` → deletion array at 30 °C.
fn array_type_and_temperature(text: &str) -> Option<(ArrayType, i32)> {
    let (kind, digits) = if let Some(digits) = text.strip_prefix("DMA") {
        (ArrayType::Dma, digits)
    } else {
        (ArrayType::Tsa, text.strip_prefix("TSA")?)
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((kind, digits.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_len_finds_the_first_separator_in_any_lane() {
        let text = "YAL002W_dma23\tvps8\nΔ\r0123456789abcdef\t\t";
        for start in 0..text.len() {
            let rest = &text.as_bytes()[start..];
            let expected = rest
                .iter()
                .position(|b| matches!(b, b'\t' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            assert_eq!(field_len(rest), expected, "from {start}");
        }
    }
}
