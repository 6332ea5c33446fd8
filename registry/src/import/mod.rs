//! Importers. Bulk imports are all-or-nothing: every row is parsed and validated first, and
//! only a fully valid file is written, in one transaction. A dry run does the whole write and
//! rolls it back, so its counts (created / updated / unchanged) are exactly what a real run
//! would do.

pub mod items;
pub mod lawref;
pub mod laws;
pub mod ndjson;
pub mod regions;
pub mod responsibilities;
pub mod review;
pub mod sheet;

use std::collections::HashMap;
use std::io::BufRead;

use serde::de::DeserializeOwned;

use crate::auth::Actor;
use crate::error::RegistryError;
use crate::problem::Problem;
use crate::validate::Checker;

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Validate and simulate the write, then roll it back.
    pub dry_run: bool,
    /// Unknown keys are errors instead of warnings.
    pub strict: bool,
    pub actor: Actor,
    /// Why the change is made (法规修改 / 机构改革 / …), recorded in versions and the feed.
    pub reason: Option<String>,
    /// Hears how far the write has come, for a long import's progress display.
    pub progress: Option<ProgressHook>,
}

/// Called with (records written, records to write) after each batch of a long write.
#[derive(Clone)]
pub struct ProgressHook(pub std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

impl ImportOptions {
    /// A real, strict import by `actor` from `origin` (cli, a client address, …).
    pub fn strict_by(actor: &str, origin: &str, reason: Option<&str>) -> ImportOptions {
        ImportOptions {
            dry_run: false,
            strict: true,
            actor: Actor {
                name: actor.into(),
                origin: origin.into(),
            },
            reason: reason.map(str::to_string),
            progress: None,
        }
    }
}

/// What an import did, or would do.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// Records read (non-blank rows).
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub problems: Vec<Problem>,
    /// True when the changes are in the database (false for a dry run or a rejected file).
    pub committed: bool,
    pub dry_run: bool,
    /// The items an import for review creates or changes, in file order (so a clerk checking a
    /// sheet sees which, not only how many).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<RowChange>,
}

/// An item an import creates or changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowChange {
    pub code: String,
    pub name: String,
    /// A new item (else a change to a published one).
    pub created: bool,
}

impl ImportReport {
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }
}

/// The read-and-validate phase shared by every NDJSON importer: parses each row, validates
/// and normalises it, and rejects a second row with the same key (naming the first row).
/// Returns the report so far and the valid records with their row numbers.
fn read_and_validate<R: DeserializeOwned, T: Send>(
    input: impl BufRead,
    opts: &ImportOptions,
    validate: impl Fn(&R, &mut Checker) -> Option<T> + Sync,
    key: impl Fn(&T) -> (&'static str, String),
) -> crate::error::Result<(ImportReport, Vec<(usize, T)>)> {
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        ..Default::default()
    };
    // Each row is validated where it is parsed (on the machine's cores); an invalid row's
    // problems come out with the parser's, in row order.
    let make = |record: R, problems: &mut Vec<Problem>| {
        let mut checker = Checker::default();
        let normalised = validate(&record, &mut checker);
        problems.extend(checker.problems);
        normalised
    };
    let rows = ndjson::read_rows_with(input, opts.strict, &mut report.problems, make).map_err(
        |source| RegistryError::Io {
            path: "input".into(),
            source,
        },
    )?;
    report.rows = rows.len();
    let mut valid = Vec::with_capacity(rows.len());
    let mut first_row: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let Some(normalised) = row.record else {
            continue;
        };
        let (field, k) = key(&normalised);
        if let Some(first) = first_row.get(&k) {
            report.problems.push(
                Problem::error(
                    field,
                    format!("{k} already appears on row {first}; each once per file"),
                )
                .at_row(row.line),
            );
            continue;
        }
        first_row.insert(k, row.line);
        valid.push((row.line, normalised));
    }
    Ok((report, valid))
}

/// Problems in row order (stable: within a row, in the order found). A sheet's problems are
/// found sheet by sheet, row by row, and keep that order.
fn sort_problems(problems: &mut [Problem]) {
    if problems.iter().all(|p| p.cell.is_none()) {
        problems.sort_by_key(|p| p.row.unwrap_or(0));
    }
}

/// Where a validated record came from, to place a problem found later: an NDJSON line, or a
/// sheet row with the cell of each field.
#[derive(Debug, Clone, Default)]
pub struct RecordOrigin {
    /// 1-based line, or row within its sheet.
    pub row: usize,
    /// For a sheet row: the cell of each top-level field (`legal_bases` → `权力清单!N12`).
    pub cells: Option<HashMap<&'static str, String>>,
    /// For a sheet row: the cell that names the item, for problems of the whole row.
    pub row_cell: Option<String>,
}

