//! The procedure engine: a state machine with no I/O. The driver feeds it
//! [`Input`]s (the resident's actions and the completions of earlier work)
//! and carries out the [`Effect`]s it returns (card jobs, network jobs,
//! timers). See the module docs of [`crate::flow`].

use std::sync::Arc;
use std::time::Duration;

use madoguchi_card::{
    CardError, GuardError, Normalisation, PasswordState, PinKind, Secret, TokenKind, check_format,
};
use madoguchi_pki::checks::{IssuerCheck, KnownCa};
use madoguchi_pki::request::Procedure;
use madoguchi_pki::wire::Outcome;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::resident::Resident;
use super::screen::{
    Activity, Finish, Found, IssuerFinding, PasswordNotice, PasswordStep, Problem, Screen,
};
use crate::client::bytes_like::Body;
use crate::client::{BusyPolicy, Challenge, ChallengeReply, ClientError, Phase, Reply};

/// Identifies one piece of work; completions of work the engine no longer
/// waits for are dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ticket(pub u64);

/// What the resident can do (the buttons of the current screen).
pub enum Action {
    /// Choose the procedure on the top screen.
    Start,
    /// [OK]: card inserted (2.1.3), retry after 2.2.5, acknowledge 2.2.6.
    Ok,
    /// [キャンセル] / [署名中止] / [送信中止], or stop waiting.
    Cancel,
    /// [申請に必要な情報の取込み画面に戻る] (back to 2.1.3), or back to the
    /// document after a rejected challenge.
    Back,
    /// [申請中止] / [確認中止]: back to the top screen.
    Stop,
    /// Go on despite the local issuer warning.
    Continue,
    /// [電子署名] on the document (2.1.5).
    Sign,
    /// [了解] on the signing (2.1.6) or sending (2.1.8) confirmation.
    Confirm,
    /// Yes, send the password with one try left.
    ConfirmLastTry,
    /// The password typed in a login dialog.
    Password(Secret),
    /// Try the failed network step again (nothing had arrived).
    Retry,
    /// Send the same signed request again (after a lost answer or busy).
    Resend,
    /// [×]: close a result or message; back to the top screen.
    Close,
}

/// The kind of an [`Action`], without its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Start,
    Ok,
    Cancel,
    Back,
    Stop,
    Continue,
    Sign,
    Confirm,
    ConfirmLastTry,
    Password,
    Retry,
    Resend,
    Close,
}

impl ActionKind {
    /// The action of a button, for every kind that carries no data (the
    /// password is typed, so `Password` has none).
    pub fn action(self) -> Option<Action> {
        Some(match self {
            ActionKind::Start => Action::Start,
            ActionKind::Ok => Action::Ok,
            ActionKind::Cancel => Action::Cancel,
            ActionKind::Back => Action::Back,
            ActionKind::Stop => Action::Stop,
            ActionKind::Continue => Action::Continue,
            ActionKind::Sign => Action::Sign,
            ActionKind::Confirm => Action::Confirm,
            ActionKind::ConfirmLastTry => Action::ConfirmLastTry,
            ActionKind::Retry => Action::Retry,
            ActionKind::Resend => Action::Resend,
            ActionKind::Close => Action::Close,
            ActionKind::Password => return None,
        })
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Start => ActionKind::Start,
            Action::Ok => ActionKind::Ok,
            Action::Cancel => ActionKind::Cancel,
            Action::Back => ActionKind::Back,
            Action::Stop => ActionKind::Stop,
            Action::Continue => ActionKind::Continue,
            Action::Sign => ActionKind::Sign,
            Action::Confirm => ActionKind::Confirm,
            Action::ConfirmLastTry => ActionKind::ConfirmLastTry,
            Action::Password(_) => ActionKind::Password,
            Action::Retry => ActionKind::Retry,
            Action::Resend => ActionKind::Resend,
            Action::Close => ActionKind::Close,
        }
    }
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        write!(f, "{:?}", self.kind())
    }
}

/// Card work. Passwords move into the job and are zeroed with it.
pub enum CardJob {
    /// Connect, select the JPKI AP, check the card type, read the tries
    /// left (nothing is spent).
    Prepare,
    /// Read the tries left again.
    Status,
    /// Guarded VERIFY, then read the signing certificate.
    Login {
        password: Secret,
        last_try_confirmed: bool,
    },
    /// Guarded VERIFY, then sign `content` as CMS with `certificate`.
    Sign {
        password: Secret,
        last_try_confirmed: bool,
        content: Zeroizing<Vec<u8>>,
        certificate: Zeroizing<Vec<u8>>,
    },
}

impl std::fmt::Debug for CardJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CardJob::Prepare => f.write_str("Prepare"),
            CardJob::Status => f.write_str("Status"),
            CardJob::Login {
                last_try_confirmed, ..
            } => write!(f, "Login {{ last_try_confirmed: {last_try_confirmed} }}"),
            CardJob::Sign {
                last_try_confirmed,
                content,
                ..
            } => write!(
                f,
                "Sign {{ last_try_confirmed: {last_try_confirmed}, content: {} bytes }}",
                content.len()
            ),
        }
    }
}

/// Network work.
#[derive(Clone, Debug)]
pub enum NetJob {
    Challenge,
    /// The signed request; a repeat sends these very bytes.
    Submit {
        procedure: Procedure,
        body: Body,
    },
}

/// What the driver must do.
#[derive(Debug)]
pub enum Effect {
    Card {
        ticket: Ticket,
        job: CardJob,
    },
    Net {
        ticket: Ticket,
        job: NetJob,
    },
    /// Deliver [`Completion::Waited`] after `duration`.
    Wait {
        ticket: Ticket,
        duration: Duration,
    },
    /// Disconnect from the card (its session state and the guard's memory
    /// go with it).
    ReleaseCard,
}

/// The card connected by [`CardJob::Prepare`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub reader: String,
    pub token: TokenKind,
    pub password: PasswordState,
}

