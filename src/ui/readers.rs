//! What the App knows of the card readers (from the PC/SC watch or the
//! demo slot), the reader chosen for the session, and what happens when a
//! card or a reader comes or goes.

use std::collections::BTreeMap;

use iced::Task;
use madoguchi_card::WatchEvent;

use super::app::{App, Message, Screen};
use super::environment::Source;
use super::screen::{Go, reader_choice};
use super::theme::Tone;
use crate::fl;

/// What the reader watch (or the demo slot) says.
#[derive(Clone, Debug, Default)]
pub struct Readers {
    pub service: bool,
    /// Reader name → card present.
    pub readers: BTreeMap<String, bool>,
}

impl Readers {
    pub fn any_card(&self) -> bool {
        self.readers.values().any(|p| *p)
    }

    /// The readers as [`madoguchi_card::pick_reader`] takes them.
    pub fn infos(&self) -> Vec<madoguchi_card::ReaderInfo> {
        self.readers
            .iter()
            .map(|(name, card)| madoguchi_card::ReaderInfo {
                name: name.clone(),
                card_present: *card,
                atr: None,
            })
            .collect()
    }

    /// Words and tones for the header's reader and card chips.
    pub fn chips(&self) -> ((Tone, String), (Tone, String)) {
        if !self.service {
            return (
                (Tone::Danger, fl!("ui-status-no-service")),
                (Tone::Warning, fl!("ui-status-card-unknown")),
            );
        }
        if self.readers.is_empty() {
            return (
                (Tone::Danger, fl!("ui-status-no-reader")),
                (Tone::Warning, fl!("ui-status-card-unknown")),
            );
        }
        let reader = if self.readers.len() == 1 {
            fl!("ui-status-reader-one")
        } else {
            fl!("ui-status-readers", n = self.readers.len().to_string())
        };
        let card = if self.any_card() {
            (Tone::Success, fl!("ui-status-card-in"))
        } else {
            (Tone::Warning, fl!("ui-status-card-out"))
        };
        ((Tone::Success, reader), card)
    }
}

impl App {
    pub(super) fn reader_event(&mut self, e: WatchEvent) -> Task<Message> {
        match e {
            WatchEvent::Snapshot(list) => {
                self.readers.service = true;
                let had_card = self.card_in_use();
                let before: Vec<String> = self.readers.readers.keys().cloned().collect();
                self.readers.readers = list.into_iter().map(|r| (r.name, r.card_present)).collect();
                let mut task = Task::none();
                if had_card && !self.card_in_use() {
                    task = self.card_removed();
                } else if !had_card && self.card_in_use() {
                    task = self.card_inserted();
                }
                let gone = before
                    .into_iter()
                    .filter(|n| !self.readers.readers.contains_key(n));
                for name in gone.collect::<Vec<_>>() {
                    task = Task::batch([task, self.reader_gone(&name)]);
                }
                return task;
            }
            WatchEvent::ServiceUnavailable => {
                let had_card = self.readers.any_card();
                self.readers = Readers::default();
                if had_card {
                    return self.card_removed();
                }
            }
            WatchEvent::ServiceAvailable => self.readers.service = true,
            WatchEvent::ReaderAdded(name) => {
                self.readers.readers.insert(name, false);
            }
            WatchEvent::ReaderRemoved(name) => {
                self.readers.readers.remove(&name);
                return self.reader_gone(&name);
            }
            WatchEvent::CardInserted { reader, .. } => {
                let in_use = self.chosen_reader().is_none_or(|r| r == reader);
                self.readers.readers.insert(reader, true);
                if in_use {
                    return self.card_inserted();
                }
            }
            WatchEvent::CardRemoved { reader } => {
                // A card taken from another reader than the chosen one
                // leaves the work on the chosen card alone.
                let in_use = self.chosen_reader().is_none_or(|r| r == reader);
                self.readers.readers.insert(reader, false);
                if in_use {
                    return self.card_removed();
                }
            }
        }
        Task::none()
    }

