//! The App: the screen shown, the routing of every message, and what only
//! the App can do for a screen (go elsewhere, start a procedure, open a
//! tool, apply settings). Screens never write into each other; they return
//! an [`Action`] and the App acts on it ([`App::go`], in [`navigation`]).
//! The header's and the demo bar's messages are handled in [`components`].

mod assistive;
mod components;
mod navigation;

use std::time::{Duration, Instant};

use iced::widget::{column, container, scrollable};
use iced::{Element, Length, Subscription, Task};
use madoguchi_card::WatchEvent;

use super::environment::{Demo, ReaderChoice, Source};
use super::focus::KeyPress;
use super::readers::Readers;
use super::screen::{
    Action, Delivered, Page, card_removed, card_status, cert_viewer, change_password, procedure,
    reader_choice, server_identity, settings as settings_screen, staff_unlock, top,
};
use super::settings::{self, Paths, Settings};
use super::theme;
use super::widget::{Context, Item, KeyMap, Ui};
use super::{Launch, a11y, demo_bar, focus, header, watch};
use crate::fl;
use crate::flow::{Options, Screen as FlowScreen};
use crate::i18n;
use madoguchi_demo::{DEMO_READER, Material, Profile};

/// The screens: each line makes a variant of [`Screen`] (its state) and
/// of [`ScreenMessage`] (its messages), its arm of [`Screen::draw`] and
/// its routing arm of [`App::route`]. Adding a screen is its module and
/// one line here (`docs/ui-guidelines.md`).
macro_rules! screens {
    ($($name:ident($state:ty, $module:ident)),* $(,)?) => {
        /// The screen shown.
        pub enum Screen {
            $($name($state),)*
        }

        /// A message for one of the screens.
        #[derive(Clone, Debug)]
        pub enum ScreenMessage {
            $($name($module::Message),)*
        }

        impl std::fmt::Debug for Screen {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $(Screen::$name(s) => s.fmt(f),)*
                }
            }
        }

        impl Screen {
            /// The page and its focus order: the one place that knows how
            /// each screen is drawn (the view and the focus ring use it).
            pub fn draw<'a>(&'a self, context: &'a Context) -> (Page<'a, Message>, KeyMap<Message>) {
                let (page, keys, _) = self.draw_with(context, false);
                (page, keys)
            }

            /// The same, drawn with a recording `Ui`: also the outline
            /// the accessibility tree is built from.
            pub fn outline<'a>(&'a self, context: &'a Context) -> Vec<Item<'a, Message>> {
                self.draw_with(context, true).2
            }

            fn draw_with<'a>(
                &'a self,
                context: &'a Context,
                record: bool,
            ) -> (Page<'a, Message>, KeyMap<Message>, Vec<Item<'a, Message>>) {
                match self {
                    $(Screen::$name(s) => drawn(context, record, |ui| s.view(ui), |m| {
                        Message::Screen(ScreenMessage::$name(m))
                    }),)*
                }
            }
        }

        impl App {
            /// A screen's message to that screen, if it is the one shown;
            /// then what its update asked for.
            fn route(&mut self, message: ScreenMessage) -> Task<Message> {
                match (message, &mut self.screen) {
                    $((ScreenMessage::$name(m), Screen::$name(s)) => {
                        let action = s.update(m);
                        self.act(action, |m| Message::Screen(ScreenMessage::$name(m)))
                    })*
                    // A message for a screen no longer shown (a late
                    // click, a key map): nothing to do.
                    #[allow(unreachable_patterns)]
                    _ => Task::none(),
                }
            }
        }
    };
}

screens! {
    Top(top::Top, top),
    Procedure(Box<procedure::ProcedureScreen>, procedure),
    Certificate(Box<cert_viewer::CertViewer>, cert_viewer),
    CardStatus(Box<card_status::CardStatus>, card_status),
    ChangePassword(Box<change_password::ChangePassword>, change_password),
    Server(Box<server_identity::ServerView>, server_identity),
    Settings(Box<settings_screen::SettingsScreen>, settings_screen),
    ReaderChoice(reader_choice::ReaderChoiceScreen, reader_choice),
    StaffUnlock(Box<staff_unlock::StaffUnlock>, staff_unlock),
    CardRemoved(card_removed::CardRemoved, card_removed),
}

