//! `ironcell reference build`.

use std::{fs, path::PathBuf};

use anyhow::{bail, Context, Result};
use ironcell_sources::reference::{BuildReport, Reference};

use crate::args::ReferenceBuildArgs;

pub fn build(args: &ReferenceBuildArgs) -> Result<()> {
    let mut files: Vec<PathBuf> = fs::read_dir(&args.genbank)
        .with_context(|| format!("listing {}", args.genbank.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            [".gb", ".gb.gz", ".gbk", ".gbk.gz", ".gbff", ".gbff.gz"]
                .iter()
                .any(|s| name.ends_with(s))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!(
            "{}: no GenBank files (*.gb, *.gbk, *.gbff, optionally .gz)",
            args.genbank.display()
        );
    }
    let (reference, report) =
        Reference::from_sources(&files, &args.obo, &args.deletion_table, args.gaf.as_deref())?;
    reference.write(&args.out)?;
    let provenance = provenance(&files, args, &reference, &report);
    let path = args.out.join("PROVENANCE.md");
    fs::write(&path, provenance).with_context(|| format!("writing {}", path.display()))?;
    println!("reference bundle written to {}", args.out.display());
    println!("  GenBank files        {:>7}", files.len());
    println!("  loci read            {:>7}", report.loci);
    println!("  genes (ORFs)         {:>7}", report.genes);
    println!("  non-ORF loci skipped {:>7}", report.non_orf_loci);
    if let Some(gaf) = &args.gaf {
        println!("  GO annotations from  {}", gaf.display());
        println!("  GAF NOT lines        {:>7}", report.gaf_negated);
        println!("  GAF unmapped objects {:>7}", report.gaf_unmapped);
    }
    println!("  GO annotations       {:>7}", report.annotations);
    println!("  alt ids remapped     {:>7}", report.remapped_alt_ids);
    println!("  unknown/obsolete GO  {:>7}", report.dropped_unknown_terms);
    println!("  GO terms kept        {:>7}", report.terms);
    println!(
        "  essential genes      {:>7}",
        reference.essential_genes().len()
    );
    println!(
        "  deletion ORFs absent {:>7}",
        report.deletion_orfs_unmatched
    );
    Ok(())
}

fn provenance(
    files: &[PathBuf],
    args: &ReferenceBuildArgs,
    reference: &Reference,
    r: &BuildReport,
) -> String {
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let file_name = |p: &PathBuf| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    format!(
        "# Reference bundle\n\n\
Made by `ironcell reference build` (ironcell {version}) from:\n\n\
| input | what | source | licence |\n|---|---|---|---|\n\
| {gb} | S288C chromosomes as GenBank (genes, CDS, GO annotations with evidence and PMID) | SGD reference genome deposited at NCBI (TPA BK006935–BK006949), LOCUS 18-JAN-2017 | SGD data, CC BY 4.0 |\n\
| `{obo}` | Gene Ontology, OBO 1.2, {go} | Gene Ontology Consortium | CC BY 4.0 |\n\
| `{del}` | Yeast Deletion Project strain table (essential genes) | Stanford Yeast Deletion Project, 2007-05-16 | public project data |\n\n\
Contents: {genes} genes (ORFs with systematic names; {non_orf} RNA loci named otherwise were skipped), \
{ann} GO annotations ({remap} given by alt ids rewritten to primary ids, {dropped} to obsolete or unknown terms dropped), \
{terms} GO terms (annotated terms and all their ancestors), essentiality for the genes the deletion table lists \
({absent} table ORFs are not genes of the GenBank files).\n\n\
Files: `genes.tsv.gz`, `go_annotations.tsv.gz`, `go.obo.gz` (formats in `ironcell_sources::reference`).\n\
Cite SGD (Cherry et al. 2012), the Gene Ontology (Ashburner et al. 2000; GO Consortium 2023) and \
Giaever et al. 2002 for the deletion collection.\n",
        version = env!("CARGO_PKG_VERSION"),
        gb = names.join(", "),
        obo = file_name(&args.obo),
        del = file_name(&args.deletion_table),
        go = reference.go_version,
        genes = r.genes,
        non_orf = r.non_orf_loci,
        ann = r.annotations,
        remap = r.remapped_alt_ids,
        dropped = r.dropped_unknown_terms,
        terms = r.terms,
        absent = r.deletion_orfs_unmatched,
    )
}
