//! The ranks a run trains on, and the one thing data-parallel training asks of them: an
//! element-wise sum across every rank (all-reduce). The engine is an existing one — MPI
//! (Open MPI, what SLURM clusters run) through rsmpi behind the `mpi` feature — never
//! sockets of our own; one process with no launcher is a world of one, [`Alone`], whose sums
//! cost nothing, so single-process training is bit for bit what it was before ranks existed.
//!
//! Which rank a process is comes from its launcher: `mpirun`/`mpiexec` (Open MPI's
//! `OMPI_COMM_WORLD_*`, MPICH's `PMI_*`), `srun` (`SLURM_PROCID`/`SLURM_NTASKS`) or a
//! torchrun-style `RANK`/`WORLD_SIZE`. Whatever declared it, the processes are joined by
//! MPI's own start-up, which is why a world of more than one needs an MPI launcher (`srun`
//! with PMIx is one): `RANK`/`WORLD_SIZE` alone name a rank but connect nothing, and are
//! checked against what MPI sees.

#[cfg(feature = "mpi")]
mod mpi_world;

/// A world of ranks that can sum buffers across itself. Every rank calls each operation in
/// the same order with buffers of the same length; every rank gets the same result.
pub trait Collective {
    /// This process's rank, 0-based.
    fn rank(&self) -> usize;

    /// How many ranks.
    fn size(&self) -> usize;

    /// Replaces `values` by their element-wise sum over every rank.
    fn sum_f32(&self, values: &mut [f32]);

    /// Replaces `values` by their element-wise sum over every rank.
    fn sum_f64(&self, values: &mut [f64]);

    /// Whether this rank writes the run's files (rank 0).
    fn is_root(&self) -> bool {
        self.rank() == 0
    }

    /// Ends every rank of the job with `code` (a rank that fails alone would leave the others
    /// waiting in their next sum).
    fn abort(&self, code: i32) -> ! {
        std::process::exit(code)
    }
}

/// One process: rank 0 of 1.
#[derive(Debug, Clone, Copy, Default)]
pub struct Alone;

impl Collective for Alone {
    fn rank(&self) -> usize {
        0
    }

    fn size(&self) -> usize {
        1
    }

    fn sum_f32(&self, _: &mut [f32]) {}

    fn sum_f64(&self, _: &mut [f64]) {}
}

/// A world that keeps the wall time spent in its sums (the all-reduce's share of a step,
/// waiting for the slowest rank included) and the bytes summed, for `bench parallel`.
pub struct Timed<'a> {
    inner: &'a dyn Collective,
    seconds: std::cell::Cell<f64>,
    bytes: std::cell::Cell<usize>,
}

impl<'a> Timed<'a> {
    /// `inner`, timed from zero.
    pub fn new(inner: &'a dyn Collective) -> Self {
        Self {
            inner,
            seconds: std::cell::Cell::new(0.0),
            bytes: std::cell::Cell::new(0),
        }
    }

    /// Seconds spent in sums and bytes summed (per rank) since the last call, which starts
    /// the counts again.
    pub fn take(&self) -> (f64, usize) {
        (self.seconds.replace(0.0), self.bytes.replace(0))
    }

    fn timed<T>(&self, bytes: usize, sum: impl FnOnce() -> T) -> T {
        self.bytes.set(self.bytes.get() + bytes);
        let start = std::time::Instant::now();
        let out = sum();
        self.seconds
            .set(self.seconds.get() + start.elapsed().as_secs_f64());
        out
    }
}

impl Collective for Timed<'_> {
    fn rank(&self) -> usize {
        self.inner.rank()
    }

    fn size(&self) -> usize {
        self.inner.size()
    }

    fn sum_f32(&self, values: &mut [f32]) {
        self.timed(std::mem::size_of_val(values), || self.inner.sum_f32(values));
    }

    fn sum_f64(&self, values: &mut [f64]) {
        self.timed(std::mem::size_of_val(values), || self.inner.sum_f64(values));
    }

    fn abort(&self, code: i32) -> ! {
        self.inner.abort(code)
    }
}

