//! `GET /api/v1/search` and `GET /api/v1/suggest`.

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_indexer::search::{MAX_PER_PAGE, SearchRequest};

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams};
use crate::state::AppState;

/// Longest `q` accepted, in bytes; longer input is cut (at a character boundary), not refused.
const MAX_Q_BYTES: usize = 10 * 1024;

fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Query parameters of the search: any `q` is taken (cut at 10 KB); filters are checked by the
/// index, which names the parameter at fault.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What the citizen typed: words, a fragment of an item name, everyday wording (的士,
    /// 驾照), Traditional or Simplified, an item code or its leading segment. Empty with
    /// filters lists items. Longer than 10 KB is cut.
    #[param(example = "網約車")]
    q: Option<String>,
    /// Category key, two-digit code or Chinese name; repeat to allow several.
    #[param(example = json!(["licensing", "行政处罚"]))]
    category: Option<Vec<String>>,
    /// A department's id, or its name.
    #[param(example = "临江市交通运输局")]
    department: Option<String>,
    /// Region code (6 or 12 digits); covers every region below it (510000 covers 511602).
    #[param(example = "510000")]
    region: Option<String>,
    /// Exercise level: national, province, city, county, township (or 国家/省/市/县/乡镇).
    #[param(example = "county")]
    level: Option<String>,
    /// A stored law's id, or words of its title.
    #[param(example = "道路运输条例")]
    law: Option<String>,
    /// published (default), revoked, or all.
    #[param(example = "published")]
    status: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 10000, example = 1)]
    page: Option<u32>,
    /// Hits per page, at most 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    per_page: Option<u32>,
    /// `false`: words only, without the semantic channel (default `true`: when a model is
    /// loaded, items close in meaning to a question join the hits, marked `"match":
    /// "semantic"`).
    #[param(example = true)]
    semantic: Option<bool>,
}

impl RouteParams for SearchParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        let category: Vec<String> = q
            .all("category")
            .into_iter()
            .filter(|c| !c.trim().is_empty())
            .collect();
        Ok(SearchParams {
            q: q.one("q").map(|s| clip(s, MAX_Q_BYTES)),
            category: (!category.is_empty()).then_some(category),
            department: q.one("department").map(str::to_string),
            region: q.one("region").map(str::to_string),
            level: q.one("level").map(str::to_string),
            law: q.one("law").map(str::to_string),
            status: q.one("status").map(str::to_string),
            page: q.number("page", 1, 10_000)?,
            per_page: q.number("per_page", 1, MAX_PER_PAGE as i64)?,
            semantic: q.flag("semantic")?,
        })
    }
}

impl SearchParams {
    /// The index's request, with the documented defaults.
    fn into_request(self) -> SearchRequest {
        SearchRequest {
            q: self.q.unwrap_or_default(),
            categories: self.category.unwrap_or_default(),
            department: self.department,
            region: self.region,
            level: self.level,
            law: self.law,
            status: self.status,
            page: self.page.map_or(1, |n| n as usize),
            per_page: self.per_page.map_or(20, |n| n as usize),
            lexical_only: self.semantic == Some(false),
        }
    }
}

/// Search published power items.
///
/// Ranks items whose name, department, legal basis or workflow text contains what was
/// typed, with synonyms of everyday wording, and returns a page of hits with highlighted
/// snippets plus facet counts by category, department and region. When the server has its
/// embedding model (`/readyz` says `"search": "hybrid"`), a query in Chinese words also runs
/// the semantic channel: items whose names are close in meaning are fused into the first 50
/// hits (reciprocal rank), those that do not contain the words marked `"match": "semantic"`;
/// `no_good_match` says that no item matches the query well and the hits are only related.
/// Any `q` is answered; malformed filters are a 400 naming the parameter.
#[utoipa::path(
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of hits with total and facet counts", body = quanze_indexer::SearchResponse),
        (status = 400, description = "A filter or paging parameter is malformed"),
        (status = 429, description = "Too many requests from this client; retry after the `Retry-After` seconds")
    )
)]
#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let request = SearchParams::from_query(req.query_string())?.into_request();
    let index = state.index.clone();
    let response = web::block(move || index.search(&request)).await??;
    Ok(HttpResponse::Ok().json(response))
}

/// Query parameters of suggestions.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// The beginning of an item name, as typed so far (Traditional input completes too).
    #[param(example = "道路货物")]
    q: Option<String>,
    /// How many completions, at most 10 (the default).
    #[param(minimum = 1, maximum = 10, example = 10)]
    limit: Option<u32>,
}

impl RouteParams for SuggestParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(SuggestParams {
            q: q.one("q").map(|s| clip(s, 256)),
            limit: q.number("limit", 1, 10)?,
        })
    }
}

/// The suggestions of a search box.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    /// Published item names starting with the prefix, shortest first.
    pub suggestions: Vec<quanze_indexer::Suggestion>,
}

/// Complete item names for a search box.
///
/// Returns up to `limit` published item names that start with `q`, shortest first.
#[utoipa::path(
    tag = "search",
    params(SuggestParams),
    responses(
        (status = 200, description = "Completions", body = Suggestions),
        (status = 400, description = "`limit` is malformed"),
        (status = 429, description = "Too many requests from this client; retry after the `Retry-After` seconds")
    )
)]
#[get("/suggest")]
pub async fn suggest(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = SuggestParams::from_query(req.query_string())?;
    let prefix = p.q.unwrap_or_default();
    let limit = p.limit.map_or(10, |n| n as usize);
    let index = state.index.clone();
    let suggestions = web::block(move || index.suggest(&prefix, limit)).await??;
    Ok(HttpResponse::Ok().json(Suggestions { suggestions }))
}
