//! `madoguchi cert`: verify the signing password through the guard, read
//! the signing certificate, and show it with the holder's four facts.

use madoguchi_card::{
    CardChannel, JpkiCard, LastTryConfirmation, LastTryRequest, Normalisation, PasswordGuard,
    PasswordState, PinKind, Secret, TransactionEnd, VerifyOutcome,
};
use madoguchi_pki::{HolderFacts, Sex, SigningCertificate};
use serde_json::{Value, json};

use super::{CertArgs, Failure, exit, password};
use crate::card_session::{self, CardSession};
use crate::card_source::CardSource;
use crate::{fl, i18n, presentation};

pub fn run(source: &CardSource, args: &CertArgs) -> Result<(), Failure> {
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
    announce(state);
    if state == PasswordState::Locked {
        return Err(Failure::from(madoguchi_card::CardError::Locked(
            PinKind::SigningPassword,
        )));
    }
    let der = if state == PasswordState::AlreadyVerified {
        card.atomic(TransactionEnd::Unpower, |card| {
            Ok::<_, Failure>(card.read_signing_certificate()?)
        })?
    } else {
        let password = password::read(args.pin_stdin)?;
        let first = card.atomic(TransactionEnd::Unpower, |card| {
            login(card, &mut guard, &password, None)
        })?;
        match first {
            Ok(der) => der,
            Err(request) => {
                let confirmed = args.confirm_last_try
                    || (!args.pin_stdin && password::confirm_last_try_interactively());
                if !confirmed {
                    eprintln!("{}", fl!("password-last-try-needs-flag"));
                    return Err(Failure {
                        number: 115,
                        exit: exit::REFUSED,
                        detail: None,
                    });
                }
                let confirmation = guard.confirm_last_try(request)?;
                card.atomic(TransactionEnd::Unpower, |card| {
                    login(card, &mut guard, &password, Some(confirmation))
                })?
                .map_err(|_| Failure {
                    number: 115,
                    exit: exit::REFUSED,
                    detail: None,
                })?
            }
        }
    };

    let cert = SigningCertificate::from_der(&der).map_err(|e| Failure {
        number: 117,
        exit: exit::CARD,
        detail: Some(e.to_string()),
    })?;
    let holder = cert.holder().map_err(|e| Failure {
        number: 117,
        exit: exit::CARD,
        detail: Some(e.to_string()),
    })?;
    let now = time::OffsetDateTime::now_utc();
    if args.json {
        println!("{:#}", to_json(&cert, &holder, now));
    } else {
        print_text(&cert, &holder, now);
    }
    Ok(())
}

/// Guarded VERIFY, then the signing certificate; or the last-try request
/// (nothing sent) when the confirmation is missing.
fn login<C: CardChannel>(
    card: &mut JpkiCard<C>,
    guard: &mut PasswordGuard,
    password: &Secret,
    confirmation: Option<LastTryConfirmation>,
) -> Result<Result<Vec<u8>, LastTryRequest>, Failure> {
    match guard.verify(card, password, confirmation)? {
        VerifyOutcome::NeedsLastTryConfirmation(request) => Ok(Err(request)),
        VerifyOutcome::Verified { normalisation } => {
            if normalisation == Some(Normalisation::UpperCased) {
                eprintln!("{}", fl!("password-uppercased"));
            }
            Ok(Ok(card.read_signing_certificate()?))
        }
    }
}

/// Show the card's own count before the password is asked for (guard rule 3).
fn announce(state: PasswordState) {
    match state {
        PasswordState::Normal { tries_left } => eprintln!(
            "{}",
            i18n::text_args("password-tries-left", &[("tries", tries_left.to_string())])
        ),
        PasswordState::Warning { .. } => eprintln!("{}", fl!("password-warning-two-left")),
        PasswordState::LastTry => eprintln!("{}", fl!("password-last-try")),
        PasswordState::Locked | PasswordState::AlreadyVerified => {}
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn sex_key(sex: &Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::NotApplicable => "not_applicable",
        Sex::Other(_) => "other",
    }
}

fn to_json(cert: &SigningCertificate, holder: &HolderFacts, now: time::OffsetDateTime) -> Value {
    json!({
        "subject": cert.subject(),
        "issuer": cert.issuer(),
        "serial": cert.serial_hex(),
        "not_before": rfc3339(cert.not_before()),
        "not_after": rfc3339(cert.not_after()),
        "expired": cert.is_expired(now),
        "sha256_fingerprint": colon_hex(&cert.sha256_fingerprint()),
        "holder": {
            "name": holder.name,
            "name_substitute": holder.name_substitute,
            "address": holder.address,
            "address_substitute": holder.address_substitute,
            "sex": sex_key(&holder.sex),
            "sex_code": holder.sex.code(),
            "birth_date": {
                "gregorian": holder.birth_date.to_iso_string(),
                "japanese": holder.birth_date.to_ja_string(),
                "english": holder.birth_date.to_en_string(),
                "era_code": holder.birth_date.raw().get(..1),
            },
        },
    })
}

fn print_text(cert: &SigningCertificate, holder: &HolderFacts, now: time::OffsetDateTime) {
    println!("{}", fl!("cert-title"));
    println!("  {}: {}", fl!("cert-subject"), cert.subject());
    println!("  {}: {}", fl!("cert-issuer"), cert.issuer());
    println!("  {}: {}", fl!("cert-serial"), cert.serial_hex());
    println!(
        "  {}: {}",
        fl!("cert-valid-from"),
        presentation::datetime(cert.not_before())
    );
    println!(
        "  {}: {}",
        fl!("cert-valid-until"),
        presentation::datetime(cert.not_after())
    );
    println!(
        "  {}: {}",
        fl!("cert-fingerprint"),
        colon_hex(&cert.sha256_fingerprint())
    );
    if cert.is_expired(now) {
        println!("  {}", fl!("cert-expired"));
    }
    println!();
    println!("{}", fl!("holder-title"));
    println!("  {}: {}", fl!("holder-name"), holder.name);
    println!("  {}: {}", fl!("holder-address"), holder.address);
    println!(
        "  {}: {}",
        fl!("holder-sex"),
        presentation::sex(&holder.sex)
    );
    println!(
        "  {}: {}",
        fl!("holder-birth-date"),
        presentation::birth_date(&holder.birth_date)
    );
}
