//! Contrast of both themes (issue 13, part 4): every text / background pair
//! the theme's styles produce, taken from the style functions themselves
//! handed the theme (not copies of the constants), and the keyboard focus
//! ring against every background it is drawn on.
//!
//! - The normal theme: WCAG 2.2 AA. Text 4.5:1 (SC 1.4.3; large text held
//!   to the same bar), non-text 3:1 (SC 1.4.11).
//! - The high-contrast theme: text AAA 7:1 (SC 1.4.6), non-text (focus
//!   ring, notice borders, the edges of buttons and chips) 4.5:1.
//!
//! Disabled buttons are exempt (SC 1.4.3: "inactive user interface
//! component") and only printed, as are the normal theme's button edges
//! (its buttons are told by their labels and fills; high contrast draws a
//! border on every button and holds it to its bar).
//!
//! `cargo test -p madoguchi --test gui contrast -- --nocapture` prints the
//! tables and the lowest ratios quoted in docs/ui-guidelines.md.

use iced::widget::{button, scrollable, text_input};
use iced::{Background, Color, Theme};
use madoguchi::ui::theme::{self, ButtonKind, StepState, Tone};

/// What a pair must reach.
#[derive(Clone, Copy, PartialEq)]
enum Need {
    Text,
    NonText,
    /// Printed, not held to a bar.
    Shown,
}

/// The bars of one theme.
struct Bars {
    name: &'static str,
    text: f64,
    non_text: f64,
    /// The edges of buttons against the page are held to `non_text`.
    button_edges: bool,
}

/// WCAG 2.2 relative luminance of an sRGB colour.
fn luminance(c: Color) -> f64 {
    let lin = |v: f32| {
        let v = f64::from(v);
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
}

/// WCAG 2.2 contrast ratio, 1 to 21.
fn ratio(a: Color, b: Color) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    (hi + 0.05) / (lo + 0.05)
}

