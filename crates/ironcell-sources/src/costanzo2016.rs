//! Costanzo et al. 2016 (Science, PMID 27708008), Data File S1:
//! `strain_ids_and_single_mutant_fitness.xlsx`, one row per strain with single-mutant fitness
//! (SMF) and its standard deviation at 26 °C and at 30 °C.
//!
//! Each row yields one record per temperature that has a value. Columns are found by their
//! header text, so reordered or extra columns are fine.

use std::io::{Read, Seek};

use calamine::{open_workbook_from_rs, Data, Reader as _, Xlsx};
use ironcell_core::{Fitness, PerturbationKind, SystematicName};

use crate::{strain::parse_strain_id, Error};

/// The publication the file comes from.
pub const PMID: u32 = 27708008;

/// One single-mutant fitness measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct SmfRecord {
    /// The strain id, e.g. `YAL002W_dma23`.
    pub strain_id: String,
    /// The perturbed gene.
    pub gene: SystematicName,
    /// The allele or gene name column, e.g. `vps8` or `tfc3-g349e`.
    pub allele: String,
    /// How the gene is perturbed, from the strain-id suffix.
    pub kind: PerturbationKind,
    /// 26 or 30.
    pub temperature_c: i32,
    /// Fitness and standard deviation.
    pub fitness: Fitness,
}

const COLUMNS: [&str; 7] = [
    "Strain ID",
    "Systematic gene name",
    "Allele/Gene name",
    "Single mutant fitness (26°)",
    "Single mutant fitness (26°) stddev",
    "Single mutant fitness (30°)",
    "Single mutant fitness (30°) stddev",
];

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.trim().to_owned(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// A numeric cell: `None` when empty or `NaN` text (missing), an error for anything else.
fn cell_number(cell: &Data) -> Result<Option<f64>, String> {
    match cell {
        Data::Float(v) if v.is_nan() => Ok(None),
        Data::Float(v) => Ok(Some(*v)),
        Data::Int(v) => Ok(Some(*v as f64)),
        Data::Empty => Ok(None),
        Data::String(s) if s.trim().is_empty() || s.trim().eq_ignore_ascii_case("nan") => Ok(None),
        Data::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("expected a number, found {s:?}")),
        other => Err(format!("expected a number, found {other:?}")),
    }
}

/// Reads every record of the first worksheet. Errors name the spreadsheet row (1-based, as
/// Excel shows it) and the column.
pub fn read<RS: Read + Seek>(inner: RS, name: &str) -> Result<Vec<SmfRecord>, Error> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(inner)
        .map_err(|e| Error::format(name, format!("not a readable xlsx workbook: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| Error::format(name, "workbook has no worksheet"))?
        .map_err(|e| Error::format(name, format!("unreadable worksheet: {e}")))?;
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| Error::format(name, "empty worksheet"))?
        .iter()
        .map(cell_text)
        .collect();
    let mut col = [0usize; 7];
    for (slot, wanted) in col.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| h == wanted).ok_or_else(|| {
            Error::parse(
                name,
                first_row,
                format!("header lacks the column {wanted:?}"),
            )
        })?;
    }
    let mut records = Vec::new();
    for (i, row) in rows.enumerate() {
        let line = first_row + 1 + i as u64;
        let err = |column: &str, msg: String| {
            Error::parse(name, line, format!("column {column:?}: {msg}"))
        };
        let get = |c: usize| row.get(col[c]).unwrap_or(&Data::Empty);
        let strain_id = cell_text(get(0));
        if strain_id.is_empty() {
            continue;
        }
        let allele = cell_text(get(2));
        let (gene, kind) = parse_strain_id(&strain_id, &allele).map_err(|m| err(COLUMNS[0], m))?;
        let listed: SystematicName = cell_text(get(1))
            .parse()
            .map_err(|e| err(COLUMNS[1], format!("{e}")))?;
        if listed != gene {
            return Err(err(
                COLUMNS[1],
                format!("{listed} disagrees with strain id {strain_id}"),
            ));
        }
        for (temperature_c, value_col, std_col) in [(26, 3, 4), (30, 5, 6)] {
            let value = cell_number(get(value_col)).map_err(|m| err(COLUMNS[value_col], m))?;
            let std = cell_number(get(std_col)).map_err(|m| err(COLUMNS[std_col], m))?;
            let Some(value) = value else { continue };
            let fitness =
                Fitness::new(value, std).map_err(|e| err(COLUMNS[value_col], e.to_string()))?;
            records.push(SmfRecord {
                strain_id: strain_id.clone(),
                gene: gene.clone(),
                allele: allele.clone(),
                kind: kind.clone(),
                temperature_c,
                fitness,
            });
        }
    }
    Ok(records)
}
