//! madoguchi-card's JPKI operations against the virtual card: the client we
//! ship and the card we test it with agree.

mod common;

use common::*;
use madoguchi_card::jpki::{ExtendedRead, JpkiCard, PinStatus, TokenKind};
use madoguchi_card::{CardError, GuardError, PasswordGuard, PinKind, Secret, VerifyOutcome};
use madoguchi_sim::SimChannel;
use madoguchi_sim::channel::lock;
use rsa::pkcs1v15::Pkcs1v15Sign;
use sha2::{Digest, Sha256};

fn card() -> (Fixture, JpkiCard<SimChannel>) {
    let f = fixture();
    let ch = SimChannel::open(&f.profile, None).unwrap();
    (f, JpkiCard::new(ch))
}

#[test]
fn jpki_operations() {
    let (_f, mut card) = card();
    assert_eq!(card.token().unwrap(), TokenKind::MyNumberCard);
    assert_eq!(
        card.tries_left(PinKind::SigningPassword).unwrap(),
        PinStatus::TriesLeft(5)
    );
    assert_eq!(
        card.tries_left(PinKind::AuthenticationPin).unwrap(),
        PinStatus::TriesLeft(3)
    );
    assert_eq!(
        card.tries_left(PinKind::CardInfoPin).unwrap(),
        PinStatus::TriesLeft(3)
    );
    assert_eq!(card.read_signing_ca_certificate().unwrap(), sign_ca_cert());
    // The strict card's ATR (no historical bytes) offers no extended
    // lengths: short reads only.
    assert_eq!(card.extended_read(), ExtendedRead::NotOffered);
    assert_eq!(card.read_authentication_certificate().unwrap(), auth_cert());
    assert_eq!(
        card.read_signing_certificate(),
        Err(CardError::SecurityStatusNotSatisfied)
    );
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    assert!(matches!(
        guard.verify(&mut card, &Secret::new("WRONG1"), None),
        Err(GuardError::WrongPassword { tries_left: 4, .. })
    ));
    let _ = guard
        .verify(&mut card, &Secret::new(SIGN_PASSWORD), None)
        .unwrap();
    let before = card.stats();
    assert_eq!(card.read_signing_certificate().unwrap(), sign_cert());
    let read = card.stats().since(before);
    // SELECT EF + one short READ BINARY per 256 bytes; the filler after
    // the certificate is never read.
    assert_eq!(read.apdus as usize, 1 + sign_cert().len().div_ceil(256));
    let digest: [u8; 32] = Sha256::digest(b"document").into();
    let sig = card.sign_sha256(&digest).unwrap();
    sign_public()
        .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &sig)
        .unwrap();
    let _ = guard
        .change_password(
            &mut card,
            &Secret::new(SIGN_PASSWORD),
            &Secret::new("NEWPASS1"),
            None,
        )
        .unwrap();
    card.reset().unwrap();
    let _ = guard
        .verify(&mut card, &Secret::new("NEWPASS1"), None)
        .unwrap();
}

#[test]
fn extended_reads_where_the_atr_offers_them() {
    let f = fixture();
    let ch = SimChannel::open(&f.profile, None).unwrap();
    lock(&ch.card()).options_mut().extended_length = true;
    let mut card = JpkiCard::new(ch);
    assert_eq!(card.extended_read(), ExtendedRead::Untested);
    let before = card.stats();
    assert_eq!(card.read_signing_ca_certificate().unwrap(), sign_ca_cert());
    // SELECT AP, SELECT EF, one extended READ BINARY.
    assert_eq!(card.stats().since(before).apdus, 3);
    assert_eq!(card.extended_read(), ExtendedRead::Works);
    // The reader or card refuses after all: short reads from then on.
    lock(&card.channel().card()).options_mut().extended_length = false;
    assert_eq!(card.read_authentication_certificate().unwrap(), auth_cert());
    assert_eq!(card.extended_read(), ExtendedRead::Refused);
}

#[test]
fn lock_and_removal_as_typed_errors() {
    let (_f, mut card) = card();
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    for left in (1..5).rev() {
        let wrong = Secret::new(format!("WRONG{left}"));
        assert!(matches!(
            guard.verify(&mut card, &wrong, None),
            Err(GuardError::WrongPassword { tries_left, .. }) if tries_left == left
        ));
    }
    let wrong = Secret::new("WRONG9");
    let Ok(VerifyOutcome::NeedsLastTryConfirmation(request)) =
        guard.verify(&mut card, &wrong, None)
    else {
        panic!("the last try needs a confirmation");
    };
    let confirmation = guard.confirm_last_try(request).unwrap();
    assert_eq!(
        guard.verify(&mut card, &wrong, Some(confirmation)),
        Err(GuardError::Locked {
            kind: PinKind::SigningPassword,
            just_now: true
        })
    );
    assert_eq!(
        card.tries_left(PinKind::SigningPassword).unwrap(),
        PinStatus::Locked
    );
    card.channel().handle().remove();
    assert_eq!(card.token(), Err(CardError::CardRemoved));
}