/// Turns each rank's gradient of its shard's mean loss (over `weight` values: rows, or
/// observed labels) into the gradient of the mean loss over the whole global batch,
/// `Σ wᵣ gᵣ / Σ wᵣ`, on every rank. A rank whose shard holds nothing passes weight 0. A world
/// of one is left untouched (no rounding through the weight).
pub fn average_gradient(world: &dyn Collective, gradient: &mut [f32], weight: f64) {
    if world.size() == 1 {
        return;
    }
    let w = weight as f32;
    let mut buffer: Vec<f32> = gradient.iter().map(|g| g * w).collect();
    buffer.push(w);
    world.sum_f32(&mut buffer);
    let total = buffer.pop().unwrap_or(0.0);
    let scale = if total > 0.0 { total.recip() } else { 0.0 };
    for (g, s) in gradient.iter_mut().zip(buffer) {
        *g = s * scale;
    }
}

/// Whether every rank holds the same `state`, bit for bit: its SHA-256 as 16-bit pieces, whose
/// sums and sums of squares over the world (exact in f64) agree with one value only when
/// every rank's pieces are equal. A world of one agrees with itself.
pub fn agree(world: &dyn Collective, state: &[u8]) -> bool {
    if world.size() == 1 {
        return true;
    }
    let pieces = digest_pieces(state);
    let mut sums: Vec<f64> = pieces.iter().chain(&pieces).copied().collect();
    sums[pieces.len()..].iter_mut().for_each(|v| *v *= *v);
    world.sum_f64(&mut sums);
    let n = world.size() as f64;
    let (sum, squares) = sums.split_at(pieces.len());
    // Σv² = (Σv)²/n exactly when every v is the same; here, each the local one.
    sum.iter()
        .zip(squares)
        .zip(&pieces)
        .all(|((s, q), v)| *s == n * v && *q == n * v * v)
}

/// The SHA-256 of `state` as sixteen 16-bit pieces, each exact in an f64 (and its square).
fn digest_pieces(state: &[u8]) -> Vec<f64> {
    use sha2::{Digest, Sha256};
    Sha256::digest(state)
        .chunks(2)
        .map(|p| f64::from(u16::from_le_bytes([p[0], p[1]])))
        .collect()
}

/// Replaces `values` by their mean over the world (batch-norm running statistics).
pub fn average(world: &dyn Collective, values: &mut [f32]) {
    if world.size() == 1 {
        return;
    }
    world.sum_f32(values);
    let n = world.size() as f32;
    values.iter_mut().for_each(|v| *v /= n);
}

/// Each rank's share of this machine's cores when the launcher started several ranks on it
/// (Open MPI, MPICH and SLURM say how many); `None` for the only rank of a machine, which
/// keeps every core.
pub fn threads_per_rank() -> Option<usize> {
    let ranks = [
        "OMPI_COMM_WORLD_LOCAL_SIZE",
        "MPI_LOCALNRANKS",
        "SLURM_NTASKS_PER_NODE",
    ]
    .iter()
    .find_map(|v| std::env::var(v).ok()?.trim().parse().ok())
    .filter(|&n: &usize| n > 1)?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Some((cores / ranks).max(1))
}

