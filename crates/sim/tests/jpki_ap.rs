//! The JPKI AP of the virtual card, APDU by APDU.

mod common;

use common::*;
use madoguchi_card::ids::{self, jpki};
use madoguchi_card::{Command, Le, PinKind, StatusWord};
use madoguchi_sim::{ATR, Application, VirtualCard};
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pss::Pss;
use sha2::{Digest, Sha256};

fn select_jpki(card: &mut VirtualCard) {
    assert_eq!(
        sw(card, &Command::select_df(&ids::AID_JPKI)),
        StatusWord::Ok
    );
}

fn select(card: &mut VirtualCard, fid: u16) -> StatusWord {
    sw(card, &Command::select_ef(fid))
}

fn verify_sign(card: &mut VirtualCard, password: &str) -> StatusWord {
    assert_eq!(select(card, jpki::SIGNING_PASSWORD), StatusWord::Ok);
    sw(card, &Command::verify(password.as_bytes()))
}

/// A certificate as its EF holds it on the strict card: 256 bytes of `FF`
/// filler after it.
fn in_ef(der: Vec<u8>) -> Vec<u8> {
    let mut v = der;
    v.resize(v.len() + 256, 0xFF);
    v
}

/// Read the current EF in 256-byte chunks until `6B 00`.
fn read_all_short(card: &mut VirtualCard) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let r = tx(card, &Command::read_binary(out.len() as u16, Le::MAX_SHORT));
        match r.sw {
            StatusWord::Ok => {
                assert!(!r.data.is_empty() && r.data.len() <= 256);
                out.extend(r.data);
            }
            StatusWord::WrongParameters => return out,
            other => panic!("READ BINARY answered {other}"),
        }
    }
}

#[test]
fn atr_is_the_jpki_contact_atr() {
    let card = fixture().open();
    assert_eq!(
        card.atr(),
        &[0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14]
    );
    assert_eq!(card.atr(), &ATR);
}

#[test]
fn select_by_aid_prefix_and_fid() {
    let mut card = fixture().open();
    // EF before any DF.
    assert_eq!(
        select(&mut card, jpki::TOKEN_INFO),
        StatusWord::FileNotFound
    );
    // "Select MF" after cold reset.
    assert_eq!(
        raw(&mut card, &[0x00, 0xA4, 0x00, 0x00]).sw,
        StatusWord::IncorrectP1P2
    );
    select_jpki(&mut card);
    assert_eq!(card.current_application(), Some(Application::Jpki));
    // ... and with a DF current it is accepted and does nothing.
    assert_eq!(raw(&mut card, &[0x00, 0xA4, 0x00, 0x00]).sw, StatusWord::Ok);
    assert_eq!(card.current_application(), Some(Application::Jpki));

    // A prefix of the name selects the DF.
    assert_eq!(
        sw(&mut card, &Command::select_df(&ids::AID_CARD_INFO[..7])),
        StatusWord::Ok
    );
    assert_eq!(card.current_application(), Some(Application::CardInfo));
    assert_eq!(
        sw(&mut card, &Command::select_df(&ids::AID_JPKI[..3])),
        StatusWord::Ok
    );
    assert_eq!(card.current_application(), Some(Application::Jpki));
    // Unknown application, or a longer name: not found; state unchanged.
    let mut longer = ids::AID_JPKI.to_vec();
    longer.push(0x00);
    assert_eq!(
        sw(&mut card, &Command::select_df(&longer)),
        StatusWord::FileNotFound
    );
    assert_eq!(
        sw(
            &mut card,
            &Command::select_df(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02])
        ),
        StatusWord::FileNotFound
    );
    assert_eq!(card.current_application(), Some(Application::Jpki));
    // Empty name or a name too long for a DF: wrong length.
    assert_eq!(
        raw(&mut card, &[0x00, 0xA4, 0x04, 0x0C]).sw,
        StatusWord::WrongLength
    );
    assert_eq!(
        sw(&mut card, &Command::select_df(&[0xD3; 17])),
        StatusWord::WrongLength
    );
    // Bad P1/P2.
    let mut bad_p2 = Command::select_df(&ids::AID_JPKI);
    bad_p2.p2 = 0x04;
    assert_eq!(sw(&mut card, &bad_p2), StatusWord::IncorrectP1P2);
    let mut bad_p1 = Command::select_df(&ids::AID_JPKI);
    bad_p1.p1 = 0x08;
    assert_eq!(sw(&mut card, &bad_p1), StatusWord::IncorrectP1P2);

    // EFs under the DF.
    for fid in [
        jpki::SIGNING_CERTIFICATE,
        jpki::SIGNING_CA_CERTIFICATE,
        jpki::TOKEN_INFO,
        jpki::CERTIFICATE_FLAGS,
        jpki::AUTHENTICATION_CERTIFICATE,
        jpki::AUTHENTICATION_CA_CERTIFICATE,
        jpki::AUTHENTICATION_KEY,
        jpki::AUTHENTICATION_PIN,
        jpki::SIGNING_KEY,
        jpki::SIGNING_PASSWORD,
    ] {
        assert_eq!(select(&mut card, fid), StatusWord::Ok, "{fid:04X}");
    }
    assert_eq!(select(&mut card, 0x3F00), StatusWord::FileNotFound);
    assert_eq!(select(&mut card, 0x0011), StatusWord::FileNotFound);
    assert_eq!(
        sw(
            &mut card,
            &Command::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x00])
        ),
        StatusWord::WrongLength
    );
    // FCI requested (P2 00): accepted, no FCI.
    let r = tx(
        &mut card,
        &Command::new(0x00, 0xA4, 0x02, 0x00).with_data([0x00, 0x06]),
    );
    assert_eq!((r.sw, r.data.len()), (StatusWord::Ok, 0));
}

