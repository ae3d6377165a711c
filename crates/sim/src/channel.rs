//! The in-process face: a [`CardChannel`] over a shared [`VirtualCard`].

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use madoguchi_card::{CardChannel, TransactionEnd, TransportError};

use crate::SimError;
use crate::card::VirtualCard;
use crate::faults::{Faults, Stall};

/// A virtual card shared between faces (in-process channel, vpcd bridge)
/// and the test that watches it.
pub type SharedCard = Arc<Mutex<VirtualCard>>;

/// Wrap a card for sharing.
pub fn share(card: VirtualCard) -> SharedCard {
    Arc::new(Mutex::new(card))
}

/// Lock a shared card, ignoring poisoning (the card's state stays
/// consistent between APDUs).
pub fn lock(card: &SharedCard) -> MutexGuard<'_, VirtualCard> {
    card.lock().unwrap_or_else(|e| e.into_inner())
}

/// Traffic counters of one face.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimStats {
    /// Command APDUs answered.
    pub apdus: u64,
    /// Command APDU bytes received by the card.
    pub bytes_to_card: u64,
    /// Response APDU bytes (data + SW) sent by the card.
    pub bytes_from_card: u64,
}

impl SimStats {
    pub(crate) fn count(&mut self, command: usize, response: usize) {
        self.apdus += 1;
        self.bytes_to_card += command as u64;
        self.bytes_from_card += response as u64;
    }
}

struct Slot {
    card: SharedCard,
    present: Mutex<bool>,
    changed: Condvar,
    stats: Mutex<SimStats>,
}

/// Remote control of a [`SimChannel`]: take the card out, put it back,
/// read the traffic counters. Clones share the same slot.
#[derive(Clone)]
pub struct SimHandle(Arc<Slot>);

impl SimHandle {
    fn present(&self) -> MutexGuard<'_, bool> {
        self.0.present.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take the card out: every transmit fails with `CardRemoved`, a
    /// transmit stalled by a fault returns at once with that error, and the
    /// card's session state (selection, verified flags) is lost.
    pub fn remove(&self) {
        let mut present = self.present();
        if *present {
            *present = false;
            lock(&self.0.card).reset();
            tracing::info!(target: "madoguchi::sim", "card removed");
        }
        self.0.changed.notify_all();
    }

    /// Put the card back (a fresh power-on: nothing selected or verified).
    pub fn insert(&self) {
        let mut present = self.present();
        if !*present {
            lock(&self.0.card).reset();
            *present = true;
            tracing::info!(target: "madoguchi::sim", "card inserted");
        }
        self.0.changed.notify_all();
    }

    pub fn is_present(&self) -> bool {
        *self.present()
    }

    /// Wait until the card is (`true`) or is not (`false`) present; returns
    /// whether that happened within `timeout`.
    pub fn wait_presence(&self, present: bool, timeout: Duration) -> bool {
        let guard = self.present();
        let (guard, _) = self
            .0
            .changed
            .wait_timeout_while(guard, timeout, |p| *p != present)
            .unwrap_or_else(|e| e.into_inner());
        *guard == present
    }

