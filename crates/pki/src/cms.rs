//! CMS SignedData (RFC 5652) around a request document.
//!
//! The shape is fixed: ContentInfo(signedData) with one SignerInfo, SHA-256, signed attributes
//! `contentType` (id-data), `messageDigest` and `signingTime`, an RSA PKCS#1 v1.5 signature, the
//! signer identified by issuer and serial number, the signing certificate in `certificates`,
//! and the request document as the encapsulated `id-data` content. Everything is built and read
//! with the RustCrypto `cms`/`x509-cert`/`der` types; no DER is written by hand.
//!
//! The signature itself is made outside this crate: [`sign`] hands the DER `DigestInfo`
//! (SHA-256 of the DER-encoded signed attributes) to a closure, which in production sends it
//! to the card (`80 2A 00 80`) and returns the card's signature.
//!
//! On the receiving side [`parse`] checks the structure and [`ParsedSignedData::verify_signature`]
//! the message digest and the signature, so that a server can run its certificate checks in
//! between; [`verify`] does both.

use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::{rfc5911, rfc5912};
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode, Sequence};
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;

/// Media type of a signed request on the wire.
pub const MEDIA_TYPE: &str = "application/cms";

/// Smallest RSA modulus accepted for a signer, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// `DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }`
/// (RFC 8017 §9.2), what a PKCS#1 v1.5 signer signs.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct DigestInfo {
    digest_algorithm: AlgorithmIdentifierOwned,
    digest: OctetString,
}

fn sha256_alg_with_null() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: rfc5912::ID_SHA_256,
        parameters: Some(Any::null()),
    }
}

/// The DER `DigestInfo` for a SHA-256 hash (parameters NULL, as PKCS#1 writes it).
pub fn sha256_digest_info(hash: &[u8; 32]) -> Vec<u8> {
    DigestInfo {
        digest_algorithm: sha256_alg_with_null(),
        digest: OctetString::new(hash.as_slice()).expect("32 bytes fit an OCTET STRING"),
    }
    .to_der()
    .expect("DigestInfo encodes")
}

/// SHA-256 of some bytes.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Why a signed request could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SignError<E> {
    /// The signing certificate is not a DER X.509 certificate.
    #[error("signing certificate is not a valid certificate: {0}")]
    Certificate(der::Error),
    /// The signing certificate does not carry an RSA key this crate can use.
    #[error("signing certificate does not hold a usable RSA key")]
    UnsupportedKey,
    /// The signing time cannot be written as UTCTime (outside 1950–2049).
    #[error("signing time cannot be encoded")]
    SigningTime,
    /// DER encoding failed (should not happen).
    #[error("encoding failed: {0}")]
    Encoding(der::Error),
    /// The external signer failed.
    #[error("signer failed: {0}")]
    Signer(E),
    /// The external signer returned a signature that the certificate's key does not verify
    /// (wrong key on the card, or a corrupted answer).
    #[error("the signature does not match the signing certificate")]
    SignatureMismatch,
}

