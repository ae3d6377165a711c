//! A tool we did not write accepts our CMS: `openssl cms -verify` against the test signing CA.

use std::process::Command;

use madoguchi_pki::request::{Procedure, RequestDocument};
use madoguchi_server::testkit::{TestHolder, fixtures_dir};

fn openssl_verify(cms_der: &[u8], ca_pem: &std::path::Path) -> (bool, Vec<u8>, String) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("request.p7m");
    let out = dir.path().join("content.json");
    std::fs::write(&input, cms_der).unwrap();
    let o = Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(&input)
        .arg("-CAfile")
        .arg(ca_pem)
        .args(["-purpose", "any", "-out"])
        .arg(&out)
        .output()
        .expect("openssl is installed");
    let content = std::fs::read(&out).unwrap_or_default();
    (
        o.status.success(),
        content,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn openssl_cms_verify_accepts_our_signed_requests() {
    let ca = fixtures_dir().join("pki/sign-ca.pem");
    for profile in ["normal", "rare-kanji"] {
        let h = TestHolder::from_card(profile).unwrap();
        for procedure in [Procedure::Revocation, Procedure::ValidityCheck] {
            let doc = h.document(procedure, "0123456789abcdef0123456789abcdef");
            let cms = h.sign_bytes(&doc.to_canonical_bytes());
            let (ok, content, stderr) = openssl_verify(&cms, &ca);
            assert!(ok, "{profile} {procedure}: {stderr}");
            assert!(stderr.contains("Verification successful"), "{stderr}");
            // The content printed by openssl is our canonical document, unchanged.
            assert_eq!(content, doc.to_canonical_bytes());
            assert_eq!(RequestDocument::parse(&content).unwrap(), doc);
        }
    }
}

#[test]
fn openssl_cms_verify_refuses_foreign_and_tampered() {
    let ca = fixtures_dir().join("pki/sign-ca.pem");
    // Signed by a holder of a CA that is not the test signing CA.
    let foreign = TestHolder::from_card("foreign-ca").unwrap();
    let cms = foreign.sign_bytes(b"{}");
    let (ok, _, _) = openssl_verify(&cms, &ca);
    assert!(!ok);
    // Content changed after signing.
    let h = TestHolder::from_card("normal").unwrap();
    let mut cms = h.sign_bytes(b"{\"procedure\":\"revocation\"}");
    let pos = cms.windows(10).position(|w| w == b"revocation").unwrap();
    cms[pos] = b'R';
    let (ok, _, _) = openssl_verify(&cms, &ca);
    assert!(!ok);
}
