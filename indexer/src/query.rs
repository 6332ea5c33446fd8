//! Builds tantivy queries from what a citizen typed. User text never reaches tantivy's query
//! syntax: it is analysed into terms and the query is assembled from term queries.
//!
//! For each variant of the query (the original and its synonym rewrites) a document matches
//! strictly when it contains every query word (in name, department, law or body), or when its
//! name contains most of the query's character bigrams (recall across jieba's segmentation
//! differences). A leading part of an item code matches the code directly. The best variant
//! scores the document. Only when nothing matches strictly does the relaxed query run: half of
//! the words are enough.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use crate::analyzer::{ChineseAnalyzer, bigram_tokens, normalize};
use crate::schema::ItemFields;
use crate::synonyms::Synonyms;

/// Function words and question words dropped from queries (怎么办理 … 吗): they carry no topic.
const QUERY_STOPWORDS: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "我",
    "我们",
    "你",
    "您",
    "要",
    "想",
    "需要",
    "怎么",
    "怎样",
    "如何",
    "什么",
    "哪里",
    "哪儿",
    "哪个",
    "在",
    "去",
    "到",
    "办",
    "办理",
    "有",
    "没有",
    "是",
    "可以",
    "能",
    "能否",
    "请问",
    "一下",
    "和",
    "与",
    "及",
    "或",
    "为",
    "对",
    "给",
    "找",
    "谁",
    "多少",
    "几",
    "个",
    "该",
    "应该",
    "得",
    "么",
    "怎么办",
    "证",
    "手续",
    "流程",
    "材料",
];

/// Longest query text analysed, in characters; the rest is ignored (a 10 KB paste must not
/// become a 10,000-clause query).
pub const MAX_QUERY_CHARS: usize = 100;

/// The analysed query: its variants' words and bigrams, and the terms to highlight.
pub struct AnalyzedQuery {
    pub variants: Vec<QueryVariant>,
    /// The query itself when it looks like (part of) an item code, lower-cased.
    pub code: Option<String>,
    pub highlight_terms: Vec<String>,
}

/// Most bigram clauses a query gets (about ten characters of text).
pub const MAX_BIGRAM_CLAUSES: usize = 10;

pub struct QueryVariant {
    /// The query as typed (not a synonym rewrite).
    pub original: bool,
    /// Each query word with the parts that may stand in for it (see
    /// [`ChineseAnalyzer::covering_parts`]).
    pub words: Vec<(String, Vec<String>)>,
    pub bigrams: Vec<String>,
}

pub fn analyze_query(text: &str, analyzer: &ChineseAnalyzer, synonyms: &Synonyms) -> AnalyzedQuery {
    let clipped: String = text.chars().take(MAX_QUERY_CHARS).collect();
    let normalized = normalize(&clipped);
    let trimmed = clipped.trim();
    let code = (trimmed.len() >= 4
        && trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && trimmed.chars().any(|c| c.is_ascii_digit()))
    .then(|| trimmed.to_ascii_lowercase());
    let mut variants = Vec::new();
    let mut highlight_terms: Vec<String> = Vec::new();
    for (i, v) in synonyms.variants(&normalized).into_iter().enumerate() {
        let mut words: Vec<String> = analyzer
            .query_words(&v)
            .into_iter()
            .filter(|w| !QUERY_STOPWORDS.contains(&w.as_str()))
            .collect();
        words.dedup();
        let bigrams: Vec<String> = bigram_tokens(&v).into_iter().map(|t| t.text).collect();
        highlight_terms.extend(
            words
                .iter()
                .filter(|w| w.chars().count() > 1 || !w.is_ascii())
                .cloned(),
        );
        let words: Vec<(String, Vec<String>)> = words
            .into_iter()
            .map(|w| {
                let parts = analyzer.covering_parts(&w);
                highlight_terms.extend(parts.iter().cloned());
                (w, parts)
            })
            .collect();
        highlight_terms.extend(bigrams.iter().filter(|b| b.chars().count() > 1).cloned());
        if !words.is_empty() || !bigrams.is_empty() {
            variants.push(QueryVariant {
                original: i == 0,
                words,
                bigrams,
            });
        }
    }
    highlight_terms.sort();
    highlight_terms.dedup();
    AnalyzedQuery {
        variants,
        code,
        highlight_terms,
    }
}

