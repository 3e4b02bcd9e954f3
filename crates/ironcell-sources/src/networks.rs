//! Gene networks as edges between reference genes: BioGRID `tab3` (physical or genetic, by
//! "Experimental System Type"), STRING `protein.links` and `protein.physical.links`, detailed
//! or not (every evidence channel and the combined score, proteins named `4932.YAL001C`),
//! plain edge lists `A B [weight]` (space-separated, no header, as BIONIC's inputs),
//! regulatory edge lists `regulator<TAB>target[<TAB>weight]` (directed, `#` comments),
//! regulatory matrices (targets × regulators, a non-zero cell an edge weighted by its value:
//! YEASTRACT's export, and the Inferelator's gold standard in R's layout), and the genes of a
//! metabolic model joined when they share a reaction (Yeast9's reaction table, read by
//! [`yeast_gem`](crate::yeast_gem)).
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
    yeast_gem, Error,
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
/// `Krogan-2006.txt.gz` is `Krogan-2006`; where that is a number (STRING's files start with
/// the taxon, `4932.protein.physical.links.v12.0.txt.gz`), the folder's name.
///
/// ```
/// use std::path::Path;
/// use ironcell_sources::networks::name_of;
///
/// assert_eq!(name_of(Path::new("yeast-screens/networks/Krogan-2006.txt.gz")), "Krogan-2006");
/// assert_eq!(
///     name_of(Path::new("string-v12-physical/4932.protein.physical.links.v12.0.txt.gz")),
///     "string-v12-physical"
/// );
/// ```
pub fn name_of(path: &Path) -> &str {
    let file = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("network");
    let stem = file.split('.').next().unwrap_or(file);
    if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(folder) = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
        {
            return folder;
        }
    }
    stem
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
    /// Targets × regulators: the target in the first field, then one cell per regulator
    /// (the name as written where the reference does not know it).
    Matrix {
        regulators: Vec<Result<SystematicName, String>>,
    },
    /// A metabolic model's reactions: every pair of genes of a reaction's rule.
    Reactions(yeast_gem::Columns),
}

/// Streams edges from a network file.
pub struct Reader<'n, R> {
    table: Delimited<R>,
    names: &'n GeneNames,
    layout: Layout,
    /// Rows without an edge: interactions outside yeast, matrix rows of zeros, reactions
    /// with fewer than two genes.
    passed_over: u64,
    /// Edges of a row already read (matrix rows and reactions give several).
    pending: Vec<Edge>,
    /// The error of a row whose other edges are in `pending`, reported after them.
    deferred: Option<Error>,
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
        Ok(Self::with(table, names, layout))
    }

    fn with(table: Delimited<R>, names: &'n GeneNames, layout: Layout) -> Self {
        Self {
            table,
            names,
            layout,
            passed_over: 0,
            pending: Vec::new(),
            deferred: None,
        }
    }

    /// A STRING `protein.links` or `protein.physical.links` file, detailed or not
    /// (space-separated; every column after the two proteins is a score).
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
        Ok(Self::with(table, names, Layout::String { a, b, channels }))
    }

    /// A plain edge list: `A B [weight]` per line, space-separated, no header (the layout of
    /// BIONIC's network inputs); undirected.
    pub fn edge_list(inner: R, name: &str, names: &'n GeneNames) -> Self {
        Self::with(
            Delimited::space_separated(inner, name),
            names,
            Layout::EdgeList { kind: None },
        )
    }

    /// A regulatory edge list: `regulator<TAB>target[<TAB>weight]` per line, no header, `#`
    /// comments; edges are directed from `a` (regulator) to `b` (target), kind `regulatory`.
    pub fn regulatory(inner: R, name: &str, names: &'n GeneNames) -> Self {
        Self::with(
            Delimited::tsv_with_comments(inner, name, b'#'),
            names,
            Layout::EdgeList {
                kind: Some("regulatory"),
            },
        )
    }

    /// A regulatory matrix: tab-separated, one row per target (its name first), one column
    /// per regulator, a non-zero cell an edge from the regulator to the target weighted by
    /// the cell (YEASTRACT's 1, the gold standard's ±1); directed, kind `regulatory`. The
    /// header names a first column and then the regulators (YEASTRACT's `SystematicName`), or,
    /// as R's `write.table` writes it, the regulators alone; names may be quoted. A non-zero
    /// cell of a regulator the reference does not know (YEASTRACT's `MAL63`, a gene S288C
    /// lacks) rejects its row, after the row's other edges are read: the report lists every
    /// such edge, and no known one is lost.
    pub fn regulatory_matrix(inner: R, name: &str, names: &'n GeneNames) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let h = table.header()?;
        let header: Vec<&str> = h.names().iter().map(|n| unquote(n)).collect();
        // R's layout leaves out the row names' column: its first field is a quoted regulator.
        let written = if h.names().first().is_some_and(|n| n.starts_with('"')) {
            &header[..]
        } else {
            header.get(1..).unwrap_or_default()
        };
        let regulators: Vec<Result<SystematicName, String>> = written
            .iter()
            .map(|r| names.resolve(r).map_err(|_| (*r).to_owned()))
            .collect();
        if regulators.is_empty() {
            return Err(Error::format(name, "no regulator columns"));
        }
        Ok(Self::with(table, names, Layout::Matrix { regulators }))
    }

    /// Yeast9's reaction table: every pair of genes a reaction's rule names is an edge
    /// (kind `metabolic`, undirected), so genes are joined when they share a reaction.
    pub fn reactions(inner: R, name: &str, names: &'n GeneNames) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let columns = yeast_gem::Columns::new(&mut table)?;
        Ok(Self::with(table, names, Layout::Reactions(columns)))
    }
}