/// Builds the CMS SignedData (DER) around `content`, signed by `signer`.
///
/// `signer` gets the DER `DigestInfo` of the DER-encoded signed attributes and must return an
/// RSA PKCS#1 v1.5 signature over it (the card's `80 2A 00 80` does exactly that). The
/// signature is checked against `certificate_der`'s key before the message is returned.
pub fn sign<F, E>(
    content: &[u8],
    certificate_der: &[u8],
    signing_time: SystemTime,
    signer: F,
) -> Result<Vec<u8>, SignError<E>>
where
    F: FnOnce(&[u8]) -> Result<Vec<u8>, E>,
{
    let cert = Certificate::from_der(certificate_der).map_err(SignError::Certificate)?;
    let key = rsa_key(&cert).map_err(|_| SignError::UnsupportedKey)?;

    let time = UtcTime::from_system_time(signing_time).map_err(|_| SignError::SigningTime)?;
    let digest = sha256(content);
    let attr = |oid: ObjectIdentifier, value: Any| -> Result<Attribute, der::Error> {
        Ok(Attribute {
            oid,
            values: SetOfVec::try_from(vec![value])?,
        })
    };
    let enc = SignError::Encoding;
    let signed_attrs = SetOfVec::try_from(vec![
        attr(
            rfc5911::ID_CONTENT_TYPE,
            Any::encode_from(&rfc5911::ID_DATA).map_err(enc)?,
        )
        .map_err(enc)?,
        attr(
            rfc5911::ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.as_slice()).map_err(enc)?).map_err(enc)?,
        )
        .map_err(enc)?,
        attr(
            rfc5911::ID_SIGNING_TIME,
            Any::encode_from(&Time::UtcTime(time)).map_err(enc)?,
        )
        .map_err(enc)?,
    ])
    .map_err(enc)?;

    let signed_attrs_der = signed_attrs.to_der().map_err(enc)?;
    let attrs_hash = sha256(&signed_attrs_der);
    let signature = signer(&sha256_digest_info(&attrs_hash)).map_err(SignError::Signer)?;
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &attrs_hash, &signature)
        .map_err(|_| SignError::SignatureMismatch)?;

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: AlgorithmIdentifierOwned {
            oid: rfc5912::ID_SHA_256,
            parameters: None,
        },
        signed_attrs: Some(signed_attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: rfc5912::RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        },
        signature: OctetString::new(signature).map_err(enc)?,
        unsigned_attrs: None,
    };
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![AlgorithmIdentifierOwned {
            oid: rfc5912::ID_SHA_256,
            parameters: None,
        }])
        .map_err(enc)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: Some(
                Any::encode_from(&OctetString::new(content).map_err(enc)?).map_err(enc)?,
            ),
        },
        certificates: Some(
            CertificateSet::try_from(vec![CertificateChoices::Certificate(cert)]).map_err(enc)?,
        ),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info]).map_err(enc)?,
    };
    ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(enc)?,
    }
    .to_der()
    .map_err(enc)
}

