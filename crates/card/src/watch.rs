//! Reader and card watch: readers plugged in or out, cards inserted or
//! removed, the smart-card service going down and coming back.
//!
//! A background thread blocks in `SCardGetStatusChange` over every reader
//! plus the `\\?PnP?\Notification` pseudo-reader, so a change wakes it at
//! once. Where the PnP reader is not supported (macOS) the wait is bounded at
//! [`RELIST_INTERVAL`] and the reader list is re-read after each timeout. It
//! never spins: every pass through the loop either blocks in the service or
//! sleeps. When the service goes away (`NO_SERVICE`, `SERVICE_STOPPED`,
//! `INVALID_HANDLE`) the context is dropped and re-established every
//! [`SERVICE_RETRY`].
//!
//! Events arrive on a `std::sync::mpsc` channel ([`Watch::start`]) or through
//! a callback ([`Watch::start_with`]), in order. The first event is a
//! [`WatchEvent::Snapshot`], or [`WatchEvent::ServiceUnavailable`] when the
//! service is down at start; after [`WatchEvent::ServiceAvailable`] a fresh
//! snapshot follows. Dropping the [`Watch`] (or [`Watch::stop`]) cancels the
//! blocking call with `SCardCancel` and joins the thread.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pcsc::{Context, ReaderState, Scope, State};

use crate::channel::TransportError;
use crate::pcsc::{ReaderInfo, reader_info, reader_names};

/// Bound of one wait when the PnP pseudo-reader is not available: the
/// reader list is re-read this often (reader plug/unplug latency there).
pub const RELIST_INTERVAL: Duration = Duration::from_millis(300);
/// Bound of one wait when the PnP pseudo-reader works. Changes wake the wait
/// at once; the bound only re-reads the reader list as a safety net.
pub const PNP_WAIT: Duration = Duration::from_secs(2);
/// How often a lost service is retried.
pub const SERVICE_RETRY: Duration = Duration::from_millis(500);
/// A wait that returns faster than this with nothing changed is spurious;
/// after [`MAX_SPURIOUS`] of them in a row the PnP reader is given up.
const SPURIOUS_BELOW: Duration = Duration::from_millis(20);
const MAX_SPURIOUS: u32 = 3;
/// Pause after a spurious or failed wait, so a misbehaving service can never
/// make the loop spin.
const BACKOFF: Duration = Duration::from_millis(50);

/// What changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchEvent {
    /// Every reader and card right now: sent on start and after the service
    /// came back. Replaces whatever the receiver knew.
    Snapshot(Vec<ReaderInfo>),
    /// The smart-card service is not running; no reader is known until
    /// [`WatchEvent::ServiceAvailable`] and the next snapshot.
    ServiceUnavailable,
    /// The service is back; a [`WatchEvent::Snapshot`] follows.
    ServiceAvailable,
    ReaderAdded(String),
    /// A reader went away. If it held a card, [`WatchEvent::CardRemoved`]
    /// comes first.
    ReaderRemoved(String),
    CardInserted {
        reader: String,
        /// Empty when the card does not answer (mute).
        atr: Vec<u8>,
    },
    CardRemoved {
        reader: String,
    },
}

/// The name of the PnP pseudo-reader.
const PNP_NAME: &str = r"\\?PnP?\Notification";

/// One reader's state as the wait sees it: raw state bits with the event
/// count in the high 16 bits, as `SCARD_READERSTATE` carries them.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    pub(crate) name: String,
    pub(crate) current: u64,
    pub(crate) event: u64,
    pub(crate) atr: Vec<u8>,
}

impl Slot {
    fn new(name: String) -> Self {
        Slot {
            name,
            current: bits(State::UNAWARE),
            event: bits(State::UNAWARE),
            atr: Vec::new(),
        }
    }
    fn state(&self) -> State {
        State::from_bits_truncate((self.event & 0xFFFF) as _)
    }
    fn count(&self) -> u32 {
        ((self.event >> 16) & 0xFFFF) as u32
    }
    fn is_pnp(&self) -> bool {
        self.name == PNP_NAME
    }
}

/// State bits widened to one type on every platform (`DWORD` is 32 bits on
/// Windows, `unsigned long` with pcsc-lite).
fn bits(s: State) -> u64 {
    #[allow(clippy::useless_conversion)]
    u64::from(s.bits())
}

