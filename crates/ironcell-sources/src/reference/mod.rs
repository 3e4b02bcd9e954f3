//! The reference bundle: the genes, GO terms and GO annotations ironcell needs, assembled
//! from SGD GenBank, the GO OBO and the deletion table ([`Inputs`]), and stored compactly so
//! commands read it in a second instead of parsing the chromosomes each time (the data
//! directory derives and caches one: [`crate::data_dir::derived`]).
//!
//! Layout of a bundle directory (all text, gzip-compressed, readable by any tool):
//! - `genes.tsv.gz`: `systematic_name, standard_name, synonyms (;-joined), chromosome, strand
//!   (+/-), start, end, essential (1/0/NA), cds`.
//! - `go_annotations.tsv.gz`: `systematic_name, go_id, aspect (P/F/C), evidence, pmid`, and
//!   `date` (YYYYMMDD) when the annotations came from a GAF file (GenBank's carry no dates).
//! - `go.obo.gz`: the live GO terms that annotations reach, with all their ancestors.

mod inputs;

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    fs::File,
    io::{BufRead, BufWriter, Write},
    path::Path,
};

use flate2::{write::GzEncoder, Compression};
use ironcell_core::SystematicName;

use crate::{
    deletion, gaf,
    genbank::{self, Aspect, Strand},
    lines::Lines,
    obo, open_maybe_gzip,
    report::RecordReader,
    Error,
};
pub use inputs::Inputs;

/// A gene of the reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Gene {
    /// Its systematic name.
    pub systematic_name: SystematicName,
    /// Standard name, if it has one (`ACT1`).
    pub standard_name: Option<String>,
    /// Other names.
    pub synonyms: Vec<String>,
    /// Chromosome (`I` … `XVI`).
    pub chromosome: String,
    /// Strand.
    pub strand: Strand,
    /// 1-based start.
    pub start: u64,
    /// 1-based inclusive end.
    pub end: u64,
    /// Essential per the deletion project; `None` for ORFs the table does not list.
    pub essential: Option<bool>,
    /// Coding sequence, when the locus has a CDS.
    pub cds: Option<String>,
}

/// A GO annotation of a gene.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Annotation {
    /// The annotated gene.
    pub gene: SystematicName,
    /// The (primary) GO id.
    pub term: String,
    /// Process, function or component.
    pub aspect: Aspect,
    /// Evidence code.
    pub evidence: String,
    /// Supporting publication.
    pub pmid: Option<u32>,
    /// When the annotation was made (YYYYMMDD), where the source says.
    pub date: Option<u32>,
}

/// Counts from assembling a reference, for the user and the provenance note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildReport {
    /// GenBank files read.
    pub genbank_files: usize,
    /// Loci read from GenBank.
    pub loci: usize,
    /// Loci kept as genes (valid systematic names).
    pub genes: usize,
    /// Loci whose tag is not a systematic name (RNA genes named `snR10`, `tA(AGC)D`, …).
    pub non_orf_loci: usize,
    /// Annotations kept.
    pub annotations: usize,
    /// Annotations whose GO id was an alt_id, rewritten to the primary id.
    pub remapped_alt_ids: usize,
    /// Annotations dropped because their term is obsolete or absent from the OBO.
    pub dropped_unknown_terms: usize,
    /// Deletion-table ORFs that are not genes of the GenBank files.
    pub deletion_orfs_unmatched: usize,
    /// GO terms kept (annotated terms and their ancestors).
    pub terms: usize,
    /// Genes the deletion table marks essential.
    pub essential_genes: usize,
    /// Whether the annotations came from a GAF file.
    pub from_gaf: bool,
    /// GAF lines with a `NOT` qualifier, left out.
    pub gaf_negated: usize,
    /// GAF lines whose object names no gene of the GenBank files.
    pub gaf_unmapped: usize,
}

/// Genes, GO terms and annotations.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// Genes sorted by systematic name.
    pub genes: Vec<Gene>,
    /// Live GO terms reached by the annotations, sorted by id.
    pub terms: Vec<obo::Term>,
    /// Annotations sorted by gene, then term.
    pub annotations: Vec<Annotation>,
    /// The GO release (`data-version`).
    pub go_version: String,
}

impl Reference {
    /// The genes whose deletion is inviable (the deletion table's essential ORFs), which
    /// screens can only perturb through DAmP or temperature-sensitive alleles.
    pub fn essential_genes(&self) -> HashSet<SystematicName> {
        self.genes
            .iter()
            .filter(|g| g.essential == Some(true))
            .map(|g| g.systematic_name.clone())
            .collect()
    }

