//! The change-password card session: one thread owns the connection and
//! the guard while the screen is open. Each request is answered through a
//! one-shot channel, so the screen awaits it as an iced Task. No iced types
//! here.

use std::future::Future;
use std::sync::mpsc;

use madoguchi_card::{
    CardError, ChangeOutcome, GuardError, JpkiCard, Normalisation, PasswordGuard, PasswordState,
    RejectedBook, Secret, TransactionEnd,
};
use tokio::sync::oneshot;

use crate::flow::CardOpener;

fn spawn(name: &str, job: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(job)
        .map(|_| ())
}

/// What a change-password job found.
#[derive(Debug)]
pub enum ChangeDone {
    /// The card is ready; its count (nothing spent).
    Ready(Result<PasswordState, CardError>),
    /// Changed; `upper_cased` if the new one was typed in lower case.
    Changed { upper_cased: bool },
    /// One try left and not confirmed: nothing was sent.
    NeedsConfirmation,
    /// Refused by the guard or the card.
    Failed(GuardError),
}

enum ChangeJob {
    Status(oneshot::Sender<ChangeDone>),
    Change {
        old: Secret,
        new: Secret,
        confirmed: bool,
        reply: oneshot::Sender<ChangeDone>,
    },
}

/// The card session of the change-password screen: one thread owns the
/// connection and the guard (so the guard remembers a rejected password
/// across entries) until the screen closes.
pub struct ChangeSession {
    tx: mpsc::Sender<ChangeJob>,
}

impl ChangeSession {
    pub fn start(mut opener: CardOpener, book: RejectedBook) -> ChangeSession {
        let (tx, rx) = mpsc::channel::<ChangeJob>();
        let started = spawn("madoguchi-change-password", move || {
            let mut session: Option<(
                JpkiCard<Box<dyn madoguchi_card::CardChannel>>,
                PasswordGuard,
            )> = None;
            while let Ok(job) = rx.recv() {
                let (done, reply) = match job {
                    ChangeJob::Status(reply) => {
                        session = None;
                        let r = crate::card_session::open(&mut opener, &book).map(|s| {
                            let state = s.state;
                            session = Some((s.card, s.guard));
                            state
                        });
                        (ChangeDone::Ready(r), reply)
                    }
                    ChangeJob::Change {
                        old,
                        new,
                        confirmed,
                        reply,
                    } => (
                        match session.as_mut() {
                            None => ChangeDone::Failed(GuardError::Card(CardError::CardRemoved)),
                            // One transaction, ended by a power cycle: the old
                            // password's VERIFY does not outlive the change.
                            Some((card, guard)) => card
                                .atomic(TransactionEnd::Unpower, |card| {
                                    Ok::<_, CardError>(change(card, guard, &old, &new, confirmed))
                                })
                                .unwrap_or_else(|e| ChangeDone::Failed(GuardError::Card(e))),
                        },
                        reply,
                    ),
                };
                let _ = reply.send(done);
            }
        });
        if let Err(e) = started {
            tracing::error!(target: "madoguchi::ui", "cannot start the card session: {e}");
        }
        ChangeSession { tx }
    }

    /// Read the count (again).
    pub fn status(&self) -> impl Future<Output = ChangeDone> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let _ = self.tx.send(ChangeJob::Status(reply));
        finished(answer)
    }

    /// Change the password; the secrets move into the job.
    pub fn change(
        &self,
        old: Secret,
        new: Secret,
        confirmed: bool,
    ) -> impl Future<Output = ChangeDone> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let _ = self.tx.send(ChangeJob::Change {
            old,
            new,
            confirmed,
            reply,
        });
        finished(answer)
    }
}

/// The session's answer; a session that stopped says the card is gone.
async fn finished(answer: oneshot::Receiver<ChangeDone>) -> ChangeDone {
    answer
        .await
        .unwrap_or(ChangeDone::Failed(GuardError::Card(CardError::Transport(
            "the card session stopped".into(),
        ))))
}

fn change<C: madoguchi_card::CardChannel>(
    card: &mut JpkiCard<C>,
    guard: &mut PasswordGuard,
    old: &Secret,
    new: &Secret,
    confirmed: bool,
) -> ChangeDone {
    let outcome = match guard.change_password(card, old, new, None) {
        Ok(ChangeOutcome::NeedsLastTryConfirmation(request)) => {
            if !confirmed {
                return ChangeDone::NeedsConfirmation;
            }
            match guard.confirm_last_try(request) {
                Ok(c) => guard.change_password(card, old, new, Some(c)),
                Err(e) => Err(e),
            }
        }
        other => other,
    };
    match outcome {
        Ok(ChangeOutcome::Changed { normalisation }) => ChangeDone::Changed {
            upper_cased: normalisation == Some(Normalisation::UpperCased),
        },
        Ok(ChangeOutcome::NeedsLastTryConfirmation(_)) => ChangeDone::NeedsConfirmation,
        Err(e) => ChangeDone::Failed(e),
    }
}
