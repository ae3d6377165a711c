//! Test PKI helpers for the server's tests, the load generator and the fuzz target: CAs made
//! on the fly or loaded from `fixtures/`, holder certificates shaped like JPKI signing
//! certificates, and signed requests made exactly as the card would (PKCS#1 v1.5 over the
//! DigestInfo handed out by [`madoguchi_pki::cms::sign`]).
//!
//! Private-key operations here use the `rsa` crate; they are test tooling, never part of
//! the window's request path.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use der::asn1::Utf8StringRef;
use der::{Any, Decode, Encode};
use madoguchi_pki::SigningCertificate;
use madoguchi_pki::cms;
use madoguchi_pki::request::{
    CertificateRef, Procedure, RequestDocument, RequestHolder, serial_hex,
};
use rsa::pkcs1v15::SigningKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::{GeneralName, OtherName};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

use crate::material::{read_certificate, read_rsa_private_key};

/// `fixtures/` of this repository (override with `MADOGUCHI_FIXTURES`).
pub fn fixtures_dir() -> PathBuf {
    std::env::var_os("MADOGUCHI_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"))
}

/// A CA that can issue holder certificates.
pub struct TestCa {
    /// Its certificate.
    pub certificate: Certificate,
    /// Its certificate, DER.
    pub certificate_der: Vec<u8>,
    key: RsaPrivateKey,
}

fn time_of(t: SystemTime) -> Time {
    match der::asn1::UtcTime::from_system_time(t) {
        Ok(u) => Time::UtcTime(u),
        Err(_) => Time::try_from(t).expect("time encodes"),
    }
}

/// A fresh RSA-2048 key.
pub fn generate_key() -> RsaPrivateKey {
    RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("RSA key generation")
}

impl TestCa {
    /// A new self-signed CA with a fresh key, valid for 20 years from an hour ago.
    pub fn generate(subject: &str) -> TestCa {
        let key = generate_key();
        let signer = SigningKey::<Sha256>::new(key.clone());
        let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).expect("spki");
        let now = SystemTime::now();
        let validity = Validity {
            not_before: time_of(now - Duration::from_secs(3600)),
            not_after: time_of(now + Duration::from_secs(20 * 365 * 86400)),
        };
        let builder = CertificateBuilder::new(
            Profile::Root,
            SerialNumber::from(1u32),
            validity,
            Name::from_str(subject).expect("CA subject"),
            spki,
            &signer,
        )
        .expect("CA builder");
        let certificate = builder
            .build::<rsa::pkcs1v15::Signature>()
            .expect("CA certificate");
        TestCa {
            certificate_der: certificate.to_der().expect("DER"),
            certificate,
            key,
        }
    }

    /// Loads a CA from a certificate file (DER or PEM) and a PKCS#8 PEM key.
    pub fn load(certificate: &Path, key: &Path) -> anyhow::Result<TestCa> {
        let (certificate, certificate_der) = read_certificate(certificate)?;
        let key = read_rsa_private_key(key)?;
        Ok(TestCa {
            certificate,
            certificate_der,
            key,
        })
    }

    /// The fixture test signing CA (`fixtures/pki/sign-ca.der` + key).
    pub fn fixture_sign_ca() -> anyhow::Result<TestCa> {
        let d = fixtures_dir().join("pki");
        TestCa::load(&d.join("sign-ca.der"), &d.join("sign-ca-key.pem"))
    }

    /// The CA's certificate as PEM.
    pub fn certificate_pem(&self) -> String {
        der::pem::encode_string(
            "CERTIFICATE",
            der::pem::LineEnding::LF,
            &self.certificate_der,
        )
        .expect("PEM")
    }

    /// The CA's private key as PKCS#8 PEM.
    pub fn key_pem(&self) -> String {
        use rsa::pkcs8::EncodePrivateKey;
        self.key
            .to_pkcs8_pem(der::pem::LineEnding::LF)
            .expect("PKCS#8")
            .to_string()
    }

    /// Issues a JPKI-shaped signing certificate for `holder`'s facts and `public_key`.
    pub fn issue_holder(
        &self,
        serial: u64,
        holder: &RequestHolder,
        public_key: &RsaPublicKey,
        not_before: SystemTime,
        not_after: SystemTime,
    ) -> Vec<u8> {
        let signer = SigningKey::<Sha256>::new(self.key.clone());
        let spki = SubjectPublicKeyInfoOwned::from_key(public_key.clone()).expect("spki");
        let subject = Name::from_str(&format!(
            "CN=TESTHOLDER{serial:013},L=Chiyoda-ku,L=Tokyo,C=JP"
        ))
        .expect("holder subject");
        let mut builder = CertificateBuilder::new(
            Profile::Leaf {
                issuer: self.certificate.tbs_certificate.subject.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            SerialNumber::new(&serial.to_be_bytes()).expect("serial"),
            Validity {
                not_before: time_of(not_before),
                not_after: time_of(not_after),
            },
            subject,
            spki,
            &signer,
        )
        .expect("holder builder");
        let other = |arc: u32, value: &str| -> GeneralName {
            let type_id = const_oid::ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5")
                .push_arc(arc)
                .expect("oid");
            GeneralName::OtherName(OtherName {
                type_id,
                value: Any::encode_from(&Utf8StringRef::new(value).expect("utf8")).expect("any"),
            })
        };
        let san = SubjectAltName(vec![
            other(1, &holder.name),
            other(4, &holder.birth_date),
            other(3, &holder.sex),
            other(5, &holder.address),
            other(2, &holder.name_substitute),
            other(6, &holder.address_substitute),
        ]);
        builder.add_extension(&san).expect("SAN");
        builder
            .build::<rsa::pkcs1v15::Signature>()
            .expect("holder certificate")
            .to_der()
            .expect("DER")
    }
}

