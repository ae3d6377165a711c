//! The app's settings: language, text size, colours (normal or high
//! contrast), online window (server URL and
//! trust anchor), proxy, counter mode and its idle time.
//!
//! Stored as TOML in the platform's config folder (`directories`:
//! `~/.config/madoguchi/settings.toml`, `%APPDATA%\Madoguchi\madoguchi\config`,
//! `~/Library/Application Support/jp.Madoguchi.madoguchi`). An
//! administrator's preset file in the system config folder
//! (`/etc/madoguchi/settings.toml`, `%ProgramData%\Madoguchi\settings.toml`,
//! `/Library/Application Support/Madoguchi/settings.toml`) takes precedence:
//! every value it sets wins over the user's and is shown locked.
//! `MADOGUCHI_CONFIG_DIR` and `MADOGUCHI_ADMIN_SETTINGS` move both (tests,
//! portable installs).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::i18n::Language;

/// Text size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    #[default]
    Normal,
    Large,
    /// Twice the normal size (WCAG 2.2 SC 1.4.4: text resized to 200 %
    /// without loss of content or function).
    Largest,
}

impl TextSize {
    pub const ALL: [TextSize; 3] = [TextSize::Normal, TextSize::Large, TextSize::Largest];

    /// The window scale factor it gives.
    pub fn scale(self) -> f32 {
        match self {
            TextSize::Normal => 1.0,
            TextSize::Large => 1.3,
            TextSize::Largest => 2.0,
        }
    }
}

/// The colours: the normal theme, or high contrast (light text on black,
/// yellow buttons, a thick focus ring), as the OS high-contrast modes have
/// them (`ui::theme::Palette`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    #[default]
    Normal,
    HighContrast,
}

/// One settings file: every value optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_size: Option<TextSize>,
    /// `normal` or `high_contrast`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<ThemeChoice>,
    /// `https://HOST[:PORT][/PREFIX]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// PEM or DER file of the online window's TLS trust anchor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<PathBuf>,
    /// `system`, `none` or `http://HOST:PORT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter_mode: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout_seconds: Option<u64>,
    /// JPKI signing CA certificate files for the local issuer check, besides
    /// those in the system folder (`crate::trust_config::signing_ca_dir`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_cas: Option<Vec<PathBuf>>,
    /// Counter mode: the staff PIN that opens Settings, as an Argon2 PHC
    /// string (`madoguchi staff-pin-hash`). Honoured in the administrator's
    /// preset only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_pin: Option<String>,
}

/// A setting the administrator may lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Language,
    TextSize,
    Theme,
    Server,
    Anchor,
    Proxy,
    CounterMode,
    IdleTimeout,
    SigningCas,
}

/// The settings in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub language: Language,
    pub text_size: TextSize,
    pub theme: ThemeChoice,
    pub server: Option<String>,
    pub anchor: Option<PathBuf>,
    pub proxy: String,
    pub counter_mode: bool,
    pub idle_timeout: Duration,
    pub signing_cas: Vec<PathBuf>,
    /// The staff PIN's hash, from the administrator's preset only.
    pub staff_pin: Option<String>,
    /// What the administrator's preset fixed.
    pub locked: Vec<Field>,
}

/// Default idle time before a counter terminal wipes and starts over.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(120);

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: Language::Ja,
            text_size: TextSize::Normal,
            theme: ThemeChoice::Normal,
            server: None,
            anchor: None,
            proxy: "system".into(),
            counter_mode: false,
            idle_timeout: DEFAULT_IDLE,
            signing_cas: Vec::new(),
            staff_pin: None,
            locked: Vec::new(),
        }
    }
}

fn parse_language(s: &str) -> Option<Language> {
    match s.trim().to_ascii_lowercase().as_str() {
        "ja" | "japanese" | "日本語" => Some(Language::Ja),
        "en" | "english" => Some(Language::En),
        _ => None,
    }
}

fn language_code(l: Language) -> &'static str {
    match l {
        Language::Ja => "ja",
        Language::En => "en",
    }
}

