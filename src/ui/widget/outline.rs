//! What a drawing says, for assistive technology: the headings, texts,
//! fields, buttons and inputs of one drawing, in the order the view built
//! them, with the message each button sends. A [`super::Ui`] made with
//! `Ui::recording` keeps one; `crate::ui::a11y` turns it into the
//! accessibility tree. It is derived from the state exactly as the view
//! is, by the same code, so what a screen reader reads is what is drawn.
//!
//! A password never enters it: an input holding one records only how many
//! characters it holds. Texts that can be a resident's facts are kept in
//! zeroizing strings.

use std::rc::Rc;

use zeroize::Zeroizing;

use crate::ui::theme::{Role, Tone};

/// A part of the drawing that holds others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// The status chips (reader, card): announced when they change.
    Status,
    /// A framed notice in a tone.
    Notice(Tone),
    /// A catalogue message with its number.
    Error(u16),
    /// The step indicator.
    Steps,
}

/// What an input holds, as far as others may know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A password or PIN: only its length.
    Secret(usize),
    Plain(String),
}

/// One thing drawn.
pub enum Item<'a, M> {
    /// A text in its role (a heading, a paragraph, small print).
    Text {
        role: Role,
        text: Zeroizing<String>,
    },
    /// A label and its value.
    Field {
        label: String,
        value: Zeroizing<String>,
    },
    /// A button: its focus key, label, a longer description, and the
    /// message it sends (none: disabled). `selected`: a choice's state.
    Button {
        key: String,
        label: String,
        about: Option<String>,
        message: Option<M>,
        selected: Option<bool>,
    },
    /// A text input: its focus key, widget id, label and content, and how
    /// typed text reaches the app.
    Input {
        key: String,
        id: iced::widget::Id,
        label: String,
        content: Content,
        on_input: Option<Rc<dyn Fn(String) -> M + 'a>>,
    },
    Begin(Group),
    End,
}

impl<M: std::fmt::Debug> std::fmt::Debug for Item<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::Text { role, text } => write!(f, "Text({role:?}, {:?})", text.as_str()),
            Item::Field { label, value } => write!(f, "Field({label:?}: {:?})", value.as_str()),
            Item::Button {
                key,
                label,
                message,
                ..
            } => write!(f, "Button({key:?}, {label:?}, {message:?})"),
            Item::Input {
                key,
                label,
                content,
                ..
            } => write!(f, "Input({key:?}, {label:?}, {content:?})"),
            Item::Begin(g) => write!(f, "Begin({g:?})"),
            Item::End => write!(f, "End"),
        }
    }
}

impl<'a, M: 'a> Item<'a, M> {
    /// The same item in another message type (a screen's drawing lifted
    /// into the App's messages).
    pub fn map<N: 'a>(self, wrap: impl Fn(M) -> N + Clone + 'a) -> Item<'a, N> {
        match self {
            Item::Text { role, text } => Item::Text { role, text },
            Item::Field { label, value } => Item::Field { label, value },
            Item::Button {
                key,
                label,
                about,
                message,
                selected,
            } => Item::Button {
                key,
                label,
                about,
                message: message.map(wrap),
                selected,
            },
            Item::Input {
                key,
                id,
                label,
                content,
                on_input,
            } => Item::Input {
                key,
                id,
                label,
                content,
                on_input: on_input.map(|f| {
                    let lifted: Rc<dyn Fn(String) -> N + 'a> = Rc::new(move |s| wrap(f(s)));
                    lifted
                }),
            },
            Item::Begin(g) => Item::Begin(g),
            Item::End => Item::End,
        }
    }
}
