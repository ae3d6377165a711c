//! The desktop app (iced 0.14): a thin driver over [`crate::flow`] and the
//! card tools, in the icebreaker/halloy shape.
//!
//! - [`app`] holds the App: the screen shown, the routing of messages, the
//!   focus ring ([`focus`]) and the reader state ([`readers`]).
//! - [`screen`] has one module per screen, all with one contract (see its
//!   docs); [`header`] and [`demo_bar`] are components with messages of
//!   their own.
//! - Card and network work run as iced Tasks on iced's runtime; the
//!   reader watch and the keyboard are subscriptions ([`watch`]).
//! - Looks come from [`theme`] only; shared pieces are in [`widget`].
//!   `docs/ui-guidelines.md` says how to use them and how to add a screen.
//!
//! Counter mode (`--counter` or the setting): after a result once the card
//! is out, on card removal, or after the idle time, everything about the
//! resident (engine, document, certificate viewer, receipts) is dropped —
//! their buffers are zeroing types — and the top screen comes back.

pub mod a11y;
pub mod app;
pub mod demo_bar;
pub mod environment;
pub mod focus;
pub mod fonts;
pub mod header;
pub mod jobs;
pub mod readers;
pub mod screen;
pub mod settings;
pub mod theme;
pub mod watch;
pub mod widget;

use std::time::Duration;

use iced::Task;

use crate::i18n::Language;
pub use app::{App, Message, Screen};
pub use focus::KeyPress;
use madoguchi_demo::{Material, Profile};
pub use readers::Readers;
use settings::Paths;

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
    /// Where the settings files are.
    pub paths: Option<Paths>,
    /// The card reader chosen by name (`madoguchi --reader NAME`); without
    /// it the resident chooses on screen when several readers hold cards or
    /// only a virtual one does.
    pub reader: Option<String>,
}

/// Iced settings with the bundled fonts (also for tests): building them
/// puts the bundled fonts, and only those, in iced's text system.
pub fn iced_settings() -> iced::Settings {
    fonts::install();
    iced::Settings {
        // `fonts::install` has loaded them; iced would add copies.
        fonts: Vec::new(),
        default_font: theme::FONT,
        default_text_size: iced::Pixels(theme::Role::Body.size()),
        ..iced::Settings::default()
    }
}

/// Run the app until its window closes.
pub fn run(launch: Launch) -> anyhow::Result<()> {
    let paths = launch.paths.clone().unwrap_or_else(Paths::platform);
    run_with(&paths, move || (App::new(launch.clone()), Task::none()))
}

/// Run the app made by `make`, with the work it has under way (the
/// screenshot tool walks it somewhere first), until its window closes;
/// `paths`: where its settings are.
pub fn run_with(
    paths: &Paths,
    make: impl Fn() -> (App, Task<Message>) + 'static,
) -> anyhow::Result<()> {
    // winit panics without a display; say it plainly instead.
    if cfg!(all(unix, not(target_os = "macos")))
        && ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
            .iter()
            .all(|v| std::env::var_os(v).is_none())
    {
        anyhow::bail!("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set)");
    }
    // The window is sized in logical pixels, which the text-size setting
    // scales: keep the same 1024×768 on screen whatever the setting.
    let scale = settings::load(paths).0.text_size.scale();
    run_window(scale, make).map_err(|e| anyhow::anyhow!("{e}"))
}

fn run_window(scale: f32, make: impl Fn() -> (App, Task<Message>) + 'static) -> iced::Result {
    let boot = move || {
        let (mut app, work) = make();
        let task = Task::batch([work, app.focus_task()]);
        // Two redraws shortly after start: on X11 a first frame drawn just
        // before the window is mapped can be lost, and an idle app would
        // otherwise stay black until the pointer moves over it.
        let redraw = |ms| {
            Task::perform(tokio::time::sleep(Duration::from_millis(ms)), |()| {
                Message::Tick
            })
        };
        (app, Task::batch([task, redraw(250), redraw(1000)]))
    };
    iced::application(boot, App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .scale_factor(App::scale_factor)
        .settings(iced_settings())
        // Not `.centered()`: it centres the logical size, which the text
        // scale makes smaller than the window really is. Hidden at first
        // only where a screen reader's adapter must be bound before the
        // window is shown (`a11y::shown_after_binding`).
        .window(iced::window::Settings {
            size: iced::Size::new(1024.0 / scale, 768.0 / scale),
            visible: !a11y::shown_after_binding(),
            ..iced::window::Settings::default()
        })
        .run()
}

/// The demo choice in words.
pub fn demo_label(choice: Profile) -> String {
    demo_bar::label(choice)
}