impl Settings {
    fn apply(&mut self, file: &SettingsFile, lock: bool) {
        let set = |field: Field, applied: bool, locked: &mut Vec<Field>| {
            if applied && lock && !locked.contains(&field) {
                locked.push(field);
            }
        };
        let mut locked = std::mem::take(&mut self.locked);
        if let Some(l) = file.language.as_deref().and_then(parse_language) {
            self.language = l;
            set(Field::Language, true, &mut locked);
        }
        if let Some(t) = file.text_size {
            self.text_size = t;
            set(Field::TextSize, true, &mut locked);
        }
        if let Some(t) = file.theme {
            self.theme = t;
            set(Field::Theme, true, &mut locked);
        }
        if let Some(s) = &file.server {
            self.server = Some(s.clone());
            set(Field::Server, true, &mut locked);
        }
        if let Some(a) = &file.anchor {
            self.anchor = Some(a.clone());
            set(Field::Anchor, true, &mut locked);
        }
        if let Some(p) = &file.proxy {
            self.proxy = p.clone();
            set(Field::Proxy, true, &mut locked);
        }
        if let Some(c) = file.counter_mode {
            self.counter_mode = c;
            set(Field::CounterMode, true, &mut locked);
        }
        if let Some(s) = file.idle_timeout_seconds {
            self.idle_timeout = Duration::from_secs(s.clamp(15, 3600));
            set(Field::IdleTimeout, true, &mut locked);
        }
        if let Some(c) = &file.signing_cas {
            self.signing_cas = c.clone();
            set(Field::SigningCas, true, &mut locked);
        }
        // A staff PIN in the user's own file would let whoever can write it
        // open a counter terminal's Settings: only the preset counts.
        if lock && let Some(p) = &file.staff_pin {
            self.staff_pin = Some(p.clone());
        }
        self.locked = locked;
    }

    /// Defaults, then the user's file, then the administrator's preset.
    pub fn from_files(user: Option<&SettingsFile>, admin: Option<&SettingsFile>) -> Settings {
        let mut s = Settings::default();
        if let Some(u) = user {
            s.apply(u, false);
        }
        if let Some(a) = admin {
            s.apply(a, true);
        }
        s
    }

    pub fn is_locked(&self, field: Field) -> bool {
        self.locked.contains(&field)
    }

    /// What the user's file should hold for these settings (locked values
    /// are left out: the preset keeps them).
    pub fn to_user_file(&self) -> SettingsFile {
        let keep = |f: Field| !self.is_locked(f);
        SettingsFile {
            language: keep(Field::Language).then(|| language_code(self.language).into()),
            text_size: keep(Field::TextSize).then_some(self.text_size),
            theme: keep(Field::Theme).then_some(self.theme),
            server: self.server.clone().filter(|_| keep(Field::Server)),
            anchor: self.anchor.clone().filter(|_| keep(Field::Anchor)),
            proxy: keep(Field::Proxy).then(|| self.proxy.clone()),
            counter_mode: keep(Field::CounterMode).then_some(self.counter_mode),
            idle_timeout_seconds: keep(Field::IdleTimeout).then_some(self.idle_timeout.as_secs()),
            signing_cas: (keep(Field::SigningCas) && !self.signing_cas.is_empty())
                .then(|| self.signing_cas.clone()),
            staff_pin: None,
        }
    }
}

/// Where the files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub user: Option<PathBuf>,
    pub admin: Option<PathBuf>,
}

impl Paths {
    /// The platform's folders (or the environment's overrides).
    pub fn platform() -> Paths {
        let user = match std::env::var_os("MADOGUCHI_CONFIG_DIR") {
            Some(d) => Some(PathBuf::from(d).join("settings.toml")),
            None => directories::ProjectDirs::from("jp", "Madoguchi", "madoguchi")
                .map(|p| p.config_dir().join("settings.toml")),
        };
        let admin = match std::env::var_os("MADOGUCHI_ADMIN_SETTINGS") {
            Some(f) => Some(PathBuf::from(f)),
            None => system_preset(),
        };
        Paths { user, admin }
    }

    /// Nowhere: nothing is read or written (tests, demo screenshots).
    pub fn none() -> Paths {
        Paths {
            user: None,
            admin: None,
        }
    }
}

fn system_preset() -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        std::env::var_os("ProgramData")
            .map(|d| PathBuf::from(d).join("Madoguchi").join("settings.toml"))
    } else if cfg!(target_os = "macos") {
        Some(PathBuf::from(
            "/Library/Application Support/Madoguchi/settings.toml",
        ))
    } else {
        Some(PathBuf::from("/etc/madoguchi/settings.toml"))
    }
}

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
}

fn read_file(path: &Path) -> Result<Option<SettingsFile>, SettingsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SettingsError::Io {
                path: path.display().to_string(),
                source,
            });
        }
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| SettingsError::Format {
            path: path.display().to_string(),
            message: e.message().to_owned(),
        })
}

