//! Card status (for residents and counter staff): the card type, the tries
//! left of each of the three passwords, and the expiry of the
//! authentication certificate — read with empty VERIFYs, so no try is
//! spent and no password is asked.

use std::cell::RefCell;

use iced::widget::{column, container, text};
use iced::{Element, Length};
use madoguchi_card::{CardError, PinStatus};

use crate::fl;
use crate::presentation::{self, date};
use crate::ui::jobs::CardReport;
use crate::ui::theme::{self, ButtonKind, Tone};
use crate::ui::widget::{self, KeyMap, Ui, message_box};

#[derive(Clone, Debug)]
pub enum Message {
    Refresh,
    Close,
}

pub enum Event {
    None,
    Refresh,
    Close,
}

#[derive(Default)]
pub struct CardStatus {
    pub report: Option<Result<CardReport, CardError>>,
    pub loading: bool,
    pub keys: RefCell<KeyMap<Message>>,
}

impl std::fmt::Debug for CardStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardStatus")
            .field("loading", &self.loading)
            .finish_non_exhaustive()
    }
}

impl CardStatus {
    pub fn update(&mut self, message: Message) -> Event {
        match message {
            Message::Refresh => {
                self.loading = true;
                Event::Refresh
            }
            Message::Close => Event::Close,
        }
    }

    pub fn view<'a>(&'a self, focused: Option<&'a str>, counter: bool) -> Element<'a, Message> {
        *self.keys.borrow_mut() = KeyMap::default();
        let ui = Ui {
            focused,
            keys: &self.keys,
            counter,
        };
        let mut col = column![
            widget::heading(fl!("ui-status-heading")),
            widget::body(fl!("ui-status-intro")),
        ]
        .spacing(theme::space::L);
        match (&self.report, self.loading) {
            (_, true) => col = col.push(widget::body(format!("{}…", fl!("working-reading-card")))),
            (None, false) => {}
            (Some(Err(e)), false) => {
                col = col.push(message_box::view(
                    e.catalogue_number(),
                    Tone::Danger,
                    true,
                    Some(&e.to_string()),
                ))
            }
            (Some(Ok(r)), false) => {
                let mut list = column![
                    widget::field(fl!("ui-status-reader"), r.reader.clone()),
                    widget::field(fl!("status-card-kind"), presentation::token_text(&r.token)),
                ]
                .spacing(theme::space::S);
                for (kind, status) in &r.pins {
                    let tone = match status {
                        Ok(PinStatus::TriesLeft(0)) | Ok(PinStatus::Locked) => Tone::Danger,
                        Ok(PinStatus::TriesLeft(n)) if *n <= 2 => Tone::Warning,
                        Ok(PinStatus::TriesLeft(_)) => Tone::Success,
                        Ok(PinStatus::AlreadyVerified) => Tone::Info,
                        Err(_) => Tone::Danger,
                    };
                    let words = presentation::pin_status(*kind, status);
                    list = list.push(
                        iced::widget::row![
                            text(presentation::pin_name(*kind))
                                .size(theme::size::BODY)
                                .font(theme::BOLD)
                                .width(Length::Fixed(300.0)),
                            text(words)
                                .size(theme::size::BODY)
                                .font(theme::BOLD)
                                .style(theme::toned(tone)),
                        ]
                        .spacing(theme::space::M),
                    );
                }
                let expiry = match r.authentication_not_after {
                    Some(t) => date(t),
                    None => fl!("ui-status-unknown"),
                };
                list = list.push(widget::field(fl!("ui-status-auth-expiry"), expiry));
                col = col.push(
                    container(list)
                        .padding(theme::space::M)
                        .width(Length::Fill)
                        .style(theme::panel),
                );
                col = col.push(widget::small(fl!("status-no-try-spent")));
                col = col.push(widget::small(fl!("ui-status-signing-expiry-note")));
            }
        }
        col = col.push(widget::buttons(vec![
            ui.button(
                "status.refresh",
                fl!("ui-status-refresh"),
                (!self.loading).then_some(Message::Refresh),
                ButtonKind::Primary,
            )
            .into(),
            ui.button(
                "status.close",
                fl!("ui-close"),
                Some(Message::Close),
                ButtonKind::Secondary,
            )
            .into(),
        ]));
        ui.on_escape(Message::Close);
        col.into()
    }
}
