//! Fault injection: card removal, silent or slow answers, chosen status
//! words.
//!
//! [`Faults`] is a cheap, cloneable handle on shared fault settings
//! (`Arc<Mutex<…>>`): a test keeps one clone and arms faults mid-session
//! while a [`SimChannel`](crate::SimChannel) or a vpcd
//! [`Bridge`](crate::vpcd::Bridge) holds another. Counting is relative to
//! the moment a fault is armed: `remove_after(1)` means "answer the next
//! APDU, then the card is gone".
//!
//! Only command APDUs count; vpcd's power and ATR requests do not.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use madoguchi_card::StatusWord;

/// How an APDU is held back before its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stall {
    /// Wait this long, then answer (unless the card is removed meanwhile).
    For(Duration),
    /// Never answer; the exchange ends when the card is removed.
    UntilRemoved,
}

/// A chosen status word for a chosen command: the card answers `sw` instead
/// of executing a matching command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailRule {
    pub ins: u8,
    /// Match P1 too, if set.
    pub p1: Option<u8>,
    /// Match P2 too, if set.
    pub p2: Option<u8>,
    /// Only the nth matching command (1-based, counted from arming);
    /// `None`: every matching command.
    pub nth: Option<u32>,
    pub sw: StatusWord,
}

impl FailRule {
    /// Every command with this INS answers `sw`.
    pub fn new(ins: u8, sw: StatusWord) -> FailRule {
        FailRule {
            ins,
            p1: None,
            p2: None,
            nth: None,
            sw,
        }
    }
    pub fn p1(mut self, p1: u8) -> FailRule {
        self.p1 = Some(p1);
        self
    }
    pub fn p2(mut self, p2: u8) -> FailRule {
        self.p2 = Some(p2);
        self
    }
    pub fn nth(mut self, n: u32) -> FailRule {
        self.nth = Some(n);
        self
    }

    fn matches(&self, header: &[u8]) -> bool {
        header.len() >= 4
            && header[1] == self.ins
            && self.p1.is_none_or(|p| p == header[2])
            && self.p2.is_none_or(|p| p == header[3])
    }
}

/// Error parsing a fault specification from the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad fault specification {spec:?}: {reason}")]
pub struct FaultSpecError {
    pub spec: String,
    pub reason: &'static str,
}

impl FromStr for FailRule {
    type Err = FaultSpecError;

    /// `INS:SW[:P1[:P2[:NTH]]]`, bytes in hex, NTH in decimal; `*` for any
    /// P1/P2. Examples: `2A:6F00`, `20:6984`, `B0:6A82:*:*:3`.
    fn from_str(s: &str) -> Result<FailRule, FaultSpecError> {
        let err = |reason| FaultSpecError {
            spec: s.to_string(),
            reason,
        };
        let parts: Vec<&str> = s.split(':').collect();
        if !(2..=5).contains(&parts.len()) {
            return Err(err("expected INS:SW[:P1[:P2[:NTH]]]"));
        }
        let byte = |p: &str| u8::from_str_radix(p, 16).ok().filter(|_| p.len() == 2);
        let ins = byte(parts[0]).ok_or_else(|| err("INS must be two hex digits"))?;
        let sw = u16::from_str_radix(parts[1], 16)
            .ok()
            .filter(|_| parts[1].len() == 4)
            .ok_or_else(|| err("SW must be four hex digits"))?;
        let mut rule = FailRule::new(ins, StatusWord::from_u16(sw));
        let any_or_byte = |p: &str, what| -> Result<Option<u8>, FaultSpecError> {
            if p == "*" {
                Ok(None)
            } else {
                byte(p).map(Some).ok_or_else(|| err(what))
            }
        };
        if let Some(p) = parts.get(2) {
            rule.p1 = any_or_byte(p, "P1 must be two hex digits or *")?;
        }
        if let Some(p) = parts.get(3) {
            rule.p2 = any_or_byte(p, "P2 must be two hex digits or *")?;
        }
        if let Some(n) = parts.get(4) {
            rule.nth = Some(
                n.parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| err("NTH must be a positive number"))?,
            );
        }
        Ok(rule)
    }
}

impl fmt::Display for FailRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = |b: Option<u8>| b.map_or("*".to_string(), |b| format!("{b:02X}"));
        write!(
            f,
            "{:02X}:{:04X}:{}:{}",
            self.ins,
            self.sw.to_u16(),
            opt(self.p1),
            opt(self.p2)
        )?;
        if let Some(n) = self.nth {
            write!(f, ":{n}")?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct State {
    /// Command APDUs seen so far.
    seen: u64,
    /// Remove the card after the APDU with this number.
    remove_after: Option<u64>,
    /// (APDU number, stall).
    stalls: Vec<(u64, Stall)>,
    /// Added before every answer.
    latency: Duration,
    /// (rule, matches so far).
    rules: Vec<(FailRule, u32)>,
}

/// What to do with one APDU.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The card is gone before this APDU (armed with `remove_after(0)`).
    pub remove_before: bool,
    /// Hold the answer back.
    pub stall: Option<Stall>,
    /// Answer this instead of executing the command.
    pub status: Option<StatusWord>,
    /// Answer, then the card is removed.
    pub remove_after: bool,
}

/// Shared fault settings. Clones share state.
#[derive(Clone, Default)]
pub struct Faults(Arc<Mutex<State>>);

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("Faults")
            .field("seen", &s.seen)
            .field("remove_after", &s.remove_after)
            .field("stalls", &s.stalls)
            .field("latency", &s.latency)
            .field("rules", &s.rules.len())
            .finish()
    }
}

