//! Where the card and the online window come from: a PC/SC reader and the
//! configured window, or (demo mode) the in-process virtual card and the
//! in-process reference window on 127.0.0.1 with the test PKI.
//!
//! The demo card can be taken out and put back from the app (hot-plug
//! without hardware), and its profile switched. Each switch starts a fresh
//! window, so one profile's history never leaks into another's answers.
//! The "revoked" profile is the `normal` card after a revocation that the
//! window accepted *and* put on a CRL (`madoguchi-server crl issue`), so
//! that a validity check answers 3.1.11 and a revocation 2.2.14.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use madoguchi_card::{CardChannel, CardError, PinKind, TransportError};
use madoguchi_pki::request::Procedure;
use madoguchi_sim::{Faults, SharedCard, SimChannel, SimHandle, VirtualCard};

use crate::card_source::{CardSource, DEMO_READER, fixtures_dir};
use crate::client::{Anchors, Client, ClientConfig, ClientError, ProxySetting};
use crate::flow::{Action, CardOpener, Driver, Engine, Finish, Input, Options, Screen};
use crate::local_window::{LocalWindow, LocalWindowOptions};

/// The demo profiles offered in the app, in the order shown.
pub const DEMO_CHOICES: &[&str] = &[
    "normal",
    "expired",
    "one-try-left",
    "locked",
    "foreign-ca",
    "revoked",
    "rare-kanji",
    "impostor-ca",
    "juki",
];

/// The signing password of a demo profile (fixtures/README.md).
pub fn demo_password(profile: &str) -> &'static str {
    match profile {
        "rare-kanji" => "ABCDEFGH12345678",
        _ => "ABC123",
    }
}

/// The fixture card behind a demo choice.
fn card_profile(choice: &str) -> &str {
    match choice {
        "revoked" => "normal",
        other => other,
    }
}

/// The in-process virtual card, with a slot that can be emptied.
#[derive(Clone)]
pub struct DemoCard {
    shared: SharedCard,
    present: Arc<Mutex<bool>>,
    handles: Arc<Mutex<Vec<SimHandle>>>,
    faults: Faults,
}

impl std::fmt::Debug for DemoCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCard")
            .field("present", &self.is_present())
            .finish_non_exhaustive()
    }
}

impl DemoCard {
    /// A fresh card of a demo choice (counters as the profile says).
    pub fn open(choice: &str) -> Result<DemoCard, CardError> {
        let path = CardSource::demo_profile_path(card_profile(choice));
        let card = VirtualCard::open(&path, None)
            .map_err(|e| CardError::Transport(format!("demo card {}: {e}", path.display())))?;
        Ok(DemoCard {
            shared: madoguchi_sim::share(card),
            present: Arc::new(Mutex::new(true)),
            handles: Arc::default(),
            faults: Faults::new(),
        })
    }

    pub fn is_present(&self) -> bool {
        *self.present.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take the card out: open connections fail as a real removal does.
    pub fn remove(&self) {
        *self.present.lock().unwrap_or_else(|e| e.into_inner()) = false;
        for h in self
            .handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            h.remove();
        }
    }

    /// Put it back.
    pub fn insert(&self) {
        *self.present.lock().unwrap_or_else(|e| e.into_inner()) = true;
    }

    /// Make every command take `latency` (a slow card or reader).
    pub fn set_latency(&self, latency: std::time::Duration) {
        self.faults.set_latency(latency);
    }

    /// The card's fault injection (tests hold an APDU back with it).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Tries left of a password (for tests and the demo panel).
    pub fn tries_left(&self, kind: PinKind) -> Option<u8> {
        madoguchi_sim::channel::lock(&self.shared).tries_left(kind)
    }

    /// Connections to this card, as the flow and the tools open them.
    pub fn opener(&self) -> CardOpener {
        let me = self.clone();
        Box::new(move || me.connect())
    }

    fn connect(&self) -> Result<(String, Box<dyn CardChannel>), CardError> {
        if !self.is_present() {
            return Err(CardError::NoCard);
        }
        let channel = SimChannel::with_shared(self.shared.clone(), self.faults.clone());
        self.handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(channel.handle());
        Ok((DEMO_READER.to_string(), Box::new(Guarded(channel))))
    }
}

/// A demo channel (kept as its own type so the slot's removal reaches it).
struct Guarded(SimChannel);

impl CardChannel for Guarded {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0.transmit_raw(command)
    }
    fn atr(&self) -> Vec<u8> {
        self.0.atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.0.reset()
    }
}

/// Demo mode: the card and the window.
pub struct Demo {
    pub choice: String,
    pub card: DemoCard,
    pub window: LocalWindow,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("choice", &self.choice)
            .field("window", &self.window.url())
            .finish_non_exhaustive()
    }
}

/// The TLS anchor of the test PKI.
pub fn demo_anchor() -> PathBuf {
    fixtures_dir().join("pki").join("tls-ca.pem")
}

impl Demo {
    /// Start the card and a fresh window for `choice`.
    pub fn start(choice: &str) -> anyhow::Result<Demo> {
        let choice = if DEMO_CHOICES.contains(&choice) {
            choice
        } else {
            "normal"
        };
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("window.db");
        let window = LocalWindow::start_with(LocalWindowOptions {
            store: Some(Box::new(madoguchi_server::SqliteStore::open(&db)?)),
            ..LocalWindowOptions::default()
        })?;
        let card = DemoCard::open(choice)?;
        let demo = Demo {
            choice: choice.to_owned(),
            card,
            window,
            _dir: dir,
        };
        if choice == "revoked" {
            demo.revoke_and_publish(&db)?;
        }
        Ok(demo)
    }

