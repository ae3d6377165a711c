//! Settings: language (switches at once), text size and colours (applied
//! at once), the online window
//! (address and trust anchor), proxy, counter mode and its idle time.
//! Values fixed by the administrator's preset are shown and locked.

use std::path::PathBuf;
use std::time::Duration;

use iced::widget::{Id, column, row, text_input};
use iced::{Element, Length};

use super::{Action, Go, Page};
use crate::fl;
use crate::i18n::Language;
use crate::ui::settings::{Field, Settings, TextSize, ThemeChoice};
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::{self, Content, Ui};

#[derive(Clone, Debug)]
pub enum Message {
    Language(Language),
    TextSize(TextSize),
    Theme(ThemeChoice),
    Server(String),
    Anchor(String),
    Proxy(String),
    Counter(bool),
    Idle(String),
    Save,
    Close,
}

pub struct SettingsScreen {
    draft: Settings,
    server: String,
    anchor: String,
    proxy: String,
    idle: String,
    demo: bool,
    saved: Option<Result<(), String>>,
}

impl std::fmt::Debug for SettingsScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingsScreen")
            .field("draft", &self.draft)
            .finish_non_exhaustive()
    }
}

impl SettingsScreen {
    pub fn new(settings: &Settings, demo: bool) -> SettingsScreen {
        SettingsScreen {
            server: settings.server.clone().unwrap_or_default(),
            anchor: settings
                .anchor
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            proxy: settings.proxy.clone(),
            idle: settings.idle_timeout.as_secs().to_string(),
            draft: settings.clone(),
            demo,
            saved: None,
        }
    }

    /// The language was switched from the header.
    pub fn language_changed(&mut self, language: Language) {
        self.draft.language = language;
    }

    /// What writing the user's file gave.
    pub fn saved(&mut self, result: Result<(), String>) {
        self.saved = Some(result);
    }

