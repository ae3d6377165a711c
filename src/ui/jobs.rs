//! Work the card tools do off the UI thread, and the road by which every
//! piece of background work (the procedure engine's completions, the tools'
//! results) comes back to the app.
//!
//! Results go into one channel and a [`tokio::sync::Notify`] is poked; the
//! running app turns the poke into a message (a subscription), a test reads
//! the channel directly ([`Inbox::wait`]). No iced types here.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use madoguchi_card::{
    CardError, ChangeOutcome, GuardError, JpkiCard, Normalisation, PasswordGuard, PasswordState,
    RejectedBook, Secret, TransactionEnd,
};

use crate::client::{Client, ClientError, ServerIdentity};
use crate::flow::{CardOpener, Input};

pub use crate::card_report::CardReport;

/// What came back.
#[derive(Debug)]
pub enum Delivery {
    /// A completion for the engine of generation `owner`.
    Flow {
        owner: u64,
        input: Input,
    },
    CardStatus(Result<CardReport, CardError>),
    Identity(Result<ServerIdentity, ClientError>),
    Change(ChangeDone),
    /// A demo profile switch finished.
    Demo(Result<Box<super::environment::Demo>, String>),
}

/// The sending side, cloned into every job.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Delivery>,
    wake: Arc<tokio::sync::Notify>,
}

impl Outbox {
    pub fn send(&self, d: Delivery) {
        let _ = self.tx.send(d);
        self.wake.notify_one();
    }

    /// A notify callback for [`crate::flow::Executor`].
    pub fn flow(&self, owner: u64) -> impl Fn(Input) + Send + Sync + 'static {
        let me = Mutex::new(self.clone());
        move |input| {
            me.lock()
                .unwrap_or_else(|e| e.into_inner())
                .send(Delivery::Flow { owner, input })
        }
    }
}

/// The receiving side, owned by the app.
pub struct Inbox {
    rx: mpsc::Receiver<Delivery>,
    pub wake: Arc<tokio::sync::Notify>,
}

/// A connected pair.
pub fn channel() -> (Outbox, Inbox) {
    let (tx, rx) = mpsc::channel();
    let wake = Arc::new(tokio::sync::Notify::new());
    (
        Outbox {
            tx,
            wake: wake.clone(),
        },
        Inbox { rx, wake },
    )
}

impl Inbox {
    /// Everything already delivered.
    pub fn drain(&self) -> Vec<Delivery> {
        self.rx.try_iter().collect()
    }

    /// Wait up to `limit` for one delivery.
    pub fn wait(&self, limit: Duration) -> Option<Delivery> {
        self.rx.recv_timeout(limit).ok()
    }
}

fn spawn(name: &str, job: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.into()).spawn(job) {
        tracing::error!(target: "madoguchi::ui", "cannot start {name}: {e}");
    }
}

/// Read the card's state: type, tries left of each password, expiry of
/// the authentication certificate. Only empty VERIFYs: nothing is spent.
pub fn card_status(mut opener: CardOpener, out: Outbox) {
    spawn("madoguchi-card-status", move || {
        let result = (|| {
            let (reader, channel) = opener()?;
            crate::card_report::read(reader, channel)
        })();
        out.send(Delivery::CardStatus(result));
    });
}

/// Connect to the online window and read its certificate.
pub fn server_identity(client: Result<Client, ClientError>, out: Outbox) {
    spawn("madoguchi-identity", move || {
        let result = match client {
            Err(e) => Err(e),
            Ok(c) => match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt.block_on(c.identity()),
                Err(e) => Err(ClientError::Tls(e.to_string())),
            },
        };
        out.send(Delivery::Identity(result));
    });
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
    Status,
    Change {
        old: Secret,
        new: Secret,
        confirmed: bool,
    },
}

/// The card session of the change-password screen: one thread owns the
/// connection and the guard (so the guard remembers a rejected password
/// across entries) until the screen closes.
pub struct ChangeSession {
    tx: mpsc::Sender<ChangeJob>,
}

impl ChangeSession {
    pub fn start(mut opener: CardOpener, book: RejectedBook, out: Outbox) -> ChangeSession {
        let (tx, rx) = mpsc::channel::<ChangeJob>();
        spawn("madoguchi-change-password", move || {
            let mut session: Option<(
                JpkiCard<Box<dyn madoguchi_card::CardChannel>>,
                PasswordGuard,
            )> = None;
            while let Ok(job) = rx.recv() {
                let done = match job {
                    ChangeJob::Status => {
                        session = None;
                        let r = crate::card_session::open(&mut opener, &book).map(|s| {
                            let state = s.state;
                            session = Some((s.card, s.guard));
                            state
                        });
                        ChangeDone::Ready(r)
                    }
                    ChangeJob::Change {
                        old,
                        new,
                        confirmed,
                    } => match session.as_mut() {
                        None => ChangeDone::Failed(GuardError::Card(CardError::CardRemoved)),
                        // One transaction, ended by a power cycle: the old
                        // password's VERIFY does not outlive the change.
                        Some((card, guard)) => card
                            .atomic(TransactionEnd::Unpower, |card| {
                                Ok::<_, CardError>(change(card, guard, &old, &new, confirmed))
                            })
                            .unwrap_or_else(|e| ChangeDone::Failed(GuardError::Card(e))),
                    },
                };
                out.send(Delivery::Change(done));
            }
        });
        ChangeSession { tx }
    }

    /// Read the count (again).
    pub fn status(&self) {
        let _ = self.tx.send(ChangeJob::Status);
    }

    /// Change the password; the secrets move into the job.
    pub fn change(&self, old: Secret, new: Secret, confirmed: bool) {
        let _ = self.tx.send(ChangeJob::Change {
            old,
            new,
            confirmed,
        });
    }
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

/// Switch the demo profile: a fresh card and window (the "revoked"
/// profile takes a revocation and a CRL first, about a second).
pub fn demo_switch(
    material: std::sync::Arc<madoguchi_demo::Material>,
    choice: madoguchi_demo::Profile,
    out: Outbox,
) {
    spawn("madoguchi-demo-switch", move || {
        let r = super::environment::Demo::start(material, choice)
            .map(Box::new)
            .map_err(|e| format!("{e:#}"));
        out.send(Delivery::Demo(r));
    });
}
