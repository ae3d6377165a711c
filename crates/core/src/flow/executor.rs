//! Carrying out the engine's effects off the caller's thread.
//!
//! [`Executor`] runs card jobs on one card thread (the card is used by one
//! job at a time, in order) and network jobs and timers on a tokio runtime
//! of its own; every completion is handed to a `notify` callback as an
//! [`Input`]. A GUI passes a callback that posts the input to its event
//! loop; [`Driver`] is the blocking form the CLI and the tests use.

use madoguchi_card::RejectedBook;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use super::engine::{Completion, Effect, Engine, Input, NetJob};
use super::screen::Screen;
use super::worker::{CardOpener, CardWorker};
use crate::client::{Client, ClientError};

enum CardMsg {
    Job(super::engine::Ticket, super::engine::CardJob),
    Release,
}

/// Runs effects; see the module docs.
pub struct Executor {
    card: mpsc::Sender<CardMsg>,
    runtime: Option<tokio::runtime::Runtime>,
    client: Result<Client, ClientError>,
    notify: Arc<dyn Fn(Input) + Send + Sync>,
}

impl Executor {
    /// Start the card thread and the network runtime. `client` may be an
    /// error (no server configured, bad anchor): network jobs then complete
    /// with that error, so the engine shows it at the step that needs the
    /// window.
    pub fn new(
        opener: CardOpener,
        client: Result<Client, ClientError>,
        notify: impl Fn(Input) + Send + Sync + 'static,
    ) -> std::io::Result<Executor> {
        Self::with_book(opener, RejectedBook::default(), client, notify)
    }

    /// [`Executor::new`] with the app's memory of rejected passwords by
    /// card, so that it outlives this procedure.
    pub fn with_book(
        opener: CardOpener,
        book: RejectedBook,
        client: Result<Client, ClientError>,
        notify: impl Fn(Input) + Send + Sync + 'static,
    ) -> std::io::Result<Executor> {
        let notify: Arc<dyn Fn(Input) + Send + Sync> = Arc::new(notify);
        let (tx, rx) = mpsc::channel::<CardMsg>();
        let card_notify = notify.clone();
        std::thread::Builder::new()
            .name("madoguchi-card".into())
            .spawn(move || {
                let mut worker = CardWorker::with_book(opener, book);
                while let Ok(msg) = rx.recv() {
                    match msg {
                        CardMsg::Job(ticket, job) => {
                            tracing::debug!(target: "madoguchi::flow", "card job {job:?}");
                            let done = worker.run(job);
                            card_notify(Input::Done(ticket, Box::new(done)));
                        }
                        CardMsg::Release => worker.release(),
                    }
                }
            })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("madoguchi-net")
            .enable_all()
            .build()?;
        Ok(Executor {
            card: tx,
            runtime: Some(runtime),
            client,
            notify,
        })
    }

    /// The client, if it could be made.
    pub fn client(&self) -> Result<&Client, &ClientError> {
        self.client.as_ref()
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("runtime lives until drop")
    }

    /// Start one effect; its completion arrives through `notify`.
    pub fn execute(&self, effect: Effect) {
        match effect {
            Effect::Card { ticket, job } => {
                if self.card.send(CardMsg::Job(ticket, job)).is_err() {
                    (self.notify)(Input::Done(
                        ticket,
                        Box::new(Completion::Prepared(Err(
                            madoguchi_card::CardError::Transport("the card thread stopped".into()),
                        ))),
                    ));
                }
            }
            Effect::ReleaseCard => {
                let _ = self.card.send(CardMsg::Release);
            }
            Effect::Wait { ticket, duration } => {
                let notify = self.notify.clone();
                self.runtime().spawn(async move {
                    tokio::time::sleep(duration).await;
                    notify(Input::Done(ticket, Box::new(Completion::Waited)));
                });
            }
            Effect::Net { ticket, job } => {
                let notify = self.notify.clone();
                let client = self.client.clone();
                self.runtime().spawn(async move {
                    let done = match job {
                        NetJob::Challenge => Completion::Challenge(match client {
                            Ok(c) => c.challenge().await,
                            Err(e) => Err(e),
                        }),
                        NetJob::Submit { procedure, body } => Completion::Submitted(match client {
                            Ok(c) => c.submit(procedure, &body).await,
                            Err(e) => Err(e),
                        }),
                    };
                    notify(Input::Done(ticket, Box::new(done)));
                });
            }
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        // Safe to drop from inside another runtime (a GUI's).
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The engine and an executor, driven from one thread that blocks while
/// work is under way.
pub struct Driver {
    engine: Engine,
    executor: Executor,
    inputs: mpsc::Receiver<Input>,
}

/// How long [`Driver::settle`] waits for one completion before it reports
/// the work as stuck (card and network have their own, shorter timeouts;
/// this only keeps a caller from waiting forever).
pub const STUCK_AFTER: Duration = Duration::from_secs(300);

/// Work did not complete within [`STUCK_AFTER`].
#[derive(Debug, thiserror::Error)]
#[error("no completion within {0:?} on {1}")]
pub struct Stuck(pub Duration, pub &'static str);

impl Driver {
    pub fn new(
        engine: Engine,
        opener: CardOpener,
        client: Result<Client, ClientError>,
    ) -> std::io::Result<Driver> {
        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let executor = Executor::new(opener, client, move |input| {
            let _ = tx.lock().unwrap_or_else(|e| e.into_inner()).send(input);
        })?;
        Ok(Driver {
            engine,
            executor,
            inputs: rx,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn screen(&self) -> &Screen {
        self.engine.screen()
    }

    pub fn executor(&self) -> &Executor {
        &self.executor
    }

    /// Feed one input and start its effects (does not wait).
    pub fn feed(&mut self, input: Input) {
        for effect in self.engine.handle(input) {
            self.executor.execute(effect);
        }
    }

    /// An action of the resident; then wait until the engine needs the
    /// resident again.
    pub fn act(&mut self, action: super::engine::Action) -> Result<&Screen, Stuck> {
        self.feed(Input::Action(action));
        self.settle()
    }

    /// Handle completions until no work is under way.
    pub fn settle(&mut self) -> Result<&Screen, Stuck> {
        self.settle_with(|_| {})
    }

    /// [`Driver::settle`], calling `seen` with every screen passed on the
    /// way (progress, waits).
    pub fn settle_with(&mut self, mut seen: impl FnMut(&Engine)) -> Result<&Screen, Stuck> {
        while self.engine.is_working() {
            seen(&self.engine);
            self.step(STUCK_AFTER)?;
        }
        seen(&self.engine);
        Ok(self.engine.screen())
    }

    /// Wait for one input (at most `limit`) and handle it.
    pub fn step(&mut self, limit: Duration) -> Result<(), Stuck> {
        match self.inputs.recv_timeout(limit) {
            Ok(input) => {
                self.feed(input);
                Ok(())
            }
            Err(_) => Err(Stuck(limit, self.engine.screen().key())),
        }
    }
}
