//! Windows (UI Automation: NVDA, Narrator) and macOS (NSAccessibility:
//! VoiceOver), through AccessKit's subclassing adapters.
//!
//! **Compiled, never run.** This project's CI runs on Linux only, so this
//! code has not met a real Windows or macOS screen reader. Until it has, it
//! is off unless `MADOGUCHI_NATIVE_ACCESSIBILITY=1` is set (an
//! administrator's or a tester's choice; docs/accessibility.md): with it
//! off, the window opens exactly as before.
//!
//! The adapters differ from Linux's in three ways: they must be bound to
//! the native window on the UI thread *before the window is first shown*
//! (accesskit_windows refuses a visible window), so the window is created
//! hidden and shown once the adapter is in place; they are not `Send`, so
//! they stay in a thread-local of the UI thread and every tree reaches them
//! through `iced::window::run` (which runs on that thread); and they ask
//! for the first tree synchronously, so the latest tree is kept ready.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use accesskit::{ActionHandler, ActionRequest, ActivationHandler, TreeUpdate};
use iced::Task;
use iced::futures::channel::mpsc;
use iced::futures::{SinkExt, Stream, StreamExt};
use iced::window::raw_window_handle::RawWindowHandle;

use super::{Event, Request};

/// The environment variable that turns the adapters on.
pub const SWITCH: &str = "MADOGUCHI_NATIVE_ACCESSIBILITY";

/// The latest full tree, for the adapter's first, synchronous request.
type Latest = Arc<Mutex<Option<TreeUpdate>>>;

/// What the App keeps: the latest tree and where actions go.
#[derive(Clone)]
pub struct Handle {
    latest: Latest,
    forward: mpsc::UnboundedSender<Event>,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handle")
    }
}

/// Whether the window is created hidden, to be shown once the adapter is
/// bound to it ([`Handle::bind`]).
pub fn shown_after_binding() -> bool {
    std::env::var_os(SWITCH).is_some_and(|v| v == "1")
}

enum Adapter {
    #[cfg(windows)]
    Windows(accesskit_windows::SubclassingAdapter),
    #[cfg(target_os = "macos")]
    Macos(accesskit_macos::SubclassingAdapter),
}

thread_local! {
    // The adapters are not Send: they stay on the UI thread that made them.
    static ADAPTER: RefCell<Option<Adapter>> = const { RefCell::new(None) };
}

struct Activation(Latest);

impl ActivationHandler for Activation {
    fn request_initial_tree(&mut self) -> Option<TreeUpdate> {
        self.0.lock().ok()?.clone()
    }
}

/// May run on another thread (Windows): only forwards.
struct Forward(mpsc::UnboundedSender<Event>);

impl ActionHandler for Forward {
    fn do_action(&mut self, request: ActionRequest) {
        let _ = self.0.unbounded_send(Event::Action(Request(request)));
    }
}

impl Handle {
    /// Keep the tree for the adapter's first request, and hand it to the
    /// adapter on the UI thread. Built on every update: the adapter asks
    /// for it synchronously, when there is no time to build it.
    pub fn publish<T: Send + 'static>(
        &self,
        window: Option<iced::window::Id>,
        tree: impl FnOnce() -> TreeUpdate,
    ) -> Task<T> {
        let tree = tree();
        if let Ok(mut latest) = self.latest.lock() {
            *latest = Some(tree.clone());
        }
        match window {
            Some(id) => iced::window::run(id, move |_| update(tree)).discard(),
            None => Task::none(),
        }
    }

    /// Bind the adapter to the window, then show the window. The window
    /// is shown whether or not the binding worked.
    pub fn bind<T: Send + 'static>(&self, window: iced::window::Id) -> Task<T> {
        let latest = self.latest.clone();
        let forward = self.forward.clone();
        iced::window::run(window, move |w| {
            if let Ok(handle) = w.window_handle() {
                install(handle.as_raw(), latest, forward);
            }
        })
        .discard()
        .chain(iced::window::set_mode(window, iced::window::Mode::Windowed))
    }

    pub fn window_focused<T: Send + 'static>(
        &self,
        window: Option<iced::window::Id>,
        focused: bool,
    ) -> Task<T> {
        match window {
            Some(id) => iced::window::run(id, move |_| focus(focused)).discard(),
            None => Task::none(),
        }
    }

    /// UI Automation and NSAccessibility place the window themselves.
    pub fn window_bounds(&self, _bounds: accesskit::Rect) {}
}

/// On the UI thread, while the window is still hidden.
fn install(raw: RawWindowHandle, latest: Latest, forward: mpsc::UnboundedSender<Event>) {
    let adapter = match raw {
        #[cfg(windows)]
        RawWindowHandle::Win32(h) => Adapter::Windows(accesskit_windows::SubclassingAdapter::new(
            accesskit_windows::HWND(h.hwnd.get() as *mut core::ffi::c_void),
            Activation(latest),
            Forward(forward),
        )),
        #[cfg(target_os = "macos")]
        RawWindowHandle::AppKit(h) => Adapter::Macos(
            // SAFETY: winit hands out the live NSView of its window, on the
            // main thread, before the window is shown.
            unsafe {
                accesskit_macos::SubclassingAdapter::new(
                    h.ns_view.as_ptr(),
                    Activation(latest),
                    Forward(forward),
                )
            },
        ),
        _ => return,
    };
    ADAPTER.with(|a| *a.borrow_mut() = Some(adapter));
}

/// On the UI thread: give the adapter the tree, and raise its events
/// outside the borrow (they may call back into it).
fn update(tree: TreeUpdate) {
    let events: Option<Box<dyn FnOnce()>> = ADAPTER.with(|a| match a.borrow_mut().as_mut() {
        #[cfg(windows)]
        Some(Adapter::Windows(ad)) => ad
            .update_if_active(|| tree)
            .map(|e| Box::new(move || e.raise()) as Box<dyn FnOnce()>),
        #[cfg(target_os = "macos")]
        Some(Adapter::Macos(ad)) => ad
            .update_if_active(|| tree)
            .map(|e| Box::new(move || e.raise()) as Box<dyn FnOnce()>),
        None => None,
    });
    if let Some(raise) = events {
        raise();
    }
}

/// On the UI thread: macOS needs the window's focus; UI Automation follows
/// the window by itself.
fn focus(focused: bool) {
    let events: Option<Box<dyn FnOnce()>> = ADAPTER.with(|a| match a.borrow_mut().as_mut() {
        #[cfg(target_os = "macos")]
        Some(Adapter::Macos(ad)) => ad
            .update_view_focus_state(focused)
            .map(|e| Box::new(move || e.raise()) as Box<dyn FnOnce()>),
        _ => {
            let _ = focused;
            None
        }
    });
    if let Some(raise) = events {
        raise();
    }
}

/// The App's handle, once, if the adapters are switched on; then the
/// actions of the assistive technology.
pub fn events() -> impl Stream<Item = Event> {
    iced::stream::channel(16, async |mut out: mpsc::Sender<Event>| {
        if !shown_after_binding() {
            return;
        }
        let (tx, mut rx) = mpsc::unbounded();
        let handle = Handle {
            latest: Arc::new(Mutex::new(None)),
            forward: tx,
        };
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
