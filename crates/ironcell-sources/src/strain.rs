//! SGA strain identifiers, `ORF_suffixNNN` (`YAL002W_dma23`, `YAL001C_tsa508`), whose suffix
//! names how the gene was perturbed in the Costanzo and Kuzmin collections.

use ironcell_core::{PerturbationKind, SystematicName};

/// Splits a strain id into its gene and perturbation kind.
///
/// Suffixes: `dma` KanMX deletion (array), `sn` NatMX deletion (query), `tm` a Kuzmin
/// double-mutant query (NatMX deletions), `damp` DAmP, `tsa`/`tsq` temperature-sensitive
/// allele (array/query; `allele` names it), `S` suppressor allele. Anything else is rejected with a message.
///
/// ```
/// use ironcell_core::PerturbationKind;
/// use ironcell_sources::strain::parse_strain_id;
///
/// let (gene, kind) = parse_strain_id("YAL002W_dma23", "vps8")?;
/// assert_eq!(gene.as_str(), "YAL002W");
/// assert_eq!(kind, PerturbationKind::DeletionKanMx);
/// # Ok::<(), String>(())
/// ```
pub fn parse_strain_id(
    id: &str,
    allele: &str,
) -> Result<(SystematicName, PerturbationKind), String> {
    let (orf, suffix) = id
        .split_once('_')
        .ok_or_else(|| format!("strain id {id:?}: expected ORF_suffixNNN"))?;
    let gene: SystematicName = orf.parse().map_err(|e| format!("strain id {id:?}: {e}"))?;
    let tag = suffix.trim_end_matches(|c: char| c.is_ascii_digit());
    let kind = match tag {
        "dma" => PerturbationKind::DeletionKanMx,
        "sn" | "tm" => PerturbationKind::DeletionNatMx,
        "damp" => PerturbationKind::Damp,
        "tsa" | "tsq" => PerturbationKind::TemperatureSensitive {
            allele: allele.to_owned(),
        },
        "S" => PerturbationKind::Suppressor {
            allele: allele.to_owned(),
        },
        _ => {
            return Err(format!(
            "strain id {id:?}: unknown suffix {tag:?} (expected dma, sn, tm, damp, tsa, tsq or S)"
        ))
        }
    };
    Ok((gene, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suffix_maps_to_its_kind() {
        let kind = |id| parse_strain_id(id, "x").unwrap().1;
        assert_eq!(kind("YAL002W_sn273"), PerturbationKind::DeletionNatMx);
        assert_eq!(kind("YAL001C_damp174"), PerturbationKind::Damp);
        assert!(matches!(
            kind("YAL001C_tsq508"),
            PerturbationKind::TemperatureSensitive { .. }
        ));
        assert!(matches!(
            kind("YBR126C_S26"),
            PerturbationKind::Suppressor { .. }
        ));
        assert!(parse_strain_id("YAL001C_xyz1", "x")
            .unwrap_err()
            .contains("unknown suffix"));
        assert!(parse_strain_id("YAL001C", "x").is_err());
    }
}
