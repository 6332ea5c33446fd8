//! A department and its power list (权力清单) grouped by category.

use quanze_registry::domain::{Category, ItemStatus};
use quanze_registry::models::DepartmentRow;
use quanze_registry::repo::items::{ItemFilter, list_items_after};
use serde::Serialize;

use crate::error::ApiError;

/// A department (实施主体).
#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码, when known.
    pub uscc: Option<String>,
    /// Region code (GB/T 2260).
    pub region: String,
    /// province / city / county / township, when known.
    pub level: Option<String>,
    /// 法定机关 / 授权组织 / 受委托组织, when known.
    pub kind: Option<String>,
    /// Where citizens ask (咨询).
    pub consultation: Option<String>,
    /// Where citizens complain (监督投诉).
    pub supervision: Option<String>,
}

impl From<DepartmentRow> for DepartmentView {
    fn from(d: DepartmentRow) -> Self {
        DepartmentView {
            id: d.id,
            name: d.name,
            uscc: d.uscc,
            region: d.region_code,
            level: d.level,
            kind: d.kind,
            consultation: d.consultation,
            supervision: d.supervision,
        }
    }
}

pub fn department_id(raw: &str) -> Result<i64, ApiError> {
    crate::extract::params::path_id("id", raw)
}

pub fn load_department(
    conn: &mut quanze_registry::DbConnection,
    id: i64,
) -> Result<DepartmentRow, ApiError> {
    quanze_registry::repo::departments::get_department(conn, id)?
        .ok_or_else(|| ApiError::NotFound(format!("department {id}")))
}

/// A published item in a department's power list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PowerEntry {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// A law it cites changed: the item is due for review.
    pub needs_review: bool,
}

/// The department's published items of one category.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PowerGroup {
    /// Category key.
    pub category: String,
    /// Chinese name of the category.
    pub label: String,
    pub count: usize,
    pub items: Vec<PowerEntry>,
}

/// How many of a department's items are withheld (不予公开) for one reason.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WithheldCount {
    /// 国家秘密, 商业秘密, 个人隐私 or 其他法律法规规定.
    pub reason: String,
    pub count: i64,
}

/// A department's power list (权力清单).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PowerList {
    pub department: DepartmentView,
    pub total: usize,
    /// Categories in catalogue order; only those with items.
    pub categories: Vec<PowerGroup>,
    /// Items the department holds but may not publish (不予公开), counted by reason; they are
    /// in no list, page, export, feed or search.
    pub withheld: Vec<WithheldCount>,
}

/// A department's power list, grouped by category (API and pages).
pub fn load_power_list(
    conn: &mut quanze_registry::DbConnection,
    id: i64,
) -> Result<PowerList, ApiError> {
    let department = load_department(conn, id)?;
    let filter = ItemFilter {
        status: Some(ItemStatus::Published.as_str().into()),
        department_ids: Some(vec![id]),
        category: None,
    };
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let page = list_items_after(conn, &filter, after, 1_000)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        rows.extend(page);
    }
    let total = rows.len();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let flagged = quanze_registry::repo::flags::flagged_items(conn, &ids)?;
    let categories = Category::ALL
        .iter()
        .filter_map(|c| {
            let items: Vec<PowerEntry> = rows
                .iter()
                .filter(|r| r.category == c.key())
                .map(|r| PowerEntry {
                    id: r.id,
                    code: r.code.clone(),
                    name: r.name.clone(),
                    needs_review: flagged.contains(&r.id),
                })
                .collect();
            (!items.is_empty()).then(|| PowerGroup {
                category: c.key().into(),
                label: c.label().into(),
                count: items.len(),
                items,
            })
        })
        .collect();
    let withheld = quanze_registry::repo::items::count_withheld_by_reason(conn, Some(id))?
        .into_iter()
        .map(|(reason, count)| WithheldCount { reason, count })
        .collect();
    Ok(PowerList {
        department: department.into(),
        total,
        categories,
        withheld,
    })
}
