//! The core without a window: the procedure engine walked through every
//! manual section and under trouble, demo mode, and the error catalogue.
//! Built without iced (the app's own tests, which run the binary, are the
//! root package's `app` and `gui`).

#[path = "../../../../tests/flow_support/mod.rs"]
mod flow_support;

mod demo_mode;
mod errors_doc;
mod flow_manual;
mod flow_robustness;
