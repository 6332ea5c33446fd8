//! `GET /api/v1/quality`: the data-quality report of the published lists (public, like the
//! lists themselves).

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_registry::quality::{FindingKind, QualityQuery};

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams};
use crate::state::AppState;
use crate::views::quality::{DEFAULT_STALE_DAYS, QualityView, load_quality};

/// Filters of the report.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QualityParams {
    /// Only this department's list (id).
    #[param(minimum = 1, example = 37)]
    department: Option<i64>,
    /// Only findings of this kind: no_legal_basis, outdated_basis, unresolved_citation,
    /// no_responsibilities, no_accountability, penalty_without_discretion, shared_power,
    /// not_reviewed.
    #[param(value_type = Option<String>, example = "no_legal_basis")]
    kind: Option<FindingKind>,
    /// An item last changed longer ago than this many days is due for review (default 365).
    #[param(minimum = 0, maximum = 36500, example = 365)]
    stale_days: Option<i64>,
    /// Findings listed, at most 5,000 (default 500); counts are always complete.
    #[param(minimum = 1, maximum = 5000, example = 500)]
    limit: Option<u32>,
}

impl RouteParams for QualityParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        let kind = q
            .text("kind", 40)
            .map(|k| {
                FindingKind::parse(&k).ok_or_else(|| {
                    ApiError::bad_request(
                        "kind",
                        format!(
                            "must be one of {}",
                            FindingKind::ALL.map(FindingKind::key).join(", ")
                        ),
                    )
                })
            })
            .transpose()?;
        Ok(QualityParams {
            department: q.whole("department", 1, i64::MAX)?,
            kind,
            stale_days: q.whole("stale_days", 0, 36_500)?,
            limit: q.number("limit", 1, 5_000)?,
        })
    }
}

impl QualityParams {
    pub fn query(&self) -> QualityQuery {
        QualityQuery {
            department: self.department,
            stale_after_days: self.stale_days.unwrap_or(DEFAULT_STALE_DAYS),
            now: quanze_registry::repo::now(),
        }
    }
}

/// The data-quality report.
///
/// What in the published lists needs attention, with counts per kind and per department and
/// the items of each finding: powers without a legal basis (没有法定依据的权力), bases citing a
/// law version no longer in force, citations the registry cannot link, powers without 责任事项
/// or 追责情形, penalties without 裁量基准, the same power listed by two departments of one
/// region, and items not revised for `stale_days`.
#[utoipa::path(
    tag = "quality",
    params(QualityParams),
    responses(
        (status = 200, description = "The report", body = QualityView),
        (status = 400, description = "A parameter is malformed")
    )
)]
#[get("/quality")]
pub async fn quality(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = QualityParams::from_query(req.query_string())?;
    let query = p.query();
    let (kind, limit) = (p.kind, p.limit.map_or(500, |n| n as usize));
    let reports = std::sync::Arc::clone(&state.quality_reports);
    let view = state
        .with_public_read(move |conn| load_quality(conn, &reports, &query, kind, limit))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
