//! A failure as the error catalogue explains it: number and title, the
//! cause, what the resident does, and (for counter staff, or on request)
//! what staff do, with the technical detail.

use iced::widget::{column, container};
use iced::{Element, Length};

use crate::errors;
use crate::fl;
use crate::ui::theme::{self, Role, Tone};
use crate::ui::widget::{Group, Ui};

/// The catalogue entry `number`, in `tone`. `staff`: show the staff part.
pub fn view<'a, M: Clone + 'a>(
    ui: &Ui<'a, M>,
    number: u16,
    tone: Tone,
    staff: bool,
    detail: Option<&str>,
) -> Element<'a, M> {
    let t = errors::texts(number);
    ui.begin(Group::Error(number));
    let mut col = column![
        ui.text(Role::Title, t.title).style(theme::toned(tone)),
        ui.text(Role::Body, t.cause),
        ui.text(Role::Label, fl!("error-resident")),
        ui.text(Role::Body, t.resident),
    ]
    .spacing(theme::space::S);
    if staff {
        col = col.push(ui.text(Role::SmallLabel, fl!("error-staff")));
        col = col.push(ui.text(Role::Small, t.staff));
        if let Some(d) = detail {
            col = col.push(
                ui.text(
                    Role::Small,
                    fl!("ui-technical-detail", detail = d.to_owned()),
                )
                .style(theme::muted),
            );
        }
    }
    col = col.push(
        ui.text(
            Role::Small,
            fl!("ui-error-number", number = format!("E{number}")),
        )
        .style(theme::muted),
    );
    ui.end();
    container(col)
        .padding(theme::space::L)
        .width(Length::Fill)
        .style(theme::notice(tone))
        .into()
}
