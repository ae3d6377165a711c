//! What the engine shows: one [`Screen`] per screen, dialog and message of
//! the manual (chapters 2 and 3), with the manual section for each
//! procedure and the buttons it offers.
//!
//! Section numbers follow the manual's body text. Chapter 3's table of
//! contents is off by one from 3.1.2 on (it lists the import screen as
//! 3.1.2 and the results as 3.1.8–3.1.11); the body, the wire types and
//! this module say 3.1.3 and 3.1.9–3.1.12.

use madoguchi_card::{FormatError, PasswordState};
use madoguchi_pki::request::Procedure;
use serde::Serialize;

/// Which of the two password dialogs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordStep {
    /// ログイン (2.1.4 / 3.1.4): to read the certificate.
    Login,
    /// ログイン again (2.1.7 / 3.1.7): to sign.
    Signing,
}

/// What the password dialog says about the previous entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordNotice {
    /// The card rejected the password (E110).
    Wrong { tries_left: u8 },
    /// Not 6–16 characters of A–Z, 0–9; nothing was sent (E113).
    Format(FormatError),
    /// The password the card just rejected; nothing was sent (E114).
    SameAsRejected,
    /// The count fell to 1 meanwhile; nothing was sent (E115).
    LastTryNotConfirmed,
    /// After E120 the card's count was read again (without a password):
    /// `before` was shown for the unanswered entry, `now` is the card's.
    CountReadAgain { before: Option<u8>, now: Option<u8> },
}

impl PasswordNotice {
    /// The catalogue entry explaining it.
    pub fn number(&self) -> u16 {
        match self {
            PasswordNotice::Wrong { .. } => 110,
            PasswordNotice::Format(_) => 113,
            PasswordNotice::SameAsRejected => 114,
            PasswordNotice::LastTryNotConfirmed => 115,
            PasswordNotice::CountReadAgain { .. } => 120,
        }
    }

    /// Whether a password reached the card (and the card counted it).
    pub fn was_sent(&self) -> bool {
        match self {
            PasswordNotice::Wrong { .. } => true,
            PasswordNotice::CountReadAgain {
                before: Some(b),
                now: Some(n),
            } => n < b,
            _ => false,
        }
    }
}

/// Work in progress: card or network, off the caller's thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "activity", rename_all = "snake_case")]
pub enum Activity {
    /// Connecting to the card, reading the type and the tries left.
    ReadingCard,
    /// Reading the tries left before the second login (2.1.7).
    ReadingTries,
    /// VERIFY (and, after the first, reading the certificate).
    CheckingPassword { step: PasswordStep },
    /// Getting a challenge from the online window.
    ContactingWindow,
    /// The card signs the request document.
    Signing,
    /// The signed request is on its way.
    Sending,
    /// The window is busy: waiting `seconds` before trying again.
    WaitingToRetry {
        seconds: u64,
        wait: u32,
        of: u32,
        sending: bool,
    },
}

/// A definite answer of the online window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    /// 2.1.9 オンライン失効申請の受理通知.
    Accepted,
    /// 2.2.14 失効済電子証明書に対する失効申請.
    AlreadyRevoked,
    /// 2.2.15 同一の電子証明書に対する二重の失効申請.
    DuplicateRequest,
    /// 3.1.9 結果通知: 有効.
    Valid,
    /// 3.1.10 結果通知: 有効性確認のエラー (issuer not a JPKI CA).
    IssuerError,
    /// 3.1.11 結果通知: 失効済み.
    Revoked,
    /// 3.1.12 結果通知: オンライン失効受理済み.
    RevocationAccepted,
}

impl Finish {
    pub fn section(self) -> &'static str {
        match self {
            Finish::Accepted => "2.1.9",
            Finish::AlreadyRevoked => "2.2.14",
            Finish::DuplicateRequest => "2.2.15",
            Finish::Valid => "3.1.9",
            Finish::IssuerError => "3.1.10",
            Finish::Revoked => "3.1.11",
            Finish::RevocationAccepted => "3.1.12",
        }
    }

    /// The catalogue entry, for the answers the manual lists as messages.
    pub fn number(self) -> Option<u16> {
        match self {
            Finish::AlreadyRevoked => Some(408),
            Finish::DuplicateRequest => Some(409),
            Finish::IssuerError => Some(404),
            _ => None,
        }
    }

    /// Snake-case name (also the CLI's JSON `result`).
    pub fn key(self) -> &'static str {
        match self {
            Finish::Accepted => "accepted",
            Finish::AlreadyRevoked => "already_revoked",
            Finish::DuplicateRequest => "duplicate_request",
            Finish::Valid => "valid",
            Finish::IssuerError => "issuer_error",
            Finish::Revoked => "revoked",
            Finish::RevocationAccepted => "revocation_accepted",
        }
    }
}

