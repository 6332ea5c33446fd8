//! A citizen's submission (评价、投诉、纠错) as the API and the form page both take it: the
//! question's answer checked, then the registry records it.

use quanze_registry::feedback::question;
use quanze_registry::feedback::{self, NewFeedback, PublicFeedback};
use quanze_registry::repo::now;
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

/// A rating, complaint or correction, with the answer to the question.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct FeedbackSubmission {
    #[serde(flatten)]
    pub feedback: NewFeedback,
    /// The `token` of a question from `GET /api/v1/feedback/question`, as it came.
    #[serde(default)]
    pub question_token: String,
    /// The answer to that question (a number).
    #[serde(default)]
    pub answer: String,
}

/// Checks the question's answer, then records the submission.
pub fn submit(
    state: &AppState,
    conn: &mut quanze_registry::DbConnection,
    item: &str,
    submission: &FeedbackSubmission,
) -> Result<PublicFeedback, ApiError> {
    let at = now();
    let nonce = question::check(
        &state.feedback.question_key,
        &submission.question_token,
        &submission.answer,
        at,
    )?;
    let row = feedback::submit(
        conn,
        item,
        &submission.feedback,
        Some(&nonce),
        state.feedback.policy,
        at,
    )?;
    Ok(feedback::public_by_receipt(conn, &row.receipt, at)?)
}
