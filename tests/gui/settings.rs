//! Settings through the app: saved to the user's file in the config
//! folder, read back at the next start; values of the administrator's
//! preset win, are shown locked and cannot be changed.

use crate::gui_support;

use gui_support::*;
use madoguchi::ui::settings::Paths;
use madoguchi::ui::{Launch, Screen};

fn launch(paths: &Paths) -> Gui {
    Gui::launch(Launch {
        demo: true,
        demo_profile: madoguchi::demo::Profile::Normal,
        demo_material: Some(crate::flow_support::shared_material()),
        paths: Some(paths.clone()),
        ..Launch::default()
    })
}

#[test]
fn saved_settings_come_back() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths {
        user: Some(dir.path().join("config").join("settings.toml")),
        admin: Some(dir.path().join("admin.toml")),
    };
    let mut g = launch(&paths);
    g.click("設定");
    g.click("大きい");
    g.click("使う");
    g.expect("窓口モード");
    g.type_into("settings-idle", "0");
    g.click("保存する");
    g.expect("設定を保存しました。");
    let text = std::fs::read_to_string(paths.user.as_ref().unwrap()).unwrap();
    assert!(text.contains("text_size = \"large\""), "{text}");
    assert!(text.contains("counter_mode = true"), "{text}");
    assert!(text.contains("idle_timeout_seconds = 1200"), "{text}");

    let g = launch(&paths);
    assert_eq!(g.app.scale_factor(), 1.3);
    assert!(g.app.counter());
    assert_eq!(g.app.settings.idle_timeout.as_secs(), 1200);
}

#[test]
fn the_administrators_preset_wins_and_is_locked() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let admin = dir.path().join("admin.toml");
    // A counter terminal: Settings open with the staff PIN only.
    let hash =
        madoguchi::staff_pin::hash(&zeroize::Zeroizing::new("staff-pin-42".to_owned())).unwrap();
    std::fs::write(
        &admin,
        format!(
            "language = \"en\"\ncounter_mode = true\nserver = \"https://window.example.jp\"\n\
             staff_pin = \"{hash}\"\n"
        ),
    )
    .unwrap();
    let user = dir.path().join("settings.toml");
    std::fs::write(&user, "language = \"ja\"\ncounter_mode = false\n").unwrap();
    let paths = Paths {
        user: Some(user),
        admin: Some(admin),
    };
    let mut g = launch(&paths);
    g.expect("Counter mode");
    // No language switch in the bar: the administrator fixed it.
    assert!(!g.sees("日本語"));
    g.click("Settings (staff)");
    g.type_into(madoguchi::ui::screen::staff_unlock::INPUT, "staff-pin-42");
    g.click("Open settings");
    assert!(matches!(g.app.screen, Screen::Settings(_)));
    g.expect("Set by the administrator: cannot be changed.");
    // The locked choices are drawn but do nothing: click each of them.
    let before = g.app.settings.clone();
    assert!(g.sees("日本語") && g.sees("Off"));
    g.click_no_wait("日本語");
    g.click_no_wait("Off");
    assert_eq!(g.app.settings.language, before.language);
    assert!(g.app.counter(), "counter mode stays on");
    g.expect("Settings");
    assert!(!g.sees("設定"), "the screen stays in English");
    g.click("Save");
    assert_eq!(g.app.settings.language, before.language);
    assert!(g.app.counter());
    assert_eq!(
        g.app.settings.server.as_deref(),
        Some("https://window.example.jp")
    );
}

/// High contrast and 200 % text: applied as soon as they are chosen,
/// saved, and in force at the next start.
#[test]
fn high_contrast_and_200_percent_apply_at_once_and_come_back() {
    use madoguchi::ui::theme;
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths {
        user: Some(dir.path().join("settings.toml")),
        admin: None,
    };
    let mut g = launch(&paths);
    assert_eq!(*theme::palette(&g.app.theme()), theme::NORMAL);
    g.click("設定");
    g.click("ハイコントラスト (黒地に白・黄)");
    assert_eq!(*theme::palette(&g.app.theme()), theme::HIGH_CONTRAST);
    g.click("特大 (2 倍)");
    assert_eq!(g.app.scale_factor(), 2.0);
    g.click("保存する");
    let text = std::fs::read_to_string(paths.user.as_ref().unwrap()).unwrap();
    assert!(text.contains("theme = \"high_contrast\""), "{text}");
    assert!(text.contains("text_size = \"largest\""), "{text}");

    let mut g = launch(&paths);
    assert_eq!(*theme::palette(&g.app.theme()), theme::HIGH_CONTRAST);
    assert_eq!(g.app.scale_factor(), 2.0);
    g.click("設定");
    g.click("標準の色");
    assert_eq!(*theme::palette(&g.app.theme()), theme::NORMAL);
}

/// The administrator's preset fixes the colours: the choice is drawn
/// locked and does nothing.
#[test]
fn a_preset_theme_is_locked() {
    use madoguchi::ui::theme;
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let admin = dir.path().join("admin.toml");
    std::fs::write(&admin, "theme = \"high_contrast\"\n").unwrap();
    let paths = Paths {
        user: Some(dir.path().join("settings.toml")),
        admin: Some(admin),
    };
    let mut g = launch(&paths);
    assert_eq!(*theme::palette(&g.app.theme()), theme::HIGH_CONTRAST);
    g.click("設定");
    g.expect("管理者が設定しているため、変更できません。");
    g.click_no_wait("標準の色");
    assert_eq!(*theme::palette(&g.app.theme()), theme::HIGH_CONTRAST);
    g.click("保存する");
    let text = std::fs::read_to_string(paths.user.as_ref().unwrap()).unwrap();
    assert!(!text.contains("theme"), "the preset keeps it: {text}");
}
