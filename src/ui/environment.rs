//! Where the card and the online window come from: a PC/SC reader and the
//! configured window, or (demo mode, [`crate::demo_mode`]) the in-process
//! virtual card and the in-process reference window on 127.0.0.1.
//!
//! The demo card can be taken out and put back from the app (hot-plug
//! without hardware), and its profile switched.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use madoguchi_pki::checks::KnownCa;

use crate::card_source::CardSource;
use crate::client::{Client, ClientConfig, ClientError};
pub use crate::demo_mode::Demo;
use crate::flow::CardOpener;

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
    /// The signing CAs of the local issuer check.
    pub known_cas: Arc<Vec<KnownCa>>,
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
            Source::Demo(d) => d.opener(),
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
                crate::trust_config::client_config(
                    settings.server.clone(),
                    &anchors,
                    Some(settings.proxy.as_str()),
                    10,
                    30,
                )
            }
        }
    }

    /// The JPKI signing CAs the local issuer check knows: the demo's own,
    /// or the configured ones ([`crate::trust_config::signing_cas`]).
    pub fn known_cas(
        &self,
        settings: &super::settings::Settings,
    ) -> Result<Arc<Vec<KnownCa>>, crate::trust_config::TrustConfigError> {
        match self {
            Source::Demo(d) => Ok(d.known_cas()),
            Source::Custom(c) => Ok(c.known_cas.clone()),
            Source::Pcsc(_) => {
                crate::trust_config::signing_cas(&settings.signing_cas).map(Arc::new)
            }
        }
    }

    /// The issuer names shown as expected on 2.2.11 / 3.1.10: the demo's
    /// own CA in a demo run, the J-LIS name otherwise.
    pub fn expected_issuers(&self) -> crate::flow::ExpectedIssuers {
        match self {
            Source::Demo(d) => d.expected_issuers(),
            Source::Custom(_) | Source::Pcsc(_) => crate::flow::ExpectedIssuers::Jpki,
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
