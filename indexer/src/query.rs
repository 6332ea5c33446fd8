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

/// A query word and the parts that may stand in for it (see
/// [`ChineseAnalyzer::covering_parts`]).
pub struct Word {
    pub text: String,
    pub parts: Vec<String>,
}

/// What the query must contain, piece by piece.
pub enum Segment {
    Word(Word),
    /// A synonym term: any one of the alternatives (each a list of words, all required).
    Choice(Vec<Vec<Word>>),
}

/// The analysed query.
pub struct AnalyzedQuery {
    pub segments: Vec<Segment>,
    /// Character bigrams of the query as typed.
    pub bigrams: Vec<String>,
    /// The query itself when it looks like (part of) an item code, lower-cased.
    pub code: Option<String>,
    pub highlight_terms: Vec<String>,
}

/// Most bigram clauses a query gets (about ten characters of text).
pub const MAX_BIGRAM_CLAUSES: usize = 10;

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
    let mut highlight_terms: Vec<String> = Vec::new();
    let mut words_of = |text: &str| -> Vec<Word> {
        let mut words: Vec<String> = analyzer
            .query_words(text)
            .into_iter()
            .filter(|w| !QUERY_STOPWORDS.contains(&w.as_str()))
            .collect();
        words.dedup();
        words
            .into_iter()
            .map(|w| {
                let parts = analyzer.covering_parts(&w);
                if w.chars().count() > 1 || !w.is_ascii() {
                    highlight_terms.push(w.clone());
                }
                highlight_terms.extend(parts.iter().cloned());
                Word { text: w, parts }
            })
            .collect()
    };
    let mut segments = Vec::new();
    for piece in synonyms.segments(&normalized) {
        if piece.alternatives.is_empty() {
            segments.extend(words_of(&piece.text).into_iter().map(Segment::Word));
            continue;
        }
        let options: Vec<Vec<Word>> = std::iter::once(&piece.text)
            .chain(piece.alternatives.iter())
            .map(|t| words_of(t))
            .filter(|w| !w.is_empty())
            .collect();
        if !options.is_empty() {
            segments.push(Segment::Choice(options));
        }
    }
    let bigrams: Vec<String> = bigram_tokens(&normalized)
        .into_iter()
        .map(|t| t.text)
        .collect();
    highlight_terms.extend(bigrams.iter().filter(|b| b.chars().count() > 1).cloned());
    highlight_terms.sort();
    highlight_terms.dedup();
    AnalyzedQuery {
        segments,
        bigrams,
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
fn word_or_parts(f: &ItemFields, word: &Word) -> Box<dyn Query> {
    let whole = word_anywhere(f, &word.text);
    if word.parts.is_empty() {
        return whole;
    }
    let parts: Vec<(Occur, Box<dyn Query>)> = word
        .parts
        .iter()
        .map(|p| (Occur::Must, word_anywhere(f, p)))
        .collect();
    Box::new(DisjunctionMaxQuery::new(vec![
        whole,
        boosted(Box::new(BooleanQuery::new(parts)), 0.8),
    ]))
}

/// A segment: the word, or the best of the synonym alternatives.
fn segment_query(f: &ItemFields, segment: &Segment) -> Box<dyn Query> {
    match segment {
        Segment::Word(w) => word_or_parts(f, w),
        Segment::Choice(options) => Box::new(DisjunctionMaxQuery::new(
            options
                .iter()
                .enumerate()
                .map(|(i, words)| {
                    let all: Vec<(Occur, Box<dyn Query>)> = words
                        .iter()
                        .map(|w| (Occur::Must, word_or_parts(f, w)))
                        .collect();
                    // The wording the citizen typed ranks a little above its synonyms.
                    boosted(
                        Box::new(BooleanQuery::new(all)),
                        if i == 0 { 1.0 } else { 0.9 },
                    )
                })
                .collect(),
        )),
    }
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

fn code_query(f: &ItemFields, code: &str) -> Box<dyn Query> {
    boosted(term_query(f.code_prefix, code), 50.0)
}

/// The strict query, or `None` for a query with nothing searchable in it: every segment
/// (name, department, law or body), or — for short queries — most of the name's bigrams, or
/// the code.
pub fn strict_query(f: &ItemFields, q: &AnalyzedQuery) -> Option<Box<dyn Query>> {
    let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !q.segments.is_empty() {
        let all: Vec<(Occur, Box<dyn Query>)> = q
            .segments
            .iter()
            .map(|s| (Occur::Must, segment_query(f, s)))
            .collect();
        alternatives.push((Occur::Should, Box::new(BooleanQuery::new(all))));
    }
    // The bigram path rescues short queries that jieba segments differently from the names;
    // for long queries the words decide, which keeps the cost of a pasted item name bounded.
    if !q.bigrams.is_empty() && q.bigrams.len() <= MAX_BIGRAM_CLAUSES {
        let mut unique = q.bigrams.clone();
        unique.sort();
        unique.dedup();
        let n = q.bigrams.len();
        let required = if n <= 2 { n } else { (n * 3).div_ceil(4) }.min(unique.len());
        let clauses: Vec<(Occur, Box<dyn Query>)> = unique
            .iter()
            .map(|b| (Occur::Should, term_query(f.name_bigram, b)))
            .collect();
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
    if let Some(code) = &q.code {
        alternatives.push((Occur::Should, code_query(f, code)));
    }
    (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
}

/// The relaxed fallback: at least half of the segments.
pub fn relaxed_query(f: &ItemFields, q: &AnalyzedQuery) -> Option<Box<dyn Query>> {
    if q.segments.is_empty() {
        return None;
    }
    let clauses: Vec<(Occur, Box<dyn Query>)> = q
        .segments
        .iter()
        .map(|s| (Occur::Should, segment_query(f, s)))
        .collect();
    let required = q.segments.len().div_ceil(2);
    Some(Box::new(BooleanQuery::with_minimum_required_clauses(
        clauses, required,
    )))
}
