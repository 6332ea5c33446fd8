//! Regions (行政区划). A region named by an item is created on first sight together with its
//! ancestors (by code structure), so region-prefix filters always have a tree to walk; names
//! come from a region list when one is loaded.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::domain::{ItemStatus, RegionCode};
use crate::error::Result;
use crate::models::RegionRow;
use crate::schema::{departments, power_items, regions};

/// Makes sure the region and all its ancestors exist; sets the name when given.
pub(crate) fn ensure_region(
    conn: &mut DbConnection,
    code: &RegionCode,
    name: Option<&str>,
) -> Result<()> {
    let mut chain = vec![code.clone()];
    while let Some(parent) = chain.last().and_then(RegionCode::parent) {
        chain.push(parent);
    }
    // Ancestors first, so each parent_code reference is satisfied.
    for (i, c) in chain.iter().enumerate().rev() {
        let existing: Option<RegionRow> = regions::table
            .find(c.as_str())
            .select(RegionRow::as_select())
            .first(conn)
            .optional()?;
        let wanted_name = if i == 0 { name } else { None };
        match existing {
            None => {
                diesel::insert_into(regions::table)
                    .values((
                        regions::code.eq(c.as_str()),
                        regions::name.eq(wanted_name),
                        regions::level.eq(c.level().key()),
                        regions::parent_code.eq(c.parent().map(|p| p.as_str().to_string())),
                    ))
                    .execute(conn)?;
            }
            Some(row) => {
                if let Some(n) = wanted_name
                    && row.name.as_deref() != Some(n)
                {
                    diesel::update(regions::table.find(c.as_str()))
                        .set(regions::name.eq(n))
                        .execute(conn)?;
                }
            }
        }
    }
    Ok(())
}

pub fn find_region(conn: &mut DbConnection, code: &str) -> Result<Option<RegionRow>> {
    Ok(regions::table
        .find(code)
        .select(RegionRow::as_select())
        .first(conn)
        .optional()?)
}

/// The display names of regions by code (the name, or the code where none is known), in one
/// query per 500 codes; unknown codes are left out. For facet lists that name thousands.
pub fn region_names(
    conn: &mut DbConnection,
    codes: impl IntoIterator<Item = String>,
) -> Result<std::collections::HashMap<String, String>> {
    let mut codes: Vec<String> = codes.into_iter().collect();
    codes.sort_unstable();
    codes.dedup();
    let mut names = std::collections::HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(500) {
        let rows: Vec<RegionRow> = regions::table
            .filter(regions::code.eq_any(chunk))
            .select(RegionRow::as_select())
            .load(conn)?;
        names.extend(
            rows.into_iter()
                .map(|r| (r.code.clone(), r.name.unwrap_or(r.code))),
        );
    }
    Ok(names)
}

pub fn count_regions(conn: &mut DbConnection) -> Result<i64> {
    Ok(regions::table.count().get_result(conn)?)
}

/// Regions filtered by parent and level, in code order, with the total before paging.
pub fn list_regions(
    conn: &mut DbConnection,
    parent: Option<&str>,
    level: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<RegionRow>, i64)> {
    let filtered = || {
        let mut q = regions::table.into_boxed();
        if let Some(p) = parent {
            q = q.filter(regions::parent_code.eq(p.to_string()));
        }
        if let Some(l) = level {
            q = q.filter(regions::level.eq(l.to_string()));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(regions::code.asc())
        .offset(offset)
        .limit(limit)
        .select(RegionRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The regions directly below `code`, in code order.
pub fn child_regions(conn: &mut DbConnection, code: &str) -> Result<Vec<RegionRow>> {
    Ok(regions::table
        .filter(regions::parent_code.eq(code))
        .order(regions::code.asc())
        .select(RegionRow::as_select())
        .load(conn)?)
}

/// How many departments and published items a region holds, its subregions included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegionTally {
    pub departments: i64,
    pub published_items: i64,
}

/// Departments and published items by the region code of their department. Summing these by
/// code prefix gives any region's tally in one pass, however many regions are asked about.
pub struct RegionTallies(Vec<(String, RegionTally)>);

/// What the tallies were computed from: the last outbox sequence (every change to what is
/// published appends a row) and the number of departments (departments are never deleted). Two
/// cheap reads, so a cached `RegionTallies` can be kept until this changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TalliesVersion {
    outbox_seq: i64,
    departments: i64,
}

impl RegionTallies {
    /// The version of the data the tallies would be computed from now.
    pub fn version(conn: &mut DbConnection) -> Result<TalliesVersion> {
        Ok(TalliesVersion {
            outbox_seq: crate::repo::history::max_outbox_seq(conn)?,
            departments: departments::table.count().get_result(conn)?,
        })
    }

    pub fn load(conn: &mut DbConnection) -> Result<RegionTallies> {
        let departments: Vec<(String, i64)> = departments::table
            .group_by(departments::region_code)
            .select((departments::region_code, diesel::dsl::count_star()))
            .load(conn)?;
        let items: Vec<(String, i64)> = power_items::table
            .inner_join(departments::table)
            .filter(power_items::status.eq(ItemStatus::Published.as_str()))
            .group_by(departments::region_code)
            .select((departments::region_code, diesel::dsl::count_star()))
            .load(conn)?;
        let mut by_code: std::collections::BTreeMap<String, RegionTally> = Default::default();
        for (code, n) in departments {
            by_code.entry(code).or_default().departments = n;
        }
        for (code, n) in items {
            by_code.entry(code).or_default().published_items = n;
        }
        Ok(RegionTallies(by_code.into_iter().collect()))
    }

    /// The tally of a region and everything below it (the codes are sorted, so the region's
    /// are one run starting where its prefix would sort).
    pub fn of(&self, region: &RegionCode) -> RegionTally {
        let prefix = region.covered_prefix().to_string();
        let start = self
            .0
            .partition_point(|(code, _)| code.as_str() < prefix.as_str());
        self.0[start..]
            .iter()
            .take_while(|(code, _)| code.starts_with(&prefix))
            .fold(RegionTally::default(), |acc, (_, t)| RegionTally {
                departments: acc.departments + t.departments,
                published_items: acc.published_items + t.published_items,
            })
    }
}
