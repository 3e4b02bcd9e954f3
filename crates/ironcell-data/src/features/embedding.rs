//! User-supplied gene embeddings (ESM2, ProtT5, CaLM … computed elsewhere), keyed by
//! systematic name.
//!
//! Two layouts are read:
//! - **CSV or TSV** (`.csv` comma, `.tsv`/`.txt` tab; optionally gzipped): the first column is
//!   the systematic name, the others numbers; a first row whose numeric fields do not parse is a
//!   header and names the columns.
//! - **NPY** (`X.npy`, float32 or float64, shape `[genes, dim]`, C or Fortran order) with the
//!   names in `X.txt` beside it, one per line in row order — NumPy files hold no strings.
//! - **Parquet** (`.parquet`, as pandas or polars write it): the first string column holds
//!   the names; then either float columns (one per dimension, named) or one list-of-float
//!   column holding each whole vector.

use std::{
    collections::HashSet,
    fs::File,
    io::BufReader,
    path::{Path, PathBuf},
};

use ironcell_core::SystematicName;

use crate::Error;

/// Embedding vectors read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    /// Column names (from a header, else `dim0`, `dim1`, …).
    pub columns: Vec<String>,
    /// The genes, in file order.
    pub genes: Vec<SystematicName>,
    /// Row-major `genes × columns`.
    pub values: Vec<f32>,
}

impl Embeddings {
    /// Reads `path`, choosing the layout by its extension.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let name = name.strip_suffix(".gz").unwrap_or(name);
        let embeddings = if name.ends_with(".npy") {
            read_npy(path)?
        } else if name.ends_with(".parquet") {
            read_parquet(path)?
        } else if name.ends_with(".csv") {
            read_delimited(path, b',')?
        } else if name.ends_with(".tsv") || name.ends_with(".txt") {
            read_delimited(path, b'\t')?
        } else {
            return Err(Error::format(
                path,
                "unknown embedding format: expected .csv, .tsv, .txt, .parquet or .npy (with names in .txt)",
            ));
        };
        embeddings.check_unique(path)?;
        Ok(embeddings)
    }

    /// Width of each vector.
    pub fn dim(&self) -> usize {
        self.columns.len()
    }

    /// The vector of row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.dim()..(i + 1) * self.dim()]
    }

    fn check_unique(&self, path: &Path) -> Result<(), Error> {
        let mut seen = HashSet::with_capacity(self.genes.len());
        for g in &self.genes {
            if !seen.insert(g) {
                return Err(Error::format(path, format!("gene {g} has two vectors")));
            }
        }
        Ok(())
    }
}

fn read_delimited(path: &Path, delimiter: u8) -> Result<Embeddings, Error> {
    let reader =
        ironcell_sources::open_maybe_gzip(path).map_err(|e| Error::format(path, e.to_string()))?;
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(reader);
    let mut columns: Option<Vec<String>> = None;
    let mut genes = Vec::new();
    let mut values = Vec::new();
    for (i, record) in csv.records().enumerate() {
        let line = i + 1;
        let record = record.map_err(|e| Error::format(path, format!("line {line}: {e}")))?;
        let fields: Vec<&str> = record.iter().collect();
        if fields.len() < 2 {
            return Err(Error::format(
                path,
                format!("line {line}: expected a name and at least one number"),
            ));
        }
        let numbers: Result<Vec<f32>, _> = fields[1..].iter().map(|f| f.trim().parse()).collect();
        let numbers = match (numbers, &columns) {
            (Ok(n), _) => n,
            (Err(_), None) if genes.is_empty() => {
                columns = Some(fields[1..].iter().map(|f| f.trim().to_owned()).collect());
                continue;
            }
            (Err(e), _) => {
                return Err(Error::format(
                    path,
                    format!("line {line}: not a number: {e}"),
                ));
            }
        };
        let dim = columns.get_or_insert_with(|| numbered(numbers.len())).len();
        if numbers.len() != dim {
            return Err(Error::format(
                path,
                format!("line {line}: {} numbers, expected {dim}", numbers.len()),
            ));
        }
        if let Some(j) = numbers.iter().position(|v| !v.is_finite()) {
            return Err(Error::format(
                path,
                format!("line {line}: column {} is not finite", j + 2),
            ));
        }
        let gene: SystematicName = fields[0]
            .trim()
            .parse()
            .map_err(|e| Error::format(path, format!("line {line}: {e}")))?;
        genes.push(gene);
        values.extend(numbers);
    }
    let columns =
        columns.ok_or_else(|| Error::format(path, "no embedding rows: the file is empty"))?;
    Ok(Embeddings {
        columns,
        genes,
        values,
    })
}

fn numbered(dim: usize) -> Vec<String> {
    (0..dim).map(|j| format!("dim{j}")).collect()
}

/// The names file of an NPY embedding: `X.npy` → `X.txt`.
pub fn names_path(npy: &Path) -> PathBuf {
    npy.with_extension("txt")
}

