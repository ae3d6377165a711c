//! The in-process face: SimChannel as a CardChannel, removal, counters and
//! fault injection.

mod common;

use std::time::{Duration, Instant};

use common::*;
use madoguchi_card::ids::{self, jpki};
use madoguchi_card::{CardChannel, Command, Le, PinKind, StatusWord, TransportError};
use madoguchi_sim::channel::lock;
use madoguchi_sim::{ATR, FailRule, Faults, SimChannel, share};
use rsa::pkcs1v15::Pkcs1v15Sign;

fn channel() -> (Fixture, SimChannel) {
    let f = fixture();
    let ch = SimChannel::open(&f.profile, None).unwrap();
    (f, ch)
}

fn ok(ch: &mut SimChannel, cmd: &Command) -> Vec<u8> {
    let r = ch.transmit(cmd).unwrap();
    assert_eq!(r.sw, StatusWord::Ok, "{cmd:?}");
    r.data
}

/// "Read signing certificate" as a client does it: select, VERIFY, select,
/// header read, chunks of 256.
fn read_signing_certificate(ch: &mut SimChannel) -> Result<Vec<u8>, TransportError> {
    let expect_ok = |r: madoguchi_card::Response| {
        assert_eq!(r.sw, StatusWord::Ok);
        r.data
    };
    expect_ok(ch.transmit(&Command::select_df(&ids::AID_JPKI))?);
    expect_ok(ch.transmit(&Command::select_ef(jpki::SIGNING_PASSWORD))?);
    expect_ok(ch.transmit(&Command::verify(SIGN_PASSWORD.as_bytes()))?);
    expect_ok(ch.transmit(&Command::select_ef(jpki::SIGNING_CERTIFICATE))?);
    let head = expect_ok(ch.transmit(&Command::read_binary(0, Le::Short(4)))?);
    let total = 4 + usize::from(u16::from_be_bytes([head[2], head[3]]));
    let mut out = Vec::new();
    while out.len() < total {
        let n = (total - out.len()).min(256) as u16;
        out.extend(expect_ok(
            ch.transmit(&Command::read_binary(out.len() as u16, Le::Short(n)))?,
        ));
    }
    Ok(out)
}

/// "Sign" as a client does it.
fn sign(ch: &mut SimChannel, di: &[u8]) -> Result<Vec<u8>, TransportError> {
    for cmd in [
        Command::select_df(&ids::AID_JPKI),
        Command::select_ef(jpki::SIGNING_PASSWORD),
        Command::verify(SIGN_PASSWORD.as_bytes()),
        Command::select_ef(jpki::SIGNING_KEY),
    ] {
        assert_eq!(ch.transmit(&cmd)?.sw, StatusWord::Ok);
    }
    let r = ch.transmit(&Command::compute_digital_signature(di))?;
    assert_eq!(r.sw, StatusWord::Ok);
    Ok(r.data)
}

#[test]
fn a_card_channel_like_any_other() {
    let (_f, mut ch) = channel();
    assert_eq!(ch.atr(), ATR.to_vec());
    assert_eq!(read_signing_certificate(&mut ch).unwrap(), sign_cert());
    let di = digest_info(b"hello");
    let sig = sign(&mut ch, &di).unwrap();
    sign_public()
        .verify(Pkcs1v15Sign::new_unprefixed(), &di, &sig)
        .unwrap();
    // reset() drops the verified state.
    ch.reset().unwrap();
    ok(&mut ch, &Command::select_df(&ids::AID_JPKI));
    ok(&mut ch, &Command::select_ef(jpki::SIGNING_CERTIFICATE));
    assert_eq!(
        ch.transmit(&Command::read_binary(0, Le::Short(4)))
            .unwrap()
            .sw,
        StatusWord::SecurityStatusNotSatisfied
    );
}

#[test]
fn counters_of_apdus_and_bytes() {
    let (_f, mut ch) = channel();
    let h = ch.handle();
    assert_eq!(h.stats().apdus, 0);
    ok(&mut ch, &Command::select_df(&ids::AID_JPKI)); // 15 bytes → 2
    ok(&mut ch, &Command::select_ef(jpki::TOKEN_INFO)); // 7 → 2
    ok(&mut ch, &Command::read_binary(0, Le::Short(32))); // 5 → 34
    let s = h.stats();
    assert_eq!((s.apdus, s.bytes_to_card, s.bytes_from_card), (3, 27, 38));
    h.reset_stats();
    assert_eq!(h.stats().apdus, 0);
}

