//! The Yeast Deletion Project strain table (`Deletion_primers_PCR_sizes.txt`): a header line,
//! a line of `=====` rules, then one tab-separated, space-padded row per ORF. ironcell uses the
//! ORF name and the `essential` column.

use std::io::BufRead;

use ironcell_core::SystematicName;

use crate::{lines::Lines, Error};

/// One ORF of the deletion collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The ORF.
    pub orf: SystematicName,
    /// Whether its deletion is lethal in haploids (the `essential` column).
    pub essential: bool,
}

/// Reads the table. Rows whose ORF is not a valid systematic name are errors with their line.
pub fn read<R: BufRead>(inner: R, name: &str) -> Result<Vec<Entry>, Error> {
    let mut lines = Lines::new(inner, name);
    let mut buf = String::new();
    if !lines.next_into(&mut buf)? {
        return Err(Error::format(name, "empty file: expected a header line"));
    }
    let header: Vec<&str> = buf.split('\t').map(str::trim).collect();
    let column = |wanted: &str| {
        header
            .iter()
            .position(|h| *h == wanted)
            .ok_or_else(|| lines.error(format!("header lacks the column {wanted:?}")))
    };
    let (orf_col, essential_col) = (column("ORF_name")?, column("essential")?);
    let mut entries = Vec::new();
    while lines.next_into(&mut buf)? {
        if buf.trim().is_empty() || buf.starts_with("=====") {
            continue;
        }
        let fields: Vec<&str> = buf.split('\t').map(str::trim).collect();
        let field = |i: usize| {
            fields.get(i).copied().ok_or_else(|| {
                lines.error(format!(
                    "expected at least {} tab-separated fields, found {}",
                    i + 1,
                    fields.len()
                ))
            })
        };
        let orf = field(orf_col)?
            .parse()
            .map_err(|e| lines.error(format!("column ORF_name: {e}")))?;
        let essential = match field(essential_col)? {
            "essential" => true,
            "" => false,
            other => {
                return Err(lines.error(format!(
                    "column essential: expected \"essential\" or blank, found {other:?}"
                )))
            }
        };
        entries.push(Entry { orf, essential });
    }
    Ok(entries)
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
