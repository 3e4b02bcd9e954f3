//! The strains a table names, by strain id and allele name.
//!
//! A map from owned key strings would do, but every row looks up its array strain, and
//! on the 2e7-row tables the owned keys cost twice: a key string built per lookup, and a
//! heap allocation per key, scattered, that each probe touches and each republished copy
//! of the index allocates again. Here keys live back to back in one buffer and each entry
//! keeps its full hash, so a probe compares text only on a true match and a copy is two
//! memcpys.

use std::hash::Hasher;

use hashbrown::HashTable;
use rustc_hash::FxHasher;

/// Strain id and allele name → a strain's index.
#[derive(Clone, Default)]
pub(super) struct StrainIndex {
    entries: HashTable<Entry>,
    /// Every key, `id` then `allele`, back to back.
    text: String,
}

#[derive(Clone, Copy)]
struct Entry {
    hash: u64,
    start: u32,
    id_len: u32,
    allele_len: u32,
    index: u32,
}

/// A key's hash, computed once per lookup and reused for the insert after a miss.
#[derive(Clone, Copy)]
pub(super) struct Key<'t> {
    hash: u64,
    id: &'t str,
    allele: &'t str,
}

impl<'t> Key<'t> {
    pub(super) fn new(id: &'t str, allele: &'t str) -> Self {
        let mut hasher = FxHasher::default();
        hasher.write(id.as_bytes());
        hasher.write_u8(b'\t');
        hasher.write(allele.as_bytes());
        Self {
            hash: hasher.finish(),
            id,
            allele,
        }
    }
}

impl StrainIndex {
    pub(super) fn get(&self, key: &Key<'_>) -> Option<u32> {
        self.entries
            .find(key.hash, |e| e.hash == key.hash && self.matches(e, key))
            .map(|e| e.index)
    }

    /// Adds a key the index does not have yet.
    pub(super) fn insert(&mut self, key: &Key<'_>, index: u32) {
        let entry = Entry {
            hash: key.hash,
            start: self.text.len() as u32,
            id_len: key.id.len() as u32,
            allele_len: key.allele.len() as u32,
            index,
        };
        self.text.push_str(key.id);
        self.text.push_str(key.allele);
        self.entries.insert_unique(key.hash, entry, |e| e.hash);
    }

    /// Every key with its index, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Key<'_>, u32)> {
        self.entries.iter().map(|e| {
            let (id, allele) = self.parts(e);
            let key = Key {
                hash: e.hash,
                id,
                allele,
            };
            (key, e.index)
        })
    }

    fn parts(&self, e: &Entry) -> (&str, &str) {
        let start = e.start as usize;
        let middle = start + e.id_len as usize;
        (
            &self.text[start..middle],
            &self.text[middle..middle + e.allele_len as usize],
        )
    }

    fn matches(&self, e: &Entry, key: &Key<'_>) -> bool {
        let (id, allele) = self.parts(e);
        id == key.id && allele == key.allele
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_id_and_allele_and_copies_whole() {
        let mut index = StrainIndex::default();
        index.insert(&Key::new("YAL002W_sn1", "vps8"), 0);
        index.insert(&Key::new("YAL002W_sn1", "vps8-1"), 1);
        index.insert(&Key::new("YAL002W_sn", "1vps8"), 2);
        let copy = index.clone();
        assert_eq!(copy.get(&Key::new("YAL002W_sn1", "vps8")), Some(0));
        assert_eq!(copy.get(&Key::new("YAL002W_sn1", "vps8-1")), Some(1));
        assert_eq!(copy.get(&Key::new("YAL002W_sn", "1vps8")), Some(2));
        assert_eq!(copy.get(&Key::new("YAL002W_sn1", "vps")), None);
        let mut keys: Vec<_> = copy
            .iter()
            .map(|(k, i)| (k.id.to_owned(), k.allele.to_owned(), i))
            .collect();
        keys.sort_by_key(|k| k.2);
        assert_eq!(keys[2], ("YAL002W_sn".into(), "1vps8".into(), 2));
    }
}