/// Every message of the app.
#[derive(Clone, Debug)]
pub enum Message {
    /// For the screen shown.
    Screen(ScreenMessage),
    Header(header::Message),
    DemoBar(demo_bar::Message),
    /// A demo profile switch finished.
    DemoSwitched(Delivered<Result<Box<Demo>, String>>),
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
    /// From the assistive technology's adapter (`ui::a11y`).
    Assistive(a11y::Event),
}

impl Message {
    /// A message for the procedure screen.
    pub fn procedure(m: procedure::Message) -> Message {
        Message::Screen(ScreenMessage::Procedure(m))
    }

    /// A message for the top screen.
    pub fn top(m: top::Message) -> Message {
        Message::Screen(ScreenMessage::Top(m))
    }
}

/// A screen's page and focus order, in the App's messages.
fn drawn<'a, M: Clone + 'a>(
    context: &'a Context,
    record: bool,
    view: impl FnOnce(&Ui<'a, M>) -> Page<'a, M>,
    wrap: impl Fn(M) -> Message + Copy + 'a,
) -> (Page<'a, Message>, KeyMap<Message>, Vec<Item<'a, Message>>) {
    let ui = if record {
        Ui::recording(context)
    } else {
        Ui::new(context)
    };
    let page = view(&ui);
    let (own, outline) = ui.into_parts();
    let mut keys = KeyMap::default();
    focus::lift(&mut keys, own, wrap);
    let outline = outline.into_iter().map(|i| i.map(wrap)).collect();
    (page.map(wrap), keys, outline)
}

/// The app's state.
pub struct App {
    pub settings: Settings,
    pub(super) paths: Paths,
    pub(super) settings_problems: Vec<String>,
    /// The online window is usable, or the error number that says why not.
    window_ready: Result<(), u16>,
    pub source: Source,
    /// Rejected passwords by card, for the app's lifetime (every procedure
    /// and the change-password screen share it).
    rejected: madoguchi_card::RejectedBook,
    pub screen: Screen,
    /// A procedure waiting behind the certificate, server or reader view
    /// opened from it.
    pub(super) behind: Option<Box<procedure::ProcedureScreen>>,
    pub readers: Readers,
    /// The focused button or input (its key).
    pub focus: Option<String>,
    /// What every view is drawn with; derived from the state after each
    /// update.
    pub(super) context: Context,
    next_owner: u64,
    pub caps_lock: bool,
    last_activity: Instant,
    pub demo_switching: Option<Profile>,
    counter_flag: bool,
    /// The chosen reader that was unplugged (said on the next reader
    /// choice).
    pub(super) lost_reader: Option<String>,
    /// The accessibility adapter, once it runs (`ui::a11y`).
    pub(super) assistive: Option<a11y::Handle>,
    /// An assistive technology listens: the tree is built and the layout
    /// measured after each update.
    pub(super) assistive_active: bool,
    pub(super) window_focused: bool,
    /// The window, once open, and whether the adapter is bound to it.
    pub(super) window_id: Option<iced::window::Id>,
    pub(super) bound: bool,
    /// Where things are drawn, measured after the last update.
    pub(super) layout: Option<a11y::Layout>,
    /// The window's place and size (logical) and the system's scale.
    pub(super) window: (iced::Point, iced::Size, f32),
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("settings", &self.settings)
            .field("source", &self.source)
            .field("screen", &self.screen)
            .field("behind", &self.behind)
            .field("readers", &self.readers)
            .field("focus", &self.focus)
            .finish_non_exhaustive()
    }
}

