//! Growing one regression tree on binned features: histograms of (weighted target sum, weight,
//! row count) per bin, the larger child's histogram as parent minus smaller child, and a
//! sparse per-node tally instead of full histograms once a node is small. Shared by the random
//! forest (bootstrap counts as weights, depth-first, all features or a random subset per node)
//! and gradient boosting (residuals as targets, best-first up to a number of leaves).
//!
//! A column a node's rows all share one bin of is constant in every node below it too: the
//! small-node search remembers such columns and never tallies them again in that subtree, as
//! scikit-learn's splitter does. On wide, sparse gene features (~1,200 GO-membership columns,
//! mostly zero) most tried columns are constant a few levels down, and tallying them was
//! 85 % of a forest's fit. Skipping a column that cannot split changes no tree.

use rand::{seq::index::sample, Rng};
use rayon::prelude::*;

use super::{bins::Binned, tree::Tree, MAX_BINS};

/// Nodes with at most this many rows tally only the bins they touch instead of sweeping full
/// histograms, which would cost more than the rows themselves.
const SMALL_NODE: usize = 256;

/// Histogram work (rows × features) above which boosting fills features in parallel.
const PARALLEL_WORK: usize = 1 << 13;

/// How a tree may grow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GrowParams {
    /// Deepest split level; `None`: unlimited.
    pub max_depth: Option<usize>,
    /// Most leaves, grown best-first; `None`: unlimited, grown depth-first.
    pub max_leaves: Option<usize>,
    /// Fewest rows a node needs to be split.
    pub min_samples_split: usize,
    /// Fewest rows each child must keep.
    pub min_samples_leaf: usize,
    /// Features considered at each node (all of them when ≥ the number of features).
    pub max_features: usize,
    /// L2 penalty on leaf values (0 for forests).
    pub l2: f64,
    /// Fill histograms of large nodes on several threads (off inside an already parallel
    /// forest).
    pub parallel: bool,
}

/// Per-row inputs: `sum[r]` = weight × target, and `weight[r]`, or 1 for every row when
/// `weight` is `None` (boosting with squared loss), which spares the histograms a column.
pub(crate) struct Targets<'a> {
    pub sum: &'a [f64],
    pub weight: Option<&'a [f64]>,
}

/// A leaf of a grown tree: its node, the slice `start..end` of `rows` it holds, its value.
pub(crate) struct Leaf {
    pub node: u32,
    pub start: usize,
    pub end: usize,
    pub value: f64,
}

/// A grown tree and its leaves.
pub(crate) struct Grown {
    pub tree: Tree,
    pub leaves: Vec<Leaf>,
}

/// `repr(C)`: `sum` and `weight` adjacent, so an unweighted fill adds both in one vector op.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
struct Entry {
    sum: f64,
    weight: f64,
    count: u32,
}

impl Entry {
    fn add(&mut self, o: &Entry) {
        self.sum += o.sum;
        self.weight += o.weight;
        self.count += o.count;
    }

