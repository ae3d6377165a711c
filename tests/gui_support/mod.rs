//! Harness of the GUI tests: the real app (`madoguchi::ui::App`) in demo
//! mode — the in-process virtual card and reference window — driven
//! through iced_test's headless simulator: clicks on the labels a person
//! sees, typing into the password box key by key, keyboard presses; the
//! messages the simulator collects go to the app's `update`.
//!
//! iced_test does not run Tasks, so the harness does, as iced's runtime
//! would ([`Gui::settle`], in the manner of Liana's sandbox): every Task an
//! update returns is turned into its stream and polled on a tokio runtime;
//! each message it outputs goes back to `update`, whose Tasks join the
//! rest, until none is left. Widget and window operations (focus, redraw)
//! have no window to act on and are dropped.
//!
//! Simulators on parallel threads may crash, so every test holds
//! [`serial`] for its whole run.

#![allow(dead_code)]

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

#[path = "drain.rs"]
mod drain;

use iced::Task;
use iced_test::Simulator;
use iced_test::core::keyboard::{Key, key::Named};
use iced_test::selector::Candidate;
use madoguchi::i18n::Language;
use madoguchi::ui::settings::Paths;
use madoguchi::ui::{App, Launch, Message};

static SERIAL: Mutex<()> = Mutex::new(());

