//! The PC/SC channel ([`PcscChannel`]) and reader listing over the `pcsc`
//! crate (pcsc-lite on Linux/macOS, WinSCard on Windows).
//!
//! Connections are made in shared mode with any protocol (JPKI cards are
//! T=1; contactless readers synthesise their own protocol), so other PC/SC
//! programs keep working beside Madoguchi; sequences that must not be split
//! hold a PC/SC transaction ([`CardChannel::transaction`]). The receive buffer is always
//! [`pcsc::MAX_BUFFER_SIZE_EXTENDED`]: a reader driver (vpcd in particular)
//! executes the APDU even when the caller's buffer is too small and only then
//! fails, and a lost answer to a VERIFY must never happen because of a buffer.

use std::ffi::CString;
use std::time::Duration;

use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};

use crate::channel::{CardChannel, TransactionEnd, TransportError};
use crate::error::CardError;

/// One reader as listed by [`list_readers`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The reader's PC/SC name.
    pub name: String,
    /// Whether a card sits in the reader (powered or not).
    pub card_present: bool,
    /// The card's ATR, when a card is present and the service reports one.
    pub atr: Option<Vec<u8>>,
}

/// Reader names of vsmartcard's vpcd driver: a virtual reader whose "card"
/// is whatever local program connects to its TCP port.
const VIRTUAL_READER_PREFIX: &str = "Virtual PCD";

impl ReaderInfo {
    /// Whether this is a virtual reader (vpcd): flagged to the resident,
    /// and used only when chosen by name.
    pub fn is_virtual(&self) -> bool {
        is_virtual_reader(&self.name)
    }
}

/// Whether a reader of this name is a virtual reader (vpcd).
pub fn is_virtual_reader(name: &str) -> bool {
    name.starts_with(VIRTUAL_READER_PREFIX)
}

/// The reader to use when none was chosen: the one physical reader that
/// holds a card. Several → [`CardError::SeveralCards`] (the resident
/// chooses); only a virtual reader → [`CardError::VirtualReader`]; none →
/// [`CardError::NoCard`].
pub fn pick_reader(readers: &[ReaderInfo]) -> Result<&ReaderInfo, CardError> {
    let with_card: Vec<&ReaderInfo> = readers.iter().filter(|r| r.card_present).collect();
    let physical: Vec<&ReaderInfo> = with_card
        .iter()
        .copied()
        .filter(|r| !r.is_virtual())
        .collect();
    match (physical.as_slice(), with_card.first()) {
        ([one], _) => Ok(one),
        ([], Some(virtual_reader)) => Err(CardError::VirtualReader(virtual_reader.name.clone())),
        ([], None) => Err(CardError::NoCard),
        (several, _) => Err(CardError::SeveralCards(
            several.iter().map(|r| r.name.clone()).collect(),
        )),
    }
}

/// Map a PC/SC error to a [`TransportError`].
///
/// `reader` names the reader the call was about, for
/// [`TransportError::ReaderNotFound`].
pub fn map_pcsc_error(error: pcsc::Error, reader: Option<&str>) -> TransportError {
    use pcsc::Error as E;
    match error {
        E::NoService | E::ServiceStopped | E::InvalidHandle => TransportError::ServiceUnavailable,
        E::NoReadersAvailable => TransportError::NoReader,
        E::UnknownReader | E::ReaderUnavailable => {
            TransportError::ReaderNotFound(reader.unwrap_or_default().to_owned())
        }
        E::NoSmartcard => TransportError::NoCard,
        E::RemovedCard | E::ResetCard => TransportError::CardRemoved,
        E::SharingViolation => TransportError::Sharing,
        E::Timeout => TransportError::Timeout,
        other => TransportError::Other(format!("{other} ({:#010X})", other as u32)),
    }
}

/// The reader's state as a [`ReaderInfo`] (shared with the watch).
pub(crate) fn reader_info(name: String, event_state: State, atr: &[u8]) -> ReaderInfo {
    let card_present = event_state.contains(State::PRESENT);
    ReaderInfo {
        name,
        card_present,
        atr: (card_present && !atr.is_empty()).then(|| atr.to_vec()),
    }
}

