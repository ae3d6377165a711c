//! The 券面事項入力補助AP (card-info input support AP).

mod common;

use common::*;
use madoguchi_card::ids::{self, card_info};
use madoguchi_card::{Command, Le, PinKind, StatusWord};
use madoguchi_sim::VirtualCard;
use sha2::{Digest, Sha256};

fn open_card_info(card: &mut VirtualCard) {
    assert_eq!(
        sw(card, &Command::select_df(&ids::AID_CARD_INFO)),
        StatusWord::Ok
    );
}

fn read(card: &mut VirtualCard, fid: u16) -> madoguchi_card::Response {
    assert_eq!(sw(card, &Command::select_ef(fid)), StatusWord::Ok);
    tx(card, &Command::read_binary(0, Le::MAX_SHORT))
}

/// Parse one BER TLV with a 1- or 2-byte tag: (tag, value, rest).
fn tlv(b: &[u8]) -> (u16, &[u8], &[u8]) {
    let (tag, mut i) = if b[0] & 0x1F == 0x1F {
        (u16::from_be_bytes([b[0], b[1]]), 2)
    } else {
        (u16::from(b[0]), 1)
    };
    let len = if b[i] < 0x80 {
        i += 1;
        usize::from(b[i - 1])
    } else {
        let n = usize::from(b[i] & 0x7F);
        let l = b[i + 1..i + 1 + n]
            .iter()
            .fold(0usize, |a, &x| (a << 8) | usize::from(x));
        i += 1 + n;
        l
    };
    (tag, &b[i..i + len], &b[i + len..])
}

#[test]
fn pin_guards_every_ef() {
    let mut card = fixture().open();
    open_card_info(&mut card);
    for fid in [
        card_info::MY_NUMBER,
        card_info::BASIC_FOUR,
        card_info::INTEGRITY,
    ] {
        assert_eq!(
            read(&mut card, fid).sw,
            StatusWord::SecurityStatusNotSatisfied
        );
    }
    // JPKI files do not exist here.
    assert_eq!(
        sw(&mut card, &Command::select_ef(ids::jpki::SIGNING_PASSWORD)),
        StatusWord::FileNotFound
    );
    sw(&mut card, &Command::select_ef(card_info::PIN));
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::TriesLeft(3)
    );
    // The signing password means nothing to this AP.
    assert_eq!(
        sw(&mut card, &Command::verify(SIGN_PASSWORD.as_bytes())),
        StatusWord::TriesLeft(2)
    );
    assert_eq!(
        sw(&mut card, &Command::verify(INFO_PIN.as_bytes())),
        StatusWord::Ok
    );
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::TriesLeft(3)
    );
    assert_eq!(read(&mut card, card_info::MY_NUMBER).sw, StatusWord::Ok);
}

#[test]
fn my_number_ef_is_17_bytes() {
    let mut card = fixture().open();
    open_card_info(&mut card);
    // VERIFY by SFI 11 without selecting the IEF.
    let mut v = vec![0x00, 0x20, 0x00, 0x91, 0x04];
    v.extend(INFO_PIN.as_bytes());
    assert_eq!(raw(&mut card, &v).sw, StatusWord::Ok);
    sw(&mut card, &Command::select_ef(card_info::MY_NUMBER));
    let r = tx(&mut card, &Command::read_binary(0, Le::Short(0x11)));
    let mut expected = vec![0xFF, 0x10, 0x0C];
    expected.extend(b"123456789018");
    expected.extend([0xFF, 0xFF]);
    assert_eq!((r.data, r.sw), (expected.clone(), StatusWord::Ok));
    // The whole EF is those 17 bytes.
    assert_eq!(read(&mut card, card_info::MY_NUMBER).data, expected);
    assert_eq!(
        sw(&mut card, &Command::read_binary(17, Le::Short(1))),
        StatusWord::WrongParameters
    );
}

