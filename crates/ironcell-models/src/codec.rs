//! Little-endian numbers in a byte buffer: the state of a model or optimiser in a checkpoint.
//! f32 slices carry their length, so a buffer read into a state of another size is an error,
//! never a silent mix.

use std::fmt;

/// A buffer that does not hold what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Appends `v`.
pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends the length of `values`, then each.
pub fn put_f32s(out: &mut Vec<u8>, values: &[f32]) {
    put_u64(out, values.len() as u64);
    out.reserve(values.len() * 4);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads a u64, advancing `input`.
pub fn get_u64(input: &mut &[u8]) -> Result<u64, Error> {
    let (head, rest) = input
        .split_first_chunk::<8>()
        .ok_or_else(|| Error::new("the state ends early"))?;
    *input = rest;
    Ok(u64::from_le_bytes(*head))
}

/// Reads f32s written by [`put_f32s`] into `into`, which must have their number.
pub fn get_f32s_into(input: &mut &[u8], into: &mut [f32]) -> Result<(), Error> {
    let n = get_u64(input)?;
    if n != into.len() as u64 {
        return Err(Error::new(format!(
            "the state holds {n} values where {} were expected",
            into.len()
        )));
    }
    let bytes = into.len() * 4;
    if input.len() < bytes {
        return Err(Error::new("the state ends early"));
    }
    for (v, c) in into.iter_mut().zip(input[..bytes].chunks_exact(4)) {
        *v = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    *input = &input[bytes..];
    Ok(())
}
