//! Bulk export for `neo4j-admin database import full`: one header-carrying CSV per node
//! label and per relationship type, and the command line that imports them.
//!
//! Building a large graph through Bolt transactions runs at thousands of nodes per second;
//! ingesting into the embedded store and importing its export offline is the fast path to a
//! Neo4j holding 1e7+ experiments.

use std::{
    collections::BTreeMap,
    fs::{self, File},
    io::{BufWriter, Write},
    path::{Path, PathBuf},
};

use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::{schema::Label, Error};

/// The Neo4j import type of a JSON property, widened when values disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Boolean,
    Long,
    Double,
    String,
}

impl Kind {
    fn of(v: &Value) -> Option<Self> {
        match v {
            Value::Null => None,
            Value::Bool(_) => Some(Self::Boolean),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(Self::Long),
            Value::Number(_) => Some(Self::Double),
            _ => Some(Self::String),
        }
    }

    fn widen(self, other: Self) -> Self {
        match (self, other) {
            (a, b) if a == b => a,
            (Self::Long, Self::Double) | (Self::Double, Self::Long) => Self::Double,
            _ => Self::String,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Self::Boolean => ":boolean",
            Self::Long => ":long",
            Self::Double => ":double",
            Self::String => "",
        }
    }
}

/// A cell: strings as they are, everything else as JSON text; null is empty.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// One group (a label or a relationship type): the property columns and their types.
fn columns(conn: &Connection, sql: &str, key: &str) -> rusqlite::Result<Vec<(String, Kind)>> {
    let mut kinds: BTreeMap<String, Kind> = BTreeMap::new();
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([key])?;
    while let Some(row) = rows.next()? {
        let props: String = row.get(0)?;
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&props) {
            for (k, v) in map {
                if let Some(kind) = Kind::of(&v) {
                    kinds
                        .entry(k)
                        .and_modify(|old| *old = old.widen(kind))
                        .or_insert(kind);
                }
            }
        }
    }
    Ok(kinds.into_iter().collect())
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Export {
    /// Node files by label, with their row counts.
    pub nodes: BTreeMap<String, (PathBuf, u64)>,
    /// Relationship files by type, with their row counts.
    pub relationships: BTreeMap<String, (PathBuf, u64)>,
    /// The `neo4j-admin` command that imports them.
    pub command: String,
}

/// One open CSV: a label's nodes or a relationship type's edges.
struct Group {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
    columns: Vec<String>,
    rows: u64,
}

/// The files of an export being written, one per label and relationship type, each opened
/// when its first row comes (its columns typed from the rows given to [`Files::open`], or
/// from that first row).
pub(crate) struct Files {
    dir: PathBuf,
    nodes: BTreeMap<String, Group>,
    relationships: BTreeMap<String, Group>,
}

fn write_row(
    group: &mut Group,
    mut record: Vec<String>,
    props: &Map<String, Value>,
    key: &str,
) -> Result<(), Error> {
    record.extend(group.columns.iter().map(|k| cell(props.get(k))));
    record.push(key.to_owned());
    group
        .writer
        .write_record(&record)
        .map_err(|e| Error::new(format!("writing {}", group.path.display()), e))?;
    group.rows += 1;
    Ok(())
}

impl Files {
    pub(crate) fn create(dir: &Path) -> Result<Self, Error> {
        fs::create_dir_all(dir)
            .map_err(|e| Error::new(format!("creating {}", dir.display()), e))?;
        Ok(Self {
            dir: dir.to_owned(),
            nodes: BTreeMap::new(),
            relationships: BTreeMap::new(),
        })
    }

    /// Opens a group's file with its header: `leading` columns, the typed properties, then
    /// the label or type column.
    fn open(
        &self,
        file: String,
        leading: &[&str],
        columns: &[(String, Kind)],
        last: &str,
    ) -> Result<Group, Error> {
        let path = self.dir.join(file);
        let ctx = |what: &str| format!("{what} {}", path.display());
        let f = File::create(&path).map_err(|e| Error::new(ctx("creating"), e))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(f));
        let mut header: Vec<String> = leading.iter().map(|&s| s.to_owned()).collect();
        header.extend(columns.iter().map(|(k, t)| format!("{k}{}", t.suffix())));
        header.push(last.to_owned());
        writer
            .write_record(&header)
            .map_err(|e| Error::new(ctx("writing"), e))?;
        Ok(Group {
            path,
            writer,
            columns: columns.iter().map(|(k, _)| k.clone()).collect(),
            rows: 0,
        })
    }

    fn typed(props: &Map<String, Value>) -> Vec<(String, Kind)> {
        props
            .iter()
            .filter_map(|(k, v)| Kind::of(v).map(|t| (k.clone(), t)))
            .collect()
    }

    /// Writes a node, opening its label's file (typed from these properties) if need be.
    pub(crate) fn node(
        &mut self,
        label: &str,
        id: &str,
        props: &Map<String, Value>,
    ) -> Result<(), Error> {
        if !self.nodes.contains_key(label) {
            let group = self.open(
                format!("nodes_{label}.csv"),
                &["id:ID"],
                &Self::typed(props),
                ":LABEL",
            )?;
            self.nodes.insert(label.to_owned(), group);
        }
        let group = self.nodes.get_mut(label).expect("opened above");
        write_row(group, vec![id.to_owned()], props, label)
    }

    /// Writes a relationship, opening its type's file (typed from these properties) if need
    /// be.
    pub(crate) fn relationship(
        &mut self,
        rel: &str,
        src: &str,
        dst: &str,
        props: &Map<String, Value>,
    ) -> Result<(), Error> {
        if !self.relationships.contains_key(rel) {
            let group = self.open(
                format!("relationships_{rel}.csv"),
                &[":START_ID", ":END_ID"],
                &Self::typed(props),
                ":TYPE",
            )?;
            self.relationships.insert(rel.to_owned(), group);
        }
        let group = self.relationships.get_mut(rel).expect("opened above");
        write_row(group, vec![src.to_owned(), dst.to_owned()], props, rel)
    }

    /// Closes every file and writes `import.sh`.
    pub(crate) fn finish(self) -> Result<Export, Error> {
        let mut export = Export::default();
        // The database first: `--relationships` takes several files, so a name after the
        // last one is read as another file (neo4j-admin 5.26: "File 'neo4j' doesn't exist").
        let mut command = String::from("neo4j-admin database import full neo4j --overwrite-destination \\\n  --skip-bad-relationships --skip-duplicate-nodes");
        for (groups, flag, out) in [
            (self.nodes, "nodes", &mut export.nodes),
            (
                self.relationships,
                "relationships",
                &mut export.relationships,
            ),
        ] {
            for (name, mut group) in groups {
                group
                    .writer
                    .flush()
                    .map_err(|e| Error::new(format!("writing {}", group.path.display()), e))?;
                let file = group
                    .path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                command.push_str(&format!(" \\\n  --{flag}={name}={file}"));
                out.insert(name, (group.path, group.rows));
            }
        }
        command.push('\n');
        let script = self.dir.join("import.sh");
        let mut f = File::create(&script)
            .map_err(|e| Error::new(format!("creating {}", script.display()), e))?;
        writeln!(
            f,
            "#!/bin/sh\n# Run from this directory with the target database stopped.\nset -e\n{command}"
        )
        .map_err(|e| Error::new(format!("writing {}", script.display()), e))?;
        export.command = command;
        Ok(export)
    }
}