/// Reader names known to the service; no reader is an empty list, not an
/// error.
pub(crate) fn reader_names(ctx: &Context) -> Result<Vec<CString>, pcsc::Error> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

fn establish() -> Result<Context, TransportError> {
    Context::establish(Scope::User).map_err(|e| map_pcsc_error(e, None))
}

fn list_with(ctx: &Context) -> Result<Vec<ReaderInfo>, TransportError> {
    let names = reader_names(ctx).map_err(|e| map_pcsc_error(e, None))?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut states: Vec<ReaderState> = names
        .into_iter()
        .map(|n| ReaderState::new(n, State::UNAWARE))
        .collect();
    // UNAWARE makes the call return at once with the current states.
    match ctx.get_status_change(Duration::ZERO, &mut states) {
        Ok(()) | Err(pcsc::Error::Timeout) => {}
        Err(e) => return Err(map_pcsc_error(e, None)),
    }
    Ok(states
        .iter()
        .filter(|s| !s.event_state().intersects(State::UNKNOWN | State::IGNORE))
        .map(|s| {
            reader_info(
                s.name().to_string_lossy().into_owned(),
                s.event_state(),
                s.atr(),
            )
        })
        .collect())
}

/// Every reader the smart-card service knows, with card presence and ATR.
/// No reader gives an empty list.
pub fn list_readers() -> Result<Vec<ReaderInfo>, TransportError> {
    list_with(&establish()?)
}

/// A card connection through PC/SC (shared mode). Dropping it disconnects
/// with a card reset, so no verified state outlives the connection.
pub struct PcscChannel {
    card: pcsc::Card,
    reader: String,
    atr: Vec<u8>,
    receive: Vec<u8>,
}

/// Connect to the card in `reader`, or with `None` to the one physical
/// reader that has a card in it ([`pick_reader`]).
///
/// Errors: [`CardError::ServiceUnavailable`] when the service is down,
/// [`CardError::NoReader`] when no reader is connected,
/// [`CardError::ReaderNotFound`] for an unknown name, [`CardError::NoCard`]
/// when the chosen reader (or every reader) is empty,
/// [`CardError::CardInUse`] when another program holds the card exclusively,
/// and without a name [`CardError::SeveralCards`] or
/// [`CardError::VirtualReader`] (see [`pick_reader`]).
pub fn connect(reader: Option<&str>) -> Result<PcscChannel, CardError> {
    let ctx = establish()?;
    let readers = list_with(&ctx)?;
    if readers.is_empty() {
        return Err(CardError::NoReader);
    }
    let name = match reader {
        Some(wanted) => {
            let found = readers
                .iter()
                .find(|r| r.name == wanted)
                .ok_or_else(|| CardError::ReaderNotFound(wanted.to_owned()))?;
            if !found.card_present {
                return Err(CardError::NoCard);
            }
            found.name.clone()
        }
        None => pick_reader(&readers)?.name.clone(),
    };
    let cname = CString::new(name.clone()).map_err(|_| CardError::ReaderNotFound(name.clone()))?;
    let card = ctx
        .connect(&cname, ShareMode::Shared, Protocols::ANY)
        .map_err(|e| map_pcsc_error(e, Some(&name)))?;
    let atr = card_atr(&card, &name)?;
    tracing::debug!(target: "madoguchi::pcsc", reader = %name, atr = %hex::encode_upper(&atr), "connected");
    Ok(PcscChannel {
        card,
        reader: name,
        atr,
        receive: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
    })
}

fn card_atr(card: &pcsc::Card, reader: &str) -> Result<Vec<u8>, TransportError> {
    let status = card
        .status2_owned()
        .map_err(|e| map_pcsc_error(e, Some(reader)))?;
    Ok(status.atr().to_vec())
}

/// How long a command without an answer waits for the service to notice a
/// removal. Only on that failure path; PC/SC services poll slots a few
/// times a second.
const REMOVAL_SETTLE: std::time::Duration = std::time::Duration::from_millis(600);

