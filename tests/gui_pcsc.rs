//! The app on a real smart-card service: pcscd with the vpcd driver and
//! the virtual card attached through it (`madoguchi-sim`'s bridge). The
//! reader watch (`madoguchi_card::Watch`, what the app's subscription
//! forwards) reports the card going in and out; the app shows it in the
//! status chips and a procedure that needed the card moves to 2.2.6.
//! The card status tool and a login run through PC/SC.

mod gui_support;
mod support;

use std::sync::mpsc::Receiver;
use std::time::Duration;

use gui_support::*;
use madoguchi::i18n::Language;
use madoguchi::ui::settings::Paths;
use madoguchi::ui::{Launch, Message};
use madoguchi_card::WatchEvent;

/// Feed the watch's events to the app until one matches `until` (the
/// watchdog only guards against a hang; no timing is asserted).
fn pump(g: &mut Gui, events: &Receiver<WatchEvent>, until: impl Fn(&WatchEvent) -> bool) {
    loop {
        let e = events
            .recv_timeout(Duration::from_secs(30))
            .expect("the reader watch reported nothing for 30 s");
        let done = until(&e);
        g.apply(vec![Message::Reader(e)]);
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
    let mut g = Gui::launch(Launch {
        language: Some(Language::Ja),
        paths: Some(Paths::none()),
        ..Launch::default()
    });
    let (_watch, events) = madoguchi_card::Watch::start().expect("reader watch");
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
