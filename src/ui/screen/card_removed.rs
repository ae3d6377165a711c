//! "The card was taken out — put it back": shown when the card leaves the
//! reader while a card tool (card status, change password) is working on
//! it. Nothing was lost: once the card is back, the tool opens again by
//! itself, as the text says; the resident can also go back to the top.

use iced::widget::column;

use super::top::Tool;
use super::{Action, Go, Page};
use crate::fl;
use crate::ui::theme::{self, ButtonKind, Tone};
use crate::ui::widget::{self, Ui};

#[derive(Clone, Debug)]
pub enum Message {
    Home,
}

#[derive(Debug)]
pub struct CardRemoved {
    /// The tool that opens again once the card is back.
    resume: Tool,
}

impl CardRemoved {
    pub fn new(resume: Tool) -> CardRemoved {
        CardRemoved { resume }
    }

    /// What opens once the card is back.
    pub fn resume(&self) -> Tool {
        self.resume
    }

    pub fn update(&mut self, message: Message) -> Action<Message> {
        match message {
            Message::Home => Action::Go(Go::Home),
        }
    }

    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let col = column![
            ui.heading(fl!("ui-card-removed-heading")),
            ui.notice(
                Tone::Warning,
                fl!("ui-card-removed-reinsert"),
                Some(fl!("ui-card-removed-resume")),
            ),
            ui.body(fl!("ui-card-removed-nothing-lost")),
            widget::buttons(vec![
                ui.button(
                    "removed.home",
                    fl!("ui-home"),
                    Some(Message::Home),
                    ButtonKind::Secondary,
                )
                .into(),
            ]),
        ]
        .spacing(theme::space::L);
        ui.on_escape(Message::Home);
        Page::new(col)
    }
}
