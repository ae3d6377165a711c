//! Challenges: stateless, single use, five minutes.
//!
//! A challenge is `nonce ‖ expiry ‖ HMAC-SHA256(key, nonce ‖ expiry)` in lowercase hex
//! (12 + 4 + 32 bytes = 96 hex digits). Issuing one costs an HMAC and 12 random bytes and
//! keeps nothing: any window instance that holds the key verifies any challenge, and an
//! instance that dies loses nothing. The key comes from the configuration
//! (`[challenge_keys]`: a current key that issues and verifies, and previous keys that only
//! verify, so that instances can change keys one at a time); without one, from the database
//! ([`crate::store::Store::challenge_key`]). Single use is not decided here: a record is
//! keyed by its document's challenge (expiry and nonce, a unique index), so the database
//! refuses a second document with the same challenge, in the transaction that records it.

use std::time::{Duration, SystemTime};

use rand::RngCore;
use ring::hmac;

/// How long a challenge lives.
pub const LIFETIME: Duration = Duration::from_secs(madoguchi_pki::wire::CHALLENGE_LIFETIME_SECS);

const NONCE_LEN: usize = 12;
const EXPIRY_LEN: usize = 4;
const TAG_LEN: usize = 32;
/// Length of a challenge in hex digits.
pub const CHALLENGE_HEX_LEN: usize = 2 * (NONCE_LEN + EXPIRY_LEN + TAG_LEN);

/// Domain separation: this key MACs nothing else, but a version tag costs nothing.
const CONTEXT: &[u8] = b"madoguchi challenge v1\0";

/// Why a challenge was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeProblem {
    /// Not made with this window's key (or not a challenge at all).
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

/// A challenge's nonce and expiry: the key of the record of the document that carries it.
/// From [`ChallengeKeys::verify`], a challenge whose MAC and expiry checked out; from
/// [`claimed`], what a document's challenge says, unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket {
    /// The random nonce.
    pub nonce: [u8; NONCE_LEN],
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: i64,
}

/// The MAC keys shared by every instance: the current one, which issues and verifies, and
/// previous ones, which only verify (challenges issued before a key change, or by an instance
/// that changed before this one).
#[derive(Clone)]
pub struct ChallengeKeys {
    current: hmac::Key,
    previous: Vec<hmac::Key>,
}

impl std::fmt::Debug for ChallengeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ChallengeKeys(1 current, {} previous)",
            self.previous.len()
        )
    }
}

fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

impl ChallengeKeys {
    /// One key, from 32 secret bytes (the database's).
    pub fn new(secret: &[u8; 32]) -> ChallengeKeys {
        ChallengeKeys::with_previous(secret, &[])
    }

    /// A current key and the previous keys still accepted.
    pub fn with_previous(current: &[u8], previous: &[&[u8]]) -> ChallengeKeys {
        let key = |k: &[u8]| hmac::Key::new(hmac::HMAC_SHA256, k);
        ChallengeKeys {
            current: key(current),
            previous: previous.iter().map(|k| key(k)).collect(),
        }
    }

    fn tag(&self, nonce: &[u8], expiry: &[u8]) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.current);
        ctx.update(CONTEXT);
        ctx.update(nonce);
        ctx.update(expiry);
        ctx.sign()
    }

    /// Issues a fresh challenge valid for [`LIFETIME`] from `now`; constant time, no state.
    pub fn issue(&self, now: SystemTime) -> (String, SystemTime) {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        // u32 seconds: good until 2106; whole seconds, as `expires_at` is sent.
        let expires = unix_secs(now + LIFETIME).clamp(0, i64::from(u32::MAX)) as u32;
        let expiry = expires.to_be_bytes();
        let tag = self.tag(&nonce, &expiry);
        let mut out = Vec::with_capacity(NONCE_LEN + EXPIRY_LEN + TAG_LEN);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&expiry);
        out.extend_from_slice(tag.as_ref());
        (
            hex::encode(out),
            SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(expires)),
        )
    }

    /// Checks a challenge's form, MAC and expiry at `now`. Whether it was used is the
    /// database's to say.
    pub fn verify(&self, challenge: &str, now: SystemTime) -> Result<Ticket, ChallengeProblem> {
        let (ticket, tag) = split(challenge).ok_or(ChallengeProblem::Unknown)?;
        let mut msg = [0u8; CONTEXT.len() + NONCE_LEN + EXPIRY_LEN];
        msg[..CONTEXT.len()].copy_from_slice(CONTEXT);
        msg[CONTEXT.len()..CONTEXT.len() + NONCE_LEN].copy_from_slice(&ticket.nonce);
        msg[CONTEXT.len() + NONCE_LEN..].copy_from_slice(&(ticket.expires_at as u32).to_be_bytes());
        // The current key first: nearly every challenge is under it.
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| hmac::verify(k, &msg, &tag).is_ok())
            .ok_or(ChallengeProblem::Unknown)?;
        if unix_secs(now) > ticket.expires_at {
            return Err(ChallengeProblem::Expired);
        }
        Ok(ticket)
    }
}

