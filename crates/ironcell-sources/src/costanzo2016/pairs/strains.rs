//! The strains a table names, by strain id and allele name.
//!
//! A map from owned key strings would do, but every row looks up its array strain, and on
//! the 2e7-row tables each lookup would hash the text byte by byte and then compare it
//! through a pointer to a scattered heap string: a cache miss per row. Here a key carries
//! the first [`INLINE`] bytes of its id and of its allele as machine words, zero-padded, and
//! each entry keeps those words, so hashing is a few multiplications and a probe
//! compares words in the entry itself. Only longer keys (none in the published
//! tables) compare their text, which lives back to back in one buffer, so a copy of the
//! index is still a couple of memcpys.
//!
//! The table itself is written by hand, open addressing with linear probing over the
//! entries, at most half full: a probe is then usually one entry read and compared in
//! place. `hashbrown`'s group probe, with its tag bytes and callback, cost the reader 40
//! more instructions per row (BENCHMARKS.md, "Reading the pair-wise SGA tables"). Entries
//! are never removed, which is what keeps linear probing this simple.

/// Bytes of id and of allele held as words.
const INLINE: usize = 16;

/// Strain id and allele name → a strain's index.
#[derive(Clone)]
pub(super) struct StrainIndex {
    /// A power of two of slots, at most half of them taken; a free slot has [`FREE`].
    slots: Vec<Entry>,
    /// 64 less the bits of a slot's position: a hash shifted right by it is a position.
    /// Kept, though the slots' count gives it, as every row's lookup and prefetch needs it.
    shift: u32,
    len: usize,
    /// Every key, `id` then `allele`, back to back.
    text: Vec<u8>,
}

/// The index of a free slot: no strain has it (indices stay below 2^31, local ones too).
const FREE: u32 = u32::MAX;

/// Slots of an empty index.
const FIRST_SLOTS: usize = 64;

impl Default for StrainIndex {
    fn default() -> Self {
        Self {
            slots: vec![Entry::FREE; FIRST_SLOTS],
            shift: 64 - FIRST_SLOTS.trailing_zeros(),
            len: 0,
            text: Vec::new(),
        }
    }
}

/// 48 bytes: the table is probed once per row, and its size decides how much of it the
/// caches hold (the hash is not kept; growing the table computes it again).
#[derive(Clone, Copy)]
struct Entry {
    words: Words,
    start: u32,
    index: u32,
}

const _: () = assert!(std::mem::size_of::<Entry>() == 48);

impl Entry {
    const FREE: Self = Self {
        words: Words {
            id: [0; 2],
            allele: [0; 2],
            id_len: 0,
            allele_len: 0,
        },
        start: 0,
        index: FREE,
    };
}

/// The first [`INLINE`] bytes of id and allele, zero-padded, and their lengths.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Words {
    // Pairs of words, not `u128`s, whose alignment would pad an entry to 64 bytes.
    id: [u64; 2],
    allele: [u64; 2],
    id_len: u32,
    allele_len: u32,
}

impl Words {
    /// The words of the key whose id is `text[id.0..][..id.1]` and allele
    /// `text[allele.0..][..allele.1]` (start, length).
    #[inline]
    pub(super) fn new(text: &[u8], id: (usize, usize), allele: (usize, usize)) -> Self {
        Self {
            id: words(text, id.0, id.1),
            allele: words(text, allele.0, allele.1),
            id_len: id.1 as u32,
            allele_len: allele.1 as u32,
        }
    }

    /// The same words for id and allele at `window[id.0..id.1]` and
    /// `window[allele.0..allele.1]`, each starting in the first 256 bytes of a window with
    /// [`INLINE`] bytes to spare, as a line's fields on the fast path do: the words are
    /// read in place, with no bounds to check.
    #[inline]
    pub(super) fn in_window<const N: usize>(
        window: &[u8; N],
        id: (usize, usize),
        allele: (usize, usize),
    ) -> Self {
        const { assert!(N >= 256 + INLINE) };
        let words = |(from, to): (usize, usize)| {
            let at = from & 255;
            let block = u128::from_le_bytes(window[at..at + INLINE].try_into().expect("16 bytes"));
            let block = block & FIELD_LANES[(to - from) & 255];
            [block as u64, (block >> 64) as u64]
        };
        Self {
            id: words(id),
            allele: words(allele),
            id_len: (id.1 - id.0) as u32,
            allele_len: (allele.1 - allele.0) as u32,
        }
    }

