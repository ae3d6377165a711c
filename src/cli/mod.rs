//! The command line: argument parsing, and one module per command. Commands
//! print through the shared catalogue (`crate::i18n`, `crate::errors`).

mod cert;
mod change_password;
mod password;
pub mod procedure;
mod server_info;
mod staff_pin;
mod status;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use madoguchi_card::{CardError, GuardError};

use std::sync::Arc;

use madoguchi_demo::{Material, Profile};

use crate::card_source::CardSource;
use crate::i18n::{self, Language};

#[derive(Parser, Debug)]
#[command(
    name = "madoguchi",
    version,
    about = "JPKI online window client: revocation and validity check of the My Number card's signing certificate"
)]
pub struct Cli {
    /// Language of messages (Japanese by default).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Language>,
    /// Use the built-in virtual card instead of a PC/SC reader.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Card profile of the demo card.
    #[arg(long, global = true, default_value = "normal", value_parser = parse_profile)]
    pub demo_profile: Profile,
    /// Counter mode (shared terminal at a municipal counter): the
    /// resident's data is wiped after a result, on card removal and when
    /// idle. The app only.
    #[arg(long)]
    pub counter: bool,
    /// The app only: use the card in this reader (needed when several
    /// readers hold cards, and for a virtual reader).
    #[arg(long = "reader", value_name = "NAME")]
    pub app_reader: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Readers, card type and tries left of each password (no try is spent).
    Status(StatusArgs),
    /// Verify the signing password and show the signing certificate and the
    /// holder's facts.
    Cert(CertArgs),
    /// 自己の電子証明書の失効申請: ask the online window to revoke the card's
    /// signing certificate (manual chapter 2).
    Revoke(ProcedureArgs),
    /// 自己の電子証明書の有効性確認: ask the online window whether the card's
    /// signing certificate is still valid (manual chapter 3).
    Check(ProcedureArgs),
    /// Change the signing password (old password, then the new one twice).
    ChangePassword(ChangePasswordArgs),
    /// Connect to the online window and show its certificate (subject,
    /// issuer, SHA-256 fingerprint, validity).
    ServerInfo(ServerInfoArgs),
    /// For administrators: read a staff PIN twice and print the `staff_pin`
    /// line (an Argon2id hash) for a counter terminal's preset.
    StaffPinHash(StaffPinArgs),
}

