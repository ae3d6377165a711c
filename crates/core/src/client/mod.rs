//! The online window client (protocol in `docs/protocol.md`): HTTPS only,
//! rustls with the `ring` provider, TLS 1.2+, trusting **only** what
//! [`Trust`] says: the anchors an administrator configured, or (demo mode)
//! the demo window's own CA for a loopback address. Nothing is trusted by
//! default: a window without an anchor is refused before any connection.
//!
//! - [`Client::challenge`]: `POST /v1/challenges`.
//! - [`Client::submit`]: `POST /v1/revocations` or `/v1/validity-checks`
//!   with the signed request (CMS, DER). A connection lost after the request
//!   may have left is answered by sending the **same bytes** again (the
//!   window answers a repeated request with the same answer and keeps one
//!   record), at most [`ClientConfig::resends`] times, a second or more
//!   apart; a new signature is never made here.
//! - `busy` answers carry Retry-After; [`BusyPolicy`] bounds how long the
//!   caller waits (the procedure engine shows the wait).
//! - [`Client::identity`]: the server's certificate (subject, issuer,
//!   fingerprint, validity), also captured from every answer.
//!
//! The client is async (reqwest); the engine's executor runs it on its own
//! tokio runtime.

mod error;
mod identity;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use madoguchi_demo::DemoTrust;
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::{self, ChallengeAnswer, Outcome, OutcomeAnswer};
use reqwest::Url;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

pub use error::{ClientError, Phase};
pub use identity::{ServerIdentity, colon_hex};

/// Environment variable naming the online window when `--server` is absent.
pub const SERVER_ENV: &str = "MADOGUCHI_SERVER";

/// The certificates the client trusts for the online window.
#[derive(Clone, Debug)]
pub struct Anchors {
    certs: Vec<CertificateDer<'static>>,
    source: String,
}

impl Anchors {
    /// Anchors from a PEM (one or more certificates) or DER file.
    pub fn from_file(path: &Path) -> Result<Anchors, ClientError> {
        let bytes = std::fs::read(path).map_err(|e| ClientError::Anchor {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Anchors::from_bytes(&bytes, &path.display().to_string())
    }

    /// Anchors from PEM or DER bytes; `source` names them in errors.
    pub fn from_bytes(bytes: &[u8], source: &str) -> Result<Anchors, ClientError> {
        let bad = |reason: &str| ClientError::Anchor {
            path: source.to_owned(),
            reason: reason.to_owned(),
        };
        let mut certs: Vec<CertificateDer<'static>> = Vec::new();
        for c in CertificateDer::pem_slice_iter(bytes) {
            certs.push(c.map_err(|e| bad(&format!("bad PEM: {e}")))?);
        }
        if certs.is_empty() && bytes.first() == Some(&0x30) {
            certs.push(CertificateDer::from(bytes.to_vec()));
        }
        if certs.is_empty() {
            return Err(bad("no certificate in the file"));
        }
        for c in &certs {
            madoguchi_pki::SigningCertificate::from_der(c)
                .map_err(|e| bad(&format!("not a certificate: {e}")))?;
        }
        Ok(Anchors {
            certs,
            source: source.to_owned(),
        })
    }

    /// Both sets of anchors.
    pub fn merge(mut self, other: Anchors) -> Anchors {
        self.certs.extend(other.certs);
        self.source = format!("{}, {}", self.source, other.source);
        self
    }

    /// The certificates (DER).
    pub fn certificates(&self) -> impl Iterator<Item = &[u8]> {
        self.certs.iter().map(|c| c.as_ref())
    }

    /// Number of certificates.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Where they came from (the paths).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The anchors' subjects, for display.
    pub fn subjects(&self) -> Vec<String> {
        self.certs
            .iter()
            .filter_map(|c| madoguchi_pki::SigningCertificate::from_der(c).ok())
            .map(|c| c.subject().to_owned())
            .collect()
    }
}

/// What the client trusts for the online window's TLS certificate.
#[derive(Clone, Debug, Default)]
pub enum Trust {
    /// Nothing is configured: the client refuses to connect
    /// ([`ClientError::NoAnchor`]).
    #[default]
    Nothing,
    /// The anchors an administrator configured (`anchor` in the settings,
    /// `--anchor` on the command line).
    Anchors(Anchors),
    /// The demo window's own CA; only for a loopback address
    /// ([`ClientError::DemoTrustElsewhere`] otherwise).
    Demo(DemoTrust),
}

impl Trust {
    /// Where the trust comes from, for display.
    pub fn source(&self) -> String {
        match self {
            Trust::Nothing => String::new(),
            Trust::Anchors(a) => a.source().to_owned(),
            Trust::Demo(d) => format!("demo ({})", d.source()),
        }
    }

    /// The trusted certificates' subjects, for display.
    pub fn subjects(&self) -> Vec<String> {
        match self {
            Trust::Nothing => Vec::new(),
            Trust::Anchors(a) => a.subjects(),
            Trust::Demo(d) => d
                .certificates()
                .filter_map(|c| madoguchi_pki::SigningCertificate::from_der(c).ok())
                .map(|c| c.subject().to_owned())
                .collect(),
        }
    }
}

/// Which proxy to use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// Connect directly, whatever the environment says.
    None,
    /// The system's proxy settings (`HTTPS_PROXY`/`NO_PROXY`, and on
    /// Windows and macOS the OS settings).
    #[default]
    System,
    /// This proxy (`http://host:port`, `socks5://…` is not supported).
    Manual(String),
}

impl std::str::FromStr for ProxySetting {
    type Err = String;
    /// `none`, `system`, or a proxy URL.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(ProxySetting::None),
            "system" => Ok(ProxySetting::System),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(ProxySetting::Manual(url.to_owned()))
            }
            _ => Err("expected `none`, `system` or an http:// proxy URL".to_owned()),
        }
    }
}

