//! The maintenance API's review workflow: drafts of items and responsibility lists, their
//! submission, approval (publication) or rejection, revisions of published items and their
//! revocation. Every route needs a bearer token; the rules live in the registry's `workflow`.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use quanze_registry::models::DraftRow;
use quanze_registry::workflow::{self, Published, RevisionCondition};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::body::json_body;
use crate::extract::params::{QueryParams, RouteParams, path_id};
use crate::state::AppState;
use crate::views::rfc3339;

/// A draft under the review workflow.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DraftView {
    pub id: i64,
    /// power_item, responsibility_list or revocation (a proposal to revoke a published item,
    /// with the reason; approving it revokes the item).
    pub kind: String,
    /// The item's code (responsibilities:<department id> for a responsibility list).
    pub code: String,
    pub name: String,
    pub department_id: i64,
    /// draft (being written) or in_review (submitted).
    pub status: String,
    /// Bumps on every change; send it back in If-Match to update the draft.
    pub revision: i32,
    /// The published item this draft revises, if any.
    pub item_id: Option<i64>,
    /// Why the change is made (法规修改, 机构改革, …).
    pub reason: Option<String>,
    /// The reviewer's comment when the draft was sent back.
    pub review_comment: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    /// The change set of the drafts one upload submitted together (decided as one with
    /// `/change-sets/{key}/approve` or `/reject`).
    pub change_set: Option<String>,
    /// The content: a power item or a responsibility list in the interchange format.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

impl From<DraftRow> for DraftView {
    fn from(d: DraftRow) -> Self {
        DraftView {
            record: serde_json::from_str(&d.record).unwrap_or(serde_json::Value::Null),
            id: d.id,
            kind: d.kind,
            code: d.code,
            name: d.name,
            department_id: d.department_id,
            status: d.status,
            revision: d.revision,
            item_id: d.item_id,
            reason: d.reason,
            review_comment: d.review_comment,
            created_at: rfc3339(d.created_at),
            updated_at: rfc3339(d.updated_at),
            submitted_at: d.submitted_at.map(rfc3339),
            change_set: d.change_set,
        }
    }
}

/// A draft with its revision as a strong ETag (for If-Match).
fn draft_response(mut response: actix_web::HttpResponseBuilder, d: DraftRow) -> HttpResponse {
    response
        .insert_header(("ETag", format!("\"{}\"", d.revision)))
        .json(DraftView::from(d))
}

/// A new draft's content.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// A power item (or, for responsibility-list drafts, a responsibility list) in the
    /// interchange format.
    #[schema(value_type = Object)]
    pub record: Option<serde_json::Value>,
    /// Why the change is made (法规修改, 机构改革, 下放, …); shown in the version history. An
    /// edit without one keeps the reason the draft has; an empty one clears it.
    pub reason: Option<String>,
}

/// A reviewer's decision or a revocation.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// The comment (reject) or reason (revoke); required.
    pub comment: Option<String>,
    pub reason: Option<String>,
}

/// A page of drafts.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DraftPage {
    pub total: i64,
    pub page: usize,
    pub per_page: usize,
    pub drafts: Vec<DraftView>,
}

/// What an approval published.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Approval {
    /// power_item, responsibility_list or revocation (the item was revoked).
    pub kind: String,
    /// The published item's id and version (power items).
    pub item_id: Option<i64>,
    pub version: Option<i32>,
    /// The department whose responsibility list was published.
    pub department_id: Option<i64>,
}

/// Filters of the draft list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DraftListParams {
    /// Only this department's drafts (one of the caller's).
    #[param(example = 1)]
    department: Option<i64>,
    /// draft or in_review.
    #[param(example = "in_review")]
    status: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, example = 1)]
    page: Option<u32>,
    /// Drafts per page, at most 100 (default 50).
    #[param(minimum = 1, maximum = 100, example = 50)]
    per_page: Option<u32>,
}

impl RouteParams for DraftListParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        let status = q
            .text("status", 20)
            .map(|s| match s.as_str() {
                "draft" | "in_review" => Ok(s),
                _ => Err(ApiError::bad_request(
                    "status",
                    "must be draft or in_review",
                )),
            })
            .transpose()?;
        Ok(DraftListParams {
            department: q.whole("department", 1, i64::MAX)?,
            status,
            page: q.number("page", 1, 100_000)?,
            per_page: q.number("per_page", 1, 100)?,
        })
    }
}

