//! Loading card profiles: paths, typed errors, secrets kept out of Debug.

mod common;

use common::*;
use madoguchi_card::PinKind;
use madoguchi_sim::{Profile, ProfileError, SimError, VirtualCard};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::LineEnding;

fn load_err(text: &str) -> ProfileError {
    let f = fixture_with(text);
    Profile::load(&f.profile).unwrap_err()
}

#[test]
fn relative_paths_resolve_against_the_profile_folder() {
    let f = fixture();
    // Run from elsewhere: the profile's own folder counts, not the cwd.
    let p = Profile::load(&f.profile).unwrap();
    assert_eq!(p.signing.certificate, sign_cert());
    assert_eq!(p.signing.ca_certificate, sign_ca_cert());
    assert_eq!(p.authentication.as_ref().unwrap().certificate, auth_cert());
    assert_eq!(p.token, "JPKIAPICCTOKEN2");
    assert_eq!(p.signing.tries_left, 5);
    assert_eq!(p.card_info.as_ref().unwrap().my_number, "123456789018");
    assert_eq!(p.source.as_deref(), Some(f.profile.as_path()));
    assert_eq!(p.signing.public_key(), sign_public());
}

#[test]
fn absolute_paths_work_too() {
    let f = fixture();
    let abs = f.dir.path().join("sign.der");
    let text = PROFILE.replace("\"sign.der\"", &format!("{:?}", abs.display().to_string()));
    let other = tempfile::tempdir().unwrap();
    write_files(other.path());
    std::fs::remove_file(other.path().join("sign.der")).unwrap();
    let profile = other.path().join("p.toml");
    std::fs::write(&profile, text).unwrap();
    assert_eq!(
        Profile::load(&profile).unwrap().signing.certificate,
        sign_cert()
    );
}

#[test]
fn debug_never_shows_secrets() {
    let f = fixture();
    let p = Profile::load(&f.profile).unwrap();
    let text = format!("{p:?}");
    assert!(!text.contains(SIGN_PASSWORD), "{text}");
    assert!(!text.contains(AUTH_PIN), "{text}");
    assert!(!text.contains(INFO_PIN), "{text}");
    assert!(!text.contains("吉田"), "holder data stays out: {text}");
    let card = VirtualCard::new(p);
    let text = format!("{card:?}");
    assert!(!text.contains(SIGN_PASSWORD), "{text}");
}

#[test]
fn missing_tries_left_means_full() {
    let p = fixture_with(&PROFILE.replace("tries_left = 5\n", ""));
    let card = VirtualCard::open(&p.profile, None).unwrap();
    assert_eq!(card.tries_left(PinKind::SigningPassword), Some(5));
}

#[test]
fn missing_files_are_named() {
    let e = load_err(&PROFILE.replace("ca/sign-ca.der", "nowhere.der"));
    match e {
        ProfileError::MissingFile { field, path, .. } => {
            assert_eq!(field, "signing.ca_certificate");
            assert!(path.ends_with("nowhere.der"));
        }
        other => panic!("{other}"),
    }
    let e = load_err(&PROFILE.replace("auth-key.pem", "gone.pem"));
    assert!(
        matches!(
            e,
            ProfileError::MissingFile {
                field: "authentication.private_key",
                ..
            }
        ),
        "{e}"
    );
    let e = Profile::load("/nonexistent/profile.toml").unwrap_err();
    assert!(matches!(e, ProfileError::Read { .. }), "{e}");
    assert!(e.to_string().contains("/nonexistent/profile.toml"));
}

#[test]
fn bad_keys_are_reported() {
    let f = fixture();
    std::fs::write(f.dir.path().join("sign-key.pem"), "not a key").unwrap();
    let e = Profile::load(&f.profile).unwrap_err();
    assert!(
        matches!(
            e,
            ProfileError::BadKey {
                field: "signing.private_key",
                ..
            }
        ),
        "{e}"
    );

    // PKCS#1 PEM is not PKCS#8.
    let pkcs1 = keys().0.to_pkcs1_pem(LineEnding::LF).unwrap();
    std::fs::write(f.dir.path().join("sign-key.pem"), pkcs1.as_bytes()).unwrap();
    let e = Profile::load(&f.profile).unwrap_err();
    assert!(matches!(e, ProfileError::BadKey { .. }), "{e}");
    // The message names the file but not the key material.
    assert!(e.to_string().contains("sign-key.pem"));
    assert!(!e.to_string().contains("BEGIN"));
}

