//! The messages of 2.2 / 3.2 that a correct client cannot provoke from the
//! reference window (busy, service error, malformed data, signature
//! refused) or that need a broken card or smart-card service (2.2.4,
//! 2.2.8), reached through the app: a test card with injected faults and
//! the flow tests' scripted window, given to the app as its source.
//! Also the password guard's states as the dialog shows them.

use crate::flow_support;
use crate::gui_support;

use flow_support::{FakeWindow, Scripted, TestCard, client_config};
use gui_support::*;
use madoguchi::i18n::Language;
use madoguchi::ui::environment::{Custom, Source};
use madoguchi::ui::settings::Paths;
use madoguchi::ui::{App, Launch};
use madoguchi_card::{CardError, StatusWord};
use madoguchi_pki::wire::Outcome;
use madoguchi_sim::FailRule;

fn gui_on(card: &TestCard, window: &FakeWindow) -> Gui {
    let c = card.clone();
    let source = Source::Custom(Box::new(Custom {
        opener: Box::new(move || c.opener()),
        config: client_config(&window.url()),
        known_cas: crate::flow_support::known_cas(),
    }));
    let app = App::with_source(
        Launch {
            language: Some(Language::Ja),
            paths: Some(Paths::none()),
            ..Launch::default()
        },
        Some(source),
    );
    Gui::with_app(app)
}

/// Walk one procedure to the window's answer `script`; check the section
/// and the heading shown.
fn answered(label: &str, script: Scripted, section: &str, heading: &str) -> Gui {
    let card = TestCard::new("normal");
    let window = FakeWindow::start("server", vec![script]);
    let mut g = gui_on(&card, &window);
    g.start_and_login(label, PASSWORD);
    g.sign_through(PASSWORD);
    g.click("了解 (送信する)");
    g.expect_section(section);
    g.expect(heading);
    // The window must outlive the walk.
    drop(window);
    g
}

#[test]
fn busy_2_2_2_and_3_2_2_offer_the_same_request_again() {
    let _s = serial();
    for (label, section) in [(REVOCATION, "2.2.2"), (VALIDITY, "3.2.2")] {
        let mut g = Gui::demo("normal");
        g.start_and_login(label, PASSWORD);
        g.sign_through(PASSWORD);
        // The window's only request permit is held: it answers busy (the
        // app waits as the answer asks, then gives up).
        let limiter = g.app.source.demo().unwrap().window.limiter();
        let permits = limiter.available_permits() as u32;
        let held = limiter.try_acquire_many_owned(permits).unwrap();
        g.click("了解 (送信する)");
        g.expect_section(section);
        g.expect("オンライン窓口サービスの混雑");
        g.expect("同じ申請書をもう一度送る");
        // Free again: the same signed request goes out once more.
        drop(held);
        g.click("同じ申請書をもう一度送る");
        assert!(matches!(g.section(), Some("2.1.9") | Some("3.1.9")));
        g.click("閉じる");
        assert!(g.on_top());
    }
}

#[test]
fn service_error_2_2_3_and_3_2_3() {
    let _s = serial();
    for (label, section) in [(REVOCATION, "2.2.3"), (VALIDITY, "3.2.3")] {
        let g = answered(
            label,
            Scripted::outcome(Outcome::ServiceError),
            section,
            "オンライン窓口サービスのエラー",
        );
        // The manual says start over; the main button resends the signed
        // request. The screen says why that is the same, and safe.
        g.expect("同じ申請書をもう一度送る");
        assert!(g.sees_part("はじめからやり直す代わりに"));
        assert!(g.sees_part("二重に受け付けられない"));
    }
}