impl App {
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
        let mut app = App {
            settings,
            paths,
            settings_problems,
            window_ready: Ok(()),
            source,
            rejected: madoguchi_card::RejectedBook::default(),
            screen: Screen::Top(top::Top),
            behind: None,
            readers,
            focus: None,
            context: Context::default(),
            next_owner: 1,
            caps_lock: false,
            last_activity: Instant::now(),
            demo_switching: None,
            counter_flag: launch.counter,
            lost_reader: None,
            assistive: None,
            assistive_active: false,
            window_focused: false,
            window_id: None,
            bound: false,
            layout: None,
            window: (iced::Point::ORIGIN, iced::Size::ZERO, 1.0),
        };
        app.check_window();
        app.refresh_context();
        app
    }

    /// Counter mode in force.
    pub fn counter(&self) -> bool {
        self.counter_flag || self.settings.counter_mode
    }

    pub fn title(&self) -> String {
        let mut t = fl!("app-name");
        if self.source.demo().is_some() {
            t.push_str(&format!(" — {}", fl!("demo-badge")));
        }
        t
    }

    /// The theme the settings choose (normal or high contrast); every
    /// style function takes its colours from it.
    pub fn theme(&self) -> iced::Theme {
        theme::for_choice(self.settings.theme)
    }

    pub fn scale_factor(&self) -> f32 {
        self.settings.text_size.scale()
    }

    /// The view context, derived from the state.
    fn refresh_context(&mut self) {
        self.context = Context {
            focused: self.focus.clone(),
            counter: self.counter(),
            caps_lock: self.caps_lock,
            readers: self.readers.readers.clone(),
            chosen_reader: self.chosen_reader(),
            offer: self.offer(),
            compact: self.settings.text_size == settings::TextSize::Largest,
        };
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
            expected_issuers: self.source.expected_issuers(),
            ..Options::default()
        }
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

    /// Whether anything about a resident is held: the imported
    /// certificate and facts, a certificate viewer, a procedure waiting
    /// behind a view, an answer of the window.
    pub fn holds_resident(&self) -> bool {
        let on_screen = match &self.screen {
            Screen::Procedure(p) => p.holds_resident(),
            Screen::Certificate(_) => true,
            Screen::CardStatus(s) => s.report().is_some(),
            _ => false,
        };
        on_screen || self.behind.as_deref().is_some_and(|p| p.holds_resident())
    }

    /// Whether background work is under way.
    pub fn is_busy(&self) -> bool {
        let screen_busy = match &self.screen {
            Screen::Procedure(p) => p.is_working(),
            Screen::CardStatus(s) => s.is_loading(),
            Screen::Server(s) => s.is_loading(),
            Screen::ChangePassword(c) => c.is_working(),
            _ => false,
        };
        screen_busy || self.demo_switching.is_some()
    }

    /// Act on what a screen's update asked for; its work runs as Tasks
    /// whose messages come back through `wrap`.
    fn act<M: Send + 'static>(
        &mut self,
        action: Action<M>,
        wrap: impl Fn(M) -> Message + Send + 'static,
    ) -> Task<Message> {
        match action {
            Action::None => Task::none(),
            Action::Run(task) => task.map(wrap),
            Action::Go(go) => self.go(go),
            Action::RunAndGo(task, go) => Task::batch([task.map(wrap), self.go(go)]),
        }
    }

    /// Which procedure screen is shown (to reset the keyboard focus when
    /// it changes: Enter pressed twice must never answer the next
    /// confirmation).
    fn procedure_screen_key(&self) -> Option<FlowScreen> {
        match &self.screen {
            Screen::Procedure(p) => Some(p.engine().screen().clone()),
            _ => None,
        }
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        let before = self.procedure_screen_key();
        // While a screen reader listens, every change is measured again
        // (the measurement's own message is not).
        let measure =
            self.assistive_active && !matches!(message, Message::Assistive(a11y::Event::Layout(_)));
        let mut task = self.handle(message);
        if measure {
            task = Task::batch([
                task,
                a11y::measure().map(|l| Message::Assistive(a11y::Event::Layout(l))),
            ]);
        }
        let after = self.procedure_screen_key();
        if before != after
            && !matches!(after, Some(FlowScreen::Password { .. }))
            && self.focus.as_deref() != Some("password.input")
        {
            self.focus = None;
        }
        self.refresh_context();
        let published = self.publish();
        Task::batch([task, published])
    }

    fn handle(&mut self, message: Message) -> Task<Message> {
        if !matches!(
            message,
            Message::IdleTick
                | Message::Tick
                // Only an assistive technology's action is the resident's
                // activity (a measurement after each update must not keep
                // a counter terminal from going idle).
                | Message::Assistive(
                    a11y::Event::Ready(_)
                        | a11y::Event::Activated
                        | a11y::Event::Deactivated
                        | a11y::Event::Layout(_)
                        | a11y::Event::Window(_)
                        | a11y::Event::WindowOpened(_)
                        | a11y::Event::WindowFocused(_)
                )
                | Message::Reader(_)
                | Message::DemoSwitched(_)
                | Message::Screen(
                    ScreenMessage::Procedure(procedure::Message::Done { .. })
                        | ScreenMessage::CardStatus(card_status::Message::Loaded(_))
                        | ScreenMessage::Server(server_identity::Message::Loaded(_))
                        | ScreenMessage::ChangePassword(change_password::Message::Done(_))
                )
        ) {
            self.last_activity = Instant::now();
        }
        match message {
            // A procedure's work may finish while it waits behind a view.
            Message::Screen(ScreenMessage::Procedure(m @ procedure::Message::Done { .. }))
                if !matches!(self.screen, Screen::Procedure(_)) =>
            {
                match self.behind.as_mut().map(|p| p.update(m)) {
                    Some(Action::Run(t) | Action::RunAndGo(t, _)) => t.map(Message::procedure),
                    _ => Task::none(),
                }
            }
            Message::Screen(m) => self.route(m),
            Message::Header(m) => self.header_message(m),
            Message::DemoBar(m) => self.demo_message(m),
            Message::DemoSwitched(r) => {
                if let Some(r) = r.take() {
                    self.demo_switched(r);
                }
                Task::none()
            }
            Message::Reader(e) => self.reader_event(e),
            Message::Key(k) => self.key(k),
            Message::Typed { upper, shift } => {
                self.caps_lock = upper != shift;
                Task::none()
            }
            Message::Activity | Message::Tick => Task::none(),
            Message::Assistive(e) => self.assistive_event(e),
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
        let mut task = Task::none();
        if let Screen::Procedure(p) = &mut self.screen {
            // Wiped even while a request hangs (the engine goes to its top).
            let (t, over) = p.idle();
            task = t.map(Message::procedure);
            if !over {
                return task;
            }
        }
        self.home();
        self.refresh_context();
        task
    }

    fn apply_settings(&mut self, new: Settings) {
        if new.language != self.settings.language {
            i18n::set_language(new.language);
        }
        self.settings = new;
        self.check_window();
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subs = vec![
            iced::event::listen_with(watch::keyboard_event),
            // Always on: dropping it would drop the adapter, and the
            // window would vanish from the screen reader.
            Subscription::run(a11y::events).map(Message::Assistive),
            iced::window::events().filter_map(watch::window_focus),
            iced::window::open_events().map(|id| Message::Assistive(a11y::Event::WindowOpened(id))),
        ];
        if let Source::Pcsc(_) = self.source {
            subs.push(Subscription::run(watch::readers));
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
        let context = &self.context;
        let (page, _) = self.screen.draw(context);
        let header = header::view(&Ui::new(context), self.header_info()).map(Message::Header);
        let mut bars = column![header].spacing(0);
        if let Some(info) = self.demo_info() {
            bars = bars.push(demo_bar::view(&Ui::new(context), info).map(Message::DemoBar));
        }
        // At 200 % text the bars would take half of the 384 logical pixels
        // of height: they scroll with the page, and only the footer's
        // buttons stay put.
        let compact = context.compact;
        let (mut all, above) = if compact {
            (column![].spacing(0), Some(bars))
        } else {
            (bars, None)
        };
        let side = if compact {
            theme::space::M
        } else {
            theme::space::XL
        };
        let mut content = column![].spacing(theme::space::L);
        for p in self.problems(&Ui::new(context)) {
            content = content.push(p);
        }
        content = content.push(page.body);
        let body = container(content.max_width(980.0))
            .padding([theme::space::L, side])
            .center_x(Length::Fill);
        let scrolled: Element<'_, Message> = match above {
            Some(bars) => column![bars, body].into(),
            None => body.into(),
        };
        all = all.push(
            scrollable(scrolled)
                .height(Length::Fill)
                .width(Length::Fill)
                .style(theme::scroll),
        );
        if let Some(f) = page.footer {
            all = all.push(
                container(container(f).max_width(980.0).width(Length::Fill))
                    .padding([theme::space::M, side])
                    .center_x(Length::Fill)
                    .style(theme::footer),
            );
        }
        container(all)
            .width(Length::Fill)
            .height(Length::Fill)
            .style(theme::page)
            .into()
    }
}