fn now() -> chrono::NaiveDateTime {
    quanze_registry::repo::now()
}

/// The condition an If-Match states (RFC 9110 §13.1.1), parsed by actix-web's typed header:
/// `*`, or a list of entity tags, of which only strong ones whose value is a number (`"3"`) can
/// match a draft's revision. None when the header is absent.
fn if_match(req: &HttpRequest) -> Result<Option<RevisionCondition>, ApiError> {
    use actix_web::http::header::{Header, IF_MATCH, IfMatch};
    if !req.headers().contains_key(IF_MATCH) {
        return Ok(None);
    }
    let malformed =
        || ApiError::bad_request("If-Match", "must be the draft's ETag, e.g. \"3\", or *");
    match IfMatch::parse(req).map_err(|_| malformed())? {
        IfMatch::Any => Ok(Some(RevisionCondition::Any)),
        IfMatch::Items(tags) => {
            // The typed header skips items that are not entity tags (`3`); a client that sent
            // one meant something, so say what is expected instead of matching nothing.
            let sent = req
                .headers()
                .get_all(IF_MATCH)
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter(|t| !t.trim().is_empty())
                .count();
            if sent != tags.len() {
                return Err(malformed());
            }
            let mut revisions = Vec::new();
            for tag in tags.iter().filter(|t| !t.weak) {
                revisions.push(tag.tag().parse::<i32>().map_err(|_| malformed())?);
            }
            Ok(Some(RevisionCondition::OneOf(revisions)))
        }
    }
}

/// An If-Match that must be there (428 without).
fn required_if_match(req: &HttpRequest) -> Result<RevisionCondition, ApiError> {
    if_match(req)?.ok_or(ApiError::PreconditionRequired)
}

/// Create a draft of a new power item.
///
/// The record is validated like an import row; the department must be one of the caller's
/// (editors and admins). The draft is private to the department until a reviewer approves it.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    request_body(content = DraftBody, description = "The new item (record) and the reason", content_type = "application/json"),
    responses(
        (status = 201, description = "The draft; its ETag is its revision", body = DraftView),
        (status = 400, description = "The body is not the expected JSON"),
        (status = 403, description = "Not an editor of this department"),
        (status = 409, description = "The item exists or a draft of it is open"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "The record is invalid; each problem names its field")
    )
)]
#[post("/drafts")]
pub async fn create_draft(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: DraftBody = json_body(&req, &body, false)?;
    let record = body
        .record
        .ok_or_else(|| ApiError::bad_request("body.record", "the new item is required"))?;
    let p = caller.0;
    let draft = state
        .with_conn(move |conn| {
            Ok(workflow::create_item_draft(
                conn,
                &p,
                &record,
                body.reason.as_deref(),
                now(),
            )?)
        })
        .await?;
    Ok(draft_response(HttpResponse::Created(), draft))
}

