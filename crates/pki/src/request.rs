//! The request document: what the resident signs.
//!
//! A request document states one procedure (revocation or validity check) for one signing
//! certificate. It is canonical JSON: UTF-8, the keys in the fixed order of the structs below,
//! no insignificant whitespace, strings escaped exactly as [`serde_json`] writes them (only `"`,
//! `\` and control characters are escaped; everything else, Japanese included, is written as
//! UTF-8). Two parties that build the same document therefore get the same bytes, and
//! [`RequestDocument::parse`] accepts a byte string only if re-encoding what it read gives those
//! very bytes back.
//!
//! ```json
//! {"version":1,"procedure":"revocation","addressee":"…","holder":{"name":"…",
//!  "name_substitute":"","sex":"1","birth_date":"319330810","address":"…",
//!  "address_substitute":""},"certificate":{"issuer":"CN=…,O=JPKI,C=JP","serial":"1f"},
//!  "challenge":"…","created_at":"2026-11-21T05:40:00Z"}
//! ```
//!
//! (Shown wrapped; the real document is one line.) `docs/protocol.md` is the normative copy.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The version of the request document this crate writes and reads.
pub const REQUEST_VERSION: u32 = 1;

/// Longest request document accepted, in bytes.
pub const MAX_DOCUMENT_LEN: usize = 16 * 1024;

/// Longest text field (name, address, addressee, issuer …), in bytes.
pub const MAX_TEXT_LEN: usize = 1024;

/// Challenge length bounds (characters of `[A-Za-z0-9_-]`).
pub const CHALLENGE_MIN_LEN: usize = 16;
/// See [`CHALLENGE_MIN_LEN`].
pub const CHALLENGE_MAX_LEN: usize = 128;

/// The two procedures of the online window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// 自己の電子証明書の失効申請 (manual chapter 2).
    Revocation,
    /// 自己の電子証明書の有効性確認 (manual chapter 3).
    ValidityCheck,
}

impl Procedure {
    /// The wire name (`revocation`, `validity_check`).
    pub fn as_str(self) -> &'static str {
        match self {
            Procedure::Revocation => "revocation",
            Procedure::ValidityCheck => "validity_check",
        }
    }

    /// The manual's name of the procedure (手続名).
    pub fn title_ja(self) -> &'static str {
        match self {
            Procedure::Revocation => "自己の電子証明書の失効申請",
            Procedure::ValidityCheck => "自己の電子証明書の有効性確認",
        }
    }
}

impl std::fmt::Display for Procedure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Procedure {
    type Err = RequestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "revocation" => Ok(Procedure::Revocation),
            "validity_check" => Ok(Procedure::ValidityCheck),
            _ => Err(RequestError::Field {
                field: "procedure",
                reason: "must be `revocation` or `validity_check`",
            }),
        }
    }
}

/// The holder facts as they stand in the signing certificate's subjectAltName
/// (`1.2.392.200149.8.5.5.1` … `.6`), copied verbatim: the server compares them with the
/// certificate, so nothing is normalised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestHolder {
    /// 氏名 (`…5.5.1`).
    pub name: String,
    /// 氏名代替文字 (`…5.5.2`), empty when the certificate has none or an empty one.
    pub name_substitute: String,
    /// 性別 (`…5.5.3`), as stored (e.g. `1`, `2`, `3`, `9`).
    pub sex: String,
    /// 生年月日 (`…5.5.4`), as stored: `EYYYYMMDD`.
    pub birth_date: String,
    /// 住所 (`…5.5.5`).
    pub address: String,
    /// 住所代替文字 (`…5.5.6`), empty when absent.
    pub address_substitute: String,
}

/// Which certificate the request is about: its issuer (RFC 4514 string of the issuer name, as
/// [`x509_cert::name::Name`]'s `Display` writes it) and serial number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateRef {
    /// RFC 4514 form of the certificate's issuer name.
    pub issuer: String,
    /// The serial number: lowercase hex of its unsigned big-endian bytes, no leading `00`
    /// byte, at least one byte (serial 1 → `"01"`). See [`serial_hex`].
    pub serial: String,
}

/// The request document. Field order here is the canonical key order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestDocument {
    /// Document format version, [`REQUEST_VERSION`].
    pub version: u32,
    /// Which procedure is asked for.
    pub procedure: Procedure,
    /// 宛先: to whom the request is addressed (from the certificate's issuer, e.g.
    /// `地方公共団体情報システム機構理事長殿`).
    pub addressee: String,
    /// Holder facts from the certificate.
    pub holder: RequestHolder,
    /// The certificate the request is about (the one that signs it).
    pub certificate: CertificateRef,
    /// The server challenge (`POST /v1/challenges`), single use.
    pub challenge: String,
    /// When the document was made: RFC 3339, UTC, whole seconds, `Z`.
    pub created_at: String,
}

