//! Searching the item index: filters, ranking, highlighted hits, facet counts, suggestions.

use std::time::Instant;

use quanze_registry::domain::{Category, RegionCode};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur};
use tantivy::schema::Value;
use tantivy::{Order, TantivyDocument, Term};

use crate::analyzer::normalize;
use crate::error::{IndexError, Result};
pub use crate::facets::Facets;
use crate::highlight::{escape_html, highlight, highlight_window};
use crate::index::SearchIndex;
use crate::query::{Matcher, analyze_query, ranking_terms, relaxed_matcher, strict_matcher};
use crate::ranked_search::{Ranked, SearchPlan, search_ranked};
use crate::schema::SUGGEST_PREFIX_CHARS;

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
    pub score: f32,
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

        let ranking = ranking_terms(f, &analyzed);
        let run = |matching: Matcher, ranking: &[(Term, f32)]| -> Result<Ranked> {
            Ok(search_ranked(
                &searcher,
                &filters.plan(matching, ranking),
                &generation.facet_tables,
                offset,
                per_page,
            )?)
        };
        let mut relaxed = false;
        let Ranked { total, top, facets } = if req.q.trim().is_empty() {
            run(Matcher::Everything, &[])?
        } else {
            let ranked = run(strict_matcher(f, &analyzed), &ranking)?;
            let fallback = relaxed_matcher(f, &analyzed);
            if ranked.total == 0 && fallback != Matcher::Nothing {
                relaxed = true;
                run(fallback, &ranking)?
            } else {
                ranked
            }
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let name = stored_str(&doc, f.name);
            let category = stored_str(&doc, f.category);
            let name_snippet = highlight(&name, &analyzed.highlight_terms);
            let context = if name_snippet.is_none() {
                highlight_window(&stored_str(&doc, f.body), &analyzed.highlight_terms, 80)
            } else {
                None
            };
            hits.push(SearchHit {
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
            });
        }
        Ok(SearchResponse {
            total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            page,
            per_page,
            relaxed,
            hits,
            facets,
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
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(limit.clamp(1, 50))
                .order_by_fast_field::<u64>("name_len", Order::Asc),
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
