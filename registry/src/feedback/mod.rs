//! What citizens say about a power as it is exercised (issue 17): 评价 (a score of 1–5 for the
//! item or one step of its workflow, with an optional comment), 投诉 (a complaint about how the
//! power was exercised) and 纠错 (the list itself is wrong). "每一个环节，老百姓都有评价权，最后以分数
//! 说明结果": scores per step and per department, complaints answered in public, overdue answers
//! shown in red.
//!
//! No account is needed: a receipt number is how the submitter follows it. The contact they
//! leave is the department's to read and is never published; the rest is public at once, so
//! the publish guard refuses personal data in it. Complaints and corrections are due for an
//! answer within a number of working days (Monday to Friday, China time; public holidays are
//! not known here), after which they are overdue, publicly.

pub mod question;

use chrono::{Datelike, Duration, NaiveDateTime, Weekday};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::db::{DbConnection, write_transaction};
use crate::error::{RegistryError, Result};
use crate::models::{FeedbackRow, PowerItemRow};
use crate::problem::Problem;
use crate::repo::history::{AuditEntry, append_audit};
use crate::schema::{feedback, power_items};

/// Longest complaint, correction or answer, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Longest comment with a rating, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;
/// Longest contact, in characters.
pub const MAX_CONTACT_CHARS: usize = 100;
/// Working days a department has to answer unless the server is told otherwise.
pub const DEFAULT_ANSWER_DAYS: u32 = 10;
/// A score at or above this counts as satisfied (满意) in the satisfaction rate.
pub const SATISFIED_FROM: i32 = 4;

/// What a citizen says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackKind {
    /// 评价: a score of 1–5, optionally with a comment.
    Rating,
    /// 投诉: how the power was exercised.
    Complaint,
    /// 纠错: the list itself is wrong (basis outdated, fee wrong, contact dead).
    Correction,
}

impl FeedbackKind {
    pub const ALL: [FeedbackKind; 3] = [
        FeedbackKind::Rating,
        FeedbackKind::Complaint,
        FeedbackKind::Correction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Rating => "rating",
            FeedbackKind::Complaint => "complaint",
            FeedbackKind::Correction => "correction",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FeedbackKind::Rating => "评价",
            FeedbackKind::Complaint => "投诉",
            FeedbackKind::Correction => "纠错",
        }
    }

    pub fn parse(s: &str) -> Option<FeedbackKind> {
        match s.trim() {
            "rating" | "评价" => Some(FeedbackKind::Rating),
            "complaint" | "投诉" => Some(FeedbackKind::Complaint),
            "correction" | "纠错" => Some(FeedbackKind::Correction),
            _ => None,
        }
    }

    /// Whether the department owes an answer (complaints and corrections).
    pub fn needs_answer(self) -> bool {
        self != FeedbackKind::Rating
    }
}

/// Where a piece of feedback stands.
pub mod status {
    /// A rating: counted, no answer owed.
    pub const RECEIVED: &str = "received";
    /// A complaint or correction waiting for the department's answer.
    pub const OPEN: &str = "open";
    /// Answered, in public.
    pub const ANSWERED: &str = "answered";
}

/// What a correction's answer decided.
pub mod outcome {
    /// 采纳: the list will be corrected.
    pub const ACCEPTED: &str = "accepted";
    /// 不予采纳, with the reason in the answer.
    pub const NOT_ACCEPTED: &str = "not_accepted";
}

/// What a citizen submits.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewFeedback {
    /// `rating` (评价), `complaint` (投诉) or `correction` (纠错).
    pub kind: String,
    /// The workflow step (环节) it concerns, as the item names it; absent for the item as a
    /// whole.
    #[serde(default)]
    pub step: Option<String>,
    /// 1 (very dissatisfied) to 5 (very satisfied); ratings only.
    #[serde(default)]
    pub score: Option<i32>,
    /// The comment, complaint or correction: public once submitted, so without personal data.
    #[serde(default)]
    pub text: Option<String>,
    /// How the department may reach the submitter: never published.
    #[serde(default)]
    pub contact: Option<String>,
}

