//! `quanze`: the one binary of the registry: the command line and the HTTP service.
//!
//! The modules, from the outside in: `cli` (commands) starts `app` (the actix app), which
//! routes to `api` (JSON) and `pages` (HTML); both read through `views` (read models shared by
//! the two), take requests apart with `extract` and fail with `error` (the one mapping to
//! HTTP); `middleware` wraps every route; `state` is what handlers share; `follower` keeps the
//! search index in step with the registry. ARCHITECTURE.md has the whole picture.

mod api;
mod app;
mod cli;
mod error;
mod extract;
mod follower;
mod middleware;
mod openapi;
mod pages;
mod request_scope;
mod state;
mod views;
mod workbench;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::config::parse_args() {
        Ok(args) => args,
        Err(e) => {
            init_logging(cli::LogFormat::Text);
            return e.report();
        }
    };
    init_logging(args.log_format);
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => e.report(),
    }
}

/// Logs go to stderr, filtered by `QUANZE_LOG` (default `warn`), as text for a person or as one
/// JSON object per line for a log collector.
fn init_logging(format: cli::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("QUANZE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        cli::LogFormat::Text => logs.init(),
        cli::LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .init(),
    }
}
