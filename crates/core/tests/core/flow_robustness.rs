//! The engine under trouble: the card pulled after every APDU of a whole
//! revocation, refused TLS (untrusted, expired, wrong host, plain HTTP),
//! connections lost after sending (same bytes resent, never a new
//! signature), busy waits, stale challenges, counter mode.

use crate::flow_support;

use std::time::Duration;

use flow_support::*;
use madoguchi_core::client::{Client, ClientError, Phase, bytes_like::Body};
use madoguchi_core::demo::LocalWindow;
use madoguchi_core::flow::{
    Action, ActionKind, Activity, Finish, Input, Options, PasswordNotice, Problem, Screen,
};
use madoguchi_pki::request::{Procedure, RequestDocument};
use madoguchi_pki::wire::Outcome;
use madoguchi_server::config::Limits;

fn revocation(card: &TestCard, url: &str) -> Walk {
    Walk::new(Procedure::Revocation, options(1), card, client(url))
}

#[test]
fn card_removed_after_each_apdu_of_the_revocation_shows_2_2_6() {
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    // The APDUs of one whole revocation.
    let card = TestCard::new("normal");
    let mut w = revocation(&card, window.url());
    assert_eq!(*w.run_through(), Screen::Finished(Finish::Accepted));
    let total = card.apdus().len();
    assert!(total >= 12, "{total} APDUs");
    eprintln!("a whole revocation takes {total} APDUs");

    // Removed after APDU n, for every n (0: before the first; total: after
    // the signature, noticed by the reader watch at 2.1.8).
    // Before a VERIFY with a password the card may have counted the try
    // (E120); anywhere else nothing was on its way (E106).
    let apdus = card.apdus();
    let verify_next = |n: usize| apdus.get(n).is_some_and(|a| a.len() > 5 && a[1] == 0x20);
    assert_eq!((0..total).filter(|&n| verify_next(n)).count(), 2);
    for n in 0..=total {
        let card = TestCard::new("normal");
        card.faults.remove_after(n as u64);
        let mut w = revocation(&card, window.url());
        let end = w.run_through().clone();
        let number = if verify_next(n) { 120 } else { 106 };
        assert_eq!(
            end,
            Screen::Problem(Problem::Unexpected { number }),
            "removed after APDU {n} of {total}: trail {:?}",
            w.driver.engine().trail()
        );
        assert_eq!(w.section(), Some("2.2.6"));
        assert_eq!(
            card.tries_left(),
            5,
            "removed after APDU {n}: a try was spent"
        );
        assert!(
            card.verifies_with_data() <= 2,
            "removed after APDU {n}: a password was sent again"
        );
        assert!(!w.driver.engine().was_sent(), "removed after APDU {n}");
        assert!(w.driver.engine().signed_request().is_none());
        if number == 120 {
            // The card is back: the count is read again, without a
            // password, and shown beside the one from before.
            w.driver.feed(Input::CardInserted);
            w.settle();
            assert!(
                matches!(
                    w.screen(),
                    Screen::Password {
                        notice: Some(PasswordNotice::CountReadAgain {
                            before: Some(5),
                            now: Some(5)
                        }),
                        ..
                    }
                ),
                "removed after APDU {n}: {:?}",
                w.screen()
            );
            assert!(card.verifies_with_data() <= 2);
            continue;
        }
        // The manual's way on: OK → 2.1.3.
        assert_eq!(*w.act(Action::Ok), Screen::CardPreparation);
    }
}

/// Up to the signing confirmation, then [了解]: the challenge request is
/// the first contact with the window.
fn contact(card: &TestCard, client: Result<Client, ClientError>) -> Walk {
    let mut w = Walk::new(Procedure::Revocation, options(1), card, client);
    assert_eq!(*w.walk_to_review(), Screen::Review);
    w.act(Action::Sign);
    w.act(Action::Confirm);
    w
}

fn tls_refused(certificate: &str, number: u16) {
    let fake = FakeWindow::start(certificate, vec![]);
    let card = TestCard::new("normal");
    let w = contact(&card, client(&fake.url()));
    assert_eq!(
        *w.screen(),
        Screen::Problem(Problem::Network {
            number,
            sent: false
        }),
        "{:?}",
        w.driver.engine().detail()
    );
    assert!(madoguchi_core::errors::entry(number).is_some());
    assert_eq!(card.signatures(), 0, "nothing was signed");
    assert!(fake.connections() >= 1, "the client did try");
    assert_eq!(fake.handshakes(), 0, "the handshake failed");
    assert_eq!(fake.plaintext_bytes(), 0, "nothing was sent");
    assert_eq!(
        w.driver.engine().allowed(),
        vec![ActionKind::Retry, ActionKind::Stop]
    );

    // A submission straight through the client: refused the same way.
    let client = client(&fake.url()).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let e = rt
        .block_on(client.submit(Procedure::Revocation, &Body::new(vec![0x30, 0x00])))
        .unwrap_err();
    assert_eq!(e.catalogue_number(), number, "{e}");
    assert_eq!(e.phase(), Phase::NotSent);
    assert_eq!(fake.plaintext_bytes(), 0, "nothing was sent");
}