#[test]
fn basic_four_ef_layout() {
    let mut card = fixture().open();
    open_card_info(&mut card);
    sw(&mut card, &Command::select_ef(card_info::PIN));
    sw(&mut card, &Command::verify(INFO_PIN.as_bytes()));
    let ef = read(&mut card, card_info::BASIC_FOUR).data;
    let (tag, content, rest) = tlv(&ef);
    assert_eq!(tag, 0xFF20);
    assert!(rest.is_empty());
    let (t21, offsets, mut rest) = tlv(content);
    assert_eq!((t21, offsets.len()), (0xDF21, 8));
    let mut values = Vec::new();
    for (i, want) in [0xDF22u16, 0xDF23, 0xDF24, 0xDF25].into_iter().enumerate() {
        let at = usize::from(u16::from_be_bytes([offsets[2 * i], offsets[2 * i + 1]]));
        assert_eq!(
            u16::from_be_bytes([ef[at], ef[at + 1]]),
            want,
            "offset {i} points at its tag"
        );
        let (tag, value, r) = tlv(rest);
        assert_eq!(tag, want);
        values.push(String::from_utf8(value.to_vec()).unwrap());
        rest = r;
    }
    assert_eq!(values, [NAME, ADDRESS, "19581201", "1"]);
    // Short outer length form, as on the reference card.
    assert_eq!(&ef[..2], &[0xFF, 0x20]);
    assert_eq!(usize::from(ef[2]) + 3, ef.len());

    // EF 0003: DF31 = SHA-256 of EF 0001, DF32 = SHA-256 of EF 0002 from
    // DF22 to the end.
    let my_number = read(&mut card, card_info::MY_NUMBER).data;
    let integrity = read(&mut card, card_info::INTEGRITY);
    assert_eq!(integrity.sw, StatusWord::Ok);
    let integrity = {
        // More than 256 bytes: read the rest.
        let mut all = integrity.data;
        let r = tx(
            &mut card,
            &Command::read_binary(all.len() as u16, Le::MAX_SHORT),
        );
        all.extend(r.data);
        all
    };
    let (tag, content, _) = tlv(&integrity);
    assert_eq!(tag, 0xFF30);
    let (t31, d31, rest) = tlv(content);
    let (t32, d32, rest) = tlv(rest);
    let (t33, d33, _) = tlv(rest);
    assert_eq!((t31, t32, t33), (0xDF31, 0xDF32, 0xDF33));
    assert_eq!(d31, &Sha256::digest(&my_number)[..]);
    let df22 = usize::from(u16::from_be_bytes([offsets[0], offsets[1]]));
    assert_eq!(d32, &Sha256::digest(&ef[df22..])[..]);
    assert_eq!(d33.len(), 256);
}

#[test]
fn pin_locks_after_three() {
    let f = fixture();
    let mut card = f.open_with_state();
    open_card_info(&mut card);
    sw(&mut card, &Command::select_ef(card_info::PIN));
    for left in [2, 1, 0] {
        assert_eq!(
            sw(&mut card, &Command::verify(b"0000")),
            StatusWord::TriesLeft(left)
        );
    }
    assert_eq!(
        sw(&mut card, &Command::verify(INFO_PIN.as_bytes())),
        StatusWord::ReferenceDataNotUsable
    );
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::TriesLeft(0)
    );
    assert_eq!(
        read(&mut card, card_info::BASIC_FOUR).sw,
        StatusWord::SecurityStatusNotSatisfied
    );
    drop(card);
    let card = f.open_with_state();
    assert_eq!(card.tries_left(PinKind::CardInfoPin), Some(0));
    assert_eq!(card.tries_left(PinKind::SigningPassword), Some(5));
}

#[test]
fn change_card_info_pin() {
    let mut card = fixture().open();
    open_card_info(&mut card);
    sw(&mut card, &Command::select_ef(card_info::PIN));
    sw(&mut card, &Command::verify(INFO_PIN.as_bytes()));
    assert_eq!(
        sw(&mut card, &Command::change_reference_data(b"123")),
        StatusWord::WrongLength
    );
    assert_eq!(
        sw(&mut card, &Command::change_reference_data(b"4321")),
        StatusWord::Ok
    );
    card.reset();
    open_card_info(&mut card);
    sw(&mut card, &Command::select_ef(card_info::PIN));
    assert_eq!(sw(&mut card, &Command::verify(b"4321")), StatusWord::Ok);
}

#[test]
fn selecting_jpki_clears_the_card_info_pin() {
    let mut card = fixture().open();
    open_card_info(&mut card);
    sw(&mut card, &Command::select_ef(card_info::PIN));
    sw(&mut card, &Command::verify(INFO_PIN.as_bytes()));
    assert!(card.is_verified(PinKind::CardInfoPin));
    sw(&mut card, &Command::select_df(&ids::AID_JPKI));
    open_card_info(&mut card);
    assert_eq!(
        read(&mut card, card_info::MY_NUMBER).sw,
        StatusWord::SecurityStatusNotSatisfied
    );
}
