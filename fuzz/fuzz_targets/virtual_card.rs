//! The virtual card fed arbitrary command APDUs (split at 0xFF 0xFF), so
//! that the card emulator, like a real card, answers everything.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use madoguchi_sim::{Profile, VirtualCard};

fn profile() -> &'static Profile {
    static P: OnceLock<Profile> = OnceLock::new();
    P.get_or_init(|| {
        Profile::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/cards/normal/card.toml"))
            .expect("fixture profile")
    })
}

fuzz_target!(|data: &[u8]| {
    let mut card = VirtualCard::new(profile().clone());
    for apdu in data.split(|&b| b == 0xFF).take(64) {
        let answer = card.process(apdu);
        assert!(answer.len() >= 2, "every command gets a status word");
    }
});
