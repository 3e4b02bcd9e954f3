//! What the learner does to a step's gradients between the backward pass and the optimiser:
//! average them across ranks and clip their norm; and the parameters' values, which the ranks
//! compare at the end. burn keeps gradients per parameter, so each is a visit of the
//! network's parameters in their fixed order.

use burn::{
    module::{Module, ModuleVisitor, Param},
    optim::GradientsParams,
    tensor::{
        backend::{AutodiffBackend, Backend},
        ElementConversion, Tensor, TensorData,
    },
};

use crate::trainer::world::{self, Collective};

/// Scales `grads` down to L2 norm `max` when it is longer.
pub(super) fn clip<B: AutodiffBackend, M: Module<B>>(
    net: &M,
    grads: &mut GradientsParams,
    max: f64,
) {
    let mut norm = SquaredNorm::<B> {
        grads,
        total: 0.0,
        _backend: std::marker::PhantomData,
    };
    net.visit(&mut norm);
    let norm = norm.total.sqrt();
    if norm > max {
        net.visit(&mut Scale::<B> {
            grads,
            by: max / norm,
            _backend: std::marker::PhantomData,
        });
    }
}

/// The gradient of the global batch's mean loss from this rank's (its shard weighing
/// `weight` rows), as [`world::average_gradient`] computes it over every parameter at once.
/// A parameter no rank has a gradient for (a label head no shard had values of) stays
/// without one, as in a single process; one that only some ranks have gets the others'
/// zeros.
pub(super) fn average<B: AutodiffBackend, M: Module<B>>(
    net: &M,
    grads: GradientsParams,
    world: &dyn Collective,
    weight: f64,
) -> GradientsParams {
    let mut flat = Flatten::<B> {
        grads: &grads,
        values: Vec::new(),
        present: Vec::new(),
        _backend: std::marker::PhantomData,
    };
    net.visit(&mut flat);
    let (mut values, present) = (flat.values, flat.present);
    let n = values.len();
    values.extend(present);
    world::average_gradient(world, &mut values, weight);
    let (values, present) = values.split_at(n);
    let mut out = Unflatten::<B> {
        grads,
        values,
        present,
        _backend: std::marker::PhantomData,
    };
    net.visit(&mut out);
    out.grads
}

/// Every parameter's values, end to end in the network's order.
pub(super) fn values<B: AutodiffBackend, M: Module<B>>(net: &M) -> Vec<f32> {
    let mut values = Values::<B> {
        values: Vec::new(),
        _backend: std::marker::PhantomData,
    };
    net.visit(&mut values);
    values.values
}

struct Values<B: AutodiffBackend> {
    values: Vec<f32>,
    _backend: std::marker::PhantomData<B>,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for Values<B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        self.values.extend(param.val().into_data().iter::<f32>());
    }
}

/// Sums the squared gradients of a module's parameters.
struct SquaredNorm<'a, B: AutodiffBackend> {
    grads: &'a GradientsParams,
    total: f64,
    _backend: std::marker::PhantomData<B>,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for SquaredNorm<'_, B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        if let Some(g) = self.grads.get::<B::InnerBackend, D>(param.id) {
            let s: f64 = g.powi_scalar(2).sum().into_scalar().elem();
            self.total += s;
        }
    }
}

/// Scales every gradient of a module's parameters.
struct Scale<'a, B: AutodiffBackend> {
    grads: &'a mut GradientsParams,
    by: f64,
    _backend: std::marker::PhantomData<B>,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for Scale<'_, B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        if let Some(g) = self.grads.remove::<B::InnerBackend, D>(param.id) {
            self.grads
                .register::<B::InnerBackend, D>(param.id, g * self.by);
        }
    }
}

/// Every parameter's gradient (zeros where it has none) end to end, and per parameter 1 or 0
/// for whether it had one.
struct Flatten<'a, B: AutodiffBackend> {
    grads: &'a GradientsParams,
    values: Vec<f32>,
    present: Vec<f32>,
    _backend: std::marker::PhantomData<B>,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for Flatten<'_, B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        match self.grads.get::<B::InnerBackend, D>(param.id) {
            Some(g) => {
                self.values.extend(g.into_data().iter::<f32>());
                self.present.push(1.0);
            }
            None => {
                let n: usize = param.val().dims().iter().product();
                self.values.extend(std::iter::repeat_n(0.0, n));
                self.present.push(0.0);
            }
        }
    }
}

/// Reads [`Flatten`]'s layout back into gradients.
struct Unflatten<'a, B: AutodiffBackend> {
    grads: GradientsParams,
    values: &'a [f32],
    present: &'a [f32],
    _backend: std::marker::PhantomData<B>,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for Unflatten<'_, B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        let value = param.val();
        let dims = value.dims();
        let n: usize = dims.iter().product();
        let (mine, rest) = self.values.split_at(n);
        self.values = rest;
        let (present, rest) = self.present.split_at(1);
        self.present = rest;
        self.grads.remove::<B::InnerBackend, D>(param.id);
        if present[0] > 0.0 {
            let device = <B::InnerBackend as Backend>::Device::clone(&value.inner().device());
            let g = Tensor::<B::InnerBackend, D>::from_data(
                TensorData::new(mine.to_vec(), dims),
                &device,
            );
            self.grads.register::<B::InnerBackend, D>(param.id, g);
        }
    }
}
