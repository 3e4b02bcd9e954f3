//! Two adjacent columns of numbers read together: both numbers, their signs and the tab
//! between them checked and converted as one vector where the CPU has SSSE3.

use super::{Column, Shape, POWERS};
use crate::simd::Ssse3;

/// Where two adjacent fields lie in a line: the first's start, the separator between them,
/// and the second's end (`text[from..middle]` and `text[middle + 1..to]`, with
/// `from <= middle < to`).
pub(crate) type Adjacent = (usize, usize, usize);

/// Two adjacent columns whose numbers are read side by side. An empty field is a missing
/// number, NaN.
///
/// When both numbers have their column's last shape and the pair fits in 16 bytes (as
/// `-0.1255\t0.9871` does), SSSE3 reads the pair as one vector, from the first number's
/// sign to the second's last digit: the two signs pick one of four sets of constants
/// (each number with or without its minus sign), and every lane is XORed with what it must
/// hold (`-`, `0` for a digit, `.`, the tab) and checked against its limit (9 for a digit,
/// 0 for the rest) at once; the digits are shuffled to the top of each half and summed by
/// three multiply-adds (pairs, fours, eights), both divided by their power of ten at once,
/// and the signs set from the constants: 45 instructions a pair where the two numbers as
/// halves of a vector, each with its own sign, length and load, took 64 (BENCHMARKS.md).
/// Anything else reads one at a time ([`Column::read`]), with the same result.
#[derive(Clone, Copy)]
pub(crate) struct TwoColumns {
    columns: [Column; 2],
    /// Both columns' shapes as vector constants (matching nothing until both have one).
    lanes: Lanes,
}

impl Default for TwoColumns {
    fn default() -> Self {
        Self {
            columns: Default::default(),
            lanes: Lanes::NONE,
        }
    }
}

/// The ways a pair can be signed: bit 0 set when the first number has a minus sign, bit 1
/// when the second has.
const WAYS: usize = 4;

/// What the lanes of a pair of numbers (16 bytes from the first one's start) must hold,
/// and how their digits move, for each way the pair can be signed. (Only x86-64 reads the
/// vector constants.)
#[derive(Clone, Copy)]
#[repr(C, align(16))]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct Lanes {
    /// `-` in a sign's lane, `0` in a digit's, `.` in the dot's, a tab between the
    /// numbers, 0 past the pair: XORed with the text, a digit becomes its value and every
    /// other lane that holds what it must, 0.
    pattern: [[u8; 16]; WAYS],
    /// Added (saturating) to the XORed lanes, it sets the high bit of each lane above its
    /// limit: 0x76 for a digit (limit 9), 0x7f for the rest (limit 0); 0 past the pair,
    /// whose lanes `covered` leaves out.
    limits: [[u8; 16]; WAYS],
    /// Where each output lane takes its digit from (bit 7 set: zero): each number's digits
    /// at the top of its half, most significant first.
    shuffle: [[u8; 16]; WAYS],
    /// Each number's sign bit.
    signs: [[u64; 2]; WAYS],
    /// Where the tab between the numbers lies and where the pair ends, from its start;
    /// `usize::MAX` for a way too long for 16 lanes, and for every way before both columns
    /// have a shape.
    bounds: [[usize; 2]; WAYS],
    /// The lanes the pair covers, as bits.
    covered: [u32; WAYS],
    powers: [f64; 2],
    /// The shapes these constants are for: each number's length after its sign, and its
    /// dot lane.
    lens: [usize; 2],
    dot_lanes: [u64; 2],
}

// The rows the vector path loads as aligned vectors start at multiples of 16.
const _: () = {
    use std::mem::offset_of;
    assert!(offset_of!(Lanes, pattern) % 16 == 0 && offset_of!(Lanes, limits) % 16 == 0);
    assert!(offset_of!(Lanes, shuffle) % 16 == 0 && offset_of!(Lanes, signs) % 16 == 0);
    assert!(offset_of!(Lanes, powers) % 16 == 0);
};

impl Lanes {
    /// Constants that match no pair.
    const NONE: Self = Self {
        pattern: [[0; 16]; WAYS],
        limits: [[0; 16]; WAYS],
        shuffle: [[0x80; 16]; WAYS],
        signs: [[0; 2]; WAYS],
        bounds: [[usize::MAX; 2]; WAYS],
        covered: [0; WAYS],
        powers: [1.0; 2],
        lens: [usize::MAX; 2],
        dot_lanes: [0; 2],
    };

