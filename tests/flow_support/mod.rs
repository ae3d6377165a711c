//! Harness of the flow tests: the in-process virtual card with an APDU
//! log, the in-process reference window, a scripted window, and a driver
//! that walks the engine with a hang watchdog.

#![allow(dead_code)]

pub mod fake_window;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use madoguchi_card::{CardChannel, CardError, PinKind, TransportError};
use madoguchi_core::client::{
    Anchors, BusyPolicy, Client, ClientConfig, ClientError, ProxySetting, Trust,
};
use madoguchi_core::flow::{Action, CardOpener, Driver, Engine, Input, Options, Screen};
use madoguchi_pki::request::Procedure;
use madoguchi_sim::{Faults, SharedCard, SimChannel, SimHandle, VirtualCard};

#[allow(unused_imports)]
pub use fake_window::{FakeWindow, Scripted};

use std::time::SystemTime;

use madoguchi_core::demo::{LocalWindow, LocalWindowOptions, Material};
use madoguchi_pki::checks::KnownCa;
use madoguchi_server::config::Limits;
use madoguchi_server::{SqliteStore, Store};

/// The workspace root: these helpers serve the core's tests
/// (crates/core) and the app's (the root).
pub fn repo() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match manifest.ends_with("crates/core") {
        true => manifest.join("../.."),
        false => manifest,
    }
}

pub fn fixtures() -> PathBuf {
    repo().join("fixtures")
}

pub fn pki_dir() -> PathBuf {
    fixtures().join("pki")
}

/// The committed fixtures as demo material: the same certificates every run.
pub fn material() -> &'static Material {
    static MATERIAL: std::sync::OnceLock<Material> = std::sync::OnceLock::new();
    MATERIAL.get_or_init(|| Material::from_dir(&fixtures()).expect("fixtures/ is demo material"))
}

/// [`material`], shared.
pub fn shared_material() -> Arc<Material> {
    static MATERIAL: std::sync::OnceLock<Arc<Material>> = std::sync::OnceLock::new();
    MATERIAL
        .get_or_init(|| Arc::new(Material::from_dir(&fixtures()).expect("fixtures/")))
        .clone()
}

/// The fixture signing CA, as the local issuer check knows it.
pub fn known_cas() -> Arc<Vec<KnownCa>> {
    let der = std::fs::read(pki_dir().join("sign-ca.der")).unwrap();
    Arc::new(vec![KnownCa::from_der(&der).unwrap()])
}

/// The signing password of every fixture card but `rare-kanji`.
pub const PASSWORD: &str = "ABC123";

/// One virtual card for a test: every connection the engine opens reaches
/// it, through the same fault settings, and every command APDU is logged.
#[derive(Clone)]
pub struct TestCard {
    pub shared: SharedCard,
    pub faults: Faults,
    log: Arc<Mutex<Vec<Vec<u8>>>>,
    handles: Arc<Mutex<Vec<SimHandle>>>,
    fail_open: Arc<Mutex<Option<CardError>>>,
}

struct Logged {
    inner: SimChannel,
    log: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl CardChannel for Logged {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.log.lock().unwrap().push(command.to_vec());
        self.inner.transmit_raw(command)
    }
    fn atr(&self) -> Vec<u8> {
        self.inner.atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
}

impl TestCard {
    pub fn new(profile: &str) -> TestCard {
        let path = fixtures().join("cards").join(profile).join("card.toml");
        let card = VirtualCard::open(&path, None).expect("fixture card");
        TestCard {
            shared: madoguchi_sim::share(card),
            faults: Faults::new(),
            log: Arc::default(),
            handles: Arc::default(),
            fail_open: Arc::default(),
        }
    }

    /// Opening fails with `e` (no service, no reader, no card) until
    /// cleared with `None`.
    pub fn fail_open(&self, e: Option<CardError>) {
        *self.fail_open.lock().unwrap() = e;
    }

    pub fn opener(&self) -> CardOpener {
        let me = self.clone();
        Box::new(move || {
            if let Some(e) = me.fail_open.lock().unwrap().clone() {
                return Err(e);
            }
            let inner = SimChannel::with_shared(me.shared.clone(), me.faults.clone());
            me.handles.lock().unwrap().push(inner.handle());
            Ok((
                "Test card".to_string(),
                Box::new(Logged {
                    inner,
                    log: me.log.clone(),
                }) as Box<dyn CardChannel>,
            ))
        })
    }

    /// Whether the card is in the reader (the latest connection's slot).
    pub fn present(&self) -> bool {
        self.handles
            .lock()
            .unwrap()
            .last()
            .is_none_or(|h| h.is_present())
    }

    /// Take the card out of the latest connection's reader.
    pub fn remove(&self) {
        if let Some(h) = self.handles.lock().unwrap().last() {
            h.remove();
        }
    }

    pub fn tries_left(&self) -> u8 {
        madoguchi_sim::channel::lock(&self.shared)
            .tries_left(PinKind::SigningPassword)
            .expect("signing password")
    }

    pub fn apdus(&self) -> Vec<Vec<u8>> {
        self.log.lock().unwrap().clone()
    }

    /// Signature commands sent (`80 2A`).
    pub fn signatures(&self) -> usize {
        self.apdus()
            .iter()
            .filter(|a| a.len() > 1 && a[1] == 0x2A)
            .count()
    }

