//! The desktop app (iced 0.14): a thin driver over [`crate::flow`] and the
//! card tools, in the icebreaker/halloy style — one module per screen in
//! [`screen`], each with its own `Message` and an `Event` for this parent;
//! all looks in [`theme`]; shared pieces in [`widget`].
//!
//! Background work never runs on the UI thread: the procedure engine's
//! executor and the tools' jobs deliver into one inbox ([`jobs`]), and a
//! subscription turns each delivery into [`Message::Wake`]. The reader
//! watch (PC/SC) is a second subscription; demo mode has a card slot the
//! user empties and fills from the demo bar.
//!
//! Counter mode (`--counter` or the setting): after a result once the card
//! is out, on card removal, or after the idle time, everything about the
//! resident (engine, document, certificate viewer, receipts) is dropped —
//! their buffers are zeroing types — and the top screen comes back.

pub mod environment;
pub mod fonts;
pub mod jobs;
pub mod screen;
pub mod settings;
pub mod theme;
pub mod widget;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use iced::widget::{Id, column, container, row, scrollable, text};
use iced::{Alignment, Element, Length, Subscription, Task};
use madoguchi_card::WatchEvent;
use madoguchi_pki::request::Procedure;

use crate::fl;
use crate::flow::{Options, Screen as FlowScreen};
use crate::i18n::{self, Language};
use environment::{Demo, ReaderChoice, Source};
use jobs::{Delivery, Inbox, Outbox};
use madoguchi_demo::{DEMO_READER, Material, Profile};
use screen::top::Tool;
use screen::{
    card_status, cert_viewer, change_password, procedure, reader_choice, server_identity,
    settings as settings_screen, staff_unlock, top,
};
use settings::{Paths, Settings};
use theme::{ButtonKind, Tone};
use widget::{Focusable, KeyMap, Ui};

/// How the app starts.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    /// The in-process virtual card and window.
    pub demo: bool,
    pub demo_profile: Profile,
    /// The demo's material; made at start when `None` (tests pass the
    /// committed fixtures, for fixed certificates on screen).
    pub demo_material: Option<std::sync::Arc<Material>>,
    /// Counter mode from the command line (the setting can turn it on too).
    pub counter: bool,
    /// Language from the command line (wins over the setting).
    pub language: Option<Language>,
    /// Open this screen first (screenshots): `top`, `card-status`,
    /// `server`, `settings`, `change-password`, `revocation`, `validity`.
    pub screen: Option<String>,
    /// Where the settings files are.
    pub paths: Option<Paths>,
    /// The card reader chosen by name (`madoguchi --reader NAME`); without
    /// it the resident chooses on screen when several readers hold cards or
    /// only a virtual one does.
    pub reader: Option<String>,
}

/// Every message of the app.
#[derive(Clone, Debug)]
pub enum Message {
    Top(top::Message),
    Procedure(procedure::Message),
    Certificate(cert_viewer::Message),
    CardStatus(card_status::Message),
    ChangePassword(change_password::Message),
    Server(server_identity::Message),
    Settings(settings_screen::Message),
    ReaderChoice(reader_choice::Message),
    StaffUnlock(staff_unlock::Message),
    /// Header and demo bar.
    Bar(BarMessage),
    /// Background work delivered something.
    Wake,
    /// The reader watch.
    Reader(WatchEvent),
    /// Tab / Shift+Tab / Enter / Escape not taken by a widget.
    Key(KeyPress),
    /// A key press with text: used to guess Caps Lock.
    Typed {
        upper: bool,
        shift: bool,
    },
    /// Counter mode: someone used the terminal.
    Activity,
    /// Counter mode: the idle clock ticks.
    IdleTick,
    /// Work under way: redraw the elapsed time (only while working).
    Tick,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPress {
    Tab,
    ShiftTab,
    Enter,
    Escape,
}

#[derive(Clone, Debug)]
pub enum BarMessage {
    Language(Language),
    DemoProfile(Profile),
    DemoRemove,
    DemoInsert,
    Home,
}

/// The screen shown.
pub enum Screen {
    Top(top::Top),
    Procedure(Box<procedure::ProcedureScreen>),
    Certificate(Box<cert_viewer::CertViewer>),
    CardStatus(card_status::CardStatus),
    ChangePassword(Box<change_password::ChangePassword>),
    Server(server_identity::ServerView),
    Settings(Box<settings_screen::SettingsScreen>),
    ReaderChoice(reader_choice::ReaderChoiceScreen),
    StaffUnlock(Box<staff_unlock::StaffUnlock>),
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Screen::Top(_) => f.write_str("Top"),
            Screen::Procedure(p) => p.fmt(f),
            Screen::Certificate(c) => c.fmt(f),
            Screen::CardStatus(c) => c.fmt(f),
            Screen::ChangePassword(c) => c.fmt(f),
            Screen::Server(s) => s.fmt(f),
            Screen::Settings(s) => s.fmt(f),
            Screen::ReaderChoice(r) => r.fmt(f),
            Screen::StaffUnlock(s) => s.fmt(f),
        }
    }
}

/// What the reader watch (or the demo slot) says.
#[derive(Clone, Debug, Default)]
pub struct Readers {
    pub service: bool,
    /// Reader name → card present.
    pub readers: BTreeMap<String, bool>,
}

impl Readers {
    pub fn any_card(&self) -> bool {
        self.readers.values().any(|p| *p)
    }

    /// The readers as [`madoguchi_card::pick_reader`] takes them.
    pub fn infos(&self) -> Vec<madoguchi_card::ReaderInfo> {
        self.readers
            .iter()
            .map(|(name, card)| madoguchi_card::ReaderInfo {
                name: name.clone(),
                card_present: *card,
                atr: None,
            })
            .collect()
    }
}

/// The app's state.
pub struct App {
    pub settings: Settings,
    paths: Paths,
    settings_problems: Vec<String>,
    /// The online window is usable, or the error number that says why not.
    window_ready: Result<(), u16>,
    pub source: Source,
    /// Rejected passwords by card, for the app's lifetime (every procedure
    /// and the change-password screen share it).
    rejected: madoguchi_card::RejectedBook,
    pub screen: Screen,
    /// A procedure waiting behind the certificate or server view opened
    /// from it.
    behind: Option<Box<procedure::ProcedureScreen>>,
    /// The certificate tool: the procedure on screen only reads the
    /// certificate (it stops once the certificate is in).
    cert_tool: bool,
    pub readers: Readers,
    pub focus: Option<String>,
    keys: RefCell<KeyMap<Message>>,
    out: Outbox,
    inbox: Inbox,
    next_owner: u64,
    change: Option<jobs::ChangeSession>,
    pub caps_lock: bool,
    last_activity: Instant,
    pub demo_switching: Option<Profile>,
    counter_flag: bool,
    /// The chosen reader that was unplugged (said on the next reader
    /// choice).
    lost_reader: Option<String>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("settings", &self.settings)
            .field("source", &self.source)
            .field("screen", &self.screen)
            .field("behind", &self.behind)
            .field("cert_tool", &self.cert_tool)
            .field("readers", &self.readers)
            .field("focus", &self.focus)
            .finish_non_exhaustive()
    }
}

