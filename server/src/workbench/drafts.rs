//! One draft: its content beside the live version, field by field (list rows added and
//! removed marked), and what this person may do with it — submit or delete it (editors),
//! approve or send it back with a reason (reviewers; never their own, as in the API).

use actix_web::{HttpRequest, web};
use maud::{Markup, html};
use quanze_registry::models::DraftRow;
use quanze_registry::workflow::{self, RevisionCondition};
use serde_json::Value;

use super::{Clerk, WorkbenchError, WorkbenchResult, page, see_other, state_name};
use crate::error::ApiError;
use crate::state::AppState;

/// The interchange fields in the order a person reads an item, with their Chinese names.
const FIELDS: &[(&str, &str)] = &[
    ("name", "事项名称"),
    ("code", "实施编码"),
    ("base_code", "基本编码"),
    ("category", "权力分类"),
    ("parent_code", "所属主项"),
    ("department", "实施主体"),
    ("undertaking_office", "承办机构"),
    ("joint_departments", "联办部门"),
    ("power_source", "权力来源"),
    ("exercise_levels", "行使层级"),
    ("legal_bases", "实施依据"),
    ("workflow", "办理流程"),
    ("time_limit", "办理时限"),
    ("fee", "收费"),
    ("responsibilities", "责任事项"),
    ("accountability", "追责情形"),
    ("discretion", "裁量基准"),
    ("exemptions", "免罚轻罚"),
    ("consultation", "咨询方式"),
    ("supervision", "监督投诉"),
    ("remedies", "救济途径"),
    ("remarks", "备注"),
    ("effective_from", "生效日期"),
    ("main_duties", "主要职责"),
    ("duty_boundaries", "职责边界"),
    ("supervision_rules", "事中事后监管制度"),
    ("public_services", "公共服务事项"),
];

/// The Chinese names of the fields inside list entries and objects.
const SUBFIELDS: &[(&str, &str)] = &[
    ("law", "法律法规"),
    ("version", "版本"),
    ("article", "条款"),
    ("text", "条文"),
    ("role", "依据类别"),
    ("stage", "环节"),
    ("description", "内容"),
    ("content", "内容"),
    ("basis", "依据"),
    ("circumstance", "情形"),
    ("case", "情形"),
    ("conditions", "条件"),
    ("standard", "标准"),
    ("violation", "违法行为"),
    ("sanction", "处罚"),
    ("kind", "方式"),
    ("body", "机关"),
    ("note", "说明"),
    ("statutory_days", "法定时限"),
    ("promised_days", "承诺时限"),
    ("time_limit_days", "时限"),
    ("unit", "单位"),
    ("charged", "是否收费"),
    ("region", "行政区划"),
    ("uscc", "统一社会信用代码"),
    ("office", "承办机构"),
    ("duty", "职责"),
    ("actor", "主体"),
    ("level", "层级"),
    ("matter", "事项"),
];

fn label(field: &str) -> &str {
    FIELDS
        .iter()
        .chain(SUBFIELDS)
        .find(|(k, _)| *k == field)
        .map_or(field, |(_, v)| v)
}

/// A draft and what it would replace.
struct DraftView {
    draft: DraftRow,
    department: String,
    record: Value,
    live: Option<Value>,
    live_version: Option<i32>,
}

/// A value as one line of text: strings as they are, objects as `key：value` pairs.
fn one_line(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(one_line).collect::<Vec<_>>().join("；"),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| {
                !matches!(v, Value::Null) && v.as_array().is_none_or(|a| !a.is_empty())
            })
            .map(|(k, v)| format!("{}：{}", label(k), one_line(v)))
            .collect::<Vec<_>>()
            .join("，"),
        other => other.to_string(),
    }
}

/// A field's value as the rows a person compares: one per list entry.
fn rows(v: Option<&Value>) -> Vec<String> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(one_line).collect(),
        Some(other) => vec![one_line(other)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
    }
}

