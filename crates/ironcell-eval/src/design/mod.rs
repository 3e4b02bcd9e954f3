//! Strain design: every multi-gene knockout of a candidate list scored by a saved model and
//! ranked by an objective. Exhaustive while the space is small; beyond that a beam search —
//! the best `width` genotypes of one size are grown by every candidate gene into the next,
//! so a search over triples of 6,000 genes scores millions of genotypes, not 3.6e10. The
//! search starts from the largest genotype size that still fits the exhaustive limit, so a
//! beam over triples grows from every pair when the pairs fit (an interaction is a property
//! of the pair, which a beam grown from single mutants would prune before seeing).

mod table;

pub use table::{joined, ranked, tsv, Ranked};

use std::{cmp::Ordering, fmt, str::FromStr};

use ironcell_core::SystematicName;
use ironcell_models::predictor::{Genotypes, Predictor};

use crate::Error;

/// What a good strain is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// Highest fitness.
    MaxFitness,
    /// Lowest fitness (synthetic sick or lethal combinations).
    MinFitness,
    /// Most positive interaction.
    MaxInteraction,
    /// Most negative interaction.
    MinInteraction,
    /// Prediction closest to a value.
    Target(f64),
}

/// Label names the fitness objectives read, in order of preference.
const FITNESS: &[&str] = &["fitness"];
/// Label names the interaction objectives read.
const INTERACTIONS: &[&str] = &["gene_interaction", "emap_score"];

impl FromStr for Objective {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "max-fitness" => Self::MaxFitness,
            "min-fitness" => Self::MinFitness,
            "max-interaction" => Self::MaxInteraction,
            "min-interaction" => Self::MinInteraction,
            _ => match s.strip_prefix("target:").map(str::parse::<f64>) {
                Some(Ok(v)) if v.is_finite() => Self::Target(v),
                _ => {
                    return Err(format!(
                        "{s:?}: expected max-fitness, min-fitness, max-interaction, \
                         min-interaction or target:V (V a number)"
                    ))
                }
            },
        })
    }
}

impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MaxFitness => f.write_str("max-fitness"),
            Self::MinFitness => f.write_str("min-fitness"),
            Self::MaxInteraction => f.write_str("max-interaction"),
            Self::MinInteraction => f.write_str("min-interaction"),
            Self::Target(v) => write!(f, "target:{v}"),
        }
    }
}

impl Objective {
    /// How far a prediction is from the best: the ranking sorts it ascending.
    fn cost(self, prediction: f64) -> f64 {
        match self {
            Self::MaxFitness | Self::MaxInteraction => -prediction,
            Self::MinFitness | Self::MinInteraction => prediction,
            Self::Target(v) => (prediction - v).abs(),
        }
    }

    /// The column of `labels` the objective ranks: `asked` when given, else the first
    /// fitness or interaction label; a target ranks the only label.
    ///
    /// ```
    /// use ironcell_eval::design::Objective;
    /// let labels = ["fitness".to_owned(), "gene_interaction".to_owned()];
    /// assert_eq!(Objective::MinInteraction.label(&labels, None), Ok(1));
    /// assert_eq!("max-fitness".parse::<Objective>()?.label(&labels, None), Ok(0));
    /// assert!(Objective::Target(0.5).label(&labels, None).is_err());
    /// assert_eq!(Objective::Target(0.5).label(&labels, Some("gene_interaction")), Ok(1));
    /// # Ok::<(), String>(())
    /// ```
    pub fn label(self, labels: &[String], asked: Option<&str>) -> Result<usize, String> {
        if let Some(asked) = asked {
            return labels
                .iter()
                .position(|l| l == asked)
                .ok_or_else(|| format!("the model predicts {}, not {asked:?}", labels.join(", ")));
        }
        let wanted = match self {
            Self::MaxFitness | Self::MinFitness => FITNESS,
            Self::MaxInteraction | Self::MinInteraction => INTERACTIONS,
            Self::Target(_) if labels.len() == 1 => return Ok(0),
            Self::Target(_) => {
                return Err(format!(
                    "the model predicts {}: say which label the target is for",
                    labels.join(", ")
                ))
            }
        };
        wanted
            .iter()
            .find_map(|w| labels.iter().position(|l| l == w))
            .ok_or_else(|| {
                format!(
                    "{self} ranks {}; the model predicts {}",
                    wanted.join(" or "),
                    labels.join(", ")
                )
            })
    }
}

/// How to search.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignConfig {
    /// What to rank by.
    pub objective: Objective,
    /// The label ranked, when the objective alone does not say.
    pub label: Option<String>,
    /// Genes per genotype.
    pub order: usize,
    /// Genotypes returned.
    pub top: usize,
    /// Genotypes kept at each size of a beam search (at least `top`).
    pub beam: usize,
    /// The largest space scored exhaustively.
    pub exhaustive_limit: u64,
    /// Genotypes per call of the model.
    pub batch: usize,
}

