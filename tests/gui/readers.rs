//! The reader choice on PC/SC (issue 10): the reader watch's events are
//! given to the app as the running watch sends them, and the resident
//! chooses on screen — with the mouse and with the keyboard. Nothing here
//! reaches a card (the procedure stops at its card preparation screen);
//! `pcsc.rs` does the same with two virtual cards through pcscd.

use crate::gui_support;

use gui_support::*;
use madoguchi::i18n::Language;
use madoguchi::ui::{KeyPress, Launch, Message, Screen};
use madoguchi_card::{ReaderInfo, WatchEvent};

const ACS: &str = "ACS ACR39U ICC Reader 00 00";
const SCM: &str = "SCM Microsystems SCR3310 01 00";
const VPCD: &str = "Virtual PCD 00 00";
const VIRTUAL_FLAG: &str = "注意: これは「仮想カードリーダー」です。本物の機械ではありません。";

fn reader(name: &str, card: bool) -> ReaderInfo {
    ReaderInfo {
        name: name.into(),
        card_present: card,
        atr: card.then(|| vec![0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14]),
    }
}

/// The app on PC/SC (no demo), in Japanese, with the watch's first report.
fn pcsc_app(readers: Vec<ReaderInfo>) -> Gui {
    let (paths, _dir) = configured_window();
    let mut g = Gui::launch(Launch {
        language: Some(Language::Ja),
        paths: Some(paths),
        ..Launch::default()
    });
    g.apply(vec![Message::Reader(WatchEvent::Snapshot(readers))]);
    g
}

fn on_choice(g: &Gui) -> bool {
    matches!(g.app.screen, Screen::ReaderChoice(_))
}

/// Tab until the focus ring is on `key` (at most one round).
fn tab_to(g: &mut Gui, key: &str) {
    for _ in 0..20 {
        g.key(KeyPress::Tab);
        if g.app.focus.as_deref() == Some(key) {
            return;
        }
    }
    panic!("Tab never reached {key}; focus {:?}", g.app.focus);
}

#[test]
fn several_cards_the_resident_chooses_and_every_job_uses_it() {
    let _s = serial();
    let mut g = pcsc_app(vec![
        reader(VPCD, true),
        reader(SCM, true),
        reader(ACS, true),
    ]);
    assert!(g.app.must_choose_reader());
    g.expect("カードリーダーを選ぶ");

    // A procedure waits for the choice: no card job without one.
    g.click(REVOCATION);
    assert!(on_choice(&g), "{:?}", g.app.screen);
    g.expect("カードリーダーを選んでください");
    g.expect(ACS);
    g.expect(SCM);
    g.expect(VPCD);
    g.expect("カードが入っています");
    // The virtual reader is flagged, once, and listed last.
    let texts = g.texts();
    assert_eq!(texts.iter().filter(|t| *t == VIRTUAL_FLAG).count(), 1);
    let at = |name: &str| texts.iter().position(|t| t == name).unwrap();
    assert!(at(ACS) < at(SCM) && at(SCM) < at(VPCD), "{texts:?}");

    // Keyboard: Tab to the second reader, Enter.
    tab_to(&mut g, "reader.1");
    g.key(KeyPress::Enter);
    assert_eq!(g.app.chosen_reader().as_deref(), Some(SCM));
    g.expect_section("2.1.3");

    // The choice holds for the session: the next procedure and the card
    // tools go straight on.
    g.click("トップ画面へ");
    assert!(g.on_top());
    g.click(VALIDITY);
    g.expect_section("3.1.3");
    g.click("トップ画面へ");
    g.click("カードの状態 (残り回数)");
    g.settle();
    // That job went to the chosen reader, which this machine does not have
    // (no service: E101; a service without it: E103) — not to another card.
    let Screen::CardStatus(s) = &g.app.screen else {
        panic!("{:?}", g.app.screen)
    };
    let number = s
        .report()
        .and_then(|r| r.as_ref().err())
        .map(|e| e.catalogue_number());
    assert!(matches!(number, Some(101..=103)), "{number:?}");
    g.click("閉じる");

    // The chooser shows which reader is in use.
    g.click("カードリーダーを選ぶ");
    g.expect("(いま使っているカードリーダーです)");
    g.key(KeyPress::Escape);
    assert!(g.on_top());
    assert_eq!(g.app.chosen_reader().as_deref(), Some(SCM));

    // A card taken out of another reader changes nothing.
    g.apply(vec![Message::Reader(WatchEvent::CardRemoved {
        reader: ACS.into(),
    })]);
    assert!(g.on_top());
    assert_eq!(g.app.chosen_reader().as_deref(), Some(SCM));

    // The chosen reader is unplugged: forgotten, and asked again.
    g.apply(vec![
        Message::Reader(WatchEvent::CardRemoved { reader: SCM.into() }),
        Message::Reader(WatchEvent::ReaderRemoved(SCM.into())),
    ]);
    assert_eq!(g.app.chosen_reader(), None);
    assert!(on_choice(&g), "{:?}", g.app.screen);
    g.expect(&format!(
        "選んでいたカードリーダー「{SCM}」が取り外されました。もう一度選んでください。"
    ));
    assert!(!g.sees(SCM));

    // The virtual reader is taken when chosen explicitly.
    g.click(VPCD);
    assert_eq!(g.app.chosen_reader().as_deref(), Some(VPCD));
    assert!(g.on_top());
    g.click(REVOCATION);
    g.expect_section("2.1.3");
}

