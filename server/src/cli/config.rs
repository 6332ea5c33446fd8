//! Settings from a TOML file as well as from flags and `QUANZE_*` variables. There is one set of
//! settings — the flags `Cli` defines, each with its variable — and the file names them by their
//! variable without the prefix (`bind = "0.0.0.0:8080"` is `QUANZE_BIND`, `--bind`). A flag
//! beats its variable, a variable beats the file, the file beats the built-in default. `quanze
//! config` prints what is in effect, where each value came from, with secrets masked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Command, CommandFactory, FromArgMatches};

use super::{Cli, CliError};

/// The variable that names the file (and the flag `--config`).
pub const CONFIG_ENV: &str = "QUANZE_CONFIG";

/// Parses the command line, with the settings of the configuration file (if one is named) as
/// defaults. Exits with clap's message on a bad command line, as `Cli::parse` does.
pub fn parse_args() -> Result<Cli, CliError> {
    let args: Vec<String> = std::env::args().collect();
    let file = config_file(&args);
    let mut command = Cli::command();
    if let Some(path) = &file {
        command = with_file_defaults(command, path, &read(path)?)?;
    }
    let matches = command.get_matches_from(&args);
    Cli::from_arg_matches(&matches).map_err(|e| e.exit())
}

/// The file `--config FILE` (or `--config=FILE`) names, else `QUANZE_CONFIG`.
fn config_file(args: &[String]) -> Option<PathBuf> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os(CONFIG_ENV).map(PathBuf::from)
}

/// The file's settings as text, by their variable's name (`QUANZE_BIND`).
fn read(path: &Path) -> Result<BTreeMap<String, String>, CliError> {
    let text = std::fs::read_to_string(path).map_err(CliError::io(path.display()))?;
    settings(&text).map_err(|why| CliError::Argument(format!("{}: {why}", path.display())))
}

fn settings(text: &str) -> Result<BTreeMap<String, String>, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    table
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Float(x) => x.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    return Err(format!(
                        "`{key}` must be a string, a number or true/false, not {}",
                        other.type_str()
                    ));
                }
            };
            let variable = format!("QUANZE_{}", key.replace('-', "_").to_ascii_uppercase());
            if variable == CONFIG_ENV {
                return Err("`config` cannot name another configuration file".to_string());
            }
            Ok((variable, text))
        })
        .collect()
}

/// `command` with each setting of the file as the default of the flag that has its variable,
/// wherever that flag is (global or a command's); a setting no flag has is an error naming the
/// known ones.
fn with_file_defaults(
    mut command: Command,
    path: &Path,
    file: &BTreeMap<String, String>,
) -> Result<Command, CliError> {
    for (variable, value) in file {
        let mut found = false;
        if let Some(id) = arg_with_env(&command, variable) {
            command = command.mut_arg(id, |a| a.default_value(value.clone()));
            found = true;
        }
        let commands: Vec<String> = command
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        for name in commands {
            let Some(sub) = command.find_subcommand(&name) else {
                continue;
            };
            if let Some(id) = arg_with_env(sub, variable) {
                command = command
                    .mut_subcommand(&name, |c| c.mut_arg(id, |a| a.default_value(value.clone())));
                found = true;
            }
        }
        if !found {
            let key = variable.trim_start_matches("QUANZE_").to_ascii_lowercase();
            let known: Vec<String> = known_settings(&command)
                .into_iter()
                .map(|v| v.trim_start_matches("QUANZE_").to_ascii_lowercase())
                .collect();
            return Err(CliError::Argument(format!(
                "{}: unknown setting `{key}` (known: {})",
                path.display(),
                known.join(", ")
            )));
        }
    }
    Ok(command)
}

fn arg_with_env(command: &Command, variable: &str) -> Option<String> {
    command
        .get_arguments()
        .find(|a| a.get_env().is_some_and(|e| e == variable))
        .map(|a| a.get_id().to_string())
}

