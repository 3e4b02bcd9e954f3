//! What a report is drawn from: the outcomes `evaluate` and `train` write (and `bench
//! accuracy`'s), the test predictions row by row written beside them, and the trainer's
//! per-epoch history of each model. Every figure is redrawn from these files, so a report
//! never retrains or re-predicts anything.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

use ironcell_models::trainer::Fit;

use crate::{evaluate::Outcome, Error};

/// The outcomes of a scored run, as `evaluate` and `train` write them.
pub const OUTCOMES: &str = "evaluation.json";
/// The same outcomes as a Markdown table.
pub const OUTCOMES_TABLE: &str = "evaluation.md";
/// The test predictions behind the outcomes, one line per genotype and label.
pub const ROWS: &str = "test_rows.tsv";
/// A model's per-epoch history, in its directory (beside `card.json`).
pub const HISTORY: &str = "metrics.json";

const ROWS_HEADER: &str =
    "task\tsplit\tmodel\tlabel\tgenes\tmeasured\tpredicted\tsd\tlow_90\thigh_90";

/// One model's test predictions of one label: what scatters, residuals and calibration are
/// drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct TestRows {
    /// The task or dataset scored.
    pub task: String,
    /// The split.
    pub split: String,
    /// The model.
    pub model: String,
    /// The label.
    pub label: String,
    /// One per test genotype where both the measurement and the prediction are numbers.
    pub rows: Vec<TestRow>,
}

impl TestRows {
    /// The `rows` of `[task, split, model, label]` where both the measurement and the
    /// prediction are numbers (the rows that are scored).
    pub fn scored(key: [&str; 4], rows: impl IntoIterator<Item = TestRow>) -> Self {
        let [task, split, model, label] = key.map(str::to_owned);
        Self {
            task,
            split,
            model,
            label,
            rows: rows
                .into_iter()
                .filter(|r| r.measured.is_finite() && r.predicted.is_finite())
                .collect(),
        }
    }
}

/// One test genotype.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestRow {
    /// Genes perturbed.
    pub genes: usize,
    /// The measured value.
    pub measured: f64,
    /// The model's prediction.
    pub predicted: f64,
    /// The prediction's spread, where the model has one.
    pub spread: Option<RowSpread>,
}

/// A prediction's spread: standard deviation and central 90 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowSpread {
    /// Standard deviation.
    pub sd: f64,
    /// Lower end of the central 90 % interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// A model's training history: per epoch, the training loss and the validation metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// The model, as the run directory names it (`RUN/SPLIT`).
    pub name: String,
    /// Mean training loss of each epoch, from the first.
    pub train_loss: Vec<f64>,
    /// Per label, its validation metrics at each epoch that had them.
    pub validation: BTreeMap<String, Vec<Validated>>,
    /// The epoch whose weights were kept (0-based), where early stopping chose one.
    pub kept_epoch: Option<usize>,
}

/// A label's validation metrics at one epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Validated {
    /// 0-based.
    pub epoch: usize,
    /// Mean squared error.
    pub mse: f64,
    /// Pearson correlation.
    pub pearson: f64,
}

impl Curve {
    /// The trainer's history of the model `name`.
    pub fn from_fit(name: String, fit: &Fit) -> Self {
        let mut validation: BTreeMap<String, Vec<Validated>> = BTreeMap::new();
        for r in &fit.history {
            for (label, v) in &r.validation {
                validation
                    .entry(label.clone())
                    .or_default()
                    .push(Validated {
                        epoch: r.epoch,
                        mse: v.mse,
                        pearson: v.pearson,
                    });
            }
        }
        Self {
            name,
            train_loss: fit.history.iter().map(|r| r.train_loss).collect(),
            validation,
            kept_epoch: fit.kept_epoch,
        }
    }
}

/// Everything one report shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Test-set numbers with their intervals.
    pub outcomes: Vec<Outcome>,
    /// Test predictions row by row.
    pub rows: Vec<TestRows>,
    /// Training histories.
    pub curves: Vec<Curve>,
}

