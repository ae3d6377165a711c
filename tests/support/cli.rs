//! Running the `madoguchi` binary as a user does, and searching what it
//! printed.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_madoguchi");

/// Run `madoguchi` with trace logging on, `stdin` written to its standard
/// input, no online window taken from the environment, and the committed
/// fixtures as the demo's material (fixed certificates).
pub fn run(args: &[&str], stdin: &str) -> Output {
    run_with(
        args,
        stdin,
        &[(
            "MADOGUCHI_DEMO_MATERIAL",
            concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"),
        )],
    )
}

/// [`run`] with these environment variables instead of the fixtures' one
/// (an empty value removes the variable).
pub fn run_with(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.env_remove("MADOGUCHI_DEMO_MATERIAL");
    for (k, v) in env {
        if v.is_empty() {
            command.env_remove(k);
        } else {
            command.env(k, v);
        }
    }
    let mut child = command
        .args(args)
        .env("RUST_LOG", "trace")
        .env_remove("MADOGUCHI_SERVER")
        .env_remove("MADOGUCHI_ANCHOR")
        .env("MADOGUCHI_SIGNING_CA_DIR", "/nonexistent")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("madoguchi starts");
    let mut input = child.stdin.take().expect("piped stdin");
    input.write_all(stdin.as_bytes()).expect("stdin written");
    drop(input);
    child.wait_with_output().expect("madoguchi ends")
}

/// Standard output and standard error together.
pub fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Standard output as JSON.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// APDU tracing was on in this run (a traced SELECT), so that a check
/// that something is absent from the output means something.
#[track_caller]
pub fn assert_apdus_traced(o: &Output) {
    let all = text(o);
    assert!(
        all.contains("madoguchi::apdu") && all.contains("> 00 A4"),
        "no APDU trace in the output: the password checks would prove nothing\n{all}"
    );
}

/// The password went to the card — the trace shows a command carrying a
/// secret of its length, masked — and neither it (as typed, lower-cased)
/// nor its bytes in hex appear anywhere in the output, logs included.
#[track_caller]
pub fn assert_no_password(o: &Output, password: &str) {
    assert_apdus_traced(o);
    let masked = format!("Lc={} <masked>", password.len());
    assert!(
        text(o).contains(&masked),
        "no masked command carrying the password ({masked}) in the trace"
    );
    assert_absent(o, password);
}

/// A password that never went to the card (refused before it, or a line
/// never read) appears nowhere in the output either.
#[track_caller]
pub fn assert_unsent_password_absent(o: &Output, password: &str) {
    assert_apdus_traced(o);
    assert_absent(o, password);
}

#[track_caller]
fn assert_absent(o: &Output, password: &str) {
    let all = text(o);
    let hex: String = password.bytes().map(|b| format!("{b:02X}")).collect();
    for needle in [
        password.to_owned(),
        password.to_lowercase(),
        hex.clone(),
        hex.to_lowercase(),
    ] {
        assert!(
            !all.contains(&needle),
            "the password ({needle}) appears in the output"
        );
    }
}
