//! The CLI's one error type and the one place that maps failures to exit codes: 0 done, 1 our
//! failure (database, index, I/O), 2 usage (clap's own), 3 input read but rejected (invalid
//! records or arguments, unknown names, a bad database URL, a request that does not fit the
//! state, such as a backup onto an existing file).

use std::process::ExitCode;

use quanze_registry::RegistryError;

/// Exit code for input that was read but rejected.
pub const EXIT_REJECTED: u8 = 3;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("search index: {0}")]
    Index(#[from] quanze_indexer::IndexError),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An argument the command cannot use; the message says which and why.
    #[error("{0}")]
    Argument(String),
    /// The input was read and rejected; its report is printed already.
    #[error("the input was rejected; nothing was written")]
    Rejected,
}

impl CliError {
    /// An I/O failure on a named file (or address).
    pub fn io(path: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> CliError {
        let path = path.to_string();
        move |source| CliError::Io { path, source }
    }

    fn is_broken_pipe(&self) -> bool {
        let io = match self {
            CliError::Io { source, .. } | CliError::Registry(RegistryError::Io { source, .. }) => {
                source
            }
            _ => return false,
        };
        io.kind() == std::io::ErrorKind::BrokenPipe
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Rejected
            | CliError::Argument(_)
            | CliError::Registry(
                RegistryError::Invalid(_)
                | RegistryError::InvalidDatabaseUrl(_)
                | RegistryError::NotFound(_)
                | RegistryError::Conflict(_),
            )
            | CliError::Index(quanze_indexer::IndexError::RebuildRunning(_)) => {
                ExitCode::from(EXIT_REJECTED)
            }
            _ => ExitCode::FAILURE,
        }
    }

    /// Tells the operator what went wrong (problems one per line) and returns the exit code.
    /// `quanze export | head`: the reader closing the pipe is not a failure.
    pub fn report(&self) -> ExitCode {
        if self.is_broken_pipe() {
            return ExitCode::SUCCESS;
        }
        match self {
            CliError::Registry(RegistryError::Invalid(problems)) => {
                for p in problems {
                    eprintln!("error: {p}");
                }
            }
            CliError::Rejected => {}
            other => eprintln!("error: {other}"),
        }
        self.exit_code()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(
            CliError::Rejected.exit_code(),
            ExitCode::from(EXIT_REJECTED)
        );
        assert_eq!(
            CliError::Registry(RegistryError::NotFound("x".into())).exit_code(),
            ExitCode::from(EXIT_REJECTED)
        );
        assert_eq!(
            CliError::Registry(RegistryError::Corrupt("x".into())).exit_code(),
            ExitCode::FAILURE
        );
        let pipe = CliError::io("stdout")(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(pipe.report(), ExitCode::SUCCESS);
    }
}
