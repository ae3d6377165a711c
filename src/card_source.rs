//! Where the card comes from: a PC/SC reader, or the built-in virtual card
//! of demo mode.

use std::path::PathBuf;

use madoguchi_card::{CardChannel, CardError, ReaderInfo};
use madoguchi_sim::SimChannel;

/// The reader name the demo card shows under.
pub const DEMO_READER: &str = "Madoguchi demo card";

/// The demo card profiles shipped in `fixtures/cards/`.
pub const DEMO_PROFILES: &[&str] = &[
    "normal",
    "rare-kanji",
    "expired",
    "foreign-ca",
    "impostor-ca",
    "one-try-left",
    "locked",
    "juki",
];

/// Folder of the test PKI: `MADOGUCHI_FIXTURES` if set and not empty; else
/// the copy an installed package put next to the binary (see
/// [`installed_fixtures_dirs`]); else the source tree's `fixtures/`.
///
/// The installed copy comes before the source tree so that an installed
/// binary uses the material of its own package even on the machine it was
/// built on; a binary in `target/` has no such copy next to it.
pub fn fixtures_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MADOGUCHI_FIXTURES").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let source = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
    installed_fixtures_dirs()
        .into_iter()
        .find(|dir| dir.join("cards").is_dir())
        .unwrap_or(source)
}

/// Where the packages in `packaging/` install the demo material, relative to
/// the running binary: Linux `/usr/bin/madoguchi` →
/// `/usr/share/madoguchi/fixtures`; macOS `Madoguchi.app/Contents/MacOS/` →
/// `Contents/Resources/fixtures`; Windows: `fixtures\` next to the `.exe`.
pub fn installed_fixtures_dirs() -> Vec<PathBuf> {
    let Some(bin) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from))
    else {
        return Vec::new();
    };
    vec![
        bin.join("../share/madoguchi/fixtures"),
        bin.join("../Resources/fixtures"),
        bin.join("fixtures"),
    ]
}

/// A source of card channels.
#[derive(Clone, Debug)]
pub enum CardSource {
    /// A PC/SC reader: the named one, or the first with a card in it.
    Pcsc { reader: Option<String> },
    /// The in-process virtual card with this profile (counters in memory:
    /// every run starts from the profile's values).
    Demo { profile: String },
}

impl CardSource {
    /// Profile file of a demo source.
    pub fn demo_profile_path(name: &str) -> PathBuf {
        fixtures_dir().join("cards").join(name).join("card.toml")
    }

    /// The readers this source offers, with their cards.
    pub fn readers(&self) -> Result<Vec<ReaderInfo>, CardError> {
        match self {
            CardSource::Pcsc { .. } => Ok(madoguchi_card::list_readers()?),
            CardSource::Demo { .. } => Ok(vec![ReaderInfo {
                name: DEMO_READER.to_string(),
                card_present: true,
                atr: Some(madoguchi_sim::ATR.to_vec()),
            }]),
        }
    }

    /// Connect to the card: returns the reader's name and the channel.
    pub fn open(&self) -> Result<(String, Box<dyn CardChannel>), CardError> {
        match self {
            CardSource::Pcsc { reader } => {
                let channel = madoguchi_card::connect(reader.as_deref())?;
                Ok((channel.reader_name().to_string(), Box::new(channel)))
            }
            CardSource::Demo { profile } => {
                let path = Self::demo_profile_path(profile);
                let channel = SimChannel::open(&path, None).map_err(|e| {
                    CardError::Transport(format!("demo card {}: {e}", path.display()))
                })?;
                Ok((DEMO_READER.to_string(), Box::new(channel)))
            }
        }
    }
}