/// Cancels the blocking wait of one context, from another thread.
type Canceller = Box<dyn Fn() + Send>;

/// The PC/SC calls the watch makes; a fake implements it in tests.
pub(crate) trait Backend: Send + 'static {
    type Ctx;
    fn establish(&mut self) -> Result<(Self::Ctx, Canceller), pcsc::Error>;
    fn list(&mut self, ctx: &Self::Ctx) -> Result<Vec<String>, pcsc::Error>;
    fn wait(
        &mut self,
        ctx: &Self::Ctx,
        timeout: Duration,
        slots: &mut [Slot],
    ) -> Result<(), pcsc::Error>;
}

/// The real service.
struct PcscBackend;

impl Backend for PcscBackend {
    type Ctx = Context;

    fn establish(&mut self) -> Result<(Context, Canceller), pcsc::Error> {
        let ctx = Context::establish(Scope::User)?;
        let other = ctx.clone();
        Ok((
            ctx,
            Box::new(move || {
                let _ = other.cancel();
            }),
        ))
    }

    fn list(&mut self, ctx: &Context) -> Result<Vec<String>, pcsc::Error> {
        Ok(reader_names(ctx)?
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect())
    }

    fn wait(
        &mut self,
        ctx: &Context,
        timeout: Duration,
        slots: &mut [Slot],
    ) -> Result<(), pcsc::Error> {
        let mut states = Vec::with_capacity(slots.len());
        for s in slots.iter() {
            let name = CString::new(s.name.clone()).map_err(|_| pcsc::Error::UnknownReader)?;
            states.push(ReaderState::new(
                name,
                State::from_bits_retain(s.current as _),
            ));
        }
        ctx.get_status_change(timeout, &mut states)?;
        for (slot, st) in slots.iter_mut().zip(&states) {
            slot.event = bits(st.event_state()) | (u64::from(st.event_count()) << 16);
            slot.atr = st.atr().to_vec();
        }
        Ok(())
    }
}

/// State shared between the [`Watch`] handle and its thread.
struct Shared {
    stop: AtomicBool,
    canceller: Mutex<Option<Canceller>>,
    sleep_lock: Mutex<()>,
    wake: Condvar,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Sleep up to `d`, waking early on stop.
    fn sleep(&self, d: Duration) {
        let guard = self.sleep_lock.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self
            .wake
            .wait_timeout_while(guard, d, |_| !self.stopping())
            .map_err(|_| ());
    }

    fn set_canceller(&self, c: Option<Canceller>) {
        *self.canceller.lock().unwrap_or_else(|p| p.into_inner()) = c;
    }

    fn cancel(&self) {
        if let Some(c) = &*self.canceller.lock().unwrap_or_else(|p| p.into_inner()) {
            c();
        }
    }
}

/// A running reader/card watch. Dropping it stops the thread.
pub struct Watch {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Watch {
    /// Start watching; events arrive on the returned receiver. The thread
    /// ends by itself when the receiver is dropped.
    pub fn start() -> Result<(Watch, mpsc::Receiver<WatchEvent>), TransportError> {
        let (tx, rx) = mpsc::channel();
        let watch = Self::spawn(PcscBackend, move |e| tx.send(e).is_ok())?;
        Ok((watch, rx))
    }

    /// Start watching; `callback` gets every event, on the watch thread.
    pub fn start_with(
        mut callback: impl FnMut(WatchEvent) + Send + 'static,
    ) -> Result<Watch, TransportError> {
        Self::spawn(PcscBackend, move |e| {
            callback(e);
            true
        })
    }

    pub(crate) fn spawn<B: Backend>(
        backend: B,
        sink: impl FnMut(WatchEvent) -> bool + Send + 'static,
    ) -> Result<Watch, TransportError> {
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            canceller: Mutex::new(None),
            sleep_lock: Mutex::new(()),
            wake: Condvar::new(),
        });
        let inner = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("madoguchi-reader-watch".into())
            .spawn(move || Watcher::new(backend, sink, inner).run())
            .map_err(|e| TransportError::Other(format!("cannot start the reader watch: {e}")))?;
        Ok(Watch {
            shared,
            thread: Some(thread),
        })
    }

    /// Whether the watch thread is still running.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stop the thread: cancel its blocking wait and join it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.shared.stop.store(true, Ordering::SeqCst);
        // The thread may be between two waits when the first cancel lands;
        // repeat until it is out.
        while !thread.is_finished() {
            self.shared.cancel();
            self.shared.wake.notify_all();
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = thread.join();
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("running", &self.is_running())
            .finish()
    }
}

