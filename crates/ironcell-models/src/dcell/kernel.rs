//! DCell's CPU engine: every subsystem of a stratum runs in parallel, each as a few exact-size
//! GEMM calls with a hand-written backward.
//!
//! Why hand-written: the model is thousands of small layers, and a general autodiff framework
//! pays a per-op cost (allocation, graph bookkeeping, zero-filled gradient buffers) for each of
//! them that exceeds the arithmetic; measured in `BENCHMARKS.md`. Here a subsystem is three
//! GEMMs forward and four backward on buffers laid out once ([`Layout`]), so the time goes to
//! the products. The backward equations are checked against finite differences below and
//! against an independent NumPy + autograd reference in `tests/parity`.

use std::sync::Arc;

use rayon::prelude::*;

use super::{
    gemm::{matmul, View},
    layout::{Layout, Term},
    real::Real,
    AuxReduction,
};
use crate::optim::AdamW;

/// Batch-norm epsilon, as in PyTorch and burn.
const EPSILON: f64 = 1e-5;
/// Weight of the new batch in the running statistics, as in PyTorch.
const MOMENTUM: f64 = 0.1;
/// Products with more multiply-adds than this use several threads themselves.
const THREADED_PRODUCT: usize = 1 << 22;

/// Batch statistics (training) or running statistics (inference) for batch norm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Normalise by the batch's own mean and variance; backward is available.
    Training,
    /// Normalise by the running statistics.
    Inference,
}

/// How a neuron was normalised in one forward pass.
#[derive(Debug, Clone, Copy)]
struct Norm<T> {
    mean: T,
    var: T,
    inv_std: T,
}

/// DCell on the CPU: a layout, its flat parameters and batch-norm running statistics.
#[derive(Debug, Clone)]
pub struct Model<T: Real> {
    layout: Arc<Layout>,
    params: Vec<T>,
    running_mean: Vec<T>,
    running_var: Vec<T>,
    alpha: f64,
    reduction: AuxReduction,
}

/// Everything one forward pass computed, kept for the backward pass and for inspection.
#[derive(Debug, Clone)]
pub struct Activations<T> {
    mode: Mode,
    batch: usize,
    /// `[rows, batch]`: gene states, then every subsystem's hidden outputs.
    source: Vec<T>,
    /// `[neurons, batch]`: normalised pre-activations.
    xhat: Vec<T>,
    norms: Vec<Norm<T>>,
    /// `[terms, labels, batch]`: every subsystem's head.
    heads: Vec<T>,
}

impl<T> Activations<T> {
    /// Genotypes in the batch.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Hidden states of the subsystem whose output rows are `rows`, `[width, batch]`.
    pub fn states(&self, term: &Term) -> &[T] {
        &self.source[term.output_row * self.batch..(term.output_row + term.width) * self.batch]
    }

    /// Head outputs of subsystem `t`, `[labels, batch]`.
    pub fn head(&self, t: usize, labels: usize) -> &[T] {
        let n = labels * self.batch;
        &self.heads[t * n..(t + 1) * n]
    }
}

/// One subsystem's writable share of the activations.
struct Slots<'a, T> {
    h: &'a mut [T],
    xhat: &'a mut [T],
    norms: &'a mut [Norm<T>],
    head: &'a mut [T],
}

/// Splits `data` into consecutive pieces of the given sizes.
fn carve<T>(mut data: &mut [T], sizes: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    sizes
        .map(|n| {
            let (piece, rest) = std::mem::take(&mut data).split_at_mut(n);
            data = rest;
            piece
        })
        .collect()
}

/// Copies source rows `rows` into a `[rows.len(), batch]` matrix.
fn gather<T: Copy>(source: &[T], rows: &[u32], batch: usize) -> Vec<T> {
    let mut x = Vec::with_capacity(rows.len() * batch);
    for &r in rows {
        let r = r as usize * batch;
        x.extend_from_slice(&source[r..r + batch]);
    }
    x
}

