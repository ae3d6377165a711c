//! `madoguchi revoke` and `madoguchi check`: the procedure engine driven
//! from the terminal. Every screen of the manual is shown in turn; the
//! confirmations are asked (or answered by `--yes`), passwords are read
//! from a hidden prompt or standard input, and the exit code tells the
//! outcome (README, "Exit codes").

use std::io::{BufRead, IsTerminal, Write};

use madoguchi_card::PasswordState;
use madoguchi_pki::request::Procedure;
use serde_json::{Value, json};

use super::{ProcedureArgs, exit, password};
use crate::client::{Client, ClientError, ServerIdentity};
use crate::demo_mode::Demo;
use crate::flow::{
    Action, Activity, CardOpener, Driver, Engine, Finish, IssuerFinding, Options, PasswordNotice,
    PasswordStep, Problem, Screen,
};
use crate::i18n::{self, Language};
use crate::{errors, fl, presentation};

/// Where the card and the window come from.
pub struct Setup {
    pub opener: CardOpener,
    pub client: Result<Client, ClientError>,
    /// The signing CAs of the local issuer check.
    pub known_cas: std::sync::Arc<Vec<madoguchi_pki::checks::KnownCa>>,
    /// Kept alive for the run (demo mode).
    pub demo: Option<Demo>,
}

pub use crate::trust_config::client_config;

/// How the run talks to the resident.
struct Ui {
    json: bool,
    yes: bool,
    pin_stdin: bool,
    confirm_last_try: bool,
    interactive: bool,
}

