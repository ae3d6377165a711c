//! Local checks on the signing certificate before anything is signed or sent, and the
//! addressee (宛先) of the application document.
//!
//! * Expiry: [`SigningCertificate::is_expired`] (manual 2.2.9 / 3.2.9).
//! * Issuer: [`SigningCertificate::issuer_is_known`] — the issuer name must equal the subject
//!   of a known JPKI signing CA **and** the certificate's signature must verify with that
//!   CA's RSA key (PKCS#1 v1.5; SHA-256, also SHA-384/512). Names are compared as DER bytes:
//!   stricter than RFC 5280's normalised comparison, and what a CA that encodes its own name
//!   consistently produces. Verification uses `rsa` + `sha2`, not x509-parser's ring-backed
//!   `verify` feature.
//! * Addressee: [`SigningCertificate::addressee`], rule documented on [`Addressee`].

use crate::certificate::{PkiError, SigningCertificate};
use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use serde::Serialize;
use sha2::{Sha256, Sha384, Sha512};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// A CA certificate the client (or server) trusts as a JPKI signing CA, parsed once.
#[derive(Clone, Debug)]
pub struct KnownCa {
    subject: String,
    subject_der: Vec<u8>,
    key: RsaPublicKey,
    der: Vec<u8>,
}

impl KnownCa {
    /// Parse a DER CA certificate; its key must be RSA.
    pub fn from_der(der: &[u8]) -> Result<KnownCa, PkiError> {
        let (rest, cert) =
            X509Certificate::from_der(der).map_err(|e| PkiError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(PkiError::TrailingData);
        }
        let key = match cert.public_key().parsed() {
            Ok(PublicKey::RSA(_)) => {
                RsaPublicKey::from_pkcs1_der(&cert.public_key().subject_public_key.data)
                    .map_err(|_| PkiError::NotRsa)?
            }
            _ => return Err(PkiError::NotRsa),
        };
        Ok(KnownCa {
            subject: SigningCertificate::from_der(der)?.subject().to_owned(),
            subject_der: cert.subject().as_raw().to_vec(),
            key,
            der: der.to_vec(),
        })
    }

    /// Subject, `C=JP, O=JPKI, …`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

/// Outcome of the issuer check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum IssuerCheck {
    /// Issued by the known CA at `index` (name equal, signature verified).
    Known { index: usize, ca_subject: String },
    /// No known CA has the issuer's name (manual 2.2.11 / 3.1.10: not a JPKI certificate).
    UnknownIssuer,
    /// A known CA has the issuer's name but the signature does not verify with its key
    /// (manual 2.2.12 / 3.2.10: the certificate cannot be verified — forged or damaged).
    BadSignature { index: usize },
    /// The name matches but the certificate is signed with an algorithm this check does not
    /// support (anything but RSA PKCS#1 v1.5 with SHA-256/384/512).
    UnsupportedAlgorithm { oid: String },
    /// No JPKI signing CA is configured, so nothing was checked here: the online window
    /// decides.
    NotChecked,
}

impl IssuerCheck {
    pub fn is_known(&self) -> bool {
        matches!(self, IssuerCheck::Known { .. })
    }
}

/// Who the application document is addressed to (宛先).
///
/// Rule, applied to the signing certificate's issuer name:
/// 1. An `OU` (or `O`) of `Japan Agency for Local Authority Information Systems` — the
///    issuer of every JPKI certificate since 2016 — gives **地方公共団体情報システム機構**;
///    the test CAs' `… (TEST)` gives 地方公共団体情報システム機構（テスト）. The document
///    addresses the head of that body, as the old applet addressed the prefectural governor
///    (東京都知事殿): salutation `地方公共団体情報システム機構理事長殿`.
/// 2. Otherwise the issuer's first `O` (`Foreign Test CA`), salutation `<O>殿`.
/// 3. Otherwise the whole issuer name, salutation `<name>殿`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Addressee {
    /// The issuing organisation: `地方公共団体情報システム機構`.
    pub organisation: String,
    /// The line the document opens with: `地方公共団体情報システム機構理事長殿`.
    pub salutation: String,
    /// Which step of the rule applied.
    pub rule: AddresseeRule,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddresseeRule {
    /// Rule 1: a known JPKI issuing body.
    JpkiAgency,
    /// Rule 2: the issuer's organisation.
    IssuerOrganisation,
    /// Rule 3: the issuer's whole name.
    IssuerName,
}

