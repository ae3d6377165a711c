//! The JPKI suite through real PC/SC: pcscd, the vpcd driver, and the
//! virtual card attached over TCP. Plus the reader watch and OpenSC, a
//! client we did not write.

use std::process::Command;
use std::time::Instant;

use madoguchi_card::{Watch, WatchEvent};
use madoguchi_testkit::private_pcscd::{self, PRIVATE_VPCD_PORT, PrivatePcscd};
use madoguchi_testkit::{self as support, VPCD_READER, pcsc_lock};

use crate::suite::{self, Operation, ThroughPcsc};

#[test]
fn token_and_tries() {
    let _l = pcsc_lock();
    suite::token_and_tries(&ThroughPcsc::make);
}

#[test]
fn certificates() {
    let _l = pcsc_lock();
    suite::certificates(&ThroughPcsc::make);
}

#[test]
fn verify_read_and_sign() {
    let _l = pcsc_lock();
    suite::verify_read_and_sign(&ThroughPcsc::make);
}

#[test]
fn change_password() {
    let _l = pcsc_lock();
    suite::change_password(&ThroughPcsc::make);
}

#[test]
fn locked_and_last_try() {
    let _l = pcsc_lock();
    suite::locked_and_last_try(&ThroughPcsc::make);
}

#[test]
fn removal_after_every_apdu_of_reading_the_signing_certificate() {
    let _l = pcsc_lock();
    suite::removal_after_every_apdu(&ThroughPcsc::make, Operation::ReadSigningCertificate);
}

#[test]
fn removal_after_every_apdu_of_signing() {
    let _l = pcsc_lock();
    suite::removal_after_every_apdu(&ThroughPcsc::make, Operation::Sign);
}

#[test]
fn wrong_le_to_verify_gets_one_verify() {
    let _l = pcsc_lock();
    suite::wrong_le_to_verify_gets_one_verify(&ThroughPcsc::make);
}

