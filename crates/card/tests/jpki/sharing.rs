//! Sharing the card with other PC/SC programs: every guarded sequence runs
//! in one transaction, selects what it needs inside it, and ends the
//! verified state with a power cycle. Another client hammering the same
//! card (OpenSC's tools, as a browser's PKCS#11 module would) costs no try
//! and causes no false rejection; after the card work it cannot use the
//! signing key or read the signing certificate.

use std::process::Command as Process;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use madoguchi_card::apdu::Le;
use madoguchi_card::{
    CardChannel, Command, GuardError, JpkiCard, PasswordGuard, PinKind, PinStatus, Secret,
    StatusWord, TransactionEnd, VerifyOutcome, ids,
};
use madoguchi_testkit::{self as support, VPCD_READER, pcsc_lock};
use sha2::{Digest, Sha256};

use crate::suite::{self, PASSWORD};

/// Procedures run while the other client hammers the card.
const RUNS: usize = 6;

fn hex(c: &Command) -> String {
    hex::encode_upper(&*c.to_bytes().unwrap())
}

/// What another PC/SC program does in a loop until `stop`: select the JPKI
/// AP and the authentication PIN's IEF and ask its count (an empty VERIFY),
/// then read the certificates through OpenSC's JPKI emulation.
fn hammer(stop: Arc<AtomicBool>, rounds: Arc<AtomicU32>) -> std::thread::JoinHandle<()> {
    let opensc = support::opensc_tool("opensc-tool").expect("opensc-tool");
    let pkcs15 = support::opensc_tool("pkcs15-tool").expect("pkcs15-tool");
    std::thread::spawn(move || {
        let apdus = [
            hex(&Command::select_df(&ids::AID_JPKI)),
            hex(&Command::select_ef(ids::jpki::AUTHENTICATION_PIN)),
            hex(&Command::verify_query()),
        ];
        while !stop.load(Ordering::Relaxed) {
            let mut tool = Process::new(&opensc);
            tool.args(["--reader", VPCD_READER]);
            for apdu in &apdus {
                tool.args(["--send-apdu", apdu]);
            }
            let _ = tool.output();
            for id in ["01", "03"] {
                let _ = Process::new(&pkcs15)
                    .args(["--reader", VPCD_READER, "--read-certificate", id])
                    .output();
            }
            rounds.fetch_add(1, Ordering::Relaxed);
        }
    })
}

/// The guarded login (VERIFY + signing certificate) and signature, each in
/// its own transaction ending in a power cycle, as the app runs them.
fn login_and_sign(
    card: &mut JpkiCard<Box<dyn CardChannel>>,
    guard: &mut PasswordGuard,
) -> (Vec<u8>, Vec<u8>) {
    let password = Secret::new(PASSWORD);
    let cert = card
        .atomic(TransactionEnd::Unpower, |c| {
            let outcome = guard.verify(c, &password, None)?;
            assert!(matches!(outcome, VerifyOutcome::Verified { .. }));
            Ok::<_, GuardError>(c.read_signing_certificate()?)
        })
        .expect("login");
    let digest: [u8; 32] = Sha256::digest(b"shared card").into();
    let signature = card
        .atomic(TransactionEnd::Unpower, |c| {
            let outcome = guard.verify(c, &password, None)?;
            assert!(matches!(outcome, VerifyOutcome::Verified { .. }));
            Ok::<_, GuardError>(c.sign_sha256(&digest)?)
        })
        .expect("signature");
    (cert, signature)
}

