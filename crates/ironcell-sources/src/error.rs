use std::{fmt, io};

/// A reader error: the file, the line (when it applies) and what went wrong.
#[derive(Debug)]
pub struct Error {
    file: String,
    line: Option<u64>,
    message: String,
    reason: Option<&'static str>,
    io: Option<io::Error>,
}

impl Error {
    pub(crate) fn parse(file: &str, line: u64, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: Some(line),
            message: message.into(),
            reason: None,
            io: None,
        }
    }

    /// A problem confined to one row: with `--skip-bad-rows` the row is skipped and listed
    /// under `reason` in the [`ReadReport`](crate::report::ReadReport); otherwise reading
    /// stops here.
    /// Moves the error down by `lines`, for a text that had that many lines before it:
    /// parsers of a chunk number its lines from 1, the reader knows where it starts.
    pub(crate) fn add_lines(&mut self, lines: u64) {
        if let Some(line) = &mut self.line {
            *line += lines;
        }
    }

    pub(crate) fn bad_row(
        file: &str,
        line: u64,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            reason: Some(reason),
            ..Self::parse(file, line, message)
        }
    }

    pub(crate) fn format(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            message: message.into(),
            reason: None,
            io: None,
        }
    }

    pub(crate) fn io(file: &str, err: io::Error) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            message: "could not read".to_owned(),
            reason: None,
            io: Some(err),
        }
    }

    /// The file (or stream name) being read.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line (or spreadsheet row) where the problem is, if it is tied to one.
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// Why a single row was rejected, when the error is confined to that row (the rest of
    /// the file can still be read); `None` for errors that stop reading.
    pub fn bad_row_reason(&self) -> Option<&'static str> {
        self.reason
    }

    /// What went wrong, without the file and line.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.io.as_ref().map(|e| e as _)
    }
}
