//! Madoguchi, the app: CLI and (later) GUI drivers over the card, PKI and
//! protocol crates, plus the translations and the error catalogue they share.

pub mod errors;
pub mod i18n;
