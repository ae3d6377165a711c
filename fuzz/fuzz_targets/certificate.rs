//! The signing certificate as read from a card: parse, holder facts, era
//! dates, issuer check against the test CA.
#![no_main]

use libfuzzer_sys::fuzz_target;

static SIGN_CA: &[u8] = include_bytes!("../../fixtures/pki/sign-ca.der");

fuzz_target!(|data: &[u8]| {
    if let Ok(cert) = madoguchi_pki::SigningCertificate::from_der(data) {
        if let Ok(h) = cert.holder() {
            let _ = h.birth_date.to_ja_string();
            let _ = h.birth_date.to_en_string();
        }
        let _ = cert.issuer_is_known(&[SIGN_CA]);
        let _ = cert.addressee();
    }
});
