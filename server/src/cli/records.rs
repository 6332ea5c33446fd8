//! `quanze import` and `quanze export`: power items and responsibility lists in the
//! interchange format (NDJSON).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use quanze_registry::Database;
use quanze_registry::auth::Actor;
use quanze_registry::domain::Category;
use quanze_registry::import::ImportOptions;
use quanze_registry::repo::items::ItemFilter;

use super::{CliError, RecordKind, print_report, resolve_departments};

/// `quanze import FILE`: all rows or none, with a report line per problem.
pub fn import(
    db: &Database,
    file: &Path,
    kind: RecordKind,
    dry_run: bool,
    strict: bool,
    reason: Option<String>,
    actor: String,
) -> Result<(), CliError> {
    let opts = ImportOptions {
        dry_run,
        strict,
        actor: Actor {
            name: actor,
            origin: "cli".into(),
        },
        reason,
    };
    let input = File::open(file)
        .map(BufReader::new)
        .map_err(CliError::io(file.display()))?;
    let report = match kind {
        RecordKind::Items => quanze_registry::import::items::import_items_ndjson(db, input, &opts)?,
        RecordKind::Responsibilities => {
            quanze_registry::import::responsibilities::import_responsibilities_ndjson(
                db, input, &opts,
            )?
        }
    };
    print_report(file, &report)
}

/// `quanze export`: published items (or responsibility lists) to a file or standard output.
pub fn export(
    db: &Database,
    kind: RecordKind,
    departments: &[String],
    category: Option<String>,
    output: Option<&Path>,
) -> Result<(), CliError> {
    let department_ids = resolve_departments(db, departments)?;
    let stdout = std::io::stdout();
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).map_err(CliError::io(path.display()))?,
        )),
        None => Box::new(BufWriter::new(stdout.lock())),
    };
    let written = match kind {
        RecordKind::Items => {
            let category = category
                .map(|c| {
                    Category::parse(&c)
                        .map(|c| c.key().to_string())
                        .ok_or_else(|| {
                            CliError::Argument(format!("--category: {c:?} is not a category"))
                        })
                })
                .transpose()?;
            let filter = ItemFilter {
                status: Some("published".into()),
                department_ids,
                category,
            };
            quanze_registry::export::export_items_ndjson(db, &filter, &mut out)?
        }
        RecordKind::Responsibilities => quanze_registry::export::export_responsibilities_ndjson(
            db,
            department_ids.as_deref(),
            &mut out,
        )?,
    };
    out.flush().map_err(CliError::io("the output"))?;
    drop(out);
    eprintln!("exported {written} record(s)");
    Ok(())
}
