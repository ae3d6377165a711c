//! Challenges: single use, five minutes.
//!
//! Challenges live in memory: one that is lost in a restart only costs the client a new
//! challenge and a new signature (it gets `challenge_invalid`). A challenge that has been used
//! remembers which document used it until it expires, so the same signed request arriving twice
//! at once still gets one answer.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use rand::RngCore;

/// How long a challenge lives.
pub const LIFETIME: Duration = Duration::from_secs(madoguchi_pki::wire::CHALLENGE_LIFETIME_SECS);

/// Why a challenge was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeProblem {
    /// Never issued here (or forgotten in a restart).
    Unknown,
    /// Issued, but more than five minutes ago.
    Expired,
    /// Already used by another request.
    Used,
}

impl ChallengeProblem {
    /// A short English explanation.
    pub fn detail(self) -> &'static str {
        match self {
            ChallengeProblem::Unknown => "the challenge was not issued by this window",
            ChallengeProblem::Expired => "the challenge has expired",
            ChallengeProblem::Used => "the challenge was already used by another request",
        }
    }
}

struct Entry {
    expires_at: SystemTime,
    used_by: Option<[u8; 32]>,
}

/// The outstanding challenges.
pub struct ChallengeBook {
    entries: HashMap<String, Entry>,
    capacity: usize,
}

impl ChallengeBook {
    /// A book holding at most `capacity` live challenges.
    pub fn new(capacity: usize) -> Self {
        ChallengeBook {
            entries: HashMap::new(),
            capacity,
        }
    }

    /// Issues a fresh challenge (64 hex characters from 32 random bytes); `None` when the book
    /// is full of live challenges.
    pub fn issue(&mut self, now: SystemTime) -> Option<(String, SystemTime)> {
        if self.entries.len() >= self.capacity {
            self.purge(now);
        }
        if self.entries.len() >= self.capacity {
            // Used challenges go next: a document that used one is on record and is answered
            // from the record, before any challenge check.
            self.entries.retain(|_, e| e.used_by.is_none());
        }
        if self.entries.len() >= self.capacity {
            return None;
        }
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let challenge = hex::encode(bytes);
        let expires_at = now + LIFETIME;
        self.entries.insert(
            challenge.clone(),
            Entry {
                expires_at,
                used_by: None,
            },
        );
        Some((challenge, expires_at))
    }

    /// Uses a challenge for the document with SHA-256 `document_hash`. Using it again for the
    /// same document is allowed (same request sent twice); for another document it is not.
    pub fn consume(
        &mut self,
        challenge: &str,
        document_hash: &[u8; 32],
        now: SystemTime,
    ) -> Result<(), ChallengeProblem> {
        let entry = self
            .entries
            .get_mut(challenge)
            .ok_or(ChallengeProblem::Unknown)?;
        if now > entry.expires_at {
            return Err(ChallengeProblem::Expired);
        }
        match &entry.used_by {
            Some(h) if h == document_hash => Ok(()),
            Some(_) => Err(ChallengeProblem::Used),
            None => {
                entry.used_by = Some(*document_hash);
                Ok(())
            }
        }
    }

    /// Forgets challenges expired for more than a lifetime (kept that long so that a late
    /// request is told `expired` rather than `unknown`).
    pub fn purge(&mut self, now: SystemTime) {
        self.entries.retain(|_, e| e.expires_at + LIFETIME >= now);
    }

    /// Number of challenges held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when none is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_use_five_minutes() {
        let mut b = ChallengeBook::new(10);
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (c, exp) = b.issue(t0).unwrap();
        assert_eq!(c.len(), 64);
        assert_eq!(exp, t0 + Duration::from_secs(300));
        assert_eq!(b.consume(&c, &[1; 32], t0), Ok(()));
        assert_eq!(b.consume(&c, &[1; 32], t0), Ok(()), "same document again");
        assert_eq!(b.consume(&c, &[2; 32], t0), Err(ChallengeProblem::Used));
        let (c2, _) = b.issue(t0).unwrap();
        assert_ne!(c, c2);
        assert_eq!(
            b.consume(&c2, &[3; 32], t0 + Duration::from_secs(301)),
            Err(ChallengeProblem::Expired)
        );
        assert_eq!(
            b.consume("nope", &[3; 32], t0),
            Err(ChallengeProblem::Unknown)
        );
        assert_eq!(
            b.consume(&c2, &[3; 32], t0 + Duration::from_secs(300)),
            Ok(())
        );
    }

    #[test]
    fn used_challenges_make_room_first() {
        let mut b = ChallengeBook::new(2);
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (c1, _) = b.issue(t0).unwrap();
        let (c2, _) = b.issue(t0).unwrap();
        b.consume(&c1, &[1; 32], t0).unwrap();
        let (c3, _) = b.issue(t0).unwrap();
        assert_eq!(b.consume(&c2, &[2; 32], t0), Ok(()));
        assert_eq!(b.consume(&c1, &[1; 32], t0), Err(ChallengeProblem::Unknown));
        // c2 is used and makes room; then c3 and c4 are live and unused: full.
        let (c4, _) = b.issue(t0).unwrap();
        assert!(b.issue(t0).is_none());
        assert_eq!(b.consume(&c3, &[3; 32], t0), Ok(()));
        assert_eq!(b.consume(&c4, &[4; 32], t0), Ok(()));
    }

    #[test]
    fn capacity_and_purge() {
        let mut b = ChallengeBook::new(2);
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        b.issue(t0).unwrap();
        b.issue(t0).unwrap();
        assert!(b.issue(t0).is_none());
        assert!(b.issue(t0 + Duration::from_secs(601)).is_some());
        assert_eq!(b.len(), 1);
    }
}
