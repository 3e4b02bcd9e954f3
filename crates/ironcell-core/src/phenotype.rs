use std::{collections::BTreeMap, fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind, SystematicName};

// The checks below run on every row of the 2e7-row screens: they are inlined, and their
// errors, built only for bad rows, are kept out of line.

/// A finite number, or the error that names it.
#[inline]
fn finite(value: f64) -> Result<f64, Error> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(not_finite(value))
    }
}

#[cold]
fn not_finite(value: f64) -> Error {
    Error::new(ErrorKind::NonFiniteValue, value.to_string())
}

/// A finite, non-negative spread (std, se), when present.
#[inline]
fn spread(value: Option<f64>) -> Result<Option<f64>, Error> {
    match value {
        Some(s) if !s.is_finite() || s < 0.0 => Err(not_finite(s)),
        other => Ok(other),
    }
}

/// A p-value, which must lie in [0, 1] when present.
#[inline]
fn probability(value: Option<f64>) -> Result<Option<f64>, Error> {
    match value {
        Some(p) if !(0.0..=1.0).contains(&p) => Err(not_a_probability(p)),
        other => Ok(other),
    }
}

#[cold]
fn not_a_probability(p: f64) -> Error {
    Error::new(ErrorKind::OutOfRange, format!("p-value {p}"))
}

/// Colony-size fitness relative to wild type (1.0 = wild type).
///
/// ```
/// use ironcell_core::Fitness;
///
/// let f = Fitness::new(-0.02, Some(0.01))?.with_replicates(4);
/// assert_eq!(f.value(), 0.0); // dead strains and noise below zero are stored as 0
/// assert_eq!(f.replicates(), Some(4));
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fitness {
    value: f64,
    std: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    se: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<u32>,
}

impl Fitness {
    /// Wild type's own fitness, the reference every fitness screen is scaled to.
    pub const WILD_TYPE: Self = Self {
        value: 1.0,
        std: None,
        se: None,
        n: None,
    };

    /// A fitness measurement. Values at or below zero (dead strains, or noise around zero)
    /// are stored as 0, as the published screens intend; a non-finite value is an error.
    #[inline]
    pub fn new(value: f64, std: Option<f64>) -> Result<Self, Error> {
        Ok(Self {
            value: finite(value)?.max(0.0),
            std: spread(std)?,
            se: None,
            n: None,
        })
    }

    /// Adds the standard error of the mean.
    pub fn with_se(mut self, se: f64) -> Result<Self, Error> {
        self.se = spread(Some(se))?;
        Ok(self)
    }

    /// Adds the number of replicates (colonies, wells) behind the value.
    #[inline]
    pub fn with_replicates(mut self, n: u32) -> Self {
        self.n = Some(n);
        self
    }

    /// The fitness, ≥ 0.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The standard deviation over replicates, when the screen reports one.
    pub fn std(&self) -> Option<f64> {
        self.std
    }

    /// The standard error, when the screen reports one.
    pub fn se(&self) -> Option<f64> {
        self.se
    }

    /// The number of replicates, when known.
    pub fn replicates(&self) -> Option<u32> {
        self.n
    }
}

/// How many perturbations a genetic interaction is defined over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractionOrder {
    /// ε: double-mutant fitness minus the product of the single-mutant fitnesses.
    Digenic,
    /// τ: the triple-mutant deviation left after every digenic effect is removed.
    Trigenic,
}

/// A quantitative genetic interaction score (ε or τ) with its p-value.
///
/// ```
/// use ironcell_core::{GeneInteraction, InteractionOrder};
///
/// let eps = GeneInteraction::new(InteractionOrder::Digenic, -0.1255, Some(0.1631))?;
/// assert_eq!(eps.score(), -0.1255);
/// assert!(GeneInteraction::new(InteractionOrder::Digenic, 0.1, Some(1.5)).is_err());
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeneInteraction {
    order: InteractionOrder,
    score: f64,
    p_value: Option<f64>,
}

impl GeneInteraction {
    /// A score; non-finite scores and p-values outside [0, 1] are errors.
    #[inline]
    pub fn new(order: InteractionOrder, score: f64, p_value: Option<f64>) -> Result<Self, Error> {
        Ok(Self {
            order,
            score: finite(score)?,
            p_value: probability(p_value)?,
        })
    }

    /// No interaction: what a wild-type reference shows.
    pub fn none(order: InteractionOrder) -> Self {
        Self {
            order,
            score: 0.0,
            p_value: None,
        }
    }

    /// Digenic (ε) or trigenic (τ).
    pub fn order(&self) -> InteractionOrder {
        self.order
    }

    /// The score: negative is aggravating, positive alleviating.
    pub fn score(&self) -> f64 {
        self.score
    }

