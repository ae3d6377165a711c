//! Property: whatever another client sends between our APDUs (SELECTs of
//! either application and of any JPKI EF, empty VERIFYs), the signing
//! password is only ever sent while `001B` is the current EF of the JPKI
//! AP, no try is lost, and the right password is never taken for a wrong
//! one. The other client's APDUs get in wherever PC/SC would let them:
//! between ours, but not inside our transactions.

use std::sync::{Arc, Mutex};

use madoguchi_card::{
    CardChannel, Command, GuardError, JpkiCard, PasswordGuard, PinKind, Secret, TransactionEnd,
    VerifyOutcome, ids,
};
use madoguchi_sim::{Application, SimChannel};
use proptest::prelude::*;

use crate::suite::PASSWORD;

/// One APDU of the other client.
#[derive(Clone, Debug)]
enum Other {
    SelectJpki,
    SelectCardInfo,
    SelectEf(u16),
    EmptyVerify,
}

impl Other {
    fn command(&self) -> Command {
        match self {
            Other::SelectJpki => Command::select_df(&ids::AID_JPKI),
            Other::SelectCardInfo => Command::select_df(&ids::AID_CARD_INFO),
            Other::SelectEf(fid) => Command::select_ef(*fid),
            Other::EmptyVerify => Command::verify_query(),
        }
    }
}

fn other() -> impl Strategy<Value = Other> {
    prop_oneof![
        Just(Other::SelectJpki),
        Just(Other::SelectCardInfo),
        prop::sample::select(vec![
            ids::jpki::AUTHENTICATION_PIN,
            ids::jpki::SIGNING_PASSWORD,
            ids::jpki::SIGNING_CERTIFICATE,
            ids::jpki::AUTHENTICATION_CERTIFICATE,
            ids::jpki::TOKEN_INFO,
            ids::card_info::PIN,
        ])
        .prop_map(Other::SelectEf),
        Just(Other::EmptyVerify),
    ]
}

/// Where the card stood each time a VERIFY with data reached it.
type Seen = Arc<Mutex<Vec<(Option<Application>, Option<u16>)>>>;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn the_signing_password_only_reaches_its_own_ief(
        script in prop::collection::vec(prop::collection::vec(other(), 0..4), 0..40),
    ) {
        let mut ours = SimChannel::new(madoguchi_testkit::virtual_card("normal"));
        let seen: Seen = Arc::default();
        let log = seen.clone();
        let mut turns = script.into_iter();
        ours.observe(Box::new(move |card, apdu, in_transaction| {
            if !in_transaction && let Some(batch) = turns.next() {
                for o in batch {
                    card.process(&o.command().to_bytes().unwrap());
                }
            }
            let cmd = Command::parse(apdu).unwrap();
            if cmd.ins == madoguchi_card::apdu::ins::VERIFY && !cmd.data().is_empty() {
                log.lock().unwrap().push((card.current_application(), card.current_ef()));
            }
        }));
        let shared = ours.card();
        let mut card = JpkiCard::new(Box::new(ours) as Box<dyn CardChannel>);
        let mut guard = PasswordGuard::new(PinKind::SigningPassword);
        let password = Secret::new(PASSWORD);
        // The app's jobs: card preparation, login, signature; between them
        // the resident (and the other client) take their time.
        card.atomic(TransactionEnd::Leave, |c| {
            c.select_jpki_ap()?;
            c.token()?;
            guard.status(c)
        }).unwrap();
        for sign in [false, true] {
            card.atomic(TransactionEnd::Unpower, |c| {
                let outcome = guard.verify(c, &password, None)?;
                assert!(matches!(outcome, VerifyOutcome::Verified { .. }));
                if sign {
                    c.sign_sha256(&[7; 32])?;
                } else {
                    c.read_signing_certificate()?;
                }
                Ok::<_, GuardError>(())
            }).unwrap();
        }
        let seen = seen.lock().unwrap().clone();
        prop_assert_eq!(seen.len(), 2);
        for at in seen {
            prop_assert_eq!(at, (Some(Application::Jpki), Some(ids::jpki::SIGNING_PASSWORD)));
        }
        let card = madoguchi_sim::channel::lock(&shared);
        prop_assert_eq!(card.tries_left(PinKind::SigningPassword), Some(5));
        prop_assert_eq!(card.tries_left(PinKind::AuthenticationPin), Some(3));
        prop_assert_eq!(card.tries_left(PinKind::CardInfoPin), Some(3));
        prop_assert!(!guard.was_rejected(&password));
    }
}