    /// Assembles a reference from GenBank files, a GO OBO file and the deletion table. With
    /// `gaf_path`, GO annotations come from that GAF file (with their dates) instead of
    /// GenBank's GO qualifiers.
    pub fn from_sources(
        genbank_files: &[impl AsRef<Path>],
        obo_path: &Path,
        deletion_path: &Path,
        gaf_path: Option<&Path>,
    ) -> Result<(Self, BuildReport), Error> {
        let mut report = BuildReport {
            genbank_files: genbank_files.len(),
            from_gaf: gaf_path.is_some(),
            ..BuildReport::default()
        };
        let mut genes: BTreeMap<SystematicName, Gene> = BTreeMap::new();
        let mut raw_annotations = Vec::new();
        for path in genbank_files {
            let path = path.as_ref();
            let mut reader =
                genbank::Reader::new(open_maybe_gzip(path)?, path.display().to_string());
            for record in reader.records() {
                for locus in record?.loci {
                    report.loci += 1;
                    let Ok(name) = locus.locus_tag.parse::<SystematicName>() else {
                        report.non_orf_loci += 1;
                        continue;
                    };
                    raw_annotations.extend(locus.go.iter().map(|a| Annotation {
                        gene: name.clone(),
                        term: a.term.clone(),
                        aspect: a.aspect,
                        evidence: a.evidence.clone(),
                        pmid: a.pmid,
                        date: None,
                    }));
                    genes.insert(
                        name.clone(),
                        Gene {
                            systematic_name: name,
                            standard_name: locus.standard_name,
                            synonyms: locus.synonyms,
                            chromosome: locus.chromosome,
                            strand: locus.strand,
                            start: locus.start,
                            end: locus.end,
                            essential: None,
                            cds: locus.cds,
                        },
                    );
                }
            }
        }
        report.genes = genes.len();
        if let Some(path) = gaf_path {
            raw_annotations = gaf_annotations(path, &genes, &mut report)?;
        }

        let obo_name = obo_path.display().to_string();
        let mut obo_reader = obo::Reader::new(open_maybe_gzip(obo_path)?, obo_name.clone());
        let all_terms: Vec<obo::Term> = obo_reader.terms().collect::<Result<_, _>>()?;
        let go_version = obo_reader.data_version().unwrap_or("unknown").to_owned();
        let mut primary: HashMap<&str, &str> = HashMap::new();
        let by_id: HashMap<&str, &obo::Term> = all_terms
            .iter()
            .filter(|t| !t.obsolete)
            .map(|t| (t.id.as_str(), t))
            .collect();
        for t in all_terms.iter().filter(|t| !t.obsolete) {
            primary.insert(&t.id, &t.id);
            for alt in &t.alt_ids {
                primary.insert(alt, &t.id);
            }
        }

        let mut annotations = BTreeSet::new();
        for mut a in raw_annotations {
            let Some(&id) = primary.get(a.term.as_str()) else {
                report.dropped_unknown_terms += 1;
                continue;
            };
            if id != a.term {
                report.remapped_alt_ids += 1;
                a.term = id.to_owned();
            }
            annotations.insert(a);
        }
        report.annotations = annotations.len();

        // Keep annotated terms and every ancestor, so the hierarchy is closed.
        let mut keep: BTreeSet<&str> = BTreeSet::new();
        let mut stack: Vec<&str> = annotations.iter().map(|a| a.term.as_str()).collect();
        while let Some(id) = stack.pop() {
            if keep.insert(id) {
                if let Some(t) = by_id.get(id) {
                    stack.extend(t.is_a.iter().chain(&t.part_of).map(String::as_str));
                }
            }
        }
        let terms: Vec<obo::Term> = keep
            .iter()
            .filter_map(|id| by_id.get(id).map(|t| (*t).clone()))
            .collect();
        report.terms = terms.len();

        let deletion_name = deletion_path.display().to_string();
        for entry in deletion::read(open_maybe_gzip(deletion_path)?, &deletion_name)? {
            match genes.get_mut(&entry.orf) {
                Some(g) => g.essential = Some(entry.essential),
                None => report.deletion_orfs_unmatched += 1,
            }
        }
        let reference = Self {
            genes: genes.into_values().collect(),
            terms,
            annotations: annotations.into_iter().collect(),
            go_version,
        };
        report.essential_genes = reference.essential_genes().len();
        Ok((reference, report))
    }

