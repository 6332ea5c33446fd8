//! `cargo bench -p quanze-indexer --bench semantic`: a measurement, not a test, of issue 13's
//! hybrid search as the engine runs it. Over the 1,135 real 广安区 items and the judged sets
//! (two development sets: the first, and 70 citizen questions; held-out, written by someone who
//! never saw the vocabularies), it prints, per
//! query kind, NDCG@10 of words only (`lexical_only`) and of the hybrid search (the semantic
//! channel fused into the lexical head), answerable queries without a hit, how no-answer
//! queries are flagged, how many queries used the semantic channel, and latency (first ask,
//! and asked again: the question vector cached).
//!
//! For calibration on the development set only, it also prints the best similarity of each
//! query (answerable vs no answer) and NDCG@10 with related hits below a similarity floor
//! left out. Nothing here feeds back into the engine or its vocabularies.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use quanze_indexer::SearchIndex;
use quanze_indexer::index::Analysis;
use quanze_indexer::search::{MatchKind, SearchResponse};
use quanze_indexer::semantic::Semantic;
use quanze_registry::Database;
use quanze_registry::import::ImportOptions;

#[path = "../tests/judged/mod.rs"]
mod judged;

use judged::{Judged, ndcg_at_10};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Similarity floors tried on the development set (related hits below one are left out).
const FLOORS: [f32; 5] = [0.0, 0.84, 0.86, 0.87, 0.88];
/// Thresholds of `no_good_match` tried on the development set.
const GOOD_MATCH: [f32; 5] = [0.87, 0.88, 0.89, 0.90, 0.91];

/// Whether some item contains every word (the lexical head is not relaxed and not empty).
fn words_found(r: &SearchResponse) -> bool {
    !r.relaxed && r.hits.iter().any(|h| h.match_kind == MatchKind::Lexical)
}

fn best_similarity(r: &SearchResponse) -> f32 {
    r.hits
        .iter()
        .filter_map(|h| h.similarity)
        .fold(0.0, f32::max)
}