/// Iced settings with the bundled fonts (also for tests): building them
/// puts the bundled fonts, and only those, in iced's text system.
pub fn iced_settings() -> iced::Settings {
    fonts::install();
    iced::Settings {
        // `fonts::install` has loaded them; iced would add copies.
        fonts: Vec::new(),
        default_font: theme::FONT,
        default_text_size: iced::Pixels(theme::size::BODY),
        ..iced::Settings::default()
    }
}

/// Run the app until its window closes.
pub fn run(launch: Launch) -> anyhow::Result<()> {
    // winit panics without a display; say it plainly instead.
    if cfg!(all(unix, not(target_os = "macos")))
        && ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
            .iter()
            .all(|v| std::env::var_os(v).is_none())
    {
        anyhow::bail!("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set)");
    }
    run_window(launch).map_err(|e| anyhow::anyhow!("{e}"))
}

fn run_window(launch: Launch) -> iced::Result {
    // The window is sized in logical pixels, which the text-size setting
    // scales: keep the same 1024×768 on screen whatever the setting.
    let paths = launch.paths.clone().unwrap_or_else(Paths::platform);
    let scale = settings::load(&paths).0.text_size.scale();
    iced::application(move || App::boot(launch.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .scale_factor(App::scale_factor)
        .settings(iced_settings())
        // Not `.centered()`: it centres the logical size, which the text
        // scale makes smaller than the window really is.
        .window_size((1024.0 / scale, 768.0 / scale))
        .run()
}

impl App {
    fn boot(launch: Launch) -> (App, Task<Message>) {
        let mut app = App::new(launch);
        let task = app.focus_task();
        // Two redraws shortly after start: on X11 a first frame drawn just
        // before the window is mapped can be lost, and an idle app would
        // otherwise stay black until the pointer moves over it.
        let redraw = |ms| {
            Task::perform(tokio::time::sleep(Duration::from_millis(ms)), |()| {
                Message::Tick
            })
        };
        (app, Task::batch([task, redraw(250), redraw(1000)]))
    }

    /// The app without a window (tests drive it through `update` and
    /// `view`).
    pub fn new(launch: Launch) -> App {
        App::with_source(launch, None)
    }

    /// The app on a card and window given from outside (tests).
    pub fn with_source(launch: Launch, given: Option<Source>) -> App {
        let paths = launch.paths.clone().unwrap_or_else(Paths::platform);
        let (mut settings, problems) = settings::load(&paths);
        if let Some(l) = launch.language {
            settings.language = l;
        }
        i18n::set_language(settings.language);
        let mut settings_problems: Vec<String> = problems.iter().map(|e| e.to_string()).collect();
        let source = if let Some(s) = given {
            s
        } else if launch.demo {
            let material = match launch.demo_material.clone() {
                Some(m) => Ok(m),
                None => Material::for_demo().map(std::sync::Arc::new),
            };
            match material.and_then(|m| Demo::start(m, launch.demo_profile)) {
                Ok(d) => Source::Demo(Box::new(d)),
                Err(e) => {
                    settings_problems.push(format!("demo: {e:#}"));
                    Source::Pcsc(ReaderChoice::new(launch.reader.clone()))
                }
            }
        } else {
            Source::Pcsc(ReaderChoice::new(launch.reader.clone()))
        };
        let mut readers = Readers::default();
        if let Some(d) = source.demo() {
            readers.service = true;
            readers
                .readers
                .insert(DEMO_READER.into(), d.card.is_present());
        }
        if let Source::Custom(_) = source {
            readers.service = true;
            readers.readers.insert("Test reader".into(), true);
        }
        if let Err(e) = source.known_cas(&settings) {
            settings_problems.push(crate::errors::render(
                e.catalogue_number(),
                Some(&e.to_string()),
            ));
        }
        let (out, inbox) = jobs::channel();
        let mut app = App {
            settings,
            paths,
            settings_problems,
            window_ready: Ok(()),
            source,
            rejected: madoguchi_card::RejectedBook::default(),
            screen: Screen::Top(top::Top::default()),
            behind: None,
            cert_tool: false,
            readers,
            focus: None,
            keys: RefCell::default(),
            out,
            inbox,
            next_owner: 1,
            change: None,
            caps_lock: false,
            last_activity: Instant::now(),
            demo_switching: None,
            counter_flag: launch.counter,
            lost_reader: None,
        };
        app.check_window();
        if let Some(s) = launch.screen.as_deref() {
            app.open_named(s);
        }
        app
    }

    /// Counter mode in force.
    pub fn counter(&self) -> bool {
        self.counter_flag || self.settings.counter_mode
    }

    /// The screenshot hook (`--screen NAME`): walk to a screen as a user
    /// would, waiting for each piece of work (only at start).
    fn open_named(&mut self, name: &str) {
        use crate::flow::ActionKind as K;
        use procedure::Message as P;
        enum Step {
            Start(Procedure),
            Act(K),
            Password,
            Demo(Profile),
            Remove,
            Open(Tool),
            Viewer,
            /// A slow card, and the next action is left running.
            Slow,
        }
        use Step::*;
        let (r, v) = (Procedure::Revocation, Procedure::ValidityCheck);
        let login = |p| vec![Start(p), Act(K::Ok), Password];
        let to_send = |p| {
            let mut s = login(p);
            s.extend([Act(K::Sign), Act(K::Confirm), Password]);
            s
        };
        let result = |p, demo: Option<Profile>| {
            let mut s: Vec<Step> = demo.into_iter().map(Demo).collect();
            s.extend(to_send(p));
            s.push(Act(K::Confirm));
            s
        };
        let steps: Vec<Step> = match name {
            "card-preparation" | "revocation" => vec![Start(r)],
            "validity" => vec![Start(v)],
            "password" => vec![Start(r), Act(K::Ok)],
            "review" => login(r),
            "review-validity" => login(v),
            "sign-confirmation" => {
                let mut s = login(r);
                s.push(Act(K::Sign));
                s
            }
            "signing-password" => {
                let mut s = login(r);
                s.extend([Act(K::Sign), Act(K::Confirm)]);
                s
            }
            "send-confirmation" => to_send(r),
            "result-accepted" => result(r, None),
            "result-valid" => result(v, None),
            "result-revoked" => result(v, Some(Profile::Revoked)),
            "already-revoked" => result(r, Some(Profile::Revoked)),
            "duplicate" | "revocation-accepted" => {
                let mut s = result(r, None);
                s.push(Act(K::Close));
                s.extend(to_send(if name == "duplicate" { r } else { v }));
                s.push(Act(K::Confirm));
                s
            }
            "certificate-invalid" | "issuer-result" => {
                let (demo, p) = if name == "issuer-result" {
                    (Profile::ForeignCa, v)
                } else {
                    (Profile::ImpostorCa, r)
                };
                let mut s = vec![Demo(demo)];
                s.extend(login(p));
                s.extend([
                    Act(K::Continue),
                    Act(K::Sign),
                    Act(K::Confirm),
                    Password,
                    Act(K::Confirm),
                ]);
                s
            }
            "working" => vec![Start(r), Slow],
            "last-try" => vec![Demo(Profile::OneTryLeft), Start(r), Act(K::Ok)],
            "locked" => vec![Demo(Profile::Locked), Start(r), Act(K::Ok)],
            "expired" => {
                let mut s = vec![Demo(Profile::Expired)];
                s.extend(login(r));
                s
            }
            "issuer-warning" => {
                let mut s = vec![Demo(Profile::ForeignCa)];
                s.extend(login(r));
                s
            }
            "card-not-ready" => vec![Remove, Start(r), Act(K::Ok)],
            "unexpected" => vec![Start(r), Act(K::Ok), Remove],
            "certificate" => {
                let mut s = login(r);
                s.push(Viewer);
                s
            }
            "rare-kanji" => {
                let mut s = vec![Demo(Profile::RareKanji)];
                s.extend(login(r));
                s
            }
            "card-status" => vec![Open(Tool::CardStatus)],
            "server" => vec![Open(Tool::ServerIdentity)],
            "settings" => vec![Open(Tool::Settings)],
            "reader-choice" => vec![Open(Tool::Reader)],
            "change-password" => vec![Open(Tool::ChangePassword)],
            _ => vec![],
        };
        let wait = Duration::from_secs(60);
        for step in steps {
            let _ = match step {
                Start(p) => self.update(Message::Top(top::Message::Start(p))),
                Act(k) => self.update(Message::Procedure(P::Act(k))),
                Password => {
                    let password = match self.source.demo() {
                        Some(d) => d.profile.password(),
                        None => "",
                    };
                    let _ = self.update(Message::Procedure(P::PasswordInput(password.into())));
                    self.update(Message::Procedure(P::SubmitPassword))
                }
                Demo(choice) => self.update(Message::Bar(BarMessage::DemoProfile(choice))),
                Remove => self.update(Message::Bar(BarMessage::DemoRemove)),
                Open(t) => self.update(Message::Top(top::Message::Open(t))),
                Viewer => self.update(Message::Procedure(P::ShowCertificate)),
                Slow => {
                    if let Some(d) = self.source.demo() {
                        d.card.set_latency(Duration::from_millis(1500));
                    }
                    // Not waited for: the window opens on the work.
                    let _ = self.update(Message::Procedure(P::Act(K::Ok)));
                    continue;
                }
            };
            self.settle(wait);
        }
        self.focus = None;
    }

    pub fn title(&self) -> String {
        let mut t = fl!("app-name");
        if self.source.demo().is_some() {
            t.push_str(&format!(" — {}", fl!("demo-badge")));
        }
        t
    }

    pub fn theme(&self) -> iced::Theme {
        theme::theme()
    }

    pub fn scale_factor(&self) -> f32 {
        self.settings.text_size.scale()
    }

    fn owner(&mut self) -> u64 {
        self.next_owner += 1;
        self.next_owner
    }

    fn engine_options(&self) -> Options {
        Options {
            counter_mode: self.counter(),
            // A broken CA file was reported at start (E317); the check is
            // then left to the window, as with none configured.
            known_cas: self.source.known_cas(&self.settings).unwrap_or_default(),
            ..Options::default()
        }
    }

    fn start(&mut self, procedure: Procedure) -> Task<Message> {
        let owner = self.owner();
        let p = procedure::ProcedureScreen::start(
            procedure,
            self.engine_options(),
            self.source.opener(),
            self.rejected.clone(),
            self.source.client(&self.settings),
            owner,
            &self.out,
        );
        self.cert_tool = false;
        self.screen = Screen::Procedure(Box::new(p));
        self.focus = None;
        Task::none()
    }

    fn open(&mut self, tool: Tool) -> Task<Message> {
        self.focus = None;
        match tool {
            Tool::Certificate => {
                // The procedure engine's login (guarded) reads it.
                let _ = self.start(Procedure::ValidityCheck);
                self.cert_tool = true;
                if let Screen::Procedure(p) = &mut self.screen {
                    p.reading_certificate = true;
                    // Straight to reading the card: the tool has no
                    // document to prepare.
                    let e = p.update(procedure::Message::Act(crate::flow::ActionKind::Ok));
                    return self.procedure_event(e);
                }
            }
            Tool::CardStatus => {
                jobs::card_status(self.source.opener(), self.out.clone());
                self.screen = Screen::CardStatus(card_status::CardStatus {
                    loading: true,
                    ..Default::default()
                });
            }
            Tool::ChangePassword => {
                let session = jobs::ChangeSession::start(
                    self.source.opener(),
                    self.rejected.clone(),
                    self.out.clone(),
                );
                session.status();
                self.change = Some(session);
                self.screen = Screen::ChangePassword(Box::default());
            }
            Tool::ServerIdentity => self.open_server(),
            Tool::Reader => return self.show_reader_choice(reader_choice::Then::Top),
            Tool::Settings => match self.settings_access() {
                top::SettingsAccess::Open => self.open_settings(),
                top::SettingsAccess::StaffOnly => {
                    let hash = self.settings.staff_pin.clone().unwrap_or_default();
                    self.screen =
                        Screen::StaffUnlock(Box::new(staff_unlock::StaffUnlock::new(hash)));
                    return iced::widget::operation::focus(Id::new(staff_unlock::INPUT));
                }
                // Not offered; a message that asks anyway is ignored.
                top::SettingsAccess::Hidden => {}
            },
        }
        Task::none()
    }

    fn open_settings(&mut self) {
        self.screen = Screen::Settings(Box::new(settings_screen::SettingsScreen::new(
            &self.settings,
            self.source.demo().is_some(),
        )));
    }

    /// Whether Settings can be opened: on a counter terminal only with the
    /// staff PIN of the administrator's preset, and not at all without one.
    pub fn settings_access(&self) -> top::SettingsAccess {
        if !self.counter() {
            top::SettingsAccess::Open
        } else if self.settings.staff_pin.is_some() {
            top::SettingsAccess::StaffOnly
        } else {
            top::SettingsAccess::Hidden
        }
    }

    /// What the top screen offers.
    pub fn offer(&self) -> top::Offer {
        top::Offer {
            window: self.window_ready,
            settings: self.settings_access(),
            reader_tool: self.offers_reader_choice(),
        }
    }

    /// Whether the configured window can be used: checked when the settings
    /// or the source change, not on every frame.
    fn check_window(&mut self) {
        self.window_ready = match self.source.client_config(&self.settings) {
            Ok(c) => crate::client::check_config(&c).map(|_| ()),
            Err(e) => Err(e),
        }
        .map_err(|e| e.catalogue_number());
    }

    fn open_server(&mut self) {
        jobs::server_identity(self.source.client(&self.settings), self.out.clone());
        let anchor = match self.source.client_config(&self.settings) {
            Ok(c) => format!("{} ({})", c.trust.subjects().join("; "), c.trust.source()),
            Err(e) => e.to_string(),
        };
        self.screen = Screen::Server(server_identity::ServerView {
            loading: true,
            anchor,
            ..Default::default()
        });
    }

    /// Back to the top screen; everything about the resident is dropped.
    pub fn home(&mut self) {
        self.screen = Screen::Top(top::Top::default());
        self.behind = None;
        self.cert_tool = false;
        self.change = None;
        self.focus = None;
    }

    /// Whether anything about a resident is held: the imported
    /// certificate and facts, a certificate viewer, a procedure waiting
    /// behind a view, an answer of the window.
    pub fn holds_resident(&self) -> bool {
        let procedure = |p: &procedure::ProcedureScreen| {
            p.resident().is_some()
                || p.engine.reply().is_some()
                || p.engine.signed_request().is_some()
        };
        let on_screen = match &self.screen {
            Screen::Procedure(p) => procedure(p),
            Screen::Certificate(_) => true,
            Screen::CardStatus(s) => s.report.is_some(),
            _ => false,
        };
        on_screen || self.behind.as_deref().is_some_and(procedure)
    }

    /// Whether background work is under way.
    pub fn is_busy(&self) -> bool {
        let screen_busy = match &self.screen {
            Screen::Procedure(p) => p.is_working(),
            Screen::CardStatus(s) => s.loading,
            Screen::Server(s) => s.loading,
            Screen::ChangePassword(c) => c.is_working(),
            _ => false,
        };
        screen_busy || self.demo_switching.is_some()
    }

    /// Tests: handle deliveries until no work is under way (at most
    /// `limit` per delivery).
    pub fn settle(&mut self, limit: Duration) -> bool {
        while self.is_busy() {
            match self.inbox.wait(limit) {
                Some(d) => {
                    let _ = self.deliver(d);
                }
                None => return false,
            }
        }
        let _ = self.update(Message::Wake);
        true
    }

    fn deliver(&mut self, d: Delivery) -> Task<Message> {
        match d {
            Delivery::Flow { owner, input } => {
                let event = match (&mut self.screen, &mut self.behind) {
                    (Screen::Procedure(p), _) if p.owner == owner => p.deliver(input),
                    (_, Some(p)) if p.owner == owner => {
                        let _ = p.deliver(input);
                        procedure::Event::None
                    }
                    _ => procedure::Event::None,
                };
                return self.procedure_event(event);
            }
            Delivery::CardStatus(r) => {
                if let Screen::CardStatus(s) = &mut self.screen {
                    s.report = Some(r);
                    s.loading = false;
                }
            }
            Delivery::Identity(r) => {
                if let Screen::Server(s) = &mut self.screen {
                    s.identity = Some(r);
                    s.loading = false;
                }
            }
            Delivery::Change(d) => {
                if let Screen::ChangePassword(c) = &mut self.screen {
                    c.done(d);
                }
            }
            Delivery::Demo(r) => {
                self.demo_switching = None;
                match r {
                    Ok(d) => {
                        self.readers.readers.clear();
                        self.readers.readers.insert(DEMO_READER.into(), true);
                        self.source = Source::Demo(d);
                        self.check_window();
                    }
                    Err(e) => self.settings_problems.push(format!("demo: {e}")),
                }
            }
        }
        Task::none()
    }

    fn procedure_event(&mut self, event: procedure::Event) -> Task<Message> {
        let counter = self.counter();
        // The certificate tool stops as soon as the certificate is in.
        if self.cert_tool
            && let Screen::Procedure(p) = &mut self.screen
            && let Some(r) = p.resident()
        {
            let viewer = cert_viewer::CertViewer::new(r.certificate_der())
                .map(|v| if counter { v.without_export() } else { v });
            let _ = p.update(procedure::Message::Act(crate::flow::ActionKind::Stop));
            self.cert_tool = false;
            self.focus = None;
            match viewer {
                Ok(v) => self.screen = Screen::Certificate(Box::new(v)),
                Err(e) => {
                    tracing::warn!(target: "madoguchi::ui", "certificate viewer: {e}");
                    self.home();
                }
            }
            return Task::none();
        }
        match event {
            procedure::Event::None => Task::none(),
            procedure::Event::Home => {
                self.home();
                Task::none()
            }
            procedure::Event::FocusPassword => {
                self.focus = Some("password.input".into());
                iced::widget::operation::focus(Id::new("procedure-password"))
            }
            procedure::Event::ShowCertificate => {
                let viewer = match &self.screen {
                    Screen::Procedure(p) => p.resident().map(|r| {
                        cert_viewer::CertViewer::new(r.certificate_der())
                            .map(|v| if counter { v.without_export() } else { v })
                    }),
                    _ => None,
                };
                if let Some(Ok(v)) = viewer {
                    let Screen::Procedure(p) =
                        std::mem::replace(&mut self.screen, Screen::Certificate(Box::new(v)))
                    else {
                        unreachable!()
                    };
                    self.behind = Some(p);
                    self.focus = None;
                }
                Task::none()
            }
            procedure::Event::ChooseReader => {
                if let Screen::Procedure(_) = &self.screen {
                    let Screen::Procedure(p) =
                        std::mem::replace(&mut self.screen, Screen::Top(top::Top::default()))
                    else {
                        unreachable!()
                    };
                    self.behind = Some(p);
                    return self.show_reader_choice(reader_choice::Then::Resume);
                }
                Task::none()
            }
            procedure::Event::ShowServer => {
                if let Screen::Procedure(_) = &self.screen {
                    let Screen::Procedure(p) =
                        std::mem::replace(&mut self.screen, Screen::Top(top::Top::default()))
                    else {
                        unreachable!()
                    };
                    self.behind = Some(p);
                    self.open_server();
                    self.focus = None;
                }
                Task::none()
            }
        }
    }

    /// Close a viewer: back to the procedure behind it, or to the top.
    fn close_view(&mut self) {
        match self.behind.take() {
            Some(p) => {
                self.screen = Screen::Procedure(p);
                // The card may have gone meanwhile.
                if let Screen::Procedure(p) = &self.screen
                    && p.engine.screen() == &FlowScreen::Top
                {
                    self.home();
                }
            }
            None => self.home(),
        }
        self.focus = None;
    }

    /// The card left the reader (watch or demo slot).
    fn card_removed(&mut self) -> Task<Message> {
        if let Some(p) = self.behind.as_mut() {
            let _ = p.card_removed();
            if self.counter() {
                self.home();
                return Task::none();
            }
        }
        let counter = self.counter();
        match &mut self.screen {
            Screen::Procedure(p) => {
                let e = p.card_removed();
                // Counter mode: the resident left; unless a request is on
                // its way (its answer is wiped on idle), start over.
                if counter && !p.is_working() {
                    self.home();
                    return Task::none();
                }
                self.procedure_event(e)
            }
            Screen::Certificate(_) if counter => {
                self.home();
                Task::none()
            }
            Screen::ChangePassword(c) => {
                c.card_removed();
                Task::none()
            }
            Screen::CardStatus(_) if counter => {
                self.home();
                Task::none()
            }
            _ => Task::none(),
        }
    }

    /// Which procedure screen is shown (to reset the keyboard focus when
    /// it changes: Enter pressed twice must never answer the next
    /// confirmation).
    fn procedure_screen_key(&self) -> Option<FlowScreen> {
        match &self.screen {
            Screen::Procedure(p) => Some(p.engine.screen().clone()),
            _ => None,
        }
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        let before = self.procedure_screen_key();
        let task = self.handle(message);
        let after = self.procedure_screen_key();
        if before != after
            && !matches!(after, Some(FlowScreen::Password { .. }))
            && self.focus.as_deref() != Some("password.input")
        {
            self.focus = None;
        }
        task
    }

    fn handle(&mut self, message: Message) -> Task<Message> {
        if !matches!(
            message,
            Message::Wake | Message::IdleTick | Message::Tick | Message::Reader(_)
        ) {
            self.last_activity = Instant::now();
        }
        match message {
            Message::Wake => {
                let mut tasks = Vec::new();
                for d in self.inbox.drain() {
                    tasks.push(self.deliver(d));
                }
                Task::batch(tasks)
            }
            Message::Top(m) => {
                let Screen::Top(t) = &mut self.screen else {
                    return Task::none();
                };
                match t.update(m) {
                    // The buttons are not pressable then; a message sent
                    // anyway (a key map, a test) starts nothing.
                    top::Action::Start(_) if self.offer().window.is_err() => Task::none(),
                    top::Action::Start(p) if self.must_choose_reader() => {
                        self.show_reader_choice(reader_choice::Then::Start(p))
                    }
                    top::Action::Start(p) => self.start(p),
                    top::Action::Open(tool) if tool.uses_card() && self.must_choose_reader() => {
                        self.show_reader_choice(reader_choice::Then::Open(tool))
                    }
                    top::Action::Open(tool) => self.open(tool),
                }
            }
            Message::Procedure(m) => {
                let Screen::Procedure(p) = &mut self.screen else {
                    return Task::none();
                };
                let e = p.update(m);
                self.procedure_event(e)
            }
            Message::Certificate(m) => {
                let Screen::Certificate(c) = &mut self.screen else {
                    return Task::none();
                };
                if let cert_viewer::Event::Close = c.update(m) {
                    self.close_view();
                }
                Task::none()
            }
            Message::CardStatus(m) => {
                let Screen::CardStatus(s) = &mut self.screen else {
                    return Task::none();
                };
                match s.update(m) {
                    card_status::Event::Refresh => {
                        jobs::card_status(self.source.opener(), self.out.clone())
                    }
                    card_status::Event::Close => self.home(),
                    card_status::Event::None => {}
                }
                Task::none()
            }
            Message::ChangePassword(m) => {
                let Screen::ChangePassword(c) = &mut self.screen else {
                    return Task::none();
                };
                match c.update(m) {
                    change_password::Event::Status => {
                        if let Some(s) = &self.change {
                            s.status();
                        }
                    }
                    change_password::Event::Change {
                        old,
                        new,
                        confirmed,
                    } => {
                        if let Some(s) = &self.change {
                            s.change(old, new, confirmed);
                        }
                    }
                    change_password::Event::Close => self.home(),
                    change_password::Event::None => {}
                }
                Task::none()
            }
            Message::Server(m) => {
                let Screen::Server(s) = &mut self.screen else {
                    return Task::none();
                };
                match s.update(m) {
                    server_identity::Event::Refresh => {
                        jobs::server_identity(self.source.client(&self.settings), self.out.clone())
                    }
                    server_identity::Event::Close => self.close_view(),
                    server_identity::Event::None => {}
                }
                Task::none()
            }
            Message::Settings(m) => {
                let Screen::Settings(s) = &mut self.screen else {
                    return Task::none();
                };
                match s.update(m) {
                    settings_screen::Event::Apply(new) => self.apply_settings(new),
                    settings_screen::Event::Save(new) => {
                        self.apply_settings(new);
                        let r =
                            settings::save(&self.paths, &self.settings).map_err(|e| e.to_string());
                        if let Screen::Settings(s) = &mut self.screen {
                            s.saved = Some(r);
                        }
                    }
                    settings_screen::Event::Close => self.home(),
                    settings_screen::Event::None => {}
                }
                Task::none()
            }
            Message::ReaderChoice(m) => {
                let Screen::ReaderChoice(r) = &mut self.screen else {
                    return Task::none();
                };
                match r.update(m) {
                    reader_choice::Event::Chosen(name) => self.reader_chosen(name),
                    reader_choice::Event::Cancel => {
                        // A procedure waiting behind comes back as it was.
                        self.close_view();
                        Task::none()
                    }
                    reader_choice::Event::None => Task::none(),
                }
            }
            Message::StaffUnlock(m) => {
                let Screen::StaffUnlock(s) = &mut self.screen else {
                    return Task::none();
                };
                match s.update(m) {
                    staff_unlock::Event::Unlocked => self.open_settings(),
                    staff_unlock::Event::Cancel => self.home(),
                    staff_unlock::Event::None => {}
                }
                Task::none()
            }
            Message::Bar(b) => self.bar(b),
            Message::Reader(e) => self.reader_event(e),
            Message::Key(k) => self.key(k),
            Message::Typed { upper, shift } => {
                self.caps_lock = upper != shift;
                Task::none()
            }
            Message::Activity | Message::Tick => Task::none(),
            Message::IdleTick => {
                if self.counter()
                    && !matches!(self.screen, Screen::Top(_))
                    && self.last_activity.elapsed() >= self.settings.idle_timeout
                {
                    return self.idle();
                }
                Task::none()
            }
        }
    }

    /// Counter mode: the idle time passed.
    pub fn idle(&mut self) -> Task<Message> {
        if let Screen::Procedure(p) = &mut self.screen {
            // Wiped even while a request hangs (the engine goes to its top).
            if p.idle() != procedure::Event::Home {
                return Task::none();
            }
        }
        self.home();
        Task::none()
    }

    fn apply_settings(&mut self, new: Settings) {
        if new.language != self.settings.language {
            i18n::set_language(new.language);
        }
        self.settings = new;
        self.check_window();
    }

    fn bar(&mut self, b: BarMessage) -> Task<Message> {
        match b {
            BarMessage::Language(l) => {
                let mut s = self.settings.clone();
                s.language = l;
                self.apply_settings(s);
                if let Screen::Settings(scr) = &mut self.screen {
                    scr.draft.language = l;
                }
            }
            BarMessage::Home => {
                // Only where leaving loses nothing irrevocable.
                let busy = matches!(&self.screen, Screen::Procedure(p) if p.is_working());
                if !busy {
                    if let Screen::Procedure(p) = &mut self.screen {
                        let _ = p.update(procedure::Message::Act(crate::flow::ActionKind::Stop));
                    }
                    self.home();
                }
            }
            BarMessage::DemoProfile(choice) => {
                if self.source.demo().is_some() && self.demo_switching.is_none() {
                    self.home();
                    self.demo_switching = Some(choice);
                    if let Some(d) = self.source.demo() {
                        jobs::demo_switch(d.material().clone(), choice, self.out.clone());
                    }
                }
            }
            BarMessage::DemoRemove => {
                if let Some(d) = self.source.demo() {
                    d.card.remove();
                    let e = WatchEvent::CardRemoved {
                        reader: DEMO_READER.into(),
                    };
                    return self.reader_event(e);
                }
            }
            BarMessage::DemoInsert => {
                if let Some(d) = self.source.demo() {
                    d.card.insert();
                    let e = WatchEvent::CardInserted {
                        reader: DEMO_READER.into(),
                        atr: madoguchi_sim::ATR.to_vec(),
                    };
                    return self.reader_event(e);
                }
            }
        }
        Task::none()
    }

    fn reader_event(&mut self, e: WatchEvent) -> Task<Message> {
        match e {
            WatchEvent::Snapshot(list) => {
                self.readers.service = true;
                let had_card = self.card_in_use();
                let before: Vec<String> = self.readers.readers.keys().cloned().collect();
                self.readers.readers = list.into_iter().map(|r| (r.name, r.card_present)).collect();
                let mut task = Task::none();
                if had_card && !self.card_in_use() {
                    task = self.card_removed();
                }
                let gone = before
                    .into_iter()
                    .filter(|n| !self.readers.readers.contains_key(n));
                for name in gone.collect::<Vec<_>>() {
                    task = Task::batch([task, self.reader_gone(&name)]);
                }
                return task;
            }
            WatchEvent::ServiceUnavailable => {
                let had_card = self.readers.any_card();
                self.readers = Readers::default();
                if had_card {
                    return self.card_removed();
                }
            }
            WatchEvent::ServiceAvailable => self.readers.service = true,
            WatchEvent::ReaderAdded(name) => {
                self.readers.readers.insert(name, false);
            }
            WatchEvent::ReaderRemoved(name) => {
                self.readers.readers.remove(&name);
                return self.reader_gone(&name);
            }
            WatchEvent::CardInserted { reader, .. } => {
                self.readers.readers.insert(reader, true);
            }
            WatchEvent::CardRemoved { reader } => {
                // A card taken from another reader than the chosen one
                // leaves the work on the chosen card alone.
                let in_use = self.chosen_reader().is_none_or(|r| r == reader);
                self.readers.readers.insert(reader, false);
                if in_use {
                    return self.card_removed();
                }
            }
        }
        Task::none()
    }

    /// The reader chosen for the session (PC/SC only).
    pub fn chosen_reader(&self) -> Option<String> {
        match &self.source {
            Source::Pcsc(choice) => choice.get(),
            Source::Demo(_) | Source::Custom(_) => None,
        }
    }

    /// Whether the card in use is in: the chosen reader's, else any.
    fn card_in_use(&self) -> bool {
        match self.chosen_reader() {
            Some(r) => self.readers.readers.get(&r).copied().unwrap_or(false),
            None => self.readers.any_card(),
        }
    }

    /// Whether a card job would have no reader to take without a choice:
    /// several readers hold cards, or only a virtual one does.
    pub fn must_choose_reader(&self) -> bool {
        matches!(self.source, Source::Pcsc(_))
            && self.chosen_reader().is_none()
            && matches!(
                madoguchi_card::pick_reader(&self.readers.infos()),
                Err(madoguchi_card::CardError::SeveralCards(_)
                    | madoguchi_card::CardError::VirtualReader(_))
            )
    }

    /// Whether there is a reader to choose at all: several readers, or a
    /// virtual one (PC/SC only).
    pub fn offers_reader_choice(&self) -> bool {
        matches!(self.source, Source::Pcsc(_))
            && (self.readers.readers.len() > 1
                || self
                    .readers
                    .readers
                    .keys()
                    .any(|n| madoguchi_card::is_virtual_reader(n)))
    }

    fn show_reader_choice(&mut self, then: reader_choice::Then) -> Task<Message> {
        self.screen = Screen::ReaderChoice(reader_choice::ReaderChoiceScreen::new(
            then,
            self.lost_reader.clone(),
        ));
        self.focus = None;
        Task::none()
    }

    /// The resident chose `name`: every card job from now on uses it.
    fn reader_chosen(&mut self, name: String) -> Task<Message> {
        let Source::Pcsc(choice) = &self.source else {
            return Task::none();
        };
        choice.set(Some(name));
        self.lost_reader = None;
        let then = match &self.screen {
            Screen::ReaderChoice(r) => r.then.clone(),
            _ => reader_choice::Then::Top,
        };
        self.focus = None;
        match then {
            reader_choice::Then::Top => {
                self.close_view();
                Task::none()
            }
            reader_choice::Then::Start(p) => self.start(p),
            reader_choice::Then::Open(tool) => self.open(tool),
            reader_choice::Then::Resume => {
                self.close_view();
                match &mut self.screen {
                    Screen::Procedure(p)
                        if p.engine.allowed().contains(&crate::flow::ActionKind::Ok) =>
                    {
                        let e = p.update(procedure::Message::Act(crate::flow::ActionKind::Ok));
                        self.procedure_event(e)
                    }
                    _ => Task::none(),
                }
            }
        }
    }

    /// A reader went away. If it was the chosen one, the choice is
    /// forgotten (no card job may go to a reader plugged in later under the
    /// same name unasked) and, where nothing is under way, asked again.
    fn reader_gone(&mut self, name: &str) -> Task<Message> {
        let Source::Pcsc(choice) = &self.source else {
            return Task::none();
        };
        if choice.get().as_deref() != Some(name) {
            return Task::none();
        }
        choice.set(None);
        self.lost_reader = Some(name.to_owned());
        if let Screen::ReaderChoice(r) = &mut self.screen {
            r.lost = Some(name.to_owned());
            return Task::none();
        }
        let idle = matches!(self.screen, Screen::Top(_))
            || matches!(&self.screen, Screen::CardStatus(s) if !s.loading);
        if idle && self.behind.is_none() && self.offers_reader_choice() {
            return self.show_reader_choice(reader_choice::Then::Top);
        }
        Task::none()
    }

    /// The combined focus order: the bar first, then the screen.
    fn key_map(&self) -> KeyMap<Message> {
        let mut map = KeyMap::default();
        let bar = self.keys.borrow();
        for f in &bar.order {
            map.order.push(f.clone());
        }
        fn lift<M: Clone>(
            map: &mut KeyMap<Message>,
            keys: &RefCell<KeyMap<M>>,
            wrap: fn(M) -> Message,
        ) {
            let k = keys.borrow();
            for f in &k.order {
                map.order.push(match f {
                    Focusable::Button { key, message } => Focusable::Button {
                        key: key.clone(),
                        message: wrap(message.clone()),
                    },
                    Focusable::Input { key, id } => Focusable::Input {
                        key: key.clone(),
                        id: id.clone(),
                    },
                });
            }
            map.enter = k.enter.clone().map(wrap);
            map.escape = k.escape.clone().map(wrap);
        }
        match &self.screen {
            Screen::Top(t) => lift(&mut map, &t.keys, Message::Top),
            Screen::Procedure(p) => lift(&mut map, &p.keys, Message::Procedure),
            Screen::Certificate(c) => lift(&mut map, &c.keys, Message::Certificate),
            Screen::CardStatus(s) => lift(&mut map, &s.keys, Message::CardStatus),
            Screen::ChangePassword(c) => lift(&mut map, &c.keys, Message::ChangePassword),
            Screen::Server(s) => lift(&mut map, &s.keys, Message::Server),
            Screen::Settings(s) => lift(&mut map, &s.keys, Message::Settings),
            Screen::ReaderChoice(r) => lift(&mut map, &r.keys, Message::ReaderChoice),
            Screen::StaffUnlock(s) => lift(&mut map, &s.keys, Message::StaffUnlock),
        }
        map
    }

    fn key(&mut self, k: KeyPress) -> Task<Message> {
        let map = self.key_map();
        let position = self
            .focus
            .as_deref()
            .and_then(|f| map.order.iter().position(|x| x.key() == f));
        match k {
            KeyPress::Tab | KeyPress::ShiftTab => {
                if map.order.is_empty() {
                    return Task::none();
                }
                let n = map.order.len();
                let next = match (position, k) {
                    (None, KeyPress::Tab) => 0,
                    (None, _) => n - 1,
                    (Some(i), KeyPress::Tab) => (i + 1) % n,
                    (Some(i), _) => (i + n - 1) % n,
                };
                let target = &map.order[next];
                self.focus = Some(target.key().to_owned());
                match target {
                    Focusable::Input { id, .. } => iced::widget::operation::focus(id.clone()),
                    // Focusing an id no widget has takes the focus off
                    // every text input.
                    Focusable::Button { .. } => {
                        iced::widget::operation::focus(Id::new("madoguchi-no-input"))
                    }
                }
            }
            KeyPress::Enter => {
                let message = match position.map(|i| &map.order[i]) {
                    Some(Focusable::Button { message, .. }) => Some(message.clone()),
                    Some(Focusable::Input { .. }) => None,
                    None => map.enter.clone(),
                };
                match message {
                    Some(m) => self.update(m),
                    None => Task::none(),
                }
            }
            KeyPress::Escape => match map.escape.clone() {
                Some(m) => self.update(m),
                None => Task::none(),
            },
        }
    }

    /// At start: the password box takes the keyboard when it is shown.
    fn focus_task(&mut self) -> Task<Message> {
        match &self.screen {
            Screen::Procedure(p) if matches!(p.engine.screen(), FlowScreen::Password { .. }) => {
                self.focus = Some("password.input".into());
                iced::widget::operation::focus(Id::new("procedure-password"))
            }
            _ => Task::none(),
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subs = vec![
            Subscription::run_with(WakeKey(self.inbox.wake.clone()), wake_stream),
            iced::event::listen_with(keyboard_event),
        ];
        if let Source::Pcsc(_) = self.source {
            subs.push(Subscription::run(watch_stream));
        }
        if self.is_busy() {
            subs.push(iced::time::every(Duration::from_secs(1)).map(|_| Message::Tick));
        }
        if self.counter() && !matches!(self.screen, Screen::Top(_)) {
            subs.push(iced::time::every(Duration::from_secs(1)).map(|_| Message::IdleTick));
        }
        Subscription::batch(subs)
    }

    pub fn view(&self) -> Element<'_, Message> {
        *self.keys.borrow_mut() = KeyMap::default();
        let focused = self.focus.as_deref();
        let counter = self.counter();
        let mut footer: Option<Element<'_, Message>> = None;
        let body: Element<'_, Message> = match &self.screen {
            Screen::Top(t) => t.view(focused, counter, self.offer()).map(Message::Top),
            Screen::Procedure(p) => {
                let (body, bar) = p.view(focused, counter, self.caps_lock);
                footer = bar.map(|b| b.map(Message::Procedure));
                body.map(Message::Procedure)
            }
            Screen::Certificate(c) => c.view(focused, counter).map(Message::Certificate),
            Screen::CardStatus(s) => s.view(focused, counter).map(Message::CardStatus),
            Screen::ChangePassword(c) => c
                .view(focused, counter, self.caps_lock)
                .map(Message::ChangePassword),
            Screen::Server(s) => s.view(focused, counter).map(Message::Server),
            Screen::Settings(s) => {
                let (body, bar) = s.view(focused, counter);
                footer = Some(bar.map(Message::Settings));
                body.map(Message::Settings)
            }
            Screen::ReaderChoice(r) => r
                .view(
                    focused,
                    counter,
                    &self.readers.readers,
                    self.chosen_reader(),
                )
                .map(Message::ReaderChoice),
            Screen::StaffUnlock(s) => s.view(focused, counter).map(Message::StaffUnlock),
        };
        let mut page = column![self.header()].spacing(0);
        if self.source.demo().is_some() {
            page = page.push(self.demo_bar());
        }
        let mut content = column![].spacing(theme::space::L);
        for p in &self.settings_problems {
            content = content.push(widget::notice(
                Tone::Warning,
                fl!("ui-settings-problem"),
                Some(p.clone()),
            ));
        }
        content = content.push(body);
        page = page.push(
            scrollable(
                container(content.max_width(980.0))
                    .padding([theme::space::L, theme::space::XL])
                    .center_x(Length::Fill),
            )
            .height(Length::Fill)
            .width(Length::Fill),
        );
        if let Some(f) = footer {
            page = page.push(
                container(container(f).max_width(980.0).width(Length::Fill))
                    .padding([theme::space::M, theme::space::XL])
                    .center_x(Length::Fill)
                    .style(theme::footer),
            );
        }
        container(page)
            .width(Length::Fill)
            .height(Length::Fill)
            .style(theme::page)
            .into()
    }

    /// The bar: name, demo and counter badges, live reader and card state,
    /// language.
    fn header(&self) -> Element<'_, Message> {
        let ui = Ui {
            focused: self.focus.as_deref(),
            keys: &self.keys,
            counter: self.counter(),
        };
        let mut left = row![
            text(fl!("app-name"))
                .size(theme::size::TITLE)
                .font(theme::BOLD)
        ]
        .spacing(theme::space::M)
        .align_y(Alignment::Center);
        if self.source.demo().is_some() {
            left = left.push(
                container(
                    text(fl!("ui-demo-badge"))
                        .size(theme::size::BODY)
                        .font(theme::BOLD),
                )
                .padding([4, 10])
                .style(theme::demo_badge),
            );
        }
        if self.counter() {
            left = left.push(
                container(
                    text(fl!("ui-counter-badge"))
                        .size(theme::size::BODY)
                        .font(theme::BOLD),
                )
                .padding([4, 10])
                .style(theme::demo_badge),
            );
        }
        let (reader_tone, reader_text, card_tone, card_text) = self.status_words();
        let chip = |tone: Tone, words: String| {
            container(text(words).size(theme::size::SMALL + 1.0).font(theme::BOLD))
                .padding([4, 12])
                .style(theme::chip(tone))
        };
        let other = match i18n::current() {
            Language::Ja => ("English", Language::En),
            Language::En => ("日本語", Language::Ja),
        };
        let mut right = row![chip(reader_tone, reader_text), chip(card_tone, card_text)]
            .spacing(theme::space::S)
            .align_y(Alignment::Center);
        if !matches!(self.screen, Screen::Top(_)) {
            right = right.push(ui.button(
                "bar.home",
                fl!("ui-home"),
                Some(Message::Bar(BarMessage::Home)),
                ButtonKind::Quiet,
            ));
        }
        if !self.settings.is_locked(settings::Field::Language) {
            right = right.push(ui.button(
                "bar.language",
                other.0,
                Some(Message::Bar(BarMessage::Language(other.1))),
                ButtonKind::Quiet,
            ));
        }
        // Large text: the status and buttons go to a second line rather
        // than squeezing the badges.
        let bar: Element<'_, Message> = if self.settings.text_size == settings::TextSize::Large {
            row![left, right]
                .align_y(Alignment::Center)
                .spacing(theme::space::M)
                .wrap()
                .vertical_spacing(theme::space::S)
                .into()
        } else {
            row![left.width(Length::Fill), right]
                .align_y(Alignment::Center)
                .spacing(theme::space::M)
                .into()
        };
        container(bar)
            .padding([theme::space::S, theme::space::L])
            .width(Length::Fill)
            .style(theme::header)
            .into()
    }

    /// Words for the reader and card chips.
    pub fn status_words(&self) -> (Tone, String, Tone, String) {
        if !self.readers.service {
            return (
                Tone::Danger,
                fl!("ui-status-no-service"),
                Tone::Warning,
                fl!("ui-status-card-unknown"),
            );
        }
        if self.readers.readers.is_empty() {
            return (
                Tone::Danger,
                fl!("ui-status-no-reader"),
                Tone::Warning,
                fl!("ui-status-card-unknown"),
            );
        }
        let reader = if self.readers.readers.len() == 1 {
            fl!("ui-status-reader-one")
        } else {
            fl!(
                "ui-status-readers",
                n = self.readers.readers.len().to_string()
            )
        };
        if self.readers.any_card() {
            (
                Tone::Success,
                reader,
                Tone::Success,
                fl!("ui-status-card-in"),
            )
        } else {
            (
                Tone::Success,
                reader,
                Tone::Warning,
                fl!("ui-status-card-out"),
            )
        }
    }

    fn demo_bar(&self) -> Element<'_, Message> {
        let ui = Ui {
            focused: self.focus.as_deref(),
            keys: &self.keys,
            counter: self.counter(),
        };
        let Some(d) = self.source.demo() else {
            return row![].into();
        };
        let mut profiles = row![
            text(fl!("ui-demo-card"))
                .size(theme::size::SMALL)
                .font(theme::BOLD)
        ]
        .spacing(theme::space::XS)
        .align_y(Alignment::Center);
        for choice in Profile::ALL {
            let selected = self.demo_switching.unwrap_or(d.profile) == choice;
            let key = format!("demo.{choice}");
            profiles = profiles.push(ui.small_choice(
                &key,
                demo_label(choice),
                Message::Bar(BarMessage::DemoProfile(choice)),
                selected,
            ));
        }
        let slot = if d.card.is_present() {
            ui.small_choice(
                "demo.remove",
                fl!("ui-demo-remove"),
                Message::Bar(BarMessage::DemoRemove),
                false,
            )
        } else {
            ui.small_choice(
                "demo.insert",
                fl!("ui-demo-insert"),
                Message::Bar(BarMessage::DemoInsert),
                true,
            )
        };
        let note = match &self.demo_switching {
            Some(_) => fl!("ui-demo-switching"),
            None => fl!(
                "ui-demo-password",
                password = d.profile.password().to_owned()
            ),
        };
        container(
            column![
                profiles.wrap(),
                row![slot, text(note).size(theme::size::SMALL)]
                    .spacing(theme::space::M)
                    .align_y(Alignment::Center),
            ]
            .spacing(theme::space::XS),
        )
        .padding([theme::space::XS, theme::space::L])
        .width(Length::Fill)
        .style(theme::demo_bar)
        .into()
    }
}

