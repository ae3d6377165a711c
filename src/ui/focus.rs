//! The keyboard focus ring: Tab / Shift+Tab move through the focus order of
//! what is on screen (the header, the demo bar, then the screen), Enter
//! presses the focused button (or the screen's default), Escape does the
//! screen's "back".
//!
//! The focused key is the App's state ([`App::focus`]). The order is not
//! kept anywhere: it is derived from the current state, as the view is,
//! each time a key needs it ([`App::key_map`]).

use iced::Task;
use iced::widget::Id;

use super::app::{App, Message, Screen};
use super::widget::{Context, Focusable, KeyMap, Ui};
use super::{demo_bar, header};

/// A key the focus ring acts on (not taken by a widget).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPress {
    Tab,
    ShiftTab,
    Enter,
    Escape,
}

/// The focus order, Enter and Escape of one drawing, lifted into the App's
/// messages.
pub fn lift<M: Clone>(map: &mut KeyMap<Message>, keys: KeyMap<M>, wrap: impl Fn(M) -> Message) {
    for f in keys.order {
        map.order.push(match f {
            Focusable::Button { key, message } => Focusable::Button {
                key,
                message: wrap(message),
            },
            Focusable::Input { key, id } => Focusable::Input { key, id },
        });
    }
    if let Some(m) = keys.escape {
        map.escape = Some(wrap(m));
    }
}

/// What a drawing made with a fresh [`Ui`] registered.
fn keys_of<M: Clone>(context: &Context, draw: impl FnOnce(&Ui<'_, M>)) -> KeyMap<M> {
    let ui = Ui::new(context);
    draw(&ui);
    ui.into_keys()
}

impl App {
    /// The combined focus order: the header, the demo bar, then the screen.
    pub fn key_map(&self) -> KeyMap<Message> {
        let context = &self.context;
        let mut map = KeyMap::default();
        let bar = keys_of(context, |ui| {
            let _ = header::view(ui, self.header_info());
        });
        lift(&mut map, bar, Message::Header);
        if let Some(info) = self.demo_info() {
            let demo = keys_of(context, |ui| {
                let _ = demo_bar::view(ui, info);
            });
            lift(&mut map, demo, Message::DemoBar);
        }
        let (_, keys) = self.screen.draw(context);
        lift(&mut map, keys, |m| m);
        map
    }

    pub(super) fn key(&mut self, k: KeyPress) -> Task<Message> {
        let map = self.key_map();
        let position = self
            .focus
            .as_deref()
            .and_then(|f| map.order.iter().position(|x| x.key() == f));
        match k {
            KeyPress::Tab | KeyPress::ShiftTab => {
                if map.order.is_empty() {
                    return Task::none();
                }
                let n = map.order.len();
                let next = match (position, k) {
                    (None, KeyPress::Tab) => 0,
                    (None, _) => n - 1,
                    (Some(i), KeyPress::Tab) => (i + 1) % n,
                    (Some(i), _) => (i + n - 1) % n,
                };
                let target = &map.order[next];
                self.focus = Some(target.key().to_owned());
                match target {
                    Focusable::Input { id, .. } => iced::widget::operation::focus(id.clone()),
                    // Focusing an id no widget has takes the focus off
                    // every text input.
                    Focusable::Button { .. } => {
                        iced::widget::operation::focus(Id::new("madoguchi-no-input"))
                    }
                }
            }
            KeyPress::Enter => {
                // Enter presses the focused button; with nothing (or an
                // input) focused it does nothing: no screen has a default
                // action a stray Enter could take.
                let message = match position.map(|i| &map.order[i]) {
                    Some(Focusable::Button { message, .. }) => Some(message.clone()),
                    Some(Focusable::Input { .. }) | None => None,
                };
                match message {
                    Some(m) => self.update(m),
                    None => Task::none(),
                }
            }
            KeyPress::Escape => match map.escape.clone() {
                Some(m) => self.update(m),
                None => Task::none(),
            },
        }
    }

    /// The password box takes the keyboard when it is shown.
    pub fn focus_task(&mut self) -> Task<Message> {
        match &self.screen {
            Screen::Procedure(p)
                if matches!(p.engine().screen(), crate::flow::Screen::Password { .. }) =>
            {
                self.focus_password()
            }
            _ => Task::none(),
        }
    }

    pub(super) fn focus_password(&mut self) -> Task<Message> {
        self.focus = Some("password.input".into());
        iced::widget::operation::focus(Id::new("procedure-password"))
    }
}