fn main() -> BenchResult<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir()?;
    let db = Database::open(&format!("sqlite://{}", dir.path().join("r.db").display()))?;
    let text = std::fs::read_to_string(root.join("demo/items/guangan-511602-services.ndjson"))?;
    let opts = ImportOptions::strict_by("bench", "bench", None);
    quanze_registry::import::items::import_items_ndjson(&db, text.as_bytes(), &opts)?;
    let semantic = Semantic::load(&root.join("indexer/embed/model/e5-small-q4.bin"), None)?;
    semantic.seed(&root.join("demo/vectors"))?;
    let index = SearchIndex::open(&dir.path().join("index"), Analysis::load(None)?, true)?
        .with_semantic(Arc::new(semantic))?;
    index.catch_up(&db)?;
    let pending = index.semantic().map(|s| s.pending()).unwrap_or(0);
    println!(
        "{} items indexed; {pending} names without a vector",
        index.document_count()
    );

    // `QUANZE_SHOW_MISSES=1` prints, for the development sets only, each answerable query whose
    // hybrid NDCG@10 is below 0.5 with its first hits: what tuning looks at (never the held-out
    // set's queries).
    let show_misses = std::env::var_os("QUANZE_SHOW_MISSES").is_some();
    for set in [
        "indexer/tests/relevance/queries.json",
        "indexer/tests/relevance/questions/queries.json",
        "indexer/tests/relevance/heldout/queries.json",
    ] {
        let development = !set.contains("heldout");
        let judged: Vec<Judged> = judged::read(&root.join(set))?;
        let mut scores: BTreeMap<(String, &str), Vec<f64>> = BTreeMap::new();
        let mut floors: Vec<Vec<f64>> = vec![Vec::new(); FLOORS.len()];
        let (mut zero_lexical, mut zero_hybrid, mut used) = (0, 0, 0);
        let (mut first_ms, mut again_ms, mut lexical_ms) = (Vec::new(), Vec::new(), Vec::new());
        let mut no_answer = Vec::new();
        let mut answerable_best = Vec::new();
        // (best similarity, words found, has an answer) per query, for the threshold sweep.
        let mut flags: Vec<(f32, bool, bool)> = Vec::new();
        let mut answerable_flagged = 0;
        for q in &judged {
            let request = |lexical_only| q.request(10, lexical_only);
            let t = Instant::now();
            let lexical = index.search(&request(true))?;
            lexical_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let hybrid = index.search(&request(false))?;
            first_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            index.search(&request(false))?;
            again_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            used += usize::from(hybrid.semantic);
            flags.push((
                best_similarity(&hybrid),
                words_found(&hybrid),
                !q.judgments.is_empty(),
            ));
            if q.judgments.is_empty() {
                no_answer.push(format!(
                    "{:<24} hits {:>3}  best similarity {:.3}  no_good_match {}",
                    q.query,
                    hybrid.total,
                    best_similarity(&hybrid),
                    hybrid.no_good_match
                ));
                continue;
            }
            answerable_best.push(best_similarity(&hybrid));
            answerable_flagged += usize::from(hybrid.no_good_match);
            let codes = |r: &SearchResponse| -> Vec<String> {
                r.hits.iter().map(|h| h.code.clone()).collect()
            };
            let (l, h) = (codes(&lexical), codes(&hybrid));
            if show_misses && development && ndcg_at_10(&h, &q.judgments) < 0.5 {
                let first: Vec<String> = hybrid
                    .hits
                    .iter()
                    .take(5)
                    .map(|hit| {
                        let grade = q.judgments.get(&hit.code).copied().unwrap_or(0);
                        format!(
                            "{}[{grade}{}]",
                            hit.name,
                            hit.similarity.map_or(String::new(), |s| format!(" {s:.3}"))
                        )
                    })
                    .collect();
                println!(
                    "miss {} {:.2} {}: {}",
                    q.id,
                    ndcg_at_10(&h, &q.judgments),
                    q.query,
                    first.join(" | ")
                );
            }
            zero_lexical += usize::from(l.is_empty());
            zero_hybrid += usize::from(h.is_empty());
            for (method, list) in [("lexical", &l), ("hybrid", &h)] {
                let refs: Vec<&str> = list.iter().map(String::as_str).collect();
                let score = ndcg_at_10(&refs, &q.judgments);
                scores
                    .entry((q.kind.clone(), method))
                    .or_default()
                    .push(score);
                scores
                    .entry(("all".into(), method))
                    .or_default()
                    .push(score);
            }
            if development {
                for (i, floor) in FLOORS.iter().enumerate() {
                    let kept: Vec<&str> = hybrid
                        .hits
                        .iter()
                        .filter(|h| {
                            h.match_kind == MatchKind::Lexical
                                || h.similarity.is_some_and(|s| s >= *floor)
                        })
                        .map(|h| h.code.as_str())
                        .collect();
                    floors[i].push(ndcg_at_10(&kept, &q.judgments));
                }
            }
        }
        println!();
        println!("{set}");
        println!("| kind | queries | words only | hybrid |");
        println!("| --- | --- | --- | --- |");
        let mut kinds: Vec<String> = scores.keys().map(|(k, _)| k.clone()).collect();
        kinds.dedup();
        kinds.retain(|k| k != "all");
        kinds.push("all".into());
        for kind in kinds {
            let mean = |m: &str| {
                let s = &scores[&(kind.clone(), m)];
                s.iter().sum::<f64>() / s.len() as f64
            };
            println!(
                "| {kind} | {} | {:.3} | {:.3} |",
                scores[&(kind.clone(), "lexical")].len(),
                mean("lexical"),
                mean("hybrid")
            );
        }
        for v in [&mut first_ms, &mut again_ms, &mut lexical_ms] {
            v.sort_by(f64::total_cmp);
        }
        println!(
            "answerable queries with no hit: words only {zero_lexical}, hybrid {zero_hybrid}; \
             answerable flagged no_good_match: {answerable_flagged}; semantic channel used by \
             {used} of {} queries",
            judged.len()
        );
        println!(
            "latency ms p50/p99: words only {:.1}/{:.1}; hybrid first ask {:.1}/{:.1}; asked again {:.1}/{:.1}",
            percentile(&lexical_ms, 0.5),
            percentile(&lexical_ms, 0.99),
            percentile(&first_ms, 0.5),
            percentile(&first_ms, 0.99),
            percentile(&again_ms, 0.5),
            percentile(&again_ms, 0.99)
        );
        // The held-out set's queries are not shown: whoever tunes must not read them.
        if development {
            println!("no-answer queries:");
            for line in &no_answer {
                println!("  {line}");
            }
        }
        if development {
            answerable_best.sort_by(f32::total_cmp);
            println!(
                "calibration: best similarity of answerable queries min {:.3}, p10 {:.3}, p50 {:.3}",
                answerable_best.first().copied().unwrap_or(0.0),
                answerable_best
                    .get(answerable_best.len() / 10)
                    .copied()
                    .unwrap_or(0.0),
                answerable_best
                    .get(answerable_best.len() / 2)
                    .copied()
                    .unwrap_or(0.0)
            );
            for threshold in GOOD_MATCH {
                let flagged = |answerable: bool| {
                    flags
                        .iter()
                        .filter(|(best, words, a)| *a == answerable && !words && *best < threshold)
                        .count()
                };
                println!(
                    "calibration: no_good_match below {threshold:.2}: no-answer flagged {} of {}, answerable flagged {} of {}",
                    flagged(false),
                    flags.iter().filter(|f| !f.2).count(),
                    flagged(true),
                    flags.iter().filter(|f| f.2).count()
                );
            }
            for (floor, s) in FLOORS.iter().zip(&floors) {
                println!(
                    "calibration: related hits from similarity {floor:.2}: NDCG@10 {:.3}",
                    s.iter().sum::<f64>() / s.len() as f64
                );
            }
        }
    }
    Ok(())
}
