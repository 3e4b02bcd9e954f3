use std::{
    fs::File,
    io::{self, BufRead, BufReader, Read},
    path::Path,
};

use flate2::read::MultiGzDecoder;

use crate::Error;

/// The UTF-8 byte-order mark some spreadsheet programs put before a text file's first line.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Opens `path` for buffered reading, decompressing it when its name ends in `.gz`; a leading
/// byte-order mark is skipped, so the first header name or gene is read as written.
pub fn open_maybe_gzip(path: &Path) -> Result<Box<dyn BufRead + Send>, Error> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| Error::io(&name, e))?;
    let inner: Box<dyn Read + Send> = if is_gzip(path) {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut reader = BufReader::with_capacity(1 << 16, inner);
    if reader
        .fill_buf()
        .map_err(|e| Error::io(&name, e))?
        .starts_with(BOM)
    {
        reader.consume(BOM.len());
    }
    Ok(Box::new(reader))
}

/// Whether the file is gzip-compressed, by its name.
pub(crate) fn is_gzip(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "gz")
}

/// The longest line any reader accepts. Tables of the published screens have lines of a few
/// hundred bytes; a line that does not end within this is a broken or hostile file (`/dev/zero`
/// given as a table), and reading it on would hold it whole in memory.
pub(crate) const MAX_LINE: usize = 16 << 20;

/// What a line past [`MAX_LINE`] is, in an error.
pub(crate) fn too_long() -> String {
    format!(
        "a line longer than {} MiB: not a text table, or a broken file",
        MAX_LINE >> 20
    )
}

/// A reader that fails once more than [`MAX_LINE`] bytes pass without a line end, for the
/// parsers (csv) that would otherwise grow a record until memory runs out.
pub(crate) struct LineLimit<R> {
    inner: R,
    since_newline: usize,
    limit: usize,
}

impl<R: Read> LineLimit<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self::with_limit(inner, MAX_LINE)
    }

    fn with_limit(inner: R, limit: usize) -> Self {
        Self {
            inner,
            since_newline: 0,
            limit,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match memchr::memrchr(b'\n', &buf[..n]) {
            Some(end) => self.since_newline = n - end - 1,
            None => self.since_newline += n,
        }
        if self.since_newline > self.limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, too_long()));
        }
        Ok(n)
    }
}

/// Reads lines into a caller-owned buffer and counts them, so every reader can name the line
/// an error is on. Trailing `\n` / `\r\n` is removed; a line longer than [`MAX_LINE`] is an
/// error, not a buffer that grows without end.
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
        let n = (&mut self.inner)
            .take(MAX_LINE as u64 + 1)
            .read_line(buf)
            .map_err(|e: io::Error| Error::io(&self.name, e))?;
        if n == 0 {
            return Ok(false);
        }
        if n > MAX_LINE && !buf.ends_with('\n') {
            return Err(Error::parse(&self.name, self.line + 1, too_long()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_line() {
        let dir = tempfile::tempdir().unwrap();
        for (file, bytes) in [
            ("edges.txt", b"\xEF\xBB\xBFYAL001C YAL002W\n".to_vec()),
            ("plain.txt", b"YAL001C YAL002W\n".to_vec()),
        ] {
            let path = dir.path().join(file);
            std::fs::write(&path, bytes).unwrap();
            let mut first = String::new();
            open_maybe_gzip(&path)
                .unwrap()
                .read_line(&mut first)
                .unwrap();
            assert_eq!(first, "YAL001C YAL002W\n");
        }
    }

    #[test]
    fn a_line_that_never_ends_is_an_error_not_a_growing_buffer() {
        // /dev/zero as a table: NUL bytes without end.
        let endless = io::repeat(0).take(MAX_LINE as u64 + 10);
        let mut lines = Lines::new(BufReader::new(endless), "zero");
        let e = lines.next_into(&mut String::new()).unwrap_err().to_string();
        assert!(
            e.contains("zero:1") && e.contains("longer than 16 MiB"),
            "{e}"
        );
        let mut limited = LineLimit::with_limit(io::repeat(b'a'), 1 << 20);
        let e = io::copy(&mut limited, &mut io::sink()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        // Lines that end keep coming.
        let text = "a\n".repeat(1 << 20);
        let mut limited = LineLimit::with_limit(text.as_bytes(), 16);
        assert_eq!(io::copy(&mut limited, &mut io::sink()).unwrap(), 2 << 20);
    }
}
