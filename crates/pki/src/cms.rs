//! CMS SignedData (RFC 5652) around a request document.
//!
//! The shape is fixed: ContentInfo(signedData) with one SignerInfo, SHA-256, signed attributes
//! `contentType` (id-data), `messageDigest` and `signingTime`, an RSA PKCS#1 v1.5 signature, the
//! signer identified by issuer and serial number, the signing certificate in `certificates`,
//! and the request document as the encapsulated `id-data` content. It is built with the
//! RustCrypto `cms`/`x509-cert`/`der` types and read in place with `der`'s reader and borrowed
//! types (the certificates with [`crate::x509::CertificateView`], which accepts what
//! `x509-cert` accepts); no DER is written or walked by hand.
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
use der::asn1::{AnyRef, IntRef, OctetString, OctetStringRef, SetOfVec, UtcTime};
use der::referenced::OwnedToRef;
use der::{
    Any, Decode, Encode, Header, Length, Reader, Sequence, SliceReader, Tag, TagNumber, Tagged,
};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;

use crate::x509::CertificateView;

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

/// A structurally valid signed request whose signature has not been checked yet, borrowing
/// from the bytes it was read from.
#[derive(Clone, Debug)]
pub struct ParsedSignedData<'a> {
    content: &'a [u8],
    certificate: CertificateView<'a>,
    signing_time: SystemTime,
    message_digest: [u8; 32],
    signed_attrs_der: Vec<u8>,
    signature: &'a [u8],
}

/// A signed request whose signature verified. The certificate is only known to hold the key
/// that signed; whether it is trustworthy is the caller's business.
#[derive(Clone, Debug)]
pub struct VerifiedRequest {
    /// The encapsulated content (the request document bytes).
    pub content: Vec<u8>,
    /// The signing certificate, DER.
    pub certificate_der: Vec<u8>,
    /// The signed `signingTime`.
    pub signing_time: SystemTime,
    /// SHA-256 of `content` (the signed messageDigest it matched).
    pub content_sha256: [u8; 32],
}

