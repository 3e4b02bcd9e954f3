//! Composition of a coding sequence: codon usage and k-mer profiles.

/// Index of a nucleotide in `ACGT` order, or `None` for anything else (N, gaps, lower case is
/// accepted).
fn base(b: u8) -> Option<usize> {
    match b {
        b'A' | b'a' => Some(0),
        b'C' | b'c' => Some(1),
        b'G' | b'g' => Some(2),
        b'T' | b't' => Some(3),
        _ => None,
    }
}

/// Index of the k-mer starting at `window[0]` (base-4, first base most significant), or `None`
/// when it holds a base other than ACGT.
fn kmer_index(window: &[u8]) -> Option<usize> {
    window
        .iter()
        .try_fold(0, |acc, &b| Some(acc * 4 + base(b)?))
}

/// The `4^k` k-mers in index order (`AAA`, `AAC`, …), for column names.
pub fn kmers(k: usize) -> Vec<String> {
    const BASES: [char; 4] = ['A', 'C', 'G', 'T'];
    (0..4usize.pow(k as u32))
        .map(|mut i| {
            let mut s = vec!['A'; k];
            for c in s.iter_mut().rev() {
                *c = BASES[i % 4];
                i /= 4;
            }
            s.into_iter().collect()
        })
        .collect()
}

/// Frequencies of the 64 codons read in frame from the first base; they sum to 1 unless the
/// sequence holds no complete ACGT codon, when all are 0. Stop codons count like the others.
///
/// ```
/// use ironcell_data::features::sequence::codon_frequencies;
/// let f = codon_frequencies("ATGATGTAA");
/// // A, C, G, T are 0 to 3 and the first base counts most: ATG = 0·16 + 3·4 + 2 = 14.
/// assert!((f[14] - 2.0 / 3.0).abs() < 1e-6);
/// ```
pub fn codon_frequencies(cds: &str) -> [f32; 64] {
    let mut counts = [0u32; 64];
    for codon in cds.as_bytes().chunks_exact(3) {
        if let Some(i) = kmer_index(codon) {
            counts[i] += 1;
        }
    }
    normalise(&counts).try_into().unwrap_or([0.0; 64])
}

/// Frequencies of the `4^k` overlapping k-mers of `seq` (both frames and all offsets), summing
/// to 1 unless no k-mer is pure ACGT.
///
/// ```
/// use ironcell_data::features::sequence::kmer_profile;
/// let p = kmer_profile("AAAC", 2);
/// assert_eq!(p.len(), 16);
/// assert!((p[0] - 2.0 / 3.0).abs() < 1e-6); // AA twice of AA, AA, AC
/// ```
pub fn kmer_profile(seq: &str, k: usize) -> Vec<f32> {
    let mut counts = vec![0u32; 4usize.pow(k as u32)];
    for window in seq.as_bytes().windows(k) {
        if let Some(i) = kmer_index(window) {
            counts[i] += 1;
        }
    }
    normalise(&counts)
}

fn normalise(counts: &[u32]) -> Vec<f32> {
    let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if total == 0 {
        return vec![0.0; counts.len()];
    }
    counts
        .iter()
        .map(|&c| (f64::from(c) / total as f64) as f32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codons_are_counted_in_frame_and_skip_ambiguous_ones() {
        // ATG GCN TAA: the ambiguous codon is not counted.
        let f = codon_frequencies("ATGGCNTAA");
        let names = kmers(3);
        let atg = names.iter().position(|c| c == "ATG").unwrap();
        let taa = names.iter().position(|c| c == "TAA").unwrap();
        assert_eq!(f[atg], 0.5);
        assert_eq!(f[taa], 0.5);
        assert_eq!(f.iter().sum::<f32>(), 1.0);
        assert_eq!(codon_frequencies("NN"), [0.0; 64]);
    }

    #[test]
    fn kmer_names_follow_the_index() {
        let names = kmers(2);
        assert_eq!(names.len(), 16);
        assert_eq!(names[0], "AA");
        assert_eq!(names[1], "AC");
        assert_eq!(names[15], "TT");
        let p = kmer_profile("GT", 2);
        assert_eq!(p[names.iter().position(|n| n == "GT").unwrap()], 1.0);
    }
}
