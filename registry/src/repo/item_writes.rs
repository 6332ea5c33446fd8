//! Writing published items: create or update many at once. A bulk import of 100,000 rows is
//! the common case, so the work is done a batch at a time — one multi-row statement per table
//! per batch, instead of a statement per row per table — and an item's legal bases are
//! linked to the stored laws as they are inserted, not updated afterwards. One item (a
//! reviewer's approval) takes the same path as a batch of one, so there is one write rule.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::ItemStatus;
use crate::error::{RegistryError, Result};
use crate::interchange::{DepartmentRef, PowerItemRecord};
use crate::models::{DepartmentRow, ItemContent, PowerItemRow};
use crate::repo::departments::{find_or_create_department, get_department};
use crate::repo::history::{AuditEntry, ChangeKind, NewVersion, OutboxEntry, diff_fields};
use crate::repo::laws::CitationResolver;
use crate::repo::{copy_batch, insert_batch};
use crate::schema::{
    audit_log, item_accountability, item_discretion, item_exemptions, item_joint_departments,
    item_legal_bases, item_remedies, item_responsibilities, item_versions, item_workflow_steps,
    outbox, power_items,
};

/// Items written per batch. An item row binds 25 values, so a batch stays far below both
/// backends' limits on bound parameters (SQLite 32,766; PostgreSQL 65,535), and the lists of
/// 500 items (a few thousand rows) keep memory flat however long the file.
const BATCH: usize = 500;

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

/// Who saves and why; recorded in the version, the audit log and the outbox.
pub(crate) struct SaveContext<'a> {
    pub actor: &'a Actor,
    pub reason: Option<&'a str>,
    pub at: chrono::NaiveDateTime,
}

/// Creates or updates one published item; see [`save_published_items`].
pub(crate) fn save_published_item(
    conn: &mut DbConnection,
    record: &PowerItemRecord,
    ctx: &SaveContext<'_>,
) -> Result<SaveOutcome> {
    save_published_items(conn, std::slice::from_ref(record), ctx, &mut |_| {})?
        .pop()
        .ok_or_else(|| RegistryError::Corrupt("saving an item gave no outcome".into()))
}

/// Creates or updates published items from validated records (codes distinct), returning an
/// outcome per record in order. An unchanged record writes nothing; a changed one becomes the
/// next version. Each written item gets a version snapshot, an outbox row (in record order, so
/// the feed reads like the file) and an audit entry that names the version instead of copying
/// it. `progress` hears how many records are done after each batch. Run inside a write
/// transaction.
pub(crate) fn save_published_items(
    conn: &mut DbConnection,
    records: &[PowerItemRecord],
    ctx: &SaveContext<'_>,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<SaveOutcome>> {
    let mut seen = std::collections::HashSet::with_capacity(records.len());
    if let Some(twice) = records.iter().find(|r| !seen.insert(r.code.as_str())) {
        return Err(RegistryError::Invalid(vec![
            crate::problem::Problem::error(
                "code",
                format!("{} appears twice in one write", twice.code),
            ),
        ]));
    }
    let mut batch = BatchState::default();
    let mut outcomes = Vec::with_capacity(records.len());
    for chunk in records.chunks(BATCH) {
        outcomes.extend(save_batch(conn, chunk, ctx, &mut batch)?);
        progress(outcomes.len());
    }
    Ok(outcomes)
}

/// What one batch learns and the next can reuse: departments and laws looked up once.
#[derive(Default)]
struct BatchState {
    departments: HashMap<(String, String, Option<String>), DepartmentRow>,
    resolver: CitationResolver,
}

impl BatchState {
    /// The stored department a record names, created on first sight.
    fn department(
        &mut self,
        conn: &mut DbConnection,
        r: &DepartmentRef,
        at: chrono::NaiveDateTime,
    ) -> Result<&DepartmentRow> {
        let key = (r.name.clone(), r.region.clone(), r.uscc.clone());
        if !self.departments.contains_key(&key) {
            let (id, _) = find_or_create_department(conn, r, at)?;
            let row = get_department(conn, id)?
                .ok_or_else(|| RegistryError::NotFound(format!("department {id}")))?;
            self.departments.insert(key.clone(), row);
        }
        self.departments
            .get(&key)
            .ok_or_else(|| RegistryError::Corrupt("department cache".into()))
    }
}