/// Who found a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Found {
    /// Madoguchi, before anything was signed or sent.
    Locally,
    /// The online window.
    ByWindow,
}

/// What the local issuer check found (warning before the document).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuerFinding {
    /// The issuer is not a known JPKI signing CA (2.2.11 / 3.1.10, E202).
    UnknownIssuer,
    /// A known CA's name, but its signature does not verify (2.2.12 /
    /// 3.2.11, E203).
    BadSignature,
}

impl IssuerFinding {
    pub fn number(self) -> u16 {
        match self {
            IssuerFinding::UnknownIssuer => 202,
            IssuerFinding::BadSignature => 203,
        }
    }
}

/// A message of 2.2 / 3.2 (or one the original did not have).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// 2.2.2 / 3.2.2 混雑 (E401).
    Busy,
    /// 2.2.3 / 3.2.3 サービスのエラー (E402).
    ServiceError,
    /// 2.2.4 / 3.2.4 利用者クライアントソフトの確認: the smart-card service
    /// is not available (E101).
    CardService,
    /// 2.2.5 / 3.2.5 ICカード準備エラー: no reader, no card, not a My
    /// Number card, card in use.
    CardNotReady { number: u16 },
    /// 2.2.6 / 3.2.6 予期しないエラー: card removed, no answer, reader
    /// failure.
    Unexpected { number: u16 },
    /// 2.2.7 / 3.2.7 パスワードロック (E111).
    Locked,
    /// 2.2.8 / 3.2.8 取込みエラー.
    ImportFailed { number: u16 },
    /// 2.2.9 / 3.2.9 有効期限切れ (E201 locally, E407 by the window).
    Expired { found: Found },
    /// 2.2.10 / 3.2.10 受信データの形式エラー (E403).
    Malformed,
    /// 2.2.11 電子証明書の有効性確認のエラー (E404; revocation only — the
    /// validity check shows [`Finish::IssuerError`]).
    IssuerMismatch,
    /// 2.2.12 / 3.2.11 電子証明書の検証エラー (E405).
    CertificateInvalid,
    /// 2.2.13 / 3.2.12 申請書の検証エラー (E406 by the window; E207 when
    /// the card's signature does not match its certificate).
    SignatureInvalid { found: Found },
    /// The window did not accept the challenge (expired or used): sign
    /// again (E410; no manual counterpart).
    ChallengeInvalid,
    /// The online window could not be reached or answered oddly (3xx).
    /// `sent`: the signed request may have arrived.
    Network { number: u16, sent: bool },
}

impl Problem {
    /// The catalogue entry.
    pub fn number(&self) -> u16 {
        match self {
            Problem::Busy => 401,
            Problem::ServiceError => 402,
            Problem::CardService => 101,
            Problem::CardNotReady { number }
            | Problem::Unexpected { number }
            | Problem::ImportFailed { number }
            | Problem::Network { number, .. } => *number,
            Problem::Locked => 111,
            Problem::Expired {
                found: Found::Locally,
            } => 201,
            Problem::Expired {
                found: Found::ByWindow,
            } => 407,
            Problem::Malformed => 403,
            Problem::IssuerMismatch => 404,
            Problem::CertificateInvalid => 405,
            Problem::SignatureInvalid {
                found: Found::ByWindow,
            } => 406,
            Problem::SignatureInvalid {
                found: Found::Locally,
            } => 207,
            Problem::ChallengeInvalid => 410,
        }
    }

    /// The manual section, per procedure.
    pub fn section(&self, procedure: Procedure) -> Option<&'static str> {
        let revocation = procedure == Procedure::Revocation;
        let pick = |r: &'static str, v: &'static str| Some(if revocation { r } else { v });
        match self {
            Problem::Busy => pick("2.2.2", "3.2.2"),
            Problem::ServiceError => pick("2.2.3", "3.2.3"),
            Problem::CardService => pick("2.2.4", "3.2.4"),
            Problem::CardNotReady { .. } => pick("2.2.5", "3.2.5"),
            Problem::Unexpected { .. } => pick("2.2.6", "3.2.6"),
            Problem::Locked => pick("2.2.7", "3.2.7"),
            Problem::ImportFailed { .. } => pick("2.2.8", "3.2.8"),
            Problem::Expired { .. } => pick("2.2.9", "3.2.9"),
            Problem::Malformed => pick("2.2.10", "3.2.10"),
            Problem::IssuerMismatch => pick("2.2.11", "3.1.10"),
            Problem::CertificateInvalid => pick("2.2.12", "3.2.11"),
            Problem::SignatureInvalid { .. } => pick("2.2.13", "3.2.12"),
            Problem::ChallengeInvalid | Problem::Network { .. } => None,
        }
    }

    /// Snake-case name (the CLI's JSON `problem`).
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Busy => "busy",
            Problem::ServiceError => "service_error",
            Problem::CardService => "card_service",
            Problem::CardNotReady { .. } => "card_not_ready",
            Problem::Unexpected { .. } => "unexpected",
            Problem::Locked => "locked",
            Problem::ImportFailed { .. } => "import_failed",
            Problem::Expired { .. } => "expired",
            Problem::Malformed => "malformed",
            Problem::IssuerMismatch => "issuer_mismatch",
            Problem::CertificateInvalid => "certificate_invalid",
            Problem::SignatureInvalid { .. } => "signature_invalid",
            Problem::ChallengeInvalid => "challenge_invalid",
            Problem::Network { .. } => "network",
        }
    }
}