fn read_npy(path: &Path) -> Result<Embeddings, Error> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let npy = npyz::NpyFile::new(BufReader::new(file))
        .map_err(|e| Error::format(path, format!("not a NumPy file: {e}")))?;
    let shape = npy.shape().to_vec();
    let [rows, dim] = shape[..] else {
        return Err(Error::format(
            path,
            format!("expected a 2-D array [genes, dim], found shape {shape:?}"),
        ));
    };
    let (rows, dim) = (rows as usize, dim as usize);
    let fortran = matches!(npy.order(), npyz::Order::Fortran);
    let flat: Vec<f32> = match npy.try_data::<f32>() {
        Ok(data) => data.collect::<Result<_, _>>(),
        Err(npy) => match npy.try_data::<f64>() {
            Ok(data) => data.map(|v| v.map(|v| v as f32)).collect(),
            Err(npy) => {
                return Err(Error::format(
                    path,
                    format!("expected float32 or float64, found {}", npy.dtype().descr()),
                ))
            }
        },
    }
    .map_err(|e| Error::io(path, e))?;
    let values = if fortran {
        let mut c = vec![0.0; flat.len()];
        for i in 0..rows {
            for j in 0..dim {
                c[i * dim + j] = flat[j * rows + i];
            }
        }
        c
    } else {
        flat
    };
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::format(
            path,
            format!(
                "row {}, column {} is not finite",
                k / dim.max(1),
                k % dim.max(1)
            ),
        ));
    }
    let names = names_path(path);
    let text = std::fs::read_to_string(&names).map_err(|e| Error::io(&names, e))?;
    let genes = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            l.trim()
                .parse()
                .map_err(|e| Error::format(&names, format!("line {}: {e}", i + 1)))
        })
        .collect::<Result<Vec<SystematicName>, _>>()?;
    if genes.len() != rows {
        return Err(Error::format(
            &names,
            format!(
                "{} names for {rows} rows of {}",
                genes.len(),
                path.display()
            ),
        ));
    }
    Ok(Embeddings {
        columns: numbered(dim),
        genes,
        values,
    })
}

