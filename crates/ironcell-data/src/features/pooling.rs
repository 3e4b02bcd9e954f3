//! One feature vector per genotype from its genes' vectors.
//!
//! ```
//! use ironcell_data::features::{pooling::{Pooler, Pooling}, GeneFeatures};
//! let features = GeneFeatures {
//!     genes: vec!["YAL001C".parse().unwrap(), "YAL002W".parse().unwrap()],
//!     columns: vec!["a".into(), "b".into()],
//!     values: vec![1.0, 2.0, 10.0, 20.0],
//! };
//! let pooler = Pooler::new(Pooling::Concat, &features, 2);
//! let mut row = vec![0.0; pooler.width()];
//! pooler.pool(&[1], &features, &mut row).unwrap();
//! assert_eq!(row, [10.0, 20.0, 0.0, 0.0]); // one gene: the second slot stays empty
//! ```

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::GeneFeatures;
use crate::instances::Instances;

/// How a genotype's gene vectors become one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// Sum over the perturbed genes.
    Sum,
    /// Mean over the perturbed genes.
    Mean,
    /// The perturbed genes' vectors side by side, in gene order, zero-padded to the largest
    /// genotype.
    Concat,
    /// Sum over all genes of the universe except the perturbed ones (TorchCell's "intact").
    Intact,
}

impl FromStr for Pooling {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sum" => Ok(Self::Sum),
            "mean" => Ok(Self::Mean),
            "concat" => Ok(Self::Concat),
            "intact" => Ok(Self::Intact),
            _ => Err(format!(
                "unknown pooling {s:?}: expected sum, mean, concat or intact"
            )),
        }
    }
}

impl fmt::Display for Pooling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sum => "sum",
            Self::Mean => "mean",
            Self::Concat => "concat",
            Self::Intact => "intact",
        })
    }
}

/// A genotype has more genes than a concatenation has slots.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a genotype of {genes} genes does not fit a concatenation of {slots}")]
pub struct TooManyGenes {
    /// The genotype's size.
    pub genes: usize,
    /// The slots.
    pub slots: usize,
}

/// Pools gene vectors under one rule; for [`Pooling::Intact`] it keeps the universe's sum.
#[derive(Debug, Clone, PartialEq)]
pub struct Pooler {
    pooling: Pooling,
    slots: usize,
    dim: usize,
    total: Vec<f32>,
}

impl Pooler {
    /// A pooler over `features`; `slots` is the concatenation's number of genes (ignored by
    /// the other rules).
    pub fn new(pooling: Pooling, features: &GeneFeatures, slots: usize) -> Self {
        let d = features.dim();
        let mut total = vec![0.0f32; if pooling == Pooling::Intact { d } else { 0 }];
        if pooling == Pooling::Intact {
            for i in 0..features.genes.len() {
                for (t, v) in total.iter_mut().zip(features.row(i)) {
                    *t += v;
                }
            }
        }
        Self {
            pooling,
            slots: slots.max(1),
            dim: d,
            total,
        }
    }

    /// Length of a pooled vector.
    pub fn width(&self) -> usize {
        match self.pooling {
            Pooling::Concat => self.slots * self.dim,
            _ => self.dim,
        }
    }

    /// The rule.
    pub fn pooling(&self) -> Pooling {
        self.pooling
    }

    /// Writes the pooled vector of the genes with rows `genes` (sorted, as the instance store
    /// keeps them) into `out` (length [`Self::width`]).
    pub fn pool(
        &self,
        genes: &[u32],
        features: &GeneFeatures,
        out: &mut [f32],
    ) -> Result<(), TooManyGenes> {
        let d = self.dim;
        debug_assert_eq!(d, features.dim());
        match self.pooling {
            Pooling::Concat => {
                if genes.len() > self.slots {
                    return Err(TooManyGenes {
                        genes: genes.len(),
                        slots: self.slots,
                    });
                }
                out.fill(0.0);
                for (slot, &g) in genes.iter().enumerate() {
                    out[slot * d..(slot + 1) * d].copy_from_slice(features.row(g as usize));
                }
            }
            Pooling::Sum | Pooling::Mean | Pooling::Intact => {
                out.fill(0.0);
                for &g in genes {
                    for (o, v) in out.iter_mut().zip(features.row(g as usize)) {
                        *o += v;
                    }
                }
                match self.pooling {
                    Pooling::Mean if !genes.is_empty() => {
                        let n = genes.len() as f32;
                        out.iter_mut().for_each(|o| *o /= n);
                    }
                    Pooling::Intact => {
                        for (o, t) in out.iter_mut().zip(&self.total) {
                            *o = t - *o;
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

impl Pooler {
    /// The pooled rows of instances `rows` of `instances`, row-major.
    pub fn pool_instances(
        &self,
        instances: &Instances,
        rows: &[usize],
        features: &GeneFeatures,
    ) -> Result<Vec<f32>, TooManyGenes> {
        let w = self.width();
        let mut out = vec![0.0f32; rows.len() * w];
        for (chunk, &i) in out.chunks_exact_mut(w.max(1)).zip(rows) {
            self.pool(instances.genes(i), features, chunk)?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features() -> GeneFeatures {
        GeneFeatures {
            genes: ["YAL001C", "YAL002W", "YAL003W"]
                .iter()
                .map(|g| g.parse().unwrap())
                .collect(),
            columns: vec!["a".into(), "b".into()],
            values: vec![1.0, 2.0, 10.0, 20.0, 100.0, 200.0],
        }
    }

    fn pooled(pooling: Pooling, genes: &[u32]) -> Vec<f32> {
        let f = features();
        let p = Pooler::new(pooling, &f, 2);
        let mut out = vec![f32::NAN; p.width()];
        p.pool(genes, &f, &mut out).unwrap();
        out
    }

    #[test]
    fn each_rule() {
        assert_eq!(pooled(Pooling::Sum, &[0, 2]), [101.0, 202.0]);
        assert_eq!(pooled(Pooling::Mean, &[0, 2]), [50.5, 101.0]);
        assert_eq!(pooled(Pooling::Concat, &[0, 2]), [1.0, 2.0, 100.0, 200.0]);
        assert_eq!(pooled(Pooling::Intact, &[0, 2]), [10.0, 20.0]);
        let f = features();
        let p = Pooler::new(Pooling::Concat, &f, 2);
        let mut out = vec![0.0; 4];
        assert_eq!(
            p.pool(&[0, 1, 2], &f, &mut out),
            Err(TooManyGenes { genes: 3, slots: 2 })
        );
        for rule in ["sum", "mean", "concat", "intact"] {
            assert_eq!(rule.parse::<Pooling>().unwrap().to_string(), rule);
        }
    }
}
