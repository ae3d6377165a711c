//! `madoguchi`: the command line, or the app when no command is given. The
//! two drivers do not know each other; this is where one is chosen.

use std::process::ExitCode;

use clap::Parser;
use madoguchi::cli::{self, Run, exit};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // Logs go to stderr, `warn` unless RUST_LOG says otherwise. APDU data of
    // VERIFY and CHANGE REFERENCE DATA is masked at the source.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    match cli::run(cli::Cli::parse()) {
        Run::Done(code) => code,
        Run::App(request) => match app(request) {
            Ok(()) => ExitCode::from(exit::OK),
            Err(e) => {
                // No display (a terminal over SSH, a service), or a build
                // without the window: the commands still work.
                eprintln!("{e}");
                eprintln!(
                    "madoguchi --help: status, cert, revoke, check, change-password, server-info"
                );
                ExitCode::from(exit::FAILURE)
            }
        },
    }
}

#[cfg(feature = "gui")]
fn app(request: cli::AppRequest) -> anyhow::Result<()> {
    madoguchi::ui::run(madoguchi::ui::Launch {
        demo: request.demo,
        demo_profile: request.demo_profile,
        demo_material: None,
        counter: request.counter,
        language: request.language,
        paths: None,
        reader: request.reader,
    })
}

#[cfg(not(feature = "gui"))]
fn app(_: cli::AppRequest) -> anyhow::Result<()> {
    anyhow::bail!("this madoguchi was built without the window (cargo feature `gui`)")
}