impl<'a> ParsedSignedData<'a> {
    /// The encapsulated content (not yet verified).
    pub fn content(&self) -> &'a [u8] {
        self.content
    }
    /// The signing certificate (the one matching the signer identifier).
    pub fn certificate(&self) -> &CertificateView<'a> {
        &self.certificate
    }
    /// The signing certificate, DER.
    pub fn certificate_der(&self) -> &'a [u8] {
        self.certificate.der()
    }
    /// The signing certificate's issuer name, DER.
    pub fn issuer_der(&self) -> &'a [u8] {
        self.certificate.issuer_der()
    }
    /// The claimed signing time.
    pub fn signing_time(&self) -> SystemTime {
        self.signing_time
    }

    /// Checks the message digest against the content and the signature against the signing
    /// certificate's key (with the `rsa` crate).
    pub fn verify_signature(self) -> Result<VerifiedRequest, CmsError> {
        let key = rsa_key_of(self.certificate.public_key())?;
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
        let content_sha256 = sha256(self.content);
        if content_sha256 != self.message_digest {
            return Err(CmsError::MessageDigestMismatch);
        }
        let pkcs1 = self
            .certificate
            .public_key()
            .subject_public_key
            .as_bytes()
            .ok_or(CmsError::UnsupportedKey)?;
        if !rsa_verify(pkcs1, &self.signed_attrs_der, self.signature) {
            return Err(CmsError::SignatureInvalid);
        }
        Ok(VerifiedRequest {
            content: self.content.to_vec(),
            certificate_der: self.certificate.der().to_vec(),
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

/// An ASN.1 NULL.
fn is_null(value: AnyRef<'_>) -> bool {
    value.tag() == Tag::Null && value.value().is_empty()
}

/// Absent parameters, or NULL.
fn is_absent_or_null(parameters: Option<&AnyRef<'_>>) -> bool {
    parameters.is_none_or(|p| is_null(*p))
}

fn is_sha256(alg: &AlgorithmIdentifierRef<'_>) -> bool {
    alg.oid == rfc5912::ID_SHA_256 && is_absent_or_null(alg.parameters.as_ref())
}

/// Parses a DER signed request and checks its structure (not the signature).
///
/// The envelope is read in place with `der`'s borrowed types (no copy of the SignedData, the
/// attributes or the signature): a window reads one of these per request, and the owned
/// `cms` types spent most of their time allocating and copying. The certificates are read in
/// place too ([`CertificateView`]); only the signed attributes are copied (to put their SET
/// tag in front).
pub fn parse(der: &[u8]) -> Result<ParsedSignedData<'_>, CmsError> {
    let (content_type, content) = content_info(der).map_err(decode_err)?;
    if content_type != rfc5911::ID_SIGNED_DATA {
        return Err(CmsError::NotSignedData(content_type.to_string()));
    }
    let sd = signed_data(content).map_err(decode_err)?;
    if !matches!(sd.version, CmsVersion::V1 | CmsVersion::V3) {
        return Err(CmsError::UnsupportedVersion);
    }
    if sd.signer_infos.len() != 1 {
        return Err(CmsError::SignerCount(sd.signer_infos.len()));
    }
    let si = signer_info(sd.signer_infos[0]).map_err(decode_err)?;
    if !matches!(si.version, CmsVersion::V1 | CmsVersion::V3) {
        return Err(CmsError::UnsupportedVersion);
    }

    if sd.econtent_type != rfc5911::ID_DATA {
        return Err(CmsError::WrongContentType(sd.econtent_type.to_string()));
    }
    let content = match sd.econtent {
        None => return Err(CmsError::ContentMissing),
        Some(any) => any
            .decode_as::<OctetStringRef>()
            .map_err(decode_err)?
            .as_bytes(),
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
        && is_absent_or_null(sig_alg.parameters.as_ref());
    if !sig_alg_ok {
        return Err(CmsError::UnsupportedSignatureAlgorithm(
            sig_alg.oid.to_string(),
        ));
    }

    let attrs_content = si.signed_attrs.ok_or(CmsError::SignedAttributesMissing)?;
    let attrs = crate::der_set::elements(attrs_content)
        .and_then(|e| {
            e.into_iter()
                .map(attribute)
                .collect::<der::Result<Vec<_>>>()
        })
        .map_err(decode_err)?;
    let single = |oid: ObjectIdentifier, name: &'static str| -> Result<&[u8], CmsError> {
        let mut found = attrs.iter().filter(|(o, _)| *o == oid);
        let (_, values) = found.next().ok_or(CmsError::AttributeMissing(name))?;
        match (found.next(), values.as_slice()) {
            (None, [value]) => Ok(value),
            _ => Err(CmsError::BadAttribute(name)),
        }
    };
    let ct = ObjectIdentifier::from_der(single(rfc5911::ID_CONTENT_TYPE, "contentType")?)
        .map_err(|_| CmsError::BadAttribute("contentType"))?;
    if ct != sd.econtent_type {
        return Err(CmsError::ContentTypeMismatch);
    }
    let message_digest: [u8; 32] =
        OctetStringRef::from_der(single(rfc5911::ID_MESSAGE_DIGEST, "messageDigest")?)
            .ok()
            .and_then(|o| o.as_bytes().try_into().ok())
            .ok_or(CmsError::BadAttribute("messageDigest"))?;
    let signing_time = Time::from_der(single(rfc5911::ID_SIGNING_TIME, "signingTime")?)
        .map_err(|_| CmsError::BadAttribute("signingTime"))?
        .to_system_time();
    // What the holder signed: the attributes with their SET OF tag (RFC 5652 §5.4), the
    // sender's own bytes.
    let mut signed_attrs_der = Header::new(
        Tag::Set,
        Length::try_from(attrs_content.len()).map_err(decode_err)?,
    )
    .and_then(|h| h.to_der())
    .map_err(decode_err)?;
    signed_attrs_der.extend_from_slice(attrs_content);

    // Every certificate decodes (or is an `other` format); the signer's is the first that
    // the signer identifier names.
    let mut signer = None;
    for raw in &sd.certificates {
        // The CHOICE by its tag: a SEQUENCE is a certificate; anything else must decode as
        // one of the `cms` crate's other alternatives.
        if raw.first().and_then(|b| Tag::try_from(*b).ok()) != Some(Tag::Sequence) {
            CertificateChoices::from_der(raw).map_err(decode_err)?;
            continue;
        }
        let c = CertificateView::from_der(raw).map_err(decode_err)?;
        if signer.is_none() && signer_matches(&si.sid, &c) {
            signer = Some(c);
        }
    }
    let Some(certificate) = signer else {
        if let SignerId::IssuerAndSerialNumber { issuer, .. } = si.sid {
            // Named by a malformed name: that is the fault to report.
            x509_cert::name::Name::from_der(issuer).map_err(decode_err)?;
        }
        return Err(CmsError::CertificateMissing);
    };
    check_rsa_key(certificate.public_key())?;

    Ok(ParsedSignedData {
        content,
        certificate,
        signing_time,
        message_digest,
        signed_attrs_der,
        signature: si.signature,
    })
}

/// The parts of a SignedData that a request is made of, borrowed from the input.
struct SignedDataRef<'a> {
    version: CmsVersion,
    digest_algorithms: Vec<AlgorithmIdentifierRef<'a>>,
    econtent_type: ObjectIdentifier,
    econtent: Option<AnyRef<'a>>,
    /// Each `CertificateChoices`, DER.
    certificates: Vec<&'a [u8]>,
    /// Each `SignerInfo`, DER.
    signer_infos: Vec<&'a [u8]>,
}

/// A SignerInfo, borrowed from the input.
struct SignerInfoRef<'a> {
    version: CmsVersion,
    sid: SignerId<'a>,
    digest_alg: AlgorithmIdentifierRef<'a>,
    /// The content of the `[0] IMPLICIT SET OF Attribute`.
    signed_attrs: Option<&'a [u8]>,
    signature_algorithm: AlgorithmIdentifierRef<'a>,
    signature: &'a [u8],
}

