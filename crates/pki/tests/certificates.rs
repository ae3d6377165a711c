//! Signing certificate, holder facts, local checks and addressee, on the committed test PKI
//! in `fixtures/` (see fixtures/README.md), plus certificates built here for cases the
//! fixtures do not cover.

use madoguchi_pki::certificate::{PkiError, SigningCertificate, ValidityState};
use madoguchi_pki::checks::{AddresseeRule, IssuerCheck, KnownCa};
use madoguchi_pki::era::Era;
use madoguchi_pki::holder::{HolderError, HolderField, Sex, ValueError};
use std::path::PathBuf;
use time::macros::{date, datetime};

fn fixture(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn card(profile: &str) -> SigningCertificate {
    SigningCertificate::from_der(&fixture(&format!("cards/{profile}/sign.der"))).unwrap()
}

#[test]
fn general_fields_of_the_normal_card() {
    let der = fixture("cards/normal/sign.der");
    let c = SigningCertificate::from_der(&der).unwrap();
    assert_eq!(c.der(), der.as_slice());
    assert_eq!(c.version(), 3);
    assert!(
        c.subject()
            .starts_with("C=JP, L=Tokyo-to, L=Chiyoda-ku, CN=")
    );
    assert_eq!(
        c.issuer(),
        "C=JP, O=JPKI-TEST, OU=JPKI for digital signature, \
         OU=Japan Agency for Local Authority Information Systems (TEST)"
    );
    let ca = SigningCertificate::from_der(&fixture("pki/sign-ca.der")).unwrap();
    assert_eq!(c.issuer_der(), ca.subject_der());
    assert_eq!(c.serial_hex(), "1001");
    assert_eq!(c.not_before(), datetime!(2026-08-31 15:00:00 UTC));
    assert_eq!(c.not_after(), datetime!(2031-08-10 14:59:59 UTC));

    use sha2::Digest;
    let sha256: [u8; 32] = sha2::Sha256::digest(&der).into();
    assert_eq!(c.sha256_fingerprint(), sha256);
    let hex = c.sha256_fingerprint_hex();
    assert_eq!(hex.len(), 32 * 3 - 1);
    assert_eq!(hex.replace(':', "").to_lowercase(), ::hex::encode(sha256));
    assert_eq!(c.sha1_fingerprint_hex().len(), 20 * 3 - 1);

    let pk = c.public_key();
    assert_eq!(pk.algorithm, "RSA");
    assert_eq!(pk.algorithm_oid, "1.2.840.113549.1.1.1");
    assert_eq!(pk.bits, Some(2048));
    assert_eq!(pk.rsa_exponent, Some(65537));
    assert_eq!(c.signature_algorithm(), "1.2.840.113549.1.1.11");
    assert_eq!(c.signature_algorithm_name(), "sha256WithRSAEncryption");

    let ext = |name: &str| {
        c.extensions()
            .iter()
            .find(|e| e.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("{name} in {:?}", c.extensions()))
    };
    let ku = ext("keyUsage");
    assert!(ku.critical);
    assert_eq!(ku.value, "digitalSignature, nonRepudiation");
    assert_eq!(ext("certificatePolicies").value, "1.2.392.200149.8.5.1.1");
    let san = ext("subjectAltName");
    assert!(!san.critical);
    assert!(
        san.value
            .starts_with("otherName:1.2.392.200149.8.5.5.1=吉田　太郎; otherName:1.2.392.200149.8.5.5.4=319580810"),
        "{}",
        san.value
    );
    assert!(ext("authorityKeyIdentifier").value.starts_with("keyid:"));
    assert!(
        ext("issuerAltName")
            .value
            .contains("公的個人認証サービス（テスト）")
    );

    let r = c.certificate_ref();
    assert_eq!(r.serial, "1001");
    assert!(r.issuer.starts_with("OU=Japan Agency"), "{}", r.issuer);
    assert!(r.issuer.ends_with("C=JP"), "{}", r.issuer);
}

#[test]
fn holder_of_the_normal_card() {
    let h = card("normal").holder().unwrap();
    assert_eq!(h.name, "吉田　太郎");
    assert_eq!(h.sex, Sex::Male);
    assert_eq!(h.birth_date.gregorian, Some(date!(1958 - 08 - 10)));
    assert_eq!(h.birth_date.era, Some(Era::Showa));
    assert!(h.birth_date.era_consistent());
    assert_eq!(h.birth_date.raw(), "319580810");
    assert_eq!(h.birth_date.to_ja_string(), "昭和33年8月10日");
    assert_eq!(h.birth_date.to_en_string(), "10 August Showa 33 (1958)");
    assert_eq!(h.birth_date.to_iso_string(), "1958-08-10");
    assert!(h.address.starts_with("東京都千代田区霞が関二丁目１番２号"));
    assert!(h.address.chars().count() > 50, "long enough to wrap");
    assert_eq!(h.name_substitute.as_deref(), Some("00000"));
    assert_eq!(
        h.address_substitute.as_deref().map(|s| s.chars().count()),
        Some(h.address.chars().count())
    );
    assert!(h.address_substitute_positions().is_empty());

    let r = h.to_request_holder();
    assert_eq!(r.name, "吉田　太郎");
    assert_eq!(r.birth_date, "319580810");
    assert_eq!(r.sex, "1");
    assert_eq!(r.name_substitute, "00000");
}

#[test]
fn holder_with_characters_outside_jis_x_0208() {
    let h = card("rare-kanji").holder().unwrap();
    assert_eq!(h.name, "髙﨑　𠮷乃");
    assert_eq!(h.name_substitute_positions(), vec![0, 1, 3]);
    let flagged: String = h
        .address_substitute_positions()
        .into_iter()
        .map(|i| h.address.chars().nth(i).unwrap())
        .collect();
    assert_eq!(flagged, "𠮷髙﨑");
    assert_eq!(h.sex, Sex::Female);
    assert_eq!(h.birth_date.to_ja_string(), "平成元年1月8日");
    assert_eq!(h.birth_date.era, Some(Era::Heisei));
}

#[test]
fn era_boundaries_on_cards() {
    let h = card("one-try-left").holder().unwrap();
    assert_eq!(h.birth_date.to_ja_string(), "昭和元年12月25日");
    let h = card("locked").holder().unwrap();
    assert_eq!(h.birth_date.to_ja_string(), "大正元年7月30日");
    assert_eq!(h.sex, Sex::NotApplicable);
}

#[test]
fn every_profile_has_holder_facts() {
    for p in [
        "normal",
        "rare-kanji",
        "expired",
        "foreign-ca",
        "one-try-left",
        "locked",
        "juki",
        "impostor-ca",
    ] {
        let h = card(p).holder().unwrap();
        assert!(h.birth_date.era_consistent(), "{p}");
        assert!(!h.name.is_empty() && !h.address.is_empty());
    }
}

#[test]
fn certificates_without_holder_facts() {
    let auth = SigningCertificate::from_der(&fixture("cards/normal/auth.der")).unwrap();
    assert_eq!(auth.holder(), Err(HolderError::NoSubjectAltName));
    // The CA's SAN is a directoryName only.
    let ca = SigningCertificate::from_der(&fixture("pki/sign-ca.der")).unwrap();
    assert_eq!(ca.holder(), Err(HolderError::Missing(HolderField::Name)));
    let ku = ca
        .extensions()
        .iter()
        .find(|e| e.name.as_deref() == Some("keyUsage"))
        .unwrap();
    assert_eq!(ku.value, "keyCertSign, cRLSign");
    let bc = ca
        .extensions()
        .iter()
        .find(|e| e.name.as_deref() == Some("basicConstraints"))
        .unwrap();
    assert!(bc.critical);
    assert_eq!(bc.value, "CA:TRUE");
}

#[test]
fn expiry() {
    let c = card("expired");
    assert_eq!(c.not_after(), datetime!(2024-03-14 14:59:59 UTC));
    assert!(c.is_expired(datetime!(2026-11-21 00:00 UTC)));
    assert!(!c.is_expired(datetime!(2024-03-14 14:59:59 UTC)));
    assert!(c.is_expired(datetime!(2024-03-14 15:00:00 UTC)));
    assert_eq!(
        c.validity_at(datetime!(2026-11-21 00:00 UTC)),
        ValidityState::Expired
    );
    assert_eq!(
        c.validity_at(datetime!(2020-01-01 00:00 UTC)),
        ValidityState::Valid
    );
    assert_eq!(
        c.validity_at(datetime!(2019-06-02 14:59:59 UTC)),
        ValidityState::NotYetValid
    );
    let n = card("normal");
    assert!(!n.is_expired(datetime!(2026-11-21 00:00 UTC)));
    assert!(n.is_expired(datetime!(2031-08-10 15:00 UTC)));
}

#[test]
fn issuer_checks() {
    let sign_ca = fixture("pki/sign-ca.der");
    let auth_ca = fixture("pki/auth-ca.der");
    let impostor_ca = fixture("pki/impostor-sign-ca.der");
    let jpki_subject = SigningCertificate::from_der(&sign_ca)
        .unwrap()
        .subject()
        .to_owned();

    for p in [
        "normal",
        "rare-kanji",
        "expired",
        "one-try-left",
        "locked",
        "juki",
    ] {
        assert_eq!(
            card(p).issuer_is_known(&[&sign_ca]).unwrap(),
            IssuerCheck::Known {
                index: 0,
                ca_subject: jpki_subject.clone()
            },
            "{p}"
        );
        assert!(
            card(p)
                .issuer_is_known(&[auth_ca.as_slice(), sign_ca.as_slice()])
                .unwrap()
                .is_known()
        );
    }
    assert!(matches!(
        card("normal")
            .issuer_is_known(&[&auth_ca, &sign_ca])
            .unwrap(),
        IssuerCheck::Known { index: 1, .. }
    ));
    assert_eq!(
        card("foreign-ca").issuer_is_known(&[&sign_ca]).unwrap(),
        IssuerCheck::UnknownIssuer
    );
    assert_eq!(
        card("impostor-ca").issuer_is_known(&[&sign_ca]).unwrap(),
        IssuerCheck::BadSignature { index: 0 }
    );
    // With both, the one whose key verifies wins.
    assert!(matches!(
        card("impostor-ca")
            .issuer_is_known(&[&sign_ca, &impostor_ca])
            .unwrap(),
        IssuerCheck::Known { index: 1, .. }
    ));
    // And the genuine card fails against the impostor.
    assert_eq!(
        card("normal").issuer_is_known(&[&impostor_ca]).unwrap(),
        IssuerCheck::BadSignature { index: 0 }
    );
    // No CA configured: nothing is checked (the window decides), which is not the same as
    // "unknown issuer".
    assert_eq!(
        card("normal").issuer_is_known::<&[u8]>(&[]).unwrap(),
        IssuerCheck::NotChecked
    );
    // The auth certificate is not from the signing CA.
    let auth = SigningCertificate::from_der(&fixture("cards/normal/auth.der")).unwrap();
    assert_eq!(
        auth.issuer_is_known(&[&sign_ca]).unwrap(),
        IssuerCheck::UnknownIssuer
    );
    assert!(auth.issuer_is_known(&[&auth_ca]).unwrap().is_known());
    // A CA is known to itself.
    let ca = SigningCertificate::from_der(&sign_ca).unwrap();
    assert!(ca.issuer_is_known(&[&sign_ca]).unwrap().is_known());
    // A broken CA list is an error, not a verdict.
    assert!(matches!(
        card("normal").issuer_is_known(&[&b"junk"[..]]),
        Err(PkiError::Malformed(_))
    ));
    // Parsed once, checked many times.
    let known = [KnownCa::from_der(&sign_ca).unwrap()];
    assert_eq!(known[0].subject(), jpki_subject);
    assert!(card("normal").issuer_check(&known).is_known());
}

#[test]
fn addressees() {
    let a = card("normal").addressee();
    assert_eq!(a.organisation, "地方公共団体情報システム機構（テスト）");
    assert_eq!(
        a.salutation,
        "地方公共団体情報システム機構（テスト）理事長殿"
    );
    assert_eq!(a.rule, AddresseeRule::JpkiAgency);
    let a = card("foreign-ca").addressee();
    assert_eq!(a.organisation, "Foreign Test CA");
    assert_eq!(a.salutation, "Foreign Test CA殿");
    assert_eq!(a.rule, AddresseeRule::IssuerOrganisation);
}

mod built {
    //! Certificates made here with the x509-cert builder, signed with the fixture CA key.
    use super::*;
    use der::asn1::{PrintableStringRef, Utf8StringRef};
    use der::{Any, Encode};
    use rsa::pkcs1v15::{Signature, SigningKey};
    use rsa::pkcs8::DecodePrivateKey;
    use sha2::Sha256;
    use std::str::FromStr;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::ext::pkix::SubjectAltName;
    use x509_cert::ext::pkix::name::{GeneralName, OtherName};
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::SubjectPublicKeyInfoOwned;
    use x509_cert::time::Validity;

    fn ca_key() -> rsa::RsaPrivateKey {
        let pem = String::from_utf8(fixture("pki/sign-ca-key.pem")).unwrap();
        rsa::RsaPrivateKey::from_pkcs8_pem(&pem).unwrap()
    }

    /// A leaf for the CA key's own public key (good enough here), with `issuer` and an
    /// optional SAN made of `(oid, value-any)` otherNames.
    fn build(issuer: &str, san: Option<Vec<(&str, Any)>>) -> Vec<u8> {
        let key = ca_key();
        let signer = SigningKey::<Sha256>::new(key.clone());
        let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).unwrap();
        let mut b = CertificateBuilder::new(
            Profile::Leaf {
                issuer: Name::from_str(issuer).unwrap(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            SerialNumber::from(7u32),
            Validity::from_now(std::time::Duration::from_secs(3600)).unwrap(),
            Name::from_str("CN=someone,C=JP").unwrap(),
            spki,
            &signer,
        )
        .unwrap();
        if let Some(entries) = san {
            let names = entries
                .into_iter()
                .map(|(oid, value)| {
                    GeneralName::OtherName(OtherName {
                        type_id: der::oid::ObjectIdentifier::new(oid).unwrap(),
                        value,
                    })
                })
                .collect();
            b.add_extension(&SubjectAltName(names)).unwrap();
        }
        b.build::<Signature>().unwrap().to_der().unwrap()
    }

    fn utf8(s: &str) -> Any {
        Any::encode_from(&Utf8StringRef::new(s).unwrap()).unwrap()
    }

    #[test]
    fn the_real_agency_name_gives_the_real_addressee() {
        let der = build(
            "OU=Japan Agency for Local Authority Information Systems,\
             OU=JPKI for digital signature,O=JPKI,C=JP",
            None,
        );
        let a = SigningCertificate::from_der(&der).unwrap().addressee();
        assert_eq!(a.organisation, "地方公共団体情報システム機構");
        assert_eq!(a.salutation, "地方公共団体情報システム機構理事長殿");
        assert_eq!(a.rule, AddresseeRule::JpkiAgency);
    }

    #[test]
    fn an_issuer_without_organisation() {
        let der = build("CN=Lonely CA,C=JP", None);
        let a = SigningCertificate::from_der(&der).unwrap().addressee();
        assert_eq!(a.organisation, "C=JP, CN=Lonely CA");
        assert_eq!(a.salutation, "C=JP, CN=Lonely CA殿");
        assert_eq!(a.rule, AddresseeRule::IssuerName);
    }

    #[test]
    fn printable_strings_and_missing_substitutes() {
        let printable = |s: &str| Any::encode_from(&PrintableStringRef::new(s).unwrap()).unwrap();
        let der = build(
            "CN=x,C=JP",
            Some(vec![
                ("1.2.392.200149.8.5.5.1", utf8("山田　一")),
                ("1.2.392.200149.8.5.5.4", printable("519990101")),
                ("1.2.392.200149.8.5.5.3", printable("2")),
                ("1.2.392.200149.8.5.5.5", utf8("東京都")),
            ]),
        );
        let h = SigningCertificate::from_der(&der)
            .unwrap()
            .holder()
            .unwrap();
        assert_eq!(h.name, "山田　一");
        assert_eq!(h.sex, Sex::Female);
        assert_eq!(h.name_substitute, None);
        assert_eq!(h.address_substitute, None);
        // Digit 5 (Reiwa) on a Heisei day: kept, flagged as inconsistent, shown by date.
        assert_eq!(h.birth_date.era, Some(Era::Reiwa));
        assert!(!h.birth_date.era_consistent());
        assert_eq!(h.birth_date.to_ja_string(), "平成11年1月1日");
    }

    #[test]
    fn a_non_string_value_is_a_typed_error() {
        let int = Any::encode_from(&3u8).unwrap();
        let der = build(
            "CN=x,C=JP",
            Some(vec![
                ("1.2.392.200149.8.5.5.1", utf8("山田　一")),
                ("1.2.392.200149.8.5.5.4", utf8("319580810")),
                ("1.2.392.200149.8.5.5.3", int),
                ("1.2.392.200149.8.5.5.5", utf8("東京都")),
            ]),
        );
        assert_eq!(
            SigningCertificate::from_der(&der).unwrap().holder(),
            Err(HolderError::Value {
                field: HolderField::Sex,
                error: ValueError::UnsupportedType(2)
            })
        );
    }

    #[test]
    fn a_bad_birth_date_is_a_typed_error() {
        let der = build(
            "CN=x,C=JP",
            Some(vec![
                ("1.2.392.200149.8.5.5.1", utf8("山田　一")),
                ("1.2.392.200149.8.5.5.4", utf8("S33.8.10")),
                ("1.2.392.200149.8.5.5.3", utf8("1")),
                ("1.2.392.200149.8.5.5.5", utf8("東京都")),
            ]),
        );
        assert!(matches!(
            SigningCertificate::from_der(&der).unwrap().holder(),
            Err(HolderError::BirthDate(_))
        ));
    }
}

#[test]
fn trailing_bytes_and_truncation() {
    let mut der = fixture("cards/normal/sign.der");
    der.push(0);
    assert_eq!(
        SigningCertificate::from_der(&der).unwrap_err(),
        PkiError::TrailingData
    );
    der.pop();
    for len in 0..der.len() {
        assert!(SigningCertificate::from_der(&der[..len]).is_err(), "{len}");
    }
}

mod never_panics {
    use super::*;
    use madoguchi_pki::holder::{BirthDate, decode_other_name_value};
    use proptest::prelude::*;

    fn exercise(bytes: &[u8], cas: &[KnownCa]) -> Option<IssuerCheck> {
        let c = SigningCertificate::from_der(bytes).ok()?;
        let _ = c.holder();
        let _ = c.addressee();
        let _ = c.certificate_ref();
        let _ = c.is_expired(datetime!(2026-11-21 00:00 UTC));
        Some(c.issuer_check(cas))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = exercise(&bytes, &[]);
        }

        #[test]
        fn random_der_headers(tag in any::<u8>(), body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut bytes = vec![tag];
            if body.len() < 128 {
                bytes.push(body.len() as u8);
            } else {
                bytes.extend_from_slice(&[0x82, (body.len() >> 8) as u8, body.len() as u8]);
            }
            bytes.extend_from_slice(&body);
            let _ = exercise(&bytes, &[]);
            let _ = decode_other_name_value(&bytes);
        }

        #[test]
        fn mutated_fixture(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
            let original = fixture("cards/rare-kanji/sign.der");
            let mut der = original.clone();
            for (i, b) in &edits {
                let i = i.index(der.len());
                der[i] = *b;
            }
            let cas = [KnownCa::from_der(&fixture("pki/sign-ca.der")).unwrap()];
            if let Some(IssuerCheck::Known { .. }) = exercise(&der, &cas) {
                // Only possible if the signed part and the signature are untouched.
                let c = SigningCertificate::from_der(&der).unwrap();
                let o = SigningCertificate::from_der(&original).unwrap();
                prop_assert_eq!(c.tbs_der(), o.tbs_der());
                prop_assert_eq!(c.signature(), o.signature());
            }
        }

        #[test]
        fn random_other_name_values(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_other_name_value(&bytes);
        }

        #[test]
        fn random_birth_dates(s in "\\PC{0,12}") {
            let _ = BirthDate::parse(&s);
        }

        #[test]
        fn digit_birth_dates(s in "[0-9]{9}") {
            if let Ok(b) = BirthDate::parse(&s) {
                prop_assert_eq!(b.raw(), s.as_str());
                let _ = b.to_ja_string();
                let _ = b.to_en_string();
            }
        }
    }
}