    /// Whether the id may start with `start`: it does, or differs from it only in the
    /// letters' case bit. `false` rules a match out, however the case is folded.
    #[inline]
    pub(super) fn id_may_start(&self, start: &IdStart) -> bool {
        const CASE: u128 = u128::from_ne_bytes([0x20; 16]);
        (id_word(self) ^ start.word) & start.mask & !CASE == 0
    }

    /// Whether the words hold the whole key.
    #[inline]
    fn whole(&self) -> bool {
        self.id_len.max(self.allele_len) as usize <= INLINE
    }

    #[inline]
    pub(super) fn hash(&self) -> u64 {
        // Two full (64 × 64 → 128-bit) multiplications, each of two words, their halves
        // folded (the mixing step of wyhash): equal keys hash equal, every input bit
        // reaches the high bits the table uses, and the two run side by side, where a
        // chain of five steps made each row wait on it. Every constant has a byte ≥ 0x80,
        // which no word of ASCII text has, so there no factor is zero (one that was would
        // only spread keys less: entries are compared whole, whatever their hash).
        const K: [u64; 4] = [
            0xa076_1d64_78bd_642f,
            0xe703_7ed1_a0b4_28db,
            0x8ebc_6af0_9c88_c6e3,
            0x5899_65cc_7537_4cc3,
        ];
        let fold = |x: u64, y: u64| {
            let product = u128::from(x) * u128::from(y);
            product as u64 ^ (product >> 64) as u64
        };
        let lens = u64::from(self.id_len) << 32 | u64::from(self.allele_len);
        let ([a, b], [c, d]) = (self.id, self.allele);
        fold(a ^ K[0], b ^ K[1]) ^ fold(c ^ K[2], d ^ lens ^ K[3])
    }
}

/// The first bytes of a strain id, as [`Key::id_start`] takes them.
#[derive(Clone, Copy)]
pub(super) struct IdStart {
    word: u128,
    mask: u128,
}

fn id_word(words: &Words) -> u128 {
    u128::from(words.id[0]) | u128::from(words.id[1]) << 64
}

/// The low `k` bytes, for `k` in 0..=16.
const LANES: [u128; INLINE + 1] = low_bytes();

/// [`LANES`] for every length a field in a line's window can have (up to 255), so that
/// the fast path takes its mask without clamping the length (4 KB, of which the first few
/// rows are read).
static FIELD_LANES: [u128; 256] = low_bytes();

/// The low `k` bytes of a word at `k`, all of them from [`INLINE`] on.
const fn low_bytes<const N: usize>() -> [u128; N] {
    let mut lanes = [u128::MAX; N];
    let mut k = 0;
    while k < INLINE && k < N {
        lanes[k] = (1 << (8 * k)) - 1;
        k += 1;
    }
    lanes
}

/// `len` bytes of `text` from `start` (at most [`INLINE`]), little-endian, zero-padded.
/// Reads the [`INLINE`] bytes in place when the text extends that far, as it does in a
/// chunk for every field but the last few bytes'.
#[inline]
fn words(text: &[u8], start: usize, len: usize) -> [u64; 2] {
    let block = match text.get(start..start + INLINE) {
        Some(block) => u128::from_le_bytes(block.try_into().expect("sixteen bytes")),
        None => padded(&text[start..start + len.min(INLINE)]),
    };
    let block = block & LANES[len.min(INLINE)];
    [block as u64, (block >> 64) as u64]
}

/// The bytes as a zero-padded word.
#[cold]
fn padded(bytes: &[u8]) -> u128 {
    let mut block = [0u8; INLINE];
    block[..bytes.len()].copy_from_slice(bytes);
    u128::from_le_bytes(block)
}

/// A key to look up. Its hash is computed by the caller, once for the lookups in both
/// indices and the insert after a miss, and only when needed: comparing a row's query with
/// the previous row's needs none.
#[derive(Clone, Copy)]
pub(super) struct Key<'t> {
    words: Words,
    text: &'t [u8],
    id: (usize, usize),
    allele: (usize, usize),
}

impl<'t> Key<'t> {
    /// The key of the strain whose id is `text[id.0..][..id.1]` and allele
    /// `text[allele.0..][..allele.1]` (start, length).
    #[cfg(test)]
    pub(super) fn within(text: &'t [u8], id: (usize, usize), allele: (usize, usize)) -> Self {
        Self::with_words(Words::new(text, id, allele), text, id, allele)
    }

    /// The key of the strain whose id is `text[id.0..][..id.1]` and allele
    /// `text[allele.0..][..allele.1]` (start, length), its words already read
    /// ([`Words::new`], [`Words::in_window`]).
    #[inline]
    pub(super) fn with_words(
        words: Words,
        text: &'t [u8],
        id: (usize, usize),
        allele: (usize, usize),
    ) -> Self {
        debug_assert!(words == Words::new(text, id, allele));
        Self {
            words,
            text,
            id,
            allele,
        }
    }

