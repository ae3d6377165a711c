//! Change the signing password: the card's count first (nothing spent),
//! the last-try confirmation before the form when one try is left, then
//! the current password and the new one twice. The two new entries must
//! agree and pass the format rules before anything is sent; the old one
//! goes through the same 5-strike guard as every other entry.

use iced::widget::{column, text_input};
use iced::{Element, Length, Task};
use madoguchi_card::{CardError, GuardError, PasswordState, PinKind, RejectedBook, check_format};

use super::{Action, Delivered, Go, Page};
use crate::fl;
use crate::flow::CardOpener;
use crate::ui::jobs::{ChangeDone, ChangeSession};
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::password::{self, PasswordField};
use crate::ui::widget::{self, Content, Ui, message_box};

#[derive(Clone, Debug)]
pub enum Message {
    Old(String),
    New(String),
    Again(String),
    ToggleShow,
    Submit,
    ConfirmLastTry,
    Retry,
    Close,
    /// The card session answered.
    Done(Delivered<ChangeDone>),
}

#[derive(Debug)]
enum Stage {
    Reading,
    /// The card's count; the form (after the confirmation at one try).
    Form {
        state: PasswordState,
        confirmed: bool,
    },
    Sending,
    Done {
        upper_cased: bool,
    },
    Failed(u16, Option<String>),
}

pub struct ChangePassword {
    stage: Stage,
    old: PasswordField,
    new: PasswordField,
    again: PasswordField,
    notice: Option<(Tone, String, String)>,
    /// The card's last count: shown again after a refusal that sent
    /// nothing (the count did not change).
    known: Option<PasswordState>,
    /// The card session (a thread that owns the connection and the guard);
    /// `None` in the unit tests.
    session: Option<ChangeSession>,
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePassword")
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

impl ChangePassword {
    /// The screen on a card session of its own, reading the count at once.
    pub fn new(opener: CardOpener, book: RejectedBook) -> (ChangePassword, Task<Message>) {
        let mut me = ChangePassword::without_card();
        me.session = Some(ChangeSession::start(opener, book));
        let task = me.read_status();
        (me, task)
    }

    fn without_card() -> ChangePassword {
        ChangePassword {
            stage: Stage::Reading,
            old: PasswordField::new("change-old"),
            new: PasswordField::new("change-new"),
            again: PasswordField::new("change-again"),
            notice: None,
            known: None,
            session: None,
        }
    }

    /// Whether the three boxes are on screen.
    fn shows_entries(&self) -> bool {
        matches!(self.stage, Stage::Form { state, confirmed } if state != PasswordState::LastTry || confirmed)
    }

    /// The keyboard into the first empty box (the first one if none is).
    fn focus_entry(&self) -> Go {
        let (key, field) = [
            ("change.old", &self.old),
            ("change.new", &self.new),
            ("change.again", &self.again),
        ]
        .into_iter()
        .find(|(_, f)| f.is_empty())
        .unwrap_or(("change.old", &self.old));
        Go::FocusInput {
            key,
            id: field.id.clone(),
        }
    }

    fn read_status(&mut self) -> Task<Message> {
        self.stage = Stage::Reading;
        match &self.session {
            Some(s) => Task::perform(s.status(), |d| Message::Done(Delivered::new(d))),
            None => Task::none(),
        }
    }

    /// A job finished; read the count again where it is not known.
    fn done(&mut self, d: ChangeDone) -> Task<Message> {
        self.apply(d);
        if matches!(self.stage, Stage::Reading) {
            self.read_status()
        } else {
            Task::none()
        }
    }

    fn apply(&mut self, d: ChangeDone) {
        let confirmed = matches!(
            self.stage,
            Stage::Form {
                confirmed: true,
                ..
            }
        );
        match &d {
            ChangeDone::Ready(Ok(state)) => self.known = Some(*state),
            ChangeDone::Failed(GuardError::WrongPassword { state, .. }) => {
                self.known = Some(*state)
            }
            ChangeDone::NeedsConfirmation => self.known = Some(PasswordState::LastTry),
            _ => {}
        }
        self.stage = match d {
            ChangeDone::Ready(Ok(PasswordState::Locked)) => Stage::Failed(111, None),
            ChangeDone::Ready(Ok(state)) => Stage::Form {
                state,
                confirmed: false,
            },
            ChangeDone::Ready(Err(e)) => Stage::Failed(e.catalogue_number(), Some(e.to_string())),
            ChangeDone::Changed { upper_cased } => Stage::Done { upper_cased },
            ChangeDone::NeedsConfirmation => Stage::Form {
                state: PasswordState::LastTry,
                confirmed: false,
            },
            ChangeDone::Failed(g) => match g {
                GuardError::WrongPassword {
                    tries_left, state, ..
                } => {
                    self.notice =
                        Some(password::notice_text(&crate::flow::PasswordNotice::Wrong {
                            tries_left,
                        }));
                    if state == PasswordState::Locked {
                        Stage::Failed(111, None)
                    } else {
                        Stage::Form {
                            state,
                            confirmed: false,
                        }
                    }
                }
                GuardError::Locked { .. } => Stage::Failed(111, None),
                GuardError::Format(f) | GuardError::NewFormat(f) => {
                    self.notice = Some(password::notice_text(
                        &crate::flow::PasswordNotice::Format(f),
                    ));
                    self.back_to_form(confirmed)
                }
                GuardError::SameAsRejected => {
                    self.notice = Some(password::notice_text(
                        &crate::flow::PasswordNotice::SameAsRejected,
                    ));
                    self.back_to_form(confirmed)
                }
                GuardError::InvalidConfirmation => Stage::Form {
                    state: PasswordState::LastTry,
                    confirmed: false,
                },
                GuardError::Card(e) => Stage::Failed(e.catalogue_number(), Some(e.to_string())),
                // The old password may have been counted: E120.
                GuardError::NoAnswer(e) => Stage::Failed(120, Some(e.to_string())),
            },
        };
    }

