//! Builds tantivy queries from what a citizen typed. User text never reaches tantivy's query
//! syntax: it is analysed into terms and the queries are assembled from term queries.
//!
//! Two queries per search, because deciding what matches and deciding the order are
//! different jobs (see `ranked_search`):
//! - the **matching** query: a document matches strictly when it contains every query word
//!   — through its covering parts, or one of its synonyms — in name, department, law or body,
//!   or when its name contains most of the query's character bigrams (recall across jieba's
//!   segmentation differences), or when the query is a leading part of its code. Only when
//!   nothing matches strictly does the relaxed query run: half of the words are enough.
//! - the **ranking**: a weighted sum of BM25 term scores (see [`ranking_terms`] for which).

use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, EmptyQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use crate::analyzer::{ChineseAnalyzer, bigram_tokens, normalize};
use crate::at_least::AtLeastQuery;
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

/// Most intersections an intersection of alternatives is distributed into.
const MAX_DISTRIBUTED_COMBINATIONS: usize = 12;

/// What a document must contain to match, kept as a tree until it becomes a tantivy query:
/// nested intersections and unions flatten and repeated terms drop as the tree is built, so
/// tantivy gets the flattest query with the same matches (one intersection of six posting
/// lists walks far faster than three nested pairs).
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    /// Every document (an empty query that lists).
    Everything,
    /// No document (a query with nothing searchable in it).
    Nothing,
    Term(Term),
    All(Vec<Matcher>),
    Any(Vec<Matcher>),
    /// At least this many of the parts.
    AtLeast(Vec<Matcher>, usize),
}

impl Matcher {
    pub fn text(field: tantivy::schema::Field, text: &str) -> Matcher {
        Matcher::Term(Term::from_field_text(field, text))
    }

    /// All of `parts`. Alternatives inside are distributed when there are few combinations
    /// (预约 and (出租 and 汽车 or 的士) → 预约 and 出租 and 汽车, or 预约 and 的士): a union of
    /// flat intersections, each led by its rarest term, instead of an intersection that has
    /// to seek inside a union at every candidate.
    pub fn all(parts: impl IntoIterator<Item = Matcher>) -> Matcher {
        let mut flat: Vec<Matcher> = Vec::new();
        for part in parts {
            match part {
                Matcher::All(inner) => flat.extend(inner),
                Matcher::Everything => {}
                Matcher::Nothing => return Matcher::Nothing,
                other => flat.push(other),
            }
        }
        dedup(&mut flat);
        let combinations = flat.iter().try_fold(1usize, |n, part| match part {
            Matcher::Any(options) => n.checked_mul(options.len()),
            _ => Some(n),
        });
        let has_choice = flat.iter().any(|p| matches!(p, Matcher::Any(_)));
        if has_choice
            && flat.len() > 1
            && combinations.is_some_and(|n| n <= MAX_DISTRIBUTED_COMBINATIONS)
        {
            let mut choices: Vec<Vec<Matcher>> = vec![Vec::new()];
            for part in flat {
                let options = match part {
                    Matcher::Any(options) => options,
                    other => vec![other],
                };
                choices = choices
                    .iter()
                    .flat_map(|chosen| {
                        options.iter().map(move |o| {
                            let mut next = chosen.clone();
                            next.push(o.clone());
                            next
                        })
                    })
                    .collect();
            }
            return Matcher::any(choices.into_iter().map(Matcher::all));
        }
        match flat.len() {
            0 => Matcher::Everything,
            1 => flat.pop().unwrap_or(Matcher::Everything),
            _ => Matcher::All(flat),
        }
    }

    /// What this requires, each of which it needs.
    fn requirements(&self) -> &[Matcher] {
        match self {
            Matcher::All(parts) => parts,
            other => std::slice::from_ref(other),
        }
    }

    /// Any of `parts`. An alternative that requires everything another one requires (and
    /// more) matches nothing the other does not, and is dropped: 客运 expands to 道路客运, but
    /// 客运 and 经营者 already cover 道路 and 客运 and 经营者.
    pub fn any(parts: impl IntoIterator<Item = Matcher>) -> Matcher {
        let mut flat: Vec<Matcher> = Vec::new();
        for part in parts {
            match part {
                Matcher::Any(inner) => flat.extend(inner),
                Matcher::Nothing => {}
                Matcher::Everything => return Matcher::Everything,
                other => flat.push(other),
            }
        }
        dedup(&mut flat);
        let covers = |wider: &Matcher, narrower: &Matcher| {
            wider
                .requirements()
                .iter()
                .all(|r| narrower.requirements().contains(r))
        };
        let mut i = 0;
        while i < flat.len() {
            let redundant = (0..flat.len()).any(|j| {
                j != i && covers(&flat[j], &flat[i]) && (j < i || !covers(&flat[i], &flat[j]))
            });
            if redundant {
                flat.remove(i);
            } else {
                i += 1;
            }
        }
        match flat.len() {
            0 => Matcher::Nothing,
            1 => flat.pop().unwrap_or(Matcher::Nothing),
            _ => Matcher::Any(flat),
        }
    }

