//! What a reader did with a file: rows read, records produced, rows rejected and why.
//!
//! Every screen reader implements [`RecordReader`]; [`read_all`] drives one under a
//! [`BadRows`] policy, so the rule "a bad row is an error with file:line, or with
//! `--skip-bad-rows` skipped and listed" lives in one place and nothing is dropped silently.

use std::{collections::BTreeMap, fmt};

use crate::Error;

/// A reader of records from one file.
pub trait RecordReader {
    /// What one record is.
    type Record;

    /// The next record, `None` at the end. A row-confined error (one with a
    /// [`bad_row_reason`](Error::bad_row_reason)) leaves the reader positioned at the next
    /// row, so reading can go on.
    fn next_record(&mut self) -> Result<Option<Self::Record>, Error>;

    /// Data rows read so far (headers and blank lines excluded).
    fn rows_read(&self) -> u64;

    /// Rows read and deliberately passed over because they hold no record of this
    /// dataset's kind (another phenotype, a strain without a measurement).
    fn rows_passed_over(&self) -> u64 {
        0
    }

    /// The file's name, as used in errors.
    fn name(&self) -> &str;
}

/// What to do with a row that cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadRows {
    /// Stop with the row's error (the default: nothing is lost without the user knowing).
    #[default]
    Fail,
    /// Skip the row and list it in the report.
    Skip,
}

/// One skipped row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Its 1-based line (or spreadsheet row).
    pub line: u64,
    /// What was wrong with it.
    pub message: String,
}

/// The account of one read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadReport {
    /// The file.
    pub file: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows passed over as not applicable (see [`RecordReader::rows_passed_over`]).
    pub passed_over: u64,
    /// Records produced.
    pub records: u64,
    /// Skipped rows, by reason: the first [`ReadReport::KEPT_PER_REASON`] of each, so that
    /// `--skip-bad-rows` over a file of millions of bad rows holds a bounded list.
    pub rejected: BTreeMap<&'static str, Vec<Rejected>>,
    /// Skipped rows, by reason: every one counted.
    pub rejected_counts: BTreeMap<&'static str, u64>,
}

impl ReadReport {
    /// Rejected rows kept per reason (the rest are counted).
    pub const KEPT_PER_REASON: usize = 100;

    /// How many rows were skipped.
    pub fn rejected_rows(&self) -> usize {
        self.rejected_counts.values().sum::<u64>() as usize
    }

    /// Accounts for a skipped row.
    fn reject(&mut self, reason: &'static str, row: Rejected) {
        *self.rejected_counts.entry(reason).or_default() += 1;
        let kept = self.rejected.entry(reason).or_default();
        if kept.len() < Self::KEPT_PER_REASON {
            kept.push(row);
        }
    }
}

impl fmt::Display for ReadReport {
    /// A summary, listing up to five rejected lines per reason.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} rows read, ", self.file, self.rows_read)?;
        if self.passed_over > 0 {
            write!(f, "{} passed over (not applicable), ", self.passed_over)?;
        }
        writeln!(
            f,
            "{} records, {} rows rejected",
            self.records,
            self.rejected_rows()
        )?;
        for (reason, rows) in &self.rejected {
            let count = self.rejected_counts.get(reason).copied().unwrap_or(0);
            writeln!(f, "  {reason}: {count} rows")?;
            for r in rows.iter().take(5) {
                writeln!(f, "    line {}: {}", r.line, r.message)?;
            }
            if count > 5 {
                writeln!(f, "    … {} more", count - 5)?;
            }
        }
        Ok(())
    }
}

