//! Export in the interchange format. Pages through the items in id order, so memory stays
//! constant however large the registry is, and the output order is stable.

use std::io::Write;

use crate::db::Database;
use crate::error::{RegistryError, Result};
use crate::repo::departments::list_departments;
use crate::repo::items::{ItemFilter, list_items_after, load_item_records};
use crate::repo::responsibilities::load_responsibility_list;

const PAGE: i64 = 500;

fn output_error(source: std::io::Error) -> RegistryError {
    RegistryError::Io {
        path: "output".into(),
        source,
    }
}

fn write_line(out: &mut impl Write, value: &impl serde::Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|e| output_error(e.into()))?;
    out.write_all(b"\n").map_err(output_error)
}

/// Writes every item matching `filter` as NDJSON; returns how many.
pub fn export_items_ndjson(
    db: &Database,
    filter: &ItemFilter,
    out: &mut impl Write,
) -> Result<usize> {
    let mut after = 0i64;
    let mut written = 0;
    loop {
        let mut conn = db.conn()?;
        let rows = list_items_after(&mut conn, filter, after, PAGE)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for record in load_item_records(&mut conn, &rows)? {
            write_line(out, &record)?;
            written += 1;
        }
    }
    out.flush().map_err(output_error)?;
    Ok(written)
}

/// Writes the responsibility list of every department that has one, as NDJSON.
pub fn export_responsibilities_ndjson(
    db: &Database,
    department_ids: Option<&[i64]>,
    out: &mut impl Write,
) -> Result<usize> {
    let mut conn = db.conn()?;
    let mut written = 0;
    for d in list_departments(&mut conn)? {
        if department_ids.is_some_and(|ids| !ids.contains(&d.id)) {
            continue;
        }
        let list = load_responsibility_list(&mut conn, d.id, d.as_record())?;
        if list.main_duties.is_empty()
            && list.duty_boundaries.is_empty()
            && list.supervision_rules.is_empty()
            && list.public_services.is_empty()
        {
            continue;
        }
        write_line(out, &list)?;
        written += 1;
    }
    out.flush().map_err(output_error)?;
    Ok(written)
}
