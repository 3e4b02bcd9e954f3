//! Whole-line chunks of a text stream, each with the number of its first line, so that a
//! large table can be parsed in parallel and every error still names its line.

use std::io::Read;

use crate::Error;

/// A block of complete lines.
pub(crate) struct Chunk {
    /// The bytes, ending at a line end (or at the end of input).
    pub(crate) bytes: Vec<u8>,
    /// The 1-based number of its first line.
    pub(crate) first_line: u64,
}

impl Chunk {
    /// Its lines, numbered, without line ends (`\n` or `\r\n`).
    pub(crate) fn lines(&self) -> impl Iterator<Item = (u64, &[u8])> {
        let bytes = self.bytes.strip_suffix(b"\n").unwrap_or(&self.bytes);
        bytes.split(|&b| b == b'\n').enumerate().map(|(i, line)| {
            (
                self.first_line + i as u64,
                line.strip_suffix(b"\r").unwrap_or(line),
            )
        })
    }
}

/// Reads `inner` in chunks of about `size` bytes that end at line ends.
pub(crate) struct LineChunks<R> {
    inner: R,
    name: String,
    size: usize,
    carry: Vec<u8>,
    /// Buffers of consumed chunks, reused so large reads do not fault in fresh pages.
    spare: Vec<Vec<u8>>,
    next_line: u64,
    done: bool,
}

impl<R: Read> LineChunks<R> {
    pub(crate) fn new(inner: R, name: &str, size: usize) -> Self {
        Self {
            inner,
            name: name.to_owned(),
            size,
            carry: Vec::new(),
            spare: Vec::new(),
            next_line: 1,
            done: false,
        }
    }

    /// Gives back a consumed chunk's buffer for reuse.
    pub(crate) fn recycle(&mut self, mut bytes: Vec<u8>) {
        bytes.clear();
        self.spare.push(bytes);
    }

    /// The next chunk, `None` at the end of input.
    pub(crate) fn next_chunk(&mut self) -> Result<Option<Chunk>, Error> {
        if self.done {
            return Ok(None);
        }
        let mut bytes = self.spare.pop().unwrap_or_default();
        bytes.extend_from_slice(&self.carry);
        self.carry.clear();
        // Reading into the spare capacity, not a zeroed buffer: readers that can (files)
        // skip zeroing 4 MB per chunk.
        bytes.reserve(self.size);
        let want = self.size as u64;
        let read = (&mut self.inner)
            .take(want)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&self.name, e))?;
        if (read as u64) < want {
            self.done = true;
        }
        if !self.done {
            match memchr::memrchr(b'\n', &bytes) {
                Some(end) => {
                    self.carry.extend_from_slice(&bytes[end + 1..]);
                    bytes.truncate(end + 1);
                }
                // A line longer than a chunk: keep reading until it ends.
                None => {
                    self.carry = bytes;
                    return self.next_chunk();
                }
            }
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &bytes).count() as u64;
        Ok(Some(Chunk { bytes, first_line }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_line_ends_and_number_their_lines() {
        let text = b"h1\r\naa\nbbbbbbbbbbbb\ncc\nlast";
        let mut chunks = LineChunks::new(&text[..], "t", 5);
        let mut lines = Vec::new();
        while let Some(c) = chunks.next_chunk().unwrap() {
            assert!(c.bytes.ends_with(b"\n") || c.bytes.ends_with(b"last"));
            lines.extend(
                c.lines()
                    .map(|(n, l)| (n, String::from_utf8(l.to_vec()).unwrap())),
            );
        }
        let expected: Vec<(u64, String)> = ["h1", "aa", "bbbbbbbbbbbb", "cc", "last"]
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u64 + 1, s.to_string()))
            .collect();
        assert_eq!(lines, expected);
    }
}