/// The step indicator on top of every screen (カード準備 → パスワード →
/// 内容確認 → 電子署名 → 送信 → 結果).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Start,
    CardPreparation,
    Password,
    Review,
    Signature,
    Sending,
    Result,
}

/// Where the procedure is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    /// 2.1.2 / 3.1.2 オンライン窓口トップ画面: before the procedure, and where
    /// "stop the procedure" leads.
    Top,
    /// 2.1.3 / 3.1.3 申請(確認)に必要な情報の取込み: insert the card, OK.
    CardPreparation,
    /// 2.1.4 / 3.1.4 and 2.1.7 / 3.1.7 ログイン: the card's own count, the
    /// previous entry's notice, and whether the last try was confirmed.
    Password {
        step: PasswordStep,
        state: PasswordState,
        notice: Option<PasswordNotice>,
        last_try_confirmed: bool,
    },
    /// The guard's last-try confirmation, before the password is typed
    /// (part of 2.1.4 / 2.1.7): a wrong entry now locks the card.
    LastTryConfirmation {
        step: PasswordStep,
        notice: Option<PasswordNotice>,
    },
    /// Card or network work under way.
    Working(Activity),
    /// The local issuer check failed: warn before the document (the
    /// window will decide; 2.2.11 / 2.2.12).
    IssuerWarning(IssuerFinding),
    /// 2.1.5 / 3.1.5 取込み情報の確認: the application document.
    Review,
    /// 2.1.6 / 3.1.6 署名確認.
    SignConfirmation,
    /// 2.1.8 / 3.1.8 送信確認: sending cannot be undone.
    SendConfirmation,
    /// A definite answer.
    Finished(Finish),
    /// A message of 2.2 / 3.2.
    Problem(Problem),
}

