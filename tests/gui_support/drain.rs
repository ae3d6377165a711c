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

/// [`drain`], handing every action that is not a message (widget and
/// window operations) to `other`, with the app as it is at that moment.
pub fn drain_with(
    app: &mut App,
    runtime: &tokio::runtime::Runtime,
    tasks: Vec<Task<Message>>,
    watchdog: Duration,
    mut other: impl FnMut(&App, iced_runtime::Action<Message>),
) -> Result<(), String> {
    let mut streams: SelectAll<BoxStream<'static, iced_runtime::Action<Message>>> =
        SelectAll::new();
    for task in tasks {
        if let Some(s) = iced_runtime::task::into_stream(task) {
            streams.push(s);
        }
    }
    loop {
        let next = runtime.block_on(async { tokio::time::timeout(watchdog, streams.next()).await });
        match next {
            Err(_) => return Err(format!("no completion within {watchdog:?}")),
            Ok(None) => return Ok(()),
            Ok(Some(iced_runtime::Action::Output(m))) => {
                let task = app.update(m);
                if let Some(s) = iced_runtime::task::into_stream(task) {
                    streams.push(s);
                }
            }
            Ok(Some(action)) => other(app, action),
        }
    }
}
