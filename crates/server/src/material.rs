//! Loading keys and certificates named by the configuration, and the X.509 checks the
//! server makes on a signer's certificate.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use const_oid::db::rfc5912;
use der::Decode;
use madoguchi_pki::x509::CertificateView;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{RsaPrivateKey, RsaPublicKey};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use x509_cert::Certificate;

/// A loading problem, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct MaterialError {
    /// The file.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

fn err(path: &Path, message: impl Into<String>) -> MaterialError {
    MaterialError {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Reads a certificate file, DER or PEM (first certificate).
pub fn read_certificate(path: &Path) -> Result<(Certificate, Vec<u8>), MaterialError> {
    let bytes = std::fs::read(path).map_err(|e| err(path, e.to_string()))?;
    let der = if bytes.starts_with(b"-----BEGIN") {
        CertificateDer::from_pem_slice(&bytes)
            .map_err(|e| err(path, format!("no PEM certificate: {e}")))?
            .to_vec()
    } else {
        bytes
    };
    let cert =
        Certificate::from_der(&der).map_err(|e| err(path, format!("not a certificate: {e}")))?;
    Ok((cert, der))
}

/// Refuses a private key file that its group or others may read (or write): such a key must
/// be taken as known to others. The message says what to run.
pub fn check_private_key_mode(key: &str, path: &Path) -> Result<(), MaterialError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|e| err(path, e.to_string()))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(err(
                path,
                format!(
                    "the key named by `{key}` can be read by its group or by others \
                     (mode {mode:04o}); the window refuses to use it. Make it readable by the \
                     window's user only: chmod 600 {}",
                    path.display()
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (key, path);
    Ok(())
}

/// Most bytes a challenge key file may hold (hex digits, after trimming).
const CHALLENGE_KEY_MAX_HEX: usize = 1024;

/// Reads one challenge key file: 64 or more hex digits (32 or more random bytes, e.g.
/// `openssl rand -hex 32`), surrounding whitespace ignored, owner-only mode.
pub fn read_challenge_key(key: &str, path: &Path) -> Result<Vec<u8>, MaterialError> {
    check_private_key_mode(key, path)?;
    let text = std::fs::read(path).map_err(|e| err(path, e.to_string()))?;
    let hex_digits = text.trim_ascii();
    let why = format!(
        "`{key}`: a challenge key file holds 64 to {CHALLENGE_KEY_MAX_HEX} hex digits \
         (32 or more random bytes), for example made with `openssl rand -hex 32`"
    );
    if hex_digits.len() < 64 || hex_digits.len() > CHALLENGE_KEY_MAX_HEX {
        return Err(err(path, why));
    }
    hex::decode(hex_digits).map_err(|_| err(path, why))
}

/// The configured challenge keys, or `None` when the configuration names none (the window
/// then uses the database's key). Every file is checked like a private key.
pub fn read_challenge_keys(
    config: &crate::config::Config,
) -> Result<Option<crate::challenge::ChallengeKeys>, MaterialError> {
    let Some(paths) = &config.challenge_keys else {
        return Ok(None);
    };
    let current = read_challenge_key("challenge_keys.current", &paths.current)?;
    let previous = paths
        .previous
        .iter()
        .enumerate()
        .map(|(i, p)| read_challenge_key(&format!("challenge_keys.previous[{i}]"), p))
        .collect::<Result<Vec<_>, _>>()?;
    let previous: Vec<&[u8]> = previous.iter().map(Vec::as_slice).collect();
    Ok(Some(crate::challenge::ChallengeKeys::with_previous(
        &current, &previous,
    )))
}

/// Reads a PKCS#8 PEM RSA private key.
pub fn read_rsa_private_key(path: &Path) -> Result<RsaPrivateKey, MaterialError> {
    let text = std::fs::read_to_string(path).map_err(|e| err(path, e.to_string()))?;
    RsaPrivateKey::from_pkcs8_pem(&text)
        .map_err(|e| err(path, format!("not a PKCS#8 PEM RSA private key: {e}")))
}

/// A signing CA the window accepts.
#[derive(Clone, Debug)]
pub struct TrustedCa {
    /// The CA certificate.
    pub certificate: Certificate,
    /// Its public key.
    pub key: RsaPublicKey,
    /// Its subject, RFC 4514.
    pub name: String,
    /// Its subject, DER as in its certificate: what its certificates' issuer name is, byte
    /// for byte.
    pub subject_der: Vec<u8>,
    /// Its key as PKCS#1 DER (the subjectPublicKey bits).
    pub public_key_pkcs1: Vec<u8>,
    /// The addressee its holders' documents carry (a function of the issuer name), learnt
    /// from the first of its certificates read in full.
    pub addressee: Arc<std::sync::OnceLock<String>>,
    /// Its key, parsed once for the certificate signature every request carries.
    pub verifier: CaVerifier,
}

/// A CA's public key parsed once (aws-lc-rs keeps the modulus' Montgomery constants with
/// it), so that checking a holder certificate does not set the key up again each time.
#[derive(Clone)]
pub struct CaVerifier(Arc<aws_lc_rs::signature::ParsedPublicKey>);

impl std::fmt::Debug for CaVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CaVerifier(RSA PKCS#1 v1.5 SHA-256)")
    }
}

impl TrustedCa {
    /// Loads a CA certificate file.
    pub fn load(path: &Path) -> Result<TrustedCa, MaterialError> {
        let (certificate, der) = read_certificate(path)?;
        let key = madoguchi_pki::cms::rsa_key(&certificate)
            .map_err(|_| err(path, "the CA key is not a usable RSA key"))?;
        let name = certificate.tbs_certificate.subject.to_string();
        // As the CA's certificate carries it (what its holders' certificates copy), not as
        // x509-cert would encode it again.
        let subject_der = CertificateView::from_der(&der)
            .map_err(|e| err(path, e.to_string()))?
            .subject_der()
            .to_vec();
        let public_key_pkcs1 = certificate
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| err(path, "the CA key is not a usable RSA key"))?
            .to_vec();
        let verifier = aws_lc_rs::signature::ParsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            &public_key_pkcs1,
        )
        .map_err(|_| err(path, "the CA key is not a usable RSA key"))?;
        Ok(TrustedCa {
            certificate,
            key,
            name,
            subject_der,
            public_key_pkcs1,
            addressee: Arc::default(),
            verifier: CaVerifier(Arc::new(verifier)),
        })
    }
}

