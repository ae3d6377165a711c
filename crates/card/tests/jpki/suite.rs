//! JPKI operations, written once and run twice: against the in-process
//! virtual card and against the same card behind real pcscd + vpcd.

use std::sync::mpsc;
use std::time::Duration;

use madoguchi_card::{
    CardChannel, CardError, GuardError, JpkiCard, PasswordGuard, PasswordState, PinKind, PinStatus,
    Secret, StatusWord, TokenKind, VerifyOutcome,
};
use madoguchi_sim::{CardOptions, Faults, Profile, SharedCard, SimChannel, VirtualCard};
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};

use madoguchi_testkit::profile_file;

/// The password of every fixture card but `rare-kanji`.
pub const PASSWORD: &str = "ABC123";

/// A card under test and a way to talk to it.
pub trait Rig {
    /// A new connection to the card.
    fn channel(&mut self) -> Box<dyn CardChannel>;
    /// The virtual card behind it, to check its counters from the outside.
    fn card(&self) -> SharedCard;
    /// Fault injection on the path to the card.
    fn faults(&self) -> Faults;
}

/// Makes a rig with a fresh card from a fixture profile; `None` = skip.
pub type MakeRig<'a> = &'a dyn Fn(&str) -> Option<Box<dyn Rig>>;

/// The in-process rig.
pub struct InProcess {
    card: SharedCard,
    faults: Faults,
}

impl InProcess {
    /// The strict card (the simulator's defaults).
    pub fn make(profile: &str) -> Option<Box<dyn Rig>> {
        Some(Box::new(InProcess {
            card: madoguchi_sim::share(madoguchi_testkit::virtual_card(profile)),
            faults: Faults::new(),
        }))
    }

    /// The permissive card ([`CardOptions::lenient`]).
    pub fn make_lenient(profile: &str) -> Option<Box<dyn Rig>> {
        Some(Box::new(InProcess {
            card: madoguchi_sim::share(lenient_card(profile)),
            faults: Faults::new(),
        }))
    }
}

/// A fixture card with the lenient options (extended APDUs, verified state
/// kept across a re-select, `90 00` to an empty VERIFY once verified, no
/// filler).
pub fn lenient_card(profile: &str) -> VirtualCard {
    let mut p = Profile::load(madoguchi_testkit::profile_path(profile)).expect("profile loads");
    p.options = CardOptions {
        allow_key_mismatch: p.options.allow_key_mismatch,
        ..CardOptions::lenient()
    };
    VirtualCard::new(p)
}

impl Rig for InProcess {
    fn channel(&mut self) -> Box<dyn CardChannel> {
        Box::new(SimChannel::with_shared(
            self.card.clone(),
            self.faults.clone(),
        ))
    }
    fn card(&self) -> SharedCard {
        self.card.clone()
    }
    fn faults(&self) -> Faults {
        self.faults.clone()
    }
}

/// The real PC/SC rig: the card attached to pcscd through vpcd.
pub struct ThroughPcsc {
    attached: madoguchi_testkit::Attached,
}

impl ThroughPcsc {
    pub fn make(profile: &str) -> Option<Box<dyn Rig>> {
        madoguchi_testkit::attach(profile)
            .map(|attached| Box::new(ThroughPcsc { attached }) as Box<dyn Rig>)
    }

    pub fn make_lenient(profile: &str) -> Option<Box<dyn Rig>> {
        madoguchi_testkit::attach_card(lenient_card(profile))
            .map(|attached| Box::new(ThroughPcsc { attached }) as Box<dyn Rig>)
    }
}

impl Rig for ThroughPcsc {
    fn channel(&mut self) -> Box<dyn CardChannel> {
        Box::new(madoguchi_testkit::pcsc_channel())
    }
    fn card(&self) -> SharedCard {
        self.attached.bridge().card()
    }
    fn faults(&self) -> Faults {
        self.attached.faults.clone()
    }
}

fn tries(rig: &dyn Rig, kind: PinKind) -> Option<u8> {
    madoguchi_sim::channel::lock(&rig.card()).tries_left(kind)
}

fn verify_through_guard(card: &mut JpkiCard<Box<dyn CardChannel>>, password: &str) {
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    let outcome = guard
        .verify(card, &Secret::new(password), None)
        .expect("the right password verifies");
    assert!(matches!(outcome, VerifyOutcome::Verified { .. }));
}

/// Check a PKCS#1 v1.5 SHA-256 signature with the key of a DER certificate.
pub fn assert_signature(cert_der: &[u8], message: &[u8], signature: &[u8]) {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).expect("certificate parses");
    let key = rsa::RsaPublicKey::from_public_key_der(cert.tbs_certificate.subject_pki.raw)
        .expect("RSA public key");
    let digest = Sha256::digest(message);
    key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
        .expect("the card's signature verifies with the certificate's key");
}