    /// The reader chosen for the session (PC/SC only).
    pub fn chosen_reader(&self) -> Option<String> {
        match &self.source {
            Source::Pcsc(choice) => choice.get(),
            Source::Demo(_) | Source::Custom(_) => None,
        }
    }

    /// Whether the card in use is in: the chosen reader's, else any.
    pub(super) fn card_in_use(&self) -> bool {
        match self.chosen_reader() {
            Some(r) => self.readers.readers.get(&r).copied().unwrap_or(false),
            None => self.readers.any_card(),
        }
    }

    /// Whether a card job would have no reader to take without a choice:
    /// several readers hold cards, or only a virtual one does.
    pub fn must_choose_reader(&self) -> bool {
        matches!(self.source, Source::Pcsc(_))
            && self.chosen_reader().is_none()
            && matches!(
                madoguchi_card::pick_reader(&self.readers.infos()),
                Err(madoguchi_card::CardError::SeveralCards(_)
                    | madoguchi_card::CardError::VirtualReader(_))
            )
    }

    /// Whether there is a reader to choose at all: several readers, or a
    /// virtual one (PC/SC only).
    pub fn offers_reader_choice(&self) -> bool {
        matches!(self.source, Source::Pcsc(_))
            && (self.readers.readers.len() > 1
                || self
                    .readers
                    .readers
                    .keys()
                    .any(|n| madoguchi_card::is_virtual_reader(n)))
    }

    pub(super) fn show_reader_choice(&mut self, then: reader_choice::Then) -> Task<Message> {
        self.show(Screen::ReaderChoice(
            reader_choice::ReaderChoiceScreen::new(then, self.lost_reader.clone()),
        ));
        Task::none()
    }

    /// The resident chose `name`: every card job from now on uses it.
    pub(super) fn reader_chosen(&mut self, name: String) -> Task<Message> {
        let Source::Pcsc(choice) = &self.source else {
            return Task::none();
        };
        choice.set(Some(name));
        self.lost_reader = None;
        let then = match &self.screen {
            Screen::ReaderChoice(r) => r.then().clone(),
            _ => reader_choice::Then::Top,
        };
        self.focus = None;
        match then {
            reader_choice::Then::Top => {
                self.close_view();
                Task::none()
            }
            reader_choice::Then::Start(p) => self.go(Go::Start(p)),
            reader_choice::Then::Open(tool) => self.go(Go::Open(tool)),
            reader_choice::Then::Resume => {
                self.close_view();
                let read_again = matches!(&self.screen, Screen::Procedure(p)
                    if p.engine().allowed().contains(&crate::flow::ActionKind::Ok));
                if read_again {
                    self.update(Message::procedure(super::screen::procedure::Message::Act(
                        crate::flow::ActionKind::Ok,
                    )))
                } else {
                    Task::none()
                }
            }
        }
    }

    /// A reader went away. If it was the chosen one, the choice is
    /// forgotten (no card job may go to a reader plugged in later under the
    /// same name unasked) and, where nothing is under way, asked again.
    pub(super) fn reader_gone(&mut self, name: &str) -> Task<Message> {
        let Source::Pcsc(choice) = &self.source else {
            return Task::none();
        };
        if choice.get().as_deref() != Some(name) {
            return Task::none();
        }
        choice.set(None);
        self.lost_reader = Some(name.to_owned());
        if let Screen::ReaderChoice(r) = &mut self.screen {
            r.reader_lost(name);
            return Task::none();
        }
        let idle = matches!(self.screen, Screen::Top(_))
            || matches!(&self.screen, Screen::CardStatus(s) if !s.is_loading());
        if idle && self.behind.is_none() && self.offers_reader_choice() {
            return self.show_reader_choice(reader_choice::Then::Top);
        }
        Task::none()
    }
}
