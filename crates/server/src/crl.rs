//! CRLs: issuing one from the accepted revocations, importing one issued elsewhere.
//!
//! Built and read with `x509-cert`'s CRL types (RFC 5280 §5), signed sha256WithRSAEncryption.

use std::time::{Duration, SystemTime};

use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CRL_NUMBER, ID_CE_SUBJECT_KEY_IDENTIFIER,
};
use const_oid::db::rfc5912;
use der::asn1::{BitString, OctetString, Uint};
use der::{Any, Decode, Encode};
use madoguchi_pki::request::{parse_time, serial_hex};
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use sha2::Sha256;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, SubjectKeyIdentifier};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use crate::clock::rfc3339;
use crate::material::{CrlSigner, TrustedCa, verify_sha256_rsa};
use crate::store::{NewCrl, Store};

/// A CRL problem.
#[derive(Debug, thiserror::Error)]
pub enum CrlError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Encoding or decoding failed.
    #[error("CRL encoding: {0}")]
    Der(#[from] der::Error),
    /// The file is not a CRL.
    #[error("not a CRL (DER or PEM \"X509 CRL\"): {0}")]
    NotCrl(String),
    /// No configured CA issued it.
    #[error("the CRL's issuer {0} is not a configured signing CA")]
    UnknownIssuer(String),
    /// Its signature does not verify.
    #[error("the CRL's signature does not verify with the issuer's key")]
    BadSignature,
    /// Older than the one held.
    #[error("the CRL (thisUpdate {new}) is older than the one already held ({held})")]
    Older {
        /// The imported CRL's thisUpdate.
        new: String,
        /// The held CRL's thisUpdate.
        held: String,
    },
    /// A value cannot be represented.
    #[error("{0}")]
    Value(String),
}

/// What `crl issue` / `crl import` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlSummary {
    /// cRLNumber.
    pub crl_number: Option<i64>,
    /// thisUpdate.
    pub this_update: String,
    /// nextUpdate.
    pub next_update: Option<String>,
    /// Number of revoked certificates on it.
    pub entries: usize,
    /// The DER.
    pub der: Vec<u8>,
}

fn to_time(t: SystemTime) -> Result<Time, CrlError> {
    // Whole seconds: DER times carry no fraction.
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| CrlError::Value("time before 1970".into()))?
        .as_secs();
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
    match der::asn1::UtcTime::from_system_time(t) {
        Ok(u) => Ok(Time::UtcTime(u)),
        Err(_) => Time::try_from(t).map_err(CrlError::Der),
    }
}

fn hex_to_serial(hex_serial: &str) -> Result<SerialNumber, CrlError> {
    let bytes = hex::decode(hex_serial).map_err(|e| CrlError::Value(e.to_string()))?;
    SerialNumber::new(&bytes).map_err(CrlError::Der)
}

/// Issues a CRL signed by `signer`, holding the entries of the latest CRL of that issuer plus
/// every accepted revocation of its certificates, valid for `validity` from `now`.
pub fn issue(
    store: &mut dyn Store,
    signer: &CrlSigner,
    now: SystemTime,
    validity: Duration,
) -> Result<CrlSummary, CrlError> {
    let ca = &signer.certificate.tbs_certificate;
    let issuer_der = ca.subject.to_der()?;
    let mut tx = store.transaction()?;
    let (number, mut entries) = match tx.latest_crl_entries(&issuer_der)? {
        Some(held) => (held.crl_number.unwrap_or(0) + 1, held.entries),
        None => (1, Vec::new()),
    };
    for a in tx.accepted_revocations(&issuer_der)? {
        if !entries.iter().any(|(s, _)| s == &a.serial) {
            entries.push((a.serial, a.accepted_at));
        }
    }
    entries.sort();

    let mut revoked = Vec::with_capacity(entries.len());
    for (serial, date) in &entries {
        let when = parse_time(date)
            .ok_or_else(|| CrlError::Value(format!("bad revocation date {date}")))?;
        revoked.push(RevokedCert {
            serial_number: hex_to_serial(serial)?,
            revocation_date: to_time(when.into())?,
            crl_entry_extensions: None,
        });
    }

    let mut extensions = Vec::new();
    if let Some(ski) = ca
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == ID_CE_SUBJECT_KEY_IDENTIFIER)
    {
        let ski = SubjectKeyIdentifier::from_der(ski.extn_value.as_bytes())?;
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(ski.0),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        extensions.push(Extension {
            extn_id: ID_CE_AUTHORITY_KEY_IDENTIFIER,
            critical: false,
            extn_value: OctetString::new(aki.to_der()?)?,
        });
    }
    let number_bytes = (number as u64).to_be_bytes();
    extensions.push(Extension {
        extn_id: ID_CE_CRL_NUMBER,
        critical: false,
        extn_value: OctetString::new(CrlNumber(Uint::new(&number_bytes)?).to_der()?)?,
    });

    let algorithm = AlgorithmIdentifierOwned {
        oid: rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        parameters: Some(Any::null()),
    };
    let this_update = to_time(now)?;
    let next_update = to_time(now + validity)?;
    let tbs = TbsCertList {
        version: Version::V2,
        signature: algorithm.clone(),
        issuer: ca.subject.clone(),
        this_update,
        next_update: Some(next_update),
        revoked_certificates: if revoked.is_empty() {
            None
        } else {
            Some(revoked)
        },
        crl_extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der()?;
    let signature = SigningKey::<Sha256>::new(signer.key.clone())
        .try_sign(&tbs_der)
        .map_err(|e| CrlError::Value(format!("signing failed: {e}")))?
        .to_vec();
    let crl = CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature)?,
    };
    let der = crl.to_der()?;
    let this_update_text = rfc3339(this_update.to_system_time());
    let next_update_text = rfc3339(next_update.to_system_time());
    let added_at = rfc3339(now);
    tx.insert_crl(&NewCrl {
        issuer_der: &issuer_der,
        issuer_text: &ca.subject.to_string(),
        crl_number: Some(number),
        this_update: &this_update_text,
        next_update: Some(&next_update_text),
        source: "issued",
        der: &der,
        entries: &entries,
        added_at: &added_at,
    })?;
    tx.commit()?;
    Ok(CrlSummary {
        crl_number: Some(number),
        this_update: this_update_text,
        next_update: Some(next_update_text),
        entries: entries.len(),
        der,
    })
}