impl Ui {
    /// Human-readable text: stdout, or stderr when stdout carries JSON.
    fn say(&self, text: &str) {
        if self.json {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    }

    /// Ask a yes/no question; `--yes` answers yes.
    fn confirm(&self, question: &str) -> bool {
        if self.yes {
            eprintln!("{question} {}", fl!("cli-answered-yes"));
            return true;
        }
        eprint!("{question} {} ", fl!("cli-yes-no"));
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        match std::io::stdin().lock().read_line(&mut answer) {
            Ok(0) | Err(_) => {
                eprintln!();
                false
            }
            Ok(_) => matches!(
                answer.trim().to_ascii_lowercase().as_str(),
                "y" | "yes" | "はい"
            ),
        }
    }

    /// Ask whether to try again after a problem (never with `--yes` or
    /// without a terminal: a script is not put into a loop).
    fn again(&self, question: &str) -> bool {
        self.interactive && !self.yes && !self.pin_stdin && self.confirm(question)
    }
}

/// Run one procedure; returns the process exit code.
pub fn run(procedure: Procedure, args: &ProcedureArgs, setup: Setup) -> u8 {
    let ui = Ui {
        json: args.json,
        yes: args.yes,
        pin_stdin: args.pin_stdin,
        confirm_last_try: args.confirm_last_try,
        interactive: std::io::stdin().is_terminal(),
    };
    let options = Options {
        known_cas: setup.known_cas.clone(),
        expected_issuers: setup
            .demo
            .as_ref()
            .map(Demo::expected_issuers)
            .unwrap_or_default(),
        ..Options::default()
    };
    let engine = Engine::new(procedure, options);
    let mut driver = match Driver::new(engine, setup.opener, setup.client) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return exit::FAILURE;
        }
    };
    let _demo = setup.demo;
    ui.say(&format!(
        "{} — {}",
        fl!("procedure-heading"),
        procedure_title(procedure)
    ));
    let mut code = None;
    let mut last_activity = None;
    driver.feed(crate::flow::Input::Action(Action::Start));
    for _ in 0..200 {
        let screen = match driver.settle_with(|e| progress(e, &mut last_activity)) {
            Ok(s) => s.clone(),
            Err(stuck) => {
                eprintln!("{stuck}");
                code = Some(exit::FAILURE);
                break;
            }
        };
        last_activity = None;
        let action = match &screen {
            Screen::Top => {
                ui.say(&fl!("procedure-stopped"));
                code = Some(exit::CANCELLED);
                break;
            }
            Screen::CardPreparation => {
                ui.say(&format!(
                    "[{}] {}",
                    section(&driver, &screen),
                    match procedure {
                        Procedure::Revocation => fl!("screen-card-preparation"),
                        Procedure::ValidityCheck => fl!("screen-card-preparation-validity"),
                    }
                ));
                if ui.confirm(&fl!("ask-card-ready")) {
                    Action::Ok
                } else {
                    Action::Stop
                }
            }
            Screen::Password {
                step,
                state,
                notice,
                ..
            } => match password_entry(&ui, &driver, *step, *state, notice.as_ref()) {
                Ok(action) => action,
                Err(exit_code) => {
                    code = Some(exit_code);
                    break;
                }
            },
            Screen::LastTryConfirmation { step, notice } => {
                eprintln!("[{}] {}", section(&driver, &screen), login_title(*step));
                if let Some(n) = notice {
                    print_notice(n);
                }
                eprintln!("{}", fl!("password-last-try"));
                let confirmed = ui.confirm_last_try
                    || (ui.interactive
                        && !ui.pin_stdin
                        && password::confirm_last_try_interactively());
                if confirmed {
                    Action::ConfirmLastTry
                } else {
                    eprintln!("{}", fl!("password-last-try-needs-flag"));
                    eprint!("{}", errors::render(115, None));
                    code = Some(exit::REFUSED);
                    break;
                }
            }
            Screen::IssuerWarning(finding) => {
                let number = finding.number();
                ui.say(&format!("[{}]", section(&driver, &screen)));
                eprint!("{}", errors::render(number, None));
                if *finding == IssuerFinding::UnknownIssuer {
                    print_issuer_comparison(&ui, &driver);
                }
                let question = match finding {
                    IssuerFinding::UnknownIssuer | IssuerFinding::BadSignature => {
                        fl!("ask-continue-despite-issuer")
                    }
                };
                if ui.confirm(&question) {
                    Action::Continue
                } else {
                    Action::Stop
                }
            }
            Screen::Review => {
                print_document(&ui, &driver, &screen);
                // 2.1.5: not signing need not mean giving up; the GUI's
                // [戻る] goes back to the import, so does this.
                if ui.confirm(&fl!("ask-sign")) {
                    Action::Sign
                } else if ui.confirm(&fl!("ask-back-to-import")) {
                    Action::Back
                } else {
                    Action::Stop
                }
            }
            Screen::SignConfirmation => {
                ui.say(&format!(
                    "[{}] {}",
                    section(&driver, &screen),
                    sign_confirmation_text(procedure)
                ));
                if ui.confirm(&fl!("ask-make-signature")) {
                    Action::Confirm
                } else {
                    Action::Cancel
                }
            }
            Screen::SendConfirmation => {
                ui.say(&format!(
                    "[{}] {}",
                    section(&driver, &screen),
                    fl!("screen-send-confirmation")
                ));
                if let Ok(client) = driver.executor().client() {
                    ui.say(&fl!("send-to", url = client.server_url().to_string()));
                }
                if ui.confirm(&fl!("ask-send")) {
                    Action::Confirm
                } else {
                    Action::Cancel
                }
            }
            Screen::Finished(f) => {
                print_finish(&ui, &driver, *f);
                code = Some(finish_exit(*f));
                break;
            }
            Screen::Problem(p) => {
                print_problem(&ui, &driver, p);
                match retry_action(&ui, p) {
                    Some(a) => a,
                    None => {
                        code = Some(problem_exit(p));
                        break;
                    }
                }
            }
            Screen::Working(_) => unreachable!("settle returns only when no work is under way"),
        };
        driver.feed(crate::flow::Input::Action(action));
    }
    let code = code.unwrap_or(exit::FAILURE);
    if ui.json {
        println!("{:#}", outcome_json(&driver, code));
    }
    code
}

fn section(driver: &Driver, screen: &Screen) -> &'static str {
    screen.section(driver.engine().procedure()).unwrap_or("—")
}

fn procedure_title(p: Procedure) -> String {
    match p {
        Procedure::Revocation => fl!("procedure-revocation"),
        Procedure::ValidityCheck => fl!("procedure-validity-check"),
    }
}

fn login_title(step: PasswordStep) -> String {
    match step {
        PasswordStep::Login => fl!("screen-login"),
        PasswordStep::Signing => fl!("screen-login-signing"),
    }
}

