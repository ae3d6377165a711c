//! Card profiles: what one virtual card holds.
//!
//! A profile is a TOML file. Relative paths in it resolve against the folder
//! of the profile file:
//!
//! ```toml
//! token = "JPKIAPICCTOKEN2"          # or JPKIAPICCTOKEN (Juki card)
//! [signing]                          # 署名用
//! certificate = "sign.der"           # DER
//! ca_certificate = "sign-ca.der"
//! private_key = "sign-key.pem"       # PKCS#8 PEM
//! password = "ABC123"
//! tries_left = 5
//! [authentication]                   # 利用者証明用
//! certificate = "auth.der"
//! ca_certificate = "auth-ca.der"
//! private_key = "auth-key.pem"
//! pin = "1234"
//! tries_left = 3
//! [card_info]                        # 券面事項入力補助AP
//! pin = "1234"
//! tries_left = 3
//! name = "吉田 太郎"
//! address = "東京都千代田区霞が関2丁目1番地2号 霞が関マンション"
//! birth_date = "19581201"
//! sex = "1"
//! my_number = "123456789018"       # optional, 12 digits
//! [options]                          # optional, see [`CardOptions`]
//! extended_length = true             # the defaults are the strict card
//! apdu_latency_ms = 15
//! ```
//!
//! `[authentication]` and `[card_info]` may be left out: the card then has
//! no authentication certificate/key, or no card-info AP (SELECT → `6A82`).
//!
//! Passwords and PINs are test data, but they are still held in zeroizing
//! buffers and never appear in `Debug` output or logs.

use std::fmt;
use std::path::{Path, PathBuf};

use madoguchi_card::ids;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Deserialize;
use zeroize::Zeroizing;

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read the profile {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the profile {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{field}: cannot read {path}: {source}")]
    MissingFile {
        field: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{field}: {path} is not a DER certificate: {reason}")]
    BadCertificate {
        field: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("{field}: {path} is not a usable PKCS#8 PEM RSA private key: {reason}")]
    BadKey {
        field: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("{field}: the private key does not belong to the certificate {certificate}")]
    KeyMismatch {
        field: &'static str,
        certificate: PathBuf,
    },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

/// Card behaviours the sources leave open; see reference §11 and §13.
///
/// The defaults are the **strict card**: the strictest behaviour public
/// real-card reports describe, so that the client is tested against it.
/// [`CardOptions::lenient`] gives the permissive card the simulator used to
/// be (extended APDUs, verified state surviving a re-select, no filler).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CardOptions {
    /// Selecting another DF clears the verified flags of the DF left
    /// (ISO-typical; unconfirmed on JPKI cards). Default `true`.
    pub clear_verification_on_df_select: bool,
    /// Any SELECT of an application by name (the current one too) clears
    /// every verified flag: OpenSC logs out of the JPKI AP exactly so
    /// (`card-jpki.c` `jpki_logout`), so a real card may well do it.
    /// Default `true`.
    pub clear_verification_on_reselect: bool,
    /// Accept extended-length APDUs (e.g. READ BINARY with a 3-byte Le);
    /// the ATR then announces them in its card capabilities. Default
    /// `false`: they answer `67 00` and the ATR is the My Number card's
    /// (no historical bytes).
    pub extended_length: bool,
    /// Answer an empty VERIFY with `90 00` when that secret is already
    /// verified (some cards do). Default `false`: always `63 Cx`, as the
    /// real card in OpenSC PR #959's review thread does.
    pub verified_query_answers_ok: bool,
    /// Number of `FF` filler bytes after each certificate in its EF (real
    /// EFs are fixed-size; mnbcard's last 256-byte page runs past the
    /// certificate). Default 256.
    pub certificate_padding: usize,
    /// Accept a private key that does not match its certificate.
    /// Default `false`: such a profile fails to load.
    pub allow_key_mismatch: bool,
    /// Time the card takes for every APDU, in milliseconds (e.g. 15 for a
    /// contactless reader). Default 0.
    pub apdu_latency_ms: u64,
    /// Extra time a signature takes on the chip, in milliseconds (about 600
    /// for RSA-2048). Default 0.
    pub signature_ms: u64,
}

impl Default for CardOptions {
    fn default() -> Self {
        CardOptions {
            clear_verification_on_df_select: true,
            clear_verification_on_reselect: true,
            extended_length: false,
            verified_query_answers_ok: false,
            certificate_padding: 256,
            allow_key_mismatch: false,
            apdu_latency_ms: 0,
            signature_ms: 0,
        }
    }
}

impl CardOptions {
    /// The permissive card: extended APDUs, verified state kept across a
    /// re-select of the same application, `90 00` to an empty VERIFY once
    /// verified, no filler after certificates.
    pub fn lenient() -> CardOptions {
        CardOptions {
            clear_verification_on_reselect: false,
            extended_length: true,
            verified_query_answers_ok: true,
            certificate_padding: 0,
            ..CardOptions::default()
        }
    }
}

/// A certificate + key pair on the card, with the secret guarding the key.
#[derive(Clone)]
pub struct KeySlot {
    /// DER certificate.
    pub certificate: Vec<u8>,
    /// DER CA certificate.
    pub ca_certificate: Vec<u8>,
    /// The RSA private key.
    pub private_key: RsaPrivateKey,
    /// The password or PIN, as bytes the card compares.
    pub secret: Zeroizing<Vec<u8>>,
    /// Tries left at the start (before any state file).
    pub tries_left: u8,
}

impl KeySlot {
    pub fn public_key(&self) -> RsaPublicKey {
        self.private_key.to_public_key()
    }
}

impl fmt::Debug for KeySlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySlot")
            .field(
                "certificate",
                &format_args!("{} bytes", self.certificate.len()),
            )
            .field(
                "ca_certificate",
                &format_args!("{} bytes", self.ca_certificate.len()),
            )
            .field(
                "private_key",
                &format_args!("RSA-{}", self.private_key.size() * 8),
            )
            .field("secret", &format_args!("<redacted>"))
            .field("tries_left", &self.tries_left)
            .finish()
    }
}

