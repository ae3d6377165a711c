//! The procedure engine for 失効申請 (revocation, manual chapter 2) and
//! 有効性確認 (validity check, chapter 3), independent of any UI.
//!
//! ```text
//!  Top ─Start→ CardPreparation ─Ok→ [Prepare] → Password(Login) ─pw→ [Login]
//!  (2.1.2)      (2.1.3)                           (2.1.4)
//!    → Review ─Sign→ SignConfirmation ─Confirm→ [Challenge] → [Status]
//!      (2.1.5)        (2.1.6)
//!    → Password(Signing) ─pw→ [Sign] → SendConfirmation ─Confirm→ [Submit]
//!      (2.1.7)                          (2.1.8, irrevocable)
//!    → Finished(…) (2.1.9 / 2.2.14 / 2.2.15 / 3.1.9–3.1.12) or Problem(…)
//! ```
//!
//! - [`Engine`] is a pure state machine: [`Engine::handle`] takes an
//!   [`Input`] (an [`Action`] of the resident, the completion of earlier
//!   work, a card removal seen by the reader watch, an idle timeout) and
//!   returns [`Effect`]s. It never blocks and does no I/O.
//! - [`Executor`] carries effects out: each becomes a future of the input
//!   that completes it. Card jobs run on a card thread that owns the
//!   connection and the 5-strike [`madoguchi_card::PasswordGuard`]; network
//!   jobs and timers are async. The GUI runs the futures as iced Tasks;
//!   [`Driver`] is the blocking form used by the CLI and tests.
//! - Every screen, dialog and message of the manual is a [`Screen`], with
//!   [`Screen::section`] giving its manual section for the procedure and
//!   [`Engine::allowed`] its buttons. The manual's recovery paths: 2.1.3
//!   stop → top; 2.1.4 cancel → 2.1.3; 2.1.5 back → 2.1.3, stop → top;
//!   2.1.6 cancel signing → 2.1.5; 2.1.7 cancel → 2.1.5; 2.1.8 cancel
//!   sending → 2.1.5; 2.2.5 OK → try the card again; 2.2.6 OK → 2.1.3;
//!   2.2.8/2.2.10/2.2.12/2.2.13 back → 2.1.3 or stop; the others close.
//!
//! Promises kept here:
//! - The guard's decisions are screens: the card's count at every password
//!   entry ([`Screen::Password`]), the warning at two left, the last-try
//!   confirmation *before* the password is typed
//!   ([`Screen::LastTryConfirmation`]), the lock ([`Problem::Locked`]).
//!   A password moves from the [`Action`] into exactly one card job and is
//!   zeroed with it; nothing is retried, nothing is kept after a failure.
//!   (Only while a stale challenge is renewed does the typed password wait
//!   in the engine, and it is dropped if that fails.)
//! - An expired certificate stops before any signature
//!   ([`Problem::Expired`]); an unknown issuer warns
//!   ([`Screen::IssuerWarning`]) and the window decides.
//! - The signature is made only after 2.1.7, sent only after 2.1.8.
//!   Network trouble after sending offers to resend the **same** bytes
//!   ([`Action::Resend`]); a new signature needs the resident again.
//! - Card removal while the card is needed → 2.2.6
//!   ([`Problem::Unexpected`]): E106 when no password was on its way (no
//!   try used), E120 when a password check went unanswered (a try may have
//!   been used; the count is read again when the card is back). In counter
//!   mode the resident's data is wiped then, after a result when the card is
//!   taken out, and on idle.

mod engine;
mod executor;
mod resident;
mod screen;
mod worker;

pub use engine::{
    Action, ActionKind, CardJob, Completion, Effect, Engine, ExpectedIssuers, Input,
    JPKI_SIGNING_ISSUER, JPKI_SIGNING_ISSUER_JA, JobFailure, NetJob, Options, Prepared, Ticket,
};
pub use executor::{Driver, Executor, Pending, STUCK_AFTER, Stuck};
pub use resident::{ImportError, Resident};
pub use screen::{
    Activity, Finish, Found, IssuerFinding, PasswordNotice, PasswordStep, Problem, Screen, Step,
};
pub use worker::{CardOpener, CardWorker};
