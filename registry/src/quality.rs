//! The data-quality report: what in the published lists needs a department's attention —
//! powers without a legal basis (没有法定依据的权力), bases citing a law version that is no longer
//! in force, citations the registry cannot link, powers without 责任事项 or 追责情形, penalties
//! without 裁量基准, the same power listed by two departments of one region (有的权力几个部门同时
//! 行使), and items nobody has revised for too long. Public: the lists are public, and so is
//! what is wrong with them.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::domain::{Category, ItemStatus, LawStatus};
use crate::error::Result;
use crate::schema::{
    departments, item_accountability, item_discretion, item_legal_bases, item_responsibilities,
    laws, power_items,
};

/// The kinds of finding, in the order the report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    NoLegalBasis,
    OutdatedBasis,
    UnresolvedCitation,
    NoResponsibilities,
    NoAccountability,
    PenaltyWithoutDiscretion,
    SharedPower,
    NotReviewed,
}

impl FindingKind {
    pub const ALL: [FindingKind; 8] = [
        FindingKind::NoLegalBasis,
        FindingKind::OutdatedBasis,
        FindingKind::UnresolvedCitation,
        FindingKind::NoResponsibilities,
        FindingKind::NoAccountability,
        FindingKind::PenaltyWithoutDiscretion,
        FindingKind::SharedPower,
        FindingKind::NotReviewed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            FindingKind::NoLegalBasis => "no_legal_basis",
            FindingKind::OutdatedBasis => "outdated_basis",
            FindingKind::UnresolvedCitation => "unresolved_citation",
            FindingKind::NoResponsibilities => "no_responsibilities",
            FindingKind::NoAccountability => "no_accountability",
            FindingKind::PenaltyWithoutDiscretion => "penalty_without_discretion",
            FindingKind::SharedPower => "shared_power",
            FindingKind::NotReviewed => "not_reviewed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FindingKind::NoLegalBasis => "没有法定依据的权力",
            FindingKind::OutdatedBasis => "依据的法规版本已修改或废止",
            FindingKind::UnresolvedCitation => "依据在登记库中找不到",
            FindingKind::NoResponsibilities => "没有责任事项",
            FindingKind::NoAccountability => "没有追责情形",
            FindingKind::PenaltyWithoutDiscretion => "行政处罚没有裁量基准",
            FindingKind::SharedPower => "多个部门列有同一项权力",
            FindingKind::NotReviewed => "长期未复核",
        }
    }

    pub fn parse(key: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.key() == key.trim())
    }
}

/// One finding about one published item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub item_id: i64,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    /// What exactly (the law and version, the citation, the other department, the date).
    pub detail: Option<String>,
}

/// What the report covers.
#[derive(Debug, Clone)]
pub struct QualityQuery {
    /// One department's list (else all).
    pub department: Option<i64>,
    /// An item last changed longer ago than this is "not reviewed".
    pub stale_after_days: i64,
    pub now: chrono::NaiveDateTime,
}

/// The findings, with the published items checked and the departments' names.
#[derive(Debug, Clone, Default)]
pub struct QualityReport {
    pub items_checked: usize,
    pub findings: Vec<Finding>,
    pub department_names: HashMap<i64, String>,
}

impl QualityReport {
    /// Findings per department and kind.
    pub fn counts(&self) -> Vec<(i64, HashMap<FindingKind, usize>)> {
        let mut by: HashMap<i64, HashMap<FindingKind, usize>> = HashMap::new();
        for f in &self.findings {
            *by.entry(f.department_id)
                .or_default()
                .entry(f.kind)
                .or_default() += 1;
        }
        let mut out: Vec<_> = by.into_iter().collect();
        out.sort_by_key(|(d, _)| *d);
        out
    }
}

/// Whether a category is a power (public services are listed too, but hold no power: they
/// need no legal basis, 责任事项 or 追责情形 to be in order).
fn is_power(category: &str) -> bool {
    Category::parse(category).is_some_and(|c| c != Category::PublicService)
}