    #[cfg(test)]
    fn hash(&self) -> u64 {
        self.words.hash()
    }

    pub(super) fn id(&self) -> &'t [u8] {
        &self.text[self.id.0..self.id.0 + self.id.1]
    }

    pub(super) fn allele(&self) -> &'t [u8] {
        &self.text[self.allele.0..self.allele.0 + self.allele.1]
    }

    /// The first `len` bytes of the id (at most [`INLINE`] of them).
    pub(super) fn id_start(&self, len: usize) -> IdStart {
        let mask = LANES[len.min(INLINE)];
        IdStart {
            word: id_word(&self.words) & mask,
            mask,
        }
    }

    /// Whether both keys name the same strain.
    #[cfg(test)]
    fn same(&self, other: &Key<'_>) -> bool {
        self.is(&other.words, || *other)
    }

    /// Whether this key names the strain whose key words are `words`; `other` makes its
    /// key, which only keys longer than their words need.
    #[inline]
    pub(super) fn is<'o>(&self, words: &Words, other: impl FnOnce() -> Key<'o>) -> bool {
        self.words == *words && (self.words.whole() || self.same_text(&other()))
    }

    #[cold]
    fn same_text(&self, other: &Key<'_>) -> bool {
        self.id() == other.id() && self.allele() == other.allele()
    }
}

impl StrainIndex {
    /// The first slot to look at for `hash`: its high bits, which the multiplications
    /// of [`Words::hash`] mix best.
    fn home(&self, hash: u64) -> usize {
        (hash >> self.shift) as usize
    }

    /// Asks the CPU to bring in the slot where a lookup of `hash` starts, so that the
    /// lookup finds it in the cache.
    #[inline]
    pub(super) fn prefetch(&self, hash: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let at = self.home(hash) & (self.slots.len() - 1);
            // SAFETY: a prefetch only hints: it faults on nothing and changes no memory.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>(self.slots.as_ptr().add(at).cast());
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }

    /// The key's index; `hash` is the key's.
    pub(super) fn get_key(&self, key: &Key<'_>, hash: u64) -> Option<u32> {
        self.get(&key.words, hash, || *key)
    }