#[test]
fn another_client_hammering_the_card_costs_no_try() {
    let _l = pcsc_lock();
    if support::opensc_tool("opensc-tool").is_none()
        || support::opensc_tool("pkcs15-tool").is_none()
    {
        return;
    }
    let Some(attached) = support::attach("normal") else {
        return;
    };
    let shared = attached.bridge().card();
    let stop = Arc::new(AtomicBool::new(false));
    let rounds = Arc::new(AtomicU32::new(0));
    let other = hammer(stop.clone(), rounds.clone());
    let expected_cert = support::profile_file("normal", "sign.der");
    let mut rejected = 0;
    for _ in 0..RUNS {
        let mut card = JpkiCard::new(Box::new(support::pcsc_channel()) as Box<dyn CardChannel>);
        let mut guard = PasswordGuard::new(PinKind::SigningPassword);
        // Card preparation in a transaction of its own; then the resident
        // types the password while the other client carries on.
        let state = card
            .atomic(TransactionEnd::Leave, |c| guard.status(c))
            .expect("tries read");
        assert_eq!(state.tries_left(), Some(5));
        std::thread::sleep(std::time::Duration::from_millis(200));
        let (cert, signature) = login_and_sign(&mut card, &mut guard);
        assert_eq!(cert, expected_cert);
        suite::assert_signature(&cert, b"shared card", &signature);
        if guard.was_rejected(&Secret::new(PASSWORD)) {
            rejected += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    other.join().unwrap();
    assert!(rounds.load(Ordering::Relaxed) > 0, "the other client ran");
    assert_eq!(rejected, 0, "no right password flagged as rejected");
    let card = madoguchi_sim::channel::lock(&shared);
    for (kind, full) in [
        (PinKind::SigningPassword, 5),
        (PinKind::AuthenticationPin, 3),
        (PinKind::CardInfoPin, 3),
    ] {
        assert_eq!(card.tries_left(kind), Some(full), "{kind:?}: no try lost");
    }
}

/// Raw APDUs from a separate PC/SC connection.
fn raw(channel: &mut dyn CardChannel, c: &Command) -> StatusWord {
    channel.transmit(c).expect("the card answers").sw
}

/// After the card work, a separate client cannot read the signing
/// certificate or sign: neither by going on where we stopped (no SELECT of
/// the AP, which would end a VERIFY on the strict card by itself) nor, on
/// the lenient card that keeps a VERIFY across a re-select, after selecting
/// the AP.
#[test]
fn after_the_card_work_another_client_cannot_use_the_signing_key() {
    let _l = pcsc_lock();
    for make in [
        suite::ThroughPcsc::make as fn(&str) -> Option<Box<dyn suite::Rig>>,
        suite::ThroughPcsc::make_lenient,
    ] {
        let Some(mut rig) = make("normal") else {
            return;
        };
        let mut card = JpkiCard::new(rig.channel());
        let mut guard = PasswordGuard::new(PinKind::SigningPassword);
        login_and_sign(&mut card, &mut guard);
        let mut other = rig.channel();
        for with_ap in [false, true] {
            if with_ap {
                assert_eq!(
                    raw(&mut *other, &Command::select_df(&ids::AID_JPKI)),
                    StatusWord::Ok
                );
            }
            // Selecting an EF may fail (nothing selected after the power
            // cycle); what matters is that nothing protected answers 90 00.
            raw(
                &mut *other,
                &Command::select_ef(ids::jpki::SIGNING_CERTIFICATE),
            );
            assert_ne!(
                raw(&mut *other, &Command::read_binary(0, Le::MAX_SHORT)),
                StatusWord::Ok,
                "signing certificate read without the password (AP selected: {with_ap})"
            );
            raw(&mut *other, &Command::select_ef(ids::jpki::SIGNING_KEY));
            let mut di = ids::SHA256_DIGEST_INFO_PREFIX.to_vec();
            di.extend_from_slice(&[0x42; 32]);
            assert_ne!(
                raw(&mut *other, &Command::compute_digital_signature(&di)),
                StatusWord::Ok,
                "signature without the password (AP selected: {with_ap})"
            );
        }
        assert!(!madoguchi_sim::channel::lock(&rig.card()).is_verified(PinKind::SigningPassword));
        assert_eq!(
            card.tries_left(PinKind::SigningPassword),
            Ok(PinStatus::TriesLeft(5))
        );
    }
}
