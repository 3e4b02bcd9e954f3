//! MPI's world communicator as a [`Collective`].

use ::mpi::{
    collective::{CommunicatorCollectives, SystemOperation},
    environment::Universe,
    topology::{Communicator, SimpleCommunicator},
    Threading,
};

use super::Collective;

/// The world communicator; MPI is finalised when it is dropped.
pub(super) struct Mpi {
    /// Kept for its `Drop`, which finalises MPI.
    _universe: Universe,
    world: SimpleCommunicator,
}

impl Mpi {
    /// Initialises MPI. Only the main thread calls MPI (the kernels' worker threads never
    /// do), so `Funneled` is all it asks for. `None` when MPI was initialised already.
    pub(super) fn init() -> Option<Self> {
        let (universe, _) = ::mpi::initialize_with_threading(Threading::Funneled)?;
        let world = universe.world();
        Some(Self {
            _universe: universe,
            world,
        })
    }
}

impl Collective for Mpi {
    fn rank(&self) -> usize {
        // MPI ranks are never negative.
        self.world.rank() as usize
    }

    fn size(&self) -> usize {
        self.world.size() as usize
    }

    fn sum_f32(&self, values: &mut [f32]) {
        let send = values.to_vec();
        self.world
            .all_reduce_into(&send[..], values, SystemOperation::sum());
    }

    fn abort(&self, code: i32) -> ! {
        self.world.abort(code)
    }

    fn sum_f64(&self, values: &mut [f64]) {
        let send = values.to_vec();
        self.world
            .all_reduce_into(&send[..], values, SystemOperation::sum());
    }
}