/// Holder facts for the `n`-th generated holder.
pub fn holder_facts(n: u64) -> RequestHolder {
    let name = format!("試験　太郎{n}");
    let address = "東京都千代田区霞が関二丁目１番２号".to_string();
    RequestHolder {
        name_substitute: "0".repeat(name.chars().count()),
        address_substitute: "0".repeat(address.chars().count()),
        name,
        sex: "1".into(),
        birth_date: "319580810".into(),
        address,
    }
}

/// A holder: signing certificate, key, and the facts in the certificate.
#[derive(Clone)]
pub struct TestHolder {
    /// The signing certificate, DER.
    pub certificate_der: Vec<u8>,
    /// The private key (on a real card it never leaves the card).
    pub key: RsaPrivateKey,
    /// The facts in the certificate.
    pub holder: RequestHolder,
}

impl TestHolder {
    /// Issues a holder certificate under `ca` valid from an hour ago for `valid_for`.
    pub fn issue(ca: &TestCa, serial: u64, key: &RsaPrivateKey, valid_for: Duration) -> TestHolder {
        let holder = holder_facts(serial);
        let now = SystemTime::now();
        let certificate_der = ca.issue_holder(
            serial,
            &holder,
            &key.to_public_key(),
            now - Duration::from_secs(3600),
            now + valid_for,
        );
        TestHolder {
            certificate_der,
            key: key.clone(),
            holder,
        }
    }

    /// A holder with explicit facts and certificate.
    pub fn new(certificate_der: Vec<u8>, key: RsaPrivateKey, holder: RequestHolder) -> TestHolder {
        TestHolder {
            certificate_der,
            key,
            holder,
        }
    }

    /// The certificate reference for documents.
    pub fn certificate_ref(&self) -> CertificateRef {
        let cert = Certificate::from_der(&self.certificate_der).expect("holder certificate");
        CertificateRef {
            issuer: cert.tbs_certificate.issuer.to_string(),
            serial: serial_hex(cert.tbs_certificate.serial_number.as_bytes()),
        }
    }

    /// A holder from a fixture card profile (`fixtures/cards/<profile>/sign.der` +
    /// `sign-key.pem`), its facts read from the certificate.
    pub fn from_card(profile: &str) -> anyhow::Result<TestHolder> {
        let dir = fixtures_dir().join("cards").join(profile);
        let (_, certificate_der) = read_certificate(&dir.join("sign.der"))?;
        let key = read_rsa_private_key(&dir.join("sign-key.pem"))?;
        let holder = SigningCertificate::from_der(&certificate_der)?
            .holder()?
            .to_request_holder();
        Ok(TestHolder {
            certificate_der,
            key,
            holder,
        })
    }

    /// The addressee the certificate's issuer calls for.
    pub fn addressee(&self) -> String {
        SigningCertificate::from_der(&self.certificate_der)
            .map(|c| c.addressee().salutation)
            .unwrap_or_default()
    }

    /// A request document for this holder.
    pub fn document(&self, procedure: Procedure, challenge: &str) -> RequestDocument {
        RequestDocument::new(
            procedure,
            self.addressee(),
            self.holder.clone(),
            self.certificate_ref(),
            challenge,
            time::OffsetDateTime::now_utc(),
        )
        .expect("valid test document")
    }

    /// Signs arbitrary content as the card would.
    pub fn sign_bytes(&self, content: &[u8]) -> Vec<u8> {
        cms::sign(
            content,
            &self.certificate_der,
            SystemTime::now(),
            |digest_info| card_sign(&self.key, digest_info),
        )
        .expect("signing")
    }

    /// A signed request for `procedure` with `challenge`.
    pub fn signed_request(&self, procedure: Procedure, challenge: &str) -> Vec<u8> {
        self.sign_bytes(&self.document(procedure, challenge).to_canonical_bytes())
    }
}

/// What the card's `80 2A 00 80` does: RSA PKCS#1 v1.5 over a ready-made DigestInfo.
pub fn card_sign(key: &RsaPrivateKey, digest_info: &[u8]) -> Result<Vec<u8>, rsa::Error> {
    key.sign(Pkcs1v15Sign::new_unprefixed(), digest_info)
}
