//! Command-line interface: parsing, dispatch, and the one place that maps registry errors to
//! exit codes (0 ok, 1 our failure, 2 usage, 3 input rejected).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use quanze_registry::domain::Category;
use quanze_registry::import::{ImportOptions, ImportReport};
use quanze_registry::repo::history::Actor;
use quanze_registry::repo::items::ItemFilter;
use quanze_registry::{Database, RegistryError};

/// Exit code for input that was read but rejected (validation errors).
pub const EXIT_REJECTED: u8 = 3;

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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Ndjson,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations (also done by every other command).
    Migrate,
    /// Import an NDJSON file: all rows or none, with a report line per problem.
    Import {
        file: PathBuf,
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
    /// Write published items (or responsibility lists) in the interchange format.
    Export {
        #[arg(long, value_enum, default_value = "ndjson")]
        format: ExportFormat,
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
    },
    /// User accounts (admins, editors, reviewers).
    User {
        #[command(subcommand)]
        command: crate::accounts_cli::UserCommand,
    },
    /// API tokens for the maintenance API.
    Token {
        #[command(subcommand)]
        command: crate::accounts_cli::TokenCommand,
    },
    /// Print the OpenAPI document of the HTTP API (what `/openapi.json` serves).
    Openapi,
    /// Rebuild the search index from the database beside the live one and swap it in;
    /// a running server switches to it within a second and keeps answering meanwhile.
    Reindex,
}

#[derive(Debug, Subcommand)]
pub enum LawsCommand {
    /// Import every law file of a LawRefBook tree (Markdown, one file per version).
    Import { dir: PathBuf },
}

/// Maps an error to the process exit code.
pub fn exit_code_for(e: &RegistryError) -> ExitCode {
    match e {
        RegistryError::Invalid(_)
        | RegistryError::InvalidDatabaseUrl(_)
        | RegistryError::NotFound(_) => ExitCode::from(EXIT_REJECTED),
        _ => ExitCode::FAILURE,
    }
}

impl Cli {
    fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("quanze.db").display()))
    }
}

fn open_input(path: &Path) -> Result<BufReader<File>, RegistryError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|source| RegistryError::Io {
            path: path.display().to_string(),
            source,
        })
}