/// Read both files. A broken file is reported and left out (the defaults
/// still start the app).
pub fn load(paths: &Paths) -> (Settings, Vec<SettingsError>) {
    let mut problems = Vec::new();
    let mut read = |p: &Option<PathBuf>| match p.as_deref().map(read_file) {
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            problems.push(e);
            None
        }
        None => None,
    };
    let user = read(&paths.user);
    let admin = read(&paths.admin);
    (
        Settings::from_files(user.as_ref(), admin.as_ref()),
        problems,
    )
}

/// Write the user's file (creating its folder).
pub fn save(paths: &Paths, settings: &Settings) -> Result<(), SettingsError> {
    let Some(path) = &paths.user else {
        return Ok(());
    };
    let io = |source| SettingsError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let text =
        toml::to_string_pretty(&settings.to_user_file()).map_err(|e| SettingsError::Format {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    std::fs::write(path, text).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_preset_wins_and_locks() {
        let user = SettingsFile {
            language: Some("en".into()),
            server: Some("https://user.example".into()),
            idle_timeout_seconds: Some(60),
            ..SettingsFile::default()
        };
        let admin = SettingsFile {
            server: Some("https://admin.example".into()),
            counter_mode: Some(true),
            ..SettingsFile::default()
        };
        let s = Settings::from_files(Some(&user), Some(&admin));
        assert_eq!(s.language, Language::En);
        assert_eq!(s.server.as_deref(), Some("https://admin.example"));
        assert!(s.counter_mode);
        assert_eq!(s.idle_timeout, Duration::from_secs(60));
        assert!(s.is_locked(Field::Server));
        assert!(s.is_locked(Field::CounterMode));
        assert!(!s.is_locked(Field::Language));
        let written = s.to_user_file();
        assert_eq!(written.server, None, "a locked value is not copied");
        assert_eq!(written.language.as_deref(), Some("en"));
    }

    #[test]
    fn the_staff_pin_counts_only_in_the_preset() {
        let with_pin = SettingsFile {
            staff_pin: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
            ..SettingsFile::default()
        };
        let s = Settings::from_files(Some(&with_pin), None);
        assert_eq!(s.staff_pin, None, "a user's file cannot set it");
        let s = Settings::from_files(None, Some(&with_pin));
        assert!(s.staff_pin.is_some());
        assert_eq!(
            s.to_user_file().staff_pin,
            None,
            "never written to the user's file"
        );
    }

    #[test]
    fn round_trip_through_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            user: Some(dir.path().join("sub").join("settings.toml")),
            admin: Some(dir.path().join("absent.toml")),
        };
        let mut s = Settings {
            text_size: TextSize::Large,
            proxy: "none".into(),
            ..Settings::default()
        };
        s.idle_timeout = Duration::from_secs(90);
        save(&paths, &s).unwrap();
        let (back, problems) = load(&paths);
        assert!(problems.is_empty());
        assert_eq!(back, s);
    }

    #[test]
    fn largest_text_and_high_contrast_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            user: Some(dir.path().join("settings.toml")),
            admin: None,
        };
        let s = Settings {
            text_size: TextSize::Largest,
            theme: ThemeChoice::HighContrast,
            ..Settings::default()
        };
        save(&paths, &s).unwrap();
        let text = std::fs::read_to_string(paths.user.as_ref().unwrap()).unwrap();
        assert!(text.contains("text_size = \"largest\""), "{text}");
        assert!(text.contains("theme = \"high_contrast\""), "{text}");
        let (back, problems) = load(&paths);
        assert!(problems.is_empty());
        assert_eq!(back, s);
        assert_eq!(back.text_size.scale(), 2.0);
    }

    #[test]
    fn the_preset_locks_the_theme() {
        let user: SettingsFile = toml::from_str("theme = \"normal\"").unwrap();
        let admin: SettingsFile = toml::from_str("theme = \"high_contrast\"").unwrap();
        let s = Settings::from_files(Some(&user), Some(&admin));
        assert_eq!(s.theme, ThemeChoice::HighContrast);
        assert!(s.is_locked(Field::Theme));
        assert!(!s.is_locked(Field::TextSize));
        assert_eq!(s.to_user_file().theme, None, "the preset keeps it");
        let s = Settings::from_files(Some(&user), None);
        assert_eq!(s.theme, ThemeChoice::Normal);
        assert!(!s.is_locked(Field::Theme));
        assert!(
            toml::from_str::<SettingsFile>("theme = \"dark\"").is_err(),
            "an unknown theme is a broken file"
        );
    }

    #[test]
    fn a_broken_file_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("settings.toml");
        std::fs::write(&user, "language = [").unwrap();
        let (s, problems) = load(&Paths {
            user: Some(user),
            admin: None,
        });
        assert_eq!(s, Settings::default());
        assert_eq!(problems.len(), 1);
    }
}
