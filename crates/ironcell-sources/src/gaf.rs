//! GO annotations in the GO Annotation File format 2.x (SGD's `gene_association.sgd`), read
//! for what GenBank's GO qualifiers lack: the date of each annotation, which DCell's
//! optional annotation cut-off needs.
//!
//! Seventeen tab-separated columns, `!` comment lines: DB, DB Object ID, DB Object Symbol,
//! Qualifier (`NOT|…` negates), GO ID, DB:Reference (`PMID:N|SGD_REF:…`), Evidence Code,
//! With/From, Aspect (P/F/C), DB Object Name, DB Object Synonym (`|`-joined; SGD lists the
//! systematic name first), DB Object Type, Taxon, Date (YYYYMMDD), Assigned By, Annotation
//! Extension, Gene Product Form ID.

use std::io::Read;

use crate::{
    genbank::Aspect,
    report::RecordReader,
    table::{Column, Delimited},
    Error,
};

const COLUMN_NAMES: [&str; 17] = [
    "DB",
    "DB Object ID",
    "DB Object Symbol",
    "Qualifier",
    "GO ID",
    "DB:Reference",
    "Evidence Code",
    "With (or) From",
    "Aspect",
    "DB Object Name",
    "DB Object Synonym",
    "DB Object Type",
    "Taxon",
    "Date",
    "Assigned By",
    "Annotation Extension",
    "Gene Product Form ID",
];

fn column(index: usize) -> Column {
    Column {
        index,
        name: COLUMN_NAMES[index],
    }
}

/// One annotation line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The object's symbol (standard name, or the systematic name where there is none).
    pub symbol: String,
    /// The object's synonyms, in file order.
    pub synonyms: Vec<String>,
    /// A `NOT` qualifier: the gene is known *not* to have this function.
    pub negated: bool,
    /// GO id.
    pub term: String,
    /// The PubMed id among the references, if any.
    pub pmid: Option<u32>,
    /// Evidence code.
    pub evidence: String,
    /// Aspect.
    pub aspect: Aspect,
    /// Annotation date, YYYYMMDD.
    pub date: u32,
}

/// Streams a GAF 2.x file.
pub struct Reader<R> {
    table: Delimited<R>,
}

impl<R: Read> Reader<R> {
    /// A reader of `inner`, named `name` in errors.
    pub fn new(inner: R, name: &str) -> Self {
        Self {
            table: Delimited::tsv_with_comments(inner, name, b'!'),
        }
    }
}

impl<R: Read> RecordReader for Reader<R> {
    type Record = Record;

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        // GAF 2.x has 17 columns; the last two are optional in practice.
        if row.fields.len() < 15 {
            return Err(row.error(
                "short row",
                format!(
                    "expected 15 to 17 tab-separated GAF columns, found {}",
                    row.fields.len()
                ),
            ));
        }
        let aspect_code = row.text(column(8))?;
        let aspect = Aspect::from_code(aspect_code).ok_or_else(|| {
            row.error(
                "bad aspect",
                format!("column \"Aspect\": expected P, F or C, found {aspect_code:?}"),
            )
        })?;
        let date_text = row.text(column(13))?;
        let date = date_text
            .parse::<u32>()
            .ok()
            .filter(|_| date_text.len() == 8)
            .ok_or_else(|| {
                row.error(
                    "bad date",
                    format!("column \"Date\": expected YYYYMMDD, found {date_text:?}"),
                )
            })?;
        let pmid = row
            .text(column(5))?
            .split('|')
            .find_map(|r| r.strip_prefix("PMID:"))
            .and_then(|id| id.parse().ok());
        Ok(Some(Record {
            symbol: row.text(column(2))?.to_owned(),
            synonyms: row
                .text(column(10))?
                .split('|')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            negated: row.text(column(3))?.split('|').any(|q| q == "NOT"),
            term: row.text(column(4))?.to_owned(),
            pmid,
            evidence: row.text(column(6))?.to_owned(),
            aspect,
            date,
        }))
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn name(&self) -> &str {
        self.table.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{collect, BadRows};

    #[test]
    fn reads_the_published_layout() {
        let text = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/gene_association.sgd"
        ))
        .unwrap();
        let (records, report) = collect(
            Reader::new(text.as_slice(), "gene_association.sgd"),
            BadRows::Skip,
        )
        .unwrap();
        assert_eq!(report.records, 4);
        assert_eq!(report.rejected_rows(), 1);
        let tfc3 = &records[0];
        assert_eq!(tfc3.symbol, "TFC3");
        assert_eq!(tfc3.synonyms[0], "YAL001C");
        assert_eq!(
            (tfc3.term.as_str(), tfc3.pmid, tfc3.date),
            ("GO:0000127", Some(1279682), 20060310)
        );
        assert_eq!(tfc3.aspect, Aspect::CellularComponent);
        assert!(!tfc3.negated && records[2].negated);
        assert_eq!(records[3].pmid, None);
    }
}
