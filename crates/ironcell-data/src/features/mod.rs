//! Gene features for models that take vectors, not graphs: one-hot identity, codon usage and
//! k-mer profiles of the CDS, GO-term membership, a gene's place in a network
//! ([`network`]), and user-supplied embeddings; and their pooling into one vector per
//! genotype ([`pooling`]). One feature is of genotypes, not genes: what the training labels
//! of a genotype's network relatives say ([`neighbour_labels`]).
//!
//! Rows follow a dataset's gene universe, so a gene index stored in the instance file is the
//! row of its features.
//!
//! ```
//! use ironcell_data::features::GeneFeature;
//! let kinds: Vec<GeneFeature> = ["codon", "kmer:2", "go:30", "network:ppi.txt"]
//!     .iter()
//!     .map(|s| s.parse().unwrap())
//!     .collect();
//! assert_eq!(kinds[1], GeneFeature::Kmer { k: 2 });
//! ```

pub mod embedding;
pub mod neighbour_labels;
pub mod network;
pub mod pooling;
pub mod sequence;

use std::{collections::HashMap, fmt, path::PathBuf, str::FromStr};

use ironcell_core::SystematicName;
use ironcell_sources::reference::Reference;
use serde::{Deserialize, Serialize};

use crate::{
    ontology::{self, OntologyConfig},
    Error,
};

/// Largest k-mer length: 4^6 = 4,096 columns.
pub const MAX_K: usize = 6;

/// One kind of gene feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GeneFeature {
    /// One column per gene of the universe (`onehot`).
    OneHot,
    /// The 64 codon frequencies of the CDS (`codon`).
    Codon,
    /// Overlapping k-mer frequencies of the CDS, 4^k columns (`kmer:K`, 1 ≤ K ≤ 6).
    Kmer {
        /// The k-mer length.
        k: usize,
    },
    /// Membership in each GO term (with its descendants' genes) holding at least `min_genes`
    /// genes, IGI annotations removed as for DCell (`go` = `go:30`, or `go:N`).
    Go {
        /// The smallest term kept.
        min_genes: usize,
    },
    /// Degree, strength, neighbours' degree and clustering in a gene network read from a
    /// file in any layout [`network::read`] knows (`network:PATH`).
    Network {
        /// The file.
        path: PathBuf,
    },
    /// Vectors from a file ([`embedding::Embeddings::read`]), `embedding:PATH`.
    Embedding {
        /// The file.
        path: PathBuf,
    },
}

impl FromStr for GeneFeature {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        let number = |what: &str| -> Result<Option<usize>, String> {
            arg.map(|a| {
                a.parse()
                    .map_err(|_| format!("{name}: {what} must be a whole number, got {a:?}"))
            })
            .transpose()
        };
        match name {
            "onehot" | "one-hot" => Ok(Self::OneHot),
            "codon" => Ok(Self::Codon),
            "kmer" => {
                let k = number("k")?.unwrap_or(3);
                if !(1..=MAX_K).contains(&k) {
                    return Err(format!("kmer: k must be 1 to {MAX_K}, got {k}"));
                }
                Ok(Self::Kmer { k })
            }
            "go" => Ok(Self::Go {
                min_genes: number("the smallest term")?.unwrap_or(30),
            }),
            "network" | "embedding" => {
                let path = PathBuf::from(
                    arg.filter(|p| !p.is_empty())
                        .ok_or_else(|| format!("{name} needs a file: {name}:PATH"))?,
                );
                Ok(if name == "network" {
                    Self::Network { path }
                } else {
                    Self::Embedding { path }
                })
            }
            _ => Err(format!(
                "unknown gene feature {s:?}: expected onehot, codon, kmer[:K], go[:MIN_GENES], \
                 network:PATH or embedding:PATH"
            )),
        }
    }
}

impl fmt::Display for GeneFeature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OneHot => write!(f, "onehot"),
            Self::Codon => write!(f, "codon"),
            Self::Kmer { k } => write!(f, "kmer:{k}"),
            Self::Go { min_genes } => write!(f, "go:{min_genes}"),
            Self::Network { path } => write!(f, "network:{}", path.display()),
            Self::Embedding { path } => write!(f, "embedding:{}", path.display()),
        }
    }
}

/// What building one kind of feature found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureReport {
    /// The kind.
    pub feature: String,
    /// Columns it contributed.
    pub columns: usize,
    /// Genes of the universe it had no data for (their columns are 0).
    pub genes_without_data: usize,
    /// Rows of its source file skipped because they name no reference gene (networks).
    #[serde(default)]
    pub rows_skipped: u64,
}

