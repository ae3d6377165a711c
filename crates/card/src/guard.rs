//! The 5-strike password guard: the road by which a password reaches the
//! card. The signing password locks the card after 5 wrong entries in a
//! row, and unlocking it means a trip to the municipal counter; the guard
//! makes a lock-out by accident very hard (DESIGN.md, "The 5-strike password
//! guard"):
//!
//! 1. **Format before sending** ([`check_format`]): signing password 6–16
//!    characters A–Z, 0–9; lowercase a–z is upper-cased and the caller is
//!    told ([`Normalisation::UpperCased`]); anything else never reaches the
//!    card and costs no try. (PINs: exactly 4 digits.)
//! 2. **Tries read before every VERIFY**, in the same call, with the empty
//!    VERIFY that spends no try. Locked → nothing is sent
//!    ([`GuardError::Locked`]). A card that answers the empty VERIFY with
//!    `90 00` ("already verified", no count) is reset and asked again, so the
//!    count is always known before a password is sent.
//! 3. **Last try needs an explicit confirmation**, enforced by the API: at 1
//!    try left, [`PasswordGuard::verify`] returns
//!    [`VerifyOutcome::NeedsLastTryConfirmation`] with a [`LastTryRequest`];
//!    only [`PasswordGuard::confirm_last_try`] turns that into the
//!    [`LastTryConfirmation`] the next call must carry. Neither can be made
//!    any other way, copied, or used twice. [`PasswordState::Warning`] at 2
//!    left.
//! 4. **No password is ever sent on its own**: one call sends at most one
//!    VERIFY; nothing is retried or resent; the guard keeps no password. A
//!    password the card rejected is remembered only as a salted SHA-256
//!    hash, and typing it again is refused before anything is sent
//!    ([`GuardError::SameAsRejected`]).
//! 5. Passwords stay in [`Secret`] / zeroizing buffers; errors and `Debug`
//!    output never contain them; APDU logs mask VERIFY and CHANGE REFERENCE
//!    DATA data (see [`crate::apdu::Command`]).
//!
//! The rejected-password memory belongs to the card: a guard made with
//! [`PasswordGuard::for_card`] shares it with every other guard for the
//! same card made from the same [`RejectedBook`], which the app keeps for
//! its lifetime, so cancelling a login or pressing Retry does not make the
//! same wrong password cost another try. The card is told apart by its authentication certificate,
//! which is readable without a password ([`JpkiCard::identity`]).

use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::channel::CardChannel;
use crate::error::{CardError, PinKind};
use crate::jpki::{JpkiCard, PinStatus, VerifyFailure};
use crate::secret::Secret;

/// How the input was changed before sending; the caller tells the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Normalisation {
    /// Lowercase letters were upper-cased.
    UpperCased,
}

/// Why a password or PIN was refused before it reached the card.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("too short: {len} characters, at least {min}")]
    TooShort { len: usize, min: usize },
    #[error("too long: {len} characters, at most {max}")]
    TooLong { len: usize, max: usize },
    /// A character other than those allowed (A–Z and 0–9 for the signing
    /// password, 0–9 for PINs). Which one is not said.
    #[error("contains a character that is not allowed")]
    InvalidCharacter,
}

/// A password that passed [`check_format`], in the form that will be sent.
pub struct CheckedPassword {
    secret: Secret,
    normalisation: Option<Normalisation>,
}

impl CheckedPassword {
    /// What was changed in the input, if anything.
    pub fn normalisation(&self) -> Option<Normalisation> {
        self.normalisation
    }

    /// The password as it will be sent.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}

impl std::fmt::Debug for CheckedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedPassword")
            .field("secret", &self.secret)
            .field("normalisation", &self.normalisation)
            .finish()
    }
}

/// Length limits and alphabet of each secret.
fn rules(kind: PinKind) -> (usize, usize, bool) {
    match kind {
        // (min, max, letters allowed)
        PinKind::SigningPassword => (6, 16, true),
        PinKind::AuthenticationPin | PinKind::CardInfoPin => (4, 4, false),
    }
}

/// The format check (rule 1): the signing password is 6–16 characters of
/// A–Z and 0–9, lowercase a–z upper-cased; PINs are exactly 4 digits.
/// Anything else is refused here and never reaches the card.
pub fn check_format(kind: PinKind, input: &Secret) -> Result<CheckedPassword, FormatError> {
    let (min, max, letters) = rules(kind);
    let len = input.len();
    let mut out = Zeroizing::new(String::with_capacity(input.expose().len()));
    let mut upper_cased = false;
    let mut bad = false;
    for c in input.expose().chars() {
        match c {
            '0'..='9' => out.push(c),
            'A'..='Z' if letters => out.push(c),
            'a'..='z' if letters => {
                upper_cased = true;
                out.push(c.to_ascii_uppercase());
            }
            _ => bad = true,
        }
    }
    if len < min {
        return Err(FormatError::TooShort { len, min });
    }
    if len > max {
        return Err(FormatError::TooLong { len, max });
    }
    if bad {
        return Err(FormatError::InvalidCharacter);
    }
    Ok(CheckedPassword {
        secret: Secret::from_zeroizing(out),
        normalisation: upper_cased.then_some(Normalisation::UpperCased),
    })
}

/// What the card's own count means for the next entry (rule 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PasswordState {
    /// Three or more tries left.
    Normal { tries_left: u8 },
    /// Two tries left: warn.
    Warning { tries_left: u8 },
    /// One try left: a wrong entry locks; confirmation required.
    LastTry,
    /// Locked: nothing is sent; the holder goes to the municipal counter.
    Locked,
    /// The card says the password is verified in this session and gives no
    /// count (some cards answer the empty VERIFY so).
    AlreadyVerified,
}