    /// Writes the bundle files into `dir` (created if needed).
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(&dir.display().to_string(), e))?;
        write_gz(dir, "genes.tsv.gz", |out| {
            writeln!(
                out,
                "systematic_name\tstandard_name\tsynonyms\tchromosome\tstrand\tstart\tend\tessential\tcds"
            )?;
            for g in &self.genes {
                let essential = match g.essential {
                    Some(true) => "1",
                    Some(false) => "0",
                    None => "NA",
                };
                let strand = if g.strand == Strand::Forward {
                    '+'
                } else {
                    '-'
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    g.systematic_name,
                    g.standard_name.as_deref().unwrap_or(""),
                    g.synonyms.join(";"),
                    g.chromosome,
                    strand,
                    g.start,
                    g.end,
                    essential,
                    g.cds.as_deref().unwrap_or("")
                )?;
            }
            Ok(())
        })?;
        // The date column only when some annotation has a date, so GenBank-built bundles keep
        // their five columns.
        let dated = self.annotations.iter().any(|a| a.date.is_some());
        write_gz(dir, "go_annotations.tsv.gz", |out| {
            write!(out, "systematic_name\tgo_id\taspect\tevidence\tpmid")?;
            writeln!(out, "{}", if dated { "\tdate" } else { "" })?;
            for a in &self.annotations {
                let pmid = a.pmid.map(|p| p.to_string()).unwrap_or_default();
                write!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    a.gene,
                    a.term,
                    a.aspect.code(),
                    a.evidence,
                    pmid
                )?;
                match (dated, a.date) {
                    (false, _) => writeln!(out)?,
                    (true, Some(d)) => writeln!(out, "\t{d}")?,
                    (true, None) => writeln!(out, "\t")?,
                }
            }
            Ok(())
        })?;
        write_gz(dir, "go.obo.gz", |out| {
            obo::write_terms(out, &self.go_version, &self.terms)
        })
    }

    /// Reads a bundle written by [`Reference::write`].
    pub fn read(dir: &Path) -> Result<Self, Error> {
        let path = dir.join("genes.tsv.gz");
        let mut lines = Lines::new(open_maybe_gzip(&path)?, path.display().to_string());
        let mut buf = String::new();
        let mut genes = Vec::new();
        expect_header(&mut lines, &mut buf, "systematic_name\tstandard_name")?;
        while lines.next_into(&mut buf)? {
            let f: Vec<&str> = buf.split('\t').collect();
            if f.len() != 9 {
                return Err(lines.error(format!(
                    "expected 9 tab-separated fields, found {}",
                    f.len()
                )));
            }
            let systematic_name = f[0].parse().map_err(|e| lines.error(format!("{e}")))?;
            let strand = match f[4] {
                "+" => Strand::Forward,
                "-" => Strand::Reverse,
                other => {
                    return Err(lines.error(format!("strand: expected + or -, found {other:?}")))
                }
            };
            let coord = |s: &str| {
                s.parse::<u64>()
                    .map_err(|_| lines.error(format!("expected a coordinate, found {s:?}")))
            };
            let essential = match f[7] {
                "1" => Some(true),
                "0" => Some(false),
                "NA" => None,
                other => {
                    return Err(
                        lines.error(format!("essential: expected 1, 0 or NA, found {other:?}"))
                    )
                }
            };
            let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            genes.push(Gene {
                systematic_name,
                standard_name: non_empty(f[1]),
                synonyms: f[2]
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                chromosome: f[3].to_owned(),
                strand,
                start: coord(f[5])?,
                end: coord(f[6])?,
                essential,
                cds: non_empty(f[8]),
            });
        }

        let path = dir.join("go_annotations.tsv.gz");
        let mut lines = Lines::new(open_maybe_gzip(&path)?, path.display().to_string());
        let mut annotations = Vec::new();
        expect_header(&mut lines, &mut buf, "systematic_name\tgo_id")?;
        while lines.next_into(&mut buf)? {
            let f: Vec<&str> = buf.split('\t').collect();
            if f.len() != 5 && f.len() != 6 {
                return Err(lines.error(format!(
                    "expected 5 or 6 tab-separated fields, found {}",
                    f.len()
                )));
            }
            let gene = f[0].parse().map_err(|e| lines.error(format!("{e}")))?;
            let aspect = Aspect::from_code(f[2]).ok_or_else(|| {
                lines.error(format!("aspect: expected P, F or C, found {:?}", f[2]))
            })?;
            let pmid =
                match f[4] {
                    "" => None,
                    p => Some(p.parse().map_err(|_| {
                        lines.error(format!("pmid: expected a number, found {p:?}"))
                    })?),
                };
            let date =
                match f.get(5) {
                    None | Some(&"") => None,
                    Some(d) => Some(d.parse().map_err(|_| {
                        lines.error(format!("date: expected YYYYMMDD, found {d:?}"))
                    })?),
                };
            annotations.push(Annotation {
                gene,
                term: f[1].to_owned(),
                aspect,
                evidence: f[3].to_owned(),
                pmid,
                date,
            });
        }

        let path = dir.join("go.obo.gz");
        let mut reader = obo::Reader::new(open_maybe_gzip(&path)?, path.display().to_string());
        let terms = reader.terms().collect::<Result<_, _>>()?;
        let go_version = reader.data_version().unwrap_or("unknown").to_owned();
        Ok(Self {
            genes,
            terms,
            annotations,
            go_version,
        })
    }
}