/// A feature matrix over a gene universe: row `i` belongs to `genes[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneFeatures {
    /// The universe, in row order.
    pub genes: Vec<SystematicName>,
    /// Column names, prefixed by kind (`codon:ATG`, `go:GO:0006260`, …).
    pub columns: Vec<String>,
    /// Row-major `genes × columns`.
    pub values: Vec<f32>,
}

impl GeneFeatures {
    /// Builds `kinds`, concatenated in order, for each gene of `universe`; one-hot columns
    /// are the universe's genes.
    ///
    /// Genes the reference or an embedding file lacks get zeros, counted in the report; a
    /// kind that covers none of the universe is an error (usually a wrong file).
    pub fn build(
        kinds: &[GeneFeature],
        universe: &[SystematicName],
        reference: &Reference,
    ) -> Result<(Self, Vec<FeatureReport>), Error> {
        Self::build_with_identity(kinds, universe, universe, reference)
    }

    /// As [`Self::build`], with one-hot columns for the genes of `identity` only: a model
    /// trained on one universe scores genes outside it (whose one-hot part is then 0).
    pub fn build_with_identity(
        kinds: &[GeneFeature],
        universe: &[SystematicName],
        identity: &[SystematicName],
        reference: &Reference,
    ) -> Result<(Self, Vec<FeatureReport>), Error> {
        let mut blocks = Vec::with_capacity(kinds.len());
        let mut reports = Vec::with_capacity(kinds.len());
        for kind in kinds {
            let block = Block::build(kind, universe, identity, reference)?;
            reports.push(FeatureReport {
                feature: kind.to_string(),
                columns: block.columns.len(),
                genes_without_data: block.missing,
                rows_skipped: block.skipped,
            });
            blocks.push(block);
        }
        let columns: Vec<String> = blocks.iter().flat_map(|b| b.columns.clone()).collect();
        let mut values = Vec::with_capacity(universe.len() * columns.len());
        for i in 0..universe.len() {
            for b in &blocks {
                let d = b.columns.len();
                values.extend_from_slice(&b.values[i * d..(i + 1) * d]);
            }
        }
        let features = Self {
            genes: universe.to_vec(),
            columns,
            values,
        };
        Ok((features, reports))
    }

    /// Number of columns.
    pub fn dim(&self) -> usize {
        self.columns.len()
    }

    /// The features of gene row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.dim()..(i + 1) * self.dim()]
    }
}

/// One kind's columns over the universe.
struct Block {
    columns: Vec<String>,
    values: Vec<f32>,
    missing: usize,
    /// Source rows skipped (see [`FeatureReport::rows_skipped`]).
    skipped: u64,
}