    /// The constants for both shapes; they match no pair where a shape is not one the
    /// vector reads: longer than eight bytes (as a column's before its first number is).
    /// (No shape has length 0, which an empty field, a missing number, would match: the
    /// vector path tells a missing number by its bounds alone.)
    fn new(shapes: [&Shape; 2]) -> Self {
        let mut lanes = Self::NONE;
        lanes.lens = shapes.map(|s| s.len);
        lanes.dot_lanes = shapes.map(|s| s.dot_lane);
        if shapes.iter().any(|s| !(1..=8).contains(&s.len)) {
            return lanes;
        }
        lanes.powers = shapes.map(|s| POWERS[s.fraction]);
        for way in 0..WAYS {
            let negative = [way & 1 != 0, way & 2 != 0];
            let mut at = 0;
            let mut middle = 0;
            for (half, shape) in shapes.into_iter().enumerate() {
                if half == 1 {
                    middle = at;
                    lanes.set(way, at, b'\t', 0);
                    at += 1;
                }
                if negative[half] {
                    lanes.set(way, at, b'-', 0);
                    at += 1;
                }
                lanes.set_number(way, half, at, shape);
                at += shape.len;
            }
            if at <= 16 {
                lanes.bounds[way] = [middle, at];
                lanes.covered[way] = (1 << at) - 1;
                lanes.signs[way] = negative.map(|n| u64::from(n) << 63);
            }
        }
        lanes
    }

    /// Lane `at` (if one) of way `way` must hold `byte`, or a digit for `limit` 9.
    fn set(&mut self, way: usize, at: usize, byte: u8, limit: u8) {
        if at < 16 {
            self.pattern[way][at] = byte;
            self.limits[way][at] = 0x7f - limit;
        }
    }

    /// The lanes of the number of shape `shape` starting at lane `start`, the `half`th of
    /// the pair.
    fn set_number(&mut self, way: usize, half: usize, start: usize, shape: &Shape) {
        let dot = (shape.dot_lane != 0).then(|| (shape.dot_lane.trailing_zeros() / 8) as usize);
        for lane in 0..shape.len {
            if dot == Some(lane) {
                self.set(way, start + lane, b'.', 0);
            } else {
                self.set(way, start + lane, b'0', 9);
            }
        }
        let digits = shape.len - usize::from(dot.is_some());
        for i in 0..digits {
            let from = match dot {
                Some(k) if i >= k => i + 1,
                _ => i,
            };
            if start + from < 16 {
                self.shuffle[way][8 * half + 8 - digits + i] = (start + from) as u8;
            }
        }
    }
}

impl TwoColumns {
    /// Reads the numbers of the adjacent fields `fields` into `out`: each a plain decimal,
    /// or empty (NaN); `false` when either is anything else. The vector path reads 16
    /// bytes from the first field's start: pairs closer to the text's end are read one at
    /// a time. (Written in place, not returned: returned, the pair went through the stack
    /// and its reader waited on the copy, 5 % of a table's read; BENCHMARKS.md.)
    #[inline(always)]
    pub(crate) fn read(
        &mut self,
        simd: Option<Ssse3>,
        text: &[u8],
        fields: Adjacent,
        out: &mut [f64; 2],
    ) -> bool {
        let (from, middle, to) = fields;
        debug_assert!(from <= middle && middle < to);
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = simd {
            if self.lanes.read(simd, text, fields, out) {
                return true;
            }
        }
        match self.one_at_a_time(text, from, middle, to) {
            Some(both) => {
                *out = both;
                true
            }
            None => false,
        }
    }

    /// Reads the numbers one after the other, then takes the columns' shapes as vector
    /// constants if they changed. (The bounds come as three arguments, in registers: as
    /// one tuple, they went through memory on every pair's way here.)
    #[inline(never)]
    fn one_at_a_time(
        &mut self,
        text: &[u8],
        from: usize,
        middle: usize,
        to: usize,
    ) -> Option<[f64; 2]> {
        let [first, second] = &mut self.columns;
        let read = |column: &mut Column, from: usize, to: usize| {
            if from == to {
                Some(f64::NAN)
            } else {
                column.read(text, from, to)
            }
        };
        let both = [read(first, from, middle)?, read(second, middle + 1, to)?];
        if self.lanes.lens != [first.shape.len, second.shape.len]
            || self.lanes.dot_lanes != [first.shape.dot_lane, second.shape.dot_lane]
        {
            self.lanes = Lanes::new([&first.shape, &second.shape]);
        }
        Some(both)
    }
}