fn hex(c: Color) -> String {
    let [r, g, b, _] = c.into_rgba8();
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn bg(b: Option<Background>) -> Color {
    match b {
        Some(Background::Color(c)) => c,
        other => panic!("a plain background colour, not {other:?}"),
    }
}

struct Table {
    bars: Bars,
    rows: Vec<(String, Color, Color, f64, Need)>,
}

impl Table {
    fn check(&mut self, what: impl Into<String>, fg: Color, bg: Color, need: Need) {
        let r = ratio(fg, bg);
        self.rows.push((what.into(), fg, bg, r, need));
    }

    fn min(&self, need: Need) -> f64 {
        match need {
            Need::Text => self.bars.text,
            Need::NonText => self.bars.non_text,
            Need::Shown => 0.0,
        }
    }

    /// The lowest ratio of a kind, and its row.
    fn lowest(&self, need: Need) -> (f64, String) {
        self.rows
            .iter()
            .filter(|r| r.4 == need)
            .map(|r| (r.3, r.0.clone()))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or((f64::INFINITY, String::new()))
    }

    /// Print the table; the pairs below their bar.
    fn finish(self) -> Vec<String> {
        let mut failed = Vec::new();
        println!("== {} ==", self.bars.name);
        for (what, fg, bg, r, need) in &self.rows {
            let min = self.min(*need);
            let verdict = if *need == Need::Shown {
                "shown"
            } else if *r >= min {
                "ok"
            } else {
                "FAIL"
            };
            println!(
                "{what:<44} {} on {}  {r:5.2}:1  (min {min}) {verdict}",
                hex(*fg),
                hex(*bg)
            );
            if *r < min {
                failed.push(format!("{}: {what}: {r:.2}:1 < {min}:1", self.bars.name));
            }
        }
        let (text, text_row) = self.lowest(Need::Text);
        let (non_text, non_text_row) = self.lowest(Need::NonText);
        println!(
            "{}: lowest text {text:.2}:1 ({text_row}), lowest non-text {non_text:.2}:1 ({non_text_row})",
            self.bars.name
        );
        failed
    }
}

/// Every pair of one theme.
fn table(t: &Theme, bars: Bars) -> Table {
    let mut table = Table {
        bars,
        rows: Vec::new(),
    };
    let (text, non_text) = (Need::Text, Need::NonText);

    // Surfaces that carry text in the text and muted colours.
    let surfaces = [
        ("page", theme::page(t)),
        ("panel", theme::panel(t)),
        ("footer", theme::footer(t)),
        ("dialog", theme::dialog(t)),
        ("document", theme::document(t)),
        ("demo bar", theme::demo_bar(t)),
    ];
    let muted = theme::muted(t).color.unwrap();
    for (name, s) in &surfaces {
        let b = bg(s.background);
        table.check(format!("text on {name}"), s.text_color.unwrap(), b, text);
        table.check(format!("muted text on {name}"), muted, b, text);
    }

    // Header: its words on the bar; the demo badge.
    let h = theme::header(t);
    let header = bg(h.background);
    table.check("header text", h.text_color.unwrap(), header, text);
    let badge = theme::demo_badge(t);
    table.check(
        "demo badge",
        badge.text_color.unwrap(),
        bg(badge.background),
        text,
    );

    // Each tone: toned text on the page, on a panel, and on its own
    // notice; the notice's body text and border; the status chip, whose
    // edge on the header is its fill or its border, whichever shows more.
    let page = bg(theme::page(t).background);
    let surface = bg(theme::panel(t).background);
    for tone in [Tone::Info, Tone::Success, Tone::Warning, Tone::Danger] {
        let toned = theme::toned(tone)(t).color.unwrap();
        let n = theme::notice(tone)(t);
        let tint = bg(n.background);
        table.check(format!("{tone:?} text on page"), toned, page, text);
        table.check(format!("{tone:?} text on panel"), toned, surface, text);
        table.check(format!("{tone:?} text on its notice"), toned, tint, text);
        table.check(
            format!("text in {tone:?} notice"),
            n.text_color.unwrap(),
            tint,
            text,
        );
        table.check(format!("muted text in {tone:?} notice"), muted, tint, text);
        table.check(
            format!("{tone:?} notice border on page"),
            n.border.color,
            page,
            non_text,
        );
        let c = theme::chip(tone)(t);
        let fill = bg(c.background);
        table.check(format!("{tone:?} chip"), c.text_color.unwrap(), fill, text);
        let edge = if ratio(fill, header) >= ratio(c.border.color, header) {
            fill
        } else {
            c.border.color
        };
        table.check(
            format!("{tone:?} chip edge on the header"),
            edge,
            header,
            non_text,
        );
    }

    // Button labels on their fills, at rest and under the pointer; the
    // button's edge (fill or border, whichever shows more) on the page.
    let edges = if table.bars.button_edges {
        non_text
    } else {
        Need::Shown
    };
    for kind in [
        ButtonKind::Primary,
        ButtonKind::Secondary,
        ButtonKind::Danger,
        ButtonKind::Quiet,
    ] {
        for status in [button::Status::Active, button::Status::Hovered] {
            let s = theme::button(kind, false)(t, status);
            table.check(
                format!("{kind:?} button label ({status:?})"),
                s.text_color,
                bg(s.background),
                text,
            );
        }
        let s = theme::button(kind, false)(t, button::Status::Active);
        let fill = bg(s.background);
        let edge = if ratio(fill, page) >= ratio(s.border.color, page) {
            fill
        } else {
            s.border.color
        };
        table.check(format!("{kind:?} button edge on page"), edge, page, edges);
        let s = theme::button(kind, false)(t, button::Status::Disabled);
        table.check(
            format!("{kind:?} button label (Disabled)"),
            s.text_color,
            bg(s.background),
            Need::Shown,
        );
    }

    // The page's scrollbar handle on the page, held to the non-text bar
    // in both themes (iced's own, 1.87:1 on white, was too faint).
    let bar = theme::scroll(
        t,
        scrollable::Status::Active {
            is_horizontal_scrollbar_disabled: true,
            is_vertical_scrollbar_disabled: false,
        },
    );
    let handle = match bar.vertical_rail.scroller.background {
        Background::Color(c) => c,
        other => panic!("{other:?}"),
    };
    table.check("scrollbar handle on page", handle, page, non_text);

    // The step indicator.
    for state in [
        StepState::Done,
        StepState::Current,
        StepState::Stopped,
        StepState::Todo,
    ] {
        let s = theme::step(state)(t);
        table.check(
            format!("step {state:?}"),
            s.text_color.unwrap(),
            bg(s.background),
            text,
        );
    }

    // Text fields: the value and the placeholder on the field.
    let i = theme::input(false)(t, text_input::Status::Active);
    let field = match i.background {
        Background::Color(c) => c,
        other => panic!("{other:?}"),
    };
    table.check("input value", i.value, field, text);
    table.check("input placeholder", i.placeholder, field, text);
    table.check("input border", i.border.color, page, non_text);

    // The focus ring against every background a focusable widget sits on:
    // the page, panels, the footer, the demo bar, the header, the notices.
    let ring = theme::button(ButtonKind::Primary, true)(t, button::Status::Active)
        .border
        .color;
    let input_ring = theme::input(true)(t, text_input::Status::Active)
        .border
        .color;
    assert_eq!(ring, input_ring, "one focus colour");
    let mut behind: Vec<(String, Color)> = surfaces
        .iter()
        .map(|(n, s)| (n.to_string(), bg(s.background)))
        .collect();
    behind.push(("header".into(), header));
    for tone in [Tone::Info, Tone::Success, Tone::Warning, Tone::Danger] {
        behind.push((
            format!("{tone:?} notice"),
            bg(theme::notice(tone)(t).background),
        ));
    }
    for (name, b) in behind {
        table.check(format!("focus ring on {name}"), ring, b, non_text);
    }
    table
}

#[test]
fn both_themes_meet_their_contrast_bars() {
    let normal = table(
        &theme::theme(),
        Bars {
            name: "normal theme (WCAG 2.2 AA)",
            text: 4.5,
            non_text: 3.0,
            button_edges: false,
        },
    );
    let high = table(
        &theme::high_contrast(),
        Bars {
            name: "high contrast (text AAA 7:1, non-text 4.5:1)",
            text: 7.0,
            non_text: 4.5,
            button_edges: true,
        },
    );
    // The high-contrast theme is drawn from its own palette, not the
    // normal one's: the two tables differ.
    assert_ne!(
        normal.rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        high.rows.iter().map(|r| r.3).collect::<Vec<_>>()
    );
    let mut failed = normal.finish();
    failed.extend(high.finish());
    assert!(failed.is_empty(), "below the bar:\n{}", failed.join("\n"));
}

/// The focus ring of high contrast is thicker than the normal one, and
/// every one of its buttons has a border.
#[test]
fn high_contrast_draws_thick_rings_and_button_borders() {
    let (n, h) = (theme::theme(), theme::high_contrast());
    let ring = |t: &Theme| {
        theme::button(ButtonKind::Primary, true)(t, button::Status::Active)
            .border
            .width
    };
    assert!(ring(&h) > ring(&n), "{} vs {}", ring(&h), ring(&n));
    assert!(
        theme::input(true)(&h, text_input::Status::Active)
            .border
            .width
            > theme::input(true)(&n, text_input::Status::Active)
                .border
                .width
    );
    for kind in [
        ButtonKind::Primary,
        ButtonKind::Secondary,
        ButtonKind::Danger,
        ButtonKind::Quiet,
    ] {
        let s = theme::button(kind, false)(&h, button::Status::Active);
        assert!(s.border.width >= 2.0, "{kind:?}");
        assert!(
            ratio(s.border.color, bg(theme::page(&h).background)) >= 4.5,
            "{kind:?}: its border shows on the black page"
        );
    }
}
