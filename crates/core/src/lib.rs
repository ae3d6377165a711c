//! Madoguchi without a window: everything the two drivers (the iced GUI and
//! the command line, both in the `madoguchi` package) share, and nothing
//! that draws. This crate does not depend on iced.
//!
//! - [`flow`]: the procedure engine (`Input → Vec<Effect>`) and its executor;
//! - [`client`]: the online window client;
//! - [`card_session`]: opening the card for a password's work (AP, token,
//!   guard, count); [`card_report`]: what a card says without a try spent;
//!   [`card_source`]: where the card comes from;
//! - [`errors`] and [`i18n`]: the error catalogue and the translations;
//! - [`presentation`]: the words both drivers print (PIN names, tries,
//!   token kinds, sex, era dates and times);
//! - [`staff_pin`], [`trust_config`], [`demo_mode`]: counter staff's PIN,
//!   the configured trust, the demo's card and window.

pub mod card_report;
pub mod card_session;
pub mod card_source;
pub mod client;
pub mod demo_mode;
pub mod errors;
pub mod flow;
pub mod i18n;
pub mod presentation;
pub mod staff_pin;
pub mod trust_config;
pub use madoguchi_demo as demo;
