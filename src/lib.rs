//! Madoguchi, the app: the procedure engine (`flow`), the online window
//! client (`client`), and its two thin drivers, the command line (`cli`) and
//! the iced GUI (`ui`), over the card, PKI and protocol crates; plus the
//! translations and the error catalogue they share.

pub mod card_report;
pub mod card_source;
pub mod cli;
pub mod client;
pub mod demo_mode;
pub mod errors;
pub mod flow;
pub mod i18n;
pub mod staff_pin;
pub mod trust_config;
pub use madoguchi_demo as demo;
pub mod ui;
