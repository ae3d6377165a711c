//! HTTP routes of the online window (axum), and the per-client rate limit in front of them.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::{
    self, ChallengeAnswer, Health, MEDIA_TYPE_CMS, MEDIA_TYPE_CRL, MEDIA_TYPE_JSON, Outcome,
    OutcomeAnswer,
};
use tokio::sync::Semaphore;
use tower_governor::GovernorLayer;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;

use crate::challenge::ChallengeKeys;
use crate::check::check_request;
use crate::clock::{Clock, rfc3339};
use crate::commit::Committer;
use crate::config::Limits;
use crate::material::TrustedCa;

/// Shared state of the routes.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    cas: Vec<TrustedCa>,
    limits: Limits,
    clock: Clock,
    challenges: ChallengeKeys,
    committer: Committer,
    limiter: Arc<Semaphore>,
    crl_issuer: Option<Vec<u8>>,
    rate: Arc<RateConfig>,
}

/// The per-client rate limiter's configuration (its keyed state lives inside).
pub type RateConfig =
    GovernorConfig<ClientKey, governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>>;

/// The rate limit's key: the client's IP address, and for IPv6 its /64 (one subscriber's
/// prefix: an address per request costs an attacker nothing inside it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientKey;

/// The client identity the limits count by.
pub fn client_of(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(
        &self,
        req: &axum::http::Request<T>,
    ) -> Result<Self::Key, tower_governor::GovernorError> {
        // The accept loop puts the peer address on every request; without it (a router used
        // without that loop) everyone shares one bucket rather than nobody being limited.
        Ok(req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| client_of(c.0.ip()))
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)))
    }
}

impl AppState {
    /// Builds the state.
    pub fn new(
        cas: Vec<TrustedCa>,
        limits: Limits,
        clock: Clock,
        challenges: ChallengeKeys,
        committer: Committer,
        crl_issuer: Option<Vec<u8>>,
    ) -> AppState {
        let limiter = Arc::new(Semaphore::new(limits.max_concurrent_requests));
        let rate = Arc::new(
            GovernorConfigBuilder::default()
                .key_extractor(ClientKey)
                .period(std::time::Duration::from_secs_f64(
                    1.0 / limits.per_client_requests_per_sec.max(1) as f64,
                ))
                .burst_size(limits.per_client_burst.max(1))
                .finish()
                .expect("rate limit configuration (both values are at least 1)"),
        );
        AppState {
            inner: Arc::new(Inner {
                cas,
                limits,
                clock,
                challenges,
                committer,
                limiter,
                crl_issuer,
                rate,
            }),
        }
    }

    /// The per-client rate limiter's configuration (the server trims its memory).
    pub fn rate(&self) -> Arc<RateConfig> {
        self.inner.rate.clone()
    }

    /// The request limiter (tests hold its permits to see `busy`).
    pub fn limiter(&self) -> Arc<Semaphore> {
        self.inner.limiter.clone()
    }

    /// The clock.
    pub fn clock(&self) -> Clock {
        self.inner.clock.clone()
    }
}

/// The router with every endpoint, the per-client rate limit, the concurrency limit and panic
/// catching. Submissions take their slot of the concurrency limit only once their body is in:
/// a slow upload holds a connection, never a processing slot.
pub fn router(state: AppState) -> Router {
    let limited = Router::new()
        .route(wire::PATH_CHALLENGES, post(challenges))
        .route(wire::PATH_CRL, get(crl))
        .route_layer(middleware::from_fn_with_state(state.clone(), limit));
    let busy_state = state.clone();
    let v1 = Router::new()
        .route(wire::PATH_REVOCATIONS, post(revocations))
        .route(wire::PATH_VALIDITY_CHECKS, post(validity_checks))
        .merge(limited)
        .route_layer(
            GovernorLayer::new(state.inner.rate.clone()).error_handler(move |e| {
                let wait = match e {
                    tower_governor::GovernorError::TooManyRequests { wait_time, .. } => {
                        wait_time.clamp(1, u64::from(u32::MAX)) as u32
                    }
                    _ => busy_state.inner.limits.retry_after_secs,
                };
                busy_for(&busy_state, wait)
            }),
        );
    Router::new()
        .merge(v1)
        .route(wire::PATH_HEALTH, get(health))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .with_state(state)
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(MEDIA_TYPE_JSON),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn answer_response(status: StatusCode, answer: &OutcomeAnswer) -> Response {
    let mut r = json_response(
        status,
        serde_json::to_string(answer).expect("answer serialises"),
    );
    if let Some(secs) = answer.retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    r
}

fn outcome_status(o: Outcome) -> StatusCode {
    StatusCode::from_u16(o.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn busy(state: &AppState) -> Response {
    busy_for(state, state.inner.limits.retry_after_secs)
}

fn busy_for(state: &AppState, retry_after: u32) -> Response {
    let mut a = OutcomeAnswer::new(Outcome::Busy, rfc3339(state.inner.clock.now()))
        .with_detail("the window is busy; try again later");
    a.retry_after = Some(retry_after);
    answer_response(StatusCode::SERVICE_UNAVAILABLE, &a)
}

fn malformed(state: &AppState, status: StatusCode, detail: &str) -> Response {
    let a = OutcomeAnswer::new(Outcome::MalformedRequest, rfc3339(state.inner.clock.now()))
        .with_detail(detail);
    answer_response(status, &a)
}

async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match state.inner.limiter.clone().try_acquire_owned() {
        Ok(permit) => {
            let r = next.run(req).await;
            drop(permit);
            r
        }
        Err(_) => busy(&state),
    }
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let a = OutcomeAnswer::new(Outcome::ServiceError, rfc3339(std::time::SystemTime::now()))
        .with_detail("internal error");
    answer_response(StatusCode::INTERNAL_SERVER_ERROR, &a)
}

async fn not_found(State(state): State<AppState>) -> Response {
    malformed(&state, StatusCode::NOT_FOUND, "no such endpoint")
}

async fn method_not_allowed(State(state): State<AppState>) -> Response {
    malformed(
        &state,
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this endpoint",
    )
}

async fn health() -> Response {
    let h = Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    json_response(
        StatusCode::OK,
        serde_json::to_string(&h).expect("serialises"),
    )
}

async fn challenges(State(state): State<AppState>) -> Response {
    let (challenge, expires_at) = state.inner.challenges.issue(state.inner.clock.now());
    let a = ChallengeAnswer {
        challenge,
        expires_at: rfc3339(expires_at),
    };
    json_response(
        StatusCode::OK,
        serde_json::to_string(&a).expect("serialises"),
    )
}

async fn revocations(state: State<AppState>, headers: HeaderMap, body: Body) -> Response {
    submit(Procedure::Revocation, state, headers, body).await
}

async fn validity_checks(state: State<AppState>, headers: HeaderMap, body: Body) -> Response {
    submit(Procedure::ValidityCheck, state, headers, body).await
}

fn is_cms(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case(MEDIA_TYPE_CMS)
        })
        .unwrap_or(false)
}

