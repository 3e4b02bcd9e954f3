//! RLIPP (Ma et al. 2018): how much better a subsystem's own neurons predict the phenotype
//! than its children's neurons together — the "relative local improvement in predictive
//! power" that says where in the hierarchy the model composes new information.
//!
//! For each subsystem with children: ridge regressions of the phenotype on the subsystem's
//! states and on its children's concatenated states, fitted on even-numbered instances and
//! scored by Spearman ρ on odd-numbered ones; RLIPP = (ρ_parent − ρ_children) / ρ_children.
//! The paper chose the ridge penalty by 5-fold cross-validation; here it is one fixed,
//! scale-relative penalty, hence "RLIPP-style". The solver is a dense Cholesky of the
//! smaller of the primal and dual systems (at most a few hundred unknowns here), written by
//! hand because it is 20 lines and the project has no dense linear-algebra dependency.

use rayon::prelude::*;

use super::kernel::{Mode, Model};
use crate::metrics::{pearson, ranks};

/// Genotypes per forward pass while collecting states.
const BATCH: usize = 256;

/// Solves `a x = b` for symmetric positive-definite `a` (`n × n`, row-major), in place.
fn cholesky_solve(mut a: Vec<f64>, mut b: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    for j in 0..n {
        let d = a[j * n + j] - (0..j).map(|k| a[j * n + k] * a[j * n + k]).sum::<f64>();
        if d <= 0.0 {
            return None;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let s = a[i * n + j] - (0..j).map(|k| a[i * n + k] * a[j * n + k]).sum::<f64>();
            a[i * n + j] = s / d;
        }
    }
    for i in 0..n {
        b[i] = (b[i] - (0..i).map(|k| a[i * n + k] * b[k]).sum::<f64>()) / a[i * n + i];
    }
    for i in (0..n).rev() {
        b[i] = (b[i] - (i + 1..n).map(|k| a[k * n + i] * b[k]).sum::<f64>()) / a[i * n + i];
    }
    Some(b)
}

/// Ridge regression of `y` on the rows of `x` (`n × d`), predicting `test` rows. Features
/// and targets are centred on the training means; the penalty is `lambda` times the mean
/// feature variance, so it is scale-free.
fn ridge_predict(x: &[Vec<f64>], y: &[f64], test: &[Vec<f64>], lambda: f64) -> Option<Vec<f64>> {
    let (n, d) = (x.len(), x.first()?.len());
    let mean: Vec<f64> = (0..d)
        .map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n as f64)
        .collect();
    let y_mean = y.iter().sum::<f64>() / n as f64;
    let xc: Vec<Vec<f64>> = x
        .iter()
        .map(|r| r.iter().zip(&mean).map(|(v, m)| v - m).collect())
        .collect();
    let yc: Vec<f64> = y.iter().map(|v| v - y_mean).collect();
    let variance = xc.iter().flatten().map(|v| v * v).sum::<f64>() / (n * d) as f64;
    let penalty = lambda * variance.max(1e-12) * n as f64;
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(u, v)| u * v).sum::<f64>();
    // Weights over features: primal (d unknowns) or dual (n unknowns), whichever is smaller.
    let weights: Vec<f64> = if d <= n {
        let mut gram = vec![0.0; d * d];
        for r in &xc {
            for i in 0..d {
                for j in 0..d {
                    gram[i * d + j] += r[i] * r[j];
                }
            }
        }
        (0..d).for_each(|i| gram[i * d + i] += penalty);
        let rhs: Vec<f64> = (0..d)
            .map(|j| xc.iter().zip(&yc).map(|(r, t)| r[j] * t).sum())
            .collect();
        cholesky_solve(gram, rhs, d)?
    } else {
        let mut gram = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                gram[i * n + j] = dot(&xc[i], &xc[j]);
            }
            gram[i * n + i] += penalty;
        }
        let alpha = cholesky_solve(gram, yc, n)?;
        (0..d)
            .map(|j| xc.iter().zip(&alpha).map(|(r, a)| r[j] * a).sum())
            .collect()
    };
    Some(
        test.iter()
            .map(|r| {
                y_mean
                    + r.iter()
                        .zip(&mean)
                        .zip(&weights)
                        .map(|((v, m), w)| (v - m) * w)
                        .sum::<f64>()
            })
            .collect(),
    )
}

/// Spearman ρ (Pearson of average ranks).
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

