//! Two columns of numbers read together, both numbers checked and converted as the halves
//! of one vector where the CPU has SSSE3.

use super::{after_sign, Column, Shape, POWERS};
use crate::simd::Ssse3;

/// Where a field lies in a line: from, to.
type Span = (usize, usize);

/// Two columns whose numbers are read side by side. An empty field is a missing number,
/// NaN.
///
/// When both numbers have their column's last shape, SSSE3 checks and converts both at
/// once: each lane of the pair XORed with what it must hold (`0` for a digit, `.`) and
/// held to a limit (9 for a digit, 0 for the dot), the digits shuffled to the top of each
/// half and summed by three multiply-adds (pairs, fours, eights), then both divided by
/// their power of ten at once: about a third of the instructions of reading them one at a
/// time. Anything else reads one at a time ([`Column::read`]), with the same result.
#[derive(Clone, Copy, Default)]
pub(crate) struct TwoColumns {
    columns: [Column; 2],
    /// Both columns' shapes as vector constants, once both have one.
    lanes: Option<Lanes>,
}

/// What the lanes of a pair of numbers (after their signs, eight bytes each) must hold, and
/// how their digits move. (Only x86-64 reads the vector constants.)
#[derive(Clone, Copy)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct Lanes {
    /// Each number's length, for telling whether it has its column's shape.
    lens: [usize; 2],
    /// Each shape's dot lane: with the lengths, which shapes these constants are for.
    dot_lanes: [u64; 2],
    /// `0` in a digit's lane, `.` in the dot's, 0 past the end: XORed with the text, a
    /// digit becomes its value and the dot 0.
    pattern: [u8; 16],
    /// The most each lane may then hold: 9 for a digit, 0 for the dot, anything past the
    /// end.
    limits: [u8; 16],
    /// Where each output lane takes its digit from (bit 7 set: zero): each number's
    /// digits at the top of its half, most significant first, the dot left out.
    shuffle: [u8; 16],
    powers: [f64; 2],
}

impl Lanes {
    /// The constants for both shapes; `None` where one is not a shape the vector reads:
    /// longer than eight bytes (as a column's before its first number is), or of length 0,
    /// which an empty field (a missing number) would match: the vector path tells a
    /// missing number by its length alone.
    fn new(shapes: [&Shape; 2]) -> Option<Self> {
        let mut lanes = Self {
            lens: [0; 2],
            dot_lanes: [0; 2],
            pattern: [0; 16],
            limits: [u8::MAX; 16],
            shuffle: [0x80; 16],
            powers: [1.0; 2],
        };
        for (half, shape) in shapes.into_iter().enumerate() {
            if !(1..=8).contains(&shape.len) {
                return None;
            }
            let dot = (shape.dot_lane != 0).then(|| (shape.dot_lane.trailing_zeros() / 8) as usize);
            let base = 8 * half;
            for lane in 0..shape.len {
                let is_dot = dot == Some(lane);
                lanes.pattern[base + lane] = if is_dot { b'.' } else { b'0' };
                lanes.limits[base + lane] = if is_dot { 0 } else { 9 };
            }
            let digits = shape.len - usize::from(dot.is_some());
            for i in 0..digits {
                let from = match dot {
                    Some(k) if i >= k => i + 1,
                    _ => i,
                };
                lanes.shuffle[base + 8 - digits + i] = (base + from) as u8;
            }
            lanes.lens[half] = shape.len;
            lanes.dot_lanes[half] = shape.dot_lane;
            lanes.powers[half] = POWERS[shape.fraction];
        }
        Some(lanes)
    }
}

impl TwoColumns {
    /// Reads the numbers at `a` and `b` into `out`: each a plain decimal, or empty (NaN);
    /// `false` when either is anything else. (Written in place, not returned: returned,
    /// the pair went through the stack and its reader waited on the copy, 5 % of a
    /// table's read; BENCHMARKS.md.)
    #[inline(always)]
    pub(crate) fn read(
        &mut self,
        simd: Option<Ssse3>,
        text: &[u8],
        a: Span,
        b: Span,
        out: &mut [f64; 2],
    ) -> bool {
        // An empty field (a missing number) has no shape's length: the vector path
        // declines it.
        #[cfg(target_arch = "x86_64")]
        if let (Some(simd), Some(lanes)) = (simd, &self.lanes) {
            if lanes.read(simd, text, a, b, out) {
                return true;
            }
        }
        match self.one_at_a_time(simd.is_some(), text, a, b) {
            Some(both) => {
                *out = both;
                true
            }
            None => false,
        }
    }