/// `SignerIdentifier`, borrowed: the issuer's DER (a whole `Name`) and serial, or a subject key
/// identifier.
enum SignerId<'a> {
    IssuerAndSerialNumber {
        issuer: &'a [u8],
        serial: IntRef<'a>,
    },
    SubjectKeyIdentifier(&'a [u8]),
}

const fn context(number: TagNumber, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number,
    }
}

/// The content of the next element, which must have `tag`.
fn element<'a, R: Reader<'a>>(r: &mut R, tag: Tag) -> der::Result<&'a [u8]> {
    let header = Header::decode(r)?;
    header.tag.assert_eq(tag)?;
    r.read_slice(header.length)
}

/// The content of the next element if it has `tag`; else nothing is read.
fn optional_element<'a, R: Reader<'a>>(r: &mut R, tag: Tag) -> der::Result<Option<&'a [u8]>> {
    if r.is_finished() || r.peek_tag()? != tag {
        return Ok(None);
    }
    element(r, tag).map(Some)
}

/// `ContentInfo`: its content type and its `[0] EXPLICIT` content (one whole element).
fn content_info(der: &[u8]) -> der::Result<(ObjectIdentifier, &[u8])> {
    let mut r = SliceReader::new(der)?;
    let (content_type, explicit) = r.sequence(|r| {
        let content_type = ObjectIdentifier::decode(r)?;
        let explicit = element(r, context(TagNumber::N0, true))?;
        Ok((content_type, explicit))
    })?;
    r.finish(())?;
    let content = AnyRef::from_der(explicit)?;
    content.tag().assert_eq(Tag::Sequence)?;
    Ok((content_type, content.value()))
}

