//! A checkpoint: the trainer's state (epochs done, the schedule, early stopping, the history)
//! as JSON and the learner's state (parameters, optimiser moments) as bytes, in one file
//! written under a temporary name and renamed into place, so a `kill -9` leaves the previous
//! checkpoint whole.

use std::{
    fs::{self, File},
    io::Write,
    path::Path,
};

use serde::{de::DeserializeOwned, Serialize};

use super::Error;
use crate::codec;

const MAGIC: &[u8] = b"ironcell checkpoint 1\n";

/// Writes `state` and `learner` bytes to `path`, atomically.
pub(crate) fn write<S: Serialize>(path: &Path, state: &S, learner: &[u8]) -> Result<(), Error> {
    let json = serde_json::to_vec(state).map_err(|e| Error::file(path, e))?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + json.len() + learner.len());
    bytes.extend_from_slice(MAGIC);
    codec::put_u64(&mut bytes, json.len() as u64);
    bytes.extend_from_slice(&json);
    bytes.extend_from_slice(learner);
    let partial = path.with_extension("ckpt.partial");
    {
        let mut file = File::create(&partial).map_err(|e| Error::file(&partial, e))?;
        file.write_all(&bytes)
            .map_err(|e| Error::file(&partial, e))?;
        file.sync_all().map_err(|e| Error::file(&partial, e))?;
    }
    fs::rename(&partial, path).map_err(|e| Error::file(path, e))
}

/// Reads a checkpoint: the trainer's state and the learner's bytes.
pub(crate) fn read<S: DeserializeOwned>(path: &Path) -> Result<(S, Vec<u8>), Error> {
    let bytes = fs::read(path).map_err(|e| Error::file(path, e))?;
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| Error::file(path, "not an ironcell checkpoint"))?;
    let mut input = rest;
    let n = codec::get_u64(&mut input).map_err(|e| Error::file(path, e))? as usize;
    if input.len() < n {
        return Err(Error::file(path, "the checkpoint ends early"));
    }
    let state = serde_json::from_slice(&input[..n]).map_err(|e| Error::file(path, e))?;
    Ok((state, input[n..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_round_trips_and_a_cut_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("last.ckpt");
        write(&path, &vec![1u32, 2], &[7, 8, 9]).unwrap();
        let (state, learner): (Vec<u32>, Vec<u8>) = read(&path).unwrap();
        assert_eq!((state, learner), (vec![1, 2], vec![7, 8, 9]));
        assert!(!path.with_extension("ckpt.partial").exists());
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..MAGIC.len() + 9]).unwrap();
        assert!(read::<Vec<u32>>(&path).is_err());
    }
}