#[test]
fn token_and_certificate_flags() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    select(&mut card, jpki::TOKEN_INFO);
    let r = tx(&mut card, &Command::read_binary(0, Le::Short(0x20)));
    assert_eq!(r.sw, StatusWord::Ok);
    assert_eq!(&r.data, b"JPKIAPICCTOKEN2                 ");
    let all = read_all_short(&mut card);
    assert_eq!(all.len(), 160);
    assert_eq!(&all[..32], &r.data[..]);

    select(&mut card, jpki::CERTIFICATE_FLAGS);
    let r = tx(&mut card, &Command::read_binary(0, Le::MAX_SHORT));
    assert_eq!((r.data, r.sw), (vec![0x8F, 0x8F, 0x00], StatusWord::Ok));
}

#[test]
fn free_certificates_in_short_chunks_and_header_reads() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    for (fid, der) in [
        (jpki::SIGNING_CA_CERTIFICATE, sign_ca_cert()),
        (jpki::AUTHENTICATION_CERTIFICATE, auth_cert()),
        (jpki::AUTHENTICATION_CA_CERTIFICATE, auth_ca_cert()),
    ] {
        assert_eq!(select(&mut card, fid), StatusWord::Ok);
        // The 7-byte header read jpki-rs and myna make first.
        let head = tx(&mut card, &Command::read_binary(0, Le::Short(7)));
        assert_eq!((&head.data[..], head.sw), (&der[..7], StatusWord::Ok));
        assert_eq!(read_all_short(&mut card), in_ef(der), "{fid:04X}");
    }
}

#[test]
fn read_binary_bounds() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    // No current EF.
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::MAX_SHORT)),
        StatusWord::CommandNotAllowed
    );
    select(&mut card, jpki::SIGNING_CA_CERTIFICATE);
    let der = in_ef(sign_ca_cert());
    let len = der.len() as u16;
    // Last chunk: fewer than Le bytes, still 90 00.
    let r = tx(&mut card, &Command::read_binary(len - 10, Le::MAX_SHORT));
    assert_eq!(
        (&r.data[..], r.sw),
        (&der[der.len() - 10..], StatusWord::Ok)
    );
    // At and past the end: 6B 00.
    assert_eq!(
        sw(&mut card, &Command::read_binary(len, Le::MAX_SHORT)),
        StatusWord::WrongParameters
    );
    assert_eq!(
        sw(&mut card, &Command::read_binary(0x7FFF, Le::Short(1))),
        StatusWord::WrongParameters
    );
    // Le 00 = 256.
    let r = raw(&mut card, &[0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!(r.data.len(), 256);
    // Case 1 (no Le) and data on READ BINARY: wrong length.
    assert_eq!(
        raw(&mut card, &[0x00, 0xB0, 0x00, 0x00]).sw,
        StatusWord::WrongLength
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0xB0, 0x00, 0x00, 0x01, 0x00, 0x10]).sw,
        StatusWord::WrongLength
    );
    // An IEF or a key is not a transparent EF.
    select(&mut card, jpki::SIGNING_PASSWORD);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::MAX_SHORT)),
        StatusWord::Other(0x69, 0x81)
    );
    select(&mut card, jpki::SIGNING_KEY);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::MAX_SHORT)),
        StatusWord::Other(0x69, 0x81)
    );
}

#[test]
fn signing_certificate_needs_the_password() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_CERTIFICATE);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::Short(7))),
        StatusWord::SecurityStatusNotSatisfied
    );
    assert_eq!(verify_sign(&mut card, SIGN_PASSWORD), StatusWord::Ok);
    select(&mut card, jpki::SIGNING_CERTIFICATE);
    assert_eq!(read_all_short(&mut card), in_ef(sign_cert()));
    // Verification survives EF selections inside the DF.
    select(&mut card, jpki::TOKEN_INFO);
    select(&mut card, jpki::SIGNING_CERTIFICATE);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::Short(4))),
        StatusWord::Ok
    );
    // A reset loses it.
    card.reset();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_CERTIFICATE);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::Short(4))),
        StatusWord::SecurityStatusNotSatisfied
    );
}

#[test]
fn extended_read_binary_reads_a_certificate_in_one_apdu() {
    let f = fixture();
    let mut card = f.open();
    card.options_mut().extended_length = true;
    select_jpki(&mut card);
    verify_sign(&mut card, SIGN_PASSWORD);
    select(&mut card, jpki::SIGNING_CERTIFICATE);
    let cmd = Command::read_binary(0, Le::MAX_EXTENDED);
    assert_eq!(
        &*cmd.to_bytes().unwrap(),
        &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    let r = tx(&mut card, &cmd);
    assert_eq!((r.data, r.sw), (in_ef(sign_cert()), StatusWord::Ok));
    // Extended Le smaller than the file.
    let r = tx(&mut card, &Command::read_binary(2, Le::Extended(1000)));
    assert_eq!(&r.data[..], &sign_cert()[2..1002]);

    // A card without extended length refuses it.
    card.options_mut().extended_length = false;
    assert_eq!(sw(&mut card, &cmd), StatusWord::WrongLength);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::MAX_SHORT)),
        StatusWord::Ok
    );
}