/// `SignedData` from its SEQUENCE's content.
fn signed_data(content: &[u8]) -> der::Result<SignedDataRef<'_>> {
    let mut r = SliceReader::new(content)?;
    let version = CmsVersion::decode(&mut r)?;
    let digest_algorithms = crate::der_set::elements(element(&mut r, Tag::Set)?)?
        .into_iter()
        .map(AlgorithmIdentifierRef::from_der)
        .collect::<der::Result<Vec<_>>>()?;
    let (econtent_type, econtent) = r.sequence(|r| {
        let econtent_type = ObjectIdentifier::decode(r)?;
        let econtent = optional_element(r, context(TagNumber::N0, true))?
            .map(AnyRef::from_der)
            .transpose()?;
        Ok((econtent_type, econtent))
    })?;
    let certificates = match optional_element(&mut r, context(TagNumber::N0, true))? {
        Some(set) => crate::der_set::elements(set)?,
        None => Vec::new(),
    };
    if let Some(set) = optional_element(&mut r, context(TagNumber::N1, true))? {
        for raw in crate::der_set::elements(set)? {
            cms::revocation::RevocationInfoChoice::from_der(raw)?;
        }
    }
    let signer_infos = crate::der_set::elements(element(&mut r, Tag::Set)?)?;
    r.finish(SignedDataRef {
        version,
        digest_algorithms,
        econtent_type,
        econtent,
        certificates,
        signer_infos,
    })
}

/// A `SignerInfo` (one whole element).
fn signer_info(der: &[u8]) -> der::Result<SignerInfoRef<'_>> {
    let mut r = SliceReader::new(der)?;
    let si = r.sequence(|r| {
        let version = CmsVersion::decode(r)?;
        let sid = if r.peek_tag()? == Tag::Sequence {
            r.sequence(|r| {
                let issuer = r.tlv_bytes()?;
                if issuer.first() != Some(&0x30) {
                    return Err(Tag::Sequence.value_error());
                }
                let serial = IntRef::decode(r)?;
                Ok(SignerId::IssuerAndSerialNumber { issuer, serial })
            })?
        } else {
            SignerId::SubjectKeyIdentifier(element(r, context(TagNumber::N0, false))?)
        };
        let digest_alg = AlgorithmIdentifierRef::decode(r)?;
        let signed_attrs = optional_element(r, context(TagNumber::N0, true))?;
        let signature_algorithm = AlgorithmIdentifierRef::decode(r)?;
        let signature = OctetStringRef::decode(r)?.as_bytes();
        if let Some(set) = optional_element(r, context(TagNumber::N1, true))? {
            for raw in crate::der_set::elements(set)? {
                attribute(raw)?;
            }
        }
        Ok(SignerInfoRef {
            version,
            sid,
            digest_alg,
            signed_attrs,
            signature_algorithm,
            signature,
        })
    })?;
    r.finish(si)
}

/// An `Attribute`: its type and its values (whole elements).
fn attribute(der: &[u8]) -> der::Result<(ObjectIdentifier, Vec<&[u8]>)> {
    let mut r = SliceReader::new(der)?;
    let (oid, values) = r.sequence(|r| {
        let oid = ObjectIdentifier::decode(r)?;
        let values = crate::der_set::elements(element(r, Tag::Set)?)?;
        Ok((oid, values))
    })?;
    r.finish((oid, values))
}

/// Like [`parse`], refusing inputs longer than `limit` bytes before decoding anything.
pub fn parse_limited(der: &[u8], limit: usize) -> Result<ParsedSignedData<'_>, CmsError> {
    if der.len() > limit {
        return Err(CmsError::TooLarge { limit });
    }
    parse(der)
}

