//! Choosing the card reader (manual 2.2.5 / 3.2.5, made into a choice):
//! when more than one reader holds a card, or the only card sits in a
//! virtual reader, the resident says which reader holds their My Number
//! card. The choice holds until the app closes or that reader is unplugged,
//! and every card job uses it (`environment::ReaderChoice`).
//!
//! A virtual reader (vsmartcard's vpcd, "Virtual PCD") is said to be one in
//! plain words: its "card" is whatever program on this computer connects to
//! it, and that program would receive the password. It is never taken
//! without being chosen here (or named with `--reader`).

use std::collections::BTreeMap;

use iced::Length;
use iced::widget::{button, column};
use madoguchi_pki::request::Procedure;

use super::top::Tool;
use super::{Action, Go, Page};
use crate::fl;
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::{self, Ui};

#[derive(Clone, Debug)]
pub enum Message {
    Choose(String),
    Cancel,
}

/// What the app does once a reader is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Then {
    /// Back to the top screen.
    Top,
    /// Start this procedure.
    Start(Procedure),
    /// Open this card tool.
    Open(Tool),
    /// Go back to the procedure waiting behind (2.2.5 with E118/E119) and
    /// read the card again.
    Resume,
}

pub struct ReaderChoiceScreen {
    then: Then,
    /// The reader chosen before, which was unplugged.
    lost: Option<String>,
}

impl std::fmt::Debug for ReaderChoiceScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReaderChoice")
            .field("then", &self.then)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}

/// The order readers are offered in: physical ones first, then by name.
pub fn offered(readers: &BTreeMap<String, bool>) -> Vec<(&str, bool)> {
    let mut list: Vec<(&str, bool)> = readers.iter().map(|(n, p)| (n.as_str(), *p)).collect();
    list.sort_by_key(|(name, _)| madoguchi_card::is_virtual_reader(name));
    list
}

impl ReaderChoiceScreen {
    pub fn new(then: Then, lost: Option<String>) -> ReaderChoiceScreen {
        ReaderChoiceScreen { then, lost }
    }

    /// What the App does once a reader is chosen.
    pub fn then(&self) -> &Then {
        &self.then
    }

    /// The chosen reader was unplugged while this screen is shown.
    pub fn reader_lost(&mut self, name: &str) {
        self.lost = Some(name.to_owned());
    }

    pub fn update(&mut self, message: Message) -> Action<Message> {
        match message {
            Message::Choose(name) => Action::Go(Go::ReaderChosen(name)),
            Message::Cancel => Action::Go(Go::Back),
        }
    }

    /// The readers as the reader watch reports them (the context's), and
    /// the one in use now.
    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let readers = &ui.context().readers;
        let chosen = ui.context().chosen_reader.clone();
        let mut col = column![
            ui.heading(fl!("ui-reader-heading")),
            ui.body(fl!("ui-reader-intro")),
        ]
        .spacing(theme::space::L);
        if let Some(lost) = &self.lost {
            col = col.push(ui.notice(
                Tone::Warning,
                fl!("ui-reader-lost", reader = lost.clone()),
                None,
            ));
        }
        let list = offered(readers);
        if list.is_empty() {
            col = col.push(ui.notice(
                Tone::Danger,
                fl!("ui-reader-none"),
                Some(fl!("ui-reader-none-hint")),
            ));
        }
        let mut items = column![].spacing(theme::space::M);
        for (i, (name, card)) in list.into_iter().enumerate() {
            let key = format!("reader.{i}");
            let message = Message::Choose(name.to_owned());
            let (tone, state) = if card {
                (Tone::Success, fl!("ui-reader-card-in"))
            } else {
                (Tone::Warning, fl!("ui-reader-card-out"))
            };
            let mut about = vec![state.clone()];
            if chosen.as_deref() == Some(name) {
                about.push(fl!("ui-reader-in-use"));
            }
            if madoguchi_card::is_virtual_reader(name) {
                about.push(fl!("ui-reader-virtual"));
                about.push(fl!("ui-reader-virtual-why"));
            }
            let focused = ui.register(&key, name, Some(&about.join(" ")), &message);
            let mut inner = column![
                theme::text(Role::Title, name.to_owned()),
                theme::text(Role::Label, state).style(theme::toned(tone)),
            ]
            .spacing(theme::space::XS);
            if chosen.as_deref() == Some(name) {
                inner = inner.push(theme::text(Role::Body, fl!("ui-reader-in-use")));
            }
            if madoguchi_card::is_virtual_reader(name) {
                inner = inner.push(
                    theme::text(Role::Label, fl!("ui-reader-virtual"))
                        .style(theme::toned(Tone::Danger)),
                );
                inner = inner.push(theme::text(Role::Body, fl!("ui-reader-virtual-why")));
            }
            items = items.push(
                button(inner)
                    .padding(theme::space::L)
                    .width(Length::Fill)
                    .on_press(message)
                    .style(theme::button(ButtonKind::Secondary, focused)),
            );
        }
        col = col.push(items);
        col = col.push(ui.small(fl!("ui-reader-name-hint")));
        col = col.push(ui.small(fl!("ui-reader-keys")));
        col = col.push(widget::buttons(vec![
            ui.button(
                "reader.cancel",
                fl!("ui-reader-back"),
                Some(Message::Cancel),
                ButtonKind::Secondary,
            )
            .into(),
        ]));
        ui.on_escape(Message::Cancel);
        Page::new(col)
    }
}
