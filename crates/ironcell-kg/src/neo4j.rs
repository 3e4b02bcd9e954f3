//! The Neo4j 5 backend, over Bolt with `neo4rs`.
//!
//! Nodes carry their label and a unique `id` (one constraint per label), so writes are
//! `UNWIND … MERGE` by id in one explicit transaction per batch of experiments: a batch is
//! stored whole or not at all, and experiments already in the graph are skipped.

use std::collections::{BTreeMap, HashSet};

use ironcell_core::Experiment;
use ironcell_sources::{networks::Edge, reference::Reference};
use neo4rs::{query, BoltType, ConfigBuilder, Graph, Query, Txn};
use serde_json::{json, Map, Value};
use tokio::runtime::Runtime;

use crate::{
    schema::{decode_experiment, decode_interaction, DatasetInfo, Label, Network, Subgraph},
    Error, GraphStore, Stats,
};

/// Experiments per transaction.
const BATCH: usize = 2_000;
/// Rows per `UNWIND`.
const ROWS: usize = 5_000;

/// A Neo4j user and password. Take them from flags or the environment, never from a URL
/// that ends up in logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user.
    pub user: String,
    /// The password.
    pub password: String,
}

impl Default for Credentials {
    /// `NEO4J_USER` (default `neo4j`) and `NEO4J_PASSWORD` (default empty) from the
    /// environment.
    fn default() -> Self {
        Self {
            user: std::env::var("NEO4J_USER").unwrap_or_else(|_| "neo4j".to_owned()),
            password: std::env::var("NEO4J_PASSWORD").unwrap_or_default(),
        }
    }
}

/// The Neo4j backend.
pub struct Neo4jStore {
    graph: Graph,
    runtime: Runtime,
    url: String,
}

/// `serde_json` values as Bolt parameters.
fn bolt(value: Value) -> Result<BoltType, Error> {
    BoltType::try_from(value).map_err(|e| Error::new("converting a parameter for Neo4j", e))
}

impl Neo4jStore {
    /// Connects to `url` (`bolt://HOST:PORT` or `neo4j://HOST:PORT`) and makes sure the
    /// id constraints and the dataset index exist.
    pub fn connect(url: &str, credentials: Credentials) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::new("starting the Neo4j client runtime", e))?;
        let config = ConfigBuilder::default()
            .uri(url)
            .user(credentials.user)
            .password(credentials.password)
            .fetch_size(5_000)
            .max_connections(4)
            .build()
            .map_err(|e| Error::new(format!("configuring {url}"), e))?;
        let graph = runtime
            .block_on(Graph::connect(config))
            .map_err(|e| Error::new(format!("connecting to {url}"), e))?;
        let store = Self {
            graph,
            runtime,
            url: url.to_owned(),
        };
        for label in Label::ALL {
            let l = label.as_str();
            store.run(query(&format!(
                "CREATE CONSTRAINT ironcell_{l}_id IF NOT EXISTS FOR (n:{l}) REQUIRE n.id IS UNIQUE"
            )))?;
        }
        store.run(query(
            "CREATE INDEX ironcell_experiment_dataset IF NOT EXISTS FOR (e:Experiment) ON (e.dataset)",
        ))?;
        Ok(store)
    }

    fn err(&self, what: &str) -> impl Fn(neo4rs::Error) -> Error + '_ {
        let context = format!("{what} in {}", self.url);
        move |e| Error::new(context.clone(), e)
    }

    fn run(&self, q: Query) -> Result<(), Error> {
        self.runtime
            .block_on(self.graph.run(q))
            .map_err(self.err("running a statement"))
    }

    /// Runs a read query and returns its rows as JSON objects.
    fn rows(&self, q: Query) -> Result<Vec<Value>, Error> {
        let err = self.err("querying");
        self.runtime.block_on(async {
            let mut stream = self.graph.execute(q).await.map_err(&err)?;
            let mut out = Vec::new();
            while let Some(row) = stream.next().await.map_err(&err)? {
                out.push(
                    row.to::<Value>()
                        .map_err(|e| Error::new(format!("decoding a row from {}", self.url), e))?,
                );
            }
            Ok(out)
        })
    }

    /// Runs an expert's Cypher (e.g. from a file) and returns every row as a JSON object.
    pub fn cypher(&self, text: &str) -> Result<Vec<Value>, Error> {
        self.rows(query(text))
    }

    /// Which of `ids` a node of `label` already has.
    fn existing(&self, label: Label, ids: &[&str]) -> Result<HashSet<String>, Error> {
        let ids = ids.iter().map(|&id| Value::String(id.to_owned())).collect();
        Ok(self
            .rows(
                query(&format!(
                    "UNWIND $ids AS id MATCH (n:{} {{id: id}}) RETURN n.id AS id",
                    label.as_str()
                ))
                .param("ids", bolt(Value::Array(ids))?),
            )?
            .iter()
            .map(|r| string(r, "id"))
            .collect())
    }

    fn write(&self, g: &Subgraph, update: bool) -> Result<(), Error> {
        let err = self.err("writing");
        self.runtime.block_on(async {
            let mut txn = self.graph.start_txn().await.map_err(&err)?;
            write_in(&mut txn, g, update).await?;
            txn.commit().await.map_err(&err)
        })
    }
}

