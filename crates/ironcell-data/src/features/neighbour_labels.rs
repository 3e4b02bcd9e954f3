//! Neighbour labels: what the training labels say about a genotype's relatives in a gene
//! network. A gene never seen in training has no labels of its own, but its network partners
//! may: the interactions of a protein's complex partners are the best guess for its own
//! (genetic interactions are shared within complexes and pathways). For a genotype of one or
//! two genes this module gives, per network, the weighted mean label of the genotypes one
//! *swap* away — one gene replaced by a network partner — and two swaps away (both genes of a
//! pair replaced), with the weight found, so that a model can tell a mean of many relatives
//! from no relatives at all.
//!
//! This is the project's own feature (collaborative filtering over gene networks, in the
//! manner of label propagation), written by hand because no crate computes it; it is built
//! per split from that split's training labels only, and a training genotype's own label never
//! enters its features (no self-loops, the pair's own term removed from two swaps).
//!
//! A model trained on these columns meets, at test time, genotypes whose genes it never saw:
//! their one-swap relatives that keep the unseen gene have no labels. So that training rows
//! can look like that, [`NeighbourLabels::write`] takes the genes of the row to treat as unseen
//! ([`Hidden`]), and the first column counts the row's unseen genes, whether hidden so or
//! truly never labelled.
//!
//! Pairs are computed densely: with `M` the genes × genes matrix of training pair labels and
//! `W` a network's weights, one swap is `(W M)[a, b]` and two swaps `(W M Wᵀ)[a, b]`, each over
//! the matching counts. `W M` is one sparse-times-dense product; the second side is summed per
//! pair over `b`'s partners, so memory is four genes × genes matrices per network.
//!
//! ```
//! use ironcell_data::{
//!     features::neighbour_labels::{Hidden, NeighbourLabels},
//!     graph::GeneGraph,
//! };
//! // Genes 0–1 are partners; 2 and 3 are not linked to anything.
//! let graph = GeneGraph { src: vec![0], dst: vec![1], weight: vec![f32::NAN] };
//! let known = [(&[1u32, 2][..], 0, -0.4), (&[1, 3][..], 0, 0.2)];
//! let n = NeighbourLabels::fit(&[graph], 4, known.iter().copied());
//! // Gene 0 was never measured; its partner 1 interacts with 2 at −0.4.
//! let mut out = [0f32; 7];
//! n.write(&[0, 2], 0, Hidden::NONE, &mut out);
//! // One unseen gene; gene 2's other pair says −0.4; the network's one swap says −0.4.
//! assert_eq!([out[0], out[1], out[3]], [1.0, -0.4, -0.4]);
//! assert!((n.predict(&[0, 2], 0) + 0.4).abs() < 1e-6);
//! // Nothing one or two swaps from (2, 3): the training mean, no weight.
//! assert_eq!(n.predict(&[2, 3], 0), -0.1);
//! ```

use std::collections::HashMap;

use crate::graph::GeneGraph;

/// The column written first: how many of the genotype's genes are unseen (no training label
/// of their own), or hidden.
pub const UNSEEN: &str = "unseen_genes";

/// The columns written after [`UNSEEN`], before the networks': the genotypes one swap away
/// in the complete graph — one gene of a pair replaced by any gene (the mean label of the
/// kept gene's other pairs, each kept gene not hidden), with `ln(1 + count)`. Hubs interact
/// with many genes: for a pair of one seen and one unseen gene, the seen gene's own record is
/// the strongest guess no network gives.
pub const PARTNERS: [&str; 2] = ["partner_mean", "partner_weight"];

/// Where the first network's [`COLUMNS`] start.
pub const NETWORKS_FROM: usize = 1 + PARTNERS.len();

/// The columns written per network, in order, after [`PARTNERS`].
pub const COLUMNS: [&str; 4] = [
    "one_swap_mean",
    "one_swap_weight",
    "two_swap_mean",
    "two_swap_weight",
];

/// A network as each gene's partners, weights scaled to (0, 1] (an edge without a weight
/// counts 1).
type Partners = Vec<Vec<(u32, f32)>>;

