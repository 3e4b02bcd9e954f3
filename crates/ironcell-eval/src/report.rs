//! Outcomes as a Markdown table (the form BENCHMARKS.md takes) and as JSON.

use std::{collections::BTreeMap, fmt::Write as _};

use crate::{evaluate::Outcome, score::Judged};

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
    type Key<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);
    let mut groups: BTreeMap<Key<'_>, Vec<&Outcome>> = BTreeMap::new();
    for o in outcomes {
        groups
            .entry((&o.task, &o.split, &o.model, &o.engine, &o.label, &o.subset))
            .or_default()
            .push(o);
    }
    let seeds: std::collections::BTreeSet<Option<u64>> = outcomes.iter().map(|o| o.seed).collect();
    let mut out = String::from(
        "| task | split | model | engine | label | subset | n train | n test | metric [95 % CI] | others |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for ((task, split, model, engine, label, subset), os) in &groups {
        let k = os.len() as f64;
        let avg = |f: &dyn Fn(&Outcome) -> f64| os.iter().map(|o| f(o)).sum::<f64>() / k;
        let primary = Judged::of(label).primary();
        let first = match os[0].metrics.get(primary) {
            Some(_) => {
                let value = avg(&|o| o.metrics[primary].value);
                if value.is_finite() {
                    format!(
                        "{primary} {value:.3} [{:.3}, {:.3}]",
                        avg(&|o| o.metrics[primary].low),
                        avg(&|o| o.metrics[primary].high)
                    )
                } else {
                    // A constant prediction has no correlation.
                    format!("{primary} —")
                }
            }
            None => String::new(),
        };
        let others: Vec<String> = os[0]
            .metrics
            .keys()
            .filter(|&n| n != primary)
            .map(
                |n| match avg(&|o| o.metrics.get(n).map_or(f64::NAN, |e| e.value)) {
                    v if v.is_finite() => format!("{n} {v:.3}"),
                    _ => format!("{n} —"),
                },
            )
            .collect();
        let held = os[0]
            .held_out
            .as_deref()
            .filter(|_| seeds.len() == 1)
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        writeln!(
            out,
            "| {task} | {split}{held} | {model} | {engine} | {label} | {subset} | {:.0} | {:.0} | {first} | {} |",
            avg(&|o| o.n_train as f64),
            avg(&|o| o.n_test as f64),
            others.join(", ")
        )
        .expect("a String");
    }
    if seeds.len() > 1 {
        let seeds: Vec<String> = seeds.iter().flatten().map(ToString::to_string).collect();
        writeln!(out, "\nMeans over seeds {}.", seeds.join(", ")).expect("a String");
    }
    out
}
