//! What a card says about itself without spending a try: card type, the
//! tries left of each password (empty VERIFYs only), and the expiry of the
//! authentication certificate (readable without a password). The CLI's
//! `status` and the app's card status screen both show this report.

use madoguchi_card::{
    CardChannel, CardError, CertificateKind, JpkiCard, PinKind, PinStatus, TokenKind,
    TransactionEnd,
};
use madoguchi_pki::SigningCertificate;
use time::OffsetDateTime;

/// The card's state, read without spending a try.
#[derive(Clone, Debug)]
pub struct CardReport {
    pub reader: String,
    pub token: TokenKind,
    /// Each secret's count, or why it could not be read.
    pub pins: Vec<(PinKind, Result<PinStatus, CardError>)>,
    /// Expiry of the authentication certificate (the signing certificate's
    /// needs the password).
    pub authentication_not_after: Option<OffsetDateTime>,
}

/// Read the report from the card behind `channel` (in reader `reader`).
pub fn read(reader: String, channel: Box<dyn CardChannel>) -> Result<CardReport, CardError> {
    let mut card = JpkiCard::new(channel);
    // One transaction: another program cannot move the selection between
    // an IEF's SELECT and its empty VERIFY (which would read the wrong
    // count).
    let (token, authentication_not_after, pins) = card.atomic(TransactionEnd::Leave, |card| {
        let token = card.jpki_token()?;
        let not_after = card
            .read_certificate(CertificateKind::Authentication)
            .ok()
            .and_then(|der| SigningCertificate::from_der(&der).ok())
            .map(|c| c.not_after());
        let pins: Vec<_> = [
            PinKind::SigningPassword,
            PinKind::AuthenticationPin,
            PinKind::CardInfoPin,
        ]
        .into_iter()
        .map(|kind| (kind, card.tries_left(kind)))
        .collect();
        Ok::<_, CardError>((token, not_after, pins))
    })?;
    Ok(CardReport {
        reader,
        token,
        pins,
        authentication_not_after,
    })
}
