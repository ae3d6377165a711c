//! Madoguchi, the app: the command line (and, to come, the procedure engine
//! and the GUI) over the card, PKI and protocol crates, plus the
//! translations and the error catalogue they share.

pub mod card_source;
pub mod cli;
pub mod client;
pub mod errors;
pub mod flow;
pub mod i18n;
pub mod local_window;
pub mod ui;
