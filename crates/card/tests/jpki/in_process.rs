//! The JPKI suite against the in-process virtual card.

use crate::suite::{self, InProcess, Operation};

#[test]
fn token_and_tries() {
    suite::token_and_tries(&InProcess::make);
}

#[test]
fn certificates() {
    suite::certificates(&InProcess::make);
}

#[test]
fn verify_read_and_sign() {
    suite::verify_read_and_sign(&InProcess::make);
}

#[test]
fn change_password() {
    suite::change_password(&InProcess::make);
}

#[test]
fn locked_and_last_try() {
    suite::locked_and_last_try(&InProcess::make);
}

#[test]
fn removal_after_every_apdu_of_reading_the_signing_certificate() {
    suite::removal_after_every_apdu(&InProcess::make, Operation::ReadSigningCertificate);
}

#[test]
fn removal_after_every_apdu_of_signing() {
    suite::removal_after_every_apdu(&InProcess::make, Operation::Sign);
}

#[test]
fn wrong_le_to_verify_gets_one_verify() {
    suite::wrong_le_to_verify_gets_one_verify(&InProcess::make);
}

/// The same suite against the permissive card.
mod lenient {
    use crate::suite::{self, InProcess, Operation};

    #[test]
    fn token_and_tries() {
        suite::token_and_tries(&InProcess::make_lenient);
    }

    #[test]
    fn certificates() {
        suite::certificates(&InProcess::make_lenient);
    }

    #[test]
    fn verify_read_and_sign() {
        suite::verify_read_and_sign(&InProcess::make_lenient);
    }

    #[test]
    fn change_password() {
        suite::change_password(&InProcess::make_lenient);
    }

    #[test]
    fn locked_and_last_try() {
        suite::locked_and_last_try(&InProcess::make_lenient);
    }

    #[test]
    fn removal_after_every_apdu_of_reading_the_signing_certificate() {
        suite::removal_after_every_apdu(
            &InProcess::make_lenient,
            Operation::ReadSigningCertificate,
        );
    }

    #[test]
    fn removal_after_every_apdu_of_signing() {
        suite::removal_after_every_apdu(&InProcess::make_lenient, Operation::Sign);
    }
}