/// Which genes of a genotype (by position, bit `i` for its `i`-th gene) to treat as never
/// labelled: one-swap relatives that keep such a gene are not looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hidden(pub u8);

impl Hidden {
    /// Every gene as it is.
    pub const NONE: Self = Self(0);

    /// Every gene of a genotype of `n` genes.
    pub fn all(n: usize) -> Self {
        Self(((1u16 << n.min(8)) - 1) as u8)
    }

    /// The genes of a training genotype of `genes` genes to treat as unseen, drawn from `rng`:
    /// none, one (which, at random) or every gene, a third of the draws each — the three cases
    /// a test genotype of the random and the two gene-disjoint splits is in. A model trained on
    /// rows whose genes are all labelled does not know what the columns mean for a genotype of
    /// unseen genes (measured on E-MAP with both genes unseen: Pearson 0.06 without this, 0.29
    /// with it).
    pub fn draw(rng: &mut impl rand::Rng, genes: usize) -> Self {
        match rng.random_range(0..3) {
            0 => Self::NONE,
            1 => Self(1 << rng.random_range(0..genes.clamp(1, 8))),
            _ => Self::all(genes),
        }
    }

    fn hides(self, position: usize) -> bool {
        position < 8 && self.0 & (1 << position) != 0
    }
}

/// The training labels of one environment.
#[derive(Debug, Default)]
struct Labelled {
    /// Single mutants: (label, 1) per measured gene, (0, 0) otherwise.
    singles: Option<(Vec<f32>, Vec<f32>)>,
    /// Pairs: `M` and its 0/1 mask `K`, then `W M` and `W K` per network.
    pairs: Option<Pairs>,
}

#[derive(Debug)]
struct Pairs {
    m: Vec<f32>,
    k: Vec<f32>,
    /// Per gene, the sum of its pairs' labels and their count (the rows of `m` and `k`).
    m_sum: Vec<f64>,
    k_sum: Vec<f64>,
    wm: Vec<Vec<f32>>,
    wk: Vec<Vec<f32>>,
}

/// Neighbour-label features fitted on one split's training rows.
#[derive(Debug)]
pub struct NeighbourLabels {
    genes: usize,
    networks: Vec<Partners>,
    environments: HashMap<usize, Labelled>,
    /// Genes with a training label of their own (in a genotype of one or two genes).
    seen: Vec<bool>,
    /// The training mean: the value where no relative is labelled.
    fill: f64,
}

impl NeighbourLabels {
    /// Fits on `known` (genes as indices below `genes`, environment, label) over `networks`.
    /// Genotypes of other sizes than one or two are ignored; a genotype seen twice keeps its
    /// mean.
    pub fn fit<'a>(
        networks: &[GeneGraph],
        genes: usize,
        known: impl IntoIterator<Item = (&'a [u32], usize, f64)>,
    ) -> Self {
        let networks: Vec<Partners> = networks.iter().map(|g| partners(g, genes)).collect();
        let mut sums: HashMap<(usize, u32, u32), (f64, u32)> = HashMap::new();
        let (mut total, mut count) = (0.0, 0usize);
        for (row, env, y) in known {
            if !y.is_finite() {
                continue;
            }
            total += y;
            count += 1;
            let key = match *row {
                [a] => (env, a, a),
                [a, b] if a != b => (env, a.min(b), a.max(b)),
                _ => continue,
            };
            let s = sums.entry(key).or_default();
            s.0 += y;
            s.1 += 1;
        }
        let mut environments: HashMap<usize, Labelled> = HashMap::new();
        let mut seen = vec![false; genes];
        for (&(env, a, b), &(sum, n)) in &sums {
            seen[a as usize] = true;
            seen[b as usize] = true;
            let y = (sum / f64::from(n)) as f32;
            let e = environments.entry(env).or_default();
            let (a, b) = (a as usize, b as usize);
            if a == b {
                let (v, k) = e
                    .singles
                    .get_or_insert_with(|| (vec![0.0; genes], vec![0.0; genes]));
                v[a] = y;
                k[a] = 1.0;
            } else {
                let p = e.pairs.get_or_insert_with(|| Pairs {
                    m: vec![0.0; genes * genes],
                    k: vec![0.0; genes * genes],
                    m_sum: vec![0.0; genes],
                    k_sum: vec![0.0; genes],
                    wm: Vec::new(),
                    wk: Vec::new(),
                });
                for (i, j) in [(a, b), (b, a)] {
                    p.m[i * genes + j] = y;
                    p.k[i * genes + j] = 1.0;
                    p.m_sum[i] += f64::from(y);
                    p.k_sum[i] += 1.0;
                }
            }
        }
        for e in environments.values_mut() {
            if let Some(p) = &mut e.pairs {
                p.wm = networks.iter().map(|w| times(w, &p.m, genes)).collect();
                p.wk = networks.iter().map(|w| times(w, &p.k, genes)).collect();
            }
        }
        Self {
            genes,
            networks,
            environments,
            seen,
            fill: if count == 0 {
                0.0
            } else {
                total / count as f64
            },
        }
    }

