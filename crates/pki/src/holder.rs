//! The holder's facts (基本4情報) in the signing certificate's subjectAltName.
//!
//! The signing certificate carries six `otherName` entries, each
//! `A0 { 06 <type-id>, A0 { <string> } }` (reference §6.1):
//!
//! | OID | field | content |
//! |---|---|---|
//! | `1.2.392.200149.8.5.5.1` | 氏名 name | family name, U+3000, given name |
//! | `1.2.392.200149.8.5.5.2` | 氏名代替文字 | one digit per character of the name, `1` = substitute character |
//! | `1.2.392.200149.8.5.5.3` | 性別 sex | `1` male, `2` female, `9` not applicable |
//! | `1.2.392.200149.8.5.5.4` | 生年月日 birth date | `EYYYYMMDD`: era digit + Gregorian date |
//! | `1.2.392.200149.8.5.5.5` | 住所 address | |
//! | `1.2.392.200149.8.5.5.6` | 住所代替文字 | as for the name |
//!
//! The certificate comes from the card, so everything here is untrusted input: every
//! problem is a typed [`HolderError`], nothing panics. The string inside the `[0]` wrapper is
//! expected to be a UTF8String; PrintableString, IA5String, VisibleString, BMPString and
//! UniversalString are accepted too, and a value whose `[0]` wrapper is missing is read as
//! the bare string. The two substitute entries may be absent. Other `otherName` types and
//! other kinds of names in the subjectAltName are ignored.

use crate::era::{Era, JapaneseDate, format_en, format_gregorian, format_ja};
use crate::request::RequestHolder;
use serde::{Serialize, Serializer};
use std::fmt;
use time::{Date, Month};
use x509_parser::asn1_rs::{Any, Class, FromDer};

/// The `otherName` type-ids (dotted form).
pub mod oids {
    /// 氏名
    pub const NAME: &str = "1.2.392.200149.8.5.5.1";
    /// 氏名代替文字の使用位置情報
    pub const NAME_SUBSTITUTE: &str = "1.2.392.200149.8.5.5.2";
    /// 性別
    pub const SEX: &str = "1.2.392.200149.8.5.5.3";
    /// 生年月日
    pub const BIRTH_DATE: &str = "1.2.392.200149.8.5.5.4";
    /// 住所
    pub const ADDRESS: &str = "1.2.392.200149.8.5.5.5";
    /// 住所代替文字の使用位置情報
    pub const ADDRESS_SUBSTITUTE: &str = "1.2.392.200149.8.5.5.6";
}

/// One of the six holder entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HolderField {
    Name,
    NameSubstitute,
    Sex,
    BirthDate,
    Address,
    AddressSubstitute,
}

impl HolderField {
    pub const ALL: [HolderField; 6] = [
        HolderField::Name,
        HolderField::NameSubstitute,
        HolderField::Sex,
        HolderField::BirthDate,
        HolderField::Address,
        HolderField::AddressSubstitute,
    ];

    pub const fn oid(self) -> &'static str {
        match self {
            HolderField::Name => oids::NAME,
            HolderField::NameSubstitute => oids::NAME_SUBSTITUTE,
            HolderField::Sex => oids::SEX,
            HolderField::BirthDate => oids::BIRTH_DATE,
            HolderField::Address => oids::ADDRESS,
            HolderField::AddressSubstitute => oids::ADDRESS_SUBSTITUTE,
        }
    }

    pub fn from_oid(oid: &str) -> Option<HolderField> {
        HolderField::ALL.into_iter().find(|f| f.oid() == oid)
    }

    /// [`HolderField::from_oid`] for a decoded OID, without writing it out as text (a server
    /// reads these from every request's certificate).
    pub fn from_object_identifier(oid: &const_oid::ObjectIdentifier) -> Option<HolderField> {
        use const_oid::ObjectIdentifier as Oid;
        // Decoded at compile time, each beside its field.
        const DECODED: [(Oid, HolderField); 6] = [
            (Oid::new_unwrap(oids::NAME), HolderField::Name),
            (
                Oid::new_unwrap(oids::NAME_SUBSTITUTE),
                HolderField::NameSubstitute,
            ),
            (Oid::new_unwrap(oids::SEX), HolderField::Sex),
            (Oid::new_unwrap(oids::BIRTH_DATE), HolderField::BirthDate),
            (Oid::new_unwrap(oids::ADDRESS), HolderField::Address),
            (
                Oid::new_unwrap(oids::ADDRESS_SUBSTITUTE),
                HolderField::AddressSubstitute,
            ),
        ];
        DECODED.iter().find(|(d, _)| d == oid).map(|(_, f)| *f)
    }

    /// Whether a certificate without this entry still has usable holder facts.
    pub const fn optional(self) -> bool {
        matches!(
            self,
            HolderField::NameSubstitute | HolderField::AddressSubstitute
        )
    }
}