/// How long the caller may wait on `busy` answers before giving up
/// (manual 2.2.2 / 3.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusyPolicy {
    /// Waits at most this many times.
    pub max_waits: u32,
    /// A Retry-After longer than this is not waited for.
    pub max_wait: Duration,
    /// Total waiting at most this long.
    pub max_total: Duration,
    /// Wait this long when the answer names no time.
    pub default_wait: Duration,
}

impl Default for BusyPolicy {
    fn default() -> Self {
        BusyPolicy {
            max_waits: 3,
            max_wait: Duration::from_secs(30),
            max_total: Duration::from_secs(60),
            default_wait: Duration::from_secs(5),
        }
    }
}

impl BusyPolicy {
    /// The wait before the next try, or `None` when the caller should give
    /// up and show the busy message. `waits` and `waited` count what was
    /// already waited.
    pub fn next_wait(
        &self,
        retry_after: Option<Duration>,
        waits: u32,
        waited: Duration,
    ) -> Option<Duration> {
        let wait = retry_after
            .unwrap_or(self.default_wait)
            .max(Duration::from_secs(1));
        (waits < self.max_waits && wait <= self.max_wait && waited + wait <= self.max_total)
            .then_some(wait)
    }
}

/// Client settings.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The online window, `https://host[:port][/prefix]`.
    pub server: Option<String>,
    /// What is trusted for the window's TLS certificate.
    pub trust: Trust,
    pub proxy: ProxySetting,
    /// Time allowed to connect (TCP + TLS).
    pub connect_timeout: Duration,
    /// Time allowed between two reads of an answer.
    pub read_timeout: Duration,
    /// Resends of the same bytes after a connection lost mid-request.
    pub resends: u32,
    /// Pause before such a resend (the protocol: never faster than once a
    /// second).
    pub resend_pause: Duration,
    pub busy: BusyPolicy,
    /// The largest answer read ([`MAX_ANSWER`]); a longer one is cut off as
    /// it streams in.
    pub max_answer: usize,
    /// Time allowed for one whole request, answer included
    /// ([`REQUEST_DEADLINE`]), beside the per-read timeout.
    pub deadline: Duration,
}

/// Cap on an answer of the window. Its answers are small JSON objects (a
/// few hundred bytes); anything near this is not the protocol.
pub const MAX_ANSWER: usize = 64 * 1024;

/// Deadline of one request, from connecting to the answer's last byte. A
/// window that trickles bytes never trips the per-read timeout; this ends
/// it, and with it the request task's copy of the signed request.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(60);