impl Evidence {
    /// What a run directory holds: every `evaluation.json` and `test_rows.tsv` under it, and
    /// the history of every saved model (a directory with `card.json` and `metrics.json`).
    /// Curves are named from `dir`'s own name down.
    pub fn read_run(dir: &Path) -> Result<Self, Error> {
        let mut found = Self::default();
        let root_name = dir
            .file_name()
            .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into());
        let mut stack = vec![dir.to_owned()];
        let mut dirs = Vec::new();
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).map_err(|e| io(&d, e))? {
                let path = entry.map_err(|e| io(&d, e))?.path();
                if path.is_dir() {
                    stack.push(path);
                }
            }
            dirs.push(d);
        }
        dirs.sort();
        for d in dirs {
            let outcomes = d.join(OUTCOMES);
            if outcomes.is_file() {
                found.outcomes.extend(read_outcomes(&outcomes)?);
            }
            let rows = d.join(ROWS);
            if rows.is_file() {
                found.rows.extend(read_rows(&rows)?);
            }
            let history = d.join(HISTORY);
            if d.join("card.json").is_file() && history.is_file() {
                let bytes = fs::read(&history).map_err(|e| io(&history, e))?;
                let fit: Fit = serde_json::from_slice(&bytes).map_err(|e| {
                    Error::Input(format!(
                        "{}: not a training history (epochs with train_loss and validation): {e}",
                        history.display()
                    ))
                })?;
                let below = d.strip_prefix(dir).unwrap_or(&d);
                let name = std::iter::once(root_name.clone())
                    .chain(below.iter().map(|c| c.to_string_lossy().into_owned()))
                    .collect::<Vec<_>>()
                    .join("/");
                found.curves.push(Curve::from_fit(name, &fit));
            }
        }
        if found.outcomes.is_empty() && found.rows.is_empty() && found.curves.is_empty() {
            return Err(Error::Input(format!(
                "{}: nothing to report under it (no {OUTCOMES} or {ROWS} as `train` and `evaluate` write, no model with a {HISTORY})",
                dir.display()
            )));
        }
        Ok(found)
    }

    /// The outcomes of `bench accuracy`'s `accuracy.json` (its `results`).
    pub fn read_bench(path: &Path) -> Result<Self, Error> {
        #[derive(serde::Deserialize)]
        struct Bench {
            results: Vec<Outcome>,
        }
        let bytes = fs::read(path).map_err(|e| io(path, e))?;
        let bench: Bench = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Input(format!(
                "{}: not a `bench accuracy` result (accuracy.json with `results`): {e}",
                path.display()
            ))
        })?;
        Ok(Self {
            outcomes: bench.results,
            ..Self::default()
        })
    }

    /// Several sources in one. A model name that two sources both use for the same task,
    /// split and label is suffixed with its source's name, so their bars stay apart.
    pub fn combine(sources: Vec<(String, Self)>) -> Self {
        type Key = (String, String, String, String);
        let mut owners: BTreeMap<Key, BTreeSet<&str>> = BTreeMap::new();
        for (name, e) in &sources {
            let keys = e
                .outcomes
                .iter()
                .map(|o| (&o.task, &o.split, &o.model, &o.label))
                .chain(
                    e.rows
                        .iter()
                        .map(|r| (&r.task, &r.split, &r.model, &r.label)),
                );
            for (t, s, m, l) in keys {
                owners
                    .entry((t.clone(), s.clone(), m.clone(), l.clone()))
                    .or_default()
                    .insert(name);
            }
        }
        let shared: BTreeSet<Key> = owners
            .into_iter()
            .filter(|(_, o)| o.len() > 1)
            .map(|(k, _)| k)
            .collect();
        let mut all = Self::default();
        for (name, e) in sources {
            let rename = |t: &str, s: &str, m: &str, l: &str| {
                let key = (t.to_owned(), s.to_owned(), m.to_owned(), l.to_owned());
                if shared.contains(&key) {
                    format!("{m} · {name}")
                } else {
                    m.to_owned()
                }
            };
            all.outcomes.extend(e.outcomes.into_iter().map(|mut o| {
                o.model = rename(&o.task, &o.split, &o.model, &o.label);
                o
            }));
            all.rows.extend(e.rows.into_iter().map(|mut r| {
                r.model = rename(&r.task, &r.split, &r.model, &r.label);
                r
            }));
            all.curves.extend(e.curves);
        }
        all
    }
}

fn io(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Input(format!("{}: {e}", path.display()))
}

/// Reads an `evaluation.json`.
pub fn read_outcomes(path: &Path) -> Result<Vec<Outcome>, Error> {
    let bytes = fs::read(path).map_err(|e| io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::Input(format!(
            "{}: not a list of outcomes as `evaluate` writes: {e}",
            path.display()
        ))
    })
}

/// Writes `outcomes` (JSON and Markdown) and `rows` into `dir`, the files a report reads;
/// returns their paths.
pub fn write_scored(
    dir: &Path,
    outcomes: &[Outcome],
    rows: &[TestRows],
) -> Result<[PathBuf; 3], Error> {
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let json = dir.join(OUTCOMES);
    let bytes = serde_json::to_vec_pretty(outcomes).map_err(|e| io(&json, e))?;
    fs::write(&json, bytes).map_err(|e| io(&json, e))?;
    let md = dir.join(OUTCOMES_TABLE);
    fs::write(&md, super::markdown(outcomes)).map_err(|e| io(&md, e))?;
    let tsv = dir.join(ROWS);
    fs::write(&tsv, rows_tsv(rows)).map_err(|e| io(&tsv, e))?;
    Ok([json, md, tsv])
}

