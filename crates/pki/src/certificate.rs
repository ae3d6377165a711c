//! The signing certificate read from the card: parsed once with x509-parser into owned
//! fields, so it can be kept, shown (general and details views), checked and put into a
//! request.
//!
//! The bytes come from the card and are untrusted: [`SigningCertificate::from_der`] and
//! everything after it return typed errors and never panic (see the property tests).

use crate::holder::{HolderError, HolderFacts, decode_other_name_value};
use crate::request::{CertificateRef, serial_hex};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use time::OffsetDateTime;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension, X509Extension};
use x509_parser::objects::{oid_registry, oid2sn};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;
use x509_parser::x509::X509Name;

/// Errors of this module (and, wrapped, of the holder facts).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error("not a DER X.509 certificate: {0}")]
    Malformed(String),
    #[error("bytes after the end of the certificate")]
    TrailingData,
    #[error("the certificate's public key is not a usable RSA key")]
    NotRsa,
    #[error(transparent)]
    Holder(#[from] HolderError),
}

/// The subject public key, summarised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyInfo {
    /// "RSA", "EC", "DSA" or the algorithm OID when unknown.
    pub algorithm: String,
    /// Dotted algorithm OID.
    pub algorithm_oid: String,
    /// Key size in bits (RSA modulus length, EC field size), if known.
    pub bits: Option<usize>,
    /// RSA public exponent.
    pub rsa_exponent: Option<u64>,
    /// The DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
}

/// One extension, summarised for the details view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionSummary {
    /// Dotted OID.
    pub oid: String,
    /// Short name (`subjectAltName`) when the OID is known.
    pub name: Option<String>,
    pub critical: bool,
    /// A one-line reading of the value (`digitalSignature, nonRepudiation`).
    pub value: String,
}

/// Validity of a certificate at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidityState {
    NotYetValid,
    Valid,
    Expired,
}

#[derive(Clone, Debug)]
enum San {
    Absent,
    Unreadable(HolderError),
    /// `(type-id, raw value)` of each otherName.
    OtherNames(Vec<(String, Vec<u8>)>),
}

/// A parsed (holder signing) certificate. Also works for CA and authentication
/// certificates; only [`SigningCertificate::holder`] needs the JPKI subjectAltName.
#[derive(Clone, Debug)]
pub struct SigningCertificate {
    der: Vec<u8>,
    version: u32,
    subject: String,
    subject_der: Vec<u8>,
    issuer: String,
    issuer_der: Vec<u8>,
    issuer_attributes: Vec<(String, String)>,
    serial: String,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    sha256: [u8; 32],
    sha1: [u8; 20],
    public_key: PublicKeyInfo,
    signature_algorithm: String,
    signature_algorithm_name: String,
    extensions: Vec<ExtensionSummary>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
    san: San,
}

/// The holder's facts are in the DER, the TBS part, the subjectAltName values
/// and the extension texts: zeroed when the parsed certificate goes, so a
/// counter terminal's wipe leaves no copy behind in freed memory.
impl Drop for SigningCertificate {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.der.zeroize();
        self.tbs.zeroize();
        if let San::OtherNames(names) = &mut self.san {
            for (_, raw) in names.iter_mut() {
                raw.zeroize();
            }
        }
        for e in &mut self.extensions {
            e.value.zeroize();
        }
    }
}

/// Dotted OID of sha256WithRSAEncryption.
pub const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";