    /// Columns written per genotype: [`UNSEEN`], [`PARTNERS`], then [`COLUMNS`] for each
    /// network.
    pub fn width(&self) -> usize {
        NETWORKS_FROM + COLUMNS.len() * self.networks.len()
    }

    /// Writes the features of `row` grown in `env`, its `hidden` genes treated as unseen, into
    /// `out` ([`Self::width`] values): the count of unseen genes, the partners' mean and
    /// `ln(1 + count)` ([`PARTNERS`]), then per network the one-swap mean (the training mean
    /// when nothing was found), `ln(1 + weight)` found, and the same for two swaps.
    ///
    /// # Panics
    /// When `out` is not [`Self::width`] long or a gene is outside the universe fitted on.
    pub fn write(&self, row: &[u32], env: usize, hidden: Hidden, out: &mut [f32]) {
        assert_eq!(out.len(), self.width(), "one slot per column");
        out[0] = row
            .iter()
            .enumerate()
            .filter(|&(k, &g)| hidden.hides(k) || !self.seen[g as usize])
            .count() as f32;
        let mean = |num: f64, den: f64| {
            if den > 0.0 {
                num / den
            } else {
                self.fill
            }
        };
        let [num, den] = self.partners(row, env, hidden);
        out[1] = mean(num, den) as f32;
        out[2] = den.ln_1p() as f32;
        let sums = self.sums(row, env, hidden);
        for (sums, out) in sums.iter().zip(out[NETWORKS_FROM..].chunks_exact_mut(4)) {
            out[0] = mean(sums[0], sums[1]) as f32;
            out[1] = sums[1].ln_1p() as f32;
            out[2] = mean(sums[2], sums[3]) as f32;
            out[3] = sums[3].ln_1p() as f32;
        }
    }

    /// The neighbour-label guess for `row` in `env`: the weighted mean over every network of
    /// the genotypes one swap away, else two swaps away, else the training mean.
    pub fn predict(&self, row: &[u32], env: usize) -> f64 {
        let sums = self.sums(row, env, Hidden::NONE);
        let total = |num: usize, den: usize| {
            let (n, d) = sums
                .iter()
                .fold((0.0, 0.0), |(n, d), s| (n + s[num], d + s[den]));
            (d > 0.0).then(|| n / d)
        };
        total(0, 1).or_else(|| total(2, 3)).unwrap_or(self.fill)
    }

    /// The label sum and count of a pair's partners: the kept gene's other pairs, for each
    /// gene swapped out whose partner is not hidden (nothing for a single gene).
    fn partners(&self, row: &[u32], env: usize, hidden: Hidden) -> [f64; 2] {
        let (&[a, b], Some(Labelled { pairs: Some(p), .. })) = (row, self.environments.get(&env))
        else {
            return [0.0; 2];
        };
        if a == b {
            return [0.0; 2];
        }
        let (a, b, n) = (a as usize, b as usize, self.genes);
        let mut out = [0.0; 2];
        // Swapping a keeps b: b's pairs other than this one, when b is not hidden.
        for (swapped, kept, position) in [(a, b, 1), (b, a, 0)] {
            if !hidden.hides(position) {
                out[0] += p.m_sum[kept] - f64::from(p.m[kept * n + swapped]);
                out[1] += p.k_sum[kept] - f64::from(p.k[kept * n + swapped]);
            }
        }
        out
    }