impl fmt::Display for HolderField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            HolderField::Name => "name",
            HolderField::NameSubstitute => "name substitute characters",
            HolderField::Sex => "sex",
            HolderField::BirthDate => "birth date",
            HolderField::Address => "address",
            HolderField::AddressSubstitute => "address substitute characters",
        };
        write!(f, "{s} ({})", self.oid())
    }
}

/// Why an `otherName` value could not be read as a string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("not a DER string value")]
    Malformed,
    #[error("bytes after the string value")]
    TrailingData,
    #[error("unsupported string type (universal tag {0})")]
    UnsupportedType(u32),
    #[error("the string's bytes are not valid for its type")]
    InvalidEncoding,
}

/// Why a birth date `EYYYYMMDD` was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BirthDateError {
    #[error("expected 9 characters (EYYYYMMDD), got {0}")]
    Length(usize),
    #[error("expected ASCII digits only")]
    NotDigits,
    #[error("no such day: {0}")]
    NoSuchDay(String),
}

/// Why the holder facts could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HolderError {
    #[error("the certificate has no subjectAltName: no holder facts (not a signing certificate?)")]
    NoSubjectAltName,
    #[error("the certificate has more than one subjectAltName extension")]
    DuplicateSubjectAltName,
    #[error("the subjectAltName cannot be decoded: {0}")]
    InvalidSubjectAltName(String),
    #[error("the {0} entry is missing")]
    Missing(HolderField),
    #[error("the {0} entry appears more than once")]
    Duplicate(HolderField),
    #[error("the {0} entry is empty")]
    Empty(HolderField),
    #[error("the {field} entry cannot be read: {error}")]
    Value {
        field: HolderField,
        error: ValueError,
    },
    #[error("the birth date is not EYYYYMMDD: {0}")]
    BirthDate(#[from] BirthDateError),
}

/// 性別. Only the code: the words for it are the app's, in its catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// `1`
    Male,
    /// `2`
    Female,
    /// `9` (ISO 5218 / JIS X 0303 適用不能)
    NotApplicable,
    /// Any other value, kept as it was (a secondary source gives `3` = 不明 for the
    /// certificate; the card-info AP uses `9`).
    Other(String),
}

impl Sex {
    pub fn from_code(code: &str) -> Sex {
        match code {
            "1" => Sex::Male,
            "2" => Sex::Female,
            "9" => Sex::NotApplicable,
            other => Sex::Other(other.to_owned()),
        }
    }

    /// The value as stored in the certificate.
    pub fn code(&self) -> &str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::NotApplicable => "9",
            Sex::Other(s) => s,
        }
    }
}

impl Serialize for Sex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// 生年月日, decoded from `EYYYYMMDD`.
///
/// A date may be partial: the profile writes an unknown month or day as `00`
/// (月日不詳, 日不詳) and an unknown year as `0000`, and the era digit `0`
/// means the era is unknown (reference §13, citing the J-LIS profile 3.2).
/// A partial date is shown as such, never completed: [`BirthDate::gregorian`]
/// is `None` for it, so an age check fails closed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BirthDate {
    /// The day, in the Gregorian calendar, when year, month and day are all
    /// given; `None` for a partial date.
    pub gregorian: Option<Date>,
    /// The Gregorian year, month and day as far as given.
    pub year: Option<i32>,
    pub month: Option<Month>,
    pub day: Option<u8>,
    /// The era the certificate states (its first digit); `None` for `0` (unknown) or a
    /// digit that names no era yet. Display uses the era computed from the date (see
    /// [`BirthDate::japanese`]); [`BirthDate::era_consistent`] tells whether they agree.
    pub era: Option<Era>,
    raw: String,
}

