//! Relevance on real items, judged: indexer/tests/relevance/queries.json (the development set)
//! and indexer/tests/relevance/heldout/queries.json (written by someone who never saw the
//! vocabularies; see its README) hold citizen queries over the 1,135 real service items of
//! 广安市广安区 with graded judgments (3 = the item sought, 2 = clearly relevant, 1 =
//! marginally). The test computes NDCG@10 on both, prints them per kind side by side, and fails
//! below the levels reached, so relevance never silently regresses.

use std::collections::{BTreeMap, HashMap};

use quanze_indexer::SearchIndex;
use quanze_indexer::search::SearchRequest;
use quanze_registry::Database;
use quanze_testkit::TestDatabase;
use serde::Deserialize;

use crate::{analysis, import_file, repo_root};

/// The floor: the NDCG@10 this engine reaches on the development set, less a small margin.
const MIN_MEAN_NDCG_AT_10: f64 = 0.85;
/// The floor on the held-out set: the lexical engine reached 0.166 when the set arrived
/// (2026-12-04; questions in everyday words 0.035, 69 of 89 answerable queries without a hit),
/// less a small margin — a guard against regressions, not a target (issue 13's is 0.80).
const MIN_HELD_OUT_NDCG_AT_10: f64 = 0.15;

#[derive(Deserialize)]
struct Filters {
    #[serde(default)]
    category: Vec<String>,
    department: Option<String>,
}

#[derive(Deserialize)]
struct Judged {
    id: String,
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

fn ndcg_at_10(ranked: &[String], judgments: &HashMap<String, u32>) -> f64 {
    let actual = dcg(ranked
        .iter()
        .take(10)
        .map(|c| f64::from(*judgments.get(c).unwrap_or(&0))));
    let mut ideal: Vec<u32> = judgments.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(ideal.into_iter().take(10).map(f64::from));
    if best == 0.0 { 0.0 } else { actual / best }
}

/// NDCG@10 of one judged set: the mean over answerable queries, the per-query and per-kind
/// report, and the answerable queries with no hit at all.
struct Evaluation {
    mean: f64,
    report: String,
    zero_hits: Vec<String>,
}

fn evaluate(index: &SearchIndex, file: &str) -> Evaluation {
    let judged: Vec<Judged> =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join(file)).unwrap()).unwrap();
    assert!(judged.len() >= 40, "{file}");
    let mut by_kind: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::new();
    let mut report = String::new();
    let mut zero_hits = Vec::new();
    for q in &judged {
        let filters = q.filters.as_ref();
        let request = SearchRequest {
            q: q.query.clone(),
            categories: filters.map(|f| f.category.clone()).unwrap_or_default(),
            department: filters.and_then(|f| f.department.clone()),
            per_page: 10,
            ..Default::default()
        };
        let response = index.search(&request).unwrap();
        let ranked: Vec<String> = response.hits.iter().map(|h| h.code.clone()).collect();
        if q.judgments.is_empty() {
            // No answer exists: reported, not scored (the engine cannot yet say so).
            report += &format!(
                "{} {:<16}   -   {} ({} hits)\n",
                q.id, q.kind, q.query, response.total
            );
            continue;
        }
        if ranked.is_empty() {
            zero_hits.push(format!("{} {}", q.id, q.query));
        }
        let score = ndcg_at_10(&ranked, &q.judgments);
        report += &format!("{} {:<16} {:.3} {}\n", q.id, q.kind, score, q.query);
        by_kind.entry(q.kind.clone()).or_default().push(score);
        all.push(score);
    }
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    report += &format!("\n{file}\nkind             queries  NDCG@10\n");
    for (kind, scores) in &by_kind {
        report += &format!(
            "{kind:<16} {:>7}  {:.3}\n",
            scores.len(),
            scores.iter().sum::<f64>() / scores.len() as f64
        );
    }
    report += &format!("{:<16} {:>7}  {mean:.3}\n", "all", all.len());
    report += &format!("answerable queries with no hit: {}\n", zero_hits.len());
    Evaluation {
        mean,
        report,
        zero_hits,
    }
}

#[test]
fn ndcg_at_10_on_judged_queries() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let db = Database::open(&t.url).unwrap();
    import_file(&db, "demo/items/guangan-511602-services.ndjson");
    let index = SearchIndex::open(&t.dir.path().join("index"), analysis(), true).unwrap();
    index.catch_up(&db).unwrap();

    let development = evaluate(&index, "indexer/tests/relevance/queries.json");
    let held_out = evaluate(&index, "indexer/tests/relevance/heldout/queries.json");
    eprintln!("{}\n{}", development.report, held_out.report);
    eprintln!(
        "NDCG@10: development {:.3}, held-out {:.3}, gap {:.3}; held-out answerable queries without a hit: {}",
        development.mean,
        held_out.mean,
        development.mean - held_out.mean,
        held_out.zero_hits.len()
    );
    assert!(
        development.mean >= MIN_MEAN_NDCG_AT_10,
        "development NDCG@10 {:.3} fell below {MIN_MEAN_NDCG_AT_10}",
        development.mean
    );
    assert!(
        held_out.mean >= MIN_HELD_OUT_NDCG_AT_10,
        "held-out NDCG@10 {:.3} fell below {MIN_HELD_OUT_NDCG_AT_10}",
        held_out.mean
    );
}
