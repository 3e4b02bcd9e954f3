//! GenBank flat files as SGD deposits them: one chromosome per record, `gene`, `mRNA`, `CDS`
//! and RNA features keyed by `/locus_tag`, with GO annotations in `/GO_process`,
//! `/GO_function` and `/GO_component` qualifiers such as
//! `GO:0005739 - mitochondrion [Evidence IDA] [PMID 14576278]`.
//!
//! The reader streams one record (chromosome) at a time: the CDS sequences can only be cut
//! once the record's `ORIGIN` section has been read, so a record is the natural unit.
//!
//! ```
//! use ironcell_sources::genbank::{Reader, Strand};
//!
//! let gb = b"LOCUS       TEST 12 bp DNA\nFEATURES             Location/Qualifiers
//!      gene            complement(4..9)
//!                      /gene=\"ABC1\"
//!                      /locus_tag=\"YAL001C\"
//!      CDS             complement(4..9)
//!                      /locus_tag=\"YAL001C\"
//!                      /GO_process=\"GO:0006950 - response to stress [Evidence
//!                      IEA]\"
//! ORIGIN
//!         1 aaaatggcat tt
//! //
//! ";
//! let mut reader = Reader::new(&gb[..], "inline.gb");
//! let record = reader.read_record()?.expect("one record");
//! let locus = &record.loci[0];
//! assert_eq!(locus.strand, Strand::Reverse);
//! assert_eq!(locus.cds.as_deref(), Some("TGCCAT"));
//! assert_eq!(locus.go[0].evidence, "IEA");
//! # Ok::<(), ironcell_sources::Error>(())
//! ```

use std::{collections::HashMap, io::BufRead};

use crate::{lines::Lines, Error};

/// The strand a feature lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strand {
    /// Watson, the strand the record's sequence is written on.
    Forward,
    /// Crick, given by `complement(..)`.
    Reverse,
}

/// The GO aspect of an annotation, from the qualifier that carried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Aspect {
    /// `/GO_process`.
    BiologicalProcess,
    /// `/GO_function`.
    MolecularFunction,
    /// `/GO_component`.
    CellularComponent,
}

impl Aspect {
    /// The one-letter code used by GAF files (`P`, `F`, `C`).
    pub fn code(self) -> char {
        match self {
            Self::BiologicalProcess => 'P',
            Self::MolecularFunction => 'F',
            Self::CellularComponent => 'C',
        }
    }

    /// Parses a GAF aspect letter.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "P" => Some(Self::BiologicalProcess),
            "F" => Some(Self::MolecularFunction),
            "C" => Some(Self::CellularComponent),
            _ => None,
        }
    }
}

/// One GO annotation of a locus.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GoAnnotation {
    /// The term id, `GO:NNNNNNN`.
    pub term: String,
    /// Process, function or component.
    pub aspect: Aspect,
    /// The evidence code (`IDA`, `IMP`, `IGI`, `IEA`, …).
    pub evidence: String,
    /// The supporting publication, when one is given.
    pub pmid: Option<u32>,
}

/// One locus (gene) of a chromosome, merged over its `gene`, `mRNA`, `CDS` and RNA features.
#[derive(Debug, Clone, PartialEq)]
pub struct Locus {
    /// `/locus_tag`: the systematic name for ORFs; RNA genes in SGD's deposit use names such
    /// as `snR10` or `tA(AGC)D`.
    pub locus_tag: String,
    /// The feature key that defines the locus's kind besides `gene` (`CDS`, `tRNA`, …).
    pub kind: String,
    /// `/gene`: the standard name, when it has one.
    pub standard_name: Option<String>,
    /// `/gene_synonym` values.
    pub synonyms: Vec<String>,
    /// The chromosome from the record's `source` feature (`I` … `XVI`).
    pub chromosome: String,
    /// Strand of the gene feature.
    pub strand: Strand,
    /// 1-based first base of the gene feature.
    pub start: u64,
    /// 1-based last base (inclusive) of the gene feature.
    pub end: u64,
    /// The coding sequence (exons joined, reverse-complemented on the minus strand), upper case.
    pub cds: Option<String>,
    /// GO annotations from all the locus's features, deduplicated, in file order.
    pub go: Vec<GoAnnotation>,
}

/// One GenBank record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The LOCUS name (accession in SGD's deposit, e.g. `BK006935`).
    pub name: String,
    /// Loci in file order.
    pub loci: Vec<Locus>,
}

/// A location: spans, complements and joins, as far as SGD's files use them.
#[derive(Debug, Clone, PartialEq)]
enum Location {
    Span(u64, u64),
    Complement(Box<Location>),
    Join(Vec<Location>),
}

