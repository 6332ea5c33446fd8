//! `GET /api/v1/search` and `GET /api/v1/suggest`.

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_indexer::search::{MAX_PER_PAGE, SearchRequest};

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::params::QueryParams;

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

#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = QueryParams::parse(req.query_string());
    let request = SearchRequest {
        q: clip(p.one("q").unwrap_or_default(), MAX_Q_BYTES),
        categories: p
            .all("category")
            .into_iter()
            .filter(|c| !c.trim().is_empty())
            .collect(),
        department: p.one("department").map(str::to_string),
        region: p.one("region").map(str::to_string),
        level: p.one("level").map(str::to_string),
        law: p.one("law").map(str::to_string),
        status: p.one("status").map(str::to_string),
        page: p.positive("page", 1, 10_000)?,
        per_page: p.positive("per_page", 20, MAX_PER_PAGE)?,
    };
    let index = state.index.clone();
    let response = web::block(move || index.search(&request)).await??;
    Ok(HttpResponse::Ok().json(response))
}

#[get("/suggest")]
pub async fn suggest(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = QueryParams::parse(req.query_string());
    let prefix = clip(p.one("q").unwrap_or_default(), 256);
    let limit = p.positive("limit", 10, 10)?;
    let index = state.index.clone();
    let suggestions = web::block(move || index.suggest(&prefix, limit)).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "suggestions": suggestions })))
}