/// Whether `sid` names `cert` (its issuer name as sent and serial number, or its subject key
/// identifier).
fn signer_matches(sid: &SignerId<'_>, cert: &CertificateView<'_>) -> bool {
    match sid {
        SignerId::IssuerAndSerialNumber { issuer, serial } => {
            *issuer == cert.issuer_der() && serial.as_bytes() == cert.serial_bytes()
        }
        SignerId::SubjectKeyIdentifier(ski) => cert
            .extensions()
            .iter()
            .filter(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
            .any(|e| {
                SubjectKeyIdentifier::from_der(e.extn_value.as_bytes())
                    .map(|k| k.0.as_bytes() == *ski)
                    .unwrap_or(false)
            }),
    }
}

/// Refuses a key that [`rsa_key`] would refuse, without building it: RSA (parameters NULL), a
/// modulus of 2041–4096 bits (at least 256 bytes), odd, and an odd public exponent from 3 to
/// 2³³ − 1.
fn check_rsa_key(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<(), CmsError> {
    let null_params = spki.algorithm.parameters.is_some_and(is_null);
    if spki.algorithm.oid != rfc5912::RSA_ENCRYPTION || !null_params {
        return Err(CmsError::UnsupportedKey);
    }
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or(CmsError::UnsupportedKey)?;
    let key = rsa::pkcs1::RsaPublicKey::from_der(bits).map_err(|_| CmsError::UnsupportedKey)?;
    let n = key.modulus.as_bytes();
    let e = key.public_exponent.as_bytes();
    let bit_len = |b: &[u8]| match b.first() {
        None => 0,
        Some(first) => b.len() * 8 - first.leading_zeros() as usize,
    };
    let odd = |b: &[u8]| b.last().is_some_and(|x| x & 1 == 1);
    // Leading zeros are stripped: at most eight bytes is a value a u64 holds exactly.
    let e_value = e.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x));
    let ok = n.len() * 8 >= MIN_RSA_BITS
        && bit_len(n) <= rsa::RsaPublicKey::MAX_SIZE
        && odd(n)
        && e.len() <= 8
        && odd(e)
        && (3..=rsa::RsaPublicKey::MAX_PUB_EXPONENT).contains(&e_value);
    if ok {
        Ok(())
    } else {
        Err(CmsError::UnsupportedKey)
    }
}

/// The RSA public key of a certificate, refused unless RSA with a modulus of 2048–4096 bits.
pub fn rsa_key(cert: &Certificate) -> Result<RsaPublicKey, CmsError> {
    rsa_key_of(&cert.tbs_certificate.subject_public_key_info.owned_to_ref())
}

