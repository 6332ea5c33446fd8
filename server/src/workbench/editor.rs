//! Writing a power item in the browser: a new item, a revision of a published one, or a draft
//! edited again — one form (`item_form`), saved as a draft or saved and submitted for review,
//! through the same workflow functions as the API. Problems are shown beside their fields, in
//! Chinese, with everything typed kept.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::html;
use quanze_registry::models::DepartmentRow;
use quanze_registry::workflow::{self, RevisionCondition};
use serde_json::Value;

use super::item_form::{self, Posted};
use super::{Clerk, WorkbenchError, WorkbenchResult, frame, no_store, see_other};
use crate::error::ApiError;
use crate::state::AppState;

/// What the form is for.
enum Target {
    New,
    Revise(String),
    Draft { id: i64, revision: i32 },
}

impl Target {
    fn action(&self) -> String {
        match self {
            Target::New => "/workbench/items/new".into(),
            Target::Revise(code) => format!(
                "/workbench/items/{}/revise",
                crate::views::path_segment(code)
            ),
            Target::Draft { id, .. } => format!("/workbench/drafts/{id}/edit"),
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Target::New => "新建事项",
            Target::Revise(_) => "修改已发布的事项",
            Target::Draft { .. } => "修改草稿",
        }
    }
}

/// What the form needs besides the record: the departments to choose from, the stored laws.
struct Choices {
    departments: Vec<DepartmentRow>,
    laws: Vec<String>,
}

async fn choices(state: &AppState, clerk: &Clerk) -> Result<Choices, ApiError> {
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| {
            let departments = if p.is_admin() {
                quanze_registry::repo::departments::list_departments(conn)?
            } else {
                quanze_registry::repo::departments::get_departments(conn, &p.departments)?
            }
            .into_iter()
            .filter(|d| p.can_edit(d.id))
            .collect();
            let filter = quanze_registry::repo::laws::LawFilter {
                status: Some("现行有效".into()),
                ..Default::default()
            };
            let (laws, _) = quanze_registry::repo::laws::search_laws(conn, &filter, 0, 5_000)?;
            let mut laws: Vec<String> = laws.into_iter().map(|l| l.title).collect();
            laws.sort_unstable();
            laws.dedup();
            Ok(Choices { departments, laws })
        })
        .await
}

/// The department the record names, among those offered.
fn department_of(record: &Value, departments: &[DepartmentRow]) -> Option<i64> {
    let name = record["department"]["name"].as_str()?;
    let region = record["department"]["region"].as_str().unwrap_or_default();
    departments
        .iter()
        .find(|d| d.name == name && d.region_code == region)
        .or_else(|| departments.iter().find(|d| d.name == name))
        .map(|d| d.id)
}