/// The side-by-side comparison of the fields that differ.
fn comparison(view: &DraftView) -> Markup {
    let empty = Value::Object(Default::default());
    let before = view.live.as_ref().unwrap_or(&empty);
    let changed = quanze_registry::repo::history::diff_fields(before, &view.record);
    let mut fields: Vec<&str> = FIELDS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| changed.contains_key(*k))
        .collect();
    fields.extend(
        changed
            .keys()
            .map(String::as_str)
            .filter(|k| !FIELDS.iter().any(|(f, _)| f == k)),
    );
    html! {
        @if fields.is_empty() {
            p.empty { "草稿与现行版本相同。" }
        } @else {
            div.table-scroll {
                table.diff {
                    caption {
                        @if let Some(v) = view.live_version { "与现行第 " (v) " 版相比有变化的字段" }
                        @else { "新内容：各字段" }
                    }
                    thead { tr {
                        th scope="col" { "字段" }
                        th scope="col" { "现行版本" }
                        th scope="col" { "草稿" }
                    } }
                    tbody {
                        @for field in &fields {
                            @let old = rows(before.get(*field));
                            @let new = rows(view.record.get(*field));
                            tr data-field=(field) {
                                th scope="row" { (label(field)) }
                                td.before {
                                    @for r in &old {
                                        @if new.contains(r) { div { (r) } }
                                        @else { del { span.sr-only { "删除：" } (r) } }
                                    }
                                }
                                td.after {
                                    @for r in &new {
                                        @if old.contains(r) { div { (r) } }
                                        @else { ins { span.sr-only { "新增：" } (r) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn load(state: &AppState, clerk: &Clerk, id: i64) -> Result<DraftView, ApiError> {
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| {
            let draft = workflow::get_draft(conn, &p, id)?;
            let department =
                quanze_registry::repo::departments::get_department(conn, draft.department_id)?
                    .map(|d| d.name)
                    .unwrap_or_default();
            let record = serde_json::from_str(&draft.record)
                .map_err(|e| ApiError::Internal(format!("draft {id}: {e}")))?;
            // What the draft would replace: the item's newest version, or for a 责任清单 the
            // department's newest list version.
            let live: Option<(i32, String)> = if draft.kind == "responsibility_list" {
                quanze_registry::repo::responsibilities::latest_list_version(
                    conn,
                    draft.department_id,
                )?
                .map(|v| (v.version, v.snapshot))
            } else {
                match draft.item_id {
                    Some(item) => quanze_registry::repo::history::latest_version(conn, item)?
                        .map(|v| (v.version, v.snapshot)),
                    None => None,
                }
            };
            let live_version = live.as_ref().map(|(version, _)| *version);
            let live = live
                .map(|(_, snapshot)| serde_json::from_str(&snapshot))
                .transpose()
                .map_err(|e| ApiError::Internal(format!("live version of draft {id}: {e}")))?;
            Ok(DraftView {
                draft,
                department,
                record,
                live,
                live_version,
            })
        })
        .await
}

/// `GET /workbench/drafts/{id}`.
pub async fn draft_page(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
) -> WorkbenchResult {
    let id = super::path_id(&path, "draft")?;
    let view = load(&state, &clerk, id).await?;
    let d = &view.draft;
    let p = &clerk.session.principal;
    let may_edit = p.can_edit(d.department_id) && d.status == "draft";
    let may_review = p.can_review(d.department_id) && d.status == "in_review";
    let own = p.wrote(d);
    let action = |verb: &str| format!("/workbench/drafts/{}/{verb}", d.id);
    page(
        &clerk,
        &d.name,
        html! {
            p.breadcrumb { a href="/workbench" { "我的清单" } " › 草稿" }
            h1 { (d.name) }
            dl.facts {
                dt { "状态" } dd #draft-state { (state_name(&d.status, d.review_comment.as_deref())) }
                dt { "部门" } dd { (view.department) }
                dt { "实施编码" } dd { (d.code) }
                dt { "修改原因" } dd { (d.reason.as_deref().unwrap_or("（未说明）")) }
                @if let Some(c) = &d.review_comment {
                    dt { "退回理由" } dd #review-comment { (c) }
                }
                dt { "最后修改" } dd { (d.updated_at.format("%Y-%m-%d %H:%M")) }
            }
            @if d.kind == "revocation" {
                h2 { "申请撤销这项权力" }
                p.notice #revocation { "批准后，这项权力将被撤销：仍可查阅，标明已撤销及理由，不再出现在默认的查询结果中。" }
                p { "撤销理由：" (d.reason.as_deref().unwrap_or("")) }
            } @else {
                h2 { "变更内容" }
                (comparison(&view))
            }
            @if may_edit {
                h2 { "操作" }
                @if d.kind == "power_item" {
                    p { a.button href=(format!("/workbench/drafts/{}/edit", d.id)) { "修改草稿" } }
                }
                form.inline method="post" action=(action("submit")) {
                    (clerk.csrf_field())
                    input type="hidden" name="revision" value=(d.revision);
                    button type="submit" { "提交审核" }
                }
                form.inline method="post" action=(action("delete")) {
                    (clerk.csrf_field())
                    input type="hidden" name="revision" value=(d.revision);
                    button.secondary type="submit" { "删除草稿" }
                }
            }
            @if may_review && own {
                p.notice { "这份草稿由您编写或提交，需由另一位审核人员审核。" }
            } @else if may_review {
                h2 { "审核" }
                form.inline method="post" action=(action("approve")) {
                    (clerk.csrf_field())
                    input type="hidden" name="revision" value=(d.revision);
                    button type="submit" { "批准发布" }
                }
                form.workbench-form method="post" action=(action("reject")) {
                    (clerk.csrf_field())
                    input type="hidden" name="revision" value=(d.revision);
                    p {
                        label for="comment" { "退回理由（必填，编辑人员会看到）" }
                        textarea #comment name="comment" rows="3" required maxlength="2000" {}
                    }
                    button.secondary type="submit" { "退回修改" }
                }
            }
        },
    )
}

/// Why a send-back without a comment is refused.
const SEND_BACK_NEEDS_A_REASON: &str = "退回时请写明理由，编辑人员要据此修改。";

/// `POST /workbench/change-sets/{key}/{approve|reject}`: an upload's drafts decided as one.
pub async fn change_set_action(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let (key, verb) = path.into_inner();
    let form = clerk.posted_form(&req, &body)?;
    let comment = super::one_line(form.get("comment"));
    if verb == "reject" && comment.is_empty() {
        return Err(WorkbenchError(super::note_problem(
            "comment",
            SEND_BACK_NEEDS_A_REASON,
        )));
    }
    // The drafts and revisions the reviewer was shown: the set must still be exactly that.
    let shown: Vec<(i64, i32)> = form
        .get("drafts")
        .split(',')
        .filter_map(|pair| {
            let (id, revision) = pair.split_once(':')?;
            Some((id.trim().parse().ok()?, revision.trim().parse().ok()?))
        })
        .collect();
    let p = clerk.session.principal.clone();
    let now = quanze_registry::repo::now();
    state
        .with_conn(move |conn| {
            let shown = Some(shown.as_slice());
            match verb.as_str() {
                "approve" => workflow::approve_change_set(conn, &p, &key, shown, now)?,
                "reject" => {
                    workflow::reject_change_set(conn, &p, &key, shown, Some(&comment), now)?
                }
                _ => return Err(ApiError::NotFound(format!("the action {verb:?}"))),
            };
            Ok(())
        })
        .await?;
    Ok(see_other("/workbench/review"))
}

/// `POST /workbench/drafts/{id}/{submit|delete|approve|reject}`.
pub async fn draft_action(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let (id, verb) = path.into_inner();
    let id = super::path_id(&id, "draft")?;
    let form = clerk.posted_form(&req, &body)?;
    let expected = match form.get("revision").parse::<i32>() {
        Ok(n) => RevisionCondition::OneOf(vec![n]),
        Err(_) => {
            return Err(WorkbenchError(ApiError::bad_request(
                "revision",
                "the form carries no revision",
            )));
        }
    };
    let comment = super::one_line(form.get("comment"));
    if verb == "reject" && comment.is_empty() {
        return Err(WorkbenchError(super::note_problem(
            "comment",
            SEND_BACK_NEEDS_A_REASON,
        )));
    }
    let p = clerk.session.principal.clone();
    let now = quanze_registry::repo::now();
    let location = state
        .with_conn(move |conn| {
            Ok(match verb.as_str() {
                "submit" => {
                    workflow::submit_draft(conn, &p, id, &expected, now)?;
                    format!("/workbench/drafts/{id}")
                }
                "delete" => {
                    workflow::delete_draft(conn, &p, id, Some(&expected), now)?;
                    "/workbench".to_string()
                }
                "approve" => {
                    workflow::approve_draft(conn, &p, id, &expected, now)?;
                    "/workbench/review".to_string()
                }
                "reject" => {
                    workflow::reject_draft(conn, &p, id, &expected, Some(&comment), now)?;
                    "/workbench/review".to_string()
                }
                _ => return Err(ApiError::NotFound(format!("the action {verb:?}"))),
            })
        })
        .await?;
    Ok(see_other(&location))
}
