//! `GET /api/v1/audit`: who did what, when, from which address, with the before and after of
//! each field. Admins see everything; reviewers see their departments.

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_registry::audit::AuditQuery;
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::params::{QueryParams, RouteParams};
use crate::state::AppState;
use crate::views::rfc3339;

/// One audit entry.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: String,
    /// The user (or `cli` operator) who acted.
    pub actor: String,
    /// The client address the request came from (`cli` for the command line).
    pub origin: String,
    /// item.create, item.update, item.revoke, draft.create, draft.update, draft.submit,
    /// draft.approve, draft.reject, draft.delete, user.create, token.create, token.revoke, …
    pub action: String,
    /// power_item, responsibility_list, user, …
    pub entity_type: String,
    /// The item code, user name, ….
    pub entity_key: String,
    pub department_id: Option<i64>,
    /// What changed: for updates `changes: {field: {before, after}}`.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// A page of the audit log.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Pass as `after` for the next page.
    pub next_after: i64,
}

/// Filters of the audit log.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only this department (a reviewer's own; admins any).
    #[param(example = 1)]
    department: Option<i64>,
    /// Only this actor's entries.
    #[param(example = "zhang.wei")]
    actor: Option<String>,
    /// Only entries at or after this time (RFC 3339).
    #[param(value_type = Option<String>, example = "2026-11-01T00:00:00Z")]
    since: Option<chrono::NaiveDateTime>,
    /// Entries after this id (from `next_after`).
    #[param(minimum = 0, example = 0)]
    after: Option<i64>,
    /// At most 500 (default 100).
    #[param(minimum = 1, maximum = 500, example = 100)]
    limit: Option<u32>,
}

impl RouteParams for AuditParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        let since = q
            .text("since", 40)
            .map(|s| {
                chrono::DateTime::parse_from_rfc3339(&s)
                    .map(|t| t.naive_utc())
                    .map_err(|_| ApiError::bad_request("since", "must be an RFC 3339 time"))
            })
            .transpose()?;
        Ok(AuditParams {
            department: q.whole("department", 1, i64::MAX)?,
            actor: q.text("actor", 100),
            since,
            after: q.whole("after", 0, i64::MAX)?,
            limit: q.number("limit", 1, 500)?,
        })
    }
}

/// The audit log.
///
/// Every write, oldest first: who, when, from which address, and the before/after of each
/// changed field. Admins see all; reviewers only their departments; editors none.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(AuditParams),
    responses(
        (status = 200, description = "A page of entries", body = AuditPage),
        (status = 400, description = "A filter is malformed"),
        (status = 403, description = "Not an admin or a reviewer of the department")
    )
)]
#[get("/audit")]
pub async fn audit_log(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = caller.0;
    let q = AuditParams::from_query(req.query_string())?;
    let after = q.after.unwrap_or(0);
    let limit = q.limit.map_or(100, |n| n as usize);
    let query = AuditQuery {
        department: q.department,
        actor: q.actor,
        since: q.since,
    };
    let rows = state
        .with_conn(move |conn| {
            Ok(quanze_registry::audit::read_audit_log(
                conn,
                &p,
                query,
                after,
                limit as i64,
            )?)
        })
        .await?;
    let next_after = rows.last().map(|r| r.id).unwrap_or(after);
    Ok(HttpResponse::Ok().json(AuditPage {
        entries: rows
            .into_iter()
            .map(|r| AuditEntryView {
                id: r.id,
                at: rfc3339(r.at),
                actor: r.actor,
                origin: r.origin,
                action: r.action,
                entity_type: r.entity_type,
                entity_key: r.entity_key,
                department_id: r.department_id,
                details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
        next_after,
    }))
}
