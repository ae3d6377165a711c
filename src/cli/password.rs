//! Reading the signing password: a hidden prompt or the first line of
//! standard input, never the command line. The text read goes straight into
//! a zeroizing [`Secret`].

use std::io::{BufRead, IsTerminal};

use madoguchi_card::Secret;
use zeroize::Zeroizing;

use super::{Failure, exit};
use crate::fl;

/// Read the password from stdin (`--pin-stdin`) or a hidden prompt.
pub fn read(pin_stdin: bool) -> Result<Secret, Failure> {
    let mut line = Zeroizing::new(String::new());
    if pin_stdin {
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure {
                number: 113,
                exit: exit::REFUSED,
                detail: Some(e.to_string()),
            })?;
    } else {
        eprint!("{} ", fl!("password-prompt"));
        line = Zeroizing::new(rpassword::read_password().map_err(|e| Failure {
            number: 113,
            exit: exit::REFUSED,
            detail: Some(e.to_string()),
        })?);
    }
    let trimmed = line.trim_end_matches(['\r', '\n']);
    if trimmed.is_empty() {
        return Err(Failure {
            number: 113,
            exit: exit::REFUSED,
            detail: Some(fl!("password-from-stdin-empty")),
        });
    }
    Ok(Secret::new(trimmed))
}

/// Ask the holder to confirm the last try on the terminal. `false` when
/// standard input is not a terminal (nothing can be confirmed there).
pub fn confirm_last_try_interactively() -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("{} ", fl!("password-last-try-confirm"));
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "yes" | "YES" | "はい")
}

/// Demo mode says which virtual card is in use. Its password is test
/// data, documented in the README, and still never printed: no output of
/// Madoguchi carries a password.
pub fn print_demo_banner(profile: madoguchi_demo::Profile) {
    eprintln!("{}", fl!("demo-banner", profile = profile.name()));
}
