//! Drawing a procedure: the step indicator, every screen of the engine
//! with the manual's buttons ([`Engine::allowed`](crate::flow::Engine::allowed)),
//! the application document, results and messages.

use std::borrow::Cow;

use iced::widget::{column, container, row, scrollable};
use iced::{Element, Length};
use madoguchi_pki::checks::IssuerCheck;
use madoguchi_pki::request::Procedure;

use super::{Message, ProcedureScreen};
use crate::fl;
use crate::flow::{ActionKind, Activity, IssuerFinding, PasswordStep, Problem, Resident, Screen};
use crate::presentation;
use crate::ui::screen::Page;
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::{self, Ui, message_box, password, steps};

impl ProcedureScreen {
    pub(super) fn procedure_name(&self) -> String {
        match self.engine.procedure() {
            Procedure::Revocation => fl!("procedure-revocation"),
            Procedure::ValidityCheck => fl!("procedure-validity-check"),
        }
    }

    pub(super) fn revocation(&self) -> bool {
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
    pub(super) fn page<'a>(&'a self, ui: &Ui<'a, Message>) -> Page<'a, Message> {
        let caps_lock = ui.context().caps_lock;
        let screen = self.engine.screen();
        let header: Element<'a, Message> = if self.reading_certificate {
            column![
                ui.heading(fl!("ui-cert-heading")),
                ui.body(fl!("ui-cert-needs-password")),
            ]
            .spacing(theme::space::S)
            .into()
        } else {
            column![
                match screen {
                    Screen::Problem(_) => steps::view(ui, self.last_step, true),
                    _ => steps::view(ui, screen.step(), false),
                },
                row![
                    ui.text(
                        Role::Label,
                        fl!("ui-procedure-name", name = self.procedure_name())
                    )
                    .width(Length::Fill),
                    ui.text(
                        Role::Small,
                        self.engine
                            .section()
                            .map(|sec| fl!("error-manual", section = sec.to_owned()))
                            .unwrap_or_default()
                    )
                    .style(theme::muted),
                ],
            ]
            .spacing(theme::space::M)
            .into()
        };
        let body: Element<'a, Message> = match screen {
            Screen::Top => ui.body(String::new()),
            Screen::CardPreparation => self.card_preparation(ui),
            Screen::Password {
                step,
                state,
                notice,
                ..
            } => password::view(
                ui,
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
                ui,
                self.login_title(*step),
                notice.as_ref(),
                Message::Act(ActionKind::ConfirmLastTry),
                Message::Act(ActionKind::Cancel),
            ),
            Screen::Working(activity) => self.working(ui, *activity),
            Screen::IssuerWarning(finding) => self.issuer_warning(ui, *finding),
            Screen::Review => self.review(ui),
            Screen::SignConfirmation => self.sign_confirmation(ui),
            Screen::SendConfirmation => self.send_confirmation(ui),
            Screen::Finished(f) => self.finished(ui, *f),
            Screen::Problem(p) => self.problem(ui, p),
        };
        let footer = matches!(
            screen,
            Screen::CardPreparation
                | Screen::IssuerWarning(_)
                | Screen::Review
                | Screen::Finished(_)
                | Screen::Problem(_)
        )
        .then(|| self.actions(ui));
        Page::with_footer(
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
            ui.heading(title),
            ui.body(what),
            container(
                column![
                    ui.body(fl!("ui-import-step-1")),
                    ui.body(fl!("ui-import-step-2")),
                    ui.body(fl!("ui-import-step-3")),
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
            ui.text(Role::Heading, format!("{what}…")),
            ui.body(fl!("ui-working-wait")),
            bar,
            ui.small(fl!("ui-working-elapsed", seconds = elapsed.to_string())),
        ]
        .spacing(theme::space::M);
        if keep_card {
            col = col.push(ui.notice(Tone::Warning, fl!("ui-working-keep-card"), None));
        }
        if matches!(activity, Activity::Sending) {
            col = col.push(ui.small(fl!("ui-working-sending-note")));
        }
        col = col.push(self.actions(ui));
        // Waiting for a busy window: 待つのをやめる is the way back.
        if self.engine.allowed().contains(&ActionKind::Cancel) {
            ui.on_escape(Message::Act(ActionKind::Cancel));
        }
        widget::dialog(col.into())
    }

    fn issuer_warning<'a>(
        &self,
        ui: &Ui<'a, Message>,
        finding: IssuerFinding,
    ) -> Element<'a, Message> {
        let mut col = column![
            message_box::view(
                ui,
                finding.number(),
                Tone::Warning,
                ui.counter() || self.show_details,
                self.engine.detail()
            ),
            ui.body(fl!("ui-issuer-warning-decide")),
        ]
        .spacing(theme::space::M);
        if finding == IssuerFinding::UnknownIssuer {
            col = col.push(self.issuer_comparison(ui));
        }
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
        // In reading order (the outline follows it): heading, intro, the
        // document.
        let heading = ui.heading(title);
        let intro = ui.body(intro);
        let document: Element<'a, Message> = match self.engine.resident() {
            Some(r) => self.document(ui, r),
            None => ui.body(String::new()),
        };
        ui.on_escape(Message::Act(ActionKind::Stop));
        let mut page = column![
            heading,
            intro,
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
                ui.small(fl!("ui-review-check-hint")),
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
            page = page.push(ui.small(fl!("review-issuer-not-checked")));
        }
        page.into()
    }

    /// The application document (2.1.5): addressee, statement, the four
    /// facts. Long lines wrap; the box scrolls.
    fn document<'a>(&self, ui: &Ui<'a, Message>, r: &'a Resident) -> Element<'a, Message> {
        let statement = if self.revocation() {
            fl!("document-statement-revocation")
        } else {
            fl!("document-statement-validity")
        };
        // Borrowed from the zeroizing buffers, not formatted per frame.
        let birth = presentation::resident_birth_date(r);
        // The facts are borrowed from the zeroizing buffers, not copied
        // (the outline's copy, made only for a screen reader, zeroizes).
        let line = |label: String, value: Cow<'a, str>| -> Element<'a, Message> {
            ui.fact(label, value, Role::Value, 200.0)
        };
        container(
            column![
                ui.text(Role::Title, r.addressee.salutation.clone()),
                ui.text(Role::Value, statement),
                line(fl!("document-name"), Cow::Borrowed(r.name.as_str())),
                line(fl!("document-address"), Cow::Borrowed(r.address.as_str())),
                line(fl!("document-sex"), Cow::Owned(presentation::sex(&r.sex()))),
                line(fl!("document-birth-date"), Cow::Borrowed(birth)),
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
                ui.title(fl!("ui-sign-confirm-title")),
                ui.body(text_id),
                ui.small(fl!("ui-sign-confirm-note")),
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
        let mut col = column![ui.title(fl!("ui-send-confirm-title")), ui.body(what),]
            .spacing(theme::space::L);
        // 2.1.8 / 3.1.8: once sent, neither request can be withdrawn.
        col = col.push(if self.revocation() {
            ui.notice(
                Tone::Danger,
                fl!("ui-send-irrevocable"),
                Some(fl!("ui-send-irrevocable-body")),
            )
        } else {
            ui.notice(
                Tone::Info,
                fl!("ui-send-irrevocable-validity"),
                Some(fl!("ui-send-irrevocable-validity-body")),
            )
        });
        if let Some(url) = &self.server_url {
            col = col.push(
                row![
                    ui.small(fl!("send-to", url = url.clone())),
                    ui.button(
                        "server",
                        fl!("ui-show-server"),
                        Some(Message::ShowServer),
                        ButtonKind::Quiet
                    ),
                ]
                .spacing(theme::space::M)
                .align_y(iced::Alignment::Center)
                .wrap()
                .vertical_spacing(theme::space::S),
            );
        }
        col = col.push(self.actions(ui));
        ui.on_escape(Message::Act(ActionKind::Cancel));
        widget::dialog(col.into())
    }
}
