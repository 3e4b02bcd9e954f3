//! A fitted regression tree: flat nodes that compare raw feature values, so prediction needs
//! no binning.

use std::io::{self, Read, Write};

/// Marks a leaf in [`Node::feature`].
const LEAF: u32 = u32::MAX;

/// One node: a split `x[feature] ≤ threshold` → `left`, else `right`; or a leaf with `value`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node {
    feature: u32,
    threshold: f32,
    left: u32,
    right: u32,
    value: f32,
}

/// Bytes per node in [`Tree::write`].
const NODE_BYTES: usize = 20;

/// A regression tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// A tree of one leaf.
    pub(crate) fn leaf(value: f32) -> Self {
        let mut t = Self::default();
        t.push_leaf(value);
        t
    }

    /// Appends a leaf, returning its index.
    pub(crate) fn push_leaf(&mut self, value: f32) -> u32 {
        self.nodes.push(Node {
            feature: LEAF,
            threshold: 0.0,
            left: 0,
            right: 0,
            value,
        });
        (self.nodes.len() - 1) as u32
    }

    /// Turns leaf `node` into a split with the given children.
    pub(crate) fn split(
        &mut self,
        node: u32,
        feature: usize,
        threshold: f32,
        left: u32,
        right: u32,
    ) {
        let n = &mut self.nodes[node as usize];
        n.feature = feature as u32;
        n.threshold = threshold;
        n.left = left;
        n.right = right;
    }

    /// Sets a leaf's value.
    pub(crate) fn set_value(&mut self, node: u32, value: f32) {
        self.nodes[node as usize].value = value;
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree has no nodes (never, once fitted).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Number of leaves.
    pub fn leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.feature == LEAF).count()
    }

    /// Largest root-to-leaf depth (a single leaf has depth 0).
    pub fn depth(&self) -> usize {
        fn walk(t: &Tree, i: usize) -> usize {
            let n = &t.nodes[i];
            if n.feature == LEAF {
                0
            } else {
                1 + walk(t, n.left as usize).max(walk(t, n.right as usize))
            }
        }
        if self.nodes.is_empty() {
            0
        } else {
            walk(self, 0)
        }
    }

    /// The prediction for one row of raw features.
    pub fn predict(&self, x: &[f32]) -> f32 {
        let mut i = 0;
        loop {
            let n = &self.nodes[i];
            if n.feature == LEAF {
                return n.value;
            }
            i = if x[n.feature as usize] <= n.threshold {
                n.left
            } else {
                n.right
            } as usize;
        }
    }

    /// Writes the tree as a node count then 20 little-endian bytes per node.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(&(self.nodes.len() as u64).to_le_bytes())?;
        for n in &self.nodes {
            out.write_all(&n.feature.to_le_bytes())?;
            out.write_all(&n.threshold.to_le_bytes())?;
            out.write_all(&n.left.to_le_bytes())?;
            out.write_all(&n.right.to_le_bytes())?;
            out.write_all(&n.value.to_le_bytes())?;
        }
        Ok(())
    }

    /// Reads a tree [`Self::write`] wrote, checking that every child index and feature is in
    /// range (`features` columns) so a damaged file cannot make prediction loop or panic.
    pub fn read(input: &mut impl Read, features: usize) -> io::Result<Self> {
        let mut count = [0u8; 8];
        input.read_exact(&mut count)?;
        let count = u64::from_le_bytes(count) as usize;
        let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
        if count == 0 || count > u32::MAX as usize {
            return Err(bad(format!("a tree of {count} nodes")));
        }
        // Read as far as the file goes rather than allocating what its count declares: a
        // damaged count would otherwise ask for up to 85 GB before any check could refuse it.
        let want = count * NODE_BYTES;
        let mut bytes = Vec::new();
        input.take(want as u64).read_to_end(&mut bytes)?;
        if bytes.len() < want {
            return Err(bad(format!("the file ends inside a tree of {count} nodes")));
        }
        let word = |c: &[u8], k: usize| [c[4 * k], c[4 * k + 1], c[4 * k + 2], c[4 * k + 3]];
        let nodes: Vec<Node> = bytes
            .chunks_exact(NODE_BYTES)
            .map(|c| Node {
                feature: u32::from_le_bytes(word(c, 0)),
                threshold: f32::from_le_bytes(word(c, 1)),
                left: u32::from_le_bytes(word(c, 2)),
                right: u32::from_le_bytes(word(c, 3)),
                value: f32::from_le_bytes(word(c, 4)),
            })
            .collect();
        for (i, n) in nodes.iter().enumerate() {
            // Children come after their parent, so walking down always ends.
            let child_ok = |c: u32| (c as usize) > i && (c as usize) < count;
            if n.feature != LEAF
                && ((n.feature as usize) >= features || !child_ok(n.left) || !child_ok(n.right))
            {
                return Err(bad(format!(
                    "node {i} points outside the tree or the features"
                )));
            }
        }
        Ok(Self { nodes })
    }
}
