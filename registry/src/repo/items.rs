//! Power items (权力事项) with their ordered lists. An item is stored as one row plus one row
//! per list entry (explicit tables, portable across both backends); its published versions
//! are stored as immutable JSON snapshots in the interchange format.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::ItemStatus;
use crate::error::{RegistryError, Result};
use crate::interchange::*;
use crate::models::{DepartmentRow, ItemContent, PowerItemRow};
use crate::repo::departments::{find_or_create_department, get_departments};
use crate::repo::history::{
    AuditEntry, ChangeKind, NewVersion, OutboxEntry, append_audit, append_outbox, append_version,
    diff_fields, latest_version,
};
use crate::repo::insert_batch;
use crate::schema::{
    item_accountability, item_discretion, item_exemptions, item_joint_departments,
    item_legal_bases, item_remedies, item_responsibilities, item_workflow_steps, power_items,
};

/// What saving an item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    Created { id: i64 },
    Updated { id: i64, version: i32 },
    Unchanged { id: i64 },
}

impl SaveOutcome {
    pub fn item_id(self) -> i64 {
        match self {
            SaveOutcome::Created { id }
            | SaveOutcome::Updated { id, .. }
            | SaveOutcome::Unchanged { id } => id,
        }
    }
}

fn parse_date(field: &str, value: &Option<String>) -> Result<Option<NaiveDate>> {
    value
        .as_deref()
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                RegistryError::Invalid(vec![crate::problem::Problem::error(
                    field,
                    format!("must be a date YYYY-MM-DD, got {v:?}"),
                )])
            })
        })
        .transpose()
}

fn item_content<'a>(r: &'a PowerItemRecord, department_id: i64) -> Result<ItemContent<'a>> {
    let tl = r.time_limit.as_ref();
    let fee = r.fee.as_ref();
    Ok(ItemContent {
        code: &r.code,
        base_code: r.base_code.as_deref(),
        name: &r.name,
        category: &r.category,
        parent_code: r.parent_code.as_deref(),
        department_id,
        undertaking_office: r.undertaking_office.as_deref(),
        power_source: r.power_source.as_deref(),
        exercise_levels: serde_json::to_string(&r.exercise_levels)
            .map_err(|e| RegistryError::Corrupt(e.to_string()))?,
        statutory_days: tl.and_then(|t| t.statutory_days),
        promised_days: tl.and_then(|t| t.promised_days),
        time_limit_unit: tl.and_then(|t| t.unit.as_deref()),
        time_limit_note: tl.and_then(|t| t.note.as_deref()),
        fee_charged: fee.map(|f| f.charged),
        fee_basis: fee.and_then(|f| f.basis.as_deref()),
        fee_standard: fee.and_then(|f| f.standard.as_deref()),
        consultation: r.consultation.as_deref(),
        supervision: r.supervision.as_deref(),
        remarks: r.remarks.as_deref(),
        effective_from: parse_date("effective_from", &r.effective_from)?,
    })
}

