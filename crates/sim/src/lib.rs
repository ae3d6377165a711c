//! madoguchi-sim: a faithful virtual JPKI card (My Number card).
//!
//! - [`profile`]: the card profile (TOML) — certificates, keys, secrets,
//!   holder facts.
//! - [`card`]: [`VirtualCard`], the card's state machine (APDU bytes in,
//!   response bytes out), with retry counters persisted in a state file.
//! - [`faults`]: fault injection (removal after APDU n, stalls, chosen
//!   status words), armed at run time through a shared handle.
//! - [`channel`]: [`SimChannel`], the in-process
//!   [`CardChannel`](madoguchi_card::CardChannel).
//! - [`vpcd`]: the bridge to pcscd's vpcd driver, so any PC/SC program sees
//!   the card.

pub mod card;
pub mod channel;
pub mod faults;
pub mod profile;
pub mod state;
pub mod vpcd;

pub use card::{ATR, Application, EXTENDED_ATR, VirtualCard};
pub use channel::{Observer, SharedCard, SimChannel, SimHandle, SimStats, share};
pub use faults::{FailRule, Faults, Stall};
pub use profile::{CardOptions, Profile, ProfileError};
pub use state::StateError;
pub use vpcd::{Bridge, BridgeHandle};

/// Failures opening a virtual card.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    State(#[from] StateError),
}