impl Faults {
    /// No faults armed.
    pub fn new() -> Faults {
        Faults::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answer the next `n` APDUs, then the card is removed: every later
    /// transmit fails with `CardRemoved` (over vpcd the connection closes)
    /// until the card is inserted again. `0`: removed before the next APDU.
    /// Fires once.
    pub fn remove_after(&self, n: u64) {
        let mut s = self.lock();
        s.remove_after = Some(s.seen + n);
    }

    /// Wait `delay` before answering the `n`th APDU from now (1 = next).
    pub fn delay(&self, n: u64, delay: Duration) {
        let mut s = self.lock();
        let at = s.seen + n.max(1);
        s.stalls.push((at, Stall::For(delay)));
    }

    /// Never answer the `n`th APDU from now (1 = next): the caller waits
    /// until the card is removed.
    pub fn hang(&self, n: u64) {
        let mut s = self.lock();
        let at = s.seen + n.max(1);
        s.stalls.push((at, Stall::UntilRemoved));
    }

    /// Slow card: wait this long before every answer (`ZERO` to turn off).
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Answer a chosen status word to matching commands.
    pub fn fail(&self, rule: FailRule) {
        self.lock().rules.push((rule, 0));
    }

    /// Disarm everything (the APDU count keeps going).
    pub fn clear(&self) {
        let mut s = self.lock();
        s.remove_after = None;
        s.stalls.clear();
        s.latency = Duration::ZERO;
        s.rules.clear();
    }

    /// Command APDUs seen since this handle was made.
    pub fn apdus_seen(&self) -> u64 {
        self.lock().seen
    }

    /// Decide the fate of one command APDU (called once per APDU by the
    /// card's faces).
    pub fn plan(&self, apdu: &[u8]) -> Plan {
        let mut s = self.lock();
        s.seen += 1;
        let n = s.seen;
        let mut plan = Plan::default();
        match s.remove_after {
            Some(r) if r < n => {
                s.remove_after = None;
                plan.remove_before = true;
                return plan;
            }
            Some(r) if r == n => {
                s.remove_after = None;
                plan.remove_after = true;
            }
            _ => {}
        }
        if let Some(i) = s.stalls.iter().position(|(at, _)| *at == n) {
            plan.stall = Some(s.stalls.remove(i).1);
        }
        s.stalls.retain(|(at, _)| *at > n);
        if plan.stall.is_none() && !s.latency.is_zero() {
            plan.stall = Some(Stall::For(s.latency));
        } else if let Some(Stall::For(d)) = plan.stall {
            plan.stall = Some(Stall::For(d + s.latency));
        }
        for (rule, count) in s.rules.iter_mut() {
            if rule.matches(apdu) {
                *count += 1;
                let hit = rule.nth.is_none_or(|nth| nth == *count);
                if hit && plan.status.is_none() {
                    plan.status = Some(rule.sw);
                }
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SELECT: [u8; 5] = [0x00, 0xA4, 0x04, 0x0C, 0x01];
    const VERIFY: [u8; 4] = [0x00, 0x20, 0x00, 0x80];

    #[test]
    fn remove_after_counts_from_arming() {
        let f = Faults::new();
        assert_eq!(f.plan(&SELECT), Plan::default());
        f.remove_after(2);
        assert!(!f.plan(&SELECT).remove_after);
        assert!(f.plan(&SELECT).remove_after);
        // Fires once.
        assert_eq!(f.plan(&SELECT), Plan::default());
        f.remove_after(0);
        assert!(f.plan(&SELECT).remove_before);
        assert_eq!(f.apdus_seen(), 5);
    }

    #[test]
    fn stalls_and_latency() {
        let f = Faults::new();
        f.delay(2, Duration::from_millis(30));
        f.hang(3);
        assert_eq!(f.plan(&SELECT).stall, None);
        assert_eq!(
            f.plan(&SELECT).stall,
            Some(Stall::For(Duration::from_millis(30)))
        );
        assert_eq!(f.plan(&SELECT).stall, Some(Stall::UntilRemoved));
        f.set_latency(Duration::from_millis(5));
        assert_eq!(
            f.plan(&SELECT).stall,
            Some(Stall::For(Duration::from_millis(5)))
        );
        f.clear();
        assert_eq!(f.plan(&SELECT).stall, None);
    }

    #[test]
    fn rules_match_ins_p1_p2_nth() {
        let f = Faults::new();
        f.fail(
            FailRule::new(0x20, StatusWord::MemoryFailure)
                .p2(0x80)
                .nth(2),
        );
        f.fail(FailRule::new(0xA4, StatusWord::FileNotFound).p1(0x02));
        assert_eq!(f.plan(&VERIFY).status, None);
        assert_eq!(f.plan(&VERIFY).status, Some(StatusWord::MemoryFailure));
        assert_eq!(f.plan(&VERIFY).status, None);
        assert_eq!(f.plan(&SELECT).status, None);
        assert_eq!(
            f.plan(&[0x00, 0xA4, 0x02, 0x0C]).status,
            Some(StatusWord::FileNotFound)
        );
        assert_eq!(f.plan(&[0x00]).status, None);
    }

    #[test]
    fn parse_rules() {
        let r: FailRule = "2A:6F00".parse().unwrap();
        assert_eq!(r, FailRule::new(0x2A, StatusWord::NoPreciseDiagnosis));
        let r: FailRule = "b0:6a82:*:0C:3".parse().unwrap();
        assert_eq!(r.p1, None);
        assert_eq!(r.p2, Some(0x0C));
        assert_eq!(r.nth, Some(3));
        assert_eq!(r.to_string(), "B0:6A82:*:0C:3");
        for bad in [
            "2A",
            "2A:6F",
            "ZZ:6F00",
            "2A:6F00:1:2",
            "2A:6F00:*:*:0",
            "a:b:c:d:e:f",
        ] {
            assert!(bad.parse::<FailRule>().is_err(), "{bad}");
        }
    }
}
