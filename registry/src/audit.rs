//! Reading the audit log. Who may read which entries is [`Principal::audit_scope`]'s rule;
//! the entries themselves are written beside every change, in its transaction.

use crate::auth::Principal;
use crate::db::DbConnection;
use crate::error::Result;
use crate::models::AuditRow;
use crate::repo::history::{AuditFilter, AuditPage, search_audit};

/// What a reader asks of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// One department's entries (else every department the reader may read).
    pub department: Option<i64>,
    /// Only this actor's entries.
    pub actor: Option<String>,
    /// Only entries at or after this time.
    pub since: Option<chrono::NaiveDateTime>,
}

/// Entries with ids after `after_id` that the reader may read, oldest first.
pub fn read_audit_log(
    conn: &mut DbConnection,
    by: &Principal,
    query: AuditQuery,
    after_id: i64,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    search_audit(
        conn,
        &filter_of(by, query)?,
        AuditPage::After(after_id),
        limit,
    )
}

/// Entries with ids below `before_id` (none: the newest) that the reader may read, newest
/// first: the log as a person reads it.
pub fn read_audit_log_newest(
    conn: &mut DbConnection,
    by: &Principal,
    query: AuditQuery,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    search_audit(
        conn,
        &filter_of(by, query)?,
        AuditPage::Before(before_id),
        limit,
    )
}

fn filter_of(by: &Principal, query: AuditQuery) -> Result<AuditFilter> {
    Ok(AuditFilter {
        department_ids: by.audit_scope(query.department)?,
        actor: query.actor,
        since: query.since,
    })
}
