//! The AT-SPI walk (tests/atspi/): `madoguchi --demo` under Xvfb, read and
//! driven by pyatspi — the library the Orca screen reader is built on — in
//! a private D-Bus session with its own accessibility bus. It finds the
//! application, reads the top screen by its Japanese names, presses
//! 「自己の電子証明書の失効申請」 through the Action interface, reads the
//! next heading and step, types the demo password through EditableText,
//! reads the holder's name and address on the application document, and
//! checks that the password is never readable (nor in the trace log). One
//! real X key press checks that the focus ring is what AT-SPI calls focused.

use std::path::Path;
use std::process::Command;

/// What the walk needs: tools/test-deps.sh installs it.
fn missing() -> Vec<String> {
    let mut missing: Vec<String> = ["Xvfb", "xdotool", "dbus-run-session", "dbus-send"]
        .iter()
        .filter(|t| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|t| t.to_string())
        .collect();
    if !Path::new("/usr/libexec/at-spi-bus-launcher").exists() {
        missing.push("at-spi2-core (/usr/libexec/at-spi-bus-launcher)".into());
    }
    let pyatspi = Command::new("/usr/bin/python3")
        .args(["-c", "import pyatspi"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !pyatspi {
        missing.push("python3-pyatspi for /usr/bin/python3".into());
    }
    missing
}

#[test]
fn a_screen_reader_walks_a_revocation_over_atspi() {
    let lacking = missing();
    assert!(
        lacking.is_empty(),
        "the AT-SPI walk needs {} (run tools/test-deps.sh)",
        lacking.join(", ")
    );
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/atspi/run.sh"))
        .arg(env!("CARGO_BIN_EXE_madoguchi"))
        .output()
        .expect("tests/atspi/run.sh runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("RESULT OK"),
        "the AT-SPI walk failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
}
