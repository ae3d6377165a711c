//! The accessibility tree (src/ui/a11y.rs) as an assistive technology
//! gets it: what it says of the top screen and the application document,
//! and a whole revocation done only through its actions (press, set the
//! password's value) — the messages they become are the App's own. The
//! password never appears in any tree. The same walk through a real AT-SPI
//! client is tests/gui/atspi.rs.

use crate::gui_support;

use gui_support::*;
use madoguchi::ui::Message;
use madoguchi::ui::a11y::accesskit::{Action, ActionData, ActionRequest, NodeId, TreeId};
use madoguchi::ui::a11y::{self, Event, Request};

fn tree(g: &Gui) -> String {
    a11y::describe(&g.app.accessibility().update)
}

fn node(g: &Gui, label: &str, action: Action) -> NodeId {
    let update = g.app.accessibility().update;
    a11y::find(&update, label, action).unwrap_or_else(|| {
        panic!(
            "no node {label:?} that can {action:?} in\n{}",
            a11y::describe(&update)
        )
    })
}

/// What an assistive technology's request becomes: the adapter's event,
/// through the App's `update`.
fn act(g: &mut Gui, label: &str, action: Action, data: Option<ActionData>) {
    let target_node = node(g, label, action);
    g.send(Message::Assistive(Event::Action(Request(ActionRequest {
        action,
        target_tree: TreeId::ROOT,
        target_node,
        data,
    }))));
    g.settle();
}

fn press(g: &mut Gui, label: &str) {
    act(g, label, Action::Click, None);
}

#[track_caller]
fn expect_line(g: &Gui, line: &str) {
    let t = tree(g);
    assert!(
        t.lines().any(|l| l.trim_start() == line),
        "no line {line:?} in\n{t}"
    );
}

/// The password appears nowhere but in the demo bar's hint (the demo
/// card's password is printed there on purpose).
#[track_caller]
fn assert_never_typed_password(t: &str) {
    let lines: Vec<&str> = t.lines().filter(|l| l.contains(PASSWORD)).collect();
    assert_eq!(
        lines,
        vec![format!("    Paragraph \"デモのパスワード: {PASSWORD}\"").as_str()],
        "the password is never in the tree:\n{t}"
    );
}

#[test]
fn the_top_screen_reads_as_headings_status_and_buttons() {
    let _s = serial();
    let g = Gui::demo("normal");
    let t = tree(&g);
    println!("{t}");
    let first = t.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("Window \"窓口 Madoguchi"),
        "the window is named after the app: {first}"
    );
    expect_line(&g, "Heading \"公的個人認証サービス オンライン窓口\"");
    expect_line(&g, "Heading \"窓口 Madoguchi\"");
    assert!(
        t.contains(&format!("Button \"{REVOCATION}\" (")),
        "the procedure button with its description:\n{t}"
    );
    assert!(t.contains(&format!("Button \"{VALIDITY}\" (")), "{t}");
    // The chips are a live region: a change is announced.
    let status = t
        .lines()
        .position(|l| l.trim_start() == "Status")
        .expect("the status chips");
    assert!(
        t.lines()
            .nth(status + 1)
            .unwrap_or_default()
            .contains("カードリーダー")
    );
    // Reading order: the heading before the procedures.
    let heading = t.find("Heading").unwrap_or(usize::MAX);
    let revocation = t.find(REVOCATION).unwrap_or(0);
    assert!(heading < revocation, "{t}");
}