impl<T: Real> Model<T> {
    /// A model over `layout` with parameters `params` (see [`Layout`] for their order);
    /// running statistics start at mean 0, variance 1.
    ///
    /// # Panics
    /// If `params` does not have the layout's length.
    pub fn new(layout: Arc<Layout>, params: Vec<T>, alpha: f64, reduction: AuxReduction) -> Self {
        assert_eq!(params.len(), layout.parameters, "parameter count");
        let n = layout.neurons();
        Self {
            layout,
            params,
            running_mean: vec![T::zero(); n],
            running_var: vec![T::one(); n],
            alpha,
            reduction,
        }
    }

    /// The layout.
    pub fn layout(&self) -> &Arc<Layout> {
        &self.layout
    }

    /// The flat parameters.
    pub fn params(&self) -> &[T] {
        &self.params
    }

    /// The flat parameters, to update (an optimiser's step, a checkpoint's restore).
    pub fn params_mut(&mut self) -> &mut [T] {
        &mut self.params
    }

    /// Batch-norm running means and variances, one per hidden neuron.
    pub fn running_stats(&self) -> (&[T], &[T]) {
        (&self.running_mean, &self.running_var)
    }

    /// Replaces the running statistics (e.g. when loading a saved model).
    ///
    /// # Panics
    /// If either has not one value per hidden neuron.
    pub fn set_running_stats(&mut self, mean: Vec<T>, var: Vec<T>) {
        assert_eq!(mean.len(), self.layout.neurons());
        assert_eq!(var.len(), self.layout.neurons());
        self.running_mean = mean;
        self.running_var = var;
    }

    /// Runs the network on a batch of genotypes, each the indices of its perturbed genes in
    /// the layout's gene universe.
    ///
    /// # Panics
    /// If a gene index is outside the universe, or if training on fewer than two genotypes
    /// (batch norm needs a variance).
    pub fn forward<G: AsRef<[usize]>>(&self, genotypes: &[G], mode: Mode) -> Activations<T> {
        let layout = &*self.layout;
        let (b, labels) = (genotypes.len(), layout.labels);
        assert!(
            mode == Mode::Inference || b > 1,
            "training needs a batch of two or more"
        );
        let mut source = vec![T::zero(); layout.rows * b];
        for (j, genotype) in genotypes.iter().enumerate() {
            for &g in genotype.as_ref() {
                assert!(g < layout.genes, "gene index {g} outside the universe");
                source[g * b + j] = T::one();
            }
        }
        let neurons = layout.neurons();
        let mut xhat = vec![T::zero(); neurons * b];
        let zero = T::zero();
        let mut norms = vec![
            Norm {
                mean: zero,
                var: zero,
                inv_std: zero
            };
            neurons
        ];
        let mut heads = vec![T::zero(); layout.terms.len() * labels * b];
        for stratum in &layout.strata {
            let terms = &layout.terms[stratum.clone()];
            let first = terms[0].output_row;
            let end = first + terms.iter().map(|t| t.width).sum::<usize>();
            let (below, rest) = source.split_at_mut(first * b);
            let below = &*below;
            let widths = || terms.iter().map(|t| t.width);
            let h = carve(&mut rest[..(end - first) * b], widths().map(|w| w * b));
            let x = carve(
                &mut xhat[(first - layout.genes) * b..(end - layout.genes) * b],
                widths().map(|w| w * b),
            );
            let n = carve(
                &mut norms[first - layout.genes..end - layout.genes],
                widths(),
            );
            let hd = carve(
                &mut heads[stratum.start * labels * b..stratum.end * labels * b],
                widths().map(|_| labels * b),
            );
            let slots: Vec<Slots<T>> = h
                .into_iter()
                .zip(x)
                .zip(n)
                .zip(hd)
                .map(|(((h, xhat), norms), head)| Slots {
                    h,
                    xhat,
                    norms,
                    head,
                })
                .collect();
            terms
                .par_iter()
                .zip(slots)
                .for_each(|(term, slots)| self.forward_term(term, below, b, mode, slots));
        }
        Activations {
            mode,
            batch: b,
            source,
            xhat,
            norms,
            heads,
        }
    }