/// How long departments have to answer.
#[derive(Debug, Clone, Copy)]
pub struct AnswerPolicy {
    pub working_days: u32,
}

impl Default for AnswerPolicy {
    fn default() -> Self {
        AnswerPolicy {
            working_days: DEFAULT_ANSWER_DAYS,
        }
    }
}

/// China's offset from UTC: the working day a complaint falls due is a day in China.
const CHINA_OFFSET: Duration = Duration::hours(8);

/// The end (23:59:59 China time, as UTC) of the `working_days`-th working day after the day
/// `at` (UTC) falls on in China: days are counted from the next working day, so a Friday's and
/// a Saturday's submission fall due on the same day.
pub fn due_after(at: NaiveDateTime, working_days: u32) -> NaiveDateTime {
    let mut day = (at + CHINA_OFFSET).date();
    let mut left = working_days;
    while left > 0 {
        day = day.succ_opt().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day.and_hms_opt(23, 59, 59).unwrap_or_default() - CHINA_OFFSET
}

fn invalid(field: &str, message: impl Into<String>) -> RegistryError {
    RegistryError::Invalid(vec![Problem::error(field, message)])
}

/// Trimmed text of at most `max` characters without control characters, or a problem.
fn text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let len = value.chars().count();
    if len > max {
        return Err(invalid(field, format!("长{len}字，最多{max}字")));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(invalid(field, "含有控制字符"));
    }
    Ok(Some(value.replace("\r\n", "\n")))
}

/// Public text must carry no personal data: the submitter is told what and where to put it.
fn no_personal_data(field: &str, value: Option<&str>) -> Result<()> {
    let findings = value.map(crate::publish_guard::find_personal_data);
    match findings.as_deref() {
        Some([first, ..]) => Err(invalid(
            field,
            format!(
                "含有{}（{}）。这段文字会公开，请不要填写个人信息；联系方式请填在“联系方式”一栏，只有部门能看到",
                first.kind.label(),
                first.masked
            ),
        )),
        _ => Ok(()),
    }
}

/// A new receipt number: `FK` + China date + 8 characters that cannot be misread.
fn new_receipt(at: NaiveDateTime) -> Result<String> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| RegistryError::Corrupt(e.to_string()))?;
    let tail: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    Ok(format!("FK{}{tail}", (at + CHINA_OFFSET).format("%Y%m%d")))
}