impl Block {
    fn build(
        kind: &GeneFeature,
        universe: &[SystematicName],
        identity: &[SystematicName],
        reference: &Reference,
    ) -> Result<Self, Error> {
        let n = universe.len();
        match kind {
            GeneFeature::OneHot => {
                let column: HashMap<&SystematicName, usize> =
                    identity.iter().enumerate().map(|(j, g)| (g, j)).collect();
                let d = identity.len();
                let mut values = vec![0.0; n * d];
                let mut missing = 0;
                for (i, gene) in universe.iter().enumerate() {
                    match column.get(gene) {
                        Some(&j) => values[i * d + j] = 1.0,
                        None => missing += 1,
                    }
                }
                Ok(Self {
                    columns: identity.iter().map(|g| format!("gene:{g}")).collect(),
                    values,
                    missing,
                    skipped: 0,
                })
            }
            GeneFeature::Codon | GeneFeature::Kmer { .. } => {
                let k = match kind {
                    GeneFeature::Kmer { k } => *k,
                    _ => 3,
                };
                let prefix = if k == 3 && *kind == GeneFeature::Codon {
                    "codon"
                } else {
                    "kmer"
                };
                let columns: Vec<String> = sequence::kmers(k)
                    .into_iter()
                    .map(|m| format!("{prefix}:{m}"))
                    .collect();
                let cds: HashMap<&SystematicName, &str> = reference
                    .genes
                    .iter()
                    .filter_map(|g| Some((&g.systematic_name, g.cds.as_deref()?)))
                    .collect();
                let mut values = Vec::with_capacity(n * columns.len());
                let mut missing = 0;
                for gene in universe {
                    match cds.get(gene) {
                        Some(seq) if *kind == GeneFeature::Codon => {
                            values.extend(sequence::codon_frequencies(seq))
                        }
                        Some(seq) => values.extend(sequence::kmer_profile(seq, k)),
                        None => {
                            missing += 1;
                            values.extend(std::iter::repeat_n(0.0, columns.len()));
                        }
                    }
                }
                Ok(Self {
                    columns,
                    values,
                    missing,
                    skipped: 0,
                })
            }
            GeneFeature::Go { min_genes } => {
                let config = OntologyConfig {
                    min_genes: *min_genes,
                    ..OntologyConfig::default()
                };
                let go = ontology::build(reference, &config);
                let sets = go.contained_gene_sets();
                // The root holds every gene: a constant column.
                let terms: Vec<usize> = (0..go.subsystems.len())
                    .filter(|&t| go.subsystems[t].id != ontology::ROOT_ID)
                    .collect();
                let rows = go.indices_of(universe);
                let d = terms.len();
                let mut values = vec![0.0; n * d];
                let mut column_of_term = vec![usize::MAX; go.subsystems.len()];
                for (c, &t) in terms.iter().enumerate() {
                    column_of_term[t] = c;
                }
                let mut row_of_go_gene = vec![usize::MAX; go.genes.len()];
                for (i, r) in rows.iter().enumerate() {
                    if let Some(r) = r {
                        row_of_go_gene[*r] = i;
                    }
                }
                for &t in &terms {
                    for &g in &sets[t] {
                        let i = row_of_go_gene[g];
                        if i != usize::MAX {
                            values[i * d + column_of_term[t]] = 1.0;
                        }
                    }
                }
                let missing = (0..n)
                    .filter(|i| values[i * d..(i + 1) * d].iter().all(|&v| v == 0.0))
                    .count();
                Ok(Self {
                    columns: terms
                        .iter()
                        .map(|&t| format!("go:{}", go.subsystems[t].id))
                        .collect(),
                    values,
                    missing,
                    skipped: 0,
                })
            }
            GeneFeature::Network { path } => {
                let names = ironcell_sources::names::GeneNames::new(&reference.genes);
                let (edges, read) = network::read(path, &names)?;
                let c = network::Centrality::of(&edges);
                // A gene without an edge truly has degree 0, and the rest.
                let (values, missing) =
                    gather(universe, &c.genes, network::MEASURES.len(), |r, out| {
                        out.extend(c.row(r))
                    });
                let name = ironcell_sources::networks::name_of(path);
                Ok(Self {
                    columns: network::MEASURES
                        .iter()
                        .map(|m| format!("net:{name}:{m}"))
                        .collect(),
                    values,
                    missing,
                    skipped: read.rejected_rows() as u64,
                })
            }
            GeneFeature::Embedding { path } => {
                let e = embedding::Embeddings::read(path)?;
                let (values, missing) = gather(universe, &e.genes, e.dim(), |r, out| {
                    out.extend_from_slice(e.row(r))
                });
                if missing == n && n > 0 {
                    return Err(Error::format(
                        path,
                        format!("none of the {n} genes of the dataset has a vector here"),
                    ));
                }
                Ok(Self {
                    columns: e.columns.iter().map(|c| format!("emb:{c}")).collect(),
                    values,
                    missing,
                    skipped: 0,
                })
            }
        }
    }
}

/// A per-gene table's rows (`dim` wide, row `r` belonging to `genes[r]`, appended by
/// `row(r, out)`) in the order of `universe`, zeros for the genes it lacks; with how many
/// those were.
fn gather(
    universe: &[SystematicName],
    genes: &[SystematicName],
    dim: usize,
    row: impl Fn(usize, &mut Vec<f32>),
) -> (Vec<f32>, usize) {
    let index: HashMap<&SystematicName, usize> =
        genes.iter().enumerate().map(|(i, g)| (g, i)).collect();
    let mut values = Vec::with_capacity(universe.len() * dim);
    let mut missing = 0;
    for gene in universe {
        match index.get(gene) {
            Some(&r) => row(r, &mut values),
            None => {
                missing += 1;
                values.extend(std::iter::repeat_n(0.0, dim));
            }
        }
    }
    (values, missing)
}

#[cfg(test)]
mod tests {
    use ironcell_sources::{genbank::Strand, reference::Gene};

    use super::*;
    use crate::fixtures::{annotation, reference, term};