/// A name without the double quotes R puts around it.
fn unquote(name: &str) -> &str {
    name.strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(name)
}

impl<R> Reader<'_, R> {
    /// Whether edges run from `a` to `b` only (regulatory lists and matrices).
    pub fn is_directed(&self) -> bool {
        matches!(
            self.layout,
            Layout::EdgeList {
                kind: Some("regulatory")
            } | Layout::Matrix { .. }
        )
    }
}

impl<'n, R: BufRead> Reader<'n, R> {
    /// A network in whichever layout its first line shows: BioGRID `tab3` (a header starting
    /// `#BioGRID Interaction ID`), STRING (a header starting `protein1`), Yeast9's reactions
    /// (`Rxn name`), a regulatory matrix (`SystematicName` or a quoted name, then tabs), a
    /// regulatory list (tab-separated or `#`-commented), else a space-separated edge list. For users who
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
        } else if first.starts_with(b"Rxn name\t") {
            Self::reactions(inner, name, names)
        } else if first.starts_with(b"SystematicName\t") || first.starts_with(b"\"") {
            Self::regulatory_matrix(inner, name, names)
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
            if let Some(edge) = self.pending.pop() {
                return Ok(Some(edge));
            }
            if let Some(error) = self.deferred.take() {
                return Err(error);
            }
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
                        self.passed_over += 1;
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
                Layout::Matrix { regulators } => {
                    if row.fields.count() != regulators.len() + 1 {
                        return Err(row.error(
                            "wrong number of fields",
                            format!(
                                "{} fields, expected the target and {} regulators",
                                row.fields.count(),
                                regulators.len()
                            ),
                        ));
                    }
                    let mut cells = Vec::new();
                    for (i, regulator) in regulators.iter().enumerate() {
                        let cell = Column {
                            index: i + 1,
                            name: "regulator",
                        };
                        if let Some(w) = row.number(cell)?.filter(|&w| w != 0.0) {
                            cells.push((regulator, w));
                        }
                    }
                    if cells.is_empty() {
                        // No regulator documented: nothing to map, whatever the target.
                        self.passed_over += 1;
                        continue;
                    }
                    let target_column = Column {
                        index: 0,
                        name: "target",
                    };
                    let target = resolve(self.names, &row, unquote(row.text(target_column)?))?;
                    let mut edges = Vec::new();
                    let mut unknown = Vec::new();
                    for (regulator, w) in cells {
                        match regulator {
                            Ok(regulator) => edges.push(Edge {
                                a: regulator.clone(),
                                b: target.clone(),
                                scores: BTreeMap::from([("weight".to_owned(), w)]),
                                kind: Some("regulatory".to_owned()),
                            }),
                            Err(written) => unknown.push(written.as_str()),
                        }
                    }
                    if !unknown.is_empty() {
                        self.deferred = Some(row.error(
                            "unmapped gene name",
                            format!(
                                "no reference gene is named {unknown:?} (a regulator); the \
                                 row's {} other edges are read",
                                edges.len()
                            ),
                        ));
                    }
                    // Popped from the back: reversed, they come out in column order.
                    edges.reverse();
                    self.pending = edges;
                }
                Layout::Reactions(columns) => {
                    let genes = match columns.reaction(&row, self.names)? {
                        Some(reaction) => reaction.genes,
                        None => vec![],
                    };
                    let mut edges = Vec::new();
                    for (i, a) in genes.iter().enumerate() {
                        for b in &genes[i + 1..] {
                            edges.push(Edge {
                                a: a.clone(),
                                b: b.clone(),
                                scores: BTreeMap::new(),
                                kind: Some("metabolic".to_owned()),
                            });
                        }
                    }
                    if edges.is_empty() {
                        self.passed_over += 1;
                    }
                    edges.reverse();
                    self.pending = edges;
                }
            }
        }
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn rows_passed_over(&self) -> u64 {
        self.passed_over
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
    fn a_weight_that_is_not_finite_is_a_bad_row_not_a_silent_null() {
        let text = "YAL001C YAL002W inf\nYAL001C YAL002W -infinity\nYAL001C YAL002W 1e999\n";
        let names = names();
        let err = collect(
            Reader::edge_list(text.as_bytes(), "net.txt", &names),
            BadRows::Fail,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("net.txt:1:"), "{err}");
        assert!(
            err.contains("expected a finite number, found \"inf\""),
            "{err}"
        );
        let (edges, report) = collect(
            Reader::edge_list(text.as_bytes(), "net.txt", &names),
            BadRows::Skip,
        )
        .unwrap();
        assert!(edges.is_empty());
        assert_eq!(report.rejected_counts["not a number"], 3);
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
    fn regulatory_matrices_give_an_edge_per_nonzero_cell() {
        let names = names();
        // YEASTRACT: a first column named, regulators after it.
        let yeastract = "SystematicName\tYBR160W\tYAL002W\nYAL001C\t1\t0\nCDC28\t0\t0\nNOTGENE\t1\t1\nYAL002W\t1\n";
        let reader = Reader::detect(yeastract.as_bytes(), "y.tsv", &names).unwrap();
        assert!(reader.is_directed());
        let (edges, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!(edges.len(), 1);
        assert_eq!(
            (edges[0].a.as_str(), edges[0].b.as_str()),
            ("YBR160W", "YAL001C")
        );
        assert_eq!(edges[0].scores["weight"], 1.0);
        assert_eq!(report.passed_over, 1);
        assert_eq!(report.rejected["unmapped gene name"][0].line, 4);
        assert_eq!(report.rejected["wrong number of fields"][0].line, 5);
        // R's write.table: quoted, the header one field short, signed cells.
        let gold = "\"YBR160W\"\t\"YAL002W\"\n\"YAL001C\"\t-1\t1\n";
        let (edges, _) = collect(
            Reader::detect(gold.as_bytes(), "g.tsv", &names).unwrap(),
            BadRows::Fail,
        )
        .unwrap();
        let signed: Vec<(&str, f64)> = edges
            .iter()
            .map(|e| (e.a.as_str(), e.scores["weight"]))
            .collect();
        assert_eq!(signed, [("YBR160W", -1.0), ("YAL002W", 1.0)]);
        // A regulator the reference lacks: its edges are rejected with their rows, after the
        // rows' other edges.
        let unknown = "SystematicName\tNOTGENE\tYBR160W\nYAL001C\t1\t1\nYAL002W\t0\t1\n";
        let reader = Reader::detect(unknown.as_bytes(), "u.tsv", &names).unwrap();
        let (edges, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!(edges.len(), 2);
        let rejected = &report.rejected["unmapped gene name"];
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].line, 2);
        assert!(rejected[0].message.contains("NOTGENE"), "{rejected:?}");
    }

    #[test]
    fn genes_sharing_a_reaction_are_joined() {
        let names = names();
        let gem = "Rxn name\tFormula\tGene-reaction association\tLB\tUB\tObjective
r_1\ta => b\t(YAL001C and YAL002W) or YBR160W\t0\t1000\t0
r_2\tc => d\t\t0\t1000\t0
r_3\te => f\tYAL001C\t0\t1000\t0
";
        let reader = Reader::detect(gem.as_bytes(), "yeast-GEM.txt", &names).unwrap();
        assert!(!reader.is_directed());
        let (edges, report) = collect(reader, BadRows::Fail).unwrap();
        let pairs: Vec<(&str, &str)> = edges.iter().map(|e| (e.a.as_str(), e.b.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("YAL001C", "YAL002W"),
                ("YAL001C", "YBR160W"),
                ("YAL002W", "YBR160W")
            ]
        );
        assert_eq!(edges[0].kind.as_deref(), Some("metabolic"));
        assert_eq!((report.rows_read, report.passed_over), (3, 2));
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
