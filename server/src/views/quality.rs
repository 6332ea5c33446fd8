//! The data-quality report as the API answers it and the page shows it: counts per kind and
//! per department, and the findings, each with the page where the item can be read.

use quanze_registry::quality::{FindingKind, QualityQuery, QualityReport};

use crate::state::quality_reports::QualityReports;
use serde::Serialize;

use crate::error::ApiError;
use crate::views::path_segment;

/// How long an item may go unrevised before the report says so, by default.
pub const DEFAULT_STALE_DAYS: i64 = 365;

/// How many findings of each kind.
#[derive(Serialize, utoipa::ToSchema)]
pub struct KindCount {
    /// no_legal_basis, outdated_basis, unresolved_citation, no_responsibilities,
    /// no_accountability, penalty_without_discretion, shared_power, not_reviewed.
    pub kind: String,
    pub label: String,
    pub count: usize,
}

/// A department's findings by kind.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentQuality {
    pub id: i64,
    pub name: String,
    /// Findings by kind (kinds without findings left out).
    pub counts: std::collections::BTreeMap<String, usize>,
    pub total: usize,
}

/// One finding about one published item.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FindingView {
    pub kind: String,
    pub label: String,
    pub item_id: i64,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub department: String,
    /// What exactly: the law and version, the citation, the other departments, the date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The item's public page.
    pub link: String,
}

/// The report.
#[derive(Serialize, utoipa::ToSchema)]
pub struct QualityView {
    /// Published items checked.
    pub items_checked: usize,
    pub stale_after_days: i64,
    pub kinds: Vec<KindCount>,
    pub departments: Vec<DepartmentQuality>,
    /// All findings matching, at most `limit` of them (see `truncated`).
    pub total_findings: usize,
    pub truncated: bool,
    pub findings: Vec<FindingView>,
}

/// The report of one department (or all), findings of one kind (or all), at most `limit`.
pub fn load_quality(
    conn: &mut quanze_registry::DbConnection,
    reports: &QualityReports,
    query: &QualityQuery,
    kind: Option<FindingKind>,
    limit: usize,
) -> Result<QualityView, ApiError> {
    let report: std::sync::Arc<QualityReport> = reports.get(conn, query)?;
    let name = |id: i64| {
        report
            .department_names
            .get(&id)
            .cloned()
            .unwrap_or_default()
    };
    let kinds = FindingKind::ALL
        .into_iter()
        .map(|k| KindCount {
            kind: k.key().to_string(),
            label: k.label().to_string(),
            count: report.findings.iter().filter(|f| f.kind == k).count(),
        })
        .collect();
    let departments = report
        .counts()
        .into_iter()
        .map(|(id, counts)| DepartmentQuality {
            id,
            name: name(id),
            total: counts.values().sum(),
            counts: counts
                .into_iter()
                .map(|(k, n)| (k.key().to_string(), n))
                .collect(),
        })
        .collect();
    let matching: Vec<_> = report
        .findings
        .iter()
        .filter(|f| kind.is_none_or(|k| f.kind == k))
        .collect();
    let total_findings = matching.len();
    let findings = matching
        .into_iter()
        .take(limit)
        .map(|f| FindingView {
            kind: f.kind.key().to_string(),
            label: f.kind.label().to_string(),
            item_id: f.item_id,
            code: f.code.clone(),
            name: f.name.clone(),
            department_id: f.department_id,
            department: name(f.department_id),
            detail: f.detail.clone(),
            link: format!("/items/{}", path_segment(&f.code)),
        })
        .collect();
    Ok(QualityView {
        items_checked: report.items_checked,
        stale_after_days: query.stale_after_days,
        kinds,
        departments,
        total_findings,
        truncated: total_findings > limit,
        findings,
    })
}