impl Screen {
    /// The manual section shown, for `procedure`.
    pub fn section(&self, procedure: Procedure) -> Option<&'static str> {
        let revocation = procedure == Procedure::Revocation;
        let pick = |r: &'static str, v: &'static str| Some(if revocation { r } else { v });
        match self {
            Screen::Top => pick("2.1.2", "3.1.2"),
            Screen::CardPreparation | Screen::Working(Activity::ReadingCard) => {
                pick("2.1.3", "3.1.3")
            }
            Screen::Password {
                step: PasswordStep::Login,
                ..
            }
            | Screen::LastTryConfirmation {
                step: PasswordStep::Login,
                ..
            }
            | Screen::Working(Activity::CheckingPassword {
                step: PasswordStep::Login,
            }) => pick("2.1.4", "3.1.4"),
            Screen::Review => pick("2.1.5", "3.1.5"),
            Screen::SignConfirmation | Screen::Working(Activity::ContactingWindow) => {
                pick("2.1.6", "3.1.6")
            }
            Screen::Password {
                step: PasswordStep::Signing,
                ..
            }
            | Screen::LastTryConfirmation {
                step: PasswordStep::Signing,
                ..
            }
            | Screen::Working(Activity::CheckingPassword {
                step: PasswordStep::Signing,
            })
            | Screen::Working(Activity::ReadingTries)
            | Screen::Working(Activity::Signing) => pick("2.1.7", "3.1.7"),
            Screen::SendConfirmation
            | Screen::Working(Activity::Sending)
            | Screen::Working(Activity::WaitingToRetry { .. }) => pick("2.1.8", "3.1.8"),
            Screen::IssuerWarning(IssuerFinding::UnknownIssuer) => pick("2.2.11", "3.1.10"),
            Screen::IssuerWarning(IssuerFinding::BadSignature) => pick("2.2.12", "3.2.11"),
            Screen::Finished(f) => Some(f.section()),
            Screen::Problem(p) => p.section(procedure),
        }
    }

    /// The step indicator's position.
    pub fn step(&self) -> Step {
        match self {
            Screen::Top => Step::Start,
            Screen::CardPreparation | Screen::Working(Activity::ReadingCard) => {
                Step::CardPreparation
            }
            Screen::Password {
                step: PasswordStep::Login,
                ..
            }
            | Screen::LastTryConfirmation {
                step: PasswordStep::Login,
                ..
            }
            | Screen::Working(Activity::CheckingPassword {
                step: PasswordStep::Login,
            }) => Step::Password,
            Screen::IssuerWarning(_) | Screen::Review => Step::Review,
            Screen::SignConfirmation
            | Screen::Working(Activity::ContactingWindow)
            | Screen::Password { .. }
            | Screen::LastTryConfirmation { .. }
            | Screen::Working(Activity::CheckingPassword { .. })
            | Screen::Working(Activity::ReadingTries)
            | Screen::Working(Activity::Signing) => Step::Signature,
            Screen::SendConfirmation
            | Screen::Working(Activity::Sending)
            | Screen::Working(Activity::WaitingToRetry { .. }) => Step::Sending,
            Screen::Finished(_) | Screen::Problem(_) => Step::Result,
        }
    }

    /// Snake-case name of the screen kind (logs, JSON).
    pub fn key(&self) -> &'static str {
        match self {
            Screen::Top => "top",
            Screen::CardPreparation => "card_preparation",
            Screen::Password { .. } => "password",
            Screen::LastTryConfirmation { .. } => "last_try_confirmation",
            Screen::Working(_) => "working",
            Screen::IssuerWarning(_) => "issuer_warning",
            Screen::Review => "review",
            Screen::SignConfirmation => "sign_confirmation",
            Screen::SendConfirmation => "send_confirmation",
            Screen::Finished(f) => f.key(),
            Screen::Problem(p) => p.key(),
        }
    }

    /// The catalogue entry of a problem, warning or message-like result.
    pub fn number(&self) -> Option<u16> {
        match self {
            Screen::Problem(p) => Some(p.number()),
            Screen::Finished(f) => f.number(),
            Screen::IssuerWarning(w) => Some(w.number()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_and_warning_has_a_catalogue_entry() {
        let problems = [
            Problem::Busy,
            Problem::ServiceError,
            Problem::CardService,
            Problem::Locked,
            Problem::Expired {
                found: Found::Locally,
            },
            Problem::Expired {
                found: Found::ByWindow,
            },
            Problem::Malformed,
            Problem::IssuerMismatch,
            Problem::CertificateInvalid,
            Problem::SignatureInvalid {
                found: Found::Locally,
            },
            Problem::SignatureInvalid {
                found: Found::ByWindow,
            },
            Problem::ChallengeInvalid,
        ];
        for p in problems {
            let e = crate::errors::entry(p.number()).unwrap_or_else(|| panic!("{p:?}"));
            if let Some(s) = p.section(Procedure::Revocation) {
                assert!(e.manual.contains(&s), "{p:?}: {s} not in {:?}", e.manual);
            }
        }
        for f in [IssuerFinding::UnknownIssuer, IssuerFinding::BadSignature] {
            assert!(crate::errors::entry(f.number()).is_some());
        }
        for f in [
            Finish::AlreadyRevoked,
            Finish::DuplicateRequest,
            Finish::IssuerError,
        ] {
            let e = crate::errors::entry(f.number().unwrap()).unwrap();
            assert!(e.manual.contains(&f.section()), "{f:?}");
        }
    }

    #[test]
    fn sections_follow_the_manual_body() {
        use Procedure::*;
        let login = Screen::Password {
            step: PasswordStep::Login,
            state: PasswordState::Normal { tries_left: 5 },
            notice: None,
            last_try_confirmed: false,
        };
        assert_eq!(login.section(Revocation), Some("2.1.4"));
        assert_eq!(login.section(ValidityCheck), Some("3.1.4"));
        assert_eq!(
            Screen::SendConfirmation.section(ValidityCheck),
            Some("3.1.8")
        );
        assert_eq!(
            Screen::Problem(Problem::CertificateInvalid).section(ValidityCheck),
            Some("3.2.11")
        );
        assert_eq!(
            Screen::Problem(Problem::SignatureInvalid {
                found: Found::ByWindow
            })
            .section(ValidityCheck),
            Some("3.2.12")
        );
        assert_eq!(
            Screen::Problem(Problem::ChallengeInvalid).section(Revocation),
            None
        );
        assert_eq!(Screen::Review.step(), Step::Review);
        assert!(Step::CardPreparation < Step::Result);
    }
}
