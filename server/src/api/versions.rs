//! An item's history: its published versions (immutable snapshots) and the field-level
//! difference between two of them, so anyone can see what a department changed and when.

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_registry::interchange::PowerItemRecord;
use quanze_registry::models::ItemVersionRow;
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams};
use crate::state::AppState;
use crate::views::rfc3339;
use quanze_registry::repo::items::find_public_item;

/// One version of an item, without its content.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionSummary {
    /// Version number, from 1.
    pub version: i32,
    /// The item's status in this version (published or revoked).
    pub status: String,
    /// Why the change was made (法规修改, 机构改革, …), when given.
    pub reason: Option<String>,
    /// When the version was made (RFC 3339, UTC).
    pub created_at: String,
}

impl From<&ItemVersionRow> for VersionSummary {
    fn from(v: &ItemVersionRow) -> Self {
        VersionSummary {
            version: v.version,
            status: v.status.clone(),
            reason: v.reason.clone(),
            created_at: rfc3339(v.created_at),
        }
    }
}

/// A page of an item's versions, oldest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionPage {
    pub item_id: i64,
    pub code: String,
    pub total: i64,
    pub page: usize,
    pub per_page: usize,
    pub versions: Vec<VersionSummary>,
}

/// One version with the item as it was then, in the interchange format.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub item_id: i64,
    #[serde(flatten)]
    pub summary: VersionSummary,
    pub item: PowerItemRecord,
}

/// A top-level field of the interchange record that differs between two versions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    /// Field name in the interchange format (legal_bases, time_limit, …).
    pub field: String,
    /// The value in `from` (null when absent).
    #[schema(value_type = Value)]
    pub before: serde_json::Value,
    /// The value in `to` (null when absent).
    #[schema(value_type = Value)]
    pub after: serde_json::Value,
}

/// The difference between two versions of an item.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemDiff {
    pub item_id: i64,
    pub code: String,
    /// The older side; 0 stands for "before the first version".
    pub from: i32,
    pub to: i32,
    /// Changed fields in name order; empty when the versions are the same.
    pub changes: Vec<FieldChange>,
}

/// Parameters of the version list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionListParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, example = 1)]
    page: Option<u32>,
    /// Versions per page, at most 100 (default 50).
    #[param(minimum = 1, maximum = 100, example = 50)]
    per_page: Option<u32>,
}

impl RouteParams for VersionListParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(VersionListParams {
            page: q.number("page", 1, 100_000)?,
            per_page: q.number("per_page", 1, 100)?,
        })
    }
}

/// Parameters of the diff.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// The older version (default: the one before `to`; 0 compares with nothing).
    #[param(minimum = 0, example = 1)]
    pub(crate) from: Option<i32>,
    /// The newer version (default: the newest).
    #[param(minimum = 1, example = 2)]
    pub(crate) to: Option<i32>,
}

impl RouteParams for DiffParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(DiffParams {
            from: q.number("from", 0, i32::MAX.into())?,
            to: q.number("to", 1, i32::MAX.into())?,
        })
    }
}

const ITEM_KEY_EXAMPLE: &str = "511A0138000000-511602000000-000-115113010833722043-1-00";

fn snapshot_record(v: &ItemVersionRow) -> Result<serde_json::Value, ApiError> {
    serde_json::from_str(&v.snapshot).map_err(|e| {
        ApiError::Internal(format!("version {} of item {}: {e}", v.version, v.item_id))
    })
}