/// The revision a draft's form was opened at (an edit of a newer revision is refused).
fn revision_field(target: &Target) -> maud::Markup {
    match target {
        Target::Draft { revision, .. } => {
            html! { input type="hidden" name="revision" value=(revision); }
        }
        _ => html! {},
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    clerk: &Clerk,
    target: &Target,
    status: StatusCode,
    record: &Value,
    department: Option<i64>,
    reason: &str,
    choices: &Choices,
    problems: &BTreeMap<String, String>,
    extra: &HashMap<String, usize>,
) -> HttpResponse {
    let body = html! {
        p.breadcrumb { a href="/workbench" { "我的清单" } " › " (target.title()) }
        h1 { (target.title()) }
        form.workbench-form.item-form method="post" action=(target.action()) {
            (clerk.csrf_field())
            (revision_field(target))
            (item_form::fields(record, &choices.departments, department, &choices.laws, problems, extra))
            fieldset {
                legend { "提交" }
                p {
                    label for="f-reason" { "修改原因（如：法规修改、机构改革）" }
                    input #f-reason name="reason" type="text" maxlength="500" value=(reason);
                }
                p.actions {
                    button type="submit" name="then" value="save" { "保存草稿" }
                    " "
                    button type="submit" name="then" value="submit" { "保存并提交审核" }
                }
            }
        }
    };
    no_store(
        HttpResponse::build(status),
        frame(Some(clerk), target.title(), body),
    )
}

/// `GET /workbench/items/new`.
pub async fn new_item(state: web::Data<AppState>, clerk: Clerk) -> WorkbenchResult {
    let choices = choices(&state, &clerk).await?;
    let department = choices.departments.first().map(|d| d.id);
    let record = serde_json::json!({});
    Ok(form_page(
        &clerk,
        &Target::New,
        StatusCode::OK,
        &record,
        department,
        "",
        &choices,
        &BTreeMap::new(),
        &HashMap::new(),
    ))
}

/// `GET /workbench/items/{code}/revise`: the published item in the form.
pub async fn revise_item(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
) -> WorkbenchResult {
    let code = path.into_inner();
    let p = clerk.session.principal.clone();
    let key = code.clone();
    let record = state
        .with_conn(move |conn| {
            let item = workflow::revisable_item(conn, &p, &key)?;
            p.require(
                p.can_edit(item.department_id),
                "revise this department's items",
            )?;
            let record = quanze_registry::repo::items::load_item_records(conn, &[item])?
                .pop()
                .ok_or_else(|| ApiError::NotFound(format!("item {key:?}")))?;
            serde_json::to_value(record).map_err(|e| ApiError::Internal(e.to_string()))
        })
        .await?;
    let choices = choices(&state, &clerk).await?;
    let department = department_of(&record, &choices.departments);
    Ok(form_page(
        &clerk,
        &Target::Revise(code),
        StatusCode::OK,
        &record,
        department,
        "",
        &choices,
        &BTreeMap::new(),
        &HashMap::new(),
    ))
}

/// `GET /workbench/drafts/{id}/edit`.
pub async fn edit_draft(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
) -> WorkbenchResult {
    let id = super::path_id(&path, "draft")?;
    let p = clerk.session.principal.clone();
    let draft = state
        .with_conn(move |conn| Ok(workflow::get_draft(conn, &p, id)?))
        .await?;
    let p = &clerk.session.principal;
    p.require(
        p.can_edit(draft.department_id),
        "edit this department's drafts",
    )?;
    if draft.status != "draft" {
        return Err(WorkbenchError(ApiError::Conflict(format!(
            "draft {id} is already {}",
            draft.status
        ))));
    }
    if draft.kind != "power_item" {
        return Err(WorkbenchError(ApiError::Conflict(
            "only power items are edited in this form".into(),
        )));
    }
    let record: Value = serde_json::from_str(&draft.record)
        .map_err(|e| ApiError::Internal(format!("draft {id}: {e}")))?;
    let choices = choices(&state, &clerk).await?;
    Ok(form_page(
        &clerk,
        &Target::Draft {
            id,
            revision: draft.revision,
        },
        StatusCode::OK,
        &record,
        Some(draft.department_id),
        draft.reason.as_deref().unwrap_or(""),
        &choices,
        &BTreeMap::new(),
        &HashMap::new(),
    ))
}

/// The registry's problems by field, in Chinese.
fn problems_by_field(list: Vec<crate::error::FieldProblem>) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for p in list {
        let message = quanze_registry::import::sheet::zh_message(&p.message);
        let message = message.trim_start_matches('：').to_string();
        map.entry(p.field)
            .and_modify(|m: &mut String| {
                m.push('；');
                m.push_str(&message);
            })
            .or_insert(message);
    }
    map
}

/// Refuses, before anything posted is read, a draft or an item this person may not write.
async fn may_write(state: &AppState, clerk: &Clerk, target: &Target) -> Result<(), ApiError> {
    let p = clerk.session.principal.clone();
    let (draft, code) = match target {
        Target::New => return Ok(()),
        Target::Draft { id, .. } => (Some(*id), None),
        Target::Revise(code) => (None, Some(code.clone())),
    };
    state
        .with_conn(move |conn| {
            let department = match (draft, code) {
                (Some(id), _) => workflow::get_draft(conn, &p, id)?.department_id,
                (_, Some(code)) => workflow::revisable_item(conn, &p, &code)?.department_id,
                _ => return Ok(()),
            };
            Ok(p.require(p.can_edit(department), "write this department's items")?)
        })
        .await
}