/// Records a citizen's rating, complaint or correction about a published item. Checked: the
/// kind, the step (one of the item's workflow steps), the score (1–5, ratings only), the text
/// (required for complaints and corrections; no personal data), the contact's length.
pub fn submit(
    conn: &mut DbConnection,
    item_key: &str,
    new: &NewFeedback,
    question_nonce: Option<&str>,
    policy: AnswerPolicy,
    at: NaiveDateTime,
) -> Result<FeedbackRow> {
    let kind = FeedbackKind::parse(&new.kind).ok_or_else(|| {
        invalid(
            "kind",
            format!(
                "“{}”不是 rating（评价）、complaint（投诉）或 correction（纠错）",
                new.kind.trim()
            ),
        )
    })?;
    let score = match (kind, new.score) {
        (FeedbackKind::Rating, Some(s)) if (1..=5).contains(&s) => Some(s),
        (FeedbackKind::Rating, Some(s)) => {
            return Err(invalid("score", format!("评分应为1到5，实为{s}")));
        }
        (FeedbackKind::Rating, None) => return Err(invalid("score", "请选择1到5分")),
        (_, Some(_)) => return Err(invalid("score", "只有评价才打分")),
        (_, None) => None,
    };
    let max = if kind.needs_answer() {
        MAX_TEXT_CHARS
    } else {
        MAX_COMMENT_CHARS
    };
    let body = text("text", new.text.as_deref(), max)?;
    if kind.needs_answer() && body.is_none() {
        return Err(invalid("text", format!("请写明{}的内容", kind.label())));
    }
    no_personal_data("text", body.as_deref())?;
    let contact = text("contact", new.contact.as_deref(), MAX_CONTACT_CHARS)?;
    let step = text("step", new.step.as_deref(), 200)?;

    write_transaction(conn, |conn| {
        // Under the write lock: two submissions with one question cannot both pass.
        if let Some(nonce) = question_nonce {
            let used: i64 = feedback::table
                .filter(feedback::question_nonce.eq(nonce))
                .count()
                .get_result(conn)?;
            if used > 0 {
                return Err(invalid("answer", "这个验证问题已经用过，请重新作答"));
            }
        }
        let item = crate::repo::items::find_public_item(conn, item_key)?;
        if item.status != crate::domain::ItemStatus::Published.as_str() {
            return Err(RegistryError::Conflict(format!(
                "item {} is revoked: it takes no more feedback",
                item.code
            )));
        }
        if let Some(step) = &step {
            let steps = workflow_steps(conn, &item)?;
            if !steps.contains(step) {
                return Err(invalid(
                    "step",
                    if steps.is_empty() {
                        "该事项没有公布办理环节，请评价整个事项".to_string()
                    } else {
                        format!("“{step}”不是该事项的办理环节（{}）", steps.join("、"))
                    },
                ));
            }
        }
        let receipt = new_receipt(at)?;
        diesel::insert_into(feedback::table)
            .values((
                feedback::receipt.eq(&receipt),
                feedback::item_id.eq(item.id),
                feedback::department_id.eq(item.department_id),
                feedback::kind.eq(kind.as_str()),
                feedback::step.eq(&step),
                feedback::score.eq(score),
                feedback::body.eq(&body),
                feedback::contact.eq(&contact),
                feedback::status.eq(if kind.needs_answer() {
                    status::OPEN
                } else {
                    status::RECEIVED
                }),
                feedback::due_at.eq(kind
                    .needs_answer()
                    .then(|| due_after(at, policy.working_days))),
                feedback::created_at.eq(at),
                feedback::question_nonce.eq(question_nonce),
            ))
            .execute(conn)?;
        find_by_receipt(conn, &receipt)?
            .ok_or_else(|| RegistryError::Corrupt(format!("feedback {receipt} was not stored")))
    })
}

/// The stages of an item's workflow, in order.
pub fn workflow_steps(conn: &mut DbConnection, item: &PowerItemRow) -> Result<Vec<String>> {
    let record = crate::repo::items::load_item_records(conn, std::slice::from_ref(item))?;
    Ok(record
        .into_iter()
        .flat_map(|r| r.workflow.into_iter().map(|s| s.stage))
        .collect())
}

fn find_by_receipt(conn: &mut DbConnection, receipt: &str) -> Result<Option<FeedbackRow>> {
    Ok(feedback::table
        .filter(feedback::receipt.eq(receipt.trim()))
        .select(FeedbackRow::as_select())
        .first(conn)
        .optional()?)
}

/// Feedback as the public sees it: everything but the contact.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicFeedback {
    pub receipt: String,
    /// The item's code.
    pub item: String,
    /// rating, complaint or correction.
    pub kind: String,
    /// The workflow step it concerns; absent for the item as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// received (a rating), open (waiting for the answer) or answered.
    pub status: String,
    /// When the answer is due (complaints and corrections; RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    /// Open past its due time: shown in red.
    pub overdue: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// For a correction: accepted (采纳) or not_accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// RFC 3339, UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    /// RFC 3339, UTC.
    pub submitted_at: String,
}

