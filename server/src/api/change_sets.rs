//! Change sets: the drafts one upload submitted together, approved or sent back as one (all or
//! none, in one transaction; each draft still gets its own version, audit entry and feed row).

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;

use crate::api::drafts::NoteBody;
use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::body::json_body;
use crate::state::AppState;

/// What a decision on a change set did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChangeSetDecision {
    pub change_set: String,
    /// Drafts approved (published) or sent back.
    pub drafts: usize,
}

/// Approve a change set.
///
/// Publishes every draft of the change set that is in review, in one transaction: all or none.
/// The caller must be allowed to decide on every one of them (a reviewer of their departments
/// who wrote and submitted none of them).
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "The change set (`change_set` of its drafts)", example = "u1796000000-12")),
    responses(
        (status = 200, description = "Every draft of the set was published", body = ChangeSetDecision),
        (status = 403, description = "Not a reviewer of a draft's department, or its author"),
        (status = 404, description = "No draft of this change set is in review")
    )
)]
#[post("/change-sets/{key}/approve")]
pub async fn approve_change_set(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    let p = caller.0;
    let set = key.clone();
    let drafts = state
        .with_conn(move |conn| {
            Ok(quanze_registry::workflow::approve_change_set(
                conn,
                &p,
                &set,
                None,
                quanze_registry::repo::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ChangeSetDecision {
        change_set: key,
        drafts,
    }))
}

/// Reject a change set.
///
/// Sends every draft of the change set that is in review back with one mandatory `comment`, in
/// one transaction.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "The change set (`change_set` of its drafts)", example = "u1796000000-12")),
    request_body(content = NoteBody, description = "`comment`: why it goes back", content_type = "application/json"),
    responses(
        (status = 200, description = "Every draft of the set was sent back", body = ChangeSetDecision),
        (status = 400, description = "The body is malformed"),
        (status = 403, description = "Not a reviewer of a draft's department, or its author"),
        (status = 404, description = "No draft of this change set is in review"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "The comment is missing")
    )
)]
#[post("/change-sets/{key}/reject")]
pub async fn reject_change_set(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    let body: NoteBody = json_body(&req, &body, true)?;
    let p = caller.0;
    let set = key.clone();
    let drafts = state
        .with_conn(move |conn| {
            Ok(quanze_registry::workflow::reject_change_set(
                conn,
                &p,
                &set,
                None,
                body.comment.as_deref(),
                quanze_registry::repo::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ChangeSetDecision {
        change_set: key,
        drafts,
    }))
}