#[test]
fn read_binary_with_sfi() {
    let mut card = fixture().open();
    card.options_mut().extended_length = true;
    // SFI needs a current DF.
    assert_eq!(
        raw(&mut card, &[0x00, 0xB0, 0x86, 0x00, 0x20]).sw,
        StatusWord::FileNotFound
    );
    select_jpki(&mut card);
    // P1 = 80 | SFI 6 (token), P2 = offset.
    let r = raw(&mut card, &[0x00, 0xB0, 0x86, 0x00, 0x20]);
    assert_eq!(
        (&r.data[..], r.sw),
        (&b"JPKIAPICCTOKEN2                 "[..], StatusWord::Ok)
    );
    let r = raw(&mut card, &[0x00, 0xB0, 0x86, 0x04, 0x04]);
    assert_eq!(&r.data, b"APIC");
    // The EF became current.
    let r = tx(&mut card, &Command::read_binary(0, Le::Short(4)));
    assert_eq!(&r.data, b"JPKI");
    // The AOKI form: SFI + extended Le, whole EF in one command.
    let r = raw(&mut card, &[0x00, 0xB0, 0x82, 0x00, 0x00, 0x00, 0x00]);
    assert_eq!((r.data, r.sw), (in_ef(sign_ca_cert()), StatusWord::Ok));
    // Protected by SFI too.
    assert_eq!(
        raw(&mut card, &[0x00, 0xB0, 0x81, 0x00, 0x00]).sw,
        StatusWord::SecurityStatusNotSatisfied
    );
    // No such file; an IEF; bad P1 bits; SFI 0.
    assert_eq!(
        raw(&mut card, &[0x00, 0xB0, 0x85, 0x00, 0x00]).sw,
        StatusWord::FileNotFound
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0xB0, 0x9B, 0x00, 0x00]).sw,
        StatusWord::Other(0x69, 0x81)
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0xB0, 0xA6, 0x00, 0x00]).sw,
        StatusWord::IncorrectP1P2
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0xB0, 0x80, 0x00, 0x00]).sw,
        StatusWord::IncorrectP1P2
    );
    // Offset past the end of a 160-byte EF.
    assert_eq!(
        raw(&mut card, &[0x00, 0xB0, 0x86, 0xA0, 0x01]).sw,
        StatusWord::WrongParameters
    );
}

#[test]
fn verify_counts_down_and_success_resets() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_PASSWORD);
    let query = Command::verify_query();
    assert_eq!(sw(&mut card, &query), StatusWord::TriesLeft(5));
    assert_eq!(
        sw(&mut card, &query),
        StatusWord::TriesLeft(5),
        "the query spends nothing"
    );
    assert_eq!(
        sw(&mut card, &Command::verify(b"WRONG1")),
        StatusWord::TriesLeft(4)
    );
    assert_eq!(
        sw(&mut card, &Command::verify(b"abc123")),
        StatusWord::TriesLeft(3)
    );
    // A value of another length is a wrong entry too.
    assert_eq!(
        sw(&mut card, &Command::verify(b"ABC1234")),
        StatusWord::TriesLeft(2)
    );
    assert_eq!(sw(&mut card, &query), StatusWord::TriesLeft(2));
    assert_eq!(card.tries_left(PinKind::SigningPassword), Some(2));
    assert_eq!(
        sw(&mut card, &Command::verify(SIGN_PASSWORD.as_bytes())),
        StatusWord::Ok
    );
    assert!(card.is_verified(PinKind::SigningPassword));
    assert_eq!(
        sw(&mut card, &query),
        StatusWord::TriesLeft(5),
        "success resets the counter"
    );
    // A wrong entry drops the verified state.
    assert_eq!(
        sw(&mut card, &Command::verify(b"WRONG1")),
        StatusWord::TriesLeft(4)
    );
    assert!(!card.is_verified(PinKind::SigningPassword));

    // The authentication PIN has its own counter (3).
    select(&mut card, jpki::AUTHENTICATION_PIN);
    assert_eq!(sw(&mut card, &query), StatusWord::TriesLeft(3));
    assert_eq!(
        sw(&mut card, &Command::verify(b"0000")),
        StatusWord::TriesLeft(2)
    );
    assert_eq!(
        sw(&mut card, &Command::verify(AUTH_PIN.as_bytes())),
        StatusWord::Ok
    );
    assert_eq!(card.tries_left(PinKind::SigningPassword), Some(4));
}