#[test]
fn tls_server_not_chaining_to_the_anchor_is_refused() {
    tls_refused("server-untrusted", 303);
}

#[test]
fn tls_expired_server_certificate_is_refused() {
    tls_refused("server-expired", 304);
}

#[test]
fn tls_wrong_host_name_is_refused() {
    tls_refused("server-wrong-host", 305);
}

#[test]
fn plain_http_is_refused_before_connecting() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let client = client(&url);
    assert!(matches!(client, Err(ClientError::NotHttps(_))));
    let card = TestCard::new("normal");
    let w = contact(&card, client);
    assert_eq!(
        *w.screen(),
        Screen::Problem(Problem::Network {
            number: 306,
            sent: false
        })
    );
    assert_eq!(card.signatures(), 0);
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "no connection was made"
    );
}

#[test]
fn connection_lost_after_sending_resends_the_same_bytes() {
    let fake = FakeWindow::start(
        "server",
        vec![
            Scripted::CloseAfterReading,
            Scripted::outcome(Outcome::Accepted),
        ],
    );
    let card = TestCard::new("normal");
    let mut w = revocation(&card, &fake.url());
    assert_eq!(*w.run_through(), Screen::Finished(Finish::Accepted));
    assert_eq!(w.driver.engine().reply().unwrap().resends, 1);
    let bodies = fake.submissions();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1], "the same bytes");
    assert_eq!(card.signatures(), 1, "no new signature");
}

#[test]
fn answer_lost_for_good_offers_to_resend_the_same_request() {
    let fake = FakeWindow::start(
        "server",
        vec![
            Scripted::CloseAfterReading,
            Scripted::CloseAfterReading,
            Scripted::CloseAfterReading,
            Scripted::outcome(Outcome::Accepted),
        ],
    );
    let card = TestCard::new("normal");
    let mut w = revocation(&card, &fake.url());
    assert_eq!(
        *w.run_through(),
        Screen::Problem(Problem::Network {
            number: 309,
            sent: true
        })
    );
    assert_eq!(
        w.driver.engine().allowed(),
        vec![ActionKind::Resend, ActionKind::Close]
    );
    assert_eq!(fake.submissions().len(), 3, "the first try and two resends");
    assert_eq!(*w.act(Action::Resend), Screen::Finished(Finish::Accepted));
    let bodies = fake.submissions();
    assert_eq!(bodies.len(), 4);
    assert!(bodies.iter().all(|b| *b == bodies[0]), "the same bytes");
    assert_eq!(card.signatures(), 1, "no new signature");
}

#[test]
fn stale_challenge_is_renewed_before_signing() {
    let fake = FakeWindow::start("server", vec![]);
    let card = TestCard::new("normal");
    let options = Options {
        // Every challenge counts as stale at the password.
        challenge_margin: Duration::from_secs(300),
        ..options(1)
    };
    let mut w = Walk::new(Procedure::Revocation, options, &card, client(&fake.url()));
    assert_eq!(*w.run_through(), Screen::Finished(Finish::Accepted));
    assert_eq!(fake.challenges(), 2);
    assert_eq!(card.signatures(), 1);
    let body = &fake.submissions()[0];
    let content = madoguchi_pki::cms::verify(body).unwrap().content;
    let doc = RequestDocument::parse(&content).unwrap();
    assert_eq!(doc.challenge, "fakechallenge00000000000000000002");
}

#[test]
fn rejected_challenge_needs_the_resident_to_sign_again() {
    let fake = FakeWindow::start("server", vec![Scripted::outcome(Outcome::ChallengeInvalid)]);
    let card = TestCard::new("normal");
    let mut w = revocation(&card, &fake.url());
    assert_eq!(*w.run_through(), Screen::Problem(Problem::ChallengeInvalid));
    assert_eq!(card.signatures(), 1);
    assert!(w.driver.engine().signed_request().is_none());
    assert_eq!(*w.act(Action::Back), Screen::Review);
    assert_eq!(card.signatures(), 1, "no signature without the resident");
    assert_eq!(*w.walk_to_send_confirmation(), Screen::SendConfirmation);
    assert_eq!(*w.act(Action::Confirm), Screen::Finished(Finish::Accepted));
    assert_eq!(card.signatures(), 2);
    assert_eq!(fake.submissions().len(), 2);
}