    fn forward_term(&self, term: &Term, below: &[T], b: usize, mode: Mode, out: Slots<T>) {
        let x = gather(below, &term.inputs, b);
        self.forward_inputs(term, &x, b, mode, out);
    }

    /// One subsystem on its inputs `x` (`[inputs, b]`).
    fn forward_inputs(&self, term: &Term, x: &[T], b: usize, mode: Mode, out: Slots<T>) {
        let (w, k, labels) = (term.width, term.inputs.len(), self.layout.labels);
        let p = &self.params[term.params..term.params + term.parameter_count(labels)];
        let [weight, gamma, beta, head, bias] = term.parts(labels);
        let threads = w * k * b > THREADED_PRODUCT;
        matmul(
            out.xhat,
            View::rows(&p[weight], w, k, k),
            View::rows(x, k, b, b),
            false,
            threads,
        );
        let neuron = term.output_row - self.layout.genes;
        let bf = T::of(b as f64);
        for i in 0..w {
            let z = &mut out.xhat[i * b..(i + 1) * b];
            let (mean, var) = match mode {
                Mode::Training => {
                    let mean = z.iter().fold(T::zero(), |s, &v| s + v) / bf;
                    let var = z
                        .iter()
                        .fold(T::zero(), |s, &v| s + (v - mean) * (v - mean))
                        / bf;
                    (mean, var)
                }
                Mode::Inference => (self.running_mean[neuron + i], self.running_var[neuron + i]),
            };
            let inv_std = (var + T::of(EPSILON)).sqrt().recip();
            out.norms[i] = Norm { mean, var, inv_std };
            let (g, s) = (p[gamma.start + i], p[beta.start + i]);
            for (v, h) in z.iter_mut().zip(&mut out.h[i * b..(i + 1) * b]) {
                *v = (*v - mean) * inv_std;
                *h = (g * *v + s).tanh();
            }
        }
        matmul(
            out.head,
            View::rows(&p[head], labels, w, w),
            View::rows(out.h, w, b, b),
            false,
            false,
        );
        for (l, row) in out.head.chunks_mut(b).enumerate() {
            row.iter_mut().for_each(|v| *v = *v + p[bias.start + l]);
        }
    }

    /// The loss of a training forward pass against `targets` (`[batch, labels]`, row-major;
    /// NaN = missing, left out of every mean), and the gradient of every parameter.
    ///
    /// Loss = MSE(root head) + α · (mean or sum over other subsystems of MSE(their head)).
    ///
    /// # Panics
    /// If `act` is not from a training pass or `targets` has the wrong length.
    pub fn backward(&self, act: &Activations<T>, targets: &[T]) -> (T, Vec<T>) {
        assert_eq!(
            act.mode,
            Mode::Training,
            "backward needs a training forward pass"
        );
        let layout = &*self.layout;
        let (b, labels, genes) = (act.batch, layout.labels, layout.genes);
        assert_eq!(targets.len(), b * labels, "targets are [batch, labels]");
        let (loss, dheads) = self.loss_gradient(act, targets);
        let mut grads = vec![T::zero(); layout.parameters];
        // Gradient with respect to the hidden rows of the source.
        let mut dsource = vec![T::zero(); layout.neurons() * b];
        for stratum in layout.strata.iter().rev() {
            let terms = &layout.terms[stratum.clone()];
            let first = terms[0].output_row - genes;
            let (lower, upper) = dsource.split_at_mut(first * b);
            let upper = &*upper;
            let p0 = terms[0].params;
            let p_end = terms
                .last()
                .map_or(p0, |t| t.params + t.parameter_count(labels));
            let slots = carve(
                &mut grads[p0..p_end],
                terms.iter().map(|t| t.parameter_count(labels)),
            );
            let dxs: Vec<Vec<T>> = terms
                .par_iter()
                .enumerate()
                .zip(slots)
                .map(|((i, term), grad)| {
                    let t = stratum.start + i;
                    let dhead = &dheads[t * labels * b..(t + 1) * labels * b];
                    let neuron = term.output_row - genes;
                    let dh = &upper[(neuron - first) * b..(neuron - first + term.width) * b];
                    self.backward_term(term, act, dh, dhead, grad)
                })
                .collect();
            for (term, dx) in terms.iter().zip(dxs) {
                for (&row, d) in term.inputs[..term.child_inputs].iter().zip(dx.chunks(b)) {
                    let r = row as usize - genes;
                    for (acc, &v) in lower[r * b..(r + 1) * b].iter_mut().zip(d) {
                        *acc = *acc + v;
                    }
                }
            }
        }
        (loss, grads)
    }

