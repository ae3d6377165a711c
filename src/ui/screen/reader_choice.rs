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

use std::cell::RefCell;
use std::collections::BTreeMap;

use iced::widget::{button, column, text};
use iced::{Element, Length};
use madoguchi_pki::request::Procedure;

use super::top::Tool;
use crate::fl;
use crate::ui::theme::{self, ButtonKind, Tone};
use crate::ui::widget::{self, Focusable, KeyMap, Ui};

#[derive(Clone, Debug)]
pub enum Message {
    Choose(String),
    Cancel,
}

pub enum Event {
    None,
    Chosen(String),
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
    pub then: Then,
    /// The reader chosen before, which was unplugged.
    pub lost: Option<String>,
    pub keys: RefCell<KeyMap<Message>>,
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
        ReaderChoiceScreen {
            then,
            lost,
            keys: RefCell::default(),
        }
    }

    pub fn update(&mut self, message: Message) -> Event {
        match message {
            Message::Choose(name) => Event::Chosen(name),
            Message::Cancel => Event::Cancel,
        }
    }

    /// `readers`: name → holds a card, as the reader watch reports them;
    /// `chosen`: the reader in use now.
    pub fn view<'a>(
        &'a self,
        focused: Option<&'a str>,
        counter: bool,
        readers: &'a BTreeMap<String, bool>,
        chosen: Option<String>,
    ) -> Element<'a, Message> {
        *self.keys.borrow_mut() = KeyMap::default();
        let ui = Ui {
            focused,
            keys: &self.keys,
            counter,
        };
        let mut col = column![
            widget::heading(fl!("ui-reader-heading")),
            widget::body(fl!("ui-reader-intro")),
        ]
        .spacing(theme::space::L);
        if let Some(lost) = &self.lost {
            col = col.push(widget::notice(
                Tone::Warning,
                fl!("ui-reader-lost", reader = lost.clone()),
                None,
            ));
        }
        let list = offered(readers);
        if list.is_empty() {
            col = col.push(widget::notice(
                Tone::Danger,
                fl!("ui-reader-none"),
                Some(fl!("ui-reader-none-hint")),
            ));
        }
        let mut items = column![].spacing(theme::space::M);
        for (i, (name, card)) in list.into_iter().enumerate() {
            let key = format!("reader.{i}");
            let message = Message::Choose(name.to_owned());
            let focused = ui.focused == Some(key.as_str());
            ui.keys.borrow_mut().order.push(Focusable::Button {
                key,
                message: message.clone(),
            });
            let (tone, state) = if card {
                (Tone::Success, fl!("ui-reader-card-in"))
            } else {
                (Tone::Warning, fl!("ui-reader-card-out"))
            };
            let mut inner = column![
                text(name.to_owned())
                    .size(theme::size::TITLE)
                    .font(theme::BOLD),
                text(state)
                    .size(theme::size::BODY)
                    .font(theme::BOLD)
                    .style(theme::toned(tone)),
            ]
            .spacing(theme::space::XS);
            if chosen.as_deref() == Some(name) {
                inner = inner.push(text(fl!("ui-reader-in-use")).size(theme::size::BODY));
            }
            if madoguchi_card::is_virtual_reader(name) {
                inner = inner.push(
                    text(fl!("ui-reader-virtual"))
                        .size(theme::size::BODY)
                        .font(theme::BOLD)
                        .style(theme::toned(Tone::Danger)),
                );
                inner = inner.push(text(fl!("ui-reader-virtual-why")).size(theme::size::BODY));
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
        col = col.push(widget::small(fl!("ui-reader-name-hint")));
        col = col.push(widget::small(fl!("ui-reader-keys")));
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
        col.into()
    }
}
