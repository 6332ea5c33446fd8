//! `/items/{code}`: one power at a glance — who exercises it, on what legal basis (with the
//! article text), how it runs (flowchart), in how many days, for what fee, who answers for each
//! stage, when officials are held to account, where to ask and complain — and how it changed.
//! `/items/{code}/print` is the same for a notice board.

use actix_web::{HttpRequest, web};
use maud::{Markup, html};
use quanze_registry::feedback::ItemFeedback;
use quanze_registry::interchange::PowerItemRecord;

use super::flowchart::flowchart;
use super::{PageResult, day, page, segment, with_conn};
use crate::state::AppState;
use crate::views::items::{ItemView, load_item_view};
use crate::views::rfc3339;

/// A version in the history, with what it changed.
struct HistoryEntry {
    version: i32,
    status: String,
    reason: Option<String>,
    at: String,
    changes: Vec<(String, serde_json::Value, serde_json::Value)>,
}

/// Field names of the interchange format, in Chinese.
fn field_label(field: &str) -> &str {
    match field {
        "name" => "事项名称",
        "category" => "事项类别",
        "department" => "实施主体",
        "undertaking_office" => "承办机构",
        "joint_departments" => "联办机构",
        "power_source" => "权力来源",
        "exercise_levels" => "行使层级",
        "time_limit" => "办理时限",
        "fee" => "收费",
        "legal_bases" => "设定和实施依据",
        "workflow" => "办理流程",
        "responsibilities" => "责任事项",
        "accountability" => "追责情形",
        "discretion" => "裁量基准",
        "exemptions" => "免罚轻罚",
        "consultation" => "咨询方式",
        "supervision" => "监督投诉",
        "remedies" => "救济途径",
        "remarks" => "备注",
        "effective_from" => "施行日期",
        "parent_code" => "所属主项",
        "base_code" => "基本编码",
        "code" => "实施编码",
        other => other,
    }
}

fn load_history(
    conn: &mut quanze_registry::DbConnection,
    item_id: i64,
) -> Result<Vec<HistoryEntry>, crate::error::ApiError> {
    let versions = quanze_registry::repo::history::list_versions(conn, item_id)?;
    let mut previous = serde_json::Value::Object(Default::default());
    let mut out = Vec::with_capacity(versions.len());
    for v in versions {
        let snapshot: serde_json::Value =
            serde_json::from_str(&v.snapshot).unwrap_or(serde_json::Value::Null);
        // The first version the public may read has nothing before it to differ from.
        let changes = if out.is_empty() {
            vec![]
        } else {
            quanze_registry::repo::history::diff_fields(&previous, &snapshot)
                .into_iter()
                .map(|(field, c)| (field, c["before"].clone(), c["after"].clone()))
                .collect()
        };
        out.push(HistoryEntry {
            version: v.version,
            status: v.status,
            reason: v.reason,
            at: rfc3339(v.created_at),
            changes,
        });
        previous = snapshot;
    }
    out.reverse();
    Ok(out)
}

/// An item with its history and, for the item page (not the print page), what citizens said
/// of it.
struct Loaded {
    view: ItemView,
    history: Vec<HistoryEntry>,
    feedback: Option<ItemFeedback>,
}

async fn load(
    state: &web::Data<AppState>,
    code: String,
    with_feedback: bool,
) -> Result<Loaded, super::PageError> {
    with_conn(state, move |conn| {
        let view = load_item_view(conn, &code)?;
        let history = load_history(conn, view.id)?;
        // Revoked items take no more feedback and show none.
        let feedback = if with_feedback && view.status != "revoked" {
            let steps: Vec<String> = view.item.workflow.iter().map(|s| s.stage.clone()).collect();
            Some(quanze_registry::feedback::item_feedback(
                conn,
                view.id,
                &view.code,
                &steps,
                quanze_registry::repo::now(),
            )?)
        } else {
            None
        };
        Ok(Loaded {
            view,
            history,
            feedback,
        })
    })
    .await
}

pub async fn item_page(state: web::Data<AppState>, path: web::Path<String>) -> PageResult {
    let l = load(&state, path.into_inner(), true).await?;
    let mut content = render(&l.view, &l.history, false);
    if let Some(feedback) = &l.feedback {
        content = html! { (content) (super::feedback::item_section(&l.view.code, feedback)) };
    }
    page(&l.view.item.name.clone(), content)
}

pub async fn print_page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    _req: HttpRequest,
) -> PageResult {
    let l = load(&state, path.into_inner(), false).await?;
    page(
        &format!("{}（打印）", l.view.item.name),
        render(&l.view, &l.history, true),
    )
}

/// An exercise level in Chinese.
fn level_label(level: &str) -> &str {
    match level {
        "national" => "国家级",
        "province" => "省级",
        "city" => "市级",
        "county" => "县级",
        "township" => "乡镇（街道）",
        other => other,
    }
}

