//! The error catalogue: every failure a user can meet, numbered. The texts
//! (title, cause, what the resident does, what counter staff do) live in the
//! Fluent catalogues; this table adds the manual section each entry answers.
//! `docs/errors.md` is generated from both (see the test `errors_doc`).

use i18n_embed::fluent::FluentLanguageLoader;

use crate::i18n::{self, Language};

/// One catalogue entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub number: u16,
    /// Manual sections (`shared/seeds/002…`) where the original showed this
    /// failure; empty when the original had no counterpart.
    pub manual: &'static [&'static str],
}

/// Every entry, in number order.
pub const CATALOGUE: &[Entry] = &[
    Entry {
        number: 101,
        manual: &["2.2.4", "3.2.4"],
    },
    Entry {
        number: 102,
        manual: &["2.2.5", "3.2.5"],
    },
    Entry {
        number: 103,
        manual: &["2.2.5", "3.2.5"],
    },
    Entry {
        number: 104,
        manual: &["2.2.5", "3.2.5"],
    },
    Entry {
        number: 105,
        manual: &["2.2.5", "3.2.5"],
    },
    Entry {
        number: 106,
        manual: &["2.2.6", "3.2.6"],
    },
    Entry {
        number: 107,
        manual: &["2.2.5", "3.2.5"],
    },
    Entry {
        number: 108,
        manual: &["2.2.6", "3.2.6"],
    },
    Entry {
        number: 109,
        manual: &["2.2.6", "3.2.6"],
    },
    Entry {
        number: 110,
        manual: &["2.1.4", "2.1.7", "3.1.4", "3.1.7"],
    },
    Entry {
        number: 111,
        manual: &["2.2.7", "3.2.7"],
    },
    Entry {
        number: 112,
        manual: &["2.2.8", "3.2.8"],
    },
    Entry {
        number: 113,
        manual: &[],
    },
    Entry {
        number: 114,
        manual: &[],
    },
    Entry {
        number: 115,
        manual: &[],
    },
    Entry {
        number: 116,
        manual: &["2.2.8", "3.2.8"],
    },
    Entry {
        number: 117,
        manual: &["2.2.8", "3.2.8"],
    },
    Entry {
        number: 118,
        manual: &["2.2.5", "3.2.5"],
    },
    Entry {
        number: 119,
        manual: &["2.2.5", "3.2.5"],
    },
    Entry {
        number: 120,
        manual: &["2.2.6", "3.2.6"],
    },
    Entry {
        number: 201,
        manual: &["2.2.9", "3.2.9"],
    },
    Entry {
        number: 202,
        manual: &["2.2.11", "3.1.10"],
    },
    Entry {
        number: 203,
        manual: &["2.2.12", "3.2.11"],
    },
    Entry {
        number: 204,
        manual: &["2.2.8", "3.2.8"],
    },
    Entry {
        number: 205,
        manual: &["2.2.8", "3.2.8"],
    },
    Entry {
        number: 207,
        manual: &["2.2.13", "3.2.12"],
    },
    Entry {
        number: 301,
        manual: &[],
    },
    Entry {
        number: 302,
        manual: &[],
    },
    Entry {
        number: 303,
        manual: &["2.1.1", "3.1.1"],
    },
    Entry {
        number: 304,
        manual: &["2.1.1", "3.1.1"],
    },
    Entry {
        number: 305,
        manual: &["2.1.1", "3.1.1"],
    },
    Entry {
        number: 306,
        manual: &["2.1.1", "3.1.1"],
    },
    Entry {
        number: 307,
        manual: &[],
    },
    Entry {
        number: 308,
        manual: &[],
    },
    Entry {
        number: 309,
        manual: &[],
    },
    Entry {
        number: 310,
        manual: &[],
    },
    Entry {
        number: 311,
        manual: &[],
    },
    Entry {
        number: 312,
        manual: &[],
    },
    Entry {
        number: 313,
        manual: &[],
    },
    Entry {
        number: 314,
        manual: &[],
    },
    Entry {
        number: 315,
        manual: &[],
    },
    Entry {
        number: 316,
        manual: &[],
    },
    Entry {
        number: 317,
        manual: &["2.2.11", "3.1.10"],
    },
    Entry {
        number: 401,
        manual: &["2.2.2", "3.2.2"],
    },
    Entry {
        number: 402,
        manual: &["2.2.3", "3.2.3"],
    },
    Entry {
        number: 403,
        manual: &["2.2.10", "3.2.10"],
    },
    Entry {
        number: 404,
        manual: &["2.2.11", "3.1.10"],
    },
    Entry {
        number: 405,
        manual: &["2.2.12", "3.2.11"],
    },
    Entry {
        number: 406,
        manual: &["2.2.13", "3.2.12"],
    },
    Entry {
        number: 407,
        manual: &["2.2.9", "3.2.9"],
    },
    Entry {
        number: 408,
        manual: &["2.2.14"],
    },
    Entry {
        number: 409,
        manual: &["2.2.15"],
    },
    Entry {
        number: 410,
        manual: &[],
    },
    Entry {
        number: 501,
        manual: &[],
    },
    Entry {
        number: 502,
        manual: &[],
    },
    Entry {
        number: 503,
        manual: &[],
    },
];

