//! Header-addressed rows, the shape every screen file has: delimited text (through the `csv`
//! crate) and xlsx sheets alike. Columns are found by their header text, so reordered or
//! extra columns are fine, and every cell error names the file, the line and the column.

use std::io::Read;

use crate::{lines::LineLimit, names::Unresolved, Error};

/// A column found in a header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub(crate) index: usize,
    pub(crate) name: &'static str,
}

/// A header row.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    names: Vec<String>,
    file: String,
    line: u64,
}

impl Header {
    pub(crate) fn new(names: Vec<String>, file: &str, line: u64) -> Self {
        Self {
            names,
            file: file.to_owned(),
            line,
        }
    }

    /// The column named `name`, or `None`.
    pub(crate) fn optional(&self, name: &'static str) -> Option<Column> {
        self.names
            .iter()
            .position(|h| h == name)
            .map(|index| Column { index, name })
    }

    /// The column named `name`, or an error listing what the header has.
    pub(crate) fn require(&self, name: &'static str) -> Result<Column, Error> {
        self.optional(name).ok_or_else(|| {
            Error::parse(
                &self.file,
                self.line,
                format!(
                    "header lacks the column {name:?} (it has {})",
                    self.names.join(" | ")
                ),
            )
        })
    }

    /// Every column name.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }
}

/// Anything that holds a row's cells as text.
pub(crate) trait Fields {
    fn field(&self, i: usize) -> Option<&str>;
    fn count(&self) -> usize;
}

impl Fields for csv::StringRecord {
    fn field(&self, i: usize) -> Option<&str> {
        self.get(i)
    }

    fn count(&self) -> usize {
        self.len()
    }
}

impl Fields for [String] {
    fn field(&self, i: usize) -> Option<&str> {
        self.get(i).map(String::as_str)
    }

    fn count(&self) -> usize {
        self.len()
    }
}

/// One data row with its position, for cell access that reports errors well.
pub(crate) struct Row<'a, F: ?Sized> {
    pub(crate) fields: &'a F,
    pub(crate) file: &'a str,
    pub(crate) line: u64,
}

/// Cell text that means "no value" in the published tables.
pub(crate) fn is_missing(text: &str) -> bool {
    text.is_empty() || text.eq_ignore_ascii_case("nan") || text == "NA"
}

impl<'a, F: Fields + ?Sized> Row<'a, F> {
    /// A bad-row error at this row.
    pub(crate) fn error(&self, reason: &'static str, message: impl Into<String>) -> Error {
        Error::bad_row(self.file, self.line, reason, message)
    }

    /// The cell's text, trimmed.
    pub(crate) fn text(&self, col: Column) -> Result<&'a str, Error> {
        self.fields.field(col.index).map(str::trim).ok_or_else(|| {
            self.error(
                "short row",
                format!(
                    "missing column {:?}: only {} fields",
                    col.name,
                    self.fields.count()
                ),
            )
        })
    }

    /// The error for a gene name `written` in `col` that the reference does not resolve.
    pub(crate) fn unresolved(&self, col: Column, written: &str, why: Unresolved) -> Error {
        match why {
            Unresolved::Unknown => self.error(
                "unmapped gene name",
                format!(
                    "column {:?}: no reference gene is named {written:?}",
                    col.name
                ),
            ),
            Unresolved::Ambiguous(genes) => self.error(
                "ambiguous gene name",
                format!("column {:?}: {written:?} names {genes:?}", col.name),
            ),
        }
    }

    /// A finite number, or `None` for an empty / `NaN` / `NA` cell. `inf` (which Rust's
    /// parser accepts) is refused: JSON and the stores cannot hold it, and no screen measures
    /// it, so it would become a silent null.
    pub(crate) fn number(&self, col: Column) -> Result<Option<f64>, Error> {
        let text = self.text(col)?;
        if is_missing(text) {
            return Ok(None);
        }
        text.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| {
                self.error(
                    "not a number",
                    format!(
                        "column {:?}: expected a finite number, found {text:?}",
                        col.name
                    ),
                )
            })
    }
}

/// A delimited text file with a header line.
pub(crate) struct Delimited<R> {
    reader: csv::Reader<LineLimit<R>>,
    record: csv::StringRecord,
    name: String,
    rows: u64,
}

impl<R: Read> Delimited<R> {
    /// Tab-separated, no quoting (the SGA and Kuzmin tables use none).
    pub(crate) fn tsv(inner: R, name: &str) -> Self {
        Self::new(inner, name, b'\t', false, None)
    }

    /// Tab-separated, unquoted, skipping lines that start with `comment` (GAF's `!`).
    pub(crate) fn tsv_with_comments(inner: R, name: &str, comment: u8) -> Self {
        Self::new(inner, name, b'\t', false, Some(comment))
    }

    /// Separated by single spaces, unquoted (STRING's tables).
    pub(crate) fn space_separated(inner: R, name: &str) -> Self {
        Self::new(inner, name, b' ', false, None)
    }

    /// Comma-separated with RFC 4180 quoting.
    pub(crate) fn csv(inner: R, name: &str) -> Self {
        Self::new(inner, name, b',', true, None)
    }

    fn new(inner: R, name: &str, delimiter: u8, quoting: bool, comment: Option<u8>) -> Self {
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .quoting(quoting)
            .comment(comment)
            .has_headers(false)
            .flexible(true)
            .from_reader(LineLimit::new(inner));
        Self {
            reader,
            record: csv::StringRecord::new(),
            name: name.to_owned(),
            rows: 0,
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Data rows read so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    fn read(&mut self) -> Result<bool, Error> {
        self.reader.read_record(&mut self.record).map_err(|e| {
            // An I/O error has no position: it is in the line the reader is at.
            let line = e
                .position()
                .map_or(self.reader.position().line(), |p| p.line());
            Error::parse(&self.name, line, format!("unreadable row: {e}"))
        })
    }

    fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// Reads the header line.
    pub(crate) fn header(&mut self) -> Result<Header, Error> {
        if !self.read()? {
            return Err(Error::format(&self.name, "empty file: expected a header"));
        }
        let names = self.record.iter().map(|h| h.trim().to_owned()).collect();
        Ok(Header::new(names, &self.name, self.line()))
    }

    /// The next non-blank data row.
    pub(crate) fn next_row(&mut self) -> Result<Option<Row<'_, csv::StringRecord>>, Error> {
        loop {
            if !self.read()? {
                return Ok(None);
            }
            if self.record.iter().any(|f| !f.trim().is_empty()) {
                break;
            }
        }
        self.rows += 1;
        Ok(Some(Row {
            fields: &self.record,
            file: &self.name,
            line: self.line(),
        }))
    }
}
