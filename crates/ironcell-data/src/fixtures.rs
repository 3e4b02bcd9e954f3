//! Hand-built GO fragments for tests, so every crate's tests build ontologies the same way.
//! Compiled for this crate's tests and, in other crates, with the `test-support` feature.

use ironcell_sources::{
    genbank::Aspect,
    obo,
    reference::{Annotation, Reference},
};

/// A live biological-process term named after its id, with `is_a` parents.
pub fn term(id: &str, parents: &[&str]) -> obo::Term {
    obo::Term {
        id: id.into(),
        name: id.into(),
        namespace: obo::Namespace::BiologicalProcess,
        alt_ids: vec![],
        obsolete: false,
        is_a: parents.iter().map(|p| p.to_string()).collect(),
        part_of: vec![],
    }
}

/// A process annotation of `gene` (a valid systematic name) to `term`.
///
/// # Panics
/// When `gene` is not a systematic name: fixtures are written by hand.
pub fn annotation(gene: &str, term: &str, evidence: &str) -> Annotation {
    Annotation {
        gene: gene.parse().expect("fixture genes are systematic names"),
        term: term.into(),
        aspect: Aspect::BiologicalProcess,
        evidence: evidence.into(),
        pmid: None,
        date: None,
    }
}

/// A reference holding only `terms` and `annotations`.
pub fn reference(terms: Vec<obo::Term>, annotations: Vec<Annotation>) -> Reference {
    Reference {
        genes: vec![],
        terms,
        annotations,
        go_version: "test".into(),
    }
}