impl PasswordState {
    fn from_status(s: PinStatus) -> Self {
        match s {
            PinStatus::Locked | PinStatus::TriesLeft(0) => PasswordState::Locked,
            PinStatus::TriesLeft(1) => PasswordState::LastTry,
            PinStatus::TriesLeft(n @ 2) => PasswordState::Warning { tries_left: n },
            PinStatus::TriesLeft(n) => PasswordState::Normal { tries_left: n },
            PinStatus::AlreadyVerified => PasswordState::AlreadyVerified,
        }
    }

    /// Tries left, when the card gave a count.
    pub fn tries_left(self) -> Option<u8> {
        match self {
            PasswordState::Normal { tries_left } | PasswordState::Warning { tries_left } => {
                Some(tries_left)
            }
            PasswordState::LastTry => Some(1),
            PasswordState::Locked => Some(0),
            PasswordState::AlreadyVerified => None,
        }
    }
}

/// The guard's answer at one try left: nothing was sent. Hand it to
/// [`PasswordGuard::confirm_last_try`] once the holder has confirmed.
#[must_use = "the last try needs the holder's confirmation"]
#[derive(Debug, PartialEq, Eq)]
pub struct LastTryRequest {
    nonce: u64,
    kind: PinKind,
}

/// Permission to send the password at one try left; made only by
/// [`PasswordGuard::confirm_last_try`], good for one call of the guard that
/// made it.
#[derive(Debug, PartialEq, Eq)]
pub struct LastTryConfirmation {
    nonce: u64,
    kind: PinKind,
}

/// Result of [`PasswordGuard::verify`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// The card accepted the password.
    Verified {
        normalisation: Option<Normalisation>,
    },
    /// One try left: nothing was sent. Ask the holder (error catalogue
    /// E115), then call again with the confirmation.
    NeedsLastTryConfirmation(LastTryRequest),
}

/// Result of [`PasswordGuard::change_password`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The password was changed. `normalisation` concerns the new password.
    Changed {
        normalisation: Option<Normalisation>,
    },
    /// One try left for the old password: nothing was sent.
    NeedsLastTryConfirmation(LastTryRequest),
}

/// Guard failures. [`GuardError::sent_to_card`] tells whether a password
/// was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// The (old) password's format is wrong; nothing was sent.
    #[error("the password format is wrong: {0}")]
    Format(FormatError),
    /// The new password's format is wrong; nothing was sent.
    #[error("the new password format is wrong: {0}")]
    NewFormat(FormatError),
    /// The card already rejected this password; nothing was sent.
    #[error("this password was already rejected by the card")]
    SameAsRejected,
    /// A confirmation that this guard did not issue for this state, or one
    /// already used; nothing was sent.
    #[error("the last-try confirmation is not valid here")]
    InvalidConfirmation,
    /// Locked. `just_now`: this call's VERIFY locked it; otherwise nothing
    /// was sent.
    #[error("{kind:?} is locked")]
    Locked { kind: PinKind, just_now: bool },
    /// The card rejected the password.
    #[error("wrong password: {tries_left} tries left")]
    WrongPassword {
        kind: PinKind,
        tries_left: u8,
        state: PasswordState,
    },
    /// Anything else from the card or reader, before the VERIFY was handed
    /// to the reader (nothing was sent) or in the card's answer to it.
    #[error(transparent)]
    Card(#[from] CardError),
    /// The VERIFY was handed to the reader and no answer came back (the
    /// card was removed, did not answer, or the reader failed): whether the
    /// card checked the password and counted a try is unknown. It is not
    /// resent; the next call reads the count again before anything else
    /// (error catalogue E120).
    #[error("no answer to the password check: {0}")]
    NoAnswer(CardError),
}

impl GuardError {
    /// The entry number in `docs/errors.md`.
    pub fn catalogue_number(&self) -> u16 {
        match self {
            GuardError::Format(_) | GuardError::NewFormat(_) => 113,
            GuardError::SameAsRejected => 114,
            GuardError::InvalidConfirmation => 115,
            GuardError::Locked { .. } => 111,
            GuardError::WrongPassword { .. } => 110,
            GuardError::Card(e) => e.catalogue_number(),
            GuardError::NoAnswer(_) => 120,
        }
    }

    /// Whether a password reached the card in the failed call (a wrong or
    /// locking entry). [`GuardError::NoAnswer`]: it may or may not have;
    /// see [`GuardError::may_have_counted`].
    pub fn sent_to_card(&self) -> bool {
        matches!(
            self,
            GuardError::WrongPassword { .. } | GuardError::Locked { just_now: true, .. }
        )
    }
}

impl GuardError {
    /// Whether the card may have counted a try without saying so: the
    /// VERIFY left and no answer came back.
    pub fn may_have_counted(&self) -> bool {
        matches!(self, GuardError::NoAnswer(_))
    }
}

/// Remembered rejected passwords, at most this many (the card locks after
/// 5; a counter visit may reset it).
const MAX_REJECTED: usize = 32;

/// What identifies a card without a password: SHA-256 of the start of its
/// authentication certificate (issuer and serial number), from
/// [`JpkiCard::identity`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardIdentity(pub(crate) [u8; 32]);

impl std::fmt::Debug for CardIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardIdentity(..)")
    }
}

/// Rejected passwords of one card: salted hashes only.
struct Rejected {
    salt: Zeroizing<[u8; 16]>,
    hashes: Vec<Zeroizing<[u8; 32]>>,
}

impl Rejected {
    fn new() -> Rejected {
        let mut salt = Zeroizing::new([0u8; 16]);
        rand::rngs::OsRng.fill_bytes(&mut salt[..]);
        Rejected {
            salt,
            hashes: Vec::new(),
        }
    }
}

type SharedRejected = std::sync::Arc<std::sync::Mutex<Rejected>>;