impl SigningCertificate {
    /// Parse one DER certificate; trailing bytes are refused.
    pub fn from_der(der: &[u8]) -> Result<SigningCertificate, PkiError> {
        let (rest, cert) =
            X509Certificate::from_der(der).map_err(|e| PkiError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(PkiError::TrailingData);
        }
        let der = &der[..der.len() - rest.len()];
        let spki = cert.public_key();
        let (algorithm, bits, rsa_exponent) = match spki.parsed() {
            Ok(PublicKey::RSA(k)) => {
                let exp = k.try_exponent().ok();
                ("RSA".to_owned(), Some(unsigned_bits(k.modulus)), exp)
            }
            Ok(PublicKey::EC(p)) => ("EC".to_owned(), Some(p.key_size()), None),
            Ok(PublicKey::DSA(y)) => ("DSA".to_owned(), Some(unsigned_bits(y)), None),
            _ => (spki.algorithm.algorithm.to_id_string(), None, None),
        };
        let public_key = PublicKeyInfo {
            algorithm,
            algorithm_oid: spki.algorithm.algorithm.to_id_string(),
            bits: bits.filter(|b| *b > 0),
            rsa_exponent,
            spki_der: spki.raw.to_vec(),
        };
        let san = read_san(&cert);
        Ok(SigningCertificate {
            der: der.to_vec(),
            version: cert.version().0 + 1,
            subject: name_string(cert.subject()),
            subject_der: cert.subject().as_raw().to_vec(),
            issuer: name_string(cert.issuer()),
            issuer_der: cert.issuer().as_raw().to_vec(),
            issuer_attributes: attributes(cert.issuer()),
            serial: serial_hex(cert.raw_serial()),
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            sha256: Sha256::digest(der).into(),
            sha1: Sha1::digest(der).into(),
            public_key,
            signature_algorithm: cert.signature_algorithm.algorithm.to_id_string(),
            signature_algorithm_name: oid2sn(&cert.signature_algorithm.algorithm, oid_registry())
                .map(str::to_owned)
                .unwrap_or_else(|_| cert.signature_algorithm.algorithm.to_id_string()),
            extensions: cert.extensions().iter().map(summarise).collect(),
            tbs: cert.tbs_certificate.as_ref().to_vec(),
            signature: cert.signature_value.data.to_vec(),
            san,
        })
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// X.509 version (3 for every JPKI certificate).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Subject, attributes in encoding order: `C=JP, L=Tokyo-to, L=Chiyoda-ku, CN=…`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// DER of the subject Name.
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    /// Issuer, attributes in encoding order: `C=JP, O=JPKI, OU=…`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// DER of the issuer Name.
    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer_der
    }

    /// `(dotted OID, value)` of each issuer attribute, in encoding order.
    pub fn issuer_attributes(&self) -> &[(String, String)] {
        &self.issuer_attributes
    }

    /// The issuer as RFC 4514 text (most significant attribute last), as the request
    /// document's [`CertificateRef`] carries it.
    pub fn issuer_rfc4514(&self) -> String {
        use x509_cert::der::Decode;
        match x509_cert::name::Name::from_der(&self.issuer_der) {
            Ok(name) => name.to_string(),
            Err(_) => self.issuer.clone(),
        }
    }

    /// Serial number, lowercase hex without leading zero bytes (`1001`).
    pub fn serial_hex(&self) -> &str {
        &self.serial
    }

    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// SHA-256 of the DER.
    pub fn sha256_fingerprint(&self) -> [u8; 32] {
        self.sha256
    }

    /// SHA-1 of the DER (shown by the official client next to SHA-256).
    pub fn sha1_fingerprint(&self) -> [u8; 20] {
        self.sha1
    }

    /// `AB:CD:…` upper-case hex of the SHA-256 fingerprint.
    pub fn sha256_fingerprint_hex(&self) -> String {
        colon_hex(&self.sha256)
    }

    /// `AB:CD:…` upper-case hex of the SHA-1 fingerprint.
    pub fn sha1_fingerprint_hex(&self) -> String {
        colon_hex(&self.sha1)
    }

    pub fn public_key(&self) -> &PublicKeyInfo {
        &self.public_key
    }

    /// Dotted OID of the signature algorithm (`1.2.840.113549.1.1.11`).
    pub fn signature_algorithm(&self) -> &str {
        &self.signature_algorithm
    }

    /// Readable name of the signature algorithm (`sha256WithRSAEncryption`), or the OID.
    pub fn signature_algorithm_name(&self) -> &str {
        &self.signature_algorithm_name
    }

    pub fn extensions(&self) -> &[ExtensionSummary] {
        &self.extensions
    }

    /// DER of the TBSCertificate (what the issuer signed).
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs
    }

    /// The issuer's signature bits.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The holder's facts from the subjectAltName otherName entries.
    pub fn holder(&self) -> Result<HolderFacts, HolderError> {
        match &self.san {
            San::Absent => Err(HolderError::NoSubjectAltName),
            San::Unreadable(e) => Err(e.clone()),
            San::OtherNames(entries) => HolderFacts::from_other_names(
                entries.iter().map(|(o, v)| (o.as_str(), v.as_slice())),
            ),
        }
    }

    /// Whether the certificate has expired at `now` (after its notAfter).
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        now > self.not_after
    }

    pub fn validity_at(&self, now: OffsetDateTime) -> ValidityState {
        if now < self.not_before {
            ValidityState::NotYetValid
        } else if now > self.not_after {
            ValidityState::Expired
        } else {
            ValidityState::Valid
        }
    }

    /// Issuer and serial as the request document names the certificate.
    pub fn certificate_ref(&self) -> CertificateRef {
        CertificateRef {
            issuer: self.issuer_rfc4514(),
            serial: self.serial.clone(),
        }
    }
}

