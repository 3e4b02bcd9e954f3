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
use serde_json::Value;

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

fn write_group(
    conn: &Connection,
    path: &Path,
    header: &[String],
    select: &str,
    key: &str,
    cols: &[(String, Kind)],
    leading: usize,
) -> Result<u64, Error> {
    let ctx = |what: &str| format!("{what} {}", path.display());
    let file = File::create(path).map_err(|e| Error::new(ctx("creating"), e))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    w.write_record(header)
        .map_err(|e| Error::new(ctx("writing"), e))?;
    let mut stmt = conn
        .prepare(select)
        .map_err(|e| Error::new(ctx("reading for"), e))?;
    let mut rows = stmt
        .query([key])
        .map_err(|e| Error::new(ctx("reading for"), e))?;
    let mut n = 0;
    while let Some(row) = rows.next().map_err(|e| Error::new(ctx("reading for"), e))? {
        let mut record: Vec<String> = (0..leading)
            .map(|i| row.get::<_, String>(i))
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| Error::new(ctx("reading for"), e))?;
        let props: String = row
            .get(leading)
            .map_err(|e| Error::new(ctx("reading for"), e))?;
        let map: serde_json::Map<String, Value> = serde_json::from_str(&props).unwrap_or_default();
        record.extend(cols.iter().map(|(k, _)| cell(map.get(k))));
        record.push(key.to_owned());
        w.write_record(&record)
            .map_err(|e| Error::new(ctx("writing"), e))?;
        n += 1;
    }
    w.flush().map_err(|e| Error::new(ctx("writing"), e))?;
    Ok(n)
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

/// Writes the store's graph as `neo4j-admin` import files into `dir`.
pub(crate) fn neo4j_admin(conn: &Connection, dir: &Path) -> Result<Export, Error> {
    fs::create_dir_all(dir).map_err(|e| Error::new(format!("creating {}", dir.display()), e))?;
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
    let mut export = Export::default();
    let mut command = String::from("neo4j-admin database import full --overwrite-destination \\\n  --skip-bad-relationships --skip-duplicate-nodes");
    for label in groups("SELECT DISTINCT label FROM nodes ORDER BY label")? {
        if !Label::ALL.iter().any(|l| l.as_str() == label) {
            return Err(refused("node label", &label));
        }
        let cols = columns(conn, "SELECT props FROM nodes WHERE label = ?1", &label)
            .map_err(|e| Error::new(format!("typing {label}"), e))?;
        let mut header = vec!["id:ID".to_owned()];
        header.extend(cols.iter().map(|(k, t)| format!("{k}{}", t.suffix())));
        header.push(":LABEL".to_owned());
        let file = format!("nodes_{label}.csv");
        let path = dir.join(&file);
        let n = write_group(
            conn,
            &path,
            &header,
            "SELECT id, props FROM nodes WHERE label = ?1 ORDER BY id",
            &label,
            &cols,
            1,
        )?;
        command.push_str(&format!(" \\\n  --nodes={label}={file}"));
        export.nodes.insert(label, (path, n));
    }
    for rel in groups("SELECT DISTINCT rel FROM edges ORDER BY rel")? {
        if !is_relationship_type(&rel) {
            return Err(refused("relationship type", &rel));
        }
        let cols = columns(conn, "SELECT props FROM edges WHERE rel = ?1", &rel)
            .map_err(|e| Error::new(format!("typing {rel}"), e))?;
        let mut header = vec![":START_ID".to_owned(), ":END_ID".to_owned()];
        header.extend(cols.iter().map(|(k, t)| format!("{k}{}", t.suffix())));
        header.push(":TYPE".to_owned());
        let file = format!("relationships_{rel}.csv");
        let path = dir.join(&file);
        let n = write_group(
            conn,
            &path,
            &header,
            "SELECT src, dst, props FROM edges WHERE rel = ?1 ORDER BY src, dst",
            &rel,
            &cols,
            2,
        )?;
        command.push_str(&format!(" \\\n  --relationships={rel}={file}"));
        export.relationships.insert(rel, (path, n));
    }
    command.push_str(" \\\n  neo4j\n");
    let script = dir.join("import.sh");
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