/// Cards whose rejected passwords a [`RejectedBook`] remembers, at most this
/// many (a counter terminal sees many cards in a day).
const MAX_CARDS: usize = 64;

/// The rejected-password memory of every card seen, by card. The app makes
/// one and keeps it for its lifetime, so cancelling a login, pressing Retry
/// or starting another procedure does not forget that the card refused a
/// password. Clones share the same memory.
#[derive(Clone, Default)]
pub struct RejectedBook(std::sync::Arc<std::sync::Mutex<Vec<(CardIdentity, SharedRejected)>>>);

impl RejectedBook {
    fn memory_of(&self, card: CardIdentity) -> SharedRejected {
        let mut book = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, m)) = book.iter().find(|(id, _)| *id == card) {
            return m.clone();
        }
        if book.len() >= MAX_CARDS {
            book.remove(0);
        }
        let m = SharedRejected::new(std::sync::Mutex::new(Rejected::new()));
        book.push((card, m.clone()));
        m
    }
}

impl std::fmt::Debug for RejectedBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cards = self.0.lock().map(|b| b.len()).unwrap_or(0);
        write!(f, "RejectedBook({cards} cards)")
    }
}

/// The guard for one secret of one card. See the module docs.
pub struct PasswordGuard {
    kind: PinKind,
    rejected: SharedRejected,
    next_nonce: u64,
    /// The request issued at one try left, not yet confirmed.
    issued: Option<u64>,
    /// The confirmation made from it, not yet used.
    confirmed: Option<u64>,
}

impl PasswordGuard {
    /// A guard for `kind` (normally [`PinKind::SigningPassword`]) with a
    /// memory of rejected passwords of its own (use
    /// [`PasswordGuard::for_card`] when the card is known).
    pub fn new(kind: PinKind) -> Self {
        Self::with_memory(
            kind,
            SharedRejected::new(std::sync::Mutex::new(Rejected::new())),
        )
    }

    /// A guard for `kind` on the card `card`, with the memory of rejected
    /// passwords `book` keeps for that card (shared with every other guard
    /// made from `book` for the same card). Without an identity (`None`),
    /// a memory of its own.
    pub fn for_card(kind: PinKind, book: &RejectedBook, card: Option<CardIdentity>) -> Self {
        match card {
            Some(card) => Self::with_memory(kind, book.memory_of(card)),
            None => Self::new(kind),
        }
    }

    fn with_memory(kind: PinKind, rejected: SharedRejected) -> Self {
        PasswordGuard {
            kind,
            rejected,
            next_nonce: rand::rngs::OsRng.next_u64(),
            issued: None,
            confirmed: None,
        }
    }

    /// The secret this guard watches over.
    pub fn kind(&self) -> PinKind {
        self.kind
    }

    /// The card's own count, read without spending a try (show it at every
    /// entry). Never changes the card's state. Only the card can fail here,
    /// hence a [`CardError`], not a [`GuardError`].
    pub fn status<C: CardChannel>(
        &mut self,
        card: &mut JpkiCard<C>,
    ) -> Result<PasswordState, CardError> {
        Ok(PasswordState::from_status(card.tries_left(self.kind)?))
    }

    /// Whether the card already rejected this password (as typed, after
    /// normalisation); `false` for malformed input.
    pub fn was_rejected(&self, password: &Secret) -> bool {
        check_format(self.kind, password).is_ok_and(|c| self.is_rejected(&c))
    }

    /// Turn a [`LastTryRequest`] this guard issued into the confirmation the
    /// next [`PasswordGuard::verify`] or [`PasswordGuard::change_password`]
    /// carries. Call it only after the holder confirmed the last try.
    pub fn confirm_last_try(
        &mut self,
        request: LastTryRequest,
    ) -> Result<LastTryConfirmation, GuardError> {
        if request.kind != self.kind || self.issued != Some(request.nonce) {
            return Err(GuardError::InvalidConfirmation);
        }
        self.issued = None;
        self.confirmed = Some(request.nonce);
        Ok(LastTryConfirmation {
            nonce: request.nonce,
            kind: request.kind,
        })
    }

    /// VERIFY `password` through the guard: format check, rejected check,
    /// tries read, last-try confirmation, then at most one VERIFY.
    pub fn verify<C: CardChannel>(
        &mut self,
        card: &mut JpkiCard<C>,
        password: &Secret,
        confirmation: Option<LastTryConfirmation>,
    ) -> Result<VerifyOutcome, GuardError> {
        // A confirmation is good for exactly one call, whatever its outcome.
        let expected = self.confirmed.take();
        let checked = check_format(self.kind, password).map_err(GuardError::Format)?;
        match self.prepare(card, &checked, confirmation, expected)? {
            Some(request) => Ok(VerifyOutcome::NeedsLastTryConfirmation(request)),
            None => {
                self.send(card, &checked)?;
                Ok(VerifyOutcome::Verified {
                    normalisation: checked.normalisation,
                })
            }
        }
    }

    /// Change the password through the guard: both passwords format-checked
    /// (the new one by the same rules), the old one goes through the same
    /// steps as [`PasswordGuard::verify`], then CHANGE REFERENCE DATA.
    pub fn change_password<C: CardChannel>(
        &mut self,
        card: &mut JpkiCard<C>,
        old: &Secret,
        new: &Secret,
        confirmation: Option<LastTryConfirmation>,
    ) -> Result<ChangeOutcome, GuardError> {
        let expected = self.confirmed.take();
        let checked_old = check_format(self.kind, old).map_err(GuardError::Format)?;
        let checked_new = check_format(self.kind, new).map_err(GuardError::NewFormat)?;
        if let Some(request) = self.prepare(card, &checked_old, confirmation, expected)? {
            return Ok(ChangeOutcome::NeedsLastTryConfirmation(request));
        }
        self.send(card, &checked_old)?;
        card.change_reference_data(self.kind, checked_new.secret())?;
        // The new password is the right one now, whatever was said before.
        let mut memory = self.memory();
        let h = hash(&memory.salt, self.kind, &checked_new);
        memory.hashes.retain(|r| **r != *h);
        Ok(ChangeOutcome::Changed {
            normalisation: checked_new.normalisation,
        })
    }