    /// VERIFY commands carrying a password (not the empty tries query).
    pub fn verifies_with_data(&self) -> usize {
        self.apdus()
            .iter()
            .filter(|a| a.len() > 5 && a[1] == 0x20)
            .count()
    }
}

/// A client trusting only the fixture TLS CA, no proxy, short timeouts.
pub fn client_config(url: &str) -> ClientConfig {
    let mut c = ClientConfig::new(Some(url.to_owned()));
    c.trust = Trust::Anchors(Anchors::from_file(&pki_dir().join("tls-ca.pem")).unwrap());
    c.proxy = ProxySetting::None;
    c.connect_timeout = Duration::from_secs(5);
    c.read_timeout = Duration::from_secs(10);
    c
}

pub fn client(url: &str) -> Result<Client, ClientError> {
    Client::new(&client_config(url))
}

/// Engine options for tests: waits on `busy` at most `max_waits` times.
pub fn options(max_waits: u32) -> Options {
    Options {
        busy: BusyPolicy {
            max_waits,
            ..BusyPolicy::default()
        },
        known_cas: known_cas(),
        ..Options::default()
    }
}

/// A driver plus what it drives.
pub struct Walk {
    pub driver: Driver,
    pub card: TestCard,
}

/// How long one completion may take before the test calls it a hang.
pub const WATCHDOG: Duration = Duration::from_secs(60);

impl Walk {
    pub fn new(
        procedure: Procedure,
        options: Options,
        card: &TestCard,
        client: Result<Client, ClientError>,
    ) -> Walk {
        let driver = Driver::new(Engine::new(procedure, options), card.opener(), client).unwrap();
        Walk {
            driver,
            card: card.clone(),
        }
    }

    pub fn screen(&self) -> &Screen {
        self.driver.screen()
    }

    pub fn section(&self) -> Option<&'static str> {
        self.driver.engine().section()
    }

    /// Wait for the engine to need the resident again; a card taken out
    /// meanwhile is reported as the reader watch would.
    pub fn settle(&mut self) {
        loop {
            while self.driver.engine().is_working() {
                self.driver
                    .step(WATCHDOG)
                    .unwrap_or_else(|e| panic!("hang: {e}"));
            }
            if !self.card.present() && reports_removal(self.driver.screen()) {
                self.driver.feed(Input::CardRemoved);
                continue;
            }
            return;
        }
    }

    pub fn act(&mut self, action: Action) -> &Screen {
        self.driver.feed(Input::Action(action));
        self.settle();
        self.driver.screen()
    }

    pub fn password(&mut self, pw: &str) -> &Screen {
        self.act(Action::Password(madoguchi_card::Secret::new(pw)))
    }

    /// Start → OK → password: the imported information (2.1.5) or
    /// whatever stops the way.
    pub fn walk_to_review(&mut self) -> &Screen {
        self.act(Action::Start);
        self.act(Action::Ok);
        if !matches!(self.screen(), Screen::Password { .. }) {
            return self.screen();
        }
        self.password(PASSWORD)
    }

    /// From 2.1.5: sign, confirm, password → the send confirmation (2.1.8).
    pub fn walk_to_send_confirmation(&mut self) -> &Screen {
        self.act(Action::Sign);
        self.act(Action::Confirm);
        if !matches!(self.screen(), Screen::Password { .. }) {
            return self.screen();
        }
        self.password(PASSWORD)
    }

    /// The whole procedure with the right password: the final screen.
    pub fn run_through(&mut self) -> &Screen {
        self.walk_to_review();
        if let Screen::IssuerWarning(_) = self.screen() {
            self.act(Action::Continue);
        }
        if *self.screen() != Screen::Review {
            return self.screen();
        }
        self.walk_to_send_confirmation();
        if *self.screen() != Screen::SendConfirmation {
            return self.screen();
        }
        self.act(Action::Confirm)
    }
}

/// Screens where the card is in use, so a removal must show 2.2.6.
fn reports_removal(s: &Screen) -> bool {
    !matches!(
        s,
        Screen::Top | Screen::CardPreparation | Screen::Finished(_) | Screen::Problem(_)
    )
}

/// The reference window with a database file the test can read.
pub struct Reference {
    pub window: LocalWindow,
    pub db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Reference {
    pub fn start(limits: Limits) -> Reference {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("window.db");
        let store = SqliteStore::open(&db).unwrap();
        let window = LocalWindow::start_with(
            material(),
            LocalWindowOptions {
                limits,
                store: Some(Box::new(store)),
                ..LocalWindowOptions::default()
            },
        )
        .unwrap();
        Reference {
            window,
            db,
            _dir: dir,
        }
    }

    pub fn records(&self) -> usize {
        SqliteStore::open(&self.db)
            .unwrap()
            .list_requests()
            .unwrap()
            .len()
    }

    /// `madoguchi-server crl issue`: accepted revocations take effect.
    pub fn issue_crl(&self) {
        let pki = pki_dir();
        let signer = madoguchi_server::material::CrlSigner::load(
            &pki.join("sign-ca.der"),
            &pki.join("sign-ca-key.pem"),
        )
        .unwrap();
        let mut store = SqliteStore::open(&self.db).unwrap();
        madoguchi_server::crl::issue(
            &mut store,
            &signer,
            SystemTime::now(),
            Duration::from_secs(86400),
        )
        .unwrap();
    }
}
