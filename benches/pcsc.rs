//! Card I/O and reader-watch figures through real pcscd + vpcd + the
//! virtual card (`cargo bench --bench pcsc`). Prints a Markdown table for
//! docs/benchmarks.md. Needs pcscd and the vpcd driver, like the tests.

use madoguchi_testkit as support;

use std::time::{Duration, Instant};

use madoguchi::demo::{LocalWindow, Material};

/// The committed fixtures (fixed certificates, the test CA the commands trust with --anchor).
fn material() -> Material {
    Material::from_dir(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures"
    )))
    .expect("fixtures/")
}
use madoguchi_card::{
    CardChannel, GuardError, JpkiCard, PasswordGuard, PinKind, Secret, TransactionEnd,
    VerifyOutcome, Watch, WatchEvent,
};
use madoguchi_pki::request::Procedure;

const ROUNDS: usize = 20;
/// The fixture cards' signing password.
const PASSWORD: &str = "ABC123";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn max(v: &[Duration]) -> Duration {
    v.iter().copied().max().unwrap_or_default()
}

/// The app's two password jobs on one connection, each one transaction
/// ending in a power cycle: guard verify + read the signing certificate,
/// then guard verify + sign (the manual's second entry, 2.1.7).
fn procedure(channel: Box<dyn CardChannel>) -> [(u32, u64, u64, Duration); 2] {
    let mut card = JpkiCard::new(channel);
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    let password = Secret::new(PASSWORD);
    let t = Instant::now();
    card.atomic(TransactionEnd::Unpower, |c| {
        let outcome = guard.verify(c, &password, None)?;
        assert!(matches!(outcome, VerifyOutcome::Verified { .. }));
        Ok::<_, GuardError>(c.read_signing_certificate()?)
    })
    .expect("login");
    let read = card.stats();
    let read_time = t.elapsed();
    let t = Instant::now();
    card.atomic(TransactionEnd::Unpower, |c| {
        let outcome = guard.verify(c, &password, None)?;
        assert!(matches!(outcome, VerifyOutcome::Verified { .. }));
        Ok::<_, GuardError>(c.sign_sha256(&[1; 32])?)
    })
    .expect("sign");
    let sign = card.stats().since(read);
    let sign_time = t.elapsed();
    [
        (read.apdus, read.bytes_sent, read.bytes_received, read_time),
        (sign.apdus, sign.bytes_sent, sign.bytes_received, sign_time),
    ]
}

/// APDUs and bytes of a whole procedure as the app runs it (engine, card
/// worker, guard), on the in-process strict card against a local window.
fn procedure_traffic(procedure: Procedure) -> madoguchi_sim::SimStats {
    use madoguchi::flow::{Action, Driver, Engine, Options};
    let window = LocalWindow::start(&material()).expect("window");
    let channel = support::in_process("normal");
    let handle = channel.handle();
    let mut slot = Some(channel);
    let opener: madoguchi::flow::CardOpener = Box::new(move || {
        let c = slot.take().ok_or(madoguchi_card::CardError::NoCard)?;
        Ok(("in-process".into(), Box::new(c) as Box<dyn CardChannel>))
    });
    let mut config = madoguchi::client::ClientConfig::new(Some(window.url().to_owned()));
    config.trust = madoguchi::client::Trust::Demo(window.trust());
    config.proxy = madoguchi::client::ProxySetting::None;
    let client = madoguchi::client::Client::new(&config);
    let mut d = Driver::new(Engine::new(procedure, Options::default()), opener, client).unwrap();
    for action in [Action::Start, Action::Ok] {
        d.act(action).unwrap();
    }
    d.act(Action::Password(Secret::new(PASSWORD))).unwrap();
    d.act(Action::Sign).unwrap();
    d.act(Action::Confirm).unwrap();
    d.act(Action::Password(Secret::new(PASSWORD))).unwrap();
    d.act(Action::Confirm).unwrap();
    handle.stats()
}

/// `madoguchi check` end to end through pcscd on a card with a real card's
/// timing (15 ms per APDU, 600 ms more for the signature).
fn realistic_check(window: &LocalWindow) -> Duration {
    let t = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["check", "--reader", support::VPCD_READER, "--server"])
        .arg(window.url())
        .args(["--pin-stdin", "--yes", "--json", "--anchor"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/pki/tls-ca.pem"
        ))
        .env_remove("MADOGUCHI_SERVER")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("madoguchi starts");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let elapsed = t.elapsed();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["result"], "valid", "{v}");
    elapsed
}