    /// Traffic so far.
    pub fn stats(&self) -> SimStats {
        *self.0.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Start counting from zero.
    pub fn reset_stats(&self) {
        *self.0.stats.lock().unwrap_or_else(|e| e.into_inner()) = SimStats::default();
    }

    /// The card behind this slot.
    pub fn card(&self) -> SharedCard {
        self.0.card.clone()
    }

    /// Hold the caller back per `stall`; `false` if the card was removed
    /// meanwhile.
    fn stall(&self, stall: Stall) -> bool {
        let guard = self.present();
        match stall {
            Stall::UntilRemoved => {
                let guard = self
                    .0
                    .changed
                    .wait_while(guard, |p| *p)
                    .unwrap_or_else(|e| e.into_inner());
                *guard
            }
            Stall::For(d) => {
                let deadline = Instant::now() + d;
                let mut guard = guard;
                loop {
                    if !*guard {
                        return false;
                    }
                    let now = Instant::now();
                    if now >= deadline {
                        return true;
                    }
                    guard = self
                        .0
                        .changed
                        .wait_timeout(guard, deadline - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
    }
}

/// Called with the card before each APDU of a [`SimChannel`] reaches it:
/// the card, the APDU, and whether this channel holds a transaction. A test
/// uses it to play another client's APDUs between ours (only where PC/SC
/// would let them in: outside our transactions) and to check the card's
/// state as our APDU arrives.
pub type Observer = Box<dyn FnMut(&mut VirtualCard, &[u8], bool) + Send>;

/// A [`CardChannel`] to a virtual card in the same process.
///
/// Channels on one [`SharedCard`] behave like PC/SC clients sharing a
/// reader: [`CardChannel::transaction`] holds the card for one channel, and
/// the others' APDUs wait until it ends. An interfering client can so be
/// simulated in-process.
pub struct SimChannel {
    handle: SimHandle,
    faults: Faults,
    /// This client's identity for the card's transaction lock.
    client: u64,
    observer: Option<Observer>,
}

/// Source of client identities.
static NEXT_CLIENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// How often a client waiting for another's transaction looks again.
const TRANSACTION_POLL: Duration = Duration::from_millis(1);

impl SimChannel {
    /// A channel to its own card, no faults armed.
    pub fn new(card: VirtualCard) -> SimChannel {
        SimChannel::with_shared(share(card), Faults::new())
    }

    /// A channel to a shared card with shared fault settings.
    pub fn with_shared(card: SharedCard, faults: Faults) -> SimChannel {
        SimChannel {
            handle: SimHandle(Arc::new(Slot {
                card,
                present: Mutex::new(true),
                changed: Condvar::new(),
                stats: Mutex::new(SimStats::default()),
            })),
            faults,
            client: NEXT_CLIENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            observer: None,
        }
    }

    /// Watch every APDU of this channel as it reaches the card (see
    /// [`Observer`]).
    pub fn observe(&mut self, observer: Observer) {
        self.observer = Some(observer);
    }

    /// Another client of the same card and slot (shares presence, faults and
    /// counters; has its own transaction identity).
    pub fn another_client(&self) -> SimChannel {
        SimChannel {
            handle: self.handle.clone(),
            faults: self.faults.clone(),
            client: NEXT_CLIENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            observer: None,
        }
    }

    /// Lock the card once no other client holds a transaction; `None` if
    /// the card is taken out meanwhile.
    fn card_when_free(&self) -> Option<MutexGuard<'_, VirtualCard>> {
        Self::wait_free(&self.handle, self.client)
    }

    fn wait_free(handle: &SimHandle, client: u64) -> Option<MutexGuard<'_, VirtualCard>> {
        loop {
            if !handle.is_present() {
                return None;
            }
            let card = lock(&handle.0.card);
            if card.free_for(client) {
                return Some(card);
            }
            drop(card);
            std::thread::sleep(TRANSACTION_POLL);
        }
    }

    /// Load a profile (and state file) into a fresh card.
    pub fn open(profile: impl AsRef<Path>, state: Option<&Path>) -> Result<SimChannel, SimError> {
        Ok(SimChannel::new(VirtualCard::open(profile, state)?))
    }

    /// Control of this channel's slot (remove/insert, counters).
    pub fn handle(&self) -> SimHandle {
        self.handle.clone()
    }

    /// The fault settings this channel obeys.
    pub fn faults(&self) -> Faults {
        self.faults.clone()
    }

    /// The card behind this channel.
    pub fn card(&self) -> SharedCard {
        self.handle.card()
    }
}

impl CardChannel for SimChannel {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.handle.is_present() {
            return Err(TransportError::CardRemoved);
        }
        let plan = self.faults.plan(command);
        if plan.remove_before {
            self.handle.remove();
            return Err(TransportError::CardRemoved);
        }
        if let Some(stall) = plan.stall
            && !self.handle.stall(stall)
        {
            return Err(TransportError::CardRemoved);
        }
        let response = match plan.status {
            Some(sw) => {
                tracing::debug!(target: "madoguchi::sim", "fault: answering {sw}");
                sw.to_bytes().to_vec()
            }
            None => {
                let observer = &mut self.observer;
                let Some(mut card) = Self::wait_free(&self.handle, self.client) else {
                    return Err(TransportError::CardRemoved);
                };
                if let Some(observe) = observer {
                    let held = card.is_held();
                    observe(&mut card, command, held);
                }
                card.process(command)
            }
        };
        // Removed while the card was working: the answer is lost.
        if !self.handle.is_present() {
            return Err(TransportError::CardRemoved);
        }
        self.handle
            .0
            .stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .count(command.len(), response.len());
        if plan.remove_after {
            self.handle.remove();
        }
        Ok(response)
    }

    fn atr(&self) -> Vec<u8> {
        lock(&self.handle.0.card).atr().to_vec()
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        let Some(mut card) = self.card_when_free() else {
            return Err(TransportError::CardRemoved);
        };
        card.reset();
        Ok(())
    }

    /// Hold the card for this client (others wait), run `work`, end as
    /// `end` says (reset and power-off both drop the security state here).
    fn transaction(
        &mut self,
        end: TransactionEnd,
        work: &mut dyn FnMut(&mut dyn CardChannel),
    ) -> Result<(), TransportError> {
        loop {
            let Some(mut card) = self.card_when_free() else {
                return Err(TransportError::CardRemoved);
            };
            if card.hold(self.client) {
                break;
            }
        }
        work(self);
        let mut card = lock(&self.handle.0.card);
        let ended = match end {
            TransactionEnd::Leave => Ok(()),
            _ if !self.handle.is_present() => Err(TransportError::CardRemoved),
            TransactionEnd::Reset | TransactionEnd::Unpower => {
                card.reset();
                Ok(())
            }
        };
        card.release(self.client);
        ended
    }
}

impl Drop for SimChannel {
    /// A client that goes away ends its transaction (as pcscd does).
    fn drop(&mut self) {
        lock(&self.handle.0.card).release(self.client);
    }
}
