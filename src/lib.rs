//! Madoguchi, the app: its two thin drivers, the command line (`cli`) and
//! the iced GUI (`ui`, the default feature `gui`), over `madoguchi-core`
//! (the procedure engine, the online window client, the card session, the
//! catalogue and the words both drivers print). The drivers never import
//! each other; `main.rs` chooses between them.
//!
//! The core's modules are re-exported under their old paths, so
//! `crate::flow::…` and `madoguchi::flow::…` keep resolving.

/// Look up a message of the shared catalogue (see [`madoguchi_core::fl`]).
pub use madoguchi_core::fl;
pub use madoguchi_core::{
    card_report, card_session, card_source, client, demo, demo_mode, errors, flow, i18n,
    presentation, staff_pin, trust_config,
};

pub mod cli;
#[cfg(feature = "gui")]
pub mod ui;