/// `rows` as `test_rows.tsv` holds them (a missing spread is `NaN`).
pub fn rows_tsv(rows: &[TestRows]) -> String {
    let mut out = format!("{ROWS_HEADER}\n");
    for r in rows {
        for row in &r.rows {
            let s = row.spread.unwrap_or(RowSpread {
                sd: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            });
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                r.task,
                r.split,
                r.model,
                r.label,
                row.genes,
                row.measured,
                row.predicted,
                s.sd,
                s.low,
                s.high
            )
            .expect("a String");
        }
    }
    out
}

/// Reads a `test_rows.tsv`: consecutive lines of one task, split, model and label are one
/// [`TestRows`].
///
/// ```
/// use ironcell_eval::report::evidence::{parse_rows, rows_tsv};
/// let text = "task\tsplit\tmodel\tlabel\tgenes\tmeasured\tpredicted\tsd\tlow_90\thigh_90\n\
///             dmf\trandom\trf\tfitness\t2\t0.5\t0.6\t0.1\t0.45\t0.8\n\
///             dmf\trandom\trf\tfitness\t1\t0.9\t0.85\tNaN\tNaN\tNaN\n";
/// let rows = parse_rows(text, "test_rows.tsv").unwrap();
/// assert_eq!(rows.len(), 1);
/// assert_eq!(rows[0].rows[0].spread.unwrap().high, 0.8);
/// assert!(rows[0].rows[1].spread.is_none());
/// assert_eq!(rows_tsv(&rows), text);
/// let bad = text.replace("0.85", "high");
/// let e = parse_rows(&bad, "test_rows.tsv").unwrap_err().to_string();
/// assert!(e.contains("test_rows.tsv line 3") && e.contains("predicted"), "{e}");
/// ```
pub fn parse_rows(text: &str, source: &str) -> Result<Vec<TestRows>, Error> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header == ROWS_HEADER => {}
        _ => {
            return Err(Error::Input(format!(
                "{source} line 1: expected the header `{ROWS_HEADER}`"
            )))
        }
    }
    let columns: Vec<&str> = ROWS_HEADER.split('\t').collect();
    let mut out: Vec<TestRows> = Vec::new();
    for (n, line) in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let at = |what: &str| format!("{source} line {}: {what}", n + 1);
        if fields.len() != columns.len() {
            return Err(Error::Input(at(&format!(
                "expected {} tab-separated fields, found {}",
                columns.len(),
                fields.len()
            ))));
        }
        let number = |k: usize| {
            fields[k].parse::<f64>().map_err(|_| {
                Error::Input(at(&format!(
                    "expected a number in `{}`, found {:?}",
                    columns[k], fields[k]
                )))
            })
        };
        let genes = fields[4].parse::<usize>().map_err(|_| {
            Error::Input(at(&format!(
                "expected a gene count in `genes`, found {:?}",
                fields[4]
            )))
        })?;
        let (sd, low, high) = (number(7)?, number(8)?, number(9)?);
        let row = TestRow {
            genes,
            measured: number(5)?,
            predicted: number(6)?,
            spread: (!sd.is_nan()).then_some(RowSpread { sd, low, high }),
        };
        let same = |r: &TestRows| {
            [&r.task, &r.split, &r.model, &r.label]
                .iter()
                .zip(&fields)
                .all(|(a, b)| a.as_str() == *b)
        };
        match out.last_mut() {
            Some(last) if same(last) => last.rows.push(row),
            _ => out.push(TestRows {
                task: fields[0].to_owned(),
                split: fields[1].to_owned(),
                model: fields[2].to_owned(),
                label: fields[3].to_owned(),
                rows: vec![row],
            }),
        }
    }
    Ok(out)
}

/// Reads a `test_rows.tsv` file.
pub fn read_rows(path: &Path) -> Result<Vec<TestRows>, Error> {
    let text = fs::read_to_string(path).map_err(|e| io(path, e))?;
    parse_rows(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(model: &str) -> TestRows {
        TestRows::scored(
            ["dmf", "random", model, "fitness"],
            [
                TestRow {
                    genes: 2,
                    measured: 0.5,
                    predicted: 0.4,
                    spread: None,
                },
                TestRow {
                    genes: 2,
                    measured: f64::NAN,
                    predicted: 0.4,
                    spread: None,
                },
            ],
        )
    }

    #[test]
    fn a_model_name_two_runs_share_gets_each_runs_name() {
        let run = |models: &[&str]| Evidence {
            rows: models.iter().map(|m| rows(m)).collect(),
            ..Evidence::default()
        };
        let all = Evidence::combine(vec![
            ("a".to_owned(), run(&["gbt", "mean"])),
            ("b".to_owned(), run(&["gbt", "dcell"])),
        ]);
        let names: Vec<&str> = all.rows.iter().map(|r| r.model.as_str()).collect();
        assert_eq!(names, ["gbt · a", "mean", "gbt · b", "dcell"]);
        // Only scored rows are kept: the unmeasured genotype is not.
        assert!(all.rows.iter().all(|r| r.rows.len() == 1));
    }
}
