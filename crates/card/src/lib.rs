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
//!
//! # Sharing the card: what this crate relies on
//!
//! The card is shared with other PC/SC programs (a browser's PKCS#11
//! module through OpenSC, the official JPKI client, token daemons), so:
//!
//! - **Every guarded sequence is one transaction** ([`JpkiCard::atomic`],
//!   `SCardBeginTransaction`/`SCardEndTransaction`): SELECT AP, SELECT IEF,
//!   the tries read, VERIFY, and the read or signature it unlocks. OpenSC
//!   does the same around its own multi-APDU sequences (`sc_lock`), which is
//!   why its APDUs cannot come between ours inside one. Everything is
//!   selected again inside each transaction: a selection made before a wait
//!   for the resident is not trusted, since another program may have moved
//!   the card to another EF (then a VERIFY meant for `001B` would spend a
//!   try of the authentication PIN, and a right password would look wrong).
//! - **The verified state ends with the card work.** A transaction that sent
//!   a password ends with [`TransactionEnd::Unpower`]: soltia48/myna-card
//!   (`src/transport/pcsc.rs`, `power_cycle`) found a JPKI test card that
//!   keeps a VERIFY across a warm reset and a reconnect, and loses it only
//!   on power-off. pcsc-lite then reports the reset to our own handle too
//!   (`SCARD_W_RESET_CARD`), which [`PcscChannel`] acknowledges by
//!   reconnecting with `SCARD_LEAVE_CARD`.
//! - **No re-select between a VERIFY and what it unlocks.** OpenSC logs out
//!   of the JPKI AP by selecting it again (`card-jpki.c`, `jpki_logout`), so
//!   a card may end the VERIFY on any SELECT of the AP.
//! - **An empty VERIFY may answer `63 Cx` even after the right password**
//!   (a real card in the review thread of OpenSC PR #959), so "verified" is
//!   never inferred from it; `90 00` is taken as verified, `63 Cx` as a
//!   count.
//! - **Short APDUs** unless the ATR's card capabilities announce extended
//!   Lc/Le ([`atr`]): every public JPKI tool reads with short READ BINARY
//!   (OpenSC, jpki-rs, myna, soltia48/myna-card, mnbcard).
//! - **A secret is never sent twice by the channel**: `6Cxx` after a VERIFY
//!   or CHANGE REFERENCE DATA is returned, not followed by a resend.
//!
//! Facts and sources are collected in `shared/reference/jpki-card.md` §13.

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
pub use channel::{CardChannel, TransactionEnd, TransportError};
pub use error::{CardError, PinKind};
pub use guard::{
    CardIdentity, ChangeOutcome, FormatError, GuardError, LastTryConfirmation, LastTryRequest,
    Normalisation, PasswordGuard, PasswordState, RejectedBook, VerifyOutcome, check_format,
};
pub use jpki::{
    CertificateKind, DerLengthError, ExtendedRead, IoStats, JpkiCard, PinStatus, TokenKind,
    der_total_length, parse_token_info,
};
pub use pcsc::{PcscChannel, ReaderInfo, connect, is_virtual_reader, list_readers, pick_reader};
pub use secret::Secret;
pub use sw::StatusWord;
pub use watch::{Watch, WatchEvent};