/// Every way a received signed request can be wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CmsError {
    /// More bytes than the caller allows.
    #[error("signed request is larger than {limit} bytes")]
    TooLarge {
        /// The limit that was passed.
        limit: usize,
    },
    /// Not DER, truncated, trailing bytes, or not the ASN.1 of RFC 5652.
    #[error("signed request is not valid DER CMS: {0}")]
    Decode(String),
    /// The ContentInfo holds something else than SignedData.
    #[error("content type {0} is not signedData")]
    NotSignedData(String),
    /// SignedData or SignerInfo version other than 1 or 3.
    #[error("unsupported CMS version")]
    UnsupportedVersion,
    /// Zero or several SignerInfos.
    #[error("expected exactly one signer, found {0}")]
    SignerCount(usize),
    /// The encapsulated content is not `id-data`.
    #[error("encapsulated content type {0} is not id-data")]
    WrongContentType(String),
    /// Detached signature: no encapsulated content.
    #[error("the request document is not encapsulated")]
    ContentMissing,
    /// Digest algorithm other than SHA-256.
    #[error("digest algorithm {0} is not SHA-256")]
    UnsupportedDigestAlgorithm(String),
    /// Signature algorithm other than RSA PKCS#1 v1.5 (rsaEncryption / sha256WithRSAEncryption).
    #[error("signature algorithm {0} is not supported")]
    UnsupportedSignatureAlgorithm(String),
    /// No signed attributes.
    #[error("signed attributes are missing")]
    SignedAttributesMissing,
    /// A required signed attribute is missing.
    #[error("signed attribute {0} is missing")]
    AttributeMissing(&'static str),
    /// A signed attribute appears twice or has not exactly one value, or its value is of the
    /// wrong type.
    #[error("signed attribute {0} is malformed")]
    BadAttribute(&'static str),
    /// The contentType attribute differs from the encapsulated content type.
    #[error("contentType attribute does not match the encapsulated content type")]
    ContentTypeMismatch,
    /// No certificate in `certificates` matches the signer identifier.
    #[error("the signing certificate is not included")]
    CertificateMissing,
    /// The signing certificate's key is not RSA, or too small / too large.
    #[error("the signing certificate's key is not a supported RSA key")]
    UnsupportedKey,
    /// The messageDigest attribute is not the SHA-256 of the content (signature over other
    /// content).
    #[error("message digest does not match the content")]
    MessageDigestMismatch,
    /// The RSA signature does not verify with the signing certificate's key.
    #[error("signature does not verify")]
    SignatureInvalid,
}

impl CmsError {
    /// True for the two failures of the signature itself (manual 2.2.13 / 3.2.12); every other
    /// variant is a malformed message (2.2.10 / 3.2.10).
    pub fn is_signature_failure(&self) -> bool {
        matches!(
            self,
            CmsError::MessageDigestMismatch | CmsError::SignatureInvalid
        )
    }
}

/// A structurally valid signed request whose signature has not been checked yet.
#[derive(Clone, Debug)]
pub struct ParsedSignedData {
    content: Vec<u8>,
    certificate: Certificate,
    certificate_der: Vec<u8>,
    signing_time: SystemTime,
    message_digest: Vec<u8>,
    signed_attrs_der: Vec<u8>,
    signature: Vec<u8>,
    key: RsaPublicKey,
}

/// A signed request whose signature verified. The certificate is only known to hold the key
/// that signed; whether it is trustworthy is the caller's business.
#[derive(Clone, Debug)]
pub struct VerifiedRequest {
    /// The encapsulated content (the request document bytes).
    pub content: Vec<u8>,
    /// The signing certificate.
    pub certificate: Certificate,
    /// The signing certificate, DER.
    pub certificate_der: Vec<u8>,
    /// The signed `signingTime`.
    pub signing_time: SystemTime,
    /// SHA-256 of `content` (the signed messageDigest it matched).
    pub content_sha256: [u8; 32],
}

impl ParsedSignedData {
    /// The encapsulated content (not yet verified).
    pub fn content(&self) -> &[u8] {
        &self.content
    }
    /// The signing certificate (the one matching the signer identifier).
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }
    /// The signing certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }
    /// The signing certificate's RSA key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.key
    }
    /// The claimed signing time.
    pub fn signing_time(&self) -> SystemTime {
        self.signing_time
    }

    /// Checks the message digest against the content and the signature against the signing
    /// certificate's key (with the `rsa` crate).
    pub fn verify_signature(self) -> Result<VerifiedRequest, CmsError> {
        let key = self.key.clone();
        self.verify_signature_with(|_, message, signature| {
            key.verify(Pkcs1v15Sign::new::<Sha256>(), &sha256(message), signature)
                .is_ok()
        })
    }

    /// Like [`ParsedSignedData::verify_signature`], with the RSA PKCS#1 v1.5 SHA-256
    /// verification done by `rsa_verify(rsa_public_key_pkcs1_der, message, signature)`, e.g.
    /// by a faster implementation on a server. The message is the DER of the signed
    /// attributes; the verifier hashes it.
    pub fn verify_signature_with<F>(self, rsa_verify: F) -> Result<VerifiedRequest, CmsError>
    where
        F: FnOnce(&[u8], &[u8], &[u8]) -> bool,
    {
        let content_sha256 = sha256(&self.content);
        if content_sha256.as_slice() != self.message_digest.as_slice() {
            return Err(CmsError::MessageDigestMismatch);
        }
        let spki = &self.certificate.tbs_certificate.subject_public_key_info;
        let pkcs1 = spki
            .subject_public_key
            .as_bytes()
            .ok_or(CmsError::UnsupportedKey)?;
        if !rsa_verify(pkcs1, &self.signed_attrs_der, &self.signature) {
            return Err(CmsError::SignatureInvalid);
        }
        Ok(VerifiedRequest {
            content: self.content,
            certificate: self.certificate,
            certificate_der: self.certificate_der,
            signing_time: self.signing_time,
            content_sha256,
        })
    }
}

/// Parses and checks the structure; then [`ParsedSignedData::verify_signature`].
pub fn verify(der: &[u8]) -> Result<VerifiedRequest, CmsError> {
    parse(der)?.verify_signature()
}

fn decode_err(e: der::Error) -> CmsError {
    CmsError::Decode(e.to_string())
}

fn is_sha256(alg: &AlgorithmIdentifierOwned) -> bool {
    alg.oid == rfc5912::ID_SHA_256
        && match &alg.parameters {
            None => true,
            Some(p) => p == &Any::null(),
        }
}