    /// Steps 2–4 before a VERIFY: rejected check, confirmation check, tries
    /// read. `Some(request)` when the last-try confirmation is missing.
    fn prepare<C: CardChannel>(
        &mut self,
        card: &mut JpkiCard<C>,
        checked: &CheckedPassword,
        confirmation: Option<LastTryConfirmation>,
        expected: Option<u64>,
    ) -> Result<Option<LastTryRequest>, GuardError> {
        let confirmed = match confirmation {
            None => false,
            Some(c) if c.kind == self.kind && Some(c.nonce) == expected => true,
            Some(_) => return Err(GuardError::InvalidConfirmation),
        };
        if self.is_rejected(checked) {
            return Err(GuardError::SameAsRejected);
        }
        let mut status = card.tries_left(self.kind)?;
        if status == PinStatus::AlreadyVerified {
            // No count: drop the session's security state and ask again.
            tracing::debug!(target: "madoguchi::guard", "card gives no count while verified; resetting it to read the count");
            card.reset()?;
            status = card.tries_left(self.kind)?;
        }
        match status {
            PinStatus::TriesLeft(0) | PinStatus::Locked => Err(GuardError::Locked {
                kind: self.kind,
                just_now: false,
            }),
            PinStatus::TriesLeft(1) if !confirmed => {
                let nonce = self.next_nonce;
                self.next_nonce = self.next_nonce.wrapping_add(1);
                self.issued = Some(nonce);
                Ok(Some(LastTryRequest {
                    nonce,
                    kind: self.kind,
                }))
            }
            PinStatus::TriesLeft(_) => Ok(None),
            PinStatus::AlreadyVerified => Err(GuardError::Card(CardError::UnexpectedStatus {
                operation: "read tries left after reset",
                sw: crate::sw::StatusWord::Ok,
            })),
        }
    }

