//! `cargo bench -p quanze-indexer --bench nearest`: how the semantic channel's exact
//! nearest-neighbour scan (`VectorStore::nearest`, every distinct passage text compared with
//! the question) grows with the number of distinct texts — the measurement behind scanning
//! instead of an approximate index. Random unit vectors of the model's 384 dimensions; 200
//! questions per size; p50 / p99 of one scan returning every text in order (what the
//! semantic search asks for) and of one returning the 64 closest.

use std::time::Instant;

use quanze_indexer::semantic::store::{QuantisedVector, VectorStore};

const DIM: usize = 384;
const QUESTIONS: usize = 200;

/// Deterministic xorshift: every run measures the same vectors.
struct Rng(u64);

impl Rng {
    fn unit_vector(&mut self) -> Vec<f32> {
        let mut v: Vec<f32> = (0..DIM)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                (self.0 % 2001) as f32 / 1000.0 - 1.0
            })
            .collect();
        let norm = v
            .iter()
            .map(|x| x * x)
            .sum::<f32>()
            .sqrt()
            .max(f32::MIN_POSITIVE);
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    println!(
        "| distinct texts | vectors, MB | all in order p50 / p99, ms | 64 closest p50 / p99, ms |"
    );
    println!("| ---: | ---: | ---: | ---: |");
    for texts in [1_000usize, 10_000, 30_000, 100_000] {
        let store = VectorStore::in_memory(DIM);
        let entries: Vec<(u64, QuantisedVector)> = (0..texts as u64)
            .map(|key| (key, QuantisedVector::from_f32(&rng.unit_vector())))
            .collect();
        store.insert(&entries)?;
        let questions: Vec<Vec<f32>> = (0..QUESTIONS).map(|_| rng.unit_vector()).collect();
        let mut all = Vec::new();
        let mut closest = Vec::new();
        for q in &questions {
            let t = Instant::now();
            std::hint::black_box(store.nearest(q, usize::MAX));
            all.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            std::hint::black_box(store.nearest(q, 64));
            closest.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let (all50, all99) = percentiles(all);
        let (k50, k99) = percentiles(closest);
        println!(
            "| {texts} | {:.1} | {all50:.2} / {all99:.2} | {k50:.2} / {k99:.2} |",
            (texts * (DIM + 12)) as f64 / 1e6
        );
    }
    Ok(())
}