/// Why a request document was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    /// More than [`MAX_DOCUMENT_LEN`] bytes.
    #[error("request document is {0} bytes, more than the limit")]
    TooLong(usize),
    /// Not UTF-8.
    #[error("request document is not UTF-8")]
    NotUtf8,
    /// Not JSON of the expected shape (unknown, missing or duplicate keys, wrong types).
    #[error("request document is not valid: {0}")]
    Json(String),
    /// Valid JSON, but not the canonical encoding (key order, whitespace, escapes).
    #[error("request document is not in canonical form")]
    NotCanonical,
    /// A version this crate does not know.
    #[error("request document version {0} is not supported")]
    UnsupportedVersion(u32),
    /// A field breaks its rule.
    #[error("field `{field}` {reason}")]
    Field {
        /// JSON key.
        field: &'static str,
        /// The rule broken.
        reason: &'static str,
    },
}

impl RequestDocument {
    /// Builds a document; `created_at` is truncated to whole seconds and written in UTC.
    pub fn new(
        procedure: Procedure,
        addressee: impl Into<String>,
        holder: RequestHolder,
        certificate: CertificateRef,
        challenge: impl Into<String>,
        created_at: OffsetDateTime,
    ) -> Result<Self, RequestError> {
        let doc = RequestDocument {
            version: REQUEST_VERSION,
            procedure,
            addressee: addressee.into(),
            holder,
            certificate,
            challenge: challenge.into(),
            created_at: format_time(created_at),
        };
        doc.validate()?;
        Ok(doc)
    }

    /// The canonical bytes (what gets signed).
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        // Serialising plain structs of strings cannot fail.
        serde_json::to_vec(self).expect("request document serialises")
    }

    /// Parses and validates canonical bytes; refuses anything not canonical.
    pub fn parse(bytes: &[u8]) -> Result<Self, RequestError> {
        if bytes.len() > MAX_DOCUMENT_LEN {
            return Err(RequestError::TooLong(bytes.len()));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| RequestError::NotUtf8)?;
        let doc: RequestDocument =
            serde_json::from_str(text).map_err(|e| RequestError::Json(e.to_string()))?;
        if doc.version != REQUEST_VERSION {
            return Err(RequestError::UnsupportedVersion(doc.version));
        }
        doc.validate()?;
        if doc.to_canonical_bytes() != bytes {
            return Err(RequestError::NotCanonical);
        }
        Ok(doc)
    }

    /// `created_at` as a time value.
    pub fn created_at_time(&self) -> Result<OffsetDateTime, RequestError> {
        parse_time(&self.created_at).ok_or(RequestError::Field {
            field: "created_at",
            reason: "must be RFC 3339 UTC with whole seconds and `Z`",
        })
    }

    /// Checks every field rule.
    pub fn validate(&self) -> Result<(), RequestError> {
        if self.version != REQUEST_VERSION {
            return Err(RequestError::UnsupportedVersion(self.version));
        }
        text_field("addressee", &self.addressee, false)?;
        let h = &self.holder;
        text_field("holder.name", &h.name, false)?;
        text_field("holder.name_substitute", &h.name_substitute, true)?;
        text_field("holder.sex", &h.sex, false)?;
        text_field("holder.address", &h.address, false)?;
        text_field("holder.address_substitute", &h.address_substitute, true)?;
        let bd = h.birth_date.as_bytes();
        if bd.len() != 9 || !bd.iter().all(u8::is_ascii_digit) {
            return Err(RequestError::Field {
                field: "holder.birth_date",
                reason: "must be EYYYYMMDD (nine digits)",
            });
        }
        text_field("certificate.issuer", &self.certificate.issuer, false)?;
        let s = self.certificate.serial.as_bytes();
        if s.is_empty()
            || !s.len().is_multiple_of(2)
            || s.len() > 64
            || !s.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
            || (s.len() > 2 && s.starts_with(b"00"))
        {
            return Err(RequestError::Field {
                field: "certificate.serial",
                reason: "must be lowercase hex of the serial's bytes without a leading 00 byte",
            });
        }
        let c = self.challenge.as_bytes();
        if !(CHALLENGE_MIN_LEN..=CHALLENGE_MAX_LEN).contains(&c.len())
            || !c
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        {
            return Err(RequestError::Field {
                field: "challenge",
                reason: "must be 16-128 characters of A-Z a-z 0-9 - _",
            });
        }
        self.created_at_time()?;
        Ok(())
    }
}