/// The entry with this number.
pub fn entry(number: u16) -> Option<&'static Entry> {
    CATALOGUE.iter().find(|e| e.number == number)
}

/// The texts of one entry in the current language.
pub struct Texts {
    pub title: String,
    pub cause: String,
    pub resident: String,
    pub staff: String,
}

pub fn texts(number: u16) -> Texts {
    texts_from(&i18n::LOADER, number)
}

fn texts_from(loader: &FluentLanguageLoader, number: u16) -> Texts {
    let get = |part: &str| loader.get(&format!("error-{number}-{part}"));
    Texts {
        title: get("title"),
        cause: get("cause"),
        resident: get("resident"),
        staff: get("staff"),
    }
}

/// A failure as the CLI prints it: heading, cause, what to do, staff note.
pub fn render(number: u16, detail: Option<&str>) -> String {
    let t = texts(number);
    let mut out = i18n::text_args(
        "error-heading",
        &[("number", format!("E{number}")), ("title", t.title)],
    );
    out.push('\n');
    out.push_str(&t.cause);
    if let Some(d) = detail {
        out.push_str(&format!(" ({d})"));
    }
    out.push_str(&format!(
        "\n{}: {}\n{}: {}\n",
        i18n::text("error-resident"),
        t.resident,
        i18n::text("error-staff"),
        t.staff
    ));
    out
}

/// `docs/errors.md`, generated from the catalogue in both languages.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Error catalogue / エラー一覧\n\n\
         Generated from `assets/i18n/*/madoguchi.ftl` and `crates/core/src/errors.rs` by the test \
         `errors_doc` (`MADOGUCHI_BLESS=1 cargo test -p madoguchi-core --test core errors_doc` \
         rewrites it). \
         Every failure a resident can meet has a number; the CLI and the app show the \
         same texts as `E<number>`.\n\n\
         | No. | Manual | 日本語 | English |\n|---|---|---|---|\n",
    );
    let mut sections = String::new();
    let ja_loader = i18n::loader_for(Language::Ja);
    let en_loader = i18n::loader_for(Language::En);
    for e in CATALOGUE {
        let ja = texts_from(&ja_loader, e.number);
        let en = texts_from(&en_loader, e.number);
        let manual = if e.manual.is_empty() {
            "—".to_string()
        } else {
            e.manual.join(", ")
        };
        out.push_str(&format!(
            "| [E{n}](#e{n}) | {manual} | {} | {} |\n",
            ja.title,
            en.title,
            n = e.number
        ));
        sections.push_str(&format!(
            "\n## E{n}\n\nManual: {manual}\n\n\
             **{jt}**\n\n- 原因: {jc}\n- 住民の方: {jr}\n- 窓口の職員: {js}\n\n\
             **{et}**\n\n- Cause: {ec}\n- Resident: {er}\n- Counter staff: {es}\n",
            n = e.number,
            jt = ja.title,
            jc = ja.cause,
            jr = ja.resident,
            js = ja.staff,
            et = en.title,
            ec = en.cause,
            er = en.resident,
            es = en.staff,
        ));
    }
    out.push_str(&sections);
    out
}
