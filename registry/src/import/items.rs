//! Bulk import of power items (NDJSON in the interchange format).

use std::collections::HashMap;
use std::io::BufRead;

use crate::db::Database;
use crate::error::{RegistryError, Result};
use crate::import::ndjson::read_rows;
use crate::import::{ImportOptions, ImportReport, write_all_or_nothing};
use crate::interchange::PowerItemRecord;
use crate::repo::items::{SaveContext, SaveOutcome, existing_codes, save_published_item};
use crate::repo::laws::link_legal_bases;
use crate::validate::{Checker, Problem, validate_item};

/// Imports items from NDJSON: all rows or none. Re-importing a code updates that item (a new
/// version); an identical row is left alone. Infrastructure failures are `Err`; invalid input
/// is an `Ok` report with errors and nothing written.
pub fn import_items_ndjson(
    db: &Database,
    input: impl BufRead,
    opts: &ImportOptions,
) -> Result<ImportReport> {
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        ..Default::default()
    };
    let rows = read_rows::<PowerItemRecord>(input, opts.strict, &mut report.problems).map_err(
        |source| RegistryError::Io {
            path: "input".into(),
            source,
        },
    )?;
    report.rows = rows.len();

    let mut valid: Vec<(usize, PowerItemRecord)> = Vec::with_capacity(rows.len());
    let mut first_row_of_code: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let Some(record) = row.record else { continue };
        let mut checker = Checker::default();
        let normalised = validate_item(&record, &mut checker);
        report
            .problems
            .extend(checker.problems.into_iter().map(|p| p.at_row(row.line)));
        if let Some(item) = normalised {
            if let Some(first) = first_row_of_code.get(&item.code) {
                report.problems.push(
                    Problem::error(
                        "code",
                        format!(
                            "{} already appears on row {first}; each code once per file",
                            item.code
                        ),
                    )
                    .at_row(row.line),
                );
                continue;
            }
            first_row_of_code.insert(item.code.clone(), row.line);
            valid.push((row.line, item));
        }
    }
    check_parent_codes(db, &valid, &first_row_of_code, &mut report)?;
    sort_problems(&mut report.problems);
    if report.errors() > 0 {
        return Ok(report);
    }

    write_all_or_nothing(db, report, |conn, report| {
        let ctx = SaveContext {
            actor: &opts.actor,
            reason: opts.reason.as_deref(),
            at: crate::repo::now(),
        };
        let mut touched = Vec::new();
        for (_, item) in &valid {
            match save_published_item(conn, item, &ctx)? {
                SaveOutcome::Created { id } => {
                    report.created += 1;
                    touched.push(id);
                }
                SaveOutcome::Updated { id, .. } => {
                    report.updated += 1;
                    touched.push(id);
                }
                SaveOutcome::Unchanged { .. } => report.unchanged += 1,
            }
        }
        link_legal_bases(conn, Some(&touched))?;
        Ok(())
    })
}

/// A sub-item's main item must be in the file or already stored; otherwise warn (the link is
/// kept, and resolves when the main item arrives).
fn check_parent_codes(
    db: &Database,
    valid: &[(usize, PowerItemRecord)],
    in_file: &HashMap<String, usize>,
    report: &mut ImportReport,
) -> Result<()> {
    let mut missing: Vec<String> = valid
        .iter()
        .filter_map(|(_, r)| r.parent_code.clone())
        .filter(|p| !in_file.contains_key(p))
        .collect();
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    let mut conn = db.conn()?;
    let stored = existing_codes(&mut conn, &missing)?;
    for (line, r) in valid {
        if let Some(p) = &r.parent_code
            && !in_file.contains_key(p)
            && !stored.contains(p)
        {
            report.problems.push(
                Problem::warning(
                    "parent_code",
                    format!("main item {p} is neither in this file nor in the registry"),
                )
                .at_row(*line),
            );
        }
    }
    Ok(())
}

pub(crate) fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by_key(|p| p.row.unwrap_or(0));
}
