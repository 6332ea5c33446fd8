//! `quanze`: the one binary of the registry: the command line and the HTTP service.

mod accounts_cli;
mod cli;
mod demo;
mod http;
mod pages;
mod serve;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("QUANZE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        // `quanze export | head`: the reader closing the pipe is not a failure.
        Err(quanze_registry::RegistryError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            cli::exit_code_for(&e)
        }
    }
}
