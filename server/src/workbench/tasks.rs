//! `/workbench/tasks`: a department's task list (工作任务清单) brought in as a sheet — XLSX or
//! CSV with the usual headers (任务, 责任单位, 完成时间, 进展情况, 状态) — replacing the list it
//! has, all or nothing; problems are shown at their cells and nothing changes. The list is
//! public on the department's page at once.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use maud::html;
use quanze_registry::models::DepartmentRow;
use quanze_registry::sheet::workbook::SheetFormat;

use super::upload::{editable_departments, read_multipart};
use super::{Clerk, WorkbenchError, WorkbenchResult, page, see_other};
use crate::error::ApiError;
use crate::middleware::body_limit::MaxBody;
use crate::state::AppState;

fn form(clerk: &Clerk, departments: &[DepartmentRow]) -> maud::Markup {
    html! {
        form.workbench-form method="post" action="/workbench/tasks" enctype="multipart/form-data" {
            (clerk.csrf_field())
            p {
                label for="file" { "任务清单表格（XLSX 或 CSV：任务、责任单位、完成时间、进展情况、状态）" }
                input #file name="file" type="file" required
                    accept=".xlsx,.xlsm,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv";
            }
            p {
                label for="department" { "部门" }
                select #department name="department" required {
                    @for d in departments { option value=(d.id) { (d.name) } }
                }
            }
            p { button type="submit" { "导入（替换该部门现有的任务清单）" } }
        }
    }
}

/// `GET /workbench/tasks`.
pub async fn tasks_page(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
) -> WorkbenchResult {
    let departments = editable_departments(&state, &clerk).await?;
    let imported = req.query_string().starts_with("imported=");
    page(
        &clerk,
        "工作任务清单",
        html! {
            h1 { "工作任务清单" }
            @if imported {
                p.notice role="status" { "已导入。任务清单已在部门页面公开。" }
            }
            p { "上传部门的工作任务清单，替换现有清单。完成时间可写 2024-06-30、2024年6月底前、2024年底前、2024年第三季度或长期推进；过了完成时间仍未完成的任务在部门页面上以红色标出。" }
            @if departments.is_empty() { p { "您没有可以编辑的部门。" } }
            @else { (form(&clerk, &departments)) }
        },
    )
}

/// `POST /workbench/tasks`: reads the sheet; with problems, shows them and changes nothing.
pub async fn import(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
    parts: Multipart,
    max_body: web::Data<MaxBody>,
) -> WorkbenchResult {
    super::session::same_origin(&req)?;
    let upload = read_multipart(parts, max_body.0).await?;
    clerk.check_form(&req, &upload.fields)?;
    let department: i64 =
        upload.fields.get("department").parse().map_err(|_| {
            WorkbenchError(ApiError::bad_request("department", "not a department id"))
        })?;
    let format = SheetFormat::from_extension(&upload.file_name)
        .unwrap_or_else(|| SheetFormat::sniff(&upload.content));
    let name = upload.file_name.clone();
    let tasks = match quanze_registry::tasks::read_task_sheet(&upload.content, format, &name) {
        Ok(tasks) => tasks,
        Err(problems) => {
            return Err(WorkbenchError(ApiError::InvalidRecord(
                problems
                    .into_iter()
                    .map(|p| crate::error::FieldProblem {
                        field: p.cell.clone().unwrap_or_default(),
                        message: p.to_string(),
                    })
                    .collect(),
            )));
        }
    };
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| {
            Ok(quanze_registry::tasks::replace_tasks(
                conn,
                &p,
                department,
                &tasks,
                quanze_registry::repo::now(),
            )?)
        })
        .await?;
    Ok(see_other(&format!(
        "/workbench/tasks?imported={department}"
    )))
}