pub fn find_item_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<PowerItemRow>> {
    Ok(power_items::table
        .filter(power_items::code.eq(code))
        .select(PowerItemRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_item_by_id(conn: &mut DbConnection, id: i64) -> Result<Option<PowerItemRow>> {
    Ok(power_items::table
        .find(id)
        .select(PowerItemRow::as_select())
        .first(conn)
        .optional()?)
}

/// The public item a caller names by code or numeric id (NotFound for drafts and unknowns).
pub fn find_public_item(conn: &mut DbConnection, key: &str) -> Result<PowerItemRow> {
    let row = match find_item_by_code(conn, key)? {
        Some(row) => Some(row),
        None => match key.parse::<i64>() {
            Ok(id) => find_item_by_id(conn, id)?,
            Err(_) => None,
        },
    };
    row.filter(PowerItemRow::is_public)
        .ok_or_else(|| RegistryError::NotFound(format!("item {key:?}")))
}

/// Who saves and why; recorded in the version, the audit log and the outbox.
pub(crate) struct SaveContext<'a> {
    pub actor: &'a Actor,
    pub reason: Option<&'a str>,
    pub at: chrono::NaiveDateTime,
}

/// Creates or updates a published item from a validated record. An unchanged record writes
/// nothing; a changed one becomes the next version. Run inside a write transaction.
pub(crate) fn save_published_item(
    conn: &mut DbConnection,
    record: &PowerItemRecord,
    ctx: &SaveContext<'_>,
) -> Result<SaveOutcome> {
    let (department_id, _) = find_or_create_department(conn, &record.department, ctx.at)?;
    let department = crate::repo::departments::get_department(conn, department_id)?
        .ok_or_else(|| RegistryError::NotFound(format!("department {department_id}")))?;
    // The snapshot names the department as stored, so export shows one spelling per body.
    let mut canonical = record.clone();
    canonical.department = department.as_ref_record();
    let snapshot_value =
        serde_json::to_value(&canonical).map_err(|e| RegistryError::Corrupt(e.to_string()))?;
    let snapshot = snapshot_value.to_string();
    let published = ItemStatus::Published.as_str();

    let existing = find_item_by_code(conn, &canonical.code)?;
    let (id, version, kind, before) = match existing {
        Some(row) => {
            let previous = latest_version(conn, row.id)?;
            if row.status == published && previous.as_ref().is_some_and(|p| p.snapshot == snapshot)
            {
                return Ok(SaveOutcome::Unchanged { id: row.id });
            }
            let version = row.version + 1;
            diesel::update(power_items::table.find(row.id))
                .set((
                    item_content(&canonical, department_id)?,
                    power_items::status.eq(published),
                    power_items::version.eq(version),
                    power_items::revoked_at.eq(None::<chrono::NaiveDateTime>),
                    power_items::revoke_reason.eq(None::<String>),
                    power_items::updated_at.eq(ctx.at),
                ))
                .execute(conn)?;
            delete_item_lists(conn, row.id)?;
            let kind = if row.status == published {
                ChangeKind::Revised
            } else {
                ChangeKind::Published
            };
            let before = previous
                .and_then(|p| serde_json::from_str(&p.snapshot).ok())
                .unwrap_or(serde_json::Value::Null);
            (row.id, version, kind, before)
        }
        None => {
            let id = diesel::insert_into(power_items::table)
                .values((
                    item_content(&canonical, department_id)?,
                    power_items::status.eq(published),
                    power_items::version.eq(1),
                    power_items::created_at.eq(ctx.at),
                    power_items::updated_at.eq(ctx.at),
                ))
                .returning(power_items::id)
                .get_result(conn)?;
            (id, 1, ChangeKind::Published, serde_json::Value::Null)
        }
    };
    insert_item_lists(conn, id, &canonical)?;
    append_version(
        conn,
        &NewVersion {
            item_id: id,
            version,
            status: published,
            snapshot: &snapshot,
            reason: ctx.reason,
        },
        ctx.actor,
        ctx.at,
    )?;
    append_outbox(
        conn,
        &OutboxEntry {
            item_id: id,
            item_code: &canonical.code,
            kind,
            version,
            reason: ctx.reason,
        },
        ctx.at,
    )?;
    let details = serde_json::json!({
        "version": version,
        "reason": ctx.reason,
        "changes": diff_fields(&before, &snapshot_value),
    });
    append_audit(
        conn,
        &AuditEntry {
            action: if version == 1 {
                "item.create"
            } else {
                "item.update"
            },
            entity_type: "power_item",
            entity_key: &canonical.code,
            department_id: Some(department_id),
            details,
        },
        ctx.actor,
        ctx.at,
    )?;
    Ok(if version == 1 {
        SaveOutcome::Created { id }
    } else {
        SaveOutcome::Updated { id, version }
    })
}

/// Marks an item revoked at `version`. The caller writes the version, outbox and audit rows in
/// the same transaction.
pub(crate) fn mark_revoked(
    conn: &mut DbConnection,
    id: i64,
    version: i32,
    reason: &str,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    diesel::update(power_items::table.find(id))
        .set((
            power_items::status.eq(ItemStatus::Revoked.as_str()),
            power_items::version.eq(version),
            power_items::revoked_at.eq(Some(at)),
            power_items::revoke_reason.eq(Some(reason)),
            power_items::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

fn delete_item_lists(conn: &mut DbConnection, id: i64) -> Result<()> {
    diesel::delete(item_joint_departments::table.filter(item_joint_departments::item_id.eq(id)))
        .execute(conn)?;
    diesel::delete(item_legal_bases::table.filter(item_legal_bases::item_id.eq(id)))
        .execute(conn)?;
    diesel::delete(item_workflow_steps::table.filter(item_workflow_steps::item_id.eq(id)))
        .execute(conn)?;
    diesel::delete(item_responsibilities::table.filter(item_responsibilities::item_id.eq(id)))
        .execute(conn)?;
    diesel::delete(item_accountability::table.filter(item_accountability::item_id.eq(id)))
        .execute(conn)?;
    diesel::delete(item_discretion::table.filter(item_discretion::item_id.eq(id))).execute(conn)?;
    diesel::delete(item_exemptions::table.filter(item_exemptions::item_id.eq(id))).execute(conn)?;
    diesel::delete(item_remedies::table.filter(item_remedies::item_id.eq(id))).execute(conn)?;
    Ok(())
}

fn pos(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

fn insert_item_lists(conn: &mut DbConnection, id: i64, r: &PowerItemRecord) -> Result<()> {
    use crate::validate::article_number;
    let joint: Vec<_> = r
        .joint_departments
        .iter()
        .enumerate()
        .map(|(i, j)| {
            (
                item_joint_departments::item_id.eq(id),
                item_joint_departments::position.eq(pos(i)),
                item_joint_departments::name.eq(&j.name),
                item_joint_departments::division.eq(&j.division),
            )
        })
        .collect();
    insert_batch!(conn, item_joint_departments::table, joint);
    let mut bases = Vec::with_capacity(r.legal_bases.len());
    for (i, b) in r.legal_bases.iter().enumerate() {
        bases.push((
            item_legal_bases::item_id.eq(id),
            item_legal_bases::position.eq(pos(i)),
            item_legal_bases::role.eq(&b.role),
            item_legal_bases::law_title.eq(&b.law),
            item_legal_bases::law_version.eq(parse_date("legal_bases.version", &b.version)?),
            item_legal_bases::article_label.eq(&b.article),
            item_legal_bases::article_number.eq(b.article.as_deref().and_then(article_number)),
            item_legal_bases::text.eq(&b.text),
        ));
    }
    insert_batch!(conn, item_legal_bases::table, bases);
    let steps: Vec<_> = r
        .workflow
        .iter()
        .enumerate()
        .map(|(i, w)| {
            (
                item_workflow_steps::item_id.eq(id),
                item_workflow_steps::position.eq(pos(i)),
                item_workflow_steps::stage.eq(&w.stage),
                item_workflow_steps::description.eq(&w.description),
                item_workflow_steps::actor.eq(&w.actor),
                item_workflow_steps::time_limit_days.eq(w.time_limit_days),
            )
        })
        .collect();
    insert_batch!(conn, item_workflow_steps::table, steps);
    let resp: Vec<_> = r
        .responsibilities
        .iter()
        .enumerate()
        .map(|(i, x)| {
            (
                item_responsibilities::item_id.eq(id),
                item_responsibilities::position.eq(pos(i)),
                item_responsibilities::stage.eq(&x.stage),
                item_responsibilities::duty.eq(&x.duty),
                item_responsibilities::basis.eq(&x.basis),
            )
        })
        .collect();
    insert_batch!(conn, item_responsibilities::table, resp);
    let acc: Vec<_> = r
        .accountability
        .iter()
        .enumerate()
        .map(|(i, x)| {
            (
                item_accountability::item_id.eq(id),
                item_accountability::position.eq(pos(i)),
                item_accountability::circumstance.eq(&x.circumstance),
                item_accountability::basis.eq(&x.basis),
            )
        })
        .collect();
    insert_batch!(conn, item_accountability::table, acc);
    let disc: Vec<_> = r
        .discretion
        .iter()
        .enumerate()
        .map(|(i, x)| {
            (
                item_discretion::item_id.eq(id),
                item_discretion::position.eq(pos(i)),
                item_discretion::violation.eq(&x.violation),
                item_discretion::tier.eq(&x.tier),
                item_discretion::conditions.eq(&x.conditions),
                item_discretion::sanction.eq(&x.sanction),
                item_discretion::basis.eq(&x.basis),
            )
        })
        .collect();
    insert_batch!(conn, item_discretion::table, disc);
    let ex: Vec<_> = r
        .exemptions
        .iter()
        .enumerate()
        .map(|(i, x)| {
            (
                item_exemptions::item_id.eq(id),
                item_exemptions::position.eq(pos(i)),
                item_exemptions::kind.eq(&x.kind),
                item_exemptions::conditions.eq(&x.conditions),
                item_exemptions::basis.eq(&x.basis),
            )
        })
        .collect();
    insert_batch!(conn, item_exemptions::table, ex);
    let rem: Vec<_> = r
        .remedies
        .iter()
        .enumerate()
        .map(|(i, x)| {
            (
                item_remedies::item_id.eq(id),
                item_remedies::position.eq(pos(i)),
                item_remedies::kind.eq(&x.kind),
                item_remedies::body.eq(&x.body),
                item_remedies::time_limit.eq(&x.time_limit),
            )
        })
        .collect();
    insert_batch!(conn, item_remedies::table, rem);
    Ok(())
}

/// Groups `(item_id, value)` pairs (already ordered by item and position) by item.
fn group<T>(rows: Vec<(i64, T)>) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = HashMap::new();
    for (id, v) in rows {
        map.entry(id).or_default().push(v);
    }
    map
}

/// Rebuilds interchange records for stored items (one query per list for the whole batch).
pub fn load_item_records(
    conn: &mut DbConnection,
    rows: &[PowerItemRow],
) -> Result<Vec<PowerItemRecord>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut dept_ids: Vec<i64> = rows.iter().map(|r| r.department_id).collect();
    dept_ids.sort_unstable();
    dept_ids.dedup();
    let departments: HashMap<i64, DepartmentRow> = get_departments(conn, &dept_ids)?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();

    let mut joint = group(
        item_joint_departments::table
            .filter(item_joint_departments::item_id.eq_any(&ids))
            .order((
                item_joint_departments::item_id,
                item_joint_departments::position,
            ))
            .select((
                item_joint_departments::item_id,
                item_joint_departments::name,
                item_joint_departments::division,
            ))
            .load::<(i64, String, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, name, division)| (id, JointDepartment { name, division }))
            .collect(),
    );
    let mut bases = group(
        item_legal_bases::table
            .filter(item_legal_bases::item_id.eq_any(&ids))
            .order((item_legal_bases::item_id, item_legal_bases::position))
            .select((
                item_legal_bases::item_id,
                item_legal_bases::role,
                item_legal_bases::law_title,
                item_legal_bases::law_version,
                item_legal_bases::article_label,
                item_legal_bases::text,
            ))
            .load::<(
                i64,
                String,
                String,
                Option<NaiveDate>,
                Option<String>,
                Option<String>,
            )>(conn)?
            .into_iter()
            .map(|(id, role, law, version, article, text)| {
                (
                    id,
                    LegalBasis {
                        role,
                        law,
                        version: version.map(|d| d.format("%Y-%m-%d").to_string()),
                        article,
                        text,
                    },
                )
            })
            .collect(),
    );
    let mut steps = group(
        item_workflow_steps::table
            .filter(item_workflow_steps::item_id.eq_any(&ids))
            .order((item_workflow_steps::item_id, item_workflow_steps::position))
            .select((
                item_workflow_steps::item_id,
                item_workflow_steps::stage,
                item_workflow_steps::description,
                item_workflow_steps::actor,
                item_workflow_steps::time_limit_days,
            ))
            .load::<(i64, String, Option<String>, Option<String>, Option<i32>)>(conn)?
            .into_iter()
            .map(|(id, stage, description, actor, time_limit_days)| {
                (
                    id,
                    WorkflowStep {
                        stage,
                        description,
                        actor,
                        time_limit_days,
                    },
                )
            })
            .collect(),
    );
    let mut resp = group(
        item_responsibilities::table
            .filter(item_responsibilities::item_id.eq_any(&ids))
            .order((
                item_responsibilities::item_id,
                item_responsibilities::position,
            ))
            .select((
                item_responsibilities::item_id,
                item_responsibilities::stage,
                item_responsibilities::duty,
                item_responsibilities::basis,
            ))
            .load::<(i64, String, String, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, stage, duty, basis)| (id, Responsibility { stage, duty, basis }))
            .collect(),
    );
    let mut acc = group(
        item_accountability::table
            .filter(item_accountability::item_id.eq_any(&ids))
            .order((item_accountability::item_id, item_accountability::position))
            .select((
                item_accountability::item_id,
                item_accountability::circumstance,
                item_accountability::basis,
            ))
            .load::<(i64, String, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, circumstance, basis)| {
                (
                    id,
                    Accountability {
                        circumstance,
                        basis,
                    },
                )
            })
            .collect(),
    );
    let mut disc = group(
        item_discretion::table
            .filter(item_discretion::item_id.eq_any(&ids))
            .order((item_discretion::item_id, item_discretion::position))
            .select((
                item_discretion::item_id,
                item_discretion::violation,
                item_discretion::tier,
                item_discretion::conditions,
                item_discretion::sanction,
                item_discretion::basis,
            ))
            .load::<(i64, String, String, Option<String>, String, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, violation, tier, conditions, sanction, basis)| {
                (
                    id,
                    Discretion {
                        violation,
                        tier,
                        conditions,
                        sanction,
                        basis,
                    },
                )
            })
            .collect(),
    );
    let mut ex = group(
        item_exemptions::table
            .filter(item_exemptions::item_id.eq_any(&ids))
            .order((item_exemptions::item_id, item_exemptions::position))
            .select((
                item_exemptions::item_id,
                item_exemptions::kind,
                item_exemptions::conditions,
                item_exemptions::basis,
            ))
            .load::<(i64, String, String, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, kind, conditions, basis)| {
                (
                    id,
                    Exemption {
                        kind,
                        conditions,
                        basis,
                    },
                )
            })
            .collect(),
    );
    let mut rem = group(
        item_remedies::table
            .filter(item_remedies::item_id.eq_any(&ids))
            .order((item_remedies::item_id, item_remedies::position))
            .select((
                item_remedies::item_id,
                item_remedies::kind,
                item_remedies::body,
                item_remedies::time_limit,
            ))
            .load::<(i64, String, Option<String>, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, kind, body, time_limit)| {
                (
                    id,
                    Remedy {
                        kind,
                        body,
                        time_limit,
                    },
                )
            })
            .collect(),
    );

    rows.iter()
        .map(|row| {
            let department = departments
                .get(&row.department_id)
                .ok_or_else(|| {
                    RegistryError::Corrupt(format!("item {} has no department", row.code))
                })?
                .as_ref_record();
            let exercise_levels: Vec<String> =
                serde_json::from_str(&row.exercise_levels).map_err(|e| {
                    RegistryError::Corrupt(format!("exercise_levels of {}: {e}", row.code))
                })?;
            let time_limit = TimeLimit {
                statutory_days: row.statutory_days,
                promised_days: row.promised_days,
                unit: row.time_limit_unit.clone(),
                note: row.time_limit_note.clone(),
            };
            let fee = row.fee_charged.map(|charged| Fee {
                charged,
                basis: row.fee_basis.clone(),
                standard: row.fee_standard.clone(),
            });
            let id = row.id;
            Ok(PowerItemRecord {
                code: row.code.clone(),
                base_code: row.base_code.clone(),
                name: row.name.clone(),
                category: row.category.clone(),
                parent_code: row.parent_code.clone(),
                department,
                undertaking_office: row.undertaking_office.clone(),
                joint_departments: joint.remove(&id).unwrap_or_default(),
                power_source: row.power_source.clone(),
                exercise_levels,
                time_limit: (time_limit != TimeLimit::default()).then_some(time_limit),
                fee,
                legal_bases: bases.remove(&id).unwrap_or_default(),
                workflow: steps.remove(&id).unwrap_or_default(),
                responsibilities: resp.remove(&id).unwrap_or_default(),
                accountability: acc.remove(&id).unwrap_or_default(),
                discretion: disc.remove(&id).unwrap_or_default(),
                exemptions: ex.remove(&id).unwrap_or_default(),
                consultation: row.consultation.clone(),
                supervision: row.supervision.clone(),
                remedies: rem.remove(&id).unwrap_or_default(),
                remarks: row.remarks.clone(),
                effective_from: row.effective_from.map(|d| d.format("%Y-%m-%d").to_string()),
            })
        })
        .collect()
}