/// A moment as RFC 3339 in UTC, as the rest of the API writes them.
fn rfc3339(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl FeedbackRow {
    /// Still waiting for an answer after its due time.
    pub fn is_overdue(&self, now: NaiveDateTime) -> bool {
        self.status == status::OPEN && self.due_at.is_some_and(|due| now > due)
    }

    fn public(&self, item_code: &str, now: NaiveDateTime) -> PublicFeedback {
        PublicFeedback {
            receipt: self.receipt.clone(),
            item: item_code.to_string(),
            kind: self.kind.clone(),
            step: self.step.clone(),
            score: self.score,
            text: self.body.clone(),
            status: self.status.clone(),
            due_at: self.due_at.map(rfc3339),
            overdue: self.is_overdue(now),
            answer: self.answer.clone(),
            outcome: self.outcome.clone(),
            answered_at: self.answered_at.map(rfc3339),
            submitted_at: rfc3339(self.created_at),
        }
    }
}

/// One piece of feedback by its receipt number, as the public sees it (NotFound for unknown
/// receipts and for items no longer public).
pub fn public_by_receipt(
    conn: &mut DbConnection,
    receipt: &str,
    now: NaiveDateTime,
) -> Result<PublicFeedback> {
    let row = find_by_receipt(conn, receipt)?
        .ok_or_else(|| RegistryError::NotFound(format!("receipt {receipt:?}")))?;
    let item = crate::repo::items::find_item_by_id(conn, row.item_id)?
        .filter(PowerItemRow::is_public)
        .ok_or_else(|| RegistryError::NotFound(format!("receipt {receipt:?}")))?;
    Ok(row.public(&item.code, now))
}

/// The scores of an item or one of its steps.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    /// The workflow step; absent for the item as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    pub ratings: i64,
    /// Mean score, 1–5, to one decimal.
    pub average: f64,
    /// Share of ratings of 4 or 5, in percent (rounded).
    pub satisfaction: i64,
}

/// How a department (or an item) has dealt with complaints or corrections.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answering {
    pub received: i64,
    pub answered: i64,
    pub open: i64,
    /// Open past their due time.
    pub overdue: i64,
    /// Corrections only: how many were accepted.
    pub accepted: i64,
}

/// An item's feedback in public: scores per step, the complaints and corrections with their
/// answers, newest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemFeedback {
    /// The item as a whole first (when rated), then each rated step in workflow order.
    pub scores: Vec<Score>,
    pub complaints: Answering,
    pub corrections: Answering,
    /// Complaints, corrections and rating comments, newest first (at most 200).
    pub entries: Vec<PublicFeedback>,
    /// Ratings and complaints per month, oldest first.
    pub by_month: Vec<MonthOfFeedback>,
}

/// A mean to one decimal (0 for nothing).
fn mean(sum: i64, count: i64) -> f64 {
    if count == 0 {
        0.0
    } else {
        (sum as f64 / count as f64 * 10.0).round() / 10.0
    }
}

fn score_of(step: Option<String>, scores: &[i32]) -> Score {
    let ratings = scores.len() as i64;
    let sum: i64 = scores.iter().map(|s| i64::from(*s)).sum();
    let satisfied = scores.iter().filter(|s| **s >= SATISFIED_FROM).count() as i64;
    Score {
        step,
        ratings,
        average: mean(sum, ratings),
        satisfaction: if ratings == 0 {
            0
        } else {
            (satisfied * 100 + ratings / 2) / ratings
        },
    }
}

fn answering(rows: &[&FeedbackRow], now: NaiveDateTime) -> Answering {
    let mut a = Answering::default();
    for r in rows {
        a.received += 1;
        if r.status == status::ANSWERED {
            a.answered += 1;
        } else {
            a.open += 1;
        }
        if r.is_overdue(now) {
            a.overdue += 1;
        }
        if r.outcome.as_deref() == Some(outcome::ACCEPTED) {
            a.accepted += 1;
        }
    }
    a
}

