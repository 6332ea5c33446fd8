//! Recent changes with their items' names and departments, for the Atom feed and the changes
//! page.

use crate::error::ApiError;

/// A recent change with its item's name and department, for the Atom feed and the changes page.
pub struct RecentChange {
    pub row: quanze_registry::models::OutboxRow,
    /// The item's current name (its code when the item is gone).
    pub name: String,
    pub department_id: Option<i64>,
    pub department: String,
}

/// The newest `limit` changes, newest first, labelled.
pub fn recent_changes(
    conn: &mut quanze_registry::DbConnection,
    limit: i64,
) -> Result<Vec<RecentChange>, ApiError> {
    let rows = quanze_registry::repo::history::outbox_latest(conn, limit)?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.item_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let items: std::collections::HashMap<i64, quanze_registry::models::PowerItemRow> =
        quanze_registry::repo::items::find_items_by_ids(conn, &ids)?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
    let departments = quanze_registry::repo::departments::department_names(
        conn,
        items.values().map(|i| i.department_id),
    )?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let item = items.get(&row.item_id);
            RecentChange {
                name: item
                    .map(|i| i.name.clone())
                    .unwrap_or_else(|| row.item_code.clone()),
                department_id: item.map(|i| i.department_id),
                department: item
                    .and_then(|i| departments.get(&i.department_id).cloned())
                    .unwrap_or_default(),
                row,
            }
        })
        .collect())
}