/// Whether `rel` has the shape of the schema's relationship types (`MEMBER_OF`): upper-case
/// letters, digits and underscores. Labels and types are written unquoted into `import.sh`
/// and into file names, so a store crafted to hold anything else is refused, not exported.
fn is_relationship_type(rel: &str) -> bool {
    rel.starts_with(|c: char| c.is_ascii_uppercase())
        && rel
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn refused(what: &str, name: &str) -> Error {
    Error::new(
        "exporting for neo4j-admin",
        format!(
            "the store holds the {what} {:?}, which is not of the schema: refusing to write it into import.sh",
            name.chars().take(80).collect::<String>()
        ),
    )
}

/// Writes the nodes and edges tables (the shared objects: reference, networks, datasets…)
/// into `files`, each group's columns typed over all its rows.
pub(crate) fn shared(conn: &Connection, files: &mut Files) -> Result<(), Error> {
    let groups = |sql: &str| -> Result<Vec<String>, Error> {
        let mut stmt = conn
            .prepare(sql)
            .map_err(|e| Error::new("listing groups", e))?;
        let rows = stmt
            .query_map([], |r| r.get(0))
            .map_err(|e| Error::new("listing groups", e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| Error::new("listing groups", e))
    };
    let labels = groups("SELECT DISTINCT label FROM nodes ORDER BY label")?;
    if let Some(label) = labels
        .iter()
        .find(|l| !Label::ALL.iter().any(|k| k.as_str() == l.as_str()))
    {
        return Err(refused("node label", label));
    }
    let rels = groups("SELECT DISTINCT rel FROM edges ORDER BY rel")?;
    if let Some(rel) = rels.iter().find(|r| !is_relationship_type(r)) {
        return Err(refused("relationship type", rel));
    }
    let read = |what: &str, e: rusqlite::Error| Error::new(format!("reading {what} to export"), e);
    for label in labels {
        let cols = columns(conn, "SELECT props FROM nodes WHERE label = ?1", &label)
            .map_err(|e| Error::new(format!("typing {label}"), e))?;
        let mut group = files.open(format!("nodes_{label}.csv"), &["id:ID"], &cols, ":LABEL")?;
        let mut stmt = conn
            .prepare("SELECT id, props FROM nodes WHERE label = ?1 ORDER BY id")
            .map_err(|e| read(&label, e))?;
        let mut rows = stmt.query([&label]).map_err(|e| read(&label, e))?;
        while let Some(row) = rows.next().map_err(|e| read(&label, e))? {
            let (id, props): (String, String) = (
                row.get(0).map_err(|e| read(&label, e))?,
                row.get(1).map_err(|e| read(&label, e))?,
            );
            let props: Map<String, Value> = serde_json::from_str(&props).unwrap_or_default();
            write_row(&mut group, vec![id], &props, &label)?;
        }
        files.nodes.insert(label, group);
    }
    for rel in rels {
        let cols = columns(conn, "SELECT props FROM edges WHERE rel = ?1", &rel)
            .map_err(|e| Error::new(format!("typing {rel}"), e))?;
        let mut group = files.open(
            format!("relationships_{rel}.csv"),
            &[":START_ID", ":END_ID"],
            &cols,
            ":TYPE",
        )?;
        let mut stmt = conn
            .prepare("SELECT src, dst, props FROM edges WHERE rel = ?1 ORDER BY src, dst")
            .map_err(|e| read(&rel, e))?;
        let mut rows = stmt.query([&rel]).map_err(|e| read(&rel, e))?;
        while let Some(row) = rows.next().map_err(|e| read(&rel, e))? {
            let (src, dst, props): (String, String, String) = (
                row.get(0).map_err(|e| read(&rel, e))?,
                row.get(1).map_err(|e| read(&rel, e))?,
                row.get(2).map_err(|e| read(&rel, e))?,
            );
            let props: Map<String, Value> = serde_json::from_str(&props).unwrap_or_default();
            write_row(&mut group, vec![src, dst], &props, &rel)?;
        }
        files.relationships.insert(rel, group);
    }
    Ok(())
}