    /// The p-value of the score, when given.
    pub fn p_value(&self) -> Option<f64> {
        self.p_value
    }
}

/// A binary call with an optional supporting score, for synthetic lethality and rescue.
///
/// ```
/// use ironcell_core::{Assay, Call, Confirmation, Severity};
///
/// let hit = Call::new(true, Some(3.0))?.with_confirmation(Confirmation {
///     assay: Assay::Tetrad,
///     severity: Severity::Lethal,
/// });
/// assert_eq!(hit.confirmations[0].severity, Severity::Lethal);
/// assert!(Call::new(false, Some(f64::NAN)).is_err());
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// Whether the effect was observed. Tested negatives are `false`, and they matter: they
    /// are what makes a classifier's base rate honest.
    pub observed: bool,
    /// The source's confidence score, when it gives one.
    pub score: Option<f64>,
    /// Follow-up assays that confirmed the call (Tong 2004's random-spore and tetrad
    /// analyses), each with the severity it saw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmations: Vec<Confirmation>,
}

impl Call {
    /// A call; a non-finite score is an error.
    pub fn new(observed: bool, score: Option<f64>) -> Result<Self, Error> {
        Ok(Self {
            observed,
            score: score.map(finite).transpose()?,
            confirmations: Vec::new(),
        })
    }

    /// Adds a confirming assay.
    pub fn with_confirmation(mut self, confirmation: Confirmation) -> Self {
        self.confirmations.push(confirmation);
        self
    }
}

/// An assay that re-tests a synthetic-lethal call outside the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assay {
    /// Random spore analysis.
    RandomSpore,
    /// Tetrad dissection.
    Tetrad,
}

/// How strongly a combination hurts growth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Synthetic sick: slow growth.
    Sick,
    /// Synthetic lethal: no growth.
    Lethal,
}

/// One confirming assay and what it saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Confirmation {
    /// The assay.
    pub assay: Assay,
    /// Its verdict.
    pub severity: Severity,
}

/// An E-MAP genetic-interaction S-score (Collins 2006/2007): a t-like statistic of the
/// double mutant's colony size against expectation, negative aggravating and positive
/// alleviating.
///
/// It is kept apart from [`GeneInteraction`] on purpose: S-scores are not on ε's
/// fitness scale (|S| > 2.5 is Collins' threshold, |ε| > 0.08 is Costanzo's), so mixing
/// them in one label would mix units.
///
/// ```
/// use ironcell_core::EmapScore;
///
/// assert_eq!(EmapScore::new(-3.1)?.score(), -3.1);
/// assert!(EmapScore::new(f64::INFINITY).is_err());
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EmapScore {
    score: f64,
}

impl EmapScore {
    /// A score; a non-finite one is an error.
    pub fn new(score: f64) -> Result<Self, Error> {
        Ok(Self {
            score: finite(score)?,
        })
    }

    /// No interaction: what a wild-type reference shows.
    pub const NONE: Self = Self { score: 0.0 };

    /// The S-score.
    pub fn score(&self) -> f64 {
        self.score
    }
}

/// A chemogenomic score: how a deletion strain grows under a compound relative to the other
/// strains of a pooled screen (Hoepfner 2014's HOP z-scores), negative when the strain is
/// depleted (hypersensitive), positive when it is enriched (resistant).
///
/// It is not [`Fitness`]: a z-score is relative to the pool within one experiment, has no
/// wild-type value of 1 and runs from about −50 to 13, so it is kept on its own scale.
///
/// ```
/// use ironcell_core::ChemogenomicScore;
///
/// assert_eq!(ChemogenomicScore::new(-7.8)?.score(), -7.8);
/// assert!(ChemogenomicScore::new(f64::NAN).is_err());
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChemogenomicScore {
    score: f64,
}

impl ChemogenomicScore {
    /// A score; a non-finite one is an error.
    pub fn new(score: f64) -> Result<Self, Error> {
        Ok(Self {
            score: finite(score)?,
        })
    }

    /// As the pool: what the wild type shows.
    pub const NONE: Self = Self { score: 0.0 };

    /// The score.
    pub fn score(&self) -> f64 {
        self.score
    }
}

/// A reporter's level in a strain: a second modality beside growth (Jonikas 2009's
/// unfolded-protein-response reporter), with the level the single mutants predict for a
/// combination, when the source gives one.
///
/// ```
/// use ironcell_core::Reporter;
///
/// let upr = Reporter::new("UPR", -1.33, Some(-2.52))?.with_replicates(1);
/// assert_eq!(upr.reporter(), "UPR");
/// assert_eq!(upr.expected(), Some(-2.52));
/// assert!(Reporter::new("UPR", f64::NAN, None).is_err());
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reporter {
    reporter: String,
    value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expected: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<u32>,
}

