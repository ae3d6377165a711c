//! A failure as the error catalogue explains it: number and title, the
//! cause, what the resident does, and (for counter staff, or on request)
//! what staff do, with the technical detail.

use iced::widget::{column, container, text};
use iced::{Element, Length};

use crate::errors;
use crate::fl;
use crate::ui::theme::{self, Tone};

/// The catalogue entry `number`, in `tone`. `staff`: show the staff part.
pub fn view<'a, M: 'a>(
    number: u16,
    tone: Tone,
    staff: bool,
    detail: Option<&str>,
) -> Element<'a, M> {
    let t = errors::texts(number);
    let mut col = column![
        text(t.title)
            .size(theme::size::TITLE)
            .font(theme::BOLD)
            .style(theme::toned(tone)),
        text(t.cause).size(theme::size::BODY),
        text(fl!("error-resident"))
            .size(theme::size::BODY)
            .font(theme::BOLD),
        text(t.resident).size(theme::size::BODY),
    ]
    .spacing(theme::space::S);
    if staff {
        col = col.push(
            text(fl!("error-staff"))
                .size(theme::size::SMALL)
                .font(theme::BOLD),
        );
        col = col.push(text(t.staff).size(theme::size::SMALL));
        if let Some(d) = detail {
            col = col.push(
                text(fl!("ui-technical-detail", detail = d.to_owned()))
                    .size(theme::size::SMALL)
                    .style(theme::muted),
            );
        }
    }
    col = col.push(
        text(fl!("ui-error-number", number = format!("E{number}")))
            .size(theme::size::SMALL)
            .style(theme::muted),
    );
    container(col)
        .padding(theme::space::L)
        .width(Length::Fill)
        .style(theme::notice(tone))
        .into()
}
