//! Snapshots of the main screens, rendered headless with tiny-skia and the
//! bundled BIZ UDPGothic at the window's size (1024×768, scale 2), compared
//! byte for byte with `tests/snapshots/*-tiny-skia.png`.
//!
//! A missing snapshot fails the test (iced_test would quietly create it and
//! pass); `MADOGUCHI_BLESS=1` writes missing or changed ones. Screens whose
//! content changes from run to run (times, the demo window's port) are not
//! snapshotted; their texts are checked by the walk tests.

use crate::gui_support;

use std::path::PathBuf;

use gui_support::*;
use iced_test::Simulator;
use madoguchi::i18n::Language;
use madoguchi::ui::settings::Paths;
use madoguchi::ui::{Launch, Message};

fn snapshot(g: &Gui, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let base = dir.join(name);
    let file = dir.join(format!("{name}-tiny-skia.png"));
    let bless = std::env::var_os("MADOGUCHI_BLESS").is_some();
    let mut ui = Simulator::with_size(
        madoguchi::ui::iced_settings(),
        (1024.0, 768.0),
        g.app.view(),
    );
    let shot = ui.snapshot(&madoguchi::ui::theme::theme()).unwrap();
    if bless {
        let _ = std::fs::remove_file(&file);
        assert!(shot.matches_image(&base).unwrap());
        return;
    }
    assert!(
        file.exists(),
        "{} is missing: snapshots are committed, not made by the test run \
         (MADOGUCHI_BLESS=1 cargo test --test gui snapshots writes them)",
        file.display()
    );
    assert!(
        shot.matches_image(&base).unwrap(),
        "{name}: the screen differs from {} (MADOGUCHI_BLESS=1 to accept a deliberate change)",
        file.display()
    );
}

fn english() -> Gui {
    Gui::launch(Launch {
        demo: true,
        demo_profile: madoguchi::demo::Profile::Normal,
        demo_material: Some(crate::flow_support::shared_material()),
        language: Some(Language::En),
        paths: Some(Paths::none()),
        ..Launch::default()
    })
}

#[test]
fn main_screens() {
    let _s = serial();
    let mut g = Gui::demo("normal");
    snapshot(&g, "top-ja");
    g.click(REVOCATION);
    snapshot(&g, "card-preparation-ja");
    g.click("カードを読み取る");
    g.type_password("ABC12");
    snapshot(&g, "password-ja");
    g.type_password("3");
    g.click("OK");
    snapshot(&g, "review-ja");
    g.click("電子署名");
    snapshot(&g, "sign-confirmation-ja");
    g.click("署名中止");
    g.click("電子証明書を表示");
    snapshot(&g, "certificate-ja");
    g.click("閉じる");
    g.click("申請中止");
    g.click("カードの状態 (残り回数)");
    snapshot(&g, "card-status-ja");
    g.click("閉じる");
    g.click("設定");
    snapshot(&g, "settings-ja");
}

#[test]
fn guard_and_message_screens() {
    let _s = serial();
    let mut g = Gui::demo("one-try-left");
    g.click(REVOCATION);
    g.click("カードを読み取る");
    snapshot(&g, "last-try-ja");
    let mut g = Gui::demo("locked");
    g.click(VALIDITY);
    g.click("カードを読み取る");
    snapshot(&g, "locked-ja");
    let mut g = Gui::demo("normal");
    g.click("カードを抜く");
    g.click(REVOCATION);
    g.click("カードを読み取る");
    snapshot(&g, "card-not-ready-ja");
}

/// Holder data outside JIS X 0208 and outside the BMP (髙﨑　𠮷乃): drawn
/// from the bundled fonts (𠮷 from the kanji supplement).
#[test]
fn rare_kanji_document() {
    let _s = serial();
    let mut g = Gui::demo("rare-kanji");
    g.start_and_login(REVOCATION, "ABCDEFGH12345678");
    g.expect("髙﨑　𠮷乃");
    snapshot(&g, "review-rare-kanji-ja");
}

#[test]
fn english_screens() {
    let _s = serial();
    let mut g = english();
    snapshot(&g, "top-en");
    g.apply(vec![Message::top(
        madoguchi::ui::screen::top::Message::Start(
            madoguchi_pki::request::Procedure::ValidityCheck,
        ),
    )]);
    g.click("Read the card");
    g.type_password(PASSWORD);
    g.click("OK");
    snapshot(&g, "review-en");
}

/// The reader choice on PC/SC: a physical reader with a card, an empty one
/// and a virtual one with a card (the watch's report given as the watch
/// sends it).
#[test]
fn reader_choice() {
    let _s = serial();
    let mut g = Gui::launch(Launch {
        language: Some(Language::Ja),
        paths: Some(Paths::none()),
        ..Launch::default()
    });
    let reader = |name: &str, card: bool| madoguchi_card::ReaderInfo {
        name: name.into(),
        card_present: card,
        atr: None,
    };
    g.apply(vec![Message::Reader(madoguchi_card::WatchEvent::Snapshot(
        vec![
            reader("ACS ACR39U ICC Reader 00 00", true),
            reader("SONY FeliCa Port/PaSoRi 4.0 01 00", false),
            reader("Virtual PCD 00 00", true),
        ],
    ))]);
    // One physical reader holds a card, so nothing waits for a choice; the
    // top screen offers it.
    assert!(!g.app.must_choose_reader());
    g.click("カードリーダーを選ぶ");
    snapshot(&g, "reader-choice-ja");
}