/// Why a guarded card job failed.
#[derive(Debug)]
pub enum JobFailure {
    /// One try left and the job was not confirmed: nothing was sent.
    NeedsLastTryConfirmation,
    /// The guard refused or the card rejected the password (or the card
    /// failed during VERIFY).
    Guard(GuardError),
    /// The password was accepted; reading the certificate failed.
    Read(CardError),
    /// The password was accepted; the signature failed on the card.
    Sign(CardError),
    /// The card's signature does not verify with the certificate.
    SignatureMismatch,
    /// The CMS could not be built.
    Cms(String),
}

/// The completion of an effect.
#[derive(Debug)]
pub enum Completion {
    Prepared(Result<Prepared, CardError>),
    Status(Result<PasswordState, CardError>),
    LoggedIn(Result<(Zeroizing<Vec<u8>>, Option<Normalisation>), JobFailure>),
    Signed(Result<(Body, Option<Normalisation>), JobFailure>),
    Challenge(Result<ChallengeReply, ClientError>),
    Submitted(Result<Reply, ClientError>),
    Waited,
}

/// Everything the engine reacts to.
#[derive(Debug)]
pub enum Input {
    Action(Action),
    Done(Ticket, Box<Completion>),
    /// The reader watch saw the card go.
    CardRemoved,
    /// The reader watch saw a card arrive. After E120 (no answer to a
    /// password check) the card's count is read again at once, without a
    /// password, and shown with the count from before.
    CardInserted,
    /// Counter mode: nobody touched the terminal for the idle time.
    IdleTimeout,
}

/// Engine settings.
#[derive(Clone)]
pub struct Options {
    /// Counter mode (`--counter`): wipe on card removal, after a result
    /// (when the card is taken out) and on idle.
    pub counter_mode: bool,
    /// The JPKI signing CAs the local issuer check knows: from the
    /// configuration (`signing_cas`), or the demo's own. None configured, the
    /// check is not made and the window decides (shown on the review).
    pub known_cas: Arc<Vec<KnownCa>>,
    /// Waiting rules for `busy`.
    pub busy: BusyPolicy,
    /// A challenge older than its lifetime minus this is renewed before
    /// signing.
    pub challenge_margin: Duration,
    /// The clock for the local expiry check.
    pub now: fn() -> OffsetDateTime,
    /// The issuer names shown to the resident when the issuer is not a
    /// JPKI signing CA (2.2.11 / 3.1.10): the real ones unless the demo
    /// says otherwise.
    pub expected_issuers: ExpectedIssuers,
}

/// The issuer a JPKI signing certificate must name, as the manual's 2.2.11
/// and 3.1.10 ask the resident to compare it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ExpectedIssuers {
    /// A production run: the J-LIS signing CAs' name (every generation has
    /// the same one), never a test name.
    #[default]
    Jpki,
    /// A demo run: its own test CA's name (shown as the demo's).
    Demo(Vec<String>),
}

/// The issuer name of every JPKI signing certificate (J-LIS signing CAs
/// `signca01..03`; `shared/reference/jpki-card.md`), as Madoguchi writes
/// names.
pub const JPKI_SIGNING_ISSUER: &str = "C=JP, O=JPKI, OU=JPKI for digital signature, OU=Japan Agency for Local Authority Information Systems";

/// The same name in Japanese, as the CAs carry it (subjectAltName).
pub const JPKI_SIGNING_ISSUER_JA: &str =
    "C=JP, O=公的個人認証サービス, OU=公的個人認証サービス署名用, OU=地方公共団体情報システム機構";

impl ExpectedIssuers {
    /// The names to show, one a line.
    pub fn names(&self) -> Vec<String> {
        match self {
            ExpectedIssuers::Jpki => vec![
                JPKI_SIGNING_ISSUER.to_owned(),
                JPKI_SIGNING_ISSUER_JA.to_owned(),
            ],
            ExpectedIssuers::Demo(names) => names.clone(),
        }
    }

    pub fn is_demo(&self) -> bool {
        matches!(self, ExpectedIssuers::Demo(_))
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            counter_mode: false,
            known_cas: Arc::new(Vec::new()),
            busy: BusyPolicy::default(),
            challenge_margin: Duration::from_secs(30),
            now: OffsetDateTime::now_utc,
            expected_issuers: ExpectedIssuers::Jpki,
        }
    }
}

/// Which network step failed, for [`Action::Retry`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NetStep {
    Challenge,
    Submit,
}

/// The procedure engine. See [`crate::flow`].
pub struct Engine {
    procedure: Procedure,
    options: Options,
    screen: Screen,
    resident: Option<Resident>,
    challenge: Option<Challenge>,
    signed: Option<Body>,
    /// The signed request was handed to the network at least once.
    sent: bool,
    pending: Option<Ticket>,
    next_ticket: u64,
    busy_waits: u32,
    busy_waited: Duration,
    /// A password waiting for a renewed challenge (only then).
    held: Option<(Secret, bool)>,
    failed_step: Option<NetStep>,
    reply: Option<Reply>,
    detail: Option<String>,
    prepared: Option<Prepared>,
    upper_cased: bool,
    /// The count shown and the confirmation given for the entry in flight.
    last_entry: (PasswordState, bool),
    /// After E120: the count shown before the unanswered entry, to compare
    /// with the count read again when the card is back.
    recount: Option<Option<u8>>,
    trail: Vec<&'static str>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("procedure", &self.procedure)
            .field("screen", &self.screen)
            .field("pending", &self.pending)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine on the top screen.
    pub fn new(procedure: Procedure, options: Options) -> Engine {
        Engine {
            procedure,
            options,
            screen: Screen::Top,
            resident: None,
            challenge: None,
            signed: None,
            sent: false,
            pending: None,
            next_ticket: 1,
            busy_waits: 0,
            busy_waited: Duration::ZERO,
            held: None,
            failed_step: None,
            reply: None,
            detail: None,
            prepared: None,
            upper_cased: false,
            last_entry: (PasswordState::AlreadyVerified, false),
            recount: None,
            trail: vec![],
        }
    }