impl Default for DesignConfig {
    fn default() -> Self {
        Self {
            objective: Objective::MaxFitness,
            label: None,
            order: 2,
            top: 50,
            beam: 500,
            exhaustive_limit: 2_000_000,
            batch: 4096,
        }
    }
}

/// One designed genotype.
#[derive(Debug, Clone, PartialEq)]
pub struct Designed {
    /// Its genes, as sorted indices into the candidates.
    pub genes: Vec<u32>,
    /// The model's prediction of the ranked label.
    pub prediction: f64,
    /// Standard deviation and central 90 % interval, from a model with members.
    pub spread: Option<Interval>,
}

/// A prediction's spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The members' standard deviation.
    pub sd: f64,
    /// The 5th percentile.
    pub low: f64,
    /// The 95th percentile.
    pub high: f64,
}

/// How the space was searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Every genotype scored.
    Exhaustive,
    /// Genotypes of `from` genes scored exhaustively, then grown keeping `width`.
    Beam {
        /// Genotype size scored exhaustively.
        from: usize,
        /// Genotypes kept per size.
        width: usize,
    },
}

/// A design's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The label ranked.
    pub label: String,
    /// The best genotypes, best first.
    pub ranked: Vec<Designed>,
    /// How the space was searched.
    pub search: Search,
    /// Genotypes of `order` genes there are.
    pub space: f64,
    /// Genotypes the model scored (every size).
    pub scored: u64,
    /// Of them, those the model had no answer for (NaN), left out of the ranking.
    pub unanswered: u64,
}

/// `n` choose `k`, as a float (the spaces design is asked about overflow integers).
pub fn choose(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64)
}

/// Ranks genotypes of `config.order` genes of `candidates` by `model`'s prediction;
/// `progress` hears (genotypes scored, genotypes the search will score) after each batch.
pub fn design(
    model: &dyn Predictor,
    candidates: &[SystematicName],
    config: &DesignConfig,
    mut progress: impl FnMut(u64, u64),
) -> Result<Design, Error> {
    let n = candidates.len();
    let k = config.order;
    if k == 0 || k > n {
        return Err(Error::Input(format!(
            "genotypes of {k} genes from {n} candidate genes: need 1 ≤ order ≤ candidates"
        )));
    }
    if config.top == 0 || config.batch == 0 {
        return Err(Error::Input("top and batch must be at least 1".into()));
    }
    let label = config
        .objective
        .label(&model.card().labels, config.label.as_deref())
        .map_err(Error::Input)?;
    // The largest size the exhaustive limit allows, at least single genes.
    let from = (1..=k)
        .rev()
        .find(|&s| choose(n, s) <= config.exhaustive_limit as f64)
        .unwrap_or(1);
    let width = config.beam.max(config.top);
    let search = match from == k {
        true => Search::Exhaustive,
        false => Search::Beam { from, width },
    };
    let total = choose(n, from) as u64 + (k - from) as u64 * (width * n) as u64;
    let mut scorer = Scorer {
        model,
        candidates,
        objective: config.objective,
        label,
        scored: 0,
        unanswered: 0,
    };
    let keep = |size: usize| if size == k { config.top } else { width };

    let mut best = Best::new(keep(from));
    let mut rows = Vec::with_capacity(config.batch * from);
    let mut combination: Vec<u32> = (0..from as u32).collect();
    loop {
        rows.extend_from_slice(&combination);
        let more = next_combination(&mut combination, n);
        if rows.len() == config.batch * from || !more {
            scorer.score(&rows, from, &mut best)?;
            rows.clear();
            progress(scorer.scored, total);
        }
        if !more {
            break;
        }
    }
    let mut beam = best.finish();
    for size in from + 1..=k {
        // Every genotype one candidate larger than one in the beam, once each.
        let mut grown: Vec<Vec<u32>> = Vec::with_capacity(beam.len() * n);
        for parent in &beam {
            for g in 0..n as u32 {
                if let Err(at) = parent.genes.binary_search(&g) {
                    let mut child = parent.genes.clone();
                    child.insert(at, g);
                    grown.push(child);
                }
            }
        }
        grown.sort_unstable();
        grown.dedup();
        let mut best = Best::new(keep(size));
        for chunk in grown.chunks(config.batch) {
            let flat: Vec<u32> = chunk.concat();
            scorer.score(&flat, size, &mut best)?;
            progress(scorer.scored, total);
        }
        beam = best.finish();
    }
    beam.truncate(config.top);
    Ok(Design {
        label: model.card().labels[label].clone(),
        ranked: beam,
        search,
        space: choose(n, k),
        scored: scorer.scored,
        unanswered: scorer.unanswered,
    })
}

