//! The columnar instance store: training instances in one Arrow IPC file, read back
//! memory-mapped, and a seeded, shuffled, rank-sharded mini-batch iterator over it.
//!
//! Layout (`instances.arrow`, readable by pyarrow and polars): `genes: list<uint32>` (indices
//! into the dataset's gene universe), `dataset: uint16`, `environment: uint16`, then for each
//! label `L` three `float32` columns `L`, `L_std`, `L_p_value` (NaN where missing). Written in
//! record batches of [`ROWS_PER_BATCH`] so building 2e7 instances needs bounded memory; read
//! without copying: the file is mapped and every column is a view into the map.

use std::{
    collections::VecDeque,
    fs::File,
    io::{BufWriter, Write},
    path::{Path, PathBuf},
    sync::Arc,
};

use arrow_array::{
    builder::{Float32Builder, ListBuilder, UInt16Builder, UInt32Builder},
    Array, ArrayRef, Float32Array, ListArray, RecordBatch, UInt16Array, UInt32Array,
};
use arrow_buffer::{Buffer, ScalarBuffer};
use arrow_ipc::{
    reader::{read_footer_length, FileDecoder},
    root_as_footer,
    writer::FileWriter,
};
use arrow_schema::{DataType, Field, Schema};
use ironcell_core::SystematicName;
use rand::{seq::SliceRandom, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::Error;

/// Rows per record batch.
pub const ROWS_PER_BATCH: usize = 1 << 20;

/// One label's value with its spread and significance (NaN where the source has none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelValue {
    /// The label.
    pub value: f32,
    /// Its standard deviation.
    pub std: f32,
    /// Its p-value.
    pub p_value: f32,
}

impl LabelValue {
    /// No measurement.
    pub const MISSING: Self = Self {
        value: f32::NAN,
        std: f32::NAN,
        p_value: f32::NAN,
    };
}

fn schema(labels: &[String]) -> Schema {
    let mut fields = vec![
        Field::new(
            "genes",
            DataType::List(Arc::new(Field::new("item", DataType::UInt32, true))),
            false,
        ),
        Field::new("dataset", DataType::UInt16, false),
        Field::new("environment", DataType::UInt16, false),
    ];
    for l in labels {
        for suffix in ["", "_std", "_p_value"] {
            fields.push(Field::new(format!("{l}{suffix}"), DataType::Float32, false));
        }
    }
    Schema::new(fields)
}

/// Streams instances into an Arrow IPC file.
pub struct InstanceWriter {
    writer: FileWriter<BufWriter<File>>,
    schema: Arc<Schema>,
    path: PathBuf,
    genes: ListBuilder<UInt32Builder>,
    dataset: UInt16Builder,
    environment: UInt16Builder,
    labels: Vec<[Float32Builder; 3]>,
    pending: usize,
    rows: u64,
}

impl InstanceWriter {
    /// Creates the file with one column group per label.
    pub fn create(path: &Path, labels: &[String]) -> Result<Self, Error> {
        let schema = Arc::new(schema(labels));
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let writer = FileWriter::try_new(BufWriter::with_capacity(1 << 20, file), &schema)
            .map_err(|e| Error::arrow(path, e))?;
        Ok(Self {
            writer,
            schema,
            path: path.to_owned(),
            genes: ListBuilder::new(UInt32Builder::new()),
            dataset: UInt16Builder::new(),
            environment: UInt16Builder::new(),
            labels: labels
                .iter()
                .map(|_| std::array::from_fn(|_| Float32Builder::new()))
                .collect(),
            pending: 0,
            rows: 0,
        })
    }

    /// Appends one instance; `labels` has one entry per label, in the writer's order.
    pub fn push(
        &mut self,
        genes: &[u32],
        dataset: u16,
        environment: u16,
        labels: &[LabelValue],
    ) -> Result<(), Error> {
        assert_eq!(labels.len(), self.labels.len(), "one value per label");
        self.genes.values().append_slice(genes);
        self.genes.append(true);
        self.dataset.append_value(dataset);
        self.environment.append_value(environment);
        for (builders, v) in self.labels.iter_mut().zip(labels) {
            builders[0].append_value(v.value);
            builders[1].append_value(v.std);
            builders[2].append_value(v.p_value);
        }
        self.pending += 1;
        if self.pending == ROWS_PER_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.pending == 0 {
            return Ok(());
        }
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.genes.finish()),
            Arc::new(self.dataset.finish()),
            Arc::new(self.environment.finish()),
        ];
        for builders in &mut self.labels {
            for b in builders {
                columns.push(Arc::new(b.finish()));
            }
        }
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), columns)
            .map_err(|e| Error::arrow(&self.path, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| Error::arrow(&self.path, e))?;
        self.rows += self.pending as u64;
        self.pending = 0;
        Ok(())
    }

    /// Writes what is buffered and the file footer; returns the number of instances.
    pub fn finish(mut self) -> Result<u64, Error> {
        self.flush()?;
        self.writer
            .finish()
            .map_err(|e| Error::arrow(&self.path, e))?;
        self.writer
            .get_mut()
            .flush()
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(self.rows)
    }
}