impl Location {
    fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Some(inner) = strip_call(s, "complement") {
            return Some(Self::Complement(Box::new(Self::parse(inner)?)));
        }
        if let Some(inner) = strip_call(s, "join").or_else(|| strip_call(s, "order")) {
            let parts = split_top_level(inner)
                .into_iter()
                .map(Self::parse)
                .collect::<Option<Vec<_>>>()?;
            return (!parts.is_empty()).then_some(Self::Join(parts));
        }
        let number = |t: &str| {
            t.trim_start_matches('<')
                .trim_start_matches('>')
                .parse()
                .ok()
        };
        match s.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (number(a)?, number(b)?);
                (a >= 1 && a <= b).then_some(Self::Span(a, b))
            }
            None => number(s).filter(|&a| a >= 1).map(|a| Self::Span(a, a)),
        }
    }

    fn bounds(&self) -> (u64, u64) {
        match self {
            Self::Span(a, b) => (*a, *b),
            Self::Complement(inner) => inner.bounds(),
            Self::Join(parts) => parts
                .iter()
                .map(Self::bounds)
                .fold((u64::MAX, 0), |acc, b| (acc.0.min(b.0), acc.1.max(b.1))),
        }
    }

    fn strand(&self) -> Strand {
        match self {
            Self::Complement(_) => Strand::Reverse,
            Self::Join(parts) if parts.iter().all(|p| p.strand() == Strand::Reverse) => {
                Strand::Reverse
            }
            _ => Strand::Forward,
        }
    }

    /// Cuts the located sequence out of `seq` (upper-case), or `None` if out of range.
    fn extract(&self, seq: &[u8], out: &mut Vec<u8>) -> Option<()> {
        match self {
            Self::Span(a, b) => {
                let (a, b) = (usize::try_from(*a).ok()?, usize::try_from(*b).ok()?);
                out.extend_from_slice(seq.get(a - 1..b)?);
            }
            Self::Complement(inner) => {
                let mut tmp = Vec::new();
                inner.extract(seq, &mut tmp)?;
                out.extend(tmp.iter().rev().map(|&c| complement(c)));
            }
            Self::Join(parts) => {
                for p in parts {
                    p.extract(seq, out)?;
                }
            }
        }
        Some(())
    }
}

fn strip_call<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    s.strip_prefix(name)?.strip_prefix('(')?.strip_suffix(')')
}

