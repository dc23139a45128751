//! The `wish-api` binary: parses the command line and runs it.

use std::process::ExitCode;

use clap::Parser;

// Requests allocate and free many small values (rows, GraphQL values, JSON);
// mimalloc served the uncached benchmarks 6 to 17 % faster than the system's
// allocator at the same memory (bench/RESULTS.md, run 8).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
