//! Test profiles: a temporary folder with a generated RSA key pair per
//! purpose, DER-shaped certificate bytes and a profile TOML.
#![allow(dead_code)]

pub mod fake_vpcd;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use madoguchi_card::{Command, Response, StatusWord};
use madoguchi_sim::VirtualCard;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};

pub const SIGN_PASSWORD: &str = "ABC123";
pub const AUTH_PIN: &str = "1234";
pub const INFO_PIN: &str = "5678";
pub const NAME: &str = "吉田\u{3000}太郎";
pub const ADDRESS: &str = "東京都千代田区霞が関２丁目１番２号　霞が関マンション";

/// (signing key, authentication key), generated once per test binary.
pub fn keys() -> &'static (RsaPrivateKey, RsaPrivateKey) {
    static KEYS: OnceLock<(RsaPrivateKey, RsaPrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(0x4A504B49);
        let sign = RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let auth = RsaPrivateKey::new(&mut rng, 2048).unwrap();
        (sign, auth)
    })
}

pub fn sign_public() -> RsaPublicKey {
    keys().0.to_public_key()
}

pub fn auth_public() -> RsaPublicKey {
    keys().1.to_public_key()
}

/// DER-shaped bytes: `30 82 HH LL` + `len` bytes of a pattern.
pub fn fake_der(len: u16, seed: u8) -> Vec<u8> {
    let mut v = vec![0x30, 0x82];
    v.extend(len.to_be_bytes());
    v.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    v
}

pub fn sign_cert() -> Vec<u8> {
    fake_der(0x500, 1)
}
pub fn sign_ca_cert() -> Vec<u8> {
    fake_der(0x300, 2)
}
pub fn auth_cert() -> Vec<u8> {
    fake_der(0x480, 3)
}
pub fn auth_ca_cert() -> Vec<u8> {
    fake_der(0x2F0, 4)
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub profile: PathBuf,
}

impl Fixture {
    pub fn state_path(&self) -> PathBuf {
        self.dir.path().join("state.toml")
    }

    pub fn open(&self) -> VirtualCard {
        VirtualCard::open(&self.profile, None).unwrap()
    }

    pub fn open_with_state(&self) -> VirtualCard {
        VirtualCard::open(&self.profile, Some(&self.state_path())).unwrap()
    }
}

pub const PROFILE: &str = r#"
token = "JPKIAPICCTOKEN2"
[signing]
certificate = "sign.der"
ca_certificate = "ca/sign-ca.der"
private_key = "sign-key.pem"
password = "ABC123"
tries_left = 5
[authentication]
certificate = "auth.der"
ca_certificate = "ca/auth-ca.der"
private_key = "auth-key.pem"
pin = "1234"
tries_left = 3
[card_info]
pin = "5678"
tries_left = 3
name = "吉田　太郎"
address = "東京都千代田区霞が関２丁目１番２号　霞が関マンション"
birth_date = "19581201"
sex = "1"
my_number = "123456789018"
"#;

/// Write the key/cert files and a profile (the given TOML text) into a
/// fresh temporary folder.
pub fn fixture_with(profile_toml: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path());
    let profile = dir.path().join("profile.toml");
    std::fs::write(&profile, profile_toml).unwrap();
    Fixture { dir, profile }
}

pub fn fixture() -> Fixture {
    fixture_with(PROFILE)
}

pub fn write_files(dir: &Path) {
    let (sign, auth) = keys();
    std::fs::create_dir_all(dir.join("ca")).unwrap();
    std::fs::write(dir.join("sign.der"), sign_cert()).unwrap();
    std::fs::write(dir.join("ca/sign-ca.der"), sign_ca_cert()).unwrap();
    std::fs::write(dir.join("auth.der"), auth_cert()).unwrap();
    std::fs::write(dir.join("ca/auth-ca.der"), auth_ca_cert()).unwrap();
    std::fs::write(
        dir.join("sign-key.pem"),
        sign.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::write(
        dir.join("auth-key.pem"),
        auth.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
}

/// Send a command, decode the response.
pub fn tx(card: &mut VirtualCard, cmd: &Command) -> Response {
    Response::from_bytes(&card.process(&cmd.to_bytes().unwrap())).unwrap()
}

/// Send raw bytes, decode the response.
pub fn raw(card: &mut VirtualCard, bytes: &[u8]) -> Response {
    Response::from_bytes(&card.process(bytes)).unwrap()
}

pub fn sw(card: &mut VirtualCard, cmd: &Command) -> StatusWord {
    tx(card, cmd).sw
}

/// SHA-256 DigestInfo of `message`.
pub fn digest_info(message: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    let mut v = madoguchi_card::ids::SHA256_DIGEST_INFO_PREFIX.to_vec();
    v.extend(sha2::Sha256::digest(message));
    v
}
