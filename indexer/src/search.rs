//! Searching the item index: filters, ranking, highlighted hits, facet counts, suggestions.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use quanze_registry::domain::{Category, RegionCode};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::collector::sort_key::SortByStaticFastValue;
use tantivy::query::{BooleanQuery, Occur};
use tantivy::schema::Value;
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use crate::analyzer::normalize;
use crate::error::{IndexError, Result};
pub use crate::facets::Facets;
use crate::facets::add_facets;
use crate::highlight::{escape_html, highlight, highlight_window};
use crate::hybrid::{FUSION_DEPTH, SemanticFilters, fuse, matching, semantic_search, tail_score};
use crate::index::SearchIndex;
use crate::query::{Matcher, analyze_query, ranking_terms, relaxed_matcher, strict_matcher};
use crate::question::Question;
use crate::ranked_search::{Ranked, SearchPlan, search_ranked};
use crate::schema::SUGGEST_PREFIX_CHARS;
use crate::semantic::Semantic;

/// Semantic hits less similar than this are left out: below it a name shares little more
/// than the language with the question. e5's cosines are compressed (unrelated Chinese texts
/// score about 0.8); on the development set, leaving out hits below 0.86 costs no NDCG and
/// keeps the total from counting 50 weak hits for every query.
const RELATED_FLOOR: f32 = 0.86;
/// A question which no item matches word for word, and whose closest item is less similar
/// than this, has no good match. Calibrated on the development set only (see the semantic
/// bench): its no-answer questions' best items score 0.866–0.885.
const GOOD_MATCH: f32 = 0.89;

/// Whether a query has Chinese words for the semantic channel: at least two Han characters.
fn has_chinese_words(q: &str) -> bool {
    q.chars()
        .filter(|c| matches!(*c as u32, 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff))
        .nth(1)
        .is_some()
}

/// Largest page size.
pub const MAX_PER_PAGE: usize = 100;
/// Deepest result reachable by paging (page × per_page).
pub const MAX_RESULT_WINDOW: usize = 10_000;

/// A search as the public API takes it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    /// Category keys, codes or Chinese names; any of them matches.
    pub categories: Vec<String>,
    /// A department id, or a department name (all its words must match).
    pub department: Option<String>,
    /// Region code; covers every region below it (510000 covers 511602).
    pub region: Option<String>,
    /// Exercise level (county, 县级 …).
    pub level: Option<String>,
    /// A stored law's id, or words of a law's title.
    pub law: Option<String>,
    /// published (default), revoked, or all.
    pub status: Option<String>,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
    /// Words only: leave the semantic channel out even when a model is loaded.
    pub lexical_only: bool,
}

/// How a hit was found.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    /// The item contains the words of the query (or all of some of them, when `relaxed`).
    Lexical,
    /// Only the semantic channel found it: its name is close in meaning to the question but
    /// does not contain the words. Shown as a related item (相关事项), not as a direct answer.
    Semantic,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchHit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub category: String,
    pub category_label: String,
    pub department: String,
    pub department_id: i64,
    pub region: String,
    pub status: String,
    /// The name with matched words in `<em>`; all other text HTML-escaped.
    pub snippet: String,
    /// Where the match is outside the name: an escaped excerpt of the item's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Orders the hits of one response (reciprocal-rank fusion when the semantic channel ran,
    /// BM25 otherwise); not comparable across queries.
    pub score: f32,
    /// How the hit was found.
    #[serde(rename = "match")]
    pub match_kind: MatchKind,
    /// Cosine of the question and the item's name (e5 vectors), when the semantic channel ran
    /// and ranked this item among its best.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f32>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchResponse {
    pub total: usize,
    pub took_ms: f64,
    pub page: usize,
    pub per_page: usize,
    /// True when nothing matched every word and the hits match only some of them.
    pub relaxed: bool,
    /// True when the semantic channel ran for this query (a model is loaded and the query is
    /// words, not a code).
    pub semantic: bool,
    /// True when nothing matches the query well: no item contains all its words and none is
    /// close in meaning. The hits, if any, are only related (相关事项).
    pub no_good_match: bool,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    pub id: i64,
    pub code: String,
    pub name: String,
}

fn invalid(parameter: &'static str, message: impl Into<String>) -> IndexError {
    IndexError::InvalidParameter {
        parameter,
        message: message.into(),
    }
}

