//! The registry's transparency figures, as the statistics API and page both show them
//! (`quanze_registry::statistics` computes them).

use quanze_registry::statistics::{
    self, Count, ListReview, MonthOfChanges, MonthOfFeedback, TableRows,
};
use serde::Serialize;

use crate::error::ApiError;

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

pub fn load_statistics(conn: &mut quanze_registry::DbConnection) -> Result<Statistics, ApiError> {
    let now = quanze_registry::repo::now();
    Ok(Statistics {
        categories: statistics::items_by_category(conn)?,
        departments: statistics::items_by_department(conn)?,
        regions: statistics::items_by_region(conn)?,
        withheld: statistics::withheld_by_reason(conn)?,
        changes: statistics::changes_by_month(conn)?,
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

    /// This figure's rows alone, computed from the database.
    pub fn load(self, conn: &mut quanze_registry::DbConnection) -> Result<FigureRows, ApiError> {
        let now = quanze_registry::repo::now();
        Ok(match self {
            Figure::Categories => FigureRows::Counts(statistics::items_by_category(conn)?),
            Figure::Departments => FigureRows::Counts(statistics::items_by_department(conn)?),
            Figure::Regions => FigureRows::Counts(statistics::items_by_region(conn)?),
            Figure::Withheld => FigureRows::Counts(statistics::withheld_by_reason(conn)?),
            Figure::Changes => FigureRows::Changes(statistics::changes_by_month(conn)?),
            Figure::Feedback => {
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
