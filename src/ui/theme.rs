//! Every colour, size and style of the app. Screens and widgets take their
//! looks from here only.
//!
//! Colours are chosen for contrast (WCAG AA or better on white) and do not
//! carry meaning alone: every warning also says so in words.

use iced::border::Radius;
use iced::widget::{button as button_widget, container, scrollable, text_input};
use iced::{Background, Border, Color, Font, Shadow, Theme, color, font};

/// The bundled family (BIZ UDPGothic, OFL).
pub const FAMILY: &str = "BIZ UDPGothic";
pub const FONT: Font = Font::with_name(FAMILY);
pub const BOLD: Font = Font {
    weight: font::Weight::Bold,
    ..FONT
};
pub const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/BIZUDPGothic-Regular.ttf");
pub const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/BIZUDPGothic-Bold.ttf");
/// What BIZ UDPGothic lacks, from Noto Sans CJK JP: every ideograph Noto
/// has (CJK extension A, the supplementary planes with 𠮷, …), the rest of
/// JIS X 0213 and the variation sequences of those ideographs. The
/// fallback that lets rare kanji in holder names and addresses render
/// (`tools/kanji-supplement.sh`, `assets/fonts/README.md`).
pub const FONT_KANJI_SUPPLEMENT: &[u8] =
    include_bytes!("../../assets/fonts/MadoguchiKanjiSupplement-Regular.otf");

pub const TEXT: Color = color!(0x1a1a1a);
pub const MUTED: Color = color!(0x4a4a4a);
pub const PRIMARY: Color = color!(0x0b4f9c);
pub const PRIMARY_DARK: Color = color!(0x073a74);
pub const SUCCESS: Color = color!(0x1e6b32);
pub const WARNING: Color = color!(0x8a5300);
pub const DANGER: Color = color!(0xb3261e);
pub const SURFACE: Color = color!(0xf3f5f8);
pub const LINE: Color = color!(0x9aa3ad);
/// The keyboard focus ring: at least 3:1 (WCAG 2.2 SC 1.4.11) against every
/// background a focusable widget sits on, the white page and the dark header
/// alike (tests/gui/contrast.rs; the old amber #e8a200 was 2.2:1 on white).
pub const FOCUS: Color = color!(0xd06c00);
pub const DEMO: Color = color!(0x7b2d8e);

/// The app's theme: light, high contrast.
pub fn theme() -> Theme {
    Theme::custom(
        "Madoguchi",
        iced::theme::Palette {
            background: Color::WHITE,
            text: TEXT,
            primary: PRIMARY,
            success: SUCCESS,
            warning: WARNING,
            danger: DANGER,
        },
    )
}

/// Text sizes, in logical pixels, before the text-size setting's scale.
pub mod size {
    pub const BODY: f32 = 18.0;
    pub const SMALL: f32 = 15.0;
    pub const HEADING: f32 = 26.0;
    pub const TITLE: f32 = 22.0;
    pub const BUTTON: f32 = 20.0;
    pub const STEP: f32 = 15.0;
}

/// What a text is for. Views and widgets give every text a role and take
/// its size and weight from here (`theme::text`), never a raw size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A page's heading.
    Heading,
    /// A dialog's or a section's title; the app's name in the header.
    Title,
    /// The name of a procedure on its big button (top screen).
    Choice,
    /// A fact to be read with care: the document's values, typed text.
    Value,
    /// Running text.
    Body,
    /// A field's label, an emphasised line.
    Label,
    /// The first line of a notice.
    Lead,
    /// Small print.
    Small,
    /// A label in small print (the staff part of a message).
    SmallLabel,
    /// A status chip.
    Chip,
    /// A quiet (tool) button's label.
    Quiet,
    /// The step indicator.
    Step,
    /// A main button's label.
    Button,
}

impl Role {
    pub const fn size(self) -> f32 {
        match self {
            Role::Heading => size::HEADING,
            Role::Title | Role::Value => size::TITLE,
            Role::Choice => size::TITLE + 2.0,
            Role::Body | Role::Label => size::BODY,
            Role::Lead => size::BODY + 1.0,
            Role::Small | Role::SmallLabel => size::SMALL,
            Role::Chip | Role::Quiet => size::SMALL + 1.0,
            Role::Step => size::STEP,
            Role::Button => size::BUTTON,
        }
    }

