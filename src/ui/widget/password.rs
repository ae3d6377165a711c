//! The password dialog (ログイン, manual 2.1.4 / 2.1.7 and 3.1.4 / 3.1.7)
//! and the guard's last-try confirmation, shared by the procedures and the
//! card tools.
//!
//! What it shows, always from the card's own count: the tries left; a
//! warning at two; a separate, mandatory confirmation screen at one (the
//! password box is not even shown before it is confirmed); the previous
//! entry's notice (wrong, wrong format — nothing sent —, the same password
//! the card just refused — nothing sent). As the resident types: the
//! length against 6–16, characters that are not A–Z/0–9 (full-width ones
//! named), that lower case is upper-cased, and Caps Lock.
//!
//! The typed password lives in a zeroizing string owned by the screen;
//! submitting moves it into a [`Secret`] and clears the box.

use iced::widget::{Id, column, row, text_input};
use iced::{Element, Length};
use madoguchi_card::{FormatError, PasswordState, PinKind, Secret, check_format};
use zeroize::Zeroizing;

use crate::fl;
use crate::flow::PasswordNotice;
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::{self, Content, Ui};

/// The typed password and whether it is shown.
pub struct PasswordField {
    value: Zeroizing<String>,
    pub shown: bool,
    pub id: Id,
}

impl std::fmt::Debug for PasswordField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordField")
            .field("len", &self.value.chars().count())
            .field("shown", &self.shown)
            .finish()
    }
}

impl PasswordField {
    pub fn new(id: &'static str) -> PasswordField {
        PasswordField {
            value: Zeroizing::new(String::new()),
            shown: false,
            id: Id::new(id),
        }
    }

    /// The box's new content (the old one is zeroed).
    pub fn set(&mut self, value: String) {
        self.value = Zeroizing::new(value);
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// What the box shows (masked by the widget unless shown).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What assistive technology may know of it: its length only, even
    /// while it is shown on screen.
    pub fn content(&self) -> Content {
        Content::Secret(self.value.chars().count())
    }

    /// Move the password out (the box is emptied).
    pub fn take(&mut self) -> Secret {
        let v = std::mem::replace(&mut self.value, Zeroizing::new(String::new()));
        Secret::from_zeroizing(v)
    }

    pub fn clear(&mut self) {
        self.value = Zeroizing::new(String::new());
        self.shown = false;
    }

    /// Hints from the format rules, as typed (nothing is sent).
    pub fn hints(&self) -> Vec<(Tone, String)> {
        let mut out = Vec::new();
        let v: &str = &self.value;
        if v.is_empty() {
            return out;
        }
        let len = v.chars().count();
        if v.chars()
            .any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}')
        {
            out.push((Tone::Danger, fl!("ui-pw-hint-fullwidth")));
        } else if v.chars().any(|c| !c.is_ascii_alphanumeric()) {
            out.push((Tone::Danger, fl!("ui-pw-hint-invalid")));
        }
        if v.chars().any(|c| c.is_ascii_lowercase()) {
            out.push((Tone::Info, fl!("ui-pw-hint-lowercase")));
        }
        let probe = Secret::new(v);
        let length = match check_format(PinKind::SigningPassword, &probe) {
            Err(FormatError::TooShort { min, .. }) => Some((
                Tone::Warning,
                fl!(
                    "ui-pw-hint-short",
                    len = len.to_string(),
                    min = min.to_string()
                ),
            )),
            Err(FormatError::TooLong { max, .. }) => Some((
                Tone::Danger,
                fl!(
                    "ui-pw-hint-long",
                    len = len.to_string(),
                    max = max.to_string()
                ),
            )),
            _ => Some((
                Tone::Success,
                fl!("ui-pw-hint-length-ok", len = len.to_string()),
            )),
        };
        out.extend(length);
        out
    }
}

/// The explanation of a notice from the previous entry.
pub fn notice_text(n: &PasswordNotice) -> (Tone, String, String) {
    if let PasswordNotice::CountReadAgain { before, now } = n {
        let tone = if n.was_sent() {
            Tone::Warning
        } else {
            Tone::Info
        };
        return (
            tone,
            crate::presentation::recount(*before, *now),
            fl!("recount-check"),
        );
    }
    let t = crate::errors::texts(n.number());
    let headline = match n {
        PasswordNotice::Wrong { tries_left } => {
            fl!("ui-pw-wrong", tries = tries_left.to_string())
        }
        _ => t.title,
    };
    let tone = if n.was_sent() {
        Tone::Danger
    } else {
        Tone::Warning
    };
    (tone, headline, format!("{} {}", t.cause, t.resident))
}

