//! The vpcd bridge against a fake vpcd: a TCP listener in the test that
//! speaks vpcd's side of the protocol, so no pcscd is needed.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::fake_vpcd::FakeVpcd;
use common::*;
use madoguchi_card::ids::{self, jpki};
use madoguchi_card::{Command, Le, PinKind, StatusWord};
use madoguchi_sim::channel::lock;
use madoguchi_sim::vpcd::{control, read_frame};
use madoguchi_sim::{ATR, Bridge, BridgeHandle, FailRule, Faults, SharedCard, VirtualCard, share};

const WAIT: Duration = Duration::from_secs(10);

fn setup() -> (Fixture, FakeVpcd, SharedCard, Faults, BridgeHandle) {
    let f = fixture();
    let card = share(VirtualCard::open(&f.profile, None).unwrap());
    let vpcd = FakeVpcd::new();
    let faults = Faults::new();
    let bridge = Bridge::spawn(vpcd.addr(), card.clone(), faults.clone());
    (f, vpcd, card, faults, bridge)
}

#[test]
fn power_atr_and_apdus() {
    let (_f, vpcd, _card, _faults, bridge) = setup();
    let mut slot = vpcd.accept(WAIT).expect("the card connects");
    assert!(bridge.wait_connected(true, WAIT));
    assert_eq!(bridge.connections(), 1);
    // pcscd's polling: GET_ATR many times, in any state.
    for _ in 0..3 {
        assert_eq!(slot.atr(), ATR.to_vec());
    }
    slot.control(control::POWER_ON);
    assert_eq!(slot.atr(), ATR.to_vec());
    assert_eq!(
        slot.apdu(&Command::select_df(&ids::AID_JPKI)).sw,
        StatusWord::Ok
    );
    assert_eq!(
        slot.apdu(&Command::select_ef(jpki::SIGNING_PASSWORD)).sw,
        StatusWord::Ok
    );
    assert_eq!(
        slot.apdu(&Command::verify_query()).sw,
        StatusWord::TriesLeft(5)
    );
    assert_eq!(slot.atr(), ATR.to_vec());
    assert_eq!(
        slot.apdu(&Command::verify(SIGN_PASSWORD.as_bytes())).sw,
        StatusWord::Ok
    );
    // The strict card refuses an extended READ BINARY; a short one reads.
    slot.apdu(&Command::select_ef(jpki::SIGNING_CERTIFICATE));
    let r = slot.apdu(&Command::read_binary(0, Le::MAX_EXTENDED));
    assert_eq!(r.sw, StatusWord::WrongLength);
    let r = slot.apdu(&Command::read_binary(0, Le::MAX_SHORT));
    assert_eq!((&r.data[..], r.sw), (&sign_cert()[..256], StatusWord::Ok));
    // A signature.
    slot.apdu(&Command::select_ef(jpki::SIGNING_KEY));
    let di = digest_info(b"over vpcd");
    let r = slot.apdu(&Command::compute_digital_signature(&di));
    assert_eq!(r.sw, StatusWord::Ok);
    sign_public()
        .verify(rsa::pkcs1v15::Pkcs1v15Sign::new_unprefixed(), &di, &r.data)
        .unwrap();
    // An empty frame is ignored; a short (2-byte) APDU gets 67 00.
    slot.send(&[]);
    slot.send(&[0x00, 0xA4]);
    assert_eq!(read_frame(&mut slot.s).unwrap(), vec![0x67, 0x00]);
    assert_eq!(slot.atr(), ATR.to_vec());
    let stats = bridge.stats();
    assert_eq!(stats.apdus, 10);
    // Power off loses the security state.
    slot.control(control::POWER_OFF);
    slot.control(control::POWER_ON);
    assert_eq!(
        slot.apdu(&Command::select_df(&ids::AID_JPKI)).sw,
        StatusWord::Ok
    );
    slot.apdu(&Command::select_ef(jpki::SIGNING_CERTIFICATE));
    assert_eq!(
        slot.apdu(&Command::read_binary(0, Le::Short(4))).sw,
        StatusWord::SecurityStatusNotSatisfied
    );
    bridge.stop();
    assert!(slot.closed(WAIT));
}

#[test]
fn reset_clears_verification() {
    let (_f, vpcd, card, _faults, _bridge) = setup();
    let mut slot = vpcd.accept(WAIT).unwrap();
    slot.control(control::POWER_ON);
    slot.apdu(&Command::select_df(&ids::AID_JPKI));
    slot.apdu(&Command::select_ef(jpki::SIGNING_PASSWORD));
    slot.apdu(&Command::verify(SIGN_PASSWORD.as_bytes()));
    assert!(lock(&card).is_verified(PinKind::SigningPassword));
    slot.control(control::RESET);
    assert_eq!(slot.atr(), ATR.to_vec());
    assert!(!lock(&card).is_verified(PinKind::SigningPassword));
}

#[test]
fn remove_closes_and_insert_reconnects() {
    let (_f, vpcd, _card, _faults, bridge) = setup();
    let mut slot = vpcd.accept(WAIT).unwrap();
    slot.control(control::POWER_ON);
    assert_eq!(slot.atr(), ATR.to_vec());
    bridge.remove();
    assert!(slot.closed(WAIT), "removal closes the connection");
    assert!(bridge.wait_connected(false, WAIT));
    assert!(!bridge.is_inserted());
    // Stays out until inserted.
    assert!(vpcd.accept(Duration::from_millis(300)).is_none());
    bridge.insert();
    let mut slot = vpcd.accept(WAIT).expect("insertion connects again");
    assert_eq!(slot.atr(), ATR.to_vec());
    assert!(bridge.wait_connected(true, WAIT));
    assert_eq!(bridge.connections(), 2);
}