#[test]
fn a_revocation_through_the_assistive_actions_alone() {
    let _s = serial();
    let mut g = Gui::demo("normal");
    press(&mut g, REVOCATION);
    g.expect_section("2.1.3");
    expect_line(&g, "Paragraph \"手順 1 / 6: カード準備\"");
    press(&mut g, "カードを読み取る");
    g.expect_section("2.1.4");
    let t = tree(&g);
    assert!(
        t.contains("PasswordInput \"パスワード\" value=\"\""),
        "the password input, empty:\n{t}"
    );
    act(
        &mut g,
        "パスワード",
        Action::SetValue,
        Some(ActionData::Value(PASSWORD.into())),
    );
    let t = tree(&g);
    assert!(
        t.contains("PasswordInput \"パスワード\" value=\"●●●●●●\""),
        "six characters, masked:\n{t}"
    );
    assert_never_typed_password(&t);
    press(&mut g, "OK");
    g.expect_section("2.1.5");

    // 2.1.5: the application document as labelled facts.
    let t = tree(&g);
    println!("{t}");
    for (term, definition) in [
        ("申請者の氏名", "吉田　太郎"),
        ("申請者の性別", "男"),
        ("申請者の生年月日", "昭和33年8月10日 (1958-08-10)"),
    ] {
        let at = t
            .lines()
            .position(|l| l.trim_start() == format!("Term \"{term}\""))
            .unwrap_or_else(|| panic!("no term {term} in\n{t}"));
        let next = t.lines().nth(at + 1).unwrap_or_default().trim_start();
        assert_eq!(next, format!("Definition \"{definition}\""), "{t}");
    }
    assert!(t.contains("Term \"申請者の住所\""), "{t}");
    // The document comes after the screen's heading.
    assert!(
        t.find("Heading \"取込み情報の確認\"") < t.find("Term"),
        "{t}"
    );

    press(&mut g, "電子署名");
    g.expect_section("2.1.6");
    press(&mut g, "了解");
    g.expect_section("2.1.7");
    act(
        &mut g,
        "パスワード",
        Action::SetValue,
        Some(ActionData::Value(PASSWORD.into())),
    );
    press(&mut g, "電子署名を作成");
    g.expect_section("2.1.8");
    press(&mut g, "了解 (送信する)");
    g.expect_section("2.1.9");
    let t = tree(&g);
    assert!(t.contains("Term \"受理日時\""), "{t}");
    // The result is said first, and when it appears (a live region).
    let result = t
        .find("Heading \"オンライン失効申請の受理通知\"")
        .expect("the result's heading");
    assert!(result < t.find("Term").unwrap_or(0), "{t}");
    let lines: Vec<&str> = t.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("Heading \"オンライン失効申請の受理通知\""))
        .unwrap_or(0);
    assert_eq!(
        lines[at.saturating_sub(1)].trim(),
        "Note",
        "the result is a live note:\n{t}"
    );
    assert_never_typed_password(&t);
}

#[test]
fn focus_follows_the_focus_ring_and_the_assistive_focus_moves_it() {
    let _s = serial();
    let mut g = Gui::demo("normal");
    let focused = |g: &Gui| -> Vec<String> {
        tree(g)
            .lines()
            .filter(|l| l.ends_with("[focused]"))
            .map(|l| l.trim_start().to_owned())
            .collect()
    };
    // Nothing focused: the window is.
    assert_eq!(focused(&g).len(), 1);
    assert!(focused(&g)[0].starts_with("Window"), "{:?}", focused(&g));
    g.key(madoguchi::ui::KeyPress::Tab);
    let f = focused(&g);
    assert_eq!(f.len(), 1, "one focused node: {f:?}");
    assert!(f[0].starts_with("Button"), "the ring's button: {f:?}");
    act(&mut g, VALIDITY, Action::Focus, None);
    assert_eq!(g.app.focus.as_deref(), Some("top.validity"));
    let f = focused(&g);
    assert!(f.len() == 1 && f[0].contains(VALIDITY), "{f:?}");
}

/// Every screen a resident can open from the top: a heading to start
/// from, before any control, and no button or input a screen reader would have to call
/// "unlabelled".
#[test]
fn every_tool_screen_has_a_heading_and_only_named_controls() {
    use madoguchi::ui::screen::top::{Message as TopMessage, Tool};
    let _s = serial();
    for tool in [
        Tool::Certificate,
        Tool::CardStatus,
        Tool::ChangePassword,
        Tool::ServerIdentity,
        Tool::Settings,
    ] {
        let mut g = Gui::demo("normal");
        g.send(Message::top(TopMessage::Open(tool)));
        g.settle();
        let t = tree(&g);
        println!("{tool:?}\n{t}");
        let main = &t[t.find("\n  Main").expect("the main region")..];
        // The heading comes first: nothing to press or type before it.
        let first = main
            .lines()
            .skip(1)
            .map(str::trim_start)
            .find(|l| {
                [
                    "Heading",
                    "Button",
                    "RadioButton",
                    "PasswordInput",
                    "TextInput",
                ]
                .iter()
                .any(|r| l.starts_with(&format!("{r} ")))
            })
            .unwrap_or_default();
        assert!(
            first.starts_with("Heading \""),
            "{tool:?}: a control before the heading ({first:?}) in\n{t}"
        );
        for l in t.lines().map(str::trim_start) {
            for role in ["Button", "RadioButton", "PasswordInput", "TextInput"] {
                if l.starts_with(&format!("{role} ")) || l == role {
                    assert!(
                        l.starts_with(&format!("{role} \""))
                            && !l.starts_with(&format!("{role} \"\"")),
                        "{tool:?}: an unlabelled {role}: {l:?} in\n{t}"
                    );
                }
            }
        }
    }
}
