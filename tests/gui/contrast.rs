//! WCAG 2.2 AA contrast of the normal theme (issue 13, part 4): every text /
//! background pair the theme's styles produce, taken from the style
//! functions themselves (not copies of the constants), and the keyboard
//! focus ring against every background it is drawn on. Text needs 4.5:1
//! (SC 1.4.3; we hold large text to the same bar), non-text 3:1 (SC 1.4.11).
//! Disabled buttons are exempt (SC 1.4.3: "inactive user interface
//! component") and only printed.
//!
//! `cargo test -p madoguchi --test gui contrast -- --nocapture` prints the
//! table quoted in the notes.

use iced::widget::{button, text_input};
use iced::{Background, Color};
use madoguchi::ui::theme::{self, ButtonKind, StepState, Tone};

const TEXT_AA: f64 = 4.5;
const NON_TEXT_AA: f64 = 3.0;

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
    rows: Vec<(String, Color, Color, f64, f64)>,
}

impl Table {
    fn check(&mut self, what: impl Into<String>, fg: Color, bg: Color, min: f64) {
        let r = ratio(fg, bg);
        self.rows.push((what.into(), fg, bg, r, min));
    }

    fn finish(self) {
        let mut failed = Vec::new();
        for (what, fg, bg, r, min) in &self.rows {
            let verdict = if *min == 0.0 {
                "exempt"
            } else if r >= min {
                "ok"
            } else {
                "FAIL"
            };
            println!(
                "{what:<44} {} on {}  {r:5.2}:1  (min {min}) {verdict}",
                hex(*fg),
                hex(*bg)
            );
            if *r < *min {
                failed.push(format!("{what}: {r:.2}:1 < {min}:1"));
            }
        }
        assert!(
            failed.is_empty(),
            "below WCAG 2.2 AA:\n{}",
            failed.join("\n")
        );
    }
}

#[test]
fn normal_theme_meets_wcag_aa_contrast() {
    let t = theme::theme();
    let mut table = Table { rows: Vec::new() };

    // Surfaces that carry text in TEXT and MUTED.
    let surfaces = [
        ("page", theme::page(&t)),
        ("panel", theme::panel(&t)),
        ("footer", theme::footer(&t)),
        ("dialog", theme::dialog(&t)),
        ("document", theme::document(&t)),
        ("demo bar", theme::demo_bar(&t)),
    ];
    let muted = theme::muted(&t).color.unwrap();
    for (name, s) in &surfaces {
        let b = bg(s.background);
        table.check(format!("text on {name}"), s.text_color.unwrap(), b, TEXT_AA);
        table.check(format!("muted text on {name}"), muted, b, TEXT_AA);
    }

    // Header: white words on the dark bar; the demo badge.
    let h = theme::header(&t);
    table.check(
        "header text",
        h.text_color.unwrap(),
        bg(h.background),
        TEXT_AA,
    );
    let badge = theme::demo_badge(&t);
    table.check(
        "demo badge",
        badge.text_color.unwrap(),
        bg(badge.background),
        TEXT_AA,
    );

    // Each tone: toned text on white, on a panel, and on its own notice;
    // the notice's body text and border; the status chip.
    let white = bg(theme::page(&t).background);
    let surface = bg(theme::panel(&t).background);
    for tone in [Tone::Info, Tone::Success, Tone::Warning, Tone::Danger] {
        let toned = theme::toned(tone)(&t).color.unwrap();
        let n = theme::notice(tone)(&t);
        let tint = bg(n.background);
        table.check(format!("{tone:?} text on white"), toned, white, TEXT_AA);
        table.check(format!("{tone:?} text on panel"), toned, surface, TEXT_AA);
        table.check(format!("{tone:?} text on its notice"), toned, tint, TEXT_AA);
        table.check(
            format!("text in {tone:?} notice"),
            n.text_color.unwrap(),
            tint,
            TEXT_AA,
        );
        table.check(
            format!("muted text in {tone:?} notice"),
            muted,
            tint,
            TEXT_AA,
        );
        table.check(
            format!("{tone:?} notice border on white"),
            n.border.color,
            white,
            NON_TEXT_AA,
        );
        let c = theme::chip(tone)(&t);
        table.check(
            format!("{tone:?} chip"),
            c.text_color.unwrap(),
            bg(c.background),
            TEXT_AA,
        );
        table.check(
            format!("{tone:?} chip on the header"),
            bg(c.background),
            bg(h.background),
            NON_TEXT_AA,
        );
    }

    // Button labels on their fills, at rest and under the pointer.
    for kind in [
        ButtonKind::Primary,
        ButtonKind::Secondary,
        ButtonKind::Danger,
        ButtonKind::Quiet,
    ] {
        for status in [button::Status::Active, button::Status::Hovered] {
            let s = theme::button(kind, false)(&t, status);
            table.check(
                format!("{kind:?} button label ({status:?})"),
                s.text_color,
                bg(s.background),
                TEXT_AA,
            );
        }
        let s = theme::button(kind, false)(&t, button::Status::Disabled);
        table.check(
            format!("{kind:?} button label (Disabled)"),
            s.text_color,
            bg(s.background),
            0.0,
        );
    }

    // The step indicator.
    for state in [
        StepState::Done,
        StepState::Current,
        StepState::Stopped,
        StepState::Todo,
    ] {
        let s = theme::step(state)(&t);
        table.check(
            format!("step {state:?}"),
            s.text_color.unwrap(),
            bg(s.background),
            TEXT_AA,
        );
    }

    // Text fields: the value and the placeholder on the field.
    let i = theme::input(false)(&t, text_input::Status::Active);
    let field = match i.background {
        Background::Color(c) => c,
        other => panic!("{other:?}"),
    };
    table.check("input value", i.value, field, TEXT_AA);
    table.check("input placeholder", i.placeholder, field, TEXT_AA);
    table.check("input border", i.border.color, white, NON_TEXT_AA);

    // The focus ring (non-text, 3:1) against every background a focusable
    // widget sits on: the page, panels, the footer, the demo bar, the
    // header, the notices.
    let ring = theme::button(ButtonKind::Primary, true)(&t, button::Status::Active)
        .border
        .color;
    let input_ring = theme::input(true)(&t, text_input::Status::Active)
        .border
        .color;
    assert_eq!(ring, input_ring, "one focus colour");
    let mut behind: Vec<(String, Color)> = surfaces
        .iter()
        .map(|(n, s)| (n.to_string(), bg(s.background)))
        .collect();
    behind.push(("header".into(), bg(h.background)));
    for tone in [Tone::Info, Tone::Success, Tone::Warning, Tone::Danger] {
        behind.push((
            format!("{tone:?} notice"),
            bg(theme::notice(tone)(&t).background),
        ));
    }
    for (name, b) in behind {
        table.check(format!("focus ring on {name}"), ring, b, NON_TEXT_AA);
    }

    table.finish();
}