/// Options of `revoke` and `check`.
#[derive(Args, Debug, Default)]
pub struct ProcedureArgs {
    /// Reader to use (default: the first reader with a card).
    #[arg(long)]
    pub reader: Option<String>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Read the passwords from standard input, one line per entry (the
    /// login of 2.1.4, then the one before signing, 2.1.7).
    #[arg(long)]
    pub pin_stdin: bool,
    /// Answer the confirmations (card ready, sign, send) with yes. Never
    /// answers the last-try confirmation.
    #[arg(long)]
    pub yes: bool,
    /// With 1 try left, send the password anyway (a wrong one locks the card).
    #[arg(long)]
    pub confirm_last_try: bool,
    /// Print the outcome as JSON on standard output (fields in the README).
    #[arg(long)]
    pub json: bool,
    /// A JPKI signing CA certificate (PEM or DER) for the local issuer
    /// check, besides those in the system folder; repeatable.
    #[arg(long = "signing-ca")]
    pub signing_cas: Vec<std::path::PathBuf>,
}

/// How to reach the online window.
#[derive(Args, Debug, Default, Clone)]
pub struct WindowArgs {
    /// The online window, https://HOST[:PORT][/PREFIX]. With --demo and no
    /// --server, an in-process window on 127.0.0.1.
    #[arg(long, env = "MADOGUCHI_SERVER")]
    pub server: Option<String>,
    /// Trust this certificate file (PEM or DER) for the window's TLS
    /// certificate; repeatable. Nothing is trusted without one.
    #[arg(long = "anchor", env = "MADOGUCHI_ANCHOR")]
    pub anchors: Vec<std::path::PathBuf>,
    /// Proxy: `none`, `system` (default) or http://HOST:PORT.
    #[arg(long)]
    pub proxy: Option<String>,
    /// Seconds allowed to connect.
    #[arg(long, default_value_t = 10)]
    pub connect_timeout: u64,
    /// Seconds allowed between two reads of an answer.
    #[arg(long, default_value_t = 30)]
    pub read_timeout: u64,
}

/// Options of `change-password`.
#[derive(Args, Debug, Default)]
pub struct ChangePasswordArgs {
    /// Reader to use (default: the first reader with a card).
    #[arg(long)]
    pub reader: Option<String>,
    /// Read the old password, the new one and the new one again from
    /// standard input, one line each.
    #[arg(long)]
    pub pin_stdin: bool,
    /// With 1 try left, send the old password anyway.
    #[arg(long)]
    pub confirm_last_try: bool,
    /// Print `{"changed": true}` on success.
    #[arg(long)]
    pub json: bool,
}

/// Options of `server-info`.
#[derive(Args, Debug, Default)]
pub struct ServerInfoArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `staff-pin-hash`.
#[derive(Args, Debug, Default)]
pub struct StaffPinArgs {
    /// Read the PIN and its repetition from standard input, one line each.
    #[arg(long)]
    pub pin_stdin: bool,
}

#[derive(Args, Debug, Default)]
pub struct StatusArgs {
    /// Reader to use (default: the first reader with a card).
    #[arg(long)]
    pub reader: Option<String>,
    /// Print JSON (field names in the README).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Default)]
pub struct CertArgs {
    /// Reader to use (default: the first reader with a card).
    #[arg(long)]
    pub reader: Option<String>,
    /// Read the signing password from the first line of standard input.
    #[arg(long)]
    pub pin_stdin: bool,
    /// With 1 try left, send the password anyway (a wrong one locks the card).
    #[arg(long)]
    pub confirm_last_try: bool,
    /// Print JSON (field names in the README).
    #[arg(long)]
    pub json: bool,
}

/// Exit codes (documented in the README).
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const CARD: u8 = 2;
    pub const WRONG_PASSWORD: u8 = 3;
    pub const LOCKED: u8 = 4;
    pub const REFUSED: u8 = 5;
    /// The resident stopped the procedure.
    pub const CANCELLED: u8 = 6;
    /// already_revoked (2.2.14) / revoked (3.1.11).
    pub const REVOKED: u8 = 10;
    /// duplicate_request (2.2.15) / revocation_accepted (3.1.12).
    pub const REVOCATION_PENDING: u8 = 11;
    /// The certificate has expired (2.2.9 / 3.2.9).
    pub const EXPIRED: u8 = 12;
    /// Not a genuine JPKI certificate (2.2.11, 2.2.12, 3.1.10, 3.2.11).
    pub const NOT_JPKI_CERTIFICATE: u8 = 13;
    /// The window refused the request (2.2.10, 2.2.13, 3.2.10, 3.2.12, challenge).
    pub const REQUEST_REFUSED: u8 = 14;
    /// The window stayed busy (2.2.2 / 3.2.2).
    pub const BUSY: u8 = 15;
    /// The window failed (2.2.3 / 3.2.3).
    pub const SERVICE_ERROR: u8 = 16;
    /// The window could not be reached; nothing was sent.
    pub const NETWORK: u8 = 17;
    /// The request was sent but its answer was lost.
    pub const ANSWER_UNKNOWN: u8 = 18;
    /// No online window, or no trust anchor for it, is configured; nothing
    /// was read from the card and nothing was sent.
    pub const NOT_CONFIGURED: u8 = 19;
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
        .map_err(|e: madoguchi_demo::UnknownProfile| e.to_string())
}

/// A failure to report: catalogue number, exit code, optional detail.
#[derive(Debug)]
pub struct Failure {
    pub number: u16,
    pub exit: u8,
    pub detail: Option<String>,
}

impl From<CardError> for Failure {
    fn from(e: CardError) -> Self {
        let exit = match e {
            CardError::Locked(_) => exit::LOCKED,
            CardError::WrongPassword { .. } => exit::WRONG_PASSWORD,
            _ => exit::CARD,
        };
        let detail = match &e {
            CardError::UnexpectedStatus { .. }
            | CardError::MalformedData(_)
            | CardError::Transport(_)
            | CardError::ReaderNotFound(_) => Some(e.to_string()),
            _ => None,
        };
        Failure {
            number: e.catalogue_number(),
            exit,
            detail,
        }
    }
}

impl From<GuardError> for Failure {
    fn from(e: GuardError) -> Self {
        match e {
            GuardError::Card(c) => c.into(),
            GuardError::NoAnswer(ref c) => Failure {
                number: e.catalogue_number(),
                exit: exit::CARD,
                detail: Some(c.to_string()),
            },
            GuardError::WrongPassword { tries_left, .. } => Failure {
                number: e.catalogue_number(),
                exit: exit::WRONG_PASSWORD,
                detail: Some(i18n::text_args(
                    "password-tries-left",
                    &[("tries", tries_left.to_string())],
                )),
            },
            GuardError::Locked { .. } => Failure {
                number: e.catalogue_number(),
                exit: exit::LOCKED,
                detail: None,
            },
            GuardError::Format(_)
            | GuardError::NewFormat(_)
            | GuardError::SameAsRejected
            | GuardError::InvalidConfirmation => Failure {
                number: e.catalogue_number(),
                exit: exit::REFUSED,
                detail: None,
            },
        }
    }
}

impl Failure {
    fn print(&self, json: bool) {
        eprint!(
            "{}",
            crate::errors::render(self.number, self.detail.as_deref())
        );
        if json {
            let v = serde_json::json!({
                "error": {
                    "number": self.number,
                    "title": crate::errors::texts(self.number).title,
                }
            });
            println!("{v:#}");
        }
    }
}

/// What the command line did: a command ran to its exit code, or there was
/// no command and the app is to open.
#[derive(Debug)]
pub enum Run {
    Done(ExitCode),
    App(AppRequest),
}

/// The app's options as the command line gave them.
#[derive(Debug, Clone)]
pub struct AppRequest {
    pub demo: bool,
    pub demo_profile: Profile,
    pub counter: bool,
    pub language: Option<Language>,
    pub reader: Option<String>,
}

/// Run the command line: a command, or the request to open the app.
pub fn run(cli: Cli) -> Run {
    i18n::set_language(cli.lang.unwrap_or_default());
    let source = |reader: &Option<String>| -> Result<CardSource, Failure> {
        if cli.demo {
            Ok(CardSource::Demo {
                material: Arc::new(demo_material()?),
                profile: cli.demo_profile.card(),
            })
        } else {
            Ok(CardSource::Pcsc {
                reader: reader.clone(),
            })
        }
    };
    let (result, json) = match &cli.command {
        Some(Command::Status(args)) => (
            source(&args.reader).and_then(|s| status::run(&s, args)),
            args.json,
        ),
        Some(Command::Cert(args)) => {
            if cli.demo {
                password::print_demo_banner(cli.demo_profile);
            }
            (
                source(&args.reader).and_then(|s| cert::run(&s, args)),
                args.json,
            )
        }
        Some(Command::Revoke(args)) => {
            return Run::Done(run_procedure(
                &cli,
                madoguchi_pki::request::Procedure::Revocation,
                args,
            ));
        }
        Some(Command::Check(args)) => {
            return Run::Done(run_procedure(
                &cli,
                madoguchi_pki::request::Procedure::ValidityCheck,
                args,
            ));
        }
        Some(Command::ChangePassword(args)) => {
            if cli.demo {
                password::print_demo_banner(cli.demo_profile);
            }
            (
                source(&args.reader).and_then(|s| change_password::run(&s, args)),
                args.json,
            )
        }
        Some(Command::StaffPinHash(args)) => (staff_pin::run(args.pin_stdin), false),
        Some(Command::ServerInfo(args)) => (
            window_setup(&cli, &args.window, &[])
                .and_then(|setup| server_info::run(&setup.config, args.json)),
            args.json,
        ),
        // No subcommand: the app, which `main` opens (the command line
        // does not know the GUI).
        None => {
            return Run::App(AppRequest {
                demo: cli.demo,
                demo_profile: cli.demo_profile,
                counter: cli.counter,
                language: cli.lang,
                reader: cli.app_reader.clone(),
            });
        }
    };
    Run::Done(match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(f) => {
            f.print(json);
            ExitCode::from(f.exit)
        }
    })
}

