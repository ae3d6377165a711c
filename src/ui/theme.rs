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

/// Every colour and line width the styles use: one palette per theme.
/// Style functions take it from the `iced::Theme` they are handed
/// ([`palette`]), so switching the theme restyles every widget at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    /// The theme's name (that of its `iced::Theme`).
    pub name: &'static str,
    pub page: Color,
    pub text: Color,
    pub muted: Color,
    pub surface: Color,
    pub line: Color,
    pub header: Color,
    pub header_text: Color,
    /// The line under the header (high contrast: the header is black too).
    pub header_line: Color,
    /// Buttons: (fill, label, border) at rest, and the fill under the
    /// pointer.
    pub primary_button: (Color, Color, Color),
    pub primary_hover: Color,
    pub secondary_button: (Color, Color, Color),
    pub secondary_hover: Color,
    pub danger_button: (Color, Color, Color),
    pub danger_hover: Color,
    pub quiet_button: (Color, Color, Color),
    pub quiet_hover: Color,
    /// The label on a hovered secondary or quiet button.
    pub hover_text: Color,
    pub disabled: Color,
    pub disabled_text: Color,
    /// A disabled button's border (`None`: its kind's).
    pub disabled_line: Option<Color>,
    /// A button's border at rest.
    pub button_line_width: f32,
    /// Tone colours (words, borders) and their tints (notice fills).
    pub info: Color,
    pub success: Color,
    pub warning: Color,
    pub danger: Color,
    pub info_tint: Color,
    pub success_tint: Color,
    pub warning_tint: Color,
    pub danger_tint: Color,
    pub notice_line_width: f32,
    pub focus: Color,
    /// The focus ring on buttons and on text fields.
    pub focus_width: f32,
    pub input_focus_width: f32,
    pub input_line_width: f32,
    pub placeholder: Color,
    pub selection: Color,
    pub demo: Color,
    pub demo_text: Color,
    pub demo_tint: Color,
    /// Steps: (fill, words, border) done, current, stopped, to come.
    pub step_done: (Color, Color, Color),
    pub step_current: (Color, Color, Color),
    pub step_stopped: (Color, Color, Color),
    pub step_todo: (Color, Color, Color),
    pub dialog_line: Color,
    pub panel_line_width: f32,
    /// The scrollbar's handle and the rail's border (`None`: iced's own
    /// from the theme's palette).
    pub scroller: Option<(Color, Color)>,
}

/// The normal theme: dark text on white, blue buttons.
pub const NORMAL: Palette = Palette {
    name: "Madoguchi",
    page: Color::WHITE,
    text: TEXT,
    muted: MUTED,
    surface: SURFACE,
    line: LINE,
    header: PRIMARY_DARK,
    header_text: Color::WHITE,
    header_line: PRIMARY_DARK,
    primary_button: (PRIMARY, Color::WHITE, PRIMARY_DARK),
    primary_hover: PRIMARY_DARK,
    secondary_button: (Color::WHITE, PRIMARY_DARK, PRIMARY),
    secondary_hover: color!(0xe3ebf5),
    danger_button: (DANGER, Color::WHITE, color!(0x7f1a14)),
    danger_hover: color!(0x8f1e17),
    quiet_button: (SURFACE, PRIMARY_DARK, LINE),
    quiet_hover: color!(0xe3ebf5),
    hover_text: PRIMARY_DARK,
    disabled: color!(0xd9dde2),
    disabled_text: MUTED,
    disabled_line: None,
    button_line_width: 2.0,
    info: PRIMARY,
    success: SUCCESS,
    warning: WARNING,
    danger: DANGER,
    info_tint: color!(0xeaf1fb),
    success_tint: color!(0xe7f4ea),
    warning_tint: color!(0xfff4dc),
    danger_tint: color!(0xfdecea),
    notice_line_width: 2.0,
    focus: FOCUS,
    focus_width: 4.0,
    input_focus_width: 3.0,
    input_line_width: 1.5,
    placeholder: color!(0x6b6b6b),
    selection: color!(0xb7d2f2),
    demo: DEMO,
    demo_text: Color::WHITE,
    demo_tint: color!(0xf4ecf7),
    step_done: (color!(0xdbe7f5), PRIMARY_DARK, PRIMARY),
    step_current: (PRIMARY, Color::WHITE, PRIMARY_DARK),
    step_stopped: (DANGER, Color::WHITE, color!(0x7f1a14)),
    step_todo: (Color::WHITE, MUTED, LINE),
    dialog_line: PRIMARY,
    panel_line_width: 1.0,
    // iced's own handle (#bebebe) is 1.87:1 on white: too faint to find.
    scroller: Some((color!(0x767676), LINE)),
};