impl Reporter {
    /// A level of the named reporter; non-finite values are errors.
    pub fn new(reporter: &str, value: f64, expected: Option<f64>) -> Result<Self, Error> {
        Ok(Self {
            reporter: reporter.to_owned(),
            value: finite(value)?,
            expected: expected.map(finite).transpose()?,
            n: None,
        })
    }

    /// Adds the number of measurements behind the value.
    pub fn with_replicates(mut self, n: u32) -> Self {
        self.n = Some(n);
        self
    }

    /// Which reporter.
    pub fn reporter(&self) -> &str {
        &self.reporter
    }

    /// The level, on the source's scale.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// What the single mutants predict, for combinations.
    pub fn expected(&self) -> Option<f64> {
        self.expected
    }

    /// The number of measurements, when known.
    pub fn replicates(&self) -> Option<u32> {
        self.n
    }
}

/// CalMorph morphology: named image-analysis parameters of one strain (Ohya 2005: 281 base
/// parameters and 220 coefficients of variation, whose ids start `CCV`, `ACV`, `DCV`, `TCV`).
///
/// ```
/// use ironcell_core::Morphology;
///
/// let m = Morphology::new([("C11-1_A".to_owned(), 512.0), ("CCV11-1_A".to_owned(), 0.18)])?;
/// assert_eq!(m.base().count(), 1);
/// assert_eq!(m.coefficients_of_variation().next(), Some(("CCV11-1_A", 0.18)));
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Morphology {
    parameters: BTreeMap<String, f64>,
}

impl Morphology {
    /// Prefixes of the coefficient-of-variation parameter ids.
    pub const CV_PREFIXES: [&'static str; 4] = ["CCV", "ACV", "DCV", "TCV"];

    /// The parameters; a non-finite value is an error naming the parameter. Missing
    /// measurements are left out rather than stored as a number.
    pub fn new(parameters: impl IntoIterator<Item = (String, f64)>) -> Result<Self, Error> {
        let mut map = BTreeMap::new();
        for (name, value) in parameters {
            if !value.is_finite() {
                return Err(Error::new(
                    ErrorKind::NonFiniteValue,
                    format!("{value} for {name}"),
                ));
            }
            map.insert(name, value);
        }
        Ok(Self { parameters: map })
    }

    /// Whether a parameter id names a coefficient of variation.
    pub fn is_coefficient_of_variation(id: &str) -> bool {
        Self::CV_PREFIXES.iter().any(|p| id.starts_with(p))
    }

    /// Every parameter, by id.
    pub fn parameters(&self) -> &BTreeMap<String, f64> {
        &self.parameters
    }

    /// The base parameters (sizes, shapes, positions).
    pub fn base(&self) -> impl Iterator<Item = (&str, f64)> {
        self.parameters
            .iter()
            .filter(|(k, _)| !Self::is_coefficient_of_variation(k))
            .map(|(k, v)| (k.as_str(), *v))
    }

    /// The coefficient-of-variation parameters.
    pub fn coefficients_of_variation(&self) -> impl Iterator<Item = (&str, f64)> {
        self.parameters
            .iter()
            .filter(|(k, _)| Self::is_coefficient_of_variation(k))
            .map(|(k, v)| (k.as_str(), *v))
    }
}

/// One gene's expression change: log2(mutant / wild type) with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Log2Ratio {
    /// log2 of the expression ratio.
    pub value: f64,
    /// Its standard error, when given.
    pub se: Option<f64>,
}

/// A transcriptome: log2 ratios per gene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expression {
    log2_ratios: BTreeMap<SystematicName, Log2Ratio>,
}

impl Expression {
    /// The profile; non-finite values or negative standard errors are errors.
    pub fn new(
        log2_ratios: impl IntoIterator<Item = (SystematicName, Log2Ratio)>,
    ) -> Result<Self, Error> {
        let mut map = BTreeMap::new();
        for (gene, r) in log2_ratios {
            finite(r.value)?;
            spread(r.se)?;
            map.insert(gene, r);
        }
        Ok(Self { log2_ratios: map })
    }

    /// The ratios, by gene.
    pub fn log2_ratios(&self) -> &BTreeMap<SystematicName, Log2Ratio> {
        &self.log2_ratios
    }
}

/// A measured (or simulated) property of a genotype in an environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Phenotype {
    /// Growth fitness.
    Fitness(Fitness),
    /// A quantitative genetic interaction (ε, τ).
    GeneInteraction(GeneInteraction),
    /// Whether deleting the gene kills the cell.
    Essentiality {
        /// True for inviable.
        essential: bool,
    },
    /// Synthetic lethality (or sickness) of a combination.
    SyntheticLethality(Call),
    /// Synthetic rescue: the combination grows where a single mutant does not.
    SyntheticRescue(Call),
    /// CalMorph cell morphology.
    Morphology(Morphology),
    /// Gene expression.
    Expression(Expression),
    /// An E-MAP interaction S-score.
    EmapScore(EmapScore),
    /// A reporter's level.
    Reporter(Reporter),
    /// A chemogenomic score under a compound.
    ChemogenomicScore(ChemogenomicScore),
}

