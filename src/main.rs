//! The `wish-api` binary: parses the command line and runs it.

use std::process::ExitCode;

use clap::Parser;

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = api::cli::Cli::parse();
    match api::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One clear line for the operator, with the cause chain; no panic, no backtrace.
            eprintln!("wish-api: {err:#}");
            ExitCode::FAILURE
        }
    }
}
