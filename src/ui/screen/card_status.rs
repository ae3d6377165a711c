//! Card status (for residents and counter staff): the card type, the tries
//! left of each of the three passwords, and the expiry of the
//! authentication certificate — read with empty VERIFYs, so no try is
//! spent and no password is asked.

use std::sync::{Arc, Mutex};

use iced::widget::{column, container};
use iced::{Length, Task};
use madoguchi_card::{CardError, PinStatus};
use zeroize::Zeroizing;

use super::{Action, Delivered, Go, Page};
use crate::card_report::CardReport;

use crate::fl;
use crate::flow::CardOpener;
use crate::presentation::{self, date};
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::{self, Item, Ui, message_box};

#[derive(Clone, Debug)]
pub enum Message {
    Refresh,
    Close,
    /// The card was read.
    Loaded(Delivered<Result<CardReport, CardError>>),
}

pub struct CardStatus {
    opener: Arc<Mutex<CardOpener>>,
    report: Option<Result<CardReport, CardError>>,
    loading: bool,
}

impl std::fmt::Debug for CardStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardStatus")
            .field("loading", &self.loading)
            .finish_non_exhaustive()
    }
}

impl CardStatus {
    /// The screen, reading the card at once.
    pub fn new(opener: CardOpener) -> (CardStatus, Task<Message>) {
        let mut me = CardStatus {
            opener: Arc::new(Mutex::new(opener)),
            report: None,
            loading: false,
        };
        let task = me.read();
        (me, task)
    }

    fn read(&mut self) -> Task<Message> {
        self.loading = true;
        let opener = self.opener.clone();
        Task::perform(
            super::blocking(
                move || {
                    let mut open = opener.lock().unwrap_or_else(|e| e.into_inner());
                    let (reader, channel) = open()?;
                    crate::card_report::read(reader, channel)
                },
                || CardError::Transport("the card job stopped".into()),
            ),
            |r| Message::Loaded(Delivered::new(r)),
        )
    }

    pub fn update(&mut self, message: Message) -> Action<Message> {
        match message {
            Message::Refresh if !self.loading => Action::Run(self.read()),
            Message::Refresh => Action::None,
            Message::Close => Action::Go(Go::Home),
            Message::Loaded(r) => {
                if let Some(r) = r.take() {
                    self.report = Some(r);
                    self.loading = false;
                }
                Action::None
            }
        }
    }

    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// What was read (the tests look at it).
    pub fn report(&self) -> Option<&Result<CardReport, CardError>> {
        self.report.as_ref()
    }

    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let mut col = column![
            ui.heading(fl!("ui-status-heading")),
            ui.body(fl!("ui-status-intro")),
        ]
        .spacing(theme::space::L);
        match (&self.report, self.loading) {
            (_, true) => col = col.push(ui.body(format!("{}…", fl!("working-reading-card")))),
            (None, false) => {}
            (Some(Err(e)), false) => {
                col = col.push(message_box::view(
                    ui,
                    e.catalogue_number(),
                    Tone::Danger,
                    true,
                    Some(&e.to_string()),
                ))
            }
            (Some(Ok(r)), false) => {
                let mut list = column![
                    ui.field(fl!("ui-status-reader"), r.reader.clone()),
                    ui.field(fl!("status-card-kind"), presentation::token_text(&r.token)),
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
                    let name = presentation::pin_name(*kind);
                    let words = presentation::pin_status(*kind, status);
                    // Read out as one fact: the PIN's name, then its count.
                    ui.note(|| Item::Field {
                        label: name.clone(),
                        value: Zeroizing::new(words.clone()),
                    });
                    list = list.push(
                        widget::reflow::Pair::new(name, 300.0, words, Role::Label)
                            .tone(tone)
                            .view(),
                    );
                }
                let expiry = match r.authentication_not_after {
                    Some(t) => date(t),
                    None => fl!("ui-status-unknown"),
                };
                list = list.push(ui.field(fl!("ui-status-auth-expiry"), expiry));
                col = col.push(
                    container(list)
                        .padding(theme::space::M)
                        .width(Length::Fill)
                        .style(theme::panel),
                );
                col = col.push(ui.small(fl!("status-no-try-spent")));
                col = col.push(ui.small(fl!("ui-status-signing-expiry-note")));
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
        Page::new(col)
    }
}
