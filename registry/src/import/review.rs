//! Bulk maintenance by a department: an NDJSON file of items becomes drafts submitted for
//! review (new items, and revisions of published ones), all rows or none, limited to the
//! caller's departments. An admin may instead publish the file directly.

use std::io::BufRead;

use crate::auth::Principal;
use crate::db::Database;
use crate::error::Result;
use crate::import::{
    ImportOptions, ImportReport, RecordOrigin, read_and_validate, sort_problems,
    write_all_or_nothing,
};
use crate::interchange::PowerItemRecord;
use crate::problem::Problem;
use crate::repo::departments::find_department;
use crate::repo::drafts::find_draft_by_code;
use crate::repo::items::{find_item_by_code, load_item_records};
use crate::validate::validate_item;
use crate::workflow::{
    RevisionCondition, create_item_draft, create_revision, submit_draft, update_draft,
};

/// Imports items for review (or, for an admin with `publish`, publishes them). Counts:
/// `created` new-item drafts, `updated` revisions, `unchanged` rows equal to the published item.
pub fn import_items_for_review(
    db: &Database,
    input: impl BufRead,
    opts: &ImportOptions,
    p: &Principal,
    publish: bool,
) -> Result<ImportReport> {
    if publish {
        p.require(p.is_admin(), "publish an import without review")?;
    }
    let (report, valid) =
        read_and_validate::<PowerItemRecord, _>(input, opts, validate_item, |item| {
            ("code", item.code.clone())
        })?;
    let valid = valid
        .into_iter()
        .map(|(line, item)| (RecordOrigin::line(line), item))
        .collect();
    review_items(db, report, valid, opts, p, publish)
}

/// Validated items for review (or published, for an admin with `publish`), all or none.
pub(crate) fn review_items(
    db: &Database,
    mut report: ImportReport,
    mut valid: Vec<(RecordOrigin, PowerItemRecord)>,
    opts: &ImportOptions,
    p: &Principal,
    publish: bool,
) -> Result<ImportReport> {
    if publish {
        p.require(p.is_admin(), "publish an import without review")?;
        return crate::import::items::import_items(db, report, valid, opts);
    }
    crate::import::keep_withholding(db, &mut valid, &mut report)?;
    {
        let mut conn = db.conn()?;
        for (origin, item) in &valid {
            let mut problem = |field: &str, message: String| {
                report
                    .problems
                    .push(origin.place(Problem::error(field, message)));
            };
            match find_department(&mut conn, &item.department)? {
                None => problem(
                    "department",
                    format!(
                        "no department {:?} in region {}; an admin registers departments",
                        item.department.name, item.department.region
                    ),
                ),
                Some(d) if !p.can_edit(d.id) => problem(
                    "department",
                    format!("{} is not one of your departments", d.name),
                ),
                Some(_) => {}
            }
            if let Some(existing) = find_item_by_code(&mut conn, &item.code)?
                && !p.can_edit(existing.department_id)
            {
                problem(
                    "code",
                    format!("{} belongs to another department", item.code),
                );
            }
            if let Some(draft) = find_draft_by_code(&mut conn, &item.code)?
                && !carried_forward(&draft, p)
            {
                problem(
                    "code",
                    format!(
                        "draft {} of {} is {}; finish it first",
                        draft.id,
                        item.code,
                        if draft.status == "in_review" {
                            "in review"
                        } else {
                            "open"
                        }
                    ),
                );
            }
        }
    }
    crate::import::warn_unresolved_citations(db, &valid, &mut report)?;
    sort_problems(&mut report.problems);
    if report.errors() > 0 {
        return Ok(report);
    }
    let reason = opts.reason.clone();
    write_all_or_nothing(db, report, |conn, report| {
        let at = crate::repo::now();
        let mut submitted = Vec::new();
        for (_, item) in &valid {
            let value = serde_json::to_value(item)
                .map_err(|e| crate::RegistryError::Corrupt(e.to_string()))?;
            let open_draft = find_draft_by_code(conn, &item.code)?;
            let draft = match (open_draft, find_item_by_code(conn, &item.code)?) {
                // Checked above: a draft sent back, or the caller's own, not in review.
                (Some(open), existing) => {
                    match existing {
                        Some(existing) => {
                            let current = load_item_records(conn, std::slice::from_ref(&existing))?;
                            if current.first().is_some_and(|c| same_content(c, item)) {
                                // Back to the live version: nothing to review; the draft stays
                                // for its author to delete or change.
                                report.unchanged += 1;
                                continue;
                            }
                            changed(report, item, false);
                        }
                        None => changed(report, item, true),
                    }
                    let any = RevisionCondition::Any;
                    update_draft(conn, p, open.id, &any, &value, reason.as_deref(), at)?
                }
                (None, Some(existing)) => {
                    let current = load_item_records(conn, std::slice::from_ref(&existing))?;
                    if current.first().is_some_and(|c| same_content(c, item)) {
                        report.unchanged += 1;
                        continue;
                    }
                    changed(report, item, false);
                    create_revision(conn, p, &item.code, Some(&value), reason.as_deref(), at)?
                }
                (None, None) => {
                    changed(report, item, true);
                    create_item_draft(conn, p, &value, reason.as_deref(), at)?
                }
            };
            submit_draft(conn, p, draft.id, &RevisionCondition::Any, at)?;
            submitted.push(draft.id);
        }
        // What one file submitted is one change set, for a reviewer to decide on as one.
        if submitted.len() > 1 {
            let key = format!("u{}-{}", at.and_utc().timestamp(), submitted[0]);
            crate::repo::drafts::set_change_set(conn, &submitted, &key)?;
        }
        Ok(())
    })
}

/// Counts an item the import creates or changes, and names it in the report.
fn changed(report: &mut ImportReport, item: &PowerItemRecord, created: bool) {
    if created {
        report.created += 1;
    } else {
        report.updated += 1;
    }
    report.changes.push(crate::import::RowChange {
        code: item.code.clone(),
        name: item.name.clone(),
        created,
    });
}

/// Whether a row of an upload may carry an open draft forward (update and submit it again): a
/// draft a reviewer sent back, or the caller's own not yet submitted. A draft in review is the
/// reviewer's until they decide, and a colleague's unsubmitted work is theirs.
fn carried_forward(draft: &crate::models::DraftRow, p: &Principal) -> bool {
    draft.status == "draft"
        && draft.kind == "power_item"
        && p.can_edit(draft.department_id)
        && (draft.review_comment.is_some() || p.is(draft.updated_by))
}

/// Equal but for how the department is spelled (stored records use the stored spelling).
fn same_content(stored: &PowerItemRecord, given: &PowerItemRecord) -> bool {
    let mut given = given.clone();
    given.department = stored.department.clone();
    *stored == given
}