/// Why a process cannot join its world.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// A launcher's variable does not hold a rank or a size.
    #[error("{variable}={value:?}: expected a whole number")]
    Variable {
        /// The environment variable.
        variable: &'static str,
        /// What it holds.
        value: String,
    },
    /// The declared rank is not below the declared size.
    #[error("{rank_variable}={rank} is not below {size_variable}={size}")]
    Rank {
        /// The variable naming the rank.
        rank_variable: &'static str,
        /// The rank.
        rank: usize,
        /// The variable naming the size.
        size_variable: &'static str,
        /// The size.
        size: usize,
    },
    /// A world of several ranks in a build without MPI.
    #[error(
        "launched as rank {rank} of {size} ({size_variable}), but this ironcell was built \
         without MPI: build it with `--features mpi` (needs an MPI library such as Debian's \
         libopenmpi-dev) or run one process"
    )]
    NoMpi {
        /// The rank.
        rank: usize,
        /// The size.
        size: usize,
        /// The variable naming the size.
        size_variable: &'static str,
    },
    /// MPI started, but its world is not the one the launcher declared.
    #[error(
        "{size_variable} declares {declared} ranks but MPI joined {joined}: start the ranks \
         with an MPI launcher (`mpirun -np N`, or `srun` with PMIx); RANK/WORLD_SIZE name a \
         rank but do not connect processes"
    )]
    Mismatch {
        /// The variable naming the size.
        size_variable: &'static str,
        /// What it declares.
        declared: usize,
        /// What MPI sees.
        joined: usize,
    },
    /// MPI could not be started.
    #[error("MPI could not be initialised (was it initialised already?)")]
    Init,
}

/// The launchers' variables, in the order they are believed: an MPI launcher's own first,
/// then SLURM's, then torchrun's.
const DECLARATIONS: [(&str, &str); 4] = [
    ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),
    ("PMI_RANK", "PMI_SIZE"),
    ("SLURM_PROCID", "SLURM_NTASKS"),
    ("RANK", "WORLD_SIZE"),
];

/// The rank and size a launcher declared in `env`, with the size's variable; `None` when no
/// launcher did.
fn declared(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(usize, usize, &'static str)>, LaunchError> {
    let number = |variable: &'static str, value: String| {
        value
            .trim()
            .parse::<usize>()
            .map_err(|_| LaunchError::Variable { variable, value })
    };
    for (rank_variable, size_variable) in DECLARATIONS {
        let (Some(rank), Some(size)) = (env(rank_variable), env(size_variable)) else {
            continue;
        };
        let (rank, size) = (number(rank_variable, rank)?, number(size_variable, size)?);
        if rank >= size {
            return Err(LaunchError::Rank {
                rank_variable,
                rank,
                size_variable,
                size,
            });
        }
        return Ok(Some((rank, size, size_variable)));
    }
    Ok(None)
}

/// This process's world, as its launcher started it (see the module's documentation): a world
/// of one without a launcher or with one rank, MPI's world otherwise. Call once, from the main
/// thread, and keep it for the life of the process (MPI finalises when it is dropped).
pub fn launch() -> Result<Box<dyn Collective>, LaunchError> {
    launch_from(&|name| std::env::var(name).ok())
}

fn launch_from(env: &dyn Fn(&str) -> Option<String>) -> Result<Box<dyn Collective>, LaunchError> {
    match declared(env)? {
        None | Some((_, 1, _)) => Ok(Box::new(Alone)),
        Some((rank, size, size_variable)) => join(rank, size, size_variable),
    }
}

#[cfg(feature = "mpi")]
fn join(
    _rank: usize,
    size: usize,
    size_variable: &'static str,
) -> Result<Box<dyn Collective>, LaunchError> {
    let world = mpi_world::Mpi::init().ok_or(LaunchError::Init)?;
    if world.size() != size {
        return Err(LaunchError::Mismatch {
            size_variable,
            declared: size,
            joined: world.size(),
        });
    }
    Ok(Box::new(world))
}