    /// The index of the key whose words are `words`; `hash` is theirs, and `key` makes the
    /// key, which only keys longer than their words need.
    #[inline]
    pub(super) fn get<'k>(
        &self,
        words: &Words,
        hash: u64,
        key: impl Fn() -> Key<'k>,
    ) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash);
        loop {
            let e = &self.slots[at & mask];
            if e.words == *words && (e.words.whole() || self.text_matches(e, &key())) {
                return Some(e.index);
            }
            if e.index == FREE {
                return None;
            }
            at += 1;
        }
    }

    /// Adds a key the index does not have yet; `hash` is the key's.
    pub(super) fn insert(&mut self, key: &Key<'_>, hash: u64, index: u32) {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let entry = Entry {
            words: key.words,
            start: self.text.len() as u32,
            index,
        };
        self.text.extend_from_slice(key.id());
        self.text.extend_from_slice(key.allele());
        self.place(entry, hash);
        self.len += 1;
    }

    /// Puts the entry in the first free slot from its home.
    fn place(&mut self, entry: Entry, hash: u64) {
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash) & mask;
        while self.slots[at].index != FREE {
            at = (at + 1) & mask;
        }
        self.slots[at] = entry;
    }

    /// Doubles the slots and places every entry again.
    fn grow(&mut self) {
        let doubled = vec![Entry::FREE; 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, doubled);
        self.shift -= 1;
        for e in old.into_iter().filter(|e| e.index != FREE) {
            self.place(e, e.words.hash());
        }
    }

    /// Every key with its hash and index, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Key<'_>, u64, u32)> {
        self.slots.iter().filter(|e| e.index != FREE).map(|e| {
            let start = e.start as usize;
            let id_len = e.words.id_len as usize;
            let key = Key {
                words: e.words,
                text: &self.text,
                id: (start, id_len),
                allele: (start + id_len, e.words.allele_len as usize),
            };
            (key, e.words.hash(), e.index)
        })
    }

    #[cold]
    fn text_matches(&self, e: &Entry, key: &Key<'_>) -> bool {
        let start = e.start as usize;
        let id_end = start + e.words.id_len as usize;
        let end = id_end + e.words.allele_len as usize;
        self.text[start..id_end] == *key.id() && self.text[id_end..end] == *key.allele()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Id and allele back to back, and the key to them.
    fn key<'t>(text: &'t mut String, id: &str, allele: &str) -> Key<'t> {
        *text = format!("{id}{allele}");
        Key::within(text.as_bytes(), (0, id.len()), (id.len(), allele.len()))
    }

    #[test]
    fn finds_by_id_and_allele_and_copies_whole() {
        let cases = [
            ("YAL002W_sn1", "vps8"),
            ("YAL002W_sn1", "vps8-1"),
            ("YAL002W_sn", "1vps8"),
            ("YAL002W_sn1_with_a_long_suffix", "vps8"),
            ("YAL002W_sn1_with_a_long_suffiy", "vps8"),
        ];
        let mut index = StrainIndex::default();
        for (i, (id, allele)) in cases.iter().enumerate() {
            let mut text = String::new();
            let k = key(&mut text, id, allele);
            assert_eq!(index.get_key(&k, k.hash()), None);
            index.insert(&k, k.hash(), i as u32);
        }
        let copy = index.clone();
        for (i, (id, allele)) in cases.iter().enumerate() {
            let mut text = String::new();
            let k = key(&mut text, id, allele);
            assert_eq!(copy.get_key(&k, k.hash()), Some(i as u32));
        }
        let mut text = String::new();
        let k = key(&mut text, "YAL002W_sn1", "vps");
        assert_eq!(copy.get_key(&k, k.hash()), None);
        let mut keys: Vec<_> = copy
            .iter()
            .map(|(k, _, i)| (k.id().to_vec(), k.allele().to_vec(), i))
            .collect();
        keys.sort_by_key(|k| k.2);
        assert_eq!(keys[2], (b"YAL002W_sn".to_vec(), b"1vps8".to_vec(), 2));
    }

    #[test]
    fn finds_every_key_as_the_table_grows() {
        let keys: Vec<(String, String)> = (0..3000)
            .map(|i| (format!("Y{i:05}W_dma{i}"), format!("gene{}", i % 7)))
            .collect();
        let mut index = StrainIndex::default();
        for (i, (id, allele)) in keys.iter().enumerate() {
            let mut text = String::new();
            let k = key(&mut text, id, allele);
            index.insert(&k, k.hash(), i as u32);
        }
        for (i, (id, allele)) in keys.iter().enumerate() {
            let mut text = String::new();
            let k = key(&mut text, id, allele);
            assert_eq!(index.get_key(&k, k.hash()), Some(i as u32), "{id}");
            let k = key(&mut text, id, "other");
            assert_eq!(index.get_key(&k, k.hash()), None, "{id}");
        }
        let mut found: Vec<u32> = index.iter().map(|(_, _, i)| i).collect();
        found.sort_unstable();
        assert!(found.into_iter().eq(0..3000));
    }

    #[test]
    fn words_read_in_a_window_are_the_words_of_the_text() {
        let cases = [
            ("YAL002W_sn1", "vps8"),
            ("Y", "a"),
            ("YDR374W-A_dma1300", "ydr374w-a"),
            ("YAL002W_sn1_with_a_long_suffix", "a_long_allele_name"),
        ];
        for (id, allele) in cases {
            for start in [0, 37, 90, 127 - id.len() - 1 - allele.len()] {
                let mut window = [b'#'; 256 + INLINE];
                let a = start + id.len() + 1;
                window[start..a - 1].copy_from_slice(id.as_bytes());
                window[a - 1] = b'\t';
                window[a..a + allele.len()].copy_from_slice(allele.as_bytes());
                let read = Words::in_window(&window, (start, a - 1), (a, a + allele.len()));
                assert!(
                    read == Words::new(&window, (start, id.len()), (a, allele.len())),
                    "{id} {allele} at {start}"
                );
            }
        }
    }

    #[test]
    fn a_key_reads_the_same_in_place_or_at_the_end_of_the_text() {
        let line = b"YAL002W_sn1\tvps8\tYBR023C_dma2\tchs3";
        let in_place = Key::within(line, (0, 11), (12, 4));
        let at_end = Key::within(line, (17, 12), (30, 4));
        let mut text = String::new();
        assert!(in_place.same(&key(&mut text, "YAL002W_sn1", "vps8")));
        assert!(at_end.same(&key(&mut text, "YBR023C_dma2", "chs3")));
        assert!(!at_end.same(&in_place));
        assert_eq!(
            in_place.hash(),
            key(&mut text, "YAL002W_sn1", "vps8").hash()
        );
    }
}
