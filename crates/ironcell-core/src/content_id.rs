use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A content address: the SHA-256 of an object's canonical JSON serialization, in hex.
///
/// Two equal objects read from different files get the same id, so a store keyed by it keeps
/// shared sub-objects (a genotype measured in three datasets) once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ContentId(String);

impl ContentId {
    /// The id of `value`, serialized as JSON. Struct fields serialize in declaration order and
    /// genotypes are sorted on construction, so the serialization is canonical.
    pub fn of<T: Serialize>(value: &T) -> Self {
        // Serializing plain data types (strings, numbers, vectors) cannot fail.
        let bytes = serde_json::to_vec(value).expect("domain types serialize to JSON");
        Self(hex::encode(Sha256::digest(bytes)))
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