    pub fn procedure(&self) -> Procedure {
        self.procedure
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The manual section of the current screen.
    pub fn section(&self) -> Option<&'static str> {
        self.screen.section(self.procedure)
    }

    /// Every section shown so far, progress screens left out (in order,
    /// repeats collapsed).
    pub fn trail(&self) -> &[&'static str] {
        &self.trail
    }

    /// Whether work is under way (the driver should wait for a
    /// completion rather than ask the resident).
    pub fn is_working(&self) -> bool {
        self.pending.is_some()
    }

    /// The imported certificate and facts (2.1.5 and later).
    pub fn resident(&self) -> Option<&Resident> {
        self.resident.as_ref()
    }

    /// The card connected, its type and first count.
    pub fn prepared(&self) -> Option<&Prepared> {
        self.prepared.as_ref()
    }

    /// The window's last answer.
    pub fn reply(&self) -> Option<&Reply> {
        self.reply.as_ref()
    }

    /// Technical detail of the last problem (for staff and logs).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// Whether the signed request was handed to the network (from then on
    /// it cannot be withdrawn).
    pub fn was_sent(&self) -> bool {
        self.sent
    }

    /// The signed request, from 2.1.8 until it is answered or dropped.
    pub fn signed_request(&self) -> Option<&Body> {
        self.signed.as_ref()
    }

    /// Whether the password was upper-cased before sending (tell the user).
    pub fn password_upper_cased(&self) -> bool {
        self.upper_cased
    }

    /// The buttons of the current screen.
    pub fn allowed(&self) -> Vec<ActionKind> {
        use ActionKind as A;
        match &self.screen {
            Screen::Top => vec![A::Start],
            Screen::CardPreparation => vec![A::Ok, A::Stop],
            Screen::Password { .. } => vec![A::Password, A::Cancel],
            Screen::LastTryConfirmation { .. } => vec![A::ConfirmLastTry, A::Cancel],
            Screen::Working(Activity::WaitingToRetry { .. }) => vec![A::Cancel],
            Screen::Working(_) => vec![],
            Screen::IssuerWarning(_) => vec![A::Continue, A::Stop],
            Screen::Review => vec![A::Sign, A::Back, A::Stop],
            Screen::SignConfirmation | Screen::SendConfirmation => vec![A::Confirm, A::Cancel],
            Screen::Finished(_) => vec![A::Close],
            Screen::Problem(p) => match p {
                Problem::Busy | Problem::ServiceError if self.signed.is_some() => {
                    vec![A::Resend, A::Close]
                }
                Problem::Busy | Problem::ServiceError => vec![A::Close],
                Problem::CardService => vec![A::Ok, A::Close],
                Problem::CardNotReady { .. } => vec![A::Ok, A::Stop],
                Problem::Unexpected { .. } => vec![A::Ok, A::Stop],
                Problem::Locked | Problem::Expired { .. } | Problem::IssuerMismatch => {
                    vec![A::Close]
                }
                Problem::ImportFailed { .. }
                | Problem::Malformed
                | Problem::CertificateInvalid
                | Problem::SignatureInvalid { .. } => vec![A::Back, A::Stop],
                Problem::ChallengeInvalid => vec![A::Back, A::Stop],
                Problem::Network { sent: true, .. } => vec![A::Resend, A::Close],
                Problem::Network { sent: false, .. } => vec![A::Retry, A::Stop],
            },
        }
    }

    /// React to one input; returns the work to do.
    pub fn handle(&mut self, input: Input) -> Vec<Effect> {
        let effects = match input {
            Input::Action(a) => self.act(a),
            Input::Done(ticket, c) => {
                if self.pending != Some(ticket) {
                    tracing::debug!(target: "madoguchi::flow", "dropping a stale completion ({ticket:?})");
                    return vec![];
                }
                self.pending = None;
                self.complete(*c)
            }
            Input::CardRemoved => self.card_removed(),
            Input::CardInserted => self.card_inserted(),
            Input::IdleTimeout => self.idle(),
        };
        if let Some(s) = self.section()
            && !matches!(self.screen, Screen::Working(_))
            && self.trail.last() != Some(&s)
        {
            self.trail.push(s);
        }
        tracing::debug!(
            target: "madoguchi::flow",
            "{} {:?} → {}",
            self.procedure,
            self.section(),
            self.screen.key()
        );
        effects
    }

    fn ticket(&mut self) -> Ticket {
        let t = Ticket(self.next_ticket);
        self.next_ticket += 1;
        self.pending = Some(t);
        t
    }

    fn card(&mut self, activity: Activity, job: CardJob) -> Vec<Effect> {
        self.screen = Screen::Working(activity);
        let ticket = self.ticket();
        vec![Effect::Card { ticket, job }]
    }

    fn net(&mut self, activity: Activity, job: NetJob) -> Vec<Effect> {
        self.screen = Screen::Working(activity);
        let ticket = self.ticket();
        vec![Effect::Net { ticket, job }]
    }

    /// Forget the resident and everything derived from them.
    fn wipe(&mut self) {
        self.resident = None;
        self.signed = None;
        self.challenge = None;
        self.held = None;
        self.reply = None;
        self.detail = None;
        self.prepared = None;
        self.upper_cased = false;
    }

    /// Back to the top screen, wiped, card released.
    fn go_top(&mut self) -> Vec<Effect> {
        self.wipe();
        self.recount = None;
        self.pending = None;
        self.sent = false;
        self.failed_step = None;
        self.screen = Screen::Top;
        vec![Effect::ReleaseCard]
    }

    /// Back to 2.1.3 (the card is read again from the start).
    fn back_to_card_preparation(&mut self) -> Vec<Effect> {
        self.wipe();
        self.sent = false;
        self.screen = Screen::CardPreparation;
        vec![Effect::ReleaseCard]
    }