#[test]
fn lock_at_zero() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_PASSWORD);
    for left in (0..5).rev() {
        assert_eq!(
            sw(&mut card, &Command::verify(b"WRONG1")),
            StatusWord::TriesLeft(left)
        );
    }
    // Locked: every later VERIFY answers 69 84, even the right password;
    // the empty query answers 63 C0.
    for _ in 0..3 {
        assert_eq!(
            sw(&mut card, &Command::verify(SIGN_PASSWORD.as_bytes())),
            StatusWord::ReferenceDataNotUsable
        );
        assert_eq!(
            sw(&mut card, &Command::verify_query()),
            StatusWord::TriesLeft(0)
        );
    }
    assert_eq!(card.tries_left(PinKind::SigningPassword), Some(0));
    assert_eq!(
        sw(&mut card, &Command::change_reference_data(b"NEWPASS1")),
        StatusWord::ReferenceDataNotUsable
    );
    select(&mut card, jpki::SIGNING_CERTIFICATE);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::MAX_SHORT)),
        StatusWord::SecurityStatusNotSatisfied
    );
    // The other secrets are untouched.
    select(&mut card, jpki::AUTHENTICATION_PIN);
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::TriesLeft(3)
    );
}

#[test]
fn verify_by_sfi_and_bad_parameters() {
    let mut card = fixture().open();
    // No DF: the SFI names nothing.
    assert_eq!(
        raw(&mut card, &[0x00, 0x20, 0x00, 0x9B]).sw,
        StatusWord::Other(0x6A, 0x88)
    );
    select_jpki(&mut card);
    // P2 = 80 with no current EF, or a current EF that is not an IEF.
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::CommandNotAllowed
    );
    select(&mut card, jpki::TOKEN_INFO);
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::CommandNotAllowed
    );
    // 80|SFI without selecting the IEF.
    assert_eq!(
        raw(&mut card, &[0x00, 0x20, 0x00, 0x9B]).sw,
        StatusWord::TriesLeft(5)
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0x20, 0x00, 0x98]).sw,
        StatusWord::TriesLeft(3)
    );
    let mut v = vec![0x00, 0x20, 0x00, 0x98, 0x04];
    v.extend(AUTH_PIN.as_bytes());
    assert_eq!(raw(&mut card, &v).sw, StatusWord::Ok);
    assert!(card.is_verified(PinKind::AuthenticationPin));
    // The SFI of a non-IEF, P2 00, P1 ≠ 00, Le present.
    assert_eq!(
        raw(&mut card, &[0x00, 0x20, 0x00, 0x8A]).sw,
        StatusWord::Other(0x6A, 0x88)
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0x20, 0x00, 0x00]).sw,
        StatusWord::IncorrectP1P2
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0x20, 0x00, 0x9F]).sw,
        StatusWord::IncorrectP1P2
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0x20, 0x01, 0x9B]).sw,
        StatusWord::IncorrectP1P2
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0x20, 0x00, 0x9B, 0x00]).sw,
        StatusWord::WrongLength
    );
    assert_eq!(card.tries_left(PinKind::SigningPassword), Some(5));
}

#[test]
fn verified_query_option() {
    let mut card = fixture().open();
    card.options_mut().verified_query_answers_ok = true;
    select_jpki(&mut card);
    verify_sign(&mut card, SIGN_PASSWORD);
    assert_eq!(sw(&mut card, &Command::verify_query()), StatusWord::Ok);
    card.reset();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_PASSWORD);
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::TriesLeft(5)
    );
}

fn sign_apdu(card: &mut VirtualCard, data: &[u8]) -> madoguchi_card::Response {
    tx(card, &Command::compute_digital_signature(data))
}

#[test]
fn signature_with_the_signing_key() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    let di = digest_info(b"request document");
    // Key selected but password not verified.
    select(&mut card, jpki::SIGNING_KEY);
    assert_eq!(
        sign_apdu(&mut card, &di).sw,
        StatusWord::SecurityStatusNotSatisfied
    );
    // Verified with the auth PIN only: still not the signing key.
    select(&mut card, jpki::AUTHENTICATION_PIN);
    sw(&mut card, &Command::verify(AUTH_PIN.as_bytes()));
    select(&mut card, jpki::SIGNING_KEY);
    assert_eq!(
        sign_apdu(&mut card, &di).sw,
        StatusWord::SecurityStatusNotSatisfied
    );

    assert_eq!(verify_sign(&mut card, SIGN_PASSWORD), StatusWord::Ok);
    // No key selected (the IEF is current).
    assert_eq!(sign_apdu(&mut card, &di).sw, StatusWord::CommandNotAllowed);
    select(&mut card, jpki::SIGNING_KEY);
    let cmd = Command::compute_digital_signature(&di);
    assert_eq!(
        &cmd.to_bytes().unwrap()[..5],
        &[0x80, 0x2A, 0x00, 0x80, 0x33]
    );
    let r = tx(&mut card, &cmd);
    assert_eq!(r.sw, StatusWord::Ok);
    assert_eq!(r.data.len(), 256);
    let public = sign_public();
    public
        .verify(Pkcs1v15Sign::new_unprefixed(), &di, &r.data)
        .expect("PKCS#1 v1.5 over the DigestInfo");
    public
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(b"request document"),
            &r.data,
        )
        .expect("a standard RSASSA-PKCS1-v1_5 SHA-256 signature");
    assert!(
        auth_public()
            .verify(Pkcs1v15Sign::new_unprefixed(), &di, &r.data)
            .is_err()
    );
    // More signatures after one VERIFY.
    let r2 = sign_apdu(&mut card, &digest_info(b"second"));
    assert_eq!(r2.sw, StatusWord::Ok);
    public
        .verify(
            Pkcs1v15Sign::new_unprefixed(),
            &digest_info(b"second"),
            &r2.data,
        )
        .unwrap();
    // Case 3 (no Le) is accepted as well.
    let mut no_le = Command::compute_digital_signature(&di);
    no_le.le = None;
    assert_eq!(tx(&mut card, &no_le).data, r.data);
}

