//! Drawing how a procedure ended: the results (2.1.9, 3.1.9–3.1.12) and
//! the messages (2.2.x / 3.2.x) with their catalogue numbers.

use iced::Element;
use iced::Length;
use iced::widget::{column, container};

use super::{Message, ProcedureScreen};
use crate::fl;
use crate::flow::{ActionKind, Finish, Problem};
use crate::presentation::{self, when};
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::{Group, Ui, message_box};

impl ProcedureScreen {
    pub(super) fn finished<'a>(&'a self, ui: &Ui<'a, Message>, f: Finish) -> Element<'a, Message> {
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
        // The result first (reading order), as a live region: a screen
        // reader says it when it appears.
        ui.begin(Group::Notice(tone));
        let headline = ui.text(Role::Heading, title).style(theme::toned(tone));
        let explanation = ui.body(body);
        ui.end();
        let mut facts = column![ui.field(fl!("review-procedure"), self.procedure_name())]
            .spacing(theme::space::S);
        if let Some(r) = self.engine.resident() {
            facts = facts.push(ui.field(fl!("ui-applicant"), r.name.as_str()));
        }
        if let Some(reply) = self.engine.reply() {
            let a = &reply.answer;
            // 2.1.9 shows when the revocation was accepted (受理日時); the
            // other results when the window checked (確認日時).
            facts = facts.push(if f == Finish::Accepted {
                let at = a.accepted_at.as_ref().unwrap_or(&a.checked_at);
                ui.field(fl!("result-received-at"), when(at))
            } else {
                ui.field(fl!("result-checked-at"), when(&a.checked_at))
            });
            if let Some(id) = &a.receipt_id {
                facts = facts.push(ui.field(fl!("result-receipt"), id.clone()));
            }
            if let Some(t) = &a.accepted_at
                && f != Finish::Accepted
            {
                facts = facts.push(ui.field(fl!("result-accepted-at"), when(t)));
            }
            if let Some(t) = &a.revoked_at {
                facts = facts.push(ui.field(fl!("result-revoked-at"), when(t)));
            }
        }
        let mut col = column![
            headline,
            explanation,
            container(facts)
                .padding(theme::space::M)
                .width(Length::Fill)
                .style(theme::panel),
        ]
        .spacing(theme::space::L);
        if f == Finish::IssuerError {
            col = col.push(self.issuer_comparison(ui));
        }
        if let Some(n) = f.number()
            && (ui.counter() || self.show_details)
        {
            col = col.push(message_box::view(ui, n, tone, true, self.engine.detail()));
        }
        col = col.push(ui.notice(
            Tone::Info,
            fl!("result-remove-card"),
            ui.counter().then(|| fl!("ui-counter-wipe-note")),
        ));
        // No default Enter: a second Enter pressed while the window
        // answered would close the result, and its receipt number, unread.
        // Enter on 閉じる (Tab) or Escape closes it.
        ui.on_escape(Message::Act(ActionKind::Close));
        col.into()
    }

    pub(super) fn problem<'a>(&self, ui: &Ui<'a, Message>, p: &Problem) -> Element<'a, Message> {
        let tone = match p {
            Problem::Busy | Problem::ChallengeInvalid | Problem::Expired { .. } => Tone::Warning,
            Problem::Network { sent: true, .. } => Tone::Warning,
            _ => Tone::Danger,
        };
        let mut col = column![].spacing(theme::space::L);
        let heading = self.problem_heading(p);
        col = col.push(ui.heading(heading));
        if let Problem::Locked = p {
            col = col.push(ui.body(if self.revocation() {
                fl!("ui-locked-body-revocation")
            } else {
                fl!("ui-locked-body-validity")
            }));
        }
        col = col.push(message_box::view(
            ui,
            p.number(),
            tone,
            ui.counter() || self.show_details,
            self.engine.detail(),
        ));
        if let Problem::IssuerMismatch = p {
            col = col.push(self.issuer_comparison(ui));
        }
        // Several cards, or only a virtual reader: the resident chooses.
        if let Problem::CardNotReady { number: 118 | 119 } = p {
            col = col.push(ui.button(
                "choose-reader",
                fl!("ui-reader-choose"),
                Some(Message::ChooseReader),
                ButtonKind::Primary,
            ));
        }
        // 2.2.2 / 2.2.3: the manual says start over; with a signed request
        // the main button resends it instead. Say why that is the same, and
        // safe.
        if matches!(p, Problem::Busy | Problem::ServiceError)
            && self.engine.allowed().contains(&ActionKind::Resend)
        {
            col = col.push(ui.notice(Tone::Info, fl!("ui-resend-safe"), None));
        }
        if let Problem::Network { sent: true, .. } = p {
            col = col.push(ui.notice(Tone::Info, fl!("network-sent-unknown"), None));
        }
        if !ui.counter() {
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

    /// 2.2.11 / 3.1.10 for the resident, in every mode: what to do if this
    /// comes again, the certificate's issuer and the expected one.
    pub(super) fn issuer_comparison<'a>(&self, ui: &Ui<'a, Message>) -> Element<'a, Message> {
        let c = presentation::issuer_comparison(
            self.engine.resident().map(|r| r.issuer.as_str()),
            &self.engine.options().expected_issuers,
        );
        // In reading order: the guidance, then the two names.
        let guidance = ui.body(c.guidance);
        let mut names = column![].spacing(theme::space::S);
        if let Some(actual) = c.actual {
            names = names.push(ui.field(c.actual_label, actual));
        }
        names = names.push(ui.field(c.expected_label, c.expected.join("\n")));
        column![
            guidance,
            container(names)
                .padding(theme::space::M)
                .width(Length::Fill)
                .style(theme::panel),
        ]
        .spacing(theme::space::M)
        .into()
    }

    /// The manual's screen name for a message.
    pub(super) fn problem_heading(&self, p: &Problem) -> String {
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
}
