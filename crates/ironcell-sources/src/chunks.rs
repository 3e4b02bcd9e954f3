//! Whole-line chunks of a text, so that a large table can be parsed in parallel: read from
//! a stream into reused buffers, or cut from a memory-mapped file without copying.
//! Chunks are not numbered here: counting their lines would be one more pass over every
//! byte, and the parser, which visits each line anyway, counts them.

use std::{fs::File, io::Read, ops::Range, sync::Arc};

use memmap2::Mmap;

use crate::{
    lines::{too_long, MAX_LINE},
    Error,
};

/// A block of complete lines (the last may lack its line end at the end of the text).
pub(crate) enum Chunk {
    Read(Vec<u8>),
    Mapped(Arc<Mmap>, Range<usize>),
}

impl std::ops::Deref for Chunk {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Chunk::Read(bytes) => bytes,
            Chunk::Mapped(map, range) => &map[range.clone()],
        }
    }
}

impl Chunk {
    /// The chunk without its first `n` bytes.
    pub(crate) fn skip(self, n: usize) -> Self {
        match self {
            Chunk::Read(mut bytes) => {
                bytes.drain(..n);
                Chunk::Read(bytes)
            }
            Chunk::Mapped(map, range) => Chunk::Mapped(map, range.start + n..range.end),
        }
    }
}

/// Where chunks come from.
pub(crate) trait Chunks: Send + 'static {
    /// The next chunk, `None` at the end of the text.
    fn next_chunk(&mut self) -> Result<Option<Chunk>, Error>;

    /// Takes back a consumed chunk, whose buffer may be reused.
    fn recycle(&mut self, _chunk: Chunk) {}
}

/// Reads `inner` in chunks of about `size` bytes that end at line ends.
pub(crate) struct LineChunks<R> {
    inner: R,
    name: String,
    size: usize,
    carry: Vec<u8>,
    /// Buffers of consumed chunks, reused so large reads do not fault in fresh pages.
    spare: Vec<Vec<u8>>,
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
            done: false,
        }
    }

    fn next_bytes(&mut self) -> Result<Option<Vec<u8>>, Error> {
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
                // A line longer than a chunk: keep reading until it ends, up to the limit.
                None if bytes.len() > MAX_LINE => {
                    return Err(Error::format(&self.name, too_long()));
                }
                None => {
                    self.carry = bytes;
                    return self.next_bytes();
                }
            }
        }
        Ok(Some(bytes).filter(|b| !b.is_empty()))
    }
}

impl<R: Read + Send + 'static> Chunks for LineChunks<R> {
    fn next_chunk(&mut self) -> Result<Option<Chunk>, Error> {
        Ok(self.next_bytes()?.map(Chunk::Read))
    }

    fn recycle(&mut self, chunk: Chunk) {
        if let Chunk::Read(mut bytes) = chunk {
            bytes.clear();
            self.spare.push(bytes);
        }
    }
}

/// Cuts a memory-mapped file into chunks of about `size` bytes that end at line ends.
///
/// Reading a 2 GB table through `read` copies every byte from the page cache into a
/// buffer, which on the 2e7-row tables costs about a core-second; a mapped file is
/// parsed where it lies.
pub(crate) struct MappedChunks {
    map: Arc<Mmap>,
    at: usize,
    size: usize,
}

impl MappedChunks {
    /// Maps the file; `None` when it is empty (there is nothing to map).
    pub(crate) fn new(file: &File, name: &str, size: usize) -> Result<Option<Self>, Error> {
        if file.metadata().map_err(|e| Error::io(name, e))?.len() == 0 {
            return Ok(None);
        }
        // SAFETY: the map is read-only; like every reader of a memory-mapped file, this
        // assumes nobody truncates or rewrites the file while it is being read.
        let map = unsafe { Mmap::map(file) }.map_err(|e| Error::io(name, e))?;
        #[cfg(unix)]
        {
            // Only a hint to read ahead; the text reads the same without it.
            let _ = map.advise(memmap2::Advice::Sequential);
        }
        Ok(Some(Self {
            map: Arc::new(map),
            at: 0,
            size,
        }))
    }
}

impl Chunks for MappedChunks {
    fn next_chunk(&mut self) -> Result<Option<Chunk>, Error> {
        let text = &self.map[..];
        if self.at == text.len() {
            return Ok(None);
        }
        let limit = (self.at + self.size).min(text.len());
        let end = if limit == text.len() {
            limit
        } else {
            // The last line end before the limit, or, for a line longer than a chunk, the
            // first after it.
            memchr::memrchr(b'\n', &text[self.at..limit])
                .map(|i| self.at + i + 1)
                .or_else(|| memchr::memchr(b'\n', &text[limit..]).map(|i| limit + i + 1))
                .unwrap_or(text.len())
        };
        let chunk = Chunk::Mapped(Arc::clone(&self.map), self.at..end);
        self.at = end;
        Ok(Some(chunk))
    }

    /// Hands a parsed chunk's pages back to the page cache: mapped pages once touched count
    /// as the process's resident memory, so reading a 2e7-row table would otherwise hold
    /// the whole file (0.9 GB) resident until the end.
    fn recycle(&mut self, chunk: Chunk) {
        #[cfg(unix)]
        if let Chunk::Mapped(map, range) = chunk {
            // SAFETY: the map is a read-only shared mapping of the file: dropping its pages
            // loses nothing, and a later read of them faults them in from the file again.
            let _ = unsafe {
                map.unchecked_advise_range(
                    memmap2::UncheckedAdvice::DontNeed,
                    range.start,
                    range.len(),
                )
            };
        }
        #[cfg(not(unix))]
        drop(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &[u8] = b"h1\r\naa\nbbbbbbbbbbbb\ncc\nlast";

    fn whole(mut chunks: impl Chunks) -> Vec<u8> {
        let mut whole = Vec::new();
        while let Some(c) = chunks.next_chunk().unwrap() {
            assert!(c.ends_with(b"\n") || &c[..] == b"last", "{:?}", &c[..]);
            whole.extend_from_slice(&c);
            chunks.recycle(c);
        }
        whole
    }

    #[test]
    fn chunks_end_at_line_ends() {
        assert_eq!(whole(LineChunks::new(TEXT, "t", 5)), TEXT);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        std::fs::write(&path, TEXT).unwrap();
        let file = File::open(&path).unwrap();
        let mapped = MappedChunks::new(&file, "t", 5).unwrap().unwrap();
        assert_eq!(whole(mapped), TEXT);
        std::fs::write(&path, b"").unwrap();
        let empty = File::open(&path).unwrap();
        assert!(MappedChunks::new(&empty, "t", 5).unwrap().is_none());
    }

    #[test]
    fn a_line_that_never_ends_stops_at_the_limit() {
        let endless = std::io::repeat(0);
        let mut chunks = LineChunks::new(endless, "/dev/zero", 4 << 20);
        let e = chunks.next_chunk().map(|_| ()).unwrap_err().to_string();
        assert!(
            e.contains("/dev/zero") && e.contains("longer than 16 MiB"),
            "{e}"
        );
    }
}
