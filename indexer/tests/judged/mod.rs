//! The judged query sets (indexer/tests/relevance) and NDCG@10, shared by the relevance test
//! and the relevance benches (included with `#[path]`: a bench cannot use a test's modules).

use std::collections::HashMap;

use serde::Deserialize;

/// The filters a judged query is asked with.
#[derive(Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub category: Vec<String>,
    pub department: Option<String>,
}

/// A citizen query with graded judgments by item code (3 = what the citizen needs, 2 =
/// clearly relevant, 1 = related; none: no answer exists).
#[derive(Deserialize)]
#[allow(dead_code)] // Not every includer reads every field.
pub struct Judged {
    pub id: String,
    pub kind: String,
    pub query: String,
    pub filters: Option<Filters>,
    pub judgments: HashMap<String, u32>,
}

impl Judged {
    /// The search a citizen made: the query with its filters.
    #[allow(dead_code)] // Not every includer asks this way.
    pub fn request(&self, per_page: usize, lexical_only: bool) -> quanze_indexer::SearchRequest {
        let filters = self.filters.as_ref();
        quanze_indexer::SearchRequest {
            q: self.query.clone(),
            categories: filters.map(|f| f.category.clone()).unwrap_or_default(),
            department: filters.and_then(|f| f.department.clone()),
            per_page,
            lexical_only,
            ..Default::default()
        }
    }
}

/// Reads a judged set (a JSON array).
pub fn read(path: &std::path::Path) -> Result<Vec<Judged>, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

fn dcg(gains: impl Iterator<Item = f64>) -> f64 {
    gains
        .enumerate()
        .map(|(i, g)| (2f64.powf(g) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// NDCG@10 of a ranking of item codes.
pub fn ndcg_at_10(ranked: &[impl AsRef<str>], judgments: &HashMap<String, u32>) -> f64 {
    let actual = dcg(ranked
        .iter()
        .take(10)
        .map(|c| f64::from(*judgments.get(c.as_ref()).unwrap_or(&0))));
    let mut ideal: Vec<u32> = judgments.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(ideal.into_iter().take(10).map(f64::from));
    if best == 0.0 { 0.0 } else { actual / best }
}
