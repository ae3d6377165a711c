//! The App's side of its components: what the header's and the demo bar's
//! messages do, and what they are drawn from.

use iced::Task;
use madoguchi_card::WatchEvent;
use madoguchi_demo::DEMO_READER;

use super::{App, Message, Screen};
use crate::ui::environment::{Demo, Source};
use crate::ui::screen::{Action, Delivered, procedure};
use crate::ui::{demo_bar, header, settings};

impl App {
    pub(crate) fn header_message(&mut self, m: header::Message) -> Task<Message> {
        match m {
            header::Message::Language(l) => {
                let mut s = self.settings.clone();
                s.language = l;
                self.apply_settings(s);
                if let Screen::Settings(scr) = &mut self.screen {
                    scr.language_changed(l);
                }
                Task::none()
            }
            header::Message::Home => {
                // Only where leaving loses nothing irrevocable.
                let busy = matches!(&self.screen, Screen::Procedure(p) if p.is_working());
                if busy {
                    return Task::none();
                }
                let mut task = Task::none();
                if let Screen::Procedure(p) = &mut self.screen
                    && let Action::Run(t) | Action::RunAndGo(t, _) =
                        p.update(procedure::Message::Act(crate::flow::ActionKind::Stop))
                {
                    task = t.map(Message::procedure);
                }
                self.home();
                task
            }
        }
    }

    pub(crate) fn demo_message(&mut self, m: demo_bar::Message) -> Task<Message> {
        match m {
            demo_bar::Message::Profile(choice) => {
                let Some(d) = self.source.demo() else {
                    return Task::none();
                };
                if self.demo_switching.is_some() {
                    return Task::none();
                }
                let material = d.material().clone();
                self.home();
                self.demo_switching = Some(choice);
                // A fresh card and window (the "revoked" profile takes a
                // revocation and a CRL first, about a second).
                Task::perform(
                    crate::ui::screen::blocking(
                        move || {
                            Demo::start(material, choice)
                                .map(Box::new)
                                .map_err(|e| format!("{e:#}"))
                        },
                        || "the demo switch stopped".to_owned(),
                    ),
                    |r| Message::DemoSwitched(Delivered::new(r)),
                )
            }
            demo_bar::Message::Remove => {
                let Some(d) = self.source.demo() else {
                    return Task::none();
                };
                d.card.remove();
                self.reader_event(WatchEvent::CardRemoved {
                    reader: DEMO_READER.into(),
                })
            }
            demo_bar::Message::Insert => {
                let Some(d) = self.source.demo() else {
                    return Task::none();
                };
                d.card.insert();
                self.reader_event(WatchEvent::CardInserted {
                    reader: DEMO_READER.into(),
                    atr: madoguchi_sim::ATR.to_vec(),
                })
            }
        }
    }

    pub(crate) fn demo_switched(&mut self, r: Result<Box<Demo>, String>) {
        self.demo_switching = None;
        match r {
            Ok(d) => {
                self.readers.readers.clear();
                self.readers.readers.insert(DEMO_READER.into(), true);
                self.source = Source::Demo(d);
                self.check_window();
            }
            Err(e) => self.settings_problems.push(format!("demo: {e}")),
        }
    }

    pub(crate) fn header_info(&self) -> header::Info {
        let (reader, card) = self.readers.chips();
        header::Info {
            demo: self.source.demo().is_some(),
            counter: self.counter(),
            home: !matches!(self.screen, Screen::Top(_)),
            language_locked: self.settings.is_locked(settings::Field::Language),
            large_text: self.settings.text_size != settings::TextSize::Normal,
            reader,
            card,
        }
    }

    pub(crate) fn demo_info(&self) -> Option<demo_bar::Info> {
        self.source.demo().map(|d| demo_bar::Info {
            profile: d.profile,
            switching: self.demo_switching,
            card_present: d.card.is_present(),
        })
    }
}
