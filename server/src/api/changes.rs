//! `GET /api/v1/changes`: the public change feed, so other systems mirror the registry
//! incrementally (published / revised / revoked, in sequence order).

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams};
use crate::state::AppState;
use crate::views::rfc3339;

/// One change of what the public sees.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Change {
    /// Position in the feed; strictly increasing.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    pub item_id: i64,
    pub item_code: String,
    /// published, revised, revoked, needs_review (a law the item cites changed: the item is
    /// due for review; its content is unchanged) or relinked (a laws import changed which
    /// stored laws and articles its legal bases link to).
    pub kind: String,
    /// The item's version after the change.
    pub version: i32,
    /// Why (法规修改, 机构改革, …), when given.
    pub reason: Option<String>,
}

/// A page of the feed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Pass as `since` to get the next page (equals `since` when there is nothing new).
    pub next_since: i64,
}

/// Parameters of the feed.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeParams {
    /// Return changes after this sequence number (0, the default, starts at the beginning).
    #[param(minimum = 0, example = 0)]
    since: Option<i64>,
    /// How many changes, at most 500 (default 100).
    #[param(minimum = 1, maximum = 500, example = 100)]
    limit: Option<u32>,
}

impl RouteParams for ChangeParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(ChangeParams {
            since: q.whole("since", 0, i64::MAX)?,
            limit: q.number("limit", 1, 500)?,
        })
    }
}

/// The change feed.
///
/// Changes to published items in sequence order. Mirror the registry by reading from
/// `since=0` and then from each page's `next_since`.
#[utoipa::path(
    tag = "changes",
    params(ChangeParams),
    responses(
        (status = 200, description = "A page of changes", body = ChangePage),
        (status = 400, description = "`since` or `limit` is malformed")
    )
)]
#[get("/changes")]
pub async fn changes(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = ChangeParams::from_query(req.query_string())?;
    let since = p.since.unwrap_or(0);
    let limit = p.limit.map_or(100, |n| n as usize);
    let rows = state
        .with_conn(move |conn| {
            Ok(quanze_registry::repo::history::outbox_since(
                conn,
                since,
                limit as i64,
            )?)
        })
        .await?;
    let next_since = rows.last().map(|r| r.seq).unwrap_or(since);
    let changes = rows
        .into_iter()
        .map(|r| Change {
            seq: r.seq,
            at: rfc3339(r.at),
            item_id: r.item_id,
            item_code: r.item_code,
            kind: r.kind,
            version: r.version,
            reason: r.reason,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ChangePage {
        changes,
        next_since,
    }))
}
