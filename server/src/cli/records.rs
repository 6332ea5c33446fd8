//! `quanze import`, `quanze export` and `quanze template`: power items and responsibility lists
//! in the interchange format (NDJSON), and items in the sheet form departments keep in Excel
//! (XLSX, CSV with Chinese headers).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use std::path::PathBuf;

use quanze_registry::Database;
use quanze_registry::auth::Actor;
use quanze_registry::domain::Category;
use quanze_registry::import::sheet::{SheetDefaults, SheetFile};
use quanze_registry::import::{ImportOptions, ProgressHook};
use quanze_registry::interchange::DepartmentRef;
use quanze_registry::repo::items::ItemFilter;
use quanze_registry::sheet::workbook::SheetFormat;

use super::{CliError, FileFormat, RecordKind, SheetKind, print_report, resolve_departments};

/// What `quanze import` was asked.
pub struct ImportArgs {
    pub file: PathBuf,
    pub format: Option<FileFormat>,
    pub department: Option<String>,
    pub kind: RecordKind,
    pub dry_run: bool,
    pub strict: bool,
    pub reason: Option<String>,
    pub actor: String,
}

/// `quanze import FILE`: all rows or none, with a report line per problem.
pub fn import(db: &Database, args: &ImportArgs) -> Result<(), CliError> {
    let file = args.file.as_path();
    let opts = ImportOptions {
        dry_run: args.dry_run,
        strict: args.strict,
        actor: Actor {
            name: args.actor.clone(),
            origin: "cli".into(),
        },
        reason: args.reason.clone(),
        progress: Some(progress_display(args.dry_run)),
    };
    let format =
        args.format.unwrap_or_else(
            || match SheetFormat::from_extension(&file.to_string_lossy()) {
                Some(SheetFormat::Xlsx) => FileFormat::Xlsx,
                Some(SheetFormat::Csv) => FileFormat::Csv,
                None => FileFormat::Ndjson,
            },
        );
    let report = match (format, args.kind) {
        (FileFormat::Ndjson, kind) => {
            if args.department.is_some() {
                return Err(CliError::Argument(
                    "--department is for sheets (XLSX, CSV); NDJSON rows name their department"
                        .into(),
                ));
            }
            let input = File::open(file)
                .map(BufReader::new)
                .map_err(CliError::io(file.display()))?;
            match kind {
                RecordKind::Items => {
                    quanze_registry::import::items::import_items_ndjson(db, input, &opts)?
                }
                RecordKind::Responsibilities => {
                    quanze_registry::import::responsibilities::import_responsibilities_ndjson(
                        db, input, &opts,
                    )?
                }
            }
        }
        (_, RecordKind::Responsibilities) => {
            return Err(CliError::Argument(
                "responsibility lists are imported as NDJSON; sheets hold power items".into(),
            ));
        }
        (sheet_format, RecordKind::Items) => {
            let bytes = std::fs::read(file).map_err(CliError::io(file.display()))?;
            let defaults = SheetDefaults {
                department: args
                    .department
                    .as_deref()
                    .map(|d| one_department(db, d))
                    .transpose()?,
            };
            let sheet = SheetFile {
                bytes: &bytes,
                format: if sheet_format == FileFormat::Xlsx {
                    SheetFormat::Xlsx
                } else {
                    SheetFormat::Csv
                },
                name: &file.to_string_lossy(),
            };
            quanze_registry::import::sheet::import_items_sheet(db, &sheet, &defaults, &opts)?
        }
    };
    print_report(file, &report)
}

/// Shows a long write's progress on standard error: one line rewritten in place on a terminal,
/// a line per tenth otherwise (a log keeps ten lines, not one per batch). A file that fits in
/// one batch shows nothing.
fn progress_display(dry_run: bool) -> ProgressHook {
    use std::io::IsTerminal;
    let terminal = std::io::stderr().is_terminal();
    let shown_tenth = std::sync::atomic::AtomicUsize::new(0);
    // A dry run writes and rolls back: what it did is checked, not kept.
    let verb = if dry_run { "已试写" } else { "已写入" };
    ProgressHook(std::sync::Arc::new(move |done, total| {
        if total <= 500 {
            return;
        }
        let percent = done * 100 / total;
        if terminal {
            eprint!("\r{verb} {done}/{total} 条（{percent}%）");
            if done == total {
                eprintln!();
            }
        } else if percent / 10 > shown_tenth.load(std::sync::atomic::Ordering::Relaxed) {
            shown_tenth.store(percent / 10, std::sync::atomic::Ordering::Relaxed);
            eprintln!("{verb} {done}/{total} 条（{percent}%）");
        }
    }))
}

/// A department named by an argument: exactly one, as an item names it.
fn one_department(db: &Database, name_or_id: &str) -> Result<DepartmentRef, CliError> {
    let ids = resolve_departments(db, &[name_or_id.to_string()])?.unwrap_or_default();
    let [id] = ids.as_slice() else {
        return Err(CliError::Argument(format!(
            "{name_or_id:?} names {} departments; give its numeric id (quanze status lists counts, the API /departments?name= lists them)",
            ids.len()
        )));
    };
    let mut conn = db.conn()?;
    quanze_registry::repo::departments::get_department(&mut conn, *id)?
        .map(|d| d.as_ref_record())
        .ok_or_else(|| CliError::Argument(format!("no department {id}")))
}

/// `quanze export`: published items (or responsibility lists) to a file or standard output.
pub fn export(
    db: &Database,
    format: FileFormat,
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
            match format {
                FileFormat::Ndjson => {
                    quanze_registry::export::export_items_ndjson(db, &filter, &mut out)?
                }
                FileFormat::Csv => {
                    quanze_registry::export::export_items_csv(db, &filter, &mut out)?
                }
                FileFormat::Xlsx => {
                    quanze_registry::export::export_items_xlsx(db, &filter, &mut out)?
                }
            }
        }
        RecordKind::Responsibilities if format == FileFormat::Ndjson => {
            quanze_registry::export::export_responsibilities_ndjson(
                db,
                department_ids.as_deref(),
                &mut out,
            )?
        }
        RecordKind::Responsibilities => {
            return Err(CliError::Argument(
                "responsibility lists are exported as NDJSON".into(),
            ));
        }
    };
    out.flush().map_err(CliError::io("the output"))?;
    drop(out);
    eprintln!("exported {written} record(s)");
    Ok(())
}

/// `quanze template`: an empty list to fill in.
pub fn template(format: SheetKind, output: Option<&Path>) -> Result<(), CliError> {
    let (bytes, default_name) = match format {
        SheetKind::Xlsx => (
            quanze_registry::sheet::write::template_xlsx(),
            "quanze-template.xlsx",
        ),
        SheetKind::Csv => (
            quanze_registry::sheet::write::template_csv(),
            "quanze-template.csv",
        ),
    };
    let bytes = bytes.map_err(CliError::Argument)?;
    let path = output.unwrap_or(Path::new(default_name));
    std::fs::write(path, bytes).map_err(CliError::io(path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