/// One record batch's columns, as views into the mapped file.
struct Part {
    start: usize,
    offsets: ScalarBuffer<i32>,
    genes: ScalarBuffer<u32>,
    dataset: ScalarBuffer<u16>,
    environment: ScalarBuffer<u16>,
    /// Per label: value, std, p-value.
    labels: Vec<[ScalarBuffer<f32>; 3]>,
}

/// Instances read from an Arrow IPC file, memory-mapped.
///
/// ```
/// use ironcell_data::instances::{InstanceWriter, Instances, LabelValue};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("instances.arrow");
/// let mut w = InstanceWriter::create(&path, &["fitness".to_owned()])?;
/// let f = LabelValue { value: 0.8, std: 0.05, p_value: f32::NAN };
/// w.push(&[3, 17], 0, 0, &[f])?;
/// w.push(&[5], 0, 1, &[f])?;
/// assert_eq!(w.finish()?, 2);
///
/// let data = Instances::open(&path)?;
/// assert_eq!(data.genes(0), &[3, 17]);
/// assert_eq!(data.label(0, 1).value, 0.8);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Instances {
    parts: Vec<Part>,
    labels: Vec<String>,
    len: usize,
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str, path: &Path) -> Result<&'a T, Error> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| {
            Error::format(
                path,
                format!("column {name:?} missing or of the wrong type"),
            )
        })
}

/// The record batches of the Arrow IPC file `path`, decoded from a memory map without
/// copying, every block checked to lie inside the file first: `FileReader` allocates what a
/// block's metadata declares, so a crafted length aborts the process (an allocation of
/// 700 GB, found by `tests/hostile_datasets.rs`) before any check could refuse it.
pub(crate) fn mapped_batches(path: &Path) -> Result<(Schema, Vec<RecordBatch>), Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // SAFETY: the map is read-only; like every reader of a memory-mapped file, this
    // assumes nobody truncates or rewrites the file while it is open.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    let buffer = Buffer::from(bytes::Bytes::from_owner(map));
    if buffer.len() < 10 {
        return Err(Error::format(path, "too short for an Arrow IPC file"));
    }
    let trailer = buffer.len() - 10;
    let footer_len = read_footer_length(
        buffer[trailer..]
            .try_into()
            .map_err(|_| Error::format(path, "bad Arrow IPC trailer"))?,
    )
    .map_err(|e| Error::arrow(path, e))?;
    let footer_start = trailer
        .checked_sub(footer_len)
        .ok_or_else(|| Error::format(path, "an Arrow IPC footer longer than the file"))?;
    let footer = root_as_footer(&buffer[footer_start..trailer])
        .map_err(|e| Error::format(path, format!("bad Arrow IPC footer: {e}")))?;
    let schema = arrow_ipc::convert::fb_to_schema(
        footer
            .schema()
            .ok_or_else(|| Error::format(path, "Arrow IPC footer without a schema"))?,
    );
    let decoder = FileDecoder::new(Arc::new(schema.clone()), footer.version());
    let mut batches = Vec::new();
    for block in footer.recordBatches().into_iter().flatten() {
        let span = usize::try_from(block.offset()).ok().and_then(|offset| {
            let len = usize::try_from(block.bodyLength())
                .ok()?
                .checked_add(usize::try_from(block.metaDataLength()).ok()?)?;
            (offset.checked_add(len)? <= footer_start).then_some((offset, len))
        });
        let (offset, len) = span.ok_or_else(|| {
            Error::format(path, "an Arrow IPC record batch that lies outside the file")
        })?;
        let data = buffer.slice_with_length(offset, len);
        batches.push(
            decoder
                .read_record_batch(block, &data)
                .map_err(|e| Error::arrow(path, e))?
                .ok_or_else(|| Error::format(path, "empty record batch block"))?,
        );
    }
    Ok((schema, batches))
}

