//! AdamW and SGD over one flat parameter vector, for the CPU DCell engine, and their state as
//! bytes, so a checkpoint continues training exactly where it stopped.
//!
//! burn's optimizers work on burn modules; the CPU kernel keeps its parameters in one slice,
//! where the update is a single parallel pass. PyTorch's `torch.optim.AdamW` rule and
//! defaults (β = 0.9/0.999, ε = 1e-8, decay applied as `p ← p·(1 − lr·λ)` before the step),
//! so the benchmark against TorchCell's loop compares like with like; SGD is
//! `torch.optim.SGD`'s (momentum buffer `b ← μ·b + g + λ·p`, `p ← p − lr·b`).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{codec, dcell::real::Real};

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

impl AdamW<f32> {
    /// Appends the state (step count, moments) to `out`.
    pub fn save(&self, out: &mut Vec<u8>) {
        codec::put_u64(out, self.step as u64);
        codec::put_f32s(out, &self.m);
        codec::put_f32s(out, &self.v);
    }

    /// Reads back what [`Self::save`] wrote.
    pub fn restore(&mut self, input: &mut &[u8]) -> Result<(), codec::Error> {
        let step = codec::get_u64(input)?;
        self.step =
            i32::try_from(step).map_err(|_| codec::Error::new("step count out of range"))?;
        codec::get_f32s_into(input, &mut self.m)?;
        codec::get_f32s_into(input, &mut self.v)
    }
}

/// SGD with momentum and coupled weight decay over a parameter vector.
#[derive(Debug, Clone)]
pub struct Sgd<T> {
    /// Learning rate.
    pub learning_rate: f64,
    /// Weight decay λ (added to the gradient).
    pub weight_decay: f64,
    /// Momentum μ (0: plain SGD).
    pub momentum: f64,
    buffer: Vec<T>,
}

impl<T: Real> Sgd<T> {
    /// Fresh state for `n` parameters.
    pub fn new(n: usize, learning_rate: f64, weight_decay: f64, momentum: f64) -> Self {
        Self {
            learning_rate,
            weight_decay,
            momentum,
            buffer: vec![T::zero(); n],
        }
    }

    /// Applies one step of `grads` to `params`.
    ///
    /// # Panics
    /// If the lengths differ from the state's.
    pub fn step(&mut self, params: &mut [T], grads: &[T]) {
        assert_eq!(params.len(), self.buffer.len());
        assert_eq!(grads.len(), self.buffer.len());
        let [lr, mu, decay] = [self.learning_rate, self.momentum, self.weight_decay].map(T::of);
        params
            .par_chunks_mut(CHUNK)
            .zip(grads.par_chunks(CHUNK))
            .zip(self.buffer.par_chunks_mut(CHUNK))
            .for_each(|((p, g), b)| {
                for ((p, &g), b) in p.iter_mut().zip(g).zip(b) {
                    *b = mu * *b + g + decay * *p;
                    *p = *p - lr * *b;
                }
            });
    }
}

/// Which optimiser, and its hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerConfig {
    /// AdamW (β = 0.9/0.999, ε = 1e-8).
    Adamw {
        /// Learning rate.
        #[serde(default = "default_learning_rate")]
        learning_rate: f64,
        /// Decoupled weight decay.
        #[serde(default = "default_weight_decay")]
        weight_decay: f64,
    },
    /// SGD with momentum.
    Sgd {
        /// Learning rate.
        #[serde(default = "default_learning_rate")]
        learning_rate: f64,
        /// Weight decay.
        #[serde(default)]
        weight_decay: f64,
        /// Momentum.
        #[serde(default)]
        momentum: f64,
    },
}

fn default_learning_rate() -> f64 {
    1e-3
}

fn default_weight_decay() -> f64 {
    1e-4
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        Self::Adamw {
            learning_rate: default_learning_rate(),
            weight_decay: default_weight_decay(),
        }
    }
}

impl OptimizerConfig {
    /// The configured learning rate, where a schedule starts.
    pub fn learning_rate(&self) -> f64 {
        match *self {
            Self::Adamw { learning_rate, .. } | Self::Sgd { learning_rate, .. } => learning_rate,
        }
    }

    /// A fresh optimiser for `n` parameters.
    pub fn build(&self, n: usize) -> Optimizer {
        match *self {
            Self::Adamw {
                learning_rate,
                weight_decay,
            } => Optimizer::Adamw(AdamW::new(n, learning_rate, weight_decay)),
            Self::Sgd {
                learning_rate,
                weight_decay,
                momentum,
            } => Optimizer::Sgd(Sgd::new(n, learning_rate, weight_decay, momentum)),
        }
    }
}

/// An optimiser over f32 parameters, whichever it is.
#[derive(Debug, Clone)]
pub enum Optimizer {
    /// AdamW.
    Adamw(AdamW<f32>),
    /// SGD.
    Sgd(Sgd<f32>),
}

impl Optimizer {
    /// Applies one step.
    pub fn step(&mut self, params: &mut [f32], grads: &[f32]) {
        match self {
            Self::Adamw(o) => o.step(params, grads),
            Self::Sgd(o) => o.step(params, grads),
        }
    }

    /// Sets the learning rate of the next steps (a schedule's doing).
    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        match self {
            Self::Adamw(o) => o.learning_rate = learning_rate,
            Self::Sgd(o) => o.learning_rate = learning_rate,
        }
    }

    /// Appends the state to `out`.
    pub fn save(&self, out: &mut Vec<u8>) {
        match self {
            Self::Adamw(o) => o.save(out),
            Self::Sgd(o) => codec::put_f32s(out, &o.buffer),
        }
    }

    /// Reads back what [`Self::save`] wrote (into an optimiser of the same kind and size).
    pub fn restore(&mut self, input: &mut &[u8]) -> Result<(), codec::Error> {
        match self {
            Self::Adamw(o) => o.restore(input),
            Self::Sgd(o) => codec::get_f32s_into(input, &mut o.buffer),
        }
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

    #[test]
    fn sgd_with_momentum_accumulates() {
        let mut p = vec![1.0f64];
        let mut opt = Sgd::new(1, 0.1, 0.0, 0.9);
        opt.step(&mut p, &[1.0]);
        opt.step(&mut p, &[1.0]);
        // b = 1, then 1.9: p = 1 − 0.1 − 0.19.
        assert!((p[0] - 0.71).abs() < 1e-12);
    }

    #[test]
    fn optimiser_state_survives_bytes() {
        let mut p = vec![1.0f32, -1.0];
        let mut opt = OptimizerConfig::default().build(2);
        opt.step(&mut p, &[0.5, 0.25]);
        let mut bytes = Vec::new();
        opt.save(&mut bytes);
        let mut copy = OptimizerConfig::default().build(2);
        copy.restore(&mut bytes.as_slice()).unwrap();
        let (mut a, mut b) = (p.clone(), p);
        opt.step(&mut a, &[0.1, 0.2]);
        copy.step(&mut b, &[0.1, 0.2]);
        assert_eq!(a, b);
        let mut short = &bytes[..bytes.len() - 1];
        assert!(copy.restore(&mut short).is_err());
    }
}
