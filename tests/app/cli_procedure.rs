//! `madoguchi revoke|check|change-password|server-info` as a user runs them:
//! the binary in demo mode (virtual card + in-process window) and against a
//! window started by the test; exit codes, JSON, and no password anywhere in
//! the output with `RUST_LOG=trace`.

use crate::flow_support;
use crate::support;

use flow_support::*;
use madoguchi::demo::LocalWindow;
use support::cli::{assert_no_password, assert_unsent_password_absent, json, run, run_with, text};

#[test]
fn demo_revocation_is_accepted_and_no_password_is_logged() {
    let pw = format!("{PASSWORD}\n{PASSWORD}\n");
    let o = run(&["--demo", "revoke", "--pin-stdin", "--yes", "--json"], &pw);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = json(&o);
    assert_eq!(v["result"], "accepted");
    assert_eq!(v["section"], "2.1.9");
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["sent"], true);
    assert!(v["answer"]["receipt_id"].is_string());
    assert!(v["server"]["sha256_fingerprint"].is_string());
    let trail: Vec<&str> = v["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        trail,
        [
            "2.1.3", "2.1.4", "2.1.5", "2.1.6", "2.1.7", "2.1.8", "2.1.9"
        ]
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("TRACE"),
        "trace logging was on"
    );
    assert_no_password(&o, PASSWORD);
}