    fn minus(&self, o: &Entry) -> Entry {
        Entry {
            sum: self.sum - o.sum,
            weight: self.weight - o.weight,
            count: self.count - o.count,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Split {
    feature: usize,
    bin: usize,
    gain: f64,
}

/// A leaf of the growing tree that may still be split.
struct Open {
    node: u32,
    start: usize,
    end: usize,
    depth: usize,
    total: Entry,
    /// Full histogram over all features, kept for the children's subtraction.
    hist: Option<Vec<Entry>>,
    split: Option<Split>,
    /// Whether `split` is already the result of a search.
    searched: bool,
    /// Columns known to be constant over the node's rows (a bit per column).
    constant: Constant,
}

/// A set of columns, a bit each: cheap to copy into both children.
#[derive(Debug, Clone)]
struct Constant(Vec<u64>);

impl Constant {
    fn none(columns: usize) -> Self {
        Self(vec![0; columns.div_ceil(64)])
    }

    fn contains(&self, column: usize) -> bool {
        self.0[column / 64] & (1 << (column % 64)) != 0
    }

    fn insert(&mut self, column: usize) {
        self.0[column / 64] |= 1 << (column % 64);
    }
}

/// The better of two splits, the first on ties (so that a parallel reduction over ascending
/// features gives what a sequential one would).
fn better(a: Option<Split>, b: Option<Split>) -> Option<Split> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.gain > x.gain { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

struct Grower<'a> {
    binned: &'a Binned,
    targets: Targets<'a>,
    params: &'a GrowParams,
    all_features: bool,
}

/// Grows a tree over `rows` (each present once; their order is changed).
pub(crate) fn grow(
    binned: &Binned,
    targets: Targets<'_>,
    rows: &mut [u32],
    params: &GrowParams,
    rng: &mut impl Rng,
) -> Grown {
    let g = Grower {
        binned,
        all_features: params.max_features >= binned.features(),
        targets,
        params,
    };
    let mut total = Entry::default();
    for &r in rows.iter() {
        total.add(&g.entry(r));
    }
    let mut tree = Tree::leaf(0.0);
    let mut leaves = Vec::new();
    let mut open = Vec::new();
    let root = Open {
        node: 0,
        start: 0,
        end: rows.len(),
        depth: 0,
        total,
        hist: None,
        split: None,
        searched: false,
        constant: Constant::none(binned.features()),
    };
    let mut n_leaves = 1;
    let mut spill = Vec::new();
    g.evaluate(root, rows, rng, &mut tree, &mut open, &mut leaves);
    while let Some(parent) = g.next(&mut open) {
        if g.params.max_leaves.is_some_and(|m| n_leaves >= m) {
            g.finish(parent, &mut tree, &mut leaves);
            continue;
        }
        n_leaves += 1;
        let Some(split) = parent.split else {
            unreachable!("only splittable nodes stay open")
        };
        let mid =
            g.partition(&mut rows[parent.start..parent.end], split, &mut spill) + parent.start;
        let threshold = binned.threshold(split.feature, split.bin);
        let left_node = tree.push_leaf(0.0);
        let right_node = tree.push_leaf(0.0);
        tree.split(parent.node, split.feature, threshold, left_node, right_node);
        let (l, r) = (parent.start..mid, mid..parent.end);
        let left_total = match &parent.hist {
            Some(hist) => {
                let o = binned.offset(split.feature);
                hist[o..=o + split.bin]
                    .iter()
                    .fold(Entry::default(), |mut e, b| {
                        e.add(b);
                        e
                    })
            }
            None => l.clone().fold(Entry::default(), |mut e, i| {
                e.add(&g.entry(rows[i]));
                e
            }),
        };
        let right_total = parent.total.minus(&left_total);
        let child = |node, range: std::ops::Range<usize>, total| Open {
            node,
            start: range.start,
            end: range.end,
            depth: parent.depth + 1,
            total,
            hist: None,
            split: None,
            searched: false,
            constant: parent.constant.clone(),
        };
        let mut left = child(left_node, l, left_total);
        let mut right = child(right_node, r, right_total);
        if g.params.max_leaves.is_some_and(|m| n_leaves >= m) {
            // No further split is allowed: no histograms, no split search.
            g.finish(left, &mut tree, &mut leaves);
            g.finish(right, &mut tree, &mut leaves);
            continue;
        }
        if let Some(mut hist) = parent.hist {
            // The smaller child's histogram is filled, the larger's is what remains.
            let (small, large) = if left.end - left.start <= right.end - right.start {
                (&mut left, &mut right)
            } else {
                (&mut right, &mut left)
            };
            if g.needs_histogram(large.end - large.start) {
                let mut small_hist = vec![Entry::default(); binned.total_bins()];
                let (small_split, large_split) =
                    g.fill_subtract_search(rows, small, large, &mut small_hist, &mut hist);
                (small.split, small.searched, small.hist) = (small_split, true, Some(small_hist));
                (large.split, large.searched, large.hist) = (large_split, true, Some(hist));
            }
        }
        g.evaluate(left, rows, rng, &mut tree, &mut open, &mut leaves);
        g.evaluate(right, rows, rng, &mut tree, &mut open, &mut leaves);
    }
    Grown { tree, leaves }
}

impl Grower<'_> {
    fn entry(&self, r: u32) -> Entry {
        let r = r as usize;
        Entry {
            sum: self.targets.sum[r],
            weight: self.targets.weight.map_or(1.0, |w| w[r]),
            count: 1,
        }
    }

    fn leaf_value(&self, total: &Entry) -> f64 {
        if total.weight + self.params.l2 > 0.0 {
            total.sum / (total.weight + self.params.l2)
        } else {
            0.0
        }
    }

    fn score(&self, e: &Entry) -> f64 {
        e.sum * e.sum / (e.weight + self.params.l2)
    }

    fn needs_histogram(&self, rows: usize) -> bool {
        self.all_features && rows > SMALL_NODE
    }

    /// The next node to split: the best gain when leaves are limited, else the last opened.
    fn next(&self, open: &mut Vec<Open>) -> Option<Open> {
        if self.params.max_leaves.is_some() {
            let best = (0..open.len()).max_by(|&a, &b| {
                let gain = |i: usize| open[i].split.map_or(f64::MIN, |s| s.gain);
                gain(a).total_cmp(&gain(b)).then(b.cmp(&a))
            })?;
            Some(open.swap_remove(best))
        } else {
            open.pop()
        }
    }

    fn finish(&self, node: Open, tree: &mut Tree, leaves: &mut Vec<Leaf>) {
        let value = self.leaf_value(&node.total);
        tree.set_value(node.node, value as f32);
        leaves.push(Leaf {
            node: node.node,
            start: node.start,
            end: node.end,
            value,
        });
    }

    /// Finds the node's best split; keeps it open if there is one, else makes it a leaf.
    fn evaluate(
        &self,
        mut node: Open,
        rows: &[u32],
        rng: &mut impl Rng,
        tree: &mut Tree,
        open: &mut Vec<Open>,
        leaves: &mut Vec<Leaf>,
    ) {
        let n = node.end - node.start;
        let p = self.params;
        if !node.searched && self.splittable(&node) {
            let node_rows = &rows[node.start..node.end];
            let mut candidates: Vec<usize> = if self.all_features {
                (0..self.binned.features()).collect()
            } else {
                let mut c = sample(rng, self.binned.features(), p.max_features).into_vec();
                c.sort_unstable();
                c
            };
            candidates.retain(|&f| !node.constant.contains(f));
            if self.needs_histogram(n) && node.hist.is_none() {
                let mut hist = vec![Entry::default(); self.binned.total_bins()];
                self.fill(node_rows, &mut hist);
                node.hist = Some(hist);
            }
            node.split = match &node.hist {
                Some(hist) => self.best_from_histogram(hist, &candidates, &node.total),
                None => self.best_by_tally(node_rows, &candidates, &node.total, &mut node.constant),
            };
        }
        if node.split.is_some() {
            open.push(node);
        } else {
            self.finish(node, tree, leaves);
        }
    }

    fn splittable(&self, node: &Open) -> bool {
        let (n, p) = (node.end - node.start, self.params);
        n >= p.min_samples_split.max(2)
            && n >= 2 * p.min_samples_leaf.max(1)
            && p.max_depth.is_none_or(|d| node.depth < d)
    }

    /// The children of a split node in one pass over the features: fills the smaller child's
    /// histogram, turns the parent's into the larger child's by subtraction, and searches
    /// both (one parallel region per split instead of four: waking threads is not free).
    fn fill_subtract_search(
        &self,
        rows: &[u32],
        small: &Open,
        large: &Open,
        small_hist: &mut [Entry],
        parent_hist: &mut [Entry],
    ) -> (Option<Split>, Option<Split>) {
        let small_rows = &rows[small.start..small.end];
        let (search_small, search_large) = (self.splittable(small), self.splittable(large));
        let gathered = self.gather(small_rows);
        let features = self.binned.features();
        let mut slices = Vec::with_capacity(features);
        let (mut s_rest, mut p_rest) = (small_hist, parent_hist);
        for f in 0..features {
            let b = self.binned.bins(f);
            let (s_head, s_tail) = s_rest.split_at_mut(b);
            let (p_head, p_tail) = p_rest.split_at_mut(b);
            slices.push((f, s_head, p_head));
            (s_rest, p_rest) = (s_tail, p_tail);
        }
        let one = |(f, s, p): (usize, &mut [Entry], &mut [Entry])| {
            self.fill_feature(f, small_rows, &gathered, s);
            for (p, s) in p.iter_mut().zip(s.iter()) {
                *p = p.minus(s);
            }
            let mut found = (None, None);
            if search_small {
                self.scan(f, s.iter().copied().enumerate(), &small.total, &mut found.0);
            }
            if search_large {
                self.scan(f, p.iter().copied().enumerate(), &large.total, &mut found.1);
            }
            found
        };
        let both = |a: (Option<Split>, Option<Split>), b: (Option<Split>, Option<Split>)| {
            (better(a.0, b.0), better(a.1, b.1))
        };
        if self.params.parallel && rows.len() * features >= PARALLEL_WORK {
            slices
                .into_par_iter()
                .map(one)
                .reduce(|| (None, None), both)
        } else {
            slices.into_iter().map(one).fold((None, None), both)
        }
    }

    /// The rows' target sums and weights, in row order, read once for every feature.
    fn gather(&self, rows: &[u32]) -> (Vec<f64>, Option<Vec<f64>>) {
        let sums = rows.iter().map(|&r| self.targets.sum[r as usize]).collect();
        let weights = self
            .targets
            .weight
            .map(|w| rows.iter().map(|&r| w[r as usize]).collect());
        (sums, weights)
    }

    /// Fills feature `f`'s histogram `h` over `rows` with their `gathered` sums and weights.
    fn fill_feature(
        &self,
        f: usize,
        rows: &[u32],
        (sums, weights): &(Vec<f64>, Option<Vec<f64>>),
        h: &mut [Entry],
    ) {
        let column = self.binned.column(f);
        match weights {
            Some(weights) => {
                for ((&r, &s), &w) in rows.iter().zip(sums).zip(weights) {
                    let e = &mut h[column[r as usize] as usize];
                    e.sum += s;
                    e.weight += w;
                    e.count += 1;
                }
            }
            None => {
                for (&r, &s) in rows.iter().zip(sums) {
                    let e = &mut h[column[r as usize] as usize];
                    e.sum += s;
                    e.weight += 1.0;
                }
                // Unit weights: the weight is the count, exactly (below 2^53 rows).
                h.iter_mut().for_each(|e| e.count = e.weight as u32);
            }
        }
    }

    /// Fills the histogram of all features over `rows`.
    fn fill(&self, rows: &[u32], hist: &mut [Entry]) {
        let features = self.binned.features();
        let mut slices = Vec::with_capacity(features);
        let mut rest = hist;
        for f in 0..features {
            let (head, tail) = rest.split_at_mut(self.binned.bins(f));
            slices.push((f, head));
            rest = tail;
        }
        let gathered = self.gather(rows);
        let fill_one = |(f, h): (usize, &mut [Entry])| self.fill_feature(f, rows, &gathered, h);
        if self.params.parallel && rows.len() * features >= PARALLEL_WORK {
            slices.into_par_iter().for_each(fill_one);
        } else {
            slices.into_iter().for_each(fill_one);
        }
    }

    fn best_from_histogram(
        &self,
        hist: &[Entry],
        candidates: &[usize],
        total: &Entry,
    ) -> Option<Split> {
        let one = |f: usize| {
            let o = self.binned.offset(f);
            let mut best = None;
            let bins = hist[o..o + self.binned.bins(f)].iter().copied().enumerate();
            self.scan(f, bins, total, &mut best);
            best
        };
        if self.params.parallel && hist.len() >= PARALLEL_WORK / 4 {
            candidates
                .par_iter()
                .map(|&f| one(f))
                .reduce(|| None, better)
        } else {
            candidates.iter().map(|&f| one(f)).fold(None, better)
        }
    }

    /// For small nodes: per feature, tally only the bins the rows touch (and clear only
    /// those, so a small node does not pay for sweeping 256 bins per feature). The features
    /// whose rows all fall in one bin join `constant`.
    fn best_by_tally(
        &self,
        rows: &[u32],
        candidates: &[usize],
        total: &Entry,
        constant: &mut Constant,
    ) -> Option<Split> {
        let one = |(tally, touched): &mut (Vec<Entry>, Vec<u8>), f: usize| {
            let column = self.binned.column(f);
            touched.clear();
            for &r in rows {
                let b = column[r as usize];
                if tally[b as usize].count == 0 {
                    touched.push(b);
                }
                tally[b as usize].add(&self.entry(r));
            }
            let mut best = None;
            let one_bin = touched.len() <= 1;
            if !one_bin {
                touched.sort_unstable();
                let bins = touched.iter().map(|&b| (b as usize, tally[b as usize]));
                self.scan(f, bins, total, &mut best);
            }
            for &b in touched.iter() {
                tally[b as usize] = Entry::default();
            }
            (best, one_bin)
        };
        let scratch = || {
            (
                vec![Entry::default(); MAX_BINS],
                Vec::with_capacity(rows.len()),
            )
        };
        let searched: Vec<(Option<Split>, bool)> =
            if self.params.parallel && rows.len() * candidates.len() >= PARALLEL_WORK {
                candidates
                    .par_iter()
                    .map_init(scratch, |s, &f| one(s, f))
                    .collect()
            } else {
                let mut s = scratch();
                candidates.iter().map(|&f| one(&mut s, f)).collect()
            };
        // In ascending feature order, as a sequential search would: ties go to the first.
        let mut best = None;
        for (&f, (split, one_bin)) in candidates.iter().zip(searched) {
            if one_bin {
                constant.insert(f);
            }
            best = better(best, split);
        }
        best
    }

    /// Sweeps one feature's bins in order, splitting after each, keeping the best gain.
    fn scan(
        &self,
        feature: usize,
        bins: impl Iterator<Item = (usize, Entry)>,
        total: &Entry,
        best: &mut Option<Split>,
    ) {
        let min_leaf = self.params.min_samples_leaf.max(1) as u32;
        let parent = self.score(total);
        let mut left = Entry::default();
        for (bin, e) in bins {
            left.add(&e);
            let right = total.minus(&left);
            if right.count < min_leaf {
                break;
            }
            if left.count < min_leaf || e.count == 0 || left.weight <= 0.0 || right.weight <= 0.0 {
                continue;
            }
            let gain = self.score(&left) + self.score(&right) - parent;
            // A gain lost in rounding is no split.
            if gain > 1e-12 * parent.abs().max(1e-12) && best.is_none_or(|b| gain > b.gain) {
                *best = Some(Split { feature, bin, gain });
            }
        }
    }

    /// Moves rows going left to the front, keeping each side's order (ascending rows read
    /// the columns in order); `spill` is scratch space. Returns the number going left.
    fn partition(&self, rows: &mut [u32], split: Split, spill: &mut Vec<u32>) -> usize {
        let column = self.binned.column(split.feature);
        spill.clear();
        spill.resize(rows.len(), 0);
        // Branch-free: every row is written to both sides and the side it belongs to
        // advances; a split is a coin flip the branch predictor cannot learn.
        let (mut k, mut j) = (0, 0);
        for i in 0..rows.len() {
            let r = rows[i];
            let left = usize::from(column[r as usize] as usize <= split.bin);
            rows[k] = r;
            spill[j] = r;
            k += left;
            j += 1 - left;
        }
        spill.truncate(j);
        rows[k..].copy_from_slice(spill);
        k
    }
}