/// A name compared with punctuation, brackets and spaces ignored.
fn name_key(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// A legal basis as the report reads it: item, law title, article label, linked law and article.
type BasisLink = (i64, String, Option<String>, Option<i64>, Option<i64>);

/// The report over the published items (of one department, or all).
pub fn quality_report(conn: &mut DbConnection, q: &QualityQuery) -> Result<QualityReport> {
    type ItemKey = (i64, String, String, String, i64, chrono::NaiveDateTime);
    let mut query = power_items::table
        .filter(power_items::status.eq(ItemStatus::Published.as_str()))
        .select((
            power_items::id,
            power_items::code,
            power_items::name,
            power_items::category,
            power_items::department_id,
            power_items::updated_at,
        ))
        .into_boxed();
    if let Some(d) = q.department {
        query = query.filter(power_items::department_id.eq(d));
    }
    let items: Vec<ItemKey> = query.order(power_items::id.asc()).load(conn)?;
    let ids: Vec<i64> = items.iter().map(|i| i.0).collect();

    // Which of the items have at least one row in a list table.
    macro_rules! items_having {
        ($table:ident) => {{
            let mut set = HashSet::new();
            for chunk in ids.chunks(500) {
                let found: Vec<i64> = $table::table
                    .filter($table::item_id.eq_any(chunk))
                    .select($table::item_id)
                    .distinct()
                    .load(conn)?;
                set.extend(found);
            }
            set
        }};
    }
    let with_bases = items_having!(item_legal_bases);
    let with_duties = items_having!(item_responsibilities);
    let with_accountability = items_having!(item_accountability);
    let with_discretion = items_having!(item_discretion);

    // Bases citing a version no longer in force, and bases the registry cannot link.
    let mut outdated: HashMap<i64, Vec<String>> = HashMap::new();
    let mut unresolved: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<BasisLink> = item_legal_bases::table
            .filter(item_legal_bases::item_id.eq_any(chunk))
            .select((
                item_legal_bases::item_id,
                item_legal_bases::law_title,
                item_legal_bases::article_label,
                item_legal_bases::law_id,
                item_legal_bases::article_id,
            ))
            .load(conn)?;
        let mut law_ids: Vec<i64> = rows.iter().filter_map(|r| r.3).collect();
        law_ids.sort_unstable();
        law_ids.dedup();
        let stale: HashMap<i64, (String, Option<chrono::NaiveDate>, String)> = laws::table
            .filter(laws::id.eq_any(&law_ids))
            .filter(laws::status.ne(LawStatus::InForce.as_str()))
            .select((laws::id, laws::title, laws::version_date, laws::status))
            .load::<(i64, String, Option<chrono::NaiveDate>, String)>(conn)?
            .into_iter()
            .map(|(id, t, d, s)| (id, (t, d, s)))
            .collect();
        for (item, title, article, law_id, article_id) in rows {
            let article = article.unwrap_or_default();
            match law_id {
                Some(law) => {
                    if let Some((t, d, s)) = stale.get(&law) {
                        let version = d.map(|d| format!("（{d}）")).unwrap_or_default();
                        outdated
                            .entry(item)
                            .or_default()
                            .push(format!("《{t}》{version}{article}：{s}"));
                    }
                    if !article.is_empty() && article_id.is_none() {
                        unresolved
                            .entry(item)
                            .or_default()
                            .push(format!("《{title}》中没有{article}"));
                    }
                }
                None => unresolved
                    .entry(item)
                    .or_default()
                    .push(format!("登记库中没有《{title}》")),
            }
        }
    }

    // The same power in two departments of one region: same name (punctuation aside).
    let department_rows: Vec<(i64, String, String)> = departments::table
        .select((departments::id, departments::name, departments::region_code))
        .load(conn)?;
    let department_names: HashMap<i64, String> = department_rows
        .iter()
        .map(|(id, name, _)| (*id, name.clone()))
        .collect();
    let region_of: HashMap<i64, String> = department_rows
        .into_iter()
        .map(|(id, _, region)| (id, region))
        .collect();
    // Compared against every published item of the region, not only the filtered ones (which
    // are all of them when no department is asked for).
    let all: Vec<(i64, String, String, i64)> = match q.department {
        None => items
            .iter()
            .map(|(id, _, name, category, department, _)| {
                (*id, name.clone(), category.clone(), *department)
            })
            .collect(),
        Some(_) => power_items::table
            .filter(power_items::status.eq(ItemStatus::Published.as_str()))
            .select((
                power_items::id,
                power_items::name,
                power_items::category,
                power_items::department_id,
            ))
            .load(conn)?,
    };
    let mut holders: HashMap<(String, String), Vec<(i64, i64)>> = HashMap::new();
    for (id, name, category, department) in all {
        if !is_power(&category) {
            continue;
        }
        let region = region_of.get(&department).cloned().unwrap_or_default();
        holders
            .entry((region, name_key(&name)))
            .or_default()
            .push((id, department));
    }

    let stale_before = q.now - chrono::Duration::days(q.stale_after_days.max(0));
    let mut findings = Vec::new();
    for (id, code, name, category, department, updated_at) in &items {
        let mut add = |kind: FindingKind, detail: Option<String>| {
            findings.push(Finding {
                kind,
                item_id: *id,
                code: code.clone(),
                name: name.clone(),
                department_id: *department,
                detail,
            });
        };
        let power = is_power(category);
        if power && !with_bases.contains(id) {
            add(FindingKind::NoLegalBasis, None);
        }
        if let Some(list) = outdated.get(id) {
            add(FindingKind::OutdatedBasis, Some(list.join("；")));
        }
        if let Some(list) = unresolved.get(id) {
            add(FindingKind::UnresolvedCitation, Some(list.join("；")));
        }
        if power && !with_duties.contains(id) {
            add(FindingKind::NoResponsibilities, None);
        }
        if power && !with_accountability.contains(id) {
            add(FindingKind::NoAccountability, None);
        }
        if Category::parse(category) == Some(Category::Penalty) && !with_discretion.contains(id) {
            add(FindingKind::PenaltyWithoutDiscretion, None);
        }
        if power {
            let region = region_of.get(department).cloned().unwrap_or_default();
            if let Some(list) = holders.get(&(region, name_key(name))) {
                let others: Vec<String> = list
                    .iter()
                    .filter(|(_, d)| d != department)
                    .map(|(_, d)| department_names.get(d).cloned().unwrap_or_default())
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect();
                if !others.is_empty() {
                    let mut others = others;
                    others.sort();
                    add(FindingKind::SharedPower, Some(others.join("、")));
                }
            }
        }
        if *updated_at < stale_before {
            add(
                FindingKind::NotReviewed,
                Some(format!("最后修改于 {}", updated_at.date())),
            );
        }
    }
    findings.sort_by_key(|f| (f.kind, f.department_id, f.item_id));
    Ok(QualityReport {
        items_checked: items.len(),
        findings,
        department_names,
    })
}
