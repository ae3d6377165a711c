//! Linux and the BSDs: AT-SPI over D-Bus (`accesskit_unix`), read by Orca.
//! The adapter needs no window handle: it talks to the session bus from
//! its own thread, and lives in the App's subscription.

use std::sync::{Arc, Mutex};

use accesskit::{ActionHandler, ActionRequest, ActivationHandler, DeactivationHandler, TreeUpdate};
use iced::Task;
use iced::futures::channel::mpsc;
use iced::futures::{SinkExt, Stream, StreamExt};

use super::{Event, Request};

/// The adapter, shared with the App (it travels in a message).
#[derive(Clone)]
pub struct Handle(Arc<Mutex<accesskit_unix::Adapter>>);

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handle")
    }
}

/// The window is shown as iced creates it: nothing binds to it.
pub fn shown_after_binding() -> bool {
    false
}

impl Handle {
    /// Push a tree, built only if an assistive technology listens.
    pub fn publish<T>(
        &self,
        _window: Option<iced::window::Id>,
        tree: impl FnOnce() -> TreeUpdate,
    ) -> Task<T> {
        if let Ok(mut a) = self.0.lock() {
            a.update_if_active(tree);
        }
        Task::none()
    }

    /// Nothing to bind on AT-SPI.
    pub fn bind<T>(&self, _window: iced::window::Id) -> Task<T> {
        Task::none()
    }

    pub fn window_focused<T>(&self, _window: Option<iced::window::Id>, focused: bool) -> Task<T> {
        if let Ok(mut a) = self.0.lock() {
            a.update_window_focus_state(focused);
        }
        Task::none()
    }

    /// Where the window is on the screen, in physical pixels (AT-SPI gives
    /// screen coordinates; the tree's are the window's).
    pub fn window_bounds(&self, bounds: accesskit::Rect) {
        if let Ok(mut a) = self.0.lock() {
            a.set_root_window_bounds(bounds, bounds);
        }
    }
}

/// Runs on AccessKit's own thread: only forwards.
struct Forward(mpsc::UnboundedSender<Event>);

impl ActivationHandler for Forward {
    fn request_initial_tree(&mut self) -> Option<TreeUpdate> {
        // The App answers with a full tree from its next update.
        let _ = self.0.unbounded_send(Event::Activated);
        None
    }
}

impl ActionHandler for Forward {
    fn do_action(&mut self, request: ActionRequest) {
        let _ = self.0.unbounded_send(Event::Action(Request(request)));
    }
}

impl DeactivationHandler for Forward {
    fn deactivate_accessibility(&mut self) {
        let _ = self.0.unbounded_send(Event::Deactivated);
    }
}

/// The adapter's life: the first event hands the App its handle, then one
/// event per activation, action and deactivation.
pub fn events() -> impl Stream<Item = Event> {
    iced::stream::channel(16, async |mut out: mpsc::Sender<Event>| {
        let (tx, mut rx) = mpsc::unbounded();
        let adapter =
            accesskit_unix::Adapter::new(Forward(tx.clone()), Forward(tx.clone()), Forward(tx));
        let handle = Handle(Arc::new(Mutex::new(adapter)));
        if out.send(Event::Ready(handle)).await.is_err() {
            return;
        }
        while let Some(e) = rx.next().await {
            if out.send(e).await.is_err() {
                break;
            }
        }
    })
}
