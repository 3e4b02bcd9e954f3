//! `ironcell report`: runs' scored results drawn into one HTML page by
//! `ironcell_eval::report`.

use std::fs;

use anyhow::{Context, Result};
use ironcell_eval::report::{evidence::Evidence, html};

use crate::args::ReportArgs;

pub fn run(args: &ReportArgs) -> Result<()> {
    super::out_folder_exists(&args.out)?;
    let mut sources = Vec::new();
    for dir in &args.runs {
        let name = dir
            .file_name()
            .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into());
        sources.push((dir.display().to_string(), name, Evidence::read_run(dir)?));
    }
    if let Some(bench) = &args.bench {
        sources.push((
            bench.display().to_string(),
            "bench".to_owned(),
            Evidence::read_bench(bench)?,
        ));
    }
    let paths: Vec<String> = sources.iter().map(|(p, _, _)| p.clone()).collect();
    let evidence = Evidence::combine(sources.into_iter().map(|(_, n, e)| (n, e)).collect());
    let page = html(&evidence, &args.title, &paths)?;
    fs::write(&args.out, &page).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{}: {} outcomes, {} models' test predictions, {} learning curves, {} figures",
        args.out.display(),
        evidence.outcomes.len(),
        evidence.rows.len(),
        evidence.curves.len(),
        page.matches("<figure").count()
    );
    Ok(())
}
