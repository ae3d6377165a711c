//! Production trust and the counter terminal's lock-down, as a person meets
//! them: without an online window the procedures are shown as unavailable
//! (the card tools still work); on a counter terminal Settings needs the
//! staff PIN of the administrator's preset, or is not offered at all; and the
//! certificate viewer offers no export there.

use crate::gui_support;

use gui_support::*;
use madoguchi::i18n::Language;
use madoguchi::ui::screen::top::{SettingsAccess, Tool};
use madoguchi::ui::settings::Paths;
use madoguchi::ui::{Launch, Message, Screen};
use zeroize::Zeroizing;

const STAFF_PIN: &str = "madoguchi-staff-2026";

/// The app with an administrator's preset holding `preset`.
fn with_preset(preset: &str, demo: bool) -> (Gui, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let admin = dir.path().join("settings.toml");
    std::fs::write(&admin, preset).unwrap();
    let g = Gui::launch(Launch {
        demo,
        demo_material: demo.then(crate::flow_support::shared_material),
        language: Some(Language::Ja),
        paths: Some(Paths {
            user: None,
            admin: Some(admin),
        }),
        ..Launch::default()
    });
    (g, dir)
}

fn staff_preset() -> String {
    let hash = madoguchi::staff_pin::hash(&Zeroizing::new(STAFF_PIN.to_owned())).unwrap();
    format!("counter_mode = true\nstaff_pin = \"{hash}\"\n")
}

#[test]
fn without_a_window_the_procedures_are_unavailable_and_the_tools_stay() {
    let _serial = serial();
    // No server in any settings file, a real reader source.
    let (mut g, _dir) = with_preset("language = \"ja\"\n", false);
    g.expect("この端末では、オンライン窓口が設定されていません");
    assert!(
        g.sees_part("/etc/madoguchi/settings.toml"),
        "says where to set it"
    );
    assert!(g.sees_part("E311"));
    assert_eq!(g.app.offer().window, Err(311));
    // The procedure buttons are there but do nothing.
    g.expect("自己の電子証明書の失効申請");
    g.apply(vec![Message::top(
        madoguchi::ui::screen::top::Message::Start(madoguchi_pki::request::Procedure::Revocation),
    )]);
    assert!(g.on_top(), "a procedure cannot start: {:?}", g.app.screen);
    // The card tools are still offered.
    g.expect("電子証明書を見る");
    g.expect("設定");

    // A server without an anchor: said with its own number.
    let (g, _dir) = with_preset("server = \"https://window.example.jp\"\n", false);
    assert_eq!(g.app.offer().window, Err(315));
    assert!(g.sees_part("E315"));
}

#[test]
fn the_demo_has_its_window() {
    let _serial = serial();
    let g = Gui::demo("normal");
    assert_eq!(g.app.offer().window, Ok(()));
    assert!(!g.sees("この端末では、オンライン窓口が設定されていません"));
}

#[test]
fn a_counter_terminal_without_a_staff_pin_offers_no_settings() {
    let _serial = serial();
    let (mut g, _dir) = with_preset("counter_mode = true\n", true);
    assert_eq!(g.app.settings_access(), SettingsAccess::Hidden);
    assert!(!g.sees("設定"), "{:?}", g.texts());
    assert!(!g.sees("設定 (職員用)"));
    // Asking anyway (a key map, a crafted message) opens nothing.
    g.apply(vec![Message::top(
        madoguchi::ui::screen::top::Message::Open(Tool::Settings),
    )]);
    assert!(g.on_top(), "{:?}", g.app.screen);
}

#[test]
fn a_counter_terminal_opens_settings_only_with_the_staff_pin() {
    let _serial = serial();
    let (mut g, _dir) = with_preset(&staff_preset(), true);
    assert_eq!(g.app.settings_access(), SettingsAccess::StaffOnly);
    g.click("設定 (職員用)");
    assert!(
        matches!(g.app.screen, Screen::StaffUnlock(_)),
        "{:?}",
        g.app.screen
    );
    g.expect("設定は職員用です");
    // A walk-up resident's guess: refused, with its number, still locked.
    g.type_into(madoguchi::ui::screen::staff_unlock::INPUT, "123456");
    g.click("設定を開く");
    assert!(matches!(g.app.screen, Screen::StaffUnlock(_)));
    assert!(g.sees_part("E502"), "{:?}", g.texts());
    assert!(!format!("{:?}", g.app).contains("123456"));
    // Cancel goes back to the top.
    g.click("キャンセル");
    assert!(g.on_top());
    // The staff PIN opens Settings.
    g.click("設定 (職員用)");
    g.type_into(madoguchi::ui::screen::staff_unlock::INPUT, STAFF_PIN);
    g.click("設定を開く");
    assert!(
        matches!(g.app.screen, Screen::Settings(_)),
        "{:?}",
        g.app.screen
    );
    assert!(!format!("{:?}", g.app).contains(STAFF_PIN));
}

#[test]
fn a_counter_terminal_offers_no_certificate_export() {
    let _serial = serial();
    for (counter, export) in [(false, true), (true, false)] {
        let (mut g, _dir) = with_preset(&format!("counter_mode = {counter}\n"), true);
        g.click("電子証明書を見る");
        g.type_password("ABC123");
        g.click("OK");
        let Screen::Certificate(viewer) = &g.app.screen else {
            panic!("no viewer: {:?}", g.app.screen);
        };
        assert_eq!(viewer.offers_export(), export, "counter mode {counter}");
        assert_eq!(g.sees("PEM 形式で保存"), export, "counter mode {counter}");
        assert_eq!(g.sees("DER 形式で保存"), export, "counter mode {counter}");
        if !export {
            g.expect("窓口用の端末では、証明書をファイルに書き出せません (書き出したファイルは消去されないためです)。");
        }
    }
}
