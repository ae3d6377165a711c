//! Counter mode's staff unlock: the PIN that opens Settings on a shared
//! terminal (administrator's preset, `staff_pin`). The PIN is held in a
//! zeroizing string and checked against the preset's Argon2 hash; a walk-up
//! resident who does not know it gets E502 and cannot reach Settings.

use iced::widget::{Id, column, text_input};
use iced::{Length, Task};
use zeroize::Zeroizing;

use super::{Action, Go, Page};
use crate::fl;
use crate::staff_pin::{self, StaffPinError};
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::{self, Content, Ui, message_box};

/// The input's id (focused when the screen opens).
pub const INPUT: &str = "staff-unlock-pin";
/// The PIN box's key in the focus ring.
pub const FOCUS_KEY: &str = "staff.input";

#[derive(Clone)]
pub enum Message {
    Input(String),
    Submit,
    Cancel,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Message::Input(s) => write!(f, "Input({} chars)", s.chars().count()),
            Message::Submit => f.write_str("Submit"),
            Message::Cancel => f.write_str("Cancel"),
        }
    }
}

pub struct StaffUnlock {
    hash: String,
    pin: Zeroizing<String>,
    error: Option<StaffPinError>,
}

impl std::fmt::Debug for StaffUnlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffUnlock")
            .field("typed", &self.pin.chars().count())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl StaffUnlock {
    /// For the preset's hash.
    /// The screen, with the keyboard in the PIN box.
    pub fn new(hash: String) -> (StaffUnlock, Task<Message>) {
        (
            StaffUnlock {
                hash,
                pin: Zeroizing::new(String::new()),
                error: None,
            },
            iced::widget::operation::focus(Id::new(INPUT)),
        )
    }

    pub fn update(&mut self, message: Message) -> Action<Message> {
        match message {
            Message::Input(s) => {
                self.pin = Zeroizing::new(s);
                Action::None
            }
            Message::Submit => {
                let typed = std::mem::take(&mut self.pin);
                match staff_pin::verify(&self.hash, &typed) {
                    Ok(()) => Action::Go(Go::Unlocked),
                    Err(e) => {
                        tracing::warn!(
                            target: "madoguchi::counter",
                            "staff unlock refused: E{}",
                            e.catalogue_number()
                        );
                        self.error = Some(e);
                        // The refusal's message box comes before the PIN
                        // box, which moves it in the widget tree and takes
                        // the keyboard from it: give it back.
                        Action::Run(iced::widget::operation::focus(Id::new(INPUT)))
                    }
                }
            }
            Message::Cancel => Action::Go(Go::Home),
        }
    }

    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let mut col = column![
            ui.title(fl!("ui-staff-title")),
            ui.body(fl!("ui-staff-explanation")),
        ]
        .spacing(theme::space::M);
        if let Some(e) = &self.error {
            col = col.push(message_box::view(
                ui,
                e.catalogue_number(),
                Tone::Danger,
                true,
                None,
            ));
        }
        let is_focused = ui.input(
            FOCUS_KEY,
            Id::new(INPUT),
            &fl!("ui-staff-label"),
            || Content::Secret(self.pin.chars().count()),
            Some(Message::Input),
        );
        col = col.push(
            column![
                theme::text(Role::Label, fl!("ui-staff-label")),
                text_input("", &self.pin)
                    .id(Id::new(INPUT))
                    .secure(true)
                    .on_input(Message::Input)
                    .on_submit(Message::Submit)
                    .size(Role::Value.size())
                    .padding(12)
                    .width(Length::Fixed(420.0))
                    .style(theme::input(is_focused)),
            ]
            .spacing(theme::space::S),
        );
        col = col.push(widget::buttons(vec![
            ui.button(
                "staff.ok",
                fl!("ui-staff-open"),
                (!self.pin.is_empty()).then_some(Message::Submit),
                ButtonKind::Primary,
            )
            .into(),
            ui.button(
                "staff.cancel",
                fl!("ui-cancel"),
                Some(Message::Cancel),
                ButtonKind::Secondary,
            )
            .into(),
        ]));
        ui.on_escape(Message::Cancel);
        Page::new(widget::dialog(col.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_pin_unlocks_and_the_typed_pin_is_not_kept() {
        let hash = staff_pin::hash(&Zeroizing::new("shokuin-77".to_owned())).unwrap();
        let (mut s, _) = StaffUnlock::new(hash);
        let _ = s.update(Message::Input("guess-1234".into()));
        // Refused: nothing opens, the PIN box gets the keyboard back.
        assert!(matches!(s.update(Message::Submit), Action::Run(_)));
        assert_eq!(s.error, Some(StaffPinError::Wrong));
        assert!(s.pin.is_empty(), "a refused PIN is not kept");
        assert!(!format!("{s:?}").contains("guess"));
        assert!(!format!("{:?}", Message::Input("guess-1234".into())).contains("guess"));
        let _ = s.update(Message::Input("shokuin-77".into()));
        assert!(matches!(
            s.update(Message::Submit),
            Action::Go(Go::Unlocked)
        ));
        assert!(s.pin.is_empty());
    }
}