/// Why a signer certificate is not acceptable, in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateProblem {
    /// No configured CA has the certificate's issuer name (manual 2.2.11 / 3.1.10).
    UnknownIssuer,
    /// The issuer name matches, but no such CA's signature verifies (2.2.12 / 3.2.11).
    BadSignature,
    /// Not valid yet (2.2.12 / 3.2.11: the certificate cannot be verified).
    NotYetValid,
    /// Expired (2.2.9 / 3.2.9).
    Expired,
}

/// Verifies an RSA PKCS#1 v1.5 SHA-256 signature over `message` with a PKCS#1 DER public
/// key (2048–8192 bits), with aws-lc-rs: every request costs two of these, and aws-lc-rs
/// takes about 80 % of ring's instructions for one (and ring a tenth of the `rsa` crate's
/// time; docs/benchmarks.md).
pub fn verify_sha256_rsa_pkcs1(public_key_pkcs1: &[u8], message: &[u8], signature: &[u8]) -> bool {
    aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        public_key_pkcs1,
    )
    .verify(message, signature)
    .is_ok()
}

/// Verifies a signature over DER `tbs` made with sha256WithRSAEncryption by `ca` (its key
/// parsed once).
pub fn verify_sha256_rsa(ca: &TrustedCa, tbs: &[u8], signature: &[u8]) -> bool {
    ca.verifier.0.verify_sig(tbs, signature).is_ok()
}

