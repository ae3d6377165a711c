//! Card I/O and reader-watch figures through real pcscd + vpcd + the
//! virtual card (`cargo bench --bench pcsc`). Prints a Markdown table for
//! docs/benchmarks.md. Needs pcscd and the vpcd driver, like the tests.

use madoguchi_testkit as support;

use std::time::{Duration, Instant};

use madoguchi_card::{
    CardChannel, JpkiCard, PasswordGuard, PinKind, Secret, VerifyOutcome, Watch, WatchEvent,
};

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

/// Verify + read the signing certificate, then sign, on one connection.
fn procedure(channel: Box<dyn CardChannel>) -> [(u32, u64, u64, Duration); 2] {
    let mut card = JpkiCard::new(channel);
    let mut guard = PasswordGuard::new(PinKind::SigningPassword);
    let t = Instant::now();
    let outcome = guard
        .verify(&mut card, &Secret::new(PASSWORD), None)
        .expect("verify");
    assert!(matches!(outcome, VerifyOutcome::Verified { .. }));
    card.read_signing_certificate().expect("read");
    let read = card.stats();
    let read_time = t.elapsed();
    let t = Instant::now();
    card.sign_sha256(&[1; 32]).expect("sign");
    let sign = card.stats().since(read);
    let sign_time = t.elapsed();
    [
        (read.apdus, read.bytes_sent, read.bytes_received, read_time),
        (sign.apdus, sign.bytes_sent, sign.bytes_received, sign_time),
    ]
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
