//! The Yeast Deletion Project strain table (`Deletion_primers_PCR_sizes.txt`): a header line,
//! a line of `=====` rules, then one tab-separated, space-padded row per ORF. ironcell uses the
//! ORF name and the `essential` column.

use std::io::Read;

use ironcell_core::SystematicName;

use crate::{
    report::{collect, BadRows, RecordReader},
    table::{Column, Delimited},
    Error,
};

/// One ORF of the deletion collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The ORF.
    pub orf: SystematicName,
    /// Whether its deletion is lethal in haploids (the `essential` column).
    pub essential: bool,
}

/// Streams the table's entries.
pub struct Reader<R> {
    table: Delimited<R>,
    orf: Column,
    essential: Column,
    /// `=====` rule lines, which are layout, not data.
    rules: u64,
}

impl<R: Read> Reader<R> {
    /// Reads the header; it must have "ORF_name" and "essential".
    pub fn new(inner: R, name: &str) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        Ok(Self {
            orf: h.require("ORF_name")?,
            essential: h.require("essential")?,
            table,
            rules: 0,
        })
    }
}

impl<R: Read> RecordReader for Reader<R> {
    type Record = Entry;

    fn next_record(&mut self) -> Result<Option<Entry>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            let orf = row.text(self.orf)?;
            if orf.starts_with("=====") {
                self.rules += 1;
                continue;
            }
            let orf = orf
                .parse()
                .map_err(|e| row.error("bad systematic name", format!("column ORF_name: {e}")))?;
            let essential = match row.text(self.essential)? {
                "essential" => true,
                "" => false,
                other => {
                    return Err(row.error(
                        "bad essential flag",
                        format!(
                            "column essential: expected \"essential\" or blank, found {other:?}"
                        ),
                    ))
                }
            };
            return Ok(Some(Entry { orf, essential }));
        }
    }

    fn rows_read(&self) -> u64 {
        self.table.rows() - self.rules
    }

    fn name(&self) -> &str {
        self.table.name()
    }
}

/// Reads the whole table; the first bad row is an error with its line.
pub fn read<R: Read>(inner: R, name: &str) -> Result<Vec<Entry>, Error> {
    collect(Reader::new(inner, name)?, BadRows::Fail).map(|(entries, _)| entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    static DATA: &str =
        "rec_num\tORF_name\tdeletion_alias\tessential\tA_confirmation_primer_sequence
=====\t=========\t==============\t=========\t==============
n406 \tYAL001C  \t              \tessential\tCTTATGCAAATCGAGTTATTGAAGCTG   
n405 \tYAL002W  \t              \t         \tCTTCATATACGGCACTCCCCTGAA      
n999 \tYML009c  \t              \t         \tCTTCATATACGGCACTCCCCTGAA      
";

    #[test]
    fn reads_essential_flags_and_normalises_case() {
        let entries = read(DATA.as_bytes(), "del.txt").unwrap();
        assert_eq!(entries.len(), 3);
        assert!(entries[0].essential);
        assert!(!entries[1].essential);
        assert_eq!(entries[2].orf.as_str(), "YML009C");
    }

    #[test]
    fn invalid_orf_names_its_line() {
        let bad = DATA.replace("YAL002W  ", "PAU8     ");
        let err = read(bad.as_bytes(), "del.txt").unwrap_err();
        assert_eq!(err.line(), Some(4));
        assert!(err.to_string().contains("invalid systematic name"), "{err}");
    }
}
