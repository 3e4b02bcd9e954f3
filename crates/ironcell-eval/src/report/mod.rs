//! Outcomes as a Markdown table (the form BENCHMARKS.md takes), as JSON, and as a
//! self-contained HTML report with figures ([`html`]).

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
};

use crate::{
    evaluate::Outcome,
    score::{Estimate, Judged},
};

pub mod evidence;
mod figures;
pub mod html;

pub use html::html;

/// The outcomes of one (task, split, model, engine, label, subset), averaged over seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary<'a> {
    /// The task.
    pub task: &'a str,
    /// The split, with what it held out where one seed held out one thing.
    pub split: String,
    /// The model.
    pub model: &'a str,
    /// Whose implementation.
    pub engine: &'a str,
    /// The label.
    pub label: &'a str,
    /// The part of the test set.
    pub subset: &'a str,
    /// Mean training rows.
    pub n_train: f64,
    /// Mean test rows.
    pub n_test: f64,
    /// The label's leading metric (Pearson, AUROC) with its interval, where scored: the means
    /// over seeds of the value and of each end.
    pub primary: Option<(&'static str, Estimate)>,
    /// Every other metric, its mean over seeds.
    pub others: Vec<(&'a str, f64)>,
}

/// One [`Summary`] per (task, split, model, engine, label, subset), in that order; and the
/// seeds the outcomes came from.
pub fn summarise(outcomes: &[Outcome]) -> (Vec<Summary<'_>>, BTreeSet<Option<u64>>) {
    type Key<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);
    let mut groups: BTreeMap<Key<'_>, Vec<&Outcome>> = BTreeMap::new();
    for o in outcomes {
        groups
            .entry((&o.task, &o.split, &o.model, &o.engine, &o.label, &o.subset))
            .or_default()
            .push(o);
    }
    let seeds: BTreeSet<Option<u64>> = outcomes.iter().map(|o| o.seed).collect();
    let summaries = groups
        .into_iter()
        .map(|((task, split, model, engine, label, subset), os)| {
            let k = os.len() as f64;
            let avg = |f: &dyn Fn(&Outcome) -> f64| os.iter().map(|o| f(o)).sum::<f64>() / k;
            let metric = |n: &str| avg(&|o| o.metrics.get(n).map_or(f64::NAN, |e| e.value));
            let name = Judged::of(label).primary();
            let primary = os[0].metrics.get(name).map(|_| {
                let ends = |f: fn(&Estimate) -> f64| avg(&|o| f(&o.metrics[name]));
                let estimate = Estimate {
                    value: ends(|e| e.value),
                    low: ends(|e| e.low),
                    high: ends(|e| e.high),
                };
                (name, estimate)
            });
            let others = os[0]
                .metrics
                .keys()
                .filter(|&n| n != name)
                .map(|n| (n.as_str(), metric(n)))
                .collect();
            let held = os[0]
                .held_out
                .as_deref()
                .filter(|_| seeds.len() == 1)
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            Summary {
                task,
                split: format!("{split}{held}"),
                model,
                engine,
                label,
                subset,
                n_train: avg(&|o| o.n_train as f64),
                n_test: avg(&|o| o.n_test as f64),
                primary,
                others,
            }
        })
        .collect();
    (summaries, seeds)
}

/// The leading metric as a table cell: `pearson 0.500 [0.400, 0.600]`; `pearson —` for a
/// constant prediction, which has no correlation.
fn primary_cell(primary: Option<(&str, Estimate)>) -> String {
    match primary {
        Some((name, e)) if e.value.is_finite() => {
            format!("{name} {:.3} [{:.3}, {:.3}]", e.value, e.low, e.high)
        }
        Some((name, _)) => format!("{name} —"),
        None => String::new(),
    }
}

/// Other metrics as a table cell: `mse 0.010, r2 —`.
fn others_cell(others: &[(&str, f64)]) -> String {
    others
        .iter()
        .map(|(n, v)| match v {
            v if v.is_finite() => format!("{n} {v:.3}"),
            _ => format!("{n} —"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per (task, split, model, engine, label, subset): the mean over seeds of each
/// metric, the label's leading metric with its interval (the intervals averaged over seeds).
/// Held-out environments are named when there is one seed (several seeds hold out several).
///
/// ```
/// use ironcell_eval::{evaluate::Outcome, report::markdown, score::Estimate};
/// let e = |v| Estimate { value: v, low: v - 0.1, high: v + 0.1 };
/// let outcome = Outcome {
///     task: "dmf".into(), split: "random".into(), held_out: None, seed: Some(1),
///     model: "gbt".into(), engine: "ironcell".into(), label: "fitness".into(),
///     subset: "all".into(), n_train: 10, n_test: 5, seconds: None,
///     metrics: [("pearson".to_owned(), e(0.5)), ("mse".to_owned(), e(0.01))].into(),
/// };
/// let table = markdown(&[outcome]);
/// assert!(table.contains("| dmf | random | gbt | ironcell | fitness | all | 10 | 5 | pearson 0.500 [0.400, 0.600] | mse 0.010 |"), "{table}");
/// ```
pub fn markdown(outcomes: &[Outcome]) -> String {
    let (summaries, seeds) = summarise(outcomes);
    let mut out = String::from(
        "| task | split | model | engine | label | subset | n train | n test | metric [95 % CI] | others |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for s in &summaries {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.0} | {:.0} | {} | {} |",
            s.task,
            s.split,
            s.model,
            s.engine,
            s.label,
            s.subset,
            s.n_train,
            s.n_test,
            primary_cell(s.primary),
            others_cell(&s.others)
        )
        .expect("a String");
    }
    if seeds.len() > 1 {
        let seeds: Vec<String> = seeds.iter().flatten().map(ToString::to_string).collect();
        writeln!(out, "\nMeans over seeds {}.", seeds.join(", ")).expect("a String");
    }
    out
}