/// Every word of `text` must be in `field` (for name-like filters).
fn all_words(index: &SearchIndex, field: tantivy::schema::Field, text: &str) -> Option<Matcher> {
    let words = index.analysis.analyzer.query_words(text);
    (!words.is_empty()).then(|| Matcher::all(words.iter().map(|w| Matcher::text(field, w))))
}

/// The filters of a request: what a match must also contain, and terms it must not.
#[derive(Default)]
struct Filters {
    require: Vec<Matcher>,
    exclude: Vec<Term>,
}

impl Filters {
    /// The filters alone, for the semantic channel.
    fn semantic(&self) -> SemanticFilters {
        SemanticFilters {
            require: self
                .require
                .iter()
                .cloned()
                .map(Matcher::into_query)
                .collect(),
            exclude: self.exclude.clone(),
        }
    }

    /// `main` narrowed by the filters: what to search for, ranked by `ranking`. A union's
    /// alternatives are searched each on its own.
    fn plan<'a>(&'a self, main: Matcher, ranking: &'a [(Term, f32)]) -> SearchPlan<'a> {
        let alternatives =
            match Matcher::all(std::iter::once(main).chain(self.require.iter().cloned())) {
                Matcher::Any(alternatives) => {
                    alternatives.into_iter().map(Matcher::into_query).collect()
                }
                one => vec![one.into_query()],
            };
        SearchPlan {
            alternatives,
            excluded: &self.exclude,
            ranking,
        }
    }
}

fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn filters(index: &SearchIndex, req: &SearchRequest) -> Result<Filters> {
    let f = &index.analysis.fields;
    let mut out = Filters::default();
    match non_blank(&req.status).unwrap_or("published") {
        // Only published and revoked items are indexed, and excluding the few revoked ones
        // is cheaper than intersecting with the many published ones.
        "published" => out.exclude.push(Term::from_field_text(f.status, "revoked")),
        "revoked" => out.require.push(Matcher::text(f.status, "revoked")),
        "all" => {}
        other => {
            return Err(invalid(
                "status",
                format!("{other:?} is not one of published, revoked, all"),
            ));
        }
    }
    if !req.categories.is_empty() {
        let mut any = Vec::new();
        for c in &req.categories {
            let category = Category::parse(c)
                .ok_or_else(|| invalid("category", format!("{c:?} is not a category")))?;
            any.push(Matcher::text(f.category, category.key()));
        }
        out.require.push(Matcher::any(any));
    }
    if let Some(d) = non_blank(&req.department) {
        out.require.push(match d.parse::<u64>() {
            Ok(id) => Matcher::Term(Term::from_field_u64(f.department_id, id)),
            Err(_) => all_words(index, f.department, d)
                .ok_or_else(|| invalid("department", "give a department id or name"))?,
        });
    }
    if let Some(r) = non_blank(&req.region) {
        let code = RegionCode::parse(r).map_err(|m| invalid("region", m))?;
        out.require.push(Matcher::text(f.region, code.as_str()));
    }
    if let Some(l) = non_blank(&req.level) {
        let level = quanze_registry::domain::ExerciseLevel::parse(l).ok_or_else(|| {
            invalid(
                "level",
                format!(
                    "{l:?} is not one of {}",
                    quanze_registry::domain::ExerciseLevel::expected()
                ),
            )
        })?;
        out.require.push(Matcher::text(f.level, level.as_str()));
    }
    if let Some(l) = non_blank(&req.law) {
        out.require.push(match l.parse::<u64>() {
            Ok(id) => Matcher::Term(Term::from_field_u64(f.law_id, id)),
            Err(_) => all_words(index, f.law, l)
                .ok_or_else(|| invalid("law", "give a law id or title"))?,
        });
    }
    Ok(out)
}

fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn stored_u64(doc: &TantivyDocument, field: tantivy::schema::Field) -> u64 {
    doc.get_first(field)
        .and_then(|v| v.as_u64())
        .unwrap_or_default()
}