/// Wait for the first event `want` accepts; other events are skipped.
fn wait_for(
    rx: &std::sync::mpsc::Receiver<WatchEvent>,
    want: impl Fn(&WatchEvent) -> bool,
) -> Option<Instant> {
    let deadline = Instant::now() + support::SERVICE_WAIT;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(e) if want(&e) => return Some(Instant::now()),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

#[test]
fn watch_sees_insert_and_removal() {
    let _l = pcsc_lock();
    let Some(attached) = support::attach("normal") else {
        return;
    };
    let (watch, rx) = Watch::start().expect("watch starts");
    let snapshot = wait_for(&rx, |e| matches!(e, WatchEvent::Snapshot(_)));
    assert!(snapshot.is_some(), "no snapshot from the watch");

    for round in 0..3 {
        let removed_at = Instant::now();
        attached.bridge().remove();
        let seen = wait_for(
            &rx,
            |e| matches!(e, WatchEvent::CardRemoved { reader } if reader == VPCD_READER),
        )
        .unwrap_or_else(|| panic!("round {round}: removal not reported"));
        eprintln!("round {round}: removal seen after {:?}", seen - removed_at);

        let inserted_at = Instant::now();
        attached.bridge().insert();
        let seen = wait_for(
            &rx,
            |e| matches!(e, WatchEvent::CardInserted { reader, atr } if reader == VPCD_READER && atr == &madoguchi_sim::ATR),
        )
        .unwrap_or_else(|| panic!("round {round}: insertion not reported"));
        eprintln!(
            "round {round}: insertion seen after {:?}",
            seen - inserted_at
        );
    }
    watch.stop();
}

/// OpenSC's JPKI driver lists the virtual card's certificates and reads the
/// public ones back byte for byte.
#[test]
fn opensc_reads_the_virtual_card() {
    let _l = pcsc_lock();
    let Some(pkcs15_tool) = support::opensc_tool("pkcs15-tool") else {
        return;
    };
    let Some(_attached) = support::attach("normal") else {
        return;
    };
    let list = Command::new(&pkcs15_tool)
        .args(["--reader", VPCD_READER, "--list-certificates"])
        .output()
        .expect("pkcs15-tool runs");
    let listing = String::from_utf8_lossy(&list.stdout);
    assert!(
        list.status.success(),
        "pkcs15-tool failed: {listing} {}",
        String::from_utf8_lossy(&list.stderr)
    );
    // Four X.509 certificates: the two holder certificates and their CAs.
    assert_eq!(listing.matches("X.509 Certificate").count(), 4, "{listing}");

    // ID 01 is the authentication certificate, 03 the authentication CA
    // (OpenSC's JPKI emulation); the signing certificate needs the password.
    for (id, expected) in [
        ("01", support::profile_file("normal", "auth.der")),
        (
            "03",
            std::fs::read(support::fixtures().join("pki/auth-ca.der")).unwrap(),
        ),
    ] {
        let out = Command::new(&pkcs15_tool)
            .args(["--reader", VPCD_READER, "--read-certificate", id])
            .output()
            .expect("pkcs15-tool runs");
        assert!(
            out.status.success(),
            "read {id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pem = String::from_utf8_lossy(&out.stdout);
        let der = pem_to_der(&pem);
        assert_eq!(
            der, expected,
            "certificate {id} read by OpenSC differs from the profile's"
        );
    }
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64_decode(&body)
}

/// Standard base64 (the PEM body); no padding errors tolerated.
fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .expect("PEM body is base64")
}

/// The smart-card service stops and comes back: the watch says so and
/// re-establishes its context, with a fresh snapshot that shows the card.
/// The service is one this test starts, in a mount namespace of its own, and
/// stops by its process id; the machine's pcscd is never touched.
#[test]
fn watch_survives_the_service_going_down_and_back() {
    if !private_pcscd::inside() {
        private_pcscd::rerun_isolated();
        return;
    }
    let mut service = PrivatePcscd::start();
    let addr = format!("127.0.0.1:{PRIVATE_VPCD_PORT}");
    let faults = madoguchi_sim::Faults::new();
    let bridge = madoguchi_sim::Bridge::spawn(
        &addr,
        madoguchi_sim::share(support::virtual_card("normal")),
        faults,
    );
    assert!(
        bridge.wait_connected(true, support::SERVICE_WAIT),
        "the virtual card could not connect to the private vpcd slot"
    );
    assert!(support::wait_card_present(true, support::SERVICE_WAIT));

    let (watch, rx) = Watch::start().expect("watch starts");
    assert!(wait_for(&rx, |e| matches!(e, WatchEvent::Snapshot(_))).is_some());

    let pid = service.pid();
    service.stop();
    wait_for(&rx, |e| matches!(e, WatchEvent::ServiceUnavailable))
        .expect("the watch reports the service down");

    service.restart();
    assert_ne!(service.pid(), pid, "a new service process");
    wait_for(&rx, |e| matches!(e, WatchEvent::ServiceAvailable))
        .expect("the watch reports the service back");
    // The bridge reconnects to the new vpcd; the card shows in a snapshot or
    // an insertion event.
    let card_back = wait_for(&rx, |e| match e {
        WatchEvent::Snapshot(readers) => readers
            .iter()
            .any(|r| r.name == VPCD_READER && r.card_present),
        WatchEvent::CardInserted { reader, .. } => reader == VPCD_READER,
        _ => false,
    });
    assert!(
        card_back.is_some(),
        "the card is seen again after the restart"
    );
    assert!(bridge.is_connected());
    watch.stop();
    bridge.stop();
}

/// The suite through pcscd against the permissive card too.
mod lenient {
    use madoguchi_testkit::pcsc_lock;

    use crate::suite::{self, ThroughPcsc};

    #[test]
    fn verify_read_and_sign() {
        let _l = pcsc_lock();
        suite::verify_read_and_sign(&ThroughPcsc::make_lenient);
    }

    #[test]
    fn locked_and_last_try() {
        let _l = pcsc_lock();
        suite::locked_and_last_try(&ThroughPcsc::make_lenient);
    }
}
