//! The online window's identity as its TLS certificate states it: the
//! manual's "鍵マーク / 証明書の表示" (2.1.1, 3.1.1).

use madoguchi_pki::SigningCertificate;
use serde::Serialize;
use time::OffsetDateTime;

/// What the server's certificate says about the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerIdentity {
    /// The address the client connected to.
    pub url: String,
    /// Subject of the server certificate (`C=JP, O=…, CN=…`).
    pub subject: String,
    /// Issuer of the server certificate.
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    /// Validity, RFC 3339.
    pub not_before: String,
    pub not_after: String,
    /// SHA-256 fingerprint of the certificate, `AB:CD:…`.
    pub sha256_fingerprint: String,
    /// TLS version negotiated, when known (`TLSv1.3`).
    pub tls_version: Option<String>,
}

impl ServerIdentity {
    /// Read the identity from the server's leaf certificate (DER).
    pub fn from_certificate(
        url: &str,
        der: &[u8],
        tls_version: Option<String>,
    ) -> Option<ServerIdentity> {
        let cert = SigningCertificate::from_der(der).ok()?;
        Some(ServerIdentity {
            url: url.to_owned(),
            subject: cert.subject().to_owned(),
            issuer: cert.issuer().to_owned(),
            serial: cert.serial_hex().to_owned(),
            not_before: rfc3339(cert.not_before()),
            not_after: rfc3339(cert.not_after()),
            sha256_fingerprint: colon_hex(&cert.sha256_fingerprint()),
            tls_version,
        })
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    madoguchi_pki::request::format_time(t)
}

/// `AB:CD:…` of some bytes.
pub fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}
