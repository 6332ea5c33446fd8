//! A department's 责任清单 in four parts: main duties with work items, duty boundaries with
//! the departments involved, supervision rules, public services. Importing a list replaces
//! the department's previous list as a whole; each change is a version (a snapshot of the whole
//! list) and a change-feed entry, as for power items.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::auth::Actor;
use crate::db::DbConnection;
use crate::error::Result;
use crate::interchange::*;
use crate::models::ResponsibilityListVersionRow;
use crate::repo::history::{
    AuditEntry, ChangeKind, FeedEntity, OutboxEntry, append_audit, append_outbox,
};
use crate::repo::insert_batch;
use crate::schema::{
    duty_boundaries, duty_boundary_parties, duty_entries, duty_work_items, public_services,
    responsibility_list_versions, supervision_rules,
};

fn pos(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// Who replaces a list and why; recorded in the version, the feed and the audit log.
pub(crate) struct ListChange<'a> {
    pub actor: &'a Actor,
    pub reason: Option<&'a str>,
    pub at: chrono::NaiveDateTime,
}

/// Replaces the department's responsibility list as the next version; returns the version, or
/// None when the list was already equal.
pub(crate) fn replace_responsibility_list(
    conn: &mut DbConnection,
    department_id: i64,
    record: &ResponsibilityListRecord,
    change: &ListChange<'_>,
) -> Result<Option<i32>> {
    let current = load_responsibility_list(conn, department_id, record.department.clone())?;
    if current == *record {
        return Ok(None);
    }
    // A list stored before lists had versions got its version 1 with the upgrade (`upgrade`).
    let version = latest_list_version_number(conn, department_id)? + 1;
    // Children go with their parents (ON DELETE CASCADE).
    diesel::delete(duty_entries::table.filter(duty_entries::department_id.eq(department_id)))
        .execute(conn)?;
    diesel::delete(duty_boundaries::table.filter(duty_boundaries::department_id.eq(department_id)))
        .execute(conn)?;
    diesel::delete(
        supervision_rules::table.filter(supervision_rules::department_id.eq(department_id)),
    )
    .execute(conn)?;
    diesel::delete(public_services::table.filter(public_services::department_id.eq(department_id)))
        .execute(conn)?;

    for (i, duty) in record.main_duties.iter().enumerate() {
        let duty_id: i64 = diesel::insert_into(duty_entries::table)
            .values((
                duty_entries::department_id.eq(department_id),
                duty_entries::position.eq(pos(i)),
                duty_entries::duty.eq(&duty.duty),
                duty_entries::office.eq(&duty.office),
            ))
            .returning(duty_entries::id)
            .get_result(conn)?;
        let items: Vec<_> = duty
            .work_items
            .iter()
            .enumerate()
            .map(|(j, w)| {
                (
                    duty_work_items::duty_id.eq(duty_id),
                    duty_work_items::position.eq(pos(j)),
                    duty_work_items::item.eq(&w.item),
                    duty_work_items::office.eq(&w.office),
                )
            })
            .collect();
        insert_batch!(conn, duty_work_items::table, items);
    }
    for (i, b) in record.duty_boundaries.iter().enumerate() {
        let boundary_id: i64 = diesel::insert_into(duty_boundaries::table)
            .values((
                duty_boundaries::department_id.eq(department_id),
                duty_boundaries::position.eq(pos(i)),
                duty_boundaries::matter.eq(&b.matter),
                duty_boundaries::basis.eq(&b.basis),
                duty_boundaries::case_text.eq(&b.case),
            ))
            .returning(duty_boundaries::id)
            .get_result(conn)?;
        let parties: Vec<_> = b
            .parties
            .iter()
            .enumerate()
            .map(|(j, p)| {
                (
                    duty_boundary_parties::boundary_id.eq(boundary_id),
                    duty_boundary_parties::position.eq(pos(j)),
                    duty_boundary_parties::department_name.eq(&p.department),
                    duty_boundary_parties::division.eq(&p.division),
                )
            })
            .collect();
        insert_batch!(conn, duty_boundary_parties::table, parties);
    }
    let rules: Vec<_> = record
        .supervision_rules
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                supervision_rules::department_id.eq(department_id),
                supervision_rules::position.eq(pos(i)),
                supervision_rules::name.eq(&s.name),
                supervision_rules::content.eq(&s.content),
                supervision_rules::basis.eq(&s.basis),
            )
        })
        .collect();
    insert_batch!(conn, supervision_rules::table, rules);
    let services: Vec<_> = record
        .public_services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                public_services::department_id.eq(department_id),
                public_services::position.eq(pos(i)),
                public_services::name.eq(&s.name),
                public_services::description.eq(&s.description),
                public_services::basis.eq(&s.basis),
                public_services::office.eq(&s.office),
            )
        })
        .collect();
    insert_batch!(conn, public_services::table, services);

    append_list_version(conn, department_id, version, record, change)?;
    append_outbox(
        conn,
        &OutboxEntry {
            entity: FeedEntity::ResponsibilityList,
            entity_id: department_id,
            key: &record.department.name,
            kind: if version == 1 {
                ChangeKind::Published
            } else {
                ChangeKind::Revised
            },
            version,
            reason: change.reason,
        },
        change.at,
    )?;
    append_audit(
        conn,
        &AuditEntry {
            action: "responsibility_list.replace",
            entity_type: "department",
            entity_key: &department_id.to_string(),
            department_id: Some(department_id),
            details: serde_json::json!({
                "version": version,
                "reason": change.reason,
                "main_duties": record.main_duties.len(),
                "duty_boundaries": record.duty_boundaries.len(),
                "supervision_rules": record.supervision_rules.len(),
                "public_services": record.public_services.len(),
            }),
        },
        change.actor,
        change.at,
    )?;
    Ok(Some(version))
}