    /// Per network: one-swap label sum and weight, two-swap label sum and weight.
    fn sums(&self, row: &[u32], env: usize, hidden: Hidden) -> Vec<[f64; 4]> {
        assert!(
            row.iter().all(|&g| (g as usize) < self.genes),
            "a gene outside the universe fitted on"
        );
        let n = self.genes;
        let labelled = self.environments.get(&env);
        self.networks
            .iter()
            .enumerate()
            .map(|(w, partners)| match (row, labelled) {
                (
                    &[a],
                    Some(Labelled {
                        singles: Some((v, k)),
                        ..
                    }),
                ) => {
                    let (mut num, mut den) = (0.0, 0.0);
                    for &(c, weight) in &partners[a as usize] {
                        num += f64::from(weight * v[c as usize]);
                        den += f64::from(weight * k[c as usize]);
                    }
                    [num, den, 0.0, 0.0]
                }
                (&[a, b], Some(Labelled { pairs: Some(p), .. })) if a != b => {
                    let (a, b) = (a as usize, b as usize);
                    let (wm, wk) = (&p.wm[w], &p.wk[w]);
                    // Swapping a keeps b, so it needs b's labels, and the other way round.
                    let mut one = [0.0, 0.0];
                    for (swapped, kept, position) in [(a, b, 1), (b, a, 0)] {
                        if !hidden.hides(position) {
                            one[0] += f64::from(wm[swapped * n + kept]);
                            one[1] += f64::from(wk[swapped * n + kept]);
                        }
                    }
                    // Σ_d (W M)[a, d] W[b, d]: both genes swapped for partners.
                    let (mut num, mut den) = (0.0f64, 0.0f64);
                    let mut own = 0.0f32;
                    for &(d, weight) in &partners[b] {
                        let d = d as usize;
                        num += f64::from(weight * wm[a * n + d]);
                        den += f64::from(weight * wk[a * n + d]);
                        if d == a {
                            own = weight;
                        }
                    }
                    // The swap a → b, b → a is the pair itself: its own label is no relative.
                    let own = own * own;
                    num -= f64::from(own * p.m[a * n + b]);
                    den -= f64::from(own * p.k[a * n + b]);
                    [one[0], one[1], num, den.max(0.0)]
                }
                _ => [0.0; 4],
            })
            .collect()
    }
}

/// `graph` as each gene's partners, both directions, weights scaled by the largest.
fn partners(graph: &GeneGraph, genes: usize) -> Partners {
    let valid = |w: f32| w.is_finite() && w > 0.0;
    let max = graph
        .weight
        .iter()
        .copied()
        .filter(|&w| valid(w))
        .fold(0f32, f32::max);
    let mut out: Partners = vec![Vec::new(); genes];
    for ((&a, &b), &w) in graph.src.iter().zip(&graph.dst).zip(&graph.weight) {
        if a == b || a as usize >= genes || b as usize >= genes {
            continue;
        }
        let w = if valid(w) && max > 0.0 { w / max } else { 1.0 };
        out[a as usize].push((b, w));
        out[b as usize].push((a, w));
    }
    out
}