fn read_parquet(path: &Path) -> Result<Embeddings, Error> {
    use arrow_array::{cast::AsArray, types::Float32Type, Array, RecordBatchReader};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let bad = |m: String| Error::format(path, m);
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| bad(format!("not a Parquet file: {e}")))?;
    let schema = reader.schema();
    let name_column = schema
        .fields()
        .iter()
        .position(|f| {
            matches!(
                f.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            )
        })
        .ok_or_else(|| bad("no string column with the gene names".to_owned()))?;
    let value_columns: Vec<usize> = (0..schema.fields().len())
        .filter(|&c| c != name_column)
        .collect();
    let list = match value_columns.as_slice() {
        [c] => matches!(
            schema.field(*c).data_type(),
            DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(_, _)
        ),
        _ => false,
    };
    let mut columns: Vec<String> = if list {
        Vec::new()
    } else {
        value_columns
            .iter()
            .map(|&c| schema.field(c).name().clone())
            .collect()
    };
    let mut genes = Vec::new();
    let mut values: Vec<f32> = Vec::new();
    // Any numeric array as f32, or an error naming the column.
    let floats = |array: &dyn Array, what: &str| -> Result<Vec<f32>, Error> {
        let array = arrow_cast::cast(array, &DataType::Float32)
            .map_err(|e| bad(format!("column {what}: not numeric ({e})")))?;
        let array = array.as_primitive::<Float32Type>();
        if array.null_count() > 0 {
            return Err(bad(format!("column {what} has missing values")));
        }
        Ok(array.values().to_vec())
    };
    for batch in reader {
        let batch = batch.map_err(|e| bad(format!("reading: {e}")))?;
        let names = arrow_cast::cast(batch.column(name_column), &DataType::Utf8)
            .map_err(|e| bad(e.to_string()))?;
        let names = names.as_string::<i32>();
        let first = genes.len();
        for (i, n) in names.iter().enumerate() {
            let n = n.ok_or_else(|| bad(format!("row {} has no gene name", first + i + 1)))?;
            genes.push(
                n.trim()
                    .parse::<SystematicName>()
                    .map_err(|e| bad(format!("row {}: {e}", first + i + 1)))?,
            );
        }
        let rows = batch.num_rows();
        let block: Vec<Vec<f32>> = if list {
            let c = value_columns[0];
            let field = schema.field(c).name().clone();
            let array = batch.column(c);
            let lists = arrow_cast::cast(
                array,
                &DataType::List(std::sync::Arc::new(arrow_schema::Field::new(
                    "item",
                    DataType::Float32,
                    true,
                ))),
            )
            .map_err(|e| bad(format!("column {field}: {e}")))?;
            let lists = lists.as_list::<i32>();
            (0..rows)
                .map(|i| floats(lists.value(i).as_ref(), &field))
                .collect::<Result<_, _>>()?
        } else {
            let cols: Vec<Vec<f32>> = value_columns
                .iter()
                .map(|&c| floats(batch.column(c).as_ref(), schema.field(c).name()))
                .collect::<Result<_, _>>()?;
            (0..rows)
                .map(|i| cols.iter().map(|c| c[i]).collect())
                .collect()
        };
        for (i, v) in block.into_iter().enumerate() {
            if columns.is_empty() {
                columns = numbered(v.len());
            }
            if v.len() != columns.len() {
                return Err(bad(format!(
                    "row {}: {} numbers, expected {}",
                    first + i + 1,
                    v.len(),
                    columns.len()
                )));
            }
            if let Some(j) = v.iter().position(|x| !x.is_finite()) {
                return Err(bad(format!(
                    "row {}, value {} is not finite",
                    first + i + 1,
                    j + 1
                )));
            }
            values.extend(v);
        }
    }
    if genes.is_empty() {
        return Err(bad("no embedding rows".to_owned()));
    }
    Ok(Embeddings {
        columns,
        genes,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_and_without_header() {
        let dir = tempfile::tempdir().unwrap();
        let with = dir.path().join("e.csv");
        std::fs::write(&with, "gene,a,b\nYAL001C,1,2\nYAL002W,3,4.5\n").unwrap();
        let e = Embeddings::read(&with).unwrap();
        assert_eq!(e.columns, ["a", "b"]);
        assert_eq!(e.row(1), [3.0, 4.5]);
        let without = dir.path().join("e.tsv");
        std::fs::write(&without, "YAL001C\t1\t2\n").unwrap();
        let e = Embeddings::read(&without).unwrap();
        assert_eq!(e.columns, ["dim0", "dim1"]);
    }

    #[test]
    fn bad_rows_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.csv");
        std::fs::write(&path, "YAL001C,1,2\nYAL002W,3\n").unwrap();
        let e = Embeddings::read(&path).unwrap_err().to_string();
        assert!(e.contains("line 2: 1 numbers, expected 2"), "{e}");
        std::fs::write(&path, "YAL001C,1,2\nYAL001C,3,4\n").unwrap();
        let e = Embeddings::read(&path).unwrap_err().to_string();
        assert!(e.contains("YAL001C has two vectors"), "{e}");
    }

    /// A float64 Fortran-order file as NumPy writes it (`np.save` of `np.asfortranarray`).
    #[test]
    fn npy_with_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.npy");
        let header = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }";
        let mut header = header.to_owned();
        while !(10 + header.len() + 1).is_multiple_of(64) {
            header.push(' ');
        }
        header.push('\n');
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend((header.len() as u16).to_le_bytes());
        bytes.extend(header.as_bytes());
        // Column-major [[1, 2, 3], [4, 5, 6]].
        for v in [1.0f64, 4.0, 2.0, 5.0, 3.0, 6.0] {
            bytes.extend(v.to_le_bytes());
        }
        std::fs::write(&path, bytes).unwrap();
        std::fs::write(names_path(&path), "YAL001C\nYAL002W\n").unwrap();
        let e = Embeddings::read(&path).unwrap();
        assert_eq!(e.row(0), [1.0, 2.0, 3.0]);
        assert_eq!(e.row(1), [4.0, 5.0, 6.0]);
        std::fs::write(names_path(&path), "YAL001C\n").unwrap();
        let e = Embeddings::read(&path).unwrap_err().to_string();
        assert!(e.contains("1 names for 2 rows"), "{e}");
    }

    /// Both Parquet layouts pandas and polars write: a float column per dimension, or one
    /// list column of whole vectors.
    #[test]
    fn parquet_columns_or_lists() {
        use std::sync::Arc;

        use arrow_array::{
            builder::{Float64Builder, ListBuilder},
            ArrayRef, Float32Array, RecordBatch, StringArray,
        };
        use parquet::arrow::ArrowWriter;

        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, columns: Vec<(&str, ArrayRef)>| {
            let batch = RecordBatch::try_from_iter(columns).unwrap();
            let path = dir.path().join(name);
            let mut w =
                ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), None).unwrap();
            w.write(&batch).unwrap();
            w.close().unwrap();
            path
        };
        let names: ArrayRef = Arc::new(StringArray::from(vec!["YAL001C", "YAL002W"]));
        let wide = write(
            "wide.parquet",
            vec![
                ("orf", names.clone()),
                (
                    "a",
                    Arc::new(Float32Array::from(vec![1.0, 3.0])) as ArrayRef,
                ),
                (
                    "b",
                    Arc::new(Float32Array::from(vec![2.0, 4.0])) as ArrayRef,
                ),
            ],
        );
        let e = Embeddings::read(&wide).unwrap();
        assert_eq!(e.columns, ["a", "b"]);
        assert_eq!(e.row(1), [3.0, 4.0]);

        let mut lists = ListBuilder::new(Float64Builder::new());
        for v in [[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]] {
            lists.values().append_slice(&v);
            lists.append(true);
        }
        let long = write(
            "long.parquet",
            vec![
                ("gene", names),
                ("embedding", Arc::new(lists.finish()) as ArrayRef),
            ],
        );
        let e = Embeddings::read(&long).unwrap();
        assert_eq!(e.columns, ["dim0", "dim1", "dim2"]);
        assert_eq!(e.row(0), [0.5, 1.5, 2.5]);
    }
}
