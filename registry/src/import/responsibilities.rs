//! Bulk import of departments' responsibility lists (one department per NDJSON row).

use std::io::BufRead;

use crate::db::Database;
use crate::error::Result;
use crate::import::{
    ImportOptions, ImportReport, read_and_validate, sort_problems, write_all_or_nothing,
};
use crate::interchange::ResponsibilityListRecord;
use crate::repo::departments::upsert_department;
use crate::repo::responsibilities::{ListChange, replace_responsibility_list};
use crate::validate::validate_responsibility_list;

/// Imports responsibility lists, all rows or none; each row replaces that department's list.
pub fn import_responsibilities_ndjson(
    db: &Database,
    input: impl BufRead,
    opts: &ImportOptions,
) -> Result<ImportReport> {
    let (mut report, valid) = read_and_validate::<ResponsibilityListRecord, _>(
        input,
        opts,
        validate_responsibility_list,
        |list| {
            (
                "department",
                format!("{} ({})", list.department.name, list.department.region),
            )
        },
    )?;
    sort_problems(&mut report.problems);
    if report.errors() > 0 {
        return Ok(report);
    }
    write_all_or_nothing(db, report, |conn, report| {
        let change = ListChange {
            actor: &opts.actor,
            reason: opts.reason.as_deref(),
            at: crate::repo::now(),
        };
        for (_, list) in &valid {
            let id = upsert_department(conn, &list.department, change.at)?;
            match replace_responsibility_list(conn, id, list, &change)? {
                Some(1) => report.created += 1,
                Some(_) => report.updated += 1,
                None => report.unchanged += 1,
            }
        }
        Ok(())
    })
}