fn term_query(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

/// One query word anywhere — itself, or all of its covering parts (scored a little lower).
fn word_or_parts(f: &ItemFields, word: &(String, Vec<String>)) -> Box<dyn Query> {
    let whole = word_anywhere(f, &word.0);
    if word.1.is_empty() {
        return whole;
    }
    let parts: Vec<(Occur, Box<dyn Query>)> = word
        .1
        .iter()
        .map(|p| (Occur::Must, word_anywhere(f, p)))
        .collect();
    Box::new(DisjunctionMaxQuery::new(vec![
        whole,
        boosted(Box::new(BooleanQuery::new(parts)), 0.8),
    ]))
}

/// One word anywhere: it must be in `all_text`; being in the name or the department adds
/// score (name ≫ department).
fn word_anywhere(f: &ItemFields, word: &str) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, term_query(f.all_text, word)),
        (Occur::Should, boosted(term_query(f.name, word), 4.0)),
        (Occur::Should, boosted(term_query(f.department, word), 2.0)),
    ]))
}

fn strict_variant(f: &ItemFields, v: &QueryVariant) -> Option<Box<dyn Query>> {
    let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !v.words.is_empty() {
        let all_words: Vec<(Occur, Box<dyn Query>)> = v
            .words
            .iter()
            .map(|w| (Occur::Must, word_or_parts(f, w)))
            .collect();
        alternatives.push((Occur::Should, Box::new(BooleanQuery::new(all_words))));
    }
    // The bigram path rescues short queries that jieba segments differently from the names;
    // for long queries (and synonym rewrites) the words decide, and skipping it keeps the
    // cost of a pasted item name bounded.
    if !v.bigrams.is_empty() && v.bigrams.len() <= MAX_BIGRAM_CLAUSES && v.original {
        let n = v.bigrams.len();
        let required = if n <= 2 { n } else { (n * 3).div_ceil(4) };
        let mut seen = Vec::new();
        let clauses: Vec<(Occur, Box<dyn Query>)> = v
            .bigrams
            .iter()
            .filter(|b| {
                let new = !seen.contains(*b);
                seen.push((*b).clone());
                new
            })
            .map(|b| (Occur::Should, term_query(f.name_bigram, b)))
            .collect();
        let required = required.min(clauses.len());
        alternatives.push((
            Occur::Should,
            boosted(
                Box::new(BooleanQuery::with_minimum_required_clauses(
                    clauses, required,
                )),
                1.5,
            ),
        ));
    }
    (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
}

fn code_query(f: &ItemFields, code: &str) -> Box<dyn Query> {
    boosted(term_query(f.code_prefix, code), 50.0)
}

/// The strict query, or `None` for a query with nothing searchable in it.
pub fn strict_query(f: &ItemFields, q: &AnalyzedQuery) -> Option<Box<dyn Query>> {
    let mut variants: Vec<Box<dyn Query>> = q
        .variants
        .iter()
        .filter_map(|v| strict_variant(f, v))
        .collect();
    if let Some(code) = &q.code {
        variants.push(code_query(f, code));
    }
    match variants.len() {
        0 => None,
        1 => variants.pop(),
        _ => Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(
            variants, 0.05,
        ))),
    }
}

/// The relaxed fallback: at least half of the words of some variant.
pub fn relaxed_query(f: &ItemFields, q: &AnalyzedQuery) -> Option<Box<dyn Query>> {
    let variants: Vec<Box<dyn Query>> = q
        .variants
        .iter()
        .filter(|v| !v.words.is_empty())
        .map(|v| {
            let clauses: Vec<(Occur, Box<dyn Query>)> = v
                .words
                .iter()
                .map(|w| (Occur::Should, word_or_parts(f, w)))
                .collect();
            let required = v.words.len().div_ceil(2);
            Box::new(BooleanQuery::with_minimum_required_clauses(
                clauses, required,
            )) as Box<dyn Query>
        })
        .collect();
    (!variants.is_empty()).then(|| Box::new(DisjunctionMaxQuery::new(variants)) as Box<dyn Query>)
}
