//! Demo mode on a PKI made at run time (what a packaged demo runs on), and the
//! confinement of the demo's trust.

use std::sync::Arc;

use madoguchi_core::client::{Client, ClientError, Trust};
use madoguchi_core::demo::{Material, Profile};
use madoguchi_core::demo_mode::Demo;

/// Every profile the demo bar offers starts on generated material, its card
/// answers, and its window is trusted through the demo's own CA. "revoked"
/// runs a whole revocation and a CRL on that PKI first.
#[test]
fn every_profile_runs_on_a_pki_made_at_run_time() {
    let material = Arc::new(Material::generate().unwrap());
    for profile in Profile::ALL {
        let demo =
            Demo::start(material.clone(), profile).unwrap_or_else(|e| panic!("{profile}: {e:#}"));
        assert!(demo.card.connect().is_ok(), "{profile}");
        let config = demo.client_config();
        assert!(matches!(config.trust, Trust::Demo(_)), "{profile}");
        assert!(Client::new(&config).is_ok(), "{profile}");
        assert_eq!(demo.known_cas().len(), 1);
    }
}

/// The demo's trust is for the demo's window on this machine only: offered
/// for any other address, the client refuses before connecting (E316).
#[test]
fn the_demo_trust_is_refused_for_another_address() {
    let demo = Demo::start(crate::flow_support::shared_material(), Profile::Normal).unwrap();
    for elsewhere in [
        "https://window.example.jp",
        "https://localhost:443",
        "https://10.0.0.1",
    ] {
        let mut config = demo.client_config();
        config.server = Some(elsewhere.to_owned());
        let e = Client::new(&config).unwrap_err();
        assert!(
            matches!(e, ClientError::DemoTrustElsewhere(_)),
            "{elsewhere}: {e:?}"
        );
        assert_eq!(e.catalogue_number(), 316);
    }
    assert!(Client::new(&demo.client_config()).is_ok());
}