    /// Back to the document (2.1.5): the signature (if any) is dropped.
    fn back_to_review(&mut self) -> Vec<Effect> {
        self.signed = None;
        self.held = None;
        self.sent = false;
        self.screen = Screen::Review;
        vec![]
    }

    fn problem(&mut self, p: Problem) -> Vec<Effect> {
        self.held = None;
        let release = !matches!(
            p,
            Problem::Busy
                | Problem::ServiceError
                | Problem::Network { .. }
                | Problem::ChallengeInvalid
        );
        self.screen = Screen::Problem(p);
        if release {
            vec![Effect::ReleaseCard]
        } else {
            vec![]
        }
    }

    fn act(&mut self, action: Action) -> Vec<Effect> {
        let kind = action.kind();
        if !self.allowed().contains(&kind) {
            tracing::debug!(target: "madoguchi::flow", "{kind:?} is not offered on {}", self.screen.key());
            return vec![];
        }
        match (&self.screen, action) {
            (Screen::Top, Action::Start) => {
                self.screen = Screen::CardPreparation;
                vec![]
            }
            (Screen::CardPreparation, Action::Ok)
            | (Screen::Problem(Problem::CardNotReady { .. }), Action::Ok) => {
                self.wipe();
                self.card(Activity::ReadingCard, CardJob::Prepare)
            }
            (Screen::Problem(Problem::CardService), Action::Ok)
            | (Screen::Problem(Problem::Unexpected { .. }), Action::Ok) => {
                self.back_to_card_preparation()
            }
            (_, Action::Stop) | (_, Action::Close) => self.go_top(),

            // Password dialogs and the last-try confirmation.
            (
                Screen::Password {
                    step,
                    state,
                    last_try_confirmed,
                    ..
                },
                Action::Password(password),
            ) => {
                let (step, state, confirmed) = (*step, *state, *last_try_confirmed);
                if state == PasswordState::LastTry && !confirmed {
                    // The confirmation comes before the password.
                    self.screen = Screen::LastTryConfirmation { step, notice: None };
                    return vec![];
                }
                // Guard rule 1 at once: a malformed entry never leaves.
                if let Err(f) = check_format(PinKind::SigningPassword, &password) {
                    drop(password);
                    return self.password_screen_kept(
                        step,
                        state,
                        confirmed,
                        PasswordNotice::Format(f),
                    );
                }
                self.last_entry = (state, confirmed);
                match step {
                    PasswordStep::Login => self.card(
                        Activity::CheckingPassword { step },
                        CardJob::Login {
                            password,
                            last_try_confirmed: confirmed,
                        },
                    ),
                    PasswordStep::Signing => self.sign(password, confirmed, true),
                }
            }
            (Screen::LastTryConfirmation { step, .. }, Action::ConfirmLastTry) => {
                self.screen = Screen::Password {
                    step: *step,
                    state: PasswordState::LastTry,
                    notice: None,
                    last_try_confirmed: true,
                };
                vec![]
            }
            (Screen::Password { step, .. }, Action::Cancel)
            | (Screen::LastTryConfirmation { step, .. }, Action::Cancel) => match step {
                // 2.1.4 [キャンセル] → 2.1.3; 2.1.7 [キャンセル] → 2.1.5.
                PasswordStep::Login => self.back_to_card_preparation(),
                PasswordStep::Signing => self.back_to_review(),
            },

            (Screen::IssuerWarning(_), Action::Continue) => {
                self.screen = Screen::Review;
                vec![]
            }

            // 2.1.5.
            (Screen::Review, Action::Sign) => {
                self.screen = Screen::SignConfirmation;
                vec![]
            }
            (Screen::Review, Action::Back)
            | (Screen::Problem(Problem::ImportFailed { .. }), Action::Back)
            | (Screen::Problem(Problem::Malformed), Action::Back)
            | (Screen::Problem(Problem::CertificateInvalid), Action::Back)
            | (Screen::Problem(Problem::SignatureInvalid { .. }), Action::Back) => {
                self.back_to_card_preparation()
            }
            (Screen::Problem(Problem::ChallengeInvalid), Action::Back) => self.back_to_review(),

            // 2.1.6: a challenge first (nothing personal goes out), then the
            // card's count for the second login.
            (Screen::SignConfirmation, Action::Confirm) => {
                self.busy_reset();
                if self
                    .challenge
                    .as_ref()
                    .is_some_and(|c| c.fresh_for(self.options.challenge_margin * 2))
                {
                    self.card(Activity::ReadingTries, CardJob::Status)
                } else {
                    self.challenge = None;
                    self.net(Activity::ContactingWindow, NetJob::Challenge)
                }
            }
            (Screen::SignConfirmation, Action::Cancel) => self.back_to_review(),

            // 2.1.8: irrevocable from here.
            (Screen::SendConfirmation, Action::Confirm) => {
                self.busy_reset();
                self.submit()
            }
            (Screen::SendConfirmation, Action::Cancel) => self.back_to_review(),

            (Screen::Working(Activity::WaitingToRetry { .. }), Action::Cancel) => {
                self.pending = None;
                self.problem(Problem::Busy)
            }

            (Screen::Problem(_), Action::Resend) => {
                self.busy_reset();
                self.submit()
            }
            (Screen::Problem(Problem::Network { .. }), Action::Retry) => match self.failed_step {
                Some(NetStep::Submit) if self.signed.is_some() => self.submit(),
                _ => self.net(Activity::ContactingWindow, NetJob::Challenge),
            },

            (screen, action) => {
                tracing::debug!(target: "madoguchi::flow", "{:?} has no effect on {}", action.kind(), screen.key());
                vec![]
            }
        }
    }

    fn busy_reset(&mut self) {
        self.busy_waits = 0;
        self.busy_waited = Duration::ZERO;
    }