/// The 券面事項入力補助AP contents.
#[derive(Clone)]
pub struct CardInfo {
    pub pin: Zeroizing<Vec<u8>>,
    pub tries_left: u8,
    /// 氏名, stored as given (UTF-8).
    pub name: String,
    /// 住所, stored as given (UTF-8).
    pub address: String,
    /// 生年月日, `YYYYMMDD` (Gregorian).
    pub birth_date: String,
    /// 性別: `1` male, `2` female, `9` not applicable.
    pub sex: String,
    /// 個人番号, 12 digits.
    pub my_number: String,
}

impl fmt::Debug for CardInfo {
    /// Holder data stays out of logs too.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardInfo")
            .field("pin", &format_args!("<redacted>"))
            .field("tries_left", &self.tries_left)
            .finish_non_exhaustive()
    }
}

/// A loaded card profile.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Token label written into EF 0006 (≤ 32 ASCII characters).
    pub token: String,
    pub signing: KeySlot,
    pub authentication: Option<KeySlot>,
    pub card_info: Option<CardInfo>,
    pub options: CardOptions,
    /// The profile file this came from, if any.
    pub source: Option<PathBuf>,
}

// ---------------------------------------------------------------------------
// The TOML shape.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    token: String,
    signing: RawSigning,
    authentication: Option<RawAuthentication>,
    card_info: Option<RawCardInfo>,
    #[serde(default)]
    options: CardOptions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSigning {
    certificate: PathBuf,
    ca_certificate: PathBuf,
    private_key: PathBuf,
    password: String,
    tries_left: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthentication {
    certificate: PathBuf,
    ca_certificate: PathBuf,
    private_key: PathBuf,
    pin: String,
    tries_left: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCardInfo {
    pin: String,
    tries_left: Option<u8>,
    name: String,
    address: String,
    birth_date: String,
    sex: String,
    my_number: Option<String>,
}

impl Profile {
    /// Load a profile file; relative paths resolve against its folder.
    pub fn load(path: impl AsRef<Path>) -> Result<Profile, ProfileError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = Zeroizing::new(text);
        let base = path.parent().unwrap_or(Path::new("."));
        let mut profile = Profile::from_toml_str(&text, base).map_err(|e| match e {
            ProfileError::Parse { message, .. } => ProfileError::Parse {
                path: path.to_path_buf(),
                message,
            },
            other => other,
        })?;
        profile.source = Some(path.to_path_buf());
        Ok(profile)
    }

    /// Parse profile text; relative paths resolve against `base`.
    pub fn from_toml_str(text: &str, base: &Path) -> Result<Profile, ProfileError> {
        // The message names the line but never quotes it: the line may hold
        // a password.
        let raw: RawProfile = toml::from_str(text).map_err(|e| ProfileError::Parse {
            path: PathBuf::from("<string>"),
            message: crate::state::describe_toml_error(text, &e),
        })?;
        let RawProfile {
            token,
            signing,
            authentication,
            card_info,
            options,
        } = raw;
        if token.is_empty() || token.len() > 32 || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ProfileError::Invalid {
                field: "token",
                reason: "must be 1 to 32 printable ASCII characters without spaces".into(),
            });
        }
        let signing = load_slot(
            "signing",
            base,
            &signing.certificate,
            &signing.ca_certificate,
            &signing.private_key,
            Zeroizing::new(signing.password.into_bytes()),
            signing.tries_left,
            ids::SIGNING_PASSWORD_TRIES,
            &options,
        )?;
        let authentication = match authentication {
            None => None,
            Some(a) => Some(load_slot(
                "authentication",
                base,
                &a.certificate,
                &a.ca_certificate,
                &a.private_key,
                Zeroizing::new(a.pin.into_bytes()),
                a.tries_left,
                ids::AUTHENTICATION_PIN_TRIES,
                &options,
            )?),
        };
        let card_info = match card_info {
            None => None,
            Some(c) => Some(card_info_from(c)?),
        };
        Ok(Profile {
            token,
            signing,
            authentication,
            card_info,
            options,
            source: None,
        })
    }
}

