//! The online window's request parsing and CMS verification on arbitrary bytes: the CMS
//! parser, the request-document parser, and the server's whole pre-challenge check (CMS,
//! document, certificate against the test signing CA, content signature) must never panic.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use madoguchi_pki::request::{Procedure, RequestDocument};
use madoguchi_server::material::TrustedCa;

fn cas() -> &'static [TrustedCa] {
    static CAS: OnceLock<Vec<TrustedCa>> = OnceLock::new();
    CAS.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/pki/sign-ca.der");
        vec![TrustedCa::load(std::path::Path::new(path)).expect("fixture signing CA")]
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = RequestDocument::parse(data);
    if let Ok(parsed) = madoguchi_pki::cms::parse(data) {
        let _ = parsed.verify_signature();
    }
    // A fixed time inside the fixtures' validity, so runs are reproducible.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let procedure = if data.first().is_some_and(|b| b & 1 == 1) {
        Procedure::ValidityCheck
    } else {
        Procedure::Revocation
    };
    let _ = madoguchi_server::check::check_request(procedure, data, cas(), 64 * 1024, now);
});
