//! Transparency figures of the whole registry (issue 17): how many powers are published per
//! category, department and region; how many were added, revised, revoked and withdrawn each
//! month, with the reasons given; how many are withheld (不予公开), by reason; what citizens
//! said each month; and the "list review" that compares the list on two dates the way a
//! reform is reported (清理前 N 项，清理后 M 项，取消 K 项，以及原因).
//!
//! Only public facts go in: published items, the public change feed, withheld items as counts.
//! Each figure is a list of rows the API gives as JSON and CSV and the statistics page draws.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};

pub use crate::feedback::MonthOfFeedback;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::domain::{Category, ItemStatus};
use crate::error::Result;
use crate::schema::{departments, item_versions, outbox, power_items, regions};

/// One bar of a figure: a label and its count.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    /// What is counted (a category key, a department id, a region code, a reason).
    pub key: String,
    /// Its name in Chinese.
    pub label: String,
    pub count: i64,
}

/// The figures of the registry's items — every one but citizens' feedback, which changes
/// with the clock (answers fall overdue) — computed together, to be kept while their
/// [`FiguresVersion`] stays the same: they group every published item and read the whole
/// change feed, which a public page must not do on each request.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFigures {
    pub categories: Vec<Count>,
    pub departments: Vec<Count>,
    pub regions: Vec<Count>,
    pub withheld: Vec<Count>,
    pub changes: Vec<MonthOfChanges>,
}

/// What [`ItemFigures`] are computed from is unchanged while this is: the change feed's newest
/// row (every public change of an item, a department or a law) and the audit log's newest
/// entry (withholding an item changes nothing public, but every write is audited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiguresVersion {
    outbox_seq: i64,
    audit_id: i64,
}

impl ItemFigures {
    /// The version of the data the figures would be computed from now: two index lookups.
    pub fn version(conn: &mut DbConnection) -> Result<FiguresVersion> {
        Ok(FiguresVersion {
            outbox_seq: crate::repo::history::max_outbox_seq(conn)?,
            audit_id: crate::schema::audit_log::table
                .select(diesel::dsl::max(crate::schema::audit_log::id))
                .first::<Option<i64>>(conn)?
                .unwrap_or(0),
        })
    }

    pub fn load(conn: &mut DbConnection) -> Result<ItemFigures> {
        Ok(ItemFigures {
            categories: items_by_category(conn)?,
            departments: items_by_department(conn)?,
            regions: items_by_region(conn)?,
            withheld: withheld_by_reason(conn)?,
            changes: changes_by_month(conn)?,
        })
    }
}

/// Published items per category, in catalogue order (categories without items left out).
pub fn items_by_category(conn: &mut DbConnection) -> Result<Vec<Count>> {
    let counts: HashMap<String, i64> = crate::repo::items::count_published_by_category(conn)?
        .into_iter()
        .collect();
    Ok(Category::ALL
        .iter()
        .filter_map(|c| {
            counts.get(c.key()).map(|n| Count {
                key: c.key().to_string(),
                label: c.label().to_string(),
                count: *n,
            })
        })
        .collect())
}