    fn gene(name: &str, cds: Option<&str>) -> Gene {
        Gene {
            systematic_name: name.parse().unwrap(),
            standard_name: None,
            synonyms: vec![],
            chromosome: "I".into(),
            strand: Strand::Forward,
            start: 1,
            end: 3,
            essential: None,
            cds: cds.map(str::to_owned),
        }
    }

    #[test]
    fn kinds_concatenate_in_order_over_the_universe() {
        let mut r = reference(
            vec![term("GO:1", &[]), term("GO:2", &["GO:1"])],
            vec![
                annotation("YAL001C", "GO:2", "IDA"),
                annotation("YAL002W", "GO:1", "IDA"),
                annotation("YAL003W", "GO:2", "IGI"),
            ],
        );
        r.genes = vec![gene("YAL001C", Some("ATGTAA")), gene("YAL002W", None)];
        let universe: Vec<SystematicName> = ["YAL001C", "YAL002W", "YAL003W"]
            .iter()
            .map(|g| g.parse().unwrap())
            .collect();
        let kinds: Vec<GeneFeature> = ["onehot", "codon", "go:1"]
            .iter()
            .map(|k| k.parse().unwrap())
            .collect();
        let (f, reports) = GeneFeatures::build(&kinds, &universe, &r).unwrap();
        assert_eq!(f.dim(), 3 + 64 + 2);
        assert_eq!(reports[1].genes_without_data, 2, "{reports:?}");
        // IGI is dropped, so YAL003W is in no term.
        assert_eq!(reports[2].genes_without_data, 1, "{reports:?}");
        let atg = f.columns.iter().position(|c| c == "codon:ATG").unwrap();
        let go1 = f.columns.iter().position(|c| c == "go:GO:1").unwrap();
        let go2 = f.columns.iter().position(|c| c == "go:GO:2").unwrap();
        assert_eq!(&f.row(0)[..3], [1.0, 0.0, 0.0]);
        assert_eq!(f.row(0)[atg], 0.5);
        // YAL001C is in GO:2 and, through it, GO:1; YAL002W only in GO:1.
        assert_eq!((f.row(0)[go1], f.row(0)[go2]), (1.0, 1.0));
        assert_eq!((f.row(1)[go1], f.row(1)[go2]), (1.0, 0.0));
        assert!(f.row(2)[3..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn network_measures_follow_the_universe_and_count_skipped_rows() {
        let mut r = reference(vec![], vec![]);
        r.genes = ["YAL001C", "YAL002W", "YAL003W"]
            .iter()
            .map(|g| gene(g, None))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ppi.txt");
        std::fs::write(
            &path,
            "YAL001C YAL002W\nYAL002W YAL003W\nYAL002W NOTAGENE\n",
        )
        .unwrap();
        let universe: Vec<SystematicName> = ["YAL002W", "YBR160W"]
            .iter()
            .map(|g| g.parse().unwrap())
            .collect();
        let kind: GeneFeature = format!("network:{}", path.display()).parse().unwrap();
        let (f, reports) = GeneFeatures::build(&[kind], &universe, &r).unwrap();
        assert_eq!(f.columns[0], "net:ppi:degree");
        assert_eq!(f.row(0)[0], 2f32.ln_1p());
        assert_eq!(f.row(1), [0.0; 4]);
        assert_eq!(
            (reports[0].genes_without_data, reports[0].rows_skipped),
            (1, 1)
        );
        std::fs::write(&path, "NOTAGENE YAL001C\n").unwrap();
        let kind: GeneFeature = format!("network:{}", path.display()).parse().unwrap();
        let err = GeneFeatures::build(&[kind], &universe, &r).unwrap_err();
        assert!(
            err.to_string().contains("no edge between reference genes"),
            "{err}"
        );
    }

    #[test]
    fn parse_errors_say_what_is_expected() {
        assert!("kmer:9"
            .parse::<GeneFeature>()
            .unwrap_err()
            .contains("1 to 6"));
        assert!("esm"
            .parse::<GeneFeature>()
            .unwrap_err()
            .contains("expected onehot"));
        assert_eq!("go".parse(), Ok(GeneFeature::Go { min_genes: 30 }));
        assert!("network:"
            .parse::<GeneFeature>()
            .unwrap_err()
            .contains("network:PATH"));
        for s in [
            "onehot",
            "codon",
            "kmer:4",
            "go:12",
            "network:n.txt",
            "embedding:e.csv",
        ] {
            assert_eq!(s.parse::<GeneFeature>().unwrap().to_string(), s);
        }
    }
}
