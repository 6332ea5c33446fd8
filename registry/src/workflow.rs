//! The review workflow (谁发布、谁审核、谁负责): editors write drafts and submit them; a reviewer
//! of the department who neither submitted nor last edited the draft publishes it (a new
//! immutable version) or sends it back with a comment; reviewers revoke with a reason. Every
//! step checks the caller's role and departments, runs in one write transaction, writes the
//! audit log and, where the public view changes, the outbox.
//!
//! Drafts hold power items or departments' responsibility lists (责任清单); both follow the
//! same path.

use serde::de::DeserializeOwned;

use crate::auth::Principal;
use crate::db::{DbConnection, write_transaction};
use crate::domain::ItemStatus;
use crate::error::{RegistryError, Result};
use crate::interchange::{DepartmentRef, PowerItemRecord, ResponsibilityListRecord};
use crate::models::{DraftRow, PowerItemRow};
use crate::problem::Problem;
use crate::repo::drafts::{
    DraftEdit, DraftFilter, DraftKind, NewDraft, StatusChange, delete_draft_row, find_draft,
    find_draft_by_code, insert_draft, set_draft_status, update_draft_content,
};
use crate::repo::history::{
    AuditEntry, ChangeKind, NewVersion, OutboxEntry, append_audit, append_outbox, append_version,
    diff_fields, latest_version,
};
use crate::validate::{Checker, validate_item, validate_responsibility_list};

/// Longest comment or reason accepted.
const MAX_NOTE_CHARS: usize = 2_000;

/// Reads a record of type `T` from JSON, naming the path of a type error.
fn parse_record<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        RegistryError::Invalid(vec![Problem::error(
            if path == "." {
                "record".to_string()
            } else {
                path
            },
            e.inner().to_string(),
        )])
    })
}

fn invalid_unless_clean(c: Checker) -> Result<()> {
    if c.has_errors() {
        Err(RegistryError::Invalid(
            c.problems.into_iter().filter(Problem::is_error).collect(),
        ))
    } else {
        Ok(())
    }
}

fn note(field: &str, text: Option<&str>, required: bool) -> Result<Option<String>> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match text {
        None if required => Err(RegistryError::Invalid(vec![Problem::error(
            field,
            "is required",
        )])),
        Some(t) if t.chars().count() > MAX_NOTE_CHARS || t.chars().any(char::is_control) => {
            Err(RegistryError::Invalid(vec![Problem::error(
                field,
                format!("at most {MAX_NOTE_CHARS} characters, no control characters"),
            )]))
        }
        Some(t) => {
            // Reasons and comments are published with the change (feed, history).
            let personal = crate::publish_guard::check(&t);
            match personal.into_iter().next() {
                Some(p) => Err(RegistryError::Invalid(vec![Problem::error(
                    field, p.message,
                )])),
                None => Ok(Some(t.to_string())),
            }
        }
        None => Ok(None),
    }
}

/// A validated draft content: what is stored and what it is filed under.
struct Content {
    json: String,
    code: String,
    name: String,
    department: DepartmentRef,
}

fn item_content(record: &PowerItemRecord) -> Result<Content> {
    let mut c = Checker::default();
    let normalized = validate_item(record, &mut c);
    invalid_unless_clean(c)?;
    let normalized =
        normalized.ok_or_else(|| RegistryError::Corrupt("validation lost the record".into()))?;
    Ok(Content {
        json: serde_json::to_string(&normalized)
            .map_err(|e| RegistryError::Corrupt(e.to_string()))?,
        code: normalized.code.clone(),
        name: normalized.name.clone(),
        department: normalized.department,
    })
}

fn responsibilities_code(department_id: i64) -> String {
    format!("responsibilities:{department_id}")
}