    fn submit(&mut self) -> Vec<Effect> {
        let Some(body) = self.signed.clone() else {
            return self.back_to_review();
        };
        self.sent = true;
        self.net(
            Activity::Sending,
            NetJob::Submit {
                procedure: self.procedure,
                body,
            },
        )
    }

    /// 2.1.7 [OK]: build the document with a fresh challenge and sign.
    /// `renew`: fetch a new challenge first if the one held is stale (not
    /// after a renewal: the challenge just fetched is used as it is).
    fn sign(&mut self, password: Secret, confirmed: bool, renew: bool) -> Vec<Effect> {
        let fresh = self
            .challenge
            .as_ref()
            .is_some_and(|c| c.fresh_for(self.options.challenge_margin));
        if renew && !fresh {
            // Renew the challenge first; the password waits for it only.
            self.challenge = None;
            self.held = Some((password, confirmed));
            return self.net(Activity::ContactingWindow, NetJob::Challenge);
        }
        let (Some(resident), Some(challenge)) = (&self.resident, &self.challenge) else {
            return self.back_to_card_preparation();
        };
        let now = (self.options.now)();
        let content =
            match resident.document_bytes(self.procedure, &challenge.answer.challenge, now) {
                Ok(c) => c,
                Err(e) => {
                    self.detail = Some(e.to_string());
                    return self.problem(Problem::ImportFailed { number: 205 });
                }
            };
        let certificate = resident.certificate_copy();
        self.card(
            Activity::Signing,
            CardJob::Sign {
                password,
                last_try_confirmed: confirmed,
                content,
                certificate,
            },
        )
    }

    fn complete(&mut self, completion: Completion) -> Vec<Effect> {
        match completion {
            Completion::Prepared(Ok(p)) => {
                let state = p.password;
                self.prepared = Some(p);
                let notice = self
                    .recount
                    .take()
                    .map(|before| PasswordNotice::CountReadAgain {
                        before,
                        now: state.tries_left(),
                    });
                self.password_screen(PasswordStep::Login, state, notice)
            }
            Completion::Prepared(Err(e)) | Completion::Status(Err(e)) => {
                self.card_failed(&e, false)
            }
            Completion::Status(Ok(state)) => {
                self.password_screen(PasswordStep::Signing, state, None)
            }
            Completion::LoggedIn(Ok((der, normalisation))) => {
                self.upper_cased |= normalisation == Some(Normalisation::UpperCased);
                self.imported(der)
            }
            Completion::LoggedIn(Err(f)) => self.job_failed(PasswordStep::Login, f),
            Completion::Signed(Ok((body, normalisation))) => {
                self.upper_cased |= normalisation == Some(Normalisation::UpperCased);
                self.signed = Some(body);
                self.screen = Screen::SendConfirmation;
                vec![]
            }
            Completion::Signed(Err(f)) => self.job_failed(PasswordStep::Signing, f),
            Completion::Challenge(Ok(ChallengeReply::Issued(c))) => {
                self.challenge = Some(c);
                self.busy_reset();
                match self.held.take() {
                    Some((password, confirmed)) => self.sign(password, confirmed, false),
                    None => self.card(Activity::ReadingTries, CardJob::Status),
                }
            }
            Completion::Challenge(Ok(ChallengeReply::Refused(reply))) => {
                self.window_refused(reply, NetStep::Challenge)
            }
            Completion::Challenge(Err(e)) => self.network_failed(e, NetStep::Challenge),
            Completion::Submitted(Ok(reply)) => self.answered(reply),
            Completion::Submitted(Err(e)) => self.network_failed(e, NetStep::Submit),
            Completion::Waited => {
                if self.signed.is_some() && self.sent {
                    self.submit()
                } else {
                    self.net(Activity::ContactingWindow, NetJob::Challenge)
                }
            }
        }
    }

    /// The password dialog (or the last-try confirmation, or the lock
    /// message) for the card's own count.
    fn password_screen(
        &mut self,
        step: PasswordStep,
        state: PasswordState,
        notice: Option<PasswordNotice>,
    ) -> Vec<Effect> {
        match state {
            PasswordState::Locked => self.problem(Problem::Locked),
            PasswordState::LastTry => {
                self.screen = Screen::LastTryConfirmation { step, notice };
                vec![]
            }
            _ => {
                self.screen = Screen::Password {
                    step,
                    state,
                    notice,
                    last_try_confirmed: false,
                };
                vec![]
            }
        }
    }

    /// A card failure outside a guarded job. `import`: while reading the
    /// certificate (2.2.8 rather than 2.2.6 for data problems).
    fn card_failed(&mut self, e: &CardError, import: bool) -> Vec<Effect> {
        self.detail = Some(e.to_string());
        let number = e.catalogue_number();
        let p = match e {
            CardError::ServiceUnavailable => Problem::CardService,
            CardError::NoReader
            | CardError::ReaderNotFound(_)
            | CardError::NoCard
            | CardError::SeveralCards(_)
            | CardError::VirtualReader(_)
            | CardError::NotJpki
            | CardError::CardInUse => Problem::CardNotReady { number },
            CardError::Locked(_) => Problem::Locked,
            CardError::CardRemoved | CardError::Timeout | CardError::Transport(_) => {
                return self.removed_or_failed(number);
            }
            CardError::MalformedData(_)
            | CardError::UnexpectedStatus { .. }
            | CardError::SecurityStatusNotSatisfied
                if import =>
            {
                Problem::ImportFailed { number }
            }
            _ => Problem::Unexpected { number },
        };
        self.problem(p)
    }

    /// 2.2.6 with E120: a password check went unanswered, so the card may
    /// have counted a try. The count is read again when the card is back.
    fn count_unknown(&mut self) -> Vec<Effect> {
        let (before, _) = self.last_entry;
        self.recount = Some(before.tries_left());
        self.removed_or_failed(120)
    }

    /// 2.2.6: the card went away or stopped answering.
    fn removed_or_failed(&mut self, number: u16) -> Vec<Effect> {
        self.signed = None;
        self.challenge = None;
        self.held = None;
        if self.options.counter_mode {
            self.wipe();
        }
        self.problem(Problem::Unexpected { number })
    }