fn wait_for(rx: &std::sync::mpsc::Receiver<WatchEvent>, want: impl Fn(&WatchEvent) -> bool) {
    loop {
        let e = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("watch event");
        if want(&e) {
            return;
        }
    }
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let _slot = support::pcsc_lock();
    let Some(attached) = support::attach("normal") else {
        return;
    };
    let mut rows = Vec::new();
    for (label, inproc) in [("in-process", true), ("pcscd + vpcd", false)] {
        let mut read_t = Vec::new();
        let mut sign_t = Vec::new();
        let mut last = None;
        for _ in 0..ROUNDS {
            let channel: Box<dyn CardChannel> = if inproc {
                Box::new(support::in_process("normal"))
            } else {
                Box::new(support::pcsc_channel())
            };
            let [r, s] = procedure(channel);
            read_t.push(r.3);
            sign_t.push(s.3);
            last = Some((r, s));
        }
        let (r, s) = last.unwrap();
        rows.push(format!(
            "| {label} | verify + read signing certificate | {} | {} | {} | {:.1?} | {:.1?} |",
            r.0,
            r.1,
            r.2,
            median(read_t.clone()),
            max(&read_t)
        ));
        rows.push(format!(
            "| {label} | sign (SHA-256 DigestInfo) | {} | {} | {} | {:.1?} | {:.1?} |",
            s.0,
            s.1,
            s.2,
            median(sign_t.clone()),
            max(&sign_t)
        ));
    }
    println!("| path | operation | APDUs | bytes sent | bytes received | median | max |");
    println!("|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }

    println!();
    println!("| procedure (whole, as the app runs it) | APDUs | bytes to card | bytes from card |");
    println!("|---|---:|---:|---:|");
    for (label, p) in [
        ("revocation (失効申請)", Procedure::Revocation),
        ("validity check (有効性確認)", Procedure::ValidityCheck),
    ] {
        let s = procedure_traffic(p);
        println!(
            "| {label} | {} | {} | {} |",
            s.apdus, s.bytes_to_card, s.bytes_from_card
        );
    }

    // A real card's timing, through pcscd: 15 ms per APDU (contactless
    // reader), 600 ms more for the RSA-2048 signature.
    {
        let mut slow = madoguchi_testkit::virtual_card("normal");
        slow.options_mut().apdu_latency_ms = 15;
        slow.options_mut().signature_ms = 600;
        drop(attached);
        let slow = support::attach_card(slow).expect("vpcd");
        let mut times = Vec::new();
        for _ in 0..5 {
            let window = LocalWindow::start(&material()).expect("window");
            times.push(realistic_check(&window));
        }
        times.sort();
        println!();
        println!(
            "| validity check end to end, 15 ms/APDU + 600 ms signature (5 runs) | min | median | max |"
        );
        println!("|---|---:|---:|---:|");
        println!(
            "| `madoguchi check` through pcscd + vpcd | {:.0} ms | {:.0} ms | {:.0} ms |",
            times[0].as_secs_f64() * 1e3,
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3
        );
        drop(slow);
    }
    let attached = support::attach("normal").expect("vpcd");

    let (watch, rx) = Watch::start().expect("watch");
    wait_for(&rx, |e| matches!(e, WatchEvent::Snapshot(_)));
    let (mut removal, mut insertion) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        attached.bridge().remove();
        wait_for(&rx, |e| matches!(e, WatchEvent::CardRemoved { .. }));
        removal.push(t.elapsed());
        let t = Instant::now();
        attached.bridge().insert();
        wait_for(&rx, |e| matches!(e, WatchEvent::CardInserted { .. }));
        insertion.push(t.elapsed());
    }
    watch.stop();
    println!();
    println!("| watch event ({ROUNDS} rounds) | median | max |");
    println!("|---|---|---|");
    println!(
        "| card removal | {:.0?} | {:.0?} |",
        median(removal.clone()),
        max(&removal)
    );
    println!(
        "| card insertion | {:.0?} | {:.0?} |",
        median(insertion.clone()),
        max(&insertion)
    );
}
