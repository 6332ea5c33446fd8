//! `cargo bench -p quanze-indexer --bench semantic`: a measurement, not a test, for issue 13's
//! design ("decide from measurements when the semantic channel runs and how lists fuse"). Over
//! the 1,135 real 广安区 items and both judged sets (development; held-out, written by someone
//! who never saw the vocabularies), it prints NDCG@10 per query kind for:
//!
//! - lexical: the engine as it is;
//! - semantic: items ranked by the cosine of the question's and the item name's e5 vectors
//!   (quanze-embed), the query's category and department filters applied;
//! - fused: reciprocal-rank fusion (k = 60, untuned) of the two top-50 lists;
//! - fallback: semantic only where the lexical engine finds nothing.
//!
//! Nothing here feeds back into the engine or its vocabularies: the held-out words stay unseen.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use quanze_embed::Embedder;
use quanze_indexer::SearchIndex;
use quanze_indexer::index::Analysis;
use quanze_indexer::search::SearchRequest;
use quanze_registry::Database;
use quanze_registry::import::ImportOptions;
use quanze_registry::interchange::PowerItemRecord;
use serde::Deserialize;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Deserialize)]
struct Filters {
    #[serde(default)]
    category: Vec<String>,
    department: Option<String>,
}

#[derive(Deserialize)]
struct Judged {
    kind: String,
    query: String,
    filters: Option<Filters>,
    judgments: HashMap<String, u32>,
}

fn dcg(gains: impl Iterator<Item = f64>) -> f64 {
    gains
        .enumerate()
        .map(|(i, g)| (2f64.powf(g) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

fn ndcg_at_10(ranked: &[&str], judgments: &HashMap<String, u32>) -> f64 {
    let actual = dcg(ranked
        .iter()
        .take(10)
        .map(|c| f64::from(*judgments.get(*c).unwrap_or(&0))));
    let mut ideal: Vec<u32> = judgments.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(ideal.into_iter().take(10).map(f64::from));
    if best == 0.0 { 0.0 } else { actual / best }
}

/// Reciprocal-rank fusion of ranked lists (k = 60, as first published; not tuned here).
fn fuse<'a>(lists: &[&[&'a str]]) -> Vec<&'a str> {
    let mut score: HashMap<&str, f64> = HashMap::new();
    for list in lists {
        for (rank, code) in list.iter().enumerate() {
            *score.entry(code).or_default() += 1.0 / (60.0 + rank as f64 + 1.0);
        }
    }
    let mut fused: Vec<(&str, f64)> = score.into_iter().collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    fused.into_iter().map(|(c, _)| c).collect()
}

const METHODS: [&str; 4] = ["lexical", "semantic", "fused", "fallback"];

fn main() -> BenchResult<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir()?;
    let db = Database::open(&format!("sqlite://{}", dir.path().join("r.db").display()))?;
    let file = root.join("demo/items/guangan-511602-services.ndjson");
    let text = std::fs::read_to_string(&file)?;
    let opts = ImportOptions::strict_by("bench", "bench", None);
    quanze_registry::import::items::import_items_ndjson(&db, text.as_bytes(), &opts)?;
    let index = SearchIndex::open(&dir.path().join("index"), Analysis::load(None)?, true)?;
    index.catch_up(&db)?;
    let items: Vec<PowerItemRecord> = text
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;

    let embedder = Embedder::load(&root.join("indexer/embed/model/e5-small-q4.bin"))?;
    let started = Instant::now();
    let mut by_name: HashMap<&str, Vec<f32>> = HashMap::new();
    for item in &items {
        if !by_name.contains_key(item.name.as_str()) {
            by_name.insert(&item.name, embedder.passage(&item.name));
        }
    }
    println!(
        "{} items, {} distinct names embedded in {:.1} s",
        items.len(),
        by_name.len(),
        started.elapsed().as_secs_f64()
    );

    for set in [
        "indexer/tests/relevance/queries.json",
        "indexer/tests/relevance/heldout/queries.json",
    ] {
        let judged: Vec<Judged> = serde_json::from_str(&std::fs::read_to_string(root.join(set))?)?;
        let mut scores: BTreeMap<(String, &str), Vec<f64>> = BTreeMap::new();
        let mut zero = [0usize; 4];
        let mut semantic_ms = Vec::new();
        for q in &judged {
            if q.judgments.is_empty() {
                continue;
            }
            let filters = q.filters.as_ref();
            let response = index.search(&SearchRequest {
                q: q.query.clone(),
                categories: filters.map(|f| f.category.clone()).unwrap_or_default(),
                department: filters.and_then(|f| f.department.clone()),
                per_page: 50,
                ..Default::default()
            })?;
            let lexical: Vec<&str> = response.hits.iter().map(|h| h.code.as_str()).collect();
            let t = Instant::now();
            let question = embedder.query(&q.query);
            let mut ranked: Vec<(&str, f32)> = items
                .iter()
                .filter(|i| {
                    filters.is_none_or(|f| {
                        (f.category.is_empty() || f.category.contains(&i.category))
                            && f.department
                                .as_ref()
                                .is_none_or(|d| i.department.name.contains(d.as_str()))
                    })
                })
                .map(|i| {
                    let v = &by_name[i.name.as_str()];
                    (
                        i.code.as_str(),
                        v.iter().zip(&question).map(|(a, b)| a * b).sum(),
                    )
                })
                .collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            semantic_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let semantic: Vec<&str> = ranked.iter().take(50).map(|(c, _)| *c).collect();
            let fused = fuse(&[&lexical, &semantic]);
            let fallback = if lexical.is_empty() {
                semantic.clone()
            } else {
                lexical.clone()
            };
            for (m, list) in [&lexical, &semantic, &fused, &fallback]
                .into_iter()
                .enumerate()
            {
                let score = ndcg_at_10(list, &q.judgments);
                scores
                    .entry((q.kind.clone(), METHODS[m]))
                    .or_default()
                    .push(score);
                scores
                    .entry(("all".into(), METHODS[m]))
                    .or_default()
                    .push(score);
                if list.is_empty() {
                    zero[m] += 1;
                }
            }
        }
        semantic_ms.sort_by(f64::total_cmp);
        println!();
        println!("{set}");
        println!("| kind | queries | lexical | semantic | fused | fallback |");
        println!("| --- | --- | --- | --- | --- | --- |");
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
                "| {kind} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
                scores[&(kind.clone(), "lexical")].len(),
                mean("lexical"),
                mean("semantic"),
                mean("fused"),
                mean("fallback")
            );
        }
        println!(
            "answerable queries with no hit: lexical {}, semantic {}, fused {}, fallback {}; query embedding + scan p50 {:.1} ms",
            zero[0],
            zero[1],
            zero[2],
            zero[3],
            semantic_ms[semantic_ms.len() / 2]
        );
    }
    Ok(())
}