/// Which items a listing or export covers.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub status: Option<String>,
    pub department_ids: Option<Vec<i64>>,
    pub category: Option<String>,
}

/// One page of items in id order after `after_id`; export pages through everything with it in
/// constant memory.
pub fn list_items_after(
    conn: &mut DbConnection,
    filter: &ItemFilter,
    after_id: i64,
    limit: i64,
) -> Result<Vec<PowerItemRow>> {
    let mut q = power_items::table
        .filter(power_items::id.gt(after_id))
        .into_boxed();
    if let Some(status) = &filter.status {
        q = q.filter(power_items::status.eq(status.clone()));
    }
    if let Some(ids) = &filter.department_ids {
        q = q.filter(power_items::department_id.eq_any(ids.clone()));
    }
    if let Some(category) = &filter.category {
        q = q.filter(power_items::category.eq(category.clone()));
    }
    Ok(q.order(power_items::id.asc())
        .limit(limit)
        .select(PowerItemRow::as_select())
        .load(conn)?)
}

/// Item counts by status.
pub fn count_items_by_status(conn: &mut DbConnection) -> Result<Vec<(String, i64)>> {
    Ok(power_items::table
        .group_by(power_items::status)
        .select((power_items::status, diesel::dsl::count_star()))
        .order(power_items::status)
        .load(conn)?)
}

/// All item codes that exist, for checking references (parent codes) during import.
pub(crate) fn existing_codes(conn: &mut DbConnection, codes: &[String]) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in codes.chunks(500) {
        found.extend(
            power_items::table
                .filter(power_items::code.eq_any(chunk))
                .select(power_items::code)
                .load::<String>(conn)?,
        );
    }
    Ok(found)
}

/// Items by id (any status), in id order.
pub fn find_items_by_ids(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<PowerItemRow>> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        rows.extend(
            power_items::table
                .filter(power_items::id.eq_any(chunk))
                .select(PowerItemRow::as_select())
                .load(conn)?,
        );
    }
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Published items per category key.
pub fn count_published_by_category(conn: &mut DbConnection) -> Result<Vec<(String, i64)>> {
    Ok(power_items::table
        .filter(power_items::status.eq(ItemStatus::Published.as_str()))
        .group_by(power_items::category)
        .select((power_items::category, diesel::dsl::count_star()))
        .load(conn)?)
}
