//! Where a block of text has tabs and bytes other than visible ASCII, as bit masks: the
//! separators of a 90-byte line found, and the line checked and its end found (the first
//! byte that is neither visible nor a tab), in a handful of vector instructions instead
//! of a branch per byte.
//!
//! Written by hand because no well-kept crate exposes byte-class masks (`memchr` finds
//! one match at a time, which for a separator every eight bytes costs more than the
//! search); on x86-64 the masks come from SSE2, part of every x86-64 CPU, elsewhere from a
//! plain loop that the tests hold the vector version to.

/// Bytes per block.
pub(crate) const BLOCK: usize = 64;

/// Bit `i` of each mask stands for byte `i` of the block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    pub(crate) tabs: u64,
    /// Bytes outside `!`..=`\x7f`: blanks (space, tab, line ends), other control bytes,
    /// and bytes ≥ 0x80. Where only tabs are, the text is UTF-8 and no field is padded.
    pub(crate) not_visible: u64,
}

impl Masks {
    /// These masks followed by `upper`'s, which stand for the `bytes` bytes after.
    pub(crate) fn then(self, bytes: u32, upper: Masks) -> Masks {
        Masks {
            tabs: self.tabs | upper.tabs << bytes,
            not_visible: self.not_visible | upper.not_visible << bytes,
        }
    }
}

/// The masks of one block of `N` bytes: a multiple of 16, at most [`BLOCK`] (a half block
/// spares the vectors past a line's end).
pub(crate) fn masks<const N: usize>(block: &[u8; N]) -> Masks {
    const { assert!(N.is_multiple_of(16) && N <= BLOCK) };
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of every x86-64 CPU.
    unsafe {
        sse2(block)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        one_by_one(block)
    }
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn one_by_one<const N: usize>(block: &[u8; N]) -> Masks {
    let mut masks = Masks::default();
    for (i, &b) in block.iter().enumerate() {
        masks.tabs |= u64::from(b == b'\t') << i;
        masks.not_visible |= u64::from(!(b'!'..=0x7f).contains(&b)) << i;
    }
    masks
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn sse2<const N: usize>(block: &[u8; N]) -> Masks {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let tab = _mm_set1_epi8(b'\t' as i8);
    // As signed bytes, both those ≥ 0x80 and those up to b' ' are below b'!'.
    let visible = _mm_set1_epi8(b'!' as i8);
    // Each movemask gives 16 bits in the low half of an i32.
    let bits = |m: i32, lane: usize| u64::from(m as u16) << (16 * lane);
    let mut masks = Masks::default();
    for (lane, bytes) in block.chunks_exact(16).enumerate() {
        // SAFETY: `bytes` is 16 readable bytes, and `loadu` has no alignment requirement.
        let v = unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) };
        masks.tabs |= bits(_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab)), lane);
        masks.not_visible |= bits(_mm_movemask_epi8(_mm_cmplt_epi8(v, visible)), lane);
    }
    masks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_masks_match_the_byte_by_byte_ones_by_blocks_and_halves() {
        let text = "YAL002W_sn1\tvps8Δ\tYBR023C dma2\tchs3\tDMA30\t-0.2\t\t0.9\x7f~!\x01\r\n";
        let mut block = [0u8; BLOCK];
        for shift in 0..BLOCK {
            for (i, b) in block.iter_mut().enumerate() {
                *b = text.as_bytes()[(i + shift) % text.len()];
            }
            let expected = one_by_one(&block);
            assert_eq!(masks(&block), expected, "shift {shift}");
            assert_ne!(expected.tabs, 0);
            let (low, high) = block.split_at(BLOCK / 2);
            let [low, high]: [&[u8; BLOCK / 2]; 2] = [low, high].map(|h| h.try_into().unwrap());
            assert_eq!(masks(low), one_by_one(low), "shift {shift}");
            assert_eq!(masks(low).then(BLOCK as u32 / 2, masks(high)), expected);
        }
        block[63] = b'\n';
        assert!(masks(&block).not_visible >> 63 == 1);
    }
}