/// The RLIPP score of every subsystem (`None` for leaves and where a ρ is undefined), from
/// the states `model` gives `genotypes` with phenotype `y` (the first label), penalty
/// `lambda`.
pub fn rlipp<G: AsRef<[usize]> + Sync>(
    model: &Model<f32>,
    genotypes: &[G],
    y: &[f64],
    lambda: f64,
) -> Vec<Option<f64>> {
    let layout = model.layout();
    // states[t][i] = subsystem t's neurons for genotype i.
    let mut states: Vec<Vec<Vec<f64>>> =
        vec![Vec::with_capacity(genotypes.len()); layout.terms.len()];
    for batch in genotypes.chunks(BATCH) {
        let act = model.forward(batch, Mode::Inference);
        for (t, term) in layout.terms.iter().enumerate() {
            let s = act.states(term);
            for j in 0..batch.len() {
                states[t].push(
                    (0..term.width)
                        .map(|i| f64::from(s[i * batch.len() + j]))
                        .collect(),
                );
            }
        }
    }
    let (train, test): (Vec<usize>, Vec<usize>) = (0..genotypes.len()).partition(|i| i % 2 == 0);
    let y_train: Vec<f64> = train.iter().map(|&i| y[i]).collect();
    let y_test: Vec<f64> = test.iter().map(|&i| y[i]).collect();
    let children = layout.children();
    let score = |features: &dyn Fn(usize) -> Vec<f64>| -> Option<f64> {
        let x: Vec<Vec<f64>> = train.iter().map(|&i| features(i)).collect();
        let t: Vec<Vec<f64>> = test.iter().map(|&i| features(i)).collect();
        let rho = spearman(&y_test, &ridge_predict(&x, &y_train, &t, lambda)?);
        rho.is_finite().then_some(rho)
    };
    (0..layout.terms.len())
        .into_par_iter()
        .map(|t| {
            if children[t].is_empty() {
                return None;
            }
            let parent = score(&|i| states[t][i].clone())?;
            let kids = score(&|i| {
                children[t]
                    .iter()
                    .flat_map(|&c| states[c][i].iter().copied())
                    .collect()
            })?;
            (kids.abs() > 1e-9).then(|| (parent - kids) / kids)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ridge_recovers_a_linear_target_in_both_forms() {
        // y = 2·x0 − x1 + 3, exactly; a tiny penalty recovers it with few or many rows.
        let rows: Vec<Vec<f64>> = (0..6).map(|i| vec![i as f64, (i * i % 5) as f64]).collect();
        let y: Vec<f64> = rows.iter().map(|r| 2.0 * r[0] - r[1] + 3.0).collect();
        let test = vec![vec![10.0, 1.0]];
        let primal = ridge_predict(&rows, &y, &test, 1e-10).unwrap();
        assert!((primal[0] - 22.0).abs() < 1e-6, "{primal:?}");
        // Dual (more features than rows): with a tiny penalty it interpolates its rows.
        let wide: Vec<Vec<f64>> = rows[..3]
            .iter()
            .map(|r| [r.as_slice(); 4].concat())
            .collect();
        let dual = ridge_predict(&wide, &y[..3], &wide, 1e-10).unwrap();
        for (p, t) in dual.iter().zip(&y[..3]) {
            assert!((p - t).abs() < 1e-4, "{dual:?}");
        }
        let solved = cholesky_solve(vec![4.0, 2.0, 2.0, 3.0], vec![2.0, 1.0], 2).unwrap();
        assert!((solved[0] - 0.5).abs() < 1e-12 && solved[1].abs() < 1e-12);
    }

    #[test]
    fn scores_subsystems_with_children_only() {
        use std::sync::Arc;

        use rand::{Rng, SeedableRng};
        use rand_chacha::ChaCha8Rng;

        use crate::dcell::{test_support::tiny_ontology, DcellConfig, Layout};

        let ontology = tiny_ontology();
        let config = DcellConfig {
            init_scale: 0.5,
            ..DcellConfig::default()
        };
        let layout = Arc::new(Layout::new(&ontology, &config, 1));
        let params = layout.init_parameters(&config);
        let mut model = Model::new(layout.clone(), params, config.alpha, config.aux_reduction);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let genotypes: Vec<Vec<usize>> = (0..200)
            .map(|_| (0..layout.genes).filter(|_| rng.random_bool(0.3)).collect())
            .collect();
        // Running statistics from the data, so inference-mode states vary.
        let act = model.forward(&genotypes, Mode::Training);
        model.update_running_stats(&act);
        let y: Vec<f64> = genotypes
            .iter()
            .map(|g| g.len() as f64 + rng.random_range(0.0..0.5))
            .collect();
        let scores = rlipp(&model, &genotypes, &y, 1e-2);
        let children = layout.children();
        assert_eq!(scores.len(), layout.terms.len());
        for (t, s) in scores.iter().enumerate() {
            if children[t].is_empty() {
                assert!(s.is_none(), "leaf {t} scored");
            }
        }
        assert!(scores.iter().any(Option::is_some));
        // GO:0000005 has two parents: both list it as a child.
        let shared = ontology
            .subsystems
            .iter()
            .position(|s| s.id == "GO:0000005")
            .unwrap();
        assert_eq!(children.iter().filter(|c| c.contains(&shared)).count(), 2);
    }
}