/// The demo's material (`MADOGUCHI_DEMO_MATERIAL`, else made now).
fn demo_material() -> Result<Material, Failure> {
    Material::for_demo().map_err(|e| Failure {
        number: 501,
        exit: exit::FAILURE,
        detail: Some(format!("{e:#}")),
    })
}

/// Where a command's window and card come from.
struct WindowSetup {
    config: crate::client::ClientConfig,
    known_cas: Arc<Vec<madoguchi_pki::checks::KnownCa>>,
    /// Demo mode without `--server`: the card and the in-process window.
    demo: Option<crate::demo_mode::Demo>,
}

/// The client configuration: in demo mode without `--server`, the
/// in-process window and its own trust; otherwise the configured window,
/// which must have an anchor (nothing is trusted by default).
fn window_setup(
    cli: &Cli,
    window: &WindowArgs,
    signing_cas: &[std::path::PathBuf],
) -> Result<WindowSetup, Failure> {
    if cli.demo && window.server.is_none() {
        let material = Arc::new(demo_material()?);
        let demo =
            crate::demo_mode::Demo::start(material, cli.demo_profile).map_err(|e| Failure {
                number: 501,
                exit: exit::FAILURE,
                detail: Some(format!("{e:#}")),
            })?;
        return Ok(WindowSetup {
            config: demo.client_config(),
            known_cas: demo.known_cas(),
            demo: Some(demo),
        });
    }
    let config = procedure::client_config(
        window.server.clone(),
        &window.anchors,
        window.proxy.as_deref(),
        window.connect_timeout,
        window.read_timeout,
    )
    .map_err(|e| Failure {
        number: e.catalogue_number(),
        exit: exit::NETWORK,
        detail: Some(e.to_string()),
    })?;
    // A window without an address or an anchor is refused before the card
    // is touched.
    if let Err(e) = crate::client::Client::new(&config) {
        let exit = match e {
            crate::client::ClientError::NoServer | crate::client::ClientError::NoAnchor => {
                exit::NOT_CONFIGURED
            }
            _ => exit::NETWORK,
        };
        return Err(Failure {
            number: e.catalogue_number(),
            exit,
            detail: Some(e.to_string()),
        });
    }
    let known_cas = crate::trust_config::signing_cas(signing_cas).map_err(|e| Failure {
        number: e.catalogue_number(),
        exit: exit::NOT_CONFIGURED,
        detail: Some(e.to_string()),
    })?;
    Ok(WindowSetup {
        config,
        known_cas: Arc::new(known_cas),
        demo: None,
    })
}

