//! `ironcell fetch`: download a dataset's published files, resumably and verified.

use std::fs;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use ironcell_sources::fetch::{self, DATASETS};

use crate::args::FetchArgs;

pub fn run(args: &FetchArgs) -> Result<()> {
    let Some(name) = &args.dataset else {
        for d in DATASETS {
            println!("{:<14} {}", d.name, d.note);
            for f in d.files {
                println!("{:<14}   {} ← {}", "", f.name, f.url);
            }
        }
        return Ok(());
    };
    let Some(dataset) = fetch::dataset(name) else {
        let known: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
        bail!("unknown dataset {name:?}; known: {}", known.join(", "));
    };
    fs::create_dir_all(&args.to).with_context(|| format!("creating {}", args.to.display()))?;
    println!("{}: {}", dataset.name, dataset.note);
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )?
    .progress_chars("=> ");
    for file in dataset.files {
        let url = match &args.mirror {
            Some(mirror) => format!("{}/{}", mirror.trim_end_matches('/'), file.name),
            None => file.url.to_owned(),
        };
        let dest = args.to.join(file.name);
        let bar = ProgressBar::new(0)
            .with_style(style.clone())
            .with_message(file.name);
        let got = fetch::download(&url, &dest, file.sha256, &mut |done, total| {
            if let Some(t) = total {
                bar.set_length(t);
            }
            bar.set_position(done);
        })?;
        bar.finish_and_clear();
        let how = if got.already_present {
            "already present".to_owned()
        } else if got.resumed_from > 0 {
            format!("resumed from byte {}", got.resumed_from)
        } else {
            "downloaded".to_owned()
        };
        let check = if file.sha256.is_some() {
            "verified"
        } else {
            "no published checksum"
        };
        println!(
            "  {} ({} bytes, {how}; sha256 {}, {check})",
            got.path.display(),
            got.bytes,
            got.sha256
        );
        if file.unpack {
            for f in fetch::unzip(&dest, &args.to)? {
                println!("    unpacked {}", f.display());
            }
        }
    }
    Ok(())
}
