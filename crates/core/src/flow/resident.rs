//! The resident's data while a procedure runs: the signing certificate and
//! the four facts, in zeroizing buffers. Dropping a [`Resident`] (a wipe)
//! overwrites them.
//!
//! Parsing goes through `madoguchi_pki`, whose values are plain `String`s;
//! they live only inside [`Resident::import`] and are zeroed there after
//! the copy (what the parser allocates internally cannot be reached).

use madoguchi_pki::checks::{Addressee, IssuerCheck, KnownCa};
use madoguchi_pki::request::{CertificateRef, Procedure, RequestDocument, RequestHolder};
use madoguchi_pki::{HolderFacts, Sex, SigningCertificate};
use time::OffsetDateTime;
use zeroize::{Zeroize, Zeroizing};

/// Why the certificate could not be imported (manual 2.2.8 / 3.2.8).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not a certificate (E204).
    #[error("the signing certificate cannot be read: {0}")]
    Certificate(String),
    /// The holder's facts are missing or malformed (E205).
    #[error("the holder's facts cannot be read: {0}")]
    Holder(String),
}

impl ImportError {
    pub fn number(&self) -> u16 {
        match self {
            ImportError::Certificate(_) => 204,
            ImportError::Holder(_) => 205,
        }
    }
}

/// The imported certificate and facts.
pub struct Resident {
    certificate: Zeroizing<Vec<u8>>,
    /// 氏名, as in the certificate.
    pub name: Zeroizing<String>,
    pub name_substitute: Zeroizing<String>,
    /// 住所.
    pub address: Zeroizing<String>,
    pub address_substitute: Zeroizing<String>,
    /// 性別 code (`1` male, `2` female, `9` not applicable).
    pub sex_code: Zeroizing<String>,
    /// 生年月日 as stored (`EYYYYMMDD`).
    pub birth_raw: Zeroizing<String>,
    /// 昭和33年8月10日.
    pub birth_ja: Zeroizing<String>,
    /// English form (August 10, 1958 (Showa 33)).
    pub birth_en: Zeroizing<String>,
    /// 1958-08-10.
    pub birth_iso: Zeroizing<String>,
    /// `昭和33年8月10日 (1958-08-10)`, as the document shows it: made once
    /// here, so a screen borrows it instead of formatting a copy per frame.
    pub birth_ja_with_iso: Zeroizing<String>,
    /// The document's addressee (宛先).
    pub addressee: Addressee,
    /// Issuer and serial, as the request names the certificate.
    pub certificate_ref: CertificateRef,
    pub issuer: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// SHA-256 of the certificate, `AB:CD:…`.
    pub fingerprint: String,
    /// The local issuer check against the known JPKI signing CAs.
    pub issuer_check: IssuerCheck,
}

impl std::fmt::Debug for Resident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data stays out of logs.
        f.debug_struct("Resident")
            .field("certificate_ref", &self.certificate_ref)
            .field("issuer_check", &self.issuer_check)
            .finish_non_exhaustive()
    }
}

impl Resident {
    /// Parse the signing certificate read from the card and run the local
    /// issuer check against `known`.
    pub fn import(der: Zeroizing<Vec<u8>>, known: &[KnownCa]) -> Result<Resident, ImportError> {
        let cert = SigningCertificate::from_der(&der)
            .map_err(|e| ImportError::Certificate(e.to_string()))?;
        let mut facts: HolderFacts = cert
            .holder()
            .map_err(|e| ImportError::Holder(e.to_string()))?;
        let z = |s: &str| Zeroizing::new(s.to_owned());
        let resident = Resident {
            name: z(&facts.name),
            name_substitute: z(facts.name_substitute.as_deref().unwrap_or("")),
            address: z(&facts.address),
            address_substitute: z(facts.address_substitute.as_deref().unwrap_or("")),
            sex_code: z(facts.sex.code()),
            birth_raw: z(facts.birth_date.raw()),
            birth_ja: Zeroizing::new(facts.birth_date.to_ja_string()),
            birth_en: Zeroizing::new(facts.birth_date.to_en_string()),
            birth_iso: Zeroizing::new(facts.birth_date.to_iso_string()),
            birth_ja_with_iso: Zeroizing::new(format!(
                "{} ({})",
                facts.birth_date.to_ja_string(),
                facts.birth_date.to_iso_string()
            )),
            addressee: cert.addressee(),
            certificate_ref: cert.certificate_ref(),
            issuer: cert.issuer().to_owned(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
            fingerprint: crate::client::colon_hex(&cert.sha256_fingerprint()),
            issuer_check: cert.issuer_check(known),
            certificate: der,
        };
        facts.name.zeroize();
        facts.address.zeroize();
        if let Some(s) = facts.name_substitute.as_mut() {
            s.zeroize();
        }
        if let Some(s) = facts.address_substitute.as_mut() {
            s.zeroize();
        }
        Ok(resident)
    }

    /// The certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate
    }

    /// A copy of the certificate for the signing job.
    pub fn certificate_copy(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.certificate.to_vec())
    }

    pub fn sex(&self) -> Sex {
        Sex::from_code(&self.sex_code)
    }

    /// Whether the certificate has expired at `now` (manual 2.2.9 / 3.2.9).
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        now > self.not_after
    }

    /// The facts as the request document carries them.
    fn request_holder(&self) -> RequestHolder {
        RequestHolder {
            name: self.name.to_string(),
            name_substitute: self.name_substitute.to_string(),
            sex: self.sex_code.to_string(),
            birth_date: self.birth_raw.to_string(),
            address: self.address.to_string(),
            address_substitute: self.address_substitute.to_string(),
        }
    }

    /// The canonical bytes of the request document to sign: this
    /// certificate, `challenge`, made at `now`. The intermediate strings
    /// are zeroed.
    pub fn document_bytes(
        &self,
        procedure: Procedure,
        challenge: &str,
        now: OffsetDateTime,
    ) -> Result<Zeroizing<Vec<u8>>, madoguchi_pki::request::RequestError> {
        let mut doc = RequestDocument::new(
            procedure,
            self.addressee.salutation.clone(),
            self.request_holder(),
            self.certificate_ref.clone(),
            challenge,
            now,
        )?;
        let bytes = Zeroizing::new(doc.to_canonical_bytes());
        let h = &mut doc.holder;
        for s in [
            &mut h.name,
            &mut h.name_substitute,
            &mut h.sex,
            &mut h.birth_date,
            &mut h.address,
            &mut h.address_substitute,
        ] {
            s.zeroize();
        }
        Ok(bytes)
    }
}