const HC_YELLOW: Color = color!(0xffff00);
const HC_CYAN: Color = color!(0x00e5ff);
const HC_GREY: Color = color!(0xd0d0d0);

/// High contrast, as the OS high-contrast modes draw it: white text on
/// black, yellow buttons with black labels, every box and button with a
/// visible border, tones in light colours, a thick cyan focus ring. Text
/// reaches AAA (7:1) everywhere (tests/gui/contrast.rs).
pub const HIGH_CONTRAST: Palette = Palette {
    name: "Madoguchi high contrast",
    page: Color::BLACK,
    text: Color::WHITE,
    muted: HC_GREY,
    surface: Color::BLACK,
    line: Color::WHITE,
    header: Color::BLACK,
    header_text: Color::WHITE,
    header_line: Color::WHITE,
    primary_button: (HC_YELLOW, Color::BLACK, HC_YELLOW),
    primary_hover: Color::WHITE,
    secondary_button: (Color::BLACK, HC_YELLOW, HC_YELLOW),
    secondary_hover: color!(0x333300),
    danger_button: (color!(0xff8080), Color::BLACK, color!(0xff8080)),
    danger_hover: Color::WHITE,
    quiet_button: (Color::BLACK, Color::WHITE, Color::WHITE),
    quiet_hover: color!(0x333333),
    hover_text: HC_YELLOW,
    disabled: Color::BLACK,
    disabled_text: color!(0x8c8c8c),
    disabled_line: Some(color!(0x8c8c8c)),
    button_line_width: 2.0,
    info: color!(0x9fd4ff),
    success: color!(0x7dff8f),
    warning: color!(0xffc94d),
    danger: color!(0xff8080),
    info_tint: Color::BLACK,
    success_tint: Color::BLACK,
    warning_tint: Color::BLACK,
    danger_tint: Color::BLACK,
    notice_line_width: 3.0,
    focus: HC_CYAN,
    focus_width: 6.0,
    input_focus_width: 5.0,
    input_line_width: 2.0,
    placeholder: HC_GREY,
    selection: color!(0x0050a0),
    demo: color!(0xf0a0ff),
    demo_text: Color::BLACK,
    demo_tint: Color::BLACK,
    step_done: (Color::BLACK, Color::WHITE, Color::WHITE),
    step_current: (HC_YELLOW, Color::BLACK, HC_YELLOW),
    step_stopped: (color!(0xff8080), Color::BLACK, color!(0xff8080)),
    step_todo: (Color::BLACK, HC_GREY, HC_GREY),
    dialog_line: Color::WHITE,
    panel_line_width: 2.0,
    scroller: Some((HC_GREY, Color::WHITE)),
};

impl Palette {
    /// The iced theme carrying this palette (its name says which).
    pub fn theme(&'static self) -> Theme {
        Theme::custom(
            self.name,
            iced::theme::Palette {
                background: self.page,
                text: self.text,
                primary: self.primary_button.0,
                success: self.success,
                warning: self.warning,
                danger: self.danger,
            },
        )
    }
}

/// The palette of the theme the styles are drawn with: the iced theme is
/// named after it (any other theme draws in the normal palette).
pub fn palette(theme: &Theme) -> &'static Palette {
    if iced::theme::Base::name(theme) == HIGH_CONTRAST.name {
        &HIGH_CONTRAST
    } else {
        &NORMAL
    }
}