#[test]
fn malformed_2_2_10_and_3_2_10_lead_back_to_reading() {
    let _s = serial();
    let mut g = answered(
        REVOCATION,
        Scripted::outcome(Outcome::MalformedRequest),
        "2.2.10",
        "受信データの形式エラー",
    );
    g.click("申請に必要な情報の取込み画面に戻る");
    g.expect_section("2.1.3");
    let mut g = answered(
        VALIDITY,
        Scripted::outcome(Outcome::MalformedRequest),
        "3.2.10",
        "受信データの形式エラー",
    );
    g.click("確認中止");
    assert!(g.on_top());
}

#[test]
fn request_signature_refused_2_2_13_and_3_2_12() {
    let _s = serial();
    answered(
        REVOCATION,
        Scripted::outcome(Outcome::RequestSignatureInvalid),
        "2.2.13",
        "失効申請書の検証エラー",
    );
    answered(
        VALIDITY,
        Scripted::outcome(Outcome::RequestSignatureInvalid),
        "3.2.12",
        "有効性確認申請書の検証エラー",
    );
}

#[test]
fn smart_card_service_down_2_2_4_and_3_2_4() {
    let _s = serial();
    for (label, section) in [(REVOCATION, "2.2.4"), (VALIDITY, "3.2.4")] {
        let card = TestCard::new("normal");
        card.fail_open(Some(CardError::ServiceUnavailable));
        let window = FakeWindow::start("server", vec![]);
        let mut g = gui_on(&card, &window);
        g.click(label);
        g.click("カードを読み取る");
        g.expect_section(section);
        g.expect("ICカードのサービスの確認");
        g.expect("スマートカードのサービスが動いていません");
        // Staff text on request.
        g.click("窓口の職員向けの説明を表示");
        g.expect("窓口の職員の方へ");
        card.fail_open(None);
        // [OK] goes back to the card preparation screen of the same procedure.
        g.click("OK");
        g.expect_section(if label == REVOCATION {
            "2.1.3"
        } else {
            "3.1.3"
        });
        g.expect("カードを読み取る");
    }
}

#[test]
fn import_error_2_2_8_and_3_2_8() {
    let _s = serial();
    for (label, section, heading, back) in [
        (
            REVOCATION,
            "2.2.8",
            "申請に必要な情報の取込みエラー",
            "申請に必要な情報の取込み画面に戻る",
        ),
        (
            VALIDITY,
            "3.2.8",
            "確認に必要な情報の取込みエラー",
            "確認に必要な情報の取込み画面に戻る",
        ),
    ] {
        let card = TestCard::new("normal");
        let window = FakeWindow::start("server", vec![]);
        let mut g = gui_on(&card, &window);
        g.click(label);
        g.click("カードを読み取る");
        card.faults
            .fail(FailRule::new(0xB0, StatusWord::from_u16(0x6581)));
        g.type_password(PASSWORD);
        g.click("OK");
        g.expect_section(section);
        g.expect(heading);
        card.faults.clear();
        g.click(back);
        g.expect_section(if label == REVOCATION {
            "2.1.3"
        } else {
            "3.1.3"
        });
    }
}