impl SearchIndex {
    /// Runs a search. Any text is accepted as `q`; bad filter values are
    /// [`IndexError::InvalidParameter`].
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse> {
        let started = Instant::now();
        let per_page = req.per_page.clamp(1, MAX_PER_PAGE);
        let page = req.page.max(1);
        let offset = (page - 1) * per_page;
        if offset + per_page > MAX_RESULT_WINDOW {
            return Err(invalid(
                "page",
                format!(
                    "results beyond the first {MAX_RESULT_WINDOW} cannot be paged to; narrow the search"
                ),
            ));
        }
        let f = &self.analysis.fields;
        let filters = filters(self, req)?;
        let analyzed = analyze_query(&req.q, &self.analysis.analyzer, &self.analysis.synonyms);
        let generation = self.live();
        let searcher = generation.reader.searcher();
        let question = self.question_vector(req);
        // With the semantic channel the lexical head is fetched whole, to be fused.
        let (window_offset, window_len) = match question {
            Some(_) => (0, FUSION_DEPTH),
            None => (offset, per_page),
        };

        let ranking = ranking_terms(f, &analyzed);
        let run = |matching: &Matcher, offset: usize, limit: usize| -> Result<Ranked> {
            Ok(search_ranked(
                &searcher,
                &filters.plan(matching.clone(), &ranking),
                &generation.facet_tables,
                offset,
                limit,
            )?)
        };
        let mut relaxed = false;
        let (matcher, lexical) = if req.q.trim().is_empty() {
            let everything = Matcher::Everything;
            let ranked = run(&everything, window_offset, window_len)?;
            (everything, ranked)
        } else {
            let strict = strict_matcher(f, &analyzed);
            let ranked = run(&strict, window_offset, window_len)?;
            let fallback = relaxed_matcher(f, &analyzed);
            if ranked.total == 0 && fallback != Matcher::Nothing {
                relaxed = true;
                let ranked = run(&fallback, window_offset, window_len)?;
                (fallback, ranked)
            } else {
                (strict, ranked)
            }
        };
        let words_found = !relaxed && lexical.total > 0;
        let hit = |score: f32, address, match_kind, similarity| {
            self.hit(
                &searcher,
                &analyzed.highlight_terms,
                address,
                score,
                match_kind,
                similarity,
            )
        };

        let Some((semantic, question, asks_for_follow_up)) = question else {
            let hits = lexical
                .top
                .into_iter()
                .map(|(score, address)| hit(score, address, MatchKind::Lexical, None))
                .collect::<Result<Vec<_>>>()?;
            return Ok(SearchResponse {
                total: lexical.total,
                took_ms: started.elapsed().as_secs_f64() * 1000.0,
                page,
                per_page,
                relaxed,
                semantic: false,
                // Words alone: partial matches are said by `relaxed`; nothing at all by this.
                no_good_match: !req.q.trim().is_empty() && lexical.total == 0,
                hits,
                facets: lexical.facets,
            });
        };

        let close = semantic_search(
            &searcher,
            f,
            semantic.store(),
            &question,
            &filters.semantic(),
            FUSION_DEPTH,
            !asks_for_follow_up,
        )?;
        let similarity: HashMap<DocAddress, f32> = close.iter().copied().collect();
        // Follow-ups may rank below their similarity: the best is not always the first.
        let best_similarity = close.iter().map(|(_, s)| *s).fold(0.0, f32::max);
        let close: Vec<(DocAddress, f32)> = close
            .into_iter()
            .filter(|(_, s)| *s >= RELATED_FLOOR)
            .collect();
        let head: Vec<DocAddress> = lexical.top.iter().map(|(_, a)| *a).collect();
        let head_set: HashSet<DocAddress> = head.iter().copied().collect();
        // Only when the words match more than the head can a semantic hit outside the head
        // contain them.
        let word_matches = if lexical.total > head.len() {
            let outside: Vec<DocAddress> = close
                .iter()
                .map(|(a, _)| *a)
                .filter(|a| !head_set.contains(a))
                .collect();
            matching(
                &searcher,
                &filters.plan(matcher.clone(), &ranking).alternatives,
                &outside,
            )?
        } else {
            HashSet::new()
        };
        let fused = fuse(&head, &close, &word_matches);
        let semantic_only: Vec<DocAddress> = fused
            .iter()
            .filter(|h| h.semantic_only)
            .map(|h| h.address)
            .collect();
        let mut facets = lexical.facets;
        add_facets(
            &mut facets,
            &searcher,
            &generation.facet_tables,
            &semantic_only,
        )?;

        let mut hits = Vec::with_capacity(per_page);
        for h in fused.iter().skip(offset).take(per_page) {
            let kind = if h.semantic_only {
                MatchKind::Semantic
            } else {
                MatchKind::Lexical
            };
            hits.push(hit(
                h.score,
                h.address,
                kind,
                similarity.get(&h.address).copied(),
            )?);
        }
        // Past the fused head the lexical order continues where its head ended.
        let wanted = per_page - hits.len();
        if wanted > 0 && lexical.total > head.len() {
            let tail_from = head.len() + offset.saturating_sub(fused.len());
            let tail = run(&matcher, tail_from, wanted)?;
            for (i, (_, address)) in tail.top.into_iter().enumerate() {
                hits.push(hit(
                    tail_score(tail_from + i),
                    address,
                    MatchKind::Lexical,
                    None,
                )?);
            }
        }
        Ok(SearchResponse {
            total: lexical.total + semantic_only.len(),
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            page,
            per_page,
            relaxed,
            semantic: true,
            no_good_match: !words_found && best_similarity < GOOD_MATCH,
            hits,
            facets,
        })
    }