/// Steps `c` (sorted indices below `n`) to the next combination in lexicographic order;
/// false after the last.
fn next_combination(c: &mut [u32], n: usize) -> bool {
    let k = c.len();
    for i in (0..k).rev() {
        if (c[i] as usize) < n - k + i {
            c[i] += 1;
            for j in i + 1..k {
                c[j] = c[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

/// Scores batches of genotypes and keeps the best.
struct Scorer<'a> {
    model: &'a dyn Predictor,
    candidates: &'a [SystematicName],
    objective: Objective,
    label: usize,
    scored: u64,
    unanswered: u64,
}

impl Scorer<'_> {
    /// Scores `rows` (genotypes of `size` genes, flat) into `best`.
    fn score(&mut self, rows: &[u32], size: usize, best: &mut Best) -> Result<(), Error> {
        let asked = Genotypes::new(self.candidates, rows.chunks_exact(size));
        let (predictions, spread) = self.model.predict_with_spread(&asked)?;
        for (i, genes) in rows.chunks_exact(size).enumerate() {
            let prediction = predictions.row(i)[self.label];
            if !prediction.is_finite() {
                self.unanswered += 1;
                continue;
            }
            let cost = self.objective.cost(prediction);
            if !best.admits(cost) {
                continue;
            }
            best.push(
                cost,
                Designed {
                    genes: genes.to_vec(),
                    prediction,
                    spread: spread.as_ref().map(|s| Interval {
                        sd: s.sd.row(i)[self.label],
                        low: s.low.row(i)[self.label],
                        high: s.high.row(i)[self.label],
                    }),
                },
            );
        }
        self.scored += (rows.len() / size) as u64;
        Ok(())
    }
}

/// The `keep` lowest-cost genotypes seen, ties broken by the genes so a ranking does not
/// depend on batch boundaries.
struct Best {
    keep: usize,
    items: Vec<(f64, Designed)>,
    /// The cost a genotype must beat once `keep` are held (after a trim).
    bar: f64,
}

impl Best {
    fn new(keep: usize) -> Self {
        Self {
            keep,
            items: Vec::with_capacity(2 * keep),
            bar: f64::INFINITY,
        }
    }

    fn admits(&self, cost: f64) -> bool {
        cost <= self.bar
    }

    fn order(a: &(f64, Designed), b: &(f64, Designed)) -> Ordering {
        a.0.total_cmp(&b.0).then_with(|| a.1.genes.cmp(&b.1.genes))
    }

    fn push(&mut self, cost: f64, designed: Designed) {
        self.items.push((cost, designed));
        if self.items.len() >= 2 * self.keep {
            self.trim();
        }
    }

    fn trim(&mut self) {
        if self.items.len() > self.keep {
            self.items
                .select_nth_unstable_by(self.keep - 1, Self::order);
            self.items.truncate(self.keep);
            self.bar = self.items[self.keep - 1].0;
        }
    }

    fn finish(mut self) -> Vec<Designed> {
        self.trim();
        self.items.sort_by(Self::order);
        self.items.into_iter().map(|(_, d)| d).collect()
    }
}

#[cfg(test)]
mod tests {
    use ironcell_models::predictor::{ModelCard, NullModel, Predictions};

    use super::*;

    fn genes(n: usize) -> Vec<SystematicName> {
        (0..n)
            .map(|i| format!("YAL{:03}W", i + 1).parse().unwrap())
            .collect()
    }

    /// Fitness of a genotype: the product of its genes' fitness, 1 − (g+1)/100 each, so the
    /// sickest genotypes hold the highest indices.
    fn multiplicative(candidates: &[SystematicName]) -> NullModel {
        NullModel::multiplicative(
            candidates
                .iter()
                .enumerate()
                .map(|(g, name)| (name.clone(), 1.0 - (g + 1) as f64 / 100.0))
                .collect(),
        )
    }

    #[test]
    fn combinations_are_enumerated_once_each_in_order() {
        let mut c = vec![0, 1];
        let mut seen = vec![c.clone()];
        while next_combination(&mut c, 4) {
            seen.push(c.clone());
        }
        let want: Vec<Vec<u32>> = vec![
            vec![0, 1],
            vec![0, 2],
            vec![0, 3],
            vec![1, 2],
            vec![1, 3],
            vec![2, 3],
        ];
        assert_eq!(seen, want);
        assert_eq!(choose(6000, 3), 35_982_002_000.0);
        assert_eq!(choose(4, 2), 6.0);
    }

    #[test]
    fn exhaustive_search_finds_the_true_extremes_across_batches() {
        let candidates = genes(30);
        let model = multiplicative(&candidates);
        let config = DesignConfig {
            objective: Objective::MinFitness,
            top: 3,
            batch: 7,
            ..DesignConfig::default()
        };
        let mut calls = 0;
        let design = design(&model, &candidates, &config, |_, _| calls += 1).unwrap();
        assert_eq!(design.search, Search::Exhaustive);
        assert_eq!((design.scored, design.space), (435, 435.0));
        assert_eq!(calls, 435usize.div_ceil(7));
        let top: Vec<Vec<u32>> = design.ranked.iter().map(|d| d.genes.clone()).collect();
        assert_eq!(top, [vec![28, 29], vec![27, 29], vec![26, 29]]);
        assert!((design.ranked[0].prediction - 0.71 * 0.70).abs() < 1e-12);
        assert!(
            design.ranked[0].spread.is_none(),
            "a null model has no members"
        );

        // A target: the genotype whose fitness is nearest 0.9 (0.99 · 0.91 = 0.9009; the next,
        // 0.98 · 0.92, is 0.9016).
        let target = DesignConfig {
            objective: "target:0.9".parse().unwrap(),
            top: 1,
            ..config
        };
        let best = &design_of(&model, &candidates, &target)[0];
        assert_eq!(best.genes, [0, 8], "{best:?}");
    }

    fn design_of(
        model: &dyn Predictor,
        candidates: &[SystematicName],
        config: &DesignConfig,
    ) -> Vec<Designed> {
        design(model, candidates, config, |_, _| ()).unwrap().ranked
    }

    #[test]
    fn a_beam_grown_from_pairs_agrees_with_the_exhaustive_search_on_triples() {
        let candidates = genes(25);
        let model = multiplicative(&candidates);
        let exhaustive = DesignConfig {
            objective: Objective::MinFitness,
            order: 3,
            top: 5,
            ..DesignConfig::default()
        };
        let beam = DesignConfig {
            exhaustive_limit: 300, // 300 pairs fit, 2,300 triples do not
            beam: 10,
            ..exhaustive.clone()
        };
        let a = design(&model, &candidates, &exhaustive, |_, _| ()).unwrap();
        let b = design(&model, &candidates, &beam, |_, _| ()).unwrap();
        assert_eq!(a.search, Search::Exhaustive);
        assert_eq!(b.search, Search::Beam { from: 2, width: 10 });
        assert_eq!(a.ranked, b.ranked);
        assert_eq!(a.scored, 2300);
        // 300 pairs, then 10 pairs grown by the 23 genes outside each (duplicates scored once).
        assert!(b.scored > 300 && b.scored <= 300 + 230, "{}", b.scored);
        assert_eq!(a.ranked[0].genes, [22, 23, 24]);
    }

    /// A model whose answer for some genotypes is NaN, and whose members disagree.
    struct Partial(ModelCard);

    impl Predictor for Partial {
        fn card(&self) -> &ModelCard {
            &self.0
        }
        fn predict(
            &self,
            genotypes: &Genotypes<'_>,
        ) -> Result<Predictions, ironcell_models::predictor::Error> {
            let values = genotypes
                .rows()
                .iter()
                .map(|r| match r.contains(&0) {
                    true => f64::NAN,
                    false => r.iter().map(|&g| f64::from(g)).sum(),
                })
                .collect();
            Ok(Predictions::new(self.0.labels.clone(), values))
        }
    }

    #[test]
    fn unanswered_genotypes_are_counted_and_left_out_and_labels_are_checked() {
        let card = ModelCard::new("test", vec!["gene_interaction".into()], "sums");
        let model = Partial(card);
        let candidates = genes(5);
        let config = DesignConfig {
            objective: Objective::MinInteraction,
            top: 20,
            ..DesignConfig::default()
        };
        let design = design(&model, &candidates, &config, |_, _| ()).unwrap();
        assert_eq!((design.scored, design.unanswered), (10, 4));
        assert_eq!(design.ranked.len(), 6);
        assert_eq!(design.ranked[0].genes, [1, 2]);
        assert_eq!(design.label, "gene_interaction");

        let fitness = DesignConfig {
            objective: Objective::MaxFitness,
            ..config.clone()
        };
        let err = super::design(&model, &candidates, &fitness, |_, _| ()).unwrap_err();
        assert!(
            err.to_string()
                .contains("the model predicts gene_interaction"),
            "{err}"
        );
        let too_many = DesignConfig { order: 6, ..config };
        assert!(super::design(&model, &candidates, &too_many, |_, _| ()).is_err());
    }
}
