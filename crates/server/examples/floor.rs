//! The floor of a validity check on this machine: what one core spends on a submission when
//! the window does only what no design can skip: the TLS records, HTTP/1.1 (hyper, no
//! router or middleware), checks 1–4 with their two RSA verifications (`check_request`, as the
//! window runs it) and the challenge's MAC, and a JSON answer. It keeps no record, spends no
//! challenge and has no limits, so it is not a window: it exists to measure how far the
//! window's figures are from this bound (docs/benchmarks.md, "Issue 14, ninth pass").
//!
//! ```text
//! cargo build --release -p madoguchi-server --example floor --bins
//! taskset -c 0 target/release/examples/floor --config window.toml &
//! taskset -c 1 target/release/madoguchi-loadgen --url https://127.0.0.1:PORT \
//!     --procedure validity-check --requests 20000 --concurrency 64 --server-pid PID
//! ```
//!
//! It reads the window's configuration file for its address, TLS key and signing CAs; it
//! never opens the configured database.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::{self, ChallengeAnswer, MEDIA_TYPE_JSON, Outcome, OutcomeAnswer};
use madoguchi_server::challenge::ChallengeKeys;
use madoguchi_server::check::check_request;
use madoguchi_server::clock::rfc3339;
use madoguchi_server::material::TrustedCa;
use madoguchi_server::{Config, SqliteStore, WindowSetup};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

struct Floor {
    cas: Vec<TrustedCa>,
    keys: ChallengeKeys,
    max_body: usize,
}

fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(MEDIA_TYPE_JSON),
    );
    r
}

async fn serve(
    floor: Arc<Floor>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let now = std::time::SystemTime::now();
    if req.method() != Method::POST {
        return Ok(json(StatusCode::METHOD_NOT_ALLOWED, String::new()));
    }
    if req.uri().path() == wire::PATH_CHALLENGES {
        let (challenge, expires_at) = floor.keys.issue(now);
        let a = ChallengeAnswer {
            challenge,
            expires_at: rfc3339(expires_at),
        };
        return Ok(json(
            StatusCode::OK,
            serde_json::to_string(&a).unwrap_or_default(),
        ));
    }
    if req.uri().path() != wire::PATH_VALIDITY_CHECKS {
        return Ok(json(StatusCode::NOT_FOUND, String::new()));
    }
    let body = match Limited::new(req.into_body(), floor.max_body)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(json(StatusCode::PAYLOAD_TOO_LARGE, String::new())),
    };
    let answer = match check_request(
        Procedure::ValidityCheck,
        &body,
        &floor.cas,
        floor.max_body,
        now,
    ) {
        Err(refusal) => refusal.answer,
        Ok(s) => {
            let mut a = OutcomeAnswer::new(Outcome::Valid, rfc3339(now));
            a.procedure = Some(s.procedure);
            a.certificate = Some(s.document.certificate.clone());
            if let Err(problem) = floor.keys.verify(&s.document.challenge, now) {
                a.outcome = Outcome::ChallengeInvalid;
                a.detail = Some(problem.detail().into());
            }
            a
        }
    };
    let status = StatusCode::from_u16(answer.outcome.http_status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Ok(json(
        status,
        serde_json::to_string(&answer).unwrap_or_default(),
    ))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let config = match (args.next().as_deref(), args.next()) {
        (Some("--config"), Some(p)) => PathBuf::from(p),
        _ => anyhow::bail!("usage: floor --config WINDOW.toml"),
    };
    let config = Config::load(&config).context("reading the configuration")?;
    // The setup wants a store; an in-memory one that nothing uses.
    let setup = WindowSetup::from_config(&config, Box::new(SqliteStore::open_in_memory()?))?;
    let mut secret = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    let floor = Arc::new(Floor {
        cas: setup.signing_cas,
        keys: ChallengeKeys::new(&secret),
        max_body: setup.limits.max_body_bytes,
    });
    let listener = TcpListener::bind(setup.listen).await?;
    let acceptor = TlsAcceptor::from(setup.tls);
    println!("floor listening on https://{}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        let acceptor = acceptor.clone();
        let floor = floor.clone();
        tokio::spawn(async move {
            let _ = tcp.set_nodelay(true);
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper::service::service_fn(move |req| serve(floor.clone(), req));
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}