/// `W X` for the dense genes × genes `x`, row by row.
fn times(w: &Partners, x: &[f32], n: usize) -> Vec<f32> {
    use rayon::prelude::*;
    let mut out = vec![0f32; n * n];
    out.par_chunks_exact_mut(n)
        .zip(w.par_iter())
        .for_each(|(row, partners)| {
            for &(c, weight) in partners {
                let from = &x[c as usize * n..(c as usize + 1) * n];
                for (o, v) in row.iter_mut().zip(from) {
                    *o += weight * v;
                }
            }
        });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(u32, u32, f32)]) -> GeneGraph {
        GeneGraph {
            src: edges.iter().map(|e| e.0).collect(),
            dst: edges.iter().map(|e| e.1).collect(),
            weight: edges.iter().map(|e| e.2).collect(),
        }
    }

    #[test]
    fn one_and_two_swaps_by_hand_and_never_the_own_label() {
        // A path 0 – 1 – 2 (weights 1 and 0.5) and 3 – 4 (weight 1); labels on pairs.
        let g = graph(&[(0, 1, 2.0), (1, 2, 1.0), (3, 4, 2.0)]);
        let known = [
            (&[1u32, 3][..], 0usize, 1.0),
            (&[2, 3][..], 0, 3.0),
            (&[2, 4][..], 0, -1.0),
            (&[0, 1][..], 0, 10.0),
        ];
        // Gene 5 has no label and no partner.
        let n = NeighbourLabels::fit(&[g], 6, known.iter().copied());
        let s = n.sums(&[0, 3], 0, Hidden::NONE);
        // One swap: 0 → 1 gives (1, 3) = 1.0 with weight 1; 3 → 4 gives (0, 4): unknown.
        // Two swaps: 0 → 1 and 3 → 4: (1, 4) unknown. So only (1, 3).
        assert_eq!(s[0], [1.0, 1.0, 0.0, 0.0]);
        // (1, 4): one swap 1 → 0 (0, 4) no, 1 → 2 (2, 4) = −1 at 0.5, 4 → 3 (1, 3) = 1 at 1;
        // two swaps: 1 → 2 & 4 → 3 (2, 3) = 3 at 0.5 · 1, 1 → 0 & 4 → 3 (0, 3) no.
        let s = n.sums(&[1, 4], 0, Hidden::NONE);
        assert_eq!(s[0], [-0.5 + 1.0, 1.5, 1.5, 0.5]);
        // The training pair (0, 1) is linked in the network: swapping both genes gives (1, 0),
        // itself, which is left out; one swap 1 → 2 gives (0, 2): unknown.
        let s = n.sums(&[0, 1], 0, Hidden::NONE);
        assert_eq!(s[0], [0.0, 0.0, 0.0, 0.0]);
        let mut out = [0f32; 7];
        n.write(&[1, 4], 0, Hidden::NONE, &mut out);
        // Partners: 4's other pair (2, 4) = −1, and 1's, (1, 3) = 1 and (0, 1) = 10.
        let expected = [
            0.0,
            10.0 / 3.0,
            3f32.ln_1p(),
            0.5 / 1.5,
            1.5f32.ln_1p(),
            3.0,
            0.5f32.ln_1p(),
        ];
        assert!(
            out.iter().zip(expected).all(|(o, e)| (o - e).abs() < 1e-6),
            "{out:?}"
        );
        // Gene 4 hidden: only 1's record is read (swapping 4 out keeps 1).
        n.write(&[1, 4], 0, Hidden(0b10), &mut out);
        assert_eq!((out[1], out[2]), (5.5, 2f32.ln_1p()));
        // Gene 4 (position 1) hidden: the swap 1 → 2, which keeps it, is not looked up; the
        // swap 4 → 3 (keeping 1) is. Both hidden: only two swaps are left.
        assert_eq!(n.sums(&[1, 4], 0, Hidden(0b10))[0], [1.0, 1.0, 1.5, 0.5]);
        assert_eq!(n.sums(&[1, 4], 0, Hidden::all(2))[0], [0.0, 0.0, 1.5, 0.5]);
        n.write(&[4, 1], 0, Hidden(0b01), &mut out);
        assert_eq!(out[0], 1.0);
        n.write(&[5, 2], 0, Hidden(0b10), &mut out);
        assert_eq!(out[0], 2.0, "one gene hidden, one never labelled");
        // Another environment has no labels: the training mean.
        assert_eq!(n.predict(&[1, 4], 1), (1.0 + 3.0 - 1.0 + 10.0) / 4.0);
    }

    #[test]
    fn single_mutants_take_their_partners_mean_and_triples_get_nothing() {
        let g = graph(&[(0, 1, f32::NAN), (0, 2, f32::NAN)]);
        let known = [
            (&[1u32][..], 0usize, 0.5),
            (&[2][..], 0, 0.9),
            (&[2][..], 0, 0.7),
        ];
        let n = NeighbourLabels::fit(&[g], 3, known.iter().copied());
        assert!((n.predict(&[0], 0) - 0.65).abs() < 1e-6);
        assert_eq!(n.sums(&[0, 1, 2], 0, Hidden::NONE), [[0.0; 4]]);
    }
}
