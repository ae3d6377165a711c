//! Print reader/card events as the watch reports them, each with the wall
//! clock in milliseconds since the Unix epoch (to measure latency against
//! the time a card was inserted or removed), and for each inserted card what
//! the JPKI AP says (token kind, tries left — no try spent — and the
//! authentication certificate read twice, with the APDUs it took).
//!
//! `RUST_LOG=madoguchi=debug cargo run -p madoguchi-card --example watch [SECONDS]`

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use madoguchi_card::{JpkiCard, PinKind, Watch, WatchEvent, connect, list_readers};

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

fn describe(reader: &str) {
    match connect(Some(reader)) {
        Ok(channel) => {
            let mut card = JpkiCard::new(channel);
            match card.token() {
                Ok(token) => {
                    let sign = card.tries_left(PinKind::SigningPassword);
                    let auth = card.tries_left(PinKind::AuthenticationPin);
                    println!(
                        "  token {token:?}, signing {sign:?}, auth {auth:?}, {:?}",
                        card.stats()
                    );
                    for round in 0..2 {
                        let before = card.stats();
                        let cert = card.read_authentication_certificate();
                        println!(
                            "  authentication certificate (read {}): {:?} bytes, {:?}, extended READ BINARY {:?}",
                            round + 1,
                            cert.map(|c| c.len()),
                            card.stats().since(before),
                            card.extended_read()
                        );
                    }
                }
                Err(e) => println!("  {e} (E{})", e.catalogue_number()),
            }
        }
        Err(e) => println!("  connect: {e} (E{})", e.catalogue_number()),
    }
}

fn main() {
    // RUST_LOG=madoguchi=debug shows the watch's decisions (PnP or not).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    match list_readers() {
        Ok(r) => println!("{} list_readers {r:?}", now_ms()),
        Err(e) => println!("{} list_readers: {e}", now_ms()),
    }
    let (watch, events) = match Watch::start() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("watch: {e}");
            std::process::exit(1);
        }
    };
    let end = Instant::now() + Duration::from_secs(seconds);
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(e) => {
                println!("{} {e:?}", now_ms());
                if let WatchEvent::CardInserted { reader, .. } = &e {
                    describe(reader);
                }
            }
            Err(_) => break,
        }
    }
    let t = Instant::now();
    watch.stop();
    println!("stopped in {} ms", t.elapsed().as_millis());
}