/// What the thread knows of one reader.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Known {
    present: bool,
    atr: Vec<u8>,
    /// Event count, once the service has reported one.
    count: Option<u32>,
}

enum SessionEnd {
    Stopped,
    ServiceLost,
}

struct Watcher<B, S> {
    backend: B,
    sink: S,
    shared: Arc<Shared>,
    known: BTreeMap<String, Known>,
    /// `None` before the first establish attempt.
    service_up: Option<bool>,
    /// Set when the receiver went away.
    closed: bool,
}

fn service_lost(e: pcsc::Error) -> bool {
    matches!(
        e,
        pcsc::Error::NoService | pcsc::Error::ServiceStopped | pcsc::Error::InvalidHandle
    )
}

impl<B: Backend, S: FnMut(WatchEvent) -> bool> Watcher<B, S> {
    fn new(backend: B, sink: S, shared: Arc<Shared>) -> Self {
        Watcher {
            backend,
            sink,
            shared,
            known: BTreeMap::new(),
            service_up: None,
            closed: false,
        }
    }

    fn emit(&mut self, e: WatchEvent) {
        tracing::debug!(target: "madoguchi::watch", "{e:?}");
        if !self.closed && !(self.sink)(e) {
            self.closed = true;
        }
    }

    fn done(&self) -> bool {
        self.closed || self.shared.stopping()
    }

    fn run(mut self) {
        while !self.done() {
            match self.backend.establish() {
                Ok((ctx, canceller)) => {
                    self.shared.set_canceller(Some(canceller));
                    let end = self.session(&ctx);
                    self.shared.set_canceller(None);
                    drop(ctx);
                    match end {
                        SessionEnd::Stopped => break,
                        SessionEnd::ServiceLost => {
                            self.mark_down();
                            self.shared.sleep(SERVICE_RETRY);
                        }
                    }
                }
                Err(e) => {
                    tracing::debug!(target: "madoguchi::watch", "establish: {e}");
                    self.mark_down();
                    self.shared.sleep(SERVICE_RETRY);
                }
            }
        }
    }

    fn mark_down(&mut self) {
        if self.service_up != Some(false) {
            self.service_up = Some(false);
            self.known.clear();
            self.emit(WatchEvent::ServiceUnavailable);
        }
    }

    fn snapshot(&self) -> Vec<ReaderInfo> {
        self.known
            .iter()
            .map(|(name, k)| ReaderInfo {
                name: name.clone(),
                card_present: k.present,
                atr: (k.present && !k.atr.is_empty()).then(|| k.atr.clone()),
            })
            .collect()
    }

