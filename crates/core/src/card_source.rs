//! Where the card comes from: a PC/SC reader, or the built-in virtual card
//! of demo mode.

use std::sync::Arc;

use madoguchi_card::{CardChannel, CardError, ReaderInfo};
use madoguchi_demo::{DEMO_READER, Material, Profile};

/// A source of card channels.
#[derive(Clone, Debug)]
pub enum CardSource {
    /// A PC/SC reader: the named one, or the first with a card in it.
    Pcsc { reader: Option<String> },
    /// The in-process virtual card of this profile (counters in memory:
    /// every run starts from the profile's values).
    Demo {
        material: Arc<Material>,
        profile: Profile,
    },
}

impl CardSource {
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
            CardSource::Demo { material, profile } => {
                madoguchi_demo::connect_once(material, *profile)
            }
        }
    }
}