/// GO annotations of a GAF file, mapped to the reference's genes: the first synonym or symbol
/// that is one of their systematic names, else a standard name. `NOT` lines are left out.
fn gaf_annotations(
    path: &Path,
    genes: &BTreeMap<SystematicName, Gene>,
    report: &mut BuildReport,
) -> Result<Vec<Annotation>, Error> {
    let by_standard: HashMap<&str, &SystematicName> = genes
        .values()
        .filter_map(|g| Some((g.standard_name.as_deref()?, &g.systematic_name)))
        .collect();
    let mut reader = gaf::Reader::new(open_maybe_gzip(path)?, &path.display().to_string());
    let mut out = Vec::new();
    while let Some(r) = reader.next_record()? {
        if r.negated {
            report.gaf_negated += 1;
            continue;
        }
        let systematic = r
            .synonyms
            .iter()
            .chain(std::iter::once(&r.symbol))
            .find_map(|n| {
                let name = n.parse::<SystematicName>().ok()?;
                genes.get_key_value(&name).map(|(k, _)| k)
            })
            .or_else(|| by_standard.get(r.symbol.as_str()).copied());
        let Some(gene) = systematic else {
            report.gaf_unmapped += 1;
            continue;
        };
        out.push(Annotation {
            gene: gene.clone(),
            term: r.term,
            aspect: r.aspect,
            evidence: r.evidence,
            pmid: r.pmid,
            date: Some(r.date),
        });
    }
    Ok(out)
}

fn expect_header<R: BufRead>(
    lines: &mut Lines<R>,
    buf: &mut String,
    prefix: &str,
) -> Result<(), Error> {
    if !lines.next_into(buf)? || !buf.starts_with(prefix) {
        return Err(lines.error(format!("expected a header starting with {prefix:?}")));
    }
    Ok(())
}

/// Writes `dir/name` gzip-compressed through `body`, naming the file in any error.
fn write_gz(
    dir: &Path,
    name: &str,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let path = dir.join(name);
    let write = || -> std::io::Result<()> {
        let file = File::create(&path)?;
        let mut out = BufWriter::new(GzEncoder::new(file, Compression::best()));
        body(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.finish()?;
        Ok(())
    };
    write().map_err(|e| Error::io(&path.display().to_string(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gene(name: &str, standard: Option<&str>) -> Gene {
        Gene {
            systematic_name: name.parse().unwrap(),
            standard_name: standard.map(str::to_owned),
            synonyms: vec![],
            chromosome: "I".into(),
            strand: Strand::Forward,
            start: 1,
            end: 2,
            essential: None,
            cds: None,
        }
    }

    #[test]
    fn gaf_annotations_map_names_keep_dates_and_survive_the_bundle() {
        let genes: BTreeMap<SystematicName, Gene> = [
            gene("YAL001C", Some("TFC3")),
            gene("YAL002W", Some("VPS8")),
            gene("YAL003W", Some("EFB1")),
        ]
        .into_iter()
        .map(|g| (g.systematic_name.clone(), g))
        .collect();
        let mut report = BuildReport::default();
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gene_association.sgd");
        // The fixture's row with a bad date stops the read: GAF input is strict.
        let err = gaf_annotations(&fixture, &genes, &mut report).unwrap_err();
        assert!(err.to_string().contains("YYYYMMDD"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let good: String = std::fs::read_to_string(&fixture)
            .unwrap()
            .lines()
            .filter(|l| !l.contains("\t2009\t"))
            .map(|l| format!("{l}\n"))
            .collect();
        let path = dir.path().join("gene_association.sgd");
        std::fs::write(&path, good).unwrap();
        let mut report = BuildReport::default();
        let annotations = gaf_annotations(&path, &genes, &mut report).unwrap();
        // TFC3 and VPS8 map through their synonyms; EFB1's line is NOT; CNE1 is unknown.
        assert_eq!(annotations.len(), 2);
        assert_eq!((report.gaf_negated, report.gaf_unmapped), (1, 1));
        assert_eq!(annotations[0].gene.as_str(), "YAL001C");
        assert_eq!(annotations[1].date, Some(20190101));

        let reference = Reference {
            genes: genes.into_values().collect(),
            terms: vec![],
            annotations,
            go_version: "test".into(),
        };
        let bundle = dir.path().join("bundle");
        reference.write(&bundle).unwrap();
        let back = Reference::read(&bundle).unwrap();
        assert_eq!(back.annotations, reference.annotations);
    }
}
