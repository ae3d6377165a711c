//! The checks a signed request goes through before the challenge and status, in the order
//! DESIGN.md fixes:
//!
//! 1. well-formed: DER CMS SignedData of the required shape, and a canonical request document
//!    for this endpoint's procedure that names the signing certificate, states its holder
//!    facts and is addressed as its issuer requires → else `malformed_request`;
//! 2. the signer certificate is issued by a configured JPKI signing CA: issuer name
//!    (`issuer_mismatch`), then the CA's signature (`certificate_invalid`);
//! 3. not expired (`certificate_expired`);
//! 4. the holder's signature over the content (`request_signature_invalid`).
//!
//! The challenge and the status are decided by the committer (`commit.rs`).

use std::time::SystemTime;

use der::Encode;
use madoguchi_pki::SigningCertificate;
use madoguchi_pki::cms::{self, CmsError};
use madoguchi_pki::request::{CertificateRef, Procedure, RequestDocument, serial_hex};
use madoguchi_pki::wire::{Outcome, OutcomeAnswer};
use madoguchi_pki::x509::CertificateView;

use crate::clock::rfc3339;
use crate::commit::Submission;
use crate::material::{CertificateProblem, TrustedCa, check_certificate, verify_sha256_rsa_pkcs1};

/// A request refused before the challenge: the outcome and its answer.
#[derive(Clone, Debug)]
pub struct Refusal {
    /// The outcome.
    pub outcome: Outcome,
    /// The answer body.
    pub answer: OutcomeAnswer,
}

fn refuse(
    outcome: Outcome,
    procedure: Procedure,
    certificate: Option<CertificateRef>,
    now: SystemTime,
    detail: impl Into<String>,
) -> Box<Refusal> {
    let mut answer = OutcomeAnswer::new(outcome, rfc3339(now)).with_detail(detail);
    answer.procedure = Some(procedure);
    answer.certificate = certificate;
    Box::new(Refusal { outcome, answer })
}

