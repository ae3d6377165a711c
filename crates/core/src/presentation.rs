//! The words both drivers print for the same facts, in the current language
//! ([`crate::i18n`]): PIN names and counts, token kinds, sex, birth dates,
//! era dates and times. The GUI and the CLI call these and nothing else for
//! them, so they say the same thing; where they used to differ, the GUI's
//! wording (which the committed snapshots show) was kept.
//!
//! Machine-readable output (the CLI's `--json`) is not words and stays with
//! the CLI.

use madoguchi_card::{CardError, PinKind, PinStatus, TokenKind};
use madoguchi_pki::{BirthDate, Sex};
use time::{OffsetDateTime, UtcOffset};

use crate::fl;
use crate::flow::{ExpectedIssuers, Resident};
use crate::i18n::{self, Language};

/// The name of a secret (署名用電子証明書のパスワード, …).
pub fn pin_name(kind: PinKind) -> String {
    match kind {
        PinKind::SigningPassword => fl!("pin-signing-password"),
        PinKind::AuthenticationPin => fl!("pin-authentication-pin"),
        PinKind::CardInfoPin => fl!("pin-card-info-pin"),
    }
}

/// A secret's count as read without spending a try ("あと 3 回 (最大 5 回)",
/// locked, already verified), or the catalogue number of why it could not
/// be read (`E<number>`).
pub fn pin_status(kind: PinKind, status: &Result<PinStatus, CardError>) -> String {
    match status {
        Ok(PinStatus::TriesLeft(0)) | Ok(PinStatus::Locked) => fl!("pin-locked"),
        Ok(PinStatus::TriesLeft(n)) => fl!(
            "pin-tries-left",
            tries = n.to_string(),
            max = kind.max_tries().to_string()
        ),
        Ok(PinStatus::AlreadyVerified) => fl!("pin-already-verified"),
        Err(e) => format!("E{}", e.catalogue_number()),
    }
}

/// What kind of card (or phone) holds the JPKI AP.
pub fn token_text(token: &TokenKind) -> String {
    match token {
        TokenKind::MyNumberCard => fl!("card-kind-my-number-card"),
        TokenKind::JukiCard => fl!("card-kind-juki-card"),
        TokenKind::SmartphoneAndroid => fl!("card-kind-smartphone-android"),
        TokenKind::SmartphoneIphone => fl!("card-kind-smartphone-iphone"),
        TokenKind::Other(label) => fl!("card-kind-other", label = label.clone()),
    }
}

/// The holder's sex (男, 女, 適用不能, or another code as given).
pub fn sex(sex: &Sex) -> String {
    match sex {
        Sex::Male => fl!("sex-male"),
        Sex::Female => fl!("sex-female"),
        Sex::NotApplicable => fl!("sex-not-applicable"),
        Sex::Other(code) => fl!("sex-other", code = code.clone()),
    }
}

/// The holder's birth date: in Japanese the era date with the Gregorian one
/// (昭和33年8月10日 (1958-08-10)); in English the era date alone, which
/// already names the year.
pub fn birth_date(date: &BirthDate) -> String {
    match i18n::current() {
        Language::Ja => format!("{} ({})", date.to_ja_string(), date.to_iso_string()),
        Language::En => date.to_en_string(),
    }
}

/// [`birth_date`] of the holder whose facts the procedure imported (from
/// the zeroizing copies the resident's record keeps).
pub fn resident_birth_date(resident: &Resident) -> &str {
    match i18n::current() {
        Language::Ja => &resident.birth_ja_with_iso,
        Language::En => &resident.birth_en,
    }
}

/// Japan time: the online window, the card and the resident all count days
/// and hours in it.
fn jst(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(UtcOffset::from_hms(9, 0, 0).expect("JST"))
}

/// A day in Japan time: the era date, in Japanese with the Gregorian one
/// (令和8年12月2日 (2026-12-02)).
pub fn date(t: OffsetDateTime) -> String {
    let day = jst(t).date();
    match i18n::current() {
        Language::Ja => format!(
            "{} ({})",
            madoguchi_pki::era::format_ja(day),
            madoguchi_pki::era::format_gregorian(day)
        ),
        Language::En => madoguchi_pki::era::format_en(day),
    }
}

/// A moment in Japan time: the era date and hh:mm (JST).
pub fn datetime(t: OffsetDateTime) -> String {
    let t = jst(t);
    let day = match i18n::current() {
        Language::Ja => madoguchi_pki::era::format_ja(t.date()),
        Language::En => madoguchi_pki::era::format_en(t.date()),
    };
    format!("{day} {:02}:{:02} (JST)", t.hour(), t.minute())
}