/// The demo choice in words.
pub fn demo_label(choice: Profile) -> String {
    match choice {
        Profile::Normal => fl!("ui-demo-normal"),
        Profile::Expired => fl!("ui-demo-expired"),
        Profile::OneTryLeft => fl!("ui-demo-one-try-left"),
        Profile::Locked => fl!("ui-demo-locked"),
        Profile::ForeignCa => fl!("ui-demo-foreign-ca"),
        Profile::Revoked => fl!("ui-demo-revoked"),
        Profile::RareKanji => fl!("ui-demo-rare-kanji"),
        Profile::ImpostorCa => fl!("ui-demo-impostor-ca"),
        Profile::Juki => fl!("ui-demo-juki"),
    }
}

/// Identifies the wake subscription (one per app).
struct WakeKey(std::sync::Arc<tokio::sync::Notify>);

impl std::hash::Hash for WakeKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        "madoguchi-wake".hash(state);
    }
}

fn wake_stream(key: &WakeKey) -> impl iced::futures::Stream<Item = Message> + use<> {
    let wake = key.0.clone();
    iced::stream::channel(4, async move |mut out| {
        use iced::futures::SinkExt;
        loop {
            wake.notified().await;
            if out.send(Message::Wake).await.is_err() {
                break;
            }
        }
    })
}