/// An item withheld (不予公开) stays withheld through an import whose row does not say so:
/// sheets have no column for it, and re-uploading a department's list must not publish what it
/// withheld. Making it public is a revision (API or workbench) that leaves `withheld` out.
fn keep_withholding(
    db: &crate::db::Database,
    valid: &mut [(RecordOrigin, crate::interchange::PowerItemRecord)],
    report: &mut ImportReport,
) -> crate::error::Result<()> {
    let codes: Vec<&str> = valid
        .iter()
        .filter(|(_, i)| i.withheld.is_none())
        .map(|(_, i)| i.code.as_str())
        .collect();
    let withheld = crate::repo::items::withheld_by_code(&mut *db.conn()?, &codes)?;
    if withheld.is_empty() {
        return Ok(());
    }
    for (origin, item) in valid.iter_mut().filter(|(_, i)| i.withheld.is_none()) {
        if let Some((reason, basis)) = withheld.get(&item.code).cloned() {
            let reason = reason.unwrap_or_default();
            report.problems.push(origin.place(Problem::warning(
                "withheld",
                format!("该事项依法不予公开（{reason}），导入后仍不公开；如需公开，请修改该事项"),
            )));
            item.withheld = Some(crate::interchange::Withholding {
                reason,
                basis: basis.unwrap_or_default(),
            });
        }
    }
    Ok(())
}

/// Warns, item by item, of legal bases the registry cannot link to a stored article: a law it
/// does not hold (or not that version), or an article the law does not have. Kept as given —
/// local rules are often not stored — but said, so a typo in a title does not go unnoticed.
fn warn_unresolved_citations(
    db: &crate::db::Database,
    valid: &[(RecordOrigin, crate::interchange::PowerItemRecord)],
    report: &mut ImportReport,
) -> crate::error::Result<()> {
    use crate::repo::laws::{CitationResolver, Unresolved, unresolved_citations};
    let mut conn = db.conn()?;
    let mut resolver = CitationResolver::default();
    for (origin, item) in valid {
        for (i, missing) in unresolved_citations(&mut conn, &mut resolver, item)? {
            let basis = &item.legal_bases[i];
            let article = basis.article.as_deref().unwrap_or("");
            let message = match (missing, origin.cells.is_some()) {
                (Unresolved::Law, true) => format!(
                    "依据第{}项：登记库中没有《{}》{}，已保留，未链接到法条原文",
                    i + 1,
                    basis.law,
                    basis
                        .version
                        .as_deref()
                        .map(|v| format!("（{v}版）"))
                        .unwrap_or_default()
                ),
                (Unresolved::Article, true) => format!(
                    "依据第{}项：《{}》中没有{article}，已保留，未链接到法条原文",
                    i + 1,
                    basis.law
                ),
                (Unresolved::Law, false) => format!(
                    "{} is not among the stored laws{}; kept, not linked to its text",
                    basis.law,
                    basis
                        .version
                        .as_deref()
                        .map(|v| format!(" (version {v})"))
                        .unwrap_or_default()
                ),
                (Unresolved::Article, false) => format!(
                    "{} has no {article}; kept, not linked to its text",
                    basis.law
                ),
            };
            report
                .problems
                .push(origin.place(Problem::warning(format!("legal_bases[{i}].law"), message)));
        }
    }
    Ok(())
}

impl RecordOrigin {
    pub fn line(row: usize) -> RecordOrigin {
        RecordOrigin {
            row,
            ..Default::default()
        }
    }

    /// The problem at this origin: the line, or the cell of the field it concerns.
    pub fn place(&self, problem: Problem) -> Problem {
        let problem = problem.at_row(self.row);
        let Some(cells) = &self.cells else {
            return problem;
        };
        // `department.region` has a cell of its own where the sheet has the column;
        // `legal_bases[2].article` is in the cell of `legal_bases`.
        let path = problem.field.split('[').next().unwrap_or("");
        let top = path.split('.').next().unwrap_or("");
        match cells
            .get(path)
            .or(cells.get(top))
            .or(self.row_cell.as_ref())
        {
            Some(cell) => problem.at_cell(cell.clone()),
            None => problem,
        }
    }
}

/// Outcome of the write phase: a dry run rolls back by returning this as the error.
enum WriteAbort {
    DryRun(ImportReport),
    Failed(crate::error::RegistryError),
}

impl From<diesel::result::Error> for WriteAbort {
    fn from(e: diesel::result::Error) -> Self {
        WriteAbort::Failed(e.into())
    }
}

impl From<crate::error::RegistryError> for WriteAbort {
    fn from(e: crate::error::RegistryError) -> Self {
        WriteAbort::Failed(e)
    }
}

/// Runs the write phase of an import in one transaction; commits unless `report.dry_run`.
fn write_all_or_nothing<F>(
    db: &crate::db::Database,
    mut report: ImportReport,
    write: F,
) -> crate::error::Result<ImportReport>
where
    F: FnOnce(&mut crate::db::DbConnection, &mut ImportReport) -> crate::error::Result<()>,
{
    let mut conn = db.conn()?;
    let dry_run = report.dry_run;
    let outcome = crate::db::write_transaction::<ImportReport, WriteAbort, _>(&mut conn, |c| {
        write(c, &mut report)?;
        if dry_run {
            Err(WriteAbort::DryRun(std::mem::take(&mut report)))
        } else {
            Ok(std::mem::take(&mut report))
        }
    });
    match outcome {
        Ok(mut report) => {
            report.committed = true;
            Ok(report)
        }
        Err(WriteAbort::DryRun(report)) => Ok(report),
        Err(WriteAbort::Failed(e)) => Err(e),
    }
}