/// A JSON value as readable text for the history.
fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "（无）".into(),
        serde_json::Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

fn time_limit(r: &PowerItemRecord) -> Markup {
    html! {
        @match &r.time_limit {
            None => { "未规定" }
            Some(t) => {
                @let unit = t.unit.as_deref().unwrap_or("日");
                @if let Some(d) = t.statutory_days { "法定 " (d) " 个" (unit) }
                @if t.statutory_days.is_some() && t.promised_days.is_some() { "，" }
                @if let Some(d) = t.promised_days { "承诺 " (d) " 个" (unit) }
                @if let Some(note) = &t.note { div.muted { (note) } }
            }
        }
    }
}

fn render(v: &ItemView, history: &[HistoryEntry], print: bool) -> Markup {
    let r = &v.item;
    let flagged: Vec<&str> = v
        .resolved_legal_bases
        .iter()
        .filter(|b| b.law_status != "现行有效")
        .map(|b| b.law_title.as_str())
        .collect();
    html! {
        @if print {
            p.muted { "本页为打印版，网上查询：/items/" (v.code) }
        }
        h1 { (r.name) }
        p {
            span.badge { (v.category_label) }
            " "
            a href={ "/departments/" (v.department.id) } { (v.department.name) }
            " · 编码 " (v.code) " · 第 " (v.version) " 版，" (day(&v.updated_at)) " 更新"
            @if !print {
                " · " a.no-print href={ "/items/" (segment(&v.code)) "/print" } { "打印版" }
            }
        }
        @if v.status == "revoked" {
            div.banner role="alert" {
                strong { "本事项已撤销" }
                @if let Some(at) = &v.revoked_at { "（" (day(at)) "）" }
                @if let Some(reason) = &v.revoke_reason { "：" (reason) }
                "。该部门不再行使这项权力；以下内容仅供查阅。"
            }
        }
        @for f in &v.needs_review {
            div.banner.notice role="note" {
                strong { "法规修改，待复核：" }
                (f.reason) "（" (day(&f.flagged_at)) "发现）。"
                @if !f.articles.is_empty() {
                    "引用的条款："
                    @for (i, a) in f.articles.iter().enumerate() {
                        @if i > 0 { "、" }
                        (a.article)
                        @match a.change.as_str() {
                            "changed" => { "（条文已修改）" }
                            "unchanged" => { "（条文未变）" }
                            "removed" => { "（新版本已删除）" }
                            "repealed" => { "（已废止）" }
                            _ => {}
                        }
                    }
                    "。"
                }
                "部门应当复核本事项，修订后经审核发布即解除。"
            }
        }
        @if v.needs_review.is_empty() && !flagged.is_empty() {
            div.banner.notice role="note" {
                strong { "依据待复核：" }
                "本事项引用的 " (flagged.join("、")) " 已修改或废止，部门应当复核本事项。"
            }
        }
        section aria-labelledby="facts" {
            h2 #facts { "基本信息" }
            dl.facts {
                dt { "实施主体" } dd { a href={ "/departments/" (v.department.id) } { (v.department.name) } }
                @if let Some(o) = &r.undertaking_office { dt { "承办机构" } dd { (o) } }
                @if !r.joint_departments.is_empty() {
                    dt { "联办机构" }
                    dd { @for (i, j) in r.joint_departments.iter().enumerate() {
                        @if i > 0 { "；" } (j.name) @if let Some(d) = &j.division { "（" (d) "）" }
                    } }
                }
                @if let Some(s) = &r.power_source { dt { "权力来源" } dd { (s) } }
                @if !r.exercise_levels.is_empty() { dt { "行使层级" } dd { (r.exercise_levels.iter().map(|l| level_label(l)).collect::<Vec<_>>().join("、")) } }
                dt { "办理时限" } dd { (time_limit(r)) }
                dt { "是否收费" }
                dd {
                    @match &r.fee {
                        Some(f) if f.charged => { "收费" @if let Some(s) = &f.standard { "：" (s) } @if let Some(b) = &f.basis { div.muted { "依据：" (b) } } }
                        _ => { "不收费" }
                    }
                }
                @if let Some(c) = &r.consultation { dt { "咨询" } dd { (c) } }
                @if let Some(s) = &r.supervision { dt { "监督投诉" } dd { strong { (s) } } }
                @if let Some(e) = &r.effective_from { dt { "施行日期" } dd { (e) } }
                @if let Some(p) = &r.parent_code { dt { "所属主项" } dd { a href={ "/items/" (segment(p)) } { (p) } } }
                @if let Some(m) = &r.remarks { dt { "备注" } dd { (m) } }
            }
        }
        @if !r.legal_bases.is_empty() {
            section aria-labelledby="bases" {
                h2 #bases { "设定和实施依据" }
                ol {
                    @for (i, b) in r.legal_bases.iter().enumerate() {
                        @let resolved = v.resolved_legal_bases.iter().find(|x| x.position as usize == i);
                        li {
                            span.badge { (b.role) } " "
                            @match resolved {
                                Some(x) => { a href={ "/laws/" (x.law_id) } { "《" (x.law_title) "》" } }
                                None => { "《" (b.law.trim_start_matches('《').trim_end_matches('》')) "》" }
                            }
                            @if let Some(a) = &b.article { " " (a) }
                            @if let Some(x) = resolved && x.law_status != "现行有效" {
                                " " span.badge.revoked { (x.law_status) }
                            }
                            @let text = resolved.and_then(|x| x.article_text.clone()).or_else(|| b.text.clone());
                            @if let Some(text) = text {
                                details open[print] {
                                    summary { "查看条文" }
                                    blockquote { (text) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !r.workflow.is_empty() {
            section aria-labelledby="flow" {
                h2 #flow { "办理流程" }
                (flowchart(&r.workflow))
                ol.steps {
                    @for s in &r.workflow {
                        li {
                            strong { (s.stage) }
                            @if let Some(a) = &s.actor { "（" (a) "）" }
                            @if let Some(d) = s.time_limit_days { "，" (d) "日内" }
                            @if let Some(d) = &s.description { "：" (d) }
                        }
                    }
                }
            }
        }
        @if !r.responsibilities.is_empty() {
            section aria-labelledby="duties" {
                h2 #duties { "责任事项" }
                table {
                    thead { tr { th scope="col" { "环节" } th scope="col" { "责任" } th scope="col" { "依据" } } }
                    tbody {
                        @for d in &r.responsibilities {
                            tr { td { (d.stage) } td { (d.duty) } td { (d.basis.as_deref().unwrap_or("")) } }
                        }
                    }
                }
            }
        }
        @if !r.accountability.is_empty() {
            section aria-labelledby="accountability" {
                h2 #accountability { "追责情形" }
                p.muted { "工作人员有下列情形之一的，依法追究责任：" }
                ol {
                    @for a in &r.accountability {
                        li { (a.circumstance) @if let Some(b) = &a.basis { span.muted { "（" (b) "）" } } }
                    }
                }
            }
        }
        @if !r.discretion.is_empty() {
            section aria-labelledby="discretion" {
                h2 #discretion { "行政处罚裁量基准" }
                table {
                    thead { tr { th scope="col" { "违法行为" } th scope="col" { "裁量阶次" } th scope="col" { "适用情形" } th scope="col" { "处罚标准" } } }
                    tbody {
                        @for d in &r.discretion {
                            tr { td { (d.violation) } td { (d.tier) } td { (d.conditions.as_deref().unwrap_or("")) } td { (d.sanction) } }
                        }
                    }
                }
            }
        }
        @if !r.exemptions.is_empty() {
            section aria-labelledby="exemptions" {
                h2 #exemptions { "免罚、轻罚情形" }
                ul.plain {
                    @for e in &r.exemptions {
                        li { strong { (e.kind) } "：" (e.conditions) @if let Some(b) = &e.basis { span.muted { "（" (b) "）" } } }
                    }
                }
            }
        }
        @if !r.remedies.is_empty() {
            section aria-labelledby="remedies" {
                h2 #remedies { "救济途径" }
                ul.plain {
                    @for m in &r.remedies {
                        li {
                            strong { (m.kind) }
                            @if let Some(b) = &m.body { "：" (b) }
                            @if let Some(t) = &m.time_limit { "（" (t) "）" }
                        }
                    }
                }
            }
        }
        section.no-print aria-labelledby="history" {
            h2 #history { "变更记录" }
            ol.history reversed {
                @for h in history {
                    li {
                        strong { "第 " (h.version) " 版" } " · " (day(&h.at))
                        @if h.status == "revoked" { " · " span.badge.revoked { "撤销" } }
                        @if let Some(reason) = &h.reason { " · " (reason) }
                        @if !h.changes.is_empty() {
                            details {
                                summary { "修改了：" (h.changes.iter().map(|c| field_label(&c.0)).collect::<Vec<_>>().join("、")) }
                                table.diff {
                                    thead { tr { th scope="col" { "内容" } th scope="col" { "修改前" } th scope="col" { "修改后" } } }
                                    tbody {
                                        @for (field, before, after) in &h.changes {
                                            tr {
                                                td { (field_label(field)) }
                                                td { del { pre { (plain(before)) } } }
                                                td { ins { pre { (plain(after)) } } }
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
        p.muted {
            "类别：" (quanze_registry::domain::Category::label_of(&r.category))
            " · 首次公布 " (day(&v.created_at))
            " · 数据：" a href={ "/api/v1/items/" (segment(&v.code)) } { "JSON" }
        }
    }
}
