//! Edits a hostile user (or a bad disk) makes to a file, for the property tests.

use proptest::prelude::*;

/// Text that readers meet in the wild and must refuse or read, never trip on.
const TOKENS: &[&str] = &[
    "inf",
    "-inf",
    "NaN",
    "nan",
    "1e309",
    "-0",
    "1,5",
    "0x1p3",
    "99999999999999999999",
    "-1",
    "",
    "\t",
    "\t\t",
    "\n",
    "\r\n",
    "\r",
    "\"",
    "\"\"",
    ",",
    ";",
    "\u{feff}",
    "YAL001C",
    "yal001c",
    "ΔΔ",
    "\u{0}",
    "NA",
    "-",
    "?",
];

/// One edit.
#[derive(Debug, Clone)]
pub enum Edit {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Token(usize, &'static str),
    Delete(usize, usize),
    DoubleLine(usize),
    Truncate(usize),
}

/// Any edit, at any place (positions are taken modulo the length).
pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..12))
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), prop::sample::select(TOKENS)).prop_map(|(i, t)| Edit::Token(i, t)),
        (any::<usize>(), 1usize..80).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::DoubleLine),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// Applies `edit` to `bytes`.
pub fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let at = |i: usize| i % (bytes.len() + 1);
    match edit {
        Edit::Flip(i, b) if !bytes.is_empty() => {
            let i = i % bytes.len();
            bytes[i] ^= b | 1;
        }
        Edit::Flip(..) => {}
        Edit::Insert(i, b) => {
            let i = at(*i);
            bytes.splice(i..i, b.iter().copied());
        }
        Edit::Token(i, t) => {
            let i = at(*i);
            bytes.splice(i..i, t.bytes());
        }
        Edit::Delete(i, n) => {
            let i = at(*i);
            bytes.drain(i..(i + n).min(bytes.len()));
        }
        Edit::DoubleLine(i) => {
            let i = at(*i);
            let start = bytes[..i]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let end = bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| i + p + 1);
            let line = bytes[start..end].to_vec();
            bytes.splice(end..end, line);
        }
        Edit::Truncate(i) => {
            let i = at(*i);
            bytes.truncate(i);
        }
    }
}
