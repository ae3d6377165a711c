//! Counter mode (shared terminal): after a result once the card is out, on
//! card removal, and after the idle time, nothing about the resident is
//! left — not in the app's state (its Debug form and
//! `App::holds_resident`), not in the view tree. Each test first checks
//! that the facts *were* on screen, so the absence means a wipe.
//! Also the staff-facing card status, which spends no try.

use crate::gui_support;

use std::time::Duration;

use gui_support::*;
use madoguchi::i18n::Language;
use madoguchi::ui::settings::Paths;
use madoguchi::ui::{Launch, Message};
use madoguchi_pki::SigningCertificate;

/// The normal card's facts, from its certificate.
fn facts() -> Vec<String> {
    let der = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cards/normal/sign.der"),
    )
    .unwrap();
    let cert = SigningCertificate::from_der(&der).unwrap();
    let h = cert.holder().unwrap();
    let address_part: String = h.address.chars().skip(3).take(8).collect();
    vec![
        h.name.clone(),
        h.name.replace('　', ""),
        h.address.clone(),
        address_part,
        h.birth_date.to_ja_string(),
        h.birth_date.to_iso_string(),
        cert.serial_hex().to_uppercase(),
    ]
}

fn counter_gui() -> Gui {
    Gui::launch(Launch {
        demo: true,
        demo_profile: madoguchi::demo::Profile::Normal,
        demo_material: Some(crate::flow_support::shared_material()),
        counter: true,
        language: Some(Language::Ja),
        paths: Some(Paths::none()),
        ..Launch::default()
    })
}

#[track_caller]
fn assert_no_trace(g: &Gui) {
    assert!(g.on_top(), "back on the top screen");
    assert!(!g.app.holds_resident(), "state: {:?}", g.app);
    let debug = format!("{:?}", g.app);
    let texts = g.texts();
    for f in facts() {
        assert!(!debug.contains(&f), "{f:?} in the state: {debug}");
        assert!(
            !texts.iter().any(|t| t.contains(&f)),
            "{f:?} on screen: {texts:?}"
        );
    }
}

#[test]
fn wiped_when_the_card_is_taken_out_after_the_result() {
    let _s = serial();
    let mut g = counter_gui();
    g.expect("窓口モード");
    g.start_and_login(VALIDITY, PASSWORD);
    g.sign_through(PASSWORD);
    g.click("了解 (送信する)");
    g.expect_section("3.1.9");
    g.expect(&facts()[0]);
    g.expect("カードを抜くと、この方の情報は画面とメモリから消え、トップ画面に戻ります。");
    assert!(g.app.holds_resident());
    g.click("カードを抜く");
    assert_no_trace(&g);
}

#[test]
fn wiped_when_the_card_is_taken_out_mid_procedure() {
    let _s = serial();
    let mut g = counter_gui();
    g.start_and_login(REVOCATION, PASSWORD);
    g.expect_section("2.1.5");
    g.expect(&facts()[0]);
    // The certificate viewer opened from the document goes too.
    g.click("電子証明書を表示");
    assert!(g.sees_part(&facts()[0]));
    g.click("カードを抜く");
    assert_no_trace(&g);
}

#[test]
fn wiped_after_the_idle_time() {
    let _s = serial();
    let mut g = counter_gui();
    g.start_and_login(REVOCATION, PASSWORD);
    g.expect(&facts()[0]);
    // One idle tick before the time: nothing happens.
    g.apply(vec![Message::IdleTick]);
    g.expect(&facts()[0]);
    // Nobody touches the terminal for the idle time.
    g.app.settings.idle_timeout = Duration::ZERO;
    g.apply(vec![Message::IdleTick]);
    assert_no_trace(&g);
    assert_eq!(g.tries_left(), Some(5));
}

#[test]
fn without_counter_mode_the_result_stays() {
    let _s = serial();
    let mut g = Gui::demo("normal");
    g.start_and_login(VALIDITY, PASSWORD);
    g.sign_through(PASSWORD);
    g.click("了解 (送信する)");
    g.click("カードを抜く");
    g.expect_section("3.1.9");
    g.expect(&facts()[0]);
}

#[test]
fn staff_card_status_spends_no_try() {
    let _s = serial();
    let mut g = counter_gui();
    g.click("カードの状態 (残り回数)");
    g.expect("カードの状態");
    g.expect("マイナンバーカード");
    g.expect("あと 5 回 (最大 5 回)");
    g.expect("あと 3 回 (最大 3 回)");
    g.expect("利用者証明用電子証明書の有効期限");
    assert_eq!(g.tries_left(), Some(5));
    g.click("カードを抜く");
    assert_no_trace(&g);
}

/// The idle wipe also runs while the request hangs: a window that trickles
/// its answer keeps the request open, the idle time passes, and nothing of
/// the resident is left on screen or in the app's state.
#[test]
fn wiped_after_the_idle_time_while_the_request_hangs() {
    use crate::flow_support::{FakeWindow, Scripted, TestCard, client_config};
    use madoguchi::ui::environment::{Custom, Source};

    let _s = serial();
    let window = FakeWindow::start(
        "server",
        vec![Scripted::Trickle {
            every: Duration::from_secs(1),
        }],
    );
    let card = TestCard::new("normal");
    let source = Source::Custom(Box::new(Custom {
        opener: Box::new(move || card.opener()),
        config: client_config(&window.url()),
        known_cas: crate::flow_support::known_cas(),
    }));
    let app = madoguchi::ui::App::with_source(
        Launch {
            counter: true,
            language: Some(Language::Ja),
            paths: Some(Paths::none()),
            ..Launch::default()
        },
        Some(source),
    );
    let mut g = Gui::with_app(app);
    g.start_and_login(REVOCATION, PASSWORD);
    g.expect(&facts()[0]);
    g.sign_through(PASSWORD);
    // Sent; the answer trickles in and the request stays open.
    g.click_no_wait("了解 (送信する)");
    assert!(g.app.is_busy(), "the request is under way");
    g.app.settings.idle_timeout = Duration::ZERO;
    g.apply(vec![Message::IdleTick]);
    assert_no_trace(&g);
}
