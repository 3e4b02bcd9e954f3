use serde::{Deserialize, Serialize};

use crate::{ContentId, Error, ErrorKind, SystematicName};

/// How a gene was perturbed.
///
/// The allele itself (`cdc28-1`, `vps8Δ`) is the [`Perturbation`]'s name; the kind says what
/// that allele does to the gene, which is what models need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerturbationKind {
    /// Deletion marked with KanMX (SGA array strains, `_dma`; the deletion collection).
    DeletionKanMx,
    /// Deletion marked with NatMX (SGA query strains, `_sn`, and Kuzmin `_tm` queries).
    DeletionNatMx,
    /// A deletion whose selection marker the source does not state: E-MAP matrices are
    /// symmetrised, so neither gene of a pair is known to be the NatMX query.
    Deletion,
    /// Decreased Abundance by mRNA Perturbation: expression reduced to 0.1–0.25 of wild type.
    Damp,
    /// A temperature-sensitive allele of an essential gene.
    TemperatureSensitive,
    /// A suppressor allele (Costanzo's `_S` strains).
    Suppressor,
    /// Any other allele (point mutant, truncation) whose effect the source does not classify.
    Allele,
}

impl PerturbationKind {
    /// Whether the gene's product is gone entirely, which is what DCell's binary gene state
    /// models.
    pub fn is_deletion(self) -> bool {
        matches!(
            self,
            Self::DeletionKanMx | Self::DeletionNatMx | Self::Deletion
        )
    }
}

/// One perturbed gene: which gene, how, the allele name the source gives it, and the SGA
/// strain that carries it when there is one.
///
/// ```
/// use ironcell_core::{Perturbation, PerturbationKind};
///
/// let p = Perturbation::new("YBR160W".parse()?, PerturbationKind::TemperatureSensitive)
///     .with_name("cdc28-1")
///     .with_strain("YBR160W_tsa85");
/// assert_eq!(p.name(), "cdc28-1");
/// assert_eq!(p.strain(), Some("YBR160W_tsa85"));
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Perturbation {
    gene: SystematicName,
    kind: PerturbationKind,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    strain: Option<String>,
}

impl Perturbation {
    /// A perturbation of `gene`, named by the gene's systematic name until
    /// [`with_name`](Self::with_name) gives the allele.
    pub fn new(gene: SystematicName, kind: PerturbationKind) -> Self {
        let name = gene.as_str().to_owned();
        Self {
            gene,
            kind,
            name,
            strain: None,
        }
    }

    /// The perturbed (allele) name as the source writes it, `Δ` and `'` included.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The strain id that carries the perturbation, e.g. `YAL002W_dma23`.
    pub fn with_strain(mut self, strain: impl Into<String>) -> Self {
        self.strain = Some(strain.into());
        self
    }

    /// The perturbed gene.
    pub fn gene(&self) -> &SystematicName {
        &self.gene
    }

    /// How it was perturbed.
    pub fn kind(&self) -> PerturbationKind {
        self.kind
    }

    /// The allele name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The carrying strain, when the source names one.
    pub fn strain(&self) -> Option<&str> {
        self.strain.as_deref()
    }
}

/// A canonical, non-empty set of perturbations, each of a different gene.
///
/// Sorted on construction, so equal genotypes compare, hash and serialize equal whatever
/// order a file lists their genes in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Perturbation>", into = "Vec<Perturbation>")]
pub struct Genotype(Vec<Perturbation>);

impl Genotype {
    /// Builds the canonical genotype. Fails when `perturbations` is empty or perturbs one
    /// gene twice.
    pub fn new(perturbations: impl IntoIterator<Item = Perturbation>) -> Result<Self, Error> {
        let mut v: Vec<Perturbation> = perturbations.into_iter().collect();
        if v.is_empty() {
            return Err(Error::new(ErrorKind::InvalidGenotype, "no perturbations"));
        }
        v.sort();
        if let Some(w) = v.windows(2).find(|w| w[0].gene == w[1].gene) {
            return Err(Error::new(
                ErrorKind::InvalidGenotype,
                format!("gene {} perturbed twice", w[0].gene),
            ));
        }
        Ok(Self(v))
    }

    /// The perturbations, sorted by gene.
    pub fn perturbations(&self) -> &[Perturbation] {
        &self.0
    }

    /// The perturbed genes, sorted.
    pub fn genes(&self) -> impl Iterator<Item = &SystematicName> {
        self.0.iter().map(Perturbation::gene)
    }

    /// How many genes are perturbed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a genotype has at least one perturbation. Present for API symmetry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every perturbation is a full deletion.
    pub fn is_all_deletions(&self) -> bool {
        self.0.iter().all(|p| p.kind.is_deletion())
    }

    /// The content address of this genotype.
    pub fn content_id(&self) -> ContentId {
        ContentId::of(self)
    }
}

impl TryFrom<Vec<Perturbation>> for Genotype {
    type Error = Error;

    fn try_from(v: Vec<Perturbation>) -> Result<Self, Self::Error> {
        Self::new(v)
    }
}

impl From<Genotype> for Vec<Perturbation> {
    fn from(g: Genotype) -> Self {
        g.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn del(name: &str) -> Perturbation {
        Perturbation::new(name.parse().unwrap(), PerturbationKind::DeletionKanMx)
    }

    #[test]
    fn rejects_empty_and_repeated_genes() {
        assert!(Genotype::new([]).is_err());
        let twice = Genotype::new([del("YAL001C"), del("YAL001C")]).unwrap_err();
        assert_eq!(twice.kind(), ErrorKind::InvalidGenotype);
    }

    #[test]
    fn serde_round_trip_keeps_canonical_order() {
        let g = Genotype::new([del("YBR001C"), del("YAL001C")]).unwrap();
        let json = serde_json::to_string(&g).unwrap();
        let back: Genotype = serde_json::from_str(&json).unwrap();
        assert_eq!(back, g);
        assert_eq!(back.genes().next().unwrap().as_str(), "YAL001C");
    }
}