/// English names of JPKI issuing bodies found in CA names, with their Japanese names.
const AGENCIES: &[(&str, &str)] = &[
    (
        "Japan Agency for Local Authority Information Systems",
        "地方公共団体情報システム機構",
    ),
    (
        "Japan Agency for Local Authority Information Systems (TEST)",
        "地方公共団体情報システム機構（テスト）",
    ),
];

const OID_O: &str = "2.5.4.10";
const OID_OU: &str = "2.5.4.11";

impl SigningCertificate {
    /// Whether the certificate was issued by one of `cas` (DER CA certificates): see
    /// [`IssuerCheck`]. A CA certificate that cannot be parsed is an error, not a mismatch:
    /// the list is configuration, not card data.
    pub fn issuer_is_known<C: AsRef<[u8]>>(&self, cas: &[C]) -> Result<IssuerCheck, PkiError> {
        let parsed = cas
            .iter()
            .map(|c| KnownCa::from_der(c.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.issuer_check(&parsed))
    }

    /// [`SigningCertificate::issuer_is_known`] with CAs parsed beforehand.
    pub fn issuer_check(&self, cas: &[KnownCa]) -> IssuerCheck {
        if cas.is_empty() {
            return IssuerCheck::NotChecked;
        }
        let mut result = IssuerCheck::UnknownIssuer;
        for (index, ca) in cas.iter().enumerate() {
            if ca.subject_der != self.issuer_der() {
                continue;
            }
            match verify(self, &ca.key) {
                Verify::Good => {
                    return IssuerCheck::Known {
                        index,
                        ca_subject: ca.subject.clone(),
                    };
                }
                Verify::Bad => {
                    if !matches!(result, IssuerCheck::BadSignature { .. }) {
                        result = IssuerCheck::BadSignature { index };
                    }
                }
                Verify::Unsupported => {
                    return IssuerCheck::UnsupportedAlgorithm {
                        oid: self.signature_algorithm().to_owned(),
                    };
                }
            }
        }
        result
    }

    /// The addressee (宛先) of the application document, from the issuer name.
    pub fn addressee(&self) -> Addressee {
        let attrs = self.issuer_attributes();
        let agency = attrs
            .iter()
            .filter(|(oid, _)| oid == OID_OU || oid == OID_O)
            .find_map(|(_, v)| AGENCIES.iter().find(|(en, _)| en == v));
        if let Some((_, ja)) = agency {
            return Addressee {
                organisation: (*ja).to_owned(),
                salutation: format!("{ja}理事長殿"),
                rule: AddresseeRule::JpkiAgency,
            };
        }
        if let Some((_, o)) = attrs.iter().find(|(oid, v)| oid == OID_O && !v.is_empty()) {
            return Addressee {
                organisation: o.clone(),
                salutation: format!("{o}殿"),
                rule: AddresseeRule::IssuerOrganisation,
            };
        }
        Addressee {
            organisation: self.issuer().to_owned(),
            salutation: format!("{}殿", self.issuer()),
            rule: AddresseeRule::IssuerName,
        }
    }
}

enum Verify {
    Good,
    Bad,
    Unsupported,
}

fn verify(cert: &SigningCertificate, key: &RsaPublicKey) -> Verify {
    let Ok(sig) = Signature::try_from(cert.signature()) else {
        return Verify::Bad;
    };
    let tbs = cert.tbs_der();
    let ok = match cert.signature_algorithm() {
        "1.2.840.113549.1.1.11" => VerifyingKey::<Sha256>::new(key.clone())
            .verify(tbs, &sig)
            .is_ok(),
        "1.2.840.113549.1.1.12" => VerifyingKey::<Sha384>::new(key.clone())
            .verify(tbs, &sig)
            .is_ok(),
        "1.2.840.113549.1.1.13" => VerifyingKey::<Sha512>::new(key.clone())
            .verify(tbs, &sig)
            .is_ok(),
        _ => return Verify::Unsupported,
    };
    if ok { Verify::Good } else { Verify::Bad }
}