impl Phenotype {
    /// Which kind of phenotype this is.
    pub fn kind(&self) -> PhenotypeKind {
        match self {
            Self::Fitness(_) => PhenotypeKind::Fitness,
            Self::GeneInteraction(_) => PhenotypeKind::GeneInteraction,
            Self::Essentiality { .. } => PhenotypeKind::Essentiality,
            Self::SyntheticLethality(_) => PhenotypeKind::SyntheticLethality,
            Self::SyntheticRescue(_) => PhenotypeKind::SyntheticRescue,
            Self::Morphology(_) => PhenotypeKind::Morphology,
            Self::Expression(_) => PhenotypeKind::Expression,
            Self::EmapScore(_) => PhenotypeKind::EmapScore,
            Self::Reporter(_) => PhenotypeKind::Reporter,
            Self::ChemogenomicScore(_) => PhenotypeKind::ChemogenomicScore,
        }
    }
}

/// The kinds of [`Phenotype`], as named on the command line and in the store.
///
/// ```
/// use ironcell_core::PhenotypeKind;
///
/// let kind: PhenotypeKind = "gene_interaction".parse()?;
/// assert_eq!(kind.as_str(), "gene_interaction");
/// # Ok::<(), ironcell_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhenotypeKind {
    /// [`Phenotype::Fitness`].
    Fitness,
    /// [`Phenotype::GeneInteraction`].
    GeneInteraction,
    /// [`Phenotype::Essentiality`].
    Essentiality,
    /// [`Phenotype::SyntheticLethality`].
    SyntheticLethality,
    /// [`Phenotype::SyntheticRescue`].
    SyntheticRescue,
    /// [`Phenotype::Morphology`].
    Morphology,
    /// [`Phenotype::Expression`].
    Expression,
    /// [`Phenotype::EmapScore`].
    EmapScore,
    /// [`Phenotype::Reporter`].
    Reporter,
    /// [`Phenotype::ChemogenomicScore`].
    ChemogenomicScore,
}

impl PhenotypeKind {
    /// Every kind, in a stable order.
    pub const ALL: [Self; 10] = [
        Self::Fitness,
        Self::GeneInteraction,
        Self::Essentiality,
        Self::SyntheticLethality,
        Self::SyntheticRescue,
        Self::Morphology,
        Self::Expression,
        Self::EmapScore,
        Self::Reporter,
        Self::ChemogenomicScore,
    ];

    /// The snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fitness => "fitness",
            Self::GeneInteraction => "gene_interaction",
            Self::Essentiality => "essentiality",
            Self::SyntheticLethality => "synthetic_lethality",
            Self::SyntheticRescue => "synthetic_rescue",
            Self::Morphology => "morphology",
            Self::Expression => "expression",
            Self::EmapScore => "emap_score",
            Self::Reporter => "reporter",
            Self::ChemogenomicScore => "chemogenomic_score",
        }
    }
}

impl fmt::Display for PhenotypeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PhenotypeKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::new(ErrorKind::UnknownName, format!("phenotype kind {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_fitness_is_zero_and_nan_is_rejected() {
        assert_eq!(Fitness::new(-0.02, None).unwrap().value(), 0.0);
        assert!(Fitness::new(f64::NAN, None).is_err());
        assert!(Fitness::new(0.5, Some(f64::NAN)).is_err());
        assert!(Fitness::new(0.5, None).unwrap().with_se(-1.0).is_err());
    }

    #[test]
    fn morphology_splits_cv_parameters_and_rejects_nan() {
        let m = Morphology::new([
            ("C11-1_A".to_owned(), 1.0),
            ("DCV14-1_A".to_owned(), 0.2),
            ("A101_A1B".to_owned(), 3.0),
        ])
        .unwrap();
        assert_eq!(m.base().count(), 2);
        assert_eq!(m.coefficients_of_variation().count(), 1);
        let err = Morphology::new([("C13_A".to_owned(), f64::NAN)]).unwrap_err();
        assert!(err.to_string().contains("C13_A"), "{err}");
    }

    #[test]
    fn phenotype_kinds_round_trip_their_names() {
        for kind in PhenotypeKind::ALL {
            assert_eq!(kind.as_str().parse::<PhenotypeKind>().unwrap(), kind);
        }
        assert!("growth".parse::<PhenotypeKind>().is_err());
        let p = Phenotype::SyntheticLethality(Call::new(false, None).unwrap());
        assert_eq!(p.kind(), PhenotypeKind::SyntheticLethality);
    }
}
