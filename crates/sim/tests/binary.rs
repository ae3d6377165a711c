//! The `madoguchi-sim` binary against a fake vpcd, driven through its
//! flags and its stdin control commands.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command as Process, Stdio};
use std::time::Duration;

use common::fake_vpcd::FakeVpcd;
use common::*;
use madoguchi_card::ids::{self, jpki};
use madoguchi_card::{Command, StatusWord};
use madoguchi_sim::ATR;
use madoguchi_sim::vpcd::control;

const WAIT: Duration = Duration::from_secs(20);

struct Sim {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Sim {
    fn start(args: &[&str]) -> Sim {
        let mut child = Process::new(env!("CARGO_BIN_EXE_madoguchi-sim"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Sim {
            child,
            stdin,
            stdout,
        }
    }

    fn say(&mut self, line: &str) -> String {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).unwrap();
        answer.trim_end().to_string()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serves_a_card_and_obeys_control_commands() {
    let f = fixture();
    let vpcd = FakeVpcd::new();
    let state = f.state_path();
    let addr = vpcd.addr();
    let mut sim = Sim::start(&[
        "--vpcd",
        &addr,
        "--profile",
        f.profile.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
        "--fail",
        "B0:6581:*:*:1",
        "-v",
    ]);
    let mut slot = vpcd.accept(WAIT).expect("the binary connects");
    assert_eq!(slot.atr(), ATR.to_vec());
    slot.control(control::POWER_ON);
    assert_eq!(
        slot.apdu(&Command::select_df(&ids::AID_JPKI)).sw,
        StatusWord::Ok
    );
    assert_eq!(
        slot.apdu(&Command::select_ef(jpki::SIGNING_PASSWORD)).sw,
        StatusWord::Ok
    );
    assert_eq!(
        slot.apdu(&Command::verify(b"WRONG1")).sw,
        StatusWord::TriesLeft(4)
    );
    // The --fail rule: the first READ BINARY answers 65 81.
    slot.apdu(&Command::select_ef(jpki::TOKEN_INFO));
    let read = Command::read_binary(0, madoguchi_card::Le::Short(4));
    assert_eq!(slot.apdu(&read).sw, StatusWord::MemoryFailure);
    assert_eq!(slot.apdu(&read).data, b"JPKI");
    // The counter went to the state file.
    assert!(
        std::fs::read_to_string(&state)
            .unwrap()
            .contains("tries_left = 4")
    );

    let status = sim.say("status");
    assert!(status.contains("signing_tries=4"), "{status}");
    assert!(status.contains("connected=true"), "{status}");
    assert!(status.contains("apdus=6"), "{status}");

    assert_eq!(sim.say("remove"), "ok");
    assert!(slot.closed(WAIT));
    assert_eq!(sim.say("insert"), "ok");
    let mut slot = vpcd.accept(WAIT).expect("reinserted");
    assert_eq!(slot.atr(), ATR.to_vec());

    assert_eq!(sim.say("remove-after 1"), "ok");
    assert_eq!(
        slot.apdu(&Command::select_df(&ids::AID_JPKI)).sw,
        StatusWord::Ok
    );
    assert!(slot.closed(WAIT));
    assert_eq!(sim.say("insert"), "ok");
    let mut slot = vpcd.accept(WAIT).unwrap();
    assert_eq!(sim.say("fail 20:6984"), "ok");
    slot.apdu(&Command::select_df(&ids::AID_JPKI));
    assert_eq!(
        slot.apdu(&Command::verify_query()).sw,
        StatusWord::ReferenceDataNotUsable
    );
    assert_eq!(sim.say("clear-faults"), "ok");
    assert!(sim.say("fail nonsense").starts_with("error:"));
    assert!(sim.say("jump").starts_with("error:"));
    assert_eq!(sim.say("quit"), "ok");
    let status = sim.child.wait().unwrap();
    assert!(status.success());
    assert!(slot.closed(WAIT));

    // The log never shows the password, even at debug level.
    let mut log = String::new();
    std::io::Read::read_to_string(sim.child.stderr.as_mut().unwrap(), &mut log).unwrap();
    assert!(log.contains("masked"), "{log}");
    assert!(
        !log.contains("WRONG1") && !log.contains("57524F4E4731"),
        "{log}"
    );
    assert!(!log.contains(SIGN_PASSWORD));
}

#[test]
fn remove_after_flag_and_bad_profile() {
    let f = fixture();
    let vpcd = FakeVpcd::new();
    let addr = vpcd.addr();
    let _sim = Sim::start(&[
        "--vpcd",
        &addr,
        "--profile",
        f.profile.to_str().unwrap(),
        "--remove-after",
        "1",
        "--delay-apdu",
        "1:50",
    ]);
    let mut slot = vpcd.accept(WAIT).unwrap();
    assert_eq!(
        slot.apdu(&Command::select_df(&ids::AID_JPKI)).sw,
        StatusWord::Ok
    );
    assert!(slot.closed(WAIT));
    // Stays removed.
    assert!(vpcd.accept(Duration::from_millis(300)).is_none());

    let out = Process::new(env!("CARGO_BIN_EXE_madoguchi-sim"))
        .args(["--profile", "/nonexistent.toml"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.toml"));
    let out = Process::new(env!("CARGO_BIN_EXE_madoguchi-sim"))
        .args(["--profile", "x", "--fail", "2A"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
