//! Yeast9, the consensus genome-scale metabolic model (Zhang et al., Mol. Syst. Biol. 2024),
//! as its flat reaction table `yeast-GEM.txt`: tab-separated, header `Rxn name`, `Formula`,
//! `Gene-reaction association`, `LB`, `UB`, `Objective`, one reaction per line.
//!
//! The gene–reaction association (GPR) is a rule over systematic names with `and` (a
//! complex) and `or` (isozymes), e.g. `(YDL174C and YEL039C) or YEL071W`. Each reaction with
//! a rule is read with the genes its rule names: the gene–reaction bipartite graph. Its
//! projection, genes joined when they share a reaction, is what
//! [`networks::Reader`](crate::networks::Reader) reads from the same file. Reactions without a
//! rule (exchange, pseudo and spontaneous reactions) are passed over and counted. A reaction
//! naming a gene the reference cannot resolve is a rejected row ("unmapped gene name"), so
//! the report lists it.

use std::io::Read;

use ironcell_core::SystematicName;

use crate::{
    names::GeneNames,
    report::RecordReader,
    table::{Column, Delimited, Fields, Row},
    Error,
};

/// The gene names a GPR rule mentions, each once, in order of appearance.
///
/// ```
/// use ironcell_sources::yeast_gem::rule_genes;
///
/// assert_eq!(
///     rule_genes("(YDL174C and YEL039C) or (YDL174C and YJR048W)"),
///     ["YDL174C", "YEL039C", "YJR048W"]
/// );
/// assert!(rule_genes("").is_empty());
/// ```
pub fn rule_genes(rule: &str) -> Vec<&str> {
    let mut genes: Vec<&str> = Vec::new();
    for token in rule
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
    {
        if !token.eq_ignore_ascii_case("and")
            && !token.eq_ignore_ascii_case("or")
            && !genes.contains(&token)
        {
            genes.push(token);
        }
    }
    genes
}

/// A reaction and the genes its rule names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    /// Its id (`r_0001`).
    pub id: String,
    /// The genes of its GPR rule, each once.
    pub genes: Vec<SystematicName>,
    /// The rule as written.
    pub rule: String,
}

/// The columns of the reaction table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns {
    id: Column,
    rule: Column,
}

impl Columns {
    /// Reads the header of `table`.
    pub(crate) fn new<R: Read>(table: &mut Delimited<R>) -> Result<Self, Error> {
        let h = table.header()?;
        Ok(Self {
            id: h.require("Rxn name")?,
            rule: h.require("Gene-reaction association")?,
        })
    }

    /// The row's reaction; `None` when it has no rule.
    pub(crate) fn reaction<F: Fields + ?Sized>(
        &self,
        row: &Row<'_, F>,
        names: &GeneNames,
    ) -> Result<Option<Reaction>, Error> {
        let rule = row.text(self.rule)?;
        if rule.is_empty() {
            return Ok(None);
        }
        let genes = rule_genes(rule)
            .into_iter()
            .map(|name| {
                names
                    .resolve(name)
                    .map_err(|why| row.unresolved(self.rule, name, why))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Reaction {
            id: row.text(self.id)?.to_owned(),
            genes,
            rule: rule.to_owned(),
        }))
    }
}

/// Streams the reactions that have a gene rule.
pub struct Reader<'n, R> {
    table: Delimited<R>,
    columns: Columns,
    names: &'n GeneNames,
    without_rule: u64,
}

impl<'n, R: Read> Reader<'n, R> {
    /// Reads the header; gene names resolve through `names`.
    pub fn new(inner: R, name: &str, names: &'n GeneNames) -> Result<Self, Error> {
        let mut table = Delimited::tsv(inner, name);
        let columns = Columns::new(&mut table)?;
        Ok(Self {
            table,
            columns,
            names,
            without_rule: 0,
        })
    }
}

impl<R: Read> RecordReader for Reader<'_, R> {
    type Record = Reaction;

    fn next_record(&mut self) -> Result<Option<Reaction>, Error> {
        loop {
            let Some(row) = self.table.next_row()? else {
                return Ok(None);
            };
            match self.columns.reaction(&row, self.names)? {
                Some(reaction) => return Ok(Some(reaction)),
                None => self.without_rule += 1,
            }
        }
    }

    fn rows_read(&self) -> u64 {
        self.table.rows()
    }

    fn rows_passed_over(&self) -> u64 {
        self.without_rule
    }

    fn name(&self) -> &str {
        self.table.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{collect, BadRows};

    #[test]
    fn reactions_with_their_genes() {
        let mut names = GeneNames::default();
        for orf in ["YDL174C", "YEL039C", "YJR048W"] {
            names.insert(&orf.parse().unwrap(), None, []);
        }
        let text = "Rxn name\tFormula\tGene-reaction association\tLB\tUB\tObjective
r_0001\ta[c] => b[c]\t(YDL174C and YEL039C) or (YDL174C and YJR048W)\t0\t1000\t0
r_1714\tglucose[e] <=> \t\t-1\t1000\t0
r_0438\tx[m] => y[m]\tNOT_A_GENE and YEL039C\t0\t1000\t0
";
        let reader = Reader::new(text.as_bytes(), "yeast-GEM.txt", &names).unwrap();
        let (reactions, report) = collect(reader, BadRows::Skip).unwrap();
        assert_eq!((report.rows_read, report.passed_over), (3, 1));
        assert_eq!(reactions.len(), 1);
        assert_eq!(reactions[0].id, "r_0001");
        assert_eq!(reactions[0].genes.len(), 3);
        assert_eq!(report.rejected["unmapped gene name"][0].line, 4);
    }
}