/// Parses a DER signed request and checks its structure (not the signature).
pub fn parse(der: &[u8]) -> Result<ParsedSignedData, CmsError> {
    let ci = ContentInfo::from_der(der).map_err(decode_err)?;
    if ci.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(CmsError::NotSignedData(ci.content_type.to_string()));
    }
    let sd: SignedData = ci.content.decode_as().map_err(decode_err)?;
    if !matches!(sd.version, CmsVersion::V1 | CmsVersion::V3) {
        return Err(CmsError::UnsupportedVersion);
    }
    let signers = sd.signer_infos.0.as_slice();
    if signers.len() != 1 {
        return Err(CmsError::SignerCount(signers.len()));
    }
    let si = &signers[0];
    if !matches!(si.version, CmsVersion::V1 | CmsVersion::V3) {
        return Err(CmsError::UnsupportedVersion);
    }

    let eci = &sd.encap_content_info;
    if eci.econtent_type != rfc5911::ID_DATA {
        return Err(CmsError::WrongContentType(eci.econtent_type.to_string()));
    }
    let content = match &eci.econtent {
        None => return Err(CmsError::ContentMissing),
        Some(any) => any
            .decode_as::<OctetString>()
            .map_err(decode_err)?
            .into_bytes(),
    };

    if !is_sha256(&si.digest_alg) {
        return Err(CmsError::UnsupportedDigestAlgorithm(
            si.digest_alg.oid.to_string(),
        ));
    }
    if !sd.digest_algorithms.iter().any(is_sha256) {
        return Err(CmsError::UnsupportedDigestAlgorithm(
            "digestAlgorithms lacks SHA-256".into(),
        ));
    }
    let sig_alg = &si.signature_algorithm;
    let sig_alg_ok = (sig_alg.oid == rfc5912::RSA_ENCRYPTION
        || sig_alg.oid == rfc5912::SHA_256_WITH_RSA_ENCRYPTION)
        && match &sig_alg.parameters {
            None => true,
            Some(p) => p == &Any::null(),
        };
    if !sig_alg_ok {
        return Err(CmsError::UnsupportedSignatureAlgorithm(
            sig_alg.oid.to_string(),
        ));
    }

    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or(CmsError::SignedAttributesMissing)?;
    let single = |oid: ObjectIdentifier, name: &'static str| -> Result<&Any, CmsError> {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        let a = found.next().ok_or(CmsError::AttributeMissing(name))?;
        if found.next().is_some() || a.values.len() != 1 {
            return Err(CmsError::BadAttribute(name));
        }
        Ok(a.values.iter().next().expect("one value"))
    };
    let ct: ObjectIdentifier = single(rfc5911::ID_CONTENT_TYPE, "contentType")?
        .decode_as()
        .map_err(|_| CmsError::BadAttribute("contentType"))?;
    if ct != eci.econtent_type {
        return Err(CmsError::ContentTypeMismatch);
    }
    let message_digest = single(rfc5911::ID_MESSAGE_DIGEST, "messageDigest")?
        .decode_as::<OctetString>()
        .map_err(|_| CmsError::BadAttribute("messageDigest"))?
        .into_bytes();
    if message_digest.len() != 32 {
        return Err(CmsError::BadAttribute("messageDigest"));
    }
    let signing_time = single(rfc5911::ID_SIGNING_TIME, "signingTime")?
        .to_der()
        .and_then(|der| Time::from_der(&der))
        .map_err(|_| CmsError::BadAttribute("signingTime"))?
        .to_system_time();
    let signed_attrs_der = attrs.to_der().map_err(decode_err)?;

    let choices = sd
        .certificates
        .map(|set| set.0.into_vec())
        .unwrap_or_default();
    let found = choices.iter().position(|c| match c {
        CertificateChoices::Certificate(c) => signer_matches(&si.sid, c),
        CertificateChoices::Other(_) => false,
    });
    // Moved out, not cloned; its DER is the input's own bytes when the set holds just this
    // certificate (the usual request), else its encoding.
    let only_one = choices.len() == 1;
    let certificate = match found.map(|i| choices.into_iter().nth(i)) {
        Some(Some(CertificateChoices::Certificate(c))) => c,
        _ => return Err(CmsError::CertificateMissing),
    };
    let certificate_der = match raw_certificates(der) {
        Some(raw) if only_one && raw.len() == 1 => raw[0].to_vec(),
        _ => certificate.to_der().map_err(decode_err)?,
    };
    let key = rsa_key(&certificate)?;

    Ok(ParsedSignedData {
        content,
        certificate,
        certificate_der,
        signing_time,
        message_digest,
        signed_attrs_der,
        signature: si.signature.as_bytes().to_vec(),
        key,
    })
}