/// The nonce and expiry a challenge says it has, and its MAC tag, if it has a challenge's form.
fn split(challenge: &str) -> Option<(Ticket, [u8; TAG_LEN])> {
    if challenge.len() != CHALLENGE_HEX_LEN {
        return None;
    }
    let mut bytes = [0u8; NONCE_LEN + EXPIRY_LEN + TAG_LEN];
    hex::decode_to_slice(challenge, &mut bytes).ok()?;
    let (nonce, rest) = bytes.split_at(NONCE_LEN);
    let (expiry, tag) = rest.split_at(EXPIRY_LEN);
    Some((
        Ticket {
            nonce: nonce.try_into().ok()?,
            expires_at: i64::from(u32::from_be_bytes(expiry.try_into().ok()?)),
        },
        tag.try_into().ok()?,
    ))
}

/// The nonce and expiry a document's challenge says it has, unchecked (`None` if it is not
/// in a challenge's form): the key its record is found by, also after the challenge expired
/// or under a key this window no longer holds. A forged one finds at most the record of the
/// same document, which carries the same forged challenge.
pub fn claimed(challenge: &str) -> Option<Ticket> {
    split(challenge).map(|(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    #[test]
    fn issued_challenges_verify_until_they_expire() {
        let k = ChallengeKeys::new(&[7; 32]);
        let (c, exp) = k.issue(t0());
        assert_eq!(c.len(), CHALLENGE_HEX_LEN);
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(exp, t0() + Duration::from_secs(300));
        let t = k.verify(&c, t0()).unwrap();
        assert_eq!(t.expires_at, 1_800_000_300);
        assert_eq!(k.verify(&c, t0() + Duration::from_secs(300)), Ok(t));
        assert_eq!(
            k.verify(&c, t0() + Duration::from_secs(301)),
            Err(ChallengeProblem::Expired)
        );
        let (c2, _) = k.issue(t0());
        assert_ne!(c, c2);
        assert_ne!(k.verify(&c2, t0()).unwrap().nonce, t.nonce);
    }

    #[test]
    fn previous_keys_verify_and_only_the_current_one_issues() {
        let (old, new, stranger) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        let before = ChallengeKeys::new(&old);
        let (c_old, _) = before.issue(t0());
        let rolled = ChallengeKeys::with_previous(&new, &[&old]);
        assert_eq!(rolled.verify(&c_old, t0()), before.verify(&c_old, t0()));
        let (c_new, _) = rolled.issue(t0());
        assert!(rolled.verify(&c_new, t0()).is_ok());
        // Issued under the new key: the old key alone does not know it.
        assert_eq!(before.verify(&c_new, t0()), Err(ChallengeProblem::Unknown));
        // Rolled further (the old key dropped): the old challenge is unknown.
        let dropped = ChallengeKeys::with_previous(&stranger, &[&new]);
        assert_eq!(dropped.verify(&c_old, t0()), Err(ChallengeProblem::Unknown));
        assert!(dropped.verify(&c_new, t0()).is_ok());
        // A previous key's challenges still expire.
        assert_eq!(
            rolled.verify(&c_old, t0() + Duration::from_secs(301)),
            Err(ChallengeProblem::Expired)
        );
    }

    #[test]
    fn another_key_or_any_change_is_unknown() {
        let k = ChallengeKeys::new(&[7; 32]);
        let other = ChallengeKeys::new(&[8; 32]);
        let (c, _) = k.issue(t0());
        assert_eq!(other.verify(&c, t0()), Err(ChallengeProblem::Unknown));
        // Every single-digit change, including a later expiry, breaks the MAC.
        for i in 0..c.len() {
            let mut b = c.clone().into_bytes();
            b[i] = if b[i] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(b).unwrap();
            assert_eq!(
                k.verify(&changed, t0()),
                Err(ChallengeProblem::Unknown),
                "{i}"
            );
        }
        for bad in [
            "",
            "0123456789abcdef0123456789abcdef",
            &c[..c.len() - 2],
            &format!("{c}00"),
        ] {
            if bad != c {
                assert_eq!(k.verify(bad, t0()), Err(ChallengeProblem::Unknown), "{bad}");
            }
        }
        let non_hex = format!("zz{}", &c[2..]);
        assert_eq!(k.verify(&non_hex, t0()), Err(ChallengeProblem::Unknown));
    }
}
