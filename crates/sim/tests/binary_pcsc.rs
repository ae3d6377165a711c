//! The `madoguchi-sim` binary attached to the real pcscd: any PC/SC program
//! (here the card crate and OpenSC's `opensc-tool`) sees the card; the state
//! file keeps the counters; `remove`/`insert` on its stdin are seen.

// pcscd + vpcd: Linux only, as on CI.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use madoguchi_card::{GuardError, JpkiCard, PasswordGuard, PinKind, PinStatus, Secret};
use madoguchi_testkit::{self as support, VPCD_ADDR, VPCD_READER, pcsc_lock};

struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        support::wait_card_present(false, support::SERVICE_WAIT);
    }
}

/// The signing password's tries left, read over a new PC/SC connection.
fn signing_tries() -> u8 {
    let mut card = JpkiCard::new(support::pcsc_channel());
    card.select_jpki_ap().expect("select the JPKI AP");
    match card.tries_left(PinKind::SigningPassword) {
        Ok(PinStatus::TriesLeft(n)) => n,
        other => panic!("signing password tries: {other:?}"),
    }
}

#[test]
fn the_sim_binary_serves_pcscd_and_keeps_its_counters() {
    let _l = pcsc_lock();
    let bin = env!("CARGO_BIN_EXE_madoguchi-sim");
    if !support::ensure_pcscd() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.toml");
    let start = || {
        let child = Command::new(bin)
            .args(["--vpcd", VPCD_ADDR, "--profile"])
            .arg(support::profile_path("normal"))
            .arg("--state")
            .arg(&state)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("madoguchi-sim starts");
        let sim = Sim(child);
        assert!(
            support::wait_card_present(true, support::SERVICE_WAIT),
            "pcscd does not see the card of madoguchi-sim"
        );
        sim
    };

    let mut sim = start();
    assert_eq!(signing_tries(), 5);
    // One wrong password, through the guard as the app sends it.
    {
        let mut card = JpkiCard::new(support::pcsc_channel());
        card.select_jpki_ap().expect("select the JPKI AP");
        let mut guard = PasswordGuard::new(PinKind::SigningPassword);
        let outcome = guard.verify(&mut card, &Secret::new("WRONG9"), None);
        assert!(
            matches!(outcome, Err(GuardError::WrongPassword { .. })),
            "{outcome:?}"
        );
    }
    assert_eq!(signing_tries(), 4);

    // opensc-tool, a PC/SC program we did not write, sees the same card.
    let Some(opensc_tool) = support::opensc_tool("opensc-tool") else {
        return;
    };
    let out = Command::new(opensc_tool)
        .args(["--reader", VPCD_READER, "--atr"])
        .output()
        .expect("opensc-tool runs");
    let atr = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(atr.contains("3b:e0:00:ff:81:31:fe:45:14"), "{atr}");

    // Removal and insertion by its stdin commands.
    let mut stdin = sim.0.stdin.take().unwrap();
    let mut stdout = BufReader::new(sim.0.stdout.take().unwrap());
    let mut line = String::new();
    writeln!(stdin, "remove").unwrap();
    stdout.read_line(&mut line).unwrap();
    assert!(
        support::wait_card_present(false, support::SERVICE_WAIT),
        "remove not seen: {line}"
    );
    writeln!(stdin, "insert").unwrap();
    assert!(
        support::wait_card_present(true, support::SERVICE_WAIT),
        "insert not seen"
    );
    drop(stdin);
    drop(sim);

    // A new process on the same state file remembers the wrong entry.
    let _sim = start();
    assert_eq!(signing_tries(), 4);
}