fn resolve(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

fn read_file(field: &'static str, path: &Path) -> Result<Vec<u8>, ProfileError> {
    std::fs::read(path).map_err(|source| ProfileError::MissingFile {
        field,
        path: path.to_path_buf(),
        source,
    })
}

/// The size of the outer DER TLV at the start of `der`, if it is a SEQUENCE
/// with a definite length that fits in `der`.
pub(crate) fn der_sequence_len(der: &[u8]) -> Result<usize, String> {
    if der.first() != Some(&0x30) {
        return Err("does not start with a SEQUENCE (30)".into());
    }
    let first = *der.get(1).ok_or("truncated length")?;
    let (header, body) = if first < 0x80 {
        (2usize, usize::from(first))
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 3 {
            return Err(format!("unsupported length form {first:02X}"));
        }
        let bytes = der.get(2..2 + n).ok_or("truncated length")?;
        let len = bytes.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b));
        (2 + n, len)
    };
    let total = header + body;
    if total > der.len() {
        return Err(format!(
            "DER length says {total} bytes, the file has {}",
            der.len()
        ));
    }
    Ok(total)
}

fn read_certificate(
    field: &'static str,
    base: &Path,
    p: &Path,
) -> Result<(PathBuf, Vec<u8>), ProfileError> {
    let path = resolve(base, p);
    let der = read_file(field, &path)?;
    der_sequence_len(&der).map_err(|reason| ProfileError::BadCertificate {
        field,
        path: path.clone(),
        reason,
    })?;
    Ok((path, der))
}

/// DER of the rsaEncryption OID; a real certificate carries it in its
/// SubjectPublicKeyInfo.
const RSA_ENCRYPTION_OID: [u8; 11] = [
    0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01,
];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[allow(clippy::too_many_arguments)]
fn load_slot(
    section: &'static str,
    base: &Path,
    certificate: &Path,
    ca_certificate: &Path,
    private_key: &Path,
    secret: Zeroizing<Vec<u8>>,
    tries_left: Option<u8>,
    max_tries: u8,
    options: &CardOptions,
) -> Result<KeySlot, ProfileError> {
    let (cert_field, ca_field, key_field, secret_field, tries_field) = match section {
        "signing" => (
            "signing.certificate",
            "signing.ca_certificate",
            "signing.private_key",
            "signing.password",
            "signing.tries_left",
        ),
        _ => (
            "authentication.certificate",
            "authentication.ca_certificate",
            "authentication.private_key",
            "authentication.pin",
            "authentication.tries_left",
        ),
    };
    let (cert_path, certificate) = read_certificate(cert_field, base, certificate)?;
    let (_, ca_certificate) = read_certificate(ca_field, base, ca_certificate)?;
    let key_path = resolve(base, private_key);
    let pem = Zeroizing::new(read_file(key_field, &key_path)?);
    let bad_key = |reason: String| ProfileError::BadKey {
        field: key_field,
        path: key_path.clone(),
        reason,
    };
    let pem = std::str::from_utf8(&pem).map_err(|_| bad_key("not UTF-8 text".into()))?;
    let private_key = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| bad_key(e.to_string()))?;
    let bits = private_key.size() * 8;
    if !(1024..=4096).contains(&bits) {
        return Err(bad_key(format!("RSA-{bits}: only 1024..4096 bits")));
    }
    // A real X.509 certificate names its key: it must be this one.
    if !options.allow_key_mismatch && contains(&certificate, &RSA_ENCRYPTION_OID) {
        let public = private_key
            .to_public_key()
            .to_pkcs1_der()
            .map_err(|e| bad_key(e.to_string()))?;
        if !contains(&certificate, public.as_bytes()) {
            return Err(ProfileError::KeyMismatch {
                field: key_field,
                certificate: cert_path,
            });
        }
    }
    check_secret(secret_field, &secret)?;
    let tries_left = check_tries(tries_field, tries_left, max_tries)?;
    Ok(KeySlot {
        certificate,
        ca_certificate,
        private_key,
        secret,
        tries_left,
    })
}

