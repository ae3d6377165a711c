//! Card-level errors a user can meet, each tied to a numbered entry in
//! `docs/errors.md`.

use crate::channel::TransportError;
use crate::sw::StatusWord;

/// Which secret on the card an error concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinKind {
    /// 署名用電子証明書のパスワード (6–16 characters, 5 tries).
    SigningPassword,
    /// 利用者証明用電子証明書の暗証番号 (4 digits, 3 tries).
    AuthenticationPin,
    /// 券面事項入力補助用暗証番号 (4 digits, 3 tries).
    CardInfoPin,
}

impl PinKind {
    /// How many wrong entries in a row lock it.
    pub const fn max_tries(self) -> u8 {
        match self {
            PinKind::SigningPassword => crate::ids::SIGNING_PASSWORD_TRIES,
            PinKind::AuthenticationPin => crate::ids::AUTHENTICATION_PIN_TRIES,
            PinKind::CardInfoPin => crate::ids::CARD_INFO_PIN_TRIES,
        }
    }
}

/// Failures of card operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("the smart-card service is not available")]
    ServiceUnavailable,
    #[error("no card reader is connected")]
    NoReader,
    #[error("card reader not found: {0}")]
    ReaderNotFound(String),
    #[error("no card in the reader")]
    NoCard,
    /// More than one reader holds a card and none was chosen: the resident
    /// chooses (a password must not go to a card nobody picked).
    #[error("cards are in several readers: {}", .0.join(", "))]
    SeveralCards(Vec<String>),
    /// The only card is in a virtual reader (vpcd's "Virtual PCD"): any
    /// local program can be that card and would receive the password, so it
    /// is used only when chosen by name.
    #[error("the only card is in the virtual reader {0}; choose it by name to use it")]
    VirtualReader(String),
    #[error("this card is not a My Number card (no JPKI application)")]
    NotJpki,
    #[error("the card was removed during the operation")]
    CardRemoved,
    #[error("the card is in use by another program")]
    CardInUse,
    #[error("the card did not answer in time")]
    Timeout,
    #[error("wrong {kind:?}: {tries_left} tries left")]
    WrongPassword { kind: PinKind, tries_left: u8 },
    #[error("{0:?} is locked")]
    Locked(PinKind),
    #[error("the password has not been verified (security status not satisfied)")]
    SecurityStatusNotSatisfied,
    #[error("the card answered {sw} to {operation}")]
    UnexpectedStatus {
        operation: &'static str,
        sw: StatusWord,
    },
    #[error("the card returned malformed data: {0}")]
    MalformedData(String),
    #[error("reader error: {0}")]
    Transport(String),
    /// A request the card layer refuses to send because it is malformed
    /// (for example an empty secret, which would be a tries query). A
    /// programming error; the guard never produces one.
    #[error("request refused before sending: {0}")]
    InvalidRequest(&'static str),
}

impl CardError {
    /// The entry number in `docs/errors.md`.
    pub fn catalogue_number(&self) -> u16 {
        match self {
            CardError::ServiceUnavailable => 101,
            CardError::NoReader => 102,
            CardError::ReaderNotFound(_) => 103,
            CardError::NoCard => 104,
            CardError::NotJpki => 105,
            CardError::CardRemoved => 106,
            CardError::CardInUse => 107,
            CardError::Timeout => 108,
            CardError::Transport(_) | CardError::InvalidRequest(_) => 109,
            CardError::WrongPassword { .. } => 110,
            CardError::Locked(_) => 111,
            CardError::SecurityStatusNotSatisfied => 112,
            CardError::UnexpectedStatus { .. } => 116,
            CardError::MalformedData(_) => 117,
            CardError::SeveralCards(_) => 118,
            CardError::VirtualReader(_) => 119,
        }
    }
}

impl From<TransportError> for CardError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::ServiceUnavailable => CardError::ServiceUnavailable,
            TransportError::NoReader => CardError::NoReader,
            TransportError::ReaderNotFound(r) => CardError::ReaderNotFound(r),
            TransportError::NoCard => CardError::NoCard,
            TransportError::CardRemoved => CardError::CardRemoved,
            TransportError::Sharing => CardError::CardInUse,
            TransportError::Timeout => CardError::Timeout,
            TransportError::Malformed(e) => CardError::MalformedData(e.to_string()),
            TransportError::Other(s) => CardError::Transport(s),
        }
    }
}