/// `revoke` / `check`: the procedure engine on the terminal.
fn run_procedure(
    cli: &Cli,
    procedure: madoguchi_pki::request::Procedure,
    args: &ProcedureArgs,
) -> ExitCode {
    if cli.demo {
        password::print_demo_banner(cli.demo_profile);
    }
    let setup = match window_setup(cli, &args.window, &args.signing_cas) {
        Ok(s) => s,
        Err(f) => {
            f.print(args.json);
            return ExitCode::from(f.exit);
        }
    };
    let opener = match &setup.demo {
        Some(demo) => demo.opener(),
        // The demo card with a window given by --server.
        None if cli.demo => {
            let card = demo_material().map(Arc::new).and_then(|m| {
                madoguchi_demo::DemoCard::open(&m, cli.demo_profile.card()).map_err(Failure::from)
            });
            match card {
                Ok(card) => Box::new(move || card.connect()),
                Err(f) => {
                    f.print(args.json);
                    return ExitCode::from(f.exit);
                }
            }
        }
        None => procedure::pcsc_opener(args.reader.clone()),
    };
    let setup = procedure::Setup {
        opener,
        client: crate::client::Client::new(&setup.config),
        known_cas: setup.known_cas,
        demo: setup.demo,
    };
    ExitCode::from(procedure::run(procedure, args, setup))
}
