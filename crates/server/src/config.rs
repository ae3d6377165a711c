//! The server's TOML configuration.
//!
//! ```toml
//! listen = "127.0.0.1:8443"
//! tls_certificate = "server.pem"        # PEM chain, leaf first
//! tls_key = "server-key.pem"            # PKCS#8 PEM
//! signing_cas = ["sign-ca.der"]         # accepted JPKI signing CA certificates, DER or PEM
//! database = "madoguchi.db"             # SQLite file (created if missing), or
//! # database = "postgresql://madoguchi@db.example:5432/madoguchi"  # shared by N instances
//!
//! [challenge_keys]                      # optional; see below
//! current = "challenge-2.key"           # 64+ hex digits (32+ random bytes), mode 0600
//! previous = ["challenge-1.key"]        # still accepted, no longer used to issue
//!
//! [crl_signer]                          # optional; needed by `crl issue`
//! certificate = "sign-ca.der"
//! private_key = "sign-ca-key.pem"
//!
//! [limits]                              # optional; these are the defaults
//! max_body_bytes = 65536
//! read_timeout_secs = 10
//! write_timeout_secs = 10
//! max_concurrent_requests = 128
//! max_connections = 1024
//! max_connections_per_client = 64
//! per_client_requests_per_sec = 20
//! per_client_burst = 60
//! retry_after_secs = 5
//! max_commit_batch = 512
//! ```
//!
//! `[challenge_keys]` holds the HMAC keys that make challenges verifiable by every instance.
//! Without it the window uses a key kept in the database (made by the first instance).
//!
//! A client is an IPv4 address or an IPv6 /64. Behind a load balancer that does not keep the
//! client's address (a TCP proxy without PROXY protocol, an HTTP proxy), every request comes
//! from the balancer: raise the per-client limits there, or limit at the balancer.
//!
//! Relative paths resolve against the folder of the configuration file. Unknown keys are
//! errors.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// A configuration problem, worded for the operator.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not TOML, unknown key, wrong type, missing key.
    #[error("configuration file {path} is invalid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// toml's message (names the key and line).
        message: String,
    },
    /// A file named by a key does not exist.
    #[error("`{key}` names {path}, which does not exist")]
    MissingFile {
        /// The key.
        key: String,
        /// The resolved path.
        path: PathBuf,
    },
    /// Some other value is wrong.
    #[error("`{key}`: {message}")]
    Value {
        /// The key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Limits, with defaults.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body accepted (bytes); larger → 413 `malformed_request`.
    pub max_body_bytes: usize,
    /// Time allowed to receive the request headers, and the whole body, and between two reads
    /// on the connection (seconds).
    pub read_timeout_secs: u64,
    /// Time allowed for a write to the connection to make progress (seconds).
    pub write_timeout_secs: u64,
    /// Requests processed at once; more are answered `busy` (503, Retry-After) at once.
    pub max_concurrent_requests: usize,
    /// Open connections; further connections wait in the listen backlog.
    pub max_connections: usize,
    /// Open connections from one client; beyond that its new connections are closed at once.
    pub max_connections_per_client: usize,
    /// Requests per second one client may make in the long run (every endpoint but
    /// `/healthz`); beyond that it is answered `busy` with the wait in Retry-After.
    pub per_client_requests_per_sec: u32,
    /// Requests one client may make at once after a quiet spell.
    pub per_client_burst: u32,
    /// The Retry-After value sent with `busy`.
    pub retry_after_secs: u32,
    /// Accepted for old configuration files and ignored: challenges are stateless now and
    /// cost no memory.
    pub max_outstanding_challenges: usize,
    /// Most submissions written in one transaction (group commit).
    pub max_commit_batch: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024,
            read_timeout_secs: 10,
            write_timeout_secs: 10,
            max_concurrent_requests: 128,
            max_connections: 1024,
            max_connections_per_client: 64,
            per_client_requests_per_sec: 20,
            per_client_burst: 60,
            retry_after_secs: 5,
            max_outstanding_challenges: 100_000,
            max_commit_batch: 512,
        }
    }
}

impl Limits {
    /// Read timeout as a duration.
    pub fn read_timeout(&self) -> Duration {
        Duration::from_secs(self.read_timeout_secs)
    }
    /// Write timeout as a duration.
    pub fn write_timeout(&self) -> Duration {
        Duration::from_secs(self.write_timeout_secs)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: String,
    tls_certificate: PathBuf,
    tls_key: PathBuf,
    signing_cas: Vec<PathBuf>,
    #[serde(default = "default_database")]
    database: String,
    crl_signer: Option<RawCrlSigner>,
    challenge_keys: Option<RawChallengeKeys>,
    #[serde(default)]
    limits: Limits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChallengeKeys {
    current: PathBuf,
    #[serde(default)]
    previous: Vec<PathBuf>,
}

/// The challenge key files: the current key issues and verifies, the previous ones only
/// verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeKeyPaths {
    /// The key new challenges are made with.
    pub current: PathBuf,
    /// Keys whose challenges are still accepted.
    pub previous: Vec<PathBuf>,
}

fn default_database() -> String {
    "madoguchi.db".into()
}

/// Where the records live.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (the embedded default).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, `postgresql://user[:password]@host:port/dbname`.
    Postgres(String),
}

