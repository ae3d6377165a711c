//! Layouts that reflow when the window is narrow: at 200 % text the
//! 1024×768 window is 512×384 logical pixels, and a label column of 300
//! pixels would leave its value a sliver. A label and its value sit side by
//! side when there is room, and the label goes above its value when there
//! is not (WCAG 2.2 SC 1.4.4 / 1.4.10).

use iced::widget::text::Fragment;
use iced::widget::{column, responsive, row};
use iced::{Element, Length};

use crate::ui::theme::{self, Role, Tone};

/// The narrowest a value may be beside its label.
pub const MIN_VALUE_WIDTH: f32 = 260.0;

/// A label and its value.
pub struct Pair<'a> {
    pub label: String,
    pub label_role: Role,
    /// The label column's width when side by side.
    pub label_width: f32,
    pub value: Fragment<'a>,
    pub value_role: Role,
    /// The value in a tone's colour.
    pub tone: Option<Tone>,
}

impl<'a> Pair<'a> {
    /// A bold label, `label_width` wide, and a value in `value_role`.
    pub fn new(
        label: impl Into<String>,
        label_width: f32,
        value: impl iced::widget::text::IntoFragment<'a>,
        value_role: Role,
    ) -> Pair<'a> {
        Pair {
            label: label.into(),
            label_role: Role::Label,
            label_width,
            value: value.into_fragment(),
            value_role,
            tone: None,
        }
    }

    pub fn tone(mut self, tone: Tone) -> Pair<'a> {
        self.tone = Some(tone);
        self
    }

    /// Side by side when `label_width` + [`MIN_VALUE_WIDTH`] fit, else the
    /// label above the value.
    pub fn view<M: 'a>(self) -> Element<'a, M> {
        responsive(move |size| {
            let label = theme::text(self.label_role, self.label.clone());
            // A value with no break in it (a fingerprint, a path) breaks
            // between letters rather than run past the window's edge.
            let mut value = theme::text(self.value_role, self.value.clone())
                .wrapping(iced::widget::text::Wrapping::WordOrGlyph);
            if let Some(tone) = self.tone {
                value = value.style(theme::toned(tone));
            }
            if size.width >= self.label_width + theme::space::M + MIN_VALUE_WIDTH {
                row![
                    label.width(Length::Fixed(self.label_width)),
                    value.width(Length::Fill),
                ]
                .spacing(theme::space::M)
                .into()
            } else {
                column![label, value.width(Length::Fill)]
                    .spacing(theme::space::XS)
                    .into()
            }
        })
        .height(Length::Shrink)
        .into()
    }
}
