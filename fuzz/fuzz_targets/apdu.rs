//! Command and response APDU decoding, and the channel's 61xx/6Cxx handling,
//! on arbitrary bytes from the card.
#![no_main]

use libfuzzer_sys::fuzz_target;
use madoguchi_card::{CardChannel, Command, Le, Response, TransportError};

/// A card that answers with slices of the fuzz input.
struct Replay<'a> {
    chunks: std::slice::Split<'a, u8, fn(&u8) -> bool>,
}

impl CardChannel for Replay<'_> {
    fn transmit_raw(&mut self, _command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.chunks
            .next()
            .map(<[u8]>::to_vec)
            .ok_or(TransportError::CardRemoved)
    }
    fn atr(&self) -> Vec<u8> {
        Vec::new()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = Command::parse(data) {
        // Whatever parses re-encodes.
        let _ = cmd.to_bytes().expect("parsed commands encode");
    }
    let _ = Response::from_bytes(data);
    let sep: fn(&u8) -> bool = |b| *b == 0xFF;
    let mut card = Replay { chunks: data.split(sep) };
    let _ = card.transmit(&Command::read_binary(0, Le::MAX_SHORT));
});
