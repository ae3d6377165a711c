//! `madoguchi revoke` and `madoguchi check`, the binary, through real
//! pcscd + vpcd with the virtual card attached (the PC/SC harness of
//! `crates/testkit`), against the reference online window over TLS on
//! 127.0.0.1: the happy paths and the main errors, with `RUST_LOG=trace`
//! and the output searched for the password.

use crate::support;

use madoguchi::demo::LocalWindow;
use support::cli::{
    assert_apdus_traced, assert_no_password, assert_unsent_password_absent, run, text,
};
use support::{VPCD_READER, attach, pcsc_lock};

const PASSWORD: &str = "ABC123";

/// `procedure` on the card in the vpcd reader against `window`.
fn procedure(
    window: &LocalWindow,
    procedure: &str,
    stdin: &str,
) -> (std::process::Output, serde_json::Value) {
    let o = run(
        &[
            "--lang",
            "en",
            procedure,
            "--reader",
            VPCD_READER,
            "--server",
            window.url(),
            "--anchor",
            concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pki/tls-ca.pem"),
            "--signing-ca",
            concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pki/sign-ca.der"),
            "--pin-stdin",
            "--yes",
            "--json",
        ],
        stdin,
    );
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    (o, v)
}

fn both_passwords() -> String {
    format!("{PASSWORD}\n{PASSWORD}\n")
}

#[test]
fn pcsc_revocation_then_validity_check() {
    let _slot = pcsc_lock();
    let Some(_card) = attach("normal") else {
        return;
    };
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let (o, v) = procedure(&window, "revoke", &both_passwords());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(v["result"], "accepted");
    assert_eq!(v["section"], "2.1.9");
    assert!(text(&o).contains("TRACE"), "trace logging was on");
    assert_no_password(&o, PASSWORD);

    // 3.1.12: the revocation is accepted and waits for the next CRL.
    let (o, v) = procedure(&window, "check", &both_passwords());
    assert_eq!(o.status.code(), Some(11), "{}", text(&o));
    assert_eq!(v["result"], "revocation_accepted");
    assert_eq!(v["section"], "3.1.12");
    assert_no_password(&o, PASSWORD);

    // 2.2.15: a second revocation request.
    let (o, v) = procedure(&window, "revoke", &both_passwords());
    assert_eq!(o.status.code(), Some(11), "{}", text(&o));
    assert_eq!(v["result"], "duplicate_request");
}