/// Written for an unknown year, month or day.
const UNKNOWN: u32 = 0;

impl BirthDate {
    /// Parse `EYYYYMMDD`: nine ASCII digits, an era digit then a Gregorian date whose
    /// day (`00`), month and day (`0000`), or all of it (`00000000`) may be unknown.
    pub fn parse(raw: &str) -> Result<BirthDate, BirthDateError> {
        let count = raw.chars().count();
        if count != 9 {
            return Err(BirthDateError::Length(count));
        }
        if !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BirthDateError::NotDigits);
        }
        // All ASCII from here, so byte slicing is safe.
        let num = |r: std::ops::Range<usize>| -> u32 {
            raw[r]
                .bytes()
                .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
        };
        let (year, month, day) = (num(1..5), num(5..7), num(7..9));
        let no_such_day = || BirthDateError::NoSuchDay(raw[1..].to_owned());
        // Unknown parts run from the end: a known day needs a known month,
        // a known month a known year.
        if (year == UNKNOWN && month != UNKNOWN) || (month == UNKNOWN && day != UNKNOWN) {
            return Err(no_such_day());
        }
        let era = raw.chars().next().and_then(Era::from_code);
        let known_year = (year != UNKNOWN)
            .then(|| i32::try_from(year).map_err(|_| no_such_day()))
            .transpose()?;
        let known_month = (month != UNKNOWN)
            .then(|| {
                u8::try_from(month)
                    .ok()
                    .and_then(|m| Month::try_from(m).ok())
                    .ok_or_else(no_such_day)
            })
            .transpose()?;
        let known_day = (day != UNKNOWN)
            .then(|| u8::try_from(day).map_err(|_| no_such_day()))
            .transpose()?;
        let gregorian = match (known_year, known_month, known_day) {
            (Some(y), Some(m), Some(d)) => {
                Some(Date::from_calendar_date(y, m, d).map_err(|_| no_such_day())?)
            }
            _ => None,
        };
        Ok(BirthDate {
            gregorian,
            year: known_year,
            month: known_month,
            day: known_day,
            era,
            raw: raw.to_owned(),
        })
    }

    /// The value as stored in the certificate (`319580810`).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Whether year, month and day are all given.
    pub fn is_complete(&self) -> bool {
        self.gregorian.is_some()
    }

    /// The day in its era, computed from the Gregorian date; `None` before 1873 and for a
    /// partial date.
    pub fn japanese(&self) -> Option<JapaneseDate> {
        self.gregorian.and_then(JapaneseDate::from_gregorian)
    }

    /// First and last day the (partial) date may stand for.
    fn span(&self) -> Option<(Date, Date)> {
        let year = self.year?;
        let (first, last) = match self.month {
            Some(m) => (m, m),
            None => (Month::January, Month::December),
        };
        let start = Date::from_calendar_date(year, first, 1).ok()?;
        let end = Date::from_calendar_date(year, last, last.length(year)).ok()?;
        Some((start, end))
    }

    /// The era of a partial date and its year in it: the stated era when the
    /// span can fall in it (a year or month of an era change), else the era
    /// the span starts in. `None` before 1873 or when the year is unknown.
    fn partial_era(&self) -> Option<(Era, i32)> {
        let (start, end) = self.span()?;
        if start < crate::era::FIRST_ERA_DATE {
            return None;
        }
        let candidates = [Era::of(start)?, Era::of(end)?];
        let era = match self.era {
            Some(stated) if candidates.contains(&stated) => stated,
            _ => candidates[0],
        };
        Some((era, start.year() - era.start().year() + 1))
    }

    /// `昭和33年8月10日`; partial: `昭和33年 月日不詳`, `昭和33年8月 日不詳`,
    /// `生年月日不詳` (Gregorian years before 1873).
    pub fn to_ja_string(&self) -> String {
        if let Some(d) = self.gregorian {
            return format_ja(d);
        }
        let Some(year) = self.year else {
            return "生年月日不詳".to_owned();
        };
        let year = match self.partial_era() {
            Some((era, 1)) => format!("{}元年", era.kanji()),
            Some((era, n)) => format!("{}{n}年", era.kanji()),
            None => format!("{year}年"),
        };
        match self.month {
            Some(m) => format!("{year}{}月 日不詳", u8::from(m)),
            None => format!("{year} 月日不詳"),
        }
    }

    /// `10 August Showa 33 (1958)`; partial: `Showa 33 (1958), month and day
    /// unknown`, `August Showa 33 (1958), day unknown`, `unknown`.
    pub fn to_en_string(&self) -> String {
        if let Some(d) = self.gregorian {
            return format_en(d);
        }
        let Some(year) = self.year else {
            return "unknown".to_owned();
        };
        let year = match self.partial_era() {
            Some((era, n)) => format!("{} {n} ({year})", era.english()),
            None => year.to_string(),
        };
        match self.month {
            Some(m) => format!("{m} {year}, day unknown"),
            None => format!("{year}, month and day unknown"),
        }
    }

    /// `1958-08-10`; partial: `1958-08`, `1958` (ISO 8601 reduced precision),
    /// `unknown`.
    pub fn to_iso_string(&self) -> String {
        match (self.gregorian, self.year, self.month) {
            (Some(d), _, _) => format_gregorian(d),
            (None, Some(y), Some(m)) => format!("{y:04}-{:02}", u8::from(m)),
            (None, Some(y), None) => format!("{y:04}"),
            (None, None, _) => "unknown".to_owned(),
        }
    }

    /// Whether the stated era digit matches the era of the date. `0` (unknown)
    /// counts as consistent; for a partial date, any era the span can fall in.
    pub fn era_consistent(&self) -> bool {
        if self.raw.starts_with('0') {
            return true;
        }
        let Some(stated) = self.era else {
            return false;
        };
        match (self.gregorian, self.span()) {
            (Some(d), _) => Era::of(d) == Some(stated),
            (None, Some((start, end))) => {
                Era::of(start) == Some(stated) || Era::of(end) == Some(stated)
            }
            (None, None) => true,
        }
    }

    /// The era shown: of the day, or of a partial date.
    fn shown_era(&self) -> Option<Era> {
        match self.gregorian {
            Some(_) => self.japanese().map(|j| j.era),
            None => self.partial_era().map(|(e, _)| e),
        }
    }
}

