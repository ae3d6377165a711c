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
//! rest, until none is left. Widget operations (focus) act on the widget
//! state the keyboard frames keep; window operations are dropped.
//!
//! Keyboard through real key events ([`Gui::press`], [`Gui::type_text`]):
//! iced_test runs no subscriptions, so the harness replays what iced_winit
//! does with a key event: the widget tree sees it first (its messages go to
//! `update` first), then the event and the status the widgets gave it go to
//! the very function the app hands to `iced::event::listen_with`
//! (`ui::watch::keyboard_event`), whose message goes to `update` too. The
//! widget tree's state (which text input has the keyboard) is kept from one
//! key frame to the next, as a window keeps it, and the app's focus
//! operations act on it. Clicks go through fresh simulators and leave it
//! alone.
//!
//! Simulators on parallel threads may crash, so every test holds
//! [`serial`] for its whole run.

#![allow(dead_code)]

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

#[path = "drain.rs"]
mod drain;

use iced::event::Status;
use iced_runtime::user_interface::{Cache, UserInterface};
use iced_test::Simulator;
use iced_test::core::keyboard::{self, Key, Modifiers, key::Named};
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
    pending: drain::Streams,
    runtime: tokio::runtime::Runtime,
    /// The widget tree's state between key frames (see the module docs).
    widgets: Option<Cache>,
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
            pending: drain::Streams::new(),
            runtime,
            widgets: None,
        }
    }

    /// Hand one message to the app; the work it starts is kept for
    /// [`Gui::settle`].
    pub fn send(&mut self, message: Message) {
        let task = self.app.update(message);
        drain::push(&mut self.pending, task);
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
        self.run_until(|_| false);
        assert!(
            !self.app.is_busy(),
            "busy with no work left to run: {:?}",
            self.app
        );
    }

    /// Run the work under way, as [`Gui::settle`] does, only until
    /// `until` holds after an update; the rest is left under way (for the
    /// next [`Gui::settle`]). Fails if the work ends first.
    #[track_caller]
    pub fn settle_until(&mut self, what: &str, until: impl Fn(&App) -> bool) {
        if !self.run_until(until) {
            panic!("the work ended before {what}: {:?}", self.app);
        }
    }

    fn run_until(&mut self, until: impl Fn(&App) -> bool) -> bool {
        let (widgets, size) = (&mut self.widgets, self.size);
        let other = |app: &App, a| {
            if let iced_runtime::Action::Widget(operation) = a {
                operate(app, widgets, size, operation);
            }
        };
        match drain::run_until(
            &mut self.app,
            &self.runtime,
            &mut self.pending,
            WATCHDOG,
            other,
            until,
        ) {
            Ok(reached) => reached,
            Err(e) => panic!("{e}: {:?}", self.app),
        }
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

    /// One key frame: `event` through the kept widget tree, the widgets'
    /// messages to `update`, then the event and its status through the
    /// app's keyboard subscription function, its message to `update`.
    /// The work started is left for [`Gui::settle`]. The event's status.
    pub fn key_frame(&mut self, event: iced::Event) -> Status {
        let (status, messages) =
            with_widgets(&self.app, &mut self.widgets, self.size, |ui, renderer| {
                let mut messages = Vec::new();
                let (_, statuses) = ui.update(
                    std::slice::from_ref(&event),
                    iced::mouse::Cursor::Unavailable,
                    renderer,
                    &mut iced_test::core::clipboard::Null,
                    &mut messages,
                );
                (statuses[0], messages)
            });
        for m in messages {
            self.send(m);
        }
        let window = iced::window::Id::unique();
        if let Some(m) = madoguchi::ui::watch::keyboard_event(event, status, window) {
            self.send(m);
        }
        status
    }

    /// Press and release `key` with `modifiers` (and the text it types),
    /// one key frame each, without waiting for the work it starts. The
    /// status the widgets gave the press.
    pub fn press_no_wait(&mut self, key: Key, modifiers: Modifiers, text: Option<&str>) -> Status {
        let (press, release) = key_events(key, modifiers, text);
        let status = self.key_frame(press);
        let _ = self.key_frame(release);
        status
    }

    /// Press a named key (Tab, Enter, Escape…) with `modifiers`, then wait
    /// for the work it started. The status the widgets gave the press.
    pub fn press(&mut self, key: Named, modifiers: Modifiers) -> Status {
        let status = self.press_no_wait(Key::Named(key), modifiers, None);
        self.settle();
        status
    }

    pub fn tab(&mut self) -> Status {
        self.press(Named::Tab, Modifiers::empty())
    }

    pub fn shift_tab(&mut self) -> Status {
        self.press(Named::Tab, Modifiers::SHIFT)
    }

    pub fn enter(&mut self) -> Status {
        self.press(Named::Enter, Modifiers::empty())
    }

    pub fn escape(&mut self) -> Status {
        self.press(Named::Escape, Modifiers::empty())
    }

    /// Type `text` key by key into whatever has the keyboard (Shift held
    /// for upper-case letters), waiting after each key.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let shift = c.is_uppercase();
            let unmodified: String = c.to_lowercase().collect();
            let modifiers = if shift {
                Modifiers::SHIFT
            } else {
                Modifiers::empty()
            };
            let (press, release) = char_events(&unmodified, &c.to_string(), modifiers);
            let _ = self.key_frame(press);
            let _ = self.key_frame(release);
            self.settle();
        }
    }

    /// The keys of the focus order, in order.
    pub fn focus_order(&self) -> Vec<String> {
        self.app
            .key_map()
            .order
            .iter()
            .map(|f| f.key().to_owned())
            .collect()
    }

    /// Whether the widget `id` (a text input) has the keyboard in the kept
    /// widget tree.
    pub fn input_has_keyboard(&mut self, id: &'static str) -> bool {
        let mut probe = FocusProbe {
            id: iced::widget::Id::new(id),
            focused: None,
        };
        with_widgets(&self.app, &mut self.widgets, self.size, |ui, renderer| {
            ui.operate(renderer, &mut probe)
        });
        probe
            .focused
            .unwrap_or_else(|| panic!("no focusable widget {id} on screen"))
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

/// A headless renderer as the simulator makes one.
fn headless_renderer() -> iced::Renderer {
    use iced_test::core::renderer::Headless;
    let settings = madoguchi::ui::iced_settings();
    let backend = std::env::var("ICED_TEST_BACKEND").ok();
    iced::futures::executor::block_on(<iced::Renderer as Headless>::new(
        settings.default_font,
        settings.default_text_size,
        backend.as_deref(),
    ))
    .expect("a headless renderer")
}

/// Run a widget operation (and those it chains) on the widget tree of the
/// app's current view, as iced_winit does.
fn operate(
    app: &App,
    widgets: &mut Option<Cache>,
    size: (f32, f32),
    mut operation: Box<dyn iced_test::core::widget::Operation>,
) {
    use iced_test::core::widget::operation::Outcome;
    with_widgets(app, widgets, size, |ui, renderer| {
        loop {
            ui.operate(renderer, operation.as_mut());
            match operation.finish() {
                Outcome::Chain(next) => operation = next,
                _ => break,
            }
        }
    });
}

/// The widget tree of the app's current view, built on the state kept from
/// the last key frame (as a window rebuilds it after each update), for `f`;
/// its state is kept again afterwards.
fn with_widgets<R>(
    app: &App,
    widgets: &mut Option<Cache>,
    size: (f32, f32),
    f: impl FnOnce(
        &mut UserInterface<'_, Message, iced::Theme, iced::Renderer>,
        &mut iced::Renderer,
    ) -> R,
) -> R {
    let mut renderer = headless_renderer();
    let mut ui = UserInterface::build(
        app.view(),
        iced::Size::new(size.0, size.1),
        widgets.take().unwrap_or_default(),
        &mut renderer,
    );
    let result = f(&mut ui, &mut renderer);
    *widgets = Some(ui.into_cache());
    result
}

/// Reads whether the focusable widget `id` is focused.
struct FocusProbe {
    id: iced::widget::Id,
    focused: Option<bool>,
}

impl iced_test::core::widget::Operation for FocusProbe {
    fn focusable(
        &mut self,
        id: Option<&iced::widget::Id>,
        _bounds: iced::Rectangle,
        state: &mut dyn iced_test::core::widget::operation::Focusable,
    ) {
        if id == Some(&self.id) {
            self.focused = Some(state.is_focused());
        }
    }

    fn traverse(
        &mut self,
        operate: &mut dyn FnMut(&mut dyn iced_test::core::widget::Operation<()>),
    ) {
        operate(self);
    }
}

/// The press and the release of a named key, as iced_winit reports them.
pub fn key_events(
    key: Key,
    modifiers: Modifiers,
    text: Option<&str>,
) -> (iced::Event, iced::Event) {
    let physical = keyboard::key::Physical::Unidentified(keyboard::key::NativeCode::Unidentified);
    (
        iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key: key.clone(),
            modified_key: key.clone(),
            physical_key: physical,
            location: keyboard::Location::Standard,
            modifiers,
            text: text.map(Into::into),
            repeat: false,
        }),
        iced::Event::Keyboard(keyboard::Event::KeyReleased {
            key: key.clone(),
            modified_key: key,
            physical_key: physical,
            location: keyboard::Location::Standard,
            modifiers,
        }),
    )
}

