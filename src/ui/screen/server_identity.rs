//! The online window's identity (the manual's 鍵マーク → 証明書の表示,
//! 2.1.1 / 3.1.1): the address, the subject and issuer of its TLS
//! certificate, validity, SHA-256 fingerprint, the TLS version, and which
//! trust anchor vouched for it.

use iced::widget::{column, container};
use iced::{Length, Task};

use super::{Action, Delivered, Go, Page};
use crate::client::{Client, ClientError, ServerIdentity};
use crate::fl;
use crate::presentation::when;
use crate::ui::theme::{self, ButtonKind, Tone};
use crate::ui::widget::{self, Ui, message_box};

#[derive(Clone, Debug)]
pub enum Message {
    Refresh,
    Close,
    /// The window answered (or not).
    Loaded(Delivered<Result<ServerIdentity, ClientError>>),
}

pub struct ServerView {
    client: Result<Client, ClientError>,
    identity: Option<Result<ServerIdentity, ClientError>>,
    /// The trust anchor in words.
    anchor: String,
    loading: bool,
}

impl std::fmt::Debug for ServerView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerView")
            .field("loading", &self.loading)
            .finish_non_exhaustive()
    }
}

impl ServerView {
    /// The view, asking the window at once.
    pub fn new(client: Result<Client, ClientError>, anchor: String) -> (ServerView, Task<Message>) {
        let mut me = ServerView {
            client,
            identity: None,
            anchor,
            loading: false,
        };
        let task = me.ask();
        (me, task)
    }

    fn ask(&mut self) -> Task<Message> {
        self.loading = true;
        let client = self.client.clone();
        Task::perform(
            async move {
                match client {
                    Ok(c) => c.identity().await,
                    Err(e) => Err(e),
                }
            },
            |r| Message::Loaded(Delivered::new(r)),
        )
    }

    pub fn update(&mut self, message: Message) -> Action<Message> {
        match message {
            Message::Refresh if !self.loading => Action::Run(self.ask()),
            Message::Refresh => Action::None,
            Message::Close => Action::Go(Go::Back),
            Message::Loaded(r) => {
                if let Some(r) = r.take() {
                    self.identity = Some(r);
                    self.loading = false;
                }
                Action::None
            }
        }
    }

    pub fn is_loading(&self) -> bool {
        self.loading
    }

    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let mut col = column![
            ui.heading(fl!("server-info-title")),
            ui.body(fl!("ui-server-intro")),
        ]
        .spacing(theme::space::L);
        match (&self.identity, self.loading) {
            (_, true) => col = col.push(ui.body(format!("{}…", fl!("working-contacting")))),
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
            (Some(Ok(id)), false) => {
                col = col.push(ui.notice(Tone::Success, fl!("ui-server-trusted"), None));
                let mut list = column![
                    ui.field(fl!("server-info-url"), id.url.clone()),
                    ui.field(fl!("cert-subject"), id.subject.clone()),
                    ui.field(fl!("cert-issuer"), id.issuer.clone()),
                    ui.field(fl!("cert-serial"), id.serial.to_uppercase()),
                    ui.field(fl!("cert-valid-from"), when(&id.not_before)),
                    ui.field(fl!("cert-valid-until"), when(&id.not_after)),
                    ui.field(fl!("cert-fingerprint"), id.sha256_fingerprint.clone()),
                ]
                .spacing(theme::space::S);
                if let Some(v) = &id.tls_version {
                    list = list.push(ui.field(fl!("server-info-tls"), v.clone()));
                }
                list = list.push(ui.field(fl!("server-info-anchor"), self.anchor.clone()));
                col = col.push(
                    container(list)
                        .padding(theme::space::M)
                        .width(Length::Fill)
                        .style(theme::panel),
                );
                col = col.push(ui.small(fl!("ui-server-compare")));
            }
        }
        col = col.push(widget::buttons(vec![
            ui.button(
                "server.refresh",
                fl!("ui-server-refresh"),
                (!self.loading).then_some(Message::Refresh),
                ButtonKind::Primary,
            )
            .into(),
            ui.button(
                "server.close",
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