#[test]
fn bad_certificates_are_reported() {
    let f = fixture();
    std::fs::write(
        f.dir.path().join("auth.der"),
        b"-----BEGIN CERTIFICATE-----",
    )
    .unwrap();
    let e = Profile::load(&f.profile).unwrap_err();
    assert!(
        matches!(
            e,
            ProfileError::BadCertificate {
                field: "authentication.certificate",
                ..
            }
        ),
        "{e}"
    );
    // Truncated DER.
    std::fs::write(f.dir.path().join("auth.der"), &auth_cert()[..100]).unwrap();
    let e = Profile::load(&f.profile).unwrap_err();
    assert!(matches!(e, ProfileError::BadCertificate { .. }), "{e}");
}

#[test]
fn key_must_match_a_real_certificate() {
    // A certificate-like blob that carries an RSA SubjectPublicKeyInfo of
    // the *authentication* key: the signing key does not match it.
    let oid = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01,
    ];
    let make = |public: &rsa::RsaPublicKey| {
        let mut body = oid.to_vec();
        body.extend(public.to_pkcs1_der().unwrap().as_bytes());
        let mut der = vec![0x30, 0x82];
        der.extend((body.len() as u16).to_be_bytes());
        der.extend(body);
        der
    };
    let f = fixture();
    std::fs::write(f.dir.path().join("sign.der"), make(&auth_public())).unwrap();
    let e = Profile::load(&f.profile).unwrap_err();
    assert!(
        matches!(
            e,
            ProfileError::KeyMismatch {
                field: "signing.private_key",
                ..
            }
        ),
        "{e}"
    );
    // Allowed on request.
    std::fs::write(
        &f.profile,
        format!("{PROFILE}\n[options]\nallow_key_mismatch = true\n"),
    )
    .unwrap();
    assert!(Profile::load(&f.profile).is_ok());
    // With the right key it loads.
    std::fs::write(f.dir.path().join("sign.der"), make(&sign_public())).unwrap();
    std::fs::write(&f.profile, PROFILE).unwrap();
    assert!(Profile::load(&f.profile).is_ok());
}

#[test]
fn schema_is_strict() {
    let e = load_err(&format!("{PROFILE}\nextra = 1\n"));
    assert!(matches!(e, ProfileError::Parse { .. }), "{e}");
    let e = load_err(&PROFILE.replace("pin = \"1234\"", "pin = \"1234\"\npuk = \"0000\""));
    assert!(matches!(e, ProfileError::Parse { .. }), "{e}");
    // The error names the line, never quotes it (it may hold a secret).
    let e = load_err(&PROFILE.replace("password = \"ABC123\"", "password = ABC123"));
    let text = e.to_string();
    assert!(text.contains("line 7"), "{text}");
    assert!(!text.contains("ABC123"), "{text}");
    let e = load_err(&PROFILE.replace("token = \"JPKIAPICCTOKEN2\"\n", ""));
    assert!(matches!(e, ProfileError::Parse { .. }), "{e}");
    let e = load_err(&format!("{PROFILE}\n[options]\nunknown_switch = true\n"));
    assert!(matches!(e, ProfileError::Parse { .. }), "{e}");
}

