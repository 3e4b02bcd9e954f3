//! Files users write by hand: a list of genes (`dataset build --test-genes`), and a list of
//! genotypes to score (`predict --genotypes`). Both skip blank lines and `#` comments and
//! name the file and line of anything they cannot read.

use ironcell_core::SystematicName;

use crate::{
    names::{GeneNames, Unresolved},
    Error,
};

/// Systematic names, one per line, sorted and without duplicates; `file` names the text in
/// errors.
///
/// ```
/// use ironcell_sources::gene_lists::genes;
/// let list = genes("YBR002C\n# a comment\nYAL001C  # and a gene\nYAL001C\n", "genes.txt")?;
/// assert_eq!(list.len(), 2);
/// let bad = genes("YAL001C\nnot a gene\n", "genes.txt").unwrap_err().to_string();
/// assert!(bad.starts_with("genes.txt:2:"), "{bad}");
/// # Ok::<(), ironcell_sources::Error>(())
/// ```
pub fn genes(text: &str, file: &str) -> Result<Vec<SystematicName>, Error> {
    one_per_line(text, file, |name| {
        name.parse()
            .map_err(|e| format!("{e} (expected one systematic name per line)"))
    })
}

/// Genes, one per line, by systematic or standard name (resolved through `names`), sorted
/// and without duplicates; `#` comments.
///
/// ```
/// use ironcell_sources::{gene_lists::named_genes, names::GeneNames};
/// let names = GeneNames::new(&[]);
/// assert_eq!(named_genes("YBR002C\nYAL001C # a gene\n", &names, "c.txt")?.len(), 2);
/// let bad = named_genes("YAL001C\nYAL001C+YBR002C\n", &names, "c.txt").unwrap_err();
/// assert!(bad.to_string().starts_with("c.txt:2:"), "{bad}");
/// # Ok::<(), ironcell_sources::Error>(())
/// ```
pub fn named_genes(
    text: &str,
    names: &GeneNames,
    file: &str,
) -> Result<Vec<SystematicName>, Error> {
    one_per_line(text, file, |name| {
        names
            .resolve(name)
            .map_err(|why| format!("{name:?}: {} (expected one gene per line)", unresolved(why)))
    })
}

/// One gene per line (blank lines and comments skipped) read by `gene`, sorted and without
/// duplicates; an unreadable line is an error naming `file` and the line, an empty list too.
fn one_per_line(
    text: &str,
    file: &str,
    gene: impl Fn(&str) -> Result<SystematicName, String>,
) -> Result<Vec<SystematicName>, Error> {
    let mut genes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let name = content(line);
        if name.is_empty() {
            continue;
        }
        genes.push(gene(name).map_err(|why| Error::parse(file, i as u64 + 1, why))?);
    }
    genes.sort();
    genes.dedup();
    if genes.is_empty() {
        return Err(Error::format(file, "no genes"));
    }
    Ok(genes)
}

/// Why a name did not resolve, in words.
fn unresolved(why: Unresolved) -> String {
    match why {
        Unresolved::Unknown => "no reference gene has this name".to_owned(),
        Unresolved::Ambiguous(g) => format!("a synonym of several genes: {g:?}"),
    }
}

/// One genotype to score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Its genes, sorted, without duplicates.
    pub genes: Vec<SystematicName>,
    /// The environment, where the line names one.
    pub environment: Option<String>,
}

/// Genotypes, one per line: genes separated by `+` or tabs (systematic or standard names,
/// resolved through `names`), then optionally a tab and an environment.
///
/// ```
/// use ironcell_sources::{gene_lists::queries, names::GeneNames};
/// let names = GeneNames::new(&[]);
/// let q = queries("YAL001C+YBR002C\n# a comment\nYFL039C\tYPD\n", &names, "g.tsv")?;
/// assert_eq!((q[0].genes.len(), q[1].environment.as_deref()), (2, Some("YPD")));
/// let bad = queries("YAL001C+NOT_A_GENE\n", &names, "g.tsv").unwrap_err().to_string();
/// assert!(bad.starts_with("g.tsv:1:") && bad.contains("NOT_A_GENE"), "{bad}");
/// # Ok::<(), ironcell_sources::Error>(())
/// ```
pub fn queries(text: &str, names: &GeneNames, file: &str) -> Result<Vec<Query>, Error> {
    let mut queries = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u64 + 1;
        let content = content(raw);
        if content.is_empty() {
            continue;
        }
        let fields: Vec<&str> = content.split('\t').map(str::trim).collect();
        let mut genes = Vec::new();
        let mut environment = None;
        for (k, field) in fields.iter().enumerate() {
            let parts: Vec<&str> = field
                .split('+')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let resolved: Vec<Result<SystematicName, Unresolved>> =
                parts.iter().map(|p| names.resolve(p)).collect();
            if resolved.iter().all(Result::is_ok) && !parts.is_empty() {
                genes.extend(resolved.into_iter().flatten());
            } else if k == fields.len() - 1 && k > 0 && parts.len() == 1 {
                environment = Some((*field).to_owned());
            } else {
                let (name, why) = parts
                    .iter()
                    .zip(resolved)
                    .find_map(|(p, r)| r.err().map(|e| (*p, e)))
                    .unwrap_or((field, Unresolved::Unknown));
                return Err(Error::parse(
                    file,
                    line,
                    format!("{name:?}: {} (expected genes separated by + or tabs, then an optional environment)", unresolved(why)),
                ));
            }
        }
        if genes.is_empty() {
            return Err(Error::parse(file, line, "no genes"));
        }
        genes.sort();
        genes.dedup();
        queries.push(Query { genes, environment });
    }
    Ok(queries)
}

/// A line without its `#` comment, trimmed.
fn content(line: &str) -> &str {
    line.split('#').next().unwrap_or("").trim()
}
