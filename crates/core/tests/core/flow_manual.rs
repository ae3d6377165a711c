//! Every section of the manual's chapters 2 (revocation) and 3 (validity
//! check), screens 2.1.x / 3.1.x and messages 2.2.x / 3.2.x, walked through
//! the procedure engine with the in-process virtual card and an in-process
//! online window (the reference window, or a scripted one for the answers a
//! correct client cannot provoke). One row per section and path; each test
//! is named after its section. Only "JavaScript オフ" (2.2.1 / 3.2.1) has no
//! counterpart.
//!
//! Each row states the screen reached and what went out: signatures made
//! by the card, whether the signed request was sent, and what arrived at
//! the window (records of the reference window, or every submission the
//! scripted window received).

use crate::flow_support;

use flow_support::*;
use madoguchi_card::{CardError, PasswordState, StatusWord};
use madoguchi_core::flow::{
    Action, Finish, Found, IssuerFinding, PasswordNotice, PasswordStep, Problem, Screen,
};
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::Outcome;
use madoguchi_server::config::Limits;
use madoguchi_sim::FailRule;

/// Which window a row talks to.
#[derive(Clone, Copy)]
enum Win {
    Reference,
    /// The reference window answering `busy` while a test holds its only
    /// request permit (Retry-After 1 s).
    ReferenceBusy,
    Fake(fn() -> Vec<Scripted>),
}

