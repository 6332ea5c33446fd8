//! Regions (行政区划). A region named by an item is created on first sight together with its
//! ancestors (by code structure), so region-prefix filters always have a tree to walk; names
//! come from a region list when one is loaded.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::domain::RegionCode;
use crate::error::Result;
use crate::models::RegionRow;
use crate::schema::regions;

/// Makes sure the region and all its ancestors exist; sets the name when given.
pub fn ensure_region(conn: &mut DbConnection, code: &RegionCode, name: Option<&str>) -> Result<()> {
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

pub fn count_regions(conn: &mut DbConnection) -> Result<i64> {
    Ok(regions::table.count().get_result(conn)?)
}