/// The same key press again, as the keyboard repeats a key held down.
pub fn repeat_of(event: &iced::Event) -> iced::Event {
    match event.clone() {
        iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key,
            modified_key,
            physical_key,
            location,
            modifiers,
            text,
            ..
        }) => iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key,
            modified_key,
            physical_key,
            location,
            modifiers,
            text,
            repeat: true,
        }),
        other => panic!("not a key press: {other:?}"),
    }
}

/// A printable key: `key` without modifiers, `typed` with them (and its
/// text), as iced_winit reports them.
pub fn char_events(key: &str, typed: &str, modifiers: Modifiers) -> (iced::Event, iced::Event) {
    let physical = keyboard::key::Physical::Unidentified(keyboard::key::NativeCode::Unidentified);
    let unmodified = Key::Character(key.into());
    let modified = Key::Character(typed.into());
    (
        iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key: unmodified.clone(),
            modified_key: modified.clone(),
            physical_key: physical,
            location: keyboard::Location::Standard,
            modifiers,
            text: Some(typed.into()),
            repeat: false,
        }),
        iced::Event::Keyboard(keyboard::Event::KeyReleased {
            key: unmodified,
            modified_key: modified,
            physical_key: physical,
            location: keyboard::Location::Standard,
            modifiers,
        }),
    )
}