/// Runs a decode of the Arrow IPC file `path`, a panic inside it becoming an error.
///
/// arrow-ipc 57 slices buffers at offsets and lengths read from the file without checking
/// them against its size, so a malformed file (found by `tests/hostile_datasets.rs`) panics
/// inside the reader rather than returning an error; a dataset file must be refused, not
/// take the program down.
pub(crate) fn decoding<T>(
    path: &Path,
    decode: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode)).unwrap_or_else(|_| {
        Err(Error::format(
            path,
            "not a well-formed Arrow IPC file (its buffers point outside it): rebuild the dataset",
        ))
    })
}

impl Instances {
    /// Maps `path` and decodes its record batches without copying them.
    pub fn open(path: &Path) -> Result<Self, Error> {
        decoding(path, || Self::decode(path))
    }

    fn decode(path: &Path) -> Result<Self, Error> {
        let (schema, batches) = mapped_batches(path)?;
        let labels: Vec<String> = schema
            .fields()
            .iter()
            .skip(3)
            .step_by(3)
            .map(|f| f.name().clone())
            .collect();
        let mut parts = Vec::new();
        let mut len = 0;
        for batch in batches {
            let genes = column::<ListArray>(&batch, "genes", path)?;
            let values = genes
                .values()
                .as_any()
                .downcast_ref::<UInt32Array>()
                .ok_or_else(|| Error::format(path, "genes are not uint32"))?;
            let f32s = |name: &str| -> Result<ScalarBuffer<f32>, Error> {
                Ok(column::<Float32Array>(&batch, name, path)?.values().clone())
            };
            let mut label_columns = Vec::with_capacity(labels.len());
            for l in &labels {
                label_columns.push([
                    f32s(l)?,
                    f32s(&format!("{l}_std"))?,
                    f32s(&format!("{l}_p_value"))?,
                ]);
            }
            parts.push(Part {
                start: len,
                offsets: genes.offsets().inner().clone(),
                genes: values.values().clone(),
                dataset: column::<UInt16Array>(&batch, "dataset", path)?
                    .values()
                    .clone(),
                environment: column::<UInt16Array>(&batch, "environment", path)?
                    .values()
                    .clone(),
                labels: label_columns,
            });
            len += batch.num_rows();
        }
        Ok(Self { parts, labels, len })
    }

    /// Number of instances.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The label names, in column order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    fn locate(&self, i: usize) -> (&Part, usize) {
        let p = self.parts.partition_point(|p| p.start <= i) - 1;
        let part = &self.parts[p];
        (part, i - part.start)
    }

    /// The gene indices of instance `i`.
    pub fn genes(&self, i: usize) -> &[u32] {
        let (p, j) = self.locate(i);
        &p.genes[p.offsets[j] as usize..p.offsets[j + 1] as usize]
    }

    /// Label `l` of instance `i`.
    pub fn label(&self, l: usize, i: usize) -> LabelValue {
        let (p, j) = self.locate(i);
        let [v, s, pv] = &p.labels[l];
        LabelValue {
            value: v[j],
            std: s[j],
            p_value: pv[j],
        }
    }

    /// The dataset and environment ids of instance `i`.
    pub fn source(&self, i: usize) -> (u16, u16) {
        let (p, j) = self.locate(i);
        (p.dataset[j], p.environment[j])
    }

    /// Mini-batches over `indices` (e.g. a split's training part) for one epoch.
    pub fn batches<'a>(&'a self, indices: &'a [u32], plan: BatchPlan) -> Batches<'a> {
        let mut order = indices.to_vec();
        if plan.shuffle {
            let seed = plan.seed ^ (plan.epoch as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        }
        Batches {
            data: self,
            order,
            next: 0,
            size: plan.batch_size.max(1),
            rank: plan.rank,
            world: plan.world.max(1),
            ready: VecDeque::new(),
        }
    }
}

/// How an epoch is cut into mini-batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPlan {
    /// Instances per batch (the last one may be smaller).
    pub batch_size: usize,
    /// Shuffle the order.
    pub shuffle: bool,
    /// Base seed; each epoch reshuffles with its own stream.
    pub seed: u64,
    /// The epoch number.
    pub epoch: usize,
    /// This process's rank: of each global batch (`batch_size` instances of the epoch's one
    /// order, the same on every rank) rank `r` takes every `world`-th instance from the
    /// `r`-th on, so the ranks' shards together are the batch a single process would train on,
    /// and every rank has as many batches (the last ones possibly empty).
    pub rank: usize,
    /// The number of ranks.
    pub world: usize,
}