    /// The loss and its gradient with respect to every head output.
    fn loss_gradient(&self, act: &Activations<T>, targets: &[T]) -> (T, Vec<T>) {
        let (b, labels) = (act.batch, self.layout.labels);
        let terms = self.layout.terms.len();
        let observed = targets.iter().filter(|y| y.is_finite()).count();
        let mut dheads = vec![T::zero(); act.heads.len()];
        if observed == 0 {
            return (T::zero(), dheads);
        }
        let n = T::of(observed as f64);
        let aux_weight = match self.reduction {
            AuxReduction::Mean if terms > 1 => self.alpha / (terms - 1) as f64,
            AuxReduction::Mean => 0.0,
            AuxReduction::Sum => self.alpha,
        };
        let mut loss = T::zero();
        for t in 0..terms {
            let weight = T::of(if t + 1 == terms { 1.0 } else { aux_weight });
            let at = t * labels * b;
            for l in 0..labels {
                for j in 0..b {
                    let y = targets[j * labels + l];
                    if y.is_finite() {
                        let d = act.heads[at + l * b + j] - y;
                        loss = loss + weight * d * d / n;
                        dheads[at + l * b + j] = weight * (d + d) / n;
                    }
                }
            }
        }
        (loss, dheads)
    }

    /// One subsystem's backward: fills its parameter gradients and returns the gradient
    /// with respect to its child inputs, `[child_inputs, batch]`.
    fn backward_term(
        &self,
        term: &Term,
        act: &Activations<T>,
        dh: &[T],
        dhead: &[T],
        grad: &mut [T],
    ) -> Vec<T> {
        let b = act.batch;
        let (w, k, c, labels) = (
            term.width,
            term.inputs.len(),
            term.child_inputs,
            self.layout.labels,
        );
        let p = &self.params[term.params..term.params + term.parameter_count(labels)];
        let [weight, gamma, beta, head, bias] = term.parts(labels);
        let neuron = term.output_row - self.layout.genes;
        let h = act.states(term);
        let xhat = &act.xhat[neuron * b..(neuron + w) * b];
        let norms = &act.norms[neuron..neuron + w];

        // Through the head: dh += headᵀ · dhead; d head = dhead · hᵀ; d bias = Σ dhead.
        let mut dy = dh.to_vec();
        matmul(
            &mut dy,
            View::transposed(&p[head.clone()], w, labels, w),
            View::rows(dhead, labels, b, b),
            true,
            false,
        );
        matmul(
            &mut grad[head],
            View::rows(dhead, labels, b, b),
            View::transposed(h, b, w, b),
            false,
            false,
        );
        for (l, row) in dhead.chunks(b).enumerate() {
            grad[bias.start + l] = row.iter().fold(T::zero(), |s, &v| s + v);
        }
        // Through tanh and batch norm, in place: dy becomes d(pre-activation).
        let bf = T::of(b as f64);
        for i in 0..w {
            let rows = i * b..(i + 1) * b;
            let (dyi, hi, xi) = (&mut dy[rows.clone()], &h[rows.clone()], &xhat[rows]);
            let (mut dgamma, mut dbeta) = (T::zero(), T::zero());
            for ((d, &hv), &xv) in dyi.iter_mut().zip(hi).zip(xi) {
                *d = *d * (T::one() - hv * hv);
                dgamma = dgamma + *d * xv;
                dbeta = dbeta + *d;
            }
            grad[gamma.start + i] = dgamma;
            grad[beta.start + i] = dbeta;
            // d xhat = γ · dy; dz = inv_std · (d xhat − mean(d xhat) − xhat · mean(d xhat · xhat)).
            let g = p[gamma.start + i];
            let mean_d = g * dbeta / bf;
            let mean_dx = g * dgamma / bf;
            let inv_std = norms[i].inv_std;
            for (d, &xv) in dyi.iter_mut().zip(xi) {
                *d = inv_std * (g * *d - mean_d - xv * mean_dx);
            }
        }
        // Through the weights: dW = dz · xᵀ; dx = W[:, ..c]ᵀ · dz.
        let x = gather(&act.source, &term.inputs, b);
        let threads = w * k * b > THREADED_PRODUCT;
        matmul(
            &mut grad[weight.clone()],
            View::rows(&dy, w, b, b),
            View::transposed(&x, b, k, b),
            false,
            threads,
        );
        let mut dx = vec![T::zero(); c * b];
        matmul(
            &mut dx,
            View::transposed(&p[weight], c, w, k),
            View::rows(&dy, w, b, b),
            false,
            threads,
        );
        dx
    }