#[test]
fn reconnects_when_vpcd_goes_away_and_comes_back() {
    let (_f, vpcd, _card, _faults, bridge) = setup();
    let slot = vpcd.accept(WAIT).unwrap();
    // pcscd restarts: vpcd closes the socket.
    drop(slot);
    let mut slot = vpcd.accept(WAIT).expect("the card comes back");
    assert_eq!(slot.atr(), ATR.to_vec());
    assert!(bridge.is_inserted());
    assert!(bridge.connections() >= 2);
}

#[test]
fn waits_for_vpcd_to_start_listening() {
    // Take a free port, close it, start the bridge, listen later.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let f = fixture();
    let card = share(VirtualCard::open(&f.profile, None).unwrap());
    let bridge = Bridge::spawn(format!("127.0.0.1:{port}"), card, Faults::new());
    std::thread::sleep(Duration::from_millis(400));
    assert!(!bridge.is_connected());
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let vpcd = FakeVpcd { listener };
    let mut slot = vpcd.accept(WAIT).expect("connects once vpcd listens");
    assert_eq!(slot.atr(), ATR.to_vec());
    // stop() returns: it does not wait for vpcd to go away.
    returns(move || bridge.stop(), "stop() with vpcd connected");
}

#[test]
fn stop_while_waiting_for_vpcd() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let f = fixture();
    let card = share(VirtualCard::open(&f.profile, None).unwrap());
    let bridge = Bridge::spawn(format!("127.0.0.1:{port}"), card, Faults::new());
    std::thread::sleep(Duration::from_millis(1500));
    returns(move || drop(bridge), "drop while waiting for vpcd"); // Drop stops too.
}

#[test]
fn fault_removal_after_apdu_n_closes_the_connection() {
    let (_f, vpcd, card, faults, bridge) = setup();
    let mut slot = vpcd.accept(WAIT).unwrap();
    slot.control(control::POWER_ON);
    faults.remove_after(3);
    assert_eq!(
        slot.apdu(&Command::select_df(&ids::AID_JPKI)).sw,
        StatusWord::Ok
    );
    assert_eq!(
        slot.apdu(&Command::select_ef(jpki::SIGNING_PASSWORD)).sw,
        StatusWord::Ok
    );
    // The third is answered, then the card is gone.
    assert_eq!(
        slot.apdu(&Command::verify(b"WRONG1")).sw,
        StatusWord::TriesLeft(4)
    );
    assert!(slot.closed(WAIT));
    assert!(bridge.wait_connected(false, WAIT));
    assert!(!bridge.is_inserted());
    assert_eq!(lock(&card).tries_left(PinKind::SigningPassword), Some(4));
    bridge.insert();
    let mut slot = vpcd.accept(WAIT).unwrap();
    // Inserted again: a fresh session.
    assert_eq!(
        slot.apdu(&Command::select_ef(jpki::SIGNING_PASSWORD)).sw,
        StatusWord::FileNotFound
    );
}

#[test]
fn fault_hang_until_removed() {
    let (_f, vpcd, card, faults, bridge) = setup();
    let mut slot = vpcd.accept(WAIT).unwrap();
    slot.control(control::POWER_ON);
    slot.apdu(&Command::select_df(&ids::AID_JPKI));
    slot.apdu(&Command::select_ef(jpki::SIGNING_PASSWORD));
    faults.hang(1);
    slot.send(&Command::verify(b"WRONG1").to_bytes().unwrap());
    assert!(slot.silent(Duration::from_millis(300)), "no answer");
    bridge.remove();
    assert!(slot.closed(WAIT));
    assert_eq!(lock(&card).tries_left(PinKind::SigningPassword), Some(5));
}

#[test]
fn fault_delay_and_status_word() {
    let (_f, vpcd, _card, faults, _bridge) = setup();
    let mut slot = vpcd.accept(WAIT).unwrap();
    slot.control(control::POWER_ON);
    faults.delay(1, Duration::from_millis(200));
    let t = Instant::now();
    assert_eq!(
        slot.apdu(&Command::select_df(&ids::AID_JPKI)).sw,
        StatusWord::Ok
    );
    assert!(t.elapsed() >= Duration::from_millis(200));
    faults.fail("A4:6A82:02".parse::<FailRule>().unwrap());
    assert_eq!(
        slot.apdu(&Command::select_ef(jpki::TOKEN_INFO)).sw,
        StatusWord::FileNotFound
    );
    // GET_ATR is not an APDU: no fault applies to it.
    faults.remove_after(0);
    assert_eq!(slot.atr(), ATR.to_vec());
    // The next APDU finds the card gone.
    slot.send(&Command::select_df(&ids::AID_JPKI).to_bytes().unwrap());
    assert!(slot.closed(WAIT));
}

/// `f` comes back. A hang detector, not a speed bound: a minute is far
/// beyond anything a loaded machine takes, and far below "never".
fn returns(f: impl FnOnce() + Send + 'static, what: &str) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    assert!(
        rx.recv_timeout(Duration::from_secs(60)).is_ok(),
        "{what} never returned"
    );
}