/// Reads every record of `reader` into `sink` under `policy`, and accounts for every row.
///
/// ```
/// use ironcell_sources::{kuzmin2018, report::{read_all, BadRows}};
///
/// let text = "Query strain ID\tArray strain ID\tP-value\tCombined mutant fitness\t\
/// Combined mutant fitness standard deviation\n\
/// YKL051W+YDL227C_tm3059\tYDR108W_dma909\t0.5\t0.835\t0.0464\n\
/// YKL051W+YDL227C_tm3059\tnot-a-strain\t0.5\t0.835\t0.0464\n";
/// let mut records = Vec::new();
/// let reader = kuzmin2018::Reader::new(text.as_bytes(), "s1.tsv")?;
/// let report = read_all(reader, BadRows::Skip, |r| {
///     records.push(r);
///     Ok::<_, std::convert::Infallible>(())
/// })?;
/// assert_eq!((report.rows_read, report.records, report.rejected_rows()), (2, 1, 1));
///
/// // A thousand bad rows are all counted, the first hundred kept.
/// let mut text = String::from("Query strain ID\tArray strain ID\tP-value\tCombined mutant fitness\t\
/// Combined mutant fitness standard deviation\n");
/// for _ in 0..1_000 {
///     text.push_str("YKL051W+YDL227C_tm3059\tnot-a-strain\t0.5\t0.835\t0.0464\n");
/// }
/// let reader = kuzmin2018::Reader::new(text.as_bytes(), "s1.tsv")?;
/// let report = read_all(reader, BadRows::Skip, |_| Ok::<_, std::convert::Infallible>(()))?;
/// assert_eq!(report.rejected_rows(), 1_000);
/// assert_eq!(report.rejected["bad strain id"].len(), 100);
/// assert!(report.to_string().contains("bad strain id: 1000 rows"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_all<R, E>(
    mut reader: R,
    policy: BadRows,
    mut sink: impl FnMut(R::Record) -> Result<(), E>,
) -> Result<ReadReport, ReadError<E>>
where
    R: RecordReader,
{
    let mut report = ReadReport {
        file: reader.name().to_owned(),
        ..ReadReport::default()
    };
    loop {
        match reader.next_record() {
            Ok(Some(record)) => {
                report.records += 1;
                sink(record).map_err(ReadError::Sink)?;
            }
            Ok(None) => break,
            Err(e) => match (e.bad_row_reason(), policy) {
                (Some(reason), BadRows::Skip) => report.reject(
                    reason,
                    Rejected {
                        line: e.line().unwrap_or(0),
                        message: e.message().to_owned(),
                    },
                ),
                _ => return Err(ReadError::Source(e)),
            },
        }
    }
    report.rows_read = reader.rows_read();
    report.passed_over = reader.rows_passed_over();
    Ok(report)
}

/// Why [`read_all`] stopped: the file, or the consumer of its records.
#[derive(Debug)]
pub enum ReadError<E> {
    /// The file could not be read (or a bad row under [`BadRows::Fail`]).
    Source(Error),
    /// The sink failed.
    Sink(E),
}

impl<E: fmt::Display> fmt::Display for ReadError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Source(e) => e.fmt(f),
            Self::Sink(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for ReadError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Source(e) => Some(e),
            Self::Sink(e) => Some(e),
        }
    }
}

/// Reads every record of `reader` into a vector under `policy`.
///
/// ```
/// use ironcell_sources::{deletion, report::{collect, BadRows}};
///
/// let text = "ORF_name\tessential\n=====\t=====\nYAL001C\tessential\nPAU8\t\n";
/// let reader = deletion::Reader::new(text.as_bytes(), "del.txt")?;
/// let (entries, report) = collect(reader, BadRows::Skip)?;
/// assert_eq!(entries.len(), 1);
/// assert_eq!(report.rejected["bad systematic name"][0].line, 4);
/// # Ok::<(), ironcell_sources::Error>(())
/// ```
pub fn collect<R: RecordReader>(
    reader: R,
    policy: BadRows,
) -> Result<(Vec<R::Record>, ReadReport), Error> {
    let mut records = Vec::new();
    let report = read_all(reader, policy, |r| {
        records.push(r);
        Ok::<_, std::convert::Infallible>(())
    })
    .map_err(|e| match e {
        ReadError::Source(e) => e,
        ReadError::Sink(never) => match never {},
    })?;
    Ok((records, report))
}
