//! What the card returns in files: token labels and DER headers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = madoguchi_card::parse_token_info(data);
    if let Ok(n) = madoguchi_card::der_total_length(data) {
        assert!(n >= 2, "a DER object has at least a tag and a length");
    }
});