fn sign_confirmation_text(p: Procedure) -> String {
    match p {
        Procedure::Revocation => fl!("screen-sign-confirmation-revocation"),
        Procedure::ValidityCheck => fl!("screen-sign-confirmation-validity"),
    }
}

/// Progress lines while work is under way, once per activity.
fn progress(engine: &Engine, last: &mut Option<Activity>) {
    let Screen::Working(activity) = engine.screen() else {
        return;
    };
    if *last == Some(*activity) {
        return;
    }
    *last = Some(*activity);
    let text = match activity {
        Activity::ReadingCard | Activity::ReadingTries => fl!("working-reading-card"),
        Activity::CheckingPassword { .. } => fl!("working-checking-password"),
        Activity::ContactingWindow => fl!("working-contacting"),
        Activity::Signing => fl!("working-signing"),
        Activity::Sending => fl!("working-sending"),
        Activity::WaitingToRetry {
            seconds, wait, of, ..
        } => i18n::text_args(
            "working-busy-wait",
            &[
                ("seconds", seconds.to_string()),
                ("wait", wait.to_string()),
                ("of", of.to_string()),
            ],
        ),
    };
    eprintln!("… {text}");
}

fn print_notice(n: &PasswordNotice) {
    match n {
        PasswordNotice::Wrong { tries_left } => {
            eprint!(
                "{}",
                errors::render(
                    110,
                    Some(&i18n::text_args(
                        "password-tries-left",
                        &[("tries", tries_left.to_string())]
                    ))
                )
            );
        }
        PasswordNotice::CountReadAgain { before, now } => eprintln!(
            "{} {}",
            presentation::recount(*before, *now),
            fl!("recount-check")
        ),
        other => eprint!("{}", errors::render(other.number(), None)),
    }
}

/// One password entry (2.1.4 / 2.1.7).
fn password_entry(
    ui: &Ui,
    driver: &Driver,
    step: PasswordStep,
    state: PasswordState,
    notice: Option<&PasswordNotice>,
) -> Result<Action, u8> {
    let screen = driver.screen();
    eprintln!("[{}] {}", section(driver, screen), login_title(step));
    if let Some(n) = notice {
        print_notice(n);
        if ui.pin_stdin {
            // A script does not get a second try on its own.
            return Err(match n {
                PasswordNotice::Wrong { .. } => exit::WRONG_PASSWORD,
                _ => exit::REFUSED,
            });
        }
    }
    match state {
        PasswordState::Normal { tries_left } => eprintln!(
            "{}",
            i18n::text_args("password-tries-left", &[("tries", tries_left.to_string())])
        ),
        PasswordState::Warning { .. } => eprintln!("{}", fl!("password-warning-two-left")),
        PasswordState::LastTry => eprintln!("{}", fl!("password-last-try")),
        PasswordState::Locked | PasswordState::AlreadyVerified => {}
    }
    if step == PasswordStep::Signing {
        eprintln!("{}", fl!("password-again-for-signature"));
    }
    match password::read(ui.pin_stdin) {
        Ok(secret) => Ok(Action::Password(secret)),
        Err(f) => {
            eprint!("{}", errors::render(f.number, f.detail.as_deref()));
            Err(f.exit)
        }
    }
}

