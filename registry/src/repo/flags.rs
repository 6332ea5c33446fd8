//! Review flags: published items a law change has made due for review. When a law version an
//! item cites is superseded by a newer one, or repealed, the item is flagged with the reason
//! and the articles concerned (and whether their text changed); the flag shows wherever the
//! item does, and clears when a revised version of the item is approved.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::auth::Actor;
use crate::db::DbConnection;
use crate::domain::{ItemStatus, LawStatus};
use crate::error::Result;
use crate::models::ReviewFlagRow;
use crate::repo::history::{AuditEntry, ChangeKind, OutboxEntry, append_audit, append_outbox};
use crate::schema::{item_legal_bases, item_review_flags, law_articles, laws, power_items};

/// One cited article and what became of it in the new version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlaggedArticle {
    /// The article as the item cites it (第十条).
    pub article: String,
    /// changed, unchanged, removed (the new version has no such article) or repealed.
    pub change: String,
}

/// The open flags of an item, oldest first.
pub fn open_flags(conn: &mut DbConnection, item_id: i64) -> Result<Vec<ReviewFlagRow>> {
    Ok(item_review_flags::table
        .filter(item_review_flags::item_id.eq(item_id))
        .filter(item_review_flags::cleared_at.is_null())
        .order(item_review_flags::id.asc())
        .select(ReviewFlagRow::as_select())
        .load(conn)?)
}

/// Which of these items have an open flag.
pub fn flagged_items(conn: &mut DbConnection, item_ids: &[i64]) -> Result<HashSet<i64>> {
    let mut out = HashSet::new();
    for chunk in item_ids.chunks(500) {
        let found: Vec<i64> = item_review_flags::table
            .filter(item_review_flags::item_id.eq_any(chunk))
            .filter(item_review_flags::cleared_at.is_null())
            .select(item_review_flags::item_id)
            .distinct()
            .load(conn)?;
        out.extend(found);
    }
    Ok(out)
}

/// Clears an item's open flags (its revision was approved). Returns how many.
pub(crate) fn clear_flags(
    conn: &mut DbConnection,
    item_id: i64,
    at: chrono::NaiveDateTime,
) -> Result<usize> {
    Ok(diesel::update(
        item_review_flags::table
            .filter(item_review_flags::item_id.eq(item_id))
            .filter(item_review_flags::cleared_at.is_null()),
    )
    .set(item_review_flags::cleared_at.eq(Some(at)))
    .execute(conn)?)
}

/// A law version that stopped being in force: superseded by `successor`, or repealed (none).
pub(crate) struct LawChange {
    pub law_id: i64,
    pub successor: Option<i64>,
}

/// An item citing a law: id, code, version, department, status, article label.
type Citing = (i64, String, i32, i64, String, Option<String>);

