//! Japanese era (元号) dates.
//!
//! The five modern eras and the Gregorian day each began on:
//!
//! | era | kanji | first day | JPKI era digit |
//! |---|---|---|---|
//! | Meiji | 明治 | 1868-10-23 | `1` |
//! | Taisho | 大正 | 1912-07-30 | `2` |
//! | Showa | 昭和 | 1926-12-25 | `3` |
//! | Heisei | 平成 | 1989-01-08 | `4` |
//! | Reiwa | 令和 | 2019-05-01 | `5` |
//!
//! The first year of an era is written 元年 ("Heisei 1" in English), as official documents
//! do: 1989-01-08 is 平成元年1月8日. Japan used the lunisolar calendar until Meiji 5, so a
//! Gregorian day before **1873-01-01** (明治6年1月1日) has no era form with the same month and
//! day; [`JapaneseDate::from_gregorian`] returns `None` for it and callers fall back to the
//! Gregorian form ([`format_ja`], [`format_en`] do that themselves).

use serde::{Deserialize, Serialize};
use time::{Date, Month, macros::date};

/// A Japanese era.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// 明治
    Meiji,
    /// 大正
    Taisho,
    /// 昭和
    Showa,
    /// 平成
    Heisei,
    /// 令和
    Reiwa,
}

/// The first Gregorian day on which an era form with the same month and day exists.
pub const FIRST_ERA_DATE: Date = date!(1873 - 01 - 01);

impl Era {
    /// All eras, oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// First (Gregorian) day of the era.
    pub const fn start(self) -> Date {
        match self {
            Era::Meiji => date!(1868 - 10 - 23),
            Era::Taisho => date!(1912 - 07 - 30),
            Era::Showa => date!(1926 - 12 - 25),
            Era::Heisei => date!(1989 - 01 - 08),
            Era::Reiwa => date!(2019 - 05 - 01),
        }
    }

    /// 明治, 大正, 昭和, 平成, 令和.
    pub const fn kanji(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// Meiji, Taisho, Showa, Heisei, Reiwa (ASCII, no macrons).
    pub const fn english(self) -> &'static str {
        match self {
            Era::Meiji => "Meiji",
            Era::Taisho => "Taisho",
            Era::Showa => "Showa",
            Era::Heisei => "Heisei",
            Era::Reiwa => "Reiwa",
        }
    }

    /// The era digit of the JPKI birth date `EYYYYMMDD` (`1` Meiji … `5` Reiwa; `0` means
    /// unknown and has no [`Era`]).
    pub const fn code(self) -> char {
        match self {
            Era::Meiji => '1',
            Era::Taisho => '2',
            Era::Showa => '3',
            Era::Heisei => '4',
            Era::Reiwa => '5',
        }
    }

    /// The era of a JPKI era digit; `None` for `0` (unknown) and any other character.
    pub const fn from_code(c: char) -> Option<Era> {
        match c {
            '1' => Some(Era::Meiji),
            '2' => Some(Era::Taisho),
            '3' => Some(Era::Showa),
            '4' => Some(Era::Heisei),
            '5' => Some(Era::Reiwa),
            _ => None,
        }
    }

    /// The era a Gregorian day falls in; `None` before Meiji.
    pub fn of(date: Date) -> Option<Era> {
        Era::ALL.into_iter().rev().find(|e| date >= e.start())
    }
}

/// A day written in a Japanese era.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct JapaneseDate {
    pub era: Era,
    /// Year of the era, 1 = 元年.
    pub year: u16,
    pub month: u8,
    pub day: u8,
    /// The same day in the Gregorian calendar.
    pub gregorian: Date,
}

impl JapaneseDate {
    /// The era form of a Gregorian day, `None` before 1873-01-01 ([`FIRST_ERA_DATE`]).
    pub fn from_gregorian(date: Date) -> Option<JapaneseDate> {
        if date < FIRST_ERA_DATE {
            return None;
        }
        let era = Era::of(date)?;
        let year = date.year() - era.start().year() + 1;
        Some(JapaneseDate {
            era,
            year: u16::try_from(year).ok()?,
            month: u8::from(date.month()),
            day: date.day(),
            gregorian: date,
        })
    }

    /// 昭和33年8月10日, 平成元年1月8日.
    pub fn to_kanji(&self) -> String {
        format!(
            "{}{}年{}月{}日",
            self.era.kanji(),
            self.year_ja(),
            self.month,
            self.day
        )
    }

    /// 昭和33年, 平成元年.
    pub fn year_kanji(&self) -> String {
        format!("{}{}年", self.era.kanji(), self.year_ja())
    }

    /// "Showa 33 (1958)".
    pub fn year_english(&self) -> String {
        format!(
            "{} {} ({})",
            self.era.english(),
            self.year,
            self.gregorian.year()
        )
    }

    /// "10 August Showa 33 (1958)".
    pub fn to_english(&self) -> String {
        format!(
            "{} {} {}",
            self.day,
            month_name(self.gregorian.month()),
            self.year_english()
        )
    }

    fn year_ja(&self) -> String {
        if self.year == 1 {
            "元".to_owned()
        } else {
            self.year.to_string()
        }
    }
}

impl std::fmt::Display for JapaneseDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_kanji())
    }
}