#[test]
fn busy_window_recovers_during_the_wait() {
    let reference = Reference::start(Limits {
        max_concurrent_requests: 1,
        retry_after_secs: 1,
        ..Limits::default()
    });
    let card = TestCard::new("normal");
    let mut w = Walk::new(
        Procedure::Revocation,
        options(3),
        &card,
        client(reference.window.url()),
    );
    w.walk_to_review();
    assert_eq!(*w.walk_to_send_confirmation(), Screen::SendConfirmation);
    let permit = reference.window.limiter().try_acquire_owned().unwrap();
    w.driver.feed(Input::Action(Action::Confirm));
    while !matches!(w.screen(), Screen::Working(Activity::WaitingToRetry { .. })) {
        w.driver.step(WATCHDOG).unwrap();
    }
    let Screen::Working(Activity::WaitingToRetry {
        seconds,
        wait,
        of,
        sending,
    }) = *w.screen()
    else {
        unreachable!()
    };
    assert_eq!((seconds, wait, of, sending), (1, 1, 3, true));
    assert_eq!(w.section(), Some("2.1.8"));
    assert_eq!(w.driver.engine().allowed(), vec![ActionKind::Cancel]);
    drop(permit);
    w.settle();
    assert_eq!(*w.screen(), Screen::Finished(Finish::Accepted));
    assert_eq!(reference.records(), 1);
    assert_eq!(card.signatures(), 1);
}

#[test]
fn cancelling_the_busy_wait_shows_2_2_2_and_ignores_the_timer() {
    let reference = Reference::start(Limits {
        max_concurrent_requests: 1,
        retry_after_secs: 1,
        ..Limits::default()
    });
    let card = TestCard::new("normal");
    let mut w = Walk::new(
        Procedure::Revocation,
        options(3),
        &card,
        client(reference.window.url()),
    );
    w.walk_to_review();
    w.walk_to_send_confirmation();
    let _permit = reference.window.limiter().try_acquire_owned().unwrap();
    w.driver.feed(Input::Action(Action::Confirm));
    while !matches!(w.screen(), Screen::Working(Activity::WaitingToRetry { .. })) {
        w.driver.step(WATCHDOG).unwrap();
    }
    w.driver.feed(Input::Action(Action::Cancel));
    assert_eq!(*w.screen(), Screen::Problem(Problem::Busy));
    assert!(!w.driver.engine().is_working());
    // The timer still fires; its completion is dropped.
    w.driver.step(WATCHDOG).unwrap();
    assert_eq!(*w.screen(), Screen::Problem(Problem::Busy));
    assert_eq!(reference.records(), 0);
}

fn counter() -> Options {
    Options {
        counter_mode: true,
        ..options(1)
    }
}

#[test]
fn counter_mode_wipes_the_resident_when_the_card_is_pulled() {
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let card = TestCard::new("normal");
    let mut w = Walk::new(
        Procedure::Revocation,
        counter(),
        &card,
        client(window.url()),
    );
    assert_eq!(*w.walk_to_review(), Screen::Review);
    assert!(w.driver.engine().resident().is_some());
    card.remove();
    w.settle();
    assert_eq!(
        *w.screen(),
        Screen::Problem(Problem::Unexpected { number: 106 })
    );
    assert!(w.driver.engine().resident().is_none(), "wiped");
}

#[test]
fn counter_mode_returns_to_the_start_when_the_card_is_taken_after_the_result() {
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let card = TestCard::new("normal");
    let mut w = Walk::new(
        Procedure::ValidityCheck,
        counter(),
        &card,
        client(window.url()),
    );
    assert_eq!(*w.run_through(), Screen::Finished(Finish::Valid));
    assert!(
        w.driver.engine().resident().is_some(),
        "the result shows the name"
    );
    w.driver.feed(Input::CardRemoved);
    assert_eq!(*w.screen(), Screen::Top);
    assert!(w.driver.engine().resident().is_none());
    assert!(w.driver.engine().reply().is_none());
}

#[test]
fn outside_counter_mode_the_result_stays_when_the_card_is_taken() {
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let card = TestCard::new("normal");
    let mut w = Walk::new(
        Procedure::ValidityCheck,
        options(1),
        &card,
        client(window.url()),
    );
    assert_eq!(*w.run_through(), Screen::Finished(Finish::Valid));
    w.driver.feed(Input::CardRemoved);
    assert_eq!(*w.screen(), Screen::Finished(Finish::Valid));
    assert!(w.driver.engine().resident().is_some());
}

