//! `cargo bench -p quanze-indexer --bench passages`: which text of an item the semantic
//! channel should embed — a measurement behind `indexer/src/passage.rs`, decided on the
//! development set only (the held-out figures are printed for the record, not for choosing).
//! For each variant, the words-only result of the engine is fused (reciprocal rank, k = 60)
//! with the items ranked by the cosine of the question and the variant's text, over the 1,135
//! real 广安区 items, as the engine fuses.

use std::collections::HashMap;
use std::path::Path;

use quanze_embed::Embedder;
use quanze_indexer::SearchIndex;
use quanze_indexer::index::Analysis;
use quanze_indexer::passage::passage_text;
use quanze_indexer::question::Question;
use quanze_registry::Database;
use quanze_registry::domain::Category;
use quanze_registry::import::ImportOptions;
use quanze_registry::interchange::PowerItemRecord;

#[path = "../tests/judged/mod.rs"]
mod judged;

use judged::{Judged, ndcg_at_10};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

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

/// A department's kind: its name without the region before it (区人社局 → 人社局), the same
/// in every county.
fn department_kind(name: &str) -> &str {
    let cut = name
        .char_indices()
        .filter(|(_, c)| matches!(c, '区' | '县' | '市' | '省'))
        .map(|(i, c)| i + c.len_utf8())
        .find(|i| *i < name.len() && name.len() - *i >= 6)
        .unwrap_or(0);
    &name[cut..]
}

type Variant = fn(&PowerItemRecord) -> String;

/// The name without its bracketed qualifiers (（县级）, （新办）…), which every sibling shares.
fn without_brackets(name: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    if out.trim().is_empty() {
        name.to_string()
    } else {
        out
    }
}

const VARIANTS: [(&str, Variant); 4] = [
    ("name", |r| passage_text(&r.name)),
    ("category：name", |r| {
        passage_text(&format!("{}：{}", Category::label_of(&r.category), r.name))
    }),
    ("name without brackets", |r| {
        passage_text(&without_brackets(&r.name))
    }),
    ("name（department kind）", |r| {
        passage_text(&format!(
            "{}（{}）",
            r.name,
            department_kind(&r.department.name)
        ))
    }),
];

fn main() -> BenchResult<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir()?;
    let db = Database::open(&format!("sqlite://{}", dir.path().join("r.db").display()))?;
    let text = std::fs::read_to_string(root.join("demo/items/guangan-511602-services.ndjson"))?;
    let opts = ImportOptions::strict_by("bench", "bench", None);
    quanze_registry::import::items::import_items_ndjson(&db, text.as_bytes(), &opts)?;
    let index = SearchIndex::open(&dir.path().join("index"), Analysis::load(None)?, true)?;
    index.catch_up(&db)?;
    let items: Vec<PowerItemRecord> = text
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let embedder = Embedder::load(&root.join("indexer/embed/model/e5-small-q4.bin"))?;
    let mut vectors: Vec<HashMap<String, Vec<f32>>> = Vec::new();
    for (label, variant) in VARIANTS {
        let mut by_text = HashMap::new();
        for item in &items {
            let t = variant(item);
            by_text.entry(t).or_insert_with_key(|t| embedder.passage(t));
        }
        eprintln!("{label}: {} distinct texts", by_text.len());
        vectors.push(by_text);
    }
    for set in [
        "indexer/tests/relevance/queries.json",
        "indexer/tests/relevance/questions/queries.json",
        "indexer/tests/relevance/heldout/queries.json",
    ] {
        let judged: Vec<Judged> = judged::read(&root.join(set))?;
        let mut totals = vec![0.0; VARIANTS.len()];
        let mut n = 0;
        for q in judged.iter().filter(|q| !q.judgments.is_empty()) {
            let filters = q.filters.as_ref();
            let words = index.search(&q.request(50, true))?;
            let lexical: Vec<&str> = words.hits.iter().map(|h| h.code.as_str()).collect();
            // The question as the engine embeds it (without framing, in official wording).
            let question = embedder.query(&Question::read(&q.query, &index.analysis.synonyms).text);
            for (v, (_, variant)) in VARIANTS.iter().enumerate() {
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
                        let p = &vectors[v][&variant(i)];
                        (
                            i.code.as_str(),
                            p.iter().zip(&question).map(|(a, b)| a * b).sum(),
                        )
                    })
                    .collect();
                ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
                let semantic: Vec<&str> = ranked.iter().take(50).map(|(c, _)| *c).collect();
                let list = if q
                    .query
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                {
                    fuse(&[&lexical, &semantic])
                } else {
                    lexical.clone()
                };
                totals[v] += ndcg_at_10(&list, &q.judgments);
            }
            n += 1;
        }
        println!("{set}");
        for ((label, _), total) in VARIANTS.iter().zip(totals) {
            println!("  {label:<28} fused NDCG@10 {:.3}", total / n as f64);
        }
    }
    Ok(())
}
