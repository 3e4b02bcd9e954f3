//! Plain decimals (`-0.1255`, `0.9871`, `12`) read where they stand in a line.
//!
//! [`Column`] reads fields whose bounds are known, eight bytes at once and without a branch
//! per digit, checking each against the shape of the column's last number; [`TwoColumns`]
//! reads two columns' numbers at once, as the halves of one vector where the CPU has
//! SSSE3; [`plain`] reads from a start, a digit at a time, for the rest.
//!
//! Written by hand, not taken from a crate, because the screens' numbers are almost all this
//! one shape and the general parsers pay for the shapes they are not: on the 2e7-row SGA
//! table, `str::parse` and `fast_float2::parse_partial` cost several times more per number
//! than this (see BENCHMARKS.md, "Reading the pair-wise SGA tables"). Anything else
//! (exponents, `NaN`, more than 15 digits) is left to the general parser.

mod pair;

pub(crate) use pair::TwoColumns;

/// Powers of ten that are exact in an `f64`.
const POWERS: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A byte in every lane of a word.
const fn lanes(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// Reads the numbers of one column, `text[from..to]` each, the whole of it, as
/// `[-]digits[.digits]`; `None` when it is anything else. Gives the value [`plain`] (and
/// `str::parse`) gives.
///
/// With at most eight characters after the sign, and eight bytes readable from there, the
/// characters are taken as the lanes of one word: checked for digits and one dot at once,
/// the dot's lane squeezed out, the digits moved to the top lanes, and summed by three
/// multiplications (pairs, fours, eight). Other fields go to [`plain`].
///
/// A column's numbers mostly share one shape (`0.1234`, `-0.0512`: six characters after
/// the sign, the dot second), so the reader keeps the last one's: a number of the same
/// length is checked against it (digits everywhere but a dot in its lane) and converted with
/// its constants, which saves deriving them again, about half the work.
#[derive(Clone, Copy)]
pub(crate) struct Column {
    shape: Shape,
}

/// The lanes of a number's characters after the sign, and what its dot's place makes of
/// them.
#[derive(Clone, Copy)]
struct Shape {
    /// Characters after the sign.
    len: usize,
    /// Their lanes.
    keep: u64,
    /// All ones in the dot's lane, and `.` ^ `0` there: the digit bits of a dot.
    dot_lane: u64,
    dot: u64,
    /// Lanes below the dot (all of them without one).
    below: u64,
    /// Bits the squeezed digits move up by, to end at the top lane.
    shift: u32,
    /// Digits after the dot.
    fraction: usize,
}

impl Default for Column {
    fn default() -> Self {
        Self {
            // A shape no text passes (its dot lane must read 0, and reads 1 whatever the
            // text): the first number derives its own.
            shape: Shape {
                len: usize::MAX,
                keep: 0,
                dot_lane: u64::MAX,
                dot: 1,
                below: 0,
                shift: 0,
                fraction: 0,
            },
        }
    }
}

impl Column {
    /// Reads `text[from..to]`.
    #[inline(always)]
    pub(crate) fn read(&mut self, text: &[u8], from: usize, to: usize) -> Option<f64> {
        let (negative, start, len) = after_sign(text, from, to);
        let s = self.shape;
        if let Some(word) = text.get(start..start + 8).filter(|_| len == s.len) {
            // Digits become 0..=9, and the dot, in its lane, 0.
            let d = ((u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ lanes(b'0'))
                & s.keep)
                ^ s.dot;
            if ((d.wrapping_add(lanes(0x76)) | d) & lanes(0x80) & s.keep) | (d & s.dot_lane) == 0 {
                let packed = (d & s.below) | ((d >> 8) & !s.below);
                return Some(signed(value(packed << s.shift, s.fraction), negative));
            }
        }
        self.derive(text, from, to)
    }

    /// Reads a number of another shape than the last, and keeps its shape.
    #[inline(never)]
    fn derive(&mut self, text: &[u8], from: usize, to: usize) -> Option<f64> {
        let (negative, start, len) = after_sign(text, from, to);
        let word = match text.get(start..start + 8) {
            Some(word) if (1..=8).contains(&len) => word,
            _ => {
                let (value, used) = plain(text.get(from..to)?)?;
                return (used == to - from).then_some(value);
            }
        };
        let keep = u64::MAX >> (8 * (8 - len));
        // Digits become 0..=9; any other byte, plus 0x76, reaches its lane's high bit.
        let d = (u64::from_le_bytes(word.try_into().expect("eight bytes")) ^ lanes(b'0')) & keep;
        let odd = (d.wrapping_add(lanes(0x76)) | d) & lanes(0x80) & keep;
        // At most one lane is not a digit, and it holds the dot.
        let dot = odd & odd.wrapping_neg();
        let dot_lane = (dot >> 7).wrapping_mul(0xff);
        let dot_digits = dot_lane & lanes(b'.' ^ b'0');
        if odd != dot || d & dot_lane != dot_digits {
            return None;
        }
        let digits = len - usize::from(dot != 0);
        if digits == 0 {
            return None;
        }
        let fraction = if dot == 0 {
            0
        } else {
            digits - (dot.trailing_zeros() / 8) as usize
        };
        let shape = Shape {
            len,
            keep,
            dot_lane,
            dot: dot_digits,
            below: (dot >> 7).wrapping_sub(1),
            shift: 8 * (8 - digits as u32),
            fraction,
        };
        self.shape = shape;
        // The dot's lane is squeezed out whatever it holds.
        let packed = (d & shape.below) | ((d >> 8) & !shape.below);
        Some(signed(value(packed << shape.shift, fraction), negative))
    }
}

/// Whether `text[from..to]` starts with a minus sign, and where and how long the rest is
/// (`to` before `from` wraps the length, which no shape has).
#[inline(always)]
fn after_sign(text: &[u8], from: usize, to: usize) -> (bool, usize, usize) {
    let negative = text.get(from) == Some(&b'-');
    let start = from + usize::from(negative);
    (negative, start, to.wrapping_sub(start))
}

/// The number whose digits are the lanes of `v`, most significant first, with `fraction`
/// of them after the dot.
#[inline(always)]
fn value(v: u64, fraction: usize) -> f64 {
    let v = (v.wrapping_mul(10).wrapping_add(v >> 8)) & 0x00ff_00ff_00ff_00ff;
    let v = (v.wrapping_mul(100).wrapping_add(v >> 16)) & 0x0000_ffff_0000_ffff;
    let v = (v.wrapping_mul(10_000).wrapping_add(v >> 32)) & 0xffff_ffff;
    // Below 10^8, exact, as is the power: one correctly rounded division, as in `plain`.
    v as f64 / POWERS[fraction & 15]
}

/// `value` with its sign set as a bit: a branch on it would be a coin toss for scores
/// like ε.
#[inline(always)]
fn signed(value: f64, negative: bool) -> f64 {
    f64::from_bits(value.to_bits() | u64::from(negative) << 63)
}

/// Reads `[-]digits[.digits]` (at most 15 digits) from the start of `bytes`; returns the
/// value and the bytes used, or `None` when the text starts otherwise or has more digits.
///
/// The result is the correctly rounded value, the same `str::parse` gives: with at most 15
/// digits the digits form an integer below 2^53 and the scale a power of ten at most 10^15,
/// both exact in an `f64`, and one IEEE division of exact operands is correctly rounded
/// (Clinger's fast path).
pub(crate) fn plain(bytes: &[u8]) -> Option<(f64, usize)> {
    let negative = bytes.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let mut mantissa = 0u64;
    let whole = digits(bytes, &mut at, &mut mantissa);
    let mut fraction = 0;
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        fraction = digits(bytes, &mut at, &mut mantissa);
    }
    if whole + fraction == 0 || whole + fraction > 15 {
        return None;
    }
    // Below 10^15, so the signed conversion (one instruction) is exact.
    let value = mantissa as i64 as f64 / POWERS[fraction];
    Some((if negative { -value } else { value }, at))
}

