//! The header bar, a component with its own messages: the app's name, the
//! demo and counter badges, the live reader and card chips, Home and the
//! language switch.

use iced::widget::{container, row};
use iced::{Alignment, Element, Length};

use crate::fl;
use crate::i18n::{self, Language};
use crate::ui::theme::{self, ButtonKind, Role, Tone};
use crate::ui::widget::{Group, Ui};

#[derive(Clone, Debug)]
pub enum Message {
    /// Back to the top screen (where leaving loses nothing irrevocable).
    Home,
    Language(Language),
}

/// What the header shows, from the App's state.
#[derive(Clone, Debug)]
pub struct Info {
    pub demo: bool,
    pub counter: bool,
    /// Not on the top screen: offer Home.
    pub home: bool,
    /// The administrator fixed the language.
    pub language_locked: bool,
    /// Large text: the chips and buttons go to a second line.
    pub large_text: bool,
    /// The reader chip and the card chip.
    pub reader: (Tone, String),
    pub card: (Tone, String),
}

pub fn view<'a>(ui: &Ui<'a, Message>, info: Info) -> Element<'a, Message> {
    let badge = |words: String| {
        container(ui.text(Role::Label, words))
            .padding([4, 10])
            .style(theme::demo_badge)
    };
    let mut left = row![ui.text(Role::Title, fl!("app-name"))]
        .spacing(theme::space::M)
        .align_y(Alignment::Center);
    if info.demo {
        left = left.push(badge(fl!("ui-demo-badge")));
    }
    if info.counter {
        left = left.push(badge(fl!("ui-counter-badge")));
    }
    let chip = |(tone, words): (Tone, String)| {
        container(ui.text(Role::Chip, words))
            .padding([4, 12])
            .style(theme::chip(tone))
    };
    let other = match i18n::current() {
        Language::Ja => ("English", Language::En),
        Language::En => ("日本語", Language::Ja),
    };
    ui.begin(Group::Status);
    let (reader, card) = (chip(info.reader), chip(info.card));
    ui.end();
    let mut right = row![reader, card]
        .spacing(theme::space::S)
        .align_y(Alignment::Center);
    if info.home {
        right = right.push(ui.button(
            "bar.home",
            fl!("ui-home"),
            Some(Message::Home),
            ButtonKind::Quiet,
        ));
    }
    if !info.language_locked {
        right = right.push(ui.button(
            "bar.language",
            other.0,
            Some(Message::Language(other.1)),
            ButtonKind::Quiet,
        ));
    }
    let bar: Element<'a, Message> = if info.large_text {
        // The chips and buttons wrap among themselves too: at 200 % text
        // they are wider than the window.
        row![left, right.wrap().vertical_spacing(theme::space::S)]
            .align_y(Alignment::Center)
            .spacing(theme::space::M)
            .wrap()
            .vertical_spacing(theme::space::S)
            .into()
    } else {
        row![left.width(Length::Fill), right]
            .align_y(Alignment::Center)
            .spacing(theme::space::M)
            .into()
    };
    container(bar)
        .padding([theme::space::S, theme::space::L])
        .width(Length::Fill)
        .style(theme::header)
        .into()
}
