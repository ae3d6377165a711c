//! The screenshot walker (`tools/screenshots.sh`): opens the real app in
//! demo mode on one named screen, walking there as a user would — each
//! press a message to `update`, each piece of work run to its end — then
//! hands the app to its window. Not part of the product.
//!
//! `cargo run --example screens -- --lang ja review`

use std::sync::Mutex;
use std::time::Duration;

use iced::Task;
use madoguchi::flow::ActionKind as K;
use madoguchi::i18n::Language;
use madoguchi::ui::screen::procedure::Message as P;
use madoguchi::ui::screen::top::{self, Tool};
use madoguchi::ui::settings::Paths;
use madoguchi::ui::{App, Launch, Message, demo_bar};
use madoguchi_demo::Profile;
use madoguchi_pki::request::Procedure;

#[path = "../tests/gui_support/drain.rs"]
mod drain;

enum Step {
    Start(Procedure),
    Act(K),
    Password,
    Demo(Profile),
    Remove,
    Open(Tool),
    Viewer,
    /// A slow card, and the next action is left running.
    Slow,
}
use Step::*;

/// The steps to the screen `name`.
fn steps(name: &str) -> Vec<Step> {
    let (r, v) = (Procedure::Revocation, Procedure::ValidityCheck);
    let login = |p| vec![Start(p), Act(K::Ok), Password];
    let to_send = |p| {
        let mut s = login(p);
        s.extend([Act(K::Sign), Act(K::Confirm), Password]);
        s
    };
    let result = |p, demo: Option<Profile>| {
        let mut s: Vec<Step> = demo.into_iter().map(Demo).collect();
        s.extend(to_send(p));
        s.push(Act(K::Confirm));
        s
    };
    let with = |demo: Profile, mut rest: Vec<Step>| {
        rest.insert(0, Demo(demo));
        rest
    };
    match name {
        "card-preparation" | "revocation" => vec![Start(r)],
        "validity" => vec![Start(v)],
        "password" => vec![Start(r), Act(K::Ok)],
        "review" => login(r),
        "review-validity" => login(v),
        "sign-confirmation" => {
            let mut s = login(r);
            s.push(Act(K::Sign));
            s
        }
        "signing-password" => {
            let mut s = login(r);
            s.extend([Act(K::Sign), Act(K::Confirm)]);
            s
        }
        "send-confirmation" => to_send(r),
        "result-accepted" => result(r, None),
        "result-valid" => result(v, None),
        "result-revoked" => result(v, Some(Profile::Revoked)),
        "already-revoked" => result(r, Some(Profile::Revoked)),
        "duplicate" | "revocation-accepted" => {
            let mut s = result(r, None);
            s.push(Act(K::Close));
            s.extend(to_send(if name == "duplicate" { r } else { v }));
            s.push(Act(K::Confirm));
            s
        }
        "certificate-invalid" | "issuer-result" => {
            let (demo, p) = if name == "issuer-result" {
                (Profile::ForeignCa, v)
            } else {
                (Profile::ImpostorCa, r)
            };
            let mut s = with(demo, login(p));
            s.extend([
                Act(K::Continue),
                Act(K::Sign),
                Act(K::Confirm),
                Password,
                Act(K::Confirm),
            ]);
            s
        }
        "working" => vec![Start(r), Slow],
        "last-try" => vec![Demo(Profile::OneTryLeft), Start(r), Act(K::Ok)],
        "locked" => vec![Demo(Profile::Locked), Start(r), Act(K::Ok)],
        "expired" => with(Profile::Expired, login(r)),
        "issuer-warning" => with(Profile::ForeignCa, login(r)),
        "card-not-ready" => vec![Remove, Start(r), Act(K::Ok)],
        "unexpected" => vec![Start(r), Act(K::Ok), Remove],
        "certificate" => {
            let mut s = login(r);
            s.push(Viewer);
            s
        }
        "rare-kanji" => with(Profile::RareKanji, login(r)),
        "card-status" => vec![Open(Tool::CardStatus)],
        "card-removed" => vec![Open(Tool::CardStatus), Remove],
        "server" => vec![Open(Tool::ServerIdentity)],
        "settings" => vec![Open(Tool::Settings)],
        "reader-choice" => vec![Open(Tool::Reader)],
        "change-password" => vec![Open(Tool::ChangePassword)],
        _ => vec![],
    }
}

/// The app walked to `name`, and the work left running there.
fn walk(launch: Launch, name: &str) -> (App, Task<Message>) {
    let mut app = App::new(launch);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the walk");
    let wait = Duration::from_secs(60);
    let send = |app: &mut App, m: Message| {
        let task = app.update(m);
        if let Err(e) = drain::drain(app, &runtime, vec![task], wait) {
            eprintln!("screens: {e}");
        }
    };
    for step in steps(name) {
        match step {
            Start(p) => send(&mut app, Message::top(top::Message::Start(p))),
            Act(k) => send(&mut app, Message::procedure(P::Act(k))),
            Password => {
                let password = app
                    .source
                    .demo()
                    .map(|d| d.profile.password())
                    .unwrap_or_default();
                send(
                    &mut app,
                    Message::procedure(P::PasswordInput(password.into())),
                );
                send(&mut app, Message::procedure(P::SubmitPassword));
            }
            Demo(choice) => send(
                &mut app,
                Message::DemoBar(demo_bar::Message::Profile(choice)),
            ),
            Remove => send(&mut app, Message::DemoBar(demo_bar::Message::Remove)),
            Open(t) => send(&mut app, Message::top(top::Message::Open(t))),
            Viewer => send(&mut app, Message::procedure(P::ShowCertificate)),
            Slow => {
                if let Some(d) = app.source.demo() {
                    d.card.set_latency(Duration::from_millis(1500));
                }
                // Not waited for: the window opens on the work.
                let task = app.update(Message::procedure(P::Act(K::Ok)));
                app.focus = None;
                return (app, task);
            }
        }
    }
    app.focus = None;
    (app, Task::none())
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut language = None;
    let mut name = String::from("top");
    while let Some(a) = args.next() {
        match a.as_str() {
            "--lang" => {
                language = match args.next().as_deref() {
                    Some("en") => Some(Language::En),
                    _ => Some(Language::Ja),
                }
            }
            "--demo" => {}
            "--screen" => name = args.next().unwrap_or_default(),
            other => name = other.to_owned(),
        }
    }
    let launch = Launch {
        demo: true,
        language,
        ..Launch::default()
    };
    let walked = Mutex::new(Some(walk(launch.clone(), &name)));
    madoguchi::ui::run_with(&Paths::platform(), move || {
        walked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_else(|| (App::new(launch.clone()), Task::none()))
    })
}