#[test]
fn pcsc_validity_check_valid() {
    let _slot = pcsc_lock();
    let Some(_card) = attach("rare-kanji") else {
        return;
    };
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let pw = "ABCDEFGH12345678";
    let (o, v) = procedure(&window, "check", &format!("{pw}\n{pw}\n"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(v["result"], "valid");
    assert!(text(&o).contains("髙﨑　𠮷乃"));
    assert_no_password(&o, pw);
}

#[test]
fn pcsc_wrong_password_stops_the_script() {
    let _slot = pcsc_lock();
    let Some(_card) = attach("normal") else {
        return;
    };
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let (o, v) = procedure(&window, "revoke", "PLANTED7Q9X\nPLANTED7Q9Y\n");
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert_eq!(v["sent"], false);
    assert!(text(&o).contains("E110"));
    assert_no_password(&o, "PLANTED7Q9X");
    assert_unsent_password_absent(&o, "PLANTED7Q9Y");
}

#[test]
fn pcsc_locked_and_expired_cards() {
    let _slot = pcsc_lock();
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    {
        let Some(_card) = attach("locked") else {
            return;
        };
        let (o, v) = procedure(&window, "revoke", &both_passwords());
        assert_eq!(o.status.code(), Some(4), "{}", text(&o));
        assert_eq!(v["section"], "2.2.7");
        assert_apdus_traced(&o);
        assert!(
            !text(&o).contains("00 20 00 80 Lc="),
            "no password was sent"
        );
    }
    {
        let Some(_card) = attach("expired") else {
            return;
        };
        let (o, v) = procedure(&window, "check", &both_passwords());
        assert_eq!(o.status.code(), Some(12), "{}", text(&o));
        assert_eq!(v["section"], "3.2.9");
        assert_eq!(v["sent"], false);
        assert!(!text(&o).contains("80 2A"), "no signature was made");
    }
}

/// APDUs the card answers up to and including the signature, counted on
/// the in-process card (the same commands go through PC/SC).
fn apdus_through_the_signature(window: &LocalWindow) -> u64 {
    use madoguchi::flow::{Action, Driver, Engine, Screen};
    let channel = madoguchi_sim::SimChannel::open(support::profile_path("normal"), None).unwrap();
    let handle = channel.handle();
    let mut slot = Some(channel);
    let opener: madoguchi::flow::CardOpener = Box::new(move || {
        let c = slot.take().ok_or(madoguchi_card::CardError::NoCard)?;
        Ok((
            "in-process".into(),
            Box::new(c) as Box<dyn madoguchi_card::CardChannel>,
        ))
    });
    let client = crate::flow_support::client(window.url());
    let engine = Engine::new(
        madoguchi_pki::request::Procedure::ValidityCheck,
        crate::flow_support::options(1),
    );
    let mut d = Driver::new(engine, opener, client).unwrap();
    d.act(Action::Start).unwrap();
    d.act(Action::Ok).unwrap();
    d.act(Action::Password(madoguchi_card::Secret::new(PASSWORD)))
        .unwrap();
    d.act(Action::Sign).unwrap();
    d.act(Action::Confirm).unwrap();
    let end = d
        .act(Action::Password(madoguchi_card::Secret::new(PASSWORD)))
        .unwrap();
    assert_eq!(*end, Screen::SendConfirmation);
    handle.stats().apdus
}

#[test]
fn pcsc_card_pulled_before_the_signature_shows_2_2_6() {
    let _slot = pcsc_lock();
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let total = apdus_through_the_signature(&window);
    let Some(card) = attach("normal") else {
        return;
    };
    // Answer everything up to the signature command, then the card is gone.
    card.faults.remove_after(total - 1);
    let (o, v) = procedure(&window, "check", &both_passwords());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(v["section"], "3.2.6", "{}", text(&o));
    assert_eq!(v["result"], "unexpected");
    assert_eq!(v["sent"], false);
    assert_no_password(&o, PASSWORD);
}

/// Validity checks and a revocation through pcscd on the strict card while
/// another PC/SC client hammers the same card in a loop, as a browser's
/// PKCS#11 module might: `opensc-tool` selecting the JPKI AP and the
/// authentication PIN's IEF and sending an empty VERIFY, `pkcs15-tool`
/// reading certificates. Every procedure succeeds, no try is lost on any of
/// the three secrets, and the right password is never flagged as rejected.
#[test]
fn pcsc_procedures_while_another_client_hammers_the_card() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

    let _slot = pcsc_lock();
    let (Some(opensc), Some(pkcs15)) = (
        support::opensc_tool("opensc-tool"),
        support::opensc_tool("pkcs15-tool"),
    ) else {
        return;
    };
    let Some(card) = attach("normal") else {
        return;
    };
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let rounds = Arc::new(AtomicU32::new(0));
    let other = {
        let (stop, rounds) = (stop.clone(), rounds.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let _ = std::process::Command::new(&opensc)
                    .args(["--reader", VPCD_READER])
                    .args(["--send-apdu", "00A4040C0AD392F000260100000001"])
                    .args(["--send-apdu", "00A4020C020018"])
                    .args(["--send-apdu", "00200080"])
                    .output();
                for id in ["01", "03"] {
                    let _ = std::process::Command::new(&pkcs15)
                        .args(["--reader", VPCD_READER, "--read-certificate", id])
                        .output();
                }
                rounds.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let mut outcomes = Vec::new();
    for (name, expected) in [
        ("check", "valid"),
        ("check", "valid"),
        ("check", "valid"),
        ("check", "valid"),
        ("check", "valid"),
        ("revoke", "accepted"),
    ] {
        let (o, v) = procedure(&window, name, &both_passwords());
        assert_no_password(&o, PASSWORD);
        assert!(
            !text(&o).contains("E114"),
            "right password flagged as rejected"
        );
        outcomes.push((name, o.status.code(), v["result"].clone(), expected));
    }
    stop.store(true, Ordering::Relaxed);
    other.join().unwrap();
    let rounds = rounds.load(Ordering::Relaxed);
    assert!(rounds > 0, "the other client ran");
    // The figure for docs/benchmarks.md (visible with --nocapture).
    eprintln!(
        "interference: {} procedures beside {rounds} rounds of opensc-tool + pkcs15-tool",
        outcomes.len()
    );
    for (name, code, result, expected) in &outcomes {
        assert_eq!(
            (*code, result.as_str()),
            (Some(0), Some(*expected)),
            "{name}"
        );
    }
    let shared = card.bridge().card();
    let sim = madoguchi_sim::channel::lock(&shared);
    for (kind, full) in [
        (madoguchi_card::PinKind::SigningPassword, 5),
        (madoguchi_card::PinKind::AuthenticationPin, 3),
        (madoguchi_card::PinKind::CardInfoPin, 3),
    ] {
        assert_eq!(sim.tries_left(kind), Some(full), "{kind:?}: no try lost");
    }
}

/// Outside demo mode the virtual reader is flagged and used only when
/// chosen by name: a command without `--reader` sends nothing to it.
#[test]
fn pcsc_virtual_reader_is_used_only_when_chosen() {
    let _slot = pcsc_lock();
    let Some(card) = attach("normal") else {
        return;
    };
    // The listing comes first; the card is not read (E119 after it).
    let o = run(&["--lang", "en", "status", "--json"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let v: serde_json::Value = serde_json::Deserializer::from_slice(&o.stdout)
        .into_iter()
        .next()
        .and_then(Result::ok)
        .unwrap_or_else(|| panic!("{}", text(&o)));
    assert_eq!(v["card"], serde_json::Value::Null, "{v}");
    let vpcd = v["readers"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["name"] == VPCD_READER))
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(vpcd["virtual"], true, "{v}");
    let before = card.bridge().stats().apdus;
    let o = run(
        &["--lang", "en", "cert", "--pin-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("E119"), "{}", text(&o));
    assert_eq!(
        card.bridge().stats().apdus,
        before,
        "nothing reached the card"
    );
    // Chosen by name, it is used.
    let o = run(
        &[
            "--lang",
            "en",
            "cert",
            "--reader",
            VPCD_READER,
            "--pin-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_no_password(&o, PASSWORD);
}
