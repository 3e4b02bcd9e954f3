//! SGA strain identifiers, `ORF_suffixNNN` (`YAL002W_dma23`, `YAL001C_tsa508`), whose suffix
//! names how the gene was perturbed in the Costanzo and Kuzmin collections.

use ironcell_core::{Perturbation, PerturbationKind, SystematicName};

/// A parsed SGA strain id: the id itself, its gene and how the gene is perturbed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Strain {
    /// The id as written, e.g. `YAL002W_dma23`.
    pub id: String,
    /// The perturbed gene.
    pub gene: SystematicName,
    /// The perturbation the suffix names.
    pub kind: PerturbationKind,
}

impl Strain {
    /// Parses `ORF_suffixNNN`.
    ///
    /// Suffixes: `dma` KanMX deletion (array), `sn` NatMX deletion (query), `tm` a Kuzmin
    /// double-mutant query (NatMX deletions), `damp` DAmP, `tsa`/`tsq` temperature-sensitive
    /// allele (array/query), `S` suppressor allele. Anything else is rejected with a message.
    ///
    /// ```
    /// use ironcell_core::PerturbationKind;
    /// use ironcell_sources::strain::Strain;
    ///
    /// let strain = Strain::parse("YAL002W_dma23")?;
    /// assert_eq!(strain.gene.as_str(), "YAL002W");
    /// assert_eq!(strain.kind, PerturbationKind::DeletionKanMx);
    /// assert_eq!(strain.perturbation("vps8").name(), "vps8");
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse(id: &str) -> Result<Self, String> {
        let (orf, suffix) = id
            .split_once('_')
            .ok_or_else(|| format!("strain id {id:?}: expected ORF_suffixNNN"))?;
        let gene: SystematicName = orf.parse().map_err(|e| format!("strain id {id:?}: {e}"))?;
        let tag = suffix.trim_end_matches(|c: char| c.is_ascii_digit());
        let kind = match tag {
            "dma" => PerturbationKind::DeletionKanMx,
            "sn" | "tm" => PerturbationKind::DeletionNatMx,
            "damp" => PerturbationKind::Damp,
            "tsa" | "tsq" => PerturbationKind::TemperatureSensitive,
            "S" => PerturbationKind::Suppressor,
            _ => {
                return Err(format!(
                "strain id {id:?}: unknown suffix {tag:?} (expected dma, sn, tm, damp, tsa, tsq or S)"
            ))
            }
        };
        Ok(Self {
            id: id.to_owned(),
            gene,
            kind,
        })
    }

    /// The perturbation this strain carries, under the source's allele name.
    pub fn perturbation(&self, allele: &str) -> Perturbation {
        Perturbation::new(self.gene.clone(), self.kind)
            .with_name(allele)
            .with_strain(self.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suffix_maps_to_its_kind() {
        let kind = |id| Strain::parse(id).unwrap().kind;
        assert_eq!(kind("YAL002W_sn273"), PerturbationKind::DeletionNatMx);
        assert_eq!(kind("YAL001C_damp174"), PerturbationKind::Damp);
        assert_eq!(
            kind("YAL001C_tsq508"),
            PerturbationKind::TemperatureSensitive
        );
        assert_eq!(kind("YBR126C_S26"), PerturbationKind::Suppressor);
        assert!(Strain::parse("YAL001C_xyz1")
            .unwrap_err()
            .contains("unknown suffix"));
        assert!(Strain::parse("YAL001C").is_err());
    }
}