impl Serialize for BirthDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("BirthDate", 6)?;
        st.serialize_field("raw", &self.raw)?;
        st.serialize_field("gregorian", &self.to_iso_string())?;
        st.serialize_field("era", &self.shown_era())?;
        st.serialize_field("japanese", &self.to_ja_string())?;
        st.serialize_field("english", &self.to_en_string())?;
        st.serialize_field("complete", &self.is_complete())?;
        st.end()
    }
}

/// The four facts (plus the two substitute-character entries) of the holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HolderFacts {
    /// 氏名, as written in the certificate (family name, U+3000, given name).
    pub name: String,
    /// 氏名代替文字 position flags, if the certificate has the entry.
    pub name_substitute: Option<String>,
    pub sex: Sex,
    pub birth_date: BirthDate,
    /// 住所.
    pub address: String,
    /// 住所代替文字 position flags, if the certificate has the entry.
    pub address_substitute: Option<String>,
}

impl HolderFacts {
    /// Build the facts from `(type-id, raw value)` pairs, where the raw value is what
    /// follows the type-id inside `otherName` (normally `A0 len <string>`). Pairs with other
    /// type-ids are ignored.
    pub fn from_other_names<'a, I>(entries: I) -> Result<HolderFacts, HolderError>
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        let mut values: [Option<String>; 6] = Default::default();
        for (oid, raw) in entries {
            let Some(field) = HolderField::from_oid(oid) else {
                continue;
            };
            let slot = &mut values[field as usize];
            if slot.is_some() {
                return Err(HolderError::Duplicate(field));
            }
            let value = decode_other_name_value(raw)
                .map_err(|error| HolderError::Value { field, error })?;
            *slot = Some(value);
        }
        let mut take = |field: HolderField| -> Result<Option<String>, HolderError> {
            match values[field as usize].take() {
                None if field.optional() => Ok(None),
                None => Err(HolderError::Missing(field)),
                Some(v) if v.is_empty() && !field.optional() => Err(HolderError::Empty(field)),
                Some(v) => Ok(Some(v)),
            }
        };
        // Each required field is Some after `take`; fall back to Missing rather than unwrap.
        let required = |v: Option<String>, field| v.ok_or(HolderError::Missing(field));
        let name = required(take(HolderField::Name)?, HolderField::Name)?;
        let name_substitute = take(HolderField::NameSubstitute)?;
        let sex = required(take(HolderField::Sex)?, HolderField::Sex)?;
        let birth = required(take(HolderField::BirthDate)?, HolderField::BirthDate)?;
        let address = required(take(HolderField::Address)?, HolderField::Address)?;
        let address_substitute = take(HolderField::AddressSubstitute)?;
        Ok(HolderFacts {
            name,
            name_substitute,
            sex: Sex::from_code(&sex),
            birth_date: BirthDate::parse(&birth)?,
            address,
            address_substitute,
        })
    }

    /// Character positions (0-based, counted in Unicode scalar values) the name's
    /// substitute entry flags with `1`.
    pub fn name_substitute_positions(&self) -> Vec<usize> {
        self.name_substitute
            .as_deref()
            .map(substitute_positions)
            .unwrap_or_default()
    }

    /// The same for the address.
    pub fn address_substitute_positions(&self) -> Vec<usize> {
        self.address_substitute
            .as_deref()
            .map(substitute_positions)
            .unwrap_or_default()
    }

    /// The facts as the request document carries them: verbatim, substitutes empty when
    /// absent.
    pub fn to_request_holder(&self) -> RequestHolder {
        RequestHolder {
            name: self.name.clone(),
            name_substitute: self.name_substitute.clone().unwrap_or_default(),
            sex: self.sex.code().to_owned(),
            birth_date: self.birth_date.raw().to_owned(),
            address: self.address.clone(),
            address_substitute: self.address_substitute.clone().unwrap_or_default(),
        }
    }
}