fn text_field(field: &'static str, value: &str, may_be_empty: bool) -> Result<(), RequestError> {
    if value.is_empty() && !may_be_empty {
        return Err(RequestError::Field {
            field,
            reason: "must not be empty",
        });
    }
    if value.len() > MAX_TEXT_LEN {
        return Err(RequestError::Field {
            field,
            reason: "is too long",
        });
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(RequestError::Field {
            field,
            reason: "must not contain control characters",
        });
    }
    Ok(())
}

/// Formats a time the way the protocol writes every timestamp: RFC 3339, UTC, whole seconds,
/// `Z` (e.g. `2026-11-21T05:40:00Z`).
pub fn format_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).expect("0 ns is valid");
    t.format(&Rfc3339)
        .expect("RFC 3339 formatting of a UTC time")
}

/// Parses a protocol timestamp; `None` unless it is exactly in [`format_time`]'s form.
pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    (format_time(t) == s).then_some(t)
}

/// The canonical hex form of a serial number given as DER INTEGER content bytes (or any
/// big-endian unsigned bytes): leading zero bytes dropped, lowercase, at least `"00"`.
pub fn serial_hex(bytes: &[u8]) -> String {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let trimmed = &bytes[first..];
    if trimmed.is_empty() {
        "00".to_owned()
    } else {
        hex::encode(trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> RequestHolder {
        RequestHolder {
            name: "吉田 太郎".into(),
            name_substitute: String::new(),
            sex: "1".into(),
            birth_date: "319330810".into(),
            address: "東京都千代田区霞が関2丁目1番地2号 霞が関マンション".into(),
            address_substitute: String::new(),
        }
    }

    fn doc(procedure: Procedure) -> RequestDocument {
        RequestDocument::new(
            procedure,
            "地方公共団体情報システム機構理事長殿",
            holder(),
            CertificateRef {
                issuer: "OU=JPKI for digital signature,O=JPKI,C=JP".into(),
                serial: "1f2e".into(),
            },
            "0123456789abcdef0123456789abcdef",
            time::macros::datetime!(2026-11-21 14:40:00.25 +09:00),
        )
        .unwrap()
    }

    #[test]
    fn canonical_bytes_have_fixed_key_order_and_no_whitespace() {
        let bytes = doc(Procedure::Revocation).to_canonical_bytes();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert_eq!(
            text,
            "{\"version\":1,\"procedure\":\"revocation\",\"addressee\":\"地方公共団体情報システム機構理事長殿\",\
             \"holder\":{\"name\":\"吉田 太郎\",\"name_substitute\":\"\",\"sex\":\"1\",\"birth_date\":\"319330810\",\
             \"address\":\"東京都千代田区霞が関2丁目1番地2号 霞が関マンション\",\"address_substitute\":\"\"},\
             \"certificate\":{\"issuer\":\"OU=JPKI for digital signature,O=JPKI,C=JP\",\"serial\":\"1f2e\"},\
             \"challenge\":\"0123456789abcdef0123456789abcdef\",\"created_at\":\"2026-11-21T05:40:00Z\"}"
        );
    }

    #[test]
    fn both_procedures_round_trip() {
        for p in [Procedure::Revocation, Procedure::ValidityCheck] {
            let d = doc(p);
            let back = RequestDocument::parse(&d.to_canonical_bytes()).unwrap();
            assert_eq!(back, d);
            assert_eq!(back.procedure, p);
        }
        assert!(
            String::from_utf8(doc(Procedure::ValidityCheck).to_canonical_bytes())
                .unwrap()
                .contains("\"procedure\":\"validity_check\"")
        );
    }

    #[test]
    fn non_canonical_forms_are_refused() {
        let canon = String::from_utf8(doc(Procedure::Revocation).to_canonical_bytes()).unwrap();
        // whitespace
        let spaced = canon.replacen(",\"procedure\"", ", \"procedure\"", 1);
        assert_eq!(
            RequestDocument::parse(spaced.as_bytes()),
            Err(RequestError::NotCanonical)
        );
        // pretty-printed
        let v: RequestDocument = serde_json::from_str(&canon).unwrap();
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        assert_eq!(
            RequestDocument::parse(pretty.as_bytes()),
            Err(RequestError::NotCanonical)
        );
        // key order swapped
        let swapped = canon.replacen(
            "\"version\":1,\"procedure\":\"revocation\"",
            "\"procedure\":\"revocation\",\"version\":1",
            1,
        );
        assert_eq!(
            RequestDocument::parse(swapped.as_bytes()),
            Err(RequestError::NotCanonical)
        );
        // escaped instead of raw UTF-8
        let escaped = canon.replacen("吉", "\\u5409", 1);
        assert_eq!(
            RequestDocument::parse(escaped.as_bytes()),
            Err(RequestError::NotCanonical)
        );
        // trailing newline
        let trailing = format!("{canon}\n");
        assert_eq!(
            RequestDocument::parse(trailing.as_bytes()),
            Err(RequestError::NotCanonical)
        );
    }

    #[test]
    fn wrong_fields_are_refused() {
        let canon = String::from_utf8(doc(Procedure::Revocation).to_canonical_bytes()).unwrap();
        let unknown = canon.replacen("{\"version\":1,", "{\"version\":1,\"extra\":0,", 1);
        assert!(matches!(
            RequestDocument::parse(unknown.as_bytes()),
            Err(RequestError::Json(_))
        ));
        let missing = canon.replacen(
            ",\"addressee\":\"地方公共団体情報システム機構理事長殿\"",
            "",
            1,
        );
        assert!(matches!(
            RequestDocument::parse(missing.as_bytes()),
            Err(RequestError::Json(_))
        ));
        let duplicate = canon.replacen("{\"version\":1,", "{\"version\":1,\"version\":1,", 1);
        assert!(matches!(
            RequestDocument::parse(duplicate.as_bytes()),
            Err(RequestError::Json(_))
        ));
        let bad_proc = canon.replacen("\"revocation\"", "\"revoke\"", 1);
        assert!(matches!(
            RequestDocument::parse(bad_proc.as_bytes()),
            Err(RequestError::Json(_))
        ));
        let v2 = canon.replacen("\"version\":1", "\"version\":2", 1);
        assert_eq!(
            RequestDocument::parse(v2.as_bytes()),
            Err(RequestError::UnsupportedVersion(2))
        );
        let wrong_type = canon.replacen("\"version\":1", "\"version\":\"1\"", 1);
        assert!(matches!(
            RequestDocument::parse(wrong_type.as_bytes()),
            Err(RequestError::Json(_))
        ));
        assert_eq!(
            RequestDocument::parse(b"\xff\xfe"),
            Err(RequestError::NotUtf8)
        );
        assert!(matches!(
            RequestDocument::parse(&vec![b' '; MAX_DOCUMENT_LEN + 1]),
            Err(RequestError::TooLong(_))
        ));
    }

    #[test]
    fn field_rules() {
        let mut d = doc(Procedure::Revocation);
        d.holder.birth_date = "S33.8.10".into();
        assert!(matches!(
            d.validate(),
            Err(RequestError::Field {
                field: "holder.birth_date",
                ..
            })
        ));
        let mut d = doc(Procedure::Revocation);
        d.certificate.serial = "001f".into();
        assert!(d.validate().is_err());
        d.certificate.serial = "1F".into();
        assert!(d.validate().is_err());
        d.certificate.serial = "f".into();
        assert!(d.validate().is_err());
        d.certificate.serial = "00".into();
        assert!(d.validate().is_ok());
        let mut d = doc(Procedure::Revocation);
        d.challenge = "short".into();
        assert!(d.validate().is_err());
        d.challenge = "0123456789abcdef/0123456789abcdef".into();
        assert!(d.validate().is_err());
        let mut d = doc(Procedure::Revocation);
        d.created_at = "2026-11-21T14:40:00+09:00".into();
        assert!(d.validate().is_err());
        d.created_at = "2026-11-21T05:40:00.5Z".into();
        assert!(d.validate().is_err());
        let mut d = doc(Procedure::Revocation);
        d.holder.name = "吉田\n太郎".into();
        assert!(d.validate().is_err());
        d.holder.name = String::new();
        assert!(d.validate().is_err());
        let mut d = doc(Procedure::Revocation);
        d.holder.name_substitute = "外字".into();
        assert!(d.validate().is_ok());
    }

    #[test]
    fn serial_hex_form() {
        assert_eq!(serial_hex(&[0x00, 0x80, 0x01]), "8001");
        assert_eq!(serial_hex(&[0x01]), "01");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[]), "00");
    }

    #[test]
    fn times() {
        let t = parse_time("2026-11-21T05:40:00Z").unwrap();
        assert_eq!(format_time(t), "2026-11-21T05:40:00Z");
        assert!(parse_time("2026-11-21T05:40:00+00:00").is_none());
        assert!(parse_time("2026-11-21 05:40:00Z").is_none());
        assert!(parse_time("garbage").is_none());
    }

    #[test]
    fn procedure_names() {
        assert_eq!("revocation".parse::<Procedure>(), Ok(Procedure::Revocation));
        assert_eq!(
            "validity_check".parse::<Procedure>(),
            Ok(Procedure::ValidityCheck)
        );
        assert!("x".parse::<Procedure>().is_err());
        assert_eq!(
            Procedure::Revocation.title_ja(),
            "自己の電子証明書の失効申請"
        );
    }
}