pub fn run(cli: Cli) -> Result<ExitCode, RegistryError> {
    if let Command::Openapi = cli.command {
        println!(
            "{}",
            crate::http::openapi()
                .to_pretty_json()
                .map_err(|e| RegistryError::Corrupt(e.to_string()))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let db = Database::open(&cli.database_url())?;
    match cli.command {
        Command::Migrate => {
            // Opening the database applied whatever was pending; this confirms nothing is left.
            let pending = db.migrate()?;
            println!(
                "database ({}) is up to date; {} migration(s) applied now",
                db.target().backend_name(),
                pending.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            dry_run,
            strict,
            kind,
            reason,
            actor,
        } => {
            let opts = ImportOptions {
                dry_run,
                strict,
                actor: Actor {
                    name: actor,
                    origin: "cli".into(),
                },
                reason,
            };
            let input = open_input(&file)?;
            let report = match kind {
                RecordKind::Items => {
                    quanze_registry::import::items::import_items_ndjson(&db, input, &opts)?
                }
                RecordKind::Responsibilities => {
                    quanze_registry::import::responsibilities::import_responsibilities_ndjson(
                        &db, input, &opts,
                    )?
                }
            };
            print_report(&file, &report);
            Ok(if report.errors() > 0 {
                ExitCode::from(EXIT_REJECTED)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Export {
            format: ExportFormat::Ndjson,
            kind,
            department,
            category,
            output,
        } => {
            let department_ids = resolve_departments(&db, &department)?;
            let stdout = std::io::stdout();
            let mut out: Box<dyn Write> = match &output {
                Some(path) => Box::new(BufWriter::new(File::create(path).map_err(|source| {
                    RegistryError::Io {
                        path: path.display().to_string(),
                        source,
                    }
                })?)),
                None => Box::new(BufWriter::new(stdout.lock())),
            };
            let written = match kind {
                RecordKind::Items => {
                    let category = category
                        .map(|c| {
                            Category::parse(&c)
                                .map(|c| c.key().to_string())
                                .ok_or_else(|| {
                                    RegistryError::Invalid(vec![
                                        quanze_registry::validate::Problem::error(
                                            "--category",
                                            format!("{c:?} is not a category"),
                                        ),
                                    ])
                                })
                        })
                        .transpose()?;
                    let filter = ItemFilter {
                        status: Some("published".into()),
                        department_ids,
                        category,
                    };
                    quanze_registry::export::export_items_ndjson(&db, &filter, &mut out)?
                }
                RecordKind::Responsibilities => {
                    quanze_registry::export::export_responsibilities_ndjson(
                        &db,
                        department_ids.as_deref(),
                        &mut out,
                    )?
                }
            };
            drop(out);
            eprintln!("exported {written} record(s)");
            Ok(ExitCode::SUCCESS)
        }
        Command::Laws {
            command: LawsCommand::Import { dir },
        } => {
            let report = quanze_registry::import::laws::import_law_tree(&db, &dir)?;
            for (path, why) in &report.skipped {
                println!("skipped {path}: {why}");
            }
            println!(
                "{} files: {} law versions stored with {} articles ({} superseded by a newer version), {} skipped; {} item legal bases linked to an article; {:.1}s",
                report.files,
                report.laws,
                report.articles,
                report.superseded,
                report.skipped.len(),
                report.linked_bases,
                report.elapsed.as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { demo_dir } => {
            let dir = demo_dir.unwrap_or_else(crate::demo::default_demo_dir);
            crate::demo::load_demo(&db, &dir)
        }
        Command::Serve {
            bind,
            workers,
            demo,
            no_demo,
            search_limit,
            export_limit,
            auth_failure_limit,
            behind_proxy,
            max_body,
        } => {
            let embedded_default = cli.database_url.is_none();
            if (demo || (embedded_default && !no_demo)) && crate::demo::item_count(&db)? == 0 {
                eprintln!("loading the demo dataset into the empty database");
                let code = crate::demo::load_demo(&db, &crate::demo::default_demo_dir())?;
                if code != ExitCode::SUCCESS {
                    return Ok(code);
                }
            }
            let options = crate::serve::ServeOptions {
                bind,
                workers,
                search_per_minute: search_limit,
                export_per_minute: export_limit,
                auth_failures_per_minute: auth_failure_limit,
                behind_proxy,
                max_body_bytes: max_body,
            };
            crate::serve::serve(db, &cli.data_dir, &options)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Reindex => {
            let analysis = quanze_indexer::index::Analysis::load(Some(&cli.data_dir))
                .map_err(crate::serve::startup_error)?;
            let started = std::time::Instant::now();
            let count = quanze_indexer::index::rebuild(&cli.data_dir.join("index"), &db, &analysis)
                .map_err(crate::serve::startup_error)?;
            println!(
                "indexed {count} items in {:.1}s; the new index is live",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => Ok(ExitCode::SUCCESS),
        Command::User { command } => crate::accounts_cli::run_user(&db, command),
        Command::Token { command } => crate::accounts_cli::run_token(&db, command),
        Command::Status => {
            let mut conn = db.conn()?;
            let (laws, articles) = quanze_registry::repo::laws::count_laws(&mut conn)?;
            let departments =
                quanze_registry::repo::departments::list_departments(&mut conn)?.len();
            let regions = quanze_registry::repo::regions::count_regions(&mut conn)?;
            println!("database: {}", db.target().backend_name());
            println!("regions: {regions}");
            println!("departments: {departments}");
            for (status, n) in quanze_registry::repo::items::count_items_by_status(&mut conn)? {
                println!("items {status}: {n}");
            }
            println!("laws: {laws} versions, {articles} articles");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Department arguments: numeric ids or exact names (a name may match several regions).
pub fn resolve_departments(
    db: &Database,
    names: &[String],
) -> Result<Option<Vec<i64>>, RegistryError> {
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
            return Err(RegistryError::NotFound(format!(
                "no department named {n:?}"
            )));
        }
        ids.extend(found.into_iter().map(|d| d.id));
    }
    Ok(Some(ids))
}

/// Prints the row-by-row report and the summary.
pub fn print_report(file: &Path, report: &ImportReport) {
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
}