#[test]
fn going_back_from_the_choice_starts_nothing() {
    let _s = serial();
    let mut g = pcsc_app(vec![reader(ACS, true), reader(SCM, true)]);
    g.click(VALIDITY);
    assert!(on_choice(&g));
    g.click("戻る");
    assert!(g.on_top());
    assert_eq!(g.app.chosen_reader(), None);
    // The card tools wait for the choice too.
    g.click("電子証明書を見る");
    assert!(on_choice(&g));
    g.key(KeyPress::Escape);
    assert!(g.on_top());
}

#[test]
fn no_choice_when_there_is_nothing_to_choose() {
    let _s = serial();
    // One physical reader with a card, the virtual one empty or not: the
    // physical one is taken.
    let g = pcsc_app(vec![reader(ACS, true), reader(VPCD, false)]);
    assert!(!g.app.must_choose_reader());
    let g = pcsc_app(vec![reader(ACS, true), reader(VPCD, true)]);
    assert!(!g.app.must_choose_reader());
    // No card at all: the procedure says so itself (2.2.5, E104).
    let mut g = pcsc_app(vec![reader(ACS, false), reader(SCM, false)]);
    assert!(!g.app.must_choose_reader());
    g.click(REVOCATION);
    g.expect_section("2.1.3");
    // Only the virtual reader holds a card: never taken unasked.
    let mut g = pcsc_app(vec![reader(ACS, false), reader(VPCD, true)]);
    assert!(g.app.must_choose_reader());
    g.click(REVOCATION);
    assert!(on_choice(&g));
    g.expect(VIRTUAL_FLAG);
    // One physical reader alone: no tool to choose with.
    let g = pcsc_app(vec![reader(ACS, true)]);
    assert!(!g.sees("カードリーダーを選ぶ"));
    // Demo mode: the demo card only.
    let g = Gui::demo("normal");
    assert!(!g.app.offers_reader_choice());
    assert!(!g.sees("カードリーダーを選ぶ"));
}

#[test]
fn the_choice_in_english() {
    let _s = serial();
    let mut g = pcsc_app(vec![reader(ACS, true), reader(VPCD, true)]);
    g.apply(vec![Message::Header(
        madoguchi::ui::header::Message::Language(Language::En),
    )]);
    g.click("Choose the card reader");
    g.expect("Choose your card reader");
    g.expect("Caution: this is a \"virtual card reader\", not a real device.");
    g.expect("A card is inserted");
    g.apply(vec![Message::Header(
        madoguchi::ui::header::Message::Language(Language::Ja),
    )]);
}

/// A card tool whose card is pulled out says so, asks for the card back,
/// and goes on by itself once it is back (no button to find); in counter
/// mode the resident has left, and the top screen comes back instead.
#[test]
fn a_card_tool_waits_for_the_card_and_goes_on_by_itself() {
    let _s = serial();
    let mut g = Gui::demo("normal");
    g.click("カードの状態 (残り回数)");
    let read = |g: &Gui| matches!(&g.app.screen, Screen::CardStatus(s) if s.report().is_some_and(|r| r.is_ok()));
    assert!(read(&g), "{:?}", g.app.screen);
    g.click("カードを抜く");
    assert!(
        matches!(g.app.screen, Screen::CardRemoved(_)),
        "{:?}",
        g.app.screen
    );
    g.expect("カードが取り出されました");
    g.expect("マイナンバーカードをもう一度カードリーダーにセットしてください。");
    g.click("カードを入れる");
    assert!(
        read(&g),
        "the tool opened again and read the card: {:?}",
        g.app.screen
    );

    // The password change: the form comes back, nothing was sent.
    g.click("トップ画面へ");
    g.click("パスワードの変更");
    g.expect("今のパスワードと、新しいパスワードを2回入力してください。新しいパスワードは、英字と数字で6〜16文字です。");
    let tries = g.tries_left();
    g.click("カードを抜く");
    g.expect("カードが取り出されました");
    g.key(KeyPress::Escape);
    assert!(
        g.on_top(),
        "Escape goes back to the top: {:?}",
        g.app.screen
    );
    g.click("カードを入れる");
    assert!(
        g.on_top(),
        "a card put back on the top screen opens nothing"
    );
    g.click("パスワードの変更");
    g.click("カードを抜く");
    g.click("カードを入れる");
    g.expect("今のパスワードと、新しいパスワードを2回入力してください。新しいパスワードは、英字と数字で6〜16文字です。");
    assert_eq!(g.tries_left(), tries, "no try was spent");
}

#[test]
fn a_counter_terminal_goes_home_when_a_card_tools_card_leaves() {
    let _s = serial();
    let mut g = Gui::launch(Launch {
        counter: true,
        ..demo_launch("normal")
    });
    g.click("カードの状態 (残り回数)");
    g.click("カードを抜く");
    assert!(g.on_top(), "{:?}", g.app.screen);
    assert!(!g.app.holds_resident());
}