    fn job_failed(&mut self, step: PasswordStep, f: JobFailure) -> Vec<Effect> {
        let (state, confirmed) = self.last_entry;
        match f {
            JobFailure::NeedsLastTryConfirmation => {
                self.screen = Screen::LastTryConfirmation {
                    step,
                    notice: Some(PasswordNotice::LastTryNotConfirmed),
                };
                vec![]
            }
            JobFailure::Guard(g) => match g {
                GuardError::WrongPassword {
                    tries_left, state, ..
                } => self.password_screen(step, state, Some(PasswordNotice::Wrong { tries_left })),
                GuardError::Locked { .. } => self.problem(Problem::Locked),
                GuardError::Format(f) | GuardError::NewFormat(f) => {
                    self.password_screen_kept(step, state, confirmed, PasswordNotice::Format(f))
                }
                GuardError::SameAsRejected => self.password_screen_kept(
                    step,
                    state,
                    confirmed,
                    PasswordNotice::SameAsRejected,
                ),
                GuardError::InvalidConfirmation => {
                    self.screen = Screen::LastTryConfirmation {
                        step,
                        notice: Some(PasswordNotice::LastTryNotConfirmed),
                    };
                    vec![]
                }
                GuardError::Card(e) => self.card_failed(&e, false),
                GuardError::NoAnswer(e) => {
                    self.detail = Some(e.to_string());
                    self.count_unknown()
                }
            },
            JobFailure::Read(e) => self.card_failed(&e, true),
            JobFailure::Sign(e) => self.card_failed(&e, false),
            JobFailure::SignatureMismatch => self.problem(Problem::SignatureInvalid {
                found: Found::Locally,
            }),
            JobFailure::Cms(detail) => {
                self.detail = Some(detail);
                self.problem(Problem::Unexpected { number: 109 })
            }
        }
    }

    /// The password dialog again after an entry that was never sent; the
    /// last-try confirmation given for it still stands.
    fn password_screen_kept(
        &mut self,
        step: PasswordStep,
        state: PasswordState,
        confirmed: bool,
        notice: PasswordNotice,
    ) -> Vec<Effect> {
        self.screen = Screen::Password {
            step,
            state,
            notice: Some(notice),
            last_try_confirmed: confirmed,
        };
        vec![]
    }

    /// After the first login: parse, check expiry (stop) and issuer (warn).
    fn imported(&mut self, der: Zeroizing<Vec<u8>>) -> Vec<Effect> {
        let resident = match Resident::import(der, &self.options.known_cas) {
            Ok(r) => r,
            Err(e) => {
                self.detail = Some(e.to_string());
                return self.problem(Problem::ImportFailed { number: e.number() });
            }
        };
        let now = (self.options.now)();
        let expired = resident.is_expired(now);
        let finding = match &resident.issuer_check {
            IssuerCheck::Known { .. } | IssuerCheck::NotChecked => None,
            IssuerCheck::UnknownIssuer => Some(IssuerFinding::UnknownIssuer),
            IssuerCheck::BadSignature { .. } | IssuerCheck::UnsupportedAlgorithm { .. } => {
                Some(IssuerFinding::BadSignature)
            }
        };
        self.resident = Some(resident);
        if expired {
            // 2.2.9 / 3.2.9: no signature, nothing sent.
            return self.problem(Problem::Expired {
                found: Found::Locally,
            });
        }
        self.screen = match finding {
            Some(f) => Screen::IssuerWarning(f),
            None => Screen::Review,
        };
        vec![]
    }

    fn window_refused(&mut self, reply: Reply, step: NetStep) -> Vec<Effect> {
        self.detail = reply.answer.detail.clone();
        match reply.answer.outcome {
            Outcome::Busy => self.busy(reply, step),
            Outcome::ServiceError => {
                self.reply = Some(reply);
                self.problem(Problem::ServiceError)
            }
            other => {
                self.detail = Some(format!(
                    "unexpected outcome `{other}` to a challenge request"
                ));
                self.failed_step = Some(step);
                self.problem(Problem::Network {
                    number: 310,
                    sent: false,
                })
            }
        }
    }

    fn busy(&mut self, reply: Reply, step: NetStep) -> Vec<Effect> {
        match self
            .options
            .busy
            .next_wait(reply.retry_after, self.busy_waits, self.busy_waited)
        {
            Some(wait) => {
                self.busy_waits += 1;
                self.busy_waited += wait;
                self.screen = Screen::Working(Activity::WaitingToRetry {
                    seconds: wait.as_secs(),
                    wait: self.busy_waits,
                    of: self.options.busy.max_waits,
                    sending: step == NetStep::Submit,
                });
                self.reply = Some(reply);
                let ticket = self.ticket();
                vec![Effect::Wait {
                    ticket,
                    duration: wait,
                }]
            }
            None => {
                self.reply = Some(reply);
                self.problem(Problem::Busy)
            }
        }
    }

    fn network_failed(&mut self, e: ClientError, step: NetStep) -> Vec<Effect> {
        self.detail = Some(e.to_string());
        self.failed_step = Some(step);
        let sent = step == NetStep::Submit && e.phase() == Phase::MaybeSent;
        self.problem(Problem::Network {
            number: e.catalogue_number(),
            sent,
        })
    }

