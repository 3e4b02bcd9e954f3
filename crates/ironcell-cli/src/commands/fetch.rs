//! `ironcell fetch`: download the data directory's files from where they were published,
//! resumably and verified.

use anyhow::{bail, Result};
use indicatif::{ProgressBar, ProgressStyle};
use ironcell_sources::{
    data_dir::{
        catalog::{self, Dataset, Origin, DATASETS},
        DataDir,
    },
    fetch::{self, Fetched},
};

use crate::args::FetchArgs;

fn list() {
    for d in DATASETS {
        let kind = if d.standard {
            ""
        } else {
            " (full release; not in `all`)"
        };
        println!("{:<28} {}{kind}", d.name, d.note);
        for f in d.files {
            let from = match f.origin {
                Origin::Published(url) | Origin::Archive(url) => url.to_owned(),
                Origin::Gzipped { url, .. } => format!("{url} (gzipped here)"),
                Origin::Made(_) => {
                    "not downloadable as is (a copy of the data directory has it)".to_owned()
                }
            };
            println!("{:<28}   {} ← {from}", "", f.path);
        }
    }
}

fn chosen(names: &[String]) -> Result<Vec<&'static Dataset>> {
    let mut out: Vec<&'static Dataset> = Vec::new();
    for name in names {
        let found: Vec<&'static Dataset> = if name == "all" {
            DATASETS.iter().filter(|d| d.standard).collect()
        } else if let Some(d) = catalog::dataset(name) {
            vec![d]
        } else {
            let known: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
            bail!("unknown dataset {name:?}; known: all, {}", known.join(", "));
        };
        for d in found {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    Ok(out)
}

pub fn run(args: &FetchArgs) -> Result<()> {
    if args.datasets.is_empty() {
        list();
        return Ok(());
    }
    let datasets = chosen(&args.datasets)?;
    let root = DataDir::resolve(args.to.as_deref()).root().to_owned();
    println!("into {}", root.display());
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )?
    .progress_chars("=> ");
    let mut not_fetched = Vec::new();
    for dataset in datasets {
        println!("{}: {}", dataset.name, dataset.note);
        for file in dataset.files {
            let bar = ProgressBar::new(0)
                .with_style(style.clone())
                .with_message(file.path);
            let got = fetch::fetch_file(file, &root, args.mirror.as_deref(), &mut |done, total| {
                if let Some(t) = total {
                    bar.set_length(t);
                }
                bar.set_position(done);
            });
            bar.finish_and_clear();
            match got? {
                Fetched::File {
                    download,
                    verified,
                    unpacked,
                } => {
                    let how = if download.already_present {
                        "already present".to_owned()
                    } else if download.resumed_from > 0 {
                        format!("resumed from byte {}", download.resumed_from)
                    } else {
                        "downloaded".to_owned()
                    };
                    let check = if verified {
                        "verified"
                    } else {
                        "no recorded checksum"
                    };
                    println!(
                        "  {} ({} bytes, {how}; sha256 {}, {check})",
                        file.path, download.bytes, download.sha256
                    );
                    for f in unpacked {
                        println!("    unpacked {}", f.display());
                    }
                }
                Fetched::NotDownloadable(how) => {
                    println!("  {}: not downloadable as is ({how})", file.path);
                    not_fetched.push(file.path);
                }
            }
        }
    }
    if !not_fetched.is_empty() {
        bail!(
            "{} file(s) no download provides, made by converting published files: {}; copy them \
             from a copy of the data directory, or fetch from one with --mirror URL",
            not_fetched.len(),
            not_fetched.join(", ")
        );
    }
    Ok(())
}