/// Saves the posted form (and submits it when asked), or shows it again with its problems.
async fn save(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
    body: web::Bytes,
    target: Target,
) -> WorkbenchResult {
    let form = clerk.posted_form(&req, &body)?;
    may_write(&state, &clerk, &target).await?;
    // A draft's form carries the revision it was opened at; shown again, it keeps carrying it.
    let target = match target {
        Target::Draft { id, .. } => Target::Draft {
            id,
            revision: form.get("revision").parse().unwrap_or(0),
        },
        other => other,
    };
    let Posted {
        mut record,
        department,
        reason,
        add_row,
        mut problems,
    } = item_form::read(&form);
    let choices = choices(&state, &clerk).await?;
    let chosen = department.and_then(|id| choices.departments.iter().find(|d| d.id == id));
    match chosen {
        Some(d) => {
            record["department"] = serde_json::to_value(d.as_ref_record()).unwrap_or_default()
        }
        None => {
            problems.insert("department".into(), "请选择您所在的部门".into());
        }
    }
    // What is saved: a new item without a code gets the stable local code a sheet import would
    // give it (the form shown again keeps the field as the clerk left it).
    let mut value = record.clone();
    if let (Some(d), Target::New) = (chosen, &target)
        && value["code"].as_str().is_some_and(|c| c.trim().is_empty())
    {
        let name = value["name"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_string();
        value["code"] = Value::String(quanze_registry::import::sheet::local_code(
            &d.as_ref_record(),
            &name,
            "",
        ));
    }
    let again = |problems: &BTreeMap<String, String>, extra: &HashMap<String, usize>, status| {
        form_page(
            &clerk, &target, status, &record, department, &reason, &choices, problems, extra,
        )
    };
    if let Some(section) = add_row {
        let extra = HashMap::from([(section, 1)]);
        return Ok(again(&BTreeMap::new(), &extra, StatusCode::OK));
    }
    if !problems.is_empty() {
        return Ok(again(
            &problems,
            &HashMap::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let submit = form.get("then") == "submit";
    let p = clerk.session.principal.clone();
    let now = quanze_registry::repo::now();
    let why = (!reason.is_empty()).then(|| reason.clone());
    let expected_revision = match &target {
        Target::Draft { .. } => Some(form.get("revision").parse::<i32>().map_err(|_| {
            WorkbenchError(ApiError::bad_request(
                "revision",
                "the form carries no revision",
            ))
        })?),
        _ => None,
    };
    let action = match &target {
        Target::New => Action::Create,
        Target::Revise(code) => Action::Revise(code.clone()),
        Target::Draft { id, .. } => Action::Update(*id, expected_revision.unwrap_or(0)),
    };
    let saved = state
        .with_conn(move |conn| {
            let draft = match action {
                Action::Create => {
                    workflow::create_item_draft(conn, &p, &value, why.as_deref(), now)?
                }
                Action::Revise(code) => {
                    workflow::create_revision(conn, &p, &code, Some(&value), why.as_deref(), now)?
                }
                // The form shows the draft's reason: emptied, it is cleared.
                Action::Update(id, revision) => workflow::update_draft(
                    conn,
                    &p,
                    id,
                    &RevisionCondition::OneOf(vec![revision]),
                    &value,
                    Some(why.as_deref().unwrap_or_default()),
                    now,
                )?,
            };
            if submit {
                workflow::submit_draft(conn, &p, draft.id, &RevisionCondition::Any, now)?;
            }
            Ok(draft.id)
        })
        .await;
    match saved {
        Ok(id) => Ok(see_other(&format!("/workbench/drafts/{id}"))),
        Err(ApiError::InvalidRecord(list)) => {
            let problems = problems_by_field(list);
            Ok(again(
                &problems,
                &HashMap::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        // Refused as things stand (the code taken, a draft open, the draft changed meanwhile):
        // the form again with why, nothing typed lost.
        Err(ApiError::Conflict(why)) => {
            let problems = BTreeMap::from([("record".to_string(), super::conflict_message(&why))]);
            Ok(again(&problems, &HashMap::new(), StatusCode::CONFLICT))
        }
        Err(ApiError::PreconditionFailed { .. }) => {
            let problems = BTreeMap::from([(
                "record".to_string(),
                "您打开这一页之后，草稿已被他人修改。请重新打开草稿，再把修改填进去。".to_string(),
            )]);
            Ok(again(
                &problems,
                &HashMap::new(),
                StatusCode::PRECONDITION_FAILED,
            ))
        }
        Err(e) => Err(WorkbenchError(e)),
    }
}

/// The workflow call a save makes.
enum Action {
    Create,
    Revise(String),
    Update(i64, i32),
}

/// `POST /workbench/items/new`.
pub async fn save_new(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    save(state, clerk, req, body, Target::New).await
}

/// `POST /workbench/items/{code}/revise`.
pub async fn save_revision(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    save(state, clerk, req, body, Target::Revise(path.into_inner())).await
}

/// `POST /workbench/drafts/{id}/edit`.
pub async fn save_draft(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let id = super::path_id(&path, "draft")?;
    // The revision is read from the form in `save`, with the rest of it.
    save(state, clerk, req, body, Target::Draft { id, revision: 0 }).await
}