fn print_document(ui: &Ui, driver: &Driver, screen: &Screen) {
    let engine = driver.engine();
    let Some(r) = engine.resident() else {
        return;
    };
    let english = i18n::current() == Language::En;
    let procedure = engine.procedure();
    ui.say(&format!(
        "[{}] {}",
        section(driver, screen),
        fl!("screen-review")
    ));
    ui.say(&format!(
        "  {}: {}",
        fl!("review-procedure"),
        procedure_title(procedure)
    ));
    if engine.password_upper_cased() {
        eprintln!("{}", fl!("password-uppercased"));
    }
    ui.say("  ────────────────────────────────");
    ui.say(&format!("  {}", r.addressee.salutation));
    ui.say(&format!(
        "  {}",
        match procedure {
            Procedure::Revocation => fl!("document-statement-revocation"),
            Procedure::ValidityCheck => fl!("document-statement-validity"),
        }
    ));
    if english {
        ui.say(&format!(
            "  ({})",
            fl!(
                "document-addressed-to",
                to = r.addressee.organisation.clone()
            )
        ));
    }
    ui.say(&format!("  {}: {}", fl!("document-name"), r.name.as_str()));
    ui.say(&format!(
        "  {}: {}",
        fl!("document-address"),
        r.address.as_str()
    ));
    ui.say(&format!(
        "  {}: {}",
        fl!("document-sex"),
        presentation::sex(&r.sex())
    ));
    ui.say(&format!(
        "  {}: {}",
        fl!("document-birth-date"),
        presentation::resident_birth_date(r)
    ));
    ui.say("  ────────────────────────────────");
    if r.issuer_check == madoguchi_pki::checks::IssuerCheck::NotChecked {
        ui.say(&format!("  {}", fl!("review-issuer-not-checked")));
    }
    ui.say(&format!(
        "  {}: {} / {}",
        fl!("review-certificate"),
        r.certificate_ref.serial,
        r.issuer
    ));
}

fn print_finish(ui: &Ui, driver: &Driver, f: Finish) {
    let engine = driver.engine();
    ui.say(&format!(
        "[{}] {}",
        f.section(),
        i18n::text(&format!("result-{}-title", f.key().replace('_', "-")))
    ));
    ui.say(&i18n::text(&format!(
        "result-{}-body",
        f.key().replace('_', "-")
    )));
    if let Some(r) = engine.resident() {
        ui.say(&format!("  {}: {}", fl!("document-name"), r.name.as_str()));
    }
    if let Some(reply) = engine.reply() {
        let a = &reply.answer;
        // 2.1.9 shows when the revocation was accepted (受理日時); the
        // other results when the window checked (確認日時).
        if f == Finish::Accepted {
            let at = a.accepted_at.as_ref().unwrap_or(&a.checked_at);
            ui.say(&format!(
                "  {}: {}",
                fl!("result-received-at"),
                presentation::when(at)
            ));
        } else {
            ui.say(&format!(
                "  {}: {}",
                fl!("result-checked-at"),
                presentation::when(&a.checked_at)
            ));
        }
        if let Some(id) = &a.receipt_id {
            ui.say(&format!("  {}: {id}", fl!("result-receipt")));
        }
        if let Some(at) = &a.accepted_at
            && f != Finish::Accepted
        {
            ui.say(&format!(
                "  {}: {}",
                fl!("result-accepted-at"),
                presentation::when(at)
            ));
        }
        if let Some(at) = &a.revoked_at {
            ui.say(&format!(
                "  {}: {}",
                fl!("result-revoked-at"),
                presentation::when(at)
            ));
        }
    }
    if let Some(n) = f.number() {
        eprint!("{}", errors::render(n, None));
    }
    if f == Finish::IssuerError {
        print_issuer_comparison(ui, driver);
    }
    ui.say(&fl!("result-remove-card"));
}

fn print_problem(ui: &Ui, driver: &Driver, p: &Problem) {
    let engine = driver.engine();
    let section = p.section(engine.procedure()).unwrap_or("—");
    ui.say(&format!("[{section}]"));
    eprint!("{}", errors::render(p.number(), engine.detail()));
    if let Problem::Network { sent: true, .. } = p {
        eprintln!("{}", fl!("network-sent-unknown"));
    }
    if let Problem::IssuerMismatch = p {
        print_issuer_comparison(ui, driver);
    }
}

/// 2.2.11 / 3.1.10: the certificate's issuer beside the expected one, and
/// what to do if the message comes again.
fn print_issuer_comparison(ui: &Ui, driver: &Driver) {
    let engine = driver.engine();
    let c = presentation::issuer_comparison(
        engine.resident().map(|r| r.issuer.as_str()),
        &engine.options().expected_issuers,
    );
    ui.say(&c.guidance);
    if let Some(actual) = &c.actual {
        ui.say(&format!("  {}: {actual}", c.actual_label));
    }
    ui.say(&format!("  {}:", c.expected_label));
    for name in &c.expected {
        ui.say(&format!("    {name}"));
    }
}

