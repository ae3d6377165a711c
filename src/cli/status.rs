//! `madoguchi status`: readers, card type and the tries left of each
//! password, read with empty VERIFYs: no try is spent.

use madoguchi_card::{PinKind, PinStatus, ReaderInfo, TokenKind, ids};
use serde_json::{Value, json};

use super::{Failure, StatusArgs};
use crate::card_source::CardSource;
use crate::fl;
use crate::presentation;
use madoguchi_card::CardError;

use crate::card_report::CardReport as CardStatus;

pub fn run(source: &CardSource, args: &StatusArgs) -> Result<(), Failure> {
    let readers = source.readers()?;
    // Without --reader, several cards or only a virtual reader's card are
    // not read (the resident chooses); the readers are listed all the same.
    let mut unchosen = None;
    let card = if readers.iter().any(|r| r.card_present) || args.reader.is_some() {
        match read_card(source) {
            Ok(c) => Some(c),
            Err(e @ (CardError::VirtualReader(_) | CardError::SeveralCards(_))) => {
                unchosen = Some(e);
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    if args.json {
        println!("{:#}", to_json(&readers, card.as_ref()));
    } else {
        print_text(&readers, card.as_ref());
    }
    if readers.is_empty() {
        return Err(Failure::from(CardError::NoReader));
    }
    if let Some(e) = unchosen {
        return Err(Failure::from(e));
    }
    if card.is_none() {
        return Err(Failure::from(CardError::NoCard));
    }
    Ok(())
}

fn read_card(source: &CardSource) -> Result<CardStatus, CardError> {
    let (reader, channel) = source.open()?;
    crate::card_report::read(reader, channel)
}

fn pin_key(kind: PinKind) -> &'static str {
    match kind {
        PinKind::SigningPassword => "signing_password",
        PinKind::AuthenticationPin => "authentication_pin",
        PinKind::CardInfoPin => "card_info_pin",
    }
}

fn token_key(token: &TokenKind) -> &'static str {
    match token {
        TokenKind::MyNumberCard => "my_number_card",
        TokenKind::JukiCard => "juki_card",
        TokenKind::SmartphoneAndroid => "smartphone_android",
        TokenKind::SmartphoneIphone => "smartphone_iphone",
        TokenKind::Other(_) => "other",
    }
}

fn token_label(token: &TokenKind) -> String {
    match token {
        TokenKind::MyNumberCard => ids::token::MY_NUMBER_CARD.into(),
        TokenKind::JukiCard => ids::token::JUKI_CARD.into(),
        TokenKind::SmartphoneAndroid => ids::token::ANDROID.into(),
        TokenKind::SmartphoneIphone => ids::token::IPHONE.into(),
        TokenKind::Other(l) => l.clone(),
    }
}

fn pin_json(kind: PinKind, status: &Result<PinStatus, madoguchi_card::CardError>) -> Value {
    let max = kind.max_tries();
    match status {
        Ok(PinStatus::TriesLeft(n)) => {
            json!({"state": "tries_left", "tries_left": n, "max_tries": max})
        }
        Ok(PinStatus::Locked) => json!({"state": "locked", "tries_left": 0, "max_tries": max}),
        Ok(PinStatus::AlreadyVerified) => json!({"state": "already_verified", "max_tries": max}),
        Err(e) => json!({"state": "error", "error": {
            "number": e.catalogue_number(),
            "title": crate::errors::texts(e.catalogue_number()).title,
        }}),
    }
}

fn to_json(readers: &[ReaderInfo], card: Option<&CardStatus>) -> Value {
    let readers: Vec<Value> = readers
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "card_present": r.card_present,
                "virtual": r.is_virtual(),
                "atr": r.atr.as_ref().map(hex::encode_upper),
            })
        })
        .collect();
    let card = card.map(|c| {
        let mut v = json!({
            "reader": c.reader,
            "kind": token_key(&c.token),
            "token_label": token_label(&c.token),
            "authentication_certificate_not_after": c.authentication_not_after.and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339).ok()
            }),
        });
        for (kind, status) in &c.pins {
            v[pin_key(*kind)] = pin_json(*kind, status);
        }
        v
    });
    json!({ "readers": readers, "card": card })
}

fn print_text(readers: &[ReaderInfo], card: Option<&CardStatus>) {
    println!("{}", fl!("status-readers"));
    if readers.is_empty() {
        println!("  {}", fl!("status-no-readers"));
    }
    for r in readers {
        let state = if r.card_present {
            fl!("status-reader-card-present")
        } else {
            fl!("status-reader-empty")
        };
        if r.is_virtual() {
            println!("  {}: {state} ({})", r.name, fl!("status-reader-virtual"));
        } else {
            println!("  {}: {state}", r.name);
        }
    }
    let Some(c) = card else { return };
    println!();
    println!("{} ({})", fl!("status-card"), c.reader);
    println!(
        "  {}: {}",
        fl!("status-card-kind"),
        presentation::token_text(&c.token)
    );
    for (kind, status) in &c.pins {
        println!(
            "  {}: {}",
            presentation::pin_name(*kind),
            presentation::pin_status(*kind, status)
        );
    }
    println!("  {}", fl!("status-no-try-spent"));
}
