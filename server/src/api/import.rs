//! `POST /api/v1/import`: a department's bulk maintenance over HTTP. The body — NDJSON, or the
//! department's sheet as XLSX or CSV — becomes drafts submitted for review, all rows or none,
//! within the caller's departments; an admin may publish directly. The answer is the report,
//! row by row (cell by cell for sheets). `GET /api/v1/import/template.xlsx` (and `.csv`) is the
//! empty sheet to fill in.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use quanze_registry::import::sheet::{SheetDefaults, SheetFile};
use quanze_registry::import::{ImportOptions, ImportReport};

use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::body::{Upload, XLSX, upload_kind};
use crate::extract::params::{QueryParams, RouteParams};
use crate::state::AppState;

/// Options of an import.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Validate and simulate, then roll back: the report says what a real run would do.
    #[param(example = false)]
    dry_run: Option<bool>,
    /// Admins only: publish the rows at once instead of submitting them for review.
    #[param(example = false)]
    publish: Option<bool>,
    /// Unknown keys are errors instead of warnings.
    #[param(example = true)]
    strict: Option<bool>,
    /// Why the changes are made (法规修改, 机构改革, …).
    #[param(example = "机构改革")]
    reason: Option<String>,
    /// For sheets: the department (id) whose list it is, for rows that name no 实施主体.
    #[param(minimum = 1, example = 37)]
    department: Option<i64>,
}

impl RouteParams for ImportParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(ImportParams {
            dry_run: q.flag("dry_run")?,
            publish: q.flag("publish")?,
            strict: q.flag("strict")?,
            reason: q.text("reason", 200),
            department: q.whole("department", 1, i64::MAX)?,
        })
    }
}

/// What an import did, row by row.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    /// Records read.
    pub rows: usize,
    /// New items (drafts in review, or published with `publish`).
    pub created: usize,
    /// Revisions of published items.
    pub updated: usize,
    /// Rows equal to the published item.
    pub unchanged: usize,
    /// True when written (false for a dry run or a rejected file).
    pub committed: bool,
    pub dry_run: bool,
    /// Errors and warnings with their row and field.
    pub problems: Vec<ImportProblem>,
}

/// A problem on one row.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    pub row: Option<usize>,
    pub field: String,
    /// The spreadsheet cell at fault (`权力清单!E12`), for sheets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    pub message: String,
    /// error or warning.
    pub severity: String,
}

impl From<ImportReport> for ImportResult {
    fn from(r: ImportReport) -> Self {
        ImportResult {
            rows: r.rows,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            committed: r.committed,
            dry_run: r.dry_run,
            problems: r
                .problems
                .into_iter()
                .map(|p| ImportProblem {
                    severity: if p.is_error() { "error" } else { "warning" }.into(),
                    row: p.row,
                    field: p.field,
                    cell: p.cell,
                    message: p.message,
                })
                .collect(),
        }
    }
}

/// Import items for review: NDJSON, or a department's sheet (XLSX, CSV).
///
/// NDJSON: one power item per line in the interchange format. A sheet (XLSX or CSV in UTF-8
/// or GBK): a header row of the usual Chinese column names and one item per row, as the
/// template (`/import/template.xlsx`) shows; problems name their cell (`权力清单!E12`) in
/// Chinese. Every row is validated and checked against the caller's departments first; any
/// error rejects the whole file (422 with the report, nothing written). Otherwise each row
/// becomes a draft submitted for review (a revision where the item is published; rows equal to
/// the published item are left alone), in one transaction. An admin may pass `publish=true` to
/// publish directly.
#[utoipa::path(
    tag = "maintenance",
    security(("bearer" = [])),
    params(ImportParams),
    request_body(description = "NDJSON (one power item per line), or a sheet: CSV (UTF-8 or GBK) or an XLSX workbook", content(
        (String = "application/x-ndjson"),
        (String = "text/plain"),
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )),
    responses(
        (status = 200, description = "Imported (or, for a dry run, what would be)", body = ImportResult),
        (status = 400, description = "A parameter is malformed"),
        (status = 403, description = "publish=true by a non-admin, or a department not the caller's"),
        (status = 404, description = "The department does not exist"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "The body is not NDJSON, CSV or XLSX"),
        (status = 422, description = "Rejected: the report lists every problem; nothing was written", body = ImportResult)
    )
)]
#[post("/import")]
pub async fn import_items(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let upload = upload_kind(&req, &body)?;
    let q = ImportParams::from_query(req.query_string())?;
    let p = caller.0;
    let mut opts = ImportOptions::strict_by(&p.username, &p.origin, q.reason.as_deref());
    opts.dry_run = q.dry_run.unwrap_or(false);
    opts.strict = q.strict.unwrap_or(false);
    let publish = q.publish.unwrap_or(false);
    let department = q.department;
    let db = state.db.clone();
    let report = web::block(move || -> Result<ImportReport, ApiError> {
        let report = match upload {
            Upload::Ndjson => quanze_registry::import::review::import_items_for_review(
                &db,
                std::io::Cursor::new(body),
                &opts,
                &p,
                publish,
            )?,
            Upload::Sheet(format) => {
                let defaults = SheetDefaults {
                    department: department
                        .map(|id| {
                            quanze_registry::workflow::department_for_editing(
                                &mut *db.conn()?,
                                &p,
                                id,
                            )
                        })
                        .transpose()?,
                };
                let file = SheetFile {
                    bytes: &body,
                    format,
                    name: "upload",
                };
                quanze_registry::import::sheet::import_items_sheet_for_review(
                    &db, &file, &defaults, &opts, &p, publish,
                )?
            }
        };
        Ok(report)
    })
    .await??;
    let status = if report.errors() > 0 {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(ImportResult::from(report)))
}

/// The empty sheet to fill in (XLSX).
///
/// The headers of a power list in the usual Chinese names, one example row (序号 示例, which an
/// import passes over), a drop-down list on 权力分类 and a sheet saying how to fill each column.
#[utoipa::path(
    tag = "maintenance",
    responses(
        (status = 200, description = "The template", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))
    )
)]
#[get("/import/template.xlsx")]
pub async fn template_xlsx() -> Result<HttpResponse, ApiError> {
    let bytes = web::block(quanze_registry::sheet::write::template_xlsx)
        .await?
        .map_err(ApiError::Internal)?;
    Ok(attachment(XLSX, "quanze-template.xlsx", bytes))
}

/// The empty sheet to fill in (CSV, UTF-8 with a BOM).
#[utoipa::path(
    tag = "maintenance",
    responses(
        (status = 200, description = "The template", content((String = "text/csv")))
    )
)]
#[get("/import/template.csv")]
pub async fn template_csv() -> Result<HttpResponse, ApiError> {
    let bytes = quanze_registry::sheet::write::template_csv().map_err(ApiError::Internal)?;
    Ok(attachment(
        "text/csv; charset=utf-8; header=present",
        "quanze-template.csv",
        bytes,
    ))
}

/// A file to save, named.
pub(crate) fn attachment(content_type: &str, file: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file}\""),
        ))
        .body(bytes)
}