/// Positions (0-based, in characters) of the `1` digits in a substitute-position string.
pub fn substitute_positions(flags: &str) -> Vec<usize> {
    flags
        .chars()
        .enumerate()
        .filter(|(_, c)| *c == '1')
        .map(|(i, _)| i)
        .collect()
}

/// Read the string of an `otherName` value: `[0] EXPLICIT <string>` (or the bare string).
pub fn decode_other_name_value(raw: &[u8]) -> Result<String, ValueError> {
    let (rest, outer) = Any::from_der(raw).map_err(|_| ValueError::Malformed)?;
    if !rest.is_empty() {
        return Err(ValueError::TrailingData);
    }
    let inner = if outer.class() == Class::ContextSpecific && outer.tag().0 == 0 {
        if !outer.header.is_constructed() {
            return Err(ValueError::Malformed);
        }
        let (rest, inner) = Any::from_der(outer.data).map_err(|_| ValueError::Malformed)?;
        if !rest.is_empty() {
            return Err(ValueError::TrailingData);
        }
        inner
    } else {
        outer
    };
    if inner.class() != Class::Universal || inner.header.is_constructed() {
        return Err(ValueError::Malformed);
    }
    decode_string(inner.tag().0, inner.data)
}

fn decode_string(tag: u32, data: &[u8]) -> Result<String, ValueError> {
    const UTF8: u32 = 12;
    const PRINTABLE: u32 = 19;
    const IA5: u32 = 22;
    const VISIBLE: u32 = 26;
    const UNIVERSAL: u32 = 28;
    const BMP: u32 = 30;
    match tag {
        UTF8 => String::from_utf8(data.to_vec()).map_err(|_| ValueError::InvalidEncoding),
        PRINTABLE | IA5 | VISIBLE => {
            if data.is_ascii() {
                Ok(data.iter().map(|&b| char::from(b)).collect())
            } else {
                Err(ValueError::InvalidEncoding)
            }
        }
        BMP => {
            if !data.len().is_multiple_of(2) {
                return Err(ValueError::InvalidEncoding);
            }
            let units = data
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .map_err(|_| ValueError::InvalidEncoding)
        }
        UNIVERSAL => {
            if !data.len().is_multiple_of(4) {
                return Err(ValueError::InvalidEncoding);
            }
            data.chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect::<Option<String>>()
                .ok_or(ValueError::InvalidEncoding)
        }
        other => Err(ValueError::UnsupportedType(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn decoded_oids_name_the_same_fields_as_their_text() {
        for f in HolderField::ALL {
            let oid = const_oid::ObjectIdentifier::new_unwrap(f.oid());
            assert_eq!(HolderField::from_object_identifier(&oid), Some(f));
        }
        let other = const_oid::ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.7");
        assert_eq!(HolderField::from_object_identifier(&other), None);
    }

    /// `A0 len <tag len value>` for short values.
    fn wrapped(tag: u8, value: &[u8]) -> Vec<u8> {
        assert!(value.len() < 126);
        let mut v = vec![0xA0, (value.len() + 2) as u8, tag, value.len() as u8];
        v.extend_from_slice(value);
        v
    }

    fn utf8(s: &str) -> Vec<u8> {
        wrapped(0x0C, s.as_bytes())
    }

    fn six() -> Vec<(&'static str, Vec<u8>)> {
        vec![
            (oids::NAME, utf8("吉田　太郎")),
            (oids::BIRTH_DATE, utf8("319580810")),
            (oids::SEX, utf8("1")),
            (oids::ADDRESS, utf8("東京都千代田区")),
            (oids::NAME_SUBSTITUTE, utf8("00000")),
            (oids::ADDRESS_SUBSTITUTE, utf8("0000000")),
        ]
    }

    fn facts(entries: &[(&'static str, Vec<u8>)]) -> Result<HolderFacts, HolderError> {
        HolderFacts::from_other_names(entries.iter().map(|(o, v)| (*o, v.as_slice())))
    }

    #[test]
    fn all_six() {
        let f = facts(&six()).unwrap();
        assert_eq!(f.name, "吉田　太郎");
        assert_eq!(f.sex, Sex::Male);
        assert_eq!(f.birth_date.gregorian, Some(date!(1958 - 08 - 10)));
        assert_eq!(f.birth_date.era, Some(Era::Showa));
        assert!(f.birth_date.era_consistent());
        assert_eq!(f.birth_date.to_ja_string(), "昭和33年8月10日");
        assert_eq!(f.birth_date.to_iso_string(), "1958-08-10");
        assert_eq!(f.address, "東京都千代田区");
        assert_eq!(f.name_substitute.as_deref(), Some("00000"));
        assert!(f.name_substitute_positions().is_empty());
        let r = f.to_request_holder();
        assert_eq!(r.birth_date, "319580810");
        assert_eq!(r.sex, "1");
    }

    #[test]
    fn substitutes_may_be_missing() {
        let e: Vec<_> = six()
            .into_iter()
            .filter(|(o, _)| *o != oids::NAME_SUBSTITUTE && *o != oids::ADDRESS_SUBSTITUTE)
            .collect();
        let f = facts(&e).unwrap();
        assert_eq!(f.name_substitute, None);
        assert_eq!(f.address_substitute, None);
        assert_eq!(f.to_request_holder().name_substitute, "");
    }

    #[test]
    fn required_fields() {
        for field in [
            HolderField::Name,
            HolderField::Sex,
            HolderField::BirthDate,
            HolderField::Address,
        ] {
            let e: Vec<_> = six()
                .into_iter()
                .filter(|(o, _)| *o != field.oid())
                .collect();
            assert_eq!(facts(&e), Err(HolderError::Missing(field)));
            let mut e = six();
            e.iter_mut().find(|(o, _)| *o == field.oid()).unwrap().1 = utf8("");
            assert_eq!(facts(&e), Err(HolderError::Empty(field)));
        }
    }

    #[test]
    fn duplicates_are_refused() {
        let mut e = six();
        e.push((oids::NAME, utf8("別人")));
        assert_eq!(facts(&e), Err(HolderError::Duplicate(HolderField::Name)));
    }

    #[test]
    fn other_entries_are_ignored() {
        let mut e = six();
        e.push(("1.2.392.200149.8.5.5.99", utf8("?")));
        e.push(("1.3.6.1.4.1.311.20.2.3", utf8("upn@example")));
        assert!(facts(&e).is_ok());
    }

    #[test]
    fn other_string_types() {
        // PrintableString, IA5String, VisibleString
        for tag in [0x13, 0x16, 0x1A] {
            assert_eq!(decode_other_name_value(&wrapped(tag, b"1")).unwrap(), "1");
            assert_eq!(
                decode_other_name_value(&wrapped(tag, "é".as_bytes())),
                Err(ValueError::InvalidEncoding)
            );
        }
        // BMPString, including a surrogate pair for 𠮷.
        let bmp: Vec<u8> = "𠮷田"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(
            decode_other_name_value(&wrapped(0x1E, &bmp)).unwrap(),
            "𠮷田"
        );
        assert_eq!(
            decode_other_name_value(&wrapped(0x1E, &bmp[..2])),
            Err(ValueError::InvalidEncoding),
            "lone high surrogate"
        );
        assert_eq!(
            decode_other_name_value(&wrapped(0x1E, &bmp[..3])),
            Err(ValueError::InvalidEncoding)
        );
        // UniversalString
        let ucs4: Vec<u8> = "髙"
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        assert_eq!(
            decode_other_name_value(&wrapped(0x1C, &ucs4)).unwrap(),
            "髙"
        );
        // T61String is not supported.
        assert_eq!(
            decode_other_name_value(&wrapped(0x14, b"x")),
            Err(ValueError::UnsupportedType(20))
        );
        // Missing [0] wrapper: the bare string is accepted.
        assert_eq!(decode_other_name_value(&[0x0C, 0x01, b'2']).unwrap(), "2");
    }

    #[test]
    fn malformed_values() {
        assert_eq!(decode_other_name_value(&[]), Err(ValueError::Malformed));
        assert_eq!(
            decode_other_name_value(&[0xA0, 0x05, 0x0C, 0x01]),
            Err(ValueError::Malformed)
        );
        assert_eq!(
            decode_other_name_value(&[0x0C, 0x01, b'1', 0x00]),
            Err(ValueError::TrailingData)
        );
        assert_eq!(
            decode_other_name_value(&[0xA0, 0x04, 0x0C, 0x01, b'1', 0x00]),
            Err(ValueError::TrailingData)
        );
        assert_eq!(
            decode_other_name_value(&[0xA0, 0x03, 0x0C, 0x01, 0xFF]),
            Err(ValueError::InvalidEncoding)
        );
        // A constructed inner value, and a primitive [0].
        assert_eq!(
            decode_other_name_value(&[0xA0, 0x02, 0x30, 0x00]),
            Err(ValueError::Malformed)
        );
        assert_eq!(
            decode_other_name_value(&[0x80, 0x01, b'1']),
            Err(ValueError::Malformed)
        );
        let mut e = six();
        e[2].1 = vec![0xA0, 0x01];
        assert_eq!(
            facts(&e),
            Err(HolderError::Value {
                field: HolderField::Sex,
                error: ValueError::Malformed
            })
        );
    }

    #[test]
    fn birth_dates() {
        let b = BirthDate::parse("419890108").unwrap();
        assert_eq!(b.gregorian, Some(date!(1989 - 01 - 08)));
        assert_eq!(b.era, Some(Era::Heisei));
        assert_eq!(b.to_ja_string(), "平成元年1月8日");
        assert_eq!(b.to_en_string(), "8 January Heisei 1 (1989)");

        // Unknown era digit: still a date.
        let b = BirthDate::parse("019580810").unwrap();
        assert_eq!(b.era, None);
        assert!(b.era_consistent());
        // A digit no era has yet.
        let b = BirthDate::parse("720500101").unwrap();
        assert_eq!(b.era, None);
        assert!(!b.era_consistent());
        // Stated era disagrees with the date (Heisei digit, Showa day).
        let b = BirthDate::parse("419890107").unwrap();
        assert_eq!(b.era, Some(Era::Heisei));
        assert!(!b.era_consistent());
        assert_eq!(b.to_ja_string(), "昭和64年1月7日");

        assert_eq!(BirthDate::parse("31958081"), Err(BirthDateError::Length(8)));
        assert_eq!(
            BirthDate::parse("3195808100"),
            Err(BirthDateError::Length(10))
        );
        assert_eq!(
            BirthDate::parse("３19580810"),
            Err(BirthDateError::NotDigits)
        );
        assert_eq!(
            BirthDate::parse("3-1958-08"),
            Err(BirthDateError::NotDigits)
        );
        assert_eq!(
            BirthDate::parse("31958-810"),
            Err(BirthDateError::NotDigits)
        );
        assert!(matches!(
            BirthDate::parse("319580230"),
            Err(BirthDateError::NoSuchDay(_))
        ));
        // Partial dates are shown as such, never completed.
        let b = BirthDate::parse("319580000").unwrap();
        assert_eq!(b.gregorian, None);
        assert!(!b.is_complete());
        assert_eq!(b.to_ja_string(), "昭和33年 月日不詳");
        assert_eq!(b.to_en_string(), "Showa 33 (1958), month and day unknown");
        assert_eq!(b.to_iso_string(), "1958");
        assert!(b.era_consistent());
        let b = BirthDate::parse("319580800").unwrap();
        assert_eq!(b.to_ja_string(), "昭和33年8月 日不詳");
        assert_eq!(b.to_en_string(), "August Showa 33 (1958), day unknown");
        assert_eq!(b.to_iso_string(), "1958-08");
        // The year of an era change: the stated era decides.
        assert_eq!(
            BirthDate::parse("419890000").unwrap().to_ja_string(),
            "平成元年 月日不詳"
        );
        assert_eq!(
            BirthDate::parse("319890100").unwrap().to_ja_string(),
            "昭和64年1月 日不詳"
        );
        assert_eq!(
            BirthDate::parse("019890000").unwrap().to_ja_string(),
            "昭和64年 月日不詳"
        );
        assert!(!BirthDate::parse("519580000").unwrap().era_consistent());
        let b = BirthDate::parse("000000000").unwrap();
        assert_eq!(b.to_ja_string(), "生年月日不詳");
        assert_eq!(b.to_iso_string(), "unknown");
        assert_eq!(
            BirthDate::parse("018700000").unwrap().to_ja_string(),
            "1870年 月日不詳"
        );
        // A known day needs a known month, a known month a known year.
        for bad in ["319580010", "300000800", "300000001"] {
            assert!(
                matches!(BirthDate::parse(bad), Err(BirthDateError::NoSuchDay(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            BirthDate::parse("319581310"),
            Err(BirthDateError::NoSuchDay(_))
        ));
        // Day 00 is an unknown day, not an error.
        assert!(BirthDate::parse("319580800").is_ok());
        assert!(BirthDate::parse("420000229").is_ok());
        assert!(BirthDate::parse("419000229").is_err());
    }

    #[test]
    fn sex_codes() {
        assert_eq!(Sex::from_code("1"), Sex::Male);
        assert_eq!(Sex::from_code("2"), Sex::Female);
        assert_eq!(Sex::from_code("9"), Sex::NotApplicable);
        assert_eq!(Sex::from_code("3"), Sex::Other("3".into()));
        for code in ["1", "2", "9", "3", ""] {
            assert_eq!(Sex::from_code(code).code(), code);
        }
    }

    #[test]
    fn positions_count_characters() {
        assert_eq!(substitute_positions("11010"), vec![0, 1, 3]);
        assert_eq!(substitute_positions(""), Vec::<usize>::new());
    }

    #[test]
    fn serialises_for_json_output() {
        let f = facts(&six()).unwrap();
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["sex"], "1");
        assert_eq!(v["birth_date"]["raw"], "319580810");
        assert_eq!(v["birth_date"]["gregorian"], "1958-08-10");
        assert_eq!(v["birth_date"]["era"], "showa");
        assert_eq!(v["birth_date"]["japanese"], "昭和33年8月10日");
    }
}
