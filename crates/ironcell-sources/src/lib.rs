//! Streaming readers for the yeast reference and the published screens, in the files' own
//! formats, so a user can feed ironcell the files as they download them.
//!
//! One module per format. Every reader takes a [`BufRead`](std::io::BufRead) (or
//! `Read + Seek` for xlsx) plus a name used in errors, and every error says which file, which
//! line and what was expected.
//!
//! ```
//! use ironcell_sources::obo;
//!
//! let text = b"[Term]\nid: GO:0000001\nname: mitochondrion inheritance\n\
//! namespace: biological_process\nis_a: GO:0048308 ! organelle inheritance\n";
//! let terms: Vec<_> = obo::Reader::new(&text[..], "inline.obo")
//!     .terms()
//!     .collect::<Result<_, _>>()?;
//! assert_eq!(terms[0].is_a, ["GO:0048308"]);
//! # Ok::<(), ironcell_sources::Error>(())
//! ```
#![deny(missing_docs)]

mod chunks;
pub mod collins2007;
pub mod costanzo2016;
pub mod data_dir;
pub mod dcell_epsilon;
mod decimal;
pub mod deletion;
mod error;
pub mod essentiality;
pub mod fetch;
pub mod gaf;
pub mod genbank;
pub mod gene_lists;
pub mod hoepfner2014;
pub mod jonikas2009;
pub mod kuzmin2018;
pub mod kuzmin2020;
mod lines;
mod masks;
pub mod names;
pub mod networks;
pub mod obo;
pub mod ohya2005;
pub mod reference;
pub mod report;
mod simd;
pub mod strain;
pub mod synlethdb;
mod table;
pub mod tong2004;
mod xlsx;
pub mod yeast_gem;
pub mod yeastphenome;

pub use error::Error;
pub use lines::open_maybe_gzip;

/// The sha256 of a file's bytes, as lower-case hex: what `fetch`, the reference cache, the
/// dataset manifest and the model cards record and check.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut reader = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut hasher = Sha256::new();
    std::io::copy(&mut reader, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// A paper by its PubMed id and DOI, for the publication constants of the source modules.
fn paper(pmid: u32, doi: &'static str) -> ironcell_core::Publication {
    ironcell_core::Publication::pubmed(pmid)
        .with_doi(doi)
        .expect("the source modules' DOIs are well-formed")
}
