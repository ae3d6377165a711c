//! Wire types of the online window protocol, shared by the client and the reference server.
//!
//! `docs/protocol.md` is the normative description; the names and rules here follow it.
//!
//! | endpoint | request body | answer |
//! |---|---|---|
//! | `POST /v1/challenges` | empty | [`ChallengeAnswer`] |
//! | `POST /v1/revocations` | `application/cms` signed request, procedure `revocation` | [`OutcomeAnswer`] |
//! | `POST /v1/validity-checks` | `application/cms` signed request, procedure `validity_check` | [`OutcomeAnswer`] |
//! | `GET /v1/crl` | – | `application/pkix-crl` (DER) or 404 [`OutcomeAnswer`] |
//! | `GET /healthz` | – | [`Health`] |

use serde::{Deserialize, Serialize};

use crate::request::{CertificateRef, Procedure};

/// Version prefix of every endpoint path.
pub const API_PREFIX: &str = "/v1";
/// `POST`: get a challenge.
pub const PATH_CHALLENGES: &str = "/v1/challenges";
/// `POST`: submit a signed revocation request.
pub const PATH_REVOCATIONS: &str = "/v1/revocations";
/// `POST`: submit a signed validity-check request.
pub const PATH_VALIDITY_CHECKS: &str = "/v1/validity-checks";
/// `GET`: the latest CRL the server holds.
pub const PATH_CRL: &str = "/v1/crl";
/// `GET`: liveness.
pub const PATH_HEALTH: &str = "/healthz";

/// Media type of a signed request.
pub const MEDIA_TYPE_CMS: &str = "application/cms";
/// Media type of the JSON answers.
pub const MEDIA_TYPE_JSON: &str = "application/json";
/// Media type of a DER CRL.
pub const MEDIA_TYPE_CRL: &str = "application/pkix-crl";

/// How long a challenge stays usable, in seconds.
pub const CHALLENGE_LIFETIME_SECS: u64 = 300;

/// Answer to `POST /v1/challenges`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeAnswer {
    /// Opaque, single-use token to copy into the request document's `challenge`.
    pub challenge: String,
    /// When it stops being accepted (RFC 3339 UTC, `Z`).
    pub expires_at: String,
}

/// Every outcome the online window can answer. Each maps to a screen or message of the
/// original manual (chapter 2: revocation, chapter 3: validity check).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Revocation request accepted; the certificate is revoked with the next CRL
    /// (2.1.9 オンライン失効申請の受理通知).
    Accepted,
    /// Revocation asked for a certificate already on the CRL (2.2.14 失効済電子証明書に対する失効申請).
    AlreadyRevoked,
    /// A different revocation request for the same certificate was already accepted
    /// (2.2.15 同一の電子証明書に対する二重の失効申請).
    DuplicateRequest,
    /// The certificate is valid (3.1.9 結果通知: 有効).
    Valid,
    /// The certificate is on the CRL (3.1.11 結果通知: 失効済み).
    Revoked,
    /// An online revocation of this certificate was accepted and awaits the next CRL
    /// (3.1.12 結果通知: オンライン失効受理済み).
    RevocationAccepted,
    /// The signing certificate has expired (2.2.9 / 3.2.9).
    CertificateExpired,
    /// The request is not in the prescribed format (2.2.10 / 3.2.10 受信データの形式エラー).
    MalformedRequest,
    /// The certificate's issuer is not a JPKI signing CA the window knows
    /// (2.2.11 電子証明書の有効性確認のエラー / 3.1.10 結果通知: 有効性確認のエラー).
    IssuerMismatch,
    /// The CA's signature on the certificate does not verify, or the certificate is not usable
    /// (2.2.12 / 3.2.11 電子証明書の検証エラー).
    CertificateInvalid,
    /// The holder's signature on the request does not verify
    /// (2.2.13 失効申請書の検証エラー / 3.2.12 有効性確認申請書の検証エラー).
    RequestSignatureInvalid,
    /// The challenge is unknown, expired or already used: get a new one and sign again
    /// (no manual counterpart; the applet had no replay protection).
    ChallengeInvalid,
    /// The window is overloaded; retry after `Retry-After` seconds (2.2.2 / 3.2.2 混雑).
    Busy,
    /// The window failed internally (2.2.3 / 3.2.3 オンライン窓口サービスのエラー).
    ServiceError,
}