/// [`rsa_key`] from a SubjectPublicKeyInfo as decoded, owned or read in place.
fn rsa_key_of(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<RsaPublicKey, CmsError> {
    if spki.algorithm.oid != rfc5912::RSA_ENCRYPTION {
        return Err(CmsError::UnsupportedKey);
    }
    let key = RsaPublicKey::try_from(spki.clone()).map_err(|_| CmsError::UnsupportedKey)?;
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
    use rsa::pkcs8::DecodePublicKey;
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
        let owned = p.certificate().to_certificate().unwrap();
        assert_eq!(owned.to_der().unwrap(), pki().holder_cert);
        assert_eq!(
            p.issuer_der(),
            owned.tbs_certificate.issuer.to_der().unwrap()
        );
        let v = p.verify_signature().unwrap();
        assert_eq!(v.content_sha256, sha256(b"content"));
        assert_eq!(v.certificate_der, pki().holder_cert);
    }

    /// The key check at parse time and the `rsa` crate's key (what `rsa_key` builds) refuse the
    /// same keys: sizes, even and odd moduli and exponents, exponent bounds, parameters.
    #[test]
    fn the_key_check_refuses_what_rsa_key_refuses() {
        use x509_cert::spki::SubjectPublicKeyInfoOwned as Spki;
        let spki = |n: &[u8], e: &[u8], params: Option<Any>| {
            let key = rsa::pkcs1::RsaPublicKey {
                modulus: der::asn1::UintRef::new(n).unwrap(),
                public_exponent: der::asn1::UintRef::new(e).unwrap(),
            };
            Spki {
                algorithm: AlgorithmIdentifierOwned {
                    oid: rfc5912::RSA_ENCRYPTION,
                    parameters: params,
                },
                subject_public_key: der::asn1::BitString::from_bytes(&key.to_der().unwrap())
                    .unwrap(),
            }
        };
        let by_rsa = |s: &Spki| {
            let der = s.to_der().unwrap();
            RsaPublicKey::from_public_key_der(&der).is_ok_and(|k| k.size() * 8 >= MIN_RSA_BITS)
        };
        let odd_n = |bytes: usize, top: u8| {
            let mut n = vec![0xa5u8; bytes];
            n[0] = top;
            *n.last_mut().unwrap() |= 1;
            n
        };
        let mut even = odd_n(256, 0xc3);
        *even.last_mut().unwrap() &= 0xfe;
        let null = Some(Any::null());
        let cases = [
            (odd_n(256, 0xc3), vec![1, 0, 1], null.clone(), true),
            (odd_n(256, 0x01), vec![1, 0, 1], null.clone(), true), // 2041 bits
            (odd_n(255, 0xff), vec![1, 0, 1], null.clone(), false), // 2040 bits
            (odd_n(128, 0xc3), vec![1, 0, 1], null.clone(), false),
            (odd_n(512, 0xff), vec![1, 0, 1], null.clone(), true), // 4096 bits
            (odd_n(513, 0x01), vec![1, 0, 1], null.clone(), false), // 4097 bits
            (even, vec![1, 0, 1], null.clone(), false),
            (odd_n(256, 0xc3), vec![3], null.clone(), true),
            (odd_n(256, 0xc3), vec![1], null.clone(), false),
            (odd_n(256, 0xc3), vec![2], null.clone(), false),
            (odd_n(256, 0xc3), vec![1, 0, 0], null.clone(), false),
            (
                odd_n(256, 0xc3),
                vec![1, 0xff, 0xff, 0xff, 0xff],
                null.clone(),
                true,
            ),
            (odd_n(256, 0xc3), vec![2, 0, 0, 0, 1], null.clone(), false),
            (odd_n(256, 0xc3), vec![1; 9], null.clone(), false),
            (odd_n(256, 0xc3), vec![1, 0, 1], None, false),
            (
                odd_n(256, 0xc3),
                vec![1, 0, 1],
                Some(Any::encode_from(&1u8).unwrap()),
                false,
            ),
        ];
        for (i, (n, e, params, expected)) in cases.into_iter().enumerate() {
            let s = spki(&n, &e, params);
            assert_eq!(by_rsa(&s), expected, "case {i}: the rsa crate");
            let der = s.to_der().unwrap();
            assert_eq!(
                check_rsa_key(&SubjectPublicKeyInfoRef::from_der(&der).unwrap()).is_ok(),
                expected,
                "case {i}: check_rsa_key"
            );
        }
    }

    /// The borrowed reading accepts nothing that the `cms` crate's owned types refuse to
    /// decode: every truncation and every single-bit flip of a genuine request.
    #[test]
    fn accepts_nothing_the_owned_decoding_refuses() {
        let good = signed(b"{\"procedure\":\"revocation\"}");
        let owned_decodes = |m: &[u8]| {
            ContentInfo::from_der(m)
                .ok()
                .and_then(|ci| ci.content.decode_as::<SignedData>().ok())
                .is_some()
        };
        assert!(parse(&good).is_ok() && owned_decodes(&good));
        let mut accepted = 0;
        for i in 0..good.len() {
            assert!(parse(&good[..i]).is_err());
            for bit in 0..8 {
                let mut m = good.clone();
                m[i] ^= 1 << bit;
                if parse(&m).is_ok() {
                    accepted += 1;
                    assert!(owned_decodes(&m), "byte {i} bit {bit}");
                }
            }
        }
        // Flips in the signature value and the certificate's signature still parse (they
        // fail later, at verification): the test did look at accepted inputs.
        assert!(accepted > 1000, "{accepted}");
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
