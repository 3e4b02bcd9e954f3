//! The work of `ironcell bench …`: each benchmark's measurement, its synthetic input and its
//! reference engine's run, so the commands only read arguments and print. Speed goals are
//! proven here, side by side with the reference in one run (never by timed unit tests).

pub mod baselines;
pub mod dcell;
pub mod kg;
pub mod models;
pub mod parallel;
pub mod readers;
pub mod store;
pub mod synthetic;

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use crate::Error;

/// One engine's step times, seconds each.
#[derive(Debug, Clone)]
pub struct Timing {
    /// The engine, as the tables name it.
    pub engine: String,
    /// Every timed step.
    pub steps: Vec<f64>,
}

impl Timing {
    /// Times `steps` calls of `step` (at least one) after one warm-up call.
    pub fn of(engine: &str, steps: usize, mut step: impl FnMut()) -> Timing {
        step();
        let steps = (0..steps.max(1))
            .map(|_| {
                let start = Instant::now();
                step();
                start.elapsed().as_secs_f64()
            })
            .collect();
        Timing {
            engine: engine.to_owned(),
            steps,
        }
    }

    /// The median step.
    pub fn median(&self) -> f64 {
        median(&self.steps)
    }
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => f64::NAN,
        n if n.is_multiple_of(2) => (sorted[mid - 1] + sorted[mid]) / 2.0,
        _ => sorted[mid],
    }
}

/// Peak resident memory of this process so far, from `/proc/self/status` (Linux), in bytes.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Starts the peak-RSS count afresh (Linux's `clear_refs`), so a stage reports its own peak
/// rather than the process's so far.
pub fn reset_peak_rss() {
    // Where the kernel refuses, the figure is the process's peak: larger, never smaller.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The bytes of the files directly in `dir`.
pub fn dir_size(dir: &Path) -> Result<u64, Error> {
    let mut total = 0;
    let entries = std::fs::read_dir(dir).map_err(Error::file(dir))?;
    for entry in entries {
        total += entry
            .and_then(|e| e.metadata())
            .map_err(Error::file(dir))?
            .len();
    }
    Ok(total)
}

/// How a reference program is run: `python SCRIPT ARGS…` or `python -c CODE ARGS…`.
pub enum Program<'a> {
    /// A script file.
    Script(&'a Path),
    /// Code passed with `-c`.
    Code(&'a str),
}

/// Runs a Python reference that prints one JSON object on standard output; the object.
/// `needs` names what it imports, for the message when it fails.
pub fn python_json(
    python: &str,
    program: Program<'_>,
    args: &[String],
    needs: &str,
) -> Result<serde_json::Value, Error> {
    let mut command = Command::new(python);
    let what = match program {
        Program::Script(path) => {
            command.arg(path);
            format!("{python} {}", path.display())
        }
        Program::Code(code) => {
            command.args(["-c", code]);
            format!("{python} -c …")
        }
    };
    let out = command
        .args(args)
        .output()
        .map_err(|e| Error::Reference(format!("running {what}: {e}")))?;
    if !out.status.success() {
        return Err(Error::Reference(format!(
            "{what} failed (does {python} have {needs}?): {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::Reference(format!("reading the report of {what}: {e}")))
}

/// Runs a PyTorch reference script; its report and the step times it lists under
/// `step_seconds`, as a [`Timing`] of `engine(report)`.
pub fn torch_reference(
    python: &str,
    script: &Path,
    args: &[String],
    engine: impl FnOnce(&serde_json::Value) -> String,
) -> Result<(Timing, serde_json::Value), Error> {
    let report = python_json(python, Program::Script(script), args, "torch")?;
    let steps: Vec<f64> = report["step_seconds"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    if steps.is_empty() {
        return Err(Error::Reference(format!(
            "the PyTorch report of {} has no step times",
            script.display()
        )));
    }
    let timing = Timing {
        engine: engine(&report),
        steps,
    };
    Ok((timing, report))
}

/// Writes a benchmark's `results` to `dir/results.json`; the path.
pub fn write_results(dir: &Path, results: &serde_json::Value) -> Result<PathBuf, Error> {
    let path = dir.join("results.json");
    let bytes = serde_json::to_vec_pretty(results).map_err(|e| Error::Input(e.to_string()))?;
    std::fs::write(&path, bytes).map_err(Error::file(&path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty_lists() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn a_timing_skips_its_warm_up_call() {
        let mut calls = 0;
        let t = Timing::of("count", 3, || calls += 1);
        assert_eq!((calls, t.steps.len()), (4, 3));
    }
}
