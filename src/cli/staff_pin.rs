//! `madoguchi staff-pin-hash`: make the `staff_pin` value of a counter
//! terminal's preset. The PIN is read twice (hidden prompt, or two lines of
//! standard input), never from the command line, and only its Argon2id hash
//! is printed.

use std::io::BufRead;

use zeroize::Zeroizing;

use super::{Failure, exit};
use crate::fl;
use crate::staff_pin;

fn read_line(pin_stdin: bool, prompt: &str) -> Result<Zeroizing<String>, Failure> {
    let failed = |e: std::io::Error| Failure {
        number: 503,
        exit: exit::REFUSED,
        detail: Some(e.to_string()),
    };
    let mut line = Zeroizing::new(String::new());
    if pin_stdin {
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(failed)?;
    } else {
        eprint!("{prompt} ");
        line = Zeroizing::new(rpassword::read_password().map_err(failed)?);
    }
    let trimmed = Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned());
    Ok(trimmed)
}

/// Read the PIN twice and print its hash.
pub fn run(pin_stdin: bool) -> Result<(), Failure> {
    let first = read_line(pin_stdin, &fl!("staff-pin-prompt"))?;
    let again = read_line(pin_stdin, &fl!("staff-pin-again"))?;
    if first != again {
        return Err(Failure {
            number: 503,
            exit: exit::REFUSED,
            detail: Some(fl!("staff-pin-mismatch")),
        });
    }
    let hash = staff_pin::hash(&first).map_err(|e| Failure {
        number: e.catalogue_number(),
        exit: exit::REFUSED,
        detail: Some(e.to_string()),
    })?;
    println!("staff_pin = \"{hash}\"");
    Ok(())
}