/// Number of significant bits of an unsigned big-endian integer.
fn unsigned_bits(bytes: &[u8]) -> usize {
    match bytes.iter().position(|b| *b != 0) {
        None => 0,
        Some(i) => (bytes.len() - i - 1) * 8 + (8 - bytes[i].leading_zeros() as usize),
    }
}

fn colon_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// A name as `A=v, B=w` in encoding order; values that are not strings are shown as hex.
fn name_string(name: &X509Name<'_>) -> String {
    let mut parts = Vec::new();
    for rdn in name.iter() {
        let set: Vec<String> = rdn
            .iter()
            .map(|atv| {
                let key = attr_label(atv.attr_type());
                format!("{key}={}", attr_value(atv))
            })
            .collect();
        parts.push(set.join(" + "));
    }
    parts.join(", ")
}

/// The usual short label of a name attribute (`OU`), else the registry's name, else the OID.
fn attr_label(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    let dotted = oid.to_id_string();
    let short = match dotted.as_str() {
        "2.5.4.6" => "C",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.7" => "L",
        "2.5.4.3" => "CN",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.5" => "SERIALNUMBER",
        "0.9.2342.19200300.100.1.25" => "DC",
        _ => {
            return oid2sn(oid, oid_registry())
                .map(str::to_owned)
                .unwrap_or(dotted);
        }
    };
    short.to_owned()
}

fn attr_value(atv: &x509_parser::x509::AttributeTypeAndValue<'_>) -> String {
    match atv.as_str() {
        Ok(s) => s.to_owned(),
        Err(_) => match decode_bmp_or_universal(atv.attr_value()) {
            Some(s) => s,
            None => format!("#{}", hex::encode(atv.attr_value().data)),
        },
    }
}

fn decode_bmp_or_universal(any: &x509_parser::asn1_rs::Any<'_>) -> Option<String> {
    // Re-use the otherName string decoder on a bare universal string TLV.
    let mut tlv = Vec::new();
    let data = any.data;
    tlv.push(u8::try_from(any.tag().0).ok()?);
    if data.len() < 0x80 {
        tlv.push(data.len() as u8);
    } else {
        let len = u16::try_from(data.len()).ok()?;
        tlv.push(0x82);
        tlv.extend_from_slice(&len.to_be_bytes());
    }
    tlv.extend_from_slice(data);
    decode_other_name_value(&tlv).ok()
}

fn attributes(name: &X509Name<'_>) -> Vec<(String, String)> {
    name.iter_attributes()
        .map(|atv| (atv.attr_type().to_id_string(), attr_value(atv)))
        .collect()
}

/// The SAN's otherName entries, or why there are none.
fn read_san(cert: &X509Certificate<'_>) -> San {
    let mut found = None;
    for ext in cert.extensions() {
        if ext.oid != x509_parser::oid_registry::OID_X509_EXT_SUBJECT_ALT_NAME {
            continue;
        }
        if found.is_some() {
            return San::Unreadable(HolderError::DuplicateSubjectAltName);
        }
        found = Some(ext);
    }
    let Some(ext) = found else {
        return San::Absent;
    };
    match ext.parsed_extension() {
        ParsedExtension::SubjectAlternativeName(san) => San::OtherNames(
            san.general_names
                .iter()
                .filter_map(|gn| match gn {
                    GeneralName::OtherName(oid, value) => {
                        Some((oid.to_id_string(), value.to_vec()))
                    }
                    _ => None,
                })
                .collect(),
        ),
        ParsedExtension::ParseError { error } => {
            San::Unreadable(HolderError::InvalidSubjectAltName(error.to_string()))
        }
        _ => San::Unreadable(HolderError::InvalidSubjectAltName(
            "unexpected extension content".to_owned(),
        )),
    }
}

fn general_name(gn: &GeneralName<'_>) -> String {
    match gn {
        GeneralName::OtherName(oid, value) => match decode_other_name_value(value) {
            Ok(s) => format!("otherName:{}={s}", oid.to_id_string()),
            Err(_) => format!("otherName:{}=<{} bytes>", oid.to_id_string(), value.len()),
        },
        GeneralName::RFC822Name(s) => format!("email:{s}"),
        GeneralName::DNSName(s) => format!("DNS:{s}"),
        GeneralName::URI(s) => format!("URI:{s}"),
        GeneralName::DirectoryName(n) => format!("DirName:{}", name_string(n)),
        GeneralName::IPAddress(b) => match b.len() {
            4 => format!("IP:{}.{}.{}.{}", b[0], b[1], b[2], b[3]),
            16 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(b);
                format!("IP:{}", std::net::Ipv6Addr::from(a))
            }
            _ => format!("IP:#{}", hex::encode(b)),
        },
        GeneralName::RegisteredID(oid) => format!("RID:{}", oid.to_id_string()),
        other => format!("{other}"),
    }
}