/// The public feedback of a public item.
/// The public feedback of a public item (`steps`: its workflow's stages, in order, which the
/// caller has read with the item).
pub fn item_feedback(
    conn: &mut DbConnection,
    item_id: i64,
    code: &str,
    steps: &[String],
    now: NaiveDateTime,
) -> Result<ItemFeedback> {
    let rows: Vec<FeedbackRow> = feedback::table
        .filter(feedback::item_id.eq(item_id))
        .order(feedback::id.desc())
        .select(FeedbackRow::as_select())
        .load(conn)?;
    let ratings = |step: Option<&str>| -> Vec<i32> {
        rows.iter()
            .filter(|r| r.kind == FeedbackKind::Rating.as_str() && r.step.as_deref() == step)
            .filter_map(|r| r.score)
            .collect()
    };
    let mut scores = Vec::new();
    let whole = ratings(None);
    if !whole.is_empty() {
        scores.push(score_of(None, &whole));
    }
    let mut seen = std::collections::HashSet::new();
    for step in steps {
        let of_step = ratings(Some(step));
        if !of_step.is_empty() && seen.insert(step) {
            scores.push(score_of(Some(step.clone()), &of_step));
        }
    }
    let of_kind = |kind: FeedbackKind| -> Vec<&FeedbackRow> {
        rows.iter().filter(|r| r.kind == kind.as_str()).collect()
    };
    Ok(ItemFeedback {
        scores,
        complaints: answering(&of_kind(FeedbackKind::Complaint), now),
        corrections: answering(&of_kind(FeedbackKind::Correction), now),
        entries: rows
            .iter()
            .filter(|r| r.body.is_some() || r.kind != FeedbackKind::Rating.as_str())
            .take(200)
            .map(|r| r.public(code, now))
            .collect(),
        by_month: months_of(&rows, now),
    })
}

/// What citizens said in one month.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthOfFeedback {
    /// `2026-12` (UTC).
    pub month: String,
    pub ratings: i64,
    /// Mean score of the month's ratings, to one decimal (0 without ratings).
    pub average: f64,
    /// Complaints and corrections received in the month…
    pub received: i64,
    /// …of which answered by now…
    pub answered: i64,
    /// …and open past their due time now.
    pub overdue: i64,
}

/// Ratings, complaints and corrections per month over the registry, oldest first. Feedback
/// on items no longer public is left out, as it is everywhere public.
pub fn feedback_by_month(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<Vec<MonthOfFeedback>> {
    let rows: Vec<(FeedbackRow, String)> = feedback::table
        .inner_join(power_items::table)
        .select((FeedbackRow::as_select(), power_items::status))
        .load(conn)?;
    Ok(months_of(
        rows.iter()
            .filter(|(_, status)| crate::domain::ItemStatus::is_public(status))
            .map(|(f, _)| f),
        now,
    ))
}

/// Feedback counted per month of its submission, oldest month first.
fn months_of<'a>(
    rows: impl IntoIterator<Item = &'a FeedbackRow>,
    now: NaiveDateTime,
) -> Vec<MonthOfFeedback> {
    let mut months: std::collections::BTreeMap<String, (MonthOfFeedback, i64)> = Default::default();
    for f in rows {
        let month = f.created_at.format("%Y-%m").to_string();
        let (m, score_sum) = months.entry(month.clone()).or_insert_with(|| {
            (
                MonthOfFeedback {
                    month,
                    ..Default::default()
                },
                0,
            )
        });
        if let Some(score) = f.score {
            m.ratings += 1;
            *score_sum += i64::from(score);
        } else {
            m.received += 1;
            if f.status == status::ANSWERED {
                m.answered += 1;
            }
            if f.is_overdue(now) {
                m.overdue += 1;
            }
        }
    }
    months
        .into_values()
        .map(|(mut m, sum)| {
            m.average = mean(sum, m.ratings);
            m
        })
        .collect()
}

/// An open complaint or correction past its due time, with the item it concerns.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueEntry {
    pub item_name: String,
    #[serde(flatten)]
    pub feedback: PublicFeedback,
}

/// A department's record in public (民主评议): its satisfaction rate, how it answers, and what
/// is overdue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentFeedback {
    /// All ratings of the department's items and their steps.
    pub score: Score,
    pub complaints: Answering,
    pub corrections: Answering,
    /// Open past their due time, oldest first.
    pub overdue: Vec<OverdueEntry>,
    /// Ratings and complaints per month, oldest first.
    pub by_month: Vec<MonthOfFeedback>,
}