/// A record as it will be stored: the department named as stored (so export shows one
/// spelling per body) and its snapshot.
struct Prepared {
    record: PowerItemRecord,
    department_id: i64,
    snapshot: String,
}

impl Prepared {
    /// Whether a stored snapshot holds this record: the same text, or (a snapshot written by
    /// an older release, with its keys in another order) the same record once read.
    fn same_as(&self, snapshot: &str) -> bool {
        snapshot == self.snapshot
            || serde_json::from_str::<PowerItemRecord>(snapshot).is_ok_and(|r| r == self.record)
    }
}

/// What to do with a prepared record.
enum Plan {
    Create,
    Update {
        id: i64,
        version: i32,
        /// What the public feed says of it (nothing while it stays withheld).
        kind: Option<ChangeKind>,
        before: Option<String>,
    },
    Unchanged {
        id: i64,
    },
}

fn save_batch(
    conn: &mut DbConnection,
    chunk: &[PowerItemRecord],
    ctx: &SaveContext<'_>,
    state: &mut BatchState,
) -> Result<Vec<SaveOutcome>> {
    let mut prepared = Vec::with_capacity(chunk.len());
    for r in chunk {
        let department = state.department(conn, &r.department, ctx.at)?;
        let mut record = r.clone();
        record.department = department.as_ref_record();
        let snapshot =
            serde_json::to_string(&record).map_err(|e| RegistryError::Corrupt(e.to_string()))?;
        prepared.push(Prepared {
            department_id: department.id,
            snapshot,
            record,
        });
    }
    let plans = plan(conn, &prepared)?;

    let new_rows = prepared
        .iter()
        .zip(&plans)
        .filter(|(_, plan)| matches!(plan, Plan::Create))
        .map(|(p, _)| {
            Ok((
                item_content(&p.record, p.department_id)?,
                power_items::status.eq(status_of(&p.record).as_str()),
                power_items::version.eq(1),
                power_items::created_at.eq(ctx.at),
                power_items::updated_at.eq(ctx.at),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    insert_batch!(conn, power_items::table, new_rows);
    let created_codes: Vec<&str> = prepared
        .iter()
        .zip(&plans)
        .filter(|(_, plan)| matches!(plan, Plan::Create))
        .map(|(p, _)| p.record.code.as_str())
        .collect();
    let created_ids: HashMap<String, i64> = if created_codes.is_empty() {
        HashMap::new()
    } else {
        power_items::table
            .filter(power_items::code.eq_any(&created_codes))
            .select((power_items::code, power_items::id))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .collect()
    };

    let mut updated_ids = Vec::new();
    for (p, plan) in prepared.iter().zip(&plans) {
        if let Plan::Update { id, version, .. } = plan {
            diesel::update(power_items::table.find(*id))
                .set((
                    item_content(&p.record, p.department_id)?,
                    power_items::status.eq(status_of(&p.record).as_str()),
                    power_items::version.eq(*version),
                    power_items::revoked_at.eq(None::<chrono::NaiveDateTime>),
                    power_items::revoke_reason.eq(None::<String>),
                    power_items::updated_at.eq(ctx.at),
                ))
                .execute(conn)?;
            updated_ids.push(*id);
        }
    }
    delete_item_lists(conn, &updated_ids)?;

    // Each written item: (prepared, id, version, kind, the snapshot it replaces).
    let mut written = Vec::new();
    let mut outcomes = Vec::with_capacity(prepared.len());
    for (p, plan) in prepared.iter().zip(plans) {
        match plan {
            Plan::Unchanged { id } => outcomes.push(SaveOutcome::Unchanged { id }),
            Plan::Create => {
                let id = *created_ids.get(&p.record.code).ok_or_else(|| {
                    RegistryError::Corrupt(format!("item {} was not stored", p.record.code))
                })?;
                outcomes.push(SaveOutcome::Created { id });
                let kind = (status_of(&p.record) == ItemStatus::Published)
                    .then_some(ChangeKind::Published);
                written.push((p, id, 1, kind, None));
            }
            Plan::Update {
                id,
                version,
                kind,
                before,
            } => {
                outcomes.push(SaveOutcome::Updated { id, version });
                written.push((p, id, version, kind, before));
            }
        }
    }
    let items: Vec<(i64, &PowerItemRecord)> =
        written.iter().map(|(p, id, ..)| (*id, &p.record)).collect();
    insert_item_lists(conn, &items, ctx.at, &mut state.resolver)?;

    let versions: Vec<_> = written
        .iter()
        .map(|(p, id, version, ..)| {
            NewVersion {
                item_id: *id,
                version: *version,
                status: status_of(&p.record).as_str(),
                snapshot: &p.snapshot,
                reason: ctx.reason,
            }
            .row(ctx.actor, ctx.at)
        })
        .collect();
    copy_batch!(conn, item_versions::table, versions);
    // A withheld item reaches the feed only when it leaves the public view (`withdrawn`).
    let feed: Vec<_> = written
        .iter()
        .filter_map(|(p, id, version, kind, _)| {
            let kind = (*kind)?;
            Some(OutboxEntry::item(*id, &p.record.code, kind, *version, ctx.reason).row(ctx.at))
        })
        .collect();
    copy_batch!(conn, outbox::table, feed);
    let audit: Vec<_> = written
        .iter()
        .map(|(p, _, version, _, before)| {
            AuditEntry {
                action: if *version == 1 {
                    "item.create"
                } else {
                    "item.update"
                },
                entity_type: "power_item",
                entity_key: &p.record.code,
                department_id: Some(p.department_id),
                details: audit_details(*version, ctx.reason, before, p),
            }
            .row(ctx.actor, ctx.at)
        })
        .collect();
    copy_batch!(conn, audit_log::table, audit);
    Ok(outcomes)
}

/// An item's audit entry names the version it wrote and, for an update, which fields changed;
/// the version snapshots hold the content (the versions API shows the full difference), so
/// the log does not keep a second copy of every item.
fn audit_details(
    version: i32,
    reason: Option<&str>,
    before: &Option<String>,
    p: &Prepared,
) -> serde_json::Value {
    let mut details = serde_json::json!({"version": version, "reason": reason});
    if let Some(before) = before {
        let before: serde_json::Value =
            serde_json::from_str(before).unwrap_or(serde_json::Value::Null);
        let after = serde_json::from_str(&p.snapshot).unwrap_or(serde_json::Value::Null);
        let changed: Vec<String> = diff_fields(&before, &after)
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        details["changed"] = serde_json::json!(changed);
    }
    details
}

/// Decides per record (codes distinct: `save_published_items` checks): create, update (with the
/// snapshot it replaces) or leave alone. Two queries per batch: the stored items by code, and
/// their current versions.
fn plan(conn: &mut DbConnection, prepared: &[Prepared]) -> Result<Vec<Plan>> {
    let codes: Vec<&str> = prepared.iter().map(|p| p.record.code.as_str()).collect();
    let stored: HashMap<String, PowerItemRow> = power_items::table
        .filter(power_items::code.eq_any(&codes))
        .select(PowerItemRow::as_select())
        .load::<PowerItemRow>(conn)?
        .into_iter()
        .map(|row| (row.code.clone(), row))
        .collect();
    let ids: Vec<i64> = stored.values().map(|r| r.id).collect();
    let mut current: HashMap<i64, String> = HashMap::new();
    if !ids.is_empty() {
        current = item_versions::table
            .inner_join(power_items::table)
            .filter(item_versions::item_id.eq_any(&ids))
            .filter(item_versions::version.eq(power_items::version))
            .select((item_versions::item_id, item_versions::snapshot))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect();
    }
    Ok(prepared
        .iter()
        .map(|p| match stored.get(&p.record.code) {
            None => Plan::Create,
            Some(row) => {
                let before = current.remove(&row.id);
                let status = status_of(&p.record);
                if row.status == status.as_str() && before.as_deref().is_some_and(|b| p.same_as(b))
                {
                    Plan::Unchanged { id: row.id }
                } else {
                    Plan::Update {
                        id: row.id,
                        version: row.version + 1,
                        kind: feed_kind(row, status),
                        before,
                    }
                }
            }
        })
        .collect())
}

/// The status an approved record is stored with: withheld when it says so (不予公开).
fn status_of(record: &PowerItemRecord) -> ItemStatus {
    if record.withheld.is_some() {
        ItemStatus::Withheld
    } else {
        ItemStatus::Published
    }
}

/// What the public feed says when a stored item takes a new approved version: revised or
/// (again) published when it is public afterwards, withdrawn when a public item becomes
/// withheld, nothing when a withheld item stays withheld.
fn feed_kind(stored: &PowerItemRow, status: ItemStatus) -> Option<ChangeKind> {
    match (stored.is_public(), status) {
        (true, ItemStatus::Withheld) => Some(ChangeKind::Withdrawn),
        (false, ItemStatus::Withheld) => None,
        _ if stored.status == ItemStatus::Published.as_str() => Some(ChangeKind::Revised),
        _ => Some(ChangeKind::Published),
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
        withheld_reason: r.withheld.as_ref().map(|w| w.reason.as_str()),
        withheld_basis: r.withheld.as_ref().map(|w| w.basis.as_str()),
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

/// Records that an item was reviewed and approved unchanged at `at`: it counts as published
/// then (what its citations without a version bind to, and how long ago it was reviewed).
pub(crate) fn mark_reviewed(
    conn: &mut DbConnection,
    id: i64,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    diesel::update(power_items::table.find(id))
        .set(power_items::updated_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Deletes the list rows of these items (before their new lists are inserted).
fn delete_item_lists(conn: &mut DbConnection, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(BATCH) {
        diesel::delete(
            item_joint_departments::table.filter(item_joint_departments::item_id.eq_any(chunk)),
        )
        .execute(conn)?;
        diesel::delete(item_legal_bases::table.filter(item_legal_bases::item_id.eq_any(chunk)))
            .execute(conn)?;
        diesel::delete(
            item_workflow_steps::table.filter(item_workflow_steps::item_id.eq_any(chunk)),
        )
        .execute(conn)?;
        diesel::delete(
            item_responsibilities::table.filter(item_responsibilities::item_id.eq_any(chunk)),
        )
        .execute(conn)?;
        diesel::delete(
            item_accountability::table.filter(item_accountability::item_id.eq_any(chunk)),
        )
        .execute(conn)?;
        diesel::delete(item_discretion::table.filter(item_discretion::item_id.eq_any(chunk)))
            .execute(conn)?;
        diesel::delete(item_exemptions::table.filter(item_exemptions::item_id.eq_any(chunk)))
            .execute(conn)?;
        diesel::delete(item_remedies::table.filter(item_remedies::item_id.eq_any(chunk)))
            .execute(conn)?;
    }
    Ok(())
}

fn pos(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// Inserts the lists of these items, one multi-row statement per table per 500 rows. Legal
/// bases are linked as they go in: to the stored law version in force when the item is
/// published (`at`), and the article by number.
fn insert_item_lists(
    conn: &mut DbConnection,
    items: &[(i64, &PowerItemRecord)],
    at: chrono::NaiveDateTime,
    resolver: &mut CitationResolver,
) -> Result<()> {
    use crate::validate::article_number;
    let titles: Vec<String> = items
        .iter()
        .flat_map(|(_, r)| r.legal_bases.iter().map(|b| b.law.clone()))
        .collect();
    resolver.load_titles(conn, &titles)?;
    let mut joint = Vec::new();
    let mut bases = Vec::new();
    let mut steps = Vec::new();
    let mut resp = Vec::new();
    let mut acc = Vec::new();
    let mut disc = Vec::new();
    let mut ex = Vec::new();
    let mut rem = Vec::new();
    for &(id, r) in items {
        for (i, j) in r.joint_departments.iter().enumerate() {
            joint.push((
                item_joint_departments::item_id.eq(id),
                item_joint_departments::position.eq(pos(i)),
                item_joint_departments::name.eq(&j.name),
                item_joint_departments::division.eq(&j.division),
            ));
        }
        for (i, b) in r.legal_bases.iter().enumerate() {
            let version = parse_date("legal_bases.version", &b.version)?;
            let link = resolver.resolve(conn, &b.law, version, b.article.as_deref(), Some(at))?;
            bases.push((
                item_legal_bases::item_id.eq(id),
                item_legal_bases::position.eq(pos(i)),
                item_legal_bases::role.eq(&b.role),
                item_legal_bases::law_title.eq(&b.law),
                item_legal_bases::law_version.eq(version),
                item_legal_bases::article_label.eq(&b.article),
                item_legal_bases::article_number.eq(b.article.as_deref().and_then(article_number)),
                item_legal_bases::law_id.eq(link.law_id),
                item_legal_bases::article_id.eq(link.article_id),
                item_legal_bases::text.eq(&b.text),
            ));
        }
        for (i, w) in r.workflow.iter().enumerate() {
            steps.push((
                item_workflow_steps::item_id.eq(id),
                item_workflow_steps::position.eq(pos(i)),
                item_workflow_steps::stage.eq(&w.stage),
                item_workflow_steps::description.eq(&w.description),
                item_workflow_steps::actor.eq(&w.actor),
                item_workflow_steps::time_limit_days.eq(w.time_limit_days),
            ));
        }
        for (i, x) in r.responsibilities.iter().enumerate() {
            resp.push((
                item_responsibilities::item_id.eq(id),
                item_responsibilities::position.eq(pos(i)),
                item_responsibilities::stage.eq(&x.stage),
                item_responsibilities::duty.eq(&x.duty),
                item_responsibilities::basis.eq(&x.basis),
            ));
        }
        for (i, x) in r.accountability.iter().enumerate() {
            acc.push((
                item_accountability::item_id.eq(id),
                item_accountability::position.eq(pos(i)),
                item_accountability::circumstance.eq(&x.circumstance),
                item_accountability::basis.eq(&x.basis),
            ));
        }
        for (i, x) in r.discretion.iter().enumerate() {
            disc.push((
                item_discretion::item_id.eq(id),
                item_discretion::position.eq(pos(i)),
                item_discretion::violation.eq(&x.violation),
                item_discretion::tier.eq(&x.tier),
                item_discretion::conditions.eq(&x.conditions),
                item_discretion::sanction.eq(&x.sanction),
                item_discretion::basis.eq(&x.basis),
            ));
        }
        for (i, x) in r.exemptions.iter().enumerate() {
            ex.push((
                item_exemptions::item_id.eq(id),
                item_exemptions::position.eq(pos(i)),
                item_exemptions::kind.eq(&x.kind),
                item_exemptions::conditions.eq(&x.conditions),
                item_exemptions::basis.eq(&x.basis),
            ));
        }
        for (i, x) in r.remedies.iter().enumerate() {
            rem.push((
                item_remedies::item_id.eq(id),
                item_remedies::position.eq(pos(i)),
                item_remedies::kind.eq(&x.kind),
                item_remedies::body.eq(&x.body),
                item_remedies::time_limit.eq(&x.time_limit),
            ));
        }
    }
    copy_batch!(conn, item_joint_departments::table, joint);
    copy_batch!(conn, item_legal_bases::table, bases);
    copy_batch!(conn, item_workflow_steps::table, steps);
    copy_batch!(conn, item_responsibilities::table, resp);
    copy_batch!(conn, item_accountability::table, acc);
    copy_batch!(conn, item_discretion::table, disc);
    copy_batch!(conn, item_exemptions::table, ex);
    copy_batch!(conn, item_remedies::table, rem);
    Ok(())
}