impl Default for BatchPlan {
    fn default() -> Self {
        Self {
            batch_size: 256,
            shuffle: true,
            seed: 0,
            epoch: 0,
            rank: 0,
            world: 1,
        }
    }
}

/// One mini-batch, gathered: genes as a ragged array, labels row-major.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MiniBatch {
    /// The instances' indices.
    pub indices: Vec<u32>,
    /// `genes[offsets[k]..offsets[k + 1]]` are instance `k`'s genes.
    pub offsets: Vec<u32>,
    /// Gene indices.
    pub genes: Vec<u32>,
    /// Label values, `[instance][label]`.
    pub labels: Vec<f32>,
    /// Each instance's environment (an index into the dataset's environments).
    pub environments: Vec<u16>,
}

impl MiniBatch {
    /// Each instance's genes, in batch order.
    pub fn genotypes(&self) -> impl Iterator<Item = &[u32]> + '_ {
        self.offsets
            .windows(2)
            .map(|w| &self.genes[w[0] as usize..w[1] as usize])
    }
}

/// The iterator [`Instances::batches`] returns.
pub struct Batches<'a> {
    data: &'a Instances,
    order: Vec<u32>,
    next: usize,
    size: usize,
    rank: usize,
    world: usize,
    ready: VecDeque<MiniBatch>,
}

/// Batches gathered at once, in parallel.
const AHEAD: usize = 64;

impl Instances {
    fn gather(&self, indices: &[u32]) -> MiniBatch {
        let n_labels = self.labels.len();
        let mut batch = MiniBatch {
            offsets: Vec::with_capacity(indices.len() + 1),
            genes: Vec::with_capacity(indices.len() * 3),
            labels: Vec::with_capacity(indices.len() * n_labels),
            environments: Vec::with_capacity(indices.len()),
            indices: indices.to_vec(),
        };
        // Two passes, so the loads of different instances overlap: first every instance's
        // gene range and labels (independent loads), then the genes themselves.
        let mut ranges = Vec::with_capacity(indices.len());
        for &i in indices {
            let (p, j) = self.locate(i as usize);
            ranges.push((p, p.offsets[j] as usize, p.offsets[j + 1] as usize));
            batch.labels.extend(p.labels.iter().map(|l| l[0][j]));
            batch.environments.push(p.environment[j]);
        }
        batch.offsets.push(0);
        for (p, start, end) in ranges {
            batch.genes.extend_from_slice(&p.genes[start..end]);
            batch.offsets.push(batch.genes.len() as u32);
        }
        batch
    }
}

impl Iterator for Batches<'_> {
    type Item = MiniBatch;

    fn next(&mut self) -> Option<MiniBatch> {
        if self.ready.is_empty() {
            if self.next >= self.order.len() {
                return None;
            }
            // Gather the next batches on the rayon pool: the reads are random over a large
            // map, so they are memory-bound and scale with cores.
            let end = (self.next + self.size * AHEAD).min(self.order.len());
            let (data, order) = (self.data, &self.order[self.next..end]);
            let (rank, world) = (self.rank, self.world);
            self.ready = order
                .par_chunks(self.size)
                .map(|chunk| {
                    let shard: Vec<u32> = chunk.iter().skip(rank).step_by(world).copied().collect();
                    data.gather(&shard)
                })
                .collect::<Vec<_>>()
                .into();
            self.next = end;
        }
        self.ready.pop_front()
    }
}