    /// At least `n` of `parts`.
    pub fn at_least(parts: Vec<Matcher>, n: usize) -> Matcher {
        match n {
            0 => Matcher::Everything,
            1 => Matcher::any(parts),
            n if n >= parts.len() => Matcher::all(parts),
            n => Matcher::AtLeast(parts, n),
        }
    }

    /// The tantivy query (matching only: its scores mean nothing).
    pub fn into_query(self) -> Box<dyn Query> {
        let queries = |parts: Vec<Matcher>| parts.into_iter().map(Matcher::into_query).collect();
        match self {
            Matcher::Everything => Box::new(AllQuery),
            Matcher::Nothing => Box::new(EmptyQuery),
            Matcher::Term(t) => Box::new(TermQuery::new(t, IndexRecordOption::Basic)),
            Matcher::All(parts) => {
                let n = parts.len();
                Box::new(AtLeastQuery::new(queries(parts), n))
            }
            Matcher::AtLeast(parts, n) => Box::new(AtLeastQuery::new(queries(parts), n)),
            Matcher::Any(parts) => Box::new(BooleanQuery::new(
                queries(parts)
                    .into_iter()
                    .map(|q: Box<dyn Query>| (Occur::Should, q))
                    .collect(),
            )),
        }
    }
}

fn dedup(parts: &mut Vec<Matcher>) {
    let mut i = 0;
    while i < parts.len() {
        if parts[..i].contains(&parts[i]) {
            parts.remove(i);
        } else {
            i += 1;
        }
    }
}

/// One query word anywhere (name, department, law or body: `all_text`): the word itself, or —
/// for a long word — all of its covering parts, which also match where the index split the
/// text differently. The word itself is not asked for next to its parts: the index is
/// segmented in jieba's search mode, which stores every two-character dictionary word inside
/// a longer word beside it, so a document with the word has its parts too, and the parts
/// alone make one flat intersection, the cheapest thing to walk. (This assumes the index was
/// built with the dictionary in use: after changing `user_dict.txt`, run `quanze reindex`.)
fn word_matches(f: &ItemFields, word: &Word) -> Matcher {
    if word.parts.is_empty() {
        return Matcher::text(f.all_text, &word.text);
    }
    Matcher::all(word.parts.iter().map(|p| Matcher::text(f.all_text, p)))
}

/// A segment: the word, or any of the synonym alternatives (all of its words).
fn segment_matches(f: &ItemFields, segment: &Segment) -> Matcher {
    match segment {
        Segment::Word(w) => word_matches(f, w),
        Segment::Choice(options) => Matcher::any(
            options
                .iter()
                .map(|words| Matcher::all(words.iter().map(|w| word_matches(f, w)))),
        ),
    }
}

/// Which documents the query matches strictly: every segment (in name, department, law or
/// body), or — for short queries — most of the name's bigrams, or the code. `Nothing` for a
/// query with nothing searchable in it. Matching only: the order comes from
/// [`ranking_terms`].
pub fn strict_matcher(f: &ItemFields, q: &AnalyzedQuery) -> Matcher {
    let mut alternatives: Vec<Matcher> = Vec::new();
    if !q.segments.is_empty() {
        alternatives.push(Matcher::all(
            q.segments.iter().map(|s| segment_matches(f, s)),
        ));
    }
    // The bigram path rescues short queries that jieba segments differently from the names;
    // for long queries the words decide, which keeps the cost of a pasted item name bounded.
    let bigrams = short_query_bigrams(q);
    if !bigrams.is_empty() {
        let n = q.bigrams.len();
        let required = if n <= 2 { n } else { (n * 3).div_ceil(4) }.min(bigrams.len());
        let bigrams: Vec<Matcher> = bigrams
            .into_iter()
            .map(|b| Matcher::text(f.name_bigram, b))
            .collect();
        alternatives.push(Matcher::at_least(bigrams, required));
    }
    if let Some(code) = &q.code {
        alternatives.push(Matcher::text(f.code_prefix, code));
    }
    Matcher::any(alternatives)
}

/// The distinct bigrams of a short query (none for a long one): for long queries the words
/// decide, which keeps the cost of a pasted item name bounded.
fn short_query_bigrams(q: &AnalyzedQuery) -> Vec<&str> {
    if q.bigrams.len() > MAX_BIGRAM_CLAUSES {
        return Vec::new();
    }
    let mut unique: Vec<&str> = q.bigrams.iter().map(String::as_str).collect();
    unique.sort_unstable();
    unique.dedup();
    unique
}

/// The relaxed fallback: at least half of the segments. `Nothing` with fewer than two
/// segments: half of one is all of it, which the strict query already asked for.
pub fn relaxed_matcher(f: &ItemFields, q: &AnalyzedQuery) -> Matcher {
    if q.segments.len() < 2 {
        return Matcher::Nothing;
    }
    let parts: Vec<Matcher> = q.segments.iter().map(|s| segment_matches(f, s)).collect();
    let required = parts.len().div_ceil(2);
    Matcher::at_least(parts, required)
}

