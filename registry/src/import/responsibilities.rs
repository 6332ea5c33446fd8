//! Bulk import of departments' responsibility lists (one department per NDJSON row).

use std::collections::HashMap;
use std::io::BufRead;

use crate::db::Database;
use crate::error::{RegistryError, Result};
use crate::import::items::sort_problems;
use crate::import::ndjson::read_rows;
use crate::import::{ImportOptions, ImportReport, write_all_or_nothing};
use crate::interchange::ResponsibilityListRecord;
use crate::repo::departments::upsert_department;
use crate::repo::responsibilities::replace_responsibility_list;
use crate::validate::{Checker, Problem, validate_responsibility_list};

/// Imports responsibility lists, all rows or none; each row replaces that department's list.
pub fn import_responsibilities_ndjson(
    db: &Database,
    input: impl BufRead,
    opts: &ImportOptions,
) -> Result<ImportReport> {
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        ..Default::default()
    };
    let rows = read_rows::<ResponsibilityListRecord>(input, opts.strict, &mut report.problems)
        .map_err(|source| RegistryError::Io {
            path: "input".into(),
            source,
        })?;
    report.rows = rows.len();
    let mut valid = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for row in rows {
        let Some(record) = row.record else { continue };
        let mut checker = Checker::default();
        let normalised = validate_responsibility_list(&record, &mut checker);
        report
            .problems
            .extend(checker.problems.into_iter().map(|p| p.at_row(row.line)));
        if let Some(list) = normalised {
            let key = (list.department.name.clone(), list.department.region.clone());
            if let Some(first) = seen.get(&key) {
                report.problems.push(
                    Problem::error(
                        "department",
                        format!("{} already appears on row {first}", key.0),
                    )
                    .at_row(row.line),
                );
                continue;
            }
            seen.insert(key, row.line);
            valid.push(list);
        }
    }
    sort_problems(&mut report.problems);
    if report.errors() > 0 {
        return Ok(report);
    }
    write_all_or_nothing(db, report, |conn, report| {
        let at = crate::repo::now();
        for list in &valid {
            let id = upsert_department(conn, &list.department, at)?;
            if replace_responsibility_list(conn, id, list, &opts.actor, at)? {
                report.updated += 1;
            } else {
                report.unchanged += 1;
            }
        }
        Ok(())
    })
}