/// Reads a CRL file's bytes: DER, or PEM labelled `X509 CRL`.
pub fn decode_crl(bytes: &[u8]) -> Result<(CertificateList, Vec<u8>), CrlError> {
    let der = if bytes.starts_with(b"-----BEGIN") {
        let (label, der) =
            der::pem::decode_vec(bytes).map_err(|e| CrlError::NotCrl(e.to_string()))?;
        if label != "X509 CRL" {
            return Err(CrlError::NotCrl(format!("PEM label is {label}")));
        }
        der
    } else {
        bytes.to_vec()
    };
    let crl = CertificateList::from_der(&der).map_err(|e| CrlError::NotCrl(e.to_string()))?;
    Ok((crl, der))
}

/// Verifies a CRL's signature against the CAs; returns the CA that signed it.
pub fn verify_crl<'a>(
    crl: &CertificateList,
    cas: &'a [TrustedCa],
) -> Result<&'a TrustedCa, CrlError> {
    let tbs = &crl.tbs_cert_list;
    let mut candidates = cas
        .iter()
        .filter(|ca| ca.certificate.tbs_certificate.subject == tbs.issuer)
        .peekable();
    if candidates.peek().is_none() {
        return Err(CrlError::UnknownIssuer(tbs.issuer.to_string()));
    }
    if crl.signature_algorithm.oid != rfc5912::SHA_256_WITH_RSA_ENCRYPTION
        || tbs.signature.oid != rfc5912::SHA_256_WITH_RSA_ENCRYPTION
    {
        return Err(CrlError::BadSignature);
    }
    let sig = crl.signature.as_bytes().ok_or(CrlError::BadSignature)?;
    let tbs_der = tbs.to_der()?;
    candidates
        .find(|ca| verify_sha256_rsa(ca, &tbs_der, sig))
        .ok_or(CrlError::BadSignature)
}

/// Imports a CRL issued elsewhere, after checking its signature against `cas`. Refuses a
/// CRL older than the one held for the same issuer.
pub fn import(
    store: &mut dyn Store,
    cas: &[TrustedCa],
    bytes: &[u8],
    now: SystemTime,
) -> Result<CrlSummary, CrlError> {
    let (crl, der) = decode_crl(bytes)?;
    verify_crl(&crl, cas)?;
    let tbs = &crl.tbs_cert_list;
    let issuer_der = tbs.issuer.to_der()?;
    let this_update = rfc3339(tbs.this_update.to_system_time());
    let next_update = tbs.next_update.map(|t| rfc3339(t.to_system_time()));
    let crl_number = tbs
        .crl_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == ID_CE_CRL_NUMBER)
        .and_then(|e| CrlNumber::from_der(e.extn_value.as_bytes()).ok())
        .and_then(|n| {
            let b = n.0.as_bytes();
            (b.len() <= 7).then(|| b.iter().fold(0i64, |acc, x| (acc << 8) | i64::from(*x)))
        });
    let entries: Vec<(String, String)> = tbs
        .revoked_certificates
        .iter()
        .flatten()
        .map(|r| {
            (
                serial_hex(r.serial_number.as_bytes()),
                rfc3339(r.revocation_date.to_system_time()),
            )
        })
        .collect();
    let mut tx = store.transaction()?;
    if let Some(held) = tx.latest_crl_entries(&issuer_der)?
        && held.this_update > this_update
    {
        return Err(CrlError::Older {
            new: this_update,
            held: held.this_update,
        });
    }
    tx.insert_crl(&NewCrl {
        issuer_der: &issuer_der,
        issuer_text: &tbs.issuer.to_string(),
        crl_number,
        this_update: &this_update,
        next_update: next_update.as_deref(),
        source: "imported",
        der: &der,
        entries: &entries,
        added_at: &rfc3339(now),
    })?;
    tx.commit()?;
    Ok(CrlSummary {
        crl_number,
        this_update,
        next_update,
        entries: entries.len(),
        der,
    })
}
