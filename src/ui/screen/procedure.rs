//! A procedure (manual chapter 2 失効申請, chapter 3 有効性確認): a thin
//! driver over [`crate::flow::Engine`]. Every [`Screen`] of the engine is
//! drawn here with the manual's buttons (the engine's
//! [`Engine::allowed`]); completions of card and network work arrive from
//! the executor through the app's inbox ([`ProcedureScreen::deliver`]).

use std::cell::RefCell;

use iced::widget::{column, container, row, scrollable, text};
use iced::{Element, Length};
use madoguchi_card::PasswordState;
use madoguchi_pki::checks::IssuerCheck;
use madoguchi_pki::request::Procedure;

use super::password::{self, PasswordField};
use crate::fl;
use crate::flow::{
    Action as FlowAction, ActionKind, Activity, Engine, Executor, Finish, Input, IssuerFinding,
    Options, PasswordStep, Problem, Resident, Screen, Step,
};
use crate::presentation::{self, when};
use crate::ui::jobs::Outbox;
use crate::ui::theme::{self, ButtonKind, Tone};
use crate::ui::widget::{self, KeyMap, Ui, message_box, steps};

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
}

/// What the parent does after an update.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    None,
    /// The engine is back on its top screen: leave the procedure.
    Home,
    /// Open the certificate viewer on the imported certificate.
    ShowCertificate,
    /// Open the server identity view.
    ShowServer,
    /// Put the keyboard focus in the password box.
    FocusPassword,
    /// Show the reader choice; read the card again once a reader is chosen.
    ChooseReader,
}

pub struct ProcedureScreen {
    pub engine: Engine,
    executor: Option<Executor>,
    /// Generation of this engine (completions of older ones are dropped).
    pub owner: u64,
    pub password: PasswordField,
    pub show_details: bool,
    pub keys: RefCell<KeyMap<Message>>,
    server_url: Option<String>,
    /// The last step before a message (where the procedure stopped).
    last_step: Step,
    /// Only reading the certificate for the viewer (the card tool): the
    /// header says so instead of showing the procedure's steps.
    pub reading_certificate: bool,
    /// Since when the current card or network work has been running.
    working_since: Option<std::time::Instant>,
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

impl ProcedureScreen {
    /// Start `procedure` (the engine moves to 2.1.3 at once).
    pub fn start(
        procedure: Procedure,
        options: Options,
        opener: crate::flow::CardOpener,
        rejected: madoguchi_card::RejectedBook,
        client: Result<crate::client::Client, crate::client::ClientError>,
        owner: u64,
        out: &Outbox,
    ) -> ProcedureScreen {
        let server_url = client.as_ref().ok().map(|c| c.server_url().to_string());
        let executor = match Executor::with_book(opener, rejected, client, out.flow(owner)) {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::error!(target: "madoguchi::ui", "cannot start the executor: {e}");
                None
            }
        };
        let mut me = ProcedureScreen {
            engine: Engine::new(procedure, options),
            executor,
            owner,
            password: PasswordField::new("procedure-password"),
            show_details: false,
            keys: RefCell::default(),
            server_url,
            last_step: Step::CardPreparation,
            reading_certificate: false,
            working_since: None,
        };
        me.feed(Input::Action(FlowAction::Start));
        me
    }

    fn feed(&mut self, input: Input) {
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
        for effect in effects {
            match &self.executor {
                Some(x) => x.execute(effect),
                None => tracing::error!(target: "madoguchi::ui", "no executor for {effect:?}"),
            }
        }
    }

    /// What happened since: Home when the engine went back to its top.
    fn after(&mut self) -> Event {
        match self.engine.screen() {
            Screen::Top => Event::Home,
            Screen::Password { .. } => Event::FocusPassword,
            _ => Event::None,
        }
    }

    /// A completion from the executor.
    pub fn deliver(&mut self, input: Input) -> Event {
        self.feed(input);
        self.after()
    }

    /// The reader watch saw the card go.
    pub fn card_removed(&mut self) -> Event {
        self.feed(Input::CardRemoved);
        self.after()
    }

