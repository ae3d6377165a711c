//! Carrying out the engine's effects off the caller's thread.
//!
//! [`Executor::execute`] turns one effect into a future of the [`Input`]
//! the engine takes when the work is done. Card jobs run on one card thread
//! (the card is used by one job at a time, in order, and the thread owns
//! the open card session between jobs); network jobs and timers are plain
//! async work. Whoever polls the futures decides where they run: the GUI
//! wraps each in an iced `Task` (iced's own runtime), [`Driver`] — the
//! blocking form the CLI and the tests use — on a runtime of its own.

use madoguchi_card::RejectedBook;
use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::engine::{Completion, Effect, Engine, Input, NetJob, Ticket};
use super::screen::Screen;
use super::worker::{CardOpener, CardWorker};
use crate::client::{Client, ClientError};

enum CardMsg {
    Job(super::engine::CardJob, oneshot::Sender<Completion>),
    Release,
}

/// The work of one effect: resolves to the engine's next input.
pub type Pending = Pin<Box<dyn Future<Output = Input> + Send + 'static>>;

/// Runs effects; see the module docs.
pub struct Executor {
    card: mpsc::Sender<CardMsg>,
    client: Result<Client, ClientError>,
}

impl Executor {
    /// Start the card thread. `client` may be an error (no server
    /// configured, bad anchor): network jobs then complete with that
    /// error, so the engine shows it at the step that needs the window.
    pub fn new(
        opener: CardOpener,
        client: Result<Client, ClientError>,
    ) -> std::io::Result<Executor> {
        Self::with_book(opener, RejectedBook::default(), client)
    }

    /// [`Executor::new`] with the app's memory of rejected passwords by
    /// card, so that it outlives this procedure.
    pub fn with_book(
        opener: CardOpener,
        book: RejectedBook,
        client: Result<Client, ClientError>,
    ) -> std::io::Result<Executor> {
        let (tx, rx) = mpsc::channel::<CardMsg>();
        std::thread::Builder::new()
            .name("madoguchi-card".into())
            .spawn(move || {
                let mut worker = CardWorker::with_book(opener, book);
                while let Ok(msg) = rx.recv() {
                    match msg {
                        CardMsg::Job(job, reply) => {
                            tracing::debug!(target: "madoguchi::flow", "card job {job:?}");
                            // The engine may have moved on (the screen
                            // closed): the answer then has nobody to go to.
                            let _ = reply.send(worker.run(job));
                        }
                        CardMsg::Release => worker.release(),
                    }
                }
            })?;
        Ok(Executor { card: tx, client })
    }

    /// The client, if it could be made.
    pub fn client(&self) -> Result<&Client, &ClientError> {
        self.client.as_ref()
    }

    /// Start one effect: the future of its completion, or `None` for an
    /// effect that completes nothing (releasing the card).
    pub fn execute(&self, effect: Effect) -> Option<Pending> {
        match effect {
            Effect::Card { ticket, job } => {
                let (reply, answer) = oneshot::channel();
                // A stopped card thread drops `reply`: the future says so.
                let _ = self.card.send(CardMsg::Job(job, reply));
                Some(Box::pin(async move {
                    let done = answer.await.unwrap_or_else(|_| {
                        Completion::Prepared(Err(madoguchi_card::CardError::Transport(
                            "the card thread stopped".into(),
                        )))
                    });
                    done_input(ticket, done)
                }))
            }
            Effect::ReleaseCard => {
                let _ = self.card.send(CardMsg::Release);
                None
            }
            Effect::Wait { ticket, duration } => Some(Box::pin(async move {
                tokio::time::sleep(duration).await;
                done_input(ticket, Completion::Waited)
            })),
            Effect::Net { ticket, job } => {
                let client = self.client.clone();
                Some(Box::pin(async move {
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
                    done_input(ticket, done)
                }))
            }
        }
    }
}

fn done_input(ticket: Ticket, done: Completion) -> Input {
    Input::Done(ticket, Box::new(done))
}

/// The engine and an executor, driven from one thread that blocks while
/// work is under way.
pub struct Driver {
    engine: Engine,
    executor: Executor,
    /// Polls the executor's futures; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
    done: mpsc::Sender<Input>,
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
        let executor = Executor::new(opener, client)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("madoguchi-net")
            .enable_all()
            .build()?;
        Ok(Driver {
            engine,
            executor,
            runtime: Some(runtime),
            done: tx,
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
            if let (Some(work), Some(runtime)) = (self.executor.execute(effect), &self.runtime) {
                let done = self.done.clone();
                runtime.spawn(async move {
                    let _ = done.send(work.await);
                });
            }
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

impl Drop for Driver {
    fn drop(&mut self) {
        // Work still pending (a hung request) is not waited for.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