    /// Back to the form after a refusal that sent nothing: the card's count
    /// is what it was (read again if it was never read).
    fn back_to_form(&self, confirmed: bool) -> Stage {
        match (confirmed, self.known) {
            (true, _) => Stage::Form {
                state: PasswordState::LastTry,
                confirmed,
            },
            (false, Some(state)) => Stage::Form { state, confirmed },
            (false, None) => Stage::Reading,
        }
    }

    pub fn update(&mut self, message: Message) -> Action<Message> {
        match message {
            Message::Done(d) => {
                if let Some(d) = d.take() {
                    let had_entries = self.shows_entries();
                    let task = self.done(d);
                    // The form opens, or comes back after a refusal: the
                    // keyboard goes into it.
                    if !had_entries && self.shows_entries() {
                        return Action::RunAndGo(task, self.focus_entry());
                    }
                    return Action::Run(task);
                }
            }
            Message::Old(v) => self.old.set(v),
            Message::New(v) => self.new.set(v),
            Message::Again(v) => self.again.set(v),
            Message::ToggleShow => {
                let shown = !self.old.shown;
                self.old.shown = shown;
                self.new.shown = shown;
                self.again.shown = shown;
            }
            Message::ConfirmLastTry => {
                if let Stage::Form { state, .. } = self.stage {
                    self.stage = Stage::Form {
                        state,
                        confirmed: true,
                    };
                    return Action::Go(self.focus_entry());
                }
            }
            Message::Submit => {
                let Stage::Form { state, confirmed } = self.stage else {
                    return Action::None;
                };
                if state == PasswordState::LastTry && !confirmed {
                    return Action::None;
                }
                // Nothing leaves unless the new entries agree and are well
                // formed (E113; the old one is checked by the guard).
                let new = self.new.take();
                let again = self.again.take();
                let n1 = check_format(PinKind::SigningPassword, &new);
                let n2 = check_format(PinKind::SigningPassword, &again);
                match (n1, n2) {
                    (Ok(a), Ok(b)) if a.secret().expose() == b.secret().expose() => {}
                    (Err(f), _) | (_, Err(f)) => {
                        self.notice = Some(password::notice_text(
                            &crate::flow::PasswordNotice::Format(f),
                        ));
                        // The notice comes before the boxes, which moves
                        // them in the widget tree and takes the keyboard
                        // from them: give it back.
                        return Action::Go(self.focus_entry());
                    }
                    _ => {
                        self.notice = Some((
                            Tone::Warning,
                            fl!("change-password-mismatch"),
                            fl!("ui-change-nothing-sent"),
                        ));
                        return Action::Go(self.focus_entry());
                    }
                }
                drop(again);
                let old = self.old.take();
                self.notice = None;
                self.stage = Stage::Sending;
                // The secrets move into the card session.
                return match &self.session {
                    Some(s) => Action::Run(Task::perform(s.change(old, new, confirmed), |d| {
                        Message::Done(Delivered::new(d))
                    })),
                    None => Action::None,
                };
            }
            Message::Retry => {
                self.notice = None;
                return Action::Run(self.read_status());
            }
            Message::Close => return Action::Go(Go::Home),
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let caps_lock = ui.context().caps_lock;
        let mut col = column![ui.heading(fl!("ui-change-heading"))].spacing(theme::space::L);
        match &self.stage {
            Stage::Reading => col = col.push(ui.body(format!("{}…", fl!("working-reading-card")))),
            Stage::Sending => {
                col = col.push(ui.body(format!("{}…", fl!("ui-change-sending"))));
                col = col.push(ui.notice(Tone::Warning, fl!("ui-working-keep-card"), None));
            }
            Stage::Done { upper_cased } => {
                col = col.push(ui.notice(
                    Tone::Success,
                    fl!("change-password-done"),
                    upper_cased.then(|| fl!("password-uppercased")),
                ));
                col = col.push(ui.body(fl!("ui-change-done-advice")));
            }
            Stage::Failed(n, detail) => {
                col = col.push(message_box::view(
                    ui,
                    *n,
                    Tone::Danger,
                    true,
                    detail.as_deref(),
                ));
                col = col.push(ui.button(
                    "change.retry",
                    fl!("ui-read-card-again"),
                    Some(Message::Retry),
                    ButtonKind::Primary,
                ));
            }
            Stage::Form {
                state: PasswordState::LastTry,
                confirmed: false,
            } => {
                col = col.push(password::last_try_view(
                    ui,
                    fl!("ui-change-heading"),
                    None,
                    Message::ConfirmLastTry,
                    Message::Close,
                ));
            }
            Stage::Form { state, .. } => {
                col = col.push(ui.body(fl!("ui-change-intro")));
                if let Some((tone, line)) = password::tries_line(*state) {
                    col = col.push(ui.notice(tone, line, None));
                }
                if let Some((tone, h, b)) = &self.notice {
                    col = col.push(ui.notice(*tone, h.clone(), Some(b.clone())));
                }
                let entry = |key: &str,
                             label: String,
                             field: &'a PasswordField,
                             on: fn(String) -> Message|
                 -> Element<'a, Message> {
                    let f = ui.input(
                        key,
                        field.id.clone(),
                        &label,
                        || entry_content(field),
                        Some(on),
                    );
                    column![
                        theme::text(Role::Label, label),
                        text_input("", field_value(field))
                            .id(field.id.clone())
                            .secure(!field.shown)
                            .on_input(on)
                            .on_submit(Message::Submit)
                            .size(Role::Value.size())
                            .padding(10)
                            .width(Length::Fixed(420.0))
                            .style(theme::input(f)),
                    ]
                    .spacing(theme::space::XS)
                    .into()
                };
                col = col.push(entry(
                    "change.old",
                    fl!("ui-change-old"),
                    &self.old,
                    Message::Old,
                ));
                col = col.push(entry(
                    "change.new",
                    fl!("ui-change-new"),
                    &self.new,
                    Message::New,
                ));
                col = col.push(entry(
                    "change.again",
                    fl!("ui-change-again"),
                    &self.again,
                    Message::Again,
                ));
                col = col.push(ui.small(fl!("ui-pw-rules")));
                let mut hints = self.new.hints();
                if caps_lock {
                    hints.push((Tone::Info, fl!("ui-pw-caps-lock")));
                }
                for (tone, h) in hints {
                    col = col.push(ui.text(Role::Body, h).style(theme::toned(tone)));
                }
                let show = if self.old.shown {
                    fl!("ui-pw-hide")
                } else {
                    fl!("ui-pw-show")
                };
                col = col.push(widget::buttons(vec![
                    ui.button(
                        "change.submit",
                        fl!("ui-change-submit"),
                        (!self.old.is_empty() && !self.new.is_empty() && !self.again.is_empty())
                            .then_some(Message::Submit),
                        ButtonKind::Primary,
                    )
                    .into(),
                    ui.button(
                        "change.show",
                        show,
                        Some(Message::ToggleShow),
                        ButtonKind::Quiet,
                    )
                    .into(),
                ]));
            }
        }
        col = col.push(ui.button(
            "change.close",
            fl!("ui-close"),
            Some(Message::Close),
            ButtonKind::Secondary,
        ));
        ui.on_escape(Message::Close);
        Page::new(col)
    }