/// Removed (the slot empties within [`REMOVAL_SETTLE`]) or mute.
fn why_no_answer(card: &pcsc::Card, reader: &str) -> TransportError {
    let deadline = std::time::Instant::now() + REMOVAL_SETTLE;
    loop {
        match card.status2_owned() {
            Err(e) => return map_pcsc_error(e, Some(reader)),
            Ok(s) if !s.status().contains(pcsc::Status::PRESENT) => {
                return TransportError::CardRemoved;
            }
            Ok(_) => {}
        }
        if std::time::Instant::now() >= deadline {
            return TransportError::Timeout;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// One APDU exchange on `card` (inside a transaction or not).
fn exchange(
    card: &pcsc::Card,
    reader: &str,
    receive: &mut [u8],
    command: &[u8],
) -> Result<Vec<u8>, TransportError> {
    let answer = match card.transmit(command, receive) {
        Ok(answer) => answer.to_vec(),
        // The driver failed the exchange: most often the card left
        // mid-command. Say so when the slot confirms it.
        Err(e @ (pcsc::Error::NotTransacted | pcsc::Error::CommError)) => {
            return Err(match why_no_answer(card, reader) {
                TransportError::CardRemoved => TransportError::CardRemoved,
                _ => map_pcsc_error(e, Some(reader)),
            });
        }
        Err(e) => return Err(map_pcsc_error(e, Some(reader))),
    };
    if answer.len() < 2 {
        // No status word. Some drivers (vpcd among them) report a card
        // pulled mid-command this way, before the service marks the slot
        // empty; tell removal apart from a mute card.
        return Err(why_no_answer(card, reader));
    }
    Ok(answer)
}

fn disposition(end: TransactionEnd) -> Disposition {
    match end {
        TransactionEnd::Leave => Disposition::LeaveCard,
        TransactionEnd::Reset => Disposition::ResetCard,
        TransactionEnd::Unpower => Disposition::UnpowerCard,
    }
}

impl PcscChannel {
    /// The reader this channel is connected through.
    pub fn reader_name(&self) -> &str {
        &self.reader
    }
}

/// The channel while this connection holds a PC/SC transaction.
struct InTransaction<'t, 'c> {
    tx: &'t mut pcsc::Transaction<'c>,
    reader: &'t str,
    atr: &'t mut Vec<u8>,
    receive: &'t mut [u8],
}

impl CardChannel for InTransaction<'_, '_> {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        exchange(self.tx, self.reader, self.receive, command)
    }

    fn atr(&self) -> Vec<u8> {
        self.atr.clone()
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        // Reconnecting while holding the transaction keeps it.
        self.tx
            .reconnect(ShareMode::Shared, Protocols::ANY, Disposition::ResetCard)
            .map_err(|e| map_pcsc_error(e, Some(self.reader)))?;
        *self.atr = card_atr(self.tx, self.reader)?;
        Ok(())
    }

    fn transaction(
        &mut self,
        _end: TransactionEnd,
        work: &mut dyn FnMut(&mut dyn CardChannel),
    ) -> Result<(), TransportError> {
        // Already inside one; the outer transaction decides how it ends.
        work(self);
        Ok(())
    }
}

impl CardChannel for PcscChannel {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        exchange(&self.card, &self.reader, &mut self.receive, command)
    }

    fn atr(&self) -> Vec<u8> {
        self.atr.clone()
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.card
            .reconnect(ShareMode::Shared, Protocols::ANY, Disposition::ResetCard)
            .map_err(|e| map_pcsc_error(e, Some(&self.reader)))?;
        self.atr = card_atr(&self.card, &self.reader)?;
        Ok(())
    }

    /// `SCardBeginTransaction`, `work`, `SCardEndTransaction(end)`. Our own
    /// handle learns of a reset by anyone (ourselves included, when the last
    /// transaction ended with one) as `SCARD_W_RESET_CARD` at the next
    /// begin; nothing was sent then, so the handle is reconnected (leaving
    /// the card as it is) and the begin made once more.
    fn transaction(
        &mut self,
        end: TransactionEnd,
        work: &mut dyn FnMut(&mut dyn CardChannel),
    ) -> Result<(), TransportError> {
        let reader = self.reader.as_str();
        if let Err(e) = self.card.transaction().map(drop) {
            // Probe-and-release above only to learn the handle's state;
            // the real transaction starts below.
            if e != pcsc::Error::ResetCard {
                return Err(map_pcsc_error(e, Some(reader)));
            }
            self.card
                .reconnect(ShareMode::Shared, Protocols::ANY, Disposition::LeaveCard)
                .map_err(|e| map_pcsc_error(e, Some(reader)))?;
            self.atr = card_atr(&self.card, reader)?;
        }
        let mut tx = self
            .card
            .transaction()
            .map_err(|e| map_pcsc_error(e, Some(reader)))?;
        let mut inside = InTransaction {
            tx: &mut tx,
            reader,
            atr: &mut self.atr,
            receive: &mut self.receive,
        };
        work(&mut inside);
        tx.end(disposition(end))
            .map_err(|(_, e)| map_pcsc_error(e, Some(reader)))?;
        if end != TransactionEnd::Leave {
            // pcsc-lite reports the reset we just made to our own handle
            // too (SCARD_W_RESET_CARD on its next call): acknowledge it now,
            // leaving the card as it is. If another program holds the card
            // by now, the next transaction's begin does it instead.
            match self
                .card
                .reconnect(ShareMode::Shared, Protocols::ANY, Disposition::LeaveCard)
            {
                Ok(()) => self.atr = card_atr(&self.card, reader)?,
                Err(e) => {
                    tracing::debug!(target: "madoguchi::pcsc", "reconnect after the transaction: {e}");
                }
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for PcscChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscChannel")
            .field("reader", &self.reader)
            .field("atr", &hex::encode_upper(&self.atr))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_mapping() {
        use pcsc::Error as E;
        for e in [E::NoService, E::ServiceStopped, E::InvalidHandle] {
            assert_eq!(map_pcsc_error(e, None), TransportError::ServiceUnavailable);
        }
        assert_eq!(
            map_pcsc_error(E::NoReadersAvailable, None),
            TransportError::NoReader
        );
        assert_eq!(
            map_pcsc_error(E::UnknownReader, Some("R 00")),
            TransportError::ReaderNotFound("R 00".into())
        );
        assert_eq!(map_pcsc_error(E::NoSmartcard, None), TransportError::NoCard);
        for e in [E::RemovedCard, E::ResetCard] {
            assert_eq!(map_pcsc_error(e, None), TransportError::CardRemoved);
        }
        assert_eq!(
            map_pcsc_error(E::SharingViolation, None),
            TransportError::Sharing
        );
        assert_eq!(map_pcsc_error(E::Timeout, None), TransportError::Timeout);
        assert!(matches!(
            map_pcsc_error(E::CommError, None),
            TransportError::Other(_)
        ));
    }

    #[test]
    fn reader_choice() {
        let r = |name: &str, card: bool| ReaderInfo {
            name: name.into(),
            card_present: card,
            atr: None,
        };
        let vpcd = r("Virtual PCD 00 00", true);
        assert!(vpcd.is_virtual());
        let usb = r("SONY FeliCa Port/PaSoRi 4.0 00 00", true);
        assert!(!usb.is_virtual());
        assert_eq!(pick_reader(&[vpcd.clone(), usb.clone()]), Ok(&usb));
        assert_eq!(
            pick_reader(&[vpcd.clone(), r("ACS ACR39U 00 00", false)]),
            Err(CardError::VirtualReader("Virtual PCD 00 00".into()))
        );
        assert_eq!(
            pick_reader(&[usb.clone(), r("ACS ACR39U 00 00", true)]),
            Err(CardError::SeveralCards(vec![
                usb.name.clone(),
                "ACS ACR39U 00 00".into()
            ]))
        );
        assert_eq!(
            pick_reader(&[r("ACS ACR39U 00 00", false)]),
            Err(CardError::NoCard)
        );
    }

    #[test]
    fn reader_info_from_state() {
        let r = reader_info("R".into(), State::PRESENT | State::INUSE, &[0x3B, 0x80]);
        assert!(r.card_present);
        assert_eq!(r.atr, Some(vec![0x3B, 0x80]));
        let r = reader_info("R".into(), State::EMPTY, &[0x3B]);
        assert!(!r.card_present);
        assert_eq!(r.atr, None);
        let r = reader_info("R".into(), State::PRESENT | State::MUTE, &[]);
        assert!(r.card_present);
        assert_eq!(r.atr, None);
    }
}