/// An RFC 3339 time from the online window as [`datetime`] shows it; text
/// that is not such a time is shown as it came.
pub fn when(rfc3339: &str) -> String {
    let Some(t) = madoguchi_pki::request::parse_time(rfc3339).or_else(|| {
        OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).ok()
    }) else {
        return rfc3339.to_owned();
    };
    datetime(t)
}

/// After E120, what the count read again says about the unanswered
/// password entry: `before` was shown for it, `now` is the card's.
pub fn recount(before: Option<u8>, now: Option<u8>) -> String {
    match (before, now) {
        (Some(b), Some(n)) if n < b => {
            fl!("recount-fewer", before = b.to_string(), now = n.to_string())
        }
        (Some(_), Some(n)) => fl!("recount-not-fewer", now = n.to_string()),
        _ => fl!("recount-read"),
    }
}

/// 2.2.11 / 3.1.10 for the resident: the certificate's issuer beside the
/// name a JPKI signing certificate carries, and what to do if the message
/// comes again (the manual gives this to the certificate viewer's details).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuerComparison {
    /// What to do if it appears again.
    pub guidance: String,
    pub actual_label: String,
    /// The certificate's issuer, when the certificate was read.
    pub actual: Option<String>,
    pub expected_label: String,
    /// The expected issuer names, one a line.
    pub expected: Vec<String>,
}

/// [`IssuerComparison`] for the certificate's `actual` issuer; a demo run
/// names its own test CA and says so, a production run the J-LIS name.
pub fn issuer_comparison(actual: Option<&str>, expected: &ExpectedIssuers) -> IssuerComparison {
    IssuerComparison {
        guidance: fl!("issuer-again"),
        actual_label: fl!("issuer-actual"),
        actual: actual.map(str::to_owned),
        expected_label: if expected.is_demo() {
            fl!("issuer-expected-demo")
        } else {
            fl!("issuer-expected")
        },
        expected: expected.names(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The process-wide language is Japanese unless a test sets it; these
    // tests only read it.
    #[test]
    fn words_in_japanese() {
        assert_eq!(sex(&Sex::Male), "男");
        assert_eq!(sex(&Sex::Other("3".into())), "その他 (3)");
        assert_eq!(
            pin_status(PinKind::SigningPassword, &Ok(PinStatus::TriesLeft(3))),
            "あと 3 回 (最大 5 回)"
        );
        assert_eq!(
            pin_status(PinKind::CardInfoPin, &Ok(PinStatus::TriesLeft(0))),
            "ロックされています"
        );
        assert_eq!(token_text(&TokenKind::MyNumberCard), "マイナンバーカード");
        assert_eq!(when("2026-12-01T15:30:00Z"), "令和8年12月2日 00:30 (JST)");
        assert_eq!(when("not a time"), "not a time");
        let birth = BirthDate::parse("319580810").unwrap();
        assert_eq!(birth_date(&birth), "昭和33年8月10日 (1958-08-10)");
    }

    #[test]
    fn a_production_run_expects_the_j_lis_issuer_and_never_a_test_name() {
        let production = crate::flow::Options::default().expected_issuers;
        assert_eq!(production, ExpectedIssuers::Jpki);
        let c = issuer_comparison(Some("C=JP, O=Foreign Test CA"), &production);
        assert_eq!(
            c.expected,
            [
                "C=JP, O=JPKI, OU=JPKI for digital signature, OU=Japan Agency for Local Authority Information Systems",
                "C=JP, O=公的個人認証サービス, OU=公的個人認証サービス署名用, OU=地方公共団体情報システム機構",
            ]
        );
        assert!(c.expected.iter().all(|n| !n.contains("TEST")));
        assert_eq!(
            c.expected_label,
            "署名用電子証明書の正しい発行者名 (公的個人認証サービス 署名用認証局)"
        );
        assert_eq!(c.actual.as_deref(), Some("C=JP, O=Foreign Test CA"));
        // A demo run says its names are the demo's.
        let demo = ExpectedIssuers::Demo(vec!["C=JP, O=JPKI-TEST".into()]);
        assert!(
            issuer_comparison(None, &demo)
                .expected_label
                .contains("デモ用")
        );
    }

    #[test]
    fn the_count_read_again_says_what_it_shows() {
        assert_eq!(
            recount(Some(4), Some(3)),
            "カードを読み直しました。残りの回数が 4 回から 3 回に減っています。さきほどのパスワードはまちがっていたと考えられます。"
        );
        assert_eq!(
            recount(Some(3), Some(5)),
            "カードを読み直しました。残りの回数は減っていません (いま 5 回)。"
        );
        assert_eq!(recount(None, Some(5)), "カードを読み直しました。");
    }
}
