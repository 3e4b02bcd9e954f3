//! Gene names to systematic names, through the reference: screens that publish standard
//! names (`CDC28`), synonyms or lower-case ORFs are mapped here, and a name that maps to
//! nothing, or to several genes, says so instead of guessing.

use std::collections::HashMap;

use ironcell_core::SystematicName;

use crate::reference::Gene;

/// Why a name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// No gene has this name.
    Unknown,
    /// Several genes have it as a synonym.
    Ambiguous(Vec<SystematicName>),
}

/// A name index over the reference genes.
///
/// Precedence: a well-formed systematic name stands for itself; then a standard name; then a
/// synonym held by exactly one gene. Matching ignores case.
///
/// ```
/// use ironcell_sources::names::GeneNames;
///
/// let mut names = GeneNames::default();
/// names.insert(&"YBR160W".parse()?, Some("CDC28"), ["CDK1", "HSL5"]);
/// assert_eq!(names.resolve("cdc28").unwrap().as_str(), "YBR160W");
/// assert_eq!(names.resolve("CDK1").unwrap().as_str(), "YBR160W");
/// assert_eq!(names.resolve("yal001c").unwrap().as_str(), "YAL001C");
/// assert!(names.resolve("PAU8").is_err());
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct GeneNames {
    standard: HashMap<String, SystematicName>,
    synonyms: HashMap<String, Vec<SystematicName>>,
}

impl GeneNames {
    /// Indexes the reference genes.
    pub fn new(genes: &[Gene]) -> Self {
        let mut names = Self::default();
        for g in genes {
            names.insert(
                &g.systematic_name,
                g.standard_name.as_deref(),
                g.synonyms.iter().map(String::as_str),
            );
        }
        names
    }

    /// Adds one gene's names.
    pub fn insert<'a>(
        &mut self,
        gene: &SystematicName,
        standard: Option<&str>,
        synonyms: impl IntoIterator<Item = &'a str>,
    ) {
        if let Some(standard) = standard {
            self.standard
                .entry(standard.to_uppercase())
                .or_insert_with(|| gene.clone());
        }
        for s in synonyms {
            let held = self.synonyms.entry(s.to_uppercase()).or_default();
            if !held.contains(gene) {
                held.push(gene.clone());
            }
        }
    }

    /// The systematic name `name` stands for.
    pub fn resolve(&self, name: &str) -> Result<SystematicName, Unresolved> {
        if let Ok(systematic) = name.trim().parse::<SystematicName>() {
            return Ok(systematic);
        }
        let key = name.trim().to_uppercase();
        if let Some(s) = self.standard.get(&key) {
            return Ok(s.clone());
        }
        match self.synonyms.get(&key).map(Vec::as_slice) {
            Some([one]) => Ok(one.clone()),
            Some(many) if !many.is_empty() => Err(Unresolved::Ambiguous(many.to_vec())),
            _ => Err(Unresolved::Unknown),
        }
    }
}