    /// Whether a card job is under way.
    pub fn is_working(&self) -> bool {
        matches!(self.stage, Stage::Reading | Stage::Sending)
    }

    /// Whether a password may be on its way to the card (its tries then
    /// cannot be known until the card is read again).
    pub fn is_sending(&self) -> bool {
        matches!(self.stage, Stage::Sending)
    }

    /// The card is gone: nothing can be sent now.
    pub fn card_removed(&mut self) {
        if !matches!(self.stage, Stage::Done { .. }) {
            self.old.clear();
            self.new.clear();
            self.again.clear();
            let e = CardError::CardRemoved;
            self.stage = Stage::Failed(e.catalogue_number(), None);
        }
    }
}

fn field_value(f: &PasswordField) -> &str {
    f.value()
}

fn entry_content(f: &PasswordField) -> Content {
    f.content()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal that sent nothing shows the card's own count again, never
    /// a made-up one.
    #[test]
    fn refusal_keeps_the_cards_count() {
        let mut s = ChangePassword::without_card();
        let two = PasswordState::Warning { tries_left: 2 };
        s.apply(ChangeDone::Ready(Ok(two)));
        s.apply(ChangeDone::Failed(GuardError::SameAsRejected));
        assert!(matches!(
            s.stage,
            Stage::Form {
                state,
                confirmed: false
            } if state == two
        ));
        s.apply(ChangeDone::Failed(GuardError::WrongPassword {
            kind: PinKind::SigningPassword,
            tries_left: 3,
            state: PasswordState::Normal { tries_left: 3 },
        }));
        s.apply(ChangeDone::Failed(GuardError::Format(
            madoguchi_card::FormatError::InvalidCharacter,
        )));
        assert!(matches!(
            s.stage,
            Stage::Form {
                state: PasswordState::Normal { tries_left: 3 },
                ..
            }
        ));
    }
}