fn responsibility_content(
    record: &ResponsibilityListRecord,
    department_id: i64,
) -> Result<Content> {
    let mut c = Checker::default();
    let normalized = validate_responsibility_list(record, &mut c);
    invalid_unless_clean(c)?;
    let normalized =
        normalized.ok_or_else(|| RegistryError::Corrupt("validation lost the record".into()))?;
    let department = DepartmentRef {
        name: normalized.department.name.clone(),
        uscc: normalized.department.uscc.clone(),
        region: normalized.department.region.clone(),
    };
    Ok(Content {
        json: serde_json::to_string(&normalized)
            .map_err(|e| RegistryError::Corrupt(e.to_string()))?,
        code: responsibilities_code(department_id),
        name: format!("{}责任清单", normalized.department.name),
        department,
    })
}

/// The stored department a record names; it must exist.
fn department_of(conn: &mut DbConnection, r: &DepartmentRef) -> Result<i64> {
    crate::repo::departments::find_department(conn, r)?
        .map(|d| d.id)
        .ok_or_else(|| {
            RegistryError::Invalid(vec![Problem::error(
                "department",
                format!("no department {:?} in region {}", r.name, r.region),
            )])
        })
}

fn audit(
    conn: &mut DbConnection,
    p: &Principal,
    action: &str,
    draft: &DraftRow,
    details: serde_json::Value,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    append_audit(
        conn,
        &AuditEntry {
            action,
            entity_type: draft.kind.as_str(),
            entity_key: &draft.code,
            department_id: Some(draft.department_id),
            details,
        },
        &p.actor(),
        at,
    )
}

fn draft_json(draft: &DraftRow) -> serde_json::Value {
    serde_json::from_str(&draft.record).unwrap_or(serde_json::Value::Null)
}

/// A draft the caller may see.
pub fn get_draft(conn: &mut DbConnection, p: &Principal, id: i64) -> Result<DraftRow> {
    let draft =
        find_draft(conn, id)?.ok_or_else(|| RegistryError::NotFound(format!("draft {id}")))?;
    p.require(
        p.can_see(draft.department_id),
        "see this department's drafts",
    )?;
    Ok(draft)
}

/// A department the caller may edit, as its items name it (an import's default department).
pub fn department_for_editing(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
) -> Result<crate::interchange::DepartmentRef> {
    let department = crate::repo::departments::get_department(conn, id)?
        .ok_or_else(|| RegistryError::NotFound(format!("department {id}")))?;
    p.require(p.can_edit(id), "import into this department's list")?;
    Ok(department.as_ref_record())
}

/// A page of the drafts the caller may see: of `department` when asked for (and visible), else
/// of all the caller's departments; `status` narrows to `draft` or `in_review`. Oldest first,
/// with the total.
pub fn list_drafts(
    conn: &mut DbConnection,
    p: &Principal,
    department: Option<i64>,
    status: Option<String>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DraftRow>, i64)> {
    let filter = DraftFilter {
        department_ids: p.draft_scope(department)?,
        status,
    };
    crate::repo::drafts::list_drafts(conn, &filter, offset, limit)
}

fn no_open_draft(conn: &mut DbConnection, code: &str) -> Result<()> {
    match find_draft_by_code(conn, code)? {
        Some(d) => Err(RegistryError::Conflict(format!(
            "draft {} of {code} is open; edit it or delete it first",
            d.id
        ))),
        None => Ok(()),
    }
}