/// Records a department's stored list as its version 1 with a feed entry, when it has content
/// and no version yet (a list stored before lists had versions). Returns whether it did.
pub(crate) fn record_first_version(
    conn: &mut DbConnection,
    department: &crate::models::DepartmentRow,
    at: chrono::NaiveDateTime,
) -> Result<bool> {
    let list = load_responsibility_list(conn, department.id, department.as_record())?;
    if list.is_empty() || latest_list_version_number(conn, department.id)? > 0 {
        return Ok(false);
    }
    let registry = Actor {
        name: "registry".into(),
        origin: "migration".into(),
    };
    let change = ListChange {
        actor: &registry,
        reason: Some("启用版本记录前已有的清单"),
        at,
    };
    append_list_version(conn, department.id, 1, &list, &change)?;
    append_outbox(
        conn,
        &OutboxEntry {
            entity: FeedEntity::ResponsibilityList,
            entity_id: department.id,
            key: &department.name,
            kind: ChangeKind::Published,
            version: 1,
            reason: change.reason,
        },
        at,
    )?;
    Ok(true)
}

/// The newest version number of a department's list (0: none yet).
fn latest_list_version_number(conn: &mut DbConnection, department_id: i64) -> Result<i32> {
    Ok(responsibility_list_versions::table
        .filter(responsibility_list_versions::department_id.eq(department_id))
        .select(diesel::dsl::max(responsibility_list_versions::version))
        .first::<Option<i32>>(conn)?
        .unwrap_or(0))
}

