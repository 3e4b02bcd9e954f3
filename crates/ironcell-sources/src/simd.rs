//! Vector instructions beyond the x86-64 baseline, used only where the CPU has them.
//!
//! [`Ssse3`] is a token: one exists only once the CPU was found to have SSSE3, so code
//! that holds one may use its instructions. A caller passes it into a function compiled
//! with `#[target_feature(enable = "ssse3")]` whose body is `#[inline(always)]` code, so
//! that the vector code inlined there becomes single instructions (the pattern of
//! `memchr`'s vector searchers).

/// Proof that the CPU has SSSE3 (shuffles of bytes and their multiply-adds).
#[derive(Clone, Copy)]
pub(crate) struct Ssse3(());

impl Ssse3 {
    /// The token, when the CPU has SSSE3 (every x86-64 CPU since about 2011 does).
    pub(crate) fn detect() -> Option<Self> {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("ssse3").then_some(Self(()))
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            None
        }
    }
}
