//! The reference online window (`madoguchi-server`) started in this process
//! on 127.0.0.1, with the demo's material ([`Material`]): what `--demo` talks to,
//! and what the flow tests use. Its TLS CA is trusted through [`DemoTrust`] only.

use std::sync::Arc;

use madoguchi_server::clock::Clock;
use madoguchi_server::config::Limits;
use madoguchi_server::material::{TrustedCa, tls_server_config};
use madoguchi_server::{RunningServer, SqliteStore, Store, WindowSetup, start};

use crate::material::Material;
use crate::trust::DemoTrust;

/// Settings of a [`LocalWindow`].
pub struct LocalWindowOptions {
    /// TLS certificate name in the material's `pki/` (`server`, or, in the
    /// committed fixtures only, a negative one: `server-expired`,
    /// `server-wrong-host`, `server-untrusted`).
    pub certificate: String,
    pub limits: Limits,
    /// The store; an in-memory SQLite database when `None`.
    pub store: Option<Box<dyn Store>>,
}

impl Default for LocalWindowOptions {
    fn default() -> Self {
        LocalWindowOptions {
            certificate: "server".into(),
            limits: Limits::default(),
            store: None,
        }
    }
}

/// A running in-process window. Stops when dropped.
pub struct LocalWindow {
    runtime: Option<tokio::runtime::Runtime>,
    server: Option<RunningServer>,
    url: String,
    clock: Clock,
    trust: DemoTrust,
}

impl LocalWindow {
    /// Start with the default settings (the `server` certificate, default
    /// limits, an in-memory store).
    pub fn start(material: &Material) -> anyhow::Result<LocalWindow> {
        LocalWindow::start_with(material, LocalWindowOptions::default())
    }

    pub fn start_with(
        material: &Material,
        options: LocalWindowOptions,
    ) -> anyhow::Result<LocalWindow> {
        let tls = tls_server_config(
            &material.pki(&format!("{}.pem", options.certificate)),
            &material.pki(&format!("{}-key.pem", options.certificate)),
        )?;
        let tls_ca = material.pki("tls-ca.der");
        let trust = DemoTrust::new(
            vec![std::fs::read(&tls_ca).map_err(|e| {
                anyhow::anyhow!("reading the demo TLS CA {}: {e}", tls_ca.display())
            })?],
            material.root().display().to_string(),
        );
        let sign_ca = material.pki("sign-ca.der");
        let (ca_cert, _) = madoguchi_server::material::read_certificate(&sign_ca)?;
        let clock = Clock::system();
        let store = match options.store {
            Some(s) => s,
            None => Box::new(SqliteStore::open_in_memory()?),
        };
        let setup = WindowSetup {
            listen: "127.0.0.1:0".parse().expect("address"),
            tls,
            signing_cas: vec![TrustedCa::load(&sign_ca)?],
            crl_issuer: Some(der::Encode::to_der(&ca_cert.tbs_certificate.subject)?),
            limits: options.limits,
            store,
            clock: clock.clone(),
        };
        // On a thread of its own: the caller may be inside another runtime
        // (a GUI's), where blocking on this one would panic.
        let (runtime, server) = std::thread::spawn(move || -> anyhow::Result<_> {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("madoguchi-window")
                .enable_all()
                .build()?;
            let server = runtime.block_on(start(setup))?;
            Ok((runtime, server))
        })
        .join()
        .map_err(|_| anyhow::anyhow!("the local window failed to start"))??;
        let url = format!("https://127.0.0.1:{}", server.local_addr().port());
        tracing::info!(target: "madoguchi::demo", "local online window at {url}");
        Ok(LocalWindow {
            runtime: Some(runtime),
            server: Some(server),
            url,
            clock,
            trust,
        })
    }

    /// Trust in this window's CA, for the client that talks to it.
    pub fn trust(&self) -> DemoTrust {
        self.trust.clone()
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The window's clock (tests move it).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The window's request limiter: holding its permits makes the window
    /// answer `busy`.
    pub fn limiter(&self) -> Arc<tokio::sync::Semaphore> {
        self.server.as_ref().expect("running").state().limiter()
    }
}

impl Drop for LocalWindow {
    fn drop(&mut self) {
        if let (Some(rt), Some(server)) = (self.runtime.take(), self.server.take()) {
            // As in `start_with`: never block on this runtime from inside
            // another one.
            let _ = std::thread::spawn(move || {
                rt.block_on(server.shutdown());
                rt.shutdown_background();
            })
            .join();
        }
    }
}