async fn submit(
    procedure: Procedure,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let limits = &state.inner.limits;
    let refuse = |status: StatusCode, detail: String| {
        let mut a = OutcomeAnswer::new(Outcome::MalformedRequest, rfc3339(state.inner.clock.now()))
            .with_detail(detail);
        a.procedure = Some(procedure);
        answer_response(status, &a)
    };
    if !is_cms(&headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("the body must be {MEDIA_TYPE_CMS}"),
        );
    }
    let bytes = match tokio::time::timeout(
        limits.read_timeout(),
        read_body(body, limits.max_body_bytes),
    )
    .await
    {
        Err(_) => {
            return refuse(
                StatusCode::REQUEST_TIMEOUT,
                "the request body did not arrive in time".into(),
            );
        }
        Ok(Err(BodyProblem::TooLarge)) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than {} bytes", limits.max_body_bytes),
            );
        }
        Ok(Err(BodyProblem::TimedOut)) => {
            return refuse(
                StatusCode::REQUEST_TIMEOUT,
                "the request body did not arrive in time".into(),
            );
        }
        Ok(Err(BodyProblem::Broken)) => {
            return refuse(StatusCode::BAD_REQUEST, "the body could not be read".into());
        }
        Ok(Ok(b)) => b,
    };
    // The body is in: now, and only now, a processing slot.
    let Ok(_permit) = state.inner.limiter.clone().try_acquire_owned() else {
        return busy(&state);
    };
    let now = state.inner.clock.now();
    let checking = state.inner.committer.checking();
    let mut submission = match check_request(
        procedure,
        &bytes,
        &state.inner.cas,
        limits.max_body_bytes,
        now,
    ) {
        Ok(s) => s,
        Err(refusal) => {
            return answer_response(outcome_status(refusal.outcome), &refusal.answer);
        }
    };
    submission.challenge_key = crate::challenge::claimed(&submission.document.challenge);
    submission.challenge = state
        .inner
        .challenges
        .verify(&submission.document.challenge, now);
    let decision = state.inner.committer.submit(submission, checking).await;
    json_response(outcome_status(decision.outcome), decision.body)
}

enum BodyProblem {
    TooLarge,
    TimedOut,
    Broken,
}

/// Most bytes read and thrown away after the body limit was passed, so that a client still
/// sending gets the 413 answer instead of a reset connection.
const DRAIN_LIMIT: usize = 4 * 1024 * 1024;

async fn read_body(mut body: Body, max: usize) -> Result<Vec<u8>, BodyProblem> {
    let mut out = Vec::new();
    let mut seen = 0usize;
    loop {
        match body.frame().await {
            None => break,
            Some(Err(e)) => {
                return Err(if is_timeout(&e) {
                    BodyProblem::TimedOut
                } else {
                    BodyProblem::Broken
                });
            }
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    seen = seen.saturating_add(data.len());
                    if seen <= max {
                        out.extend_from_slice(&data);
                    } else if seen > max.saturating_mul(16).max(DRAIN_LIMIT) {
                        return Err(BodyProblem::TooLarge);
                    }
                }
            }
        }
    }
    if seen > max {
        Err(BodyProblem::TooLarge)
    } else {
        Ok(out)
    }
}

fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        cur = err.source();
    }
    false
}

async fn crl(State(state): State<AppState>) -> Response {
    match state
        .inner
        .committer
        .latest_crl(state.inner.crl_issuer.clone())
        .await
    {
        Ok(Some(c)) => {
            let mut r = (StatusCode::OK, c.der).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(MEDIA_TYPE_CRL),
            );
            r
        }
        Ok(None) => malformed(&state, StatusCode::NOT_FOUND, "no CRL has been issued yet"),
        Err(e) => {
            tracing::error!("reading the CRL failed: {e}");
            let a = OutcomeAnswer::new(Outcome::ServiceError, rfc3339(state.inner.clock.now()))
                .with_detail("the CRL could not be read");
            answer_response(StatusCode::INTERNAL_SERVER_ERROR, &a)
        }
    }
}