/// Opens a draft of `content` (one open draft per code) and audits it: the common end of
/// every way a draft starts.
#[allow(clippy::too_many_arguments)]
fn open_draft(
    conn: &mut DbConnection,
    p: &Principal,
    kind: DraftKind,
    revises: Option<&PowerItemRow>,
    content: &Content,
    department_id: i64,
    reason: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<DraftRow> {
    no_open_draft(conn, &content.code)?;
    let draft = insert_draft(
        conn,
        &NewDraft {
            kind,
            item_id: revises.map(|i| i.id),
            base_version: revises.map(|i| i.version),
            code: &content.code,
            name: &content.name,
            department_id,
            record: &content.json,
            reason,
            user_id: p.user_id,
        },
        at,
    )?;
    let (action, details) = match revises {
        Some(item) => (
            "draft.revise",
            serde_json::json!({"draft": draft.id, "item_version": item.version}),
        ),
        None => ("draft.create", serde_json::json!({"draft": draft.id})),
    };
    audit(conn, p, action, &draft, details, at)?;
    Ok(draft)
}

/// Starts a draft of a new power item.
pub fn create_item_draft(
    conn: &mut DbConnection,
    p: &Principal,
    record: &serde_json::Value,
    reason: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<DraftRow> {
    let content = item_content(&parse_record::<PowerItemRecord>(record)?)?;
    let reason = note("reason", reason, false)?;
    write_transaction(conn, |conn| {
        let department_id = department_of(conn, &content.department)?;
        p.require(p.can_edit(department_id), "write this department's items")?;
        if crate::repo::items::find_item_by_code(conn, &content.code)?.is_some() {
            return Err(RegistryError::Conflict(format!(
                "item {} exists; start a revision of it instead",
                content.code
            )));
        }
        open_draft(
            conn,
            p,
            DraftKind::PowerItem,
            None,
            &content,
            department_id,
            reason.as_deref(),
            at,
        )
    })
}

/// An item a revision may start from: a public one, or a withheld one (不予公开) of a department
/// the caller sees — to everyone else a withheld item does not exist.
pub fn revisable_item(conn: &mut DbConnection, p: &Principal, key: &str) -> Result<PowerItemRow> {
    match crate::repo::items::find_public_item(conn, key) {
        Err(RegistryError::NotFound(what)) => crate::repo::items::find_item_by_code(conn, key)?
            .filter(|item| {
                item.status == ItemStatus::Withheld.as_str() && p.can_see(item.department_id)
            })
            .ok_or(RegistryError::NotFound(what)),
        found => found,
    }
}

/// A department's withheld items (不予公开), for those who work for it: no one else learns they
/// exist.
pub fn withheld_items(
    conn: &mut DbConnection,
    p: &Principal,
    department_id: i64,
) -> Result<Vec<PowerItemRow>> {
    p.require(p.can_see(department_id), "see this department's items")?;
    let filter = crate::repo::items::ItemFilter {
        status: Some(ItemStatus::Withheld.as_str().into()),
        department_ids: Some(vec![department_id]),
        category: None,
    };
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let page = crate::repo::items::list_items_after(conn, &filter, after, 1_000)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        rows.extend(page);
    }
    Ok(rows)
}

/// Starts a revision of a published, revoked or withheld item: a draft beside it, holding the current
/// record or the one given. The live version stays as it is (public, or withheld) until the
/// revision is approved.
pub fn create_revision(
    conn: &mut DbConnection,
    p: &Principal,
    code: &str,
    record: Option<&serde_json::Value>,
    reason: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<DraftRow> {
    let reason = note("reason", reason, false)?;
    let given = record.map(parse_record::<PowerItemRecord>).transpose()?;
    write_transaction(conn, |conn| {
        let item = revisable_item(conn, p, code)?;
        p.require(
            p.can_edit(item.department_id),
            "write this department's items",
        )?;
        let record = match &given {
            Some(r) => r.clone(),
            None => crate::repo::items::load_item_records(conn, std::slice::from_ref(&item))?
                .pop()
                .ok_or_else(|| RegistryError::NotFound(format!("item {code:?}")))?,
        };
        let content = item_content(&record)?;
        if content.code != item.code {
            return Err(RegistryError::Invalid(vec![Problem::error(
                "code",
                format!("a revision keeps the item's code {}", item.code),
            )]));
        }
        let department_id = department_of(conn, &content.department)?;
        p.require(p.can_edit(department_id), "write this department's items")?;
        open_draft(
            conn,
            p,
            DraftKind::PowerItem,
            Some(&item),
            &content,
            department_id,
            reason.as_deref(),
            at,
        )
    })
}

/// Starts a draft of a department's responsibility list (责任清单), holding the current list or
/// the one given.
pub fn create_responsibility_draft(
    conn: &mut DbConnection,
    p: &Principal,
    department_id: i64,
    record: Option<&serde_json::Value>,
    reason: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<DraftRow> {
    let reason = note("reason", reason, false)?;
    let given = record
        .map(parse_record::<ResponsibilityListRecord>)
        .transpose()?;
    write_transaction(conn, |conn| {
        let department = crate::repo::departments::get_department(conn, department_id)?
            .ok_or_else(|| RegistryError::NotFound(format!("department {department_id}")))?;
        p.require(p.can_edit(department_id), "write this department's lists")?;
        let record = match &given {
            Some(r) => r.clone(),
            None => crate::repo::responsibilities::load_responsibility_list(
                conn,
                department_id,
                department.as_record(),
            )?,
        };
        let content = responsibility_content(&record, department_id)?;
        if department_of(conn, &content.department)? != department_id {
            return Err(RegistryError::Invalid(vec![Problem::error(
                "department",
                format!(
                    "the list must name department {department_id}, {}",
                    department.name
                ),
            )]));
        }
        open_draft(
            conn,
            p,
            DraftKind::ResponsibilityList,
            None,
            &content,
            department_id,
            reason.as_deref(),
            at,
        )
    })
}

fn kind_of(draft: &DraftRow) -> Result<DraftKind> {
    DraftKind::parse(&draft.kind).ok_or_else(|| {
        RegistryError::Corrupt(format!("draft {} has kind {:?}", draft.id, draft.kind))
    })
}

/// What a caller says it is acting on (HTTP If-Match): any revision (`*`), or one of some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisionCondition {
    Any,
    OneOf(Vec<i32>),
}

fn check_revision(draft: &DraftRow, condition: &RevisionCondition) -> Result<()> {
    match condition {
        RevisionCondition::OneOf(revisions) if !revisions.contains(&draft.revision) => {
            Err(RegistryError::StaleRevision {
                expected: revisions.first().copied().unwrap_or(0),
                current: draft.revision,
            })
        }
        _ => Ok(()),
    }
}

/// Replaces a draft's content. `expected` names the revision the editor started from (HTTP
/// If-Match); a draft changed since is refused, so no edit is silently lost.
pub fn update_draft(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    expected: &RevisionCondition,
    record: &serde_json::Value,
    reason: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<DraftRow> {
    // An empty reason clears the one given before; none at all keeps it.
    let clears_reason = reason.is_some_and(|r| r.trim().is_empty());
    let reason = note("reason", reason, false)?;
    write_transaction(conn, |conn| {
        let draft = editable(conn, p, id, "write", Some(expected), |status| {
            format!("draft {id} is {status}; it can be edited once a reviewer sends it back")
        })?;
        let content = match kind_of(&draft)? {
            DraftKind::Revocation => {
                return Err(RegistryError::Conflict(format!(
                    "draft {id} proposes a revocation, which is not edited; delete it and propose again"
                )));
            }
            DraftKind::PowerItem => item_content(&parse_record(record)?)?,
            DraftKind::ResponsibilityList => {
                responsibility_content(&parse_record(record)?, draft.department_id)?
            }
        };
        if content.code != draft.code {
            return Err(RegistryError::Invalid(vec![Problem::error(
                "code",
                format!("a draft keeps its code {}", draft.code),
            )]));
        }
        let department_id = department_of(conn, &content.department)?;
        p.require(p.can_edit(department_id), "move items to this department")?;
        if draft.kind == DraftKind::ResponsibilityList.as_str()
            && department_id != draft.department_id
        {
            return Err(RegistryError::Invalid(vec![Problem::error(
                "department",
                "a responsibility list keeps its department",
            )]));
        }
        update_draft_content(
            conn,
            &draft,
            &DraftEdit {
                name: &content.name,
                department_id,
                record: &content.json,
                reason: if clears_reason {
                    None
                } else {
                    reason.as_deref().or(draft.reason.as_deref())
                },
                user_id: p.user_id,
            },
            at,
        )?;
        let after: serde_json::Value =
            serde_json::from_str(&content.json).unwrap_or(serde_json::Value::Null);
        audit(
            conn,
            p,
            "draft.update",
            &draft,
            serde_json::json!({
                "draft": id,
                "revision": draft.revision + 1,
                "changes": diff_fields(&draft_json(&draft), &after),
            }),
            at,
        )?;
        get_draft(conn, p, id)
    })
}

/// Submits a draft for review.
pub fn submit_draft(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    expected: &RevisionCondition,
    at: chrono::NaiveDateTime,
) -> Result<DraftRow> {
    write_transaction(conn, |conn| {
        let draft = editable(conn, p, id, "submit", Some(expected), |status| {
            format!("draft {id} is already {status}")
        })?;
        set_draft_status(
            conn,
            &draft,
            &StatusChange {
                status: ItemStatus::InReview,
                submitted_by: Some(p.user_id),
                review_comment: None,
                reviewed_by: None,
            },
            at,
        )?;
        audit(
            conn,
            p,
            "draft.submit",
            &draft,
            serde_json::json!({"draft": id}),
            at,
        )?;
        get_draft(conn, p, id)
    })
}

/// A draft in review that `p` may decide on, as of the revision `p` saw: a reviewer of its
/// department (and of the item's current department, when a revision moves it) who neither
/// submitted nor last edited it.
/// A draft the caller may still change: of a department they edit, at the expected revision
/// (when one is given), and not in review. `verb` names what they want to do with it;
/// `in_review` words the refusal from the draft's status.
fn editable(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    verb: &str,
    expected: Option<&RevisionCondition>,
    in_review: impl FnOnce(&str) -> String,
) -> Result<DraftRow> {
    let draft = get_draft(conn, p, id)?;
    p.require(
        p.can_edit(draft.department_id),
        &format!("{verb} this department's drafts"),
    )?;
    if let Some(expected) = expected {
        check_revision(&draft, expected)?;
    }
    if draft.status != ItemStatus::Draft.as_str() {
        return Err(RegistryError::Conflict(in_review(&draft.status)));
    }
    Ok(draft)
}

fn reviewable(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    expected: &RevisionCondition,
) -> Result<DraftRow> {
    let draft = get_draft(conn, p, id)?;
    p.require(
        p.can_review(draft.department_id),
        "review this department's drafts",
    )?;
    if let Some(item) = draft
        .item_id
        .map(|item| crate::repo::items::find_item_by_id(conn, item))
        .transpose()?
        .flatten()
    {
        p.require(
            p.can_review(item.department_id),
            "move an item out of a department it does not review",
        )?;
    }
    check_revision(&draft, expected)?;
    if draft.status != ItemStatus::InReview.as_str() {
        return Err(RegistryError::Conflict(format!(
            "draft {id} is {}, not in review",
            draft.status
        )));
    }
    if p.wrote(&draft) {
        return Err(RegistryError::Forbidden(format!(
            "{} wrote or submitted draft {id}; another reviewer must decide on it",
            p.username
        )));
    }
    Ok(draft)
}

/// The published item must still be what the draft was based on: a revision of the version it
/// started from, a new item whose code nobody published meanwhile. Otherwise approving would
/// silently undo a later change (a revocation, another revision).
fn base_is_current(conn: &mut DbConnection, draft: &DraftRow) -> Result<()> {
    if draft.kind == DraftKind::ResponsibilityList.as_str() {
        return Ok(());
    }
    let current = crate::repo::items::find_item_by_code(conn, &draft.code)?;
    match (draft.base_version, current) {
        (None, None) => Ok(()),
        (Some(base), Some(item)) if item.version == base && Some(item.id) == draft.item_id => {
            Ok(())
        }
        (_, Some(item)) => Err(RegistryError::Conflict(format!(
            "{} changed since this draft was started (now version {}, {}); delete the draft and revise the current version",
            draft.code, item.version, item.status
        ))),
        (Some(_), None) => Err(RegistryError::Conflict(format!(
            "{} no longer exists",
            draft.code
        ))),
    }
}

/// What an approval published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// The item, at this version (unchanged when the revision equalled the live version).
    Item {
        id: i64,
        version: i32,
    },
    ResponsibilityList {
        department_id: i64,
    },
    /// The item, revoked at this version.
    Revoked {
        id: i64,
        version: i32,
    },
}

/// Approves a draft in review (as of the revision the reviewer saw): publishes it and closes
/// the draft.
pub fn approve_draft(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    expected: &RevisionCondition,
    at: chrono::NaiveDateTime,
) -> Result<Published> {
    write_transaction(conn, |conn| {
        let draft = reviewable(conn, p, id, expected)?;
        base_is_current(conn, &draft)?;
        // What is published is checked once more, whenever its draft was written (not what a
        // revocation takes off the public lists: an item with personal data must be revocable).
        if kind_of(&draft)? != DraftKind::Revocation {
            let personal_data = crate::publish_guard::check(&draft_json(&draft));
            if !personal_data.is_empty() {
                return Err(RegistryError::Invalid(personal_data));
            }
        }
        let actor = p.actor();
        let published = match kind_of(&draft)? {
            DraftKind::PowerItem => {
                let record: PowerItemRecord = parse_record(&draft_json(&draft))?;
                let ctx = crate::repo::item_writes::SaveContext {
                    actor: &actor,
                    reason: draft.reason.as_deref(),
                    at,
                };
                let outcome = crate::repo::item_writes::save_published_item(conn, &record, &ctx)?;
                let item_id = outcome.item_id();
                if let crate::repo::item_writes::SaveOutcome::Unchanged { .. } = outcome {
                    // Approved as it stands: it is reviewed, and published as of now, so its
                    // citations without a version bind to the laws in force now (a superseded
                    // link that flagged it moves on); the feed says it was reviewed, so mirrors,
                    // the index and the quality report follow.
                    crate::repo::item_writes::mark_reviewed(conn, item_id, at)?;
                    crate::repo::laws::link_legal_bases(conn, Some(&[item_id]))?;
                    if let Some(item) = crate::repo::items::find_item_by_id(conn, item_id)?
                        && item.is_public()
                    {
                        append_outbox(
                            conn,
                            &OutboxEntry::item(
                                item.id,
                                &item.code,
                                ChangeKind::Reviewed,
                                item.version,
                                draft.reason.as_deref(),
                            ),
                            at,
                        )?;
                    }
                }
                // The reviewer has read the item as it now stands: a law change's flag is done.
                crate::repo::flags::clear_flags(conn, item_id, at)?;
                let version = crate::repo::items::find_item_by_id(conn, item_id)?
                    .map(|r| r.version)
                    .unwrap_or(1);
                Published::Item {
                    id: item_id,
                    version,
                }
            }
            DraftKind::Revocation => {
                let item = crate::repo::items::find_public_item(conn, &draft.code)?;
                let reason = draft.reason.clone().unwrap_or_default();
                let revoked = revoke_published(conn, &actor, item, &reason, at)?;
                Published::Revoked {
                    id: revoked.id,
                    version: revoked.version,
                }
            }
            DraftKind::ResponsibilityList => {
                let record: ResponsibilityListRecord = parse_record(&draft_json(&draft))?;
                crate::repo::responsibilities::replace_responsibility_list(
                    conn,
                    draft.department_id,
                    &record,
                    &crate::repo::responsibilities::ListChange {
                        actor: &actor,
                        reason: draft.reason.as_deref(),
                        at,
                    },
                )?;
                Published::ResponsibilityList {
                    department_id: draft.department_id,
                }
            }
        };
        delete_draft_row(conn, id)?;
        let details = match &published {
            Published::Item { id: item, version } | Published::Revoked { id: item, version } => {
                serde_json::json!({"draft": id, "item": item, "version": version})
            }
            Published::ResponsibilityList { department_id } => {
                serde_json::json!({"draft": id, "department": department_id})
            }
        };
        audit(conn, p, "draft.approve", &draft, details, at)?;
        crate::fault::point("approve.commit");
        Ok(published)
    })
}

/// Sends a draft in review back to its editors with a comment.
pub fn reject_draft(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    expected: &RevisionCondition,
    comment: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<DraftRow> {
    let comment = note("comment", comment, true)?;
    write_transaction(conn, |conn| {
        let draft = reviewable(conn, p, id, expected)?;
        set_draft_status(
            conn,
            &draft,
            &StatusChange {
                status: ItemStatus::Draft,
                submitted_by: None,
                review_comment: comment.as_deref(),
                reviewed_by: Some(p.user_id),
            },
            at,
        )?;
        audit(
            conn,
            p,
            "draft.reject",
            &draft,
            serde_json::json!({"draft": id, "comment": comment}),
            at,
        )?;
        get_draft(conn, p, id)
    })
}

/// Deletes a draft that is not in review (a new item never published, or an abandoned
/// revision; the published item is untouched).
pub fn delete_draft(
    conn: &mut DbConnection,
    p: &Principal,
    id: i64,
    expected: Option<&RevisionCondition>,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    write_transaction(conn, |conn| {
        let draft = editable(conn, p, id, "delete", expected, |status| {
            format!("draft {id} is {status}; it can be deleted once a reviewer sends it back")
        })?;
        delete_draft_row(conn, id)?;
        audit(
            conn,
            p,
            "draft.delete",
            &draft,
            serde_json::json!({"draft": id}),
            at,
        )?;
        Ok(())
    })
}

/// Whether a change set's key has the shape imports give it (letters, digits, `-`).
fn change_set_key_ok(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The drafts of a change set in review, every one of which `p` may decide on — else the
/// whole set is refused: a set is decided as one, never in part. `expected` (draft id →
/// revision, as the reviewer saw them) must name exactly the set's drafts at those revisions.
fn decidable_set(
    conn: &mut DbConnection,
    p: &Principal,
    key: &str,
    expected: Option<&[(i64, i32)]>,
) -> Result<Vec<DraftRow>> {
    let missing = || {
        let shown: String = key.chars().take(64).collect();
        RegistryError::NotFound(format!("change set {shown} in review"))
    };
    if !change_set_key_ok(key) {
        return Err(missing());
    }
    let drafts: Vec<DraftRow> = crate::repo::drafts::change_set_drafts(conn, key)?
        .into_iter()
        .filter(|d| d.status == ItemStatus::InReview.as_str())
        .collect();
    // Like a single draft's: another department's change set is refused (403), not hidden.
    if drafts.is_empty() {
        return Err(missing());
    }
    if let Some(d) = drafts.iter().find(|d| !p.may_decide(d)) {
        p.require(
            p.can_review(d.department_id),
            "decide on every draft of this change set",
        )?;
        return Err(RegistryError::Forbidden(format!(
            "{} wrote or submitted draft {} of change set {key}; another reviewer must decide on it",
            p.username, d.id
        )));
    }
    if let Some(expected) = expected {
        let mut seen: Vec<(i64, i32)> = drafts.iter().map(|d| (d.id, d.revision)).collect();
        let mut expected = expected.to_vec();
        seen.sort_unstable();
        expected.sort_unstable();
        if seen != expected {
            return Err(RegistryError::Conflict(format!(
                "change set {key} changed since it was shown; look at it again"
            )));
        }
    }
    Ok(drafts)
}

/// Approves every draft of a change set in one transaction: all are published or none.
pub fn approve_change_set(
    conn: &mut DbConnection,
    p: &Principal,
    key: &str,
    expected: Option<&[(i64, i32)]>,
    at: chrono::NaiveDateTime,
) -> Result<usize> {
    write_transaction(conn, |conn| {
        let drafts = decidable_set(conn, p, key, expected)?;
        for d in &drafts {
            approve_draft(
                conn,
                p,
                d.id,
                &RevisionCondition::OneOf(vec![d.revision]),
                at,
            )?;
        }
        Ok(drafts.len())
    })
}

/// Sends every draft of a change set back with one reason, in one transaction.
pub fn reject_change_set(
    conn: &mut DbConnection,
    p: &Principal,
    key: &str,
    expected: Option<&[(i64, i32)]>,
    comment: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<usize> {
    write_transaction(conn, |conn| {
        let drafts = decidable_set(conn, p, key, expected)?;
        note("comment", comment, true)?;
        for d in &drafts {
            let revision = RevisionCondition::OneOf(vec![d.revision]);
            reject_draft(conn, p, d.id, &revision, comment, at)?;
        }
        Ok(drafts.len())
    })
}

/// Revokes a published item (it stays readable, marked revoked, and leaves default search
/// results). Reviewers and admins of the department only; the reason is mandatory.
pub fn revoke_item(
    conn: &mut DbConnection,
    p: &Principal,
    code: &str,
    reason: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<PowerItemRow> {
    write_transaction(conn, |conn| {
        let item = crate::repo::items::find_public_item(conn, code)?;
        p.require(
            p.can_review(item.department_id),
            "revoke this department's items",
        )?;
        // Checked after the permission: an outsider learns nothing from the reason's rules.
        let reason = note("reason", reason, true)?.unwrap_or_default();
        revoke_published(conn, &p.actor(), item, &reason, at)
    })
}

/// The revocation itself, in the caller's transaction: the next version marked revoked, its
/// flags cleared, a version, an outbox row and an audit entry.
fn revoke_published(
    conn: &mut DbConnection,
    actor: &crate::auth::Actor,
    item: PowerItemRow,
    reason: &str,
    at: chrono::NaiveDateTime,
) -> Result<PowerItemRow> {
    let code = item.code.clone();
    if item.status == ItemStatus::Revoked.as_str() {
        return Err(RegistryError::Conflict(format!(
            "item {code} is already revoked"
        )));
    }
    let version = item.version + 1;
    crate::repo::item_writes::mark_revoked(conn, item.id, version, reason, at)?;
    crate::repo::flags::clear_flags(conn, item.id, at)?;
    let snapshot = latest_version(conn, item.id)?
        .map(|v| v.snapshot)
        .ok_or_else(|| RegistryError::Corrupt(format!("item {code} has no version")))?;
    append_version(
        conn,
        &NewVersion {
            item_id: item.id,
            version,
            status: ItemStatus::Revoked.as_str(),
            snapshot: &snapshot,
            reason: Some(reason),
        },
        actor,
        at,
    )?;
    append_outbox(
        conn,
        &OutboxEntry::item(
            item.id,
            &item.code,
            ChangeKind::Revoked,
            version,
            Some(reason),
        ),
        at,
    )?;
    append_audit(
        conn,
        &AuditEntry {
            action: "item.revoke",
            entity_type: "power_item",
            entity_key: &item.code,
            department_id: Some(item.department_id),
            details: serde_json::json!({"version": version, "reason": reason}),
        },
        actor,
        at,
    )?;
    crate::repo::items::find_public_item(conn, &code)
}

/// An editor proposes to revoke a published item, with the reason: a revocation draft, in
/// review at once, which a reviewer of the department (not the proposer) approves — revoking
/// the item — or sends back.
pub fn propose_revocation(
    conn: &mut DbConnection,
    p: &Principal,
    code: &str,
    reason: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<DraftRow> {
    write_transaction(conn, |conn| {
        let item = crate::repo::items::find_public_item(conn, code)?;
        p.require(
            p.can_edit(item.department_id),
            "propose revoking this department's items",
        )?;
        let reason = note("reason", reason, true)?;
        if item.status == ItemStatus::Revoked.as_str() {
            return Err(RegistryError::Conflict(format!(
                "item {code} is already revoked"
            )));
        }
        let record = crate::repo::items::load_item_records(conn, std::slice::from_ref(&item))?
            .pop()
            .ok_or_else(|| RegistryError::NotFound(format!("item {code:?}")))?;
        let content = item_content(&record)?;
        let draft = open_draft(
            conn,
            p,
            DraftKind::Revocation,
            Some(&item),
            &content,
            item.department_id,
            reason.as_deref(),
            at,
        )?;
        submit_draft(conn, p, draft.id, &RevisionCondition::Any, at)
    })
}