    /// Folds a training pass's batch statistics into the running statistics (PyTorch's
    /// rule: momentum 0.1, unbiased variance).
    pub fn update_running_stats(&mut self, act: &Activations<T>) {
        if act.mode != Mode::Training {
            return;
        }
        let m = T::of(MOMENTUM);
        let unbias = T::of(act.batch as f64 / (act.batch as f64 - 1.0));
        for ((rm, rv), n) in self
            .running_mean
            .iter_mut()
            .zip(&mut self.running_var)
            .zip(&act.norms)
        {
            *rm = (T::one() - m) * *rm + m * n.mean;
            *rv = (T::one() - m) * *rv + m * n.var * unbias;
        }
    }

    /// One training step: forward, backward, running statistics and an AdamW update.
    /// Returns the batch's loss before the update.
    pub fn train_step<G: AsRef<[usize]>>(
        &mut self,
        genotypes: &[G],
        targets: &[T],
        optimizer: &mut AdamW<T>,
    ) -> T {
        let act = self.forward(genotypes, Mode::Training);
        let (loss, grads) = self.backward(&act, targets);
        self.update_running_stats(&act);
        optimizer.step(&mut self.params, &grads);
        loss
    }

    /// Predictions `[batch, labels]` in inference mode.
    pub fn predict<G: AsRef<[usize]>>(&self, genotypes: &[G]) -> Vec<T> {
        let act = self.forward(genotypes, Mode::Inference);
        let (b, labels) = (act.batch, self.layout.labels);
        let root = act.head(self.layout.terms.len() - 1, labels);
        (0..b * labels)
            .map(|i| root[(i % labels) * b + i / labels])
            .collect()
    }