fn signed_by(cert: &CertificateView<'_>, ca: &TrustedCa) -> bool {
    if cert.signature_algorithm().oid != rfc5912::SHA_256_WITH_RSA_ENCRYPTION
        || cert.tbs_signature_algorithm().oid != rfc5912::SHA_256_WITH_RSA_ENCRYPTION
    {
        return false;
    }
    let Some(sig) = cert.signature().as_bytes() else {
        return false;
    };
    // The signed bytes as sent, not encoded again.
    verify_sha256_rsa(ca, cert.tbs_der(), sig)
}

/// Runs the certificate checks in their fixed order: issuer name, CA signature, validity.
///
/// The issuer is a configured CA when its name is that CA's subject byte for byte (a name
/// whose SET OF elements came in another order than the CA's is another name here).
pub fn check_certificate(
    cert: &CertificateView<'_>,
    cas: &[TrustedCa],
    now: SystemTime,
) -> Result<(), CertificateProblem> {
    let mut candidates = cas
        .iter()
        .filter(|ca| ca.subject_der == cert.issuer_der())
        .peekable();
    if candidates.peek().is_none() {
        return Err(CertificateProblem::UnknownIssuer);
    }
    if !candidates.any(|ca| signed_by(cert, ca)) {
        return Err(CertificateProblem::BadSignature);
    }
    let v = cert.validity();
    if now < v.not_before.to_system_time() {
        return Err(CertificateProblem::NotYetValid);
    }
    if now > v.not_after.to_system_time() {
        return Err(CertificateProblem::Expired);
    }
    Ok(())
}

/// The CRL signer: its CA certificate and key.
#[derive(Clone, Debug)]
pub struct CrlSigner {
    /// The CA certificate.
    pub certificate: Certificate,
    /// The private key.
    pub key: RsaPrivateKey,
}

impl CrlSigner {
    /// Loads and checks that the key belongs to the certificate.
    pub fn load(certificate: &Path, private_key: &Path) -> Result<CrlSigner, MaterialError> {
        let (cert, _) = read_certificate(certificate)?;
        let key = read_rsa_private_key(private_key)?;
        let cert_key = madoguchi_pki::cms::rsa_key(&cert)
            .map_err(|_| err(certificate, "the CA key is not a usable RSA key"))?;
        if cert_key != key.to_public_key() {
            return Err(err(
                private_key,
                "this key does not belong to the crl_signer certificate",
            ));
        }
        Ok(CrlSigner {
            certificate: cert,
            key,
        })
    }
}

/// Builds the rustls server configuration: TLS 1.2 and 1.3 only, the `ring` provider, ALPN
/// h2 and http/1.1.
pub fn tls_server_config(
    chain_path: &Path,
    key_path: &Path,
) -> Result<Arc<rustls::ServerConfig>, MaterialError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(chain_path)
        .map_err(|e| err(chain_path, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| err(chain_path, format!("bad PEM: {e}")))?;
    if chain.is_empty() {
        return Err(err(chain_path, "no certificate in the PEM file"));
    }
    let key = PrivateKeyDer::from_pem_file(key_path)
        .map_err(|e| err(key_path, format!("no PEM private key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| err(chain_path, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| err(key_path, format!("certificate and key do not fit: {e}")))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    // Stateless session tickets (keys random per process, rotated every 6 hours): a resident
    // whose connection closed while they entered the password and signed comes back with a
    // resumed handshake, without the certificate signature that is most of a full one
    // (docs/benchmarks.md, "TLS handshakes"). Behind a balancer, a ticket from another
    // instance is simply not accepted and the handshake is a full one.
    config.ticketer = rustls::crypto::ring::Ticketer::new()
        .map_err(|e| err(chain_path, format!("session tickets: {e}")))?;
    Ok(Arc::new(config))
}

/// A rustls client configuration trusting exactly the given CA certificate files (PEM or
/// DER), TLS 1.2+ with `ring`: for tests, the load generator and the demo.
pub fn tls_client_config(ca_paths: &[&Path]) -> Result<rustls::ClientConfig, MaterialError> {
    let mut roots = rustls::RootCertStore::empty();
    for p in ca_paths {
        let (_, der) = read_certificate(p)?;
        roots
            .add(CertificateDer::from(der))
            .map_err(|e| err(p, e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| err(Path::new("tls"), e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