fn watch_stream() -> impl iced::futures::Stream<Item = Message> {
    iced::stream::channel(16, async move |mut out| {
        use iced::futures::{SinkExt, StreamExt};
        let (tx, mut rx) = iced::futures::channel::mpsc::unbounded();
        let watch = madoguchi_card::Watch::start_with(move |e| {
            let _ = tx.unbounded_send(e);
        });
        let _watch = match watch {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(target: "madoguchi::ui", "reader watch: {e}");
                let _ = out
                    .send(Message::Reader(WatchEvent::ServiceUnavailable))
                    .await;
                std::future::pending::<()>().await;
                return;
            }
        };
        while let Some(e) = rx.next().await {
            if out.send(Message::Reader(e)).await.is_err() {
                break;
            }
        }
    })
}

fn keyboard_event(
    event: iced::Event,
    status: iced::event::Status,
    _window: iced::window::Id,
) -> Option<Message> {
    use iced::keyboard::{self, Key, key::Named};
    match event {
        iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key,
            modifiers,
            text,
            ..
        }) => {
            let ignored = status == iced::event::Status::Ignored;
            match key.as_ref() {
                Key::Named(Named::Tab) => Some(Message::Key(if modifiers.shift() {
                    KeyPress::ShiftTab
                } else {
                    KeyPress::Tab
                })),
                Key::Named(Named::Enter) if ignored => Some(Message::Key(KeyPress::Enter)),
                Key::Named(Named::Escape) => Some(Message::Key(KeyPress::Escape)),
                _ => {
                    let c = text.as_deref().and_then(|t| t.chars().next())?;
                    c.is_ascii_alphabetic().then(|| Message::Typed {
                        upper: c.is_ascii_uppercase(),
                        shift: modifiers.shift(),
                    })
                }
            }
        }
        iced::Event::Mouse(iced::mouse::Event::ButtonPressed(_)) => Some(Message::Activity),
        _ => None,
    }
}
