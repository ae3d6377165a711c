//! `madoguchi status` and `madoguchi cert`, the binary, against the demo
//! card and through real PC/SC; and the password never shows in any output
//! or log, even at trace level.

use crate::support;

use support::cli::{assert_apdus_traced, assert_no_password as assert_no_secret, text};
use support::{VPCD_READER, pcsc_lock};

/// A password no fixture uses, to plant and search for.
const PLANTED: &str = "PLANTED7Q9X";

fn run(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    support::cli::run(args, stdin.unwrap_or(""))
}

#[test]
fn demo_status_json() {
    let o = run(&["--demo", "status", "--json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["card"]["kind"], "my_number_card");
    assert_eq!(v["card"]["signing_password"]["tries_left"], 5);
    assert_eq!(v["card"]["authentication_pin"]["tries_left"], 3);
    assert_eq!(v["card"]["card_info_pin"]["state"], "tries_left");
    assert_eq!(
        v["card"]["authentication_certificate_not_after"],
        "2031-08-10T14:59:59Z"
    );
}

#[test]
fn demo_cert_json_has_the_holder_facts() {
    let o = run(
        &["--demo", "cert", "--pin-stdin", "--json"],
        Some("ABC123\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["holder"]["name"], "吉田　太郎");
    assert_eq!(v["holder"]["sex"], "male");
    assert_eq!(v["holder"]["birth_date"]["japanese"], "昭和33年8月10日");
    assert_eq!(v["holder"]["birth_date"]["gregorian"], "1958-08-10");
    assert_eq!(v["expired"], false);
    assert_eq!(v["serial"], "1001");
    assert_eq!(v["sha256_fingerprint"].as_str().unwrap().len(), 32 * 3 - 1);
    assert_no_secret(&o, "ABC123");
}

#[test]
fn demo_cert_rare_kanji_in_english() {
    let o = run(
        &[
            "--demo",
            "--demo-profile",
            "rare-kanji",
            "--lang",
            "en",
            "cert",
            "--pin-stdin",
        ],
        Some("ABCDEFGH12345678\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("髙﨑　𠮷乃"), "{out}");
    assert!(
        out.contains("Date of birth: 8 January Heisei 1 (1989) (1989-01-08)")
            || out.contains("Heisei"),
        "{out}"
    );
}

#[test]
fn wrong_password_exit_code_and_no_leak() {
    let o = run(
        &["--demo", "cert", "--pin-stdin"],
        Some(&format!("{PLANTED}\n")),
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("E110"));
    assert_no_secret(&o, PLANTED);
}

#[test]
fn locked_card_gets_nothing() {
    let o = run(
        &["--demo", "--demo-profile", "locked", "cert", "--pin-stdin"],
        Some("ABC123\n"),
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("E111"));
    // No VERIFY with data was sent: the trace of APDUs shows only queries.
    assert_apdus_traced(&o);
    assert!(!text(&o).contains("00 20 00 80 Lc="), "{}", text(&o));
}

#[test]
fn last_try_needs_confirmation() {
    let o = run(
        &[
            "--demo",
            "--demo-profile",
            "one-try-left",
            "cert",
            "--pin-stdin",
        ],
        Some("ABC123\n"),
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("E115"));
    assert_apdus_traced(&o);
    assert!(
        !text(&o).contains("00 20 00 80 Lc="),
        "a password was sent: {}",
        text(&o)
    );
    let o = run(
        &[
            "--demo",
            "--demo-profile",
            "one-try-left",
            "cert",
            "--pin-stdin",
            "--confirm-last-try",
        ],
        Some("ABC123\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_no_secret(&o, "ABC123");
}

#[test]
fn malformed_password_never_reaches_the_card() {
    let o = run(&["--demo", "cert", "--pin-stdin"], Some("AB-12\n"));
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("E113"));
    assert!(!text(&o).contains("Lc=5 <masked>"));
}

#[cfg(target_os = "linux")] // pcscd + vpcd
#[test]
fn pcsc_status_and_cert_through_pcscd() {
    let _l = pcsc_lock();
    let Some(_card) = support::attach("normal") else {
        return;
    };
    let o = run(&["status", "--reader", VPCD_READER, "--json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["card"]["reader"], VPCD_READER);
    assert_eq!(v["card"]["signing_password"]["tries_left"], 5);
    assert!(
        v["readers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == VPCD_READER && r["atr"] == "3BE000FF8131FE4514")
    );

    let o = run(
        &[
            "--lang",
            "en",
            "cert",
            "--reader",
            VPCD_READER,
            "--pin-stdin",
        ],
        Some(&format!("{PLANTED}\n")),
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert_no_secret(&o, PLANTED);

    let o = run(
        &["cert", "--reader", VPCD_READER, "--pin-stdin", "--json"],
        Some("abc123\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["holder"]["birth_date"]["japanese"], "昭和33年8月10日");
    assert_no_secret(&o, "ABC123");
}

#[cfg(target_os = "linux")] // pcscd + vpcd
#[test]
fn unknown_reader_is_e103() {
    let _l = pcsc_lock();
    if !support::ensure_pcscd() {
        return;
    }
    let o = run(&["status", "--reader", "No Such Reader 99"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("E103"), "{}", text(&o));
}
