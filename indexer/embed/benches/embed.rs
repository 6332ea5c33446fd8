//! `cargo bench -p quanze-embed --bench embed`: a harness, not a test. Embeds the 50 reference
//! questions 4 times each (after a warm-up; each product spread over the cores) and prints p50 /
//! p90 / p99 per question, then the passages' throughput. Machines here are shared and noisy: compare ratios
//! within one run.

use std::path::Path;
use std::time::Instant;

use quanze_embed::Embedder;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> BenchResult<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let started = Instant::now();
    let e = Embedder::load(&dir.join("model/e5-small-q4.bin"))?;
    let load = started.elapsed().as_secs_f64();
    let mut questions = Vec::new();
    let mut passages = Vec::new();
    for line in std::fs::read_to_string(dir.join("tests/reference.jsonl"))?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let text = v["text"].as_str().ok_or("text")?.to_string();
        match text.strip_prefix("query: ") {
            Some(q) => questions.push(q.to_string()),
            None => passages.push(text.trim_start_matches("passage: ").to_string()),
        }
    }
    for q in questions.iter().take(10) {
        e.query(q);
    }
    let mut times = Vec::new();
    for _ in 0..4 {
        for q in &questions {
            let t = Instant::now();
            e.query(q);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    let t = Instant::now();
    let short: Vec<&String> = passages.iter().filter(|p| p.chars().count() < 60).collect();
    for p in &short {
        e.passage(p);
    }
    let per_second = short.len() as f64 / t.elapsed().as_secs_f64();
    println!("model loaded in {load:.2} s");
    println!();
    println!("| what | p50, ms | p90, ms | p99, ms |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| question (8–16 tokens), {} cores | {:.1} | {:.1} | {:.1} |",
        rayon::current_num_threads(),
        at(0.5),
        at(0.9),
        at(0.99)
    );
    println!();
    println!(
        "item names: {} embedded at {per_second:.0} per second ({} cores)",
        short.len(),
        rayon::current_num_threads()
    );
    Ok(())
}