/// Card type and every counter, twice: reading them spends nothing.
pub fn token_and_tries(make: MakeRig) {
    let Some(mut rig) = make("normal") else {
        return;
    };
    let mut card = JpkiCard::new(rig.channel());
    card.select_jpki_ap().unwrap();
    assert_eq!(card.token().unwrap(), TokenKind::MyNumberCard);
    for _ in 0..2 {
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
    }
    assert_eq!(tries(rig.as_ref(), PinKind::SigningPassword), Some(5));
    drop(card);
    drop(rig);

    let Some(mut rig) = make("juki") else { return };
    let mut card = JpkiCard::new(rig.channel());
    card.select_jpki_ap().unwrap();
    assert_eq!(card.token().unwrap(), TokenKind::JukiCard);
}

/// Certificates readable without a password are the profile's bytes; the
/// signing certificate needs the password.
pub fn certificates(make: MakeRig) {
    let Some(mut rig) = make("normal") else {
        return;
    };
    let mut card = JpkiCard::new(rig.channel());
    card.select_jpki_ap().unwrap();
    assert_eq!(
        card.read_signing_certificate(),
        Err(CardError::SecurityStatusNotSatisfied)
    );
    assert_eq!(
        card.read_authentication_certificate().unwrap(),
        profile_file("normal", "auth.der")
    );
    let sign_ca = std::fs::read(madoguchi_testkit::fixtures().join("pki/sign-ca.der")).unwrap();
    let auth_ca = std::fs::read(madoguchi_testkit::fixtures().join("pki/auth-ca.der")).unwrap();
    assert_eq!(card.read_signing_ca_certificate().unwrap(), sign_ca);
    assert_eq!(card.read_authentication_ca_certificate().unwrap(), auth_ca);
}

/// Wrong then right password through the guard, then the signing
/// certificate and a signature that verifies with it.
pub fn verify_read_and_sign(make: MakeRig) {
    let Some(mut rig) = make("normal") else {
        return;
    };
    let mut card = JpkiCard::new(rig.channel());
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    let wrong = guard.verify(&mut card, &Secret::new("WRONG1"), None);
    assert!(
        matches!(wrong, Err(GuardError::WrongPassword { tries_left: 4, .. })),
        "{wrong:?}"
    );
    assert_eq!(tries(rig.as_ref(), PinKind::SigningPassword), Some(4));
    // The same wrong password again is refused before it is sent.
    assert_eq!(
        guard.verify(&mut card, &Secret::new("wrong1"), None),
        Err(GuardError::SameAsRejected)
    );
    assert_eq!(tries(rig.as_ref(), PinKind::SigningPassword), Some(4));
    let ok = guard
        .verify(&mut card, &Secret::new(PASSWORD), None)
        .unwrap();
    assert!(matches!(ok, VerifyOutcome::Verified { .. }));
    assert_eq!(tries(rig.as_ref(), PinKind::SigningPassword), Some(5));

    let cert = card.read_signing_certificate().unwrap();
    assert_eq!(cert, profile_file("normal", "sign.der"));
    let message = b"madoguchi suite";
    let digest: [u8; 32] = Sha256::digest(message).into();
    let signature = card.sign_sha256(&digest).unwrap();
    assert_eq!(signature.len(), 256);
    assert_signature(&cert, message, &signature);
}

/// CHANGE REFERENCE DATA through the guard, and back.
pub fn change_password(make: MakeRig) {
    let Some(mut rig) = make("normal") else {
        return;
    };
    let mut card = JpkiCard::new(rig.channel());
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    let changed = guard
        .change_password(
            &mut card,
            &Secret::new(PASSWORD),
            &Secret::new("NEWPASS99"),
            None,
        )
        .unwrap();
    assert!(matches!(
        changed,
        madoguchi_card::ChangeOutcome::Changed { .. }
    ));
    drop(card);
    let mut card = JpkiCard::new(rig.channel());
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    assert!(matches!(
        guard.verify(&mut card, &Secret::new(PASSWORD), None),
        Err(GuardError::WrongPassword { tries_left: 4, .. })
    ));
    verify_through_guard(&mut card, "NEWPASS99");
    assert_eq!(tries(rig.as_ref(), PinKind::SigningPassword), Some(5));
}

