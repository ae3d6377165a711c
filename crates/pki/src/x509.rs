//! X.509 certificates read in place.
//!
//! The online window reads one signing certificate per request. `x509-cert`'s owned
//! `Certificate` copies every name attribute, extension and key into allocations of its own
//! and then frees them; [`CertificateView`] borrows them from the DER instead. It accepts
//! exactly what `x509-cert`'s `Certificate::from_der` accepts (same fields, same optional and
//! default rules, same serial-number bound, the same refusal of a repeated element in a
//! name's SET OF), which `tests::accepts_exactly_what_x509_cert_accepts` holds it to.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef, IntRef, OctetStringRef};
use der::{Decode, Encode, Length, Reader, Sequence, SliceReader, Tag, Tagged, Writer};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use x509_cert::certificate::Version;
use x509_cert::time::Validity;

/// The longest serial number `x509-cert` decodes, in content bytes (20 octets, and one more
/// for the sign byte some issuers count outside the limit).
const MAX_SERIAL_BYTES: usize = 21;

/// A certificate decoded in place, borrowing from its DER.
#[derive(Clone, Debug)]
pub struct CertificateView<'a> {
    der: &'a [u8],
    tbs_der: &'a [u8],
    tbs: Tbs<'a>,
    signature_algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
}

/// One extension, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Sequence)]
pub struct ExtensionView<'a> {
    /// `extnID`.
    pub extn_id: ObjectIdentifier,
    /// `critical` (DEFAULT FALSE).
    #[asn1(default = "Default::default")]
    pub critical: bool,
    /// `extnValue`: the DER of the extension's value.
    pub extn_value: OctetStringRef<'a>,
}

/// `TBSCertificate`, field for field as `x509-cert` declares it.
#[derive(Clone, Debug, Sequence)]
struct Tbs<'a> {
    #[asn1(context_specific = "0", default = "Default::default")]
    version: Version,
    serial_number: IntRef<'a>,
    signature: AlgorithmIdentifierRef<'a>,
    issuer: NameView<'a>,
    validity: Validity,
    subject: NameView<'a>,
    subject_public_key_info: SubjectPublicKeyInfoRef<'a>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    issuer_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    subject_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<ExtensionView<'a>>>,
}

/// A `Name` (RDNSequence), checked as `x509-cert` checks it and kept as its DER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NameView<'a>(&'a [u8]);

/// `AttributeTypeAndValue`.
#[derive(Sequence)]
struct AttributeView<'a> {
    #[allow(dead_code)] // read to check it, as x509-cert does
    oid: ObjectIdentifier,
    #[allow(dead_code)]
    value: AnyRef<'a>,
}

impl<'a> Decode<'a> for NameView<'a> {
    fn decode<R: Reader<'a>>(reader: &mut R) -> der::Result<Self> {
        let der = reader.tlv_bytes()?;
        let name = AnyRef::from_der(der)?;
        name.tag().assert_eq(Tag::Sequence)?;
        let mut rdns = SliceReader::new(name.value())?;
        while !rdns.is_finished() {
            let rdn = AnyRef::decode(&mut rdns)?;
            rdn.tag().assert_eq(Tag::Set)?;
            for attribute in crate::der_set::elements(rdn.value())? {
                AttributeView::from_der(attribute)?;
            }
        }
        Ok(NameView(der))
    }
}

impl Encode for NameView<'_> {
    fn encoded_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }
    fn encode(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.0)
    }
}

