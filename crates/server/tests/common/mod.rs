//! Shared harness: an in-process window on 127.0.0.1 with TLS (fixture certificates) and a
//! reqwest client trusting only the fixture TLS CA; a fresh database of either store
//! ([`Db`]), PostgreSQL's in a private cluster ([`pg`]).
#![allow(dead_code)]

pub mod bin;
pub mod pg;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::{ChallengeAnswer, MEDIA_TYPE_CMS, OutcomeAnswer};
use madoguchi_server::clock::Clock;
use madoguchi_server::config::Limits;
use madoguchi_server::material::{
    TrustedCa, read_rsa_private_key, tls_client_config, tls_server_config,
};
use madoguchi_server::testkit::{TestCa, TestHolder, fixtures_dir};
use madoguchi_server::{RunningServer, SqliteStore, Store, WindowSetup, start};
use rsa::RsaPrivateKey;

pub fn pki_dir() -> PathBuf {
    fixtures_dir().join("pki")
}

/// The fixture signing CA (with key) — the CA the window trusts.
pub fn sign_ca() -> &'static TestCa {
    static CA: OnceLock<TestCa> = OnceLock::new();
    CA.get_or_init(|| TestCa::fixture_sign_ca().expect("fixtures/pki/sign-ca"))
}

/// One RSA key shared by generated holders (the `normal` card's key).
pub fn holder_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        read_rsa_private_key(&fixtures_dir().join("cards/normal/sign-key.pem")).expect("holder key")
    })
}

/// A holder certificate under the fixture signing CA, valid for a year.
pub fn holder(serial: u64) -> TestHolder {
    TestHolder::issue(
        sign_ca(),
        serial,
        holder_key(),
        Duration::from_secs(365 * 86400),
    )
}

pub fn client() -> reqwest::Client {
    let ca = pki_dir().join("tls-ca.pem");
    let tls = tls_client_config(&[ca.as_path()]).expect("client TLS");
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .https_only(true)
        .build()
        .expect("client")
}

pub struct Harness {
    pub server: RunningServer,
    pub client: reqwest::Client,
    pub url: String,
    pub clock: Clock,
}

pub async fn start_window(limits: Limits, store: Option<Box<dyn Store>>) -> Harness {
    let pki = pki_dir();
    let clock = Clock::system();
    let setup = WindowSetup {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: tls_server_config(&pki.join("server.pem"), &pki.join("server-key.pem")).unwrap(),
        signing_cas: vec![TrustedCa::load(&pki.join("sign-ca.der")).unwrap()],
        crl_issuer: Some(
            der::Encode::to_der(&sign_ca().certificate.tbs_certificate.subject).unwrap(),
        ),
        limits,
        store: store.unwrap_or_else(|| Box::new(SqliteStore::open_in_memory().unwrap())),
        clock: clock.clone(),
    };
    let server = start(setup).await.expect("window starts");
    let url = format!("https://127.0.0.1:{}", server.local_addr().port());
    Harness {
        server,
        client: client(),
        url,
        clock,
    }
}

pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
    pub answer: OutcomeAnswer,
}

impl Harness {
    pub async fn challenge(&self) -> ChallengeAnswer {
        let r = self
            .client
            .post(format!("{}/v1/challenges", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        serde_json::from_str(&r.text().await.unwrap()).unwrap()
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let r = self
            .client
            .post(format!("{}{}", self.url, path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let retry_after = r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = r.text().await.unwrap();
        let answer: OutcomeAnswer =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        Answer {
            status,
            retry_after,
            body,
            answer,
        }
    }

    pub async fn submit(&self, procedure: Procedure, cms: Vec<u8>) -> Answer {
        let path = match procedure {
            Procedure::Revocation => "/v1/revocations",
            Procedure::ValidityCheck => "/v1/validity-checks",
        };
        self.post_raw(path, MEDIA_TYPE_CMS, cms).await
    }

    /// Challenge, sign, submit.
    pub async fn run(&self, h: &TestHolder, procedure: Procedure) -> Answer {
        let c = self.challenge().await;
        self.submit(procedure, h.signed_request(procedure, &c.challenge))
            .await
    }
}

/// Which store a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh, empty database of one kind.
pub struct Db {
    pub kind: Kind,
    pub database: madoguchi_server::config::Database,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    /// `None`: PostgreSQL is missing and this test is skipped (listed at exit).
    pub fn fresh(kind: Kind) -> Option<Db> {
        use madoguchi_server::config::Database;
        Some(match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("window.db");
                Db {
                    kind,
                    database: Database::Sqlite(path),
                    _dir: Some(dir),
                }
            }
            Kind::Postgres => Db {
                kind,
                database: Database::Postgres(pg::cluster()?.new_database()),
                _dir: None,
            },
        })
    }

    /// The URL (PostgreSQL) or path (SQLite), as a configuration file names it.
    pub fn config_value(&self) -> String {
        match &self.database {
            madoguchi_server::config::Database::Sqlite(p) => p.display().to_string(),
            madoguchi_server::config::Database::Postgres(u) => u.clone(),
        }
    }

    /// A new connection to it (opened off the runtime).
    pub async fn open(&self) -> Box<dyn Store> {
        let d = self.database.clone();
        pg::blocking(move || madoguchi_server::store::open_store(&d).expect("store opens")).await
    }

    /// Runs `f` on a connection of its own, off the runtime (CLI-like side work: CRLs, lists).
    pub async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Store) -> T + Send + 'static,
    ) -> T {
        let d = self.database.clone();
        pg::blocking(move || {
            let mut s = madoguchi_server::store::open_store(&d).expect("store opens");
            f(s.as_mut())
        })
        .await
    }
}

/// Runs each named `async fn(Kind)` as two tests, `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! both_stores {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Kind::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Kind::Postgres).await
                }
            }
        )*
    };
}