/// The element at the start of `b` (a DER TLV with a definite length of at most four bytes):
/// the whole element, its content, and what follows it.
fn der_element(b: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let first = *b.get(1)?;
    let (header, len) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let len = b
            .get(2..2 + n)?
            .iter()
            .fold(0usize, |a, &x| (a << 8) | usize::from(x));
        (2 + n, len)
    };
    let end = header.checked_add(len)?;
    if b.len() < end {
        return None;
    }
    Some((&b[..end], &b[header..end], &b[end..]))
}

/// The elements of `certificates` in a ContentInfo's SignedData, as they appear in `der`
/// (which has already decoded as one).
fn raw_certificates(der: &[u8]) -> Option<Vec<&[u8]>> {
    let (_, content_info, _) = der_element(der)?;
    let (_, _, rest) = der_element(content_info)?; // contentType
    let (_, explicit, _) = der_element(rest)?; // [0] EXPLICIT
    let (_, signed_data, _) = der_element(explicit)?;
    let (_, _, rest) = der_element(signed_data)?; // version
    let (_, _, rest) = der_element(rest)?; // digestAlgorithms
    let (_, _, rest) = der_element(rest)?; // encapContentInfo
    let (whole, mut certificates, _) = der_element(rest)?;
    if whole.first() != Some(&0xA0) {
        return None;
    }
    let mut out = Vec::new();
    while !certificates.is_empty() {
        let (element, _, rest) = der_element(certificates)?;
        out.push(element);
        certificates = rest;
    }
    Some(out)
}

/// Like [`parse`], refusing inputs longer than `limit` bytes before decoding anything.
pub fn parse_limited(der: &[u8], limit: usize) -> Result<ParsedSignedData, CmsError> {
    if der.len() > limit {
        return Err(CmsError::TooLarge { limit });
    }
    parse(der)
}

fn signer_matches(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = &cert.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            ias.issuer == tbs.issuer && ias.serial_number == tbs.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
            .extensions
            .iter()
            .flatten()
            .filter(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
            .any(|e| {
                SubjectKeyIdentifier::from_der(e.extn_value.as_bytes())
                    .map(|k| &k == ski)
                    .unwrap_or(false)
            }),
    }
}