    /// Counter mode: nobody touched the terminal.
    pub fn idle(&mut self) -> Event {
        self.feed(Input::IdleTimeout);
        self.after()
    }

    pub fn is_working(&self) -> bool {
        self.engine.is_working()
    }

    pub fn resident(&self) -> Option<&Resident> {
        self.engine.resident()
    }

    pub fn update(&mut self, message: Message) -> Event {
        match message {
            Message::Act(kind) => {
                let action = match kind {
                    ActionKind::Start => FlowAction::Start,
                    ActionKind::Ok => FlowAction::Ok,
                    ActionKind::Cancel => FlowAction::Cancel,
                    ActionKind::Back => FlowAction::Back,
                    ActionKind::Stop => FlowAction::Stop,
                    ActionKind::Continue => FlowAction::Continue,
                    ActionKind::Sign => FlowAction::Sign,
                    ActionKind::Confirm => FlowAction::Confirm,
                    ActionKind::ConfirmLastTry => FlowAction::ConfirmLastTry,
                    ActionKind::Retry => FlowAction::Retry,
                    ActionKind::Resend => FlowAction::Resend,
                    ActionKind::Close => FlowAction::Close,
                    ActionKind::Password => return self.update(Message::SubmitPassword),
                };
                if matches!(
                    kind,
                    ActionKind::Cancel | ActionKind::Stop | ActionKind::Close
                ) {
                    self.password.clear();
                }
                self.feed(Input::Action(action));
                self.after()
            }
            Message::PasswordInput(v) => {
                self.password.set(v);
                Event::None
            }
            Message::TogglePassword => {
                self.password.shown = !self.password.shown;
                Event::None
            }
            Message::SubmitPassword => {
                if self.password.is_empty()
                    || !self.engine.allowed().contains(&ActionKind::Password)
                {
                    return Event::None;
                }
                let secret = self.password.take();
                self.password.shown = false;
                self.feed(Input::Action(FlowAction::Password(secret)));
                self.after()
            }
            Message::ToggleDetails => {
                self.show_details = !self.show_details;
                Event::None
            }
            Message::ShowCertificate => Event::ShowCertificate,
            Message::ShowServer => Event::ShowServer,
            Message::ChooseReader => Event::ChooseReader,
        }
    }

    fn procedure_name(&self) -> String {
        match self.engine.procedure() {
            Procedure::Revocation => fl!("procedure-revocation"),
            Procedure::ValidityCheck => fl!("procedure-validity-check"),
        }
    }

    fn revocation(&self) -> bool {
        self.engine.procedure() == Procedure::Revocation
    }

    /// The label of a button on the current screen.
    fn label(&self, kind: ActionKind) -> String {
        let r = self.revocation();
        let screen = self.engine.screen();
        match kind {
            ActionKind::Ok => match screen {
                Screen::CardPreparation => fl!("ui-read-card"),
                Screen::Problem(Problem::CardNotReady { .. }) => fl!("ui-read-card-again"),
                _ => fl!("ui-ok"),
            },
            ActionKind::Stop => {
                if r {
                    fl!("ui-stop-revocation")
                } else {
                    fl!("ui-stop-validity")
                }
            }
            ActionKind::Back => match screen {
                Screen::Problem(Problem::ChallengeInvalid) => fl!("ui-back-to-review"),
                _ if r => fl!("ui-back-to-import-revocation"),
                _ => fl!("ui-back-to-import-validity"),
            },
            ActionKind::Cancel => match screen {
                Screen::SignConfirmation => fl!("ui-cancel-signing"),
                Screen::SendConfirmation => fl!("ui-cancel-sending"),
                Screen::Working(_) => fl!("ui-stop-waiting"),
                _ => fl!("ui-cancel"),
            },
            ActionKind::Continue => fl!("ui-continue-anyway"),
            ActionKind::Sign => fl!("ui-sign"),
            ActionKind::Confirm => match screen {
                Screen::SendConfirmation => fl!("ui-confirm-send"),
                _ => fl!("ui-confirm"),
            },
            ActionKind::ConfirmLastTry => fl!("ui-last-try-confirm"),
            ActionKind::Retry => fl!("ui-retry"),
            ActionKind::Resend => fl!("ui-resend"),
            ActionKind::Close => fl!("ui-close"),
            ActionKind::Start => fl!("ui-start"),
            ActionKind::Password => fl!("ui-ok"),
        }
    }