/// Weight of a word in the name, relative to the same word elsewhere: a power is best found
/// by what it is called.
const NAME_BOOST: f32 = 4.0;
/// Synonyms count a little less than the wording the citizen typed.
const SYNONYM_BOOST: f32 = 0.9;
const BIGRAM_BOOST: f32 = 1.5;
const CODE_BOOST: f32 = 50.0;

/// How matches are ordered: the sum of BM25 scores of every query term — each word (and its
/// synonyms) in `all_text` and in the name, the name's bigrams, the code — each with its
/// weight. A flat sum of term scores can be computed either way `ranked_search` needs:
/// pruned with block-max WAND, or term by term for a few documents.
///
/// What is left out, measured on the judged queries: the department name (part of
/// `all_text` already; scoring it again left NDCG@10 unchanged and cost a third of the
/// terms) and a word's covering parts (they decide matching; scoring them too left NDCG
/// unchanged and, being broad words like 登记 or 公司, made synonym-rich queries twice as
/// slow to rank).
pub fn ranking_terms(f: &ItemFields, q: &AnalyzedQuery) -> Vec<(Term, f32)> {
    let mut words: Vec<(&str, f32)> = Vec::new();
    for segment in &q.segments {
        let options: Vec<(&[Word], f32)> = match segment {
            Segment::Word(w) => vec![(std::slice::from_ref(w), 1.0)],
            Segment::Choice(options) => options
                .iter()
                .enumerate()
                .map(|(i, o)| (o.as_slice(), if i == 0 { 1.0 } else { SYNONYM_BOOST }))
                .collect(),
        };
        for (option, boost) in options {
            for w in option {
                words.push((w.text.as_str(), boost));
            }
        }
    }
    // A word that appears several times counts once, at its best.
    words.sort_by(|a, b| a.0.cmp(b.0).then(b.1.total_cmp(&a.1)));
    words.dedup_by(|later, first| later.0 == first.0);
    let mut terms = Vec::new();
    for (word, boost) in &words {
        terms.push((Term::from_field_text(f.all_text, word), *boost));
        terms.push((Term::from_field_text(f.name, word), boost * NAME_BOOST));
    }
    terms.extend(
        short_query_bigrams(q)
            .into_iter()
            .map(|b| (Term::from_field_text(f.name_bigram, b), BIGRAM_BOOST)),
    );
    if let Some(code) = &q.code {
        terms.push((Term::from_field_text(f.code_prefix, code), CODE_BOOST));
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Matcher {
        Matcher::text(tantivy::schema::Field::from_field_id(0), text)
    }

    #[test]
    fn nested_intersections_and_unions_flatten_and_repeats_drop() {
        assert_eq!(
            Matcher::all([t("a"), Matcher::all([t("b"), t("a")]), Matcher::Everything]),
            Matcher::All(vec![t("a"), t("b")])
        );
        assert_eq!(
            Matcher::any([t("a"), Matcher::any([t("b"), t("a")]), Matcher::Nothing]),
            Matcher::Any(vec![t("a"), t("b")])
        );
        assert_eq!(Matcher::all([t("a"), Matcher::Nothing]), Matcher::Nothing);
        assert_eq!(
            Matcher::any([t("a"), Matcher::Everything]),
            Matcher::Everything
        );
        assert_eq!(Matcher::all([]), Matcher::Everything);
        // a and b, or a and b and c, or b and a: a and b.
        assert_eq!(
            Matcher::any([
                Matcher::all([t("a"), t("b")]),
                Matcher::all([t("a"), t("b"), t("c")]),
                Matcher::all([t("b"), t("a")]),
                t("d"),
            ]),
            Matcher::Any(vec![Matcher::All(vec![t("a"), t("b")]), t("d")])
        );
        assert_eq!(
            Matcher::any([Matcher::all([t("a"), t("b")]), t("a")]),
            t("a")
        );
        assert_eq!(
            Matcher::at_least(vec![t("a"), t("b")], 1),
            Matcher::Any(vec![t("a"), t("b")])
        );
        assert_eq!(
            Matcher::at_least(vec![t("a"), t("b")], 2),
            Matcher::All(vec![t("a"), t("b")])
        );
    }

    #[test]
    fn alternatives_distribute_when_few() {
        // 预约 and (出租 and 汽车, or 的士)
        let m = Matcher::all([
            t("预约"),
            Matcher::any([Matcher::all([t("出租"), t("汽车")]), t("的士")]),
        ]);
        assert_eq!(
            m,
            Matcher::Any(vec![
                Matcher::All(vec![t("预约"), t("出租"), t("汽车")]),
                Matcher::All(vec![t("预约"), t("的士")]),
            ])
        );
        // 4 × 4 = 16 combinations: kept as an intersection of unions.
        let four = |p: &str| Matcher::any((0..4).map(|i| t(&format!("{p}{i}"))));
        assert!(matches!(
            Matcher::all([four("x"), four("y")]),
            Matcher::All(_)
        ));
    }
}
