//! The vectors of distinct passage texts, keyed by a hash of the text: a content-addressed
//! cache, so it can never disagree with the index. Which items exist, their status and their
//! filters live in the tantivy documents (each carries its passage key); this store only
//! answers "how close is this text to the question". The same item name in 3,000 counties is
//! one entry, and a rebuilt generation finds every vector it needs already here.
//!
//! Vectors are kept as int8 with one scale each (unit vectors lose nothing a ranking notices,
//! and a scan reads a quarter of the bytes). On disk: an append-only file per model,
//! `<dir>/<model id>.vec` — a header (magic, dimension, model id), then records of key, scale
//! and the int8 components. Only the process holding the file's lock appends; a torn last
//! record (a crash mid-append) is cut off at the next open. Losing the file loses nothing but
//! the time to embed again.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use crate::error::{IndexError, Result};

const MAGIC: &[u8; 8] = b"QZVEC001";

/// One vector, quantised.
pub struct QuantisedVector {
    pub scale: f32,
    pub components: Vec<i8>,
}

impl QuantisedVector {
    /// Rounds a vector to int8 with the scale that maps its largest component to ±127.
    pub fn from_f32(v: &[f32]) -> QuantisedVector {
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        QuantisedVector {
            scale,
            components: v
                .iter()
                .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
                .collect(),
        }
    }
}

#[derive(Default)]
struct Vectors {
    ordinal: HashMap<u64, usize>,
    /// The key of each ordinal, so that a scan reads the rows in memory order.
    keys: Vec<u64>,
    scales: Vec<f32>,
    components: Vec<i8>,
}

/// The store: every known vector in memory, new ones appended to the file when this process
/// holds its lock.
pub struct VectorStore {
    dim: usize,
    path: Option<PathBuf>,
    vectors: RwLock<Vectors>,
    /// The open file while this process may append to it.
    appender: Mutex<Option<BufWriter<File>>>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn header(dim: usize, model_id: &str) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&(dim as u32).to_le_bytes());
    let id = model_id.as_bytes();
    h.extend_from_slice(&(id.len() as u32).to_le_bytes());
    h.extend_from_slice(id);
    h
}

impl VectorStore {
    /// A store kept in memory only (tests, tools).
    pub fn in_memory(dim: usize) -> VectorStore {
        VectorStore {
            dim,
            path: None,
            vectors: Default::default(),
            appender: Mutex::new(None),
        }
    }

    /// Opens (or starts) the file of `model_id` under `dir`. A file of another model or
    /// format is replaced; another process holding the lock leaves this one reading only.
    pub fn open(dir: &Path, model_id: &str, dim: usize) -> Result<VectorStore> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(format!("{model_id}.vec"));
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io(&path))?;
        let writable = match file.try_lock() {
            Ok(()) => true,
            Err(std::fs::TryLockError::WouldBlock) => false,
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&path)(e)),
        };
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io(&path))?;
        let expected = header(dim, model_id);
        let (records, valid_len) = parse(&bytes, &expected, dim);
        let mut vectors = Vectors::default();
        for (key, v) in records {
            vectors.push(key, v.scale, v.components.into_iter());
        }
        let appender = if writable {
            if valid_len != bytes.len() {
                // A torn last record, or a file of another model: keep what is whole.
                file.set_len(valid_len as u64).map_err(io(&path))?;
            }
            let mut w = BufWriter::new(file);
            if valid_len == 0 {
                w.write_all(&expected).map_err(io(&path))?;
                w.flush().map_err(io(&path))?;
            }
            Some(w)
        } else {
            None
        };
        Ok(VectorStore {
            dim,
            path: Some(path),
            vectors: RwLock::new(vectors),
            appender: Mutex::new(appender),
        })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The vectors another store of the same model holds in `dir` (none if it has no file of
    /// this model): a seed, such as the demo data's vectors shipped in the repository.
    pub fn read_file(
        dir: &Path,
        model_id: &str,
        dim: usize,
    ) -> Result<Vec<(u64, QuantisedVector)>> {
        let path = dir.join(format!("{model_id}.vec"));
        match std::fs::read(&path) {
            Ok(bytes) => Ok(parse(&bytes, &header(dim, model_id), dim).0),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io(&path)(e)),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vectors> {
        self.vectors.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Number of distinct texts with a vector.
    pub fn len(&self) -> usize {
        self.read().scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, key: u64) -> bool {
        self.read().ordinal.contains_key(&key)
    }

    /// Adds vectors (already present keys are skipped) and appends them to the file.
    pub fn insert(&self, entries: &[(u64, QuantisedVector)]) -> Result<()> {
        let mut added = Vec::new();
        {
            let mut vectors = self.vectors.write().unwrap_or_else(|p| p.into_inner());
            for (key, v) in entries {
                if v.components.len() != self.dim || vectors.ordinal.contains_key(key) {
                    continue;
                }
                vectors.push(*key, v.scale, v.components.iter().copied());
                added.push((key, v));
            }
        }
        let mut appender = self.appender.lock().unwrap_or_else(|p| p.into_inner());
        if let (Some(w), Some(path)) = (appender.as_mut(), &self.path) {
            let mut records = Vec::with_capacity(added.len() * (12 + self.dim));
            for (key, v) in added {
                records.extend_from_slice(&key.to_le_bytes());
                records.extend_from_slice(&v.scale.to_le_bytes());
                records.extend(v.components.iter().map(|c| *c as u8));
            }
            if let Err(e) = w.write_all(&records).and_then(|()| w.flush()) {
                // Part of a record may be in the file: append nothing more to it in this
                // process (the next open cuts a torn tail; what is in memory stays usable).
                *appender = None;
                return Err(io(path)(e));
            }
        }
        Ok(())
    }

    /// The `k` stored texts closest to `query` (a unit vector), closest first, with their
    /// cosine.
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<(u64, f32)> {
        let q = QuantisedVector::from_f32(query);
        let vectors = self.read();
        let mut keyed: Vec<(u64, f32)> = Vec::with_capacity(vectors.keys.len());
        pulp::Arch::new().dispatch(Scan {
            question: &q,
            vectors: &vectors,
            dim: self.dim,
            out: &mut keyed,
        });
        // Equal similarities by key: the order must not depend on the store's layout.
        let by_similarity =
            |a: &(u64, f32), b: &(u64, f32)| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0));
        if keyed.len() > k && k > 0 {
            keyed.select_nth_unstable_by(k - 1, by_similarity);
            keyed.truncate(k);
        }
        keyed.sort_unstable_by(by_similarity);
        keyed
    }
}

