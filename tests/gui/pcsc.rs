//! The app on a real smart-card service: pcscd with the vpcd driver and
//! the virtual card attached through it (`madoguchi-sim`'s bridge). The
//! app's own subscriptions run as iced's runtime runs them; its reader
//! watch reports the card going in and out; the app shows it in the status
//! chips and a procedure that needed the card moves to 2.2.6. The card
//! status tool and a login run through PC/SC.

use crate::gui_support;
use crate::support;

use std::sync::mpsc::Receiver;
use std::time::Duration;

use gui_support::*;
use madoguchi::i18n::Language;
use madoguchi::ui::{Launch, Message};
use madoguchi_card::WatchEvent;

/// Run the app's own subscriptions (`App::subscription`) as iced's runtime
/// does — each recipe's stream, no window events — and hand their messages
/// over through a channel.
fn run_subscriptions(g: &Gui) -> Receiver<Message> {
    use iced::futures::StreamExt;
    let streams: Vec<_> = iced_futures::subscription::into_recipes(g.app.subscription())
        .into_iter()
        .map(|recipe| recipe.stream(iced::futures::stream::pending().boxed()))
        .collect();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut all = iced::futures::stream::select_all(streams);
        iced::futures::executor::block_on(async {
            while let Some(m) = all.next().await {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
    });
    rx
}

/// Give the subscriptions' messages to the app until a reader event matches
/// `until` (the watchdog only guards against a hang; no timing is asserted).
fn pump(g: &mut Gui, messages: &Receiver<Message>, until: impl Fn(&WatchEvent) -> bool) {
    loop {
        let m = messages
            .recv_timeout(Duration::from_secs(30))
            .expect("the app's subscriptions reported nothing for 30 s");
        let done = matches!(&m, Message::Reader(e) if until(e));
        g.apply(vec![m]);
        if done {
            return;
        }
    }
}

fn is_vpcd(reader: &str) -> bool {
    reader.starts_with("Virtual PCD")
}

#[test]
fn hot_plug_through_pcscd_reaches_the_screen() {
    let _s = serial();
    let _lock = support::pcsc_lock();
    let Some(mut attached) = support::attach("normal") else {
        return;
    };
    // A configured window (the procedure below never reaches it: the card
    // is pulled first); without one the procedures are not offered.
    let (paths, _dir) = configured_window();
    // The virtual reader is used only when chosen by name.
    let mut g = Gui::launch(Launch {
        language: Some(Language::Ja),
        paths: Some(paths),
        reader: Some(support::VPCD_READER.into()),
        ..Launch::default()
    });
    let events = run_subscriptions(&g);
    pump(&mut g, &events, |e| matches!(e, WatchEvent::Snapshot(_)));
    g.expect("カードあり");

    // Staff status over PC/SC: no try spent.
    g.click("カードの状態 (残り回数)");
    g.expect("あと 5 回 (最大 5 回)");
    g.click("閉じる");

    // Log in through PC/SC, then the card is pulled at the document.
    g.start_and_login(VALIDITY, PASSWORD);
    g.expect_section("3.1.5");
    g.expect("吉田　太郎");
    attached.bridge.take().expect("bridge").stop();
    pump(
        &mut g,
        &events,
        |e| matches!(e, WatchEvent::CardRemoved { reader } if is_vpcd(reader)),
    );
    g.expect_section("3.2.6");
    g.expect("カードが入っていません");
    g.click("確認中止");

    // Back in: the chip follows.
    drop(attached);
    let again = support::attach("normal").expect("attach again");
    pump(
        &mut g,
        &events,
        |e| matches!(e, WatchEvent::CardInserted { reader, .. } if is_vpcd(reader)),
    );
    g.expect("カードあり");
    drop(again);
}

/// Two cards in two readers (vpcd's two slots), no reader named: the card
/// job stops at 2.2.5 (E119: only virtual readers hold cards), the resident
/// chooses the second reader on screen, and that card — not the other — is
/// read, shown and used by the card tools for the rest of the session.
#[test]
fn two_cards_the_resident_chooses_the_reader() {
    let _s = serial();
    let _lock = support::pcsc_lock();
    let Some(first) = support::attach("normal") else {
        return;
    };
    let Some(second) = support::attach_second("rare-kanji") else {
        return;
    };
    let (paths, _dir) = configured_window();
    let mut g = Gui::launch(Launch {
        language: Some(Language::Ja),
        paths: Some(paths),
        ..Launch::default()
    });

    // Before the watch has reported anything, the card job finds no reader
    // it may take by itself.
    g.click(REVOCATION);
    g.click("カードを読み取る");
    g.expect_section("2.2.5");
    g.expect("仮想カードリーダーにしかカードがありません");

    let events = run_subscriptions(&g);
    pump(&mut g, &events, |e| matches!(e, WatchEvent::Snapshot(_)));
    g.click("カードリーダーを選ぶ");
    g.expect(support::VPCD_READER);
    g.expect(support::VPCD_READER_2);
    g.click(support::VPCD_READER_2);

    // Back at the procedure, the chosen card read again.
    g.expect_section("2.1.4");
    g.type_password("ABCDEFGH12345678");
    g.click("OK");
    g.expect_section("2.1.5");
    g.expect("髙﨑　𠮷乃");

    // The other card leaves: the work on the chosen one goes on.
    drop(first);
    pump(
        &mut g,
        &events,
        |e| matches!(e, WatchEvent::CardRemoved { reader } if reader == support::VPCD_READER),
    );
    g.expect_section("2.1.5");

    // The card tools take the same reader without asking again.
    g.click("申請中止");
    assert!(g.on_top());
    g.click("カードの状態 (残り回数)");
    g.expect(support::VPCD_READER_2);
    g.expect("あと 5 回 (最大 5 回)");
    drop(second);
}
