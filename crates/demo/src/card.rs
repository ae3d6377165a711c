//! The demo's virtual card in a slot that can be emptied: the card can be taken out and put
//! back from the app (hot-plug without hardware).

use std::sync::{Arc, Mutex};

use madoguchi_card::{CardChannel, CardError, PinKind, TransportError};
use madoguchi_sim::{Faults, SharedCard, SimChannel, SimHandle, VirtualCard};

use crate::{Material, Profile};

/// The reader name the demo card shows under.
pub const DEMO_READER: &str = "Madoguchi demo card";

/// A connection to a card: the reader's name and the channel.
pub type Connection = (String, Box<dyn CardChannel>);

/// One fresh connection to the card of `profile` (counters as the profile says), with no
/// slot around it: what the command line's one-shot commands use.
pub fn connect_once(material: &Material, profile: Profile) -> Result<Connection, CardError> {
    let path = material.card(profile).map_err(|e| demo_error(&e))?;
    let channel = SimChannel::open(&path, None)
        .map_err(|e| CardError::Transport(format!("demo card {}: {e}", path.display())))?;
    Ok((DEMO_READER.to_string(), Box::new(channel)))
}

fn demo_error(e: &anyhow::Error) -> CardError {
    CardError::Transport(format!("demo card: {e:#}"))
}

/// The in-process virtual card, with a slot that can be emptied.
#[derive(Clone)]
pub struct DemoCard {
    shared: SharedCard,
    present: Arc<Mutex<bool>>,
    handles: Arc<Mutex<Vec<SimHandle>>>,
    faults: Faults,
}

impl std::fmt::Debug for DemoCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCard")
            .field("present", &self.is_present())
            .finish_non_exhaustive()
    }
}

impl DemoCard {
    /// A fresh card of a profile (counters as the profile says).
    pub fn open(material: &Material, profile: Profile) -> Result<DemoCard, CardError> {
        let path = material.card(profile).map_err(|e| demo_error(&e))?;
        let card = VirtualCard::open(&path, None)
            .map_err(|e| CardError::Transport(format!("demo card {}: {e}", path.display())))?;
        Ok(DemoCard {
            shared: madoguchi_sim::share(card),
            present: Arc::new(Mutex::new(true)),
            handles: Arc::default(),
            faults: Faults::new(),
        })
    }

    pub fn is_present(&self) -> bool {
        *self.present.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take the card out: open connections fail as a real removal does.
    pub fn remove(&self) {
        *self.present.lock().unwrap_or_else(|e| e.into_inner()) = false;
        for h in self
            .handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            h.remove();
        }
    }

    /// Put it back.
    pub fn insert(&self) {
        *self.present.lock().unwrap_or_else(|e| e.into_inner()) = true;
    }

    /// Make every command take `latency` (a slow card or reader).
    pub fn set_latency(&self, latency: std::time::Duration) {
        self.faults.set_latency(latency);
    }

    /// The card's fault injection (tests hold an APDU back with it).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Tries left of a password (for tests and the demo panel).
    pub fn tries_left(&self, kind: PinKind) -> Option<u8> {
        madoguchi_sim::channel::lock(&self.shared).tries_left(kind)
    }

    /// A new connection, as the flow and the tools open them; fails with
    /// [`CardError::NoCard`] while the card is out.
    pub fn connect(&self) -> Result<Connection, CardError> {
        if !self.is_present() {
            return Err(CardError::NoCard);
        }
        let channel = SimChannel::with_shared(self.shared.clone(), self.faults.clone());
        self.handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(channel.handle());
        Ok((DEMO_READER.to_string(), Box::new(Slotted(channel))))
    }
}

/// A demo channel (kept as its own type so the slot's removal reaches it).
struct Slotted(SimChannel);

impl CardChannel for Slotted {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0.transmit_raw(command)
    }
    fn atr(&self) -> Vec<u8> {
        self.0.atr()
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.0.reset()
    }
}