/// Hold this for the whole test.
pub fn serial() -> MutexGuard<'static, ()> {
    // SAFETY of the environment: set before any simulator renders, under
    // the lock, always to the same value.
    unsafe { std::env::set_var("ICED_TEST_BACKEND", "tiny-skia") };
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The window size the tests use (tall, so that every button of a long
/// screen is on screen).
pub const SIZE: (f32, f32) = (1024.0, 1500.0);

/// How long one piece of card or network work may take before the test
/// calls it a hang.
pub const WATCHDOG: Duration = Duration::from_secs(60);

/// How [`Gui::demo`] starts the app.
pub fn demo_launch(profile: &str) -> Launch {
    Launch {
        demo: true,
        demo_profile: profile.parse().expect("a demo profile"),
        demo_material: Some(crate::flow_support::shared_material()),
        language: Some(Language::Ja),
        paths: Some(Paths::none()),
        ..Launch::default()
    }
}

pub struct Gui {
    pub app: App,
    pub size: (f32, f32),
    /// Work started and not yet run to its end.
    pending: Vec<Task<Message>>,
    runtime: tokio::runtime::Runtime,
}

impl Gui {
    /// The app in demo mode on `profile`, in Japanese, no settings files.
    pub fn demo(profile: &str) -> Gui {
        Gui::launch(demo_launch(profile))
    }

    pub fn launch(launch: Launch) -> Gui {
        Gui::with_app(App::new(launch))
    }

    /// A harness around an app made elsewhere.
    pub fn with_app(app: App) -> Gui {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the app's tasks");
        Gui {
            app,
            size: SIZE,
            pending: Vec::new(),
            runtime,
        }
    }

    /// Hand one message to the app; the work it starts is kept for
    /// [`Gui::settle`].
    pub fn send(&mut self, message: Message) {
        let task = self.app.update(message);
        self.pending.push(task);
    }

    fn simulator(&self) -> Simulator<'_, Message> {
        Simulator::with_size(madoguchi::ui::iced_settings(), self.size, self.app.view())
    }

    /// Feed messages to the app, then wait for the work they started.
    pub fn apply(&mut self, messages: Vec<Message>) {
        for m in messages {
            self.send(m);
        }
        self.settle();
    }

    /// Every text on screen (labels, values, inputs' contents).
    pub fn texts(&self) -> Vec<String> {
        let mut ui = self.simulator();
        let mut all = Vec::new();
        let _ = ui.find(|c: Candidate<'_>| {
            match c {
                Candidate::Text { content, .. } => all.push(content.to_owned()),
                Candidate::TextInput { state, .. } => all.push(state.text().to_owned()),
                _ => {}
            }
            None::<()>
        });
        all
    }

    pub fn sees(&self, label: &str) -> bool {
        let mut ui = self.simulator();
        ui.find(label).is_ok()
    }

    /// Whether the widget with this id is on screen.
    pub fn has_widget(&self, id: &'static str) -> bool {
        let mut ui = self.simulator();
        ui.find(iced_test::selector::id(id)).is_ok()
    }

    /// Whether some text on screen contains `part`.
    pub fn sees_part(&self, part: &str) -> bool {
        self.texts().iter().any(|t| t.contains(part))
    }

    #[track_caller]
    pub fn expect(&self, label: &str) {
        assert!(
            self.sees(label),
            "{label:?} is not on screen; the screen shows:\n{}",
            self.texts().join("\n")
        );
    }

    /// Click without waiting for the work the click starts.
    #[track_caller]
    pub fn click_no_wait(&mut self, label: &str) {
        let messages = {
            let mut ui = self.simulator();
            ui.click(label)
                .unwrap_or_else(|e| panic!("cannot click {label:?}: {e:?}"));
            ui.into_messages().collect::<Vec<_>>()
        };
        for m in messages {
            self.send(m);
        }
    }

    /// Run the work under way to its end, as iced's runtime would: every
    /// message a Task outputs goes to `update`, and the Tasks that returns
    /// run too. Fails if some piece of work gives nothing for
    /// [`WATCHDOG`], or if the app still says it is busy with nothing left
    /// to run (it would wait forever).
    pub fn settle(&mut self) {
        let tasks = std::mem::take(&mut self.pending);
        if let Err(e) = drain::drain(&mut self.app, &self.runtime, tasks, WATCHDOG) {
            panic!("{e}: {:?}", self.app);
        }
        assert!(
            !self.app.is_busy(),
            "busy with no work left to run: {:?}",
            self.app
        );
    }

    /// Click the button showing `label`. When the same words show more
    /// than once (a step of the indicator and a button), the one that does
    /// something is the button.
    #[track_caller]
    pub fn click(&mut self, label: &str) {
        let spots: Vec<iced_test::core::Point> = {
            let mut ui = self.simulator();
            let mut spots = Vec::new();
            let _ = ui.find(|c: Candidate<'_>| {
                if let Candidate::Text {
                    content,
                    visible_bounds: Some(b),
                    ..
                } = c
                    && content == label
                {
                    spots.push(b.center());
                }
                None::<()>
            });
            spots
        };
        if spots.is_empty() {
            panic!(
                "{label:?} is not on screen; the screen shows:\n{}",
                self.texts().join("\n")
            );
        }
        for spot in spots {
            let messages = {
                let mut ui = self.simulator();
                ui.point_at(spot);
                let _ = ui.simulate(iced_test::simulator::click());
                ui.into_messages().collect::<Vec<_>>()
            };
            if !messages.is_empty() {
                self.apply(messages);
                return;
            }
        }
        panic!("clicking {label:?} did nothing (disabled?)");
    }

    /// Type `text` into the password box the way a person does: click in
    /// it, go to the end, press each key (one frame per key).
    pub fn type_into(&mut self, id: &'static str, text: &str) {
        for ch in text.chars() {
            let messages = {
                let mut ui = self.simulator();
                ui.click(iced_test::selector::id(id))
                    .unwrap_or_else(|e| panic!("no input {id}: {e:?}"));
                let _ = ui.tap_key(Key::Named(Named::End));
                let _ = ui.typewrite(&ch.to_string());
                ui.into_messages().collect::<Vec<_>>()
            };
            self.apply(messages);
        }
    }

    pub fn type_password(&mut self, password: &str) {
        self.type_into("procedure-password", password);
    }

    /// Press Enter inside the password box.
    pub fn submit_password(&mut self) {
        let messages = {
            let mut ui = self.simulator();
            ui.click(iced_test::selector::id("procedure-password"))
                .expect("password box");
            let _ = ui.tap_key(Key::Named(Named::Enter));
            ui.into_messages().collect::<Vec<_>>()
        };
        self.apply(messages);
    }

    /// A key press the app's keyboard subscription would report.
    pub fn key(&mut self, k: madoguchi::ui::KeyPress) {
        self.apply(vec![Message::Key(k)]);
    }

    /// The engine's manual section, when a procedure is on screen.
    pub fn section(&self) -> Option<&'static str> {
        match &self.app.screen {
            madoguchi::ui::Screen::Procedure(p) => p.engine().section(),
            _ => None,
        }
    }

    #[track_caller]
    pub fn expect_section(&self, section: &str) {
        assert_eq!(
            self.section(),
            Some(section),
            "screen shows:\n{}",
            self.texts().join("\n")
        );
    }

    pub fn on_top(&self) -> bool {
        matches!(self.app.screen, madoguchi::ui::Screen::Top(_))
    }

    /// The demo card's signing-password tries left.
    pub fn tries_left(&self) -> Option<u8> {
        self.app
            .source
            .demo()
            .and_then(|d| d.card.tries_left(madoguchi_card::PinKind::SigningPassword))
    }

    /// Switch the demo card (a fresh window too) and wait for it.
    pub fn switch_demo(&mut self, label: &str) {
        self.click(label);
    }

    /// Log in with the demo password: top → procedure → card → password.
    pub fn start_and_login(&mut self, procedure_label: &str, password: &str) {
        self.click(procedure_label);
        self.click("カードを読み取る");
        self.type_password(password);
        self.click("OK");
    }

    /// From the document through signing to the send confirmation.
    pub fn sign_through(&mut self, password: &str) {
        self.click("電子署名");
        self.click("了解");
        self.type_password(password);
        self.click("電子署名を作成");
    }
}

pub const REVOCATION: &str = "自己の電子証明書の失効申請";
pub const VALIDITY: &str = "自己の電子証明書の有効性確認";
pub const PASSWORD: &str = "ABC123";

/// Settings files of a production install whose window is configured: an
/// administrator's preset with a server (nothing listens there) and the
/// fixtures' TLS CA as its anchor. Without a window the procedures are not
/// offered, so the PC/SC tests that only need the card use this.
pub fn configured_window() -> (madoguchi::ui::settings::Paths, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let admin = dir.path().join("settings.toml");
    let anchor = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pki/tls-ca.pem");
    std::fs::write(
        &admin,
        format!(
            "server = \"https://127.0.0.1:9\"\nanchor = \"{}\"\n",
            anchor.display()
        ),
    )
    .unwrap();
    let paths = madoguchi::ui::settings::Paths {
        user: None,
        admin: Some(admin),
    };
    (paths, dir)
}
