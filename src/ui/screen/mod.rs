//! One module per screen of the app, all with the same contract (the
//! icebreaker shape):
//!
//! - `new(…) -> (Self, Task<Message>)`: the screen, and the work it starts
//!   (reading the card, asking the window);
//! - `update(&mut self, Message) -> Action<Message>`: its own messages,
//!   including the results of its own work (`Message::Loaded` and the
//!   like), and what the App does next;
//! - `view(&self, &Ui) -> Page`: drawing, with no side effect;
//! - private fields; the App asks through methods.
//!
//! The App (`ui::app`) owns the [`Screen`](crate::ui::app::Screen) enum and
//! routes messages; it never writes into a screen.

pub mod card_removed;
pub mod card_status;
pub mod cert_viewer;
pub mod change_password;
pub mod procedure;
pub mod reader_choice;
pub mod server_identity;
pub mod settings;
pub mod staff_unlock;
pub mod top;

use std::sync::{Arc, Mutex};

use iced::{Element, Task};
use madoguchi_pki::request::Procedure;

use crate::ui::settings::Settings;
use top::Tool;

/// What the App does after a screen's update.
pub enum Action<M> {
    None,
    /// Run this work; its messages come back to the same screen.
    Run(Task<M>),
    /// Leave this screen, or ask the App for something only it can do.
    Go(Go),
    /// Both: the work goes on while the App acts.
    RunAndGo(Task<M>, Go),
}

/// Where to go, or what the App does for a screen.
#[derive(Clone, Debug)]
pub enum Go {
    /// The top screen; everything about the resident is dropped.
    Home,
    /// Back to what this screen was opened over (a procedure waiting
    /// behind a viewer), else the top.
    Back,
    /// Start a procedure.
    Start(Procedure),
    /// Open a card tool.
    Open(Tool),
    /// The certificate viewer on the procedure's imported certificate.
    ShowCertificate,
    /// The window's identity, over the procedure.
    ShowServer,
    /// Choose the reader, then read the card again.
    ChooseReader,
    /// The resident chose this reader.
    ReaderChosen(String),
    /// The keyboard focus into the password box.
    FocusPassword,
    /// The keyboard, and the focus ring, into a text input of the screen
    /// (its key in the ring, its widget id).
    FocusInput {
        key: &'static str,
        id: iced::widget::Id,
    },
    /// Use these settings now.
    ApplySettings(Box<Settings>),
    /// Use these settings and write them to the user's file.
    SaveSettings(Box<Settings>),
    /// The staff PIN was right: open Settings.
    Unlocked,
}

/// What a screen draws: its body, and the bar of buttons that stays at the
/// bottom of the window (screens that are not dialogs).
pub struct Page<'a, M> {
    pub body: Element<'a, M>,
    pub footer: Option<Element<'a, M>>,
}

impl<'a, M> Page<'a, M> {
    /// A page without a footer.
    pub fn new(body: impl Into<Element<'a, M>>) -> Page<'a, M> {
        Page {
            body: body.into(),
            footer: None,
        }
    }

    pub fn with_footer(body: Element<'a, M>, footer: Option<Element<'a, M>>) -> Page<'a, M> {
        Page { body, footer }
    }

    pub fn map<N: 'a>(self, f: impl Fn(M) -> N + Clone + 'a) -> Page<'a, N>
    where
        M: 'a,
    {
        Page {
            body: self.body.map(f.clone()),
            footer: self.footer.map(|e| e.map(f)),
        }
    }
}

/// A result carried in a message. Messages are cloned (buttons keep one),
/// results move once: the first `take` has it. Its Debug never shows the
/// contents (they can be a resident's certificate or a card's answer).
pub struct Delivered<T>(Arc<Mutex<Option<T>>>);

impl<T> Delivered<T> {
    pub fn new(value: T) -> Delivered<T> {
        Delivered(Arc::new(Mutex::new(Some(value))))
    }

    pub fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl<T> Clone for Delivered<T> {
    fn clone(&self) -> Self {
        Delivered(self.0.clone())
    }
}

impl<T> std::fmt::Debug for Delivered<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Delivered(..)")
    }
}

/// Blocking work (PC/SC, key generation) as a future on the async
/// runtime's blocking pool; a job that panicked gives `stopped()`.
pub async fn blocking<T, E>(
    job: impl FnOnce() -> Result<T, E> + Send + 'static,
    stopped: impl FnOnce() -> E + Send + 'static,
) -> Result<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    match tokio::task::spawn_blocking(job).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(target: "madoguchi::ui", "background job stopped: {e}");
            Err(stopped())
        }
    }
}