impl<'a> CertificateView<'a> {
    /// Decodes a DER certificate, refusing what `x509_cert::Certificate::from_der` refuses.
    pub fn from_der(der: &'a [u8]) -> der::Result<CertificateView<'a>> {
        let mut reader = SliceReader::new(der)?;
        let (tbs_der, signature_algorithm, signature) = reader.sequence(|r| {
            let tbs_der = r.tlv_bytes()?;
            let algorithm = AlgorithmIdentifierRef::decode(r)?;
            let signature = BitStringRef::decode(r)?;
            Ok((tbs_der, algorithm, signature))
        })?;
        reader.finish(())?;
        let tbs = Tbs::from_der(tbs_der)?;
        if tbs.serial_number.as_bytes().len() > MAX_SERIAL_BYTES {
            return Err(Tag::Integer.value_error());
        }
        Ok(CertificateView {
            der,
            tbs_der,
            tbs,
            signature_algorithm,
            signature,
        })
    }

    /// The whole certificate, DER.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }
    /// The signed part (`tbsCertificate`), DER as sent.
    pub fn tbs_der(&self) -> &'a [u8] {
        self.tbs_der
    }
    /// The issuer name, DER as sent.
    pub fn issuer_der(&self) -> &'a [u8] {
        self.tbs.issuer.0
    }
    /// The subject name, DER as sent.
    pub fn subject_der(&self) -> &'a [u8] {
        self.tbs.subject.0
    }
    /// The serial number's content octets, as `x509-cert`'s `SerialNumber::as_bytes`.
    pub fn serial_bytes(&self) -> &'a [u8] {
        self.tbs.serial_number.as_bytes()
    }
    /// `notBefore` and `notAfter`.
    pub fn validity(&self) -> Validity {
        self.tbs.validity
    }
    /// The subject's public key.
    pub fn public_key(&self) -> &SubjectPublicKeyInfoRef<'a> {
        &self.tbs.subject_public_key_info
    }
    /// The signature algorithm named inside the signed part.
    pub fn tbs_signature_algorithm(&self) -> &AlgorithmIdentifierRef<'a> {
        &self.tbs.signature
    }
    /// The signature algorithm named outside it.
    pub fn signature_algorithm(&self) -> &AlgorithmIdentifierRef<'a> {
        &self.signature_algorithm
    }
    /// The issuer's signature.
    pub fn signature(&self) -> BitStringRef<'a> {
        self.signature
    }
    /// Every extension, in order.
    pub fn extensions(&self) -> &[ExtensionView<'a>] {
        self.tbs.extensions.as_deref().unwrap_or(&[])
    }
    /// The value of the one extension `oid`; `Err(())` if it appears more than once.
    #[allow(clippy::result_unit_err)]
    pub fn unique_extension(&self, oid: ObjectIdentifier) -> Result<Option<&'a [u8]>, ()> {
        let mut found = self.extensions().iter().filter(|e| e.extn_id == oid);
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(e), None) => Ok(Some(e.extn_value.as_bytes())),
            (Some(_), Some(_)) => Err(()),
        }
    }
    /// The owned `x509-cert` decoding, for callers that need its types.
    pub fn to_certificate(&self) -> der::Result<x509_cert::Certificate> {
        x509_cert::Certificate::from_der(self.der)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;
    use std::path::PathBuf;

    /// The fixtures' signing CA, a TLS certificate and two holders' signing certificates
    /// (subjectAltName with the holder's otherNames).
    fn certificates() -> Vec<Vec<u8>> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        [
            "pki/sign-ca.der",
            "pki/server.der",
            "cards/normal/sign.der",
            "cards/rare-kanji/sign.der",
        ]
        .iter()
        .map(|n| std::fs::read(root.join(n)).unwrap())
        .collect()
    }

    #[test]
    fn reads_what_x509_cert_reads() {
        for der in certificates() {
            let owned = x509_cert::Certificate::from_der(&der).unwrap();
            let view = CertificateView::from_der(&der).unwrap();
            let tbs = &owned.tbs_certificate;
            assert_eq!(view.tbs_der(), tbs.to_der().unwrap());
            assert_eq!(view.issuer_der(), tbs.issuer.to_der().unwrap());
            assert_eq!(view.subject_der(), tbs.subject.to_der().unwrap());
            assert_eq!(view.serial_bytes(), tbs.serial_number.as_bytes());
            assert_eq!(view.validity(), tbs.validity);
            assert_eq!(
                view.public_key().to_der().unwrap(),
                tbs.subject_public_key_info.to_der().unwrap()
            );
            assert_eq!(view.signature().raw_bytes(), owned.signature.raw_bytes());
            let exts: Vec<_> = tbs.extensions.iter().flatten().collect();
            assert_eq!(view.extensions().len(), exts.len());
            for (v, o) in view.extensions().iter().zip(exts) {
                assert_eq!(v.extn_id, o.extn_id);
                assert_eq!(v.critical, o.critical);
                assert_eq!(v.extn_value.as_bytes(), o.extn_value.as_bytes());
            }
            assert_eq!(view.to_certificate().unwrap(), owned);
        }
    }

    /// Every truncation and every single-bit flip of each fixture certificate: the view and
    /// `x509-cert` accept and refuse the same ones.
    #[test]
    fn accepts_exactly_what_x509_cert_accepts() {
        let mut accepted = 0;
        for der in certificates() {
            let same = |bytes: &[u8]| {
                let owned = x509_cert::Certificate::from_der(bytes).is_ok();
                let view = CertificateView::from_der(bytes).is_ok();
                assert_eq!(view, owned, "view {view}, x509-cert {owned}");
                owned
            };
            for cut in 0..der.len() {
                assert!(!same(&der[..cut]));
            }
            for bit in 0..der.len() * 8 {
                let mut flipped = der.clone();
                flipped[bit / 8] ^= 1 << (bit % 8);
                accepted += usize::from(same(&flipped));
            }
        }
        // Flips in the key, the signature and string values still decode: it looked.
        assert!(accepted > 1000, "only {accepted} flips decoded");
    }

    /// A serial number of 21 content octets decodes, one of 22 does not, in both readings.
    #[test]
    fn serial_numbers_are_bounded_as_x509_cert_bounds_them() {
        #[derive(Sequence)]
        struct Whole<'a> {
            tbs: AnyRef<'a>,
            algorithm: AlgorithmIdentifierRef<'a>,
            signature: BitStringRef<'a>,
        }
        let der = &certificates()[0];
        let view = CertificateView::from_der(der).unwrap();
        for (len, ok) in [(20, true), (21, true), (22, false)] {
            let serial = vec![0x11; len];
            let mut tbs = view.tbs.clone();
            tbs.serial_number = IntRef::new(&serial).unwrap();
            let tbs_der = tbs.to_der().unwrap();
            let whole = Whole {
                tbs: AnyRef::from_der(&tbs_der).unwrap(),
                algorithm: view.signature_algorithm,
                signature: view.signature,
            }
            .to_der()
            .unwrap();
            assert_eq!(
                x509_cert::Certificate::from_der(&whole).is_ok(),
                ok,
                "{len}"
            );
            assert_eq!(CertificateView::from_der(&whole).is_ok(), ok, "{len}");
        }
    }
}