fn check_secret(field: &'static str, secret: &[u8]) -> Result<(), ProfileError> {
    if secret.is_empty() || secret.len() > 255 {
        return Err(ProfileError::Invalid {
            field,
            reason: "must be 1 to 255 bytes".into(),
        });
    }
    Ok(())
}

fn check_tries(field: &'static str, tries: Option<u8>, max: u8) -> Result<u8, ProfileError> {
    let tries = tries.unwrap_or(max);
    if tries > max {
        return Err(ProfileError::Invalid {
            field,
            reason: format!("{tries} is more than the card's limit of {max}"),
        });
    }
    Ok(tries)
}

/// Check digit of a My Number (個人番号) over its first 11 digits.
pub fn my_number_check_digit(first11: &[u8; 11]) -> u8 {
    let sum: u32 = (1..=11u32)
        .map(|n| {
            let p = u32::from(first11[11 - n as usize] - b'0');
            let q = if n <= 6 { n + 1 } else { n - 5 };
            p * q
        })
        .sum();
    let r = sum % 11;
    if r <= 1 { 0 } else { (11 - r) as u8 }
}

/// The default My Number of a profile that gives none: 12345678901 + its
/// check digit.
fn default_my_number() -> String {
    let first = *b"12345678901";
    let mut s = String::from_utf8(first.to_vec()).unwrap_or_default();
    s.push(char::from(b'0' + my_number_check_digit(&first)));
    s
}

fn card_info_from(c: RawCardInfo) -> Result<CardInfo, ProfileError> {
    let pin = Zeroizing::new(c.pin.into_bytes());
    check_secret("card_info.pin", &pin)?;
    let tries_left = check_tries(
        "card_info.tries_left",
        c.tries_left,
        ids::CARD_INFO_PIN_TRIES,
    )?;
    if c.birth_date.len() != 8 || !c.birth_date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ProfileError::Invalid {
            field: "card_info.birth_date",
            reason: "must be YYYYMMDD (8 digits)".into(),
        });
    }
    if c.sex.len() != 1 || !c.sex.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ProfileError::Invalid {
            field: "card_info.sex",
            reason: "must be one digit (1 male, 2 female, 9 not applicable)".into(),
        });
    }
    // Each value must fit a TLV whose offsets the DF21 table can express.
    for (field, v) in [
        ("card_info.name", &c.name),
        ("card_info.address", &c.address),
    ] {
        if v.len() > 4096 {
            return Err(ProfileError::Invalid {
                field,
                reason: "longer than 4096 bytes".into(),
            });
        }
    }
    let my_number = match c.my_number {
        None => default_my_number(),
        Some(n) if n.len() == 12 && n.bytes().all(|b| b.is_ascii_digit()) => n,
        Some(_) => {
            return Err(ProfileError::Invalid {
                field: "card_info.my_number",
                reason: "must be 12 digits".into(),
            });
        }
    };
    Ok(CardInfo {
        pin,
        tries_left,
        name: c.name,
        address: c.address,
        birth_date: c.birth_date,
        sex: c.sex,
        my_number,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit() {
        // 12345678901 → weights from the right: 2..7 then 2..6.
        assert_eq!(my_number_check_digit(b"12345678901"), 8);
        assert_eq!(default_my_number(), "123456789018");
    }

    #[test]
    fn der_lengths() {
        assert_eq!(der_sequence_len(&[0x30, 0x00]), Ok(2));
        assert_eq!(der_sequence_len(&[0x30, 0x01, 0x05, 0xFF]), Ok(3));
        let mut long = vec![0x30, 0x82, 0x01, 0x00];
        long.resize(4 + 256, 0);
        assert_eq!(der_sequence_len(&long), Ok(260));
        assert!(der_sequence_len(&long[..100]).is_err());
        assert!(der_sequence_len(&[0x31, 0x00]).is_err());
        assert!(der_sequence_len(&[0x30]).is_err());
        assert!(der_sequence_len(&[0x30, 0x80]).is_err());
    }
}