    /// The window's answer to the signed request.
    fn answered(&mut self, reply: Reply) -> Vec<Effect> {
        use Procedure::*;
        let outcome = reply.answer.outcome;
        self.detail = reply.answer.detail.clone();
        let screen = match (outcome, self.procedure) {
            (Outcome::Busy, _) => return self.busy(reply, NetStep::Submit),
            (Outcome::Accepted, Revocation) => Screen::Finished(Finish::Accepted),
            (Outcome::AlreadyRevoked, Revocation) => Screen::Finished(Finish::AlreadyRevoked),
            (Outcome::DuplicateRequest, Revocation) => Screen::Finished(Finish::DuplicateRequest),
            (Outcome::Valid, ValidityCheck) => Screen::Finished(Finish::Valid),
            (Outcome::Revoked, ValidityCheck) => Screen::Finished(Finish::Revoked),
            (Outcome::RevocationAccepted, ValidityCheck) => {
                Screen::Finished(Finish::RevocationAccepted)
            }
            (Outcome::IssuerMismatch, ValidityCheck) => Screen::Finished(Finish::IssuerError),
            (Outcome::IssuerMismatch, Revocation) => Screen::Problem(Problem::IssuerMismatch),
            (Outcome::CertificateExpired, _) => Screen::Problem(Problem::Expired {
                found: Found::ByWindow,
            }),
            (Outcome::MalformedRequest, _) => Screen::Problem(Problem::Malformed),
            (Outcome::CertificateInvalid, _) => Screen::Problem(Problem::CertificateInvalid),
            (Outcome::RequestSignatureInvalid, _) => Screen::Problem(Problem::SignatureInvalid {
                found: Found::ByWindow,
            }),
            (Outcome::ChallengeInvalid, _) => {
                // Sign again with a new challenge: never automatically.
                self.challenge = None;
                self.signed = None;
                Screen::Problem(Problem::ChallengeInvalid)
            }
            (Outcome::ServiceError, _) => Screen::Problem(Problem::ServiceError),
            (other, _) => {
                self.detail = Some(format!(
                    "the window answered `{other}` to a {} request",
                    self.procedure
                ));
                self.failed_step = Some(NetStep::Submit);
                Screen::Problem(Problem::Network {
                    number: 310,
                    sent: true,
                })
            }
        };
        let definite = matches!(screen, Screen::Finished(_))
            || matches!(
                outcome,
                Outcome::CertificateExpired
                    | Outcome::MalformedRequest
                    | Outcome::CertificateInvalid
                    | Outcome::RequestSignatureInvalid
                    | Outcome::IssuerMismatch
            );
        if definite {
            // Answered for good: the signed request is not needed any more.
            self.signed = None;
            self.challenge = None;
        }
        self.reply = Some(reply);
        match screen {
            Screen::Problem(p) => self.problem(p),
            s => {
                self.screen = s;
                vec![Effect::ReleaseCard]
            }
        }
    }

    /// The reader watch reports the card gone.
    fn card_removed(&mut self) -> Vec<Effect> {
        match &self.screen {
            Screen::Top | Screen::CardPreparation => vec![],
            // Sending is irrevocable; the answer still comes.
            Screen::Working(Activity::Sending)
            | Screen::Working(Activity::WaitingToRetry { sending: true, .. }) => vec![],
            // After the answer the manual says to take the card out.
            Screen::Finished(_) | Screen::Problem(_) => {
                if self.options.counter_mode {
                    self.go_top()
                } else {
                    vec![]
                }
            }
            // A password check under way: whether the VERIFY left before
            // the card did is not known here.
            Screen::Working(Activity::CheckingPassword { .. })
            | Screen::Working(Activity::Signing) => {
                self.pending = None;
                self.detail = Some(CardError::CardRemoved.to_string());
                self.count_unknown()
            }
            _ => {
                self.pending = None;
                self.detail = Some(CardError::CardRemoved.to_string());
                self.removed_or_failed(CardError::CardRemoved.catalogue_number())
            }
        }
    }

    /// The reader watch reports a card. After E120 its count is read again
    /// (no password is sent) and shown on the login screen, next to the
    /// count from before; the procedure starts again from the card, as
    /// after OK (2.2.6 → 2.1.3 → OK).
    fn card_inserted(&mut self) -> Vec<Effect> {
        if self.pending.is_some()
            || self.recount.is_none()
            || self.screen != Screen::Problem(Problem::Unexpected { number: 120 })
        {
            return vec![];
        }
        self.wipe();
        self.sent = false;
        self.card(Activity::ReadingCard, CardJob::Prepare)
    }

