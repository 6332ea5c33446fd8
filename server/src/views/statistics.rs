//! The registry's transparency figures, as the statistics API and page both show them
//! (`quanze_registry::statistics` computes them).

use quanze_registry::statistics::{
    self, Count, ItemFigures, ListReview, MonthOfChanges, MonthOfFeedback, TableRows,
};
use serde::Serialize;

use crate::error::ApiError;
use crate::state::cached::Cached;

/// Every figure of the registry at once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Statistics {
    /// Published items per category, in catalogue order.
    pub categories: Vec<Count>,
    /// Published items per department, most first.
    pub departments: Vec<Count>,
    /// Published items per region of their departments, most first.
    pub regions: Vec<Count>,
    /// Withheld items (不予公开) by reason.
    pub withheld: Vec<Count>,
    /// Items published, revised, revoked and withdrawn per month, with revocation reasons.
    pub changes: Vec<MonthOfChanges>,
    /// Ratings, complaints and corrections per month.
    pub feedback: Vec<MonthOfFeedback>,
}

/// Every figure: the items' from `figures` (computed again only when the registry changed),
/// the feedback's now.
pub fn load_statistics(
    conn: &mut quanze_registry::DbConnection,
    figures: &Cached<ItemFigures>,
) -> Result<Statistics, ApiError> {
    let now = quanze_registry::repo::now();
    let items = figures.get(conn)?;
    Ok(Statistics {
        categories: items.categories.clone(),
        departments: items.departments.clone(),
        regions: items.regions.clone(),
        withheld: items.withheld.clone(),
        changes: items.changes.clone(),
        feedback: quanze_registry::feedback::feedback_by_month(conn, now)?,
    })
}

/// One figure of [`Statistics`], by its name in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Categories,
    Departments,
    Regions,
    Withheld,
    Changes,
    Feedback,
}

impl Figure {
    pub const ALL: [Figure; 6] = [
        Figure::Categories,
        Figure::Departments,
        Figure::Regions,
        Figure::Withheld,
        Figure::Changes,
        Figure::Feedback,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Figure::Categories => "categories",
            Figure::Departments => "departments",
            Figure::Regions => "regions",
            Figure::Withheld => "withheld",
            Figure::Changes => "changes",
            Figure::Feedback => "feedback",
        }
    }

    pub fn parse(key: &str) -> Result<Figure, ApiError> {
        Figure::ALL
            .into_iter()
            .find(|f| f.key() == key)
            .ok_or_else(|| ApiError::NotFound(format!("statistics figure {key:?}")))
    }

    /// This figure's rows alone (the items' from `figures`, the feedback's computed now).
    pub fn load(
        self,
        conn: &mut quanze_registry::DbConnection,
        figures: &Cached<ItemFigures>,
    ) -> Result<FigureRows, ApiError> {
        let mut items = || figures.get(conn);
        Ok(match self {
            Figure::Categories => FigureRows::Counts(items()?.categories.clone()),
            Figure::Departments => FigureRows::Counts(items()?.departments.clone()),
            Figure::Regions => FigureRows::Counts(items()?.regions.clone()),
            Figure::Withheld => FigureRows::Counts(items()?.withheld.clone()),
            Figure::Changes => FigureRows::Changes(items()?.changes.clone()),
            Figure::Feedback => {
                let now = quanze_registry::repo::now();
                FigureRows::Feedback(quanze_registry::feedback::feedback_by_month(conn, now)?)
            }
        })
    }
}

/// One figure's rows.
pub enum FigureRows {
    Counts(Vec<Count>),
    Changes(Vec<MonthOfChanges>),
    Feedback(Vec<MonthOfFeedback>),
}

impl FigureRows {
    pub fn json(&self) -> serde_json::Value {
        match self {
            FigureRows::Counts(rows) => serde_json::json!(rows),
            FigureRows::Changes(rows) => serde_json::json!(rows),
            FigureRows::Feedback(rows) => serde_json::json!(rows),
        }
    }

    pub fn csv(&self) -> Result<Vec<u8>, ApiError> {
        Ok(match self {
            FigureRows::Counts(rows) => statistics::to_csv(rows)?,
            FigureRows::Changes(rows) => statistics::to_csv(rows)?,
            FigureRows::Feedback(rows) => statistics::to_csv(rows)?,
        })
    }
}

/// A list review's category rows as CSV, its totals first as rows of their own.
pub fn review_csv(r: &ListReview) -> Result<Vec<u8>, ApiError> {
    let mut rows: Vec<Vec<String>> = [
        ("before", "之前", r.before),
        ("after", "之后", r.after),
        ("cancelled", "取消", r.cancelled),
        ("added", "新增", r.added),
        ("withdrawn", "不再公开", r.withdrawn),
    ]
    .iter()
    .map(|(k, l, n)| vec![k.to_string(), l.to_string(), n.to_string(), String::new()])
    .collect();
    rows.extend(r.categories.iter().map(TableRows::cells));
    quanze_registry::sheet::write::table_csv(&["代码", "名称", "之前", "之后"], &rows)
        .map_err(ApiError::Internal)
}
