//! Power items (权力事项) with their ordered lists. An item is stored as one row plus one row
//! per list entry (explicit tables, portable across both backends); its published versions
//! are stored as immutable JSON snapshots in the interchange format.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::domain::ItemStatus;
use crate::error::{RegistryError, Result};
use crate::interchange::*;
use crate::models::{DepartmentRow, PowerItemRow};
use crate::repo::departments::get_departments;
use crate::schema::{
    item_accountability, item_discretion, item_exemptions, item_joint_departments,
    item_legal_bases, item_remedies, item_responsibilities, item_workflow_steps, power_items,
};

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
                withheld: row.withheld_reason.as_ref().map(|reason| Withholding {
                    reason: reason.clone(),
                    basis: row.withheld_basis.clone().unwrap_or_default(),
                }),
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

/// A withheld item's reason and basis, as stored.
pub(crate) type Withheld = (Option<String>, Option<String>);

/// Which of `codes` are withheld items (不予公开), with their reason and basis: a few queries
/// for a whole import, not one per row.
pub(crate) fn withheld_by_code(
    conn: &mut DbConnection,
    codes: &[&str],
) -> Result<std::collections::HashMap<String, Withheld>> {
    let mut found = std::collections::HashMap::new();
    for chunk in codes.chunks(500) {
        let rows: Vec<(String, Option<String>, Option<String>)> = power_items::table
            .filter(power_items::code.eq_any(chunk))
            .filter(power_items::status.eq(crate::domain::ItemStatus::Withheld.as_str()))
            .select((
                power_items::code,
                power_items::withheld_reason,
                power_items::withheld_basis,
            ))
            .load(conn)?;
        found.extend(
            rows.into_iter()
                .map(|(code, reason, basis)| (code, (reason, basis))),
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

/// How many items are withheld (不予公开), by reason, for one department or all: the public
/// sees these counts and nothing else of them.
pub fn count_withheld_by_reason(
    conn: &mut DbConnection,
    department_id: Option<i64>,
) -> Result<Vec<(String, i64)>> {
    let counts: Vec<(i64, Option<String>, i64)> = power_items::table
        .filter(power_items::status.eq(ItemStatus::Withheld.as_str()))
        .group_by((power_items::department_id, power_items::withheld_reason))
        .select((
            power_items::department_id,
            power_items::withheld_reason,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut by_reason: std::collections::BTreeMap<String, i64> = Default::default();
    for (department, reason, n) in counts {
        if department_id.is_none_or(|d| d == department) {
            *by_reason.entry(reason.unwrap_or_default()).or_default() += n;
        }
    }
    Ok(by_reason.into_iter().collect())
}
