//! A seeded simulator of an SGA-style screen whose ground truth is GO-structured, on the real
//! genes and GO of a [`DcellOntology`]. For tests that must recover a known truth only: every
//! record it makes carries [`Provenance::Synthetic`], and label tables refuse to mix it with
//! measured data.
//!
//! Generative model: `modules` subsystems are drawn (each containing between `min_module` and
//! `max_module` genes) and given an effect w ~ U(0.3, 1.2). A genotype's fitness is
//! exp(−Σ w over the modules it hits) + N(0, noise²), floored at 0. Hitting one module twice
//! costs nothing extra, so double mutants in one module show buffering (positive epistasis)
//! and mutants in two modules multiply.

use std::collections::BTreeSet;

use ironcell_core::{
    Environment, Experiment, Fitness, Genotype, Perturbation, PerturbationKind, Provenance,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::ontology::{DcellOntology, ROOT_ID};

/// What to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationConfig {
    /// Seed of everything random.
    pub seed: u64,
    /// Number of modules with an effect.
    pub modules: usize,
    /// Smallest module size drawn.
    pub min_module: usize,
    /// Largest module size drawn.
    pub max_module: usize,
    /// Random double mutants to add beside all single mutants.
    pub doubles: usize,
    /// Measurement noise (standard deviation), also reported as each record's std.
    pub noise: f64,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            modules: 40,
            min_module: 5,
            max_module: 60,
            doubles: 20_000,
            noise: 0.03,
        }
    }
}

/// Simulated experiments with their ground truth.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// All single mutants of genes in a module's reach, then the random doubles.
    pub experiments: Vec<Experiment>,
    /// The modules: subsystem index and effect.
    pub modules: Vec<(usize, f64)>,
    /// Noise-free fitness of each experiment, in the same order.
    pub truth: Vec<f64>,
}

/// Runs the simulator.
pub fn simulate(ontology: &DcellOntology, config: &SimulationConfig) -> Simulation {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let sets = ontology.contained_gene_sets();
    let candidates: Vec<usize> = (0..sets.len())
        .filter(|&i| ontology.subsystems[i].id != ROOT_ID)
        .filter(|&i| (config.min_module..=config.max_module).contains(&sets[i].len()))
        .collect();
    let mut modules: Vec<(usize, f64)> = Vec::new();
    let mut picked = BTreeSet::new();
    while modules.len() < config.modules.min(candidates.len()) {
        let m = candidates[rng.random_range(0..candidates.len())];
        if picked.insert(m) {
            modules.push((m, rng.random_range(0.3..1.2)));
        }
    }
    // For each gene, the modules it belongs to.
    let mut gene_modules: Vec<Vec<usize>> = vec![Vec::new(); ontology.genes.len()];
    for (k, &(m, _)) in modules.iter().enumerate() {
        for &g in &sets[m] {
            gene_modules[g].push(k);
        }
    }
    let fitness = |genes: &[usize]| -> f64 {
        let hit: BTreeSet<usize> = genes
            .iter()
            .flat_map(|&g| gene_modules[g].iter().copied())
            .collect();
        (-hit.iter().map(|&k| modules[k].1).sum::<f64>()).exp()
    };
    let mut genotypes: Vec<Vec<usize>> = (0..ontology.genes.len()).map(|g| vec![g]).collect();
    let n = ontology.genes.len();
    let mut seen = BTreeSet::new();
    while seen.len() < config.doubles.min(n * (n - 1) / 2) {
        let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
        if a != b && seen.insert((a.min(b), a.max(b))) {
            genotypes.push(vec![a.min(b), a.max(b)]);
        }
    }
    let mut experiments = Vec::with_capacity(genotypes.len());
    let mut truth = Vec::with_capacity(genotypes.len());
    for genes in genotypes {
        let clean = fitness(&genes);
        // Box–Muller: a normal draw without another dependency.
        let (u1, u2): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let genotype = Genotype::new(genes.iter().map(|&g| {
            Perturbation::new(ontology.genes[g].clone(), PerturbationKind::DeletionKanMx)
        }))
        .expect("distinct genes");
        let value = Fitness::new(clean + config.noise * z, Some(config.noise)).expect("finite");
        experiments.push(Experiment::fitness(
            genotype,
            Environment::sga_plate(30),
            value,
            Provenance::Synthetic { seed: config.seed },
        ));
        truth.push(clean);
    }
    Simulation {
        experiments,
        modules,
        truth,
    }
}
