//! The demo's own PKI: made at run time, private to this process, not the committed one,
//! and enough for the window and the card to work together.

use std::path::Path;

use madoguchi_demo::material::{Seed, generate_all};
use madoguchi_demo::{DemoCard, DemoTrust, LocalWindow, Material, Profile};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures"))
}

#[test]
fn generated_material_is_fresh_private_and_complete() {
    let material = Material::generate().unwrap();
    let root = material.root().to_path_buf();
    // A fresh CA: not the committed test CA whose key is public.
    let committed = std::fs::read(fixtures().join("pki/tls-ca.der")).unwrap();
    let made = std::fs::read(material.pki("tls-ca.der")).unwrap();
    assert_ne!(made, committed);
    // Cards are issued when first asked for, by the demo's own signing CA.
    assert!(!root.join("cards/expired").exists());
    let card = material.card(Profile::Expired).unwrap();
    assert!(card.exists());
    assert_eq!(
        material.card(Profile::Revoked).unwrap(),
        material.card(Profile::Normal).unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&root), 0o700, "the folder is the user's alone");
        for key in [
            "pki/tls-ca-key.pem",
            "pki/sign-ca-key.pem",
            "cards/expired/sign-key.pem",
        ] {
            assert_eq!(mode(&root.join(key)), 0o600, "{key}");
        }
    }
    // The window and the card work on it.
    let window = LocalWindow::start(&material).unwrap();
    assert!(window.url().starts_with("https://127.0.0.1:"));
    let trust: DemoTrust = window.trust();
    assert_eq!(trust.certificates().next().unwrap(), made.as_slice());
    let demo_card = DemoCard::open(&material, Profile::Normal).unwrap();
    assert!(demo_card.connect().is_ok());
    drop(window);
    drop(material);
    assert!(!root.exists(), "the keys go with the demo");
}

#[test]
fn two_demos_never_share_a_pki() {
    let a = Material::generate().unwrap();
    let b = Material::generate().unwrap();
    assert_ne!(
        std::fs::read(a.pki("sign-ca.der")).unwrap(),
        std::fs::read(b.pki("sign-ca.der")).unwrap()
    );
}

#[test]
fn the_fixture_seed_still_makes_the_committed_bytes_for_the_window() {
    // The full comparison is the fixtures generator's own test; here the pieces the demo
    // window uses are checked to come from the same generator.
    let files = generate_all(&Seed::Fixtures).unwrap();
    for rel in ["pki/tls-ca.der", "pki/server.pem", "pki/sign-ca.der"] {
        assert_eq!(
            files[rel],
            std::fs::read(fixtures().join(rel)).unwrap(),
            "{rel}"
        );
    }
}

#[test]
fn material_from_a_folder_needs_the_layout() {
    assert!(Material::from_dir(fixtures()).is_ok());
    let empty = tempfile::tempdir().unwrap();
    let e = Material::from_dir(empty.path()).unwrap_err().to_string();
    assert!(e.contains("is not demo material"), "{e}");
}
