//! The error catalogue is complete in both languages and `docs/errors.md`
//! is what the catalogue generates.

use madoguchi_core::errors::CATALOGUE;
use madoguchi_core::i18n::{Language, message_ids};

#[test]
fn every_entry_has_all_texts_in_both_languages() {
    for lang in [Language::Ja, Language::En] {
        let ids = message_ids(lang);
        for e in CATALOGUE {
            for part in ["title", "cause", "resident", "staff"] {
                let id = format!("error-{}-{part}", e.number);
                assert!(ids.contains(&id), "{lang:?} lacks {id}");
            }
        }
    }
}

#[test]
fn both_catalogues_have_the_same_messages() {
    let mut ja = message_ids(Language::Ja);
    let mut en = message_ids(Language::En);
    ja.sort();
    en.sort();
    assert_eq!(ja, en);
}

#[test]
fn card_errors_all_have_entries() {
    use madoguchi_card::{CardError, PinKind, StatusWord};
    let all = [
        CardError::ServiceUnavailable,
        CardError::NoReader,
        CardError::ReaderNotFound("r".into()),
        CardError::NoCard,
        CardError::NotJpki,
        CardError::CardRemoved,
        CardError::CardInUse,
        CardError::Timeout,
        CardError::WrongPassword {
            kind: PinKind::SigningPassword,
            tries_left: 3,
        },
        CardError::Locked(PinKind::SigningPassword),
        CardError::SecurityStatusNotSatisfied,
        CardError::UnexpectedStatus {
            operation: "x",
            sw: StatusWord::Ok,
        },
        CardError::MalformedData("x".into()),
        CardError::Transport("x".into()),
    ];
    for e in all {
        assert!(
            madoguchi_core::errors::entry(e.catalogue_number()).is_some(),
            "{e:?} has no catalogue entry"
        );
    }
}

#[test]
fn errors_doc() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md");
    let generated = madoguchi_core::errors::markdown();
    if std::env::var_os("MADOGUCHI_BLESS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/errors.md is out of date: run MADOGUCHI_BLESS=1 cargo test -p madoguchi-core --test core errors_doc"
    );
}