/// A locked card gets no password; one try left needs the confirmation.
pub fn locked_and_last_try(make: MakeRig) {
    let Some(mut rig) = make("locked") else {
        return;
    };
    let mut card = JpkiCard::new(rig.channel());
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    assert_eq!(guard.status(&mut card).unwrap(), PasswordState::Locked);
    assert!(matches!(
        guard.verify(&mut card, &Secret::new(PASSWORD), None),
        Err(GuardError::Locked {
            just_now: false,
            ..
        })
    ));
    assert_eq!(tries(rig.as_ref(), PinKind::SigningPassword), Some(0));
    drop(card);
    drop(rig);

    let Some(mut rig) = make("one-try-left") else {
        return;
    };
    let mut card = JpkiCard::new(rig.channel());
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    assert_eq!(guard.status(&mut card).unwrap(), PasswordState::LastTry);
    let request = match guard
        .verify(&mut card, &Secret::new(PASSWORD), None)
        .unwrap()
    {
        VerifyOutcome::NeedsLastTryConfirmation(r) => r,
        other => panic!("expected a confirmation request, got {other:?}"),
    };
    // Nothing was sent: the card still has its one try.
    assert_eq!(tries(rig.as_ref(), PinKind::SigningPassword), Some(1));
    let confirmation = guard.confirm_last_try(request).unwrap();
    let ok = guard
        .verify(&mut card, &Secret::new(PASSWORD), Some(confirmation))
        .unwrap();
    assert!(matches!(ok, VerifyOutcome::Verified { .. }));
    assert_eq!(tries(rig.as_ref(), PinKind::SigningPassword), Some(5));
}

/// An operation on a fresh connection: verify through the guard, then
/// either read the signing certificate or sign.
#[derive(Clone, Copy, Debug)]
pub enum Operation {
    ReadSigningCertificate,
    Sign,
}

fn run_operation(channel: Box<dyn CardChannel>, op: Operation) -> (Result<(), String>, u64) {
    let mut card = JpkiCard::new(channel);
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    let result = (|| -> Result<(), String> {
        match guard.verify(&mut card, &Secret::new(PASSWORD), None) {
            Ok(VerifyOutcome::Verified { .. }) => {}
            other => return Err(format!("{other:?}")),
        }
        match op {
            Operation::ReadSigningCertificate => {
                card.read_signing_certificate()
                    .map_err(|e| format!("{e:?}"))?;
            }
            Operation::Sign => {
                card.sign_sha256(&[7u8; 32]).map_err(|e| format!("{e:?}"))?;
            }
        }
        Ok(())
    })();
    (result, u64::from(card.stats().apdus))
}

/// Bound for one operation against a card that was removed: far above any
/// real answer time, only there so a hang fails instead of blocking CI.
const HANG: Duration = Duration::from_secs(30);

/// The card removed after each APDU of `op`: a typed "removed" error every
/// time, no hang, no panic, no try spent.
pub fn removal_after_every_apdu(make: MakeRig, op: Operation) {
    // A clean run counts the APDUs.
    let Some(mut rig) = make("normal") else {
        return;
    };
    let (result, total) = run_operation(rig.channel(), op);
    result.expect("the clean run succeeds");
    drop(rig);
    assert!(total >= 4, "{op:?} took {total} APDUs");

    for n in 0..total {
        let Some(mut rig) = make("normal") else {
            return;
        };
        let channel = rig.channel();
        rig.faults().remove_after(n);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(run_operation(channel, op));
        });
        let (result, _) = rx
            .recv_timeout(HANG)
            .unwrap_or_else(|_| panic!("{op:?} hung with the card removed after APDU {n}"));
        let error = result.expect_err("the operation cannot succeed without the card");
        assert!(
            error.contains("CardRemoved") || error.contains("NoCard"),
            "{op:?}, removed after APDU {n}: {error}"
        );
        assert_eq!(
            tries(rig.as_ref(), PinKind::SigningPassword),
            Some(5),
            "{op:?}, removed after APDU {n}: a try was spent"
        );
    }
}

/// A card that answers `6C xx` to the VERIFY carrying the password gets
/// exactly one VERIFY: the channel does not resend a secret with "the right
/// Le", and the guard reports the answer instead of trying again.
pub fn wrong_le_to_verify_gets_one_verify(make: MakeRig) {
    let Some(mut rig) = make("normal") else {
        return;
    };
    let mut card = JpkiCard::new(rig.channel());
    let faults = rig.faults();
    // The first INS 20 is the empty VERIFY (tries read); the second one
    // carries the password.
    faults.fail(
        madoguchi_sim::FailRule::new(madoguchi_card::apdu::ins::VERIFY, StatusWord::WrongLe(0))
            .nth(2),
    );
    let before = faults.apdus_seen();
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    let e = card
        .atomic(madoguchi_card::TransactionEnd::Unpower, |c| {
            guard.verify(c, &Secret::new("WRONG9"), None)
        })
        .unwrap_err();
    assert!(
        matches!(
            e,
            GuardError::Card(CardError::UnexpectedStatus {
                sw: StatusWord::WrongLe(0),
                ..
            })
        ),
        "{e:?}"
    );
    // SELECT AP, SELECT 001B, empty VERIFY, VERIFY: nothing after it.
    assert_eq!(faults.apdus_seen() - before, 4);
    faults.clear();
    assert_eq!(tries(&*rig, PinKind::SigningPassword), Some(5));
}