    pub const fn font(self) -> Font {
        match self {
            Role::Heading
            | Role::Title
            | Role::Choice
            | Role::Label
            | Role::Lead
            | Role::SmallLabel
            | Role::Chip
            | Role::Button => BOLD,
            Role::Value | Role::Body | Role::Small | Role::Quiet | Role::Step => FONT,
        }
    }
}

/// A text in its role.
pub fn text<'a>(
    role: Role,
    content: impl iced::widget::text::IntoFragment<'a>,
) -> iced::widget::Text<'a> {
    iced::widget::text(content)
        .size(role.size())
        .font(role.font())
}

/// Spacing scale.
pub mod space {
    pub const XS: f32 = 4.0;
    pub const S: f32 = 8.0;
    pub const M: f32 = 14.0;
    pub const L: f32 = 22.0;
    pub const XL: f32 = 32.0;
}

/// The kinds of button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButtonKind {
    /// The obvious next step.
    Primary,
    /// Going back, stopping, closing.
    Secondary,
    /// Irrevocable or risky (sending a revocation, the last try).
    Danger,
    /// Small links in bars.
    Quiet,
}

fn radius(r: f32) -> Radius {
    Radius::from(r)
}

/// Style of a button; `focused` draws the keyboard focus ring.
pub fn button(
    kind: ButtonKind,
    focused: bool,
) -> impl Fn(&Theme, button_widget::Status) -> button_widget::Style {
    move |_theme, status| {
        let (bg, fg, line) = match kind {
            ButtonKind::Primary => (PRIMARY, Color::WHITE, PRIMARY_DARK),
            ButtonKind::Secondary => (Color::WHITE, PRIMARY_DARK, PRIMARY),
            ButtonKind::Danger => (DANGER, Color::WHITE, color!(0x7f1a14)),
            ButtonKind::Quiet => (SURFACE, PRIMARY_DARK, LINE),
        };
        let bg = match status {
            button_widget::Status::Hovered | button_widget::Status::Pressed => match kind {
                ButtonKind::Primary => PRIMARY_DARK,
                ButtonKind::Danger => color!(0x8f1e17),
                _ => color!(0xe3ebf5),
            },
            button_widget::Status::Disabled => color!(0xd9dde2),
            button_widget::Status::Active => bg,
        };
        let fg = if status == button_widget::Status::Disabled {
            MUTED
        } else {
            fg
        };
        let border = if focused {
            Border {
                color: FOCUS,
                width: 4.0,
                radius: radius(8.0),
            }
        } else {
            Border {
                color: line,
                width: 2.0,
                radius: radius(8.0),
            }
        };
        button_widget::Style {
            background: Some(Background::Color(bg)),
            text_color: fg,
            border,
            shadow: Shadow::default(),
            snap: true,
        }
    }
}

/// A selectable choice (language, profile): selected ones are filled.
pub fn choice(
    selected: bool,
    focused: bool,
) -> impl Fn(&Theme, button_widget::Status) -> button_widget::Style {
    move |theme, status| {
        let kind = if selected {
            ButtonKind::Primary
        } else {
            ButtonKind::Secondary
        };
        button(kind, focused)(theme, status)
    }
}

/// The whole window.
pub fn page(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(Color::WHITE)),
        text_color: Some(TEXT),
        ..container::Style::default()
    }
}

/// The top bar with the app name and the reader status.
pub fn header(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(PRIMARY_DARK)),
        text_color: Some(Color::WHITE),
        ..container::Style::default()
    }
}

/// The bar of buttons at the bottom of procedure screens.
pub fn footer(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(SURFACE)),
        text_color: Some(TEXT),
        border: Border {
            color: LINE,
            width: 1.0,
            radius: radius(0.0),
        },
        ..container::Style::default()
    }
}

/// The demo bar under the header.
pub fn demo_bar(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(color!(0xf4ecf7))),
        text_color: Some(TEXT),
        border: Border {
            color: DEMO,
            width: 1.0,
            radius: radius(0.0),
        },
        ..container::Style::default()
    }
}

/// A card or panel on the page.
pub fn panel(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(SURFACE)),
        text_color: Some(TEXT),
        border: Border {
            color: LINE,
            width: 1.0,
            radius: radius(10.0),
        },
        ..container::Style::default()
    }
}