#[test]
fn removal_and_insertion() {
    let (_f, mut ch) = channel();
    let h = ch.handle();
    assert!(h.is_present());
    ok(&mut ch, &Command::select_df(&ids::AID_JPKI));
    ok(&mut ch, &Command::select_ef(jpki::SIGNING_PASSWORD));
    ok(&mut ch, &Command::verify(SIGN_PASSWORD.as_bytes()));
    h.remove();
    assert!(!h.is_present());
    assert!(h.wait_presence(false, Duration::ZERO));
    assert_eq!(
        ch.transmit(&Command::verify_query()),
        Err(TransportError::CardRemoved)
    );
    assert_eq!(ch.reset(), Err(TransportError::CardRemoved));
    h.insert();
    assert!(h.is_present());
    // A fresh power-on: nothing selected, nothing verified.
    assert!(!lock(&ch.card()).is_verified(PinKind::SigningPassword));
    assert_eq!(
        ch.transmit(&Command::select_ef(jpki::SIGNING_PASSWORD))
            .unwrap()
            .sw,
        StatusWord::FileNotFound
    );
    // Counters survive removal.
    assert_eq!(
        lock(&ch.card()).tries_left(PinKind::SigningPassword),
        Some(5)
    );
}

#[test]
fn wait_presence_sees_another_thread() {
    let (_f, ch) = channel();
    let h = ch.handle();
    let h2 = h.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        h2.remove();
    });
    assert!(h.wait_presence(false, Duration::from_secs(5)));
    t.join().unwrap();
    assert!(!h.wait_presence(true, Duration::from_millis(20)));
}

#[test]
fn removal_after_every_apdu_of_read_certificate_and_sign() {
    let (f, mut ch) = channel();
    // Count the APDUs of each operation first.
    let faults = ch.faults();
    let before = faults.apdus_seen();
    read_signing_certificate(&mut ch).unwrap();
    let read_apdus = faults.apdus_seen() - before;
    assert_eq!(read_apdus, 5 + 6); // 1284 bytes: 4-byte header, then 6 chunks
    let before = faults.apdus_seen();
    sign(&mut ch, &digest_info(b"x")).unwrap();
    let sign_apdus = faults.apdus_seen() - before;
    assert_eq!(sign_apdus, 5);
    drop(ch);

    for n in 0..read_apdus {
        let mut ch = SimChannel::open(&f.profile, None).unwrap();
        ch.faults().remove_after(n);
        assert_eq!(
            read_signing_certificate(&mut ch),
            Err(TransportError::CardRemoved),
            "removed after APDU {n}"
        );
        assert!(!ch.handle().is_present());
        assert_eq!(
            lock(&ch.card()).tries_left(PinKind::SigningPassword),
            Some(5)
        );
    }
    for n in 0..sign_apdus {
        let mut ch = SimChannel::open(&f.profile, None).unwrap();
        ch.faults().remove_after(n);
        assert_eq!(
            sign(&mut ch, &digest_info(b"x")),
            Err(TransportError::CardRemoved),
            "removed after APDU {n}"
        );
    }
}

#[test]
fn removal_armed_mid_session_then_reinserted() {
    let (_f, mut ch) = channel();
    let faults = ch.faults();
    ok(&mut ch, &Command::select_df(&ids::AID_JPKI));
    faults.remove_after(2);
    ok(&mut ch, &Command::select_ef(jpki::TOKEN_INFO));
    // The second APDU is answered, then the card is gone.
    ok(&mut ch, &Command::read_binary(0, Le::Short(4)));
    assert!(!ch.handle().is_present());
    assert_eq!(
        ch.transmit(&Command::read_binary(0, Le::Short(4))),
        Err(TransportError::CardRemoved)
    );
    ch.handle().insert();
    ok(&mut ch, &Command::select_df(&ids::AID_JPKI));
    // Fired once only.
    ok(&mut ch, &Command::select_ef(jpki::TOKEN_INFO));
    ok(&mut ch, &Command::read_binary(0, Le::Short(4)));
}

