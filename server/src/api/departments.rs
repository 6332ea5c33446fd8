//! Departments: the list, one department, its power list grouped by category, and its
//! responsibility list (责任清单).

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_registry::domain::{RegionCode, RegionLevel};
use quanze_registry::interchange::ResponsibilityListRecord;
use quanze_registry::repo::departments::DepartmentFilter;
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams};
use crate::extract::params::{region_code, region_level};
use crate::state::AppState;
use crate::views::departments::{
    DepartmentView, PowerList, department_id, load_department, load_power_list,
};

/// A page of departments.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentPage {
    pub total: i64,
    pub page: usize,
    pub per_page: usize,
    pub departments: Vec<DepartmentView>,
}

/// Filters of the department list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentListParams {
    /// Region code (6 or 12 digits); covers every region below it (510000 covers 511602).
    #[param(value_type = Option<String>, example = "511602", pattern = "^[0-9]{6}([0-9]{6})?$")]
    region: Option<RegionCode>,
    /// Administrative level of the department: province, city, county, township or village.
    #[param(value_type = Option<String>, example = "city")]
    level: Option<RegionLevel>,
    /// A fragment of the department's name.
    #[param(example = "交通")]
    name: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, example = 1)]
    page: Option<u32>,
    /// Departments per page, at most 100 (default 50).
    #[param(minimum = 1, maximum = 100, example = 50)]
    per_page: Option<u32>,
}

impl RouteParams for DepartmentListParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(DepartmentListParams {
            region: q
                .text("region", 20)
                .map(|r| region_code("region", &r))
                .transpose()?,
            level: q.text("level", 20).map(|l| region_level(&l)).transpose()?,
            name: q.text("name", 100),
            page: q.number("page", 1, 100_000)?,
            per_page: q.number("per_page", 1, 100)?,
        })
    }
}

/// List departments.
///
/// Departments in id order, filtered by region (prefix semantics), level and name fragment,
/// with the total before paging.
#[utoipa::path(
    tag = "departments",
    params(DepartmentListParams),
    responses(
        (status = 200, description = "A page of departments", body = DepartmentPage),
        (status = 400, description = "A filter or paging parameter is malformed")
    )
)]
#[get("/departments")]
pub async fn list_departments(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = DepartmentListParams::from_query(req.query_string())?;
    let filter = DepartmentFilter {
        region: p.region,
        level: p.level.map(|l| l.key().to_string()),
        name_contains: p.name,
    };
    let page = p.page.map_or(1, |n| n as usize);
    let per_page = p.per_page.map_or(50, |n| n as usize);
    let (rows, total) = state
        .with_public_read(move |conn| {
            Ok(quanze_registry::repo::departments::search_departments(
                conn,
                &filter,
                ((page - 1) * per_page) as i64,
                per_page as i64,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(DepartmentPage {
        total,
        page,
        per_page,
        departments: rows.into_iter().map(Into::into).collect(),
    }))
}

/// One department.
#[utoipa::path(
    tag = "departments",
    params(("id" = i64, Path, description = "The department's id", example = 1)),
    responses(
        (status = 200, description = "The department", body = DepartmentView),
        (status = 400, description = "The id is not a number"),
        (status = 404, description = "No such department")
    )
)]
#[get("/departments/{id}")]
pub async fn get_department(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = department_id(&path)?;
    let row = state
        .with_public_read(move |conn| load_department(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(DepartmentView::from(row)))
}

/// A department's power list, grouped by category.
///
/// Every published item of the department, grouped by category in catalogue order (行政许可,
/// 行政处罚, …), with counts.
#[utoipa::path(
    tag = "departments",
    params(("id" = i64, Path, description = "The department's id", example = 1)),
    responses(
        (status = 200, description = "The power list", body = PowerList),
        (status = 400, description = "The id is not a number"),
        (status = 404, description = "No such department")
    )
)]
#[get("/departments/{id}/powers")]
pub async fn department_powers(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = department_id(&path)?;
    let list = state
        .with_public_read(move |conn| load_power_list(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// A department's responsibility list (责任清单).
///
/// The four parts: main duties with their work items, duty boundaries with the departments
/// involved, in-process and after-the-fact supervision rules, and public services.
#[utoipa::path(
    tag = "departments",
    params(("id" = i64, Path, description = "The department's id", example = 1)),
    responses(
        (status = 200, description = "The responsibility list (parts may be empty)", body = ResponsibilityListRecord),
        (status = 400, description = "The id is not a number"),
        (status = 404, description = "No such department")
    )
)]
#[get("/departments/{id}/responsibilities")]
pub async fn department_responsibilities(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = department_id(&path)?;
    let list = state
        .with_public_read(move |conn| {
            let d = load_department(conn, id)?;
            Ok(
                quanze_registry::repo::responsibilities::load_responsibility_list(
                    conn,
                    id,
                    d.as_record(),
                )?,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// A department's task list (工作任务清单).
///
/// The tasks of its work plan in order, each with its responsible unit, its deadline as
/// written and as a date (`due`; absent for 长期推进), progress notes and status; `overdue`
/// when past its day and not done.
#[utoipa::path(
    tag = "departments",
    params(("id" = i64, Path, description = "The department's id", example = 1)),
    responses(
        (status = 200, description = "The tasks (empty when none are published)", body = Vec<quanze_registry::tasks::PublicTask>),
        (status = 400, description = "The id is not a number"),
        (status = 404, description = "No such department")
    )
)]
#[get("/departments/{id}/tasks")]
pub async fn department_tasks(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = department_id(&path)?;
    let tasks = state
        .with_public_read(move |conn| {
            load_department(conn, id)?;
            let today = quanze_registry::tasks::china_today(quanze_registry::repo::now());
            Ok(quanze_registry::tasks::department_tasks(conn, id, today)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(tasks))
}
