//! Madoguchi's demo: everything needed to try the app without a card or an online window,
//! and nothing the product trusts.
//!
//! - [`Profile`]: the demo cards, each showing one situation of the manual.
//! - [`Material`]: the demo's PKI and card profiles, made at run time with a secret seed
//!   (or, for tests, read from the committed `fixtures/`).
//! - [`DemoCard`]: the virtual card in a slot that can be emptied.
//! - [`LocalWindow`]: the reference online window in process on 127.0.0.1.
//! - [`DemoTrust`]: trust in that window's CA, which only a running window hands out and
//!   the client honours only for loopback addresses.

mod card;
pub mod material;
mod profile;
mod trust;
mod window;

pub use card::{Connection, DEMO_READER, DemoCard, connect_once};
pub use material::Material;
pub use profile::{Profile, UnknownProfile};
pub use trust::DemoTrust;
pub use window::{LocalWindow, LocalWindowOptions};
