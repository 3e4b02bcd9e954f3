//! OBO 1.2, the Gene Ontology's flat format: `[Term]` stanzas of `tag: value` lines.
//!
//! Only what ironcell uses is kept: id, name, namespace, alt_ids, the obsolete flag, `is_a`
//! and `relationship: part_of`. Other relationships (`regulates`, …) are not part of the
//! hierarchy DCell is built on and are skipped; `[Typedef]` stanzas are skipped.

use std::io::BufRead;

use crate::{lines::Lines, Error};

/// The GO sub-ontology a term belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Namespace {
    /// `biological_process`.
    BiologicalProcess,
    /// `molecular_function`.
    MolecularFunction,
    /// `cellular_component`.
    CellularComponent,
}

impl Namespace {
    /// The OBO spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BiologicalProcess => "biological_process",
            Self::MolecularFunction => "molecular_function",
            Self::CellularComponent => "cellular_component",
        }
    }

    /// Parses the OBO spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "biological_process" => Some(Self::BiologicalProcess),
            "molecular_function" => Some(Self::MolecularFunction),
            "cellular_component" => Some(Self::CellularComponent),
            _ => None,
        }
    }
}

/// One `[Term]` stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// `GO:NNNNNNN`.
    pub id: String,
    /// The term's name.
    pub name: String,
    /// Its sub-ontology.
    pub namespace: Namespace,
    /// Former ids merged into this term.
    pub alt_ids: Vec<String>,
    /// `is_obsolete: true`.
    pub obsolete: bool,
    /// Parents by `is_a`.
    pub is_a: Vec<String>,
    /// Parents by `relationship: part_of`.
    pub part_of: Vec<String>,
}

/// Reads terms from an OBO stream.
pub struct Reader<R> {
    lines: Lines<R>,
    buf: String,
    /// A stanza header read ahead while finishing the previous stanza.
    pending_header: Option<String>,
    /// The header's `data-version` (the GO release), once it has been read.
    data_version: Option<String>,
    /// Whether the header (the lines before the first stanza) is over.
    in_stanzas: bool,
}

struct Partial {
    line: u64,
    id: Option<String>,
    name: String,
    namespace: Option<Namespace>,
    alt_ids: Vec<String>,
    obsolete: bool,
    is_a: Vec<String>,
    part_of: Vec<String>,
}

impl<R: BufRead> Reader<R> {
    /// A reader over `inner`; `name` is used in error messages.
    pub fn new(inner: R, name: impl Into<String>) -> Self {
        Self {
            lines: Lines::new(inner, name),
            buf: String::new(),
            pending_header: None,
            data_version: None,
            in_stanzas: false,
        }
    }

    /// The header's `data-version` (e.g. `releases/2022-07-01`), known once the first term
    /// has been read.
    pub fn data_version(&self) -> Option<&str> {
        self.data_version.as_deref()
    }

    /// Reads the next `[Term]`, or `None` at end of input.
    pub fn read_term(&mut self) -> Result<Option<Term>, Error> {
        // Find the next [Term] header.
        loop {
            let header = match self.pending_header.take() {
                Some(h) => h,
                None => {
                    if !self.lines.next_into(&mut self.buf)? {
                        return Ok(None);
                    }
                    self.buf.trim().to_owned()
                }
            };
            if header.starts_with('[') {
                self.in_stanzas = true;
            } else if !self.in_stanzas {
                if let Some(v) = header.strip_prefix("data-version:") {
                    self.data_version = Some(v.trim().to_owned());
                }
            }
            if header == "[Term]" {
                break;
            }
        }
        let mut t = Partial {
            line: self.lines.line(),
            id: None,
            name: String::new(),
            namespace: None,
            alt_ids: Vec::new(),
            obsolete: false,
            is_a: Vec::new(),
            part_of: Vec::new(),
        };
        while self.lines.next_into(&mut self.buf)? {
            let line = self.buf.trim();
            if line.starts_with('[') {
                self.pending_header = Some(line.to_owned());
                break;
            }
            if line.is_empty() || line.starts_with('!') {
                continue;
            }
            let Some((tag, value)) = line.split_once(':') else {
                return Err(self
                    .lines
                    .error(format!("expected 'tag: value', found {line:?}")));
            };
            // Trailing `! comment` only carries the target's name.
            let value = value.split(" ! ").next().unwrap_or("").trim();
            match tag {
                "id" => t.id = Some(value.to_owned()),
                "name" => t.name = value.to_owned(),
                "namespace" => {
                    t.namespace = Some(Namespace::parse(value).ok_or_else(|| {
                        self.lines.error(format!(
                            "unknown namespace {value:?}: expected biological_process, molecular_function or cellular_component"
                        ))
                    })?)
                }
                "alt_id" => t.alt_ids.push(value.to_owned()),
                "is_obsolete" => t.obsolete = value == "true",
                "is_a" => t.is_a.push(value.to_owned()),
                "relationship" => {
                    let mut parts = value.split_whitespace();
                    if let (Some("part_of"), Some(target)) = (parts.next(), parts.next()) {
                        t.part_of.push(target.to_owned());
                    }
                }
                _ => {}
            }
        }
        let name = self.lines.name();
        let id =
            t.id.ok_or_else(|| Error::parse(name, t.line, "[Term] without an id"))?;
        let namespace = t
            .namespace
            .ok_or_else(|| Error::parse(name, t.line, format!("term {id} has no namespace")))?;
        Ok(Some(Term {
            id,
            name: t.name,
            namespace,
            alt_ids: t.alt_ids,
            obsolete: t.obsolete,
            is_a: t.is_a,
            part_of: t.part_of,
        }))
    }

