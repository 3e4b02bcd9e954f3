//! Gene networks as edges between reference genes: BioGRID `tab3` (physical or genetic, by
//! "Experimental System Type"), STRING `protein.links.detailed` (every evidence channel
//! and the combined score, proteins named `4932.YAL001C`), plain edge lists `A B [weight]`
//! (space-separated, no header, as BIONIC's inputs), and regulatory edge lists
//! `regulator<TAB>target[<TAB>weight]` (directed, `#` comments).
//!
//! Names go through the reference ([`GeneNames`]); an edge with a name that maps to no gene
//! is a rejected row ("unmapped gene name"), so the read report counts and lists them.

use std::{
    collections::BTreeMap,
    io::{BufRead, Read},
    path::Path,
};

use ironcell_core::SystematicName;

use crate::{
    names::{GeneNames, Unresolved},
    report::RecordReader,
    table::{Column, Delimited, Fields, Row},
    Error,
};

/// NCBI taxonomy id of *S. cerevisiae* S288C, the organism BioGRID and STRING use.
pub const YEAST_TAXON: &str = "559292";
/// STRING's prefix for yeast proteins.
pub const STRING_TAXON: &str = "4932";

/// One edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// One end.
    pub a: SystematicName,
    /// The other end.
    pub b: SystematicName,
    /// Named scores: STRING's channels, BioGRID's `score`, an edge list's `weight`.
    pub scores: BTreeMap<String, f64>,
    /// BioGRID's experimental system type (`physical` / `genetic`), when given.
    pub kind: Option<String>,
}

/// The name a network file gives its network: the file name up to the first dot, so
/// `Krogan-2006.txt.gz` is `Krogan-2006`.
///
/// ```
/// use std::path::Path;
/// use ironcell_sources::networks::name_of;
///
/// assert_eq!(name_of(Path::new("data/networks/Krogan-2006.txt.gz")), "Krogan-2006");
/// ```
pub fn name_of(path: &Path) -> &str {
    let file = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("network");
    file.split('.').next().unwrap_or(file)
}

fn resolve<F: Fields + ?Sized>(
    names: &GeneNames,
    row: &Row<'_, F>,
    name: &str,
) -> Result<SystematicName, Error> {
    names.resolve(name).map_err(|why| match why {
        Unresolved::Unknown => row.error(
            "unmapped gene name",
            format!("no reference gene is named {name:?}"),
        ),
        Unresolved::Ambiguous(g) => {
            row.error("ambiguous gene name", format!("{name:?} names {g:?}"))
        }
    })
}

/// Which layout a reader reads.
enum Layout {
    Biogrid {
        a: Column,
        b: Column,
        kind: Column,
        organisms: [Column; 2],
        score: Option<Column>,
    },
    String {
        a: Column,
        b: Column,
        channels: Vec<(usize, String)>,
    },
    /// Two names and an optional weight, no header.
    EdgeList { kind: Option<&'static str> },
}

/// Streams edges from a BioGRID tab3 or STRING detailed file.
pub struct Reader<'n, R> {
    table: Delimited<R>,
    names: &'n GeneNames,
    layout: Layout,
    other_organisms: u64,
}

impl<'n, R: Read> Reader<'n, R> {
    /// A BioGRID `tab3` file (tab-separated, header starting `#BioGRID Interaction ID`);
    /// interactions outside S. cerevisiae are passed over.
    pub fn biogrid(inner: R, name: &str, names: &'n GeneNames) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        let layout = Layout::Biogrid {
            a: h.require("Systematic Name Interactor A")?,
            b: h.require("Systematic Name Interactor B")?,
            kind: h.require("Experimental System Type")?,
            organisms: [
                h.require("Organism ID Interactor A")?,
                h.require("Organism ID Interactor B")?,
            ],
            score: h.optional("Score"),
        };
        Ok(Self {
            table,
            names,
            layout,
            other_organisms: 0,
        })
    }

    /// A STRING `protein.links.detailed` file (space-separated; every column after the two
    /// proteins is a score).
    pub fn string(inner: R, name: &str, names: &'n GeneNames) -> Result<Self, Error> {
        let mut table = Delimited::space_separated(inner, name);
        let h = table.header()?;
        let (a, b) = (h.require("protein1")?, h.require("protein2")?);
        let channels = h
            .names()
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != a.index && *i != b.index)
            .map(|(i, n)| (i, n.clone()))
            .collect();
        Ok(Self {
            table,
            names,
            layout: Layout::String { a, b, channels },
            other_organisms: 0,
        })
    }

    /// A plain edge list: `A B [weight]` per line, space-separated, no header (the layout of
    /// BIONIC's network inputs); undirected.
    pub fn edge_list(inner: R, name: &str, names: &'n GeneNames) -> Self {
        Self {
            table: Delimited::space_separated(inner, name),
            names,
            layout: Layout::EdgeList { kind: None },
            other_organisms: 0,
        }
    }

    /// A regulatory edge list: `regulator<TAB>target[<TAB>weight]` per line, no header, `#`
    /// comments; edges are directed from `a` (regulator) to `b` (target), kind `regulatory`.
    pub fn regulatory(inner: R, name: &str, names: &'n GeneNames) -> Self {
        Self {
            table: Delimited::tsv_with_comments(inner, name, b'#'),
            names,
            layout: Layout::EdgeList {
                kind: Some("regulatory"),
            },
            other_organisms: 0,
        }
    }
}

