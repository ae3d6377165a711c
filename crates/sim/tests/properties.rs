//! Property tests: any input gets a response, never a panic; counters stay
//! within their bounds; a try is spent only by a VERIFY with data.

mod common;

use std::sync::OnceLock;

use common::*;
use madoguchi_card::ids::{self, card_info, jpki};
use madoguchi_card::{Command, Le, PinKind, Response};
use madoguchi_sim::{Profile, VirtualCard};
use proptest::prelude::*;

fn profile_dir() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(fixture)
}

fn card() -> VirtualCard {
    VirtualCard::new(Profile::load(&profile_dir().profile).unwrap())
}

/// Commands a client could plausibly send, plus garbage.
fn arb_command() -> impl Strategy<Value = Vec<u8>> {
    let fid = prop_oneof![
        Just(jpki::SIGNING_CERTIFICATE),
        Just(jpki::SIGNING_CA_CERTIFICATE),
        Just(jpki::TOKEN_INFO),
        Just(jpki::SIGNING_KEY),
        Just(jpki::SIGNING_PASSWORD),
        Just(jpki::AUTHENTICATION_PIN),
        Just(jpki::AUTHENTICATION_KEY),
        Just(card_info::PIN),
        Just(card_info::BASIC_FOUR),
        any::<u16>(),
    ];
    let secret = prop_oneof![
        Just(SIGN_PASSWORD.as_bytes().to_vec()),
        Just(AUTH_PIN.as_bytes().to_vec()),
        Just(INFO_PIN.as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..20),
    ];
    let enc = |c: Command| c.to_bytes().unwrap().to_vec();
    prop_oneof![
        prop_oneof![
            Just(ids::AID_JPKI.to_vec()),
            Just(ids::AID_CARD_INFO.to_vec())
        ]
        .prop_map(move |a| enc(Command::select_df(&a))),
        fid.prop_map(move |f| enc(Command::select_ef(f))),
        (0u16..0x600, 1u16..=256)
            .prop_map(move |(o, n)| enc(Command::read_binary(o, Le::Short(n)))),
        (0u16..0x600, 1u32..=65536)
            .prop_map(move |(o, n)| enc(Command::read_binary(o, Le::Extended(n)))),
        Just(enc(Command::verify_query())),
        secret.clone().prop_map(move |s| enc(Command::verify(&s))),
        secret.prop_map(move |s| enc(Command::change_reference_data(&s))),
        proptest::collection::vec(any::<u8>(), 1..300)
            .prop_map(move |d| enc(Command::compute_digital_signature(&d))),
        (
            any::<[u8; 4]>(),
            proptest::collection::vec(any::<u8>(), 0..40)
        )
            .prop_map(|(h, rest)| {
                let mut v = h.to_vec();
                v.extend(rest);
                v
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_always_get_a_response(
        inputs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..400), 1..20)
    ) {
        let mut card = card();
        for input in inputs {
            let out = card.process(&input);
            prop_assert!(out.len() >= 2);
            prop_assert!(Response::from_bytes(&out).is_ok());
        }
    }

    #[test]
    fn command_sequences_keep_the_invariants(
        cmds in proptest::collection::vec(arb_command(), 1..40)
    ) {
        let mut card = card();
        for cmd in cmds {
            let kinds = [PinKind::SigningPassword, PinKind::AuthenticationPin, PinKind::CardInfoPin];
            let before: Vec<_> = kinds.iter().map(|&k| card.tries_left(k).unwrap()).collect();
            let out = card.process(&cmd);
            prop_assert!(out.len() >= 2);
            let is_verify_with_data = cmd.len() > 5 && cmd[0] == 0x00 && cmd[1] == 0x20;
            for (i, &k) in kinds.iter().enumerate() {
                let after = card.tries_left(k).unwrap();
                let max = [5, 3, 3][i];
                prop_assert!(after <= max);
                if after < before[i] {
                    // Only a VERIFY with data spends a try, one at a time.
                    prop_assert!(is_verify_with_data, "{:02X?}", cmd);
                    prop_assert_eq!(after + 1, before[i]);
                }
                if before[i] == 0 {
                    // A locked secret stays locked whatever is sent.
                    prop_assert_eq!(after, 0);
                }
            }
        }
    }
}
