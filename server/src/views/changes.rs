//! Recent changes labelled for people: what each feed entry is about (an item, a department's
//! 责任清单, a department, a law), its name, department and where to read it, for the Atom
//! feed, the changes page and the JSON feed's links.

use quanze_registry::models::OutboxRow;

use crate::error::ApiError;
use crate::views::path_segment;

/// A recent change with what it is about, labelled.
pub struct RecentChange {
    pub row: OutboxRow,
    /// The item's current name (its code when the item is gone); 《department》责任清单; the
    /// department's or law's name.
    pub name: String,
    pub department_id: Option<i64>,
    pub department: String,
    /// Where people read the record (a page).
    pub page: String,
    /// Where systems read the record (an API path).
    pub api: String,
}

/// The page and API paths of the record a feed entry is about.
pub fn record_links(row: &OutboxRow) -> (String, String) {
    let id = row.entity_id;
    match row.entity.as_str() {
        "responsibility_list" => (
            format!("/departments/{id}"),
            format!("/api/v1/departments/{id}/responsibilities"),
        ),
        "department" => (
            format!("/departments/{id}"),
            format!("/api/v1/departments/{id}"),
        ),
        "law" => (format!("/laws/{id}"), format!("/api/v1/laws/{id}")),
        _ => {
            let code = path_segment(&row.entity_key);
            (format!("/items/{code}"), format!("/api/v1/items/{code}"))
        }
    }
}

/// The newest `limit` changes, newest first, labelled.
pub fn recent_changes(
    conn: &mut quanze_registry::DbConnection,
    limit: i64,
) -> Result<Vec<RecentChange>, ApiError> {
    let rows = quanze_registry::repo::history::outbox_latest(conn, limit)?;
    let mut ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.is_item())
        .map(|r| r.entity_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let items: std::collections::HashMap<i64, quanze_registry::models::PowerItemRow> =
        quanze_registry::repo::items::find_items_by_ids(conn, &ids)?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
    let departments = quanze_registry::repo::departments::department_names(
        conn,
        items.values().map(|i| i.department_id).chain(
            rows.iter()
                .filter(|r| matches!(r.entity.as_str(), "department" | "responsibility_list"))
                .map(|r| r.entity_id),
        ),
    )?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (page, api) = record_links(&row);
            let (name, department_id) = match row.entity.as_str() {
                "item" => {
                    // An item withheld since is named by its code only (不予公开).
                    let item = items.get(&row.entity_id).filter(|i| i.is_public());
                    (
                        item.map(|i| i.name.clone())
                            .unwrap_or_else(|| row.entity_key.clone()),
                        item.map(|i| i.department_id),
                    )
                }
                "responsibility_list" => {
                    (format!("{}责任清单", row.entity_key), Some(row.entity_id))
                }
                "department" => (row.entity_key.clone(), Some(row.entity_id)),
                _ => (format!("《{}》", row.entity_key), None),
            };
            RecentChange {
                name,
                department: department_id
                    .and_then(|id| departments.get(&id).cloned())
                    .unwrap_or_default(),
                department_id,
                page,
                api,
                row,
            }
        })
        .collect())
}