    /// One established context, until the service goes away or we stop.
    fn session(&mut self, ctx: &B::Ctx) -> SessionEnd {
        // Initial state: every reader plus PnP, all UNAWARE, zero timeout.
        let names = match self.backend.list(ctx) {
            Ok(n) => n,
            Err(e) if service_lost(e) => return SessionEnd::ServiceLost,
            Err(e) => {
                tracing::debug!(target: "madoguchi::watch", "list: {e}");
                Vec::new()
            }
        };
        let mut slots: Vec<Slot> = std::iter::once(PNP_NAME.to_owned())
            .chain(names)
            .map(Slot::new)
            .collect();
        let mut pnp = true;
        match self.backend.wait(ctx, Duration::ZERO, &mut slots) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) if service_lost(e) => return SessionEnd::ServiceLost,
            Err(_) => {
                // The PnP name is refused here: go without it.
                pnp = false;
                slots.remove(0);
                if let Err(e) = self.backend.wait(ctx, Duration::ZERO, &mut slots)
                    && service_lost(e)
                {
                    return SessionEnd::ServiceLost;
                }
            }
        }
        if pnp && slots[0].state().contains(State::UNKNOWN) {
            pnp = false;
            slots.remove(0);
        }
        tracing::debug!(target: "madoguchi::watch", pnp, "session started");
        self.known.clear();
        for s in slots.iter().filter(|s| !s.is_pnp()) {
            if s.state().intersects(State::UNKNOWN | State::IGNORE) {
                continue;
            }
            let info = reader_info(s.name.clone(), s.state(), &s.atr);
            self.known.insert(
                s.name.clone(),
                Known {
                    present: info.card_present,
                    atr: s.atr.clone(),
                    count: Some(s.count()),
                },
            );
        }
        slots.retain(|s| s.is_pnp() || self.known.contains_key(&s.name));
        if self.service_up == Some(false) {
            self.emit(WatchEvent::ServiceAvailable);
        }
        self.service_up = Some(true);
        let snap = self.snapshot();
        self.emit(WatchEvent::Snapshot(snap));

        let mut spurious = 0;
        loop {
            if self.done() {
                return SessionEnd::Stopped;
            }
            for s in slots.iter_mut() {
                s.current = s.event;
            }
            if slots.is_empty() {
                // Nothing to wait on (no reader, no PnP): sleep, re-list.
                self.shared.sleep(RELIST_INTERVAL);
                if let Err(end) = self.relist(ctx, &mut slots) {
                    return end;
                }
                continue;
            }
            let timeout = if pnp { PNP_WAIT } else { RELIST_INTERVAL };
            let started = Instant::now();
            let result = self.backend.wait(ctx, timeout, &mut slots);
            if self.done() {
                return SessionEnd::Stopped;
            }
            let relist = match result {
                Ok(()) => {
                    let (changed, relist) = self.apply(&slots);
                    if !changed && !relist && started.elapsed() < SPURIOUS_BELOW {
                        spurious += 1;
                        if pnp && spurious >= MAX_SPURIOUS {
                            tracing::debug!(target: "madoguchi::watch", "PnP wait returns at once; falling back to re-listing");
                            pnp = false;
                            slots.retain(|s| !s.is_pnp());
                        }
                        self.shared.sleep(BACKOFF);
                    } else {
                        spurious = 0;
                    }
                    relist
                }
                Err(pcsc::Error::Timeout) => true,
                Err(pcsc::Error::Cancelled) => false,
                Err(e) if service_lost(e) => return SessionEnd::ServiceLost,
                Err(pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable) => {
                    // A reader vanished between listing and waiting, or the
                    // PnP name is not accepted by this service.
                    let before = self.known.len();
                    if let Err(end) = self.relist(ctx, &mut slots) {
                        return end;
                    }
                    if pnp && self.known.len() == before {
                        pnp = false;
                        slots.retain(|s| !s.is_pnp());
                    }
                    self.shared.sleep(BACKOFF);
                    false
                }
                Err(e) => {
                    tracing::debug!(target: "madoguchi::watch", "wait: {e}");
                    self.shared.sleep(RELIST_INTERVAL);
                    true
                }
            };
            if relist && let Err(end) = self.relist(ctx, &mut slots) {
                return end;
            }
        }
    }

    /// Turn changed slots into events. Returns (a card state changed, the
    /// reader list must be re-read).
    fn apply(&mut self, slots: &[Slot]) -> (bool, bool) {
        let mut changed = false;
        let mut relist = false;
        for s in slots {
            let st = s.state();
            if s.is_pnp() {
                if (s.event & !bits(State::CHANGED)) != (s.current & !bits(State::CHANGED)) {
                    relist = true;
                }
                continue;
            }
            if st.intersects(State::UNKNOWN | State::UNAVAILABLE | State::IGNORE) {
                relist = true;
                continue;
            }
            let present = st.contains(State::PRESENT);
            let count = s.count();
            let Some(old) = self.known.get(&s.name).cloned() else {
                relist = true;
                continue;
            };
            // A removal and insertion between two waits shows only in the
            // event count (+2) or a different ATR.
            let swapped = old.present
                && present
                && (old.count.is_some_and(|c| count.wrapping_sub(c) >= 2) || old.atr != s.atr);
            if old.present && (!present || swapped) {
                changed = true;
                self.emit(WatchEvent::CardRemoved {
                    reader: s.name.clone(),
                });
            }
            if present && (!old.present || swapped) {
                changed = true;
                self.emit(WatchEvent::CardInserted {
                    reader: s.name.clone(),
                    atr: s.atr.clone(),
                });
            }
            if present && old.present && !swapped && old.atr != s.atr {
                changed = true;
            }
            self.known.insert(
                s.name.clone(),
                Known {
                    present,
                    atr: if present { s.atr.clone() } else { Vec::new() },
                    count: Some(count),
                },
            );
        }
        (changed, relist)
    }

    /// Re-read the reader list; report readers added and removed and adjust
    /// the slots. New readers start UNAWARE, so the next wait returns at once
    /// with their card state.
    fn relist(&mut self, ctx: &B::Ctx, slots: &mut Vec<Slot>) -> Result<(), SessionEnd> {
        let names = match self.backend.list(ctx) {
            Ok(n) => n,
            Err(e) if service_lost(e) => return Err(SessionEnd::ServiceLost),
            Err(e) => {
                tracing::debug!(target: "madoguchi::watch", "list: {e}");
                return Ok(());
            }
        };
        let gone: Vec<String> = self
            .known
            .keys()
            .filter(|k| !names.contains(k))
            .cloned()
            .collect();
        for name in gone {
            if self.known.remove(&name).is_some_and(|k| k.present) {
                self.emit(WatchEvent::CardRemoved {
                    reader: name.clone(),
                });
            }
            slots.retain(|s| s.name != name);
            self.emit(WatchEvent::ReaderRemoved(name));
        }
        for name in names {
            if name == PNP_NAME || self.known.contains_key(&name) {
                continue;
            }
            self.known.insert(
                name.clone(),
                Known {
                    present: false,
                    atr: Vec::new(),
                    count: None,
                },
            );
            slots.retain(|s| s.name != name);
            slots.push(Slot::new(name.clone()));
            self.emit(WatchEvent::ReaderAdded(name));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A scripted PC/SC service: readers and cards change under the test's
    /// hand; `wait` blocks on a condition variable like the real call.
    #[derive(Default)]
    struct World {
        up: bool,
        pnp: bool,
        /// reader → (card present, ATR, event count)
        readers: BTreeMap<String, (bool, Vec<u8>, u32)>,
        /// bumped on every reader plug/unplug (the PnP "count").
        plug_count: u32,
        cancelled: bool,
    }

    #[derive(Clone)]
    struct Fake {
        world: Arc<(Mutex<World>, Condvar)>,
        waits: Arc<AtomicUsize>,
    }

    impl Fake {
        fn new(up: bool, pnp: bool) -> Self {
            let w = World {
                up,
                pnp,
                ..World::default()
            };
            Fake {
                world: Arc::new((Mutex::new(w), Condvar::new())),
                waits: Arc::new(AtomicUsize::new(0)),
            }
        }
        fn change(&self, f: impl FnOnce(&mut World)) {
            let mut w = self.world.0.lock().unwrap();
            f(&mut w);
            self.world.1.notify_all();
        }
        fn add_reader(&self, name: &str) {
            self.change(|w| {
                w.readers.insert(name.into(), (false, vec![], 0));
                w.plug_count += 1;
            });
        }
        fn remove_reader(&self, name: &str) {
            self.change(|w| {
                w.readers.remove(name);
                w.plug_count += 1;
            });
        }
        fn insert(&self, name: &str, atr: &[u8]) {
            self.change(|w| {
                let r = w.readers.get_mut(name).unwrap();
                *r = (true, atr.to_vec(), r.2 + 1);
            });
        }
        fn remove(&self, name: &str) {
            self.change(|w| {
                let r = w.readers.get_mut(name).unwrap();
                *r = (false, vec![], r.2 + 1);
            });
        }
        fn service(&self, up: bool) {
            self.change(|w| w.up = up);
        }

        fn state_of(w: &World, name: &str) -> (u64, Vec<u8>) {
            if name == PNP_NAME {
                if w.pnp {
                    return (u64::from(w.plug_count) << 16, vec![]);
                }
                return (bits(State::UNKNOWN), vec![]);
            }
            match w.readers.get(name) {
                None => (bits(State::UNKNOWN | State::UNAVAILABLE), vec![]),
                Some((true, atr, n)) => (bits(State::PRESENT) | (u64::from(*n) << 16), atr.clone()),
                Some((false, _, n)) => (bits(State::EMPTY) | (u64::from(*n) << 16), vec![]),
            }
        }
    }

    impl Backend for Fake {
        type Ctx = ();
        fn establish(&mut self) -> Result<((), Canceller), pcsc::Error> {
            let w = self.world.0.lock().unwrap();
            if !w.up {
                return Err(pcsc::Error::NoService);
            }
            let world = Arc::clone(&self.world);
            Ok((
                (),
                Box::new(move || {
                    world.0.lock().unwrap().cancelled = true;
                    world.1.notify_all();
                }),
            ))
        }
        fn list(&mut self, _: &()) -> Result<Vec<String>, pcsc::Error> {
            let w = self.world.0.lock().unwrap();
            if !w.up {
                return Err(pcsc::Error::ServiceStopped);
            }
            Ok(w.readers.keys().cloned().collect())
        }
        fn wait(
            &mut self,
            _: &(),
            timeout: Duration,
            slots: &mut [Slot],
        ) -> Result<(), pcsc::Error> {
            self.waits.fetch_add(1, Ordering::SeqCst);
            let deadline = Instant::now() + timeout;
            let mut w = self.world.0.lock().unwrap();
            for s in slots.iter() {
                if s.name != PNP_NAME && !w.readers.contains_key(&s.name) {
                    return Err(pcsc::Error::UnknownReader);
                }
            }
            loop {
                if !w.up {
                    return Err(pcsc::Error::ServiceStopped);
                }
                if w.cancelled {
                    w.cancelled = false;
                    return Err(pcsc::Error::Cancelled);
                }
                let mut any = false;
                for s in slots.iter_mut() {
                    let (ev, atr) = Self::state_of(&w, &s.name);
                    let unaware = s.current == bits(State::UNAWARE);
                    if unaware || ev != (s.current & !bits(State::CHANGED)) {
                        s.event = ev | bits(State::CHANGED);
                        any = true;
                    } else {
                        s.event = ev;
                    }
                    s.atr = atr;
                }
                if any {
                    return Ok(());
                }
                let now = Instant::now();
                if now >= deadline {
                    return Err(pcsc::Error::Timeout);
                }
                w = self.world.1.wait_timeout(w, deadline - now).unwrap().0;
            }
        }
    }

    fn start(fake: &Fake) -> (Watch, mpsc::Receiver<WatchEvent>) {
        let (tx, rx) = mpsc::channel();
        let w = Watch::spawn(fake.clone(), move |e| tx.send(e).is_ok()).unwrap();
        (w, rx)
    }

    fn next(rx: &mpsc::Receiver<WatchEvent>, within: Duration) -> WatchEvent {
        rx.recv_timeout(within).expect("no event in time")
    }

    const FAST: Duration = Duration::from_millis(500);

    #[test]
    fn snapshot_then_card_and_reader_events_with_pnp() {
        let fake = Fake::new(true, true);
        fake.add_reader("R0");
        fake.insert("R0", &[0x3B, 0x01]);
        fake.add_reader("R1");
        let (watch, rx) = start(&fake);
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::Snapshot(vec![
                ReaderInfo {
                    name: "R0".into(),
                    card_present: true,
                    atr: Some(vec![0x3B, 0x01])
                },
                ReaderInfo {
                    name: "R1".into(),
                    card_present: false,
                    atr: None
                },
            ])
        );
        fake.insert("R1", &[0x3B, 0x02]);
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::CardInserted {
                reader: "R1".into(),
                atr: vec![0x3B, 0x02]
            }
        );
        fake.remove("R0");
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::CardRemoved {
                reader: "R0".into()
            }
        );
        fake.add_reader("R2");
        assert_eq!(next(&rx, FAST), WatchEvent::ReaderAdded("R2".into()));
        fake.insert("R2", &[0x3B]);
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::CardInserted {
                reader: "R2".into(),
                atr: vec![0x3B]
            }
        );
        fake.remove_reader("R1");
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::CardRemoved {
                reader: "R1".into()
            }
        );
        assert_eq!(next(&rx, FAST), WatchEvent::ReaderRemoved("R1".into()));
        let started = Instant::now();
        watch.stop();
        assert!(started.elapsed() < Duration::from_millis(500));
    }

    #[test]
    fn swap_between_waits_is_removal_plus_insertion() {
        let fake = Fake::new(true, true);
        fake.add_reader("R0");
        fake.insert("R0", &[0x3B, 0x01]);
        let (_watch, rx) = start(&fake);
        assert!(matches!(next(&rx, FAST), WatchEvent::Snapshot(_)));
        // Both changes land before the watch thread looks again.
        fake.change(|w| {
            let r = w.readers.get_mut("R0").unwrap();
            *r = (true, vec![0x3B, 0x01], r.2 + 2);
        });
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::CardRemoved {
                reader: "R0".into()
            }
        );
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::CardInserted {
                reader: "R0".into(),
                atr: vec![0x3B, 0x01]
            }
        );
    }

    #[test]
    fn without_pnp_readers_are_found_by_relisting() {
        let fake = Fake::new(true, false);
        let (_watch, rx) = start(&fake);
        assert_eq!(next(&rx, FAST), WatchEvent::Snapshot(vec![]));
        let t = Instant::now();
        fake.add_reader("Mac Reader");
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::ReaderAdded("Mac Reader".into())
        );
        assert!(t.elapsed() < FAST);
        fake.insert("Mac Reader", &[0x3B]);
        assert!(matches!(next(&rx, FAST), WatchEvent::CardInserted { .. }));
        fake.remove_reader("Mac Reader");
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::CardRemoved {
                reader: "Mac Reader".into()
            }
        );
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::ReaderRemoved("Mac Reader".into())
        );
    }

    #[test]
    fn service_down_and_back() {
        let fake = Fake::new(false, true);
        let (_watch, rx) = start(&fake);
        assert_eq!(next(&rx, FAST), WatchEvent::ServiceUnavailable);
        fake.add_reader("R0");
        fake.service(true);
        assert_eq!(
            next(&rx, Duration::from_secs(2)),
            WatchEvent::ServiceAvailable
        );
        assert_eq!(
            next(&rx, FAST),
            WatchEvent::Snapshot(vec![ReaderInfo {
                name: "R0".into(),
                card_present: false,
                atr: None
            }])
        );
        fake.service(false);
        assert_eq!(next(&rx, FAST), WatchEvent::ServiceUnavailable);
        // Reported once, not once per retry.
        assert!(rx.recv_timeout(Duration::from_millis(1200)).is_err());
        fake.service(true);
        assert_eq!(
            next(&rx, Duration::from_secs(2)),
            WatchEvent::ServiceAvailable
        );
        assert!(matches!(next(&rx, FAST), WatchEvent::Snapshot(_)));
    }

    #[test]
    fn idle_watch_does_not_poll() {
        let fake = Fake::new(true, true);
        fake.add_reader("R0");
        let (watch, rx) = start(&fake);
        assert!(matches!(next(&rx, FAST), WatchEvent::Snapshot(_)));
        let before = fake.waits.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(1000));
        let during = fake.waits.load(Ordering::SeqCst) - before;
        // With PnP the wait blocks for PNP_WAIT: at most one more call.
        assert!(during <= 1, "{during} waits in 1 s");
        drop(watch);

        let fake = Fake::new(true, false);
        fake.add_reader("R0");
        let (_watch, rx) = start(&fake);
        assert!(matches!(next(&rx, FAST), WatchEvent::Snapshot(_)));
        let before = fake.waits.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(1000));
        let during = fake.waits.load(Ordering::SeqCst) - before;
        // Without PnP: one bounded wait per RELIST_INTERVAL.
        assert!((1..=5).contains(&during), "{during} waits in 1 s");
    }

    #[test]
    fn dropping_the_receiver_ends_the_thread() {
        let fake = Fake::new(true, true);
        fake.add_reader("R0");
        let (watch, rx) = start(&fake);
        assert!(matches!(next(&rx, FAST), WatchEvent::Snapshot(_)));
        drop(rx);
        fake.insert("R0", &[0x3B]);
        let t = Instant::now();
        while watch.is_running() && t.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!watch.is_running());
    }

    #[test]
    fn stop_while_service_down_is_prompt() {
        let fake = Fake::new(false, true);
        let (watch, rx) = start(&fake);
        assert_eq!(next(&rx, FAST), WatchEvent::ServiceUnavailable);
        let t = Instant::now();
        watch.stop();
        assert!(t.elapsed() < Duration::from_millis(300));
    }
}