    /// The question's vector when the semantic channel should run: a model is loaded, the
    /// request allows it, and the query has words in Chinese (codes, numbers and Latin
    /// letters alone are the lexical channel's: the model knows nothing of codes).
    /// With it, whether the question asks for a follow-up step.
    fn question_vector(&self, req: &SearchRequest) -> Option<(&Semantic, Arc<[f32]>, bool)> {
        let semantic = self.semantic()?;
        if req.lexical_only || !has_chinese_words(&req.q) {
            return None;
        }
        let question = Question::read(&req.q, &self.analysis.synonyms);
        Some((
            semantic,
            semantic.query_vector(&question.text),
            question.asks_for_follow_up,
        ))
    }

    /// One hit as the API shows it: stored fields, the name highlighted, and where the words
    /// are found outside the name an excerpt of the text.
    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        highlight_terms: &[String],
        address: DocAddress,
        score: f32,
        match_kind: MatchKind,
        similarity: Option<f32>,
    ) -> Result<SearchHit> {
        let f = &self.analysis.fields;
        let doc: TantivyDocument = searcher.doc(address)?;
        let name = stored_str(&doc, f.name);
        let category = stored_str(&doc, f.category);
        let name_snippet = highlight(&name, highlight_terms);
        let context = if name_snippet.is_none() {
            highlight_window(&stored_str(&doc, f.body), highlight_terms, 80)
        } else {
            None
        };
        Ok(SearchHit {
            id: stored_u64(&doc, f.id) as i64,
            code: stored_str(&doc, f.code),
            snippet: name_snippet.unwrap_or_else(|| escape_html(&name)),
            name,
            category_label: Category::label_of(&category),
            category,
            department: stored_str(&doc, f.department),
            department_id: stored_u64(&doc, f.department_id) as i64,
            region: stored_str(&doc, f.region_code),
            status: stored_str(&doc, f.status),
            context,
            score,
            match_kind,
            similarity,
        })
    }

    /// Up to `limit` published item names starting with `prefix` (normalised: Traditional
    /// and full-width input complete too), shortest first.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<Suggestion>> {
        let f = &self.analysis.fields;
        let normalized: String = normalize(prefix)
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(SUGGEST_PREFIX_CHARS)
            .collect();
        if normalized.is_empty() {
            return Ok(Vec::new());
        }
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Matcher::text(f.suggest, &normalized).into_query(),
            ),
            (
                Occur::MustNot,
                Matcher::text(f.status, "revoked").into_query(),
            ),
        ]);
        let searcher = self.live().reader.searcher();
        // Shortest names first; among equal lengths (the same name in many places) the
        // lower item id, so that every server suggests the same.
        let by_length_then_id = (
            (
                SortByStaticFastValue::<u64>::for_field("name_len"),
                Order::Asc,
            ),
            (
                SortByStaticFastValue::<u64>::for_field(crate::schema::ITEM_ID),
                Order::Asc,
            ),
        );
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(limit.clamp(1, 50)).order_by(by_length_then_id),
        )?;
        let mut out = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            out.push(Suggestion {
                id: stored_u64(&doc, f.id) as i64,
                code: stored_str(&doc, f.code),
                name: stored_str(&doc, f.name),
            });
        }
        Ok(out)
    }

    /// Number of searchable documents (published and revoked items).
    pub fn document_count(&self) -> u64 {
        self.live().reader.searcher().num_docs()
    }

    /// Number of segments of the live generation (each is searched on its own; see
    /// `QUANZE_SEARCH_THREADS`).
    pub fn segment_count(&self) -> usize {
        self.live().reader.searcher().segment_readers().len()
    }
}