#[test]
fn signature_lengths_and_parameters() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    verify_sign(&mut card, SIGN_PASSWORD);
    select(&mut card, jpki::SIGNING_KEY);
    // 245 bytes is the most PKCS#1 v1.5 leaves room for in RSA-2048.
    let ok = sign_apdu(&mut card, &[0x5A; 245]);
    assert_eq!(ok.sw, StatusWord::Ok);
    sign_public()
        .verify(Pkcs1v15Sign::new_unprefixed(), &[0x5A; 245], &ok.data)
        .unwrap();
    assert_eq!(
        sign_apdu(&mut card, &[0x5A; 246]).sw,
        StatusWord::WrongLength
    );
    // No data at all.
    assert_eq!(
        raw(&mut card, &[0x80, 0x2A, 0x00, 0x80, 0x00]).sw,
        StatusWord::WrongLength
    );
    // Le too small for the signature.
    let mut short_le = Command::compute_digital_signature(&digest_info(b"x"));
    short_le.le = Some(Le::Short(16));
    assert_eq!(tx(&mut card, &short_le).sw, StatusWord::WrongLength);
    // P1 outside 00..05, bad P2.
    let mut p1 = Command::compute_digital_signature(&digest_info(b"x"));
    p1.p1 = 0x06;
    assert_eq!(tx(&mut card, &p1).sw, StatusWord::IncorrectP1P2);
    let mut p2 = Command::compute_digital_signature(&digest_info(b"x"));
    p2.p2 = 0x00;
    assert_eq!(tx(&mut card, &p2).sw, StatusWord::IncorrectP1P2);
    // 80|SFI: signing key 9A by SFI; 9B is an IEF, not a key.
    p2.p2 = 0x9A;
    select(&mut card, jpki::TOKEN_INFO);
    assert_eq!(tx(&mut card, &p2).sw, StatusWord::Ok);
    p2.p2 = 0x9B;
    assert_eq!(tx(&mut card, &p2).sw, StatusWord::Other(0x6A, 0x88));
    // A certificate EF is not a key.
    p2.p2 = 0x80;
    assert_eq!(tx(&mut card, &p2).sw, StatusWord::CommandNotAllowed);
}

#[test]
fn signature_schemes_by_p1() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    verify_sign(&mut card, SIGN_PASSWORD);
    select(&mut card, jpki::SIGNING_KEY);
    let public = sign_public();
    let message = b"scheme test message";
    let hash = Sha256::digest(message).to_vec();
    let with_p1 = |card: &mut VirtualCard, p1: u8, data: &[u8]| {
        let mut c = Command::compute_digital_signature(data);
        c.p1 = p1;
        tx(card, &c)
    };
    // 01: the card hashes, signs the bare hash.
    let r = with_p1(&mut card, 0x01, message);
    public
        .verify(Pkcs1v15Sign::new_unprefixed(), &hash, &r.data)
        .unwrap();
    // 02: a 32-byte hash, the card adds the DigestInfo.
    let r = with_p1(&mut card, 0x02, &hash);
    public
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &r.data)
        .unwrap();
    assert_eq!(
        with_p1(&mut card, 0x02, &hash[..31]).sw,
        StatusWord::WrongLength
    );
    // 03: the card hashes and adds the DigestInfo.
    let r = with_p1(&mut card, 0x03, message);
    public
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &r.data)
        .unwrap();
    // 04: PSS over a given hash; 05: the card hashes, PSS.
    let r = with_p1(&mut card, 0x04, &hash);
    assert_eq!(r.sw, StatusWord::Ok);
    public.verify(Pss::new::<Sha256>(), &hash, &r.data).unwrap();
    let r = with_p1(&mut card, 0x05, message);
    public.verify(Pss::new::<Sha256>(), &hash, &r.data).unwrap();
    assert_eq!(
        with_p1(&mut card, 0x04, message).sw,
        StatusWord::WrongLength
    );
}

#[test]
fn signature_with_the_authentication_key() {
    let mut card = fixture().open();
    select_jpki(&mut card);
    let di = digest_info(b"login challenge");
    select(&mut card, jpki::AUTHENTICATION_KEY);
    assert_eq!(
        sign_apdu(&mut card, &di).sw,
        StatusWord::SecurityStatusNotSatisfied
    );
    // The signing password does not open the authentication key.
    verify_sign(&mut card, SIGN_PASSWORD);
    select(&mut card, jpki::AUTHENTICATION_KEY);
    assert_eq!(
        sign_apdu(&mut card, &di).sw,
        StatusWord::SecurityStatusNotSatisfied
    );
    select(&mut card, jpki::AUTHENTICATION_PIN);
    assert_eq!(
        sw(&mut card, &Command::verify(AUTH_PIN.as_bytes())),
        StatusWord::Ok
    );
    select(&mut card, jpki::AUTHENTICATION_KEY);
    let r = sign_apdu(&mut card, &di);
    assert_eq!(r.sw, StatusWord::Ok);
    auth_public()
        .verify(Pkcs1v15Sign::new_unprefixed(), &di, &r.data)
        .unwrap();
    // 80 2A 00 97: the auth key by SFI.
    let mut by_sfi = Command::compute_digital_signature(&di);
    by_sfi.p2 = 0x97;
    assert_eq!(tx(&mut card, &by_sfi).data, r.data);
}

