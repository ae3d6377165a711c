//! Reusable pieces: buttons with the keyboard focus ring, the step
//! indicator, catalogue message boxes, headings and labelled rows.
//!
//! Keyboard focus: iced 0.14 buttons take no focus, so the app keeps its
//! own focus ring. The focused key is state of the App (`ui::focus`). The
//! focus order is derived from a screen's state, as its view is: every
//! button and input built through a [`Ui`] registers itself, in reading
//! order, in that `Ui`'s own registry, which lives only as long as the one
//! call that builds it. The App asks for the order when a key is pressed
//! (`Ui::into_keys`); drawing keeps nothing. The focused element is drawn
//! with a thick amber ring.

pub mod message_box;
pub mod outline;
pub mod password;
pub mod reflow;
pub mod steps;

use std::cell::RefCell;
use std::rc::Rc;

use zeroize::Zeroizing;

pub use outline::{Content, Group, Item};

use iced::widget::{Button, button, column, container, row};
use iced::{Alignment, Element, Length, Padding};

use super::theme::{self, ButtonKind, Role};

/// Something the keyboard can reach.
#[derive(Clone, Debug)]
pub enum Focusable<M> {
    /// A button: Enter sends its message.
    Button { key: String, message: M },
    /// A text input, focused through its widget id.
    Input { key: String, id: iced::widget::Id },
}

impl<M> Focusable<M> {
    pub fn key(&self) -> &str {
        match self {
            Focusable::Button { key, .. } | Focusable::Input { key, .. } => key,
        }
    }
}

/// What the keyboard can do on the screen being drawn.
#[derive(Debug)]
pub struct KeyMap<M> {
    /// Focus order.
    pub order: Vec<Focusable<M>>,
    /// Escape.
    pub escape: Option<M>,
}

impl<M> Default for KeyMap<M> {
    fn default() -> Self {
        KeyMap {
            order: Vec::new(),
            escape: None,
        }
    }
}

/// What every view is drawn with, besides its own state: the App's focus,
/// the mode, and what the App knows of the world.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The key of the focused button or input.
    pub focused: Option<String>,
    /// Counter mode: staff texts are shown.
    pub counter: bool,
    /// Caps Lock seems on (guessed from typed letters).
    pub caps_lock: bool,
    /// The readers the watch reports: name → holds a card.
    pub readers: std::collections::BTreeMap<String, bool>,
    /// The reader chosen for the session.
    pub chosen_reader: Option<String>,
    /// What the top screen can offer.
    pub offer: crate::ui::screen::top::Offer,
    /// 200 % text: the window is 512×384 logical pixels; the header and
    /// the demo bar scroll with the page (`App::view`).
    pub compact: bool,
}

/// One drawing: the context, and a focus registry that lives as long as
/// this `Ui` (see the module docs); when recording, also the outline of
/// what is drawn, for assistive technology ([`outline`]).
pub struct Ui<'a, M> {
    context: &'a Context,
    keys: RefCell<KeyMap<M>>,
    outline: Option<RefCell<Vec<Item<'a, M>>>>,
}