/// The whole records of a file with the expected header, and the length they end at (0 when
/// the header is not this model's).
fn parse(bytes: &[u8], expected_header: &[u8], dim: usize) -> (Vec<(u64, QuantisedVector)>, usize) {
    if !bytes.starts_with(expected_header) {
        return (Vec::new(), 0);
    }
    let record = 8 + 4 + dim;
    let body = &bytes[expected_header.len()..];
    let mut out = Vec::with_capacity(body.len() / record);
    for chunk in body.chunks_exact(record) {
        let mut key = [0u8; 8];
        key.copy_from_slice(&chunk[..8]);
        let mut scale = [0u8; 4];
        scale.copy_from_slice(&chunk[8..12]);
        out.push((
            u64::from_le_bytes(key),
            QuantisedVector {
                scale: f32::from_le_bytes(scale),
                components: chunk[12..].iter().map(|b| *b as i8).collect(),
            },
        ));
    }
    let valid_len = expected_header.len() + out.len() * record;
    (out, valid_len)
}

/// The exact scan: every row's dot product with the question, rows in memory order. Run
/// through `pulp`'s dispatch, which compiles it for AVX2 too and takes that where the CPU has
/// it (`cargo bench -p quanze-indexer --bench nearest`).
struct Scan<'a> {
    question: &'a QuantisedVector,
    vectors: &'a Vectors,
    dim: usize,
    out: &'a mut Vec<(u64, f32)>,
}

impl pulp::WithSimd for Scan<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let q: Vec<i16> = self
            .question
            .components
            .iter()
            .map(|c| i16::from(*c))
            .collect();
        let rows = self.vectors.components.chunks_exact(self.dim.max(1));
        for ((row, key), scale) in rows.zip(&self.vectors.keys).zip(&self.vectors.scales) {
            let dot: i32 = row
                .iter()
                .zip(&q)
                .map(|(a, b)| i32::from(*a) * i32::from(*b))
                .sum();
            self.out
                .push((*key, dot as f32 * self.question.scale * scale));
        }
    }
}

impl Vectors {
    fn push(&mut self, key: u64, scale: f32, components: impl Iterator<Item = i8>) {
        if self.ordinal.contains_key(&key) {
            return;
        }
        self.ordinal.insert(key, self.scales.len());
        self.keys.push(key);
        self.scales.push(scale);
        self.components.extend(components);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn unit(seed: u32, dim: usize) -> Vec<f32> {
        let v: Vec<f32> = (0..dim)
            .map(|i| ((i as u32 * 7919 + seed * 104_729) % 1000) as f32 - 500.0)
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / norm).collect()
    }

    #[test]
    fn nearest_ranks_by_cosine_and_survives_reopen_and_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let dim = 16;
        {
            let store = VectorStore::open(dir.path(), "m1", dim).unwrap();
            let entries: Vec<_> = (0..5u64)
                .map(|k| (k, QuantisedVector::from_f32(&unit(k as u32, dim))))
                .collect();
            store.insert(&entries).unwrap();
            let best = store.nearest(&unit(3, dim), 2);
            assert_eq!(best[0].0, 3);
            assert!((best[0].1 - 1.0).abs() < 0.02, "{best:?}");
        }
        // A crash mid-append leaves part of a record.
        let path = dir.path().join("m1.vec");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[1, 2, 3]).unwrap();
        drop(f);
        let store = VectorStore::open(dir.path(), "m1", dim).unwrap();
        assert_eq!(store.len(), 5);
        store
            .insert(&[(9, QuantisedVector::from_f32(&unit(9, dim)))])
            .unwrap();
        drop(store);
        assert_eq!(VectorStore::open(dir.path(), "m1", dim).unwrap().len(), 6);
        // Another model's file is not read as this one's.
        assert_eq!(VectorStore::open(dir.path(), "m2", dim).unwrap().len(), 0);
    }

    #[test]
    fn a_second_process_reads_but_does_not_append() {
        let dir = tempfile::tempdir().unwrap();
        let first = VectorStore::open(dir.path(), "m", 4).unwrap();
        first
            .insert(&[(1, QuantisedVector::from_f32(&[1.0, 0.0, 0.0, 0.0]))])
            .unwrap();
        let second = VectorStore::open(dir.path(), "m", 4).unwrap();
        assert_eq!(second.len(), 1);
        second
            .insert(&[(2, QuantisedVector::from_f32(&[0.0, 1.0, 0.0, 0.0]))])
            .unwrap();
        drop((first, second));
        assert_eq!(VectorStore::open(dir.path(), "m", 4).unwrap().len(), 1);
    }
}