/// The holder facts in a decoded certificate's one subjectAltName extension, or `None` when
/// they cannot be read this way (then the full reading decides and words the refusal).
fn holder_facts_of(cert: &CertificateView<'_>) -> Option<madoguchi_pki::HolderFacts> {
    use der::Decode;
    use x509_cert::ext::pkix::SubjectAltName;
    use x509_cert::ext::pkix::name::GeneralName;
    let value = cert
        .unique_extension(const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME)
        .ok()??;
    let san = SubjectAltName::from_der(value).ok()?;
    // Only the holder entries: any other otherName is ignored by the reading anyway.
    let entries: Vec<(&'static str, Vec<u8>)> = san
        .0
        .iter()
        .filter_map(|gn| match gn {
            GeneralName::OtherName(o) => Some((
                madoguchi_pki::holder::HolderField::from_object_identifier(&o.type_id)?.oid(),
                o.value.to_der().ok()?,
            )),
            _ => None,
        })
        .collect();
    madoguchi_pki::HolderFacts::from_other_names(entries.iter().map(|(o, v)| (*o, v.as_slice())))
        .ok()
}

/// Runs checks 1–4 on a request body received at `now` on the endpoint of `procedure`.
pub fn check_request(
    procedure: Procedure,
    body: &[u8],
    cas: &[TrustedCa],
    max_body: usize,
    now: SystemTime,
) -> Result<Submission, Box<Refusal>> {
    let malformed = |cert: Option<CertificateRef>, detail: String| {
        refuse(Outcome::MalformedRequest, procedure, cert, now, detail)
    };
    // 1. Well-formed.
    let parsed = cms::parse_limited(body, max_body).map_err(|e| malformed(None, e.to_string()))?;
    let cert = parsed.certificate();
    // The configured CA named as issuer, if any: its name text and its holders' addressee are
    // computed once, not per request.
    let ca = cas.iter().find(|ca| ca.subject_der == cert.issuer_der());
    let cert_ref = CertificateRef {
        issuer: match ca {
            Some(ca) => ca.name.clone(),
            // The view checked the name as x509-cert reads it, so this reading succeeds.
            None => der::Decode::from_der(cert.issuer_der())
                .map(|n: x509_cert::name::Name| n.to_string())
                .map_err(|e| malformed(None, format!("issuer name: {e}")))?,
        },
        serial: serial_hex(cert.serial_bytes()),
    };
    let document = RequestDocument::parse(parsed.content())
        .map_err(|e| malformed(Some(cert_ref.clone()), format!("request document: {e}")))?;
    if document.procedure != procedure {
        return Err(malformed(
            Some(cert_ref),
            format!(
                "the document asks for `{}` but was sent to the `{}` endpoint",
                document.procedure, procedure
            ),
        ));
    }
    if document.certificate != cert_ref {
        return Err(malformed(
            Some(cert_ref),
            "the document names another certificate than the one that signed it".into(),
        ));
    }
    // The document states the certificate's holder facts and is addressed as its issuer
    // requires. For a configured CA's certificate the facts come straight from the decoded
    // certificate's subjectAltName, and the addressee (a function of the issuer name alone)
    // from the CA; anything else, or anything the quick path cannot read, goes through the
    // full certificate reading, which also words the refusal.
    let quick = ca.and_then(|ca| {
        let facts = holder_facts_of(cert)?;
        let addressee = ca.addressee.get()?;
        Some((facts, addressee.clone()))
    });
    let (facts, addressee) = match quick {
        Some(q) => q,
        None => {
            let signing_cert =
                SigningCertificate::from_der(parsed.certificate_der()).map_err(|e| {
                    malformed(Some(cert_ref.clone()), format!("signing certificate: {e}"))
                })?;
            let facts = signing_cert.holder().map_err(|e| {
                malformed(
                    Some(cert_ref.clone()),
                    format!("the certificate's holder facts cannot be read: {e}"),
                )
            })?;
            let addressee = signing_cert.addressee().salutation;
            if let Some(ca) = ca {
                let _ = ca.addressee.set(addressee.clone());
            }
            (facts, addressee)
        }
    };
    if facts.to_request_holder() != document.holder {
        return Err(malformed(
            Some(cert_ref),
            "the document's holder facts differ from the certificate's".into(),
        ));
    }
    if addressee != document.addressee {
        return Err(malformed(
            Some(cert_ref),
            "the document is not addressed to the certificate's issuer".into(),
        ));
    }
    let issuer_der = cert.issuer_der().to_vec();

    // 2.–3. The certificate.
    if let Err(p) = check_certificate(cert, cas, now) {
        let (outcome, detail) = match p {
            CertificateProblem::UnknownIssuer => (
                Outcome::IssuerMismatch,
                "the certificate's issuer is not a JPKI signing CA known to this window",
            ),
            CertificateProblem::BadSignature => (
                Outcome::CertificateInvalid,
                "the CA's signature on the certificate does not verify",
            ),
            CertificateProblem::NotYetValid => (
                Outcome::CertificateInvalid,
                "the certificate is not valid yet",
            ),
            CertificateProblem::Expired => {
                (Outcome::CertificateExpired, "the certificate has expired")
            }
        };
        return Err(refuse(outcome, procedure, Some(cert_ref), now, detail));
    }

    // 4. The holder's signature.
    let verified = parsed
        .verify_signature_with(verify_sha256_rsa_pkcs1)
        .map_err(|e: CmsError| {
            refuse(
                Outcome::RequestSignatureInvalid,
                procedure,
                Some(cert_ref.clone()),
                now,
                e.to_string(),
            )
        })?;

    Ok(Submission {
        procedure,
        document_hash: verified.content_sha256,
        document,
        document_bytes: verified.content,
        issuer_der,
        cms: body.to_vec(),
        received_at: now,
        // Read and decided by the route with the window's key, after these checks.
        challenge_key: None,
        challenge: Err(crate::challenge::ChallengeProblem::Unknown),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{TestHolder, fixtures_dir};

    /// The fuzz target's body (fuzz/fuzz_targets/signed_request.rs) on systematic mutations of
    /// a genuine request: every truncation and a bit flip at every byte. Nothing may panic, and
    /// nothing but the genuine request may pass.
    #[test]
    fn mutated_requests_never_panic_nor_pass() {
        let h = TestHolder::from_card("normal").unwrap();
        let cas = vec![TrustedCa::load(&fixtures_dir().join("pki/sign-ca.der")).unwrap()];
        let good = h.signed_request(Procedure::Revocation, "0123456789abcdef0123456789abcdef");
        let now = SystemTime::now();
        let genuine = check_request(Procedure::Revocation, &good, &cas, 65536, now)
            .unwrap()
            .document_bytes;
        for i in 0..good.len() {
            let cut = &good[..i];
            let _ = madoguchi_pki::cms::parse(cut);
            assert!(check_request(Procedure::Revocation, cut, &cas, 65536, now).is_err());
            let mut flipped = good.clone();
            flipped[i] ^= 1 << (i % 8);
            let r = check_request(Procedure::Revocation, &flipped, &cas, 65536, now);
            if let Ok(s) = r {
                // Only a flip in a part nobody signs could pass, and then the document is
                // still the genuine one.
                assert_eq!(s.document_bytes, genuine);
            }
        }
    }
}