/// Writes a subgraph inside `txn`: nodes grouped by label, then edges grouped by type.
async fn write_in(txn: &mut Txn, g: &Subgraph, update: bool) -> Result<(), Error> {
    let set = if update { "SET" } else { "ON CREATE SET" };
    let mut nodes: BTreeMap<Label, Vec<Value>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for n in &g.nodes {
        if seen.insert((n.label, n.id.as_str())) {
            let props: Map<String, Value> = n
                .props
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            nodes
                .entry(n.label)
                .or_default()
                .push(json!({"id": n.id, "props": props}));
        }
    }
    let wrap = |e: neo4rs::Error| Error::new("writing a batch to Neo4j", e);
    for (label, rows) in nodes {
        let cypher = format!(
            "UNWIND $rows AS r MERGE (n:{} {{id: r.id}}) {set} n += r.props",
            label.as_str()
        );
        for chunk in rows.chunks(ROWS) {
            txn.run(query(&cypher).param("rows", bolt(Value::Array(chunk.to_vec()))?))
                .await
                .map_err(wrap)?;
        }
    }
    let mut edges: BTreeMap<(Label, &str, Label), Vec<Value>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for e in &g.edges {
        if seen.insert((e.src.as_str(), e.rel, e.dst.as_str())) {
            let props: Map<String, Value> = e
                .props
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            edges
                .entry((e.src_label, e.rel, e.dst_label))
                .or_default()
                .push(json!({"src": e.src, "dst": e.dst, "props": props}));
        }
    }
    for ((src, rel, dst), rows) in edges {
        // An endpoint that does not exist (a GO term missing from the ontology) gets no edge,
        // as in the SQLite store's ANNOTATED_TO of unknown terms.
        let cypher = format!(
            "UNWIND $rows AS r MATCH (a:{} {{id: r.src}}) MATCH (b:{} {{id: r.dst}}) \
             MERGE (a)-[x:{rel}]->(b) {set} x += r.props",
            src.as_str(),
            dst.as_str()
        );
        for chunk in rows.chunks(ROWS) {
            txn.run(query(&cypher).param("rows", bolt(Value::Array(chunk.to_vec()))?))
                .await
                .map_err(wrap)?;
        }
    }
    Ok(())
}

