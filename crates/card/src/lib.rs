//! madoguchi-card: everything between Madoguchi and a JPKI card.
//!
//! Layers, bottom up:
//! - [`apdu`] and [`sw`]: the ISO 7816-4 command/response codec and what each
//!   status word means on a JPKI card. No other module builds APDU bytes.
//! - [`channel`]: the [`CardChannel`] trait (one APDU in, one response out),
//!   with `61xx`/`6Cxx` handling and log masking shared by every channel.
//! - [`pcsc`] and [`watch`]: the PC/SC channel, reader listing, and the
//!   reader/card watch.
//! - [`jpki`]: JPKI AP operations (select, token, certificates, tries left,
//!   VERIFY, signature, CHANGE REFERENCE DATA).
//! - [`guard`]: the 5-strike signing-password guard; the only road by which a
//!   password reaches the card.

pub mod apdu;
pub mod channel;
pub mod error;
pub mod guard;
pub mod ids;
pub mod jpki;
pub mod pcsc;
pub mod secret;
pub mod sw;
#[cfg(test)]
mod testcard;
pub mod watch;

pub use apdu::{ApduError, Command, Le, Response};
pub use channel::{CardChannel, TransportError};
pub use error::{CardError, PinKind};
pub use secret::Secret;
pub use sw::StatusWord;