    /// Reads the numbers one after the other, then takes the columns' shapes as vector
    /// constants if they changed.
    #[inline(never)]
    fn one_at_a_time(&mut self, vectors: bool, text: &[u8], a: Span, b: Span) -> Option<[f64; 2]> {
        let [first, second] = &mut self.columns;
        let read = |column: &mut Column, (from, to): Span| {
            if from == to {
                Some(f64::NAN)
            } else {
                column.read(text, from, to)
            }
        };
        let both = [read(first, a)?, read(second, b)?];
        let lens = [first.shape.len, second.shape.len];
        let dot_lanes = [first.shape.dot_lane, second.shape.dot_lane];
        if vectors
            && self
                .lanes
                .is_none_or(|l| l.lens != lens || l.dot_lanes != dot_lanes)
        {
            self.lanes = Lanes::new([&first.shape, &second.shape]);
        }
        Some(both)
    }
}

#[cfg(target_arch = "x86_64")]
impl Lanes {
    /// Both numbers into `out`, when each has its column's shape.
    #[inline(always)]
    fn read(
        &self,
        _simd: Ssse3,
        text: &[u8],
        (a, a_end): Span,
        (b, b_end): Span,
        out: &mut [f64; 2],
    ) -> bool {
        use std::arch::x86_64::{
            _mm_castsi128_pd, _mm_cmpeq_epi8, _mm_cvtepi32_pd, _mm_div_pd, _mm_loadu_pd,
            _mm_loadu_si128, _mm_madd_epi16, _mm_maddubs_epi16, _mm_max_epu8, _mm_movemask_epi8,
            _mm_or_pd, _mm_packs_epi32, _mm_set1_epi16, _mm_set1_epi32, _mm_set_epi64x,
            _mm_shuffle_epi8, _mm_storeu_pd, _mm_xor_si128,
        };
        let (a_negative, a, a_len) = after_sign(text, a, a_end);
        let (b_negative, b, b_len) = after_sign(text, b, b_end);
        if a_len != self.lens[0] || b_len != self.lens[1] {
            return false;
        }
        let word = |at: usize| {
            text.get(at..at + 8)
                .map(|w| i64::from_le_bytes(w.try_into().expect("eight bytes")))
        };
        let (Some(a_word), Some(b_word)) = (word(a), word(b)) else {
            return false;
        };
        // SAFETY: the token says the CPU has SSSE3 (and SSE2, which every x86-64 CPU has);
        // the loads read the 16-byte arrays of `self` and the store writes `out`, and none
        // needs alignment.
        unsafe {
            let load = |bytes: &[u8; 16]| _mm_loadu_si128(bytes.as_ptr().cast());
            let x = _mm_xor_si128(_mm_set_epi64x(b_word, a_word), load(&self.pattern));
            let limits = load(&self.limits);
            if _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(x, limits), limits)) != 0xffff {
                return false;
            }
            let digits = _mm_shuffle_epi8(x, load(&self.shuffle));
            // Byte pairs [10, 1], then word pairs [100, 1] and [10000, 1].
            let twos = _mm_maddubs_epi16(digits, _mm_set1_epi16(0x010a));
            let fours = _mm_madd_epi16(twos, _mm_set1_epi32(0x0001_0064));
            let fours = _mm_packs_epi32(fours, fours);
            let eights = _mm_madd_epi16(fours, _mm_set1_epi32(0x0001_2710));
            // Below 10^8, exact, as is each power: correctly rounded divisions.
            let values = _mm_div_pd(_mm_cvtepi32_pd(eights), _mm_loadu_pd(self.powers.as_ptr()));
            let signs = _mm_set_epi64x(i64::from(b_negative) << 63, i64::from(a_negative) << 63);
            _mm_storeu_pd(out.as_mut_ptr(), _mm_or_pd(values, _mm_castsi128_pd(signs)));
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::tests::sample;