impl ClientConfig {
    /// Defaults: nothing trusted (set [`ClientConfig::trust`]), system
    /// proxy, 10 s to connect, 30 s to read, 2 resends,
    /// [`BusyPolicy::default`].
    pub fn new(server: Option<String>) -> ClientConfig {
        ClientConfig {
            server,
            trust: Trust::Nothing,
            proxy: ProxySetting::System,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            resends: 2,
            resend_pause: Duration::from_secs(1),
            busy: BusyPolicy::default(),
            max_answer: MAX_ANSWER,
            deadline: REQUEST_DEADLINE,
        }
    }
}

/// An answer of the window to a submission (or a refusal of a challenge).
#[derive(Clone, Debug)]
pub struct Reply {
    pub answer: OutcomeAnswer,
    pub http_status: u16,
    /// Retry-After of a `busy` answer (header, else the body's field).
    pub retry_after: Option<Duration>,
    /// How many times the same bytes were sent again after a lost
    /// connection.
    pub resends: u32,
}

/// A challenge, with the moment it arrived (its lifetime counts from the
/// window's clock; the client counts from its own arrival time).
#[derive(Clone, Debug)]
pub struct Challenge {
    pub answer: ChallengeAnswer,
    pub received: Instant,
}

impl Challenge {
    /// Whether it is still good for `margin` more (lifetime
    /// [`wire::CHALLENGE_LIFETIME_SECS`] from arrival).
    pub fn fresh_for(&self, margin: Duration) -> bool {
        self.received.elapsed() + margin < Duration::from_secs(wire::CHALLENGE_LIFETIME_SECS)
    }
}

/// Answer to [`Client::challenge`].
#[derive(Clone, Debug)]
pub enum ChallengeReply {
    Issued(Challenge),
    /// The window answered with an outcome instead (`busy`, `service_error`).
    Refused(Reply),
}

/// The online window client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    resends: u32,
    resend_pause: Duration,
    busy: BusyPolicy,
    max_answer: usize,
    deadline: Duration,
    identity: Arc<Mutex<Option<ServerIdentity>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

