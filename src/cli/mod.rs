//! The command line: argument parsing, and one module per command. Commands
//! print through the shared catalogue (`crate::i18n`, `crate::errors`).

mod cert;
mod password;
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
        None if cli.demo => {
            // The demo tour: status, then the certificate.
            password::print_demo_banner(&cli.demo_profile);
            let src = source(&None);
            let r = status::run(&src, &StatusArgs::default());
            println!();
            (
                r.and_then(|()| cert::run(&src, &CertArgs::default())),
                false,
            )
        }
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            return ExitCode::from(exit::FAILURE);
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