impl Database {
    /// For messages: the file, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(p) => p.display().to_string(),
            Database::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let user = &url[s + 3..at];
                    let user = user.split(':').next().unwrap_or("");
                    format!("{}{user}@{}", &url[..s + 3], &url[at + 1..])
                }
                _ => url.clone(),
            },
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never a password in logs or panics.
        write!(f, "Database({})", self.describe())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrlSigner {
    certificate: PathBuf,
    private_key: PathBuf,
}

/// The CRL signer's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlSignerPaths {
    /// CA certificate (DER or PEM).
    pub certificate: PathBuf,
    /// PKCS#8 PEM private key.
    pub private_key: PathBuf,
}

/// A checked configuration with absolute paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// PEM certificate chain.
    pub tls_certificate: PathBuf,
    /// PEM PKCS#8 key.
    pub tls_key: PathBuf,
    /// Accepted signing CAs.
    pub signing_cas: Vec<PathBuf>,
    /// The database.
    pub database: Database,
    /// Optional CRL signer.
    pub crl_signer: Option<CrlSignerPaths>,
    /// Challenge keys; `None`: the database's key.
    pub challenge_keys: Option<ChallengeKeyPaths>,
    /// Limits.
    pub limits: Limits,
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let base = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        };
        Config::from_toml(&text, &base).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.to_owned(),
                message,
            },
            other => other,
        })
    }

    /// Parses configuration text whose relative paths resolve against `base`.
    pub fn from_toml(text: &str, base: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::new(),
            message: e.to_string(),
        })?;
        let listen: SocketAddr = raw.listen.parse().map_err(|_| ConfigError::Value {
            key: "listen".into(),
            message: format!(
                "`{}` is not an address and port such as 127.0.0.1:8443",
                raw.listen
            ),
        })?;
        let existing = |key: &str, p: &Path| -> Result<PathBuf, ConfigError> {
            let full = base.join(p);
            if full.is_file() {
                Ok(full)
            } else {
                Err(ConfigError::MissingFile {
                    key: key.to_owned(),
                    path: full,
                })
            }
        };
        let tls_certificate = existing("tls_certificate", &raw.tls_certificate)?;
        let tls_key = existing("tls_key", &raw.tls_key)?;
        if raw.signing_cas.is_empty() {
            return Err(ConfigError::Value {
                key: "signing_cas".into(),
                message: "at least one signing CA certificate is needed".into(),
            });
        }
        let signing_cas = raw
            .signing_cas
            .iter()
            .enumerate()
            .map(|(i, p)| existing(&format!("signing_cas[{i}]"), p))
            .collect::<Result<Vec<_>, _>>()?;
        let database = if crate::pg::is_postgres_url(&raw.database) {
            Database::Postgres(raw.database.clone())
        } else {
            let database = base.join(&raw.database);
            match database.parent() {
                Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
                    return Err(ConfigError::MissingFile {
                        key: "database (its folder)".into(),
                        path: dir.to_owned(),
                    });
                }
                _ => {}
            }
            Database::Sqlite(database)
        };
        let crl_signer = match raw.crl_signer {
            None => None,
            Some(s) => Some(CrlSignerPaths {
                certificate: existing("crl_signer.certificate", &s.certificate)?,
                private_key: existing("crl_signer.private_key", &s.private_key)?,
            }),
        };
        let challenge_keys = match raw.challenge_keys {
            None => None,
            Some(k) => Some(ChallengeKeyPaths {
                current: existing("challenge_keys.current", &k.current)?,
                previous: k
                    .previous
                    .iter()
                    .enumerate()
                    .map(|(i, p)| existing(&format!("challenge_keys.previous[{i}]"), p))
                    .collect::<Result<Vec<_>, _>>()?,
            }),
        };
        let l = &raw.limits;
        for (key, zero) in [
            ("limits.max_body_bytes", l.max_body_bytes == 0),
            ("limits.read_timeout_secs", l.read_timeout_secs == 0),
            ("limits.write_timeout_secs", l.write_timeout_secs == 0),
            (
                "limits.max_concurrent_requests",
                l.max_concurrent_requests == 0,
            ),
            ("limits.max_connections", l.max_connections == 0),
            (
                "limits.max_connections_per_client",
                l.max_connections_per_client == 0,
            ),
            (
                "limits.per_client_requests_per_sec",
                l.per_client_requests_per_sec == 0,
            ),
            ("limits.per_client_burst", l.per_client_burst == 0),
            ("limits.max_commit_batch", l.max_commit_batch == 0),
        ] {
            if zero {
                return Err(ConfigError::Value {
                    key: key.into(),
                    message: "must be greater than 0".into(),
                });
            }
        }
        Ok(Config {
            listen,
            tls_certificate,
            tls_key,
            signing_cas,
            database,
            crl_signer,
            challenge_keys,
            limits: raw.limits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with_files() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for f in [
            "server.pem",
            "server-key.pem",
            "sign-ca.der",
            "sign-ca-key.pem",
        ] {
            std::fs::write(d.path().join(f), b"x").unwrap();
        }
        d
    }

    const GOOD: &str = r#"
listen = "127.0.0.1:8443"
tls_certificate = "server.pem"
tls_key = "server-key.pem"
signing_cas = ["sign-ca.der"]
database = "madoguchi.db"
[crl_signer]
certificate = "sign-ca.der"
private_key = "sign-ca-key.pem"
"#;

    #[test]
    fn relative_paths_resolve_against_the_file_folder() {
        let d = dir_with_files();
        let path = d.path().join("server.toml");
        std::fs::write(&path, GOOD).unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.tls_certificate, d.path().join("server.pem"));
        assert_eq!(c.signing_cas, vec![d.path().join("sign-ca.der")]);
        assert_eq!(c.database, Database::Sqlite(d.path().join("madoguchi.db")));
        let pg = Config::from_toml(
            &GOOD.replace(
                "database = \"madoguchi.db\"",
                "database = \"postgresql://win:s3cret@db.example:5432/madoguchi\"",
            ),
            d.path(),
        )
        .unwrap();
        assert_eq!(
            pg.database,
            Database::Postgres("postgresql://win:s3cret@db.example:5432/madoguchi".into())
        );
        assert_eq!(
            pg.database.describe(),
            "postgresql://win@db.example:5432/madoguchi"
        );
        assert!(!format!("{pg:?}").contains("s3cret"));
        assert_eq!(
            c.crl_signer.unwrap().private_key,
            d.path().join("sign-ca-key.pem")
        );
        assert_eq!(c.limits, Limits::default());
        assert_eq!(c.listen.port(), 8443);
    }

    #[test]
    fn challenge_keys_are_optional_and_resolved() {
        let d = dir_with_files();
        assert_eq!(
            Config::from_toml(GOOD, d.path()).unwrap().challenge_keys,
            None
        );
        for f in ["k2", "k1"] {
            std::fs::write(d.path().join(f), b"x").unwrap();
        }
        let with = |table: &str| {
            Config::from_toml(
                &GOOD.replace("[crl_signer]", &format!("{table}\n[crl_signer]")),
                d.path(),
            )
        };
        let c = with("[challenge_keys]\ncurrent = \"k2\"\nprevious = [\"k1\"]").unwrap();
        assert_eq!(
            c.challenge_keys,
            Some(ChallengeKeyPaths {
                current: d.path().join("k2"),
                previous: vec![d.path().join("k1")],
            })
        );
        let c = with("[challenge_keys]\ncurrent = \"k2\"").unwrap();
        assert_eq!(c.challenge_keys.unwrap().previous, Vec::<PathBuf>::new());
        let e = with("[challenge_keys]\ncurrent = \"k2\"\nprevious = [\"k0\"]").unwrap_err();
        assert!(e.to_string().contains("challenge_keys.previous[0]"), "{e}");
        let e = with("[challenge_keys]\nprevious = [\"k1\"]").unwrap_err();
        assert!(e.to_string().contains("current"), "{e}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let d = dir_with_files();
        let e = Config::from_toml(&format!("{GOOD}\nextra = 1\n"), d.path()).unwrap_err();
        assert!(e.to_string().contains("extra"), "{e}");
        let e = Config::from_toml(
            &GOOD.replace("[crl_signer]", "[limits]\nmax_body = 1\n[crl_signer]"),
            d.path(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("max_body"), "{e}");
    }

    #[test]
    fn missing_files_are_named() {
        let d = dir_with_files();
        std::fs::remove_file(d.path().join("server-key.pem")).unwrap();
        let e = Config::from_toml(GOOD, d.path()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("tls_key") && msg.contains("server-key.pem"),
            "{msg}"
        );
        let e = Config::load(&d.path().join("nope.toml")).unwrap_err();
        assert!(e.to_string().contains("nope.toml"));
    }

    #[test]
    fn limits_and_values() {
        let d = dir_with_files();
        let c = Config::from_toml(
            &format!("{GOOD}\n[limits]\nmax_body_bytes = 1000\nmax_concurrent_requests = 2\n"),
            d.path(),
        )
        .unwrap();
        assert_eq!(c.limits.max_body_bytes, 1000);
        assert_eq!(c.limits.max_concurrent_requests, 2);
        assert_eq!(c.limits.read_timeout_secs, 10);
        let e =
            Config::from_toml(&GOOD.replace("127.0.0.1:8443", "localhost"), d.path()).unwrap_err();
        assert!(e.to_string().contains("listen"));
        let e = Config::from_toml(
            &format!("{GOOD}\n[limits]\nmax_connections = 0\n"),
            d.path(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("max_connections"));
        let e = Config::from_toml(
            &GOOD.replace("signing_cas = [\"sign-ca.der\"]", "signing_cas = []"),
            d.path(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("signing_cas"));
        let e = Config::from_toml(&GOOD.replace("listen = \"127.0.0.1:8443\"\n", ""), d.path())
            .unwrap_err();
        assert!(e.to_string().contains("listen"), "{e}");
    }
}