/// Published items per department, most first.
pub fn items_by_department(conn: &mut DbConnection) -> Result<Vec<Count>> {
    let rows: Vec<(i64, String, i64)> = power_items::table
        .inner_join(departments::table)
        .filter(power_items::status.eq(ItemStatus::Published.as_str()))
        .group_by((departments::id, departments::name))
        .select((
            departments::id,
            departments::name,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut out: Vec<Count> = rows
        .into_iter()
        .map(|(id, name, count)| Count {
            key: id.to_string(),
            label: name,
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    Ok(out)
}

/// Published items per region of their departments (the region's own code), most first.
pub fn items_by_region(conn: &mut DbConnection) -> Result<Vec<Count>> {
    let rows: Vec<(String, i64)> = power_items::table
        .inner_join(departments::table)
        .filter(power_items::status.eq(ItemStatus::Published.as_str()))
        .group_by(departments::region_code)
        .select((departments::region_code, diesel::dsl::count_star()))
        .load(conn)?;
    let codes: Vec<&str> = rows.iter().map(|(c, _)| c.as_str()).collect();
    let names: HashMap<String, Option<String>> = regions::table
        .filter(regions::code.eq_any(&codes))
        .select((regions::code, regions::name))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .collect();
    let mut out: Vec<Count> = rows
        .into_iter()
        .map(|(code, count)| Count {
            label: names
                .get(&code)
                .cloned()
                .flatten()
                .unwrap_or_else(|| code.clone()),
            key: code,
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    Ok(out)
}

/// Withheld items (不予公开) by reason, over the whole registry.
pub fn withheld_by_reason(conn: &mut DbConnection) -> Result<Vec<Count>> {
    Ok(crate::repo::items::count_withheld_by_reason(conn, None)?
        .into_iter()
        .map(|(reason, count)| Count {
            key: reason.clone(),
            label: reason,
            count,
        })
        .collect())
}

/// What happened to items in one month, as the public change feed says it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthOfChanges {
    /// `2026-12` (UTC).
    pub month: String,
    /// New items published (or published again).
    pub published: i64,
    pub revised: i64,
    pub revoked: i64,
    /// Public items withheld since (不予公开).
    pub withdrawn: i64,
    /// The reasons given for revocations, most given first.
    pub revoke_reasons: Vec<Count>,
}

/// Items published, revised, revoked and withdrawn per month, oldest month first.
pub fn changes_by_month(conn: &mut DbConnection) -> Result<Vec<MonthOfChanges>> {
    let rows: Vec<(NaiveDateTime, String, Option<String>)> = outbox::table
        .filter(outbox::entity.eq(crate::domain::FeedEntity::Item.as_str()))
        .filter(outbox::kind.eq_any(["published", "revised", "revoked", "withdrawn"]))
        .select((outbox::at, outbox::kind, outbox::reason))
        .load(conn)?;
    let mut months: BTreeMap<String, (MonthOfChanges, BTreeMap<String, i64>)> = BTreeMap::new();
    for (at, kind, reason) in rows {
        let month = at.format("%Y-%m").to_string();
        let (m, reasons) = months.entry(month.clone()).or_insert_with(|| {
            (
                MonthOfChanges {
                    month,
                    ..Default::default()
                },
                BTreeMap::new(),
            )
        });
        match kind.as_str() {
            "published" => m.published += 1,
            "revised" => m.revised += 1,
            "revoked" => {
                m.revoked += 1;
                *reasons
                    .entry(reason.unwrap_or_else(|| "未说明".into()))
                    .or_default() += 1;
            }
            _ => m.withdrawn += 1,
        }
    }
    Ok(months
        .into_values()
        .map(|(mut m, reasons)| {
            m.revoke_reasons = most_first(reasons);
            m
        })
        .collect())
}

fn most_first(counts: BTreeMap<String, i64>) -> Vec<Count> {
    let mut out: Vec<Count> = counts
        .into_iter()
        .map(|(reason, count)| Count {
            key: reason.clone(),
            label: reason,
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The list on two dates, the way a reform is reported: before N items, after M, cancelled K
/// (and why), added A.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListReview {
    /// `YYYY-MM-DD`: the list as it stood at the end of this day (UTC).
    pub from: String,
    pub to: String,
    /// Items published at the end of `from`.
    pub before: i64,
    /// Items published at the end of `to`.
    pub after: i64,
    /// Published at `from`, revoked by `to`.
    pub cancelled: i64,
    /// Published at `to`, not at `from`.
    pub added: i64,
    /// Published at `from`, no longer public at `to` without a revocation (withheld since).
    pub withdrawn: i64,
    /// Why the cancelled ones were revoked, most given first.
    pub cancel_reasons: Vec<Count>,
    /// Per category: before and after.
    pub categories: Vec<CategoryReview>,
}

/// One category of a list review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryReview {
    pub key: String,
    pub label: String,
    pub before: i64,
    pub after: i64,
}

/// An item's state at a moment: the status and reason of its newest version then, and its
/// category.
#[derive(Clone)]
struct StateThen {
    status: String,
    reason: Option<String>,
    category: String,
}

/// Compares the published list at the end of `from` with that at the end of `to`, from the
/// items' version history (one pass over the versions' statuses, not their content). For one
/// department, or all.
pub fn list_review(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    department_id: Option<i64>,
) -> Result<ListReview> {
    let end = |d: NaiveDate| d.and_hms_opt(23, 59, 59).unwrap_or_default();
    let (from_end, to_end) = (end(from), end(to));
    let mut q = item_versions::table
        .inner_join(power_items::table)
        .filter(item_versions::created_at.le(from_end.max(to_end)))
        .into_boxed();
    if let Some(d) = department_id {
        q = q.filter(power_items::department_id.eq(d));
    }
    let rows: Vec<(i64, i32, String, Option<String>, NaiveDateTime, String)> = q
        .order((item_versions::item_id, item_versions::version))
        .select((
            item_versions::item_id,
            item_versions::version,
            item_versions::status,
            item_versions::reason,
            item_versions::created_at,
            power_items::category,
        ))
        .load(conn)?;
    let mut at_from: HashMap<i64, StateThen> = HashMap::new();
    let mut at_to: HashMap<i64, StateThen> = HashMap::new();
    for (item, _, status, reason, created, category) in rows {
        let state = StateThen {
            status,
            reason,
            category,
        };
        if created <= from_end {
            at_from.insert(item, state.clone());
        }
        if created <= to_end {
            at_to.insert(item, state);
        }
    }
    let published = ItemStatus::Published.as_str();
    let listed =
        |m: &HashMap<i64, StateThen>, id: &i64| m.get(id).is_some_and(|s| s.status == published);
    let mut review = ListReview {
        from: from.to_string(),
        to: to.to_string(),
        before: at_from.values().filter(|s| s.status == published).count() as i64,
        after: at_to.values().filter(|s| s.status == published).count() as i64,
        cancelled: 0,
        added: 0,
        withdrawn: 0,
        cancel_reasons: Vec::new(),
        categories: Vec::new(),
    };
    let mut reasons: BTreeMap<String, i64> = BTreeMap::new();
    for id in at_from.keys().filter(|id| listed(&at_from, id)) {
        match at_to.get(id) {
            Some(s) if s.status == ItemStatus::Revoked.as_str() => {
                review.cancelled += 1;
                *reasons
                    .entry(s.reason.clone().unwrap_or_else(|| "未说明".into()))
                    .or_default() += 1;
            }
            Some(s) if s.status != published => review.withdrawn += 1,
            _ => {}
        }
    }
    review.added = at_to
        .keys()
        .filter(|id| listed(&at_to, id) && !listed(&at_from, id))
        .count() as i64;
    review.cancel_reasons = most_first(reasons);
    review.categories = Category::ALL
        .iter()
        .map(|c| {
            let count = |m: &HashMap<i64, StateThen>| {
                m.values()
                    .filter(|s| s.status == published && s.category == c.key())
                    .count() as i64
            };
            CategoryReview {
                key: c.key().to_string(),
                label: c.label().to_string(),
                before: count(&at_from),
                after: count(&at_to),
            }
        })
        .filter(|c| c.before + c.after > 0)
        .collect();
    Ok(review)
}

/// A figure as a table: its column headers (Chinese) and rows of text, for CSV.
pub trait TableRows {
    fn headers() -> Vec<&'static str>;
    fn cells(&self) -> Vec<String>;
}

impl TableRows for Count {
    fn headers() -> Vec<&'static str> {
        vec!["代码", "名称", "数量"]
    }
    fn cells(&self) -> Vec<String> {
        vec![self.key.clone(), self.label.clone(), self.count.to_string()]
    }
}

impl TableRows for MonthOfChanges {
    fn headers() -> Vec<&'static str> {
        vec!["月份", "新增", "修订", "撤销", "不再公开", "撤销理由"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.month.clone(),
            self.published.to_string(),
            self.revised.to_string(),
            self.revoked.to_string(),
            self.withdrawn.to_string(),
            self.revoke_reasons
                .iter()
                .map(|r| format!("{}（{}）", r.label, r.count))
                .collect::<Vec<_>>()
                .join("；"),
        ]
    }
}

impl TableRows for MonthOfFeedback {
    fn headers() -> Vec<&'static str> {
        vec![
            "月份",
            "评价数",
            "平均分",
            "投诉和纠错",
            "已答复",
            "逾期未答复",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.month.clone(),
            self.ratings.to_string(),
            format!("{:.1}", self.average),
            self.received.to_string(),
            self.answered.to_string(),
            self.overdue.to_string(),
        ]
    }
}

impl TableRows for CategoryReview {
    fn headers() -> Vec<&'static str> {
        vec!["类别代码", "类别", "之前", "之后"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.key.clone(),
            self.label.clone(),
            self.before.to_string(),
            self.after.to_string(),
        ]
    }
}

/// Rows as CSV (UTF-8 with BOM, formulas neutralised).
pub fn to_csv<T: TableRows>(rows: &[T]) -> Result<Vec<u8>> {
    let cells: Vec<Vec<String>> = rows.iter().map(TableRows::cells).collect();
    crate::sheet::write::table_csv(&T::headers(), &cells)
        .map_err(crate::error::RegistryError::Corrupt)
}