/// The recovery a terminal user may take (asked, never automatic).
fn retry_action(ui: &Ui, p: &Problem) -> Option<Action> {
    match p {
        Problem::CardNotReady { .. } => ui.again(&fl!("ask-retry-card")).then_some(Action::Ok),
        Problem::Unexpected { .. } => ui.again(&fl!("ask-retry-card")).then_some(Action::Ok),
        Problem::ImportFailed { .. }
        | Problem::Malformed
        | Problem::CertificateInvalid
        | Problem::SignatureInvalid { .. } => {
            ui.again(&fl!("ask-back-to-import")).then_some(Action::Back)
        }
        Problem::ChallengeInvalid => ui.again(&fl!("ask-sign-again")).then_some(Action::Back),
        Problem::Network { sent: false, .. } => {
            ui.again(&fl!("ask-retry-network")).then_some(Action::Retry)
        }
        Problem::Network { sent: true, .. } => {
            ui.again(&fl!("ask-resend")).then_some(Action::Resend)
        }
        _ => None,
    }
}

/// Exit code of a definite answer.
pub fn finish_exit(f: Finish) -> u8 {
    match f {
        Finish::Accepted | Finish::Valid => exit::OK,
        Finish::AlreadyRevoked | Finish::Revoked => exit::REVOKED,
        Finish::DuplicateRequest | Finish::RevocationAccepted => exit::REVOCATION_PENDING,
        Finish::IssuerError => exit::NOT_JPKI_CERTIFICATE,
    }
}

/// Exit code of a problem.
pub fn problem_exit(p: &Problem) -> u8 {
    match p {
        Problem::Busy => exit::BUSY,
        Problem::ServiceError => exit::SERVICE_ERROR,
        Problem::CardService
        | Problem::CardNotReady { .. }
        | Problem::Unexpected { .. }
        | Problem::ImportFailed { .. } => exit::CARD,
        Problem::Locked => exit::LOCKED,
        Problem::Expired { .. } => exit::EXPIRED,
        Problem::IssuerMismatch | Problem::CertificateInvalid => exit::NOT_JPKI_CERTIFICATE,
        Problem::Malformed | Problem::SignatureInvalid { .. } | Problem::ChallengeInvalid => {
            exit::REQUEST_REFUSED
        }
        Problem::Network { sent: false, .. } => exit::NETWORK,
        Problem::Network { sent: true, .. } => exit::ANSWER_UNKNOWN,
    }
}

fn outcome_json(driver: &Driver, code: u8) -> Value {
    let engine = driver.engine();
    let screen = engine.screen();
    let mut v = json!({
        "procedure": engine.procedure().as_str(),
        "result": screen.key(),
        "section": engine.section(),
        "exit_code": code,
        "sent": engine.was_sent(),
        "trail": engine.trail(),
    });
    if let Some(reply) = engine.reply() {
        v["outcome"] = json!(reply.answer.outcome.as_str());
        v["answer"] = serde_json::to_value(&reply.answer).unwrap_or(Value::Null);
        if reply.resends > 0 {
            v["resends"] = json!(reply.resends);
        }
    }
    if let Some(n) = screen.number() {
        v["error"] = json!({
            "number": n,
            "title": errors::texts(n).title,
        });
        if let Some(d) = engine.detail() {
            v["error"]["detail"] = json!(d);
        }
    }
    if let Some(r) = engine.resident() {
        v["certificate"] = json!({
            "issuer": r.certificate_ref.issuer,
            "serial": r.certificate_ref.serial,
            "not_after": madoguchi_pki::request::format_time(r.not_after),
        });
    }
    if let Ok(client) = driver.executor().client()
        && let Some(id) = client.last_identity()
    {
        v["server"] = identity_json(&id);
    }
    v
}

pub fn identity_json(id: &ServerIdentity) -> Value {
    serde_json::to_value(id).unwrap_or(Value::Null)
}

/// The card opener for a PC/SC reader (the named one or the first with a
/// card).
pub fn pcsc_opener(reader: Option<String>) -> CardOpener {
    let source = crate::card_source::CardSource::Pcsc { reader };
    Box::new(move || source.open())
}
