//! What can go wrong between Madoguchi and the online window, each failure
//! tied to a numbered entry of the error catalogue (3xx).

use std::error::Error as StdError;

/// Where a request was when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Before anything reached the server (configuration, connection, TLS).
    NotSent,
    /// The request may have reached the server; its answer is unknown.
    MaybeSent,
}

/// A failure of the client. `Clone` so one configuration problem can be
/// reported to every job that needed the client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// No server address is configured.
    #[error("no online window address is configured")]
    NoServer,
    /// The server address is not a valid URL.
    #[error("the online window address is not valid: {0}")]
    BadUrl(String),
    /// The address is not `https://`: refused before connecting.
    #[error("the online window address is not HTTPS: {0}")]
    NotHttps(String),
    /// A window is configured but no anchor to trust its certificate: refused
    /// before connecting (nothing is trusted by default).
    #[error("no trust anchor is configured for the online window")]
    NoAnchor,
    /// The demo's trust was offered for an address that is not this
    /// machine's loopback: refused before connecting.
    #[error("the demo's certificate authority is trusted only for 127.0.0.1 and ::1, not {0}")]
    DemoTrustElsewhere(String),
    /// A trust anchor file could not be read or holds no certificate.
    #[error("trust anchor {path}: {reason}")]
    Anchor { path: String, reason: String },
    /// The proxy setting is not usable, or the proxy refused.
    #[error("proxy: {0}")]
    Proxy(String),
    /// No connection (name not found, refused, unreachable).
    #[error("cannot connect to the online window: {0}")]
    Connect(String),
    /// No answer in time.
    #[error("the online window did not answer in time ({phase:?})")]
    Timeout { phase: Phase },
    /// The server's certificate does not chain to a configured anchor.
    #[error("the server certificate is not trusted: {0}")]
    Untrusted(String),
    /// The server's certificate has expired (or is not valid yet).
    #[error("the server certificate has expired or is not yet valid")]
    ServerCertificateExpired,
    /// The server's certificate is for another host name.
    #[error("the server certificate is for another host name")]
    WrongHost,
    /// Another TLS failure (protocol version, handshake).
    #[error("TLS failure: {0}")]
    Tls(String),
    /// The connection broke after the request was sent, also after the
    /// allowed resends of the same bytes.
    #[error("the connection was lost after sending: {0}")]
    LostAfterSending(String),
    /// The server answered something that is not the protocol.
    #[error("unexpected answer from the online window (HTTP {status}): {detail}")]
    UnexpectedAnswer { status: u16, detail: String },
    /// The answer grew past the cap while it streamed in (no answer of the
    /// protocol comes near it); the rest was not read.
    #[error("the online window's answer is larger than {limit} bytes; it was cut off")]
    AnswerTooLarge { limit: usize },
    /// The whole request (connecting, sending, every read of the answer)
    /// took longer than its deadline, however steadily bytes arrived.
    #[error("the online window did not finish answering within {seconds} s")]
    Deadline { seconds: u64 },
}

impl ClientError {
    /// The entry number in `docs/errors.md`.
    pub fn catalogue_number(&self) -> u16 {
        match self {
            ClientError::Connect(_) => 301,
            ClientError::Timeout { .. } => 302,
            ClientError::AnswerTooLarge { .. } => 313,
            ClientError::Deadline { .. } => 314,
            ClientError::Untrusted(_) => 303,
            ClientError::ServerCertificateExpired => 304,
            ClientError::WrongHost => 305,
            ClientError::NotHttps(_) => 306,
            ClientError::Tls(_) => 307,
            ClientError::Proxy(_) => 308,
            ClientError::LostAfterSending(_) => 309,
            ClientError::UnexpectedAnswer { .. } => 310,
            ClientError::NoServer | ClientError::BadUrl(_) => 311,
            ClientError::Anchor { .. } => 312,
            ClientError::NoAnchor => 315,
            ClientError::DemoTrustElsewhere(_) => 316,
        }
    }

    /// Whether the request may have reached the server.
    pub fn phase(&self) -> Phase {
        match self {
            ClientError::LostAfterSending(_)
            | ClientError::UnexpectedAnswer { .. }
            | ClientError::AnswerTooLarge { .. }
            | ClientError::Deadline { .. } => Phase::MaybeSent,
            ClientError::Timeout { phase } => *phase,
            _ => Phase::NotSent,
        }
    }

    /// A limit of the client cut the exchange off: sending the same bytes
    /// again would meet the same answer.
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            ClientError::AnswerTooLarge { .. } | ClientError::Deadline { .. }
        )
    }

    /// Classify a reqwest failure. `sent` tells whether the request could
    /// have left (anything after the connection was made).
    pub(crate) fn from_reqwest(e: &reqwest::Error) -> ClientError {
        if let Some(tls) = find_rustls(e) {
            return from_rustls(tls);
        }
        let text = chain_text(e);
        if e.is_timeout() {
            let phase = if e.is_connect() {
                Phase::NotSent
            } else {
                Phase::MaybeSent
            };
            return ClientError::Timeout { phase };
        }
        if e.is_connect() {
            if text.to_ascii_lowercase().contains("proxy") {
                return ClientError::Proxy(text);
            }
            return ClientError::Connect(text);
        }
        if e.is_builder() {
            return ClientError::BadUrl(text);
        }
        ClientError::LostAfterSending(text)
    }
}

fn from_rustls(e: &rustls::Error) -> ClientError {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::Expired
            | C::ExpiredContext { .. }
            | C::NotValidYet
            | C::NotValidYetContext { .. } => ClientError::ServerCertificateExpired,
            C::NotValidForName | C::NotValidForNameContext { .. } => ClientError::WrongHost,
            other => ClientError::Untrusted(format!("{other:?}")),
        },
        other => ClientError::Tls(other.to_string()),
    }
}

/// The rustls error somewhere in the chain. `io::Error::source()` skips the
/// error it wraps, so wrapped errors are looked at through `get_ref`.
fn find_rustls<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(e);
    let mut depth = 0;
    while let Some(err) = current {
        depth += 1;
        if depth > 32 {
            return None;
        }
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            if let Some(t) = inner.downcast_ref::<rustls::Error>() {
                return Some(t);
            }
            if let Some(t) = find_rustls(inner) {
                return Some(t);
            }
        }
        current = err.source();
    }
    None
}

/// The messages of an error chain, joined.
fn chain_text(e: &(dyn StdError + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = current {
        let s = err.to_string();
        if parts.last() != Some(&s) {
            parts.push(s);
        }
        if parts.len() > 8 {
            break;
        }
        current = err.source();
    }
    parts.join(": ")
}
