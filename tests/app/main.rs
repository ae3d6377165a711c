//! The app without its window: the command line, run as the binary (in
//! process cards and windows, and through pcscd + vpcd). One test binary, so
//! the app is linked once. Builds without the `gui` feature. The engine's own
//! tests are the core's (crates/core/tests/core).

#[path = "../flow_support/mod.rs"]
mod flow_support;
#[path = "../support/mod.rs"]
mod support;

mod cli_card;
mod cli_procedure;
// pcscd + vpcd, as CI has them on Linux; Windows and macOS runners have
// neither, so these are not built there (everything else is).
#[cfg(target_os = "linux")]
mod procedure_pcsc;
