//! Sheet upload: a department's XLSX or CSV is checked first (a dry run of the same import the
//! API runs: rows, what would be created, changed or left alone, and every problem at its
//! cell), kept for the uploader, and submitted for review only when they say so — exactly the
//! file that was checked. A file with errors is never kept: the clerk fixes it and uploads
//! again.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use maud::{Markup, html};
use quanze_registry::import::ImportReport;
use quanze_registry::import::sheet::{SheetDefaults, SheetFile};
use quanze_registry::models::DepartmentRow;
use quanze_registry::sheet::workbook::SheetFormat;

use super::session::FormFields;
use super::{Clerk, WorkbenchError, WorkbenchResult, page, see_other};
use crate::error::ApiError;
use crate::middleware::body_limit::MaxBody;
use crate::state::AppState;

/// The departments whose lists this person may upload (all, for an admin).
pub(super) async fn editable_departments(
    state: &AppState,
    clerk: &Clerk,
) -> Result<Vec<DepartmentRow>, ApiError> {
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| {
            let all = if p.is_admin() {
                quanze_registry::repo::departments::list_departments(conn)?
            } else {
                quanze_registry::repo::departments::get_departments(conn, &p.departments)?
            };
            Ok(all.into_iter().filter(|d| p.can_edit(d.id)).collect())
        })
        .await
}

fn upload_form(clerk: &Clerk, departments: &[DepartmentRow]) -> Markup {
    html! {
        form.workbench-form method="post" action="/workbench/upload" enctype="multipart/form-data" {
            (clerk.csrf_field())
            p {
                label for="file" { "清单表格（XLSX 或 CSV）" }
                input #file name="file" type="file" required
                    accept=".xlsx,.xlsm,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv";
            }
            p {
                label for="department" { "部门（表格中未写实施主体的行归入此部门）" }
                select #department name="department" {
                    @if departments.len() != 1 { option value="" { "按表格中的实施主体" } }
                    @for d in departments { option value=(d.id) { (d.name) } }
                }
            }
            p {
                label for="reason" { "修改原因（如：法规修改、机构改革）" }
                input #reason name="reason" type="text" maxlength="200";
            }
            p { button type="submit" { "检查表格" } }
            p.hint { "先检查，不会提交：检查通过后，再确认提交审核。" a href="/api/v1/import/template.xlsx" { "下载空白模板" } }
        }
    }
}

/// `GET /workbench/upload`.
pub async fn form(state: web::Data<AppState>, clerk: Clerk) -> WorkbenchResult {
    let departments = editable_departments(&state, &clerk).await?;
    page(
        &clerk,
        "上传清单表格",
        html! {
            h1 { "上传清单表格" }
            (upload_form(&clerk, &departments))
        },
    )
}

/// What the multipart form brought.
pub(super) struct Upload {
    pub(super) fields: FormFields,
    pub(super) file_name: String,
    pub(super) content: Vec<u8>,
}

