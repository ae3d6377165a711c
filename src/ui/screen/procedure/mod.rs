//! A procedure (manual chapter 2 失効申請, chapter 3 有効性確認): a thin
//! driver over [`crate::flow::Engine`]. Every effect of the engine becomes
//! an iced Task through the shared [`Executor`]; its completion comes back
//! to this screen as [`Message::Done`]. Drawing is in [`view`].

mod outcome;
mod view;

use iced::Task;
use madoguchi_card::PasswordState;
use madoguchi_pki::request::Procedure;

use super::{Action, Delivered, Go, Page};
use crate::flow::{
    Action as FlowAction, ActionKind, Engine, Executor, Input, Options, Problem, Resident, Screen,
    Step,
};
use crate::ui::widget::Ui;
use crate::ui::widget::password::PasswordField;

#[derive(Clone, Debug)]
pub enum Message {
    /// A button of the current screen.
    Act(ActionKind),
    PasswordInput(String),
    TogglePassword,
    SubmitPassword,
    ToggleDetails,
    ShowCertificate,
    ShowServer,
    /// 2.2.5 with E118/E119: choose the reader.
    ChooseReader,
    /// Card or network work finished, for the engine of generation `owner`.
    Done {
        owner: u64,
        input: Delivered<Input>,
    },
}

pub struct ProcedureScreen {
    engine: Engine,
    executor: Option<Executor>,
    /// Generation of this engine (completions of older ones are dropped).
    owner: u64,
    password: PasswordField,
    show_details: bool,
    server_url: Option<String>,
    /// The last step before a message (where the procedure stopped).
    last_step: Step,
    /// Only reading the certificate for the viewer (the card tool): the
    /// header says so instead of showing the procedure's steps, and the
    /// work stops once the certificate is in.
    reading_certificate: bool,
    /// Since when the current card or network work has been running.
    working_since: Option<std::time::Instant>,
    /// The work under way, aborted when this screen is dropped: a request
    /// left hanging when the resident's data is wiped (counter mode, Home)
    /// does not outlive it.
    running: Vec<iced::task::Handle>,
}

impl std::fmt::Debug for ProcedureScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcedureScreen")
            .field("engine", &self.engine)
            .field("owner", &self.owner)
            .field("password", &self.password)
            .finish_non_exhaustive()
    }
}

/// What a procedure needs from the App.
pub struct Start {
    pub procedure: Procedure,
    pub options: Options,
    pub opener: crate::flow::CardOpener,
    pub rejected: madoguchi_card::RejectedBook,
    pub client: Result<crate::client::Client, crate::client::ClientError>,
    /// This engine's generation.
    pub owner: u64,
    /// Only read the certificate (the certificate tool).
    pub certificate_only: bool,
}

