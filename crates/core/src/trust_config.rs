//! The product's trust, from configuration only: the online window's TLS
//! anchors and the JPKI signing CAs of the local issuer check (manual
//! 2.2.11). Nothing is built in. The demo's trust never passes through here
//! (see [`crate::demo_mode`]).
//!
//! JPKI signing CA certificates are read from the settings' `signing_cas`
//! (or `--signing-ca`) and from the system folder [`signing_ca_dir`], where
//! an administrator puts the J-LIS certificates (`docs/admin-presets.md`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use madoguchi_pki::checks::KnownCa;

use crate::client::{Anchors, ClientConfig, ClientError, Trust};

/// Environment variable moving [`signing_ca_dir`] (tests, portable installs).
pub const SIGNING_CA_DIR_ENV: &str = "MADOGUCHI_SIGNING_CA_DIR";

/// The client configuration for a configured window: the anchors given
/// (none: the client refuses to connect, error 315), the proxy, timeouts.
pub fn client_config(
    server: Option<String>,
    anchors: &[PathBuf],
    proxy: Option<&str>,
    connect_timeout: u64,
    read_timeout: u64,
) -> Result<ClientConfig, ClientError> {
    let mut config = ClientConfig::new(server);
    let mut configured: Option<Anchors> = None;
    for path in anchors {
        let a = Anchors::from_file(path)?;
        configured = Some(match configured {
            None => a,
            Some(prev) => prev.merge(a),
        });
    }
    if let Some(a) = configured {
        config.trust = Trust::Anchors(a);
    }
    if let Some(p) = proxy {
        config.proxy = p.parse().map_err(ClientError::Proxy)?;
    }
    config.connect_timeout = Duration::from_secs(connect_timeout.max(1));
    config.read_timeout = Duration::from_secs(read_timeout.max(1));
    Ok(config)
}

/// A JPKI signing CA file that cannot be used (error 317).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("JPKI signing CA certificate {path}: {reason}")]
pub struct TrustConfigError {
    pub path: String,
    pub reason: String,
}

impl TrustConfigError {
    /// The entry number in `docs/errors.md`.
    pub fn catalogue_number(&self) -> u16 {
        317
    }
}

/// The system folder of JPKI signing CA certificates: `/etc/madoguchi/jpki-ca`,
/// `%ProgramData%\Madoguchi\jpki-ca`, `/Library/Application Support/Madoguchi/jpki-ca`
/// (or [`SIGNING_CA_DIR_ENV`]).
pub fn signing_ca_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(SIGNING_CA_DIR_ENV) {
        return (!d.is_empty()).then(|| PathBuf::from(d));
    }
    if cfg!(target_os = "windows") {
        std::env::var_os("ProgramData").map(|d| PathBuf::from(d).join("Madoguchi").join("jpki-ca"))
    } else if cfg!(target_os = "macos") {
        Some(PathBuf::from(
            "/Library/Application Support/Madoguchi/jpki-ca",
        ))
    } else {
        Some(PathBuf::from("/etc/madoguchi/jpki-ca"))
    }
}

/// The known JPKI signing CAs: every certificate file (`.der`, `.cer`,
/// `.crt`, `.pem`) of [`signing_ca_dir`], then `extra`. None at all is not an
/// error: the issuer is then left to the window.
pub fn signing_cas(extra: &[PathBuf]) -> Result<Vec<KnownCa>, TrustConfigError> {
    let mut files = Vec::new();
    if let Some(dir) = signing_ca_dir()
        && let Ok(entries) = std::fs::read_dir(&dir)
    {
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    ["der", "cer", "crt", "pem"].contains(&e.to_ascii_lowercase().as_str())
                })
            })
            .collect();
        found.sort();
        files.extend(found);
    }
    files.extend(extra.iter().cloned());
    let mut cas = Vec::new();
    for path in &files {
        cas.extend(read_cas(path)?);
    }
    Ok(cas)
}

fn read_cas(path: &Path) -> Result<Vec<KnownCa>, TrustConfigError> {
    let bad = |reason: String| TrustConfigError {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let anchors =
        Anchors::from_bytes(&bytes, &path.display().to_string()).map_err(|e| bad(e.to_string()))?;
    anchors
        .certificates()
        .map(|der| KnownCa::from_der(der).map_err(|e| bad(e.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        // The workspace's fixtures, two levels above this crate.
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(rel)
    }

    #[test]
    fn explicit_files_in_either_encoding() {
        let cas = read_cas(&fixture("pki/sign-ca.der")).unwrap();
        assert_eq!(cas.len(), 1);
        let cas = read_cas(&fixture("pki/sign-ca.pem")).unwrap();
        assert_eq!(cas.len(), 1);
        let e = read_cas(&fixture("cards/normal/card.toml")).unwrap_err();
        assert_eq!(e.catalogue_number(), 317);
        assert!(crate::errors::entry(317).is_some());
    }

    #[test]
    fn no_anchor_means_no_trust() {
        let c = client_config(Some("https://window.example".into()), &[], None, 10, 30).unwrap();
        assert!(matches!(c.trust, Trust::Nothing));
        let c = client_config(
            Some("https://window.example".into()),
            &[fixture("pki/tls-ca.pem")],
            Some("none"),
            10,
            30,
        )
        .unwrap();
        assert!(matches!(c.trust, Trust::Anchors(_)));
    }
}