impl<'a, M: Clone + 'a> Ui<'a, M> {
    pub fn new(context: &'a Context) -> Ui<'a, M> {
        Ui {
            context,
            keys: RefCell::new(KeyMap::default()),
            outline: None,
        }
    }

    /// A drawing that also keeps its outline ([`Ui::into_parts`]).
    pub fn recording(context: &'a Context) -> Ui<'a, M> {
        Ui {
            outline: Some(RefCell::new(Vec::new())),
            ..Ui::new(context)
        }
    }

    /// The focus order and the outline (empty unless recording).
    pub fn into_parts(self) -> (KeyMap<M>, Vec<Item<'a, M>>) {
        let outline = self.outline.map(RefCell::into_inner).unwrap_or_default();
        (self.keys.into_inner(), outline)
    }

    /// Note an item of the outline (only made when recording).
    pub fn note(&self, item: impl FnOnce() -> Item<'a, M>) {
        if let Some(o) = &self.outline {
            o.borrow_mut().push(item());
        }
    }

    /// Start a group of the outline; [`Ui::end`] closes it.
    pub fn begin(&self, group: Group) {
        self.note(|| Item::Begin(group));
    }

    pub fn end(&self) {
        self.note(|| Item::End);
    }

    pub fn context(&self) -> &'a Context {
        self.context
    }

    /// Counter mode: staff texts are shown.
    pub fn counter(&self) -> bool {
        self.context.counter
    }

    /// The focus order and the Enter / Escape messages this drawing
    /// registered.
    pub fn into_keys(self) -> KeyMap<M> {
        self.keys.into_inner()
    }

    /// Register a button by hand (one drawn as a custom widget): its
    /// label and description are what a screen reader says of it.
    pub fn register(&self, key: &str, label: &str, about: Option<&str>, message: &M) -> bool {
        self.note(|| Item::Button {
            key: key.to_owned(),
            label: label.to_owned(),
            about: about.map(str::to_owned),
            message: Some(message.clone()),
            selected: None,
        });
        self.focusable(key, message)
    }

    pub fn is_focused(&self, key: &str) -> bool {
        self.context.focused.as_deref() == Some(key)
    }

    /// Put a button that sends `message` in the focus order; whether it
    /// has the focus now.
    fn focusable(&self, key: &str, message: &M) -> bool {
        self.keys.borrow_mut().order.push(Focusable::Button {
            key: key.to_owned(),
            message: message.clone(),
        });
        self.is_focused(key)
    }

    /// A labelled button of `kind` that sends `message` (or is disabled).
    pub fn button(
        &self,
        key: &str,
        label: impl Into<String>,
        message: Option<M>,
        kind: ButtonKind,
    ) -> Button<'a, M> {
        let focused = match &message {
            Some(m) => self.focusable(key, m),
            None => self.is_focused(key),
        };
        let label: String = label.into();
        self.note(|| Item::Button {
            key: key.to_owned(),
            label: label.clone(),
            about: None,
            message: message.clone(),
            selected: None,
        });
        let role = if kind == ButtonKind::Quiet {
            Role::Quiet
        } else {
            Role::Button
        };
        let padding = if kind == ButtonKind::Quiet {
            Padding::from([6.0, 12.0])
        } else {
            Padding::from([12.0, 22.0])
        };
        button(theme::text(role, label).center())
            .padding(padding)
            .on_press_maybe(message)
            .style(theme::button(kind, focused))
    }

    /// A choice among several (selected ones filled).
    pub fn choice(
        &self,
        key: &str,
        label: impl Into<String>,
        message: M,
        selected: bool,
    ) -> Button<'a, M> {
        let focused = self.focusable(key, &message);
        let label: String = label.into();
        self.note_choice(key, &label, &message, selected);
        button(theme::text(Role::Label, label))
            .padding([8.0, 16.0])
            .on_press(message)
            .style(theme::choice(selected, focused))
    }

    /// A small choice (demo bar).
    pub fn small_choice(
        &self,
        key: &str,
        label: impl Into<String>,
        message: M,
        selected: bool,
    ) -> Button<'a, M> {
        let focused = self.focusable(key, &message);
        let label: String = label.into();
        self.note_choice(key, &label, &message, selected);
        button(theme::text(Role::Small, label))
            .padding([3.0, 9.0])
            .on_press(message)
            .style(theme::choice(selected, focused))
    }

    fn note_choice(&self, key: &str, label: &str, message: &M, selected: bool) {
        self.note(|| Item::Button {
            key: key.to_owned(),
            label: label.to_owned(),
            about: None,
            message: Some(message.clone()),
            selected: Some(selected),
        });
    }

    /// Register a text input in the focus order: its label, what it holds
    /// (a secret only as its length) and the message typed text becomes
    /// (none: read-only).
    pub fn input(
        &self,
        key: &str,
        id: iced::widget::Id,
        label: &str,
        content: impl FnOnce() -> Content,
        on_input: Option<fn(String) -> M>,
    ) -> bool {
        self.note(|| Item::Input {
            key: key.to_owned(),
            id: id.clone(),
            label: label.to_owned(),
            content: content(),
            on_input: on_input.map(|f| {
                let f: Rc<dyn Fn(String) -> M + 'a> = Rc::new(f);
                f
            }),
        });
        self.keys.borrow_mut().order.push(Focusable::Input {
            key: key.to_owned(),
            id,
        });
        self.is_focused(key)
    }

    /// A text in its role ([`theme::text`]), noted in the outline.
    pub fn text(
        &self,
        role: Role,
        content: impl iced::widget::text::IntoFragment<'a>,
    ) -> iced::widget::Text<'a> {
        let content = content.into_fragment();
        self.note(|| Item::Text {
            role,
            text: Zeroizing::new(content.to_string()),
        });
        theme::text(role, content)
    }

    /// A page heading.
    pub fn heading(&self, label: impl Into<String>) -> Element<'a, M> {
        let label: String = label.into();
        self.text(Role::Heading, label).into()
    }

    /// A smaller heading.
    pub fn title(&self, label: impl Into<String>) -> Element<'a, M> {
        let label: String = label.into();
        self.text(Role::Title, label).into()
    }

    /// Body text (wraps).
    pub fn body(&self, label: impl Into<String>) -> Element<'a, M> {
        let label: String = label.into();
        self.text(Role::Body, label).into()
    }

    /// Small print.
    pub fn small(&self, label: impl Into<String>) -> Element<'a, M> {
        let label: String = label.into();
        self.text(Role::Small, label).style(theme::muted).into()
    }

    /// A label and its value on one line (label column fixed). The value
    /// may be borrowed (`&str`), as the holder's facts are, from their
    /// zeroizing buffers: a `String` copy made each frame would be freed
    /// without being zeroed (the outline's copy is zeroizing).
    pub fn field(
        &self,
        label: impl Into<String>,
        value: impl iced::widget::text::IntoFragment<'a>,
    ) -> Element<'a, M> {
        self.fact(label, value, Role::Body, 300.0)
    }

    /// A field whose value is in `role`, with a label column `width` wide
    /// (the application document's facts are `Role::Value`).
    pub fn fact(
        &self,
        label: impl Into<String>,
        value: impl iced::widget::text::IntoFragment<'a>,
        role: Role,
        width: f32,
    ) -> Element<'a, M> {
        let label: String = label.into();
        let value = value.into_fragment();
        self.note(|| Item::Field {
            label: label.clone(),
            value: Zeroizing::new(value.to_string()),
        });
        // Side by side, or the label above the value when there is no room
        // (200 % text).
        reflow::Pair::new(label, width, value, role).view()
    }

    /// A framed box in a tone, with a bold first line.
    pub fn notice(
        &self,
        tone: theme::Tone,
        headline: impl Into<String>,
        body_text: Option<String>,
    ) -> Element<'a, M> {
        self.begin(Group::Notice(tone));
        let headline: String = headline.into();
        let mut col = column![self.text(Role::Lead, headline).style(theme::toned(tone))]
            .spacing(theme::space::S);
        if let Some(b) = body_text {
            col = col.push(self.text(Role::Body, b));
        }
        self.end();
        container(col)
            .padding(theme::space::M)
            .width(Length::Fill)
            .style(theme::notice(tone))
            .into()
    }

    /// What Escape does.
    pub fn on_escape(&self, message: M) {
        self.keys.borrow_mut().escape = Some(message);
    }
}

/// A row of buttons, right-aligned as dialogs have them.
pub fn buttons<'a, M: 'a>(items: Vec<Element<'a, M>>) -> Element<'a, M> {
    let mut r = row![].spacing(theme::space::M).align_y(Alignment::Center);
    for i in items {
        r = r.push(i);
    }
    r.wrap().into()
}

/// A dialog card: title, body, buttons.
pub fn dialog<'a, M: 'a>(content: Element<'a, M>) -> Element<'a, M> {
    container(content)
        .padding(theme::space::XL)
        .max_width(820.0)
        .style(theme::dialog)
        .into()
}