    /// The client settings for the demo window.
    pub fn client_config(&self) -> ClientConfig {
        demo_client_config(self.window.url())
    }

    /// Revoke the card's certificate at the window and issue a CRL, with a
    /// card of its own (the demo card's counters are not touched).
    fn revoke_and_publish(&self, db: &std::path::Path) -> anyhow::Result<()> {
        let card = DemoCard::open("normal")?;
        let client = Client::new(&self.client_config())?;
        let mut driver = Driver::new(
            Engine::new(Procedure::Revocation, Options::default()),
            card.opener(),
            Ok(client),
        )?;
        driver.feed(Input::Action(Action::Start));
        for _ in 0..20 {
            let action = match driver.settle()? {
                Screen::CardPreparation => Action::Ok,
                Screen::Password { .. } => {
                    Action::Password(madoguchi_card::Secret::new(demo_password("normal")))
                }
                Screen::Review => Action::Sign,
                Screen::SignConfirmation | Screen::SendConfirmation => Action::Confirm,
                Screen::Finished(Finish::Accepted) => break,
                other => anyhow::bail!("preparing the revoked demo card stopped at {other:?}"),
            };
            driver.feed(Input::Action(action));
        }
        let pki = fixtures_dir().join("pki");
        let signer = madoguchi_server::material::CrlSigner::load(
            &pki.join("sign-ca.der"),
            &pki.join("sign-ca-key.pem"),
        )?;
        let mut store = madoguchi_server::SqliteStore::open(db)?;
        madoguchi_server::crl::issue(
            &mut store,
            &signer,
            SystemTime::now(),
            Duration::from_secs(86400),
        )?;
        Ok(())
    }
}

/// Client settings trusting only the test PKI's TLS CA, no proxy.
pub fn demo_client_config(url: &str) -> ClientConfig {
    let mut c = ClientConfig::new(Some(url.to_owned()));
    if let Ok(a) = Anchors::from_file(&demo_anchor()) {
        c.anchors = a;
    }
    c.proxy = ProxySetting::None;
    c.connect_timeout = Duration::from_secs(5);
    c.read_timeout = Duration::from_secs(20);
    c
}

/// Where cards come from.
pub enum Source {
    /// PC/SC: the window from the settings; the reader chosen by name, or the one physical reader with a
    /// card ([`madoguchi_card::pick_reader`]).
    Pcsc(ReaderChoice),
    /// Demo mode.
    Demo(Box<Demo>),
    /// Given by the embedder (tests: a card with injected faults, a
    /// scripted window).
    Custom(Box<Custom>),
}

/// A card and a window given from outside.
pub struct Custom {
    /// A new opener for each procedure or tool.
    pub opener: Box<dyn Fn() -> CardOpener>,
    pub config: ClientConfig,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Pcsc(reader) => write!(f, "Pcsc({reader:?})"),
            Source::Demo(d) => d.fmt(f),
            Source::Custom(_) => f.write_str("Custom"),
        }
    }
}

impl Source {
    pub fn opener(&self) -> CardOpener {
        match self {
            Source::Pcsc(choice) => {
                // Read at each connection: a choice made later counts.
                let choice = choice.clone();
                Box::new(move || {
                    CardSource::Pcsc {
                        reader: choice.get(),
                    }
                    .open()
                })
            }
            Source::Demo(d) => d.card.opener(),
            Source::Custom(c) => (c.opener)(),
        }
    }

    pub fn demo(&self) -> Option<&Demo> {
        match self {
            Source::Demo(d) => Some(d),
            Source::Pcsc(_) | Source::Custom(_) => None,
        }
    }

    /// The client configuration: the demo window, or the settings'.
    pub fn client_config(
        &self,
        settings: &super::settings::Settings,
    ) -> Result<ClientConfig, ClientError> {
        match self {
            Source::Demo(d) => Ok(d.client_config()),
            Source::Custom(c) => Ok(c.config.clone()),
            Source::Pcsc(_) => {
                let anchors: Vec<PathBuf> = settings.anchor.iter().cloned().collect();
                crate::cli::procedure::client_config(
                    settings.server.clone(),
                    &anchors,
                    Some(settings.proxy.as_str()),
                    10,
                    30,
                )
            }
        }
    }

    /// A client, or the error that keeps one from being made (shown at the
    /// step that needs the window).
    pub fn client(&self, settings: &super::settings::Settings) -> Result<Client, ClientError> {
        Client::new(&self.client_config(settings)?)
    }
}

/// The card reader chosen for this session (`None`: the one physical reader
/// that holds a card). Shared by every card job's opener, which reads it each
/// time it connects.
#[derive(Clone, Debug, Default)]
pub struct ReaderChoice(Arc<Mutex<Option<String>>>);

impl ReaderChoice {
    pub fn new(reader: Option<String>) -> ReaderChoice {
        ReaderChoice(Arc::new(Mutex::new(reader)))
    }

    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, reader: Option<String>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = reader;
    }
}