fn split_top_level(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0i32, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn complement(base: u8) -> u8 {
    match base {
        b'A' => b'T',
        b'T' => b'A',
        b'G' => b'C',
        b'C' => b'G',
        other => other,
    }
}

/// A feature while it is being read.
struct Feature {
    key: String,
    line: u64,
    location: String,
    qualifiers: Vec<(String, String)>,
    /// The qualifier value still inside an open quote.
    open: bool,
}

impl Feature {
    fn get(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `GO:0005739 - mitochondrion [Evidence IDA] [PMID 14576278]`.
fn parse_go(value: &str, aspect: Aspect) -> Option<GoAnnotation> {
    let term = value.split_whitespace().next()?;
    if !term.starts_with("GO:") || term.len() != 10 {
        return None;
    }
    let evidence = value
        .split("[Evidence ")
        .nth(1)?
        .split(']')
        .next()?
        .trim()
        .to_owned();
    let pmid = value
        .split("[PMID ")
        .nth(1)
        .and_then(|p| p.split(']').next())
        .and_then(|p| p.trim().parse().ok());
    Some(GoAnnotation {
        term: term.to_owned(),
        aspect,
        evidence,
        pmid,
    })
}

enum Section {
    Header,
    Features,
    Origin,
}

/// Reads GenBank records from a buffered stream.
pub struct Reader<R> {
    lines: Lines<R>,
    buf: String,
}

impl<R: BufRead> Reader<R> {
    /// A reader over `inner`; `name` is used in error messages.
    pub fn new(inner: R, name: impl Into<String>) -> Self {
        Self {
            lines: Lines::new(inner, name),
            buf: String::new(),
        }
    }

    /// Reads the next record, or `None` at end of input.
    pub fn read_record(&mut self) -> Result<Option<Record>, Error> {
        let mut name = None;
        let mut section = Section::Header;
        let mut features: Vec<Feature> = Vec::new();
        let mut seq: Vec<u8> = Vec::new();
        loop {
            if !self.lines.next_into(&mut self.buf)? {
                return match name {
                    None => Ok(None),
                    Some(_) => Err(self.lines.error("record ends without '//'")),
                };
            }
            let line = self.buf.as_str();
            if line.trim().is_empty() {
                continue;
            }
            if name.is_none() {
                let Some(rest) = line.strip_prefix("LOCUS") else {
                    return Err(self.lines.error("expected a LOCUS line to start a record"));
                };
                let locus = rest.split_whitespace().next();
                name = Some(locus.unwrap_or_default().to_owned());
                continue;
            }
            if line.starts_with("//") {
                break;
            }
            match section {
                Section::Header => {
                    if line.starts_with("FEATURES") {
                        section = Section::Features;
                    } else if line.starts_with("ORIGIN") {
                        section = Section::Origin;
                    }
                }
                Section::Features => {
                    if line.starts_with("ORIGIN") {
                        section = Section::Origin;
                    } else if !line.starts_with(' ') {
                        // BASE COUNT, CONTIG and similar trailing sections: not needed.
                    } else {
                        self.feature_line(&mut features)?;
                    }
                }
                Section::Origin => {
                    for b in line.bytes() {
                        if b.is_ascii_alphabetic() {
                            seq.push(b.to_ascii_uppercase());
                        } else if !b.is_ascii_digit() && b != b' ' {
                            return Err(self
                                .lines
                                .error(format!("unexpected character {:?} in ORIGIN", b as char)));
                        }
                    }
                }
            }
        }
        let name = name.unwrap_or_default();
        self.assemble(name, features, &seq).map(Some)
    }

    fn feature_line(&mut self, features: &mut Vec<Feature>) -> Result<(), Error> {
        let line = self.buf.as_str();
        let key_field = line.get(5..21).unwrap_or("");
        if line.len() > 5 && !line[5..].starts_with(' ') {
            let location = line.get(21..).unwrap_or("").trim().to_owned();
            features.push(Feature {
                key: key_field.trim().to_owned(),
                line: self.lines.line(),
                location,
                qualifiers: Vec::new(),
                open: false,
            });
            return Ok(());
        }
        let text = line.trim();
        let Some(feature) = features.last_mut() else {
            return Err(self.lines.error("qualifier line before any feature"));
        };
        if feature.open {
            let (key, value) = feature.qualifiers.last_mut().expect("open value exists");
            // Free text wraps at spaces; a protein sequence wraps mid-sequence.
            if key != "translation" {
                value.push(' ');
            }
            value.push_str(text);
            feature.open = !text.ends_with('"');
        } else if let Some(q) = text.strip_prefix('/') {
            let (key, value) = q.split_once('=').unwrap_or((q, ""));
            feature.open = value.starts_with('"') && (value.len() < 2 || !value.ends_with('"'));
            feature.qualifiers.push((key.to_owned(), value.to_owned()));
        } else if feature.qualifiers.is_empty() {
            feature.location.push_str(text);
        } else {
            return Err(self.lines.error(format!(
                "expected a /qualifier or a continued value, found {text:?}"
            )));
        }
        Ok(())
    }

    fn assemble(&self, name: String, features: Vec<Feature>, seq: &[u8]) -> Result<Record, Error> {
        let chromosome = features
            .iter()
            .find(|f| f.key == "source")
            .and_then(|f| f.get("chromosome"))
            .map(unquote)
            .unwrap_or_default();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut loci: Vec<Locus> = Vec::new();
        for f in &features {
            if f.open {
                return Err(Error::parse(
                    self.lines.name(),
                    f.line,
                    "unterminated quoted qualifier",
                ));
            }
            let Some(tag) = f.get("locus_tag").map(unquote) else {
                continue;
            };
            let location = Location::parse(&f.location).ok_or_else(|| {
                Error::parse(
                    self.lines.name(),
                    f.line,
                    format!("malformed location {:?}", f.location),
                )
            })?;
            let i = *index.entry(tag.clone()).or_insert_with(|| {
                let (start, end) = location.bounds();
                loci.push(Locus {
                    locus_tag: tag.clone(),
                    kind: String::new(),
                    standard_name: None,
                    synonyms: Vec::new(),
                    chromosome: chromosome.clone(),
                    strand: location.strand(),
                    start,
                    end,
                    cds: None,
                    go: Vec::new(),
                });
                loci.len() - 1
            });
            let locus = &mut loci[i];
            if f.key == "gene" {
                (locus.start, locus.end) = location.bounds();
                locus.strand = location.strand();
            } else if locus.kind.is_empty() || f.key == "CDS" {
                locus.kind.clone_from(&f.key);
            }
            if let Some(g) = f.get("gene") {
                locus.standard_name = Some(unquote(g));
            }
            for (key, value) in &f.qualifiers {
                let aspect = match key.as_str() {
                    "gene_synonym" => {
                        for s in unquote(value).split(';').map(str::trim) {
                            if !s.is_empty() && !locus.synonyms.iter().any(|x| x == s) {
                                locus.synonyms.push(s.to_owned());
                            }
                        }
                        continue;
                    }
                    "GO_process" => Aspect::BiologicalProcess,
                    "GO_function" => Aspect::MolecularFunction,
                    "GO_component" => Aspect::CellularComponent,
                    _ => continue,
                };
                let text = unquote(value);
                let go = parse_go(&text, aspect).ok_or_else(|| {
                    Error::parse(
                        self.lines.name(),
                        f.line,
                        format!("malformed /{key}: expected 'GO:NNNNNNN - name [Evidence XXX]', found {text:?}"),
                    )
                })?;
                if !locus.go.contains(&go) {
                    locus.go.push(go);
                }
            }
            if f.key == "CDS" {
                let mut cds = Vec::new();
                location.extract(seq, &mut cds).ok_or_else(|| {
                    Error::parse(
                        self.lines.name(),
                        f.line,
                        format!("CDS location {:?} lies outside the sequence", f.location),
                    )
                })?;
                locus.cds = Some(String::from_utf8_lossy(&cds).into_owned());
            }
        }
        Ok(Record { name, loci })
    }

    /// An iterator over the remaining records.
    pub fn records(&mut self) -> impl Iterator<Item = Result<Record, Error>> + '_ {
        std::iter::from_fn(move || self.read_record().transpose())
    }
}

fn unquote(value: &str) -> String {
    value.trim_matches('"').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Layout exactly as in SGD's chromosome files: keys at column 6, values at column 22.
    static DATA: &str = "\
LOCUS       BK006935                  60 bp    DNA     linear       18-JAN-2017
FEATURES             Location/Qualifiers
     source          1..60
                     /chromosome=\"I\"
     gene            complement(join(3..8,21..26))
                     /gene=\"PAU8\"
                     /locus_tag=\"YAL068C\"
                     /gene_synonym=\"SEO2; XYZ1\"
     CDS             complement(join(3..8,21..26))
                     /gene=\"PAU8\"
                     /locus_tag=\"YAL068C\"
                     /GO_process=\"GO:0045944 - positive regulation of
                     transcription from RNA polymerase II promoter [Evidence
                     IMP] [PMID 12586695]\"
                     /GO_component=\"GO:0009277 - fungal-type cell wall
                     [Evidence IBA]\"
                     /translation=\"MVKLTSIAAGVAAIAATASATTTLAQSDERVNLVELGVYVSDIR
                     AHLAQYY\"
     gene            31..36
                     /locus_tag=\"YAL067W-A\"
     CDS             31..36
                     /locus_tag=\"YAL067W-A\"
ORIGIN
        1 aaatgcccgg tttttttttt aacgttaaaa atggcaaaaa aaaaaaaaaa aaaaaaaaaa
//
";

    fn read(data: &str) -> Result<Record, Error> {
        Reader::new(data.as_bytes(), "test.gb")
            .read_record()
            .map(|r| r.unwrap())
    }

    #[test]
    fn minus_strand_join_is_reverse_complemented() {
        let record = read(DATA).unwrap();
        let pau8 = &record.loci[0];
        assert_eq!(pau8.locus_tag, "YAL068C");
        assert_eq!(pau8.chromosome, "I");
        assert_eq!(
            (pau8.start, pau8.end, pau8.strand),
            (3, 26, Strand::Reverse)
        );
        // Exons 3..8 = ATGCCC and 21..26 = AACGTT; joined then reverse-complemented.
        assert_eq!(pau8.cds.as_deref(), Some("AACGTTGGGCAT"));
        assert_eq!(pau8.synonyms, ["SEO2", "XYZ1"]);
        let plus = &record.loci[1];
        assert_eq!(plus.cds.as_deref(), Some("ATGGCA"));
        assert_eq!(plus.strand, Strand::Forward);
    }

    #[test]
    fn wrapped_go_qualifiers_keep_evidence_and_pmid() {
        let record = read(DATA).unwrap();
        let go = &record.loci[0].go;
        assert_eq!(go.len(), 2);
        assert_eq!(go[0].term, "GO:0045944");
        assert_eq!(go[0].aspect, Aspect::BiologicalProcess);
        assert_eq!(go[0].evidence, "IMP");
        assert_eq!(go[0].pmid, Some(12586695));
        assert_eq!(go[1].evidence, "IBA");
        assert_eq!(go[1].pmid, None);
    }

    #[test]
    fn malformed_location_names_its_line() {
        let bad = DATA.replace("     gene            31..36", "     gene            31..x");
        let err = read(&bad).unwrap_err();
        assert_eq!(err.line(), Some(19));
        assert!(err.to_string().contains("malformed location"), "{err}");
    }

    #[test]
    fn malformed_go_qualifier_is_an_error() {
        let bad = DATA.replace("[Evidence IBA]", "IBA");
        let err = read(&bad).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("test.gb:9: malformed /GO_component"),
            "{err}"
        );
    }

    #[test]
    fn truncated_record_is_an_error() {
        let cut = &DATA[..DATA.len() - 3];
        assert!(read(cut).is_err());
    }
}