/// List drafts.
///
/// The drafts of the caller's departments (an admin sees all), oldest first.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(DraftListParams),
    responses(
        (status = 200, description = "A page of drafts", body = DraftPage),
        (status = 400, description = "A filter or paging parameter is malformed"),
        (status = 403, description = "Not one of the caller's departments")
    )
)]
#[get("/drafts")]
pub async fn list_drafts(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = caller.0;
    let DraftListParams {
        department,
        status,
        page,
        per_page,
    } = DraftListParams::from_query(req.query_string())?;
    let page = page.map_or(1, |n| n as usize);
    let per_page = per_page.map_or(50, |n| n as usize);
    let (rows, total) = state
        .with_conn(move |conn| {
            Ok(workflow::list_drafts(
                conn,
                &p,
                department,
                status,
                ((page - 1) * per_page) as i64,
                per_page as i64,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(DraftPage {
        total,
        page,
        per_page,
        drafts: rows.into_iter().map(DraftView::from).collect(),
    }))
}

/// One draft.
///
/// The draft with its content; the ETag is its revision, to send back in If-Match.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The draft's id", example = 1)),
    responses(
        (status = 200, description = "The draft", body = DraftView),
        (status = 400, description = "The id is not a number"),
        (status = 403, description = "Another department's draft"),
        (status = 404, description = "No such draft")
    )
)]
#[get("/drafts/{id}")]
pub async fn get_draft(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let p = caller.0;
    let draft = state
        .with_conn(move |conn| Ok(workflow::get_draft(conn, &p, id)?))
        .await?;
    Ok(draft_response(HttpResponse::Ok(), draft))
}

/// Update a draft.
///
/// Replaces the draft's content. `If-Match` must carry the revision the edit started from
/// (the ETag of GET): without it 428, when someone changed the draft since 412. Only drafts
/// not in review can be edited.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The draft's id", example = 1),
        ("If-Match" = String, Header, description = "The draft's ETag (its revision)", example = "\"1\"")
    ),
    request_body(content = DraftBody, description = "The new content (record) and reason", content_type = "application/json"),
    responses(
        (status = 200, description = "The updated draft", body = DraftView),
        (status = 400, description = "The body or If-Match is malformed"),
        (status = 403, description = "Not an editor of this department"),
        (status = 404, description = "No such draft"),
        (status = 409, description = "The draft is in review"),
        (status = 412, description = "The draft changed since that revision"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "The record is invalid"),
        (status = 428, description = "If-Match is missing")
    )
)]
#[put("/drafts/{id}")]
pub async fn update_draft(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let expected = required_if_match(&req)?;
    let body: DraftBody = json_body(&req, &body, false)?;
    let record = body
        .record
        .ok_or_else(|| ApiError::bad_request("body.record", "the content is required"))?;
    let p = caller.0;
    let draft = state
        .with_conn(move |conn| {
            Ok(workflow::update_draft(
                conn,
                &p,
                id,
                &expected,
                &record,
                body.reason.as_deref(),
                now(),
            )?)
        })
        .await?;
    Ok(draft_response(HttpResponse::Ok(), draft))
}

/// Delete a draft.
///
/// Discards a draft that is not in review: a new item that was never published, or an
/// abandoned revision (the published item is untouched).
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The draft's id", example = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a number"),
        (status = 403, description = "Not an editor of this department"),
        (status = 404, description = "No such draft"),
        (status = 409, description = "The draft is in review")
    )
)]
#[delete("/drafts/{id}")]
pub async fn delete_draft(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let p = caller.0;
    state
        .with_conn(move |conn| Ok(workflow::delete_draft(conn, &p, id, None, now())?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Submit a draft for review.
///
/// Moves the draft to in_review. A reviewer of the department other than the submitter (and
/// the last editor) then approves or rejects it. `If-Match` is optional here.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The draft's id", example = 1)),
    responses(
        (status = 200, description = "The draft, now in review", body = DraftView),
        (status = 400, description = "The id is not a number"),
        (status = 403, description = "Not an editor of this department"),
        (status = 404, description = "No such draft"),
        (status = 409, description = "Already in review"),
        (status = 412, description = "The draft changed since the If-Match revision")
    )
)]
#[post("/drafts/{id}/submit")]
pub async fn submit_draft(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let expected = if_match(&req)?.unwrap_or(RevisionCondition::Any);
    let p = caller.0;
    let draft = state
        .with_conn(move |conn| Ok(workflow::submit_draft(conn, &p, id, &expected, now())?))
        .await?;
    Ok(draft_response(HttpResponse::Ok(), draft))
}

/// Approve a draft (publish it).
///
/// Publishes the draft as the item's next immutable version (or the department's
/// responsibility list) and closes it; search and the change feed follow. Only a reviewer or
/// admin of the department who neither submitted nor last edited the draft (four eyes), and
/// only the revision the reviewer saw (`If-Match`). A revision whose item changed meanwhile (a
/// revocation, another revision) is refused with 409.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The draft's id", example = 1),
        ("If-Match" = String, Header, description = "The ETag (revision) of the draft as reviewed", example = "\"3\"")
    ),
    responses(
        (status = 200, description = "What was published", body = Approval),
        (status = 400, description = "The id is not a number"),
        (status = 403, description = "Not a reviewer of this department, or the submitter"),
        (status = 404, description = "No such draft"),
        (status = 409, description = "The draft is not in review, or its item changed since"),
        (status = 412, description = "The draft changed since the reviewed revision"),
        (status = 428, description = "If-Match is missing")
    )
)]
#[post("/drafts/{id}/approve")]
pub async fn approve_draft(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let expected = required_if_match(&req)?;
    let p = caller.0;
    let published = state
        .with_conn(move |conn| Ok(workflow::approve_draft(conn, &p, id, &expected, now())?))
        .await?;
    Ok(HttpResponse::Ok().json(match published {
        Published::Item { id, version } => Approval {
            kind: "power_item".into(),
            item_id: Some(id),
            version: Some(version),
            department_id: None,
        },
        Published::Revoked { id, version } => Approval {
            kind: "revocation".into(),
            item_id: Some(id),
            version: Some(version),
            department_id: None,
        },
        Published::ResponsibilityList { department_id } => Approval {
            kind: "responsibility_list".into(),
            item_id: None,
            version: None,
            department_id: Some(department_id),
        },
    }))
}