    /// Reads `a` and `b` as the two fields of a line, with the reader given.
    fn read(columns: &mut TwoColumns, simd: Option<Ssse3>, a: &str, b: &str) -> Option<[f64; 2]> {
        let line = format!("x\t{a}\t{b}\t0.5\n");
        let (a, b) = ((2, 2 + a.len()), (3 + a.len(), 3 + a.len() + b.len()));
        let mut out = [0.0; 2];
        columns
            .read(simd, line.as_bytes(), a, b, &mut out)
            .then_some(out)
    }

    /// Reads `a` and `b` by the vector path alone, when the reader has one.
    fn read_vector(columns: &TwoColumns, a: &str, b: &str) -> Option<[f64; 2]> {
        let line = format!("x\t{a}\t{b}\t0.5\n");
        let (a, b) = ((2, 2 + a.len()), (3 + a.len(), 3 + a.len() + b.len()));
        #[cfg(target_arch = "x86_64")]
        if let (Some(simd), Some(lanes)) = (Ssse3::detect(), &columns.lanes) {
            let mut out = [0.0; 2];
            return lanes
                .read(simd, line.as_bytes(), a, b, &mut out)
                .then_some(out);
        }
        None
    }

    fn parsed(text: &str) -> u64 {
        if text.is_empty() {
            f64::NAN.to_bits()
        } else {
            text.parse::<f64>().unwrap().to_bits()
        }
    }

    #[test]
    fn pairs_read_as_str_parse_in_vectors_and_one_at_a_time() {
        let mut texts = sample();
        // Runs of one shape (as columns have), then a change, and missing values.
        texts.extend(
            [
                "0.1234", "-0.5678", "0.9012", "1.0000", "", "0.0001", "-0.0000",
            ]
            .map(String::from),
        );
        let mut by_vector = 0;
        for simd in [Ssse3::detect(), None] {
            let mut columns = TwoColumns::default();
            for pair in texts.windows(3) {
                for (a, b) in [
                    (&pair[0], &pair[1]),
                    (&pair[0], &pair[2]),
                    (&pair[1], &pair[1]),
                ] {
                    let expected = Some([parsed(a), parsed(b)]);
                    let both = read(&mut columns, simd, a, b).map(|v| v.map(f64::to_bits));
                    assert_eq!(both, expected, "{a:?} {b:?}");
                    // The vector path on its own reads them the same, or declines.
                    if let Some(both) = read_vector(&columns, a, b) {
                        assert_eq!(Some(both.map(f64::to_bits)), expected, "{a:?} {b:?}");
                        by_vector += 1;
                    }
                }
            }
        }
        // Where the CPU has SSSE3, many pairs of the sample are in the shapes before them.
        if Ssse3::detect().is_some() {
            assert!(by_vector > texts.len(), "{by_vector} pairs by vector");
        }
    }

    #[test]
    fn the_vector_path_follows_a_column_to_its_next_shape() {
        if Ssse3::detect().is_none() {
            return;
        }
        let mut columns = TwoColumns::default();
        // The same length, the dot elsewhere: the constants must follow.
        for (a, b) in [("0.1234", "1.5"), ("12.345", "1.5"), ("12.345", "-12.5")] {
            for _ in 0..2 {
                assert!(read(&mut columns, Ssse3::detect(), a, b).is_some());
            }
            let both = read_vector(&columns, a, b).map(|v| v.map(f64::to_bits));
            assert_eq!(both, Some([parsed(a), parsed(b)]), "{a} {b}");
        }
    }

    #[test]
    fn a_pair_in_its_columns_shapes_is_still_checked_lane_by_lane() {
        for simd in [Ssse3::detect(), None] {
            for bad in [
                "0-1234",
                "0.12a4",
                "0.12:4",
                "0..234",
                "0.1.34",
                "0,1234",
                "--1234",
                "0.123\u{e9}",
            ] {
                for (a, b) in [(bad, "0.1234"), ("0.1234", bad)] {
                    let mut columns = TwoColumns::default();
                    // Learn the shapes, twice so that the vector path is ready.
                    for _ in 0..2 {
                        assert!(read(&mut columns, simd, "0.5678", "-0.5678").is_some());
                    }
                    assert_eq!(read(&mut columns, simd, a, b), None, "{a:?} {b:?}");
                    assert_eq!(read_vector(&columns, a, b), None, "{a:?} {b:?}");
                }
            }
        }
    }
}
