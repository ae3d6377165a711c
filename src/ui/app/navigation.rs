//! Where the App goes: starting a procedure, opening a tool or a view over
//! a procedure, going back, going home; and what a card leaving or coming
//! back does to the screen shown.

use iced::Task;
use madoguchi_pki::request::Procedure;

use super::{App, Message, Screen, ScreenMessage};
use crate::flow::Screen as FlowScreen;
use crate::ui::screen::top::{self, Tool};
use crate::ui::screen::{
    Action, Go, card_removed, card_status, cert_viewer, change_password, procedure, reader_choice,
    server_identity, settings as settings_screen, staff_unlock,
};
use crate::ui::settings;

impl App {
    /// Show `screen`; the focus starts afresh.
    pub(crate) fn show(&mut self, screen: Screen) {
        self.screen = screen;
        self.focus = None;
    }

    pub(crate) fn start(&mut self, procedure: Procedure, certificate_only: bool) -> Task<Message> {
        let owner = self.owner();
        let (p, task) = procedure::ProcedureScreen::new(procedure::Start {
            procedure,
            options: self.engine_options(),
            opener: self.source.opener(),
            rejected: self.rejected.clone(),
            client: self.source.client(&self.settings),
            owner,
            certificate_only,
        });
        self.show(Screen::Procedure(Box::new(p)));
        task.map(Message::procedure)
    }

    pub(crate) fn open(&mut self, tool: Tool) -> Task<Message> {
        match tool {
            // The procedure engine's login (guarded) reads it.
            Tool::Certificate => self.start(Procedure::ValidityCheck, true),
            Tool::CardStatus => {
                let (s, task) = card_status::CardStatus::new(self.source.opener());
                self.show(Screen::CardStatus(Box::new(s)));
                task.map(|m| Message::Screen(ScreenMessage::CardStatus(m)))
            }
            Tool::ChangePassword => {
                let (s, task) = change_password::ChangePassword::new(
                    self.source.opener(),
                    self.rejected.clone(),
                );
                self.show(Screen::ChangePassword(Box::new(s)));
                task.map(|m| Message::Screen(ScreenMessage::ChangePassword(m)))
            }
            Tool::ServerIdentity => self.open_server(),
            Tool::Reader => self.show_reader_choice(reader_choice::Then::Top),
            Tool::Settings => match self.settings_access() {
                top::SettingsAccess::Open => {
                    self.open_settings();
                    Task::none()
                }
                top::SettingsAccess::StaffOnly => {
                    let hash = self.settings.staff_pin.clone().unwrap_or_default();
                    let (s, task) = staff_unlock::StaffUnlock::new(hash);
                    self.show(Screen::StaffUnlock(Box::new(s)));
                    // The task gives the PIN box the keyboard; the ring
                    // must know, or Tab would start over from the header.
                    self.focus = Some(staff_unlock::FOCUS_KEY.into());
                    task.map(|m| Message::Screen(ScreenMessage::StaffUnlock(m)))
                }
                // Not offered; a message that asks anyway is ignored.
                top::SettingsAccess::Hidden => Task::none(),
            },
        }
    }

    pub(crate) fn open_settings(&mut self) {
        self.show(Screen::Settings(Box::new(
            settings_screen::SettingsScreen::new(&self.settings, self.source.demo().is_some()),
        )));
    }

    pub(crate) fn open_server(&mut self) -> Task<Message> {
        let anchor = match self.source.client_config(&self.settings) {
            Ok(c) => format!("{} ({})", c.trust.subjects().join("; "), c.trust.source()),
            Err(e) => e.to_string(),
        };
        let (s, task) =
            server_identity::ServerView::new(self.source.client(&self.settings), anchor);
        self.show(Screen::Server(Box::new(s)));
        task.map(|m| Message::Screen(ScreenMessage::Server(m)))
    }

    /// Back to the top screen; everything about the resident is dropped.
    pub fn home(&mut self) {
        self.show(Screen::Top(top::Top));
        self.behind = None;
    }

    /// Where a screen asked to go.
    pub(crate) fn go(&mut self, go: Go) -> Task<Message> {
        match go {
            Go::Home => {
                self.home();
                Task::none()
            }
            Go::Back => {
                self.close_view();
                Task::none()
            }
            // The buttons are not pressable then; a message sent anyway (a
            // key map, a test) starts nothing.
            Go::Start(_) if self.offer().window.is_err() => Task::none(),
            Go::Start(p) if self.must_choose_reader() => {
                self.show_reader_choice(reader_choice::Then::Start(p))
            }
            Go::Start(p) => self.start(p, false),
            Go::Open(tool) if tool.uses_card() && self.must_choose_reader() => {
                self.show_reader_choice(reader_choice::Then::Open(tool))
            }
            Go::Open(tool) => self.open(tool),
            Go::ShowCertificate => self.show_certificate(),
            Go::ShowServer => {
                if self.put_behind() {
                    return self.open_server();
                }
                Task::none()
            }
            Go::ChooseReader => {
                if self.put_behind() {
                    return self.show_reader_choice(reader_choice::Then::Resume);
                }
                Task::none()
            }
            Go::ReaderChosen(name) => self.reader_chosen(name),
            Go::FocusPassword => self.focus_password(),
            Go::FocusInput { key, id } => {
                self.focus = Some(key.to_owned());
                iced::widget::operation::focus(id)
            }
            Go::ApplySettings(new) => {
                self.apply_settings(*new);
                Task::none()
            }
            Go::SaveSettings(new) => {
                self.apply_settings(*new);
                let r = settings::save(&self.paths, &self.settings).map_err(|e| e.to_string());
                if let Screen::Settings(s) = &mut self.screen {
                    s.saved(r);
                }
                Task::none()
            }
            Go::Unlocked => {
                self.open_settings();
                Task::none()
            }
        }
    }