/// The count as words.
pub fn tries_line(state: PasswordState) -> Option<(Tone, String)> {
    match state {
        PasswordState::Normal { tries_left } => Some((
            Tone::Info,
            fl!("ui-pw-tries", tries = tries_left.to_string()),
        )),
        PasswordState::Warning { tries_left } => Some((
            Tone::Warning,
            fl!("ui-pw-tries-warning", tries = tries_left.to_string()),
        )),
        PasswordState::LastTry => Some((Tone::Danger, fl!("password-last-try"))),
        PasswordState::Locked => Some((Tone::Danger, crate::errors::texts(111).title)),
        PasswordState::AlreadyVerified => None,
    }
}

/// What the dialog is for and where its buttons lead.
pub struct Spec<M> {
    pub title: String,
    pub explanation: String,
    pub state: PasswordState,
    pub notice: Option<PasswordNotice>,
    pub caps_lock: bool,
    pub on_input: fn(String) -> M,
    pub toggle: M,
    pub submit: M,
    pub cancel: M,
    /// Label of the submit button.
    pub submit_label: String,
}

/// The dialog.
pub fn view<'a, M: Clone + 'a>(
    ui: &Ui<'a, M>,
    field: &'a PasswordField,
    spec: Spec<M>,
) -> Element<'a, M> {
    let mut col =
        column![ui.title(spec.title), ui.body(spec.explanation),].spacing(theme::space::M);
    if let Some((tone, line)) = tries_line(spec.state) {
        col = col.push(ui.notice(tone, line, None));
    }
    if let Some(n) = &spec.notice {
        let (tone, headline, body) = notice_text(n);
        col = col.push(ui.notice(tone, headline, Some(body)));
    }
    let focused = ui.input(
        "password.input",
        field.id.clone(),
        &fl!("ui-pw-label"),
        || field.content(),
        Some(spec.on_input),
    );
    let input = text_input(&fl!("ui-pw-placeholder"), &field.value)
        .id(field.id.clone())
        .secure(!field.shown)
        .on_input(spec.on_input)
        .on_submit(spec.submit.clone())
        .size(Role::Value.size())
        .padding(12)
        .width(Length::Fixed(420.0))
        .style(theme::input(focused));
    let show_label = if field.shown {
        fl!("ui-pw-hide")
    } else {
        fl!("ui-pw-show")
    };
    col = col.push(
        column![
            theme::text(Role::Label, fl!("ui-pw-label")),
            row![
                input,
                ui.button(
                    "password.toggle",
                    show_label,
                    Some(spec.toggle),
                    ButtonKind::Quiet
                )
            ]
            .spacing(theme::space::M)
            .align_y(iced::Alignment::Center)
            // At 200 % text the show / hide button goes under the box.
            .wrap()
            .vertical_spacing(theme::space::S),
            ui.small(fl!("ui-pw-rules")),
        ]
        .spacing(theme::space::S),
    );
    let mut hints = field.hints();
    if spec.caps_lock {
        hints.push((Tone::Info, fl!("ui-pw-caps-lock")));
    }
    for (tone, h) in hints {
        col = col.push(ui.text(Role::Body, h).style(theme::toned(tone)));
    }
    col = col.push(ui.small(fl!("ui-pw-keep-card")));
    col = col.push(widget::buttons(vec![
        ui.button(
            "password.ok",
            spec.submit_label,
            (!field.is_empty()).then_some(spec.submit.clone()),
            ButtonKind::Primary,
        )
        .into(),
        ui.button(
            "password.cancel",
            fl!("ui-cancel"),
            Some(spec.cancel.clone()),
            ButtonKind::Secondary,
        )
        .into(),
    ]));
    ui.on_escape(spec.cancel);
    widget::dialog(col.into())
}

/// The last-try confirmation: shown instead of the password box when the
/// card has one try left; the box comes only after "confirm".
pub fn last_try_view<'a, M: Clone + 'a>(
    ui: &Ui<'a, M>,
    title: String,
    notice: Option<&PasswordNotice>,
    confirm: M,
    cancel: M,
) -> Element<'a, M> {
    let mut col = column![
        ui.title(title),
        ui.text(Role::Heading, fl!("ui-last-try-headline"))
            .style(theme::toned(Tone::Danger)),
        ui.body(fl!("password-last-try")),
        ui.body(fl!("ui-last-try-advice")),
    ]
    .spacing(theme::space::M);
    if let Some(n) = notice {
        let (tone, headline, body) = notice_text(n);
        col = col.push(ui.notice(tone, headline, Some(body)));
    }
    col = col.push(widget::buttons(vec![
        ui.button(
            "last-try.confirm",
            fl!("ui-last-try-confirm"),
            Some(confirm),
            ButtonKind::Danger,
        )
        .into(),
        ui.button(
            "last-try.cancel",
            fl!("ui-last-try-cancel"),
            Some(cancel.clone()),
            ButtonKind::Primary,
        )
        .into(),
    ]));
    ui.on_escape(cancel);
    widget::dialog(col.into())
}