#[test]
fn change_reference_data() {
    let f = fixture();
    let mut card = f.open_with_state();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_PASSWORD);
    // Not verified yet.
    assert_eq!(
        sw(&mut card, &Command::change_reference_data(b"NEWPASS1")),
        StatusWord::SecurityStatusNotSatisfied
    );
    assert_eq!(
        sw(&mut card, &Command::verify(b"WRONG1")),
        StatusWord::TriesLeft(4)
    );
    assert_eq!(
        sw(&mut card, &Command::verify(SIGN_PASSWORD.as_bytes())),
        StatusWord::Ok
    );
    // Length rules (6..16 for the signing password), P1 00 not supported.
    assert_eq!(
        sw(&mut card, &Command::change_reference_data(b"SHORT")),
        StatusWord::WrongLength
    );
    assert_eq!(
        sw(&mut card, &Command::change_reference_data(&[b'A'; 17])),
        StatusWord::WrongLength
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0x24, 0x01, 0x80]).sw,
        StatusWord::WrongLength
    );
    let mut p1 = Command::change_reference_data(b"NEWPASS1");
    p1.p1 = 0x00;
    assert_eq!(tx(&mut card, &p1).sw, StatusWord::IncorrectP1P2);
    assert_eq!(
        sw(&mut card, &Command::change_reference_data(b"NEWPASS1")),
        StatusWord::Ok
    );
    // Still verified; the certificate stays readable.
    select(&mut card, jpki::SIGNING_CERTIFICATE);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::Short(4))),
        StatusWord::Ok
    );
    drop(card);

    // The new value persists across a reopen; the old one is wrong now.
    let mut card = f.open_with_state();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_PASSWORD);
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::TriesLeft(5)
    );
    assert_eq!(
        sw(&mut card, &Command::verify(SIGN_PASSWORD.as_bytes())),
        StatusWord::TriesLeft(4)
    );
    assert_eq!(sw(&mut card, &Command::verify(b"NEWPASS1")), StatusWord::Ok);
    // The state file holds the new value only as hex.
    let state = std::fs::read_to_string(f.state_path()).unwrap();
    assert!(!state.contains("NEWPASS1"), "{state}");
    assert!(state.contains("4E45575041535331"), "{state}");

    // PIN by SFI: auth PIN is 4 digits.
    assert_eq!(
        raw(
            &mut card,
            &[0x00, 0x24, 0x01, 0x98, 0x04, b'9', b'9', b'9', b'9']
        )
        .sw,
        StatusWord::SecurityStatusNotSatisfied
    );
    let mut v = vec![0x00, 0x20, 0x00, 0x98, 0x04];
    v.extend(AUTH_PIN.as_bytes());
    assert_eq!(raw(&mut card, &v).sw, StatusWord::Ok);
    assert_eq!(
        raw(
            &mut card,
            &[0x00, 0x24, 0x01, 0x98, 0x05, b'9', b'9', b'9', b'9', b'9']
        )
        .sw,
        StatusWord::WrongLength
    );
    assert_eq!(
        raw(
            &mut card,
            &[0x00, 0x24, 0x01, 0x98, 0x04, b'9', b'9', b'9', b'9']
        )
        .sw,
        StatusWord::Ok
    );
    card.reset();
    select_jpki(&mut card);
    assert_eq!(
        raw(
            &mut card,
            &[0x00, 0x20, 0x00, 0x98, 0x04, b'9', b'9', b'9', b'9']
        )
        .sw,
        StatusWord::Ok
    );
}

