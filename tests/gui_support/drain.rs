//! Running an App's Tasks as iced's runtime would, without a window: shared
//! by the GUI test harness and the screenshot walker (`examples/screens.rs`).

use std::time::Duration;

use iced::Task;
use iced::futures::StreamExt;
use iced::futures::stream::{BoxStream, SelectAll};
use madoguchi::ui::{App, Message};

/// Poll `tasks` on `runtime` until none is left: every message a Task
/// outputs goes to `app.update`, and the Tasks that returns join the rest.
/// Widget and window operations have no window to act on and are dropped.
/// Fails if nothing comes for `watchdog`.
pub fn drain(
    app: &mut App,
    runtime: &tokio::runtime::Runtime,
    tasks: Vec<Task<Message>>,
    watchdog: Duration,
) -> Result<(), String> {
    drain_with(app, runtime, tasks, watchdog, |_, _| {})
}

/// Work under way, as streams of a Task's actions.
pub type Streams = SelectAll<BoxStream<'static, iced_runtime::Action<Message>>>;

/// [`drain`], handing every action that is not a message (widget and
/// window operations) to `other`, with the app as it is at that moment.
pub fn drain_with(
    app: &mut App,
    runtime: &tokio::runtime::Runtime,
    tasks: Vec<Task<Message>>,
    watchdog: Duration,
    other: impl FnMut(&App, iced_runtime::Action<Message>),
) -> Result<(), String> {
    let mut streams = Streams::new();
    for task in tasks {
        push(&mut streams, task);
    }
    run_until(app, runtime, &mut streams, watchdog, other, |_| false).map(|_| ())
}

/// Add a Task's work to `streams`.
pub fn push(streams: &mut Streams, task: Task<Message>) {
    if let Some(s) = iced_runtime::task::into_stream(task) {
        streams.push(s);
    }
}

/// Run the work in `streams` as [`drain_with`] does, but stop as soon as
/// `until` holds after an update (true; the rest stays in `streams`), or
/// when no work is left (false).
pub fn run_until(
    app: &mut App,
    runtime: &tokio::runtime::Runtime,
    streams: &mut Streams,
    watchdog: Duration,
    mut other: impl FnMut(&App, iced_runtime::Action<Message>),
    until: impl Fn(&App) -> bool,
) -> Result<bool, String> {
    loop {
        let next = runtime.block_on(async { tokio::time::timeout(watchdog, streams.next()).await });
        match next {
            Err(_) => return Err(format!("no completion within {watchdog:?}")),
            Ok(None) => return Ok(false),
            Ok(Some(iced_runtime::Action::Output(m))) => {
                let task = app.update(m);
                push(streams, task);
                if until(app) {
                    return Ok(true);
                }
            }
            Ok(Some(action)) => other(app, action),
        }
    }
}
