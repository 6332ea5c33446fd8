//! Citizens' ratings, complaints and corrections (评价、投诉、纠错) per item and workflow step, with
//! the department's public answers; the rules are `quanze_registry::feedback`'s. Submitting
//! needs no account: the answer to a small question (`GET /feedback/question`) and the
//! per-client rate limit keep scripts out.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use quanze_registry::feedback::question::{self, Question};
use quanze_registry::feedback::{self, DepartmentFeedback, ItemFeedback, PublicFeedback};
use quanze_registry::repo::now;

use crate::error::ApiError;
use crate::extract::body::json_body;
use crate::state::AppState;
use crate::views::departments::department_id;
use crate::views::feedback::{FeedbackSubmission, submit};

/// A question to answer with the next submission.
///
/// A sum of two digits in Chinese words (三加五等于几？) and a token to send back with the
/// answer; good for 30 minutes.
#[utoipa::path(
    tag = "feedback",
    responses((status = 200, description = "A question", body = Question))
)]
#[get("/feedback/question")]
pub async fn get_question(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q = question::ask(&state.feedback.question_key, now())?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(q))
}

/// Rate an item or one of its steps, complain, or report an error in the list.
///
/// `rating`: a `score` of 1–5 and an optional comment (`text`, at most 500 characters);
/// `complaint` and `correction`: a `text` (at most 2,000), answered by the department within
/// its time limit (10 working days unless the registry says otherwise). `step` names one of
/// the item's workflow steps, or is left out for the item as a whole. The text is published at
/// once, so personal data in it (ID, mobile or bank card numbers, personal mailboxes) is
/// refused; `contact` reaches only the department. The answer carries the `receipt` number to
/// follow it with. Revoked items take no more feedback (409).
#[utoipa::path(
    tag = "feedback",
    params(("code" = String, Path, description = "The item's code or id")),
    request_body = FeedbackSubmission,
    responses(
        (status = 201, description = "Recorded; the receipt and how it stands", body = PublicFeedback),
        (status = 400, description = "The body is not the expected JSON"),
        (status = 404, description = "No such public item"),
        (status = 409, description = "The item is revoked"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "A field is wrong, or the question's answer"),
        (status = 429, description = "Too many submissions from this client")
    )
)]
#[post("/items/{code}/feedback")]
pub async fn submit_feedback(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let submission: FeedbackSubmission = json_body(&req, &body, false)?;
    let item = path.into_inner();
    let shared = state.clone();
    let recorded = state
        .with_conn(move |conn| submit(&shared, conn, &item, &submission))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/feedback/{}", recorded.receipt)))
        .json(recorded))
}

/// An item's ratings per step, its complaints and corrections with their answers.
///
/// Scores per workflow step (mean and satisfaction rate: the share of 4 and 5), counts of
/// complaints and corrections received, answered and overdue, and the entries newest first;
/// an open one past its due time is `overdue`. Contacts are never shown.
#[utoipa::path(
    tag = "feedback",
    params(("code" = String, Path, description = "The item's code or id")),
    responses(
        (status = 200, description = "The item's feedback", body = ItemFeedback),
        (status = 404, description = "No such public item")
    )
)]
#[get("/items/{code}/feedback")]
pub async fn item_feedback(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    let found = state
        .with_public_read(move |conn| {
            let item = quanze_registry::repo::items::find_public_item(conn, &key)?;
            let steps = feedback::workflow_steps(conn, &item)?;
            Ok(feedback::item_feedback(
                conn,
                item.id,
                &item.code,
                &steps,
                now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// A department's record: satisfaction, answers given, what is overdue (民主评议).
///
/// All ratings of the department's items in one score (a satisfaction rate under 50 % is
/// what 民主评议 holds a department to account for), its complaints and corrections received,
/// answered, open and overdue, and the overdue ones themselves.
#[utoipa::path(
    tag = "feedback",
    params(("id" = i64, Path, description = "The department's id", example = 1)),
    responses(
        (status = 200, description = "The department's record", body = DepartmentFeedback),
        (status = 400, description = "The id is not a number"),
        (status = 404, description = "No such department")
    )
)]
#[get("/departments/{id}/feedback")]
pub async fn department_feedback(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = department_id(&path)?;
    let found = state
        .with_public_read(move |conn| {
            crate::views::departments::load_department(conn, id)?;
            Ok(feedback::department_feedback(conn, id, now())?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Where a submission stands, by its receipt number.
#[utoipa::path(
    tag = "feedback",
    params(("receipt" = String, Path, description = "The receipt number (FK…)")),
    responses(
        (status = 200, description = "The submission and its answer", body = PublicFeedback),
        (status = 404, description = "No such receipt")
    )
)]
#[get("/feedback/{receipt}")]
pub async fn feedback_by_receipt(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let receipt = path.into_inner();
    // From the primary: the submitter asks right after submitting.
    let found = state
        .with_conn(move |conn| Ok(feedback::public_by_receipt(conn, &receipt, now())?))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(found))
}

/// A department's answer.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AnswerBody {
    /// The answer, published at once (no personal data).
    #[serde(default)]
    pub answer: String,
    /// For a correction: `accepted` (采纳) or `not_accepted`.
    #[serde(default)]
    pub outcome: Option<String>,
}

/// Answer a complaint or correction, in public.
///
/// The department's editors and reviewers (and admins) answer an open complaint or correction
/// once; a correction's answer says whether it is `accepted`. The answer is public at once on
/// the item page and through the API, and cannot be changed (409 after the first).
#[utoipa::path(
    tag = "feedback",
    security(("bearer" = [])),
    params(("receipt" = String, Path, description = "The receipt number (FK…)")),
    request_body = AnswerBody,
    responses(
        (status = 200, description = "Answered; the submission as the public now sees it", body = PublicFeedback),
        (status = 400, description = "The body is not the expected JSON"),
        (status = 403, description = "Not an editor or reviewer of the item's department"),
        (status = 404, description = "No such receipt"),
        (status = 409, description = "Already answered, or a rating (no answer owed)"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "The answer is missing or carries personal data, or a correction's outcome is missing")
    )
)]
#[post("/feedback/{receipt}/answer")]
pub async fn answer_feedback(
    state: web::Data<AppState>,
    caller: crate::extract::auth::Caller,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: AnswerBody = json_body(&req, &body, false)?;
    let receipt = path.into_inner();
    let p = caller.0;
    let answered = state
        .with_conn(move |conn| {
            let at = now();
            feedback::answer(
                conn,
                &p,
                &receipt,
                &body.answer,
                body.outcome.as_deref(),
                at,
            )?;
            Ok(feedback::public_by_receipt(conn, &receipt, at)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answered))
}