#[test]
fn demo_validity_check_in_english_shows_the_document() {
    let o = run(
        &[
            "--demo",
            "--demo-profile",
            "rare-kanji",
            "--lang",
            "en",
            "check",
            "--pin-stdin",
            "--yes",
        ],
        "ABCDEFGH12345678\nABCDEFGH12345678\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("髙﨑　𠮷乃"), "{out}");
    assert!(out.contains("Online validity check: valid"), "{out}");
    assert!(out.contains("[3.1.9]"), "{out}");
    assert_no_password(&o, "ABCDEFGH12345678");
}

#[test]
fn wrong_password_from_a_script_stops_without_a_second_try() {
    let o = run(
        &["--demo", "revoke", "--pin-stdin", "--yes", "--json"],
        "QWERTY9\nQWERTY8\n",
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("E110"));
    assert_no_password(&o, "QWERTY9");
    assert_unsent_password_absent(&o, "QWERTY8");
    let v = json(&o);
    assert_eq!(v["result"], "password");
    assert_eq!(v["sent"], false);
}

#[test]
fn exit_codes_of_the_demo_profiles() {
    for (profile, procedure, code, result) in [
        ("expired", "revoke", 12, "expired"),
        ("locked", "check", 4, "locked"),
        ("foreign-ca", "check", 13, "issuer_error"),
        ("impostor-ca", "revoke", 13, "certificate_invalid"),
    ] {
        let o = run(
            &[
                "--demo",
                "--demo-profile",
                profile,
                procedure,
                "--pin-stdin",
                "--yes",
                "--json",
            ],
            &format!("{PASSWORD}\n{PASSWORD}\n"),
        );
        assert_eq!(o.status.code(), Some(code), "{profile}: {}", text(&o));
        assert_eq!(json(&o)["result"], result, "{profile}");
        if profile == "locked" {
            assert_unsent_password_absent(&o, PASSWORD);
        } else {
            assert_no_password(&o, PASSWORD);
        }
    }
}

#[test]
fn foreign_issuer_is_shown_beside_the_expected_one() {
    // 2.2.11 / 3.1.10: the resident sees what to do if it comes again, the
    // certificate's issuer and the one it should have (the demo's CA, said
    // to be the demo's), on the local warning and on the window's answer.
    let o = run(
        &[
            "--demo",
            "--demo-profile",
            "foreign-ca",
            "check",
            "--pin-stdin",
            "--yes",
        ],
        &format!("{PASSWORD}\n{PASSWORD}\n"),
    );
    assert_eq!(o.status.code(), Some(13), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.matches(
            "  この電子証明書の発行者名: C=JP, O=Foreign Test CA, CN=Foreign Test Signing CA"
        )
        .count(),
        2,
        "{out}"
    );
    assert!(out.contains("もう一度はじめからやり直しても同じ表示が出る場合は"));
    assert!(out.contains(
        "  署名用電子証明書の正しい発行者名 (デモ用の認証局。本番では公的個人認証サービスの署名用認証局です):\n    C=JP, O=JPKI-TEST,"
    ), "{out}");
    assert!(!out.contains(madoguchi::flow::JPKI_SIGNING_ISSUER), "{out}");
}

#[test]
fn last_try_is_not_confirmed_by_yes() {
    let o = run(
        &[
            "--demo",
            "--demo-profile",
            "one-try-left",
            "revoke",
            "--pin-stdin",
            "--yes",
        ],
        &format!("{PASSWORD}\n{PASSWORD}\n"),
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert!(text(&o).contains("E115"));
    assert!(
        !text(&o).contains("00 20 00 80 Lc="),
        "no password was sent"
    );
    let o = run(
        &[
            "--demo",
            "--demo-profile",
            "one-try-left",
            "revoke",
            "--pin-stdin",
            "--yes",
            "--confirm-last-try",
        ],
        &format!("{PASSWORD}\n{PASSWORD}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn declining_the_send_confirmation_sends_nothing() {
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let anchor = pki_dir().join("tls-ca.pem");
    // Card ready: y; sign: y; make signature: y; send: n (→ 2.1.5); sign: n → stop.
    let o = run(
        &[
            "--demo",
            "revoke",
            "--server",
            window.url(),
            "--anchor",
            anchor.to_str().unwrap(),
            "--pin-stdin",
            "--json",
        ],
        &format!("y\n{PASSWORD}\ny\ny\n{PASSWORD}\nn\nn\n"),
    );
    assert_eq!(o.status.code(), Some(6), "{}", text(&o));
    let v = json(&o);
    assert_eq!(v["sent"], false);
    assert_eq!(v["result"], "top");
    let trail = v["trail"].as_array().unwrap();
    assert!(trail.iter().any(|s| s == "2.1.8"));
    assert_eq!(trail.last().unwrap(), "2.1.2");
}

/// 2.1.5: answering no to the signature offers the import again (as the
/// GUI's [戻る] does) instead of only stopping.
#[test]
fn declining_to_sign_can_go_back_to_the_import() {
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let anchor = pki_dir().join("tls-ca.pem");
    // Card ready: y; sign: n; back to the import: y; card ready: y; sign: y;
    // make signature: y; send: y.
    let o = run(
        &[
            "--demo",
            "revoke",
            "--server",
            window.url(),
            "--anchor",
            anchor.to_str().unwrap(),
            "--pin-stdin",
            "--json",
        ],
        &format!("y\n{PASSWORD}\nn\ny\ny\n{PASSWORD}\ny\ny\n{PASSWORD}\ny\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = json(&o);
    assert_eq!(v["sent"], true);
    let trail = v["trail"].as_array().unwrap();
    assert_eq!(
        trail.iter().filter(|s| *s == "2.1.3").count(),
        2,
        "{trail:?}"
    );
    let t = text(&o);
    assert!(t.contains("受理日時"), "2.1.9's label: {t}");
    assert!(!t.contains("[OK]"), "no [OK] button in the CLI: {t}");
}

#[test]
fn plain_http_server_is_refused() {
    let o = run(
        &[
            "--demo",
            "check",
            "--server",
            "http://127.0.0.1:9",
            "--pin-stdin",
            "--yes",
            "--json",
        ],
        &format!("{PASSWORD}\n{PASSWORD}\n"),
    );
    assert_eq!(o.status.code(), Some(17), "{}", text(&o));
    assert_eq!(json(&o)["error"]["number"], 306);
    assert!(text(&o).contains("E306"));
}

#[test]
fn untrusted_server_is_refused_before_signing() {
    let fake = FakeWindow::start("server-untrusted", vec![]);
    let anchor = pki_dir().join("tls-ca.pem");
    let o = run(
        &[
            "--demo",
            "revoke",
            "--server",
            &fake.url(),
            "--anchor",
            anchor.to_str().unwrap(),
            "--pin-stdin",
            "--yes",
            "--json",
        ],
        &format!("{PASSWORD}\n{PASSWORD}\n"),
    );
    assert_eq!(o.status.code(), Some(17), "{}", text(&o));
    let v = json(&o);
    assert_eq!(v["error"]["number"], 303);
    assert_eq!(v["sent"], false);
    assert_eq!(fake.plaintext_bytes(), 0);
    assert!(!text(&o).contains("80 2A"), "no signature was made");
}

#[test]
fn server_info_shows_the_windows_certificate() {
    let o = run(&["--demo", "server-info", "--json"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = json(&o);
    let der = std::fs::read(pki_dir().join("server.der")).unwrap();
    let fp = madoguchi::client::colon_hex(&madoguchi_pki::cms::sha256(&der));
    assert_eq!(v["sha256_fingerprint"], fp);
    assert!(v["subject"].as_str().unwrap().contains("Madoguchi Test"));
    let source = v["anchors"]["source"].as_str().unwrap();
    assert!(source.starts_with("demo ("), "{source}");

    let fake = FakeWindow::start("server-expired", vec![]);
    let anchor = pki_dir().join("tls-ca.pem");
    let o = run(
        &[
            "server-info",
            "--server",
            &fake.url(),
            "--anchor",
            anchor.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(17), "{}", text(&o));
    assert!(text(&o).contains("E304"), "{}", text(&o));
}

#[test]
fn change_password_in_demo() {
    let o = run(
        &["--demo", "change-password", "--pin-stdin", "--json"],
        &format!("{PASSWORD}\nnewpass99\nNEWPASS99\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["changed"], true);
    assert_no_password(&o, PASSWORD);
    assert_no_password(&o, "NEWPASS99");

    let o = run(
        &["--demo", "change-password", "--pin-stdin"],
        &format!("{PASSWORD}\nNEWPASS99\nNEWPASS98\n"),
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
}

/// Outside demo mode nothing is trusted by default: a window whose
/// certificate chains to the test TLS CA (the reference window on the
/// committed fixtures) is refused before any connection, with its own exit
/// code and error number, and not one byte reaches it.
#[test]
fn a_window_without_an_anchor_is_refused_before_connecting() {
    for procedure in ["check", "revoke"] {
        let fake = FakeWindow::start("server", vec![]);
        let o = run(
            &[
                procedure,
                "--server",
                &fake.url(),
                "--pin-stdin",
                "--yes",
                "--json",
            ],
            &format!("{PASSWORD}\n{PASSWORD}\n"),
        );
        assert_eq!(o.status.code(), Some(19), "{}", text(&o));
        assert_eq!(json(&o)["error"]["number"], 315, "{}", text(&o));
        assert!(text(&o).contains("E315"), "{}", text(&o));
        assert_eq!(fake.connections(), 0, "no connection was made");
        assert_eq!(fake.plaintext_bytes(), 0);
        assert!(!text(&o).contains("00 A4"), "the card was not touched");
    }
    let fake = FakeWindow::start("server", vec![]);
    let o = run(&["server-info", "--server", &fake.url()], "");
    assert_eq!(o.status.code(), Some(19), "{}", text(&o));
    assert!(text(&o).contains("E315"), "{}", text(&o));
    assert_eq!(fake.connections(), 0);
}

/// No window configured at all: said in plain words, exit code 19, the card
/// untouched.
#[test]
fn no_window_configured_is_said_plainly() {
    for lang in ["ja", "en"] {
        let o = run(
            &["--lang", lang, "check", "--pin-stdin", "--yes"],
            &format!("{PASSWORD}\n"),
        );
        assert_eq!(o.status.code(), Some(19), "{}", text(&o));
        let t = text(&o);
        assert!(t.contains("E311"), "{t}");
        let plain = if lang == "ja" {
            "オンライン窓口が設定されていません"
        } else {
            "No online window configured"
        };
        assert!(t.contains(plain), "{t}");
        assert!(!t.contains("00 A4"), "the card was not touched: {t}");
    }
}

/// The packaged demo has no material to read: it makes its own PKI at run
/// time. Its window's certificate is then not the committed fixtures' one.
#[test]
fn the_demo_makes_its_own_pki_when_none_is_given() {
    let o = run_with(
        &["--demo", "check", "--pin-stdin", "--yes", "--json"],
        &format!("{PASSWORD}\n{PASSWORD}\n"),
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["result"], "valid", "{}", text(&o));
    let o = run_with(&["--demo", "server-info", "--json"], "", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let committed = std::fs::read(pki_dir().join("server.der")).unwrap();
    let fp = madoguchi::client::colon_hex(&madoguchi_pki::cms::sha256(&committed));
    assert_ne!(
        json(&o)["sha256_fingerprint"],
        fp,
        "a fresh PKI, not the fixtures'"
    );
}