#[test]
fn values_are_checked() {
    let cases = [
        ("tries_left = 5", "tries_left = 6", "signing.tries_left"),
        (
            "tries_left = 3\n[card_info]",
            "tries_left = 4\n[card_info]",
            "authentication.tries_left",
        ),
        (
            "birth_date = \"19581201\"",
            "birth_date = \"S33.12.1\"",
            "card_info.birth_date",
        ),
        ("sex = \"1\"", "sex = \"male\"", "card_info.sex"),
        (
            "my_number = \"123456789018\"",
            "my_number = \"1234\"",
            "card_info.my_number",
        ),
        (
            "password = \"ABC123\"",
            "password = \"\"",
            "signing.password",
        ),
        (
            "token = \"JPKIAPICCTOKEN2\"",
            "token = \"THIS TOKEN LABEL IS MUCH TOO LONG FOR EF\"",
            "token",
        ),
    ];
    for (from, to, field) in cases {
        let text = PROFILE.replacen(from, to, 1);
        assert_ne!(text, PROFILE, "{from}");
        match load_err(&text) {
            ProfileError::Invalid { field: f, .. } => assert_eq!(f, field),
            other => panic!("{field}: {other}"),
        }
    }
}

#[test]
fn open_reports_profile_and_state_errors() {
    let f = fixture();
    std::fs::write(f.state_path(), "[signing]\ntries_left = \"x\"\n").unwrap();
    let e = VirtualCard::open(&f.profile, Some(&f.state_path())).unwrap_err();
    assert!(matches!(e, SimError::State(_)), "{e}");
    let e = VirtualCard::open(f.dir.path().join("none.toml"), None).unwrap_err();
    assert!(matches!(e, SimError::Profile(_)), "{e}");
}

/// The committed test PKI's card profiles load, and each card's signing
/// key signs what its certificate verifies.
#[test]
fn repository_fixture_profiles_load() {
    use madoguchi_card::ids::jpki;
    use madoguchi_card::{Command, Le, StatusWord};
    use rsa::pkcs1v15::Pkcs1v15Sign;

    let cards = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cards");
    let mut seen = 0;
    for entry in std::fs::read_dir(&cards).expect("fixtures/cards") {
        let profile = entry.unwrap().path().join("card.toml");
        if !profile.exists() {
            continue;
        }
        seen += 1;
        let mut card = VirtualCard::open(&profile, None)
            .unwrap_or_else(|e| panic!("{}: {e}", profile.display()));
        let tries = card.tries_left(PinKind::SigningPassword).unwrap();
        assert_eq!(
            sw(
                &mut card,
                &Command::select_df(&madoguchi_card::ids::AID_JPKI)
            ),
            StatusWord::Ok
        );
        sw(&mut card, &Command::select_ef(jpki::SIGNING_PASSWORD));
        assert_eq!(
            sw(&mut card, &Command::verify_query()),
            StatusWord::TriesLeft(tries)
        );
        if tries == 0 {
            continue;
        }
        let text = std::fs::read_to_string(&profile).unwrap();
        let password = text
            .lines()
            .find_map(|l| l.strip_prefix("password = "))
            .unwrap()
            .trim_matches('"');
        assert_eq!(
            sw(&mut card, &Command::verify(password.as_bytes())),
            StatusWord::Ok
        );
        sw(&mut card, &Command::select_ef(jpki::SIGNING_CERTIFICATE));
        // Short reads to the end of the EF: the certificate, then filler.
        let mut data = Vec::new();
        loop {
            let r = tx(
                &mut card,
                &Command::read_binary(data.len() as u16, Le::MAX_SHORT),
            );
            if r.sw == StatusWord::WrongParameters {
                break;
            }
            assert_eq!(r.sw, StatusWord::Ok);
            data.extend(r.data);
        }
        let der = std::fs::read(profile.parent().unwrap().join("sign.der")).unwrap();
        assert_eq!(&data[..der.len()], &der[..]);
        assert!(data[der.len()..].iter().all(|&b| b == 0xFF));
        sw(&mut card, &Command::select_ef(jpki::SIGNING_KEY));
        let di = digest_info(b"fixture");
        let sig = tx(&mut card, &Command::compute_digital_signature(&di));
        assert_eq!(sig.sw, StatusWord::Ok);
        card.public_key(PinKind::SigningPassword)
            .unwrap()
            .verify(Pkcs1v15Sign::new_unprefixed(), &di, &sig.data)
            .unwrap();
    }
    assert!(seen >= 7, "only {seen} fixture profiles");
}