/// The base URL: `https` only, with a trailing `/` so endpoints join under
/// any path prefix.
pub fn parse_server_url(server: &str) -> Result<Url, ClientError> {
    let mut url = Url::parse(server).map_err(|e| ClientError::BadUrl(format!("{server}: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" => return Err(ClientError::NotHttps(server.to_owned())),
        other => return Err(ClientError::BadUrl(format!("{server}: scheme {other}"))),
    }
    if url.host_str().is_none() {
        return Err(ClientError::BadUrl(format!("{server}: no host")));
    }
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// The rustls configuration for a window at `base`: TLS 1.3 and 1.2,
/// `ring`, trusting only what `trust` allows there.
pub fn tls_config(trust: &Trust, base: &Url) -> Result<rustls::ClientConfig, ClientError> {
    let mut roots = rustls::RootCertStore::empty();
    let bad = |source: String| {
        move |e: rustls::Error| ClientError::Anchor {
            path: source,
            reason: e.to_string(),
        }
    };
    match trust {
        Trust::Nothing => return Err(ClientError::NoAnchor),
        Trust::Anchors(anchors) => {
            for c in &anchors.certs {
                roots.add(c.clone()).map_err(bad(anchors.source.clone()))?;
            }
        }
        Trust::Demo(demo) => {
            let host = base.host_str().unwrap_or_default();
            if !DemoTrust::allows_host(host) {
                return Err(ClientError::DemoTrustElsewhere(host.to_owned()));
            }
            for c in demo.certificates() {
                roots
                    .add(CertificateDer::from(c.to_vec()))
                    .map_err(bad(demo.source().to_owned()))?;
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| ClientError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Whether `config` names a usable window: an `https://` address and
/// something to trust for it (the checks [`Client::new`] makes before
/// building anything). Returns the base URL.
pub fn check_config(config: &ClientConfig) -> Result<Url, ClientError> {
    let server = config.server.as_deref().ok_or(ClientError::NoServer)?;
    let base = parse_server_url(server)?;
    match &config.trust {
        Trust::Nothing => Err(ClientError::NoAnchor),
        Trust::Demo(_) if !DemoTrust::allows_host(base.host_str().unwrap_or_default()) => Err(
            ClientError::DemoTrustElsewhere(base.host_str().unwrap_or_default().to_owned()),
        ),
        _ => Ok(base),
    }
}

impl Client {
    /// A client for `config`. Nothing is sent yet; an `http://` address is
    /// refused here.
    pub fn new(config: &ClientConfig) -> Result<Client, ClientError> {
        let base = check_config(config)?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(&config.trust, &base)?)
            .https_only(true)
            .tls_info(true)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .user_agent(concat!("madoguchi/", env!("CARGO_PKG_VERSION")));
        builder = match &config.proxy {
            ProxySetting::None => builder.no_proxy(),
            ProxySetting::System => builder,
            ProxySetting::Manual(p) => builder.proxy(
                reqwest::Proxy::all(p.as_str()).map_err(|e| ClientError::Proxy(e.to_string()))?,
            ),
        };
        let http = builder
            .build()
            .map_err(|e| ClientError::Tls(e.to_string()))?;
        Ok(Client {
            http,
            base,
            resends: config.resends,
            resend_pause: config.resend_pause.max(Duration::from_secs(1)),
            busy: config.busy,
            max_answer: config.max_answer,
            deadline: config.deadline,
            identity: Arc::new(Mutex::new(None)),
        })
    }

    /// The window's base address.
    pub fn server_url(&self) -> &Url {
        &self.base
    }

    /// The waiting rules for `busy`.
    pub fn busy_policy(&self) -> BusyPolicy {
        self.busy
    }

    /// The identity seen on the last answer, if any.
    pub fn last_identity(&self) -> Option<ServerIdentity> {
        self.identity
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn endpoint(&self, path: &str) -> Url {
        self.base
            .join(path.trim_start_matches('/'))
            .expect("endpoint paths are relative")
    }

    fn remember_identity(&self, response: &reqwest::Response) {
        let Some(info) = response.extensions().get::<reqwest::tls::TlsInfo>() else {
            return;
        };
        let Some(der) = info.peer_certificate() else {
            return;
        };
        let version = info.version().map(|v| {
            if v == reqwest::tls::Version::TLS_1_3 {
                "TLSv1.3".to_owned()
            } else if v == reqwest::tls::Version::TLS_1_2 {
                "TLSv1.2".to_owned()
            } else {
                "older than TLSv1.2".to_owned()
            }
        });
        if let Some(id) = ServerIdentity::from_certificate(self.base.as_str(), der, version) {
            *self.identity.lock().unwrap_or_else(|e| e.into_inner()) = Some(id);
        }
    }

    /// Connect and return the server's identity (`GET /healthz`).
    pub async fn identity(&self) -> Result<ServerIdentity, ClientError> {
        let r = self
            .within_deadline(self.http.get(self.endpoint(wire::PATH_HEALTH)).send())
            .await?
            .map_err(|e| ClientError::from_reqwest(&e))?;
        self.remember_identity(&r);
        self.last_identity()
            .ok_or_else(|| ClientError::Tls("the server presented no certificate".into()))
    }

    /// `POST /v1/challenges`. Nothing personal is sent.
    pub async fn challenge(&self) -> Result<ChallengeReply, ClientError> {
        let request = self
            .http
            .post(self.endpoint(wire::PATH_CHALLENGES))
            .header(reqwest::header::ACCEPT, wire::MEDIA_TYPE_JSON);
        let (status, retry_after, body) = self
            .within_deadline(async {
                let r = request
                    .send()
                    .await
                    .map_err(|e| ClientError::from_reqwest(&e))?;
                self.remember_identity(&r);
                let status = r.status().as_u16();
                let retry_after = retry_after_header(&r);
                let body = read_capped(r, self.max_answer).await?;
                Ok::<_, ClientError>((status, retry_after, body))
            })
            .await??;
        if status == 200 {
            let answer: ChallengeAnswer =
                serde_json::from_slice(&body).map_err(|e| ClientError::UnexpectedAnswer {
                    status,
                    detail: format!("challenge answer: {e}"),
                })?;
            return Ok(ChallengeReply::Issued(Challenge {
                answer,
                received: Instant::now(),
            }));
        }
        Ok(ChallengeReply::Refused(to_reply(
            status,
            retry_after,
            &body,
            0,
        )?))
    }

    /// Submit a signed request. The same `body` is sent again (up to the
    /// configured number of resends) when the connection is lost after it
    /// may have left; the window's answer to a repeat is the same answer.
    pub async fn submit(
        &self,
        procedure: Procedure,
        body: &bytes_like::Body,
    ) -> Result<Reply, ClientError> {
        let path = match procedure {
            Procedure::Revocation => wire::PATH_REVOCATIONS,
            Procedure::ValidityCheck => wire::PATH_VALIDITY_CHECKS,
        };
        let url = self.endpoint(path);
        let mut resends = 0;
        let mut maybe_sent = false;
        loop {
            let request = self
                .http
                .post(url.clone())
                .header(reqwest::header::CONTENT_TYPE, wire::MEDIA_TYPE_CMS)
                .header(reqwest::header::ACCEPT, wire::MEDIA_TYPE_JSON)
                .body(body.to_reqwest());
            let attempt = self
                .within_deadline(async {
                    let r = request
                        .send()
                        .await
                        .map_err(|e| ClientError::from_reqwest(&e))?;
                    self.remember_identity(&r);
                    let status = r.status().as_u16();
                    let retry_after = retry_after_header(&r);
                    let b = read_capped(r, self.max_answer).await?;
                    Ok::<_, ClientError>((status, retry_after, b))
                })
                .await
                .and_then(|r| r);
            let e = match attempt {
                Ok((status, retry_after, b)) => return to_reply(status, retry_after, &b, resends),
                // The same bytes would meet the same answer.
                Err(e) if e.is_limit() => return Err(e),
                Err(e) => e,
            };
            let lost = matches!(e.phase(), Phase::MaybeSent);
            maybe_sent |= lost;
            if lost && resends < self.resends {
                resends += 1;
                tracing::warn!(
                    target: "madoguchi::client",
                    "connection lost after sending ({e}); sending the same request again ({resends}/{})",
                    self.resends
                );
                tokio::time::sleep(self.resend_pause).await;
                continue;
            }
            if maybe_sent && !lost {
                // An earlier attempt may have arrived; this one did not
                // connect. The answer to the request is unknown.
                return Err(ClientError::LostAfterSending(e.to_string()));
            }
            return Err(e);
        }
    }
}

impl Client {
    /// Run one request under the whole-request deadline.
    async fn within_deadline<T>(
        &self,
        work: impl std::future::Future<Output = T>,
    ) -> Result<T, ClientError> {
        tokio::time::timeout(self.deadline, work)
            .await
            .map_err(|_| ClientError::Deadline {
                seconds: self.deadline.as_secs(),
            })
    }
}

/// The answer's body, read chunk by chunk and cut off once it passes
/// `limit` bytes (a declared length over the limit is refused unread).
async fn read_capped(mut r: reqwest::Response, limit: usize) -> Result<Vec<u8>, ClientError> {
    if r.content_length().is_some_and(|n| n > limit as u64) {
        return Err(ClientError::AnswerTooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = r.chunk().await.map_err(|e| ClientError::from_reqwest(&e))? {
        if body.len() + chunk.len() > limit {
            return Err(ClientError::AnswerTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn retry_after_header(r: &reqwest::Response) -> Option<Duration> {
    r.headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Read an outcome answer. JSON answers are taken at their word whatever
/// the status; an HTML error page of a proxy in front of the window becomes
/// `busy` (503) or `service_error` (other 5xx).
fn to_reply(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    resends: u32,
) -> Result<Reply, ClientError> {
    let answer = match serde_json::from_slice::<OutcomeAnswer>(body) {
        Ok(a) => a,
        Err(e) if status >= 500 => {
            let outcome = if status == 503 {
                Outcome::Busy
            } else {
                Outcome::ServiceError
            };
            let now = madoguchi_pki::request::format_time(time::OffsetDateTime::now_utc());
            OutcomeAnswer::new(outcome, now)
                .with_detail(format!("HTTP {status} without a protocol answer: {e}"))
        }
        Err(e) => {
            return Err(ClientError::UnexpectedAnswer {
                status,
                detail: e.to_string(),
            });
        }
    };
    if answer.outcome.http_status() != status {
        tracing::warn!(
            target: "madoguchi::client",
            "answer `{}` came with HTTP {status}",
            answer.outcome
        );
    }
    let retry_after = retry_after.or(answer.retry_after.map(|s| Duration::from_secs(s.into())));
    Ok(Reply {
        answer,
        http_status: status,
        retry_after,
        resends,
    })
}

/// The signed request's bytes, shared without copying between the engine,
/// the executor and resends; zeroed when the last holder drops them.
pub mod bytes_like {
    use std::sync::Arc;

    use zeroize::Zeroizing;

    /// Immutable request bytes.
    #[derive(Clone)]
    pub struct Body(Arc<Zeroizing<Vec<u8>>>);

    impl Body {
        pub fn new(bytes: Vec<u8>) -> Body {
            Body(Arc::new(Zeroizing::new(bytes)))
        }

        pub fn as_slice(&self) -> &[u8] {
            &self.0
        }

        pub fn len(&self) -> usize {
            self.0.len()
        }

        pub fn is_empty(&self) -> bool {
            self.0.is_empty()
        }

        /// A reqwest body sharing these bytes, not copying them: the last
        /// holder (this body or a request in flight) drops the one buffer,
        /// which zeroes it.
        pub(crate) fn to_reqwest(&self) -> reqwest::Body {
            reqwest::Body::from(bytes::Bytes::from_owner(Shared(self.0.clone())))
        }
    }

    /// The signed request's buffer as a `bytes` owner.
    struct Shared(Arc<Zeroizing<Vec<u8>>>);

    impl AsRef<[u8]> for Shared {
        fn as_ref(&self) -> &[u8] {
            self.0.as_slice()
        }
    }

    impl std::fmt::Debug for Body {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "Body({} bytes)", self.0.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed test PKI's TLS CA, as an administrator would configure it.
    fn test_anchors() -> Anchors {
        Anchors::from_file(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/pki/tls-ca.pem"
        )))
        .unwrap()
    }

    #[test]
    fn only_https_addresses() {
        let u = parse_server_url("https://window.example:8443").unwrap();
        assert_eq!(u.as_str(), "https://window.example:8443/");
        let u = parse_server_url("https://window.example/jpki?x=1#y").unwrap();
        assert_eq!(u.as_str(), "https://window.example/jpki/");
        assert_eq!(
            u.join("v1/challenges").unwrap().as_str(),
            "https://window.example/jpki/v1/challenges"
        );
        assert!(matches!(
            parse_server_url("http://window.example"),
            Err(ClientError::NotHttps(_))
        ));
        assert!(matches!(
            parse_server_url("ftp://window.example"),
            Err(ClientError::BadUrl(_))
        ));
        assert!(matches!(
            parse_server_url("window.example"),
            Err(ClientError::BadUrl(_))
        ));
        assert_eq!(
            Client::new(&ClientConfig::new(None)).unwrap_err(),
            ClientError::NoServer
        );
    }

    #[test]
    fn proxy_settings() {
        assert_eq!("none".parse(), Ok(ProxySetting::None));
        assert_eq!("system".parse(), Ok(ProxySetting::System));
        assert_eq!(
            "http://proxy:3128".parse(),
            Ok(ProxySetting::Manual("http://proxy:3128".into()))
        );
        assert!("proxy:3128".parse::<ProxySetting>().is_err());
        let mut c = ClientConfig::new(Some("https://127.0.0.1:1".into()));
        c.trust = Trust::Anchors(test_anchors());
        c.proxy = ProxySetting::Manual("http://127.0.0.1:3128".into());
        assert!(Client::new(&c).is_ok());
    }

    #[test]
    fn busy_waits_are_bounded() {
        let p = BusyPolicy::default();
        let s = Duration::from_secs;
        assert_eq!(p.next_wait(None, 0, s(0)), Some(s(5)));
        assert_eq!(p.next_wait(Some(s(0)), 0, s(0)), Some(s(1)));
        assert_eq!(p.next_wait(Some(s(30)), 0, s(0)), Some(s(30)));
        assert_eq!(p.next_wait(Some(s(31)), 0, s(0)), None, "too long to wait");
        assert_eq!(
            p.next_wait(Some(s(5)), 3, s(15)),
            None,
            "waited often enough"
        );
        assert_eq!(
            p.next_wait(Some(s(30)), 2, s(40)),
            None,
            "waited long enough"
        );
    }

    #[test]
    fn answers_become_outcomes() {
        let busy = r#"{"outcome":"busy","checked_at":"2026-11-21T05:40:00Z","retry_after":7}"#;
        let r = to_reply(503, Some(Duration::from_secs(3)), busy.as_bytes(), 0).unwrap();
        assert_eq!(r.answer.outcome, Outcome::Busy);
        assert_eq!(
            r.retry_after,
            Some(Duration::from_secs(3)),
            "the header first"
        );
        let r = to_reply(503, None, busy.as_bytes(), 1).unwrap();
        assert_eq!(r.retry_after, Some(Duration::from_secs(7)));
        assert_eq!(r.resends, 1);
        let r = to_reply(502, None, b"<html>bad gateway</html>", 0).unwrap();
        assert_eq!(r.answer.outcome, Outcome::ServiceError);
        let r = to_reply(503, None, b"<html>busy</html>", 0).unwrap();
        assert_eq!(r.answer.outcome, Outcome::Busy);
        assert!(matches!(
            to_reply(404, None, b"<html>not found</html>", 0),
            Err(ClientError::UnexpectedAnswer { status: 404, .. })
        ));
        let accepted =
            r#"{"outcome":"accepted","receipt_id":"R1","checked_at":"2026-11-21T05:40:00Z"}"#;
        let r = to_reply(200, None, accepted.as_bytes(), 0).unwrap();
        assert_eq!(r.answer.receipt_id.as_deref(), Some("R1"));
    }

    #[test]
    fn nothing_is_trusted_by_default() {
        let c = ClientConfig::new(Some("https://window.example".into()));
        assert!(matches!(c.trust, Trust::Nothing));
        assert_eq!(Client::new(&c).unwrap_err(), ClientError::NoAnchor);
        assert_eq!(ClientError::NoAnchor.catalogue_number(), 315);
        assert_eq!(ClientError::NoAnchor.phase(), Phase::NotSent);
    }

    #[test]
    fn anchors() {
        let a = test_anchors();
        assert_eq!(a.len(), 1);
        assert!(a.source().ends_with("tls-ca.pem"), "{}", a.source());
        assert!(a.subjects()[0].contains("Madoguchi Test Online Window TLS CA"));
        let der = &a.certs[0];
        let b = Anchors::from_bytes(der, "der").unwrap();
        let both = a.merge(b);
        assert_eq!(both.len(), 2);
        assert!(both.source().ends_with("tls-ca.pem, der"));
        assert!(matches!(
            Anchors::from_bytes(b"not a certificate", "x"),
            Err(ClientError::Anchor { .. })
        ));
        assert!(matches!(
            Anchors::from_file(Path::new("/nonexistent/anchor.pem")),
            Err(ClientError::Anchor { .. })
        ));
    }

    #[test]
    fn every_error_has_a_catalogue_entry() {
        let all = [
            ClientError::NoServer,
            ClientError::BadUrl("x".into()),
            ClientError::NotHttps("x".into()),
            ClientError::Anchor {
                path: "p".into(),
                reason: "r".into(),
            },
            ClientError::NoAnchor,
            ClientError::DemoTrustElsewhere("x".into()),
            ClientError::Proxy("x".into()),
            ClientError::Connect("x".into()),
            ClientError::Timeout {
                phase: Phase::NotSent,
            },
            ClientError::AnswerTooLarge { limit: 1 },
            ClientError::Deadline { seconds: 1 },
            ClientError::Untrusted("x".into()),
            ClientError::ServerCertificateExpired,
            ClientError::WrongHost,
            ClientError::Tls("x".into()),
            ClientError::LostAfterSending("x".into()),
            ClientError::UnexpectedAnswer {
                status: 500,
                detail: "x".into(),
            },
        ];
        for e in all {
            assert!(
                crate::errors::entry(e.catalogue_number()).is_some(),
                "{e:?}"
            );
        }
    }
}
