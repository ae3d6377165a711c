//! The vpcd face: the virtual card attached to pcscd through the
//! vsmartcard `vpcd` reader driver, so every PC/SC program sees it in
//! reader "Virtual PCD 00 00".
//!
//! Wire protocol (vsmartcard `vpcd.c`; reference `rust-stack.md` §3): vpcd
//! listens on TCP (default port 35963), the card connects. Every message in
//! both directions is a 2-byte big-endian length and a payload. vpcd speaks
//! first. A 1-byte payload is a control command: `00` power off, `01` power
//! on, `02` reset (no reply to any of them), `04` get ATR (reply: the ATR).
//! A longer payload is a command APDU; the reply is the response APDU.
//! Closing the connection is a card removal; connecting again is an
//! insertion.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use madoguchi_card::StatusWord;

use crate::channel::{SharedCard, SimStats, lock};
use crate::faults::{Faults, Stall};

/// vpcd's default port (first slot).
pub const DEFAULT_PORT: u16 = 0x8C7B;

/// vpcd control commands (1-byte payloads).
pub mod control {
    pub const POWER_OFF: u8 = 0x00;
    pub const POWER_ON: u8 = 0x01;
    pub const RESET: u8 = 0x02;
    pub const GET_ATR: u8 = 0x04;
}

const BACKOFF_START: Duration = Duration::from_millis(50);
const BACKOFF_MAX: Duration = Duration::from_secs(1);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Write one frame: 2-byte big-endian length, then the payload.
pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame longer than 65535"))?;
    let mut frame = Vec::with_capacity(2 + payload.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    w.write_all(&frame)?;
    w.flush()
}

/// Read one frame's payload. End of stream → `UnexpectedEof`.
pub fn read_frame(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 2];
    r.read_exact(&mut len)?;
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
    r.read_exact(&mut payload)?;
    Ok(payload)
}

#[derive(Default)]
struct Control {
    /// The card should be in the reader (connect and stay connected).
    inserted: bool,
    /// Shut the bridge down.
    stop: bool,
    /// The live connection, kept to shut it down from other threads.
    stream: Option<TcpStream>,
    /// Connections made so far (insertions seen by vpcd).
    connections: u64,
}

struct Shared {
    addr: String,
    card: SharedCard,
    faults: Faults,
    control: Mutex<Control>,
    changed: Condvar,
    stats: Mutex<SimStats>,
}

