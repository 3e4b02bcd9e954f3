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

/// The longest message an error keeps, in bytes: a message quoting a malformed 10 MB field
/// would otherwise carry the field into every report and terminal that shows it.
const MAX_MESSAGE: usize = 512;

/// `message` itself when short; else its beginning and end (what was wrong, what was
/// expected) around a count of the bytes left out.
fn bounded(message: String) -> String {
    if message.len() <= MAX_MESSAGE {
        return message;
    }
    let mut head = MAX_MESSAGE / 2;
    while !message.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = message.len() - MAX_MESSAGE / 4;
    while !message.is_char_boundary(tail) {
        tail += 1;
    }
    format!(
        "{}… [{} bytes left out] …{}",
        &message[..head],
        tail - head,
        &message[tail..]
    )
}

impl Error {
    pub(crate) fn parse(file: &str, line: u64, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: Some(line),
            message: bounded(message.into()),
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
            message: bounded(message.into()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_field_is_not_echoed_whole() {
        let field = "é".repeat(5_000_000);
        let err = Error::parse(
            "t.tsv",
            3,
            format!("column score: found {field:?} (expected a number)"),
        );
        let shown = err.to_string();
        assert!(shown.len() < 1024, "{} bytes", shown.len());
        assert!(
            shown.starts_with("t.tsv:3: column score: found \"éé"),
            "{shown}"
        );
        assert!(shown.ends_with("éé\" (expected a number)"), "{shown}");
        assert!(shown.contains("bytes left out"), "{shown}");
        let short = Error::format("t.tsv", "no genes");
        assert_eq!(short.to_string(), "t.tsv: no genes");
    }
}