    /// An iterator over the remaining terms.
    pub fn terms(&mut self) -> impl Iterator<Item = Result<Term, Error>> + '_ {
        std::iter::from_fn(move || self.read_term().transpose())
    }
}

/// Writes `terms` as OBO 1.2, the inverse of [`Reader`] for the fields it keeps.
pub fn write_terms<'a, W: std::io::Write>(
    mut out: W,
    data_version: &str,
    terms: impl IntoIterator<Item = &'a Term>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "format-version: 1.2\ndata-version: {data_version}\nontology: go"
    )?;
    for t in terms {
        writeln!(
            out,
            "\n[Term]\nid: {}\nname: {}\nnamespace: {}",
            t.id,
            t.name,
            t.namespace.as_str()
        )?;
        for alt in &t.alt_ids {
            writeln!(out, "alt_id: {alt}")?;
        }
        if t.obsolete {
            writeln!(out, "is_obsolete: true")?;
        }
        for p in &t.is_a {
            writeln!(out, "is_a: {p}")?;
        }
        for p in &t.part_of {
            writeln!(out, "relationship: part_of {p}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    static DATA: &str = "format-version: 1.2
data-version: releases/2022-07-01

[Term]
id: GO:0000003
name: reproduction
namespace: biological_process
alt_id: GO:0019952
alt_id: GO:0050876
def: \"The production of new individuals.\" []
is_a: GO:0008150 ! biological_process

[Term]
id: GO:0000008
name: obsolete thioredoxin
namespace: molecular_function
is_obsolete: true

[Term]
id: GO:0000015
name: phosphopyruvate hydratase complex
namespace: cellular_component
is_a: GO:1902494 ! catalytic complex
relationship: part_of GO:0005829 ! cytosol
relationship: regulates GO:0000001

[Typedef]
id: part_of
name: part of
";

    fn read_all(data: &str) -> Result<Vec<Term>, Error> {
        Reader::new(data.as_bytes(), "go.obo").terms().collect()
    }

    #[test]
    fn reads_terms_alt_ids_obsolete_and_relations() {
        let mut reader = Reader::new(DATA.as_bytes(), "go.obo");
        let terms: Vec<Term> = reader.terms().collect::<Result<_, _>>().unwrap();
        assert_eq!(reader.data_version(), Some("releases/2022-07-01"));
        assert_eq!(terms.len(), 3);
        assert_eq!(terms[0].alt_ids, ["GO:0019952", "GO:0050876"]);
        assert_eq!(terms[0].is_a, ["GO:0008150"]);
        assert!(terms[1].obsolete);
        assert_eq!(terms[2].namespace, Namespace::CellularComponent);
        assert_eq!(terms[2].part_of, ["GO:0005829"]);
    }

    #[test]
    fn write_then_read_round_trips() {
        let terms = read_all(DATA).unwrap();
        let mut out = Vec::new();
        write_terms(&mut out, "test", &terms).unwrap();
        let back = read_all(std::str::from_utf8(&out).unwrap()).unwrap();
        assert_eq!(back, terms);
    }

    #[test]
    fn malformed_line_reports_line_number() {
        let bad = DATA.replace("name: reproduction", "name reproduction");
        let err = read_all(&bad).unwrap_err();
        assert_eq!(err.line(), Some(6));
        assert!(err.to_string().contains("expected 'tag: value'"), "{err}");
    }

    #[test]
    fn unknown_namespace_is_an_error() {
        let bad = DATA.replace("namespace: molecular_function", "namespace: chemistry");
        assert!(read_all(&bad)
            .unwrap_err()
            .to_string()
            .contains("unknown namespace"));
    }
}