impl<R> Reader<'_, R> {
    /// Whether edges run from `a` to `b` only (regulatory lists).
    pub fn is_directed(&self) -> bool {
        matches!(
            self.layout,
            Layout::EdgeList {
                kind: Some("regulatory")
            }
        )
    }
}

impl<'n, R: BufRead> Reader<'n, R> {
    /// A network in whichever layout its first line shows: BioGRID `tab3` (a header starting
    /// `#BioGRID Interaction ID`), STRING (a header starting `protein1`), a regulatory list
    /// (tab-separated or `#`-commented), else a space-separated edge list. For users who
    /// hand over a file without saying what it is (gene features take any network).
    ///
    /// ```
    /// use ironcell_sources::{names::GeneNames, networks::Reader, report::{collect, BadRows}};
    /// let mut names = GeneNames::default();
    /// names.insert(&"YAL001C".parse().unwrap(), Some("TFC3"), []);
    /// names.insert(&"YBR160W".parse().unwrap(), Some("CDC28"), []);
    /// let reader = Reader::detect("TFC3 CDC28 0.5\n".as_bytes(), "net.txt", &names).unwrap();
    /// let (edges, _) = collect(reader, BadRows::Fail).unwrap();
    /// assert_eq!(edges[0].b.as_str(), "YBR160W");
    /// ```
    pub fn detect(mut inner: R, name: &str, names: &'n GeneNames) -> Result<Self, Error> {
        let start = inner.fill_buf().map_err(|e| Error::io(name, e))?;
        let first = start.split(|&b| b == b'\n').next().unwrap_or_default();
        if first.starts_with(b"#BioGRID Interaction ID") {
            Self::biogrid(inner, name, names)
        } else if first.starts_with(b"protein1") {
            Self::string(inner, name, names)
        } else if first.starts_with(b"#") || first.contains(&b'\t') {
            Ok(Self::regulatory(inner, name, names))
        } else {
            Ok(Self::edge_list(inner, name, names))
        }
    }
}

