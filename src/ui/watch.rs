//! The app's subscriptions: the PC/SC reader watch and the keyboard.

use iced::futures::{SinkExt, StreamExt};
use madoguchi_card::WatchEvent;

use super::a11y;
use super::app::Message;
use super::focus::KeyPress;

/// The reader watch (PC/SC), as a stream of messages.
pub fn readers() -> impl iced::futures::Stream<Item = Message> {
    iced::stream::channel(16, async move |mut out| {
        let (tx, mut rx) = iced::futures::channel::mpsc::unbounded();
        let watch = madoguchi_card::Watch::start_with(move |e| {
            let _ = tx.unbounded_send(e);
        });
        let _watch = match watch {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(target: "madoguchi::ui", "reader watch: {e}");
                let _ = out
                    .send(Message::Reader(WatchEvent::ServiceUnavailable))
                    .await;
                std::future::pending::<()>().await;
                return;
            }
        };
        while let Some(e) = rx.next().await {
            if out.send(Message::Reader(e)).await.is_err() {
                break;
            }
        }
    })
}

/// A keyboard or mouse event as the App's message: the focus ring's keys,
/// typed letters (to guess Caps Lock), and activity (counter mode).
pub fn keyboard_event(
    event: iced::Event,
    status: iced::event::Status,
    _window: iced::window::Id,
) -> Option<Message> {
    use iced::keyboard::{self, Key, key::Named};
    match event {
        iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key,
            modifiers,
            text,
            repeat,
            ..
        }) => {
            let ignored = status == iced::event::Status::Ignored;
            match key.as_ref() {
                // A key held down answers one screen only: held on
                // 了解 (送信する), Enter's repeats would close the result as
                // it comes; Escape's would walk back past the screen before.
                Key::Named(Named::Enter | Named::Escape) if repeat => None,
                Key::Named(Named::Tab) => Some(Message::Key(if modifiers.shift() {
                    KeyPress::ShiftTab
                } else {
                    KeyPress::Tab
                })),
                Key::Named(Named::Enter) if ignored => Some(Message::Key(KeyPress::Enter)),
                Key::Named(Named::Escape) => Some(Message::Key(KeyPress::Escape)),
                _ => {
                    let c = text.as_deref().and_then(|t| t.chars().next())?;
                    c.is_ascii_alphabetic().then(|| Message::Typed {
                        upper: c.is_ascii_uppercase(),
                        shift: modifiers.shift(),
                    })
                }
            }
        }
        iced::Event::Mouse(iced::mouse::Event::ButtonPressed(_)) => Some(Message::Activity),
        _ => None,
    }
}

/// The window gaining or losing the keyboard focus (the screen reader's
/// adapter is told).
pub fn window_focus((_, event): (iced::window::Id, iced::window::Event)) -> Option<Message> {
    use iced::window::Event;
    let event = match event {
        Event::Focused => a11y::Event::WindowFocused(true),
        Event::Unfocused => a11y::Event::WindowFocused(false),
        Event::Moved(p) => a11y::Event::Window(a11y::WindowChange::Moved(p)),
        Event::Resized(s) => a11y::Event::Window(a11y::WindowChange::Resized(s)),
        Event::Rescaled(f) => a11y::Event::Window(a11y::WindowChange::Rescaled(f)),
        _ => return None,
    };
    Some(Message::Assistive(event))
}
