//! A department's 责任清单 history: its published versions (immutable snapshots of the whole
//! list) and the part-level difference between two, as for power items, so anyone can see
//! what a department changed in its duties and when.

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_registry::interchange::ResponsibilityListRecord;
use quanze_registry::models::ResponsibilityListVersionRow;
use serde::Serialize;

use crate::api::versions::{DiffParams, FieldChange, field_changes, version_number};
use crate::error::ApiError;
use crate::extract::params::RouteParams;
use crate::state::AppState;
use crate::views::departments::{department_id, load_department};
use crate::views::rfc3339;

/// One version of a responsibility list, without its content.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListVersionSummary {
    /// Version number, from 1.
    pub version: i32,
    /// Why the change was made (机构改革, 法规修改, …), when given.
    pub reason: Option<String>,
    /// When the version was made (RFC 3339, UTC).
    pub created_at: String,
}

impl From<&ResponsibilityListVersionRow> for ListVersionSummary {
    fn from(v: &ResponsibilityListVersionRow) -> Self {
        ListVersionSummary {
            version: v.version,
            reason: v.reason.clone(),
            created_at: rfc3339(v.created_at),
        }
    }
}

/// A department's list versions, oldest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListVersions {
    pub department_id: i64,
    pub versions: Vec<ListVersionSummary>,
}

/// One version with the list as it was then, in the interchange format.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListVersionView {
    pub department_id: i64,
    #[serde(flatten)]
    pub summary: ListVersionSummary,
    pub list: ResponsibilityListRecord,
}

/// The difference between two versions of a list: the parts (main_duties, duty_boundaries,
/// supervision_rules, public_services, department) that differ.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListDiff {
    pub department_id: i64,
    /// The older side; 0 stands for "before the first version".
    pub from: i32,
    pub to: i32,
    /// Changed parts in name order; empty when the versions are the same.
    pub changes: Vec<FieldChange>,
}

fn snapshot(v: &ResponsibilityListVersionRow) -> Result<serde_json::Value, ApiError> {
    serde_json::from_str(&v.snapshot).map_err(|e| {
        ApiError::Internal(format!(
            "version {} of the list of department {}: {e}",
            v.version, v.department_id
        ))
    })
}

/// A department's responsibility-list versions.
///
/// Every published version of the department's 责任清单, oldest first: the version number, the
/// reason given and when it was made. Read one with `/versions/{n}`, compare two with `/diff`.
#[utoipa::path(
    tag = "departments",
    params(("id" = i64, Path, description = "The department's id", example = 1)),
    responses(
        (status = 200, description = "The versions (none when the list was never published)", body = ListVersions),
        (status = 400, description = "The id is not a number"),
        (status = 404, description = "No such department")
    )
)]
#[get("/departments/{id}/responsibilities/versions")]
pub async fn list_versions(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = department_id(&path)?;
    let body = state
        .with_public_read(move |conn| {
            load_department(conn, id)?;
            let rows = quanze_registry::repo::responsibilities::list_version_summaries(conn, id)?;
            Ok(ListVersions {
                department_id: id,
                versions: rows
                    .into_iter()
                    .map(|(version, reason, at)| ListVersionSummary {
                        version,
                        reason,
                        created_at: rfc3339(at),
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// One version of a department's responsibility list.
///
/// The 责任清单 exactly as it was published in version `n`, in the interchange format.
#[utoipa::path(
    tag = "departments",
    params(
        ("id" = i64, Path, description = "The department's id", example = 1),
        ("n" = i32, Path, description = "Version number, from 1", minimum = 1, example = 1)
    ),
    responses(
        (status = 200, description = "The version", body = ListVersionView),
        (status = 400, description = "The id or version number is malformed"),
        (status = 404, description = "No such department or version")
    )
)]
#[get("/departments/{id}/responsibilities/versions/{n}")]
pub async fn list_version(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (raw_id, n) = path.into_inner();
    let id = department_id(&raw_id)?;
    let n = version_number("n", &n)?;
    let body = state
        .with_public_read(move |conn| {
            load_department(conn, id)?;
            let v = quanze_registry::repo::responsibilities::find_list_version(conn, id, n)?
                .ok_or_else(|| {
                    ApiError::NotFound(format!("version {n} of the list of department {id}"))
                })?;
            let list: ResponsibilityListRecord = serde_json::from_value(snapshot(&v)?)
                .map_err(|e| ApiError::Internal(format!("list version {n} of {id}: {e}")))?;
            Ok(ListVersionView {
                department_id: id,
                summary: ListVersionSummary::from(&v),
                list,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// What changed between two versions of a department's responsibility list.
///
/// The parts of the list that differ between version `from` and version `to`, each with its
/// value before and after. Without parameters: what the newest version changed.
#[utoipa::path(
    tag = "departments",
    params(
        ("id" = i64, Path, description = "The department's id", example = 1),
        DiffParams
    ),
    responses(
        (status = 200, description = "The part-level difference", body = ListDiff),
        (status = 400, description = "The id, `from` or `to` is malformed"),
        (status = 404, description = "No such department or version")
    )
)]
#[get("/departments/{id}/responsibilities/diff")]
pub async fn list_diff(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = department_id(&path)?;
    let DiffParams { from, to } = DiffParams::from_query(req.query_string())?;
    let body = state
        .with_public_read(move |conn| {
            use quanze_registry::repo::responsibilities::{find_list_version, latest_list_version};
            load_department(conn, id)?;
            let missing =
                |n: i32| ApiError::NotFound(format!("version {n} of the list of department {id}"));
            let to_row = match to {
                Some(n) => find_list_version(conn, id, n)?.ok_or_else(|| missing(n))?,
                None => latest_list_version(conn, id)?.ok_or_else(|| missing(1))?,
            };
            let from = from.unwrap_or(to_row.version - 1);
            let before = if from == 0 {
                serde_json::Value::Object(Default::default())
            } else {
                snapshot(&find_list_version(conn, id, from)?.ok_or_else(|| missing(from))?)?
            };
            let changes = field_changes(&before, &snapshot(&to_row)?);
            Ok(ListDiff {
                department_id: id,
                from,
                to: to_row.version,
                changes,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