/// Reject a draft.
///
/// Sends a draft in review back to its editors with a mandatory `comment`; `If-Match` names
/// the revision reviewed.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The draft's id", example = 1),
        ("If-Match" = String, Header, description = "The ETag (revision) of the draft as reviewed", example = "\"3\"")
    ),
    request_body(content = NoteBody, description = "`comment`: why it goes back", content_type = "application/json"),
    responses(
        (status = 200, description = "The draft, back to draft with the comment", body = DraftView),
        (status = 400, description = "The id or body is malformed"),
        (status = 403, description = "Not a reviewer of this department, or the submitter"),
        (status = 404, description = "No such draft"),
        (status = 409, description = "The draft is not in review"),
        (status = 415, description = "The body is not JSON"),
        (status = 412, description = "The draft changed since the reviewed revision"),
        (status = 422, description = "The comment is missing"),
        (status = 428, description = "If-Match is missing")
    )
)]
#[post("/drafts/{id}/reject")]
pub async fn reject_draft(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let expected = required_if_match(&req)?;
    let body: NoteBody = json_body(&req, &body, true)?;
    let p = caller.0;
    let draft = state
        .with_conn(move |conn| {
            Ok(workflow::reject_draft(
                conn,
                &p,
                id,
                &expected,
                body.comment.as_deref(),
                now(),
            )?)
        })
        .await?;
    Ok(draft_response(HttpResponse::Ok(), draft))
}

const CODE_EXAMPLE: &str = "519A0001000-519900000000-000-11519900MB0000001P-1-00";

/// Start a revision of a published item.
///
/// Creates a draft beside the published item holding its current record (or the `record`
/// given). The published version stays public until the revision is approved.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The item's code", example = json!(CODE_EXAMPLE))),
    request_body(content = DraftBody, description = "Optional new content and the reason; an empty body copies the published item", content_type = "application/json"),
    responses(
        (status = 201, description = "The revision draft", body = DraftView),
        (status = 400, description = "The body is malformed"),
        (status = 403, description = "Not an editor of this department"),
        (status = 404, description = "No such item"),
        (status = 409, description = "A draft of it is open"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "The record is invalid")
    )
)]
#[post("/items/{code}/revise")]
pub async fn revise_item(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let body: DraftBody = json_body(&req, &body, true)?;
    let p = caller.0;
    let draft = state
        .with_conn(move |conn| {
            Ok(workflow::create_revision(
                conn,
                &p,
                &code,
                body.record.as_ref(),
                body.reason.as_deref(),
                now(),
            )?)
        })
        .await?;
    Ok(draft_response(HttpResponse::Created(), draft))
}

/// The state of an item after a revocation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Revocation {
    pub id: i64,
    pub code: String,
    /// revoked.
    pub status: String,
    pub version: i32,
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<String>,
}

