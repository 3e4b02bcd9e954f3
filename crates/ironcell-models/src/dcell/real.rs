//! The element types the CPU kernel runs in: f32 for training, f64 for the parity tests.

use std::fmt::Debug;

use num_traits::{Float, FromPrimitive};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// f32 or f64 (sealed: `gemm` supports no other real type).
pub trait Real: Float + FromPrimitive + Debug + Send + Sync + 'static + sealed::Sealed {
    /// Converts from f64 (rounding for f32).
    fn of(x: f64) -> Self {
        Self::from_f64(x).unwrap_or_else(Self::nan)
    }
}

impl Real for f32 {}
impl Real for f64 {}
