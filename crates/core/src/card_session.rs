//! Opening the card for work with the signing password, the one way every
//! driver does it (the procedure's card worker, the GUI's tools, the CLI's
//! `cert` and `change-password`): connect, select the JPKI AP and refuse a
//! card that is not a JPKI token, make the password guard for this card,
//! read the count without spending a try.
//!
//! All of it is one card transaction left open for the caller's next one:
//! nothing selected here is trusted later (every later sequence selects
//! what it needs itself).

use madoguchi_card::{
    CardChannel, CardError, JpkiCard, PasswordGuard, PasswordState, PinKind, RejectedBook,
    TokenKind, TransactionEnd,
};

/// An open card with its signing-password guard.
pub struct CardSession {
    /// The reader the card is in.
    pub reader: String,
    /// What the token EF says the card is (a JPKI token: anything else was
    /// refused).
    pub token: TokenKind,
    /// The signing password's count when the session was opened.
    pub state: PasswordState,
    pub card: JpkiCard<Box<dyn CardChannel>>,
    /// The guard for the signing password, remembering the passwords this
    /// card rejected through `book` (see [`open`]).
    pub guard: PasswordGuard,
}

impl std::fmt::Debug for CardSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardSession")
            .field("reader", &self.reader)
            .field("token", &self.token)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Connect with `connect` (which returns the reader's name and the
/// channel), then select the JPKI AP, check the token, make the guard and
/// read the signing password's count. The guard shares `book`'s memory of
/// the passwords this card rejected (a command that lives for one card
/// passes a fresh book).
pub fn open<F>(connect: F, book: &RejectedBook) -> Result<CardSession, CardError>
where
    F: FnOnce() -> Result<(String, Box<dyn CardChannel>), CardError>,
{
    let (reader, channel) = connect()?;
    let mut card = JpkiCard::new(channel);
    let (token, guard, state) = card.atomic(TransactionEnd::Leave, |card| {
        let token = card.jpki_token()?;
        let mut guard = PasswordGuard::for_card(PinKind::SigningPassword, book, card.identity()?);
        let state = guard.status(card)?;
        Ok::<_, CardError>((token, guard, state))
    })?;
    Ok(CardSession {
        reader,
        token,
        state,
        card,
        guard,
    })
}