/// The public feedback record of a department.
pub fn department_feedback(
    conn: &mut DbConnection,
    department_id: i64,
    now: NaiveDateTime,
) -> Result<DepartmentFeedback> {
    let rows: Vec<(FeedbackRow, PowerItemRow)> = feedback::table
        .inner_join(power_items::table)
        .filter(feedback::department_id.eq(department_id))
        .order(feedback::id.asc())
        .select((FeedbackRow::as_select(), PowerItemRow::as_select()))
        .load(conn)?;
    // Feedback on items no longer public is not the public's to see.
    let rows: Vec<(FeedbackRow, PowerItemRow)> =
        rows.into_iter().filter(|(_, i)| i.is_public()).collect();
    let scores: Vec<i32> = rows
        .iter()
        .filter(|(r, _)| r.kind == FeedbackKind::Rating.as_str())
        .filter_map(|(r, _)| r.score)
        .collect();
    let of_kind = |kind: FeedbackKind| -> Vec<&FeedbackRow> {
        rows.iter()
            .map(|(r, _)| r)
            .filter(|r| r.kind == kind.as_str())
            .collect()
    };
    Ok(DepartmentFeedback {
        score: score_of(None, &scores),
        complaints: answering(&of_kind(FeedbackKind::Complaint), now),
        corrections: answering(&of_kind(FeedbackKind::Correction), now),
        overdue: rows
            .iter()
            .filter(|(r, _)| r.is_overdue(now))
            .map(|(r, item)| OverdueEntry {
                item_name: item.name.clone(),
                feedback: r.public(&item.code, now),
            })
            .collect(),
        by_month: months_of(rows.iter().map(|(r, _)| r), now),
    })
}

/// Every department's score over the ratings of its public items (departments without
/// ratings left out), for lists of departments.
pub fn department_scores(conn: &mut DbConnection) -> Result<std::collections::HashMap<i64, Score>> {
    let rows: Vec<(i64, Option<i32>, String)> = feedback::table
        .inner_join(power_items::table)
        .filter(feedback::kind.eq(FeedbackKind::Rating.as_str()))
        .select((
            feedback::department_id,
            feedback::score,
            power_items::status,
        ))
        .load(conn)?;
    let mut scores: std::collections::HashMap<i64, Vec<i32>> = Default::default();
    for (department, score, status) in rows {
        if let (true, Some(score)) = (crate::domain::ItemStatus::is_public(&status), score) {
            scores.entry(department).or_default().push(score);
        }
    }
    Ok(scores
        .into_iter()
        .map(|(d, s)| (d, score_of(None, &s)))
        .collect())
}

/// Feedback of the departments a person works for (with contacts: theirs to answer), open
/// first then newest; `open_only` for what still needs an answer.
pub fn for_department_staff(
    conn: &mut DbConnection,
    p: &Principal,
    department_ids: &[i64],
    open_only: bool,
) -> Result<Vec<(FeedbackRow, PowerItemRow)>> {
    for d in department_ids {
        p.require(p.can_see(*d), "read this department's feedback")?;
    }
    let mut q = feedback::table
        .inner_join(power_items::table)
        .filter(feedback::department_id.eq_any(department_ids))
        .into_boxed();
    if open_only {
        q = q.filter(feedback::status.eq(status::OPEN));
    }
    let mut rows: Vec<(FeedbackRow, PowerItemRow)> = q
        .order(feedback::id.desc())
        .limit(1_000)
        .select((FeedbackRow::as_select(), PowerItemRow::as_select()))
        .load(conn)?;
    // Open ones first, soonest due first (the same on both backends, which sort NULLs apart).
    rows.sort_by_key(|(f, _)| (f.status != status::OPEN, f.due_at.is_none(), f.due_at));
    Ok(rows)
}

