//! Starting the window: TLS listener, connection handling (global and per-client connection
//! limits), committer.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use tower::ServiceExt;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_io_timeout::TimeoutStream;
use tokio_rustls::TlsAcceptor;

use crate::app::{AppState, client_of, router};
use crate::challenge::ChallengeKeys;
use crate::clock::Clock;
use crate::commit::{Committer, CommitterThread};
use crate::config::{Config, Limits};
use crate::material::{TrustedCa, tls_server_config};
use crate::store::Store;

/// Everything needed to run the window, already loaded.
pub struct WindowSetup {
    /// Address to bind (port 0: any free port).
    pub listen: SocketAddr,
    /// TLS configuration.
    pub tls: Arc<rustls::ServerConfig>,
    /// Accepted signing CAs.
    pub signing_cas: Vec<TrustedCa>,
    /// DER issuer name whose CRL `GET /v1/crl` serves (the CRL signer's subject), if any.
    pub crl_issuer: Option<Vec<u8>>,
    /// Limits.
    pub limits: Limits,
    /// The store.
    pub store: Box<dyn Store>,
    /// The clock.
    pub clock: Clock,
}

impl WindowSetup {
    /// Loads the TLS material, CAs and CRL signer subject named by `config`; the store is
    /// given separately.
    pub fn from_config(config: &Config, store: Box<dyn Store>) -> anyhow::Result<WindowSetup> {
        crate::material::check_private_key_mode("tls_key", &config.tls_key)?;
        if let Some(s) = &config.crl_signer {
            crate::material::check_private_key_mode("crl_signer.private_key", &s.private_key)?;
        }
        let tls = tls_server_config(&config.tls_certificate, &config.tls_key)?;
        let signing_cas = config
            .signing_cas
            .iter()
            .map(|p| TrustedCa::load(p))
            .collect::<Result<Vec<_>, _>>()?;
        let crl_issuer = match &config.crl_signer {
            Some(s) => {
                let (cert, _) = crate::material::read_certificate(&s.certificate)?;
                Some(der::Encode::to_der(&cert.tbs_certificate.subject)?)
            }
            None => None,
        };
        Ok(WindowSetup {
            listen: config.listen,
            tls,
            signing_cas,
            crl_issuer,
            limits: config.limits.clone(),
            store,
            clock: Clock::system(),
        })
    }
}

/// A running window.
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    shutdown: watch::Sender<bool>,
    accept_task: tokio::task::JoinHandle<()>,
    committer: Option<CommitterThread>,
}

impl RunningServer {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT` (or the bound IP).
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The routes' state (clock, limiter) for tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, closes connections, drains and stops the committer.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        let _ = (&mut self.accept_task).await;
        // The committer stops once the last handle (held by the routes) is gone.
        drop(self.state);
        if let Some(c) = self.committer.take() {
            let _ = tokio::task::spawn_blocking(move || c.join()).await;
        }
    }

    /// Waits until the accept loop ends (it ends only on shutdown or a listener failure).
    pub async fn wait(&mut self) {
        let _ = (&mut self.accept_task).await;
    }
}

/// Binds and starts serving, with the database's challenge key.
pub async fn start(setup: WindowSetup) -> anyhow::Result<RunningServer> {
    start_with(setup, None).await
}

/// Binds and starts serving, with the configured challenge keys
/// ([`crate::material::read_challenge_keys`]) or, if `None`, the database's key.
pub async fn start_with(
    setup: WindowSetup,
    challenge_keys: Option<ChallengeKeys>,
) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind(setup.listen).await?;
    let addr = listener.local_addr()?;
    let store = setup.store;
    let (store, keys) = match challenge_keys {
        Some(keys) => (store, keys),
        None => {
            // Store calls block (PostgreSQL's run on a runtime of their own): off this runtime.
            let mut store = store;
            let (store, key) = tokio::task::spawn_blocking(move || {
                let key = store.challenge_key();
                (store, key)
            })
            .await?;
            let key = key
                .map_err(|e| anyhow::anyhow!("reading the challenge key from the database: {e}"))?;
            (store, ChallengeKeys::new(&key))
        }
    };
    let (committer, committer_thread) = Committer::start(store, setup.limits.max_commit_batch);
    let state = AppState::new(
        setup.signing_cas,
        setup.limits.clone(),
        setup.clock,
        keys,
        committer,
        setup.crl_issuer,
    );
    // The rate limiter keeps a bucket per client seen; forget the ones that are full again.
    let rate = state.rate();
    let (shutdown, shutdown_rx) = watch::channel(false);
    let mut trim_shutdown = shutdown_rx.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(30));
        loop {
            tokio::select! {
                _ = every.tick() => {
                    rate.limiter().retain_recent();
                    rate.limiter().shrink_to_fit();
                }
                _ = trim_shutdown.changed() => break,
            }
        }
    });
    let app = router(state.clone());
    let accept_task = tokio::spawn(accept_loop(
        listener,
        TlsAcceptor::from(setup.tls),
        app,
        setup.limits,
        shutdown_rx,
    ));
    Ok(RunningServer {
        addr,
        state,
        shutdown,
        accept_task,
        committer: Some(committer_thread),
    })
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: axum::Router,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) {
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = PerClient::default();
    let mut tasks = JoinSet::new();
    loop {
        let permit = tokio::select! {
            _ = shutdown.changed() => break,
            p = connections.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (tcp, peer) = tokio::select! {
            _ = shutdown.changed() => break,
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        while tasks.try_join_next().is_some() {}
        // One client cannot take every connection: beyond its share, close at once (the
        // global permit goes back with `permit`).
        let Some(client_slot) = per_client.enter(peer.ip(), limits.max_connections_per_client)
        else {
            drop(tcp);
            continue;
        };
        let acceptor = acceptor.clone();
        let app = app
            .clone()
            .map_request(move |mut r: axum::extract::Request<_>| {
                r.extensions_mut().insert(ConnectInfo(peer));
                r
            });
        let read_timeout = limits.read_timeout();
        let write_timeout = limits.write_timeout();
        tasks.spawn(async move {
            let _permit = permit;
            let _client_slot = client_slot;
            let _ = tcp.set_nodelay(true);
            let mut stream = TimeoutStream::new(tcp);
            stream.set_read_timeout(Some(read_timeout));
            stream.set_write_timeout(Some(write_timeout));
            let stream = Box::pin(stream);
            let tls = match tokio::time::timeout(read_timeout, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => tls,
                _ => return,
            };
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(read_timeout)
                .keep_alive(true);
            builder
                .http2()
                .timer(TokioTimer::new())
                // A body is read before the request takes a processing slot; streams per
                // connection bound what one connection can hold in bodies at once
                // (8 × max_body_bytes), and the per-client connection cap bounds a client.
                .max_concurrent_streams(8);
            let service = TowerToHyperService::new(app);
            let _ = builder.serve_connection(TokioIo::new(tls), service).await;
        });
    }
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
}

/// Open connections per client.
#[derive(Clone, Default)]
struct PerClient(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One open connection of a client; leaving frees it.
struct ClientSlot {
    map: PerClient,
    client: IpAddr,
}

impl PerClient {
    fn enter(&self, addr: IpAddr, max: usize) -> Option<ClientSlot> {
        let client = client_of(addr);
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = m.entry(client).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(ClientSlot {
            map: self.clone(),
            client,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut m = self.map.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.client);
            }
        }
    }
}