/// What a row's environment offers to its steps.
struct Env {
    card: TestCard,
    url: String,
    reference: Option<Reference>,
    fake: Option<FakeWindow>,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Env {
    /// Hold the window's only request permit: it answers `busy`.
    fn make_busy(&mut self) {
        let limiter = self.reference.as_ref().unwrap().window.limiter();
        self.permit = Some(limiter.try_acquire_owned().unwrap());
    }

    fn end_busy(&mut self) {
        self.permit = None;
    }

    /// A revocation of this card, accepted, before the row's own walk.
    fn revoke_first(&mut self) {
        let mut w = Walk::new(
            Procedure::Revocation,
            options(3),
            &self.card,
            client(&self.url),
        );
        assert_eq!(*w.run_through(), Screen::Finished(Finish::Accepted));
    }

    fn issue_crl(&mut self) {
        self.reference.as_ref().unwrap().issue_crl();
    }

    /// Move the window's clock past the certificate's expiry.
    fn expire_at_window(&mut self) {
        let w = &self.reference.as_ref().unwrap().window;
        w.clock().advance(20 * 365 * 86400);
    }

    fn arrived(&self) -> usize {
        match (&self.reference, &self.fake) {
            (Some(r), _) => r.records(),
            (_, Some(f)) => f.submissions().len(),
            _ => 0,
        }
    }
}

#[derive(Clone, Copy)]
enum Step {
    Start,
    Ok,
    Pw(&'static str),
    Cancel,
    Back,
    Stop,
    Continue,
    Sign,
    Confirm,
    ConfirmLastTry,
    Close,
    Resend,
    /// Start → OK → right password: 2.1.5 (or the issuer warning).
    Login,
    /// The whole procedure with the right password (continuing past an
    /// issuer warning).
    Through,
    Env(fn(&mut Env)),
}

struct Case {
    procedure: Procedure,
    profile: &'static str,
    window: Win,
    card: fn(&TestCard),
    steps: &'static [Step],
    /// The manual section of the screen reached.
    section: &'static str,
    screen: fn(&Screen) -> bool,
    /// Signature commands the card received.
    signatures: Option<usize>,
    /// Whether the signed request was handed to the network.
    sent: Option<bool>,
    /// Records at the reference window / submissions at the scripted one.
    arrived: Option<usize>,
    tries_left: Option<u8>,
    /// VERIFY commands with a password.
    verifies: Option<usize>,
    extra: fn(&Walk, &Env),
}

fn base(procedure: Procedure) -> Case {
    Case {
        procedure,
        profile: "normal",
        window: Win::Reference,
        card: |_| {},
        steps: &[],
        section: "",
        screen: |_| false,
        signatures: None,
        sent: None,
        arrived: None,
        tries_left: None,
        verifies: None,
        extra: |_, _| {},
    }
}

fn rev() -> Case {
    base(Procedure::Revocation)
}

fn val() -> Case {
    base(Procedure::ValidityCheck)
}

fn run(case: Case) {
    let card = TestCard::new(case.profile);
    (case.card)(&card);
    let (reference, fake) = match case.window {
        Win::Reference => (Some(Reference::start(Limits::default())), None),
        Win::ReferenceBusy => (
            Some(Reference::start(Limits {
                max_concurrent_requests: 1,
                retry_after_secs: 1,
                ..Limits::default()
            })),
            None,
        ),
        Win::Fake(script) => (None, Some(FakeWindow::start("server", script()))),
    };
    let url = match (&reference, &fake) {
        (Some(r), _) => r.window.url().to_owned(),
        (_, Some(f)) => f.url(),
        _ => unreachable!(),
    };
    let mut env = Env {
        card: card.clone(),
        url: url.clone(),
        reference,
        fake,
        permit: None,
    };
    let mut walk = Walk::new(case.procedure, options(1), &card, client(&url));
    assert_eq!(walk.section(), Some(top(case.procedure)));
    for step in case.steps {
        match *step {
            Step::Start => {
                walk.act(Action::Start);
            }
            Step::Ok => {
                walk.act(Action::Ok);
            }
            Step::Pw(p) => {
                walk.password(p);
            }
            Step::Cancel => {
                walk.act(Action::Cancel);
            }
            Step::Back => {
                walk.act(Action::Back);
            }
            Step::Stop => {
                walk.act(Action::Stop);
            }
            Step::Continue => {
                walk.act(Action::Continue);
            }
            Step::Sign => {
                walk.act(Action::Sign);
            }
            Step::Confirm => {
                walk.act(Action::Confirm);
            }
            Step::ConfirmLastTry => {
                walk.act(Action::ConfirmLastTry);
            }
            Step::Close => {
                walk.act(Action::Close);
            }
            Step::Resend => {
                walk.act(Action::Resend);
            }
            Step::Login => {
                walk.walk_to_review();
            }
            Step::Through => {
                walk.run_through();
            }
            Step::Env(f) => {
                f(&mut env);
                walk.settle();
            }
        }
    }
    let screen = walk.screen().clone();
    assert_eq!(
        walk.section(),
        Some(case.section),
        "section of {screen:?}; trail {:?}",
        walk.driver.engine().trail()
    );
    assert!(
        (case.screen)(&screen),
        "unexpected screen {screen:?}; trail {:?}; detail {:?}",
        walk.driver.engine().trail(),
        walk.driver.engine().detail()
    );
    if let Some(n) = case.signatures {
        assert_eq!(card.signatures(), n, "signatures made");
    }
    if let Some(s) = case.sent {
        assert_eq!(walk.driver.engine().was_sent(), s, "sent");
    }
    if let Some(n) = case.arrived {
        assert_eq!(env.arrived(), n, "arrived at the window");
    }
    if let Some(n) = case.tries_left {
        assert_eq!(card.tries_left(), n, "tries left");
    }
    if let Some(n) = case.verifies {
        assert_eq!(card.verifies_with_data(), n, "VERIFY with a password");
    }
    (case.extra)(&walk, &env);
}

fn top(p: Procedure) -> &'static str {
    match p {
        Procedure::Revocation => "2.1.2",
        Procedure::ValidityCheck => "3.1.2",
    }
}

macro_rules! manual {
    ($($name:ident => $case:expr;)*) => {
        $(
            #[test]
            fn $name() {
                run($case);
            }
        )*
    };
}

use Step::*;

const REVIEW: &[Step] = &[Login];
const SEND_CONFIRMATION: &[Step] = &[Login, Sign, Confirm, Pw(PASSWORD)];

/// From now on the card answers READ BINARY with `65 81` (memory failure).
fn fail_reads(e: &mut Env) {
    e.card
        .faults
        .fail(FailRule::new(0xB0, StatusWord::from_u16(0x6581)));
}

fn scripted(outcome: Outcome) -> Vec<Scripted> {
    vec![Scripted::outcome(outcome)]
}

manual! {
    // ───────────── Chapter 2: 自己の電子証明書の失効申請 ─────────────

    s2_1_1_access_shows_the_windows_server_certificate => Case {
        steps: &[Login, Sign, Confirm],
        section: "2.1.7",
        screen: |s| matches!(s, Screen::Password { step: PasswordStep::Signing, .. }),
        extra: |w, _| {
            let id = w.driver.executor().client().unwrap().last_identity().expect("identity");
            assert!(id.subject.contains("Madoguchi Test"), "{id:?}");
            let der = std::fs::read(pki_dir().join("server.der")).unwrap();
            let fp = madoguchi_core::client::colon_hex(&madoguchi_pki::cms::sha256(&der));
            assert_eq!(id.sha256_fingerprint, fp);
            assert!(id.issuer.contains("TLS CA"), "{id:?}");
        },
        ..rev()
    };
    s2_1_2_stopping_at_card_preparation_returns_to_the_top_screen => Case {
        steps: &[Start, Stop],
        section: "2.1.2",
        screen: |s| *s == Screen::Top,
        extra: |w, _| assert!(w.card.apdus().is_empty(), "the card was not touched"),
        ..rev()
    };
    s2_1_3_card_preparation_waits_for_ok => Case {
        steps: &[Start],
        section: "2.1.3",
        screen: |s| *s == Screen::CardPreparation,
        extra: |w, _| assert!(w.card.apdus().is_empty()),
        ..rev()
    };
    s2_1_4_login_shows_the_cards_count_without_spending_a_try => Case {
        steps: &[Start, Ok],
        section: "2.1.4",
        screen: |s| matches!(s, Screen::Password { step: PasswordStep::Login, state: PasswordState::Normal { tries_left: 5 }, notice: None, .. }),
        verifies: Some(0),
        tries_left: Some(5),
        ..rev()
    };
    s2_1_4_cancel_returns_to_2_1_3 => Case {
        steps: &[Start, Ok, Cancel],
        section: "2.1.3",
        screen: |s| *s == Screen::CardPreparation,
        verifies: Some(0),
        ..rev()
    };
    s2_1_4_wrong_password_shows_the_new_count => Case {
        steps: &[Start, Ok, Pw("WRONG1")],
        section: "2.1.4",
        screen: |s| matches!(s, Screen::Password { notice: Some(PasswordNotice::Wrong { tries_left: 4 }), state: PasswordState::Normal { tries_left: 4 }, .. }),
        tries_left: Some(4),
        verifies: Some(1),
        ..rev()
    };
    s2_1_4_malformed_password_is_never_sent => Case {
        steps: &[Start, Ok, Pw("ab-1")],
        section: "2.1.4",
        screen: |s| matches!(s, Screen::Password { notice: Some(PasswordNotice::Format(_)), .. }),
        tries_left: Some(5),
        verifies: Some(0),
        ..rev()
    };
    s2_1_4_the_password_just_rejected_is_not_sent_again => Case {
        steps: &[Start, Ok, Pw("WRONG1"), Pw("wrong1")],
        section: "2.1.4",
        screen: |s| matches!(s, Screen::Password { notice: Some(PasswordNotice::SameAsRejected), .. }),
        tries_left: Some(4),
        verifies: Some(1),
        ..rev()
    };
    s2_1_4_the_rejected_password_is_remembered_after_cancel => Case {
        steps: &[Start, Ok, Pw("WRONG1"), Cancel, Ok, Pw("wrong1")],
        section: "2.1.4",
        screen: |s| matches!(s, Screen::Password { notice: Some(PasswordNotice::SameAsRejected), .. }),
        tries_left: Some(4),
        verifies: Some(1),
        ..rev()
    };
    s2_1_4_two_tries_left_warns => Case {
        steps: &[Start, Ok, Pw("WRONG1"), Pw("WRONG2"), Pw("WRONG3")],
        section: "2.1.4",
        screen: |s| matches!(s, Screen::Password { state: PasswordState::Warning { tries_left: 2 }, .. }),
        tries_left: Some(2),
        ..rev()
    };
    s2_1_4_last_try_is_confirmed_before_the_password => Case {
        profile: "one-try-left",
        steps: &[Start, Ok],
        section: "2.1.4",
        screen: |s| matches!(s, Screen::LastTryConfirmation { step: PasswordStep::Login, notice: None }),
        verifies: Some(0),
        ..rev()
    };
    s2_1_4_last_try_confirmed_then_accepted => Case {
        profile: "one-try-left",
        steps: &[Start, Ok, ConfirmLastTry, Pw(PASSWORD)],
        section: "2.1.5",
        screen: |s| *s == Screen::Review,
        tries_left: Some(5),
        verifies: Some(1),
        ..rev()
    };
    s2_1_4_last_try_cancelled_returns_to_2_1_3 => Case {
        profile: "one-try-left",
        steps: &[Start, Ok, Cancel],
        section: "2.1.3",
        screen: |s| *s == Screen::CardPreparation,
        tries_left: Some(1),
        verifies: Some(0),
        ..rev()
    };
    s2_1_5_imported_information_is_the_application_document => Case {
        steps: REVIEW,
        section: "2.1.5",
        screen: |s| *s == Screen::Review,
        signatures: Some(0),
        extra: |w, _| {
            let r = w.driver.engine().resident().expect("imported");
            assert_eq!(r.name.as_str(), "吉田　太郎");
            assert_eq!(r.birth_ja.as_str(), "昭和33年8月10日");
            assert_eq!(r.addressee.salutation, "地方公共団体情報システム機構（テスト）理事長殿");
            assert!(r.address.starts_with("東京都千代田区霞が関"));
        },
        ..rev()
    };
    s2_1_5_back_returns_to_2_1_3_and_forgets_the_data => Case {
        steps: &[Login, Back],
        section: "2.1.3",
        screen: |s| *s == Screen::CardPreparation,
        extra: |w, _| assert!(w.driver.engine().resident().is_none()),
        ..rev()
    };
    s2_1_5_stop_returns_to_the_top_screen => Case {
        steps: &[Login, Stop],
        section: "2.1.2",
        screen: |s| *s == Screen::Top,
        signatures: Some(0),
        extra: |w, _| assert!(w.driver.engine().resident().is_none()),
        ..rev()
    };
    s2_1_6_signing_confirmation => Case {
        steps: &[Login, Sign],
        section: "2.1.6",
        screen: |s| *s == Screen::SignConfirmation,
        signatures: Some(0),
        ..rev()
    };
    s2_1_6_cancel_signing_returns_to_2_1_5 => Case {
        steps: &[Login, Sign, Cancel],
        section: "2.1.5",
        screen: |s| *s == Screen::Review,
        signatures: Some(0),
        ..rev()
    };
    s2_1_7_second_login_before_the_signature => Case {
        steps: &[Login, Sign, Confirm],
        section: "2.1.7",
        screen: |s| matches!(s, Screen::Password { step: PasswordStep::Signing, state: PasswordState::Normal { tries_left: 5 }, .. }),
        signatures: Some(0),
        verifies: Some(1),
        ..rev()
    };
    s2_1_7_cancel_returns_to_2_1_5 => Case {
        steps: &[Login, Sign, Confirm, Cancel],
        section: "2.1.5",
        screen: |s| *s == Screen::Review,
        signatures: Some(0),
        ..rev()
    };
    s2_1_7_wrong_password_makes_no_signature => Case {
        steps: &[Login, Sign, Confirm, Pw("WRONG1")],
        section: "2.1.7",
        screen: |s| matches!(s, Screen::Password { step: PasswordStep::Signing, notice: Some(PasswordNotice::Wrong { tries_left: 4 }), .. }),
        signatures: Some(0),
        tries_left: Some(4),
        ..rev()
    };
    s2_1_8_send_confirmation_after_the_signature => Case {
        window: Win::Fake(Vec::new),
        steps: SEND_CONFIRMATION,
        section: "2.1.8",
        screen: |s| *s == Screen::SendConfirmation,
        signatures: Some(1),
        sent: Some(false),
        arrived: Some(0),
        ..rev()
    };
    s2_1_8_cancel_sending_returns_to_2_1_5_and_sends_nothing => Case {
        window: Win::Fake(Vec::new),
        steps: &[Login, Sign, Confirm, Pw(PASSWORD), Cancel],
        section: "2.1.5",
        screen: |s| *s == Screen::Review,
        signatures: Some(1),
        sent: Some(false),
        arrived: Some(0),
        extra: |w, _| assert!(w.driver.engine().signed_request().is_none()),
        ..rev()
    };
    s2_1_9_revocation_accepted => Case {
        steps: &[Through],
        section: "2.1.9",
        screen: |s| *s == Screen::Finished(Finish::Accepted),
        signatures: Some(1),
        sent: Some(true),
        arrived: Some(1),
        tries_left: Some(5),
        extra: |w, _| {
            let reply = w.driver.engine().reply().unwrap();
            assert!(reply.answer.receipt_id.is_some());
            assert_eq!(reply.resends, 0);
        },
        ..rev()
    };
    s2_2_2_busy_window_is_waited_for_then_shown => Case {
        window: Win::ReferenceBusy,
        steps: &[Login, Sign, Confirm, Pw(PASSWORD), Env(Env::make_busy), Confirm],
        section: "2.2.2",
        screen: |s| *s == Screen::Problem(Problem::Busy),
        signatures: Some(1),
        sent: Some(true),
        arrived: Some(0),
        extra: |w, _| assert!(w.driver.engine().trail().contains(&"2.1.8")),
        ..rev()
    };
    s2_2_2_busy_then_the_same_request_is_resent => Case {
        window: Win::ReferenceBusy,
        steps: &[Login, Sign, Confirm, Pw(PASSWORD), Env(Env::make_busy), Confirm, Env(Env::end_busy), Resend],
        section: "2.1.9",
        screen: |s| *s == Screen::Finished(Finish::Accepted),
        signatures: Some(1),
        arrived: Some(1),
        ..rev()
    };
    s2_2_2_busy_before_signing_makes_no_signature => Case {
        window: Win::ReferenceBusy,
        steps: &[Login, Sign, Env(Env::make_busy), Confirm],
        section: "2.2.2",
        screen: |s| *s == Screen::Problem(Problem::Busy),
        signatures: Some(0),
        sent: Some(false),
        arrived: Some(0),
        ..rev()
    };
    s2_2_3_service_error => Case {
        window: Win::Fake(|| scripted(Outcome::ServiceError)),
        steps: &[Through],
        section: "2.2.3",
        screen: |s| *s == Screen::Problem(Problem::ServiceError),
        arrived: Some(1),
        ..rev()
    };
    s2_2_4_smart_card_service_unavailable => Case {
        card: |c| c.fail_open(Some(CardError::ServiceUnavailable)),
        steps: &[Start, Ok],
        section: "2.2.4",
        screen: |s| *s == Screen::Problem(Problem::CardService),
        ..rev()
    };
    s2_2_5_no_reader => Case {
        card: |c| c.fail_open(Some(CardError::NoReader)),
        steps: &[Start, Ok],
        section: "2.2.5",
        screen: |s| *s == Screen::Problem(Problem::CardNotReady { number: 102 }),
        ..rev()
    };
    s2_2_5_no_card_then_ok_after_inserting_it => Case {
        card: |c| c.fail_open(Some(CardError::NoCard)),
        steps: &[Start, Ok, Env(|e| e.card.fail_open(None)), Ok],
        section: "2.1.4",
        screen: |s| matches!(s, Screen::Password { step: PasswordStep::Login, .. }),
        extra: |w, _| assert!(w.driver.engine().trail().contains(&"2.2.5")),
        ..rev()
    };
    s2_2_5_not_a_my_number_card => Case {
        card: |c| c.faults.fail(FailRule::new(0xA4, StatusWord::FileNotFound).p1(0x04)),
        steps: &[Start, Ok],
        section: "2.2.5",
        screen: |s| *s == Screen::Problem(Problem::CardNotReady { number: 105 }),
        ..rev()
    };
    s2_2_6_card_removed_during_login => Case {
        steps: &[Start, Ok, Env(|e| e.card.faults.remove_after(1)), Pw(PASSWORD)],
        section: "2.2.6",
        screen: |s| *s == Screen::Problem(Problem::Unexpected { number: 106 }),
        tries_left: Some(5),
        ..rev()
    };
    s2_2_6_ok_returns_to_2_1_3_and_the_card_is_read_again => Case {
        steps: &[Start, Ok, Env(|e| e.card.faults.remove_after(1)), Pw(PASSWORD), Ok, Ok],
        section: "2.1.4",
        screen: |s| matches!(s, Screen::Password { step: PasswordStep::Login, .. }),
        extra: |w, _| {
            let t = w.driver.engine().trail();
            assert!(t.windows(2).any(|p| p == ["2.2.6", "2.1.3"]), "{t:?}");
        },
        ..rev()
    };
    s2_2_6_card_removed_at_the_document => Case {
        steps: &[Login, Env(|e| e.card.remove())],
        section: "2.2.6",
        screen: |s| *s == Screen::Problem(Problem::Unexpected { number: 106 }),
        ..rev()
    };
    s2_2_7_locked_card_gets_no_password => Case {
        profile: "locked",
        steps: &[Start, Ok],
        section: "2.2.7",
        screen: |s| *s == Screen::Problem(Problem::Locked),
        verifies: Some(0),
        tries_left: Some(0),
        ..rev()
    };
    s2_2_7_wrong_last_try_locks => Case {
        profile: "one-try-left",
        steps: &[Start, Ok, ConfirmLastTry, Pw("WRONG1")],
        section: "2.2.7",
        screen: |s| *s == Screen::Problem(Problem::Locked),
        verifies: Some(1),
        tries_left: Some(0),
        ..rev()
    };
    s2_2_8_import_error_then_back_to_2_1_3 => Case {
        steps: &[Start, Ok, Env(fail_reads), Pw(PASSWORD)],
        section: "2.2.8",
        screen: |s| matches!(s, Screen::Problem(Problem::ImportFailed { .. })),
        signatures: Some(0),
        ..rev()
    };
    s2_2_8_back_returns_to_2_1_3 => Case {
        steps: &[Start, Ok, Env(fail_reads), Pw(PASSWORD), Back],
        section: "2.1.3",
        screen: |s| *s == Screen::CardPreparation,
        ..rev()
    };
    s2_2_9_expired_certificate_stops_before_any_signature => Case {
        profile: "expired",
        window: Win::Fake(Vec::new),
        steps: REVIEW,
        section: "2.2.9",
        screen: |s| *s == Screen::Problem(Problem::Expired { found: Found::Locally }),
        signatures: Some(0),
        sent: Some(false),
        arrived: Some(0),
        extra: |_, e| assert_eq!(e.fake.as_ref().unwrap().challenges(), 0),
        ..rev()
    };
    s2_2_9_expired_at_the_window => Case {
        steps: &[Login, Sign, Env(Env::expire_at_window), Confirm, Pw(PASSWORD), Confirm],
        section: "2.2.9",
        screen: |s| *s == Screen::Problem(Problem::Expired { found: Found::ByWindow }),
        sent: Some(true),
        arrived: Some(0),
        ..rev()
    };
    s2_2_10_malformed_data_then_back => Case {
        window: Win::Fake(|| scripted(Outcome::MalformedRequest)),
        steps: &[Through, Back],
        section: "2.1.3",
        screen: |s| *s == Screen::CardPreparation,
        arrived: Some(1),
        extra: |w, _| assert!(w.driver.engine().trail().contains(&"2.2.10")),
        ..rev()
    };
    s2_2_10_malformed_data => Case {
        window: Win::Fake(|| scripted(Outcome::MalformedRequest)),
        steps: &[Through],
        section: "2.2.10",
        screen: |s| *s == Screen::Problem(Problem::Malformed),
        ..rev()
    };
    s2_2_11_unknown_issuer_is_warned_before_the_document => Case {
        profile: "foreign-ca",
        steps: REVIEW,
        section: "2.2.11",
        screen: |s| *s == Screen::IssuerWarning(IssuerFinding::UnknownIssuer),
        signatures: Some(0),
        ..rev()
    };
    s2_2_11_issuer_mismatch_at_the_window => Case {
        profile: "foreign-ca",
        steps: &[Through],
        section: "2.2.11",
        screen: |s| *s == Screen::Problem(Problem::IssuerMismatch),
        sent: Some(true),
        arrived: Some(0),
        ..rev()
    };
    s2_2_11_continuing_past_the_warning_shows_the_document => Case {
        profile: "foreign-ca",
        steps: &[Login, Continue],
        section: "2.1.5",
        screen: |s| *s == Screen::Review,
        signatures: Some(0),
        ..rev()
    };
    s2_2_12_forged_issuer_signature_is_warned => Case {
        profile: "impostor-ca",
        steps: REVIEW,
        section: "2.2.12",
        screen: |s| *s == Screen::IssuerWarning(IssuerFinding::BadSignature),
        ..rev()
    };
    s2_2_12_certificate_verification_error_at_the_window => Case {
        profile: "impostor-ca",
        steps: &[Through],
        section: "2.2.12",
        screen: |s| *s == Screen::Problem(Problem::CertificateInvalid),
        arrived: Some(0),
        ..rev()
    };
    s2_2_13_request_signature_error => Case {
        window: Win::Fake(|| scripted(Outcome::RequestSignatureInvalid)),
        steps: &[Through],
        section: "2.2.13",
        screen: |s| *s == Screen::Problem(Problem::SignatureInvalid { found: Found::ByWindow }),
        arrived: Some(1),
        ..rev()
    };
    s2_2_14_already_revoked => Case {
        steps: &[Env(Env::revoke_first), Env(Env::issue_crl), Through],
        section: "2.2.14",
        screen: |s| *s == Screen::Finished(Finish::AlreadyRevoked),
        arrived: Some(2),
        ..rev()
    };
    s2_2_15_second_revocation_of_the_same_certificate => Case {
        steps: &[Through, Close, Through],
        section: "2.2.15",
        screen: |s| *s == Screen::Finished(Finish::DuplicateRequest),
        signatures: Some(2),
        arrived: Some(2),
        extra: |w, _| {
            let a = &w.driver.engine().reply().unwrap().answer;
            assert!(a.accepted_receipt_id.is_some());
        },
        ..rev()
    };

    // ───────────── Chapter 3: 自己の電子証明書の有効性確認 ─────────────

    s3_1_1_access_shows_the_windows_server_certificate => Case {
        steps: &[Login, Sign, Confirm],
        section: "3.1.7",
        screen: |s| matches!(s, Screen::Password { step: PasswordStep::Signing, .. }),
        extra: |w, _| {
            let id = w.driver.executor().client().unwrap().last_identity().expect("identity");
            assert!(id.subject.contains("Madoguchi Test"), "{id:?}");
            assert_eq!(id.sha256_fingerprint.len(), 32 * 3 - 1);
        },
        ..val()
    };
    s3_1_2_stopping_returns_to_the_top_screen => Case {
        steps: &[Start, Stop],
        section: "3.1.2",
        screen: |s| *s == Screen::Top,
        ..val()
    };
    s3_1_3_card_preparation => Case {
        steps: &[Start],
        section: "3.1.3",
        screen: |s| *s == Screen::CardPreparation,
        ..val()
    };
    s3_1_4_login => Case {
        steps: &[Start, Ok],
        section: "3.1.4",
        screen: |s| matches!(s, Screen::Password { step: PasswordStep::Login, state: PasswordState::Normal { tries_left: 5 }, .. }),
        verifies: Some(0),
        ..val()
    };
    s3_1_4_cancel_returns_to_3_1_3 => Case {
        steps: &[Start, Ok, Cancel],
        section: "3.1.3",
        screen: |s| *s == Screen::CardPreparation,
        ..val()
    };
    s3_1_4_wrong_password => Case {
        steps: &[Start, Ok, Pw("WRONG1")],
        section: "3.1.4",
        screen: |s| matches!(s, Screen::Password { notice: Some(PasswordNotice::Wrong { tries_left: 4 }), .. }),
        tries_left: Some(4),
        ..val()
    };
    s3_1_5_imported_information => Case {
        profile: "rare-kanji",
        steps: &[Start, Ok, Pw("ABCDEFGH12345678")],
        section: "3.1.5",
        screen: |s| *s == Screen::Review,
        extra: |w, _| {
            let r = w.driver.engine().resident().unwrap();
            assert_eq!(r.name.as_str(), "髙﨑　𠮷乃");
            assert_eq!(r.birth_ja.as_str(), "平成元年1月8日");
        },
        ..val()
    };
    s3_1_5_back_returns_to_3_1_3 => Case {
        steps: &[Login, Back],
        section: "3.1.3",
        screen: |s| *s == Screen::CardPreparation,
        ..val()
    };
    s3_1_5_stop_returns_to_the_top_screen => Case {
        steps: &[Login, Stop],
        section: "3.1.2",
        screen: |s| *s == Screen::Top,
        ..val()
    };
    s3_1_6_signing_confirmation_and_cancel => Case {
        steps: &[Login, Sign, Cancel],
        section: "3.1.5",
        screen: |s| *s == Screen::Review,
        signatures: Some(0),
        extra: |w, _| assert!(w.driver.engine().trail().contains(&"3.1.6")),
        ..val()
    };
    s3_1_7_second_login_and_cancel => Case {
        steps: &[Login, Sign, Confirm, Cancel],
        section: "3.1.5",
        screen: |s| *s == Screen::Review,
        signatures: Some(0),
        extra: |w, _| assert!(w.driver.engine().trail().contains(&"3.1.7")),
        ..val()
    };
    s3_1_8_send_confirmation_and_cancel_sends_nothing => Case {
        window: Win::Fake(Vec::new),
        steps: &[Login, Sign, Confirm, Pw(PASSWORD), Cancel],
        section: "3.1.5",
        screen: |s| *s == Screen::Review,
        signatures: Some(1),
        sent: Some(false),
        arrived: Some(0),
        extra: |w, _| assert!(w.driver.engine().trail().contains(&"3.1.8")),
        ..val()
    };
    s3_1_9_valid => Case {
        steps: &[Through],
        section: "3.1.9",
        screen: |s| *s == Screen::Finished(Finish::Valid),
        signatures: Some(1),
        arrived: Some(1),
        ..val()
    };
    s3_1_10_issuer_error => Case {
        profile: "foreign-ca",
        steps: &[Through],
        section: "3.1.10",
        screen: |s| *s == Screen::Finished(Finish::IssuerError),
        sent: Some(true),
        ..val()
    };
    s3_1_10_unknown_issuer_is_warned_before_the_document => Case {
        profile: "foreign-ca",
        steps: REVIEW,
        section: "3.1.10",
        screen: |s| *s == Screen::IssuerWarning(IssuerFinding::UnknownIssuer),
        ..val()
    };
    s3_1_11_revoked => Case {
        steps: &[Env(Env::revoke_first), Env(Env::issue_crl), Through],
        section: "3.1.11",
        screen: |s| *s == Screen::Finished(Finish::Revoked),
        extra: |w, _| assert!(w.driver.engine().reply().unwrap().answer.revoked_at.is_some()),
        ..val()
    };
    s3_1_12_online_revocation_accepted => Case {
        steps: &[Env(Env::revoke_first), Through],
        section: "3.1.12",
        screen: |s| *s == Screen::Finished(Finish::RevocationAccepted),
        arrived: Some(2),
        ..val()
    };
    s3_2_2_busy => Case {
        window: Win::ReferenceBusy,
        steps: &[Login, Sign, Confirm, Pw(PASSWORD), Env(Env::make_busy), Confirm],
        section: "3.2.2",
        screen: |s| *s == Screen::Problem(Problem::Busy),
        arrived: Some(0),
        ..val()
    };
    s3_2_3_service_error => Case {
        window: Win::Fake(|| scripted(Outcome::ServiceError)),
        steps: &[Through],
        section: "3.2.3",
        screen: |s| *s == Screen::Problem(Problem::ServiceError),
        ..val()
    };
    s3_2_4_smart_card_service_unavailable => Case {
        card: |c| c.fail_open(Some(CardError::ServiceUnavailable)),
        steps: &[Start, Ok],
        section: "3.2.4",
        screen: |s| *s == Screen::Problem(Problem::CardService),
        ..val()
    };
    s3_2_5_no_card => Case {
        card: |c| c.fail_open(Some(CardError::NoCard)),
        steps: &[Start, Ok],
        section: "3.2.5",
        screen: |s| *s == Screen::Problem(Problem::CardNotReady { number: 104 }),
        ..val()
    };
    s3_2_6_card_removed_while_signing => Case {
        steps: &[Login, Sign, Confirm, Env(|e| e.card.faults.remove_after(2)), Pw(PASSWORD)],
        section: "3.2.6",
        screen: |s| *s == Screen::Problem(Problem::Unexpected { number: 106 }),
        signatures: Some(0),
        sent: Some(false),
        tries_left: Some(5),
        ..val()
    };
    s3_2_7_locked => Case {
        profile: "locked",
        steps: &[Start, Ok],
        section: "3.2.7",
        screen: |s| *s == Screen::Problem(Problem::Locked),
        verifies: Some(0),
        ..val()
    };
    s3_2_8_import_error => Case {
        steps: &[Start, Ok, Env(fail_reads), Pw(PASSWORD)],
        section: "3.2.8",
        screen: |s| matches!(s, Screen::Problem(Problem::ImportFailed { .. })),
        ..val()
    };
    s3_2_9_expired_certificate_stops_before_any_signature => Case {
        profile: "expired",
        window: Win::Fake(Vec::new),
        steps: REVIEW,
        section: "3.2.9",
        screen: |s| *s == Screen::Problem(Problem::Expired { found: Found::Locally }),
        signatures: Some(0),
        sent: Some(false),
        arrived: Some(0),
        ..val()
    };
    s3_2_10_malformed_data => Case {
        window: Win::Fake(|| scripted(Outcome::MalformedRequest)),
        steps: &[Through],
        section: "3.2.10",
        screen: |s| *s == Screen::Problem(Problem::Malformed),
        ..val()
    };
    s3_2_11_certificate_verification_error => Case {
        profile: "impostor-ca",
        steps: &[Through],
        section: "3.2.11",
        screen: |s| *s == Screen::Problem(Problem::CertificateInvalid),
        ..val()
    };
    s3_2_12_request_signature_error => Case {
        window: Win::Fake(|| scripted(Outcome::RequestSignatureInvalid)),
        steps: &[Through],
        section: "3.2.12",
        screen: |s| *s == Screen::Problem(Problem::SignatureInvalid { found: Found::ByWindow }),
        ..val()
    };
}

/// Every section of chapters 2 and 3 but JavaScript has a row above.
#[test]
fn every_manual_section_has_a_row() {
    let source = include_str!("flow_manual.rs");
    let mut missing = vec![];
    let sections = (1..=9)
        .map(|i| format!("2.1.{i}"))
        .chain((2..=15).map(|i| format!("2.2.{i}")))
        .chain((1..=12).map(|i| format!("3.1.{i}")))
        .chain((2..=12).map(|i| format!("3.2.{i}")));
    for s in sections {
        let test_name = format!("s{}_", s.replace('.', "_"));
        if !source.contains(&format!("    {test_name}")) {
            missing.push(s);
        }
    }
    assert!(missing.is_empty(), "sections without a test: {missing:?}");
}