fn general_names(names: &[GeneralName<'_>]) -> String {
    names
        .iter()
        .map(general_name)
        .collect::<Vec<_>>()
        .join("; ")
}

fn summarise(ext: &X509Extension<'_>) -> ExtensionSummary {
    let oid = ext.oid.to_id_string();
    let name = oid2sn(&ext.oid, oid_registry()).ok().map(str::to_owned);
    let value = match ext.parsed_extension() {
        ParsedExtension::KeyUsage(ku) => {
            let bits = [
                (ku.digital_signature(), "digitalSignature"),
                (ku.non_repudiation(), "nonRepudiation"),
                (ku.key_encipherment(), "keyEncipherment"),
                (ku.data_encipherment(), "dataEncipherment"),
                (ku.key_agreement(), "keyAgreement"),
                (ku.key_cert_sign(), "keyCertSign"),
                (ku.crl_sign(), "cRLSign"),
                (ku.encipher_only(), "encipherOnly"),
                (ku.decipher_only(), "decipherOnly"),
            ];
            bits.iter()
                .filter(|(set, _)| *set)
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        }
        ParsedExtension::BasicConstraints(bc) => match (bc.ca, bc.path_len_constraint) {
            (true, Some(n)) => format!("CA:TRUE, pathlen:{n}"),
            (true, None) => "CA:TRUE".to_owned(),
            (false, _) => "CA:FALSE".to_owned(),
        },
        ParsedExtension::SubjectAlternativeName(san) => general_names(&san.general_names),
        ParsedExtension::IssuerAlternativeName(ian) => general_names(&ian.general_names),
        ParsedExtension::CertificatePolicies(p) => p
            .iter()
            .map(|pi| pi.policy_id.to_id_string())
            .collect::<Vec<_>>()
            .join(", "),
        ParsedExtension::ExtendedKeyUsage(eku) => {
            let mut v: Vec<String> = [
                (eku.any, "anyExtendedKeyUsage"),
                (eku.server_auth, "serverAuth"),
                (eku.client_auth, "clientAuth"),
                (eku.code_signing, "codeSigning"),
                (eku.email_protection, "emailProtection"),
                (eku.time_stamping, "timeStamping"),
                (eku.ocsp_signing, "OCSPSigning"),
            ]
            .iter()
            .filter(|(set, _)| *set)
            .map(|(_, n)| (*n).to_owned())
            .collect();
            v.extend(eku.other.iter().map(|o| o.to_id_string()));
            v.join(", ")
        }
        ParsedExtension::SubjectKeyIdentifier(k) => colon_hex(k.0),
        ParsedExtension::AuthorityKeyIdentifier(aki) => match &aki.key_identifier {
            Some(k) => format!("keyid:{}", colon_hex(k.0)),
            None => "(no key identifier)".to_owned(),
        },
        ParsedExtension::CRLDistributionPoints(dps) => dps
            .iter()
            .map(|dp| match &dp.distribution_point {
                Some(DistributionPointName::FullName(names)) => general_names(names),
                Some(DistributionPointName::NameRelativeToCRLIssuer(_)) => {
                    "(name relative to CRL issuer)".to_owned()
                }
                None => "(no distribution point name)".to_owned(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        ParsedExtension::ParseError { error } => format!("(unreadable: {error})"),
        _ => format!("{} bytes", ext.value.len()),
    };
    ExtensionSummary {
        oid,
        name,
        critical: ext.critical,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_of_unsigned_integers() {
        assert_eq!(unsigned_bits(&[]), 0);
        assert_eq!(unsigned_bits(&[0]), 0);
        assert_eq!(unsigned_bits(&[0, 0x80, 0]), 16);
        assert_eq!(unsigned_bits(&[0x01, 0]), 9);
    }

    #[test]
    fn colon_separated_hex() {
        assert_eq!(colon_hex(&[0xab, 0x01]), "AB:01");
        assert_eq!(colon_hex(&[]), "");
    }

    #[test]
    fn garbage_is_a_typed_error() {
        assert!(matches!(
            SigningCertificate::from_der(b""),
            Err(PkiError::Malformed(_))
        ));
        assert!(matches!(
            SigningCertificate::from_der(&[0x30, 0x03, 0x02, 0x01, 0x01]),
            Err(PkiError::Malformed(_))
        ));
    }
}