#[test]
fn password_guard_states_down_to_the_lock() {
    let _s = serial();
    let mut g = Gui::demo("normal");
    g.click(REVOCATION);
    g.click("カードを読み取る");
    g.expect("パスワードはあと 5 回まで入力できます。");

    // Hints while typing; nothing is sent.
    g.type_password("ab");
    g.expect("いま 2 文字です。6 文字以上必要です。");
    g.expect("小文字は大文字として送ります。");
    g.submit_password();
    g.expect("パスワードの形式がちがいます");
    assert_eq!(g.tries_left(), Some(5), "a malformed entry costs nothing");
    g.type_password("ＡＢＣ１２３");
    g.expect("全角の文字が入っています。半角の英字と数字で入力してください (送る前に気づいたので、回数は減りません)。");
    g.click("キャンセル");
    g.click("カードを読み取る");

    // The show toggle reveals what was typed.
    g.type_password("WRONG1");
    assert!(!g.sees("WRONG1"), "masked");
    g.click("入力した文字を表示");
    assert!(g.sees("WRONG1"), "shown on request");
    g.click("OK");
    g.expect("パスワードがちがいます。あと 4 回まちがえるとロックされます。");
    assert_eq!(g.tries_left(), Some(4));

    // The same wrong password again is flagged, not sent.
    g.type_password("wrong1");
    g.click("OK");
    g.expect("さきほどまちがえたパスワードと同じです");
    assert_eq!(g.tries_left(), Some(4));

    g.type_password("WRONG2");
    g.click("OK");
    g.type_password("WRONG3");
    g.click("OK");
    // Warning at two.
    g.expect("ご注意ください: あと 2 回まちがえるとロックされます。");
    assert_eq!(g.tries_left(), Some(2));
    g.type_password("WRONG4");
    g.click("OK");
    // One left: the confirmation comes first, without a password box.
    assert_eq!(g.tries_left(), Some(1));
    g.expect("パスワードの入力は、あと1回だけです");
    assert!(
        !g.has_widget("procedure-password"),
        "no password box before the confirmation"
    );
    // Declining goes back without sending.
    g.click("入力しないでやめる");
    g.expect_section("2.1.3");
    g.click("カードを読み取る");
    g.expect("パスワードの入力は、あと1回だけです");
    g.click("確かめたので入力に進む");
    g.expect("最後の 1 回です。まちがえるとカードがロックされ、市区町村の窓口での手続きが必要になります。");
    g.type_password("WRONG5");
    g.click("OK");
    g.expect_section("2.2.7");
    g.expect("パスワードロック");
    assert_eq!(g.tries_left(), Some(0));
}

#[test]
fn one_try_left_confirmed_and_right() {
    let _s = serial();
    let mut g = Gui::demo("one-try-left");
    g.click(VALIDITY);
    g.click("カードを読み取る");
    g.expect_section("3.1.4");
    g.click("確かめたので入力に進む");
    g.type_password(PASSWORD);
    g.click("OK");
    g.expect_section("3.1.5");
    g.expect("鈴木　次郎");
    g.expect("昭和元年12月25日 (1926-12-25)");
}

#[test]
fn window_unreachable_offers_to_connect_again() {
    let _s = serial();
    let card = TestCard::new("normal");
    // Nothing listens on port 1: connection refused, nothing was sent.
    let source = Source::Custom(Box::new(Custom {
        opener: Box::new({
            let c = card.clone();
            move || c.opener()
        }),
        config: client_config("https://127.0.0.1:1"),
        known_cas: crate::flow_support::known_cas(),
    }));
    let app = App::with_source(
        Launch {
            language: Some(Language::Ja),
            paths: Some(Paths::none()),
            ..Launch::default()
        },
        Some(source),
    );
    let mut g = Gui::with_app(app);
    g.start_and_login(REVOCATION, PASSWORD);
    g.click("電子署名");
    g.click("了解");
    g.expect("オンライン窓口との通信エラー");
    g.expect("オンライン窓口に接続できません");
    g.expect("もう一度接続する");
    g.click("申請中止");
    assert!(g.on_top());
}

#[test]
fn server_identity_from_the_send_confirmation_and_the_top() {
    let _s = serial();
    let mut g = Gui::demo("normal");
    g.start_and_login(VALIDITY, PASSWORD);
    g.sign_through(PASSWORD);
    g.expect_section("3.1.8");
    g.click("接続先の証明書を表示");
    g.expect("オンライン窓口のサーバ証明書");
    g.expect("安全に接続できました。接続先のサーバ証明書は信頼できます。");
    g.expect("TLSv1.3");
    assert!(g.sees_part("CN=localhost"));
    // Back to the confirmation, the signed request still there.
    g.click("閉じる");
    g.expect_section("3.1.8");
    g.click("了解 (送信する)");
    g.expect_section("3.1.9");
    g.click("閉じる");
    g.click("接続先の確認");
    g.expect("SHA-256 フィンガープリント");
    g.click("閉じる");
    assert!(g.on_top());
}