    /// The one VERIFY of a call.
    fn send<C: CardChannel>(
        &mut self,
        card: &mut JpkiCard<C>,
        checked: &CheckedPassword,
    ) -> Result<(), GuardError> {
        let answered = match card.verify_telling(self.kind, checked.secret()) {
            Ok(()) => return Ok(()),
            Err(VerifyFailure::Before(e)) => return Err(GuardError::Card(e)),
            Err(VerifyFailure::NoAnswer(e)) => {
                // The card may have counted a try; nothing is resent, and the
                // next call reads the count again before anything else.
                tracing::debug!(target: "madoguchi::guard", "no answer to the VERIFY: {e}");
                return Err(GuardError::NoAnswer(e));
            }
            Err(VerifyFailure::Answered(e)) => e,
        };
        match answered {
            CardError::WrongPassword { kind, tries_left } => {
                self.remember_rejected(checked);
                Err(GuardError::WrongPassword {
                    kind,
                    tries_left,
                    state: PasswordState::from_status(PinStatus::TriesLeft(tries_left)),
                })
            }
            CardError::Locked(kind) => {
                self.remember_rejected(checked);
                Err(GuardError::Locked {
                    kind,
                    just_now: true,
                })
            }
            e => Err(GuardError::Card(e)),
        }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, Rejected> {
        self.rejected.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_rejected(&self, checked: &CheckedPassword) -> bool {
        let memory = self.memory();
        let h = hash(&memory.salt, self.kind, checked);
        memory.hashes.iter().any(|r| **r == *h)
    }

    fn remember_rejected(&mut self, checked: &CheckedPassword) {
        let mut memory = self.memory();
        let h = hash(&memory.salt, self.kind, checked);
        if memory.hashes.iter().any(|r| **r == *h) {
            return;
        }
        if memory.hashes.len() >= MAX_REJECTED {
            memory.hashes.remove(0);
        }
        memory.hashes.push(h);
    }
}

/// SHA-256 over one full 64-byte block: salt (16), kind (1), the password
/// zero-padded to 47 bytes (passwords are at most 16). A full block is
/// compressed at once, so the hasher's buffer never keeps password bytes;
/// the block itself is zeroized.
fn hash(salt: &[u8; 16], kind: PinKind, checked: &CheckedPassword) -> Zeroizing<[u8; 32]> {
    let pw = checked.secret().expose().as_bytes();
    let mut block = Zeroizing::new([0u8; 64]);
    block[..16].copy_from_slice(salt);
    block[16] = kind as u8;
    let n = pw.len().min(47);
    block[17..17 + n].copy_from_slice(&pw[..n]);
    let mut h = Sha256::new();
    h.update(&block[..]);
    Zeroizing::new(h.finalize().into())
}

impl std::fmt::Debug for PasswordGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordGuard")
            .field("kind", &self.kind)
            .field("rejected", &self.memory().hashes.len())
            .field("last_try_pending", &self.issued.is_some())
            .field("last_try_confirmed", &self.confirmed.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids;
    use crate::testcard::{FakeCard, JPKI, SIGN_PASSWORD, Seen};
    use proptest::prelude::*;

    const PIN: (u8, u16) = (JPKI, ids::jpki::SIGNING_PASSWORD);

    fn setup(tries: u8) -> (FakeCard, JpkiCard<FakeCard>, PasswordGuard) {
        let fake = FakeCard::my_number_card();
        fake.state().pins.get_mut(&PIN).unwrap().tries = tries;
        let card = JpkiCard::new(fake.clone());
        (fake, card, PasswordGuard::new(PinKind::SigningPassword))
    }

    fn sent(fake: &FakeCard) -> usize {
        fake.state()
            .log
            .iter()
            .filter(|s| matches!(s, Seen::VerifyData { .. }))
            .count()
    }

    fn s(v: &str) -> Secret {
        Secret::new(v)
    }

    #[test]
    fn format_rules() {
        let k = PinKind::SigningPassword;
        assert!(
            check_format(k, &s("ABC123"))
                .unwrap()
                .normalisation()
                .is_none()
        );
        let c = check_format(k, &s("abc123")).unwrap();
        assert_eq!(c.secret().expose(), "ABC123");
        assert_eq!(c.normalisation(), Some(Normalisation::UpperCased));
        assert!(check_format(k, &s("ABCDEFGHIJKLMNOP")).is_ok());
        assert_eq!(
            check_format(k, &s("ABC12")).unwrap_err(),
            FormatError::TooShort { len: 5, min: 6 }
        );
        assert_eq!(
            check_format(k, &s("ABCDEFGHIJKLMNOPQ")).unwrap_err(),
            FormatError::TooLong { len: 17, max: 16 }
        );
        for bad in ["ABC 123", "ABC-123", "ＡＢＣ１２３", "ABC12é", "ABC123\n"] {
            assert_eq!(
                check_format(k, &s(bad)).unwrap_err(),
                FormatError::InvalidCharacter,
                "{bad:?}"
            );
        }
        assert!(check_format(PinKind::AuthenticationPin, &s("1234")).is_ok());
        assert!(check_format(PinKind::AuthenticationPin, &s("12a4")).is_err());
        assert!(check_format(PinKind::CardInfoPin, &s("12345")).is_err());
        // Debug never shows the password.
        assert!(!format!("{c:?}").contains("ABC123"));
    }

    #[test]
    fn malformed_never_reaches_the_card() {
        let (fake, mut card, mut g) = setup(5);
        let e = g.verify(&mut card, &s("abc"), None).unwrap_err();
        assert_eq!(e.catalogue_number(), 113);
        assert!(!e.sent_to_card());
        assert!(fake.state().log.is_empty(), "not even a SELECT");
    }

    #[test]
    fn correct_password_after_a_tries_read() {
        let (fake, mut card, mut g) = setup(3);
        let out = g.verify(&mut card, &s("abc123"), None).unwrap();
        assert_eq!(
            out,
            VerifyOutcome::Verified {
                normalisation: Some(Normalisation::UpperCased)
            }
        );
        let log = fake.state().log.clone();
        let q = log
            .iter()
            .position(|x| matches!(x, Seen::Query { .. }))
            .unwrap();
        let v = log
            .iter()
            .position(|x| matches!(x, Seen::VerifyData { .. }))
            .unwrap();
        assert!(q < v);
        assert_eq!(fake.tries(PIN), 5);
        assert!(card.is_verified(PinKind::SigningPassword));
    }

    #[test]
    fn wrong_then_same_again_is_flagged_unsent() {
        let (fake, mut card, mut g) = setup(5);
        let e = g.verify(&mut card, &s("WRONG1"), None).unwrap_err();
        assert_eq!(
            e,
            GuardError::WrongPassword {
                kind: PinKind::SigningPassword,
                tries_left: 4,
                state: PasswordState::Normal { tries_left: 4 }
            }
        );
        assert!(e.sent_to_card());
        assert!(g.was_rejected(&s("wrong1")));
        let before = fake.state().log.len();
        assert_eq!(
            g.verify(&mut card, &s("wrong1"), None).unwrap_err(),
            GuardError::SameAsRejected
        );
        assert_eq!(fake.state().log.len(), before, "nothing sent");
        assert_eq!(fake.tries(PIN), 4);
        // A different wrong one still goes (and warns at 2 left later).
        let e = g.verify(&mut card, &s("WRONG2"), None).unwrap_err();
        assert!(matches!(e, GuardError::WrongPassword { tries_left: 3, .. }));
        let e = g.verify(&mut card, &s("WRONG3"), None).unwrap_err();
        assert!(matches!(
            e,
            GuardError::WrongPassword {
                tries_left: 2,
                state: PasswordState::Warning { tries_left: 2 },
                ..
            }
        ));
        assert_eq!(
            g.status(&mut card).unwrap(),
            PasswordState::Warning { tries_left: 2 }
        );
    }

    #[test]
    fn last_try_needs_confirmation_from_this_guard() {
        let (fake, mut card, mut g) = setup(1);
        assert_eq!(g.status(&mut card).unwrap(), PasswordState::LastTry);
        let VerifyOutcome::NeedsLastTryConfirmation(req) =
            g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap()
        else {
            panic!("expected a confirmation request");
        };
        assert_eq!(sent(&fake), 0);
        // Another guard cannot confirm it.
        let mut other = PasswordGuard::new(PinKind::SigningPassword);
        let (_, mut card2, _) = setup(1);
        let VerifyOutcome::NeedsLastTryConfirmation(req2) =
            other.verify(&mut card2, &s(SIGN_PASSWORD), None).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            g.confirm_last_try(req2).unwrap_err(),
            GuardError::InvalidConfirmation
        );
        let conf = g.confirm_last_try(req).unwrap();
        let out = g.verify(&mut card, &s(SIGN_PASSWORD), Some(conf)).unwrap();
        assert!(matches!(out, VerifyOutcome::Verified { .. }));
        assert_eq!(sent(&fake), 1);
        assert_eq!(fake.tries(PIN), 5);
    }

    #[test]
    fn confirmation_is_single_use() {
        let (fake, mut card, mut g) = setup(1);
        let VerifyOutcome::NeedsLastTryConfirmation(req) =
            g.verify(&mut card, &s("WRONG1"), None).unwrap()
        else {
            panic!()
        };
        let conf = g.confirm_last_try(req).unwrap();
        // The confirmed try is wrong: the card locks.
        let e = g.verify(&mut card, &s("WRONG1"), Some(conf)).unwrap_err();
        assert_eq!(
            e,
            GuardError::Locked {
                kind: PinKind::SigningPassword,
                just_now: true
            }
        );
        assert_eq!(fake.tries(PIN), 0);
        // Locked: nothing more is sent, even the right password.
        let before = sent(&fake);
        let e = g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap_err();
        assert_eq!(
            e,
            GuardError::Locked {
                kind: PinKind::SigningPassword,
                just_now: false
            }
        );
        assert!(!e.sent_to_card());
        assert_eq!(sent(&fake), before);
    }

    #[test]
    fn any_call_uses_up_the_confirmation() {
        let (fake, mut card, mut g) = setup(1);
        let VerifyOutcome::NeedsLastTryConfirmation(req) =
            g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap()
        else {
            panic!()
        };
        let conf = g.confirm_last_try(req).unwrap();
        // A malformed entry in between costs no try but ends the
        // confirmation's life.
        assert!(matches!(
            g.verify(&mut card, &s("x"), None),
            Err(GuardError::Format(_))
        ));
        assert_eq!(
            g.verify(&mut card, &s(SIGN_PASSWORD), Some(conf))
                .unwrap_err(),
            GuardError::InvalidConfirmation
        );
        assert_eq!(sent(&fake), 0);
    }

    #[test]
    fn already_verified_card_is_reset_to_read_the_count() {
        let (fake, mut card, mut g) = setup(5);
        fake.state().query_ok_when_verified = true;
        assert!(matches!(
            g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap(),
            VerifyOutcome::Verified { .. }
        ));
        assert_eq!(g.status(&mut card).unwrap(), PasswordState::AlreadyVerified);
        fake.state().log.clear();
        let e = g.verify(&mut card, &s("WRONG1"), None).unwrap_err();
        assert!(matches!(e, GuardError::WrongPassword { tries_left: 4, .. }));
        let log = fake.state().log.clone();
        let queries: Vec<_> = log
            .iter()
            .filter(|x| matches!(x, Seen::Query { .. }))
            .collect();
        assert_eq!(queries.len(), 2, "asked, reset, asked again: {log:?}");
        assert!(matches!(
            log.last(),
            Some(Seen::VerifyData { tries: 5, .. })
        ));
    }

    #[test]
    fn change_password_through_the_guard() {
        let (fake, mut card, mut g) = setup(5);
        assert_eq!(
            g.change_password(&mut card, &s(SIGN_PASSWORD), &s("new-1"), None)
                .unwrap_err(),
            GuardError::NewFormat(FormatError::TooShort { len: 5, min: 6 })
        );
        assert!(fake.state().log.is_empty());
        let out = g
            .change_password(&mut card, &s(SIGN_PASSWORD), &s("new999"), None)
            .unwrap();
        assert_eq!(
            out,
            ChangeOutcome::Changed {
                normalisation: Some(Normalisation::UpperCased)
            }
        );
        assert_eq!(fake.state().pins[&PIN].value, b"NEW999");
        // Wrong old password: no change sent.
        let e = g
            .change_password(&mut card, &s("OLDBAD"), &s("XYZ789"), None)
            .unwrap_err();
        assert!(matches!(e, GuardError::WrongPassword { .. }));
        assert!(
            !fake
                .state()
                .log
                .iter()
                .any(|x| matches!(x, Seen::Change { data, .. } if data == b"XYZ789"))
        );
    }

    #[test]
    fn removal_mid_verify_is_not_resent() {
        // Cut after SELECT AP, SELECT IEF, empty VERIFY: the VERIFY is lost.
        // The guard cannot tell whether the card saw it, and says so (E120).
        let (fake, mut card, mut g) = setup(5);
        fake.state().remove_after = Some(3);
        let e = g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap_err();
        assert_eq!(e, GuardError::NoAnswer(CardError::CardRemoved));
        assert_eq!(e.catalogue_number(), 120);
        assert!(e.may_have_counted());
        assert!(!e.sent_to_card());
        assert_eq!(fake.state().commands, 3);
        assert_eq!(fake.tries(PIN), 5);
        // The next call reads the count again before anything else.
        fake.state().remove_after = None;
        assert_eq!(
            g.status(&mut card).unwrap(),
            PasswordState::Normal { tries_left: 5 }
        );
    }

    #[test]
    fn removal_before_the_verify_left_is_known_to_cost_nothing() {
        // Cut after SELECT AP, SELECT IEF: the count was not read, no VERIFY
        // was handed to the reader (E106: no try used).
        let (fake, mut card, mut g) = setup(5);
        fake.state().remove_after = Some(2);
        let e = g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap_err();
        assert_eq!(e, GuardError::Card(CardError::CardRemoved));
        assert_eq!(e.catalogue_number(), 106);
        assert!(!e.may_have_counted());
        assert_eq!(sent(&fake), 0);
        assert_eq!(fake.tries(PIN), 5);
    }

    #[test]
    fn rejected_memory_belongs_to_the_card() {
        let book = RejectedBook::default();
        let (_, mut card, _) = setup(5);
        let id = card.identity().unwrap();
        assert!(id.is_some());
        let mut first = PasswordGuard::for_card(PinKind::SigningPassword, &book, id);
        assert!(matches!(
            first.verify(&mut card, &s("WRONG1"), None),
            Err(GuardError::WrongPassword { .. })
        ));
        drop(first);
        // A later session with the same card remembers it; nothing is sent.
        let (fake, mut card, _) = setup(4);
        let mut again =
            PasswordGuard::for_card(PinKind::SigningPassword, &book, card.identity().unwrap());
        assert_eq!(
            again.verify(&mut card, &s("wrong1"), None),
            Err(GuardError::SameAsRejected)
        );
        assert_eq!(sent(&fake), 0);
        // Another card (another authentication certificate) does not.
        let (other, mut card, _) = setup(5);
        other.state().files.insert(
            (JPKI, ids::jpki::AUTHENTICATION_CERTIFICATE),
            crate::testcard::der_blob(1500, 9),
        );
        let id = card.identity().unwrap();
        let mut g = PasswordGuard::for_card(PinKind::SigningPassword, &book, id);
        assert!(matches!(
            g.verify(&mut card, &s("WRONG1"), None),
            Err(GuardError::WrongPassword { .. })
        ));
        // Another book knows nothing.
        let (_, mut card, _) = setup(4);
        let fresh = RejectedBook::default();
        let mut g =
            PasswordGuard::for_card(PinKind::SigningPassword, &fresh, card.identity().unwrap());
        assert!(matches!(
            g.verify(&mut card, &s("WRONG1"), None),
            Err(GuardError::WrongPassword { .. })
        ));
    }

    #[test]
    fn debug_output_has_no_secrets() {
        let (_, mut card, mut g) = setup(5);
        let _ = g.verify(&mut card, &s("WRONG1"), None);
        let text = format!("{g:?} {:?}", g.verify(&mut card, &s("WRONG1"), None));
        assert!(!text.contains("WRONG1"));
    }

    /// The figures in docs/benchmarks.md ("Card I/O"), for a 1,804-byte
    /// signing certificate (`30 82 07 08` + 1,800) and a 6-character
    /// password.
    #[test]
    fn benchmark_figures() {
        let with_cert = |extended: bool| {
            let (fake, _, g) = setup(5);
            fake.state().files.insert(
                (JPKI, ids::jpki::SIGNING_CERTIFICATE),
                crate::testcard::der_blob(1800, 1),
            );
            fake.state().extended_atr = extended;
            let card = JpkiCard::new(fake.clone());
            (fake, card, g)
        };
        let io = |c: &JpkiCard<FakeCard>| {
            let s = c.stats();
            (s.apdus, s.bytes_sent, s.bytes_received)
        };
        // Fresh connection: guard verify + read signing certificate. Short
        // reads (the My Number card's ATR), and extended where the ATR
        // offers it.
        for (extended, first, again) in [
            (false, (13, 84, 1830), (8, 40, 1820)),
            (true, (6, 51, 1816), (1, 7, 1806)),
        ] {
            let (_, mut card, mut g) = with_cert(extended);
            assert!(matches!(
                g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap(),
                VerifyOutcome::Verified { .. }
            ));
            assert_eq!(card.read_signing_certificate().unwrap().len(), 1804);
            assert_eq!(io(&card), first, "extended={extended}");
            let before = card.stats();
            card.read_signing_certificate().unwrap();
            let d = card.stats().since(before);
            assert_eq!(
                (d.apdus, d.bytes_sent, d.bytes_received),
                again,
                "extended={extended}"
            );
        }
        // Sign: fresh connection, guard verify + SHA-256 signature.
        let (_, mut card, mut g) = with_cert(false);
        let _ = g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap();
        card.sign_sha256(&[9; 32]).unwrap();
        assert_eq!(io(&card), (6, 101, 268));
        // The manual's second entry before signing (2.1.7), after the
        // certificate was read: guard verify again, then sign.
        let (_, mut card, mut g) = with_cert(false);
        let _ = g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap();
        card.read_signing_certificate().unwrap();
        let before = card.stats();
        let _ = g.verify(&mut card, &s(SIGN_PASSWORD), None).unwrap();
        card.sign_sha256(&[9; 32]).unwrap();
        let d = card.stats().since(before);
        assert_eq!((d.apdus, d.bytes_sent, d.bytes_received), (5, 86, 266));
    }

    // ---- property test: random call sequences against a card model ----

    #[derive(Clone, Debug)]
    enum Pw {
        Correct,
        CorrectLower,
        Wrong(u8),
        Malformed(String),
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Verify; at a confirmation request, confirm and call again if
        /// `confirm` (the UI's "yes, send my last try").
        Verify {
            pw: Pw,
            confirm: bool,
        },
        Change {
            old: Pw,
            new: Pw,
            confirm: bool,
        },
        Status,
        /// Someone else changed the counter (another program, a counter
        /// visit).
        External(u8),
        /// Keep the next confirmation for a later, unrelated call.
        Hoard(Pw),
        /// Use a hoarded confirmation.
        UseHoard(Pw),
        /// Use a confirmation made by another guard for another card.
        Foreign(Pw),
    }

    fn pw() -> impl Strategy<Value = Pw> {
        prop_oneof![
            3 => Just(Pw::Correct),
            1 => Just(Pw::CorrectLower),
            4 => (0u8..4).prop_map(Pw::Wrong),
            2 => prop_oneof![
                "[A-Z0-9]{0,5}",
                "[A-Z0-9]{17,20}",
                "[A-Z0-9]{3}[ !@#é\u{FF21}-][A-Z0-9]{3}",
            ].prop_map(Pw::Malformed),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (pw(), any::<bool>()).prop_map(|(pw, confirm)| Op::Verify { pw, confirm }),
            2 => (pw(), pw(), any::<bool>()).prop_map(|(old, new, confirm)| Op::Change { old, new, confirm }),
            1 => Just(Op::Status),
            1 => (0u8..=5).prop_map(Op::External),
            1 => pw().prop_map(Op::Hoard),
            1 => pw().prop_map(Op::UseHoard),
            1 => pw().prop_map(Op::Foreign),
        ]
    }

    fn text(p: &Pw, current: &[u8]) -> String {
        match p {
            Pw::Correct => String::from_utf8(current.to_vec()).unwrap(),
            Pw::CorrectLower => String::from_utf8(current.to_vec())
                .unwrap()
                .to_ascii_lowercase(),
            Pw::Wrong(i) => format!("WRONG{i}X"),
            Pw::Malformed(s) => s.clone(),
        }
    }

    fn well_formed(data: &[u8]) -> bool {
        (6..=16).contains(&data.len())
            && data
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }

    /// Check the card log of one guard call.
    fn check_call(log: &[Seen], confirmed: bool, malformed: bool) -> Result<(), TestCaseError> {
        let mut queried = false;
        let mut verifies = 0;
        for e in log {
            match e {
                Seen::Query { .. } => queried = true,
                Seen::VerifyData { tries, data, .. } => {
                    verifies += 1;
                    prop_assert!(*tries > 0, "VERIFY sent to a locked card");
                    prop_assert!(
                        *tries != 1 || confirmed,
                        "last try sent without confirmation"
                    );
                    prop_assert!(queried, "VERIFY without a tries query before it");
                    prop_assert!(!malformed, "malformed password reached the card");
                    prop_assert!(well_formed(data), "ill-formed VERIFY data");
                    queried = false;
                }
                Seen::Change { data, .. } => {
                    prop_assert!(!malformed);
                    prop_assert!(well_formed(data));
                    prop_assert!(verifies == 1, "change without a VERIFY in the call");
                }
                _ => {}
            }
        }
        prop_assert!(verifies <= 1, "more than one VERIFY in one call");
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn guard_never_spends_a_try_it_should_not(
            start in 0u8..=5,
            ok_when_verified in any::<bool>(),
            ops in proptest::collection::vec(op(), 1..40),
        ) {
            let (fake, mut card, mut g) = setup(start);
            fake.state().query_ok_when_verified = ok_when_verified;
            // A hoarded confirmation stays good only until the next call.
            let mut hoard: Option<(LastTryConfirmation, bool)> = None;
            for op in ops {
                let current = fake.state().pins[&PIN].value.clone();
                match op {
                    Op::External(n) => {
                        fake.state().pins.get_mut(&PIN).unwrap().tries = n;
                        continue;
                    }
                    Op::Status => {
                        let mark = fake.state().log.len();
                        let _ = g.status(&mut card);
                        let log = fake.state().log[mark..].to_vec();
                        let touched = log.iter().any(|e| matches!(e, Seen::VerifyData { .. } | Seen::Change { .. }));
                        prop_assert!(!touched, "status sent a password");
                        continue;
                    }
                    _ => {}
                }
                let (old, new, confirm, use_hoard, keep) = match &op {
                    Op::Verify { pw, confirm } => (pw.clone(), None, *confirm, false, false),
                    Op::Change { old, new, confirm } => (old.clone(), Some(new.clone()), *confirm, false, false),
                    Op::Hoard(p) => (p.clone(), None, true, false, true),
                    Op::UseHoard(p) | Op::Foreign(p) => (p.clone(), None, false, true, false),
                    _ => unreachable!(),
                };
                let old_s = text(&old, &current);
                let new_s = new.as_ref().map(|n| text(n, &current));
                let malformed = check_format(PinKind::SigningPassword, &s(&old_s)).is_err()
                    || new_s.as_ref().is_some_and(|n| check_format(PinKind::SigningPassword, &s(n)).is_err());
                let call = |g: &mut PasswordGuard, card: &mut JpkiCard<FakeCard>, c: Option<LastTryConfirmation>| {
                    match &new_s {
                        None => g.verify(card, &s(&old_s), c).map(|o| match o {
                            VerifyOutcome::NeedsLastTryConfirmation(r) => Some(r),
                            _ => None,
                        }),
                        Some(n) => g.change_password(card, &s(&old_s), &s(n), c).map(|o| match o {
                            ChangeOutcome::NeedsLastTryConfirmation(r) => Some(r),
                            _ => None,
                        }),
                    }
                };
                let (first_conf, had_conf) = match (&op, use_hoard) {
                    (Op::Foreign(_), _) => {
                        let (_, mut other_card, mut other) = setup(1);
                        let r = other.verify(&mut other_card, &s(SIGN_PASSWORD), None).unwrap();
                        let VerifyOutcome::NeedsLastTryConfirmation(req) = r else { unreachable!() };
                        (Some(other.confirm_last_try(req).unwrap()), false)
                    }
                    (_, true) => match hoard.take() {
                        Some((c, fresh)) => (Some(c), fresh),
                        None => (None, false),
                    },
                    _ => (None, false),
                };
                if let Some((_, fresh)) = hoard.as_mut() {
                    *fresh = false;
                }
                let mark = fake.state().log.len();
                let r = call(&mut g, &mut card, first_conf);
                let log = fake.state().log[mark..].to_vec();
                // A hoarded confirmation is only accepted if it is this
                // guard's latest and unused; the checks below hold either
                // way.
                check_call(&log, had_conf, malformed)?;
                if let Ok(Some(req)) = r {
                    let verified = log.iter().any(|e| matches!(e, Seen::VerifyData { .. }));
                    prop_assert!(!verified, "VERIFY sent although confirmation was requested");
                    if confirm {
                        let conf = g.confirm_last_try(req).unwrap();
                        if keep {
                            hoard = Some((conf, true));
                        } else {
                            let mark = fake.state().log.len();
                            let _ = call(&mut g, &mut card, Some(conf));
                            let log = fake.state().log[mark..].to_vec();
                            check_call(&log, true, malformed)?;
                        }
                    }
                }
            }
        }
    }
}
