//! `madoguchi change-password`: change the signing password through the
//! guard (the old one is checked like any other entry: format, tries read,
//! last-try confirmation, at most one VERIFY).

use madoguchi_card::{
    CardError, ChangeOutcome, Normalisation, PasswordState, PinKind, TransactionEnd, check_format,
};

use super::{ChangePasswordArgs, Failure, exit, password};
use crate::card_session::{self, CardSession};
use crate::card_source::CardSource;
use crate::{fl, i18n};

pub fn run(source: &CardSource, args: &ChangePasswordArgs) -> Result<(), Failure> {
    // One command, one card: the book lives as long as the process. The
    // opening is one transaction; every later sequence is another (nothing
    // selected is trusted across the prompts), and the one that sends the
    // password ends with a power cycle.
    let book = madoguchi_card::RejectedBook::default();
    let CardSession {
        mut card,
        mut guard,
        state,
        ..
    } = card_session::open(|| source.open(), &book)?;
    match state {
        PasswordState::Locked => {
            return Err(Failure::from(CardError::Locked(PinKind::SigningPassword)));
        }
        PasswordState::Normal { tries_left } => eprintln!(
            "{}",
            i18n::text_args("password-tries-left", &[("tries", tries_left.to_string())])
        ),
        PasswordState::Warning { .. } => eprintln!("{}", fl!("password-warning-two-left")),
        PasswordState::LastTry => eprintln!("{}", fl!("password-last-try")),
        PasswordState::AlreadyVerified => {}
    }

    eprintln!("{}", fl!("change-password-old"));
    let old = password::read(args.pin_stdin)?;
    eprintln!("{}", fl!("change-password-new"));
    let new = password::read(args.pin_stdin)?;
    eprintln!("{}", fl!("change-password-new-again"));
    let again = password::read(args.pin_stdin)?;
    // The two entries of the new password must agree (after upper-casing);
    // nothing is sent otherwise.
    let refuse = |number| Failure {
        number,
        exit: exit::REFUSED,
        detail: None,
    };
    let n1 = check_format(PinKind::SigningPassword, &new).map_err(|_| refuse(113))?;
    let n2 = check_format(PinKind::SigningPassword, &again).map_err(|_| refuse(113))?;
    if n1.secret().expose() != n2.secret().expose() {
        return Err(Failure {
            number: 113,
            exit: exit::REFUSED,
            detail: Some(fl!("change-password-mismatch")),
        });
    }
    drop(again);

    let first = card.atomic(TransactionEnd::Unpower, |card| {
        Ok::<_, Failure>(guard.change_password(card, &old, &new, None)?)
    })?;
    let outcome = match first {
        ChangeOutcome::NeedsLastTryConfirmation(request) => {
            let confirmed = args.confirm_last_try
                || (!args.pin_stdin && password::confirm_last_try_interactively());
            if !confirmed {
                eprintln!("{}", fl!("password-last-try-needs-flag"));
                return Err(refuse(115));
            }
            let confirmation = guard.confirm_last_try(request)?;
            card.atomic(TransactionEnd::Unpower, |card| {
                Ok::<_, Failure>(guard.change_password(card, &old, &new, Some(confirmation))?)
            })?
        }
        changed => changed,
    };
    match outcome {
        ChangeOutcome::Changed { normalisation } => {
            if normalisation == Some(Normalisation::UpperCased) {
                eprintln!("{}", fl!("password-uppercased"));
            }
            if args.json {
                println!("{:#}", serde_json::json!({ "changed": true }));
            } else {
                println!("{}", fl!("change-password-done"));
            }
            Ok(())
        }
        ChangeOutcome::NeedsLastTryConfirmation(_) => Err(refuse(115)),
    }
}
