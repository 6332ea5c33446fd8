//! `GET /api/v1/statistics…`: the registry's transparency figures — published items per
//! category, department and region, withheld items by reason, changes and citizens' feedback
//! per month — as JSON or CSV, and the list review that compares the list on two dates.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use quanze_registry::statistics::ListReview;

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams, path_id};
use crate::state::AppState;
use crate::views::statistics::{Figure, Statistics, load_statistics, review_csv};

/// JSON or CSV.
fn wants_csv(q: &QueryParams) -> Result<bool, ApiError> {
    match q.text("format", 10).as_deref() {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(ApiError::bad_request("format", "must be json or csv")),
    }
}

fn csv_response(name: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"quanze-{name}.csv\""),
        ))
        .body(body)
}

/// How one figure is given.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FigureParams {
    /// `json` (default) or `csv` (UTF-8 with a BOM, Chinese headers, for Excel).
    #[param(value_type = Option<String>, example = "csv")]
    format: Option<String>,
}

impl RouteParams for FigureParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(FigureParams {
            format: wants_csv(q)?.then(|| "csv".to_string()),
        })
    }
}

/// Every figure of the registry.
///
/// Published items per category, department and region; withheld items (不予公开) by reason;
/// items published, revised, revoked (with the reasons given) and withdrawn per month; ratings,
/// complaints and corrections per month. Only public facts: the numbers behind the charts on
/// `/statistics`.
#[utoipa::path(
    tag = "statistics",
    responses((status = 200, description = "The figures", body = Statistics))
)]
#[get("/statistics")]
pub async fn statistics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let figures = Arc::clone(&state.item_figures);
    let s = state
        .with_public_read(move |conn| load_statistics(conn, &figures))
        .await?;
    Ok(HttpResponse::Ok().json(s))
}

/// Parameters of the list review.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewParams {
    /// The earlier date, `YYYY-MM-DD` (default: a year before `to`): the list at the end of it.
    #[param(value_type = Option<String>, example = "2025-12-31")]
    from: Option<NaiveDate>,
    /// The later date (default: today, UTC).
    #[param(value_type = Option<String>, example = "2026-12-07")]
    to: Option<NaiveDate>,
    /// Only this department's list (id).
    #[param(minimum = 1, example = 1)]
    department: Option<i64>,
    /// `json` (default) or `csv` (the totals, then before and after per category).
    #[param(value_type = Option<String>, example = "json")]
    format: Option<String>,
}

fn date(q: &QueryParams, key: &'static str) -> Result<Option<NaiveDate>, ApiError> {
    q.text(key, 20)
        .map(|d| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .ok()
                .filter(|d| (1900..=2100).contains(&chrono::Datelike::year(d)))
                .ok_or_else(|| {
                    ApiError::bad_request(key, "must be a date YYYY-MM-DD between 1900 and 2100")
                })
        })
        .transpose()
}

impl RouteParams for ReviewParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        let department = q
            .text("department", 20)
            .map(|d| path_id("department", &d))
            .transpose()?;
        Ok(ReviewParams {
            from: date(q, "from")?,
            to: date(q, "to")?,
            department,
            format: wants_csv(q)?.then(|| "csv".to_string()),
        })
    }
}

impl ReviewParams {
    /// The two dates, in order, defaulting as documented.
    pub fn dates(&self) -> Result<(NaiveDate, NaiveDate), ApiError> {
        let to = self
            .to
            .unwrap_or_else(|| quanze_registry::repo::now().date());
        let from = self.from.unwrap_or(to - chrono::Duration::days(365));
        if from > to {
            return Err(ApiError::bad_request("from", "must not be after `to`"));
        }
        Ok((from, to))
    }

    pub fn department(&self) -> Option<i64> {
        self.department
    }
}

/// The list on two dates, as a reform is reported (清理前 N 项，清理后 M 项，取消 K 项).
///
/// Items published at the end of `from` and of `to`, how many were cancelled (revoked) in
/// between and why, how many were added and how many withdrawn (withheld since), and before
/// and after per category — from the items' version history, for the registry or one
/// department.
#[utoipa::path(
    tag = "statistics",
    params(ReviewParams),
    responses(
        (status = 200, description = "The comparison", body = ListReview),
        (status = 400, description = "A parameter is malformed")
    )
)]
#[get("/statistics/list-review")]
pub async fn list_review(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = ReviewParams::from_query(req.query_string())?;
    let (from, to) = p.dates()?;
    let department = p.department;
    let reviews = Arc::clone(&state.list_reviews);
    let review = state
        .with_public_read(move |conn| reviews.get(conn, (from, to, department)))
        .await?;
    if p.format.is_some() {
        return Ok(csv_response("list-review", review_csv(&review)?));
    }
    Ok(HttpResponse::Ok().json(review))
}

/// One figure, as JSON rows or CSV.
///
/// `figure`: `categories`, `departments`, `regions`, `withheld` (rows of key, label, count),
/// `changes` (per month) or `feedback` (per month).
#[utoipa::path(
    tag = "statistics",
    params(
        ("figure" = String, Path, description = "categories, departments, regions, withheld, changes or feedback", example = "categories"),
        FigureParams
    ),
    responses(
        (status = 200, description = "The figure's rows (JSON array, or CSV)"),
        (status = 400, description = "A parameter is malformed"),
        (status = 404, description = "No such figure")
    )
)]
#[get("/statistics/{figure}")]
pub async fn figure(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let figure = Figure::parse(&path)?;
    let p = FigureParams::from_query(req.query_string())?;
    let figures = Arc::clone(&state.item_figures);
    let rows = state
        .with_public_read(move |conn| figure.load(conn, &figures))
        .await?;
    if p.format.is_some() {
        return Ok(csv_response(figure.key(), rows.csv()?));
    }
    Ok(HttpResponse::Ok().json(rows.json()))
}