/// Appends the digits at `at` to `mantissa` (wrapping past 20 digits, which the caller
/// rejects); returns how many there were.
fn digits(bytes: &[u8], at: &mut usize, mantissa: &mut u64) -> usize {
    let start = *at;
    while let Some(d) = bytes
        .get(*at)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|&d| d < 10)
    {
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        *at += 1;
    }
    *at - start
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Decimals in every shape the screens write, and edge cases.
    pub(super) fn sample() -> Vec<String> {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "1",
            "12",
            "0.5",
            "-0.1255",
            "0.1631",
            "1.",
            "-3.",
            "0.0001",
            "123456789012345",
            "0.12345678901234",
            "9007199254740.99",
            "0.3",
            "2.675",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Values written as the screens write them, at every precision they use.
        let mut x = 0.000_123_f64;
        for _ in 0..2000 {
            x = (x * 7.31 + 0.137) % 3.0 - 1.0;
            for digits in [1, 2, 3, 4, 6, 8, 12] {
                texts.push(format!("{x:.digits$}"));
            }
        }
        texts
    }

    #[test]
    fn reads_the_same_value_as_str_parse() {
        for text in &sample() {
            let (value, used) = plain(text.as_bytes()).unwrap_or_else(|| panic!("{text}"));
            let expected: f64 = text.parse().unwrap();
            assert_eq!(value.to_bits(), expected.to_bits(), "{text}");
            assert_eq!(used, text.len(), "{text}");
        }
    }

    /// A column reader that has read `previous` and then reads `text` within `line`.
    fn read_after(previous: &str, line: &str, from: usize, to: usize) -> Option<f64> {
        let mut column = Column::default();
        if !previous.is_empty() {
            assert!(column
                .read(previous.as_bytes(), 0, previous.len())
                .is_some());
        }
        column.read(line.as_bytes(), from, to)
    }

    #[test]
    fn a_field_reads_the_same_value_as_str_parse_wherever_it_stands() {
        let texts = sample();
        // One reader for the whole column: numbers in the shape of the one before (most),
        // and in another.
        let mut column = Column::default();
        for (i, text) in texts.iter().enumerate() {
            let expected: f64 = text.parse().unwrap();
            // Followed by more of the line (read by words), or at the end of the text.
            for line in [format!("x\t{text}\t0.5\t1.25\n"), format!("x\t{text}")] {
                for value in [
                    column.read(line.as_bytes(), 2, 2 + text.len()),
                    read_after("", &line, 2, 2 + text.len()),
                    read_after(&texts[i.saturating_sub(7)], &line, 2, 2 + text.len()),
                ] {
                    assert_eq!(
                        value.map(f64::to_bits),
                        Some(expected.to_bits()),
                        "{line:?}"
                    );
                }
            }
        }
        for text in [
            "",
            "-",
            ".",
            "-.",
            "..",
            "NaN",
            "+1",
            " 1",
            "1 ",
            "1e5",
            "1.2.3",
            "0x1",
            "1-2",
            "１",
            "1/2",
            "12345678901234567",
        ] {
            let line = format!("{text}\t0.5\t1.25\t2.5\n");
            assert_eq!(read_after("", &line, 0, text.len()), None, "{text:?}");
        }
        // Nothing at all, whatever the reader read before (a length the default shape
        // or an empty field could be taken for).
        for previous in ["", "0.5", "-1"] {
            for (text, from, to) in [("-1", 0, 0), ("", 0, 0), ("-", 1, 0), ("x-", 1, 1)] {
                let line = format!("{text}\t0.5\t1.25\t2.5\n");
                assert_eq!(
                    read_after(previous, &line, from, to),
                    None,
                    "{previous:?} {text:?}"
                );
            }
        }
        // Not numbers, though of the shape of the number before: each lane is checked.
        for (previous, text) in [
            ("0.1234", "0-1234"),
            ("0.1234", "0,1234"),
            ("0.1234", "0/1234"),
            ("0.1234", "0.12a4"),
            ("0.1234", "0..234"),
            ("0.1234", "0.123."),
            ("0.1234", "0.1.34"),
            ("1234", "12-4"),
            ("1234", "1 34"),
            ("1.", "-."),
            ("5", "."),
            ("5", "-"),
            ("0.5", "0.\u{e9}"),
        ] {
            let line = format!("{text}\t0.5\n");
            assert_eq!(
                read_after(previous, &line, 0, text.len()),
                None,
                "{previous:?} then {text:?}"
            );
        }
    }

    #[test]
    fn stops_at_the_field_end_and_declines_other_shapes() {
        assert_eq!(plain(b"0.25\t0.5"), Some((0.25, 4)));
        assert_eq!(plain(b"-1.5\r\n"), Some((-1.5, 4)));
        for text in [
            "",
            "-",
            ".",
            "-.",
            "NaN",
            "inf",
            "+1",
            " 1",
            "1e5x",
            "1234567890123456",
        ] {
            let used = plain(text.as_bytes()).map(|(_, used)| used);
            // Declined, or read only up to what is not part of a plain decimal.
            assert!(used.is_none() || used < Some(text.len()), "{text}");
        }
        assert_eq!(plain(b".5"), Some((0.5, 2)));
    }
}
