use std::{
    fs::File,
    io::{self, BufRead, BufReader, Read},
    path::Path,
};

use flate2::read::MultiGzDecoder;

use crate::Error;

/// Opens `path` for buffered reading, decompressing it when its name ends in `.gz`.
pub fn open_maybe_gzip(path: &Path) -> Result<Box<dyn BufRead + Send>, Error> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| Error::io(&name, e))?;
    let inner: Box<dyn Read + Send> = if is_gzip(path) {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 16, inner)))
}

/// Whether the file is gzip-compressed, by its name.
pub(crate) fn is_gzip(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "gz")
}

/// Reads lines into a caller-owned buffer and counts them, so every reader can name the line
/// an error is on. Trailing `\n` / `\r\n` is removed.
pub(crate) struct Lines<R> {
    inner: R,
    name: String,
    line: u64,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(inner: R, name: impl Into<String>) -> Self {
        Self {
            inner,
            name: name.into(),
            line: 0,
        }
    }

    /// Reads the next line into `buf`; returns false at end of input.
    pub(crate) fn next_into(&mut self, buf: &mut String) -> Result<bool, Error> {
        buf.clear();
        let n = self
            .inner
            .read_line(buf)
            .map_err(|e: io::Error| Error::io(&self.name, e))?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        while buf.ends_with('\n') || buf.ends_with('\r') {
            buf.pop();
        }
        Ok(true)
    }

    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// An error at the current line.
    pub(crate) fn error(&self, message: impl Into<String>) -> Error {
        Error::parse(&self.name, self.line, message)
    }
}