#[test]
fn counters_persist_across_reopen() {
    let f = fixture();
    assert!(!f.state_path().exists());
    {
        let mut card = f.open_with_state();
        select_jpki(&mut card);
        select(&mut card, jpki::SIGNING_PASSWORD);
        // Nothing changes on a query or a first-time success: no file yet.
        assert_eq!(
            sw(&mut card, &Command::verify_query()),
            StatusWord::TriesLeft(5)
        );
        assert_eq!(
            sw(&mut card, &Command::verify(SIGN_PASSWORD.as_bytes())),
            StatusWord::Ok
        );
        assert!(!f.state_path().exists());
        assert_eq!(
            sw(&mut card, &Command::verify(b"WRONG1")),
            StatusWord::TriesLeft(4)
        );
        // Written before the answer came back.
        assert!(f.state_path().exists());
        assert_eq!(
            sw(&mut card, &Command::verify(b"WRONG2")),
            StatusWord::TriesLeft(3)
        );
        select(&mut card, jpki::AUTHENTICATION_PIN);
        assert_eq!(
            sw(&mut card, &Command::verify(b"0000")),
            StatusWord::TriesLeft(2)
        );
    }
    {
        let mut card = f.open_with_state();
        assert_eq!(card.tries_left(PinKind::SigningPassword), Some(3));
        assert_eq!(card.tries_left(PinKind::AuthenticationPin), Some(2));
        assert_eq!(card.tries_left(PinKind::CardInfoPin), Some(3));
        select_jpki(&mut card);
        select(&mut card, jpki::SIGNING_PASSWORD);
        assert_eq!(
            sw(&mut card, &Command::verify_query()),
            StatusWord::TriesLeft(3)
        );
        assert_eq!(
            sw(&mut card, &Command::verify(SIGN_PASSWORD.as_bytes())),
            StatusWord::Ok
        );
    }
    {
        let card = f.open_with_state();
        assert_eq!(
            card.tries_left(PinKind::SigningPassword),
            Some(5),
            "reset persisted"
        );
        // Without the state file the profile's values apply.
        let fresh = f.open();
        assert_eq!(fresh.tries_left(PinKind::AuthenticationPin), Some(3));
    }
    let state = std::fs::read_to_string(f.state_path()).unwrap();
    assert!(!state.contains(SIGN_PASSWORD) && !state.contains(AUTH_PIN));
    // No temporary files left behind.
    let names: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn lock_persists_across_reopen() {
    let f = fixture();
    let mut card = f.open_with_state();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_PASSWORD);
    for _ in 0..5 {
        sw(&mut card, &Command::verify(b"WRONG1"));
    }
    drop(card);
    let mut card = f.open_with_state();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_PASSWORD);
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::TriesLeft(0)
    );
    assert_eq!(
        sw(&mut card, &Command::verify(SIGN_PASSWORD.as_bytes())),
        StatusWord::ReferenceDataNotUsable
    );
}

#[test]
fn failed_state_write_answers_memory_failure() {
    let f = fixture();
    let bad = f.dir.path().join("no-such-dir").join("state.toml");
    let mut card = f.open().with_state_file(&bad).unwrap();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_PASSWORD);
    assert_eq!(
        sw(&mut card, &Command::verify(b"WRONG1")),
        StatusWord::MemoryFailure
    );
    // The try is spent all the same.
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::TriesLeft(4)
    );
}

#[test]
fn selecting_another_df_clears_verification_unless_configured() {
    let mut card = fixture().open();
    // The strict card: re-selecting the JPKI AP ends the VERIFY (OpenSC's
    // logout), and an empty VERIFY still answers 63 Cx after the right
    // password.
    select_jpki(&mut card);
    verify_sign(&mut card, SIGN_PASSWORD);
    assert_eq!(
        sw(&mut card, &Command::verify_query()),
        StatusWord::TriesLeft(5)
    );
    select_jpki(&mut card);
    assert!(!card.is_verified(PinKind::SigningPassword));
    card.options_mut().clear_verification_on_reselect = false;
    select_jpki(&mut card);
    verify_sign(&mut card, SIGN_PASSWORD);
    // Re-selecting the same DF keeps it.
    select_jpki(&mut card);
    assert!(card.is_verified(PinKind::SigningPassword));
    sw(&mut card, &Command::select_df(&ids::AID_CARD_INFO));
    assert!(!card.is_verified(PinKind::SigningPassword));
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_CERTIFICATE);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::Short(4))),
        StatusWord::SecurityStatusNotSatisfied
    );

    card.options_mut().clear_verification_on_df_select = false;
    verify_sign(&mut card, SIGN_PASSWORD);
    sw(&mut card, &Command::select_df(&ids::AID_CARD_INFO));
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_CERTIFICATE);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::Short(4))),
        StatusWord::Ok
    );
}

