//! The `madoguchi-sim` binary attached to the real pcscd: any PC/SC program
//! (here `madoguchi status` and OpenSC's `opensc-tool`) sees the card; the
//! state file keeps the counters; `remove`/`insert` on its stdin are seen.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::{VPCD_ADDR, VPCD_READER, pcsc_lock};

/// The simulator binary, built on demand (it belongs to another package,
/// so Cargo does not hand its path to this test).
fn sim_binary() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "-q",
            "-p",
            "madoguchi-sim",
            "--bin",
            "madoguchi-sim",
        ])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building madoguchi-sim failed");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_madoguchi"));
    bin.with_file_name("madoguchi-sim")
}

struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        support::wait_card_present(false, Duration::from_secs(5));
    }
}

fn signing_tries() -> serde_json::Value {
    let o = support::cli::run(&["status", "--reader", VPCD_READER, "--json"], "");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["card"]["signing_password"]["tries_left"].clone()
}

#[test]
fn the_sim_binary_serves_pcscd_and_keeps_its_counters() {
    let _l = pcsc_lock();
    // Build first: a pcscd started by the harness leaves a minute after its
    // last client, and a cold build can take longer than that.
    let bin = sim_binary();
    if !support::ensure_pcscd() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.toml");
    let start = || {
        let child = Command::new(&bin)
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
            support::wait_card_present(true, Duration::from_secs(10)),
            "pcscd does not see the card of madoguchi-sim"
        );
        sim
    };

    let mut sim = start();
    assert_eq!(signing_tries(), 5);
    // One wrong password through the CLI.
    let o = support::cli::run(
        &["cert", "--reader", VPCD_READER, "--pin-stdin"],
        "WRONG9\n",
    );
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(signing_tries(), 4);

    // opensc-tool, a PC/SC program we did not write, sees the same card.
    if let Ok(out) = Command::new("opensc-tool")
        .args(["--reader", VPCD_READER, "--atr"])
        .output()
    {
        let atr = String::from_utf8_lossy(&out.stdout).to_lowercase();
        assert!(atr.contains("3b:e0:00:ff:81:31:fe:45:14"), "{atr}");
    } else if !support::prerequisite(false, "opensc-tool (Debian package opensc)") {
        return;
    }

    // Removal and insertion by its stdin commands.
    let mut stdin = sim.0.stdin.take().unwrap();
    let mut stdout = BufReader::new(sim.0.stdout.take().unwrap());
    let mut line = String::new();
    writeln!(stdin, "remove").unwrap();
    stdout.read_line(&mut line).unwrap();
    assert!(
        support::wait_card_present(false, Duration::from_secs(5)),
        "remove not seen: {line}"
    );
    writeln!(stdin, "insert").unwrap();
    assert!(
        support::wait_card_present(true, Duration::from_secs(5)),
        "insert not seen"
    );
    drop(stdin);
    drop(sim);

    // A new process on the same state file remembers the wrong entry.
    let _sim = start();
    assert_eq!(signing_tries(), 4);
}