fn month_name(m: Month) -> &'static str {
    match m {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

/// ISO 8601 Gregorian day, `1958-08-10`.
pub fn format_gregorian(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Japanese form for display: `昭和33年8月10日`; before 1873, the Gregorian day written
/// `1870年3月1日`.
pub fn format_ja(date: Date) -> String {
    match JapaneseDate::from_gregorian(date) {
        Some(j) => j.to_kanji(),
        None => format!(
            "{}年{}月{}日",
            date.year(),
            u8::from(date.month()),
            date.day()
        ),
    }
}

/// English form for display: `10 August Showa 33 (1958)`; before 1873, `1 March 1870`.
pub fn format_en(date: Date) -> String {
    match JapaneseDate::from_gregorian(date) {
        Some(j) => j.to_english(),
        None => format!(
            "{} {} {}",
            date.day(),
            month_name(date.month()),
            date.year()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ja(d: Date) -> String {
        JapaneseDate::from_gregorian(d).unwrap().to_kanji()
    }

    #[test]
    fn design_example() {
        assert_eq!(ja(date!(1958 - 08 - 10)), "昭和33年8月10日");
        let j = JapaneseDate::from_gregorian(date!(1958 - 08 - 10)).unwrap();
        assert_eq!(j.year_english(), "Showa 33 (1958)");
        assert_eq!(j.to_english(), "10 August Showa 33 (1958)");
        assert_eq!(format_gregorian(date!(1958 - 08 - 10)), "1958-08-10");
    }

    #[test]
    fn every_boundary() {
        // Meiji → Taisho
        assert_eq!(ja(date!(1912 - 07 - 29)), "明治45年7月29日");
        assert_eq!(ja(date!(1912 - 07 - 30)), "大正元年7月30日");
        assert_eq!(ja(date!(1912 - 12 - 31)), "大正元年12月31日");
        assert_eq!(ja(date!(1913 - 01 - 01)), "大正2年1月1日");
        // Taisho → Showa
        assert_eq!(ja(date!(1926 - 12 - 24)), "大正15年12月24日");
        assert_eq!(ja(date!(1926 - 12 - 25)), "昭和元年12月25日");
        assert_eq!(ja(date!(1927 - 01 - 01)), "昭和2年1月1日");
        // Showa → Heisei
        assert_eq!(ja(date!(1989 - 01 - 07)), "昭和64年1月7日");
        assert_eq!(ja(date!(1989 - 01 - 08)), "平成元年1月8日");
        assert_eq!(ja(date!(1990 - 01 - 01)), "平成2年1月1日");
        // Heisei → Reiwa
        assert_eq!(ja(date!(2019 - 04 - 30)), "平成31年4月30日");
        assert_eq!(ja(date!(2019 - 05 - 01)), "令和元年5月1日");
        assert_eq!(ja(date!(2020 - 01 - 01)), "令和2年1月1日");
        assert_eq!(ja(date!(2026 - 11 - 21)), "令和8年11月21日");
        // Start of the solar calendar.
        assert_eq!(ja(date!(1873 - 01 - 01)), "明治6年1月1日");
        assert_eq!(JapaneseDate::from_gregorian(date!(1872 - 12 - 31)), None);
    }

    #[test]
    fn era_of_each_start_and_the_day_before() {
        for (i, era) in Era::ALL.into_iter().enumerate() {
            assert_eq!(Era::of(era.start()), Some(era));
            let before = era.start().previous_day().unwrap();
            let expected = if i == 0 { None } else { Some(Era::ALL[i - 1]) };
            assert_eq!(Era::of(before), expected, "{era:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for era in Era::ALL {
            assert_eq!(Era::from_code(era.code()), Some(era));
        }
        assert_eq!(Era::from_code('0'), None);
        assert_eq!(Era::from_code('6'), None);
        assert_eq!(Era::from_code('３'), None);
    }

    #[test]
    fn english_first_year_is_one() {
        let j = JapaneseDate::from_gregorian(date!(2019 - 05 - 01)).unwrap();
        assert_eq!(j.year, 1);
        assert_eq!(j.year_kanji(), "令和元年");
        assert_eq!(j.year_english(), "Reiwa 1 (2019)");
        assert_eq!(j.to_string(), "令和元年5月1日");
    }

    #[test]
    fn fallbacks_before_1873() {
        assert_eq!(format_ja(date!(1870 - 03 - 01)), "1870年3月1日");
        assert_eq!(format_en(date!(1870 - 03 - 01)), "1 March 1870");
        assert_eq!(format_ja(date!(1989 - 01 - 08)), "平成元年1月8日");
        assert_eq!(
            format_en(date!(1989 - 01 - 08)),
            "8 January Heisei 1 (1989)"
        );
    }

    #[test]
    fn every_day_has_consistent_parts() {
        // Walk 1873..2100: the era year always maps back to the Gregorian year.
        let mut d = FIRST_ERA_DATE;
        let end = date!(2100 - 01 - 01);
        while d < end {
            let j = JapaneseDate::from_gregorian(d).unwrap();
            assert_eq!(
                i32::from(j.year) + j.era.start().year() - 1,
                d.year(),
                "{d}"
            );
            assert!(j.year >= 1);
            d = d.next_day().unwrap();
        }
    }
}