/// The RSA public key of a certificate, refused unless RSA with a modulus of 2048–4096 bits.
pub fn rsa_key(cert: &Certificate) -> Result<RsaPublicKey, CmsError> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid != rfc5912::RSA_ENCRYPTION {
        return Err(CmsError::UnsupportedKey);
    }
    let der = spki.to_der().map_err(|_| CmsError::UnsupportedKey)?;
    let key = RsaPublicKey::from_public_key_der(&der).map_err(|_| CmsError::UnsupportedKey)?;
    if key.size() * 8 < MIN_RSA_BITS {
        return Err(CmsError::UnsupportedKey);
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::RsaPrivateKey;
    use rsa::pkcs1v15::SigningKey;
    use std::str::FromStr;
    use std::sync::OnceLock;
    use std::time::Duration;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::SubjectPublicKeyInfoOwned;
    use x509_cert::time::Validity;

    struct Pki {
        holder_key: RsaPrivateKey,
        holder_cert: Vec<u8>,
        other_key: RsaPrivateKey,
    }

    fn pki() -> &'static Pki {
        static PKI: OnceLock<Pki> = OnceLock::new();
        PKI.get_or_init(|| {
            let mut rng = rand::thread_rng();
            let ca_key = RsaPrivateKey::new(&mut rng, 2048).unwrap();
            let holder_key = RsaPrivateKey::new(&mut rng, 2048).unwrap();
            let other_key = RsaPrivateKey::new(&mut rng, 2048).unwrap();
            let ca_signer = SigningKey::<Sha256>::new(ca_key);
            let spki = SubjectPublicKeyInfoOwned::from_key(holder_key.to_public_key()).unwrap();
            let builder = CertificateBuilder::new(
                Profile::Leaf {
                    issuer: Name::from_str("CN=Test Sign CA,O=JPKI-TEST,C=JP").unwrap(),
                    enable_key_agreement: false,
                    enable_key_encipherment: false,
                },
                SerialNumber::from(0x1234_u32),
                Validity::from_now(Duration::from_secs(3600)).unwrap(),
                Name::from_str("CN=holder,C=JP").unwrap(),
                spki,
                &ca_signer,
            )
            .unwrap();
            let cert = builder.build::<rsa::pkcs1v15::Signature>().unwrap();
            Pki {
                holder_key,
                holder_cert: cert.to_der().unwrap(),
                other_key,
            }
        })
    }

    fn card_sign(key: &RsaPrivateKey, digest_info: &[u8]) -> Result<Vec<u8>, rsa::Error> {
        // What the card does: PKCS#1 v1.5 over a ready-made DigestInfo.
        key.sign(Pkcs1v15Sign::new_unprefixed(), digest_info)
    }

    fn signed(content: &[u8]) -> Vec<u8> {
        let p = pki();
        sign(content, &p.holder_cert, SystemTime::now(), |di| {
            card_sign(&p.holder_key, di)
        })
        .unwrap()
    }

    fn reencode(ci_der: &[u8], edit: impl FnOnce(&mut SignedData)) -> Vec<u8> {
        let ci = ContentInfo::from_der(ci_der).unwrap();
        let mut sd: SignedData = ci.content.decode_as().unwrap();
        edit(&mut sd);
        ContentInfo {
            content_type: rfc5911::ID_SIGNED_DATA,
            content: Any::encode_from(&sd).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn the_certificate_der_is_the_senders_and_the_content_hash_is_kept() {
        let body = signed(b"content");
        let p = parse(&body).unwrap();
        // Taken from the input, byte for byte (the same bytes the encoding gives here).
        assert_eq!(p.certificate_der(), pki().holder_cert.as_slice());
        assert_eq!(p.certificate().to_der().unwrap(), pki().holder_cert);
        let v = p.verify_signature().unwrap();
        assert_eq!(v.content_sha256, sha256(b"content"));
        assert_eq!(v.certificate_der, pki().holder_cert);
        // The walker finds the one certificate, and nothing in what is not a SignedData.
        assert_eq!(
            raw_certificates(&body),
            Some(vec![pki().holder_cert.as_slice()])
        );
        assert_eq!(raw_certificates(&pki().holder_cert), None);
        assert_eq!(raw_certificates(&body[..body.len() / 2]), None);
    }

    #[test]
    fn digest_info_has_the_pkcs1_prefix() {
        let di = sha256_digest_info(&[0u8; 32]);
        assert_eq!(
            hex::encode(&di[..19]),
            "3031300d060960864801650304020105000420"
        );
        assert_eq!(di.len(), 51);
    }

    #[test]
    fn sign_then_verify_round_trips() {
        let content = "{\"procedure\":\"revocation\",\"name\":\"吉田 太郎\"}".as_bytes();
        let der = signed(content);
        let v = verify(&der).unwrap();
        assert_eq!(v.content, content);
        assert_eq!(v.certificate_der, pki().holder_cert);
        let age = SystemTime::now()
            .duration_since(v.signing_time)
            .unwrap_or_default();
        assert!(age < Duration::from_secs(120));
    }

    #[test]
    fn signer_gets_digest_info_of_signed_attributes() {
        let p = pki();
        let mut seen = Vec::new();
        let der = sign(b"abc", &p.holder_cert, SystemTime::now(), |di| {
            seen = di.to_vec();
            card_sign(&p.holder_key, di)
        })
        .unwrap();
        let parsed = parse(&der).unwrap();
        assert_eq!(seen, sha256_digest_info(&sha256(&parsed.signed_attrs_der)));
    }

    #[test]
    fn wrong_key_on_card_is_caught_when_signing() {
        let p = pki();
        let err = sign(b"abc", &p.holder_cert, SystemTime::now(), |di| {
            card_sign(&p.other_key, di)
        })
        .unwrap_err();
        assert!(matches!(err, SignError::SignatureMismatch));
        let err = sign(b"abc", &p.holder_cert, SystemTime::now(), |_| {
            Err::<Vec<u8>, _>("card removed")
        })
        .unwrap_err();
        assert!(matches!(err, SignError::Signer("card removed")));
        let err = sign(b"abc", b"not a cert", SystemTime::now(), |di| {
            card_sign(&p.holder_key, di)
        })
        .unwrap_err();
        assert!(matches!(err, SignError::Certificate(_)));
    }

    #[test]
    fn truncated_and_garbage_are_decode_errors() {
        let der = signed(b"abc");
        for cut in [0, 1, 10, der.len() / 2, der.len() - 1] {
            assert!(
                matches!(parse(&der[..cut]), Err(CmsError::Decode(_))),
                "{cut}"
            );
        }
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(matches!(parse(&trailing), Err(CmsError::Decode(_))));
        assert!(matches!(
            parse_limited(&der, 10),
            Err(CmsError::TooLarge { limit: 10 })
        ));
    }

    #[test]
    fn outer_content_type_must_be_signed_data() {
        let der = signed(b"abc");
        let mut ci = ContentInfo::from_der(&der).unwrap();
        ci.content_type = rfc5911::ID_DATA;
        assert!(matches!(
            parse(&ci.to_der().unwrap()),
            Err(CmsError::NotSignedData(_))
        ));
    }

    #[test]
    fn encapsulated_content_type_must_be_data() {
        let der = reencode(&signed(b"abc"), |sd| {
            sd.encap_content_info.econtent_type = rfc5911::ID_SIGNED_DATA;
        });
        assert!(matches!(parse(&der), Err(CmsError::WrongContentType(_))));
    }

    #[test]
    fn detached_content_is_refused() {
        let der = reencode(&signed(b"abc"), |sd| sd.encap_content_info.econtent = None);
        assert_eq!(parse(&der).unwrap_err(), CmsError::ContentMissing);
    }

    #[test]
    fn certificate_missing() {
        let der = reencode(&signed(b"abc"), |sd| sd.certificates = None);
        assert_eq!(parse(&der).unwrap_err(), CmsError::CertificateMissing);
    }

    #[test]
    fn two_signers_and_no_signer() {
        let der = reencode(&signed(b"abc"), |sd| {
            let mut other = sd.signer_infos.0.as_slice()[0].clone();
            other.signature = OctetString::new(vec![1u8; 256]).unwrap();
            sd.signer_infos.0.insert(other).unwrap();
        });
        assert_eq!(parse(&der).unwrap_err(), CmsError::SignerCount(2));
        let der = reencode(&signed(b"abc"), |sd| {
            sd.signer_infos = SignerInfos(SetOfVec::new());
        });
        assert_eq!(parse(&der).unwrap_err(), CmsError::SignerCount(0));
    }

    #[test]
    fn signature_over_other_content() {
        let der = reencode(&signed(b"abc"), |sd| {
            sd.encap_content_info.econtent =
                Some(Any::encode_from(&OctetString::new(b"abd".to_vec()).unwrap()).unwrap());
        });
        let err = verify(&der).unwrap_err();
        assert_eq!(err, CmsError::MessageDigestMismatch);
        assert!(err.is_signature_failure());
    }

    #[test]
    fn tampered_signature_and_attributes() {
        let der = reencode(&signed(b"abc"), |sd| {
            let mut si = sd.signer_infos.0.as_slice()[0].clone();
            let mut sig = si.signature.as_bytes().to_vec();
            sig[10] ^= 1;
            si.signature = OctetString::new(sig).unwrap();
            sd.signer_infos = SignerInfos::try_from(vec![si]).unwrap();
        });
        assert_eq!(verify(&der).unwrap_err(), CmsError::SignatureInvalid);

        // A signing time changed after signing.
        let der = reencode(&signed(b"abc"), |sd| {
            let mut si = sd.signer_infos.0.as_slice()[0].clone();
            let attrs = si.signed_attrs.take().unwrap();
            let mut v: Vec<Attribute> = attrs.into_vec();
            for a in &mut v {
                if a.oid == rfc5911::ID_SIGNING_TIME {
                    let t =
                        UtcTime::from_unix_duration(Duration::from_secs(1_000_000_000)).unwrap();
                    a.values = SetOfVec::try_from(vec![Any::encode_from(&t).unwrap()]).unwrap();
                }
            }
            si.signed_attrs = Some(SetOfVec::try_from(v).unwrap());
            sd.signer_infos = SignerInfos::try_from(vec![si]).unwrap();
        });
        assert_eq!(verify(&der).unwrap_err(), CmsError::SignatureInvalid);
    }

    fn edit_attrs(edit: impl FnOnce(&mut Vec<Attribute>)) -> Vec<u8> {
        reencode(&signed(b"abc"), |sd| {
            let mut si = sd.signer_infos.0.as_slice()[0].clone();
            let mut v = si.signed_attrs.take().unwrap().into_vec();
            edit(&mut v);
            si.signed_attrs = if v.is_empty() {
                None
            } else {
                Some(SetOfVec::try_from(v).unwrap())
            };
            sd.signer_infos = SignerInfos::try_from(vec![si]).unwrap();
        })
    }

    #[test]
    fn signed_attribute_rules() {
        let der = edit_attrs(|v| v.clear());
        assert_eq!(parse(&der).unwrap_err(), CmsError::SignedAttributesMissing);
        let der = edit_attrs(|v| v.retain(|a| a.oid != rfc5911::ID_MESSAGE_DIGEST));
        assert_eq!(
            parse(&der).unwrap_err(),
            CmsError::AttributeMissing("messageDigest")
        );
        let der = edit_attrs(|v| v.retain(|a| a.oid != rfc5911::ID_SIGNING_TIME));
        assert_eq!(
            parse(&der).unwrap_err(),
            CmsError::AttributeMissing("signingTime")
        );
        let der = edit_attrs(|v| {
            for a in v.iter_mut() {
                if a.oid == rfc5911::ID_CONTENT_TYPE {
                    a.values = SetOfVec::try_from(vec![
                        Any::encode_from(&rfc5911::ID_SIGNED_DATA).unwrap(),
                    ])
                    .unwrap();
                }
            }
        });
        assert_eq!(parse(&der).unwrap_err(), CmsError::ContentTypeMismatch);
        let der = edit_attrs(|v| {
            for a in v.iter_mut() {
                if a.oid == rfc5911::ID_MESSAGE_DIGEST {
                    a.values
                        .insert(
                            Any::encode_from(&OctetString::new(vec![0u8; 32]).unwrap()).unwrap(),
                        )
                        .unwrap();
                }
            }
        });
        assert_eq!(
            parse(&der).unwrap_err(),
            CmsError::BadAttribute("messageDigest")
        );
    }

    #[test]
    fn algorithms_are_checked() {
        let der = reencode(&signed(b"abc"), |sd| {
            let mut si = sd.signer_infos.0.as_slice()[0].clone();
            si.digest_alg.oid = rfc5912::ID_SHA_1;
            sd.signer_infos = SignerInfos::try_from(vec![si]).unwrap();
        });
        assert!(matches!(
            parse(&der),
            Err(CmsError::UnsupportedDigestAlgorithm(_))
        ));
        let der = reencode(&signed(b"abc"), |sd| {
            let mut si = sd.signer_infos.0.as_slice()[0].clone();
            si.signature_algorithm.oid = rfc5912::ID_RSASSA_PSS;
            sd.signer_infos = SignerInfos::try_from(vec![si]).unwrap();
        });
        assert!(matches!(
            parse(&der),
            Err(CmsError::UnsupportedSignatureAlgorithm(_))
        ));
    }

    #[test]
    fn signer_identifier_must_match_a_certificate() {
        let der = reencode(&signed(b"abc"), |sd| {
            let mut si = sd.signer_infos.0.as_slice()[0].clone();
            if let SignerIdentifier::IssuerAndSerialNumber(ias) = &mut si.sid {
                ias.serial_number = SerialNumber::from(99u32);
            }
            sd.signer_infos = SignerInfos::try_from(vec![si]).unwrap();
        });
        assert_eq!(parse(&der).unwrap_err(), CmsError::CertificateMissing);
    }
}