    /// [`Model::predict`]'s answers, computing only the subsystems a genotype changes.
    ///
    /// In inference mode a subsystem's state depends on its inputs alone (batch norm reads
    /// the running statistics), so a subsystem that holds none of a genotype's genes, directly
    /// or through its children, is in its wild-type state. The wild type is run once; then,
    /// stratum by stratum as in [`Model::forward`], each subsystem is computed for the
    /// genotypes of the batch that change it, as one product over those columns — the
    /// subsystems near the root for the whole batch, a leaf for the few genotypes holding
    /// its genes. This is the project's own inference path (no library computes a visible
    /// network's states incrementally), equal to `predict` up to rounding.
    ///
    /// # Panics
    /// If a gene index is outside the universe.
    pub fn predict_changed<G: AsRef<[usize]> + Sync>(&self, genotypes: &[G]) -> Vec<T> {
        let layout = &*self.layout;
        let (b, labels, root) = (genotypes.len(), layout.labels, layout.terms.len() - 1);
        let wild = self.forward(&[[0usize; 0]], Mode::Inference);
        // The subsystems reading each source row.
        let mut readers: Vec<Vec<u32>> = vec![Vec::new(); layout.rows];
        for (t, term) in layout.terms.iter().enumerate() {
            for &r in &term.inputs {
                readers[r as usize].push(t as u32);
            }
        }
        // Each subsystem's changed columns, in column order: a walk up from each genotype's
        // genes (a subsystem is marked once per genotype).
        let mut columns: Vec<Vec<u32>> = vec![Vec::new(); layout.terms.len()];
        let mut stamp = vec![u32::MAX; layout.terms.len()];
        let mut walk: Vec<u32> = Vec::new();
        for (j, genotype) in genotypes.iter().enumerate() {
            walk.clear();
            for &g in genotype.as_ref() {
                assert!(g < layout.genes, "gene index {g} outside the universe");
                walk.extend(&readers[g]);
            }
            while let Some(t) = walk.pop() {
                if std::mem::replace(&mut stamp[t as usize], j as u32) == j as u32 {
                    continue;
                }
                columns[t as usize].push(j as u32);
                let term = &layout.terms[t as usize];
                for row_readers in &readers[term.output_row..term.output_row + term.width] {
                    walk.extend(row_readers);
                }
            }
        }
        // The subsystem and unit of each hidden source row.
        let mut owner = Vec::with_capacity(layout.neurons());
        for (t, term) in layout.terms.iter().enumerate() {
            owner.extend((0..term.width).map(|u| (t, u)));
        }
        // Each subsystem's states over its changed columns only (`[width, columns]`); every
        // other column of it holds the wild type's.
        let mut states: Vec<Vec<T>> = vec![Vec::new(); layout.terms.len()];
        let mut answers: Vec<T> = (0..b * labels)
            .map(|i| wild.head(root, labels)[i % labels])
            .collect();
        for stratum in &layout.strata {
            let computed: Vec<(Vec<T>, Vec<T>)> = layout.terms[stratum.clone()]
                .par_iter()
                .zip(&columns[stratum.clone()])
                .map(|(term, cols)| {
                    let m = cols.len();
                    if m == 0 {
                        return (Vec::new(), Vec::new());
                    }
                    let mut x = Vec::with_capacity(term.inputs.len() * m);
                    for &r in &term.inputs {
                        let r = r as usize;
                        if r < layout.genes {
                            x.extend(cols.iter().map(|&j| {
                                match genotypes[j as usize].as_ref().contains(&r) {
                                    true => T::one(),
                                    false => T::zero(),
                                }
                            }));
                            continue;
                        }
                        // A child's changed columns are a subset of its parent's: one merge.
                        let (child, unit) = owner[r - layout.genes];
                        let (child_cols, child_states) = (&columns[child], &states[child]);
                        let row = &child_states[unit * child_cols.len()..];
                        let mut p = 0;
                        x.extend(cols.iter().map(|&j| {
                            while p < child_cols.len() && child_cols[p] < j {
                                p += 1;
                            }
                            match child_cols.get(p) == Some(&j) {
                                true => row[p],
                                false => wild.source[r],
                            }
                        }));
                    }
                    let w = term.width;
                    let (mut h, mut xhat) = (vec![T::zero(); w * m], vec![T::zero(); w * m]);
                    let blank = Norm {
                        mean: T::zero(),
                        var: T::zero(),
                        inv_std: T::zero(),
                    };
                    let mut norms = vec![blank; w];
                    let mut head = vec![T::zero(); labels * m];
                    let slots = Slots {
                        h: &mut h,
                        xhat: &mut xhat,
                        norms: &mut norms,
                        head: &mut head,
                    };
                    self.forward_inputs(term, &x, m, Mode::Inference, slots);
                    (h, head)
                })
                .collect();
            for (t, (h, head)) in stratum.clone().zip(computed) {
                if t == root {
                    let cols = &columns[t];
                    for (l, values) in head.chunks_exact(cols.len().max(1)).enumerate() {
                        for (&j, &v) in cols.iter().zip(values) {
                            answers[j as usize * labels + l] = v;
                        }
                    }
                }
                states[t] = h;
            }
        }
        answers
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::dcell::{test_support::tiny_ontology, DcellConfig};

    fn model(labels: usize, reduction: AuxReduction) -> Model<f64> {
        let config = DcellConfig {
            init_scale: 0.5,
            seed: 3,
            aux_reduction: reduction,
            ..DcellConfig::default()
        };
        let layout = Arc::new(Layout::new(&tiny_ontology(), &config, labels));
        let params = layout.init_parameters(&config).into_iter().map(f64::from);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // Move γ, β and the biases off their defaults so their gradients are exercised.
        let params = params.map(|p| p + rng.random_range(-0.2..0.2)).collect();
        Model::new(layout, params, config.alpha, reduction)
    }

    #[test]
    fn recomputing_only_changed_subsystems_predicts_what_the_whole_network_does() {
        let mut m = model(2, AuxReduction::Mean);
        let neurons = m.layout().neurons();
        // Running statistics away from 0 and 1, so the wild type's states are not trivial.
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let mean = (0..neurons).map(|_| rng.random_range(-0.3..0.3)).collect();
        let var = (0..neurons).map(|_| rng.random_range(0.5..2.0)).collect();
        m.set_running_stats(mean, var);
        let genes = m.layout().genes;
        let mut genotypes: Vec<Vec<usize>> = vec![vec![], (0..genes).collect()];
        genotypes.extend((0..genes).flat_map(|a| (a + 1..genes).map(move |b| vec![a, b])));
        genotypes.extend((0..genes).map(|g| vec![g]));
        let whole = m.predict(&genotypes);
        let changed = m.predict_changed(&genotypes);
        assert_eq!(whole.len(), changed.len());
        for (i, (a, b)) in whole.iter().zip(&changed).enumerate() {
            assert!((a - b).abs() < 1e-12, "genotype {i}: {a} against {b}");
        }
        // The wild type changes nothing; the answers differ across genotypes.
        assert!(whole.iter().any(|&v| (v - whole[0]).abs() > 1e-6));
    }

    fn batch(genes: usize, labels: usize) -> (Vec<Vec<usize>>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let genotypes: Vec<Vec<usize>> = (0..7)
            .map(|_| (0..genes).filter(|_| rng.random_bool(0.4)).collect())
            .collect();
        let mut y: Vec<f64> = (0..7 * labels)
            .map(|_| rng.random_range(0.0..1.0))
            .collect();
        if labels > 1 {
            y[1] = f64::NAN;
        }
        (genotypes, y)
    }

    /// Every parameter's analytic gradient against central differences, for both
    /// reductions and for one and two labels (with a missing target).
    #[test]
    fn gradient_matches_finite_differences() {
        for (labels, reduction) in [(1, AuxReduction::Mean), (2, AuxReduction::Sum)] {
            let mut model = model(labels, reduction);
            let (genotypes, y) = batch(model.layout.genes, labels);
            let loss_of = |m: &Model<f64>| m.backward(&m.forward(&genotypes, Mode::Training), &y);
            let (_, analytic) = loss_of(&model);
            for (i, &expected) in analytic.iter().enumerate() {
                let h = 1e-6;
                let base = model.params[i];
                model.params[i] = base + h;
                let up = loss_of(&model).0;
                model.params[i] = base - h;
                let down = loss_of(&model).0;
                model.params[i] = base;
                let numeric = (up - down) / (2.0 * h);
                // Central differences are exact to ~1e-10 here (rounding / h).
                let scale = numeric.abs().max(expected.abs());
                assert!(
                    (numeric - expected).abs() < 1e-5 * scale + 1e-9,
                    "parameter {i}: numeric {numeric} vs analytic {expected}"
                );
            }
        }
    }

    #[test]
    fn inference_uses_running_statistics() {
        let mut model = model(1, AuxReduction::Mean);
        let (genotypes, _) = batch(model.layout.genes, 1);
        let act = model.forward(&genotypes, Mode::Training);
        model.update_running_stats(&act);
        let (mean, var) = model.running_stats();
        // After one update: 0.9·initial + 0.1·batch (variance unbiased).
        let n = &act.norms[0];
        assert!((mean[0] - 0.1 * n.mean).abs() < 1e-12);
        assert!((var[0] - (0.9 + 0.1 * n.var * 7.0 / 6.0)).abs() < 1e-12);
        // Inference of one genotype alone equals its column in a batch.
        let alone = model.predict(&genotypes[2..3]);
        let all = model.predict(&genotypes);
        assert!((alone[0] - all[2]).abs() < 1e-12);
    }
}
