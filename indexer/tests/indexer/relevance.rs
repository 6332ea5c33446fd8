//! Relevance on real items, judged: indexer/tests/relevance/queries.json holds citizen-style
//! queries over the 1,135 real service items of 广安市广安区 with graded judgments (3 = the item
//! sought, 2 = clearly relevant, 1 = marginally). The test computes NDCG@10 and fails below
//! the level reached, so relevance never silently regresses.

use std::collections::{BTreeMap, HashMap};

use quanze_indexer::SearchIndex;
use quanze_indexer::search::SearchRequest;
use quanze_registry::Database;
use quanze_testkit::TestDatabase;
use serde::Deserialize;

use crate::{analysis, import_file, repo_root};

/// The floor: the NDCG@10 this engine reaches on the judged set, less a small margin.
const MIN_MEAN_NDCG_AT_10: f64 = 0.85;

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

#[test]
fn ndcg_at_10_on_judged_queries() {
    let judged: Vec<Judged> = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("indexer/tests/relevance/queries.json")).unwrap(),
    )
    .unwrap();
    assert!(judged.len() >= 40);
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let db = Database::open(&t.url).unwrap();
    import_file(&db, "demo/items/guangan-511602-services.ndjson");
    let index = SearchIndex::open(&t.dir.path().join("index"), analysis(), true).unwrap();
    index.catch_up(&db).unwrap();

    let mut by_kind: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::new();
    let mut report = String::new();
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
        let score = ndcg_at_10(&ranked, &q.judgments);
        report += &format!("{} {:<16} {:.3} {}\n", q.id, q.kind, score, q.query);
        by_kind.entry(q.kind.clone()).or_default().push(score);
        all.push(score);
    }
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    report += "\nkind             queries  NDCG@10\n";
    for (kind, scores) in &by_kind {
        report += &format!(
            "{kind:<16} {:>7}  {:.3}\n",
            scores.len(),
            scores.iter().sum::<f64>() / scores.len() as f64
        );
    }
    report += &format!("{:<16} {:>7}  {mean:.3}\n", "all", all.len());
    eprintln!("{report}");
    assert!(
        mean >= MIN_MEAN_NDCG_AT_10,
        "mean NDCG@10 {mean:.3} fell below {MIN_MEAN_NDCG_AT_10}\n{report}"
    );
}
