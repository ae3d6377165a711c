//! Starting the window: TLS listener, connection handling, committer.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_io_timeout::TimeoutStream;
use tokio_rustls::TlsAcceptor;

use crate::app::{AppState, router};
use crate::challenge::ChallengeBook;
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

/// Binds and starts serving.
pub async fn start(setup: WindowSetup) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind(setup.listen).await?;
    let addr = listener.local_addr()?;
    let challenges = Arc::new(Mutex::new(ChallengeBook::new(
        setup.limits.max_outstanding_challenges,
    )));
    let (committer, committer_thread) = Committer::start(
        setup.store,
        challenges.clone(),
        setup.limits.max_commit_batch,
    );
    let state = AppState::new(
        setup.signing_cas,
        setup.limits.clone(),
        setup.clock,
        challenges,
        committer,
        setup.crl_issuer,
    );
    let app = router(state.clone());
    let (shutdown, shutdown_rx) = watch::channel(false);
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
    let mut tasks = JoinSet::new();
    loop {
        let permit = tokio::select! {
            _ = shutdown.changed() => break,
            p = connections.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (tcp, _peer) = tokio::select! {
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
        let acceptor = acceptor.clone();
        let app = app.clone();
        let read_timeout = limits.read_timeout();
        let write_timeout = limits.write_timeout();
        tasks.spawn(async move {
            let _permit = permit;
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
                .max_concurrent_streams(64);
            let service = TowerToHyperService::new(app);
            let _ = builder.serve_connection(TokioIo::new(tls), service).await;
        });
    }
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
}