    fn collect(&mut self) {
        let text = |s: &str| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_owned())
        };
        if !self.draft.is_locked(Field::Server) {
            self.draft.server = text(&self.server);
        }
        if !self.draft.is_locked(Field::Anchor) {
            self.draft.anchor = text(&self.anchor).map(PathBuf::from);
        }
        if !self.draft.is_locked(Field::Proxy) {
            self.draft.proxy = text(&self.proxy).unwrap_or_else(|| "system".into());
        }
        if !self.draft.is_locked(Field::IdleTimeout)
            && let Ok(s) = self.idle.trim().parse::<u64>()
        {
            self.draft.idle_timeout = Duration::from_secs(s.clamp(15, 3600));
        }
    }

    pub fn update(&mut self, message: Message) -> Action<Message> {
        let apply = |d: &Settings| Action::Go(Go::ApplySettings(Box::new(d.clone())));
        self.saved = None;
        match message {
            Message::Language(l) if !self.draft.is_locked(Field::Language) => {
                self.draft.language = l;
                return apply(&self.draft);
            }
            Message::TextSize(t) if !self.draft.is_locked(Field::TextSize) => {
                self.draft.text_size = t;
                return apply(&self.draft);
            }
            Message::Theme(t) if !self.draft.is_locked(Field::Theme) => {
                self.draft.theme = t;
                return apply(&self.draft);
            }
            Message::Counter(c) if !self.draft.is_locked(Field::CounterMode) => {
                self.draft.counter_mode = c;
                return apply(&self.draft);
            }
            Message::Server(s) => self.server = s,
            Message::Anchor(s) => self.anchor = s,
            Message::Proxy(s) => self.proxy = s,
            Message::Idle(s) => self.idle = s,
            Message::Save => {
                self.collect();
                return Action::Go(Go::SaveSettings(Box::new(self.draft.clone())));
            }
            Message::Close => return Action::Go(Go::Home),
            _ => {}
        }
        Action::None
    }

    /// The settings, and the bar with Save / Close at the bottom.
    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let d = &self.draft;
        // Built in reading order (the screen reader's outline follows it):
        // the heading, then each section's title before its controls.
        let heading = ui.heading(fl!("ui-settings-heading"));
        let locked_note = |f: Field| -> Option<Element<'a, Message>> {
            d.is_locked(f).then(|| ui.small(fl!("ui-settings-locked")))
        };
        let section = |title: String, f: Field, body: &dyn Fn() -> Element<'a, Message>| {
            let title = ui.text(Role::Label, title);
            let mut c = column![title, body()].spacing(theme::space::S);
            if let Some(n) = locked_note(f) {
                c = c.push(n);
            }
            c
        };
        let choice = |key: &str, label: String, m: Message, sel: bool, f: Field| {
            if d.is_locked(f) {
                ui.button(
                    key,
                    label,
                    None,
                    if sel {
                        ButtonKind::Primary
                    } else {
                        ButtonKind::Quiet
                    },
                )
            } else {
                ui.choice(key, label, m, sel)
            }
        };
        let input =
            |key: &str, id: &'static str, value: &'a str, on: fn(String) -> Message, f: Field| {
                let focused = ui.input(
                    key,
                    Id::new(id),
                    &field_label(f),
                    || Content::Plain(value.to_owned()),
                    (!d.is_locked(f)).then_some(on),
                );
                let mut t = text_input("", value)
                    .id(Id::new(id))
                    .size(Role::Body.size())
                    .padding(8)
                    .width(Length::Fixed(520.0))
                    .style(theme::input(focused));
                if !d.is_locked(f) {
                    t = t.on_input(on);
                }
                t
            };
        // One setting's options side by side, wrapping when the text is large.
        let choices = |f: Field, options: Vec<(&str, String, Message, bool)>| {
            let mut r = row![].spacing(theme::space::S);
            for (key, label, m, selected) in options {
                r = r.push(choice(key, label, m, selected, f));
            }
            Element::from(r.wrap().vertical_spacing(theme::space::S))
        };
        let language = || {
            choices(
                Field::Language,
                vec![
                    (
                        "settings.ja",
                        "日本語".into(),
                        Message::Language(Language::Ja),
                        d.language == Language::Ja,
                    ),
                    (
                        "settings.en",
                        "English".into(),
                        Message::Language(Language::En),
                        d.language == Language::En,
                    ),
                ],
            )
        };
        let size = || {
            let option =
                |key, label, size| (key, label, Message::TextSize(size), d.text_size == size);
            choices(
                Field::TextSize,
                vec![
                    option(
                        "settings.normal",
                        fl!("ui-settings-size-normal"),
                        TextSize::Normal,
                    ),
                    option(
                        "settings.large",
                        fl!("ui-settings-size-large"),
                        TextSize::Large,
                    ),
                    option(
                        "settings.largest",
                        fl!("ui-settings-size-largest"),
                        TextSize::Largest,
                    ),
                ],
            )
        };
        let colours = || {
            let option = |key, label, theme| (key, label, Message::Theme(theme), d.theme == theme);
            choices(
                Field::Theme,
                vec![
                    option(
                        "settings.theme-normal",
                        fl!("ui-settings-theme-normal"),
                        ThemeChoice::Normal,
                    ),
                    option(
                        "settings.theme-high",
                        fl!("ui-settings-theme-high"),
                        ThemeChoice::HighContrast,
                    ),
                ],
            )
        };
        let counter_row = || {
            let option =
                |key, label, on: bool| (key, label, Message::Counter(on), d.counter_mode == on);
            choices(
                Field::CounterMode,
                vec![
                    option(
                        "settings.counter-off",
                        fl!("ui-settings-counter-off"),
                        false,
                    ),
                    option("settings.counter-on", fl!("ui-settings-counter-on"), true),
                ],
            )
        };
        let window = || -> Element<'a, Message> {
            let mut window = column![
                section(fl!("ui-settings-server"), Field::Server, &|| input(
                    "settings.server",
                    "settings-server",
                    &self.server,
                    Message::Server,
                    Field::Server
                )
                .into()),
                section(fl!("ui-settings-anchor"), Field::Anchor, &|| input(
                    "settings.anchor",
                    "settings-anchor",
                    &self.anchor,
                    Message::Anchor,
                    Field::Anchor
                )
                .into()),
                section(fl!("ui-settings-proxy"), Field::Proxy, &|| input(
                    "settings.proxy",
                    "settings-proxy",
                    &self.proxy,
                    Message::Proxy,
                    Field::Proxy
                )
                .into()),
            ]
            .spacing(theme::space::M);
            if self.demo {
                window = window.push(ui.notice(Tone::Info, fl!("ui-settings-demo-window"), None));
            }
            window.into()
        };
        let mut col = column![
            heading,
            section(fl!("ui-settings-language"), Field::Language, &language),
            section(fl!("ui-settings-size"), Field::TextSize, &size),
            section(fl!("ui-settings-theme"), Field::Theme, &colours),
            window(),
            section(fl!("ui-settings-counter"), Field::CounterMode, &counter_row),
            section(fl!("ui-settings-idle"), Field::IdleTimeout, &|| input(
                "settings.idle",
                "settings-idle",
                &self.idle,
                Message::Idle,
                Field::IdleTimeout
            )
            .into()),
        ]
        .spacing(theme::space::L);
        match &self.saved {
            Some(Ok(())) => {
                col = col.push(ui.notice(Tone::Success, fl!("ui-settings-saved"), None))
            }
            Some(Err(e)) => {
                col =
                    col.push(ui.notice(Tone::Danger, fl!("ui-settings-not-saved"), Some(e.clone())))
            }
            None => {}
        }
        let footer = widget::buttons(vec![
            ui.button(
                "settings.save",
                fl!("ui-settings-save"),
                Some(Message::Save),
                ButtonKind::Primary,
            )
            .into(),
            ui.button(
                "settings.close",
                fl!("ui-close"),
                Some(Message::Close),
                ButtonKind::Secondary,
            )
            .into(),
        ]);
        ui.on_escape(Message::Close);
        Page::with_footer(col.into(), Some(footer))
    }
}

/// The label a text field of Settings is read out with (its section's
/// title).
fn field_label(f: Field) -> String {
    match f {
        Field::Server => fl!("ui-settings-server"),
        Field::Anchor => fl!("ui-settings-anchor"),
        Field::Proxy => fl!("ui-settings-proxy"),
        Field::IdleTimeout => fl!("ui-settings-idle"),
        _ => String::new(),
    }
}
