//! A citizen's query through the analyzer (NFKC, Traditional → Simplified, jieba, bigrams,
//! synonyms) and the matchers built from it: any text, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quanze_indexer::index::Analysis;
use quanze_indexer::query::{analyze_query, ranking_terms, relaxed_matcher, strict_matcher};

static ANALYSIS: OnceLock<Analysis> = OnceLock::new();

fuzz_target!(|text: &str| {
    let a = ANALYSIS.get_or_init(|| Analysis::load(None).expect("the built-in dictionary loads"));
    let q = analyze_query(text, &a.analyzer, &a.synonyms);
    let _ = strict_matcher(&a.fields, &q);
    let _ = relaxed_matcher(&a.fields, &q);
    let _ = ranking_terms(&a.fields, &q);
});
