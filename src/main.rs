use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // Logs go to stderr, `warn` unless RUST_LOG says otherwise. APDU data of
    // VERIFY and CHANGE REFERENCE DATA is masked at the source.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    madoguchi::cli::run(madoguchi::cli::Cli::parse())
}