/// The department answers a complaint or correction, in public: its editors and reviewers
/// may (anyone else is refused); once answered it stays answered (a second answer is a
/// conflict).
pub fn answer(
    conn: &mut DbConnection,
    p: &Principal,
    receipt: &str,
    answer_text: &str,
    correction_outcome: Option<&str>,
    at: NaiveDateTime,
) -> Result<FeedbackRow> {
    write_transaction(conn, |conn| {
        let row = find_by_receipt(conn, receipt)?
            .ok_or_else(|| RegistryError::NotFound(format!("receipt {receipt:?}")))?;
        // Receipts are public (the feedback is), so refusing says nothing new.
        p.require(
            p.can_answer_feedback(row.department_id),
            "answer this department's feedback",
        )?;
        if row.status != status::OPEN {
            return Err(RegistryError::Conflict(format!(
                "{receipt} is {}: only open complaints and corrections are answered",
                row.status
            )));
        }
        let text = text("answer", Some(answer_text), MAX_TEXT_CHARS)?
            .ok_or_else(|| invalid("answer", "请填写答复"))?;
        no_personal_data("answer", Some(&text))?;
        let decided = if row.kind == FeedbackKind::Correction.as_str() {
            match correction_outcome.map(str::trim) {
                Some(outcome::ACCEPTED) | Some("采纳") => Some(outcome::ACCEPTED),
                Some(outcome::NOT_ACCEPTED) | Some("不予采纳") => Some(outcome::NOT_ACCEPTED),
                _ => {
                    return Err(invalid(
                        "outcome",
                        "纠错的答复须说明是否采纳（accepted 或 not_accepted）",
                    ));
                }
            }
        } else {
            None
        };
        diesel::update(feedback::table.find(row.id))
            .set((
                feedback::status.eq(status::ANSWERED),
                feedback::answer.eq(&text),
                feedback::outcome.eq(decided),
                feedback::answered_by.eq(&p.username),
                feedback::answered_at.eq(at),
            ))
            .execute(conn)?;
        append_audit(
            conn,
            &AuditEntry {
                action: "feedback.answer",
                entity_type: "feedback",
                entity_key: &row.receipt,
                department_id: Some(row.department_id),
                details: serde_json::json!({"kind": row.kind, "outcome": decided}),
            },
            &p.actor(),
            at,
        )?;
        find_by_receipt(conn, &row.receipt)?
            .ok_or_else(|| RegistryError::Corrupt(format!("feedback {receipt} vanished")))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn answers_fall_due_after_working_days_in_china() {
        // Monday 2026-12-07 10:00 UTC (18:00 in China): ten working days end on Monday the
        // 21st, 23:59:59 China time.
        assert_eq!(
            due_after(at(2026, 12, 7, 10), 10),
            at(2026, 12, 21, 15) + Duration::seconds(59 * 60 + 59)
        );
        // Friday 2026-12-11 20:00 UTC is already Saturday in China: one working day is Monday.
        assert_eq!(
            due_after(at(2026, 12, 11, 20), 1),
            at(2026, 12, 14, 15) + Duration::seconds(59 * 60 + 59)
        );
        // No days: the end of the day it came in.
        assert_eq!(
            due_after(at(2026, 12, 7, 1), 0),
            at(2026, 12, 7, 15) + Duration::seconds(59 * 60 + 59)
        );
    }

    #[test]
    fn scores_average_to_one_decimal_and_count_satisfied() {
        let s = score_of(Some("受理".into()), &[5, 4, 2]);
        assert_eq!(s.ratings, 3);
        assert_eq!(s.average, 3.7);
        assert_eq!(s.satisfaction, 67);
        assert_eq!(score_of(None, &[]).satisfaction, 0);
    }

    #[test]
    fn receipts_are_dated_and_unambiguous() {
        let r = new_receipt(at(2026, 12, 7, 20)).unwrap();
        assert!(r.starts_with("FK20261208"), "{r}");
        assert_eq!(r.len(), 18);
        assert!(!r[10..].contains(['0', '1', 'I', 'O']));
    }
}
