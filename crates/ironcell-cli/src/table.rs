//! The plain-text tables commands print, one line per scored model, for a terminal (the
//! Markdown and JSON that files hold are `ironcell_eval::report`'s).

use ironcell_eval::{baseline::Row, evaluate::Outcome};

/// One line per model and test subset: Pearson with its interval, Spearman, R², MSE; a
/// constant prediction (the mean) has no correlation: "—".
pub fn outcomes(outcomes: &[Outcome]) {
    println!(
        "\n{:<18} {:<14} {:<11} {:>6} {:>22} {:>8} {:>8} {:>8}",
        "split", "model", "test subset", "n", "pearson [95 % CI]", "spearman", "r2", "mse"
    );
    for o in outcomes {
        let metric = |k: &str, places: usize| match o.metrics.get(k).map(|e| e.value) {
            Some(v) if v.is_finite() => format!("{v:.places$}"),
            _ => "—".to_owned(),
        };
        let pearson = o
            .metrics
            .get("pearson")
            .filter(|p| p.value.is_finite())
            .map_or("—".to_owned(), |p| {
                format!("{:.3} [{:.3}, {:.3}]", p.value, p.low, p.high)
            });
        println!(
            "{:<18} {:<14} {:<11} {:>6} {pearson:>22} {:>8} {:>8} {:>8}",
            o.split,
            o.model,
            o.subset,
            o.n_test,
            metric("spearman", 3),
            metric("r2", 3),
            metric("mse", 4)
        );
    }
}

/// The header of [`baseline_row`]'s lines.
pub fn baseline_header() {
    println!(
        "{:<16} {:<14} {:<6} {:>7} {:>7} {:>8} {:>9} {:>8} {:>9} {:>8}",
        "label", "split", "model", "train", "test", "Pearson", "Spearman", "R²", "MSE", "fit s"
    );
}

/// A feature model's (or the training mean's) test row, with its fit time.
pub fn baseline_row(r: &Row) {
    println!(
        "{:<16} {:<14} {:<6} {:>7} {:>7} {:>8.4} {:>9.4} {:>8.4} {:>9.5} {:>8.2}",
        r.label,
        r.split,
        r.model,
        r.n_train,
        r.n_test,
        r.pearson,
        r.spearman,
        r.r2,
        r.mse,
        r.fit_seconds
    );
}