/// The genes of `universe` perturbed in at least one of `rows`, whose genes (indices into
/// `universe`) `genes_of` yields: what a model trained on those rows has seen.
///
/// ```
/// use ironcell_data::instances::perturbed_genes;
/// let universe = ["YAL001C".parse()?, "YAL002W".parse()?, "YAL003W".parse()?];
/// let genotypes = [vec![0u32, 2], vec![1], vec![2]];
/// let seen = perturbed_genes(&universe, &[0, 2], |i| genotypes[i].clone());
/// assert_eq!(seen, [universe[0].clone(), universe[2].clone()]);
/// # Ok::<(), ironcell_core::Error>(())
/// ```
pub fn perturbed_genes<I: IntoIterator<Item = u32>>(
    universe: &[SystematicName],
    rows: &[usize],
    genes_of: impl Fn(usize) -> I,
) -> Vec<SystematicName> {
    let mut seen = vec![false; universe.len()];
    for &i in rows {
        for g in genes_of(i) {
            seen[g as usize] = true;
        }
    }
    universe
        .iter()
        .zip(seen)
        .filter(|(_, s)| *s)
        .map(|(g, _)| g.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, n: u32) -> PathBuf {
        let path = dir.join("i.arrow");
        let labels = ["fitness".to_owned(), "gene_interaction".to_owned()];
        let mut w = InstanceWriter::create(&path, &labels).unwrap();
        for i in 0..n {
            let genes: Vec<u32> = (0..1 + i % 3).map(|k| i * 3 + k).collect();
            let fitness = LabelValue {
                value: i as f32 / n as f32,
                std: 0.01,
                p_value: f32::NAN,
            };
            let eps = if i % 2 == 0 {
                LabelValue {
                    value: -0.1,
                    std: f32::NAN,
                    p_value: 0.05,
                }
            } else {
                LabelValue::MISSING
            };
            w.push(&genes, (i % 2) as u16, 0, &[fitness, eps]).unwrap();
        }
        assert_eq!(w.finish().unwrap(), u64::from(n));
        path
    }

    #[test]
    fn labels_and_genes_survive_the_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let data = Instances::open(&write(dir.path(), 1000)).unwrap();
        assert_eq!(data.len(), 1000);
        assert_eq!(data.labels(), ["fitness", "gene_interaction"]);
        assert_eq!(data.genes(7), &[21, 22]);
        assert_eq!(data.label(0, 500).value, 0.5);
        assert_eq!(data.label(1, 4).p_value, 0.05);
        assert!(data.label(1, 5).value.is_nan());
        assert_eq!(data.source(3), (1, 0));
    }

    #[test]
    fn an_epoch_visits_every_instance_once_and_ranks_cover_the_set() {
        let dir = tempfile::tempdir().unwrap();
        let data = Instances::open(&write(dir.path(), 1001)).unwrap();
        let all: Vec<u32> = (0..1001).collect();
        let plan = BatchPlan {
            batch_size: 64,
            seed: 9,
            ..BatchPlan::default()
        };
        let mut seen: Vec<u32> = data.batches(&all, plan).flat_map(|b| b.indices).collect();
        let first_epoch = seen.clone();
        seen.sort_unstable();
        assert_eq!(seen, all);
        let second: Vec<u32> = data
            .batches(&all, BatchPlan { epoch: 1, ..plan })
            .flat_map(|b| b.indices)
            .collect();
        assert_ne!(first_epoch, second, "each epoch reshuffles");
        let again: Vec<u32> = data.batches(&all, plan).flat_map(|b| b.indices).collect();
        assert_eq!(first_epoch, again, "seeded");

        let shards: Vec<Vec<MiniBatch>> = (0..3)
            .map(|rank| {
                data.batches(
                    &all,
                    BatchPlan {
                        rank,
                        world: 3,
                        ..plan
                    },
                )
                .collect()
            })
            .collect();
        let mut union: Vec<u32> = shards
            .iter()
            .flatten()
            .flat_map(|b| b.indices.iter().copied())
            .collect();
        union.sort_unstable();
        assert_eq!(union, all);
        // Each rank's k-th batch is its shard of the single process's k-th batch.
        let whole: Vec<MiniBatch> = data.batches(&all, plan).collect();
        for (k, batch) in whole.iter().enumerate() {
            let mut joined: Vec<u32> = shards
                .iter()
                .flat_map(|s| s[k].indices.iter().copied())
                .collect();
            joined.sort_unstable();
            let mut expected = batch.indices.clone();
            expected.sort_unstable();
            assert_eq!(joined, expected, "batch {k}");
        }
        assert!(shards.iter().all(|s| s.len() == whole.len()));

        let b = data
            .batches(
                &[7, 8],
                BatchPlan {
                    shuffle: false,
                    ..plan
                },
            )
            .next()
            .unwrap();
        assert_eq!(b.genes, [21, 22, 24, 25, 26]);
        assert_eq!(b.offsets, [0, 2, 5]);
        assert_eq!(b.labels.len(), 4);
    }
}
