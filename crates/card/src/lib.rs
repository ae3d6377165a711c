//! madoguchi-card: everything between Madoguchi and a JPKI card.
//!
//! Layers, bottom up, and what each module owns:
//! - [`apdu`] and [`sw`]: the ISO 7816-4 command/response codec and what each
//!   status word means on a JPKI card. With [`ids`] (AIDs, FIDs, token
//!   labels, the SHA-256 DigestInfo prefix) they hold every protocol number;
//!   no other module spells out APDU bytes.
//! - [`atr`]: what the ATR's historical bytes say about extended lengths.
//! - [`channel`]: the [`CardChannel`] trait (one APDU in, one response out),
//!   with `61xx`/`6Cxx` handling and log masking shared by every channel.
//! - [`pcsc`]: the PC/SC channel ([`PcscChannel`], [`connect`]) and reader
//!   listing ([`list_readers`]).
//! - [`watch`]: the reader/card watch thread ([`Watch`], [`WatchEvent`]).
//! - [`jpki`]: JPKI AP operations ([`JpkiCard`]): select by AID, token kind,
//!   certificates, tries left, VERIFY, signature, CHANGE REFERENCE DATA, the
//!   card-info AP's PIN status, APDU/byte counters; and the pure parsers
//!   [`parse_token_info`] and [`der_total_length`] (fuzz targets).
//! - [`guard`]: the 5-strike signing-password guard ([`PasswordGuard`]); the
//!   road by which the application sends a password to the card.
//! - [`error`] and [`secret`]: typed errors with their catalogue numbers, and
//!   the zeroizing [`Secret`].
//!
//! Card I/O blocks: run it off the UI thread.

pub mod apdu;
pub mod atr;
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
pub use guard::{
    ChangeOutcome, FormatError, GuardError, LastTryConfirmation, LastTryRequest, Normalisation,
    PasswordGuard, PasswordState, VerifyOutcome, check_format,
};
pub use jpki::{
    CertificateKind, DerLengthError, ExtendedRead, IoStats, JpkiCard, PinStatus, TokenKind,
    der_total_length, parse_token_info,
};
pub use pcsc::{PcscChannel, ReaderInfo, connect, list_readers};
pub use secret::Secret;
pub use sw::StatusWord;
pub use watch::{Watch, WatchEvent};
