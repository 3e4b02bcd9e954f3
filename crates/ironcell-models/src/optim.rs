//! AdamW over one flat parameter vector, for the CPU DCell engine.
//!
//! burn's optimizers work on burn modules; the CPU kernel keeps its parameters in one slice,
//! where the update is a single parallel pass. PyTorch's `torch.optim.AdamW` rule and
//! defaults (β = 0.9/0.999, ε = 1e-8, decay applied as `p ← p·(1 − lr·λ)` before the step),
//! so the benchmark against TorchCell's loop compares like with like.

use rayon::prelude::*;

use crate::dcell::real::Real;

/// Elements per parallel task.
const CHUNK: usize = 1 << 14;

/// AdamW state for a parameter vector.
#[derive(Debug, Clone)]
pub struct AdamW<T> {
    /// Learning rate.
    pub learning_rate: f64,
    /// Decoupled weight decay λ.
    pub weight_decay: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    step: i32,
    m: Vec<T>,
    v: Vec<T>,
}

impl<T: Real> AdamW<T> {
    /// Fresh state for `n` parameters.
    pub fn new(n: usize, learning_rate: f64, weight_decay: f64) -> Self {
        Self {
            learning_rate,
            weight_decay,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            step: 0,
            m: vec![T::zero(); n],
            v: vec![T::zero(); n],
        }
    }

    /// Applies one step of `grads` to `params`.
    ///
    /// # Panics
    /// If the lengths differ from the state's.
    pub fn step(&mut self, params: &mut [T], grads: &[T]) {
        assert_eq!(params.len(), self.m.len());
        assert_eq!(grads.len(), self.m.len());
        self.step += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 - b1.powi(self.step);
        let c2 = 1.0 - b2.powi(self.step);
        let [decay, lr, b1, b2, one_b1, one_b2, eps] = [
            1.0 - self.learning_rate * self.weight_decay,
            self.learning_rate / c1,
            b1,
            b2,
            1.0 - b1,
            1.0 - b2,
            self.epsilon,
        ]
        .map(T::of);
        let sqrt_c2 = T::of(c2.sqrt());
        params
            .par_chunks_mut(CHUNK)
            .zip(grads.par_chunks(CHUNK))
            .zip(self.m.par_chunks_mut(CHUNK))
            .zip(self.v.par_chunks_mut(CHUNK))
            .for_each(|(((p, g), m), v)| {
                for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
                    *m = b1 * *m + one_b1 * g;
                    *v = b2 * *v + one_b2 * g * g;
                    *p = *p * decay - lr * *m / (v.sqrt() / sqrt_c2 + eps);
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_by_the_learning_rate() {
        // After one step m̂ = g and v̂ = g², so every parameter moves by lr·sign(g).
        let mut p = vec![1.0f64, -2.0, 0.5];
        let mut opt = AdamW::new(3, 0.01, 0.0);
        opt.step(&mut p, &[0.3, -4.0, 0.0]);
        assert!((p[0] - 0.99).abs() < 1e-9);
        assert!((p[1] + 1.99).abs() < 1e-9);
        assert_eq!(p[2], 0.5);
    }

    #[test]
    fn decay_shrinks_parameters_without_gradient() {
        let mut p = vec![2.0f64];
        let mut opt = AdamW::new(1, 0.1, 0.5);
        opt.step(&mut p, &[0.0]);
        assert!((p[0] - 2.0 * (1.0 - 0.05)).abs() < 1e-12);
    }
}