/// Every variable a setting may be given by, once.
fn known_settings(command: &Command) -> Vec<String> {
    let mut names: Vec<String> = std::iter::once(command)
        .chain(command.get_subcommands())
        .flat_map(|c| c.get_arguments())
        .filter_map(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
        .filter(|e| e.starts_with("QUANZE_") && e != CONFIG_ENV)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// One line of `quanze config`.
#[derive(Debug, PartialEq)]
pub struct Effective {
    pub setting: String,
    pub value: String,
    pub source: &'static str,
}

/// The settings `quanze serve` would run with now, given the command line `args` of `quanze …
/// config` (its global flags count): the global ones and the server's, each with its value
/// (secrets masked) and where it came from.
pub fn effective(file: Option<&Path>, args: &[String]) -> Result<Vec<Effective>, CliError> {
    let mut command = Cli::command();
    let from_file = match file {
        Some(path) => read(path)?,
        None => BTreeMap::new(),
    };
    if let Some(path) = file {
        command = with_file_defaults(command, path, &from_file)?;
    }
    let matches = command
        .clone()
        .try_get_matches_from(as_serve(args))
        .map_err(|e| CliError::Argument(e.to_string()))?;
    let mut out = lines(&command, &matches, &from_file);
    if let (Some(serve), Some((_, serve_matches))) =
        (command.find_subcommand("serve"), matches.subcommand())
    {
        out.extend(lines(serve, serve_matches, &from_file));
    }
    Ok(out)
}

/// `args` with the `config` command replaced by `serve` (the first `config` that is not the
/// value of a global option).
fn as_serve(args: &[String]) -> Vec<String> {
    const TAKE_VALUES: [&str; 4] = ["--data-dir", "--database-url", "--db-pool-size", "--config"];
    let mut out = args.to_vec();
    let position =
        (1..out.len()).find(|&i| out[i] == "config" && !TAKE_VALUES.contains(&out[i - 1].as_str()));
    match position {
        Some(i) => out[i] = "serve".to_string(),
        None => out.push("serve".to_string()),
    }
    out
}

fn lines(
    command: &Command,
    matches: &ArgMatches,
    from_file: &BTreeMap<String, String>,
) -> Vec<Effective> {
    command
        .get_arguments()
        .filter_map(|arg| {
            let variable = arg.get_env()?.to_string_lossy().into_owned();
            if variable == CONFIG_ENV {
                return None;
            }
            let id = arg.get_id().as_str();
            let value = matches
                .get_raw(id)
                .map(|mut values| {
                    values
                        .next()
                        .map(|v| v.to_string_lossy().into_owned())
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let source = match matches.value_source(id) {
                Some(ValueSource::CommandLine) => "flag",
                Some(ValueSource::EnvVariable) => "environment",
                Some(ValueSource::DefaultValue) if from_file.contains_key(&variable) => "file",
                Some(ValueSource::DefaultValue) => "default",
                _ => "unset",
            };
            Some(Effective {
                setting: format!("--{} / {variable}", arg.get_long().unwrap_or(id)),
                value: mask(&value),
                source,
            })
        })
        .collect()
}

/// A URL's password replaced by `***` (`postgres://quanze:secret@db/quanze` →
/// `postgres://quanze:***@db/quanze`), and `password=` parameters too.
pub fn mask(value: &str) -> String {
    let mut out = value.to_string();
    // user:password@ in the authority (before the first `/`, `?` or `#` after the scheme).
    if let Some(scheme_end) = out.find("://") {
        let start = scheme_end + 3;
        let end = out[start..]
            .find(['/', '?', '#'])
            .map_or(out.len(), |i| i + start);
        if let Some(at) = out[start..end].rfind('@').map(|i| i + start)
            && let Some(colon) = out[start..at].find(':').map(|i| i + start)
        {
            out.replace_range(colon + 1..at, "***");
        }
    }
    // Every parameter whose name ends in `password`, any case (`password=`, `sslpassword=`),
    // in a query string (`&`-separated) or a key=value string (space-separated).
    let mut masked = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(eq) = rest.find('=') {
        let (before, after) = rest.split_at(eq);
        let name_start = before.rfind(['?', '&', ' ', ';']).map_or(0, |i| i + 1);
        masked.push_str(before);
        masked.push('=');
        let value_end = after[1..]
            .find(['&', ' ', ';'])
            .map_or(after.len(), |i| i + 1);
        if before[name_start..]
            .to_ascii_lowercase()
            .ends_with("password")
        {
            masked.push_str("***");
        } else {
            masked.push_str(&after[1..value_end]);
        }
        rest = &after[value_end..];
    }
    masked.push_str(rest);
    masked
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        assert_eq!(
            mask("postgres://quanze:s3cret@db:5432/quanze"),
            "postgres://quanze:***@db:5432/quanze"
        );
        assert_eq!(
            mask("postgres://db/quanze?user=q&password=s3cret&sslmode=require"),
            "postgres://db/quanze?user=q&password=***&sslmode=require"
        );
        assert_eq!(
            mask("postgres://quanze@db/quanze"),
            "postgres://quanze@db/quanze"
        );
        assert_eq!(mask("sqlite://data/quanze.db"), "sqlite://data/quanze.db");
        assert_eq!(
            mask("postgres://db/q?sslpassword=a&PASSWORD=b&user=u@x"),
            "postgres://db/q?sslpassword=***&PASSWORD=***&user=u@x"
        );
        assert_eq!(
            mask("host=db user=q password=secret dbname=quanze"),
            "host=db user=q password=*** dbname=quanze"
        );
    }

    #[test]
    fn file_settings_become_defaults_flags_and_variables_win() {
        let file =
            settings("bind = \"0.0.0.0:9000\"\nsearch_limit = 90\ndb_pool_size = 6\n").unwrap();
        let command = with_file_defaults(Cli::command(), Path::new("q.toml"), &file).unwrap();
        let matches = command
            .clone()
            .try_get_matches_from(["quanze", "serve", "--search-limit", "30"])
            .unwrap();
        let cli = Cli::from_arg_matches(&matches).unwrap();
        assert_eq!(cli.db_pool_size, Some(6));
        let super::super::Command::Serve {
            bind, search_limit, ..
        } = cli.command
        else {
            panic!("not serve");
        };
        assert_eq!(bind, "0.0.0.0:9000");
        assert_eq!(search_limit, 30);
    }

    #[test]
    fn unknown_and_malformed_settings_are_refused() {
        let unknown = settings("bnd = \"x\"").unwrap();
        let e = with_file_defaults(Cli::command(), Path::new("q.toml"), &unknown).unwrap_err();
        assert!(e.to_string().contains("unknown setting `bnd`"), "{e}");
        assert!(e.to_string().contains("bind"), "{e}");
        assert!(settings("bind = [1, 2]").unwrap_err().contains("`bind`"));
        assert!(settings("config = \"other.toml\"").is_err());
        assert_eq!(
            settings("search-limit = 5")
                .unwrap()
                .get("QUANZE_SEARCH_LIMIT")
                .map(String::as_str),
            Some("5")
        );
        assert!(settings("bind = ").is_err());
    }
}