#[test]
fn class_and_instruction_checks() {
    let mut card = fixture().open();
    let aid = ids::AID_JPKI;
    let mut select_sm = vec![0x0C, 0xA4, 0x04, 0x0C, 0x0A];
    select_sm.extend(aid);
    assert_eq!(
        raw(&mut card, &select_sm).sw,
        StatusWord::SecureMessagingNotSupported
    );
    select_jpki(&mut card);
    select(&mut card, jpki::TOKEN_INFO);
    assert_eq!(
        raw(&mut card, &[0x0C, 0xB0, 0x00, 0x00, 0x20]).sw,
        StatusWord::SecureMessagingRejected
    );
    assert_eq!(
        raw(&mut card, &[0x04, 0x20, 0x00, 0x9B]).sw,
        StatusWord::SecureMessagingRejected
    );
    assert_eq!(
        raw(&mut card, &[0x8C, 0x2A, 0x00, 0x80, 0x01, 0x00]).sw,
        StatusWord::SecureMessagingNotSupported
    );
    // Logical channels.
    assert_eq!(
        raw(&mut card, &[0x01, 0xB0, 0x00, 0x00, 0x20]).sw,
        StatusWord::LogicalChannelNotSupported
    );
    assert_eq!(
        raw(&mut card, &[0x40, 0xB0, 0x00, 0x00, 0x20]).sw,
        StatusWord::LogicalChannelNotSupported
    );
    // Chaining.
    assert_eq!(
        raw(&mut card, &[0x10, 0xB0, 0x00, 0x00, 0x20]).sw,
        StatusWord::Other(0x68, 0x84)
    );
    // Wrong class for a known instruction; unknown instructions.
    assert_eq!(
        raw(&mut card, &[0x80, 0xB0, 0x00, 0x00, 0x20]).sw,
        StatusWord::ClaNotSupported
    );
    assert_eq!(
        raw(&mut card, &[0x00, 0x2A, 0x00, 0x80, 0x01, 0x00]).sw,
        StatusWord::ClaNotSupported
    );
    assert_eq!(
        raw(&mut card, &[0xFF, 0xB0, 0x00, 0x00, 0x20]).sw,
        StatusWord::ClaNotSupported
    );
    assert_eq!(
        raw(&mut card, &[0xA0, 0xB0, 0x00, 0x00, 0x20]).sw,
        StatusWord::ClaNotSupported
    );
    for ins in [0x84, 0xCA, 0xB1, 0xC0, 0x88, 0x00] {
        assert_eq!(
            raw(&mut card, &[0x00, ins, 0x00, 0x00, 0x00]).sw,
            StatusWord::InsNotSupported,
            "{ins:02X}"
        );
    }
    assert_eq!(
        raw(&mut card, &[0x80, 0xA2, 0x00, 0x00]).sw,
        StatusWord::InsNotSupported
    );
    // Too short, and Lc that does not match.
    for bytes in [&[][..], &[0x00], &[0x00, 0xA4, 0x04]] {
        assert_eq!(raw(&mut card, bytes).sw, StatusWord::WrongLength);
    }
    assert_eq!(
        raw(&mut card, &[0x00, 0xA4, 0x04, 0x0C, 0x05, 0xD3, 0x92]).sw,
        StatusWord::WrongLength
    );
    // None of it changed the state.
    assert_eq!(card.current_application(), Some(Application::Jpki));
    let r = tx(&mut card, &Command::read_binary(0, Le::Short(4)));
    assert_eq!(&r.data, b"JPKI");
}

#[test]
fn certificate_padding_option() {
    let f = fixture_with(&format!("{PROFILE}\n[options]\ncertificate_padding = 16\n"));
    let mut card = f.open();
    select_jpki(&mut card);
    select(&mut card, jpki::SIGNING_CA_CERTIFICATE);
    let all = read_all_short(&mut card);
    let der = sign_ca_cert();
    assert_eq!(&all[..der.len()], &der[..]);
    assert_eq!(&all[der.len()..], &[0xFF; 16]);
    // The token EF is not padded.
    select(&mut card, jpki::TOKEN_INFO);
    assert_eq!(read_all_short(&mut card).len(), 160);
}

#[test]
fn juki_and_smartphone_tokens() {
    let juki = fixture_with(&PROFILE.replace("JPKIAPICCTOKEN2", "JPKIAPICCTOKEN"));
    let mut card = juki.open();
    select_jpki(&mut card);
    select(&mut card, jpki::TOKEN_INFO);
    let r = tx(&mut card, &Command::read_binary(0, Le::Short(32)));
    assert_eq!(&r.data, b"JPKIAPICCTOKEN                  ");
    // Juki-card passwords may be 4..16 long.
    verify_sign(&mut card, SIGN_PASSWORD);
    assert_eq!(
        sw(&mut card, &Command::change_reference_data(b"AB12")),
        StatusWord::Ok
    );

    // Smartphone JPKI: the authentication certificate needs the PIN.
    let phone = fixture_with(&PROFILE.replace("JPKIAPICCTOKEN2", "JPKIAPGPSETOKEN"));
    let mut card = phone.open();
    select_jpki(&mut card);
    select(&mut card, jpki::AUTHENTICATION_CERTIFICATE);
    assert_eq!(
        sw(&mut card, &Command::read_binary(0, Le::Short(4))),
        StatusWord::SecurityStatusNotSatisfied
    );
    select(&mut card, jpki::AUTHENTICATION_PIN);
    sw(&mut card, &Command::verify(AUTH_PIN.as_bytes()));
    select(&mut card, jpki::AUTHENTICATION_CERTIFICATE);
    assert_eq!(read_all_short(&mut card), in_ef(auth_cert()));
}

#[test]
fn card_without_optional_sections() {
    let text = PROFILE
        .split("[authentication]")
        .next()
        .unwrap()
        .to_string();
    let f = fixture_with(&text);
    let mut card = f.open();
    assert_eq!(card.tries_left(PinKind::AuthenticationPin), None);
    assert_eq!(
        sw(&mut card, &Command::select_df(&ids::AID_CARD_INFO)),
        StatusWord::FileNotFound
    );
    select_jpki(&mut card);
    assert_eq!(
        select(&mut card, jpki::AUTHENTICATION_CERTIFICATE),
        StatusWord::FileNotFound
    );
    assert_eq!(
        select(&mut card, jpki::AUTHENTICATION_PIN),
        StatusWord::FileNotFound
    );
    select(&mut card, jpki::CERTIFICATE_FLAGS);
    assert_eq!(
        tx(&mut card, &Command::read_binary(0, Le::Short(3))).data,
        vec![0x8F, 0x00, 0x00]
    );
    // SFI of the missing auth PIN.
    assert_eq!(
        raw(&mut card, &[0x00, 0x20, 0x00, 0x98]).sw,
        StatusWord::Other(0x6A, 0x88)
    );
}
