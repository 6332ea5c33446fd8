//! Bulk import of power items (NDJSON in the interchange format).

use std::collections::HashSet;
use std::io::BufRead;

use crate::db::Database;
use crate::error::Result;
use crate::import::{
    ImportOptions, ImportReport, RecordOrigin, read_and_validate, sort_problems,
    write_all_or_nothing,
};
use crate::interchange::PowerItemRecord;
use crate::problem::Problem;
use crate::repo::item_writes::{SaveContext, SaveOutcome, save_published_items};
use crate::repo::items::existing_codes;
use crate::validate::validate_item;

/// Imports items from NDJSON: all rows or none. Re-importing a code updates that item (a new
/// version); an identical row is left alone. Infrastructure failures are `Err`; invalid input
/// is an `Ok` report with errors and nothing written.
pub fn import_items_ndjson(
    db: &Database,
    input: impl BufRead,
    opts: &ImportOptions,
) -> Result<ImportReport> {
    let (report, valid) =
        read_and_validate::<PowerItemRecord, _>(input, opts, validate_item, |item| {
            ("code", item.code.clone())
        })?;
    let valid = valid
        .into_iter()
        .map(|(line, item)| (RecordOrigin::line(line), item))
        .collect();
    import_items(db, report, valid, opts)
}

/// Writes validated items, all or none (the report so far carries the reading's problems).
pub(crate) fn import_items(
    db: &Database,
    mut report: ImportReport,
    mut valid: Vec<(RecordOrigin, PowerItemRecord)>,
    opts: &ImportOptions,
) -> Result<ImportReport> {
    crate::import::keep_withholding(db, &mut valid, &mut report)?;
    check_parent_codes(db, &valid, &mut report)?;
    crate::import::warn_unresolved_citations(db, &valid, &mut report)?;
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
        let records: Vec<PowerItemRecord> = valid.into_iter().map(|(_, item)| item).collect();
        let total = records.len();
        let mut progress = |done: usize| {
            if let Some(hook) = &opts.progress {
                (hook.0)(done, total);
            }
            crate::fault::point("import.batch");
        };
        for outcome in save_published_items(conn, &records, &ctx, &mut progress)? {
            match outcome {
                SaveOutcome::Created { .. } => report.created += 1,
                SaveOutcome::Updated { id, .. } => {
                    report.updated += 1;
                    // The operator published a new version: a law change's flag is done.
                    crate::repo::flags::clear_flags(conn, id, ctx.at)?;
                }
                SaveOutcome::Unchanged { .. } => report.unchanged += 1,
            }
        }
        Ok(())
    })
}

/// A sub-item's main item must be in the file or already stored; otherwise warn (the link is
/// kept, and resolves when the main item arrives).
fn check_parent_codes(
    db: &Database,
    valid: &[(RecordOrigin, PowerItemRecord)],
    report: &mut ImportReport,
) -> Result<()> {
    let in_file: HashSet<&str> = valid.iter().map(|(_, r)| r.code.as_str()).collect();
    let mut missing: Vec<String> = valid
        .iter()
        .filter_map(|(_, r)| r.parent_code.clone())
        .filter(|p| !in_file.contains(p.as_str()))
        .collect();
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    let mut conn = db.conn()?;
    let stored = existing_codes(&mut conn, &missing)?;
    for (origin, r) in valid {
        if let Some(p) = &r.parent_code
            && !in_file.contains(p.as_str())
            && !stored.contains(p)
        {
            report.problems.push(origin.place(Problem::warning(
                "parent_code",
                format!("main item {p} is neither in this file nor in the registry"),
            )));
        }
    }
    Ok(())
}
