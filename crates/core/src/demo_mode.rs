//! Demo mode: the virtual card and the in-process online window of
//! `madoguchi-demo`, put together for the app and the command line.
//!
//! Each start makes a fresh window, so one profile's history never leaks into
//! another's answers. The "revoked" profile is the `normal` card after a
//! revocation that the window accepted *and* put on a CRL
//! (`madoguchi-server crl issue`), so that a validity check answers 3.1.11 and
//! a revocation 2.2.14.
//!
//! The demo's trust stays here: the client trusts the window through a
//! [`madoguchi_demo::DemoTrust`] (loopback only), and the local issuer check
//! knows the demo's signing CA only inside a demo run ([`Demo::known_cas`]).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use madoguchi_demo::{DemoCard, LocalWindow, LocalWindowOptions, Material, Profile};
use madoguchi_pki::checks::KnownCa;
use madoguchi_pki::request::Procedure;

use crate::client::{Client, ClientConfig, ProxySetting, Trust};
use crate::flow::{
    Action, CardOpener, Driver, Engine, ExpectedIssuers, Finish, Input, Options, Screen,
};

/// Demo mode: the card and the window.
pub struct Demo {
    pub profile: Profile,
    pub card: DemoCard,
    pub window: LocalWindow,
    material: Arc<Material>,
    known_cas: Arc<Vec<KnownCa>>,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("profile", &self.profile)
            .field("window", &self.window.url())
            .finish_non_exhaustive()
    }
}

impl Demo {
    /// Start the card of `profile` and a fresh window, from `material`.
    pub fn start(material: Arc<Material>, profile: Profile) -> anyhow::Result<Demo> {
        // The window's database holds the requests (names, addresses).
        let dir = madoguchi_demo::material::private_dir("madoguchi-window-")?;
        let db = dir.path().join("window.db");
        let window = LocalWindow::start_with(
            &material,
            LocalWindowOptions {
                store: Some(Box::new(madoguchi_server::SqliteStore::open(&db)?)),
                ..LocalWindowOptions::default()
            },
        )?;
        let card = DemoCard::open(&material, profile)?;
        let known_cas = Arc::new(vec![KnownCa::from_der(&material.signing_ca()?)?]);
        let demo = Demo {
            profile,
            card,
            window,
            material,
            known_cas,
            _dir: dir,
        };
        if profile.needs_revocation() {
            demo.revoke_and_publish(&db)?;
        }
        Ok(demo)
    }

    /// The material the demo runs on.
    pub fn material(&self) -> &Arc<Material> {
        &self.material
    }

    /// The client settings for the demo window: its own CA, no proxy.
    pub fn client_config(&self) -> ClientConfig {
        let mut c = ClientConfig::new(Some(self.window.url().to_owned()));
        c.trust = Trust::Demo(self.window.trust());
        c.proxy = ProxySetting::None;
        c.connect_timeout = Duration::from_secs(5);
        c.read_timeout = Duration::from_secs(20);
        c
    }

    /// The signing CA the demo's cards chain to, for the local issuer check.
    pub fn known_cas(&self) -> Arc<Vec<KnownCa>> {
        self.known_cas.clone()
    }

    /// The issuer names the demo shows as expected (2.2.11 / 3.1.10): its
    /// own signing CA's, marked as the demo's; never in a production run.
    pub fn expected_issuers(&self) -> ExpectedIssuers {
        ExpectedIssuers::Demo(
            self.known_cas
                .iter()
                .map(|ca| ca.subject().to_owned())
                .collect(),
        )
    }

    /// A card opener on the demo card.
    pub fn opener(&self) -> CardOpener {
        let card = self.card.clone();
        Box::new(move || card.connect())
    }

    /// Revoke the card's certificate at the window and issue a CRL, with a
    /// card of its own (the demo card's counters are not touched).
    fn revoke_and_publish(&self, db: &std::path::Path) -> anyhow::Result<()> {
        let card = DemoCard::open(&self.material, Profile::Normal)?;
        let client = Client::new(&self.client_config())?;
        let options = Options {
            known_cas: self.known_cas(),
            ..Options::default()
        };
        let mut driver = Driver::new(
            Engine::new(Procedure::Revocation, options),
            Box::new(move || card.connect()),
            Ok(client),
        )?;
        driver.feed(Input::Action(Action::Start));
        for _ in 0..20 {
            let action = match driver.settle()? {
                Screen::CardPreparation => Action::Ok,
                Screen::Password { .. } => {
                    Action::Password(madoguchi_card::Secret::new(Profile::Normal.password()))
                }
                Screen::Review => Action::Sign,
                Screen::SignConfirmation | Screen::SendConfirmation => Action::Confirm,
                Screen::Finished(Finish::Accepted) => break,
                other => anyhow::bail!("preparing the revoked demo card stopped at {other:?}"),
            };
            driver.feed(Input::Action(action));
        }
        let signer = madoguchi_server::material::CrlSigner::load(
            &self.material.pki("sign-ca.der"),
            &self.material.pki("sign-ca-key.pem"),
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