    fn kind_style(&self, kind: ActionKind) -> ButtonKind {
        match kind {
            ActionKind::Ok
            | ActionKind::Sign
            | ActionKind::Retry
            | ActionKind::Resend
            | ActionKind::Start => ButtonKind::Primary,
            ActionKind::Confirm => {
                if self.revocation() && *self.engine.screen() == Screen::SendConfirmation {
                    ButtonKind::Danger
                } else {
                    ButtonKind::Primary
                }
            }
            ActionKind::Continue | ActionKind::ConfirmLastTry => ButtonKind::Danger,
            ActionKind::Close => ButtonKind::Primary,
            _ => ButtonKind::Secondary,
        }
    }

    /// The engine's buttons for this screen.
    fn actions<'a>(&self, ui: &Ui<'a, Message>) -> Element<'a, Message> {
        let items = self
            .engine
            .allowed()
            .into_iter()
            .filter(|k| *k != ActionKind::Password)
            .map(|k| {
                ui.button(
                    &format!("act.{k:?}"),
                    self.label(k),
                    Some(Message::Act(k)),
                    self.kind_style(k),
                )
                .into()
            })
            .collect();
        widget::buttons(items)
    }

    /// The screen, and the bar of buttons that stays at the bottom of the
    /// window (for the screens that are not dialogs).
    pub fn view<'a>(
        &'a self,
        focused: Option<&'a str>,
        counter: bool,
        caps_lock: bool,
    ) -> (Element<'a, Message>, Option<Element<'a, Message>>) {
        *self.keys.borrow_mut() = KeyMap::default();
        let ui = Ui {
            focused,
            keys: &self.keys,
            counter,
        };
        let screen = self.engine.screen();
        let header: Element<'a, Message> = if self.reading_certificate {
            column![
                widget::heading(fl!("ui-cert-heading")),
                widget::body(fl!("ui-cert-needs-password")),
            ]
            .spacing(theme::space::S)
            .into()
        } else {
            column![
                match screen {
                    Screen::Problem(_) => steps::view(self.last_step, true),
                    _ => steps::view(screen.step(), false),
                },
                row![
                    text(fl!("ui-procedure-name", name = self.procedure_name()))
                        .size(theme::size::BODY)
                        .font(theme::BOLD)
                        .width(Length::Fill),
                    text(
                        self.engine
                            .section()
                            .map(|sec| fl!("error-manual", section = sec.to_owned()))
                            .unwrap_or_default()
                    )
                    .size(theme::size::SMALL)
                    .style(theme::muted),
                ],
            ]
            .spacing(theme::space::M)
            .into()
        };
        let body: Element<'a, Message> = match screen {
            Screen::Top => widget::body(String::new()),
            Screen::CardPreparation => self.card_preparation(&ui),
            Screen::Password {
                step,
                state,
                notice,
                ..
            } => password::view(
                &ui,
                &self.password,
                password::Spec {
                    title: self.login_title(*step),
                    explanation: self.login_explanation(*step),
                    state: *state,
                    notice: notice.clone(),
                    caps_lock,
                    on_input: Message::PasswordInput,
                    toggle: Message::TogglePassword,
                    submit: Message::SubmitPassword,
                    cancel: Message::Act(ActionKind::Cancel),
                    submit_label: match step {
                        PasswordStep::Login => fl!("ui-pw-submit-login"),
                        PasswordStep::Signing => fl!("ui-pw-submit-sign"),
                    },
                },
            ),
            Screen::LastTryConfirmation { step, notice } => password::last_try_view(
                &ui,
                self.login_title(*step),
                notice.as_ref(),
                Message::Act(ActionKind::ConfirmLastTry),
                Message::Act(ActionKind::Cancel),
            ),
            Screen::Working(activity) => self.working(&ui, *activity),
            Screen::IssuerWarning(finding) => self.issuer_warning(&ui, *finding),
            Screen::Review => self.review(&ui),
            Screen::SignConfirmation => self.sign_confirmation(&ui),
            Screen::SendConfirmation => self.send_confirmation(&ui),
            Screen::Finished(f) => self.finished(&ui, *f),
            Screen::Problem(p) => self.problem(&ui, p),
        };
        let footer = matches!(
            screen,
            Screen::CardPreparation
                | Screen::IssuerWarning(_)
                | Screen::Review
                | Screen::Finished(_)
                | Screen::Problem(_)
        )
        .then(|| self.actions(&ui));
        (
            column![header, body].spacing(theme::space::L).into(),
            footer,
        )
    }

    fn login_title(&self, step: PasswordStep) -> String {
        match step {
            PasswordStep::Login => fl!("ui-login-title"),
            PasswordStep::Signing => fl!("ui-login-signing-title"),
        }
    }

    fn login_explanation(&self, step: PasswordStep) -> String {
        match step {
            PasswordStep::Login => fl!("ui-login-explanation"),
            PasswordStep::Signing => fl!("ui-login-signing-explanation"),
        }
    }

    fn card_preparation<'a>(&self, ui: &Ui<'a, Message>) -> Element<'a, Message> {
        let (title, what) = if self.revocation() {
            (
                fl!("ui-import-title-revocation"),
                fl!("ui-import-what-revocation"),
            )
        } else {
            (
                fl!("ui-import-title-validity"),
                fl!("ui-import-what-validity"),
            )
        };
        ui.on_escape(Message::Act(ActionKind::Stop));
        column![
            widget::heading(title),
            widget::body(what),
            container(
                column![
                    widget::body(fl!("ui-import-step-1")),
                    widget::body(fl!("ui-import-step-2")),
                    widget::body(fl!("ui-import-step-3")),
                ]
                .spacing(theme::space::S)
            )
            .padding(theme::space::M)
            .width(Length::Fill)
            .style(theme::panel),
        ]
        .spacing(theme::space::L)
        .into()
    }

    fn working<'a>(&self, ui: &Ui<'a, Message>, activity: Activity) -> Element<'a, Message> {
        let (what, keep_card) = match activity {
            Activity::ReadingCard | Activity::ReadingTries => (fl!("working-reading-card"), true),
            Activity::CheckingPassword { .. } => (fl!("working-checking-password"), true),
            Activity::ContactingWindow => (fl!("working-contacting"), false),
            Activity::Signing => (fl!("working-signing"), true),
            Activity::Sending => (fl!("working-sending"), false),
            Activity::WaitingToRetry {
                seconds, wait, of, ..
            } => (
                fl!(
                    "working-busy-wait",
                    seconds = seconds.to_string(),
                    wait = wait.to_string(),
                    of = of.to_string()
                ),
                false,
            ),
        };
        let elapsed = self
            .working_since
            .map(|t| t.elapsed().as_secs())
            .unwrap_or_default();
        // The manual: about 10 s on broadband. The bar fills over 10 s and
        // then stays full while the seconds go on counting.
        let bar = iced::widget::progress_bar(0.0..=10.0, (elapsed as f32).min(10.0)).girth(12.0);
        let mut col = column![
            text(format!("{what}…"))
                .size(theme::size::HEADING)
                .font(theme::BOLD),
            widget::body(fl!("ui-working-wait")),
            bar,
            widget::small(fl!("ui-working-elapsed", seconds = elapsed.to_string())),
        ]
        .spacing(theme::space::M);
        if keep_card {
            col = col.push(widget::notice(
                Tone::Warning,
                fl!("ui-working-keep-card"),
                None,
            ));
        }
        if matches!(activity, Activity::Sending) {
            col = col.push(widget::small(fl!("ui-working-sending-note")));
        }
        col = col.push(self.actions(ui));
        widget::dialog(col.into())
    }

    fn issuer_warning<'a>(
        &self,
        ui: &Ui<'a, Message>,
        finding: IssuerFinding,
    ) -> Element<'a, Message> {
        let mut col = column![
            message_box::view(
                finding.number(),
                Tone::Warning,
                ui.counter || self.show_details,
                self.engine.detail()
            ),
            widget::body(fl!("ui-issuer-warning-decide")),
        ]
        .spacing(theme::space::M);
        col = col.push(ui.button(
            "details",
            fl!("ui-show-certificate"),
            Some(Message::ShowCertificate),
            ButtonKind::Quiet,
        ));
        ui.on_escape(Message::Act(ActionKind::Stop));
        col.into()
    }

    fn review<'a>(&'a self, ui: &Ui<'a, Message>) -> Element<'a, Message> {
        let (title, intro) = if self.revocation() {
            (fl!("screen-review"), fl!("ui-review-intro-revocation"))
        } else {
            (fl!("screen-review"), fl!("ui-review-intro-validity"))
        };
        let document: Element<'a, Message> = match self.engine.resident() {
            Some(r) => self.document(r),
            None => widget::body(String::new()),
        };
        ui.on_escape(Message::Act(ActionKind::Stop));
        let mut page = column![
            widget::heading(title),
            widget::body(intro),
            container(scrollable(document).height(Length::Shrink))
                .max_height(340.0)
                .width(Length::Fill),
            row![
                ui.button(
                    "details",
                    fl!("ui-show-certificate"),
                    Some(Message::ShowCertificate),
                    ButtonKind::Quiet,
                ),
                widget::small(fl!("ui-review-check-hint")),
            ]
            .spacing(theme::space::M)
            .align_y(iced::Alignment::Center),
        ]
        .spacing(theme::space::M);
        // No JPKI signing CA configured: say so rather than warn or vouch.
        if self
            .engine
            .resident()
            .is_some_and(|r| r.issuer_check == IssuerCheck::NotChecked)
        {
            page = page.push(widget::small(fl!("review-issuer-not-checked")));
        }
        page.into()
    }

    /// The application document (2.1.5): addressee, statement, the four
    /// facts. Long lines wrap; the box scrolls.
    fn document<'a>(&self, r: &'a Resident) -> Element<'a, Message> {
        let statement = if self.revocation() {
            fl!("document-statement-revocation")
        } else {
            fl!("document-statement-validity")
        };
        // Borrowed from the zeroizing buffers, not formatted per frame.
        let birth = presentation::resident_birth_date(r);
        // The facts are borrowed from the zeroizing buffers, not copied.
        let line = |label: String, value: iced::widget::Text<'a>| -> Element<'a, Message> {
            row![
                text(label)
                    .size(theme::size::BODY)
                    .font(theme::BOLD)
                    .width(Length::Fixed(200.0)),
                value.size(theme::size::TITLE).width(Length::Fill),
            ]
            .spacing(theme::space::M)
            .into()
        };
        container(
            column![
                text(r.addressee.salutation.clone())
                    .size(theme::size::TITLE)
                    .font(theme::BOLD),
                text(statement).size(theme::size::TITLE),
                line(fl!("document-name"), text(r.name.as_str())),
                line(fl!("document-address"), text(r.address.as_str())),
                line(fl!("document-sex"), text(presentation::sex(&r.sex()))),
                line(fl!("document-birth-date"), text(birth)),
            ]
            .spacing(theme::space::M),
        )
        .padding(theme::space::L)
        .width(Length::Fill)
        .style(theme::document)
        .into()
    }

    fn sign_confirmation<'a>(&self, ui: &Ui<'a, Message>) -> Element<'a, Message> {
        let text_id = if self.revocation() {
            fl!("ui-sign-confirm-revocation")
        } else {
            fl!("ui-sign-confirm-validity")
        };
        ui.on_escape(Message::Act(ActionKind::Cancel));
        widget::dialog(
            column![
                widget::title(fl!("ui-sign-confirm-title")),
                widget::body(text_id),
                widget::small(fl!("ui-sign-confirm-note")),
                self.actions(ui),
            ]
            .spacing(theme::space::L)
            .into(),
        )
    }

    fn send_confirmation<'a>(&self, ui: &Ui<'a, Message>) -> Element<'a, Message> {
        let what = if self.revocation() {
            fl!("ui-send-confirm-revocation")
        } else {
            fl!("ui-send-confirm-validity")
        };
        let mut col = column![
            widget::title(fl!("ui-send-confirm-title")),
            widget::body(what),
        ]
        .spacing(theme::space::L);
        if self.revocation() {
            col = col.push(widget::notice(
                Tone::Danger,
                fl!("ui-send-irrevocable"),
                Some(fl!("ui-send-irrevocable-body")),
            ));
        }
        if let Some(url) = &self.server_url {
            col = col.push(
                row![
                    widget::small(fl!("send-to", url = url.clone())),
                    ui.button(
                        "server",
                        fl!("ui-show-server"),
                        Some(Message::ShowServer),
                        ButtonKind::Quiet
                    ),
                ]
                .spacing(theme::space::M)
                .align_y(iced::Alignment::Center),
            );
        }
        col = col.push(self.actions(ui));
        ui.on_escape(Message::Act(ActionKind::Cancel));
        widget::dialog(col.into())
    }

    fn finished<'a>(&'a self, ui: &Ui<'a, Message>, f: Finish) -> Element<'a, Message> {
        let (title, body, tone) = match f {
            Finish::Accepted => (
                fl!("result-accepted-title"),
                fl!("result-accepted-body"),
                Tone::Success,
            ),
            Finish::AlreadyRevoked => (
                fl!("result-already-revoked-title"),
                fl!("result-already-revoked-body"),
                Tone::Info,
            ),
            Finish::DuplicateRequest => (
                fl!("result-duplicate-request-title"),
                fl!("result-duplicate-request-body"),
                Tone::Info,
            ),
            Finish::Valid => (
                fl!("result-valid-title"),
                fl!("result-valid-body"),
                Tone::Success,
            ),
            Finish::IssuerError => (
                fl!("result-issuer-error-title"),
                fl!("result-issuer-error-body"),
                Tone::Danger,
            ),
            Finish::Revoked => (
                fl!("result-revoked-title"),
                fl!("result-revoked-body"),
                Tone::Warning,
            ),
            Finish::RevocationAccepted => (
                fl!("result-revocation-accepted-title"),
                fl!("result-revocation-accepted-body"),
                Tone::Info,
            ),
        };
        let mut facts = column![widget::field(
            fl!("review-procedure"),
            self.procedure_name()
        )]
        .spacing(theme::space::S);
        if let Some(r) = self.engine.resident() {
            facts = facts.push(widget::field(fl!("ui-applicant"), r.name.as_str()));
        }
        if let Some(reply) = self.engine.reply() {
            let a = &reply.answer;
            facts = facts.push(widget::field(fl!("result-checked-at"), when(&a.checked_at)));
            if let Some(id) = &a.receipt_id {
                facts = facts.push(widget::field(fl!("result-receipt"), id.clone()));
            }
            if let Some(t) = &a.accepted_at
                && f != Finish::Accepted
            {
                facts = facts.push(widget::field(fl!("result-accepted-at"), when(t)));
            }
            if let Some(t) = &a.revoked_at {
                facts = facts.push(widget::field(fl!("result-revoked-at"), when(t)));
            }
        }
        let mut col = column![
            text(title)
                .size(theme::size::HEADING)
                .font(theme::BOLD)
                .style(theme::toned(tone)),
            widget::body(body),
            container(facts)
                .padding(theme::space::M)
                .width(Length::Fill)
                .style(theme::panel),
        ]
        .spacing(theme::space::L);
        if let Some(n) = f.number()
            && (ui.counter || self.show_details)
        {
            col = col.push(message_box::view(n, tone, true, self.engine.detail()));
        }
        col = col.push(widget::notice(
            Tone::Info,
            fl!("result-remove-card"),
            ui.counter.then(|| fl!("ui-counter-wipe-note")),
        ));
        ui.on_enter(Message::Act(ActionKind::Close));
        ui.on_escape(Message::Act(ActionKind::Close));
        col.into()
    }

    fn problem<'a>(&self, ui: &Ui<'a, Message>, p: &Problem) -> Element<'a, Message> {
        let tone = match p {
            Problem::Busy | Problem::ChallengeInvalid | Problem::Expired { .. } => Tone::Warning,
            Problem::Network { sent: true, .. } => Tone::Warning,
            _ => Tone::Danger,
        };
        let mut col = column![].spacing(theme::space::L);
        let heading = self.problem_heading(p);
        col = col.push(widget::heading(heading));
        if let Problem::Locked = p {
            col = col.push(widget::body(if self.revocation() {
                fl!("ui-locked-body-revocation")
            } else {
                fl!("ui-locked-body-validity")
            }));
        }
        col = col.push(message_box::view(
            p.number(),
            tone,
            ui.counter || self.show_details,
            self.engine.detail(),
        ));
        // Several cards, or only a virtual reader: the resident chooses.
        if let Problem::CardNotReady { number: 118 | 119 } = p {
            col = col.push(ui.button(
                "choose-reader",
                fl!("ui-reader-choose"),
                Some(Message::ChooseReader),
                ButtonKind::Primary,
            ));
        }
        if let Problem::Network { sent: true, .. } = p {
            col = col.push(widget::notice(
                Tone::Info,
                fl!("network-sent-unknown"),
                None,
            ));
        }
        if !ui.counter {
            let label = if self.show_details {
                fl!("ui-hide-details")
            } else {
                fl!("ui-show-details")
            };
            col = col.push(ui.button(
                "details",
                label,
                Some(Message::ToggleDetails),
                ButtonKind::Quiet,
            ));
        }
        let allowed = self.engine.allowed();
        if allowed.contains(&ActionKind::Close) {
            ui.on_escape(Message::Act(ActionKind::Close));
        } else if allowed.contains(&ActionKind::Stop) {
            ui.on_escape(Message::Act(ActionKind::Stop));
        }
        col.into()
    }

    /// The manual's screen name for a message.
    fn problem_heading(&self, p: &Problem) -> String {
        let r = self.revocation();
        match p {
            Problem::Busy => fl!("ui-problem-busy"),
            Problem::ServiceError => fl!("ui-problem-service-error"),
            Problem::CardService => fl!("ui-problem-card-service"),
            Problem::CardNotReady { .. } => fl!("ui-problem-card-not-ready"),
            Problem::Unexpected { .. } => fl!("ui-problem-unexpected"),
            Problem::Locked => fl!("ui-problem-locked"),
            Problem::ImportFailed { .. } if r => fl!("ui-problem-import-revocation"),
            Problem::ImportFailed { .. } => fl!("ui-problem-import-validity"),
            Problem::Expired { .. } if r => fl!("ui-problem-expired-revocation"),
            Problem::Expired { .. } => fl!("ui-problem-expired-validity"),
            Problem::Malformed => fl!("ui-problem-malformed"),
            Problem::IssuerMismatch => fl!("ui-problem-issuer"),
            Problem::CertificateInvalid => fl!("ui-problem-certificate-invalid"),
            Problem::SignatureInvalid { .. } if r => fl!("ui-problem-signature-revocation"),
            Problem::SignatureInvalid { .. } => fl!("ui-problem-signature-validity"),
            Problem::ChallengeInvalid => fl!("ui-problem-challenge"),
            Problem::Network { .. } => fl!("ui-problem-network"),
        }
    }

    /// The count the card last gave, for the status line.
    pub fn password_state(&self) -> Option<PasswordState> {
        match self.engine.screen() {
            Screen::Password { state, .. } => Some(*state),
            _ => self.engine.prepared().map(|p| p.password),
        }
    }
}