fn append_list_version(
    conn: &mut DbConnection,
    department_id: i64,
    version: i32,
    record: &ResponsibilityListRecord,
    change: &ListChange<'_>,
) -> Result<()> {
    let snapshot = serde_json::to_string(record)
        .map_err(|e| crate::error::RegistryError::Corrupt(e.to_string()))?;
    diesel::insert_into(responsibility_list_versions::table)
        .values((
            responsibility_list_versions::department_id.eq(department_id),
            responsibility_list_versions::version.eq(version),
            responsibility_list_versions::snapshot.eq(snapshot),
            responsibility_list_versions::actor.eq(&change.actor.name),
            responsibility_list_versions::reason.eq(change.reason),
            responsibility_list_versions::created_at.eq(change.at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A department's list versions without their snapshots (number, reason, when), oldest
/// first: a history page names them, and a list's snapshot may be large.
pub fn list_version_summaries(
    conn: &mut DbConnection,
    department_id: i64,
) -> Result<Vec<(i32, Option<String>, chrono::NaiveDateTime)>> {
    Ok(responsibility_list_versions::table
        .filter(responsibility_list_versions::department_id.eq(department_id))
        .order(responsibility_list_versions::version.asc())
        .select((
            responsibility_list_versions::version,
            responsibility_list_versions::reason,
            responsibility_list_versions::created_at,
        ))
        .load(conn)?)
}

/// The newest version of a department's list, if it has one.
pub fn latest_list_version(
    conn: &mut DbConnection,
    department_id: i64,
) -> Result<Option<ResponsibilityListVersionRow>> {
    Ok(responsibility_list_versions::table
        .filter(responsibility_list_versions::department_id.eq(department_id))
        .order(responsibility_list_versions::version.desc())
        .select(ResponsibilityListVersionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Version `version` of a department's list.
pub fn find_list_version(
    conn: &mut DbConnection,
    department_id: i64,
    version: i32,
) -> Result<Option<ResponsibilityListVersionRow>> {
    Ok(responsibility_list_versions::table
        .filter(responsibility_list_versions::department_id.eq(department_id))
        .filter(responsibility_list_versions::version.eq(version))
        .select(ResponsibilityListVersionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Loads a department's responsibility list; `department` is echoed into the record.
pub fn load_responsibility_list(
    conn: &mut DbConnection,
    department_id: i64,
    department: DepartmentRecord,
) -> Result<ResponsibilityListRecord> {
    let duties: Vec<(i64, String, Option<String>)> = duty_entries::table
        .filter(duty_entries::department_id.eq(department_id))
        .order(duty_entries::position.asc())
        .select((duty_entries::id, duty_entries::duty, duty_entries::office))
        .load(conn)?;
    let duty_ids: Vec<i64> = duties.iter().map(|d| d.0).collect();
    let mut work: HashMap<i64, Vec<WorkItem>> = HashMap::new();
    for (duty_id, item, office) in duty_work_items::table
        .filter(duty_work_items::duty_id.eq_any(&duty_ids))
        .order((duty_work_items::duty_id, duty_work_items::position))
        .select((
            duty_work_items::duty_id,
            duty_work_items::item,
            duty_work_items::office,
        ))
        .load::<(i64, String, Option<String>)>(conn)?
    {
        work.entry(duty_id)
            .or_default()
            .push(WorkItem { item, office });
    }
    let boundaries: Vec<(i64, String, Option<String>, Option<String>)> = duty_boundaries::table
        .filter(duty_boundaries::department_id.eq(department_id))
        .order(duty_boundaries::position.asc())
        .select((
            duty_boundaries::id,
            duty_boundaries::matter,
            duty_boundaries::basis,
            duty_boundaries::case_text,
        ))
        .load(conn)?;
    let boundary_ids: Vec<i64> = boundaries.iter().map(|b| b.0).collect();
    let mut parties: HashMap<i64, Vec<BoundaryParty>> = HashMap::new();
    for (boundary_id, department, division) in duty_boundary_parties::table
        .filter(duty_boundary_parties::boundary_id.eq_any(&boundary_ids))
        .order((
            duty_boundary_parties::boundary_id,
            duty_boundary_parties::position,
        ))
        .select((
            duty_boundary_parties::boundary_id,
            duty_boundary_parties::department_name,
            duty_boundary_parties::division,
        ))
        .load::<(i64, String, String)>(conn)?
    {
        parties.entry(boundary_id).or_default().push(BoundaryParty {
            department,
            division,
        });
    }
    let supervision_rules = supervision_rules::table
        .filter(supervision_rules::department_id.eq(department_id))
        .order(supervision_rules::position.asc())
        .select((
            supervision_rules::name,
            supervision_rules::content,
            supervision_rules::basis,
        ))
        .load::<(String, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(name, content, basis)| SupervisionRule {
            name,
            content,
            basis,
        })
        .collect();
    let public_services = public_services::table
        .filter(public_services::department_id.eq(department_id))
        .order(public_services::position.asc())
        .select((
            public_services::name,
            public_services::description,
            public_services::basis,
            public_services::office,
        ))
        .load::<(String, Option<String>, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(name, description, basis, office)| PublicService {
            name,
            description,
            basis,
            office,
        })
        .collect();
    Ok(ResponsibilityListRecord {
        department,
        main_duties: duties
            .into_iter()
            .map(|(id, duty, office)| MainDuty {
                duty,
                office,
                work_items: work.remove(&id).unwrap_or_default(),
            })
            .collect(),
        duty_boundaries: boundaries
            .into_iter()
            .map(|(id, matter, basis, case)| DutyBoundary {
                matter,
                parties: parties.remove(&id).unwrap_or_default(),
                basis,
                case,
            })
            .collect(),
        supervision_rules,
        public_services,
    })
}
