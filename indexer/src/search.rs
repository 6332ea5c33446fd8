//! Searching the item index: filters, ranking, highlighted hits, facet counts, suggestions.

use std::time::Instant;

use quanze_registry::domain::{Category, RegionCode};
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use crate::analyzer::normalize;
use crate::error::{IndexError, Result};
use crate::facets::FacetCounter;
pub use crate::facets::Facets;
use crate::highlight::{escape_html, highlight, highlight_window};
use crate::index::SearchIndex;
use crate::query::{analyze_query, relaxed_query, strict_query};
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

/// Total, the requested page of (score, address), and facet counts.
type Ranked = (usize, Vec<(f32, DocAddress)>, Facets);

fn invalid(parameter: &'static str, message: impl Into<String>) -> IndexError {
    IndexError::InvalidParameter {
        parameter,
        message: message.into(),
    }
}

fn filter_term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

/// Every word of `text` must be in `field` (for name-like filters).
fn all_words_filter(
    index: &SearchIndex,
    field: tantivy::schema::Field,
    text: &str,
) -> Option<Box<dyn Query>> {
    let words = index.analysis.analyzer.query_words(text);
    if words.is_empty() {
        return None;
    }
    Some(Box::new(BooleanQuery::new(
        words
            .iter()
            .map(|w| (Occur::Must, filter_term(field, w)))
            .collect(),
    )))
}

fn filters(index: &SearchIndex, req: &SearchRequest) -> Result<Vec<Box<dyn Query>>> {
    let f = &index.analysis.fields;
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let status = req
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("published");
    match status {
        "published" | "revoked" => out.push(filter_term(f.status, status)),
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
            any.push((Occur::Should, filter_term(f.category, category.key())));
        }
        out.push(Box::new(BooleanQuery::new(any)));
    }
    if let Some(d) = req
        .department
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match d.parse::<u64>() {
            Ok(id) => out.push(Box::new(TermQuery::new(
                Term::from_field_u64(f.department_id, id),
                IndexRecordOption::Basic,
            ))),
            Err(_) => match all_words_filter(index, f.department, d) {
                Some(q) => out.push(q),
                None => return Err(invalid("department", "give a department id or name")),
            },
        }
    }
    if let Some(r) = req
        .region
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let code = RegionCode::parse(r).map_err(|m| invalid("region", m))?;
        out.push(filter_term(f.region, code.as_str()));
    }
    if let Some(l) = req
        .level
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let level = quanze_registry::domain::ExerciseLevel::parse(l).ok_or_else(|| {
            invalid(
                "level",
                format!(
                    "{l:?} is not one of {}",
                    quanze_registry::domain::ExerciseLevel::expected()
                ),
            )
        })?;
        out.push(filter_term(f.level, level.as_str()));
    }
    if let Some(l) = req.law.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        match l.parse::<u64>() {
            Ok(id) => out.push(Box::new(TermQuery::new(
                Term::from_field_u64(f.law_id, id),
                IndexRecordOption::Basic,
            ))),
            Err(_) => match all_words_filter(index, f.law, l) {
                Some(q) => out.push(q),
                None => return Err(invalid("law", "give a law id or title")),
            },
        }
    }
    Ok(out)
}

fn with_filters(main: Box<dyn Query>, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    if filters.is_empty() {
        return main;
    }
    let mut clauses = vec![(Occur::Must, main)];
    for f in filters {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(f.box_clone(), 0.0)) as Box<dyn Query>,
        ));
    }
    Box::new(BooleanQuery::new(clauses))
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

        // One pass over the matches collects the page, the total and the facet counts.
        let run = |main: Box<dyn Query>| -> Result<Ranked> {
            let query = with_filters(main, &filters);
            let (top, total, facets) = searcher.search(
                &query,
                &(
                    TopDocs::with_limit(per_page)
                        .and_offset(offset)
                        .order_by_score(),
                    Count,
                    FacetCounter,
                ),
            )?;
            Ok((total, top, facets))
        };
        let mut relaxed = false;
        let (total, top, facets) = if req.q.trim().is_empty() {
            run(Box::new(AllQuery))?
        } else {
            match strict_query(f, &analyzed) {
                None => run(Box::new(tantivy::query::EmptyQuery))?,
                Some(strict) => {
                    let ranked = run(strict)?;
                    match (ranked.0, relaxed_query(f, &analyzed)) {
                        (0, Some(fallback)) => {
                            relaxed = true;
                            run(fallback)?
                        }
                        _ => ranked,
                    }
                }
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
            (Occur::Must, filter_term(f.suggest, &normalized)),
            (Occur::Must, filter_term(f.status, "published")),
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
}
