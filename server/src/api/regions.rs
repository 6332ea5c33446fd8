//! Regions (行政区划): the tree the departments sit in, with how many departments and published
//! items each region holds (its subregions included).

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_registry::domain::{RegionCode, RegionLevel};
use quanze_registry::models::RegionRow;
use std::sync::Arc;

use quanze_registry::repo::regions::RegionTallies;
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams, region_code, region_level};
use crate::state::AppState;

/// A region with its tallies.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegionView {
    /// Six-digit code (GB/T 2260), nine for townships.
    pub code: String,
    /// Name, when the registry knows it.
    pub name: Option<String>,
    /// province, city, county, township or village.
    pub level: String,
    /// The region above, if any.
    pub parent: Option<String>,
    /// Departments in this region and below.
    pub departments: i64,
    /// Published items of those departments.
    pub published_items: i64,
}

fn view(row: RegionRow, tallies: &RegionTallies) -> RegionView {
    let tally = RegionCode::parse(&row.code)
        .map(|c| tallies.of(&c))
        .unwrap_or_default();
    RegionView {
        code: row.code,
        name: row.name,
        level: row.level,
        parent: row.parent_code,
        departments: tally.departments,
        published_items: tally.published_items,
    }
}

/// A page of regions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegionPage {
    pub total: i64,
    pub page: usize,
    pub per_page: usize,
    pub regions: Vec<RegionView>,
}

/// A region with the regions directly below it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub region: RegionView,
    /// The regions directly below, in code order, each with its tallies.
    pub children: Vec<RegionView>,
}

/// Filters of the region list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionListParams {
    /// Only the regions directly below this one (6 or 12 digits).
    #[param(value_type = Option<String>, example = "511600", pattern = "^[0-9]{6}([0-9]{6})?$")]
    parent: Option<RegionCode>,
    /// Only regions of this level: province, city, county, township or village.
    #[param(value_type = Option<String>, example = "county")]
    level: Option<RegionLevel>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, example = 1)]
    page: Option<u32>,
    /// Regions per page, at most 100 (default 50).
    #[param(minimum = 1, maximum = 100, example = 50)]
    per_page: Option<u32>,
}

impl RouteParams for RegionListParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(RegionListParams {
            parent: q
                .text("parent", 20)
                .map(|raw| region_code("parent", &raw))
                .transpose()?,
            level: q.text("level", 20).map(|l| region_level(&l)).transpose()?,
            page: q.number("page", 1, 100_000)?,
            per_page: q.number("per_page", 1, 100)?,
        })
    }
}

/// List regions.
///
/// Regions in code order, optionally only those directly below `parent` or of one level, each
/// with the number of departments and published items in it and below it.
#[utoipa::path(
    tag = "regions",
    params(RegionListParams),
    responses(
        (status = 200, description = "A page of regions", body = RegionPage),
        (status = 400, description = "A filter or paging parameter is malformed")
    )
)]
#[get("/regions")]
pub async fn list_regions(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let RegionListParams {
        parent,
        level,
        page,
        per_page,
    } = RegionListParams::from_query(req.query_string())?;
    let page = page.map_or(1, |n| n as usize);
    let per_page = per_page.map_or(50, |n| n as usize);
    let region_tallies = Arc::clone(&state.region_tallies);
    let body = state
        .with_public_read(move |conn| {
            let (rows, total) = quanze_registry::repo::regions::list_regions(
                conn,
                parent.as_ref().map(RegionCode::as_str),
                level.map(RegionLevel::key),
                ((page - 1) * per_page) as i64,
                per_page as i64,
            )?;
            let tallies = region_tallies.get(conn)?;
            Ok(RegionPage {
                total,
                page,
                per_page,
                regions: rows.into_iter().map(|r| view(r, &tallies)).collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// One region with its children.
///
/// The region (6-digit or 12-digit code; 12 digits are read as the 6-digit region they start
/// with), its tallies, and the regions directly below it with theirs.
#[utoipa::path(
    tag = "regions",
    params(("code" = String, Path, description = "Region code (GB/T 2260), 6 or 12 digits", example = "511600", pattern = "^[0-9]{6}([0-9]{6})?$")),
    responses(
        (status = 200, description = "The region", body = RegionDetail),
        (status = 400, description = "The code is not a region code"),
        (status = 404, description = "The registry has no such region")
    )
)]
#[get("/regions/{code}")]
pub async fn get_region(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = region_code("code", &path)?;
    let region_tallies = Arc::clone(&state.region_tallies);
    let body = state
        .with_public_read(move |conn| {
            let row = quanze_registry::repo::regions::find_region(conn, code.as_str())?
                .ok_or_else(|| ApiError::NotFound(format!("region {}", code.as_str())))?;
            let children = quanze_registry::repo::regions::child_regions(conn, code.as_str())?;
            let tallies = region_tallies.get(conn)?;
            Ok(RegionDetail {
                region: view(row, &tallies),
                children: children.into_iter().map(|r| view(r, &tallies)).collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}
