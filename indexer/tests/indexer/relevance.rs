//! Relevance on real items, judged: indexer/tests/relevance/queries.json (the development set)
//! and indexer/tests/relevance/heldout/queries.json (written by someone who never saw the
//! vocabularies; see its README) hold citizen queries over the 1,135 real service items of
//! 广安市广安区 with graded judgments (3 = the item sought, 2 = clearly relevant, 1 =
//! marginally). The test computes NDCG@10 on both, prints them per kind side by side, and fails
//! below the levels reached, so relevance never silently regresses.

use std::collections::BTreeMap;

use quanze_indexer::SearchIndex;
use quanze_testkit::TestDatabase;

use crate::judged::{Judged, ndcg_at_10};
use crate::{guangan_hybrid_index, repo_root};

/// The floor: the NDCG@10 words alone reach on the development set, less a small margin.
const MIN_MEAN_NDCG_AT_10: f64 = 0.85;
/// The floor on the held-out set for words alone: 0.166 when the set arrived (2026-12-04;
/// questions in everyday words 0.035, 69 of 89 answerable queries without a hit), less a
/// small margin.
const MIN_HELD_OUT_NDCG_AT_10: f64 = 0.15;
/// The floors of the hybrid search (words and the semantic channel): 0.899 and 0.577 when it
/// was built (2026-12-07), less a small margin — guards against regressions, not targets
/// (issue 13's is 0.80 on the held-out set).
const MIN_HYBRID_NDCG_AT_10: f64 = 0.88;
const MIN_HYBRID_HELD_OUT_NDCG_AT_10: f64 = 0.55;

/// NDCG@10 of one judged set: the mean over answerable queries, the per-query and per-kind
/// report, and the answerable queries with no hit at all.
struct Evaluation {
    mean: f64,
    report: String,
    zero_hits: Vec<String>,
    /// No-answer queries answered with `no_good_match`.
    no_answer_flagged: usize,
}

fn evaluate(index: &SearchIndex, file: &str, lexical_only: bool) -> Evaluation {
    let judged: Vec<Judged> = crate::judged::read(&repo_root().join(file)).unwrap();
    assert!(judged.len() >= 40, "{file}");
    let mut by_kind: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::new();
    let mut report = String::new();
    let mut zero_hits = Vec::new();
    let mut no_answer_flagged = 0;
    for q in &judged {
        let response = index.search(&q.request(10, lexical_only)).unwrap();
        let ranked: Vec<String> = response.hits.iter().map(|h| h.code.clone()).collect();
        if q.judgments.is_empty() {
            // No answer exists: reported, not scored.
            report += &format!(
                "{} {:<16}   -   {} ({} hits, no_good_match {})\n",
                q.id, q.kind, q.query, response.total, response.no_good_match
            );
            no_answer_flagged += usize::from(response.no_good_match);
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
    let mode = if lexical_only { "words only" } else { "hybrid" };
    report += &format!("\n{file} ({mode})\nkind             queries  NDCG@10\n");
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
        no_answer_flagged,
    }
}

#[test]
fn ndcg_at_10_on_judged_queries() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let (_db, index) = guangan_hybrid_index(&t);

    const DEVELOPMENT: &str = "indexer/tests/relevance/queries.json";
    const HELD_OUT: &str = "indexer/tests/relevance/heldout/queries.json";
    for lexical_only in [true, false] {
        let development = evaluate(&index, DEVELOPMENT, lexical_only);
        let held_out = evaluate(&index, HELD_OUT, lexical_only);
        eprintln!("{}\n{}", development.report, held_out.report);
        eprintln!(
            "NDCG@10 ({}): development {:.3}, held-out {:.3}, gap {:.3}; held-out answerable \
             queries without a hit: {}; no-answer queries flagged: development {}, held-out {}",
            if lexical_only { "words only" } else { "hybrid" },
            development.mean,
            held_out.mean,
            development.mean - held_out.mean,
            held_out.zero_hits.len(),
            development.no_answer_flagged,
            held_out.no_answer_flagged,
        );
        let (min_development, min_held_out) = if lexical_only {
            (MIN_MEAN_NDCG_AT_10, MIN_HELD_OUT_NDCG_AT_10)
        } else {
            (MIN_HYBRID_NDCG_AT_10, MIN_HYBRID_HELD_OUT_NDCG_AT_10)
        };
        assert!(
            development.mean >= min_development,
            "development NDCG@10 {:.3} fell below {min_development}",
            development.mean
        );
        assert!(
            held_out.mean >= min_held_out,
            "held-out NDCG@10 {:.3} fell below {min_held_out}",
            held_out.mean
        );
        if !lexical_only {
            // Every answerable question gets hits, and the development set's questions
            // without an answer are said to have none.
            assert!(held_out.zero_hits.is_empty(), "{:?}", held_out.zero_hits);
            assert!(
                development.zero_hits.is_empty(),
                "{:?}",
                development.zero_hits
            );
            assert_eq!(development.no_answer_flagged, 6);
        }
    }
}
