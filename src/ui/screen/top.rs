//! The top screen (manual 2.1.2 / 3.1.2 オンライン窓口トップ画面): the two
//! procedures, the card tools, and what to have ready.

use iced::widget::{button, column, container, row};
use iced::{Alignment, Element, Length};
use madoguchi_pki::request::Procedure;

use super::{Action, Go, Page};
use crate::fl;
use crate::ui::theme::{self, ButtonKind, Role};
use crate::ui::widget::{Item, Ui};

/// A card tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Certificate,
    CardStatus,
    ChangePassword,
    ServerIdentity,
    Settings,
    /// Choose the card reader (offered when there is a choice to make).
    Reader,
}

impl Tool {
    /// Whether the tool works on the card (so it needs the reader).
    pub fn uses_card(self) -> bool {
        matches!(
            self,
            Tool::Certificate | Tool::CardStatus | Tool::ChangePassword
        )
    }
}

#[derive(Clone, Debug)]
pub enum Message {
    Start(Procedure),
    Open(Tool),
}

/// What the top screen offers, from the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The online window is usable; else the catalogue number that says why
    /// not (311 none configured, 315 no anchor, 312 a bad anchor file...).
    pub window: Result<(), u16>,
    pub settings: SettingsAccess,
    /// Offer the reader choice (several readers, or a virtual one).
    pub reader_tool: bool,
}

impl Default for Offer {
    fn default() -> Self {
        Offer {
            window: Ok(()),
            settings: SettingsAccess::Open,
            reader_tool: false,
        }
    }
}

/// Whether a walk-up resident can open Settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SettingsAccess {
    /// Not a counter terminal: open to the user.
    #[default]
    Open,
    /// Counter mode with a staff PIN in the administrator's preset.
    StaffOnly,
    /// Counter mode without a staff PIN: not offered at all.
    Hidden,
}

/// The top screen has no state of its own: what it offers comes from the
/// App's context.
#[derive(Debug, Default)]
pub struct Top;

impl Top {
    pub fn update(&mut self, message: Message) -> Action<Message> {
        match message {
            Message::Start(p) => Action::Go(Go::Start(p)),
            Message::Open(t) => Action::Go(Go::Open(t)),
        }
    }

    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let offer = ui.context().offer;
        let usable = offer.window.is_ok();
        // Built in reading order: the outline a screen reader gets follows
        // the order the parts are made in.
        let heading = ui.heading(fl!("procedure-heading"));
        let intro = ui.body(fl!("ui-top-intro"));
        let unavailable: Option<Element<'a, Message>> = match offer.window {
            Ok(()) => None,
            Err(number) => Some(
                container(
                    column![
                        ui.text(Role::Label, fl!("ui-top-no-window-title")),
                        ui.text(Role::Body, fl!("ui-top-no-window-body")),
                        ui.text(
                            Role::Small,
                            fl!("ui-top-no-window-admin", number = number.to_string())
                        ),
                    ]
                    .spacing(theme::space::XS),
                )
                .padding(theme::space::M)
                .width(Length::Fill)
                .style(theme::panel)
                .into(),
            ),
        };
        let procedure = |key: &str, p: Procedure, label: String, about: String| {
            // Without a usable window the procedures are shown, but cannot
            // be pressed or focused.
            let focused = if usable {
                ui.register(key, &label, Some(&about), &Message::Start(p))
            } else {
                ui.note(|| Item::Button {
                    key: key.to_owned(),
                    label: label.clone(),
                    about: Some(about.clone()),
                    message: None,
                    selected: None,
                });
                false
            };
            button(
                column![
                    theme::text(Role::Choice, label),
                    theme::text(Role::Body, about),
                ]
                .spacing(theme::space::S),
            )
            .padding(theme::space::L)
            .width(Length::Fill)
            .on_press_maybe(usable.then_some(Message::Start(p)))
            .style(theme::button(ButtonKind::Secondary, focused))
        };
        let procedures = column![
            procedure(
                "top.revocation",
                Procedure::Revocation,
                fl!("procedure-revocation"),
                fl!("ui-top-revocation-about"),
            ),
            procedure(
                "top.validity",
                Procedure::ValidityCheck,
                fl!("procedure-validity-check"),
                fl!("ui-top-validity-about"),
            ),
        ]
        .spacing(theme::space::M);
        let needs = container(
            column![
                ui.text(Role::Label, fl!("ui-top-needs-title")),
                ui.text(Role::Body, fl!("ui-top-needs-card")),
                ui.text(Role::Body, fl!("ui-top-needs-reader")),
                ui.text(Role::Body, fl!("ui-top-needs-password")),
            ]
            .spacing(theme::space::XS),
        )
        .padding(theme::space::M)
        .width(Length::Fill)
        .style(theme::panel);
        let tools_title = ui.text(Role::Label, fl!("ui-top-tools"));
        let mut tools = row![
            ui.button(
                "top.certificate",
                fl!("ui-tool-certificate"),
                Some(Message::Open(Tool::Certificate)),
                ButtonKind::Quiet
            ),
            ui.button(
                "top.card-status",
                fl!("ui-tool-card-status"),
                Some(Message::Open(Tool::CardStatus)),
                ButtonKind::Quiet
            ),
            ui.button(
                "top.change-password",
                fl!("ui-tool-change-password"),
                Some(Message::Open(Tool::ChangePassword)),
                ButtonKind::Quiet
            ),
            ui.button(
                "top.server",
                fl!("ui-tool-server-identity"),
                usable.then_some(Message::Open(Tool::ServerIdentity)),
                ButtonKind::Quiet
            ),
        ]
        .spacing(theme::space::S);
        let settings_label = match offer.settings {
            SettingsAccess::Open => Some(fl!("ui-tool-settings")),
            SettingsAccess::StaffOnly => Some(fl!("ui-tool-settings-staff")),
            SettingsAccess::Hidden => None,
        };
        if let Some(label) = settings_label {
            tools = tools.push(ui.button(
                "top.settings",
                label,
                Some(Message::Open(Tool::Settings)),
                ButtonKind::Quiet,
            ));
        }
        if offer.reader_tool {
            tools = tools.push(ui.button(
                "top.reader",
                fl!("ui-tool-reader"),
                Some(Message::Open(Tool::Reader)),
                ButtonKind::Quiet,
            ));
        }
        let tools = tools.wrap();
        let note = ui.small(fl!("ui-top-counter-note"));
        let mut page = column![heading, intro]
            .spacing(theme::space::L)
            .align_x(Alignment::Start);
        if let Some(u) = unavailable {
            page = page.push(u);
        }
        let page = page
            .push(procedures)
            .push(needs)
            .push(column![tools_title, tools].spacing(theme::space::S))
            .push(note);
        Page::new(page)
    }
}