    /// Move the procedure on screen behind (a view opens over it).
    pub(crate) fn put_behind(&mut self) -> bool {
        if !matches!(self.screen, Screen::Procedure(_)) {
            return false;
        }
        let Screen::Procedure(p) = std::mem::replace(&mut self.screen, Screen::Top(top::Top))
        else {
            return false;
        };
        self.behind = Some(p);
        true
    }

    /// The certificate viewer on the procedure's certificate: over the
    /// procedure, or instead of it for the certificate tool (which stops
    /// once the certificate is in).
    pub(crate) fn show_certificate(&mut self) -> Task<Message> {
        let counter = self.counter();
        let Screen::Procedure(p) = &mut self.screen else {
            return Task::none();
        };
        let Some(viewer) = p.resident().map(|r| {
            cert_viewer::CertViewer::new(r.certificate_der())
                .map(|v| if counter { v.without_export() } else { v })
        }) else {
            return Task::none();
        };
        let tool = p.is_certificate_tool();
        let mut task = Task::none();
        if tool {
            let stop = p.update(procedure::Message::Act(crate::flow::ActionKind::Stop));
            if let Action::Run(t) | Action::RunAndGo(t, _) = stop {
                task = t.map(Message::procedure);
            }
        }
        match viewer {
            Ok(v) => {
                if !tool {
                    self.put_behind();
                }
                self.show(Screen::Certificate(Box::new(v)));
            }
            Err(e) => {
                tracing::warn!(target: "madoguchi::ui", "certificate viewer: {e}");
                if tool {
                    self.home();
                }
            }
        }
        task
    }

    /// Close a viewer: back to the procedure behind it, or to the top.
    pub(crate) fn close_view(&mut self) {
        match self.behind.take() {
            Some(p) => {
                // The card may have gone meanwhile.
                let over = p.engine().screen() == &FlowScreen::Top;
                self.show(Screen::Procedure(p));
                if over {
                    self.home();
                }
            }
            None => self.home(),
        }
    }

    /// The card left the reader (watch or demo slot).
    pub(crate) fn card_removed(&mut self) -> Task<Message> {
        let counter = self.counter();
        let mut tasks = Vec::new();
        if let Some(p) = self.behind.as_mut() {
            if let Action::Run(t) | Action::RunAndGo(t, _) = p.card_removed() {
                tasks.push(t.map(Message::procedure));
            }
            if counter {
                self.home();
                return Task::batch(tasks);
            }
        }
        match &mut self.screen {
            Screen::Procedure(p) => {
                let action = p.card_removed();
                // Counter mode: the resident left; unless a request is on
                // its way (its answer is wiped on idle), start over.
                if counter && !p.is_working() {
                    self.home();
                    if let Action::Run(t) | Action::RunAndGo(t, _) = action {
                        tasks.push(t.map(Message::procedure));
                    }
                    return Task::batch(tasks);
                }
                tasks.push(self.act(action, Message::procedure));
            }
            Screen::Certificate(_) | Screen::CardStatus(_) if counter => self.home(),
            // A card tool with nothing on its way to the card: say so and
            // go on once the card is back.
            Screen::CardStatus(_) => {
                self.show(Screen::CardRemoved(card_removed::CardRemoved::new(
                    Tool::CardStatus,
                )));
            }
            Screen::ChangePassword(c) if !counter && !c.is_sending() => {
                self.show(Screen::CardRemoved(card_removed::CardRemoved::new(
                    Tool::ChangePassword,
                )));
            }
            Screen::ChangePassword(c) => c.card_removed(),
            _ => {}
        }
        Task::batch(tasks)
    }

    /// The card is back: a tool interrupted by its removal opens again; a
    /// procedure showing the card-not-ready message reads the card again.
    pub(crate) fn card_inserted(&mut self) -> Task<Message> {
        match &mut self.screen {
            Screen::CardRemoved(s) => {
                let tool = s.resume();
                self.open(tool)
            }
            Screen::Procedure(p) => {
                let action = p.card_inserted();
                self.act(action, Message::procedure)
            }
            _ => Task::none(),
        }
    }
}