/// Revoke a published item.
///
/// Marks the item revoked with a mandatory `reason` (a new version; it stays readable, marked
/// revoked, and leaves default search results). Reviewers and admins of the department.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The item's code", example = json!(CODE_EXAMPLE))),
    request_body(content = NoteBody, description = "`reason`: why the power is abolished", content_type = "application/json"),
    responses(
        (status = 200, description = "The item, revoked", body = Revocation),
        (status = 400, description = "The body is malformed"),
        (status = 403, description = "Not a reviewer of this department"),
        (status = 404, description = "No such item"),
        (status = 409, description = "Already revoked"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "The reason is missing")
    )
)]
#[post("/items/{code}/revoke")]
pub async fn revoke_item(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let body: NoteBody = json_body(&req, &body, true)?;
    let p = caller.0;
    let item = state
        .with_conn(move |conn| {
            Ok(workflow::revoke_item(
                conn,
                &p,
                &code,
                body.reason.as_deref(),
                now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Revocation {
        id: item.id,
        code: item.code,
        status: item.status,
        version: item.version,
        revoked_at: item.revoked_at.map(rfc3339),
        revoke_reason: item.revoke_reason,
    }))
}

/// Propose revoking a published item.
///
/// An editor of the department proposes the revocation with a mandatory `reason`: a draft of
/// kind `revocation`, in review at once. A reviewer of the department who did not propose it
/// approves it (`/drafts/{id}/approve`, which revokes the item) or sends it back.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The item's code", example = json!(CODE_EXAMPLE))),
    request_body(content = NoteBody, description = "`reason`: why the power should be abolished", content_type = "application/json"),
    responses(
        (status = 201, description = "The proposal, in review", body = DraftView),
        (status = 400, description = "The body is malformed"),
        (status = 403, description = "Not an editor of this department"),
        (status = 404, description = "No such item"),
        (status = 409, description = "Already revoked, or a draft of it is open"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "The reason is missing")
    )
)]
#[post("/items/{code}/propose-revocation")]
pub async fn propose_revocation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let body: NoteBody = json_body(&req, &body, true)?;
    let p = caller.0;
    let draft = state
        .with_conn(move |conn| {
            Ok(workflow::propose_revocation(
                conn,
                &p,
                &code,
                body.reason.as_deref(),
                now(),
            )?)
        })
        .await?;
    Ok(draft_response(HttpResponse::Created(), draft))
}

/// Start a draft of a department's responsibility list.
///
/// Creates a draft of the department's 责任清单 holding its current list (or the `record`
/// given); it is published through the same review as items.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The department's id", example = 1)),
    request_body(content = DraftBody, description = "Optional new list and the reason; an empty body copies the current list", content_type = "application/json"),
    responses(
        (status = 201, description = "The draft", body = DraftView),
        (status = 400, description = "The id or body is malformed"),
        (status = 403, description = "Not an editor of this department"),
        (status = 404, description = "No such department"),
        (status = 409, description = "A draft of the list is open"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "The list is invalid")
    )
)]
#[post("/departments/{id}/responsibilities/draft")]
pub async fn draft_responsibilities(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let body: DraftBody = json_body(&req, &body, true)?;
    let p = caller.0;
    let draft = state
        .with_conn(move |conn| {
            Ok(workflow::create_responsibility_draft(
                conn,
                &p,
                id,
                body.record.as_ref(),
                body.reason.as_deref(),
                now(),
            )?)
        })
        .await?;
    Ok(draft_response(HttpResponse::Created(), draft))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn condition(value: &str) -> Result<Option<RevisionCondition>, ApiError> {
        if_match(
            &TestRequest::default()
                .insert_header(("If-Match", value))
                .to_http_request(),
        )
    }

    #[test]
    fn if_match_takes_star_lists_and_only_strong_tags() {
        assert_eq!(condition("*").unwrap(), Some(RevisionCondition::Any));
        assert_eq!(
            condition("\"2\", \"3\"").unwrap(),
            Some(RevisionCondition::OneOf(vec![2, 3]))
        );
        assert_eq!(
            condition("W/\"3\"").unwrap(),
            Some(RevisionCondition::OneOf(vec![])),
            "a weak tag matches nothing"
        );
        assert!(condition("3").is_err());
        assert_eq!(
            if_match(&TestRequest::default().to_http_request()).unwrap(),
            None
        );
    }
}