/// Flags every published or withheld item citing the changed law version (once per item and
/// version), with an audit entry and, for a published item, an outbox row (so the change feed
/// and the index follow; a withheld item's flag is its department's alone). Returns how many
/// items were flagged.
pub(crate) fn flag_items_citing(
    conn: &mut DbConnection,
    change: &LawChange,
    actor: &Actor,
    at: chrono::NaiveDateTime,
) -> Result<usize> {
    let (title, old_date): (String, Option<chrono::NaiveDate>) = laws::table
        .find(change.law_id)
        .select((laws::title, laws::version_date))
        .first(conn)?;
    let new_date: Option<Option<chrono::NaiveDate>> = match change.successor {
        Some(id) => Some(
            laws::table
                .find(id)
                .select(laws::version_date)
                .first(conn)?,
        ),
        None => None,
    };
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let reason = match new_date {
        Some(new) => format!("《{title}》{}版已被{}版修改", day(old_date), day(new)),
        None => format!("《{title}》已废止"),
    };
    // Published and withheld items citing it, with the articles they cite.
    let cited: Vec<Citing> = item_legal_bases::table
        .inner_join(power_items::table)
        .filter(item_legal_bases::law_id.eq(change.law_id))
        .filter(power_items::status.eq_any([
            ItemStatus::Published.as_str(),
            ItemStatus::Withheld.as_str(),
        ]))
        .select((
            power_items::id,
            power_items::code,
            power_items::version,
            power_items::department_id,
            power_items::status,
            item_legal_bases::article_label,
        ))
        .order((power_items::id.asc(), item_legal_bases::position.asc()))
        .load(conn)?;
    let already: HashSet<i64> = item_review_flags::table
        .filter(item_review_flags::law_id.eq(change.law_id))
        .filter(item_review_flags::cleared_at.is_null())
        .select(item_review_flags::item_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let mut flagged = 0;
    // What became of each cited article, compared once however many items cite it.
    let mut changes_of: HashMap<String, &'static str> = HashMap::new();
    let mut i = 0;
    while i < cited.len() {
        let (item_id, code, version, department_id) =
            (cited[i].0, cited[i].1.clone(), cited[i].2, cited[i].3);
        let public = ItemStatus::is_public(&cited[i].4);
        let mut articles: Vec<FlaggedArticle> = Vec::new();
        while i < cited.len() && cited[i].0 == item_id {
            if let Some(label) = &cited[i].5
                && !articles.iter().any(|a| &a.article == label)
            {
                let change_of = match changes_of.get(label) {
                    Some(known) => *known,
                    None => {
                        let found = article_change(conn, change, label)?;
                        changes_of.insert(label.clone(), found);
                        found
                    }
                };
                articles.push(FlaggedArticle {
                    article: label.clone(),
                    change: change_of.to_string(),
                });
            }
            i += 1;
        }
        if already.contains(&item_id) {
            continue;
        }
        let articles_json = serde_json::to_string(&articles)
            .map_err(|e| crate::RegistryError::Corrupt(e.to_string()))?;
        diesel::insert_into(item_review_flags::table)
            .values((
                item_review_flags::item_id.eq(item_id),
                item_review_flags::law_id.eq(Some(change.law_id)),
                item_review_flags::reason.eq(&reason),
                item_review_flags::articles.eq(&articles_json),
                item_review_flags::created_at.eq(at),
            ))
            .execute(conn)?;
        if public {
            append_outbox(
                conn,
                &OutboxEntry::item(
                    item_id,
                    &code,
                    ChangeKind::NeedsReview,
                    version,
                    Some(&reason),
                ),
                at,
            )?;
        }
        append_audit(
            conn,
            &AuditEntry {
                action: "item.flag",
                entity_type: "power_item",
                entity_key: &code,
                department_id: Some(department_id),
                details: serde_json::json!({"reason": reason, "articles": articles}),
            },
            actor,
            at,
        )?;
        flagged += 1;
    }
    Ok(flagged)
}

/// What became of a cited article: its text in the old version against the same article in
/// the successor.
fn article_change(
    conn: &mut DbConnection,
    change: &LawChange,
    label: &str,
) -> Result<&'static str> {
    let Some(successor) = change.successor else {
        return Ok("repealed");
    };
    let Some((number, sub)) = crate::domain::numerals::parse_article_label(label) else {
        return Ok("changed");
    };
    let text_in = |conn: &mut DbConnection, law: i64| -> Result<Option<String>> {
        Ok(law_articles::table
            .filter(law_articles::law_id.eq(law))
            .filter(law_articles::number.eq(number))
            .filter(law_articles::sub_number.eq(sub))
            .select(law_articles::text)
            .first::<String>(conn)
            .optional()?)
    };
    let old = text_in(conn, change.law_id)?;
    let new = text_in(conn, successor)?;
    Ok(match (old, new) {
        (_, None) => "removed",
        (Some(a), Some(b)) if normalise(&a) == normalise(&b) => "unchanged",
        _ => "changed",
    })
}

/// Article text compared without whitespace (line breaks move between versions).
fn normalise(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Law versions that stopped being in force between two snapshots of statuses, with the
/// version now in force for the same title (none when the law was repealed).
pub(crate) fn changes_between(
    conn: &mut DbConnection,
    before: &std::collections::HashMap<i64, String>,
) -> Result<Vec<LawChange>> {
    let now: Vec<(i64, String, String, Option<chrono::NaiveDate>)> = laws::table
        .select((laws::id, laws::title, laws::status, laws::version_date))
        .load(conn)?;
    let in_force = LawStatus::InForce.as_str();
    let mut out = Vec::new();
    for (id, title, status, _) in &now {
        let was = before.get(id).map(String::as_str);
        if was == Some(in_force) && status != in_force {
            let successor = now
                .iter()
                .filter(|(other, t, s, _)| other != id && t == title && s == in_force)
                .max_by_key(|(_, _, _, d)| *d)
                .map(|(other, ..)| *other);
            out.push(LawChange {
                law_id: *id,
                successor,
            });
        }
    }
    Ok(out)
}

/// Every law version's status, to compare after an import.
pub(crate) fn law_statuses(
    conn: &mut DbConnection,
) -> Result<std::collections::HashMap<i64, String>> {
    Ok(laws::table
        .select((laws::id, laws::status))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// A feed row for each published item whose legal bases were relinked (kind `relinked`: the
/// item's content is the same, the laws and articles it links to changed). Returns how many.
pub(crate) fn announce_relinked(
    conn: &mut DbConnection,
    item_ids: &[i64],
    at: chrono::NaiveDateTime,
) -> Result<usize> {
    let mut announced = 0;
    for chunk in item_ids.chunks(500) {
        let items: Vec<(i64, String, i32)> = power_items::table
            .filter(power_items::id.eq_any(chunk))
            .filter(power_items::status.eq(ItemStatus::Published.as_str()))
            .select((power_items::id, power_items::code, power_items::version))
            .load(conn)?;
        for (item_id, code, version) in items {
            append_outbox(
                conn,
                &OutboxEntry::item(
                    item_id,
                    &code,
                    ChangeKind::Relinked,
                    version,
                    Some("法规导入后依据重新链接"),
                ),
                at,
            )?;
            announced += 1;
        }
    }
    Ok(announced)
}
