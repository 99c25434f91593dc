//! Starts Tenantry; any start-up failure ends with one line saying what to fix.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match server::run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tenantry: {message}");
            ExitCode::FAILURE
        }
    }
}