impl ProcedureScreen {
    /// Start the procedure (the engine moves to 2.1.3 at once; the
    /// certificate tool goes straight on to reading the card).
    pub fn new(start: Start) -> (ProcedureScreen, Task<Message>) {
        let server_url = start
            .client
            .as_ref()
            .ok()
            .map(|c| c.server_url().to_string());
        let executor = match Executor::with_book(start.opener, start.rejected, start.client) {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::error!(target: "madoguchi::ui", "cannot start the executor: {e}");
                None
            }
        };
        let mut me = ProcedureScreen {
            engine: Engine::new(start.procedure, start.options),
            executor,
            owner: start.owner,
            password: PasswordField::new("procedure-password"),
            show_details: false,
            server_url,
            last_step: Step::CardPreparation,
            reading_certificate: start.certificate_only,
            working_since: None,
            running: Vec::new(),
        };
        let mut task = me.feed(Input::Action(FlowAction::Start));
        if start.certificate_only {
            // Straight to reading the card: the tool has no document.
            task = Task::batch([task, me.feed(Input::Action(FlowAction::Ok))]);
        }
        (me, task)
    }

    /// Hand `input` to the engine and start the work it asks for.
    fn feed(&mut self, input: Input) -> Task<Message> {
        let effects = self.engine.handle(input);
        if !matches!(
            self.engine.screen(),
            Screen::Problem(_) | Screen::Finished(_) | Screen::Top
        ) {
            self.last_step = self.engine.screen().step();
        }
        match (self.engine.screen(), self.working_since) {
            (Screen::Working(_), None) => self.working_since = Some(std::time::Instant::now()),
            (Screen::Working(_), Some(_)) => {}
            _ => self.working_since = None,
        }
        let Some(executor) = &self.executor else {
            if !effects.is_empty() {
                tracing::error!(target: "madoguchi::ui", "no executor for {effects:?}");
            }
            return Task::none();
        };
        let owner = self.owner;
        let work: Vec<_> = effects
            .into_iter()
            .filter_map(|e| executor.execute(e))
            .collect();
        if !self.engine.is_working() {
            // Nothing of the earlier work is waited for any more.
            self.running.clear();
        }
        let mut tasks = Vec::with_capacity(work.len());
        for w in work {
            let (task, handle) = Task::perform(w, move |input| Message::Done {
                owner,
                input: Delivered::new(input),
            })
            .abortable();
            self.running.push(handle.abort_on_drop());
            tasks.push(task);
        }
        Task::batch(tasks)
    }

    /// What the App does after the engine moved: leave at its top, show
    /// the certificate once the tool has it, focus the password box.
    fn after(&mut self, task: Task<Message>) -> Action<Message> {
        let go = match self.engine.screen() {
            _ if self.reading_certificate && self.resident().is_some() => Some(Go::ShowCertificate),
            Screen::Top => Some(Go::Home),
            Screen::Password { .. } => Some(Go::FocusPassword),
            _ => None,
        };
        match go {
            Some(go) => Action::RunAndGo(task, go),
            None => Action::Run(task),
        }
    }

    /// The reader watch saw the card go.
    pub fn card_removed(&mut self) -> Action<Message> {
        let task = self.feed(Input::CardRemoved);
        self.after(task)
    }

    /// The reader watch saw a card arrive. On the card-not-ready message
    /// (2.2.5 / 3.2.5, E102–E105, E107, E118, E119) the procedure reads the
    /// card again by itself, exactly as 「もう一度読み取る」 does. That is
    /// safe: reading selects the JPKI application and reads the certificate
    /// and the count; no password goes to the card before the resident types
    /// one on the next screen.
    ///
    /// After E120 (a password check went unanswered) the engine reads the
    /// count again and shows it beside the count from before.
    pub fn card_inserted(&mut self) -> Action<Message> {
        if self.engine.screen() == &Screen::Problem(Problem::Unexpected { number: 120 }) {
            let task = self.feed(Input::CardInserted);
            return self.after(task);
        }
        let not_ready = matches!(
            self.engine.screen(),
            Screen::Problem(Problem::CardNotReady { .. })
        );
        if !not_ready || self.engine.is_working() {
            return Action::None;
        }
        self.update(Message::Act(ActionKind::Ok))
    }

    /// Counter mode: nobody touched the terminal. Whether the procedure is
    /// over (its engine back at the top).
    pub fn idle(&mut self) -> (Task<Message>, bool) {
        let task = self.feed(Input::IdleTimeout);
        (task, *self.engine.screen() == Screen::Top)
    }

    pub fn is_working(&self) -> bool {
        self.engine.is_working()
    }

    pub fn resident(&self) -> Option<&Resident> {
        self.engine.resident()
    }

    /// The engine (read only).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether this is the certificate tool rather than a procedure.
    pub fn is_certificate_tool(&self) -> bool {
        self.reading_certificate
    }

    /// Whether anything about the resident is held: the imported
    /// certificate and facts, the signed request, the window's answer.
    pub fn holds_resident(&self) -> bool {
        self.resident().is_some()
            || self.engine.reply().is_some()
            || self.engine.signed_request().is_some()
    }

    pub fn update(&mut self, message: Message) -> Action<Message> {
        match message {
            Message::Act(ActionKind::Password) => self.update(Message::SubmitPassword),
            Message::Act(kind) => {
                let Some(action) = kind.action() else {
                    return Action::None;
                };
                if matches!(
                    kind,
                    ActionKind::Cancel | ActionKind::Stop | ActionKind::Close
                ) {
                    self.password.clear();
                }
                let task = self.feed(Input::Action(action));
                self.after(task)
            }
            Message::Done { owner, input } => match input.take() {
                Some(input) if owner == self.owner => {
                    let task = self.feed(input);
                    self.after(task)
                }
                _ => Action::None,
            },
            Message::PasswordInput(v) => {
                self.password.set(v);
                Action::None
            }
            Message::TogglePassword => {
                self.password.shown = !self.password.shown;
                Action::None
            }
            Message::SubmitPassword => {
                if self.password.is_empty()
                    || !self.engine.allowed().contains(&ActionKind::Password)
                {
                    return Action::None;
                }
                let secret = self.password.take();
                self.password.shown = false;
                let task = self.feed(Input::Action(FlowAction::Password(secret)));
                self.after(task)
            }
            Message::ToggleDetails => {
                self.show_details = !self.show_details;
                Action::None
            }
            Message::ShowCertificate => Action::Go(Go::ShowCertificate),
            Message::ShowServer => Action::Go(Go::ShowServer),
            Message::ChooseReader => Action::Go(Go::ChooseReader),
        }
    }

    /// The count the card last gave, for the status line.
    pub fn password_state(&self) -> Option<PasswordState> {
        match self.engine.screen() {
            Screen::Password { state, .. } => Some(*state),
            _ => self.engine.prepared().map(|p| p.password),
        }
    }

    pub fn view<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        self.page(ui)
    }
}
