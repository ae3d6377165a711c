//! The command line: argument parsing, and one module per command. Commands
//! print through the shared catalogue (`crate::i18n`, `crate::errors`).

mod cert;
mod change_password;
mod password;
pub mod procedure;
mod server_info;
mod status;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use madoguchi_card::{CardError, GuardError};

use crate::card_source::{CardSource, DEMO_PROFILES};
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
    #[arg(long, global = true, default_value = "normal", value_parser = clap::builder::PossibleValuesParser::new(DEMO_PROFILES))]
    pub demo_profile: String,
    /// Counter mode (shared terminal at a municipal counter): the
    /// resident's data is wiped after a result, on card removal and when
    /// idle. The app only.
    #[arg(long)]
    pub counter: bool,
    /// Open the app on this screen (screenshots and tests).
    #[arg(long, hide = true)]
    pub screen: Option<String>,
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
}

/// How to reach the online window.
#[derive(Args, Debug, Default, Clone)]
pub struct WindowArgs {
    /// The online window, https://HOST[:PORT][/PREFIX]. With --demo and no
    /// --server, an in-process window on 127.0.0.1.
    #[arg(long, env = "MADOGUCHI_SERVER")]
    pub server: Option<String>,
    /// Trust this certificate file (PEM or DER) for the window's TLS
    /// certificate instead of the bundled anchor; repeatable.
    #[arg(long = "anchor")]
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

/// Run the command line; returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    i18n::set_language(cli.lang.unwrap_or_default());
    let source = |reader: &Option<String>| {
        if cli.demo {
            CardSource::Demo {
                profile: cli.demo_profile.clone(),
            }
        } else {
            CardSource::Pcsc {
                reader: reader.clone(),
            }
        }
    };
    let (result, json) = match &cli.command {
        Some(Command::Status(args)) => (status::run(&source(&args.reader), args), args.json),
        Some(Command::Cert(args)) => {
            if cli.demo {
                password::print_demo_banner(&cli.demo_profile);
            }
            (cert::run(&source(&args.reader), args), args.json)
        }
        Some(Command::Revoke(args)) => {
            return run_procedure(&cli, madoguchi_pki::request::Procedure::Revocation, args);
        }
        Some(Command::Check(args)) => {
            return run_procedure(&cli, madoguchi_pki::request::Procedure::ValidityCheck, args);
        }
        Some(Command::ChangePassword(args)) => {
            if cli.demo {
                password::print_demo_banner(&cli.demo_profile);
            }
            (change_password::run(&source(&args.reader), args), args.json)
        }
        Some(Command::ServerInfo(args)) => (
            window_setup(&cli, &args.window)
                .and_then(|(config, _window)| server_info::run(&config, args.json)),
            args.json,
        ),
        None => {
            // No subcommand: the app (demo mode on the virtual card and an
            // in-process window with --demo).
            let launch = crate::ui::Launch {
                demo: cli.demo,
                demo_profile: cli.demo_profile.clone(),
                counter: cli.counter,
                language: cli.lang,
                screen: cli.screen.clone(),
                paths: None,
                reader: cli.app_reader.clone(),
            };
            return match crate::ui::run(launch) {
                Ok(()) => ExitCode::from(exit::OK),
                Err(e) => {
                    // No display (a terminal over SSH, a service): the
                    // commands still work.
                    eprintln!("{e}");
                    eprintln!(
                        "madoguchi --help: status, cert, revoke, check, change-password, server-info"
                    );
                    ExitCode::from(exit::FAILURE)
                }
            };
        }
    };
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(f) => {
            f.print(json);
            ExitCode::from(f.exit)
        }
    }
}

/// The client configuration, and in demo mode without `--server` the
/// in-process window it points at.
fn window_setup(
    cli: &Cli,
    window: &WindowArgs,
) -> Result<
    (
        crate::client::ClientConfig,
        Option<crate::local_window::LocalWindow>,
    ),
    Failure,
> {
    let mut server = window.server.clone();
    let mut local = None;
    if cli.demo && server.is_none() {
        let w = crate::local_window::LocalWindow::start().map_err(|e| Failure {
            number: 301,
            exit: exit::FAILURE,
            detail: Some(format!("{e:#}")),
        })?;
        server = Some(w.url().to_owned());
        local = Some(w);
    }
    let config = procedure::client_config(
        server,
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
    Ok((config, local))
}

/// `revoke` / `check`: the procedure engine on the terminal.
fn run_procedure(
    cli: &Cli,
    procedure: madoguchi_pki::request::Procedure,
    args: &ProcedureArgs,
) -> ExitCode {
    let (config, window) = match window_setup(cli, &args.window) {
        Ok(s) => s,
        Err(f) => {
            f.print(args.json);
            return ExitCode::from(f.exit);
        }
    };
    let opener = if cli.demo {
        password::print_demo_banner(&cli.demo_profile);
        match procedure::demo_opener(&cli.demo_profile) {
            Ok(o) => o,
            Err(e) => {
                let f = Failure::from(e);
                f.print(args.json);
                return ExitCode::from(f.exit);
            }
        }
    } else {
        procedure::pcsc_opener(args.reader.clone())
    };
    let setup = procedure::Setup {
        opener,
        client: crate::client::Client::new(&config),
        window,
    };
    ExitCode::from(procedure::run(procedure, args, setup))
}