impl Outcome {
    /// Every outcome, in the order above.
    pub const ALL: [Outcome; 14] = [
        Outcome::Accepted,
        Outcome::AlreadyRevoked,
        Outcome::DuplicateRequest,
        Outcome::Valid,
        Outcome::Revoked,
        Outcome::RevocationAccepted,
        Outcome::CertificateExpired,
        Outcome::MalformedRequest,
        Outcome::IssuerMismatch,
        Outcome::CertificateInvalid,
        Outcome::RequestSignatureInvalid,
        Outcome::ChallengeInvalid,
        Outcome::Busy,
        Outcome::ServiceError,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::AlreadyRevoked => "already_revoked",
            Outcome::DuplicateRequest => "duplicate_request",
            Outcome::Valid => "valid",
            Outcome::Revoked => "revoked",
            Outcome::RevocationAccepted => "revocation_accepted",
            Outcome::CertificateExpired => "certificate_expired",
            Outcome::MalformedRequest => "malformed_request",
            Outcome::IssuerMismatch => "issuer_mismatch",
            Outcome::CertificateInvalid => "certificate_invalid",
            Outcome::RequestSignatureInvalid => "request_signature_invalid",
            Outcome::ChallengeInvalid => "challenge_invalid",
            Outcome::Busy => "busy",
            Outcome::ServiceError => "service_error",
        }
    }

    /// The HTTP status the server answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Outcome::Accepted
            | Outcome::AlreadyRevoked
            | Outcome::DuplicateRequest
            | Outcome::Valid
            | Outcome::Revoked
            | Outcome::RevocationAccepted => 200,
            Outcome::MalformedRequest => 400,
            Outcome::ChallengeInvalid => 409,
            Outcome::CertificateExpired
            | Outcome::IssuerMismatch
            | Outcome::CertificateInvalid
            | Outcome::RequestSignatureInvalid => 422,
            Outcome::ServiceError => 500,
            Outcome::Busy => 503,
        }
    }

    /// The manual section this outcome corresponds to, for the given procedure; `None` where
    /// the manual has none (`challenge_invalid`) or the outcome cannot happen for that
    /// procedure (e.g. `valid` for a revocation).
    pub fn manual_section(self, procedure: Procedure) -> Option<&'static str> {
        use Procedure::*;
        Some(match (self, procedure) {
            (Outcome::Accepted, Revocation) => "2.1.9",
            (Outcome::AlreadyRevoked, Revocation) => "2.2.14",
            (Outcome::DuplicateRequest, Revocation) => "2.2.15",
            (Outcome::Valid, ValidityCheck) => "3.1.9",
            (Outcome::Revoked, ValidityCheck) => "3.1.11",
            (Outcome::RevocationAccepted, ValidityCheck) => "3.1.12",
            (Outcome::CertificateExpired, Revocation) => "2.2.9",
            (Outcome::CertificateExpired, ValidityCheck) => "3.2.9",
            (Outcome::MalformedRequest, Revocation) => "2.2.10",
            (Outcome::MalformedRequest, ValidityCheck) => "3.2.10",
            (Outcome::IssuerMismatch, Revocation) => "2.2.11",
            (Outcome::IssuerMismatch, ValidityCheck) => "3.1.10",
            (Outcome::CertificateInvalid, Revocation) => "2.2.12",
            (Outcome::CertificateInvalid, ValidityCheck) => "3.2.11",
            (Outcome::RequestSignatureInvalid, Revocation) => "2.2.13",
            (Outcome::RequestSignatureInvalid, ValidityCheck) => "3.2.12",
            (Outcome::Busy, Revocation) => "2.2.2",
            (Outcome::Busy, ValidityCheck) => "3.2.2",
            (Outcome::ServiceError, Revocation) => "2.2.3",
            (Outcome::ServiceError, ValidityCheck) => "3.2.3",
            _ => return None,
        })
    }

    /// True for the outcomes that are a definite answer to the procedure (HTTP 200); false for
    /// refusals and failures.
    pub fn is_result(self) -> bool {
        self.http_status() == 200
    }

    /// True when trying again later with the same request may help (`busy`, `service_error`).
    pub fn is_transient(self) -> bool {
        matches!(self, Outcome::Busy | Outcome::ServiceError)
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON answer to `POST /v1/revocations` and `POST /v1/validity-checks` (and the body of
/// every error answer of the server). Optional fields are left out when absent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeAnswer {
    /// What happened.
    pub outcome: Outcome,
    /// The window's receipt for a recorded request (every outcome from the status check:
    /// `accepted`, `already_revoked`, `duplicate_request`, `valid`, `revoked`,
    /// `revocation_accepted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
    /// When the window decided (RFC 3339 UTC, `Z`).
    pub checked_at: String,
    /// The procedure, when the request got far enough to tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<Procedure>,
    /// The certificate, when the request got far enough to tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateRef>,
    /// For `duplicate_request` and `revocation_accepted`: the receipt of the revocation that
    /// was accepted earlier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_receipt_id: Option<String>,
    /// For `accepted`, `duplicate_request` and `revocation_accepted`: when that revocation was
    /// accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<String>,
    /// For `already_revoked` and `revoked`: the revocation date on the CRL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// For `busy`: seconds to wait (also in the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
    /// A short English explanation for logs and support; never shown as the main message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl OutcomeAnswer {
    /// An answer with only the outcome and the time.
    pub fn new(outcome: Outcome, checked_at: impl Into<String>) -> Self {
        OutcomeAnswer {
            outcome,
            receipt_id: None,
            checked_at: checked_at.into(),
            procedure: None,
            certificate: None,
            accepted_receipt_id: None,
            accepted_at: None,
            revoked_at: None,
            retry_after: None,
            detail: None,
        }
    }

    /// Sets `detail`.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Answer to `GET /healthz`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// The server's version.
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_names_match_serde() {
        for o in Outcome::ALL {
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.as_str()));
            let back: Outcome = serde_json::from_str(&json).unwrap();
            assert_eq!(back, o);
        }
    }

    #[test]
    fn every_outcome_has_a_section_and_status() {
        for o in Outcome::ALL {
            let r = o.manual_section(Procedure::Revocation);
            let v = o.manual_section(Procedure::ValidityCheck);
            if o == Outcome::ChallengeInvalid {
                assert!(r.is_none() && v.is_none());
            } else {
                assert!(r.is_some() || v.is_some(), "{o}");
            }
            assert!([200, 400, 409, 422, 500, 503].contains(&o.http_status()));
        }
        assert_eq!(
            Outcome::Valid.manual_section(Procedure::ValidityCheck),
            Some("3.1.9")
        );
        assert_eq!(Outcome::Valid.manual_section(Procedure::Revocation), None);
        assert_eq!(
            Outcome::IssuerMismatch.manual_section(Procedure::ValidityCheck),
            Some("3.1.10")
        );
        assert_eq!(Outcome::Busy.http_status(), 503);
        assert!(Outcome::Busy.is_transient());
        assert!(Outcome::Accepted.is_result());
        assert!(!Outcome::MalformedRequest.is_result());
    }

    #[test]
    fn answer_json_leaves_out_absent_fields() {
        let mut a = OutcomeAnswer::new(Outcome::Accepted, "2026-11-21T05:40:00Z");
        a.receipt_id = Some("R1".into());
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"outcome":"accepted","receipt_id":"R1","checked_at":"2026-11-21T05:40:00Z"}"#
        );
        let back: OutcomeAnswer = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        // Unknown fields from a newer server are tolerated by clients.
        let newer: OutcomeAnswer = serde_json::from_str(
            r#"{"outcome":"valid","checked_at":"2026-11-21T05:40:00Z","future":1}"#,
        )
        .unwrap();
        assert_eq!(newer.outcome, Outcome::Valid);
        let ch: ChallengeAnswer = serde_json::from_str(
            r#"{"challenge":"abcdefabcdefabcdef","expires_at":"2026-11-21T05:45:00Z"}"#,
        )
        .unwrap();
        assert_eq!(ch.challenge, "abcdefabcdefabcdef");
    }
}
