//! End-to-end time of a whole revocation, excluding typing: the
//! `madoguchi revoke` binary with both passwords on standard input and
//! `--yes`, through real pcscd + vpcd + the virtual card, against the
//! reference online window over TLS on 127.0.0.1 (a fresh window for each
//! run, so every run ends in "accepted"). Also the same through the demo
//! (in-process card and window). `cargo bench --bench revocation` prints a
//! Markdown table for docs/benchmarks.md. Needs pcscd and the vpcd driver.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::process::{Command, Stdio};
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

const BIN: &str = env!("CARGO_BIN_EXE_madoguchi");
const ROUNDS: usize = 20;
const PASSWORD: &str = "ABC123";

fn revoke(args: &[&str]) -> Duration {
    let t = Instant::now();
    let mut child = Command::new(BIN)
        .arg("revoke")
        .args(args)
        .args(["--pin-stdin", "--yes", "--json", "--anchor"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/pki/tls-ca.pem"
        ))
        .env_remove("MADOGUCHI_SERVER")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("madoguchi starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let elapsed = t.elapsed();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert_eq!(v["result"], "accepted", "{v}");
    elapsed
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let _slot = support::pcsc_lock();
    let Some(_card) = support::attach("normal") else {
        eprintln!("pcscd/vpcd not available: nothing measured");
        return;
    };
    let mut pcsc = Vec::new();
    for _ in 0..ROUNDS {
        let window = LocalWindow::start(&material()).expect("window");
        pcsc.push(revoke(&[
            "--reader",
            support::VPCD_READER,
            "--server",
            window.url(),
        ]));
    }
    drop(_card);
    let mut demo = Vec::new();
    for _ in 0..ROUNDS {
        demo.push(revoke(&["--demo"]));
    }
    println!("| revocation, end to end ({ROUNDS} runs) | min | median | max |");
    println!("|---|---:|---:|---:|");
    for (label, v) in [
        (
            "pcscd + vpcd + virtual card, reference window over TLS",
            pcsc,
        ),
        (
            "`--demo` (in-process card, in-process window over TLS)",
            demo,
        ),
    ] {
        let (min, median, max) = stats(v);
        println!("| {label} | {} | {} | {} |", ms(min), ms(median), ms(max));
    }
}