impl<R: Read> RecordReader for Reader<'_, R> {
    type Record = Edge;

    fn next_record(&mut self) -> Result<Option<Edge>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            match &self.layout {
                Layout::Biogrid {
                    a,
                    b,
                    kind,
                    organisms,
                    score,
                } => {
                    if organisms
                        .iter()
                        .any(|c| row.text(*c).is_ok_and(|t| t != YEAST_TAXON))
                    {
                        self.other_organisms += 1;
                        continue;
                    }
                    let mut scores = BTreeMap::new();
                    // BioGRID writes "-" for no score.
                    if let Some(c) = score.filter(|c| row.text(*c).is_ok_and(|t| t != "-")) {
                        if let Some(s) = row.number(c)? {
                            scores.insert("score".to_owned(), s);
                        }
                    }
                    return Ok(Some(Edge {
                        a: resolve(self.names, &row, row.text(*a)?)?,
                        b: resolve(self.names, &row, row.text(*b)?)?,
                        scores,
                        kind: Some(row.text(*kind)?.to_lowercase()),
                    }));
                }
                Layout::String { a, b, channels } => {
                    let protein = |c: Column| -> Result<SystematicName, Error> {
                        let text = row.text(c)?;
                        let orf = text
                            .strip_prefix(STRING_TAXON)
                            .and_then(|t| t.strip_prefix('.'))
                            .ok_or_else(|| {
                                row.error(
                                    "other organism",
                                    format!("{text:?} is not a {STRING_TAXON}.ORF protein"),
                                )
                            })?;
                        resolve(self.names, &row, orf)
                    };
                    let mut scores = BTreeMap::new();
                    for (index, name) in channels {
                        let column = Column {
                            index: *index,
                            name: "STRING score",
                        };
                        if let Some(v) = row.number(column)? {
                            scores.insert(name.clone(), v);
                        }
                    }
                    return Ok(Some(Edge {
                        a: protein(*a)?,
                        b: protein(*b)?,
                        scores,
                        kind: None,
                    }));
                }
                Layout::EdgeList { kind } => {
                    let column = |index, name| Column { index, name };
                    if !(2..=3).contains(&row.fields.count()) {
                        return Err(row.error(
                            "wrong number of fields",
                            format!(
                                "{} fields, expected two gene names and an optional weight",
                                row.fields.count()
                            ),
                        ));
                    }
                    let mut scores = BTreeMap::new();
                    if row.fields.count() == 3 {
                        if let Some(w) = row.number(column(2, "weight"))? {
                            scores.insert("weight".to_owned(), w);
                        }
                    }
                    return Ok(Some(Edge {
                        a: resolve(self.names, &row, row.text(column(0, "gene A"))?)?,
                        b: resolve(self.names, &row, row.text(column(1, "gene B"))?)?,
                        scores,
                        kind: kind.map(str::to_owned),
                    }));
                }
            }
        }
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn rows_passed_over(&self) -> u64 {
        self.other_organisms
    }

    fn name(&self) -> &str {
        self.table.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{collect, BadRows};

    fn names() -> GeneNames {
        let mut n = GeneNames::default();
        for (orf, std) in [
            ("YAL001C", "TFC3"),
            ("YAL002W", "VPS8"),
            ("YBR160W", "CDC28"),
        ] {
            n.insert(&orf.parse().unwrap(), Some(std), []);
        }
        n
    }

    #[test]
    fn biogrid_keeps_yeast_edges_with_their_kind() {
        let text = "#BioGRID Interaction ID\tSystematic Name Interactor A\tSystematic Name Interactor B\tExperimental System\tExperimental System Type\tOrganism ID Interactor A\tOrganism ID Interactor B\tScore
1\tYAL001C\tYAL002W\tTwo-hybrid\tphysical\t559292\t559292\t-
2\tYBR160W\tYAL001C\tSynthetic Lethality\tgenetic\t559292\t559292\t3.2
3\tYBR160W\tNOTGENE\tSynthetic Lethality\tgenetic\t559292\t559292\t-
4\tYAL001C\tHUMAN1\tAffinity Capture-MS\tphysical\t559292\t9606\t-
";
        let names = names();
        let reader = Reader::biogrid(text.as_bytes(), "tab3", &names).unwrap();
        let (edges, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!((report.rows_read, report.passed_over), (4, 1));
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0].kind.as_deref(), Some("physical"));
        assert_eq!(edges[1].scores["score"], 3.2);
        assert_eq!(report.rejected["unmapped gene name"][0].line, 4);
    }

    #[test]
    fn string_reads_every_channel() {
        let text = "protein1 protein2 neighborhood fusion cooccurence coexpression experimental database textmining combined_score
4932.YAL001C 4932.YAL002W 0 0 0 62 150 0 88 212
4932.YAL001C 9606.ENSP1 0 0 0 0 0 0 0 150
";
        let names = names();
        let reader = Reader::string(text.as_bytes(), "links", &names).unwrap();
        let (edges, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!(edges.len(), 1);
        assert_eq!(edges[0].scores.len(), 8);
        assert_eq!(edges[0].scores["combined_score"], 212.0);
        assert_eq!(report.rejected["other organism"].len(), 1);
    }

    #[test]
    fn edge_lists_with_and_without_weights() {
        // BIONIC's layout: space-separated, weights optional, standard names resolve too.
        let text = "YAL001C YAL002W 0.31\nCDC28 YAL001C\nYAL001C NOTGENE 0.5\nYAL001C\n";
        let names = names();
        let (edges, report) = collect(
            Reader::edge_list(text.as_bytes(), "net.txt", &names),
            BadRows::Skip,
        )
        .unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0].scores["weight"], 0.31);
        assert_eq!(edges[1].a.as_str(), "YBR160W");
        assert!(edges[1].scores.is_empty());
        assert_eq!(report.rejected["unmapped gene name"][0].line, 3);
        assert_eq!(report.rejected["wrong number of fields"][0].line, 4);
    }

    #[test]
    fn regulatory_edges_are_directed() {
        let text = "# regulator\ttarget\nYBR160W\tYAL001C\t2.5\n";
        let names = names();
        let (edges, _) = collect(
            Reader::regulatory(text.as_bytes(), "reg.tsv", &names),
            BadRows::Fail,
        )
        .unwrap();
        assert_eq!(edges.len(), 1);
        assert_eq!(
            (edges[0].a.as_str(), edges[0].b.as_str()),
            ("YBR160W", "YAL001C")
        );
        assert_eq!(edges[0].kind.as_deref(), Some("regulatory"));
    }

    #[test]
    fn detect_reads_the_layout_from_the_first_line() {
        let names = names();
        let kinds = |text: &str| {
            let reader = Reader::detect(text.as_bytes(), "net", &names).unwrap();
            let (edges, _) = collect(reader, BadRows::Fail).unwrap();
            edges.into_iter().map(|e| e.kind).collect::<Vec<_>>()
        };
        let biogrid = "#BioGRID Interaction ID\tSystematic Name Interactor A\tSystematic Name Interactor B\tExperimental System Type\tOrganism ID Interactor A\tOrganism ID Interactor B\n1\tYAL001C\tYAL002W\tgenetic\t559292\t559292\n";
        assert_eq!(kinds(biogrid), [Some("genetic".to_owned())]);
        assert_eq!(
            kinds("protein1 protein2 combined_score\n4932.YAL001C 4932.YAL002W 700\n"),
            [None]
        );
        assert_eq!(kinds("YBR160W\tYAL001C\n"), [Some("regulatory".to_owned())]);
        assert!(
            Reader::detect("YBR160W\tYAL001C\n".as_bytes(), "net", &names)
                .unwrap()
                .is_directed()
        );
        assert_eq!(kinds("YBR160W YAL001C 0.2\n"), [None]);
    }
}
