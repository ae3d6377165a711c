//! The app without its window: the procedure engine walked through every
//! manual section, its robustness, the command line (in process and through
//! pcscd + vpcd), and the error catalogue. One test binary, so the app is
//! linked once.

#[path = "../flow_support/mod.rs"]
mod flow_support;
#[path = "../support/mod.rs"]
mod support;

mod cli_card;
mod cli_procedure;
mod demo_mode;
mod errors_doc;
mod flow_manual;
mod flow_robustness;
// pcscd + vpcd, as CI has them on Linux; Windows and macOS runners have
// neither, so these are not built there (everything else is).
#[cfg(target_os = "linux")]
mod procedure_pcsc;