/// The app's normal theme: light, dark text, contrast WCAG AA or better.
pub fn theme() -> Theme {
    NORMAL.theme()
}

/// The high-contrast theme.
pub fn high_contrast() -> Theme {
    HIGH_CONTRAST.theme()
}

/// The theme a setting chooses.
pub fn for_choice(choice: crate::ui::settings::ThemeChoice) -> Theme {
    match choice {
        crate::ui::settings::ThemeChoice::Normal => theme(),
        crate::ui::settings::ThemeChoice::HighContrast => high_contrast(),
    }
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
    move |theme, status| {
        let p = palette(theme);
        let ((bg, fg, line), hover) = match kind {
            ButtonKind::Primary => (p.primary_button, p.primary_hover),
            ButtonKind::Secondary => (p.secondary_button, p.secondary_hover),
            ButtonKind::Danger => (p.danger_button, p.danger_hover),
            ButtonKind::Quiet => (p.quiet_button, p.quiet_hover),
        };
        let (bg, fg, line) = match status {
            button_widget::Status::Hovered | button_widget::Status::Pressed => match kind {
                ButtonKind::Primary | ButtonKind::Danger => (hover, fg, line),
                _ => (hover, p.hover_text, line),
            },
            button_widget::Status::Disabled => {
                (p.disabled, p.disabled_text, p.disabled_line.unwrap_or(line))
            }
            button_widget::Status::Active => (bg, fg, line),
        };
        let border = if focused {
            Border {
                color: p.focus,
                width: p.focus_width,
                radius: radius(8.0),
            }
        } else {
            Border {
                color: line,
                width: p.button_line_width,
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
pub fn page(theme: &Theme) -> container::Style {
    let p = palette(theme);
    container::Style {
        background: Some(Background::Color(p.page)),
        text_color: Some(p.text),
        ..container::Style::default()
    }
}

/// The top bar with the app name and the reader status.
pub fn header(theme: &Theme) -> container::Style {
    let p = palette(theme);
    let border = if p.header_line == p.header {
        Border::default()
    } else {
        Border {
            color: p.header_line,
            width: 2.0,
            radius: radius(0.0),
        }
    };
    container::Style {
        background: Some(Background::Color(p.header)),
        text_color: Some(p.header_text),
        border,
        ..container::Style::default()
    }
}

/// The bar of buttons at the bottom of procedure screens.
pub fn footer(theme: &Theme) -> container::Style {
    let p = palette(theme);
    container::Style {
        background: Some(Background::Color(p.surface)),
        text_color: Some(p.text),
        border: Border {
            color: p.line,
            width: p.panel_line_width,
            radius: radius(0.0),
        },
        ..container::Style::default()
    }
}

/// The demo bar under the header.
pub fn demo_bar(theme: &Theme) -> container::Style {
    let p = palette(theme);
    container::Style {
        background: Some(Background::Color(p.demo_tint)),
        text_color: Some(p.text),
        border: Border {
            color: p.demo,
            width: p.panel_line_width,
            radius: radius(0.0),
        },
        ..container::Style::default()
    }
}

/// A card or panel on the page.
pub fn panel(theme: &Theme) -> container::Style {
    let p = palette(theme);
    container::Style {
        background: Some(Background::Color(p.surface)),
        text_color: Some(p.text),
        border: Border {
            color: p.line,
            width: p.panel_line_width,
            radius: radius(10.0),
        },
        ..container::Style::default()
    }
}

/// A dialog (password, confirmations): the page's colour with a strong
/// border.
pub fn dialog(theme: &Theme) -> container::Style {
    let p = palette(theme);
    container::Style {
        background: Some(Background::Color(p.page)),
        text_color: Some(p.text),
        border: Border {
            color: p.dialog_line,
            width: 3.0,
            radius: radius(12.0),
        },
        // No shadow: tiny-skia redraws only the damaged area, and a blurred
        // shadow reaching past it builds up darker with every keystroke.
        ..container::Style::default()
    }
}

/// The application document (2.1.5): paper with a rule.
pub fn document(theme: &Theme) -> container::Style {
    let p = palette(theme);
    container::Style {
        background: Some(Background::Color(p.page)),
        text_color: Some(p.text),
        border: Border {
            color: p.text,
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
    /// The tone's colour (words, borders) in a palette.
    pub fn color(self, p: &Palette) -> Color {
        match self {
            Tone::Info => p.info,
            Tone::Success => p.success,
            Tone::Warning => p.warning,
            Tone::Danger => p.danger,
        }
    }

    fn tint(self, p: &Palette) -> Color {
        match self {
            Tone::Info => p.info_tint,
            Tone::Success => p.success_tint,
            Tone::Warning => p.warning_tint,
            Tone::Danger => p.danger_tint,
        }
    }
}

pub fn notice(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let p = palette(theme);
        container::Style {
            background: Some(Background::Color(tone.tint(p))),
            text_color: Some(p.text),
            border: Border {
                color: tone.color(p),
                width: p.notice_line_width,
                radius: radius(8.0),
            },
            ..container::Style::default()
        }
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
    move |theme| {
        let p = palette(theme);
        let (bg, fg, line) = match state {
            StepState::Done => p.step_done,
            StepState::Current => p.step_current,
            StepState::Stopped => p.step_stopped,
            StepState::Todo => p.step_todo,
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
pub fn demo_badge(theme: &Theme) -> container::Style {
    let p = palette(theme);
    container::Style {
        background: Some(Background::Color(p.demo)),
        text_color: Some(p.demo_text),
        border: Border {
            color: p.header_text,
            width: 1.0,
            radius: radius(6.0),
        },
        ..container::Style::default()
    }
}

/// A status chip in the header (reader / card).
pub fn chip(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let p = palette(theme);
        container::Style {
            background: Some(Background::Color(p.page)),
            text_color: Some(tone.color(p)),
            border: Border {
                color: tone.color(p),
                width: 2.0,
                radius: radius(14.0),
            },
            ..container::Style::default()
        }
    }
}

/// Text inputs; `focused` draws the focus ring even before the first key.
pub fn input(focused: bool) -> impl Fn(&Theme, text_input::Status) -> text_input::Style {
    move |theme, status| {
        let p = palette(theme);
        let focus = focused || matches!(status, text_input::Status::Focused { .. });
        text_input::Style {
            background: Background::Color(p.page),
            border: Border {
                color: if focus { p.focus } else { p.text },
                width: if focus {
                    p.input_focus_width
                } else {
                    p.input_line_width
                },
                radius: radius(6.0),
            },
            icon: p.muted,
            placeholder: p.placeholder,
            value: p.text,
            selection: p.selection,
        }
    }
}

/// Scrollbars: iced's, with the palette's handle in a framed rail (a
/// dark grey one on white, a light one on black), held to the non-text bar.
pub fn scroll(theme: &Theme, status: scrollable::Status) -> scrollable::Style {
    let mut style = scrollable::default(theme, status);
    if let Some((handle, line)) = palette(theme).scroller {
        for rail in [&mut style.vertical_rail, &mut style.horizontal_rail] {
            rail.border = Border {
                color: line,
                width: 1.0,
                radius: radius(4.0),
            };
            rail.scroller.background = Background::Color(handle);
        }
    }
    style
}

/// Colour of small print.
pub fn muted(theme: &Theme) -> iced::widget::text::Style {
    iced::widget::text::Style {
        color: Some(palette(theme).muted),
    }
}

/// A text in a tone's colour.
pub fn toned(tone: Tone) -> impl Fn(&Theme) -> iced::widget::text::Style {
    move |theme| iced::widget::text::Style {
        color: Some(tone.color(palette(theme))),
    }
}
