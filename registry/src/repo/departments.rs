//! Departments (实施主体). Lists name their departments by unified social credit code when they
//! have one and by name within a region otherwise, so matching follows the same order.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::domain::RegionCode;
use crate::error::{RegistryError, Result};
use crate::interchange::{DepartmentRecord, DepartmentRef};
use crate::models::DepartmentRow;
use crate::repo::history::{ChangeKind, FeedEntity, OutboxEntry, append_outbox};
use crate::repo::like_contains;
use crate::repo::regions::ensure_region;
use crate::schema::departments;

/// Finds the department a list names: by uscc first, else by name within the region.
pub fn find_department(
    conn: &mut DbConnection,
    r: &DepartmentRef,
) -> Result<Option<DepartmentRow>> {
    if let Some(uscc) = &r.uscc {
        let by_uscc = departments::table
            .filter(departments::uscc.eq(uscc))
            .select(DepartmentRow::as_select())
            .first(conn)
            .optional()?;
        if by_uscc.is_some() {
            return Ok(by_uscc);
        }
    }
    Ok(departments::table
        .filter(departments::name.eq(&r.name))
        .filter(departments::region_code.eq(&r.region))
        .select(DepartmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Returns the department's id, creating it (and its region) on first sight. A department
/// found by name that had no uscc yet learns the one given.
pub(crate) fn find_or_create_department(
    conn: &mut DbConnection,
    r: &DepartmentRef,
    at: chrono::NaiveDateTime,
) -> Result<(i64, bool)> {
    if let Some(existing) = find_department(conn, r)? {
        if existing.uscc.is_none() && r.uscc.is_some() {
            diesel::update(departments::table.find(existing.id))
                .set((
                    departments::uscc.eq(&r.uscc),
                    departments::updated_at.eq(at),
                ))
                .execute(conn)?;
            announce_department(conn, existing.id, &existing.name, ChangeKind::Revised, at)?;
        }
        return Ok((existing.id, false));
    }
    let region = RegionCode::parse(&r.region).map_err(|m| {
        RegistryError::Invalid(vec![crate::problem::Problem::error("department.region", m)])
    })?;
    ensure_region(conn, &region, None)?;
    let id = diesel::insert_into(departments::table)
        .values((
            departments::name.eq(&r.name),
            departments::uscc.eq(&r.uscc),
            departments::region_code.eq(region.as_str()),
            departments::created_at.eq(at),
            departments::updated_at.eq(at),
        ))
        .returning(departments::id)
        .get_result(conn)?;
    announce_department(conn, id, &r.name, ChangeKind::Published, at)?;
    Ok((id, true))
}

/// A feed entry for a department that was created or whose public fields changed, so mirrors
/// that follow the feed learn of it.
fn announce_department(
    conn: &mut DbConnection,
    id: i64,
    name: &str,
    kind: ChangeKind,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    append_outbox(
        conn,
        &OutboxEntry {
            entity: FeedEntity::Department,
            entity_id: id,
            key: name,
            kind,
            version: 0,
            reason: None,
        },
        at,
    )
}

/// Creates or updates a department with its descriptive fields.
pub(crate) fn upsert_department(
    conn: &mut DbConnection,
    d: &DepartmentRecord,
    at: chrono::NaiveDateTime,
) -> Result<i64> {
    let (id, created) = find_or_create_department(
        conn,
        &DepartmentRef {
            name: d.name.clone(),
            uscc: d.uscc.clone(),
            region: d.region.clone(),
        },
        at,
    )?;
    let stored = get_department(conn, id)?
        .ok_or_else(|| RegistryError::NotFound(format!("department {id}")))?;
    let same = stored.level == d.level
        && stored.kind == d.kind
        && stored.consultation == d.consultation
        && stored.supervision == d.supervision;
    if !same {
        diesel::update(departments::table.find(id))
            .set((
                departments::level.eq(&d.level),
                departments::kind.eq(&d.kind),
                departments::consultation.eq(&d.consultation),
                departments::supervision.eq(&d.supervision),
                departments::updated_at.eq(at),
            ))
            .execute(conn)?;
        // A department just created has its entry already.
        if !created {
            announce_department(conn, id, &stored.name, ChangeKind::Revised, at)?;
        }
    }
    Ok(id)
}

pub fn get_department(conn: &mut DbConnection, id: i64) -> Result<Option<DepartmentRow>> {
    Ok(departments::table
        .find(id)
        .select(DepartmentRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get_departments(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<DepartmentRow>> {
    Ok(departments::table
        .filter(departments::id.eq_any(ids))
        .select(DepartmentRow::as_select())
        .load(conn)?)
}

/// Department names by id, for labelling lists of items (ids may repeat).
pub fn department_names(
    conn: &mut DbConnection,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        names.extend(
            get_departments(conn, chunk)?
                .into_iter()
                .map(|d| (d.id, d.name)),
        );
    }
    Ok(names)
}

/// Departments with exactly this name (a name can recur across regions).
pub fn find_departments_by_name(conn: &mut DbConnection, name: &str) -> Result<Vec<DepartmentRow>> {
    Ok(departments::table
        .filter(departments::name.eq(name))
        .order(departments::id.asc())
        .select(DepartmentRow::as_select())
        .load(conn)?)
}

pub fn list_departments(conn: &mut DbConnection) -> Result<Vec<DepartmentRow>> {
    Ok(departments::table
        .order(departments::id.asc())
        .select(DepartmentRow::as_select())
        .load(conn)?)
}

impl DepartmentRow {
    /// The department with its descriptive fields, as responsibility lists carry it.
    pub fn as_record(&self) -> DepartmentRecord {
        DepartmentRecord {
            name: self.name.clone(),
            uscc: self.uscc.clone(),
            region: self.region_code.clone(),
            level: self.level.clone(),
            kind: self.kind.clone(),
            consultation: self.consultation.clone(),
            supervision: self.supervision.clone(),
        }
    }

    /// How items name this department in the interchange format.
    pub fn as_ref_record(&self) -> DepartmentRef {
        DepartmentRef {
            name: self.name.clone(),
            uscc: self.uscc.clone(),
            region: self.region_code.clone(),
        }
    }
}

/// Which departments a listing covers.
#[derive(Debug, Clone, Default)]
pub struct DepartmentFilter {
    /// The region and everything below it.
    pub region: Option<RegionCode>,
    /// province / city / county / township.
    pub level: Option<String>,
    pub name_contains: Option<String>,
}

/// Departments matching the filter, in id order, with the total before paging.
pub fn search_departments(
    conn: &mut DbConnection,
    filter: &DepartmentFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DepartmentRow>, i64)> {
    let filtered = || {
        let mut q = departments::table.into_boxed();
        if let Some(r) = &filter.region {
            q = q.filter(departments::region_code.like(format!("{}%", r.covered_prefix())));
        }
        if let Some(level) = &filter.level {
            q = q.filter(departments::level.eq(level.clone()));
        }
        if let Some(n) = filter
            .name_contains
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        {
            q = q.filter(departments::name.like(like_contains(n)).escape('\\'));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(departments::id.asc())
        .offset(offset)
        .limit(limit)
        .select(DepartmentRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
