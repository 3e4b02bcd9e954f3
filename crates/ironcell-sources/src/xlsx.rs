//! xlsx worksheets as header-addressed rows of cell text, read through calamine.
//!
//! Supplementary tables often put a title line above the header, so the header is the first
//! of the top rows that holds a known column name. Row numbers are Excel's (1-based).

use std::io::{Read, Seek};

use calamine::{open_workbook_from_rs, Data, Range, Reader as _, Xlsx};

use crate::{
    table::{Header, Row},
    Error,
};

/// How far down a title block may push the header.
const HEADER_SEARCH_ROWS: usize = 5;

/// The text of a cell: strings trimmed, numbers in their shortest round-trip form.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.trim().to_owned(),
        Data::Empty => String::new(),
        Data::Float(v) if v.is_nan() => String::new(),
        other => other.to_string(),
    }
}

/// One worksheet, held whole (calamine decodes a sheet at once), read row by row.
pub(crate) struct Sheet {
    range: Range<Data>,
    name: String,
    first_row: u64,
    next: usize,
    cells: Vec<String>,
    rows: u64,
}

impl Sheet {
    /// Opens the first worksheet of `inner` and finds the header: the first of the top rows
    /// with a cell equal to `key_column`.
    pub(crate) fn open<RS: Read + Seek>(
        inner: RS,
        name: &str,
        key_column: &str,
    ) -> Result<(Self, Header), Error> {
        let mut workbook: Xlsx<_> = open_workbook_from_rs(inner)
            .map_err(|e| Error::format(name, format!("not a readable xlsx workbook: {e}")))?;
        let range = workbook
            .worksheet_range_at(0)
            .ok_or_else(|| Error::format(name, "workbook has no worksheet"))?
            .map_err(|e| Error::format(name, format!("unreadable worksheet: {e}")))?;
        let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
        let header_index = range
            .rows()
            .take(HEADER_SEARCH_ROWS)
            .position(|row| row.iter().any(|c| cell_text(c) == key_column))
            .ok_or_else(|| {
                Error::format(
                    name,
                    format!(
                        "no header with the column {key_column:?} in the first {HEADER_SEARCH_ROWS} rows"
                    ),
                )
            })?;
        let names = range
            .rows()
            .nth(header_index)
            .map(|row| row.iter().map(cell_text).collect())
            .unwrap_or_default();
        let header = Header::new(names, name, first_row + header_index as u64);
        Ok((
            Self {
                range,
                name: name.to_owned(),
                first_row,
                next: header_index + 1,
                cells: Vec::new(),
                rows: 0,
            },
            header,
        ))
    }

    /// The workbook's name, as used in errors.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Data rows read so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// The next non-blank row.
    pub(crate) fn next_row(&mut self) -> Option<Row<'_, [String]>> {
        let (height, width) = self.range.get_size();
        loop {
            if self.next >= height {
                return None;
            }
            let r = self.next;
            self.next += 1;
            self.cells.clear();
            self.cells.extend(
                (0..width).map(|c| self.range.get((r, c)).map_or_else(String::new, cell_text)),
            );
            if self.cells.iter().any(|c| !c.is_empty()) {
                self.rows += 1;
                return Some(Row {
                    fields: self.cells.as_slice(),
                    file: &self.name,
                    line: self.first_row + r as u64,
                });
            }
        }
    }
}