#[test]
fn delayed_answer() {
    let (_f, mut ch) = channel();
    // APDU 2 waits an hour: APDU 1 coming back at all shows that only
    // APDU 2 waits. (Order and outcome only; speed is for the benchmarks.)
    ch.faults().delay(2, Duration::from_secs(3600));
    ok(&mut ch, &Command::select_df(&ids::AID_JPKI));
    // APDU 2 is held until the card is pulled, 100 ms from now.
    let h = ch.handle();
    let puller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        h.remove();
    });
    let t = Instant::now();
    assert_eq!(
        ch.transmit(&Command::select_ef(jpki::TOKEN_INFO)),
        Err(TransportError::CardRemoved)
    );
    assert!(t.elapsed() >= Duration::from_millis(100), "APDU 2 waited");
    puller.join().unwrap();
    ch.handle().insert();
    // A short delay passes, and the answer then comes.
    ch.faults().delay(1, Duration::from_millis(200));
    let t = Instant::now();
    ok(&mut ch, &Command::select_df(&ids::AID_JPKI));
    assert!(t.elapsed() >= Duration::from_millis(200));
    ok(&mut ch, &Command::select_ef(jpki::TOKEN_INFO));
    // A slow card.
    ch.faults().set_latency(Duration::from_millis(40));
    let t = Instant::now();
    ok(&mut ch, &Command::read_binary(0, Le::Short(4)));
    ok(&mut ch, &Command::read_binary(0, Le::Short(4)));
    assert!(t.elapsed() >= Duration::from_millis(80));
}

#[test]
fn delay_cut_short_by_removal() {
    let (_f, mut ch) = channel();
    // An hour's delay that the removal ends: the exchange coming back at
    // all, with CardRemoved, is the outcome (no speed bound).
    ch.faults().delay(1, Duration::from_secs(3600));
    let h = ch.handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        h.remove();
    });
    assert_eq!(
        ch.transmit(&Command::select_df(&ids::AID_JPKI)),
        Err(TransportError::CardRemoved)
    );
    t.join().unwrap();
}

#[test]
fn hang_until_removed_spends_no_try() {
    let (_f, mut ch) = channel();
    ok(&mut ch, &Command::select_df(&ids::AID_JPKI));
    ok(&mut ch, &Command::select_ef(jpki::SIGNING_PASSWORD));
    ch.faults().hang(1);
    let h = ch.handle();
    let card = ch.card();
    let worker = std::thread::spawn(move || ch.transmit(&Command::verify(b"WRONG1")));
    std::thread::sleep(Duration::from_millis(200));
    assert!(!worker.is_finished(), "the card does not answer");
    h.remove();
    assert_eq!(worker.join().unwrap(), Err(TransportError::CardRemoved));
    // The hung VERIFY never reached the card.
    assert_eq!(lock(&card).tries_left(PinKind::SigningPassword), Some(5));
}

#[test]
fn chosen_status_words() {
    let (_f, mut ch) = channel();
    let faults = ch.faults();
    faults.fail(FailRule::new(0x20, StatusWord::ReferenceDataNotUsable).nth(1));
    faults.fail(
        FailRule::new(0xB0, StatusWord::MemoryFailure)
            .p1(0x00)
            .p2(0x04),
    );
    ok(&mut ch, &Command::select_df(&ids::AID_JPKI));
    ok(&mut ch, &Command::select_ef(jpki::SIGNING_PASSWORD));
    // The first VERIFY answers 69 84 and is not executed.
    assert_eq!(
        ch.transmit(&Command::verify(b"WRONG1")).unwrap().sw,
        StatusWord::ReferenceDataNotUsable
    );
    assert_eq!(
        lock(&ch.card()).tries_left(PinKind::SigningPassword),
        Some(5)
    );
    // Only the first.
    assert_eq!(
        ch.transmit(&Command::verify_query()).unwrap().sw,
        StatusWord::TriesLeft(5)
    );
    ok(&mut ch, &Command::select_ef(jpki::TOKEN_INFO));
    ok(&mut ch, &Command::read_binary(0, Le::Short(4)));
    assert_eq!(
        ch.transmit(&Command::read_binary(4, Le::Short(4)))
            .unwrap()
            .sw,
        StatusWord::MemoryFailure
    );
    faults.clear();
    assert_eq!(ok(&mut ch, &Command::read_binary(4, Le::Short(4))), b"APIC");
}

#[test]
fn faults_and_card_shared_between_channels() {
    let f = fixture();
    let card = share(madoguchi_sim::VirtualCard::open(&f.profile, None).unwrap());
    let faults = Faults::new();
    let mut a = SimChannel::with_shared(card.clone(), faults.clone());
    let mut b = SimChannel::with_shared(card.clone(), faults.clone());
    ok(&mut a, &Command::select_df(&ids::AID_JPKI));
    ok(&mut a, &Command::select_ef(jpki::SIGNING_PASSWORD));
    // The same card: b sees a's selection.
    assert_eq!(
        b.transmit(&Command::verify_query()).unwrap().sw,
        StatusWord::TriesLeft(5)
    );
    faults.fail(FailRule::new(0x20, StatusWord::MemoryFailure));
    assert_eq!(
        a.transmit(&Command::verify_query()).unwrap().sw,
        StatusWord::MemoryFailure
    );
    assert_eq!(faults.apdus_seen(), 4);
}