#[cfg(target_arch = "x86_64")]
impl Lanes {
    /// Both numbers into `out`, when each has its column's shape and the pair fits in 16
    /// bytes.
    #[inline(always)]
    fn read(
        &self,
        _simd: Ssse3,
        text: &[u8],
        (from, middle, to): Adjacent,
        out: &mut [f64; 2],
    ) -> bool {
        use std::arch::x86_64::{
            _mm_adds_epu8, _mm_castsi128_pd, _mm_cvtepi32_pd, _mm_div_pd, _mm_load_pd,
            _mm_load_si128, _mm_loadu_si128, _mm_madd_epi16, _mm_maddubs_epi16, _mm_movemask_epi8,
            _mm_or_pd, _mm_packs_epi32, _mm_set1_epi16, _mm_set1_epi32, _mm_shuffle_epi8,
            _mm_storeu_pd, _mm_xor_si128,
        };
        let sign = |at: usize| text.get(at) == Some(&b'-');
        let way = usize::from(sign(from)) | usize::from(sign(middle + 1)) << 1;
        if [middle.wrapping_sub(from), to.wrapping_sub(from)] != self.bounds[way] {
            return false;
        }
        let Some(bytes) = text.get(from..from + 16) else {
            return false;
        };
        // SAFETY: the token says the CPU has SSSE3 (and SSE2, which every x86-64 CPU has);
        // `bytes` is 16 readable bytes and `loadu` needs no alignment; the aligned loads
        // read 16-byte rows of `self`, which is 16-byte aligned (`repr(align(16))`, each
        // row at a multiple of 16); the store writes `out` and needs no alignment.
        unsafe {
            let load = |row: &[u8; 16]| _mm_load_si128(row.as_ptr().cast());
            let x = _mm_xor_si128(
                _mm_loadu_si128(bytes.as_ptr().cast()),
                load(&self.pattern[way]),
            );
            let over = _mm_movemask_epi8(_mm_adds_epu8(x, load(&self.limits[way]))) as u32;
            if over & self.covered[way] != 0 {
                return false;
            }
            let digits = _mm_shuffle_epi8(x, load(&self.shuffle[way]));
            // Byte pairs [10, 1], then word pairs [100, 1] and [10000, 1].
            let twos = _mm_maddubs_epi16(digits, _mm_set1_epi16(0x010a));
            let fours = _mm_madd_epi16(twos, _mm_set1_epi32(0x0001_0064));
            let fours = _mm_packs_epi32(fours, fours);
            let eights = _mm_madd_epi16(fours, _mm_set1_epi32(0x0001_2710));
            // Below 10^8, exact, as is each power: correctly rounded divisions.
            let values = _mm_div_pd(_mm_cvtepi32_pd(eights), _mm_load_pd(self.powers.as_ptr()));
            let signs = _mm_load_si128(self.signs[way].as_ptr().cast());
            _mm_storeu_pd(out.as_mut_ptr(), _mm_or_pd(values, _mm_castsi128_pd(signs)));
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::tests::sample;

    /// Where `a` and `b` lie as the two fields of a line, and the line, followed by the
    /// next one (the vector path reads 16 bytes from `a`'s start).
    fn line(a: &str, b: &str) -> (String, Adjacent) {
        let line = format!("x\t{a}\t{b}\t0.5\nYAL001C_sn1\ttfc3\n");
        (line, (2, 2 + a.len(), 3 + a.len() + b.len()))
    }

    /// Reads `a` and `b` as the two fields of a line, with the reader given.
    fn read(columns: &mut TwoColumns, simd: Option<Ssse3>, a: &str, b: &str) -> Option<[f64; 2]> {
        let (line, fields) = line(a, b);
        let mut out = [0.0; 2];
        columns
            .read(simd, line.as_bytes(), fields, &mut out)
            .then_some(out)
    }

    /// Reads `a` and `b` by the vector path alone, when the CPU has one.
    fn read_vector(columns: &TwoColumns, a: &str, b: &str) -> Option<[f64; 2]> {
        let (line, fields) = line(a, b);
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = Ssse3::detect() {
            let mut out = [0.0; 2];
            return columns
                .lanes
                .read(simd, line.as_bytes(), fields, &mut out)
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
    fn the_vector_reads_every_way_of_signing_a_pair_and_declines_pairs_past_16_bytes() {
        if Ssse3::detect().is_none() {
            return;
        }
        for (a, b, fits) in [
            ("0.1234", "0.5678", true),
            ("12.3456", "1.25", true),
            ("1234.567", "1.5", true),
            ("1234.567", "12345.67", false),
            ("0.1234567", "0.1234567", false),
        ] {
            let mut columns = TwoColumns::default();
            assert!(read(&mut columns, Ssse3::detect(), a, b).is_some());
            for (a, b) in [
                (a.to_string(), b.to_string()),
                (format!("-{a}"), b.to_string()),
                (a.to_string(), format!("-{b}")),
                (format!("-{a}"), format!("-{b}")),
            ] {
                let expected = [parsed(&a), parsed(&b)];
                let both = read_vector(&columns, &a, &b).map(|v| v.map(f64::to_bits));
                let fits = fits && a.len() + 1 + b.len() <= 16;
                assert_eq!(both, fits.then_some(expected), "{a:?} {b:?}");
                let both = read(&mut columns, Ssse3::detect(), &a, &b);
                assert_eq!(both.map(|v| v.map(f64::to_bits)), Some(expected));
            }
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
                "0.12-4",
                "0.1234\t",
                "\t0.1234",
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
