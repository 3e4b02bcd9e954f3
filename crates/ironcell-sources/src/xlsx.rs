//! xlsx worksheets as header-addressed rows of cell text, read through calamine.
//!
//! Supplementary tables often put a title line above the header, so the header is the first
//! of the top rows that holds a known column name. Row numbers are Excel's (1-based).

use std::io::{Read, Seek};

use calamine::{open_workbook_from_rs, Data, Reader as _, Xlsx};

use crate::{
    table::{Header, Row},
    Error,
};

/// How far down a title block may push the header.
const HEADER_SEARCH_ROWS: usize = 5;
/// The widest sheet read: the published tables have tens of columns, and a cell placed at
/// `XFD1048576` must not make the reader lay out Excel's whole 16,384-column grid.
const MAX_COLUMNS: u32 = 1024;

/// The text of a cell: strings trimmed (a byte-order mark too), numbers in their shortest
/// round-trip form.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.trim_start_matches('\u{feff}').trim().to_owned(),
        Data::Empty => String::new(),
        Data::Float(v) if v.is_nan() => String::new(),
        other => other.to_string(),
    }
}

/// One worksheet, read cell by cell through calamine's streaming reader: only the cells the
/// file holds are kept (never the extent the sheet declares), then served row by row.
pub(crate) struct Sheet {
    /// Every non-blank cell as (row, column, text), sorted by row, then column.
    stored: Vec<(u32, u32, String)>,
    width: usize,
    name: String,
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
        let first = workbook
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| Error::format(name, "workbook has no worksheet"))?;
        let unreadable = |e: calamine::XlsxError| {
            Error::format(name, format!("unreadable worksheet {first:?}: {e}"))
        };
        let mut reader = workbook
            .worksheet_cells_reader(&first)
            .map_err(unreadable)?;
        let mut stored = Vec::new();
        let mut width = 0;
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            let (row, column) = cell.get_position();
            let text = cell_text(&Data::from(cell.get_value().clone()));
            if text.is_empty() {
                continue;
            }
            if column >= MAX_COLUMNS {
                return Err(Error::format(
                    name,
                    format!(
                        "row {}: a cell in column {}, beyond the {MAX_COLUMNS} columns a table is read to",
                        row + 1,
                        column + 1
                    ),
                ));
            }
            width = width.max(column as usize + 1);
            stored.push((row, column, text));
        }
        drop(reader);
        // Rows in order (a file may list them out of order), columns within a row too.
        stored.sort_by_key(|&(r, c, _)| (r, c));
        let mut sheet = Self {
            stored,
            width,
            name: name.to_owned(),
            next: 0,
            cells: Vec::new(),
            rows: 0,
        };
        let mut header = None;
        for _ in 0..HEADER_SEARCH_ROWS {
            let Some(row) = sheet.advance() else { break };
            if sheet.cells.iter().any(|c| c == key_column) {
                header = Some(Header::new(sheet.cells.clone(), name, u64::from(row) + 1));
                break;
            }
        }
        let header = header.ok_or_else(|| {
            Error::format(
                name,
                format!(
                    "no header with the column {key_column:?} in the first {HEADER_SEARCH_ROWS} rows"
                ),
            )
        })?;
        Ok((sheet, header))
    }

    /// The workbook's name, as used in errors.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Data rows read so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Lays the next non-blank row out in `cells`; its 0-based row number.
    fn advance(&mut self) -> Option<u32> {
        let &(row, _, _) = self.stored.get(self.next)?;
        self.cells.clear();
        self.cells.resize(self.width, String::new());
        while let Some((r, c, text)) = self.stored.get_mut(self.next) {
            if *r != row {
                break;
            }
            self.cells[*c as usize] = std::mem::take(text);
            self.next += 1;
        }
        Some(row)
    }

    /// The next non-blank row.
    pub(crate) fn next_row(&mut self) -> Option<Row<'_, [String]>> {
        let row = self.advance()?;
        self.rows += 1;
        Some(Row {
            fields: self.cells.as_slice(),
            file: &self.name,
            line: u64::from(row) + 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    /// A minimal workbook whose one sheet holds `sheet_data` (its `<row>` elements).
    fn workbook(sheet_data: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let rels = "http://schemas.openxmlformats.org/package/2006/relationships";
        let office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let files = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_owned(),
            ),
            (
                "_rels/.rels",
                format!(r#"<?xml version="1.0"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ),
            (
                "xl/workbook.xml",
                format!(r#"<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{office}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(r#"<?xml version="1.0"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{office}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(r#"<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>{sheet_data}</sheetData></worksheet>"#),
            ),
        ];
        for (path, text) in files {
            zip.start_file(path, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn cell(at: &str, text: &str) -> String {
        format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    #[test]
    fn rows_after_a_title_and_a_gap_keep_their_excel_numbers() {
        let data = format!(
            r#"<row r="1">{}</row><row r="2">{}{}</row><row r="5">{}{}</row>"#,
            cell("A1", "Title"),
            cell("A2", "\u{feff}Key"),
            cell("C2", "Value"),
            cell("A5", "x"),
            cell("C5", "1.5"),
        );
        let (mut sheet, header) =
            Sheet::open(Cursor::new(workbook(&data)), "t.xlsx", "Key").unwrap();
        // The byte-order mark is not part of the column's name.
        assert_eq!(header.names(), ["Key", "", "Value"]);
        let row = sheet.next_row().unwrap();
        assert_eq!(row.fields, ["x", "", "1.5"]);
        assert_eq!(row.line, 5);
        assert!(sheet.next_row().is_none());
        assert_eq!(sheet.rows(), 1);
    }

    #[test]
    fn a_cell_at_the_last_column_is_refused_without_laying_out_the_grid() {
        let data = format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            cell("A1", "Key"),
            cell("XFD1048576", "far"),
        );
        let e = Sheet::open(Cursor::new(workbook(&data)), "t.xlsx", "Key")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("t.xlsx") && e.contains("column 16384"), "{e}");
        // Far down but in range: one row, not a million.
        let data = format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            cell("A1", "Key"),
            cell("B1048576", "far"),
        );
        let (mut sheet, _) = Sheet::open(Cursor::new(workbook(&data)), "t.xlsx", "Key").unwrap();
        assert_eq!(sheet.next_row().unwrap().line, 1_048_576);
    }
}