#[cfg(not(feature = "mpi"))]
fn join(
    rank: usize,
    size: usize,
    size_variable: &'static str,
) -> Result<Box<dyn Collective>, LaunchError> {
    Err(LaunchError::NoMpi {
        rank,
        size,
        size_variable,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn launchers_declare_ranks_in_order_of_trust() {
        assert!(declared(&env(&[])).unwrap().is_none());
        assert_eq!(
            declared(&env(&[("RANK", "1"), ("WORLD_SIZE", "4")])).unwrap(),
            Some((1, 4, "WORLD_SIZE"))
        );
        // Under srun an MPI launcher's own variables win over SLURM's job-wide ones.
        let both = env(&[
            ("SLURM_PROCID", "3"),
            ("SLURM_NTASKS", "8"),
            ("OMPI_COMM_WORLD_RANK", "0"),
            ("OMPI_COMM_WORLD_SIZE", "2"),
        ]);
        assert_eq!(
            declared(&both).unwrap(),
            Some((0, 2, "OMPI_COMM_WORLD_SIZE"))
        );
        let err = declared(&env(&[("RANK", "x"), ("WORLD_SIZE", "2")])).unwrap_err();
        assert!(err.to_string().contains("RANK=\"x\""), "{err}");
        let err = declared(&env(&[("SLURM_PROCID", "2"), ("SLURM_NTASKS", "2")])).unwrap_err();
        assert!(err.to_string().contains("not below"), "{err}");
    }

    #[test]
    fn one_rank_is_alone_and_several_need_mpi() {
        let world = launch_from(&env(&[("RANK", "0"), ("WORLD_SIZE", "1")])).unwrap();
        assert_eq!((world.rank(), world.size()), (0, 1));
        #[cfg(not(feature = "mpi"))]
        {
            let err = launch_from(&env(&[("SLURM_PROCID", "1"), ("SLURM_NTASKS", "2")]))
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains("--features mpi"), "{err}");
        }
    }

    /// Two ranks simulated by hand: what each would pass, summed as an all-reduce would.
    struct Pair(Vec<f32>);

    impl Collective for Pair {
        fn rank(&self) -> usize {
            0
        }
        fn size(&self) -> usize {
            2
        }
        fn sum_f32(&self, values: &mut [f32]) {
            values.iter_mut().zip(&self.0).for_each(|(v, o)| *v += o);
        }
        fn sum_f64(&self, _: &mut [f64]) {}
    }

    /// Two ranks, the other holding `other` in every sum (for [`agree`]'s f64 sums).
    struct Twin(Vec<u8>);

    impl Collective for Twin {
        fn rank(&self) -> usize {
            0
        }
        fn size(&self) -> usize {
            2
        }
        fn sum_f32(&self, _: &mut [f32]) {}
        fn sum_f64(&self, values: &mut [f64]) {
            let pieces = digest_pieces(&self.0);
            let (sum, squares) = values.split_at_mut(pieces.len());
            for ((s, q), v) in sum.iter_mut().zip(squares).zip(&pieces) {
                *s += v;
                *q += v * v;
            }
        }
    }

    #[test]
    fn ranks_agree_only_on_the_same_state() {
        assert!(agree(&Twin(b"weights".to_vec()), b"weights"));
        assert!(!agree(&Twin(b"weights".to_vec()), b"weighty"));
        assert!(agree(&Alone, b"anything"));
    }

    #[test]
    fn averaged_gradients_weigh_each_shard_by_its_rows() {
        // Rank 0 saw 3 rows with mean gradient [1, 2]; rank 1 saw 1 row with [5, -2]:
        // the global batch's mean gradient is (3·[1, 2] + [5, −2]) / 4 = [2, 1].
        let other = Pair(vec![5.0, -2.0, 1.0]);
        let mut g = vec![1.0, 2.0];
        average_gradient(&other, &mut g, 3.0);
        assert_eq!(g, [2.0, 1.0]);
        // Nothing anywhere: zero, not NaN.
        let mut g = vec![1.0];
        average_gradient(&Pair(vec![0.0, 0.0]), &mut g, 0.0);
        assert_eq!(g, [0.0]);
        // A world of one is untouched.
        let mut g = vec![0.1f32];
        average_gradient(&Alone, &mut g, 3.0);
        assert_eq!(g, [0.1]);
    }
}
