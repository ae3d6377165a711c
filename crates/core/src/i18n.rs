//! Translations: one Fluent catalogue per language in the workspace's
//! `assets/i18n/`, Japanese by default. The CLI and the GUI both read their
//! texts here (their `fl!` checks ids against the same files).

use std::sync::LazyLock;

use i18n_embed::fluent::{FluentLanguageLoader, fluent_language_loader};
use i18n_embed::{LanguageLoader, unic_langid::LanguageIdentifier};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../assets/i18n/"]
struct Localizations;

/// The languages Madoguchi speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Language {
    #[default]
    Ja,
    En,
}

impl Language {
    pub fn id(self) -> LanguageIdentifier {
        match self {
            Language::Ja => "ja".parse().expect("valid language id"),
            Language::En => "en".parse().expect("valid language id"),
        }
    }
}

/// The process-wide loader, Japanese until [`set_language`] says otherwise.
pub static LOADER: LazyLock<FluentLanguageLoader> = LazyLock::new(|| {
    let loader: FluentLanguageLoader = fluent_language_loader!();
    loader
        .load_languages(&Localizations, &[Language::Ja.id()])
        .expect("the bundled Japanese catalogue loads");
    // Isolation marks around arguments would end up in terminals and break
    // text search in UI tests.
    loader.set_use_isolating(false);
    loader
});

/// A loader of its own for one language (the process-wide [`LOADER`] is
/// left alone).
pub fn loader_for(language: Language) -> FluentLanguageLoader {
    let loader: FluentLanguageLoader = fluent_language_loader!();
    loader
        .load_languages(&Localizations, &[language.id(), Language::Ja.id()])
        .expect("the bundled catalogues load");
    loader.set_use_isolating(false);
    loader
}

static CURRENT: std::sync::Mutex<Language> = std::sync::Mutex::new(Language::Ja);

/// The language [`LOADER`] speaks now.
pub fn current() -> Language {
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Switch every later lookup to `language` (falling back to Japanese for a
/// message a catalogue lacks).
pub fn set_language(language: Language) {
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = language;
    LOADER
        .load_languages(&Localizations, &[language.id(), Language::Ja.id()])
        .expect("the bundled catalogues load");
    // Loading makes new bundles, which isolate arguments again.
    LOADER.set_use_isolating(false);
}

/// Look up a message by id at run time (for ids built from data, such as
/// the error catalogue). A missing id yields the id itself.
pub fn text(id: &str) -> String {
    LOADER.get(id)
}

/// Look up a message with arguments at run time.
pub fn text_args(id: &str, args: &[(&str, String)]) -> String {
    let map: std::collections::HashMap<String, String> = args
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    LOADER.get_args(id, map)
}

/// Look up a message whose id is known at compile time (checked against the
/// Japanese catalogue by `i18n-embed-fl`).
#[macro_export]
macro_rules! fl {
    ($id:literal) => {{ i18n_embed_fl::fl!($crate::i18n::LOADER, $id) }};
    ($id:literal, $($args:tt)*) => {{ i18n_embed_fl::fl!($crate::i18n::LOADER, $id, $($args)*) }};
}

/// Every message id of one language's catalogue, for completeness tests.
pub fn message_ids(language: Language) -> Vec<String> {
    let path = match language {
        Language::Ja => "ja/madoguchi.ftl",
        Language::En => "en/madoguchi.ftl",
    };
    let file = Localizations::get(path).expect("bundled catalogue");
    let text = std::str::from_utf8(&file.data).expect("catalogues are UTF-8");
    text.lines()
        .filter_map(|l| {
            let (id, _) = l.split_once(" =")?;
            let id = id.trim();
            (!id.is_empty() && !id.starts_with('#') && !l.starts_with(' ')).then(|| id.to_string())
        })
        .collect()
}