pub(super) async fn read_multipart(
    mut parts: Multipart,
    limit: usize,
) -> Result<Upload, WorkbenchError> {
    let bad = |why: &str| WorkbenchError(ApiError::bad_request("file", why.to_string()));
    let mut pairs = Vec::new();
    let mut file = None;
    // What the parts may hold together: the body limit applies to the whole form, not to
    // each part of it.
    let mut left = limit;
    while let Some(part) = parts.next().await {
        let mut field = part.map_err(|e| bad(&format!("the form could not be read: {e}")))?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let bytes = field
            .bytes(left)
            .await
            .map_err(|_| WorkbenchError(ApiError::PayloadTooLarge { limit }))?
            .map_err(|e| bad(&format!("the form could not be read: {e}")))?;
        left = left.saturating_sub(bytes.len());
        match (name.as_str(), file_name) {
            ("file", Some(file_name)) => file = Some((file_name, bytes.to_vec())),
            (_, _) => pairs.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    let (file_name, content) = file.filter(|(_, c)| !c.is_empty()).ok_or_else(|| {
        WorkbenchError(ApiError::InvalidRecord(vec![crate::error::FieldProblem {
            field: "file".into(),
            message: "请选择要上传的表格文件（XLSX 或 CSV）。".into(),
        }]))
    })?;
    Ok(Upload {
        fields: FormFields::from_pairs(pairs),
        file_name,
        content,
    })
}

fn report_view(report: &ImportReport) -> Markup {
    let errors = report.errors();
    html! {
        dl.facts #report-counts {
            dt { "读取行数" } dd { (report.rows) }
            dt { "新增事项" } dd #report-created { (report.created) }
            dt { "修改事项" } dd #report-updated { (report.updated) }
            dt { "无变化" } dd { (report.unchanged) }
            dt { "错误" } dd #report-errors { (errors) }
            dt { "提示" } dd { (report.problems.len() - errors) }
        }
        @if !report.changes.is_empty() {
            div.table-scroll {
                table.changes {
                    caption { "将送交审核的事项" }
                    thead { tr { th scope="col" { "变更" } th scope="col" { "事项" } th scope="col" { "实施编码" } } }
                    tbody {
                        @for c in report.changes.iter().take(1_000) {
                            tr {
                                td { @if c.created { "新增" } @else { "修改" } }
                                td { (c.name) }
                                td { small.code { (c.code) } }
                            }
                        }
                    }
                }
            }
        }
        @if !report.problems.is_empty() {
            div.table-scroll {
                table.problems {
                    caption { "问题（按单元格）" }
                    thead { tr { th scope="col" { "位置" } th scope="col" { "级别" } th scope="col" { "说明" } } }
                    tbody {
                        @for p in &report.problems {
                            tr.error[p.is_error()] {
                                td { (p.cell.clone().or_else(|| p.row.map(|r| format!("第 {r} 行"))).unwrap_or_default()) }
                                td { @if p.is_error() { "错误" } @else { "提示" } }
                                td { (p.message) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn import_options(
    clerk: &Clerk,
    reason: &str,
    dry_run: bool,
) -> quanze_registry::import::ImportOptions {
    let p = &clerk.session.principal;
    let reason = reason.trim();
    let mut opts = quanze_registry::import::ImportOptions::strict_by(
        &p.username,
        &p.origin,
        (!reason.is_empty()).then_some(reason),
    );
    opts.dry_run = dry_run;
    opts
}

/// Runs the review import of a sheet (a dry run or for real) off the async workers.
async fn run_import(
    state: &AppState,
    clerk: &Clerk,
    content: Vec<u8>,
    format: SheetFormat,
    file_name: String,
    department: Option<i64>,
    opts: quanze_registry::import::ImportOptions,
) -> Result<ImportReport, ApiError> {
    let db = state.db.clone();
    let p = clerk.session.principal.clone();
    web::block(move || -> Result<ImportReport, ApiError> {
        let defaults = SheetDefaults {
            department: department
                .map(|id| {
                    quanze_registry::workflow::department_for_editing(&mut *db.conn()?, &p, id)
                })
                .transpose()?,
        };
        let file = SheetFile {
            bytes: &content,
            format,
            name: &file_name,
        };
        Ok(
            quanze_registry::import::sheet::import_items_sheet_for_review(
                &db, &file, &defaults, &opts, &p, false,
            )?,
        )
    })
    .await?
}

/// `POST /workbench/upload`: checks the sheet (a dry run) and shows the report; a sheet without
/// errors is kept so that it can be submitted.
pub async fn check(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
    parts: Multipart,
    max_body: web::Data<MaxBody>,
) -> WorkbenchResult {
    // Refused before the body is read; the CSRF token inside it is checked after.
    super::session::same_origin(&req)?;
    let upload = read_multipart(parts, max_body.0).await?;
    clerk.check_form(&req, &upload.fields)?;
    let department = match upload.fields.get("department") {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| {
            WorkbenchError(ApiError::bad_request("department", "not a department id"))
        })?),
    };
    let reason = upload.fields.get("reason").to_string();
    let format = SheetFormat::from_extension(&upload.file_name)
        .unwrap_or_else(|| SheetFormat::sniff(&upload.content));
    let report = run_import(
        &state,
        &clerk,
        upload.content.clone(),
        format,
        upload.file_name.clone(),
        department,
        import_options(&clerk, &reason, true),
    )
    .await?;
    let stored = if report.errors() == 0 && report.created + report.updated > 0 {
        let p = clerk.session.principal.clone();
        let (name, content) = (upload.file_name.clone(), upload.content);
        Some(
            state
                .with_conn(move |conn| {
                    Ok(quanze_registry::uploads::store_upload(
                        conn,
                        &p,
                        &name,
                        format,
                        &content,
                        department,
                        quanze_registry::repo::now(),
                    )?)
                })
                .await?,
        )
    } else {
        None
    };
    let departments = editable_departments(&state, &clerk).await?;
    page(
        &clerk,
        "表格检查结果",
        html! {
            h1 { "表格检查结果" }
            p { "文件：" (upload.file_name) }
            (report_view(&report))
            @if let Some(id) = stored {
                form.workbench-form method="post" action=(format!("/workbench/upload/{id}/submit")) {
                    (clerk.csrf_field())
                    input type="hidden" name="reason" value=(reason);
                    p { "检查通过。提交后，新增和修改的 " (report.created + report.updated) " 个事项将作为草稿送交审核，审核通过后才会公开。" }
                    button #submit-upload type="submit" { "提交审核" }
                }
            } @else if report.errors() == 0 {
                p.notice { "表格中的事项与现行清单相同，没有需要提交的变更。" }
            } @else {
                p.problem role="alert" { "表格有 " (report.errors()) " 处错误，没有保存任何内容。请在表格中改正后重新上传。" }
            }
            h2 { "重新上传" }
            (upload_form(&clerk, &departments))
        },
    )
}

/// `POST /workbench/upload/{id}/submit`: submits the checked sheet for review (all rows or
/// none, as the API does) and forgets the file.
pub async fn submit(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let form = clerk.posted_form(&req, &body)?;
    let id = super::path_id(&path, "upload")?;
    let p = clerk.session.principal.clone();
    let stored = state
        .with_conn(move |conn| {
            Ok(quanze_registry::uploads::find_upload(
                conn,
                &p,
                id,
                quanze_registry::repo::now(),
            )?)
        })
        .await?;
    let report = run_import(
        &state,
        &clerk,
        stored.content,
        stored.format,
        stored.file_name,
        stored.department_id,
        import_options(&clerk, form.get("reason"), false),
    )
    .await?;
    if report.errors() > 0 {
        // The registry changed since the check (a draft opened meanwhile, a department gone):
        // nothing was written; show why.
        return page(
            &clerk,
            "提交未完成",
            html! {
                h1 { "提交未完成" }
                p.problem role="alert" { "检查之后清单有了变化，这次提交没有保存任何内容：" }
                (report_view(&report))
                p { a href="/workbench/upload" { "重新上传" } }
            },
        );
    }
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| Ok(quanze_registry::uploads::delete_upload(conn, &p, id)?))
        .await?;
    Ok(see_other("/workbench"))
}