impl Shared {
    fn control(&self) -> MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sleep up to `d`, waking early if the card is removed or the bridge
    /// stops; `false` in that case.
    fn sleep(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut c = self.control();
        loop {
            if !c.inserted || c.stop {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            c = self
                .changed
                .wait_timeout(c, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Hang until the card is removed or the bridge stops.
    fn hang(&self) {
        let c = self.control();
        let _c = self
            .changed
            .wait_while(c, |c| c.inserted && !c.stop)
            .unwrap_or_else(|e| e.into_inner());
    }

    fn disconnect(&self, c: &mut Control) {
        if let Some(s) = c.stream.take() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

/// Why a connection ended.
enum Ended {
    /// vpcd closed it or the socket failed (pcscd stopped, or `remove()`).
    Closed,
    /// A fault removed the card.
    RemovedByFault,
}

/// Starts the vpcd bridge.
pub struct Bridge;

impl Bridge {
    /// Connect `card` to the vpcd listening at `addr` (e.g.
    /// `127.0.0.1:35963`) on a background thread, with the card inserted.
    /// If vpcd is not there yet, or goes away (pcscd restart), the bridge
    /// keeps retrying with backoff.
    pub fn spawn(addr: impl Into<String>, card: SharedCard, faults: Faults) -> BridgeHandle {
        let shared = Arc::new(Shared {
            addr: addr.into(),
            card,
            faults,
            control: Mutex::new(Control {
                inserted: true,
                ..Control::default()
            }),
            changed: Condvar::new(),
            stats: Mutex::new(SimStats::default()),
        });
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("vpcd-bridge".into())
            .spawn(move || run(&worker))
            .expect("spawning the vpcd bridge thread");
        BridgeHandle {
            shared,
            thread: Some(thread),
        }
    }
}

/// Control of a running bridge. Dropping it stops the bridge.
pub struct BridgeHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl BridgeHandle {
    /// Take the card out: close the connection (vpcd reports the card
    /// removed) and stay away until [`insert`](Self::insert).
    pub fn remove(&self) {
        let mut c = self.shared.control();
        c.inserted = false;
        self.shared.disconnect(&mut c);
        self.shared.changed.notify_all();
    }

    /// Put the card back: connect again.
    pub fn insert(&self) {
        let mut c = self.shared.control();
        c.inserted = true;
        self.shared.changed.notify_all();
    }

    /// Whether the card is meant to be in the reader.
    pub fn is_inserted(&self) -> bool {
        self.shared.control().inserted
    }

    /// Whether a connection to vpcd is up.
    pub fn is_connected(&self) -> bool {
        self.shared.control().stream.is_some()
    }

    /// Wait until connected (`true`) or disconnected (`false`); whether it
    /// happened within `timeout`.
    pub fn wait_connected(&self, connected: bool, timeout: Duration) -> bool {
        let c = self.shared.control();
        let (c, _) = self
            .shared
            .changed
            .wait_timeout_while(c, timeout, |c| c.stream.is_some() != connected)
            .unwrap_or_else(|e| e.into_inner());
        c.stream.is_some() == connected
    }

    /// Connections made so far.
    pub fn connections(&self) -> u64 {
        self.shared.control().connections
    }

    /// Traffic so far (command APDUs only).
    pub fn stats(&self) -> SimStats {
        *self.shared.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The fault settings the bridge obeys.
    pub fn faults(&self) -> Faults {
        self.shared.faults.clone()
    }

    /// The card behind the bridge.
    pub fn card(&self) -> SharedCard {
        self.shared.card.clone()
    }

    /// Close the connection and end the bridge thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        {
            let mut c = self.shared.control();
            c.stop = true;
            self.shared.disconnect(&mut c);
            self.shared.changed.notify_all();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for BridgeHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn resolve(addr: &str) -> io::Result<SocketAddr> {
    addr.to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "address resolves to nothing"))
}

fn run(shared: &Shared) {
    let mut backoff = BACKOFF_START;
    loop {
        {
            let c = shared.control();
            let c = shared
                .changed
                .wait_while(c, |c| !c.inserted && !c.stop)
                .unwrap_or_else(|e| e.into_inner());
            if c.stop {
                return;
            }
        }
        let stream =
            resolve(&shared.addr).and_then(|a| TcpStream::connect_timeout(&a, CONNECT_TIMEOUT));
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(target: "madoguchi::sim", "vpcd at {} not reachable: {e}", shared.addr);
                shared.sleep(backoff);
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let connected_at = Instant::now();
        {
            let mut c = shared.control();
            if !c.inserted || c.stop {
                let _ = stream.shutdown(Shutdown::Both);
                continue;
            }
            match stream.try_clone() {
                Ok(s) => c.stream = Some(s),
                Err(e) => {
                    tracing::warn!(target: "madoguchi::sim", "vpcd socket: {e}");
                    continue;
                }
            }
            c.connections += 1;
            shared.changed.notify_all();
        }
        // A fresh insertion: nothing selected, nothing verified.
        lock(&shared.card).reset();
        tracing::info!(target: "madoguchi::sim", "connected to vpcd at {}: card inserted", shared.addr);
        let ended = serve(shared, stream);
        lock(&shared.card).reset();
        let mut c = shared.control();
        shared.disconnect(&mut c);
        if matches!(ended, Ended::RemovedByFault) {
            c.inserted = false;
        }
        shared.changed.notify_all();
        let why = if c.stop {
            "bridge stopped"
        } else if !c.inserted {
            "card removed"
        } else {
            "vpcd closed the connection; reconnecting"
        };
        drop(c);
        tracing::info!(target: "madoguchi::sim", "disconnected from vpcd: {why}");
        // A connection that lived a while was healthy: reconnect promptly.
        // One closed at once (vpcd going down) backs off like a refused one.
        if connected_at.elapsed() > Duration::from_secs(1) {
            backoff = BACKOFF_START;
        } else if matches!(ended, Ended::Closed) {
            shared.sleep(backoff);
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }
}

/// vpcd writes a frame's length and payload in two sends with Nagle on, so
/// the payload waits for our ACK of the length; a delayed ACK would add
/// ~40 ms to every APDU. Ask for immediate ACKs (Linux resets the flag, so
/// before every read).
fn ack_quickly(stream: &TcpStream) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = stream;
}

fn serve(shared: &Shared, mut stream: TcpStream) -> Ended {
    loop {
        ack_quickly(&stream);
        let payload = match read_frame(&mut stream) {
            Ok(p) => p,
            Err(e) => {
                tracing::debug!(target: "madoguchi::sim", "vpcd connection ended: {e}");
                return Ended::Closed;
            }
        };
        let reply = match payload.as_slice() {
            [] => {
                tracing::debug!(target: "madoguchi::sim", "vpcd: empty frame ignored");
                None
            }
            [control::POWER_OFF] => {
                lock(&shared.card).reset();
                None
            }
            [control::POWER_ON] | [control::RESET] => {
                lock(&shared.card).reset();
                None
            }
            [control::GET_ATR] => Some(lock(&shared.card).atr().to_vec()),
            [other] => {
                tracing::warn!(target: "madoguchi::sim", "vpcd: unknown control byte {other:02X}");
                None
            }
            apdu => {
                let plan = shared.faults.plan(apdu);
                if plan.remove_before {
                    return Ended::RemovedByFault;
                }
                match plan.stall {
                    Some(Stall::UntilRemoved) => {
                        shared.hang();
                        return Ended::Closed;
                    }
                    Some(Stall::For(d)) if !shared.sleep(d) => return Ended::Closed,
                    _ => {}
                }
                let mut response = match plan.status {
                    Some(sw) => sw.to_bytes().to_vec(),
                    None => lock(&shared.card).process(apdu),
                };
                if response.len() > usize::from(u16::MAX) {
                    tracing::error!(target: "madoguchi::sim", "response of {} bytes does not fit a vpcd frame", response.len());
                    response = StatusWord::NoPreciseDiagnosis.to_bytes().to_vec();
                }
                shared
                    .stats
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .count(apdu.len(), response.len());
                if plan.remove_after {
                    if write_frame(&mut stream, &response).is_err() {
                        return Ended::Closed;
                    }
                    return Ended::RemovedByFault;
                }
                Some(response)
            }
        };
        if let Some(reply) = reply
            && let Err(e) = write_frame(&mut stream, &reply)
        {
            tracing::debug!(target: "madoguchi::sim", "vpcd write failed: {e}");
            return Ended::Closed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_roundtrip() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &[control::GET_ATR]).unwrap();
        write_frame(&mut buf, &[0x00, 0xA4, 0x04, 0x0C]).unwrap();
        assert_eq!(&buf[..3], &[0x00, 0x01, 0x04]);
        let mut r = buf.as_slice();
        assert_eq!(read_frame(&mut r).unwrap(), vec![control::GET_ATR]);
        assert_eq!(read_frame(&mut r).unwrap(), vec![0x00, 0xA4, 0x04, 0x0C]);
        assert_eq!(
            read_frame(&mut r).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
        assert!(write_frame(&mut Vec::new(), &vec![0u8; 65536]).is_err());
    }
}