fn string(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

impl GraphStore for Neo4jStore {
    fn put_reference(&mut self, reference: &Reference) -> Result<u64, Error> {
        let g = Subgraph::of_reference(reference);
        self.write(&g, true)?;
        Ok(g.nodes.len() as u64)
    }

    fn put_experiments(&mut self, experiments: &[Experiment]) -> Result<u64, Error> {
        let mut added = 0u64;
        for chunk in experiments.chunks(BATCH) {
            let ids: Vec<_> = chunk.iter().map(Experiment::content_id).collect();
            let existing = self.existing(
                Label::Experiment,
                &ids.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
            )?;
            let mut g = Subgraph::default();
            let mut seen = HashSet::new();
            for e in chunk {
                let id = e.content_id();
                if existing.contains(id.as_str()) || !seen.insert(id) {
                    continue;
                }
                g.add_experiment(e);
                added += 1;
            }
            if !g.nodes.is_empty() {
                self.write(&g, false)?;
            }
        }
        Ok(added)
    }

    fn put_network(&mut self, network: &Network<'_>) -> Result<u64, Error> {
        let mut added = 0u64;
        for chunk in network.unique_edges().chunks(BATCH) {
            let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
            let existing = self.existing(Label::Interaction, &ids)?;
            let new: Vec<Edge> = chunk
                .iter()
                .filter(|(id, _)| !existing.contains(id))
                .map(|(_, e)| (*e).clone())
                .collect();
            let mut g = Subgraph::default();
            g.add_network(&Network {
                edges: &new,
                ..*network
            });
            self.write(&g, false)?;
            added += new.len() as u64;
        }
        Ok(added)
    }

    fn network(&self, name: &str) -> Result<Option<(bool, Vec<Edge>)>, Error> {
        let found = self.rows(
            query("MATCH (n:Network {id: $n}) RETURN n.directed AS directed").param("n", name),
        )?;
        let Some(directed) = found.first() else {
            return Ok(None);
        };
        let directed = directed.get("directed").and_then(Value::as_bool) == Some(true);
        let rows = self.rows(
            query(
                "MATCH (i:Interaction)-[:INTERACTION_MEMBER_OF]->(:Network {id: $n}) \
                 WITH i ORDER BY i.id RETURN i.a AS a, i.b AS b, i.scores AS scores, i.kind AS kind",
            )
            .param("n", name),
        )?;
        let edges = rows
            .iter()
            .map(|row| {
                let text = |k: &str| row.get(k).and_then(Value::as_str);
                decode_interaction(
                    &string(row, "a"),
                    &string(row, "b"),
                    text("scores"),
                    text("kind").map(str::to_owned),
                )
                .map_err(|e| Error::new(format!("decoding network {name} in {}", self.url), e))
            })
            .collect::<Result<_, _>>()?;
        Ok(Some((directed, edges)))
    }

    fn describe_dataset(&mut self, name: &str, info: &DatasetInfo) -> Result<(), Error> {
        self.write(&Subgraph::of_dataset(name, info), true)
    }

    fn dataset_info(&self, name: &str) -> Result<Option<DatasetInfo>, Error> {
        let rows = self.rows(
            query(
                "MATCH (d:Dataset {id: $d}) RETURN coalesce(d.synthetic, false) AS synthetic, \
                 coalesce(d.absent, []) AS absent, d.note AS note",
            )
            .param("d", name),
        )?;
        rows.into_iter()
            .next()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| Error::new(format!("decoding dataset {name} in {}", self.url), e))
    }

    fn experiments(&self, dataset: &str) -> Result<Vec<Experiment>, Error> {
        let rows = self.rows(
            query(
                "MATCH (e:Experiment {dataset: $d}) \
                 MATCH (r:ExperimentReference)-[:REFERENCE_OF]->(e) \
                 WITH e, r ORDER BY e.id RETURN e.json AS ej, r.json AS rj",
            )
            .param("d", dataset),
        )?;
        rows.iter()
            .map(|row| {
                decode_experiment(&string(row, "ej"), &string(row, "rj")).map_err(|e| {
                    Error::new(
                        format!("decoding an experiment of {dataset} in {}", self.url),
                        e,
                    )
                })
            })
            .collect()
    }

    fn datasets(&self) -> Result<Vec<String>, Error> {
        Ok(self
            .rows(query("MATCH (d:Dataset) RETURN d.id AS id ORDER BY id"))?
            .iter()
            .map(|r| string(r, "id"))
            .collect())
    }

    fn has_label(&self, label: Label) -> Result<bool, Error> {
        let rows = self.rows(query(&format!(
            "MATCH (n:{}) RETURN n.id AS id LIMIT 1",
            label.as_str()
        )))?;
        Ok(!rows.is_empty())
    }

    fn stats(&self) -> Result<Stats, Error> {
        let counts = |cypher: &str| -> Result<BTreeMap<String, u64>, Error> {
            Ok(self
                .rows(query(cypher))?
                .iter()
                .map(|row| {
                    (
                        string(row, "k"),
                        row.get("n").and_then(Value::as_u64).unwrap_or(0),
                    )
                })
                .collect())
        };
        let mut stats = Stats {
            nodes: counts("MATCH (n) UNWIND labels(n) AS k RETURN k, count(*) AS n")?,
            edges: counts("MATCH ()-[r]->() RETURN type(r) AS k, count(*) AS n")?,
            ..Stats::default()
        };
        for row in self.rows(query(
            "MATCH (e:Experiment) RETURN e.dataset AS d, e.phenotype AS p, \
             e.environment AS env, count(*) AS n",
        ))? {
            let n = row.get("n").and_then(Value::as_u64).unwrap_or(0);
            stats.experiments.insert(
                (string(&row, "d"), string(&row, "p"), string(&row, "env")),
                n,
            );
        }
        stats.networks = counts("MATCH (i:Interaction) RETURN i.network AS k, count(*) AS n")?;
        Ok(stats)
    }
}
