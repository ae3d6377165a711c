//! madoguchi-server: the reference online window.
//!
//! A signed request (CMS SignedData around the canonical request document, see
//! `madoguchi_pki`) arrives over HTTPS; [`check`] runs the checks in DESIGN.md's order, the
//! [`commit`] thread decides the challenge and status inside one durable transaction per batch
//! (group commit) of the [`store`] — SQLite, or PostgreSQL ([`pg`]) shared by several
//! stateless instances — and [`app`] answers with the JSON of `madoguchi_pki::wire`.
//! `docs/protocol.md` is the normative protocol.

pub mod app;
pub mod challenge;
pub mod check;
pub mod cli;
pub mod clock;
pub mod commit;
pub mod config;
pub mod crl;
pub mod material;
pub mod pg;
pub mod server;
pub mod store;
pub mod testkit;

pub use config::{Config, Limits};
pub use pg::PostgresStore;
pub use server::{RunningServer, WindowSetup, start, start_with};
pub use store::{SqliteStore, Store};
