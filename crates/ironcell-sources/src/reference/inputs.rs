//! The published files a reference bundle is assembled from, and the assembly itself: what
//! `ironcell reference build` runs, and what the data directory's derived cache runs on first
//! use (one code path, so a cached bundle is the bundle the command would write).

use std::{
    fmt, fs,
    path::{Path, PathBuf},
};

use super::{BuildReport, Reference};
use crate::Error;

/// A GenBank file, by its name (`chr01.gb.gz`, `NC_001133.gbk`, …).
fn is_genbank(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    [".gb", ".gb.gz", ".gbk", ".gbk.gz", ".gbff", ".gbff.gz"]
        .iter()
        .any(|s| name.ends_with(s))
}

/// SGD GenBank chromosomes, the GO OBO, the deletion table and, optionally, a GAF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// The GenBank files, sorted by name.
    pub genbank: Vec<PathBuf>,
    /// Gene Ontology in OBO 1.2 (optionally gzip).
    pub obo: PathBuf,
    /// Yeast Deletion Project table (optionally gzip).
    pub deletion_table: PathBuf,
    /// SGD's `gene_association.sgd`, to take dated GO annotations from instead of GenBank's
    /// qualifiers.
    pub gaf: Option<PathBuf>,
}

impl Inputs {
    /// The GenBank files of `genbank_dir` (`*.gb`, `*.gbk`, `*.gbff`, optionally `.gz`) and the
    /// other files as given.
    pub fn new(
        genbank_dir: &Path,
        obo: &Path,
        deletion_table: &Path,
        gaf: Option<&Path>,
    ) -> Result<Self, Error> {
        let name = genbank_dir.display().to_string();
        let mut genbank: Vec<PathBuf> = fs::read_dir(genbank_dir)
            .map_err(|e| Error::io(&name, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_genbank(p))
            .collect();
        genbank.sort();
        if genbank.is_empty() {
            return Err(Error::format(
                &name,
                "no GenBank files (*.gb, *.gbk, *.gbff, optionally .gz)",
            ));
        }
        Ok(Self {
            genbank,
            obo: obo.to_owned(),
            deletion_table: deletion_table.to_owned(),
            gaf: gaf.map(Path::to_owned),
        })
    }

    /// Every input file, GenBank files first.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.genbank
            .iter()
            .chain([&self.obo, &self.deletion_table])
            .chain(&self.gaf)
            .map(PathBuf::as_path)
    }

    /// Assembles the reference and writes it, with a `PROVENANCE.md` saying from what, into
    /// `out`.
    pub fn build(&self, out: &Path) -> Result<(Reference, BuildReport), Error> {
        let (reference, report) = Reference::from_sources(
            &self.genbank,
            &self.obo,
            &self.deletion_table,
            self.gaf.as_deref(),
        )?;
        reference.write(out)?;
        let path = out.join("PROVENANCE.md");
        fs::write(&path, self.provenance(&reference, &report))
            .map_err(|e| Error::io(&path.display().to_string(), e))?;
        Ok((reference, report))
    }

    fn provenance(&self, reference: &Reference, r: &BuildReport) -> String {
        let file_name = |p: &Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let names: Vec<String> = self.genbank.iter().map(|p| file_name(p)).collect();
        let gaf = self.gaf.as_deref().map_or(String::new(), |g| {
            format!(
                "| `{}` | SGD GO annotations, GAF 2.x (the annotations and their dates) | SGD | CC BY 4.0 |\n",
                file_name(g)
            )
        });
        format!(
            "# Reference bundle\n\n\
Made by `ironcell reference build` (ironcell {version}) from:\n\n\
| input | what | source | licence |\n|---|---|---|---|\n\
| {gb} | S288C chromosomes as GenBank (genes, CDS, GO annotations with evidence and PMID) | SGD reference genome deposited at NCBI (TPA BK006935–BK006949) | SGD data, CC BY 4.0 |\n\
| `{obo}` | Gene Ontology, OBO 1.2, {go} | Gene Ontology Consortium | CC BY 4.0 |\n\
| `{del}` | Yeast Deletion Project strain table (essential genes) | Stanford Yeast Deletion Project | public project data |\n\
{gaf}\n\
Contents: {genes} genes (ORFs with systematic names; {non_orf} RNA loci named otherwise were skipped), \
{ann} GO annotations ({remap} given by alt ids rewritten to primary ids, {dropped} to obsolete or unknown terms dropped), \
{terms} GO terms (annotated terms and all their ancestors), essentiality for the genes the deletion table lists \
({absent} table ORFs are not genes of the GenBank files).\n\n\
Files: `genes.tsv.gz`, `go_annotations.tsv.gz`, `go.obo.gz` (formats in `ironcell_sources::reference`).\n\
Cite SGD (Cherry et al. 2012), the Gene Ontology (Ashburner et al. 2000; GO Consortium 2023) and \
Giaever et al. 2002 for the deletion collection.\n",
            version = env!("CARGO_PKG_VERSION"),
            gb = names.join(", "),
            obo = file_name(&self.obo),
            del = file_name(&self.deletion_table),
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
}

/// The counts a user sees after a build, one per line.
impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = |what: &str, n: usize| writeln!(f, "  {what:<21}{n:>7}");
        line("GenBank files", self.genbank_files)?;
        line("loci read", self.loci)?;
        line("genes (ORFs)", self.genes)?;
        line("non-ORF loci skipped", self.non_orf_loci)?;
        if self.from_gaf {
            line("GAF NOT lines", self.gaf_negated)?;
            line("GAF unmapped objects", self.gaf_unmapped)?;
        }
        line("GO annotations", self.annotations)?;
        line("alt ids remapped", self.remapped_alt_ids)?;
        line("unknown/obsolete GO", self.dropped_unknown_terms)?;
        line("GO terms kept", self.terms)?;
        line("essential genes", self.essential_genes)?;
        line("deletion ORFs absent", self.deletion_orfs_unmatched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genbank_files_are_told_by_their_names() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["chr02.gb.gz", "chr01.gb", "notes.txt", "x.gbff"] {
            fs::write(dir.path().join(name), b"").unwrap();
        }
        let inputs =
            Inputs::new(dir.path(), Path::new("go.obo"), Path::new("del.txt"), None).unwrap();
        let names: Vec<_> = inputs
            .genbank
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["chr01.gb", "chr02.gb.gz", "x.gbff"]);
        assert_eq!(inputs.files().count(), 5);
        let empty = tempfile::tempdir().unwrap();
        let err = Inputs::new(empty.path(), Path::new("o"), Path::new("d"), None).unwrap_err();
        assert!(err.to_string().contains("no GenBank files"), "{err}");
    }
}