#[test]
fn counter_mode_idle_timeout_wipes() {
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let card = TestCard::new("normal");
    let mut w = Walk::new(
        Procedure::Revocation,
        counter(),
        &card,
        client(window.url()),
    );
    w.walk_to_review();
    w.driver.feed(Input::IdleTimeout);
    assert_eq!(*w.screen(), Screen::Top);
    assert!(w.driver.engine().resident().is_none());

    let mut w = Walk::new(
        Procedure::Revocation,
        options(1),
        &card,
        client(window.url()),
    );
    w.walk_to_review();
    w.driver.feed(Input::IdleTimeout);
    assert_eq!(*w.screen(), Screen::Review, "only counter mode times out");
}

#[test]
fn no_server_configured_is_shown_when_the_window_is_needed() {
    let card = TestCard::new("normal");
    let w = contact(
        &card,
        Client::new(&madoguchi_core::client::ClientConfig::new(None)),
    );
    assert_eq!(
        *w.screen(),
        Screen::Problem(Problem::Network {
            number: 311,
            sent: false
        })
    );
    assert_eq!(card.signatures(), 0);
}

#[test]
fn server_identity_is_read_on_request() {
    let window = LocalWindow::start(crate::flow_support::material()).unwrap();
    let client = client(window.url()).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let id = rt.block_on(client.identity()).unwrap();
    assert!(id.subject.contains("CN="), "{id:?}");
    assert!(
        id.issuer.contains("Madoguchi Test Online Window TLS CA"),
        "{id:?}"
    );
    assert!(id.not_after.starts_with("2045-12-3"), "{id:?}");
    assert!(id.tls_version.is_some());
}

#[test]
fn local_window_starts_and_stops_inside_another_runtime() {
    // A GUI on tokio starts the demo window from its own runtime.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let w = LocalWindow::start(crate::flow_support::material()).unwrap();
        assert!(w.url().starts_with("https://127.0.0.1:"));
        drop(w);
    });
}

/// Wait (up to a hang watchdog) until `done`.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An answer that never ends is cut off at the cap while it streams in
/// (E313), never read whole; the same bytes are not sent again, and the
/// request counts as sent (the resident may resend or check).
#[test]
fn endless_answer_is_cut_off_at_the_cap() {
    let fake = FakeWindow::start("server", vec![Scripted::Endless]);
    let card = TestCard::new("normal");
    let mut w = revocation(&card, &fake.url());
    assert_eq!(
        *w.run_through(),
        Screen::Problem(Problem::Network {
            number: 313,
            sent: true
        })
    );
    assert_eq!(fake.submissions().len(), 1, "not sent again");
    assert_eq!(
        w.driver.engine().allowed(),
        vec![ActionKind::Resend, ActionKind::Close]
    );
    // The client hung up: the window's next writes failed.
    wait_until("the window sees the client leave", || {
        fake.streamed().1 == 1
    });
    let (streamed, _) = fake.streamed();
    eprintln!("endless answer: {streamed} bytes written before the client hung up");
    // What the socket buffers took on top of the 64 KiB read, not more.
    assert!(streamed < 32 << 20, "{streamed} bytes");

    // An answer that announces more than the cap is refused unread.
    let fake = FakeWindow::start(
        "server",
        vec![Scripted::Answer {
            status: 200,
            body: " ".repeat(madoguchi_core::client::MAX_ANSWER + 1),
        }],
    );
    let mut w = revocation(&TestCard::new("normal"), &fake.url());
    assert_eq!(
        *w.run_through(),
        Screen::Problem(Problem::Network {
            number: 313,
            sent: true
        })
    );
}

/// An answer that trickles in (one byte a second, so the per-read timeout
/// never fires) is cut off at the whole-request deadline (E314).
#[test]
fn trickling_answer_is_cut_off_at_the_deadline() {
    let fake = FakeWindow::start(
        "server",
        vec![Scripted::Trickle {
            every: Duration::from_secs(1),
        }],
    );
    let card = TestCard::new("normal");
    let mut config = client_config(&fake.url());
    assert!(config.read_timeout > Duration::from_secs(1));
    config.deadline = Duration::from_secs(3);
    let mut w = Walk::new(
        Procedure::Revocation,
        options(1),
        &card,
        Client::new(&config),
    );
    assert_eq!(
        *w.run_through(),
        Screen::Problem(Problem::Network {
            number: 314,
            sent: true
        })
    );
    assert_eq!(fake.submissions().len(), 1, "not sent again");
    wait_until("the window sees the client leave", || {
        fake.streamed().1 == 1
    });
    let (streamed, _) = fake.streamed();
    eprintln!("trickling answer: {streamed} bytes before the deadline");
    assert!(streamed >= 1, "bytes kept coming");
}