/// An item's versions.
///
/// Every published version of the item, oldest first: the version number, status, the reason
/// given for the change and when it was made. Read one with `/versions/{n}`, compare two with
/// `/diff`.
#[utoipa::path(
    tag = "items",
    params(
        ("id_or_code" = String, Path, description = "The item's numeric id or its code (实施编码)", example = json!(ITEM_KEY_EXAMPLE)),
        VersionListParams
    ),
    responses(
        (status = 200, description = "A page of versions", body = VersionPage),
        (status = 400, description = "A paging parameter is malformed"),
        (status = 404, description = "No public item has this id or code")
    )
)]
#[get("/items/{id_or_code}/versions")]
pub async fn item_versions(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    let p = VersionListParams::from_query(req.query_string())?;
    let page = p.page.map_or(1, |n| n as usize);
    let per_page = p.per_page.map_or(50, |n| n as usize);
    let body = state
        .with_public_read(move |conn| {
            let item = find_public_item(conn, &key)?;
            let (rows, total) = quanze_registry::repo::history::versions_page(
                conn,
                item.id,
                ((page - 1) * per_page) as i64,
                per_page as i64,
            )?;
            Ok(VersionPage {
                item_id: item.id,
                code: item.code,
                total,
                page,
                per_page,
                versions: rows.iter().map(VersionSummary::from).collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// One version of an item.
///
/// The item exactly as it was published in version `n`, in the interchange format.
#[utoipa::path(
    tag = "items",
    params(
        ("id_or_code" = String, Path, description = "The item's numeric id or its code (实施编码)", example = json!(ITEM_KEY_EXAMPLE)),
        ("n" = i32, Path, description = "Version number, from 1", minimum = 1, example = 1)
    ),
    responses(
        (status = 200, description = "The version", body = VersionView),
        (status = 400, description = "The version number is malformed"),
        (status = 404, description = "No such item or version")
    )
)]
#[get("/items/{id_or_code}/versions/{n}")]
pub async fn item_version(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (key, n) = path.into_inner();
    let n = version_number("n", &n)?;
    let body = state
        .with_public_read(move |conn| {
            let item = find_public_item(conn, &key)?;
            let v = quanze_registry::repo::history::find_version(conn, item.id, n)?
                .ok_or_else(|| ApiError::NotFound(format!("version {n} of item {key:?}")))?;
            let item_record: PowerItemRecord = serde_json::from_value(snapshot_record(&v)?)
                .map_err(|e| ApiError::Internal(format!("version {n} of {key}: {e}")))?;
            Ok(VersionView {
                item_id: item.id,
                summary: VersionSummary::from(&v),
                item: item_record,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub(crate) fn version_number(name: &'static str, raw: &str) -> Result<i32, ApiError> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            ApiError::bad_request(
                name,
                format!(
                    "a version number is a whole number from 1, got {:?}",
                    raw.chars().take(20).collect::<String>()
                ),
            )
        })
}

/// What changed between two versions of an item.
///
/// The top-level fields of the interchange record that differ between version `from` and
/// version `to`, each with its value before and after. Without parameters: what the newest
/// version changed.
#[utoipa::path(
    tag = "items",
    params(
        ("id_or_code" = String, Path, description = "The item's numeric id or its code (实施编码)", example = json!(ITEM_KEY_EXAMPLE)),
        DiffParams
    ),
    responses(
        (status = 200, description = "The field-level difference", body = ItemDiff),
        (status = 400, description = "`from` or `to` is malformed"),
        (status = 404, description = "No such item or version")
    )
)]
#[get("/items/{id_or_code}/diff")]
pub async fn item_diff(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    let DiffParams { from, to } = DiffParams::from_query(req.query_string())?;
    let body = state
        .with_public_read(move |conn| {
            use quanze_registry::repo::history::{find_version, latest_version};
            let item = find_public_item(conn, &key)?;
            let missing = |n: i32| ApiError::NotFound(format!("version {n} of item {key:?}"));
            let to_row = match to {
                Some(n) => find_version(conn, item.id, n)?.ok_or_else(|| missing(n))?,
                None => latest_version(conn, item.id)?.ok_or_else(|| missing(1))?,
            };
            // By default the public version before it (a version approved while the item was
            // withheld is not one: the diff spans it).
            let from = match from {
                Some(n) => n,
                None => quanze_registry::repo::history::public_version_numbers(conn, item.id)?
                    .into_iter()
                    .rfind(|v| *v < to_row.version)
                    .unwrap_or(0),
            };
            let before = if from == 0 {
                serde_json::Value::Object(Default::default())
            } else {
                snapshot_record(&find_version(conn, item.id, from)?.ok_or_else(|| missing(from))?)?
            };
            let changes = field_changes(&before, &snapshot_record(&to_row)?);
            Ok(ItemDiff {
                item_id: item.id,
                code: item.code,
                from,
                to: to_row.version,
                changes,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The top-level fields that differ between two snapshots, in name order.
pub(crate) fn field_changes(
    before: &serde_json::Value,
    after: &serde_json::Value,
) -> Vec<FieldChange> {
    quanze_registry::repo::history::diff_fields(before, after)
        .into_iter()
        .map(|(field, change)| FieldChange {
            field,
            before: change["before"].clone(),
            after: change["after"].clone(),
        })
        .collect()
}
