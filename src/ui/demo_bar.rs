//! The demo bar, a component with its own messages: the virtual card's
//! profiles, taking the card out and putting it back, and the demo
//! password.

use iced::widget::{column, container, row};
use iced::{Alignment, Element, Length};
use madoguchi_demo::Profile;

use crate::fl;
use crate::ui::theme::{self, Role};
use crate::ui::widget::Ui;

#[derive(Clone, Debug)]
pub enum Message {
    Profile(Profile),
    Remove,
    Insert,
}

/// What the bar shows.
#[derive(Clone, Copy, Debug)]
pub struct Info {
    pub profile: Profile,
    /// A switch to this profile is under way.
    pub switching: Option<Profile>,
    pub card_present: bool,
}

/// The demo choice in words.
pub fn label(choice: Profile) -> String {
    match choice {
        Profile::Normal => fl!("ui-demo-normal"),
        Profile::Expired => fl!("ui-demo-expired"),
        Profile::OneTryLeft => fl!("ui-demo-one-try-left"),
        Profile::Locked => fl!("ui-demo-locked"),
        Profile::ForeignCa => fl!("ui-demo-foreign-ca"),
        Profile::Revoked => fl!("ui-demo-revoked"),
        Profile::RareKanji => fl!("ui-demo-rare-kanji"),
        Profile::ImpostorCa => fl!("ui-demo-impostor-ca"),
        Profile::Juki => fl!("ui-demo-juki"),
    }
}

pub fn view<'a>(ui: &Ui<'a, Message>, info: Info) -> Element<'a, Message> {
    let mut profiles = row![ui.text(Role::SmallLabel, fl!("ui-demo-card"))]
        .spacing(theme::space::XS)
        .align_y(Alignment::Center);
    for choice in Profile::ALL {
        let selected = info.switching.unwrap_or(info.profile) == choice;
        let key = format!("demo.{choice}");
        profiles =
            profiles.push(ui.small_choice(&key, label(choice), Message::Profile(choice), selected));
    }
    let slot = if info.card_present {
        ui.small_choice("demo.remove", fl!("ui-demo-remove"), Message::Remove, false)
    } else {
        ui.small_choice("demo.insert", fl!("ui-demo-insert"), Message::Insert, true)
    };
    let note = match info.switching {
        Some(_) => fl!("ui-demo-switching"),
        None => fl!(
            "ui-demo-password",
            password = info.profile.password().to_owned()
        ),
    };
    container(
        column![
            profiles.wrap(),
            row![slot, ui.text(Role::Small, note)]
                .spacing(theme::space::M)
                .align_y(Alignment::Center),
        ]
        .spacing(theme::space::XS),
    )
    .padding([theme::space::XS, theme::space::L])
    .width(Length::Fill)
    .style(theme::demo_bar)
    .into()
}