    fn idle(&mut self) -> Vec<Effect> {
        if !self.options.counter_mode {
            return vec![];
        }
        // Also while a request hangs: the resident has gone, and the request
        // task's own copy ends at the client's deadline; its answer, if any,
        // arrives for an engine that no longer waits for it.
        self.go_top()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(state: PasswordState) -> Completion {
        Completion::Prepared(Ok(Prepared {
            reader: "r".into(),
            token: TokenKind::MyNumberCard,
            password: state,
        }))
    }

    fn only_ticket(effects: &[Effect]) -> Ticket {
        match effects {
            [Effect::Card { ticket, .. }] | [Effect::Net { ticket, .. }] => *ticket,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn actions_not_offered_do_nothing() {
        let mut e = Engine::new(Procedure::Revocation, Options::default());
        for a in [Action::Ok, Action::Confirm, Action::Sign, Action::Resend] {
            assert!(e.handle(Input::Action(a)).is_empty());
            assert_eq!(*e.screen(), Screen::Top);
        }
        assert!(e.handle(Input::Action(Action::Start)).is_empty());
        assert_eq!(*e.screen(), Screen::CardPreparation);
        // A password where none is asked for is dropped unsent.
        assert!(
            e.handle(Input::Action(Action::Password(Secret::new("ABC123"))))
                .is_empty()
        );
    }

    #[test]
    fn the_last_try_is_confirmed_before_the_password_is_taken() {
        let mut e = Engine::new(Procedure::ValidityCheck, Options::default());
        e.handle(Input::Action(Action::Start));
        let t = only_ticket(&e.handle(Input::Action(Action::Ok)));
        assert!(e.is_working());
        e.handle(Input::Done(t, Box::new(prepared(PasswordState::LastTry))));
        assert_eq!(
            *e.screen(),
            Screen::LastTryConfirmation {
                step: PasswordStep::Login,
                notice: None
            }
        );
        assert_eq!(
            e.allowed(),
            vec![ActionKind::ConfirmLastTry, ActionKind::Cancel]
        );
        assert!(e.handle(Input::Action(Action::ConfirmLastTry)).is_empty());
        let effects = e.handle(Input::Action(Action::Password(Secret::new("abc123"))));
        match effects.as_slice() {
            [
                Effect::Card {
                    job:
                        CardJob::Login {
                            last_try_confirmed: true,
                            ..
                        },
                    ..
                },
            ] => {}
            other => panic!("{other:?}"),
        }
        // The job's Debug output shows no password.
        assert!(
            !format!("{effects:?}")
                .to_ascii_uppercase()
                .contains("ABC123")
        );
    }

    #[test]
    fn malformed_passwords_never_become_card_jobs() {
        let mut e = Engine::new(Procedure::Revocation, Options::default());
        e.handle(Input::Action(Action::Start));
        let t = only_ticket(&e.handle(Input::Action(Action::Ok)));
        e.handle(Input::Done(
            t,
            Box::new(prepared(PasswordState::Warning { tries_left: 2 })),
        ));
        for bad in ["ABC", "ABC 123", "パスワード1", "ABCDEFGHIJKLMNOPQ"] {
            assert!(
                e.handle(Input::Action(Action::Password(Secret::new(bad))))
                    .is_empty()
            );
            assert!(matches!(
                e.screen(),
                Screen::Password {
                    notice: Some(PasswordNotice::Format(_)),
                    state: PasswordState::Warning { tries_left: 2 },
                    ..
                }
            ));
        }
    }

    /// To the login dialog with `state`; the password typed; the job ticket.
    fn entry_sent(e: &mut Engine, state: PasswordState) -> Ticket {
        e.handle(Input::Action(Action::Start));
        let t = only_ticket(&e.handle(Input::Action(Action::Ok)));
        e.handle(Input::Done(t, Box::new(prepared(state))));
        only_ticket(&e.handle(Input::Action(Action::Password(Secret::new("ABC123")))))
    }

    #[test]
    fn an_unanswered_password_check_is_e120_and_the_count_is_read_again_on_insertion() {
        let mut e = Engine::new(Procedure::Revocation, Options::default());
        let t = entry_sent(&mut e, PasswordState::Normal { tries_left: 4 });
        e.handle(Input::Done(
            t,
            Box::new(Completion::LoggedIn(Err(JobFailure::Guard(
                GuardError::NoAnswer(CardError::CardRemoved),
            )))),
        ));
        assert_eq!(
            *e.screen(),
            Screen::Problem(Problem::Unexpected { number: 120 })
        );
        assert_eq!(e.section(), Some("2.2.6"));
        // The card is back: its count is read (Prepare sends no password).
        let effects = e.handle(Input::CardInserted);
        let t = match effects.as_slice() {
            [
                Effect::Card {
                    ticket,
                    job: CardJob::Prepare,
                },
            ] => *ticket,
            other => panic!("{other:?}"),
        };
        e.handle(Input::Done(
            t,
            Box::new(prepared(PasswordState::Normal { tries_left: 3 })),
        ));
        assert_eq!(
            *e.screen(),
            Screen::Password {
                step: PasswordStep::Login,
                state: PasswordState::Normal { tries_left: 3 },
                notice: Some(PasswordNotice::CountReadAgain {
                    before: Some(4),
                    now: Some(3)
                }),
                last_try_confirmed: false,
            }
        );
        // Once only.
        assert!(e.handle(Input::CardInserted).is_empty());
    }

    #[test]
    fn card_pulled_during_a_password_check_is_e120_else_e106() {
        // The watch sees the card go while the VERIFY job runs: whether it
        // left is not known here.
        let mut e = Engine::new(Procedure::Revocation, Options::default());
        entry_sent(&mut e, PasswordState::Normal { tries_left: 5 });
        e.handle(Input::CardRemoved);
        assert_eq!(
            *e.screen(),
            Screen::Problem(Problem::Unexpected { number: 120 })
        );
        // OK → 2.1.3 → OK: the count read there is compared too.
        e.handle(Input::Action(Action::Ok));
        assert_eq!(*e.screen(), Screen::CardPreparation);
        let t = only_ticket(&e.handle(Input::Action(Action::Ok)));
        e.handle(Input::Done(
            t,
            Box::new(prepared(PasswordState::Normal { tries_left: 5 })),
        ));
        assert!(matches!(
            e.screen(),
            Screen::Password {
                notice: Some(PasswordNotice::CountReadAgain {
                    before: Some(5),
                    now: Some(5)
                }),
                ..
            }
        ));

        // At the password dialog, nothing on its way: E106, and insertion
        // does not start anything by itself.
        let mut e = Engine::new(Procedure::Revocation, Options::default());
        e.handle(Input::Action(Action::Start));
        let t = only_ticket(&e.handle(Input::Action(Action::Ok)));
        e.handle(Input::Done(
            t,
            Box::new(prepared(PasswordState::Normal { tries_left: 5 })),
        ));
        e.handle(Input::CardRemoved);
        assert_eq!(
            *e.screen(),
            Screen::Problem(Problem::Unexpected { number: 106 })
        );
        assert!(e.handle(Input::CardInserted).is_empty());
    }

    #[test]
    fn stale_completions_are_dropped() {
        let mut e = Engine::new(Procedure::Revocation, Options::default());
        e.handle(Input::Action(Action::Start));
        let t = only_ticket(&e.handle(Input::Action(Action::Ok)));
        // The watch reports the card gone before the job answers.
        e.handle(Input::CardRemoved);
        assert_eq!(
            *e.screen(),
            Screen::Problem(Problem::Unexpected { number: 106 })
        );
        assert!(
            e.handle(Input::Done(t, Box::new(prepared(PasswordState::LastTry))))
                .is_empty()
        );
        assert_eq!(
            *e.screen(),
            Screen::Problem(Problem::Unexpected { number: 106 })
        );
    }
}