/// A dialog (password, confirmations): white with a strong border.
pub fn dialog(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(Color::WHITE)),
        text_color: Some(TEXT),
        border: Border {
            color: PRIMARY,
            width: 3.0,
            radius: radius(12.0),
        },
        // No shadow: tiny-skia redraws only the damaged area, and a blurred
        // shadow reaching past it builds up darker with every keystroke.
        ..container::Style::default()
    }
}

/// The application document (2.1.5): white paper with a rule.
pub fn document(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(Color::WHITE)),
        text_color: Some(TEXT),
        border: Border {
            color: TEXT,
            width: 1.5,
            radius: radius(2.0),
        },
        ..container::Style::default()
    }
}

/// A notice box: information, success, warning or danger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Danger,
}

impl Tone {
    pub fn color(self) -> Color {
        match self {
            Tone::Info => PRIMARY,
            Tone::Success => SUCCESS,
            Tone::Warning => WARNING,
            Tone::Danger => DANGER,
        }
    }

    fn tint(self) -> Color {
        match self {
            Tone::Info => color!(0xeaf1fb),
            Tone::Success => color!(0xe7f4ea),
            Tone::Warning => color!(0xfff4dc),
            Tone::Danger => color!(0xfdecea),
        }
    }
}

pub fn notice(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(tone.tint())),
        text_color: Some(TEXT),
        border: Border {
            color: tone.color(),
            width: 2.0,
            radius: radius(8.0),
        },
        ..container::Style::default()
    }
}

/// One step of the step indicator: done, current or to come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    Done,
    Current,
    /// The procedure stopped here (a message).
    Stopped,
    Todo,
}

pub fn step(state: StepState) -> impl Fn(&Theme) -> container::Style {
    move |_| {
        let (bg, fg, line) = match state {
            StepState::Done => (color!(0xdbe7f5), PRIMARY_DARK, PRIMARY),
            StepState::Current => (PRIMARY, Color::WHITE, PRIMARY_DARK),
            StepState::Stopped => (DANGER, Color::WHITE, color!(0x7f1a14)),
            StepState::Todo => (Color::WHITE, MUTED, LINE),
        };
        container::Style {
            background: Some(Background::Color(bg)),
            text_color: Some(fg),
            border: Border {
                color: line,
                width: if state == StepState::Current {
                    2.0
                } else {
                    1.0
                },
                radius: radius(16.0),
            },
            ..container::Style::default()
        }
    }
}

/// The demo badge.
pub fn demo_badge(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(DEMO)),
        text_color: Some(Color::WHITE),
        border: Border {
            color: Color::WHITE,
            width: 1.0,
            radius: radius(6.0),
        },
        ..container::Style::default()
    }
}

/// A status chip in the header (reader / card).
pub fn chip(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        background: Some(Background::Color(Color::WHITE)),
        text_color: Some(tone.color()),
        border: Border {
            color: tone.color(),
            width: 2.0,
            radius: radius(14.0),
        },
        ..container::Style::default()
    }
}

/// Text inputs; `focused` draws the focus ring even before the first key.
pub fn input(focused: bool) -> impl Fn(&Theme, text_input::Status) -> text_input::Style {
    move |_, status| {
        let focus = focused || matches!(status, text_input::Status::Focused { .. });
        text_input::Style {
            background: Background::Color(Color::WHITE),
            border: Border {
                color: if focus { FOCUS } else { TEXT },
                width: if focus { 3.0 } else { 1.5 },
                radius: radius(6.0),
            },
            icon: MUTED,
            placeholder: color!(0x6b6b6b),
            value: TEXT,
            selection: color!(0xb7d2f2),
        }
    }
}

/// Scrollbars wide enough to grab.
pub fn scroll(theme: &Theme, status: scrollable::Status) -> scrollable::Style {
    scrollable::default(theme, status)
}

/// Colour of small print.
pub fn muted(_: &Theme) -> iced::widget::text::Style {
    iced::widget::text::Style { color: Some(MUTED) }
}

/// A text in a tone's colour.
pub fn toned(tone: Tone) -> impl Fn(&Theme) -> iced::widget::text::Style {
    move |_| iced::widget::text::Style {
        color: Some(tone.color()),
    }
}
